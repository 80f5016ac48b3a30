# SPDX-License-Identifier: GPL-3.0-or-later
"""Changes the test servers' mailboxes from outside Satchel.

Used by the tests (import it, or run tests/servers/mailctl) inside a
satchel-test-servers run, whose environment names the servers. Changes go
through IMAP as another client would make them (imaplib over TLS, trusting
the run's CA), or through doveadm where only the server can (UIDVALIDITY,
filling a big mailbox fast).
"""

import email.header
import email.message
import itertools
import email.policy
import email.utils
import fcntl
import hashlib
import imaplib
import json
import os
import random
import re
import ssl
import subprocess
import time

_FIRST_NAMES = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances",
                "Ken", "Radia", "Guido", "Sophie", "Léa", "Jürgen", "Zoë", "Åsa", "Мария", "陈"]
_LAST_NAMES = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Ritchie",
               "Allen", "Thompson", "Perlman", "van Rossum", "Wilson", "Dubois", "Müller"]
_user_counter = itertools.count(1)
_WORDS = ("mail client sync folder server message offline draft invoice meeting agenda "
          "report budget release notes review patch build test schedule travel lunch "
          "garden concert tickets photo holiday weather quarterly roadmap design summary "
          "question answer follow up reminder thanks update status proposal").split()


def env(name):
    value = os.environ.get(name)
    if value is None:
        raise RuntimeError(f"{name} is not set: run inside tests/servers/satchel-test-servers")
    return value


def doveadm(*args, stdin=None):
    return subprocess.run(["doveadm", "-c", env("SATCHEL_TEST_DOVECOT_CONF"), *args],
                          input=stdin, check=True, capture_output=True)


def new_user(prefix="u"):
    """A user nobody else has used: (name, password). Every user name
    exists, with the password "pw-" + name; nothing is written."""
    name = f"{prefix}{os.getpid()}x{next(_user_counter)}x{random.randrange(1 << 30):x}"
    return name, "pw-" + name


def adduser(name, password):
    """Adds a mail user with a password of its own (IMAP, POP3 and SMTP),
    and waits until Dovecot, which reads the file at most once a second,
    accepts it."""
    path = env("SATCHEL_TEST_PASSWD")
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.write(f"{name}:{{PLAIN}}{password}::::::\n")
        f.flush()
        fcntl.flock(f, fcntl.LOCK_UN)
    deadline = time.monotonic() + 5
    while True:
        probe = subprocess.run(["doveadm", "-c", env("SATCHEL_TEST_DOVECOT_CONF"), "auth",
                                "test", name, password], capture_output=True)
        if probe.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"Dovecot does not accept the new user {name}: "
                               f"{probe.stdout!r} {probe.stderr!r}")
        time.sleep(0.1)


def ssl_context():
    context = ssl.create_default_context(cafile=env("SATCHEL_TEST_CA"))
    context.check_hostname = True
    return context


def imap(user, password):
    """A logged-in imaplib client over implicit TLS."""
    conn = imaplib.IMAP4_SSL(env("SATCHEL_TEST_HOST"), int(env("SATCHEL_TEST_IMAPS_PORT")),
                             ssl_context=ssl_context())
    conn.login(user, password)
    return conn


def utf7_encode(name):
    """IMAP's modified UTF-7 (RFC 3501, 5.1.3)."""
    import base64
    out, shifted = [], []

    def flush():
        if shifted:
            data = "".join(shifted).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            shifted.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            shifted.append(ch)
    flush()
    return "".join(out)


def utf7_decode(name):
    import base64
    out, i = [], 0
    while i < len(name):
        if name[i] != "&":
            out.append(name[i])
            i += 1
            continue
        end = name.index("-", i)
        chunk = name[i + 1:end]
        if not chunk:
            out.append("&")
        else:
            data = chunk.replace(",", "/")
            data += "=" * (-len(data) % 4)
            out.append(base64.b64decode(data).decode("utf-16-be"))
        i = end + 1
    return "".join(out)


def _quote(name):
    name = utf7_encode(name)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(result, what):
    typ, data = result
    if typ != "OK":
        raise RuntimeError(f"{what}: {typ} {data}")
    return data


_encoded_names = {}


