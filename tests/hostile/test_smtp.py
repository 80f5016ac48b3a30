#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""satchel-cli send against hostile SMTP servers (tests/servers/scripted.py):
STARTTLS stripped, refused or lied about; data injected before TLS;
replies of thousands of lines, endless lines, codes and sizes no server
should send, replies to commands never sent; connections cut or left
silent, after the final "." of DATA above all. Whatever the server does,
satchel-cli ends with an exit code of the contract, in bounded memory,
says what went wrong, keeps its store intact and its outbox truthful,
sends no password and no mail in clear, and never sends a message twice
by itself."""

import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import CLI, HostileTestCase, chunks  # noqa: E402

EHLO = b"250-hostile\r\n250-AUTH PLAIN\r\n250 SIZE 1000000\r\n"


def lines(make, count, per_chunk=65536):
    """Lines make(i) for i in 1..count, streamed in chunks."""
    block, size = [], 0
    for i in range(1, count + 1):
        line = make(i)
        block.append(line)
        size += len(line)
        if size >= per_chunk:
            yield b"".join(block)
            block, size = [], 0
    if block:
        yield b"".join(block)


class FakeSmtp:
    """A small, well-behaved SMTP server as a "serve" handler, after the
    greeting. A test makes it hostile by replacing the answer to one
    command: @overrides maps a command name (EHLO, AUTH, MAIL, RCPT, DATA,
    QUIT...) to a function (line) that returns bytes, a list of steps, or
    None to end the session."""

    def __init__(self, ehlo=EHLO, overrides=None):
        self.ehlo = ehlo
        self.overrides = overrides or {}
        self.commands = []

    def default(self, name, line):
        if name == b"EHLO":
            return self.ehlo
        if name == b"AUTH":
            return b"235 2.7.0 ok\r\n"
        if name in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
            return b"250 ok\r\n"
        if name == b"DATA":
            return [("send", b"354 go ahead\r\n"), ("skip_until", rb"^\.$"),
                    ("send", b"250 2.0.0 queued\r\n")]
        if name == b"QUIT":
            return [("send", b"221 bye\r\n"), ("close",)]
        return b"502 unknown\r\n"

    def __call__(self, line):
        name = line.split(b" ")[0].upper()
        self.commands.append(name)
        if name in self.overrides:
            return self.overrides[name](line)
        return self.default(name, line)


class SmtpCase(HostileTestCase):
    def add_smtp_account(self, port, security):
        # The incoming server is never contacted by send: the POP3 of the
        # test servers will do.
        self.add_account("pop3", os.environ["SATCHEL_TEST_POP3S_PORT"], "tls",
                         "--smtp-host", "localhost", "--smtp-port", str(port),
                         "--smtp-security", security)

    def smtps(self, fake=None, then=()):
        server = self.serve([("starttls",), ("send", b"220 hostile ESMTP\r\n"),
                             ("serve", fake or FakeSmtp()), *then])
        self.add_smtp_account(server.port, "tls")
        return server

    def starttls_account(self, script):
        server = self.serve(script)
        self.add_smtp_account(server.port, "starttls")
        return server

    def send(self, subject="hostile", *extra):
        return self.cli("send", "--account", self.email, "--to", "ada@example.org",
                        "--subject", subject, *extra, stdin="Hello\n", check=False)

    def outbox(self):
        return json.loads(self.cli("outbox", "--json").stdout)

    def assert_safe(self, server, result, codes, *words, states=("queued", "failed")):
        """The checks of every case: see hostile.py. The message is in the
        outbox in one of @states unless it was accepted; it went out once at
        most; nothing was said in clear that logs in or sends mail."""
        received = server.wait()
        self.assert_survived(result, codes, *words)
        self.assert_store_intact()
        self.assert_no_secret_before_tls(server.before_tls())
        self.assertLessEqual(sum(1 for line in received if line.upper() == b"DATA"), 1)
        outbox = self.outbox()
        if result.returncode == 0 and not outbox:
            return
        self.assertEqual(len(outbox), 1, outbox)
        self.assertIn(outbox[0]["state"], states, outbox)


class StarttlsStripping(SmtpCase):
    """An account that wants STARTTLS never logs in or sends in clear."""

    def expect_insecure(self, script, *words):
        server = self.starttls_account(script)
        result = self.send()
        self.assert_safe(server, result, {5}, *words, states=("queued",))
        return server

    def test_not_advertised(self):
        self.expect_insecure([("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
                              ("send", b"250-hi\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")],
                             "does not offer STARTTLS")

    def test_refused(self):
        for answer in (b"454 4.7.0 TLS not available\r\n", b"502 5.5.1 unknown\r\n",
                       b"554 go away\r\n"):
            with self.subTest(answer=answer):
                self.setUp()
                self.expect_insecure([("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
                                      ("send", b"250-hi\r\n250 STARTTLS\r\n"),
                                      ("expect", rb"^STARTTLS$"), ("send", answer)],
                                     "refused to encrypt")

    def test_answered_with_odd_text(self):
        for answer in (b"250 sure\r\n", b"354 go on\r\n", b"220-ready\r\n", b"2200 ready\r\n",
                       b"ready\r\n", b"\x00\r\n", b"220-ready\r\n221 bye\r\n"):
            with self.subTest(answer=answer):
                self.setUp()
                self.expect_insecure([("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
                                      ("send", b"250-hi\r\n250 STARTTLS\r\n"),
                                      ("expect", rb"^STARTTLS$"), ("send", answer),
                                      ("sleep", 0.2), ("close",)])

    def test_ok_but_no_tls_follows(self):
        self.expect_insecure([("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
                              ("send", b"250-hi\r\n250 STARTTLS\r\n"), ("expect", rb"^STARTTLS$"),
                              ("send", b"220 go ahead\r\n"), ("sleep", 0.3),
                              ("send", b"250-hi\r\n250 AUTH PLAIN\r\n")])

    def test_greeting_refuses(self):
        self.expect_insecure([("send", b"554 no service for you\r\n")])

    def test_capabilities_before_tls_do_not_count_after(self):
        # Before TLS: AUTH PLAIN; after, only AUTH LOGIN: LOGIN it is.
        fake = FakeSmtp(ehlo=b"250-hi\r\n250 AUTH LOGIN\r\n", overrides={
            b"AUTH": lambda line: [("send", b"334 VXNlcm5hbWU6\r\n"), ("read",),
                                   ("send", b"334 UGFzc3dvcmQ6\r\n"), ("read",),
                                   ("send", b"235 ok\r\n")]})
        server = self.starttls_account([
            ("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
            ("send", b"250-hi\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"), ("expect", rb"^STARTTLS$"),
            ("send", b"220 go ahead\r\n"), ("starttls",), ("serve", fake)])
        result = self.send()
        self.assert_safe(server, result, {0})
        self.assertIn(b"AUTH LOGIN", server.received)
        self.assertFalse(any(line.startswith(b"AUTH PLAIN") for line in server.received))

    def test_capabilities_after_tls_offer_no_login(self):
        fake = FakeSmtp(ehlo=b"250-hi\r\n250 8BITMIME\r\n")
        server = self.starttls_account([
            ("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
            ("send", b"250-hi\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"), ("expect", rb"^STARTTLS$"),
            ("send", b"220 go ahead\r\n"), ("starttls",), ("serve", fake)])
        result = self.send()
        self.assert_safe(server, result, {4})
        self.assertNotIn(b"MAIL", fake.commands)

    def test_starttls_offered_again_after_tls(self):
        fake = FakeSmtp(ehlo=b"250-hi\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n")
        server = self.starttls_account([
            ("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
            ("send", b"250-hi\r\n250 STARTTLS\r\n"), ("expect", rb"^STARTTLS$"),
            ("send", b"220 go ahead\r\n"), ("starttls",), ("serve", fake)])
        result = self.send()
        self.assert_safe(server, result, {0})
        self.assertNotIn(b"STARTTLS", fake.commands)


class Injection(SmtpCase):
    """What a man in the middle adds in clear is never taken for a reply."""

    def test_data_with_the_starttls_reply(self):
        for extra in (b"250-hi\r\n250 AUTH PLAIN\r\n", b"235 2.7.0 ok\r\n", b"x"):
            with self.subTest(extra=extra):
                self.setUp()
                server = self.starttls_account([
                    ("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
                    ("send", b"250-hi\r\n250 STARTTLS\r\n"), ("expect", rb"^STARTTLS$"),
                    ("send", b"220 go ahead\r\n" + extra)])
                result = self.send()
                self.assert_safe(server, result, {5}, "before the encrypted connection",
                                 states=("queued",))

    def test_replies_sent_ahead_before_tls(self):
        server = self.starttls_account([
            ("send", b"220 hi\r\n250-hi\r\n250 STARTTLS\r\n220 go ahead\r\n250-hi\r\n"
                     b"250 AUTH PLAIN\r\n235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"),
            ("sleep", 1)])
        result = self.send()
        self.assert_safe(server, result, {5}, states=("queued",))

    def test_starttls_reply_byte_by_byte_with_more(self):
        server = self.starttls_account([
            ("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
            ("send", b"250-hi\r\n250 STARTTLS\r\n"), ("expect", rb"^STARTTLS$"),
            ("send_bytewise", b"220 go ahead\r\n250 AUTH PLAIN\r\n", 0.01)])
        result = self.send()
        self.assert_safe(server, result, {5}, states=("queued",))


class HostileNumbers(SmtpCase):
    """Replies of thousands of lines, endless lines, codes and sizes that
    no server sends."""

    def test_huge_multi_line_replies(self):
        for count, make, words in (
                (100_000, lambda i: b"250-line %d\r\n" % i, "more than 1000 lines"),
                (2_000_000, lambda i: b"250-x\r\n", "more than 1000 lines"),
                (999, lambda i: b"250-" + b"y" * 60000 + b"\r\n", "")):
            with self.subTest(count=count, line=make(1)[:20]):
                self.setUp()
                fake = FakeSmtp(overrides={b"EHLO": lambda line, make=make, count=count: [
                    ("send_stream", lines(make, count)), ("send", b"250 AUTH PLAIN\r\n")]})
                server = self.smtps(fake)
                result = self.send()
                self.assert_safe(server, result, {0, 1}, words)

    def test_reply_line_of_300_mb(self):
        total = 300 * 1024 * 1024
        for command in (b"EHLO", b"DATA"):
            with self.subTest(command=command):
                self.setUp()
                fake = FakeSmtp()
                if command == b"EHLO":
                    fake.overrides[b"EHLO"] = lambda line: [("send", b"250-"),
                                                            ("send_stream", chunks(total))]
                else:
                    fake.overrides[b"DATA"] = lambda line: [
                        ("send", b"354 go\r\n"), ("skip_until", rb"^\.$"), ("send", b"250 "),
                        ("send_stream", chunks(total))]
                server = self.smtps(fake)
                result = self.send()
                self.assert_safe(server, result, {1}, "longer than",
                                 states=("queued", "failed", "unknown"))
                self.assertLess(server.stream_sent, total)
                if command == b"DATA":
                    self.assertEqual([i["state"] for i in self.outbox()], ["unknown"])

    def test_codes_no_server_sends(self):
        for reply in (b"000 zero\r\n", b"600 six\r\n", b"99 short\r\n", b"2500 long\r\n",
                      b"25O letter\r\n", b"250-a\r\n354 b\r\n", b"250\x00 nul\r\n",
                      b"-250 dash\r\n"):
            with self.subTest(reply=reply):
                self.setUp()
                server = self.smtps(FakeSmtp(overrides={b"MAIL": lambda line, reply=reply: reply}))
                result = self.send()
                self.assert_safe(server, result, {1}, "malformed")
                self.assertNotIn(b"DATA", server.received)

    def test_malformed_reply_is_exit_1(self):
        # CLI.md: "A protocol violation (...) ends the connection with exit
        # 1." The message waits in the outbox for another try.
        server = self.smtps(FakeSmtp(overrides={b"MAIL": lambda line: b"600 six\r\n"}))
        result = self.send()
        server.wait()
        self.assertEqual(result.returncode, 1, result)

    def test_sizes_no_server_sends(self):
        for size in (b"18446744073709551616", b"18446744073709551615", b"-1", b"1e9", b"0",
                     b"99999999999999999999999999999"):
            with self.subTest(size=size):
                self.setUp()
                server = self.smtps(FakeSmtp(ehlo=b"250-hi\r\n250-AUTH PLAIN\r\n250 SIZE " +
                                             size + b"\r\n"))
                result = self.send()
                # Not a limit that the message exceeds: it goes.
                self.assert_safe(server, result, {0})
                self.assertEqual(self.outbox(), [])


class HostileStructure(SmtpCase):
    """Replies to commands never sent, and replies in the wrong order."""

    def test_replies_to_commands_never_sent(self):
        # After TLS, the greeting comes with replies for EHLO, AUTH, MAIL,
        # RCPT and DATA, all at once: the client may take them for the
        # answers to what it sends, but never sends the message twice nor
        # says it was sent when no reply after the data said so.
        for ahead in (b"250-hi\r\n250 AUTH PLAIN\r\n235 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n",
                      b"250 ok\r\n" * 50, b"221 bye\r\n", b"354 go\r\n250 queued\r\n"):
            with self.subTest(ahead=ahead[:30]):
                self.setUp()
                server = self.serve([("starttls",), ("send", b"220 hi\r\n" + ahead),
                                     ("serve", FakeSmtp())])
                self.add_smtp_account(server.port, "tls")
                result = self.send()
                self.assert_safe(server, result, {0, 1, 4})

    def test_reply_after_data_before_the_dot(self):
        # 250 for the message while it is still being sent.
        fake = FakeSmtp(overrides={b"DATA": lambda line: [
            ("send", b"354 go\r\n250 2.0.0 queued already\r\n"), ("skip_until", rb"^\.$"),
            ("send", b"250 2.0.0 queued\r\n")]})
        server = self.smtps(fake)
        result = self.send()
        self.assert_safe(server, result, {0, 1}, states=("unknown", "queued", "failed"))


class AnotherProcessSending(SmtpCase):
    """While one process waits for the server to take a message, another
    (satchel-cli next to the window) neither calls it lost nor sends it."""

    def test_a_message_being_sent_elsewhere_is_left_alone(self):
        fake = FakeSmtp(overrides={b"DATA": lambda line: [
            ("send", b"354 go\r\n"), ("skip_until", rb"^\.$"), ("sleep", 8),
            ("send", b"250 2.0.0 queued\r\n")]})
        server = self.smtps(fake)
        first = subprocess.Popen(
            [CLI, "--profile", self.profile, "send", "--account", self.email,
             "--to", "ada@example.org", "--subject", "slow"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=dict(self.env, SATCHEL_TIMEOUT_SECONDS="30"))
        try:
            first.stdin.write(b"Hello\n")
            first.stdin.close()
            first.stdin = None   # communicate() must not flush it
            deadline = time.monotonic() + 20
            while b"." not in server.received and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertIn(b".", server.received, "the message never reached the server")
            self.assertEqual([i["state"] for i in self.outbox()], ["sending"])

            # Another process's outbox run, with the user asking to retry.
            self.assert_survived(self.cli("outbox", "--retry", check=False), {0})
            self.assertEqual([i["state"] for i in self.outbox()], ["sending"])
        finally:
            _out, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, 0, err)
        self.assertEqual(self.outbox(), [])
        server.wait()
        self.assertEqual(len(server.sessions), 1)
        self.assertEqual(sum(1 for line in server.received if line.upper() == b"DATA"), 1)


class DropsAndStalls(SmtpCase):
    """A connection cut or left silent: the run ends in words, in time, and
    a message that may have gone out is not sent again by itself."""

    def cut_after_data(self, *steps):
        fake = FakeSmtp(overrides={b"DATA": lambda line: [
            ("send", b"354 go\r\n"), ("skip_until", rb"^\.$"), *steps]})
        server = self.smtps(fake)
        result = self.send("lost")
        self.assert_safe(server, result, {1}, states=("unknown",))
        # Not sent again by itself: another message goes, this one waits.
        again = self.serve([("starttls",), ("send", b"220 hostile ESMTP\r\n"),
                            ("serve", FakeSmtp())])
        self.cli("account", "set", self.email, "smtp-port", str(again.port))
        self.send("another")
        again.wait()
        self.assertEqual(sum(1 for line in again.received if line == b"Subject: lost"), 0)
        self.assertEqual([i["state"] for i in self.outbox() if i["subject"] == "lost"],
                         ["unknown"])
        return result, server

    def test_cut_after_the_final_dot(self):
        for cut in ("close", "drop"):
            with self.subTest(cut=cut):
                self.setUp()
                self.cut_after_data((cut,))

    def test_silent_after_the_final_dot(self):
        result, server = self.cut_after_data(("stall", 60))
        self.assertIn("stopped answering", result.stderr)
        self.assert_gave_up_in_time(server, result)

    def test_cut_inside_a_reply(self):
        for command in (b"EHLO", b"MAIL", b"RCPT"):
            with self.subTest(command=command):
                self.setUp()
                server = self.smtps(FakeSmtp(overrides={command: lambda line: [
                    ("send_bytewise", b"250-hi\r\n250-AUT"), ("drop",)]}))
                result = self.send()
                self.assert_safe(server, result, {0, 1}, states=("queued",))

    def test_server_stops_answering(self):
        for command in (b"EHLO", b"AUTH", b"MAIL", b"RCPT", b"DATA"):
            with self.subTest(command=command):
                self.setUp()
                server = self.smtps(FakeSmtp(overrides={command: lambda line: [("stall", 60)]}))
                result = self.send()
                self.assert_safe(server, result, {0, 1}, "stopped answering", states=("queued",))
                self.assert_gave_up_in_time(server, result)

    def test_silent_before_tls(self):
        server = self.serve([("stall", 60)])
        self.add_smtp_account(server.port, "tls")
        result = self.send()
        self.assert_safe(server, result, {5}, states=("queued",))
        self.assert_gave_up_in_time(server, result)

        self.setUp()
        server = self.starttls_account([("send", b"220 hi\r\n"), ("expect", rb"^EHLO "),
                                        ("send", b"250-hi\r\n250 STARTTLS\r\n"),
                                        ("expect", rb"^STARTTLS$"), ("stall", 60)])
        result = self.send()
        self.assert_safe(server, result, {5}, states=("queued",))
        self.assert_gave_up_in_time(server, result)

    def test_retry_after_a_cut_before_data_sends_once(self):
        # Cut before DATA: the message waits; asked to retry, the same
        # server (a new connection) gets it once.
        first = FakeSmtp(overrides={b"RCPT": lambda line: [("drop",)]})
        second = FakeSmtp()
        server = self.smtps(first, then=[("accept",), ("starttls",),
                                         ("send", b"220 again\r\n"), ("serve", second)])
        self.assert_survived(self.send(), {0, 1})
        result = self.cli("outbox", "--retry", check=False)
        self.assert_safe(server, result, {0})
        self.assertEqual(len(server.sessions), 2)
        self.assertEqual(second.commands.count(b"DATA"), 1)
        self.assertEqual(self.outbox(), [])


if __name__ == "__main__":
    if not CLI:
        sys.exit("SATCHEL_CLI is not set: run through meson test")
    unittest.main(verbosity=2)
