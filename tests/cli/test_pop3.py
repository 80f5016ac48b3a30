#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""POP3 accounts, driven through satchel-cli against the real Dovecot POP3
server of the test run and checked against what another POP3 client sees:
downloading, the three server-copy options, local folders, a connection
cut in the middle; and, from scripted servers, what Dovecot will not do
(dot-stuffing edge cases, no UIDL, a mailbox in use)."""

import hashlib
import json
import os
import poplib
import select
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
import mailctl  # noqa: E402
from scripted import ScriptedServer  # noqa: E402

CLI = os.environ.get("SATCHEL_CLI")
DAY = 24 * 60 * 60
NOW = 1_800_000_000


def server_messages(user, password):
    """{UIDL: sha256 of the message} as another POP3 client sees them."""
    context = ssl.create_default_context(cafile=os.environ["SATCHEL_TEST_CA"])
    conn = poplib.POP3_SSL("localhost", int(os.environ["SATCHEL_TEST_POP3S_PORT"]),
                           context=context)
    try:
        conn.user(user)
        conn.pass_(password)
        result = {}
        for line in conn.uidl()[1]:
            number, uidl = line.decode().split()
            lines = conn.retr(int(number))[1]
            raw = b"".join(line + b"\r\n" for line in lines)
            result[uidl] = hashlib.sha256(raw).hexdigest()
        return result
    finally:
        conn.quit()


class CuttingProxy:
    """Forwards one plain POP3 connection to Dovecot and cuts it when the
    client sends its k-th RETR (the command never reaches the server)."""

    def __init__(self, cut_at_retr):
        self.cut_at = cut_at_retr
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        client, _ = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", int(os.environ["SATCHEL_TEST_POP3_PORT"])))
        done = threading.Event()

        def down():
            try:
                while not done.is_set():
                    data = server.recv(65536)
                    if not data:
                        break
                    client.sendall(data)
            except OSError:
                pass
            done.set()

        threading.Thread(target=down, daemon=True).start()
        seen = 0
        buffer = b""
        try:
            while not done.is_set():
                data = client.recv(65536)
                if not data:
                    break
                buffer += data
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.upper().startswith(b"RETR"):
                        seen += 1
                        if seen == self.cut_at:
                            raise ConnectionAbortedError
                    server.sendall(line + b"\n")
        except (OSError, ConnectionAbortedError):
            pass
        done.set()
        for sock in (client, server, self.listener):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


class Pop3TestCase(unittest.TestCase):
    def setUp(self):
        if "SATCHEL_TEST_SERVERS" not in os.environ:
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")
        self.profile = tempfile.mkdtemp(prefix="satchel-pop3-test-")
        self.addCleanup(shutil.rmtree, self.profile, True)
        self.user, self.password = mailctl.new_user("pop")
        self.email = f"{self.user}@example.org"

    def cli(self, *args, check=True, stdin="", now=None):
        env = dict(os.environ)
        if now is not None:
            env["SATCHEL_NOW"] = str(now)
        result = subprocess.run([CLI, "--profile", self.profile, *args], input=stdin, env=env,
                                capture_output=True, text=True, timeout=300)
        if check:
            self.assertEqual(result.returncode, 0,
                             f"satchel-cli {' '.join(args)}: {result.stdout}\n{result.stderr}")
        return result

    def add_account(self, *extra, port=None, security=None):
        options = ["--port", str(port or os.environ["SATCHEL_TEST_POP3S_PORT"])]
        if security == "none":
            options += ["--security", "none", "--allow-insecure"]
        self.cli("account", "add", "--email", self.email, "--kind", "pop3", "--host", "localhost",
                 *options, "--user", self.user, "--ca-file", os.environ["SATCHEL_TEST_CA"], *extra,
                 "--password-stdin", stdin=self.password + "\n")

    def sync(self, check=True, now=NOW):
        return self.cli("sync", self.email, check=check, now=now)

    def local(self, folder="INBOX"):
        dump = json.loads(self.cli("dump", self.email, "--json").stdout)
        self.assertEqual(dump["kind"], "pop3")
        for f in dump["folders"]:
            if f["name"] == folder:
                return f["messages"]
        self.fail(f"no local folder {folder}")

    def local_by_uidl(self, folder="INBOX"):
        messages = self.local(folder)
        for message in messages:
            self.assertNotIn("uid", message)
        result = {m["uidl"]: m["sha256"] for m in messages}
        self.assertEqual(len(result), len(messages), "a message was stored twice")
        return result

    def list_ids(self, folder="INBOX"):
        return json.loads(self.cli("list", self.email, folder, "--json").stdout)

    def fill(self, count, **options):
        mailctl.fill(self.user, "INBOX", count, **options)


class Download(Pop3TestCase):
    def test_download_equals_server_and_nothing_twice(self):
        self.fill(30, attachment_every=7)
        self.add_account()
        # The local folders are there before the first download.
        self.assertEqual(len(json.loads(self.cli("folders", self.email, "--json").stdout)), 4)
        self.sync()
        on_server = server_messages(self.user, self.password)
        self.assertEqual(len(on_server), 30)
        self.assertEqual(self.local_by_uidl(), on_server)
        # Leave a copy (the default): everything is still there.
        self.assertEqual(server_messages(self.user, self.password), on_server)

        folders = self.cli("folders", self.email, "--json").stdout
        names = {f["name"]: f["role"] for f in json.loads(folders)}
        self.assertEqual(names, {"INBOX": "inbox", "Sent": "sent", "Drafts": "drafts",
                                 "Trash": "trash"})

        # Again: nothing new. Then one new message: only it comes.
        before = self.local()
        self.sync()
        self.assertEqual(self.local(), before)
        mailctl.append(self.user, self.password, "INBOX", mailctl.make_message(1000))
        self.sync()
        on_server = server_messages(self.user, self.password)
        self.assertEqual(len(on_server), 31)
        self.assertEqual(self.local_by_uidl(), on_server)
        # Download order: the new message last.
        self.assertEqual(self.local()[-1]["message_id"], "<gen.0.1000@satchel.test>")

        # Search and show work on what was downloaded.
        rows = self.list_ids()
        shown = self.cli("show", str(rows[0]["id"]), "--raw").stdout
        self.assertIn("Message-ID:", shown)

    def test_leave_on_server_off_deletes_after_download(self):
        self.fill(12)
        on_server = server_messages(self.user, self.password)
        self.add_account("--leave-on-server", "no")
        self.sync()
        self.assertEqual(self.local_by_uidl(), on_server)
        self.assertEqual(server_messages(self.user, self.password), {})
        self.sync()
        self.assertEqual(self.local_by_uidl(), on_server)

    def test_delete_after_days(self):
        self.fill(5)
        self.add_account("--delete-after-days", "14")
        self.sync(now=NOW)
        later = {}
        mailctl.append(self.user, self.password, "INBOX", mailctl.make_message(99))
        self.sync(now=NOW + 10 * DAY)
        later = server_messages(self.user, self.password)
        self.assertEqual(len(later), 6)
        # 14 days after the first download: those five go, the one
        # downloaded on day 10 stays.
        self.sync(now=NOW + 14 * DAY)
        left = server_messages(self.user, self.password)
        self.assertEqual(len(left), 1)
        self.assertEqual(len(self.local()), 6)
        self.sync(now=NOW + 24 * DAY)
        self.assertEqual(server_messages(self.user, self.password), {})
        self.assertEqual(self.local_by_uidl(), later)

    def test_delete_when_deleted_here(self):
        self.fill(6)
        self.add_account("--delete-when-deleted", "yes")
        self.sync()
        on_server = server_messages(self.user, self.password)
        rows = self.list_ids()
        first, second = rows[0]["id"], rows[1]["id"]
        uidl_by_message_id = {m["message_id"]: m["uidl"] for m in self.local()}
        uidl_of = {row["id"]: uidl_by_message_id[row["message_id"]] for row in rows}

        # Deleting moves it to the Trash: that is deleting it here.
        self.cli("delete", str(first))
        self.assertEqual(len(self.local("Trash")), 1)
        # Moving another to a folder of the user's own is not.
        self.cli("mkdir", self.email, "Kept")
        self.cli("move", str(second), "Kept")
        self.sync()
        left = server_messages(self.user, self.password)
        self.assertEqual(len(left), 5)
        self.assertNotIn(uidl_of[first], left)
        self.assertIn(uidl_of[second], left)

        # Deleted for good (from the Trash) and a folder deleted: both go.
        self.cli("delete", str(first))
        self.assertEqual(self.local("Trash"), [])
        self.cli("rmdir", self.email, "Kept")
        self.sync()
        left = server_messages(self.user, self.password)
        self.assertEqual(set(left), set(on_server) - {uidl_of[first], uidl_of[second]})

    def test_deleting_here_leaves_server_alone_by_default(self):
        self.fill(3)
        self.add_account()
        self.sync()
        rows = self.list_ids()
        self.cli("delete", str(rows[0]["id"]))
        self.cli("delete", str(rows[0]["id"]))
        self.sync()
        self.assertEqual(len(server_messages(self.user, self.password)), 3)
        # And it is not downloaded again.
        self.assertEqual(len(self.local()), 2)

    def test_local_folders_stay_local(self):
        self.fill(4)
        self.add_account()
        self.sync()
        rows = self.list_ids()
        self.cli("mkdir", self.email, "Projects")
        self.cli("rename", self.email, "Projects", "Work")
        self.cli("move", str(rows[0]["id"]), "Work")
        self.cli("flag", str(rows[1]["id"]), "+seen", "+flagged")
        self.assertEqual(len(self.local("Work")), 1)
        flags = {m["message_id"]: m["flags"] for m in self.local()}
        self.assertIn(["\\Flagged", "\\Seen"], list(flags.values()))
        self.sync()
        # The server knows nothing of it: no folders, every message there
        # and unchanged.
        names = [f["name"] for f in mailctl.folders(self.user, self.password)]
        self.assertNotIn("Work", names)
        self.assertNotIn("Projects", names)
        self.assertEqual(len(server_messages(self.user, self.password)), 4)
        for message in mailctl.messages(self.user, self.password, "INBOX"):
            self.assertNotIn("\\Flagged", message["flags"])
        self.cli("rmdir", self.email, "Work")
        self.assertEqual(len(self.local()), 3)

    def test_watch_polls_and_prints_new_mail(self):
        self.fill(2)
        self.add_account()
        env = dict(os.environ, SATCHEL_CHECK_SECONDS="1")
        watch = subprocess.Popen([CLI, "--profile", self.profile, "watch", self.email],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=env)
        self.addCleanup(watch.wait)
        self.addCleanup(watch.kill)
        self.assertIn("Watching INBOX", watch.stderr.readline())
        mailctl.append(self.user, self.password, "INBOX", mailctl.make_message(7))
        ready, _, _ = select.select([watch.stdout], [], [], 20)
        self.assertTrue(ready, "no new message was printed")
        fields = watch.stdout.readline().rstrip("\n").split("\t")
        self.assertEqual(fields[1], "INBOX")
        self.assertIn("#7", fields[3])
        # The messages there before the watch began were not printed.
        self.assertEqual(len(self.local()), 3)

    def test_connection_cut_in_the_middle(self):
        """Cut after 4 of 9 RETR, with delete-after-download: the next run
        ends with all 9 here, none twice, and the server lost none that was
        not stored."""
        self.fill(9)
        on_server = server_messages(self.user, self.password)
        proxy = CuttingProxy(cut_at_retr=5)
        self.add_account("--leave-on-server", "no", port=proxy.port, security="none")
        result = self.sync(check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        stored = self.local_by_uidl()
        self.assertLessEqual(len(stored), 4)
        # Nothing was deleted: the session never ended with QUIT.
        self.assertEqual(server_messages(self.user, self.password), on_server)

        self.cli("account", "set", self.email, "port", os.environ["SATCHEL_TEST_POP3_PORT"])
        self.sync()
        self.assertEqual(self.local_by_uidl(), on_server)
        self.assertEqual(server_messages(self.user, self.password), {})


class Scripted(Pop3TestCase):
    """Replies a real server will not send."""

    def scripted_account(self, server, *extra):
        self.cli("account", "add", "--email", self.email, "--kind", "pop3", "--host", "localhost",
                 "--port", str(server.port), "--security", "tls", "--user", self.user,
                 "--ca-file", os.environ["SATCHEL_TEST_CA"], *extra, "--password-stdin",
                 stdin=self.password + "\n")

    def session(self, *steps):
        return ScriptedServer([
            ("starttls",),
            ("send", b"+OK ready\r\n"),
            ("expect", rb"^CAPA"),
            ("send", b"+OK\r\nUSER\r\nUIDL\r\n.\r\n"),
            ("expect", rb"^USER"),
            ("send", b"+OK\r\n"),
            ("expect", rb"^PASS"),
            ("send", b"+OK logged in\r\n"),
            *steps,
        ])

    def test_dot_stuffing_and_line_ends(self):
        message = (b"Subject: dots\r\nMessage-ID: <dots@test>\r\n\r\n"
                   b"..starts with a dot\r\n"
                   b"a lone . inside a line\r\n"
                   b"bare line feed\n"
                   b"...\r\n"
                   b"end\r\n")
        expected = (b"Subject: dots\r\nMessage-ID: <dots@test>\r\n\r\n"
                    b".starts with a dot\r\n"
                    b"a lone . inside a line\r\n"
                    b"bare line feed\r\n"
                    b"..\r\n"
                    b"end\r\n")
        server = self.session(
            ("expect", rb"^UIDL"), ("send", b"+OK\r\n1 dots-1\r\n.\r\n"),
            ("expect", rb"^LIST"), ("send", b"+OK\r\n1 %d\r\n.\r\n" % len(message)),
            ("expect", rb"^RETR 1"), ("send", b"+OK\r\n" + message + b".\r\n"),
            ("expect", rb"^QUIT"), ("send", b"+OK bye\r\n"))
        self.scripted_account(server)
        self.sync()
        server.wait()
        rows = self.list_ids()
        self.assertEqual(len(rows), 1)
        raw = subprocess.run([CLI, "--profile", self.profile, "show", str(rows[0]["id"]), "--raw"],
                             capture_output=True, check=True).stdout
        self.assertEqual(raw, expected)

    def test_missing_final_dot_stores_nothing(self):
        server = self.session(
            ("expect", rb"^UIDL"), ("send", b"+OK\r\n1 cut-1\r\n.\r\n"),
            ("expect", rb"^LIST"), ("send", b"+OK\r\n1 100\r\n.\r\n"),
            ("expect", rb"^RETR 1"), ("send", b"+OK\r\nSubject: cut\r\n\r\nhalf a mess"),
            ("close",))
        self.scripted_account(server)
        result = self.sync(check=False)
        server.wait()
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(self.local(), [])

    def test_without_uidl(self):
        # Leaving mail on a server without UIDL is refused in words...
        server = self.session(
            ("expect", rb"^UIDL"), ("send", b"-ERR what is that\r\n"),
            ("expect", rb"^LIST"), ("send", b"+OK\r\n1 20\r\n.\r\n"))
        self.scripted_account(server)
        result = self.sync(check=False)
        server.wait()
        self.assertEqual(result.returncode, 1)
        self.assertIn("Leave a copy on the server", result.stderr)
        self.assertEqual(self.local(), [])

        # ...without leaving a copy, the mail comes and goes from the server.
        message = b"Subject: one\r\n\r\nbody\r\n"
        server = self.session(
            ("expect", rb"^UIDL"), ("send", b"-ERR what is that\r\n"),
            ("expect", rb"^LIST"), ("send", b"+OK\r\n1 %d\r\n.\r\n" % len(message)),
            ("expect", rb"^RETR 1"), ("send", b"+OK\r\n" + message + b".\r\n"),
            ("expect", rb"^DELE 1"), ("send", b"+OK\r\n"),
            ("expect", rb"^QUIT"), ("send", b"+OK\r\n"))
        self.cli("account", "set", self.email, "leave-on-server", "no")
        self.cli("account", "set", self.email, "port", str(server.port))
        self.sync()
        server.wait()
        self.assertEqual(len(self.local()), 1)

    def test_duplicated_uidl_downloads_nothing(self):
        server = self.session(
            ("expect", rb"^UIDL"), ("send", b"+OK\r\n1 same\r\n2 same\r\n.\r\n"),
            ("expect", rb"^LIST"), ("send", b"+OK\r\n1 20\r\n2 20\r\n.\r\n"))
        self.scripted_account(server)
        result = self.sync(check=False)
        server.wait()
        self.assertEqual(result.returncode, 1)
        self.assertIn("same UIDL", result.stderr)
        self.assertEqual(self.local(), [])

    def test_apop_only_when_chosen(self):
        timestamp = b"<1896.697170952@dbc.mtview.ca.us>"
        digest = hashlib.md5(timestamp + self.password.encode()).hexdigest().encode()
        server = ScriptedServer([
            ("starttls",),
            ("send", b"+OK POP3 server ready " + timestamp + b"\r\n"),
            ("expect", rb"^CAPA"),
            ("send", b"+OK\r\nUSER\r\nUIDL\r\n.\r\n"),
            ("expect", rb"^APOP " + self.user.encode() + rb" ([0-9a-f]{32})$"),
            ("send", b"+OK maildrop has 0 messages\r\n"),
            ("expect", rb"^UIDL"), ("send", b"+OK\r\n.\r\n"),
            ("expect", rb"^LIST"), ("send", b"+OK\r\n.\r\n"),
            ("expect", rb"^QUIT"), ("send", b"+OK\r\n"),
        ])
        self.scripted_account(server, "--apop", "yes")
        shown = json.loads(self.cli("account", "show", self.email, "--json").stdout)
        self.assertTrue(shown["apop"])
        self.sync()
        received = server.wait()
        apop = [line for line in received if line.startswith(b"APOP ")]
        self.assertEqual(apop, [b"APOP " + self.user.encode() + b" " + digest])
        self.assertFalse(any(self.password.encode() in line for line in received))

        # Chosen, but the greeting has no timestamp: no login at all.
        server = ScriptedServer([
            ("starttls",),
            ("send", b"+OK POP3 server ready\r\n"),
            ("expect", rb"^CAPA"),
            ("send", b"+OK\r\nUSER\r\nUIDL\r\n.\r\n"),
        ])
        self.cli("account", "set", self.email, "port", str(server.port))
        result = self.sync(check=False)
        received = server.wait()
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn("does not offer APOP", result.stderr)
        self.assertFalse(any(line.startswith((b"USER", b"PASS", b"APOP", b"AUTH"))
                             for line in received))

    def login_refused(self, reply):
        server = ScriptedServer([
            ("starttls",),
            ("send", b"+OK ready\r\n"),
            ("expect", rb"^CAPA"),
            ("send", b"+OK\r\nUSER\r\nUIDL\r\n.\r\n"),
            ("expect", rb"^USER"),
            ("send", b"+OK\r\n"),
            ("expect", rb"^PASS"),
            ("send", reply),
        ])
        self.cli("account", "remove", self.email, check=False)
        self.scripted_account(server)
        result = self.sync(check=False)
        server.wait()
        return result

    def test_extended_response_codes_in_words(self):
        result = self.login_refused(b"-ERR [SYS/TEMP] disk is full\r\n")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("temporary problem", result.stderr)
        self.assertIn("disk is full", result.stderr)
        result = self.login_refused(b"-ERR [LOGIN-DELAY] wait 5 minutes\r\n")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("only every so often", result.stderr)
        result = self.login_refused(b"-ERR [SYS/PERM] mailbox damaged\r\n")
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("cannot open the mailbox", result.stderr)
        result = self.login_refused(b"-ERR [AUTH] invalid credentials\r\n")
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertIn("refused the password", result.stderr)
        self.assertEqual(self.local(), [])

    def test_stls_required_but_refused(self):
        server = ScriptedServer([
            ("send", b"+OK ready\r\n"),
            ("expect", rb"^CAPA"),
            ("send", b"+OK\r\nUSER\r\nSTLS\r\nUIDL\r\n.\r\n"),
            ("expect", rb"^STLS"),
            ("send", b"-ERR not now\r\n"),
        ])
        self.cli("account", "add", "--email", self.email, "--kind", "pop3", "--host", "localhost",
                 "--port", str(server.port), "--security", "starttls", "--user", self.user,
                 "--password-stdin", stdin=self.password + "\n")
        result = self.sync(check=False)
        received = server.wait()
        self.assertEqual(result.returncode, 5, result.stderr)
        self.assertFalse(any(line.startswith((b"USER", b"PASS", b"AUTH", b"APOP", b"UIDL"))
                             for line in received))
        self.assertEqual(self.local(), [])

    def test_mailbox_in_use(self):
        result = self.login_refused(b"-ERR [IN-USE] locked by another session\r\n")
        self.assertEqual(result.returncode, 1)
        self.assertIn("in use by another program", result.stderr)

    def test_quit_without_ok_deletes_nothing_and_next_run_finishes(self):
        message = b"Subject: q\r\nMessage-ID: <q@test>\r\n\r\nbody\r\n"
        server = self.session(
            ("expect", rb"^UIDL"), ("send", b"+OK\r\n1 q-1\r\n.\r\n"),
            ("expect", rb"^LIST"), ("send", b"+OK\r\n1 %d\r\n.\r\n" % len(message)),
            ("expect", rb"^RETR 1"), ("send", b"+OK\r\n" + message + b".\r\n"),
            ("expect", rb"^DELE 1"), ("send", b"+OK\r\n"),
            ("expect", rb"^QUIT"), ("close",))
        self.scripted_account(server, "--leave-on-server", "no")
        result = self.sync(check=False)
        server.wait()
        self.assertEqual(result.returncode, 1)
        self.assertIn("No message was deleted on the server", result.stderr)
        self.assertEqual(len(self.local()), 1)

        # The server still has it: not downloaded again, deleted again.
        server = self.session(
            ("expect", rb"^UIDL"), ("send", b"+OK\r\n1 q-1\r\n.\r\n"),
            ("expect", rb"^LIST"), ("send", b"+OK\r\n1 %d\r\n.\r\n" % len(message)),
            ("expect", rb"^DELE 1"), ("send", b"+OK\r\n"),
            ("expect", rb"^QUIT"), ("send", b"+OK\r\n"))
        self.cli("account", "set", self.email, "port", str(server.port))
        self.sync()
        server.wait()
        self.assertEqual(len(self.local()), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