def _display_name(first, last):
    """An RFC 5322 display name, RFC 2047-encoded when not ASCII."""
    name = f"{first} {last}"
    if name not in _encoded_names:
        if name.isascii():
            _encoded_names[name] = name
        else:
            _encoded_names[name] = email.header.Header(name, "utf-8").encode()
    return _encoded_names[name]


def nested_message(depth):
    """A message whose MIME parts nest @depth deep, one multipart in the
    next, with a text part at the bottom (CRLF line ends)."""
    head = (b"From: a@example.org\r\nSubject: deep\r\nMessage-ID: <deep@example.org>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
    opening = b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n"
                       % (i - 1, i) for i in range(1, depth))
    leaf = b"--b%d\r\nContent-Type: text/plain\r\n\r\nhi\r\n" % (depth - 1)
    closing = b"".join(b"--b%d--\r\n" % i for i in range(depth - 1, -1, -1))
    return head + opening + leaf + closing


def make_message(index, seed=0, size=None, attachment=False, date=None, reply_to_index=None,
                 attachment_size=None):
    """One realistic message (CRLF line ends), the same bytes for the same
    arguments: 2 to 20 KiB of text unless @size says, with a binary
    attachment of half that size when @attachment."""
    rng = random.Random(seed * 1_000_003 + index)
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    local = re.sub(r"[^a-z]", "", first.lower()) or "someone"
    subject = " ".join(rng.choices(_WORDS, k=rng.randint(2, 7))).capitalize()
    when = date if date is not None else 1_700_000_000 + index * 600
    headers = [
        f"From: {_display_name(first, last)} <{local}.{index % 97}@example.org>",
        "To: Test User <user@example.com>",
        f"Subject: {subject} #{index}",
        f"Date: {email.utils.formatdate(when, localtime=False)}",
        f"Message-ID: <gen.{seed}.{index}@satchel.test>",
        "MIME-Version: 1.0",
    ]
    if reply_to_index is not None:
        parent = f"<gen.{seed}.{reply_to_index}@satchel.test>"
        headers += [f"In-Reply-To: {parent}", f"References: {parent}"]

    target = size if size is not None else rng.randint(2048, 20480)
    paragraphs = []
    length = 0
    while length < target * 0.7:
        words = rng.choices(_WORDS, k=rng.randint(20, 60))
        para = " ".join(words).capitalize() + "."
        # Lines of at most 78 characters, as mail wants them.
        lines, line = [], ""
        for word in para.split(" "):
            if len(line) + len(word) + 1 > 76:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        paragraphs.append("\r\n".join(lines))
        length += len(para) + 4
    text = "\r\n\r\n".join(paragraphs) + "\r\n"

    if not attachment:
        headers += ["Content-Type: text/plain; charset=us-ascii",
                    "Content-Transfer-Encoding: 7bit"]
        return ("\r\n".join(headers) + "\r\n\r\n" + text).encode()

    import base64
    boundary = f"=_satchel_{seed}_{index}"
    blob = base64.encodebytes(rng.randbytes(attachment_size or max(1024, target // 2))).decode()
    blob = blob.replace("\n", "\r\n")
    headers += [f'Content-Type: multipart/mixed; boundary="{boundary}"']
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n"
            f"Content-Transfer-Encoding: 7bit\r\n\r\n{text}"
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            f'Content-Disposition: attachment; filename="data-{index}.bin"\r\n'
            f"Content-Transfer-Encoding: base64\r\n\r\n{blob}"
            f"--{boundary}--\r\n")
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


def append(user, password, folder, raw, flags=()):
    """Appends a message as another client would. Returns its UID."""
    conn = imap(user, password)
    try:
        flag_list = "(" + " ".join(flags) + ")" if flags else None
        data = _check(conn.append(_quote(folder), flag_list, None, raw), "APPEND")
        match = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
        return int(match.group(1)) if match else None
    finally:
        conn.logout()


def append_at_once(user, password, folder, raws):
    """Appends several messages in one command (MULTIAPPEND, RFC 3502):
    they arrive together, as one EXISTS, as mail that came at once."""
    conn = imap(user, password)
    try:
        tag = conn._new_tag()
        command = tag + b" APPEND " + _quote(folder).encode()
        for raw in raws:
            command += b" {%d+}\r\n" % len(raw) + raw
        conn.send(command + b"\r\n")
        _check(conn._command_complete("APPEND", tag), "MULTIAPPEND")
    finally:
        conn.logout()


def store_flags(user, password, folder, uid, change):
    """change: '+\\Seen', '-\\Flagged', ..."""
    conn = imap(user, password)
    try:
        _check(conn.select(_quote(folder)), "SELECT")
        op = "+FLAGS.SILENT" if change[0] == "+" else "-FLAGS.SILENT"
        _check(conn.uid("STORE", str(uid), op, f"({change[1:]})"), "STORE")
    finally:
        conn.logout()


def expunge(user, password, folder, uids):
    conn = imap(user, password)
    try:
        _check(conn.select(_quote(folder)), "SELECT")
        uid_set = ",".join(str(u) for u in uids)
        _check(conn.uid("STORE", uid_set, "+FLAGS.SILENT", "(\\Deleted)"), "STORE")
        _check(conn.uid("EXPUNGE", uid_set), "UID EXPUNGE")
    finally:
        conn.logout()


def folder_op(user, password, op, *names):
    conn = imap(user, password)
    try:
        if op == "create":
            _check(conn.create(_quote(names[0])), "CREATE")
        elif op == "rename":
            _check(conn.rename(_quote(names[0]), _quote(names[1])), "RENAME")
        elif op == "delete":
            _check(conn.delete(_quote(names[0])), "DELETE")
        else:
            raise ValueError(op)
    finally:
        conn.logout()


def set_uidvalidity(user, folder, value):
    doveadm("mailbox", "update", "-u", user, "--uid-validity", str(value), utf7_encode(folder))


def _maildir_path(user, folder):
    root = os.path.join(env("SATCHEL_TEST_MAIL_DIR"), user)
    # Dovecot keeps folder names in modified UTF-7 on disk too.
    if folder.upper() == "INBOX":
        return root
    return os.path.join(root, *utf7_encode(folder).split("/"))


def fill(user, folder, count, seed=0, attachment_every=0, uidvalidity=None,
         seen_every=0, flagged_every=0, large_every=0, newest=None, reply_every=0):
    """Puts count generated messages (UIDs 1..count) in a new, empty folder
    fast: Maildir files and a dovecot-uidlist written here, then indexed by
    doveadm. The newest message has the highest UID; with newest (seconds
    since 1970) it is dated then, the others 37 minutes apart before it.
    With reply_every, every such message replies to the one before it."""
    path = _maildir_path(user, folder)
    if os.path.exists(os.path.join(path, "dovecot-uidlist")):
        raise RuntimeError(f"{folder} of {user} is not new; fill only fills new folders")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    uidvalidity = uidvalidity or int(time.time())
    lines = [f"3 V{uidvalidity} N{count + 1} G{hashlib.md5(path.encode()).hexdigest()}"]
    for i in range(1, count + 1):
        large = bool(large_every and i % large_every == 0)
        date = newest - (count - i) * 37 * 60 if newest is not None else None
        reply = i - 1 if reply_every and i > 1 and i % reply_every == 0 else None
        raw = make_message(i, seed=seed, date=date, reply_to_index=reply,
                           attachment=large or bool(attachment_every and i % attachment_every == 0),
                           attachment_size=256 * 1024 if large else None)
        raw = raw.replace(b"\r\n", b"\n")
        flags = ""
        if flagged_every and i % flagged_every == 0:
            flags += "F"
        if seen_every and i % seen_every == 0:
            flags += "S"
        base = f"{1_700_000_000 + i}.M{i}P{seed}.satchel,S={len(raw)}"
        with open(os.path.join(path, "cur", f"{base}:2,{flags}"), "wb") as f:
            f.write(raw)
        when = date if date is not None else 1_700_000_000 + i * 600
        os.utime(os.path.join(path, "cur", f"{base}:2,{flags}"), (when, when))
        lines.append(f"{i} :{base}")
    with open(os.path.join(path, "dovecot-uidlist"), "w") as f:
        f.write("\n".join(lines) + "\n")
    uid, gid = int(env("SATCHEL_TEST_MAIL_UID")), int(env("SATCHEL_TEST_MAIL_GID"))
    root = os.path.join(env("SATCHEL_TEST_MAIL_DIR"), user)
    for dirpath, dirnames, filenames in os.walk(root):
        os.chown(dirpath, uid, gid)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), uid, gid)
    if folder.upper() != "INBOX":
        subprocess.run(["doveadm", "-c", env("SATCHEL_TEST_DOVECOT_CONF"), "mailbox",
                        "subscribe", "-u", user, utf7_encode(folder)], capture_output=True)
    doveadm("index", "-u", user, utf7_encode(folder))


