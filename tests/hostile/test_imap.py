#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""satchel-cli against hostile IMAP servers (tests/servers/scripted.py):
STARTTLS stripped, refused or lied about; data injected before TLS;
numbers and sizes no server should send; structures nested or wide
beyond reason; connections cut or left silent. Whatever the server does,
satchel-cli ends with an exit code of the contract, in bounded memory,
says what went wrong, keeps its store intact, stores nothing the hostile
session made up, deletes nothing and sends no password in clear."""

import hashlib
import os
import re
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import CLI, SANITIZED, TIMEOUT_SECONDS, HostileTestCase, chunks  # noqa: E402

CAPS = b"IMAP4rev1 AUTH=PLAIN SASL-IR"
MESSAGE = (b"From: Ada <ada@example.org>\r\nSubject: real\r\nMessage-ID: <real@example.org>\r\n"
           b"\r\nThe one real message.\r\n")


def literal(data):
    return b"{%d}\r\n%s" % (len(data), data)


def repeated(line, count, per_chunk=65536):
    """@count copies of @line, streamed in chunks."""
    n = max(1, per_chunk // len(line))
    block = line * n
    left = count
    while left > 0:
        take = min(n, left)
        yield block if take == n else line * take
        left -= take


class FakeImap:
    """A small, well-behaved IMAP server as a "serve" handler: the folders
    and messages given, the answers a sync needs. A test makes it hostile
    by replacing the answer to one command: @overrides maps a command name
    (CAPABILITY, AUTHENTICATE, LIST, SELECT, SEARCH, FETCH for headers,
    BODY for bodies, STARTTLS...) to a function (tag, line) that returns
    bytes, a list of steps, or None to end the session."""

    def __init__(self, folders=(b"INBOX",), messages=None, uidvalidity=7, exists=None,
                 overrides=None, caps=CAPS):
        self.caps = caps
        self.folders = folders
        self.messages = {1: MESSAGE} if messages is None else messages
        self.uidvalidity = uidvalidity
        self.exists = exists
        self.overrides = overrides or {}
        self.commands = []

    def uids(self, text):
        wanted = set()
        for part in text.split(b","):
            first, _, last = part.partition(b":")
            first = int(first) if first != b"*" else max(self.messages, default=0)
            last = first if not last else (int(last) if last != b"*" else
                                           max(self.messages, default=0))
            wanted.update(range(min(first, last), max(first, last) + 1))
        return sorted(u for u in wanted if u in self.messages)

    def headers(self, uid, body=False):
        """The FETCH response for the header items, with the body when
        the FETCH asks for both (a sync with bodies does, for small
        messages)."""
        raw = self.messages[uid]
        subject = re.search(rb"(?m)^Subject: (.*)\r$", raw)
        subject = subject.group(1) if subject else b""
        message_id = re.search(rb"(?m)^Message-ID: (.*)\r$", raw)
        message_id = b'"%s"' % message_id.group(1) if message_id else b"NIL"
        seq = sorted(self.messages).index(uid) + 1
        return (b'* %d FETCH (UID %d FLAGS () INTERNALDATE "14-Nov-2023 22:23:20 +0000" '
                b'RFC822.SIZE %d ENVELOPE ("Tue, 14 Nov 2023 22:23:20 +0000" "%s" '
                b'(("Ada" NIL "ada" "example.org")) NIL NIL NIL NIL NIL NIL %s) '
                b'BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" %d 1 '
                b'NIL NIL NIL NIL)%s)\r\n'
                % (seq, uid, len(raw), subject, message_id, len(raw),
                   b" BODY[] " + literal(raw) if body else b""))

    def default(self, name, tag, line):
        if name == b"CAPABILITY":
            return b"* CAPABILITY " + self.caps + b"\r\n" + tag + b" OK done\r\n"
        if name in (b"AUTHENTICATE", b"LOGIN"):
            caps = self.caps.replace(b" AUTH=PLAIN", b"").replace(b" SASL-IR", b"")
            return tag + b" OK [CAPABILITY " + caps + b"] logged in\r\n"
        if name == b"LIST":
            return (b"".join(b'* LIST () "/" %s\r\n' % f for f in self.folders) +
                    tag + b" OK listed\r\n")
        if name in (b"SELECT", b"EXAMINE"):
            exists = self.exists if self.exists is not None else len(self.messages)
            return (b"* %d EXISTS\r\n* OK [UIDVALIDITY %d] ok\r\n* OK [UIDNEXT %d] ok\r\n"
                    % (exists, self.uidvalidity, max(self.messages, default=0) + 1) +
                    tag + b" OK [READ-WRITE] selected\r\n")
        if name == b"SEARCH":
            if b"LARGER" in line:
                return b"* SEARCH\r\n" + tag + b" OK searched\r\n"
            return (b"* SEARCH" + b"".join(b" %d" % u for u in sorted(self.messages)) + b"\r\n" +
                    tag + b" OK searched\r\n")
        if name == b"FETCH":
            wanted = self.uids(line.split(b" ")[3])
            return b"".join(self.headers(u) for u in wanted) + tag + b" OK fetched\r\n"
        if name == b"BODY":
            wanted = self.uids(line.split(b" ")[3])
            if b"ENVELOPE" in line:
                return b"".join(self.headers(u, body=True) for u in wanted) + tag + b" OK\r\n"
            return (b"".join(b"* %d FETCH (UID %d BODY[] %s)\r\n"
                             % (sorted(self.messages).index(u) + 1, u,
                                literal(self.messages[u])) for u in wanted) +
                    tag + b" OK fetched\r\n")
        if name == b"LOGOUT":
            return [("send", b"* BYE bye\r\n" + tag + b" OK bye\r\n"), ("close",)]
        return tag + b" OK done\r\n"

    def __call__(self, line):
        match = re.match(rb"^(\S+) (?:UID )?(\S+)", line)
        if match is None:
            return b"* BAD what?\r\n"
        tag, name = match.group(1), match.group(2).upper()
        if name == b"FETCH" and b"BODY.PEEK[]" in line:
            name = b"BODY"
        self.commands.append(name)
        if name in self.overrides:
            return self.overrides[name](tag, line)
        return self.default(name, tag, line)


class ImapCase(HostileTestCase):
    def imaps(self, fake=None, caps=CAPS, then=(), **options):
        """An account on an implicit-TLS scripted server playing @fake,
        then the steps @then."""
        fake = fake or FakeImap()
        server = self.serve([("starttls",),
                             ("send", b"* OK [CAPABILITY " + caps + b"] hostile ready\r\n"),
                             ("serve", fake), *then], **options)
        self.add_account("imap", server.port, "tls")
        return server

    def starttls_account(self, script):
        server = self.serve(script)
        self.add_account("imap", server.port, "starttls")
        return server

    def sync(self, *extra):
        return self.cli("sync", self.email, *extra, check=False)

    def assert_no_body_stored(self):
        """The message whose body the server mangled is not stored, or
        stored without a body (its headers came whole)."""
        self.assertEqual([m["sha256"] for m in self.stored_messages()
                          if m["sha256"] is not None], [])

    def assert_safe(self, server, result, codes, *words, nothing_stored=True):
        """The checks of every case: see hostile.py."""
        received = server.wait()
        self.assert_survived(result, codes, *words)
        self.assert_store_intact()
        self.assert_no_secret_before_tls(server.before_tls())
        for line in received:
            self.assertNotRegex(line, rb"(?i)^\S+ (UID )?(EXPUNGE|STORE .*\\Deleted|DELETE|MOVE)\b",
                                "deleted on the server without being asked to")
        if nothing_stored:
            self.assert_nothing_stored()


class StarttlsStripping(ImapCase):
    """An account that wants STARTTLS never logs in or syncs in clear."""

    def expect_insecure(self, script, *words):
        server = self.starttls_account(script)
        result = self.sync()
        self.assert_safe(server, result, {5}, *words)
        return server

    def test_not_advertised_in_greeting(self):
        self.expect_insecure([("send", b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n")],
                             "does not offer STARTTLS")

    def test_not_advertised_by_capability(self):
        self.expect_insecure([("send", b"* OK hi\r\n"),
                              ("expect", rb"^(\S+) CAPABILITY$"),
                              ("send", b"* CAPABILITY IMAP4rev1 AUTH=PLAIN LOGIN\r\n{1} OK\r\n")],
                             "does not offer STARTTLS")

    def test_refused_with_no(self):
        self.expect_insecure([("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
                              ("expect", rb"^(\S+) STARTTLS$"),
                              ("send", b"{1} NO [UNAVAILABLE] not today\r\n")],
                             "refused to encrypt")

    def test_refused_with_bad(self):
        self.expect_insecure([("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
                              ("expect", rb"^(\S+) STARTTLS$"),
                              ("send", b"{1} BAD unknown command\r\n")],
                             "refused to encrypt")

    def test_answered_with_odd_text(self):
        for answer in (b"{1} maybe later\r\n", b"+ go ahead\r\n", b"* OK begin TLS now\r\n",
                       b"{1} OK\x00\xff\r\n", b"* BYE\r\n"):
            with self.subTest(answer=answer):
                self.setUp()
                self.expect_insecure([("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
                                      ("expect", rb"^(\S+) STARTTLS$"),
                                      ("send", answer), ("sleep", 0.2), ("close",)])

    def test_ok_but_no_tls_follows(self):
        # The server says OK and then goes on in clear.
        self.expect_insecure([("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
                              ("expect", rb"^(\S+) STARTTLS$"),
                              ("send", b"{1} OK go\r\n"),
                              ("sleep", 0.3),
                              ("send", b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] in clear\r\n")])

    def test_preauth_greeting(self):
        server = self.expect_insecure([("send", b"* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n")],
                                      "PREAUTH")
        self.assertEqual(server.received, [])

    def test_capabilities_before_tls_do_not_count_after(self):
        # Before TLS the server offers SASL-IR and AUTH=PLAIN; after TLS,
        # only LOGIN. The client asks again after TLS and believes that.
        fake = FakeImap()
        server = self.starttls_account([
            ("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN SASL-IR] hi\r\n"),
            ("expect", rb"^(\S+) STARTTLS$"),
            ("send", b"{1} OK begin\r\n"),
            ("starttls",),
            ("expect", rb"^(\S+) CAPABILITY$"),
            ("send", b"* CAPABILITY IMAP4rev1\r\n{1} OK\r\n"),
            ("expect", rb"^(\S+) LOGIN "),
            ("send", b"{1} OK logged in\r\n"),
            ("serve", fake)])
        result = self.sync()
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertFalse(any(line.split(b" ")[1:2] == [b"AUTHENTICATE"]
                             for line in server.received))

    def test_capabilities_after_tls_lose_every_login(self):
        server = self.starttls_account([
            ("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi\r\n"),
            ("expect", rb"^(\S+) STARTTLS$"),
            ("send", b"{1} OK begin\r\n"),
            ("starttls",),
            ("expect", rb"^(\S+) CAPABILITY$"),
            ("send", b"* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n{1} OK\r\n")])
        result = self.sync()
        self.assert_safe(server, result, {4}, "no way to log in")

    def test_starttls_after_tls_again(self):
        # After TLS the server still offers STARTTLS: the client does not
        # try it a second time, and logs in.
        fake = FakeImap()
        server = self.starttls_account([
            ("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
            ("expect", rb"^(\S+) STARTTLS$"),
            ("send", b"{1} OK begin\r\n"),
            ("starttls",),
            ("expect", rb"^(\S+) CAPABILITY$"),
            ("send", b"* CAPABILITY " + CAPS + b" STARTTLS\r\n{1} OK\r\n"),
            ("serve", fake)])
        result = self.sync()
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertEqual(sum(1 for line in server.received if line.endswith(b" STARTTLS")), 1)


class Injection(ImapCase):
    """What a man in the middle adds in clear never reaches the store."""

    def test_data_with_the_starttls_reply(self):
        for extra in (b"* 5 EXISTS\r\n", b"* OK [ALERT] injected\r\n",
                      b"s9 OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n",
                      b'* LIST () "/" Injected\r\n', b"x"):
            with self.subTest(extra=extra):
                self.setUp()
                server = self.starttls_account([
                    ("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
                    ("expect", rb"^(\S+) STARTTLS$"),
                    ("send", b"{1} OK begin TLS\r\n" + extra)])
                result = self.sync()
                self.assert_safe(server, result, {5}, "before the encrypted connection")

    def test_data_with_the_starttls_reply_byte_by_byte(self):
        server = self.starttls_account([
            ("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
            ("expect", rb"^(\S+) STARTTLS$"),
            ("send_bytewise", b"{1} OK begin TLS\r\n* 1 EXPUNGE\r\n", 0.01)])
        result = self.sync()
        self.assert_safe(server, result, {5})

    def test_untagged_responses_before_tls_are_forgotten(self):
        # Before STARTTLS, a folder, a message, an expunge and an alert;
        # after it a real session with one message. Only that message
        # and its folder are stored; the alert is not shown as trusted.
        injected = (b"* 3 EXISTS\r\n* 1 EXPUNGE\r\n"
                    b"* 1 FETCH (UID 666 FLAGS (\\Deleted) RFC822.SIZE 5)\r\n"
                    b'* LIST () "/" Injected\r\n* OK [ALERT] Your account is closed: '
                    b"call 555-0100\r\n* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LOGIN\r\n")
        fake = FakeImap()
        server = self.starttls_account([
            ("send", b"* OK hi\r\n" + injected),
            ("expect", rb"^(\S+) CAPABILITY$"),
            ("send", injected + b"* CAPABILITY IMAP4rev1 STARTTLS\r\n{1} OK\r\n"),
            ("expect", rb"^(\S+) STARTTLS$"),
            ("send", injected + b"{1} OK begin\r\n"),
            ("starttls",),
            ("expect", rb"^(\S+) CAPABILITY$"),
            ("send", b"* CAPABILITY " + CAPS + b"\r\n{1} OK\r\n"),
            ("serve", fake)])
        result = self.sync()
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertNotIn("555-0100", result.stdout + result.stderr)
        dump = self.dump()
        self.assertEqual([f["name"] for f in dump["folders"]], ["INBOX"])
        self.assertEqual([m["uid"] for m in dump["folders"][0]["messages"]], [1])
        self.assertEqual(dump["folders"][0]["messages"][0]["flags"], [])


class HostileNumbers(ImapCase):
    """Lengths, counts and numbers that no real server sends."""

    def body_answer(self, answer):
        return FakeImap(overrides={b"BODY": lambda tag, line: answer(tag)})

    def test_literal_lengths_beyond_reason(self):
        for size, words in ((b"4294967297", "more than Satchel accepts"),
                            (b"18446744073709551615", "more than Satchel accepts"),
                            (b"18446744073709551616", "malformed"),
                            (b"99999999999999999999999999", "malformed"),
                            (b"-5", "malformed"),
                            (b"0x10", "malformed")):
            with self.subTest(size=size):
                self.setUp()
                server = self.imaps(self.body_answer(
                    lambda tag: b"* 1 FETCH (UID 1 BODY[] {" + size + b"}\r\nabc)\r\n" +
                    tag + b" OK\r\n"))
                result = self.sync("--bodies")
                self.assert_safe(server, result, {1}, words, nothing_stored=False)
                self.assert_no_body_stored()

    def test_literal_longer_than_the_connection(self):
        server = self.imaps(self.body_answer(
            lambda tag: [("send", b"* 1 FETCH (UID 1 BODY[] {200000000}\r\n" + b"y" * 4096),
                         ("close",)]))
        result = self.sync("--bodies")
        self.assert_safe(server, result, {1}, "closed the connection", nothing_stored=False)
        self.assert_no_body_stored()

    def test_large_literal_arrives_whole(self):
        # The control for the cases above: a literal of 30 MB that does
        # come is read whole, though its memory grows as it arrives.
        big = MESSAGE + b"".join(b"%07d %s\r\n" % (i, b"z" * 90) for i in range(300_000))
        server = self.imaps(FakeImap(messages={1: big}))
        result = self.sync("--bodies")
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertEqual([m["sha256"] for m in self.stored_messages()],
                         [hashlib.sha256(big).hexdigest()])

    def test_line_of_300_mb(self):
        # The client must stop reading long before the end of the line.
        total = 300 * 1024 * 1024
        server = self.imaps(FakeImap(overrides={b"LIST": lambda tag, line: [
            ("send", b'* LIST () "/" '), ("send_stream", chunks(total))]}))
        result = self.sync()
        self.assert_safe(server, result, {1}, "longer than")
        self.assertLess(server.stream_sent, total)

    def test_millions_of_untagged_responses(self):
        # Under the sanitizers, which check each access and not the memory
        # bound, far fewer: the same code runs, in a fraction of the time.
        count = 50_000 if SANITIZED else 2_000_000
        for command, line in ((b"SELECT", b"* 1 EXISTS\r\n"),
                              (b"SELECT", b"* OK [UNSEEN 1] x\r\n"),
                              (b"LIST", b'* LIST () "/" INBOX\r\n'),
                              (b"FETCH", b"* 1 FETCH (FLAGS (\\Seen))\r\n"),
                              (b"SEARCH", b"* 1 EXPUNGE\r\n"),
                              (b"SEARCH", b"* 7 RECENT\r\n")):
            with self.subTest(command=command, line=line):
                self.setUp()
                fake = FakeImap()

                def flood(tag, request, fake=fake, command=command, line=line):
                    return [("send_stream", repeated(line, count)),
                            ("send", fake.default(command, tag, request))]

                fake.overrides[command] = flood
                server = self.imaps(fake)
                result = self.sync()
                self.assert_safe(server, result, {0, 1}, nothing_stored=False)
                self.assertLessEqual([m["uid"] for m in self.stored_messages()], [1])

    def test_sequence_numbers_out_of_range(self):
        for bad in (b"* 0 FETCH (UID 1 FLAGS (\\Deleted))\r\n",
                    b"* 99999 FETCH (UID 1 FLAGS (\\Deleted))\r\n",
                    b"* 0 EXPUNGE\r\n", b"* 99999 EXPUNGE\r\n",
                    b"* 4294967296 EXPUNGE\r\n", b"* 4294967296 EXISTS\r\n",
                    b"* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n* 2 FETCH (UID 1 FLAGS (\\Seen))\r\n"):
            with self.subTest(bad=bad):
                self.setUp()
                fake = FakeImap(messages={1: MESSAGE, 2: MESSAGE.replace(b"<real", b"<two")})
                server = self.imaps(fake)
                self.assert_safe(server, self.sync(), {0}, nothing_stored=False)
                # A second sync hears the hostile numbers, with the
                # messages already stored: neither is lost nor changed.
                fake = FakeImap(messages=dict(fake.messages))
                fake.overrides[b"SEARCH"] = lambda tag, line, fake=fake, bad=bad: (
                    bad + fake.default(b"SEARCH", tag, line))
                fake.overrides[b"SELECT"] = lambda tag, line, fake=fake, bad=bad: (
                    bad + fake.default(b"SELECT", tag, line))
                server = self.serve([("starttls",), ("send", b"* OK [CAPABILITY " + CAPS +
                                                     b"] again\r\n"), ("serve", fake)])
                self.cli("account", "set", self.email, "port", str(server.port))
                result = self.sync()
                self.assert_safe(server, result, {0, 1}, nothing_stored=False)
                messages = self.stored_messages()
                self.assertEqual([m["uid"] for m in messages], [1, 2])
                self.assertTrue(all("\\Deleted" not in m["flags"] for m in messages))

    def test_search_lists_more_uids_than_exist(self):
        # Two messages exist, but the search names four billion UIDs.
        for answer in (b'* ESEARCH (TAG "{tag}") UID ALL 1:4294967295\r\n',
                       b"* SEARCH 1 2 4294967295 4294967296 0 -1\r\n"):
            with self.subTest(answer=answer):
                self.setUp()
                fake = FakeImap(messages={1: MESSAGE, 2: MESSAGE.replace(b"<real", b"<two")})
                fake.overrides[b"SEARCH"] = lambda tag, line, answer=answer: (
                    answer.replace(b"{tag}", tag) + tag + b" OK\r\n")
                server = self.imaps(fake, caps=CAPS + b" ESEARCH")
                result = self.sync()
                self.assert_safe(server, result, {0, 1}, nothing_stored=False)
                self.assertLessEqual(len(self.stored_messages()), 2)
                self.assertLess(fake.commands.count(b"FETCH"), 20)

    def test_uid_numbers_out_of_range(self):
        for uid in (b"0", b"4294967296", b"-1", b"18446744073709551617"):
            with self.subTest(uid=uid):
                self.setUp()
                fake = FakeImap()
                fake.overrides[b"FETCH"] = lambda tag, line, fake=fake, uid=uid: (
                    fake.headers(1).replace(b"UID 1 ", b"UID " + uid + b" ") + tag + b" OK\r\n")
                server = self.imaps(fake)
                result = self.sync()
                self.assert_safe(server, result, {1}, nothing_stored=False)
                self.assertEqual(self.stored_messages(), [])


class HostileStructure(ImapCase):
    """Structures nested or wide beyond reason, names no folder may have."""

    def test_bodystructure_nested_100000_deep(self):
        depth = 100_000
        nested = b"(" * depth + b'"TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1' + \
            b' "MIXED")' * (depth - 1) + b")"
        fake = FakeImap()
        response = re.sub(rb"BODYSTRUCTURE \(.*?NIL NIL NIL NIL\)",
                          lambda _: b"BODYSTRUCTURE " + nested, fake.headers(1))
        self.assertIn(nested, response)
        fake.overrides[b"FETCH"] = lambda tag, line: response + tag + b" OK\r\n"
        server = self.imaps(fake)
        result = self.sync()
        # Real servers send such structures (Dovecot does, for a message
        # whose MIME parts nest as deep): the message is listed, the
        # structure below the parser's depth limit left out.
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertEqual([m["uid"] for m in self.stored_messages()], [1])

    def test_bodystructure_of_a_million_parts(self):
        # A line may hold 8 MB: each part gets a literal, so that the
        # million parts come on a million lines of one response.
        parts = 1_000_000
        part = b'("TEXT" {5}\r\nPLAIN NIL NIL NIL "7BIT" 1 1)'

        def answer(tag, line):
            return [("send", b"* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 5 BODYSTRUCTURE ("),
                    ("send_stream", repeated(part, parts)),
                    ("send", b' "MIXED"))\r\n' + tag + b" OK\r\n")]

        server = self.imaps(FakeImap(overrides={b"FETCH": answer}))
        result = self.sync()
        self.assert_safe(server, result, {0, 1}, nothing_stored=False)

    def test_folder_tree_50000_deep(self):
        deep = b"/".join([b"d"] * 50_000)
        for answer in (b'* LIST () "/" ' + literal(deep) + b"\r\n",
                       b'* LIST () "/" "' + deep + b'"\r\n',
                       b'* LIST () "." ' + literal(deep.replace(b"/", b".")) + b"\r\n"):
            with self.subTest(answer=answer[:20]):
                self.setUp()
                fake = FakeImap()
                fake.overrides[b"LIST"] = lambda tag, line, answer=answer: (
                    b'* LIST () "/" INBOX\r\n' + answer + tag + b" OK\r\n")
                server = self.imaps(fake)
                result = self.sync()
                self.assert_safe(server, result, {0, 1}, nothing_stored=False)
                folders = self.cli("folders", self.email, check=False)
                self.assert_survived(folders, {0})

    def test_folder_tree_50000_deep_with_every_ancestor(self):
        # Every level of the tree is a folder: 50,000 LIST responses whose
        # names grow to 100 KB, 2.5 GB in all, streamed as they are made.
        levels = 50_000

        def tree():
            name = b"d"
            for _ in range(levels):
                yield b'* LIST () "/" "' + name + b'"\r\n'
                name += b"/d"

        def answer(tag, line):
            return [("send", b'* LIST () "/" INBOX\r\n'), ("send_stream", tree),
                    ("send", tag + b" OK\r\n")]

        server = self.imaps(FakeImap(overrides={b"LIST": answer}))
        result = self.sync()
        # Refused as more than one command may bring, long before its end.
        self.assert_safe(server, result, {1}, "more in answer to one command",
                         nothing_stored=False)
        self.assertLess(server.stream_sent, sum(2 * k + 16 for k in range(levels)))
        self.assertEqual([f["name"] for f in self.dump()["folders"]
                          if f["name"] not in self.baseline_folders and f["role"] != "inbox"],
                         [])
        folders = self.cli("folders", self.email, check=False)
        self.assert_survived(folders, {0})

    def test_folder_names_no_folder_may_have(self):
        names = [b"..", b"../../etc", b"a/../../b", b"/", b"/abs", literal(b"nul\x00byte"),
                 literal(b"cr\rname"), literal(b"lf\nname"), b"&ZZZ-", b"&AGE", b"&-&",
                 b'"&U,BTFw-&ZeVnLIqe-"', b"&Jjo!", b'"\\"quoted\\""', literal(b"\xff\xfe"),
                 literal(b"\x1b[31mred")]
        fake = FakeImap(folders=[b"INBOX"] + names)
        server = self.imaps(fake)
        result = self.sync()
        self.assert_safe(server, result, {0, 1}, nothing_stored=False)
        dump = self.dump()
        if os.environ.get("SATCHEL_HOSTILE_VERBOSE"):
            print([f["name"] for f in dump["folders"]], file=sys.stderr)
        for folder in dump["folders"]:
            for bad in ("\x00", "\r", "\n", "\x1b"):
                self.assertNotIn(bad, folder["name"], dump)
        folders = self.cli("folders", self.email, "--json")
        for bad in ("\x00", "\r", "\x1b"):
            self.assertNotIn(bad, folders.stdout)
        # Nothing was written outside the profile by a name with "..".
        self.assertEqual(sorted(os.listdir(os.path.dirname(self.profile))).count("etc"), 0)
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.profile), "b")))

    def test_uidvalidity_zero(self):
        server = self.imaps(FakeImap(uidvalidity=0))
        result = self.sync()
        self.assert_safe(server, result, {1}, "UIDVALIDITY", nothing_stored=False)
        self.assertEqual(self.stored_messages(), [])

    def test_tag_never_sent(self):
        for reply in (b"zz9 OK [READ-WRITE] done\r\n", b"s1 OK again\r\n",
                      b"* 1 FETCH (UID 1 FLAGS ())\r\nzz9 OK\r\n"):
            with self.subTest(reply=reply):
                self.setUp()
                fake = FakeImap()
                fake.overrides[b"SEARCH"] = lambda tag, line, reply=reply: reply
                server = self.imaps(fake)
                result = self.sync()
                self.assert_safe(server, result, {1}, "never sent", nothing_stored=False)
                self.assertEqual(self.stored_messages(), [])

    def test_continuation_never_asked_for(self):
        fake = FakeImap(overrides={b"SEARCH": lambda tag, line: b"+ send more\r\n"})
        server = self.imaps(fake)
        result = self.sync()
        self.assert_safe(server, result, {1}, "asked for data", nothing_stored=False)
        self.assertEqual(self.stored_messages(), [])


class DropsAndStalls(ImapCase):
    """A connection cut or left silent ends the run in words, in time."""

    def test_cut_inside_a_literal(self):
        for cut in ("close", "drop"):
            with self.subTest(cut=cut):
                self.setUp()
                server = self.imaps(FakeImap(overrides={b"BODY": lambda tag, line: [
                    ("send", b"* 1 FETCH (UID 1 BODY[] {%d}\r\n" % len(MESSAGE) + MESSAGE[:40]),
                    (cut,)]}))
                result = self.sync("--bodies")
                self.assert_safe(server, result, {1}, nothing_stored=False)
                self.assert_no_body_stored()

    def test_cut_byte_by_byte_inside_a_response(self):
        response = b"* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 5 ENVELOPE (NIL \"cut"
        server = self.imaps(FakeImap(overrides={b"FETCH": lambda tag, line: [
            ("send_bytewise", response), ("drop",)]}))
        result = self.sync()
        self.assert_safe(server, result, {1}, nothing_stored=False)
        self.assertEqual(self.stored_messages(), [])

    def test_server_stops_answering(self):
        for command in (b"AUTHENTICATE", b"LIST", b"SELECT", b"FETCH"):
            with self.subTest(command=command):
                self.setUp()
                server = self.imaps(FakeImap(overrides={command: lambda tag, line: [
                    ("stall", 60)]}))
                result = self.sync()
                self.assert_safe(server, result, {1}, "stopped answering", nothing_stored=False)
                self.assert_gave_up_in_time(server, result)
                self.assertEqual(self.stored_messages(), [])

    def test_server_stops_inside_a_literal(self):
        server = self.imaps(FakeImap(overrides={b"BODY": lambda tag, line: [
            ("send", b"* 1 FETCH (UID 1 BODY[] {%d}\r\n" % len(MESSAGE) + MESSAGE[:40]),
            ("stall", 60)]}))
        result = self.sync("--bodies")
        self.assert_safe(server, result, {1}, "stopped answering", nothing_stored=False)
        self.assert_gave_up_in_time(server, result)
        self.assert_no_body_stored()

    def test_silent_before_tls(self):
        # Implicit TLS: the server accepts and says nothing, not even its
        # half of the handshake. STARTTLS: silent after the greeting.
        server = self.serve([("stall", 60)])
        self.add_account("imap", server.port, "tls")
        result = self.sync()
        self.assert_safe(server, result, {5})
        self.assert_gave_up_in_time(server, result)

        self.setUp()
        server = self.starttls_account([("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"),
                                        ("expect", rb"^(\S+) STARTTLS$"), ("stall", 60)])
        result = self.sync()
        self.assert_safe(server, result, {5})
        self.assert_gave_up_in_time(server, result)

    def test_quiet_idle_is_not_a_stall(self):
        # A server in IDLE says nothing for as long as the mailbox is
        # quiet: longer than any time-out is no reason to hang up. New
        # mail after the silence reaches satchel-cli watch.
        fake = FakeImap(caps=CAPS + b" IDLE")
        idles = []

        def idle(tag, line):
            idles.append(tag)
            if len(idles) > 1:
                return [("send", b"+ idling\r\n"), ("stall", 60)]
            fake.messages[2] = MESSAGE.replace(b"real", b"after the silence")
            return [("send", b"+ idling\r\n"), ("sleep", 2 * TIMEOUT_SECONDS + 1),
                    ("send", b"* 2 EXISTS\r\n"), ("expect", rb"^DONE$"),
                    ("send", tag + b" OK idle done\r\n")]

        fake.overrides[b"IDLE"] = idle
        server = self.imaps(fake, caps=CAPS + b" IDLE")
        watch = subprocess.Popen([CLI, "--profile", self.profile, "watch", self.email],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        try:
            seen = threading.Timer(4 * TIMEOUT_SECONDS + 20, watch.kill)
            seen.start()
            line = watch.stdout.readline()
            seen.cancel()
        finally:
            watch.terminate()
            _out, err = watch.communicate(timeout=30)
            watch.stdout.close()
            watch.stderr.close()
        self.assertIn(b"after the silence", line, err)
        self.assertNotIn(b"stopped answering", err)
        self.assertEqual(len(server.sessions), 1, err)
        server.wait()
        self.assert_store_intact()

    def test_refused_idle_is_not_asked_again_at_once(self):
        # A server that offers IDLE and answers NO to it: satchel-cli
        # watch must not ask again at once, forever (it did: thousands of
        # IDLE a second). It waits, as after a broken connection.
        fake = FakeImap(caps=CAPS + b" IDLE")
        idles = []

        def idle(tag, line):
            idles.append(tag)
            return [("send", tag + b" NO [UNAVAILABLE] not now\r\n")]

        fake.overrides[b"IDLE"] = idle
        self.imaps(fake, caps=CAPS + b" IDLE")
        watch = subprocess.Popen([CLI, "--profile", self.profile, "watch", self.email],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env)
        try:
            time.sleep(3)
        finally:
            watch.terminate()
            _out, err = watch.communicate(timeout=30)
        self.assertGreaterEqual(len(idles), 1, err)
        self.assertLessEqual(len(idles), 3, err)
        self.assertIn(b"refused to wait for new mail", err)
        self.assert_store_intact()

    def test_next_run_after_a_cut_finishes(self):
        # The first connection is cut inside the body; the next run (the
        # same server, a new connection) brings it whole.
        first = FakeImap(overrides={b"BODY": lambda tag, line: [
            ("send", b"* 1 FETCH (UID 1 BODY[] {%d}\r\n" % len(MESSAGE) + MESSAGE[:10]),
            ("drop",)]})
        second = FakeImap()
        server = self.imaps(first, then=[("accept",), ("starttls",),
                                         ("send", b"* OK [CAPABILITY " + CAPS + b"] again\r\n"),
                                         ("serve", second)])
        self.assert_survived(self.sync("--bodies"), {1})
        result = self.sync("--bodies")
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertEqual(len(server.sessions), 2)
        self.assertEqual([m["sha256"] for m in self.stored_messages()],
                         [hashlib.sha256(MESSAGE).hexdigest()])


if __name__ == "__main__":
    if not CLI:
        sys.exit("SATCHEL_CLI is not set: run through meson test")
    unittest.main(verbosity=2)
