#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""satchel-cli against hostile POP3 servers (tests/servers/scripted.py):
STLS stripped, refused or lied about; data injected before TLS; UIDLs
empty, huge or duplicated, message numbers and sizes no server should
send, listings of millions of lines; connections cut inside a RETR or
left silent. Whatever the server does, satchel-cli ends with an exit code
of the contract, in bounded memory, says what went wrong, keeps its store
intact, stores nothing the hostile session made up, deletes nothing it
was not asked to delete and sends no password in clear."""

import hashlib
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import CLI, SANITIZED, HostileTestCase, chunks, mailctl  # noqa: E402

MESSAGE = (b"From: Ada <ada@example.org>\r\nSubject: real\r\nMessage-ID: <real@example.org>\r\n"
           b"\r\nThe one real message.\r\n")


def repeated(make, count, per_chunk=65536):
    """Lines make(1) ... make(count), streamed in chunks."""
    block = []
    size = 0
    for i in range(1, count + 1):
        line = make(i)
        block.append(line)
        size += len(line)
        if size >= per_chunk:
            yield b"".join(block)
            block, size = [], 0
    if block:
        yield b"".join(block)


class FakePop3:
    """A small, well-behaved POP3 server as a "serve" handler, after the
    greeting: CAPA, USER and PASS, UIDL, LIST, RETR, DELE, QUIT. A test
    makes it hostile by replacing the answer to one command: @overrides
    maps a command name to a function (line) that returns bytes, a list of
    steps, or None to end the session."""

    def __init__(self, messages=None, capa=b"USER\r\nUIDL\r\n", overrides=None):
        self.messages = {1: (b"real-1", MESSAGE)} if messages is None else messages
        self.capa = capa
        self.overrides = overrides or {}
        self.commands = []

    def default(self, name, line):
        if name == b"CAPA":
            return b"+OK\r\n" + self.capa + b".\r\n"
        if name in (b"USER", b"PASS", b"AUTH", b"NOOP", b"RSET"):
            return b"+OK\r\n"
        if name == b"STAT":
            return b"+OK %d %d\r\n" % (len(self.messages),
                                       sum(len(m) for _, m in self.messages.values()))
        if name == b"UIDL":
            return (b"+OK\r\n" + b"".join(b"%d %s\r\n" % (n, u)
                                          for n, (u, _) in sorted(self.messages.items())) +
                    b".\r\n")
        if name == b"LIST":
            return (b"+OK\r\n" + b"".join(b"%d %d\r\n" % (n, len(m))
                                          for n, (_, m) in sorted(self.messages.items())) +
                    b".\r\n")
        if name == b"RETR":
            number = int(line.split(b" ")[1])
            if number not in self.messages:
                return b"-ERR no such message\r\n"
            raw = self.messages[number][1]
            return b"+OK\r\n" + re.sub(rb"(?m)^\.", b"..", raw) + b".\r\n"
        if name == b"DELE":
            return b"+OK\r\n"
        if name == b"QUIT":
            return [("send", b"+OK bye\r\n"), ("close",)]
        return b"-ERR unknown command\r\n"

    def __call__(self, line):
        name = line.split(b" ")[0].upper()
        self.commands.append(name)
        if name in self.overrides:
            return self.overrides[name](line)
        return self.default(name, line)


class Pop3Case(HostileTestCase):
    def pop3s(self, fake=None, then=(), *extra):
        """An account on an implicit-TLS scripted server playing @fake,
        then the steps @then."""
        server = self.serve([("starttls",), ("send", b"+OK hostile POP3 ready\r\n"),
                             ("serve", fake or FakePop3()), *then])
        self.add_account("pop3", server.port, "tls", *extra)
        return server

    def starttls_account(self, script):
        server = self.serve(script)
        self.add_account("pop3", server.port, "starttls")
        return server

    def sync(self):
        return self.cli("sync", self.email, check=False)

    def assert_safe(self, server, result, codes, *words, nothing_stored=True, deletes=()):
        """The checks of every case: see hostile.py. @deletes: the only
        DELE commands allowed."""
        received = server.wait()
        self.assert_survived(result, codes, *words)
        self.assert_store_intact()
        self.assert_no_secret_before_tls(server.before_tls())
        dele = [line for line in received if line.upper().startswith(b"DELE")]
        self.assertEqual(dele, list(deletes), "deleted on the server without being asked to")
        if nothing_stored:
            self.assert_nothing_stored()


class StarttlsStripping(Pop3Case):
    """An account that wants STLS never logs in or downloads in clear."""

    def expect_insecure(self, script, *words):
        server = self.starttls_account(script)
        result = self.sync()
        self.assert_safe(server, result, {5}, *words)
        return server

    def test_not_advertised(self):
        self.expect_insecure([("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
                              ("send", b"+OK\r\nUSER\r\nSASL PLAIN\r\nUIDL\r\n.\r\n")],
                             "does not offer STLS")

    def test_capa_refused(self):
        self.expect_insecure([("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
                              ("send", b"-ERR what is CAPA\r\n")],
                             "does not offer STLS")

    def test_refused(self):
        self.expect_insecure([("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
                              ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"), ("expect", rb"^STLS$"),
                              ("send", b"-ERR [SYS/TEMP] not now\r\n")],
                             "refused to encrypt")

    def test_answered_with_odd_text(self):
        for answer in (b"OK go ahead\r\n", b"220 ready to start TLS\r\n", b"+OKAY\r\n",
                       b"\x00\xff\r\n", b"+OK\r\n.\r\n"):
            with self.subTest(answer=answer):
                self.setUp()
                self.expect_insecure([("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
                                      ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"),
                                      ("expect", rb"^STLS$"), ("send", answer),
                                      ("sleep", 0.2), ("close",)])

    def test_ok_but_no_tls_follows(self):
        self.expect_insecure([("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
                              ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"), ("expect", rb"^STLS$"),
                              ("send", b"+OK go\r\n"), ("sleep", 0.3),
                              ("send", b"+OK\r\nUSER\r\n.\r\n")])

    def test_greeting_refuses(self):
        self.expect_insecure([("send", b"-ERR go away\r\n")])

    def test_capabilities_before_tls_do_not_count_after(self):
        # Before TLS: SASL PLAIN. After: USER only; USER and PASS it is.
        fake = FakePop3(capa=b"USER\r\nUIDL\r\n")
        server = self.starttls_account([
            ("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
            ("send", b"+OK\r\nSTLS\r\nSASL PLAIN\r\nUIDL\r\n.\r\n"), ("expect", rb"^STLS$"),
            ("send", b"+OK begin\r\n"), ("starttls",), ("serve", fake)])
        result = self.sync()
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertNotIn(b"AUTH", fake.commands)
        self.assertIn(b"PASS", fake.commands)
        self.assertEqual(len(self.stored_messages()), 1)

    def test_capabilities_after_tls_offer_no_login(self):
        fake = FakePop3(capa=b"UIDL\r\nSASL GSSAPI\r\n")
        server = self.starttls_account([
            ("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
            ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"), ("expect", rb"^STLS$"),
            ("send", b"+OK begin\r\n"), ("starttls",), ("serve", fake)])
        result = self.sync()
        self.assert_safe(server, result, {0, 4})
        self.assertNotIn(b"AUTH", fake.commands)

    def test_stls_offered_again_after_tls(self):
        fake = FakePop3(capa=b"STLS\r\nUSER\r\nUIDL\r\n")
        server = self.starttls_account([
            ("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
            ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"), ("expect", rb"^STLS$"),
            ("send", b"+OK begin\r\n"), ("starttls",), ("serve", fake)])
        result = self.sync()
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertNotIn(b"STLS", fake.commands)


class Injection(Pop3Case):
    """What a man in the middle adds in clear never reaches the store."""

    def test_data_with_the_stls_reply(self):
        for extra in (b"+OK\r\n", b"+OK logged in\r\n", b"+OK\r\n1 evil\r\n.\r\n", b"x"):
            with self.subTest(extra=extra):
                self.setUp()
                server = self.starttls_account([
                    ("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
                    ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"), ("expect", rb"^STLS$"),
                    ("send", b"+OK begin\r\n" + extra)])
                result = self.sync()
                self.assert_safe(server, result, {5}, "before the encrypted connection")

    def test_replies_sent_ahead_before_tls(self):
        # Replies to commands not yet sent, in clear: taken for the answer
        # to STLS at most, after which no real TLS can follow.
        server = self.starttls_account([
            ("send", b"+OK ready\r\n+OK\r\nSTLS\r\nUSER\r\n.\r\n+OK begin\r\n"
                     b"+OK\r\n1 evil-1\r\n.\r\n+OK\r\n1 20\r\n.\r\n"),
            ("expect", rb"^CAPA$"), ("sleep", 1)])
        result = self.sync()
        self.assert_safe(server, result, {5})

    def test_stls_reply_byte_by_byte_with_more(self):
        server = self.starttls_account([
            ("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
            ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"), ("expect", rb"^STLS$"),
            ("send_bytewise", b"+OK begin\r\n+OK 1 messages\r\n", 0.01)])
        result = self.sync()
        self.assert_safe(server, result, {5})


class HostileNumbers(Pop3Case):
    """UIDLs, message numbers, sizes and line counts beyond reason."""

    def listing(self, uidl=None, listing=None, retr=None, messages=None):
        fake = FakePop3(messages=messages)
        if uidl is not None:
            fake.overrides[b"UIDL"] = lambda line: uidl
        if listing is not None:
            fake.overrides[b"LIST"] = lambda line: listing
        if retr is not None:
            fake.overrides[b"RETR"] = retr
        return fake

    def test_uidl_values_no_server_may_send(self):
        for uidl in (b"1 \r\n", b"1\r\n", b"1  \r\n", b"1 " + b"u" * 513 + b"\r\n",
                     b"1 bad\x01uidl\r\n", b"1 has space\r\n", b"0 zero\r\n",
                     b"4294967296 big\r\n", b"-1 neg\r\n", b"x y\r\n"):
            with self.subTest(uidl=uidl[:40]):
                self.setUp()
                server = self.pop3s(self.listing(uidl=b"+OK\r\n" + uidl + b".\r\n"))
                result = self.sync()
                self.assert_safe(server, result, {1}, "malformed")

    def test_uidl_line_of_300_mb(self):
        total = 300 * 1024 * 1024
        server = self.pop3s(self.listing(uidl=[
            ("send", b"+OK\r\n1 "), ("send_stream", chunks(total))]))
        result = self.sync()
        self.assert_safe(server, result, {1}, "longer than")
        self.assertLess(server.stream_sent, total)

    def test_duplicated_uidls(self):
        for uidl, words in ((b"1 same\r\n2 same\r\n", "same UIDL"),
                            (b"1 a\r\n2 b\r\n3 a\r\n", "same UIDL"),
                            (b"1 a\r\n1 a\r\n", "two UIDLs")):
            with self.subTest(uidl=uidl):
                self.setUp()
                messages = {n: (b"m%d" % n, MESSAGE) for n in (1, 2, 3)}
                server = self.pop3s(self.listing(uidl=b"+OK\r\n" + uidl + b".\r\n",
                                                 messages=messages),
                                    (), "--leave-on-server", "no")
                result = self.sync()
                self.assert_safe(server, result, {1}, words)

    def test_one_number_two_uidls(self):
        # Message 1 twice, under two UIDLs: it would be stored twice, and
        # deleted twice.
        messages = {1: (b"a", MESSAGE)}
        server = self.pop3s(self.listing(uidl=b"+OK\r\n1 a\r\n1 b\r\n.\r\n", messages=messages),
                            (), "--leave-on-server", "no")
        result = self.sync()
        self.assert_safe(server, result, {1}, "two UIDLs")

    # What this checks is the bound on a listing's memory, which is not
    # measured under the sanitizers; there, 60 MB of listing take minutes.
    @unittest.skipIf(SANITIZED, "the memory bound is checked on the normal build")
    def test_millions_of_listing_lines(self):
        for count, make, words in (
                (2_000_000, lambda i: b"%d u%d\r\n" % (i, i), "lines"),
                (999_999, lambda i: b"%d %s\r\n" % (i, b"%08d" % i * 60), "MB"),
                (2_000_000, lambda i: b"%d 100\r\n" % i, "lines")):
            with self.subTest(count=count, line=make(1)[:30]):
                self.setUp()
                # The listing is answered to UIDL or to LIST, whichever is
                # asked first.
                fake = FakePop3()
                flood = [("send", b"+OK\r\n"), ("send_stream", repeated(make, count)),
                         ("send", b".\r\n")]
                if b" 100" in make(1):
                    fake.overrides[b"LIST"] = lambda line, flood=flood: flood
                else:
                    fake.overrides[b"UIDL"] = lambda line, flood=flood: flood
                server = self.pop3s(fake)
                result = self.sync()
                self.assert_safe(server, result, {1}, words)

    def test_sizes_no_server_may_send(self):
        for size in (b"18446744073709551616", b"-1", b"281474976710657", b"12x", b""):
            with self.subTest(size=size):
                self.setUp()
                server = self.pop3s(self.listing(listing=b"+OK\r\n1 " + size + b"\r\n.\r\n"))
                result = self.sync()
                self.assert_safe(server, result, {1}, "malformed")

    def test_message_larger_than_listed(self):
        # LIST says 100 bytes; RETR goes on for 300 MB in proper lines.
        total = 300 * 1024 * 1024
        line = b"y" * 1022 + b"\r\n"
        server = self.pop3s(self.listing(retr=lambda l: [
            ("send", b"+OK\r\n" + MESSAGE), ("send_stream", chunks(total, line * 1024))],
            listing=b"+OK\r\n1 100\r\n.\r\n"))
        result = self.sync()
        self.assert_safe(server, result, {1}, "larger than")
        self.assertLess(server.stream_sent, total)

    def test_message_never_listed(self):
        # UIDL names message 2, LIST does not: its size is not known, and
        # it must not take the client's memory with it.
        total = 300 * 1024 * 1024
        line = b"y" * 1022 + b"\r\n"

        def retr(request):
            if request == b"RETR 1":
                return b"+OK\r\n" + MESSAGE + b".\r\n"
            return [("send", b"+OK\r\n" + MESSAGE), ("send_stream", chunks(total, line * 1024)),
                    ("send", b".\r\n")]

        server = self.pop3s(self.listing(uidl=b"+OK\r\n1 real-1\r\n2 ghost-2\r\n.\r\n",
                                         listing=b"+OK\r\n1 %d\r\n.\r\n" % len(MESSAGE),
                                         retr=retr))
        result = self.sync()
        self.assert_safe(server, result, {0}, nothing_stored=False)
        self.assertEqual([m["uidl"] for m in self.stored_messages()], ["real-1"])
        self.assertNotIn(b"RETR 2", server.received)

    def test_line_of_300_mb_in_a_message(self):
        total = 300 * 1024 * 1024
        server = self.pop3s(self.listing(retr=lambda l: [
            ("send", b"+OK\r\nSubject: long\r\n\r\n"), ("send_stream", chunks(total))],
            listing=b"+OK\r\n1 400000000\r\n.\r\n"))
        result = self.sync()
        self.assert_safe(server, result, {1}, "longer than")
        self.assertLess(server.stream_sent, total)

    def test_message_numbers_beyond_the_mailbox(self):
        # UIDL and LIST name message 7 of a mailbox of 1; RETR 7 is refused.
        server = self.pop3s(self.listing(uidl=b"+OK\r\n1 real-1\r\n7 ghost-7\r\n.\r\n",
                                         listing=b"+OK\r\n1 %d\r\n7 20\r\n.\r\n" % len(MESSAGE)),
                            (), "--leave-on-server", "no")
        result = self.sync()
        self.assert_safe(server, result, {0, 1}, nothing_stored=False,
                         deletes=[b"DELE 1"] if result.returncode == 0 else [])
        self.assertNotIn("ghost-7", [m["uidl"] for m in self.stored_messages()])


class HostileMessages(Pop3Case):
    """Messages built to break a MIME reader, as any server delivers them:
    nested 100,000 deep, and a million parts. Each is downloaded and listed
    once, within the memory bound; the reader is the one the window and
    `show` use."""

    @staticmethod
    def wide(parts):
        head = (b"From: a@example.org\r\nSubject: wide\r\nMessage-ID: <wide@example.org>\r\n"
                b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n")
        return head + b"--b\r\n\r\nx\r\n" * parts + b"--b--\r\n"

    def test_mime_nested_and_wide(self):
        for name, raw in (("nested 100,000 deep", mailctl.nested_message(100_000)),
                          ("a million parts", self.wide(1_000_000))):
            with self.subTest(message=name):
                self.setUp()
                server = self.pop3s(FakePop3(messages={1: (b"hostile-1", raw)}))
                self.assert_safe(server, self.sync(), {0}, nothing_stored=False)
                stored = self.stored_messages()
                self.assertEqual([m["uidl"] for m in stored], ["hostile-1"])
                self.assertEqual(stored[0]["size"], len(raw))
                # Read as the window and `show` read it.
                rows = json.loads(self.cli("list", self.email, "INBOX", "--json").stdout)
                shown = self.cli("show", str(rows[0]["id"]), check=False)
                self.assert_survived(shown, {0})


class DropsAndStalls(Pop3Case):
    """A connection cut or left silent ends the run in words, in time, and
    deletes nothing."""

    def test_cut_inside_a_retr(self):
        for cut in ("close", "drop"):
            with self.subTest(cut=cut):
                self.setUp()
                fake = FakePop3(overrides={b"RETR": lambda line, cut=cut: [
                    ("send", b"+OK\r\n" + MESSAGE[:50]), (cut,)]})
                server = self.pop3s(fake, (), "--leave-on-server", "no")
                result = self.sync()
                self.assert_safe(server, result, {1})

    def test_cut_byte_by_byte_inside_a_retr(self):
        fake = FakePop3(overrides={b"RETR": lambda line: [
            ("send_bytewise", b"+OK\r\n" + MESSAGE[:30]), ("drop",)]})
        server = self.pop3s(fake, (), "--leave-on-server", "no")
        self.assert_safe(server, self.sync(), {1})

    def test_cut_before_the_final_dot(self):
        fake = FakePop3(overrides={b"RETR": lambda line: [("send", b"+OK\r\n" + MESSAGE),
                                                          ("drop",)]})
        server = self.pop3s(fake, (), "--leave-on-server", "no")
        self.assert_safe(server, self.sync(), {1})

    def test_server_stops_answering(self):
        for command in (b"PASS", b"UIDL", b"LIST", b"RETR"):
            with self.subTest(command=command):
                self.setUp()
                fake = FakePop3(overrides={command: lambda line: [("stall", 60)]})
                server = self.pop3s(fake, (), "--leave-on-server", "no")
                result = self.sync()
                self.assert_safe(server, result, {1}, "stopped answering")
                self.assert_gave_up_in_time(server, result)

    def test_server_stops_inside_a_retr(self):
        fake = FakePop3(overrides={b"RETR": lambda line: [("send", b"+OK\r\n" + MESSAGE[:50]),
                                                          ("stall", 60)]})
        server = self.pop3s(fake, (), "--leave-on-server", "no")
        result = self.sync()
        self.assert_safe(server, result, {1}, "stopped answering")
        self.assert_gave_up_in_time(server, result)

    def test_silent_before_tls(self):
        server = self.serve([("stall", 60)])
        self.add_account("pop3", server.port, "tls")
        result = self.sync()
        self.assert_safe(server, result, {5})
        self.assert_gave_up_in_time(server, result)

        self.setUp()
        server = self.starttls_account([("send", b"+OK ready\r\n"), ("expect", rb"^CAPA$"),
                                        ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"),
                                        ("expect", rb"^STLS$"), ("stall", 60)])
        result = self.sync()
        self.assert_safe(server, result, {5})
        self.assert_gave_up_in_time(server, result)

    def test_next_run_after_a_cut_finishes(self):
        first = FakePop3(overrides={b"RETR": lambda line: [("send", b"+OK\r\n" + MESSAGE[:10]),
                                                           ("drop",)]})
        server = self.pop3s(first, [("accept",), ("starttls",), ("send", b"+OK again\r\n"),
                                    ("serve", FakePop3())], "--leave-on-server", "no")
        self.assert_survived(self.sync(), {1})
        result = self.sync()
        self.assert_safe(server, result, {0}, nothing_stored=False, deletes=[b"DELE 1"])
        self.assertEqual(len(server.sessions), 2)
        self.assertEqual([m["sha256"] for m in self.stored_messages()],
                         [hashlib.sha256(MESSAGE).hexdigest()])


if __name__ == "__main__":
    if not CLI:
        sys.exit("SATCHEL_CLI is not set: run through meson test")
    unittest.main(verbosity=2)