def folders(user, password):
    """[{name, flags}] as LIST reports them (names in modified UTF-7 decoded
    only for ASCII)."""
    conn = imap(user, password)
    try:
        data = _check(conn.list(), "LIST")
    finally:
        conn.logout()
    result = []
    for line in data:
        match = re.match(rb'\((.*?)\) (?:"(.)"|NIL) (.*)', line)
        flags, _delim, name = match.groups()
        name = name.decode()
        if name.startswith('"'):
            name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        result.append({"name": utf7_decode(name), "flags": sorted(flags.decode().split())})
    return sorted(result, key=lambda f: f["name"])


def messages(user, password, folder, bodies=False):
    """[{uid, flags, size, message_id, sha256}] by UID, as the server has them."""
    conn = imap(user, password)
    try:
        typ, data = conn.select(_quote(folder), readonly=True)
        if typ != "OK":
            raise RuntimeError(f"SELECT {folder}: {data}")
        if int(data[0]) == 0:
            return []
        items = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
        items += " BODY.PEEK[])" if bodies else ")"
        data = _check(conn.uid("FETCH", "1:*", items), "FETCH")
    finally:
        conn.logout()
    result = {}
    current = None

    def take_flags(text):
        match = re.search(rb"FLAGS \((.*?)\)", text)
        if match:
            current["flags"] = sorted(f for f in match.group(1).decode().split()
                                      if f != "\\Recent")

    for part in data:
        head, payload = part if isinstance(part, tuple) else (part, None)
        if re.match(rb"\d+ \(", head):
            uid = int(re.search(rb"UID (\d+)", head).group(1))
            current = result.setdefault(uid, {"uid": uid})
        if current is None:
            continue
        take_flags(head)
        match = re.search(rb"RFC822.SIZE (\d+)", head)
        if match:
            current["size"] = int(match.group(1))
        if payload is not None and b"HEADER.FIELDS" in head:
            mid = re.search(rb"<[^>]*>", payload)
            current["message_id"] = mid.group(0).decode() if mid else None
        elif payload is not None and b"BODY[]" in head:
            current["sha256"] = hashlib.sha256(payload).hexdigest()
    return [result[uid] for uid in sorted(result)]


def sent_messages():
    """What the SMTP server accepted, oldest first: [{envelope..., raw}]."""
    spool = env("SATCHEL_TEST_SMTP_SPOOL")
    result = []
    for name in sorted(os.listdir(spool)):
        if name.endswith(".json"):
            with open(os.path.join(spool, name)) as f:
                meta = json.load(f)
            with open(os.path.join(spool, name[:-5] + ".eml"), "rb") as f:
                meta["raw"] = f.read()
            result.append(meta)
    return result


def _ports():
    return [int(env(name)) for name in ("SATCHEL_TEST_IMAP_PORT", "SATCHEL_TEST_IMAPS_PORT",
                                         "SATCHEL_TEST_POP3_PORT", "SATCHEL_TEST_POP3S_PORT")]


def _listening(port):
    import socket
    try:
        with socket.create_connection((env("SATCHEL_TEST_HOST"), port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_dovecot():
    """Stops Dovecot, as a server that goes down; start_dovecot() brings it
    back on the same ports with the same mail."""
    subprocess.run(["doveadm", "-c", env("SATCHEL_TEST_DOVECOT_CONF"), "stop"], check=True,
                   capture_output=True)
    deadline = time.monotonic() + 10
    while any(_listening(p) for p in _ports()):
        if time.monotonic() > deadline:
            raise RuntimeError("Dovecot does not stop")
        time.sleep(0.05)


def start_dovecot():
    # Dovecot forks into the background: its output must not be a pipe
    # that this process waits on.
    subprocess.run(["dovecot", "-c", env("SATCHEL_TEST_DOVECOT_CONF")], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not all(_listening(p) for p in _ports()):
        if time.monotonic() > deadline:
            raise RuntimeError("Dovecot does not start again")
        time.sleep(0.05)
