#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sending through satchel-cli: the real SMTP server of the test run
receives the message (checked byte for byte by a MIME parser), the copy
in Sent reaches the real Dovecot, replies and forwards carry the right
recipients and headers; refusals, a server that is down, a STARTTLS that
is missing and a connection that breaks after the message went out are
each handled as the contract says."""

import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
import mailctl  # noqa: E402
from scripted import ScriptedServer  # noqa: E402

CLI = os.environ.get("SATCHEL_CLI")


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


class SendTestCase(unittest.TestCase):
    def setUp(self):
        if "SATCHEL_TEST_SERVERS" not in os.environ:
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")
        self.profile = tempfile.mkdtemp(prefix="satchel-send-test-")
        self.addCleanup(shutil.rmtree, self.profile, True)
        self.user, self.password = mailctl.new_user("send")
        self.email = f"{self.user}@example.org"
        self.spooled = len(mailctl.sent_messages())

    def cli(self, *args, check=True, stdin=""):
        result = subprocess.run([CLI, "--profile", self.profile, *args], input=stdin,
                                capture_output=True, text=True, timeout=120)
        if check:
            self.assertEqual(result.returncode, 0,
                             f"satchel-cli {' '.join(args)}: {result.stdout}\n{result.stderr}")
        return result

    def add_account(self, kind="imap", smtp_port=None, smtp_security="tls", *extra):
        port = os.environ["SATCHEL_TEST_IMAPS_PORT" if kind == "imap" else "SATCHEL_TEST_POP3S_PORT"]
        options = ["--smtp-host", "localhost",
                   "--smtp-port", str(smtp_port or os.environ["SATCHEL_TEST_SMTPS_PORT"]),
                   "--smtp-security", smtp_security]
        self.cli("account", "add", "--email", self.email, "--name", "Zoë Ångström", "--kind", kind,
                 "--host", "localhost", "--port", port, "--user", self.user,
                 "--ca-file", os.environ["SATCHEL_TEST_CA"], *options, *extra,
                 "--password-stdin", stdin=self.password + "\n")

    def received(self):
        """What the SMTP server took from this test's account (other tests
        send through the same server at the same time)."""
        return [m for m in mailctl.sent_messages()[self.spooled:]
                if m["mail_from"] == self.email]

    def outbox(self):
        return json.loads(self.cli("outbox", "--json").stdout)

    def send(self, *args, body="Hello\n", check=True):
        return self.cli("send", "--account", self.email, *args, stdin=body, check=check)


class Send(SendTestCase):
    def test_message_as_received_and_copy_in_sent(self):
        self.add_account()
        self.cli("sync", self.email)
        attachment = os.path.join(self.profile, "Überblick März.pdf")
        with open(attachment, "wb") as f:
            f.write(b"%PDF-1.4\n" + bytes(range(256)) * 8)
        self.cli("account", "set", self.email, "signature", "Zoë\\nSatchel tests")
        self.send("--to", "Ada Lovelace <ada@example.org>", "--cc", "bob@example.org",
                  "--bcc", "secret@example.org", "--subject", "Grüße — ☃ aus Köln",
                  "--attach", attachment,
                  body="Liebe Ada,\n\nwie geht’s? A long line " + "word " * 30 + "\n")
        received = self.received()
        self.assertEqual(len(received), 1)
        envelope = received[0]
        self.assertEqual(envelope["mail_from"], self.email)
        self.assertEqual(sorted(envelope["rcpt_tos"]),
                         ["ada@example.org", "bob@example.org", "secret@example.org"])
        raw = envelope["raw"]
        self.assertNotIn(b"secret@example.org", raw)
        self.assertNotIn(b"\nBcc:", raw)
        self.assertTrue(all(byte < 0x80 for byte in raw), "8-bit bytes in the message")
        message = parse(raw)
        self.assertEqual(message["Subject"], "Grüße — ☃ aus Köln")
        self.assertEqual(message["From"].addresses[0].display_name, "Zoë Ångström")
        self.assertEqual(message["To"].addresses[0].addr_spec, "ada@example.org")
        self.assertIsNotNone(message["Message-ID"])
        self.assertIsNotNone(message["Date"])
        text = message.get_body(("plain",))
        self.assertEqual(text.get_param("format"), "flowed")
        content = text.get_content().replace("\r\n", "\n")
        self.assertIn("wie geht’s?", content)
        self.assertIn("\n-- \nZoë\nSatchel tests", content)
        attachments = list(message.iter_attachments())
        self.assertEqual(len(attachments), 1)
        self.assertEqual(attachments[0].get_filename(), "Überblick März.pdf")
        self.assertEqual(attachments[0].get_content_type(), "application/pdf")
        self.assertEqual(attachments[0].get_content(), b"%PDF-1.4\n" + bytes(range(256)) * 8)

        # Out of the outbox; the copy in Sent, read, on the server.
        self.assertEqual(self.outbox(), [])
        sent = mailctl.messages(self.user, self.password, "Sent", bodies=True)
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["message_id"], message["Message-ID"])
        self.assertIn("\\Seen", sent[0]["flags"])
        dump = json.loads(self.cli("dump", self.email, "--json").stdout)
        local_sent = [f for f in dump["folders"] if f["role"] == "sent"][0]["messages"]
        self.assertEqual([m["uid"] for m in local_sent], [sent[0]["uid"]])

    def test_pop3_account_keeps_sent_here(self):
        self.add_account("pop3")
        # Several addresses in one value are several recipients.
        self.send("--to", "ada@example.org, Bob <bob@example.org>", "--subject", "local copy")
        self.assertEqual(sorted(self.received()[0]["rcpt_tos"]),
                         ["ada@example.org", "bob@example.org"])
        self.assertEqual(len(self.received()), 1)
        dump = json.loads(self.cli("dump", self.email, "--json").stdout)
        sent = [f for f in dump["folders"] if f["name"] == "Sent"][0]["messages"]
        self.assertEqual(len(sent), 1)
        self.assertIn("\\Seen", sent[0]["flags"])

    def test_reply_all_and_forward(self):
        self.add_account()
        original = (
            "From: Carol <carol@example.org>\r\n"
            "Reply-To: Lists <list@example.org>\r\n"
            f"To: {self.email}, dan@example.org\r\n"
            "Cc: Erin <erin@example.org>, carol@example.org\r\n"
            "Subject: Re: plans\r\n"
            "Message-ID: <orig-1@example.org>\r\n"
            "References: <root@example.org>\r\n"
            "Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n"
            "\r\n"
            "Shall we meet?\r\nOn Tuesday.\r\n")
        mailctl.append(self.user, self.password, "INBOX", original.encode())
        self.cli("sync", self.email, "--bodies")
        rows = json.loads(self.cli("list", self.email, "INBOX", "--json").stdout)
        mid = str(rows[0]["id"])

        self.cli("reply", mid, "--all", stdin="Yes.\n")
        reply = parse(self.received()[-1]["raw"])
        self.assertEqual(reply["Subject"], "Re: plans")
        self.assertEqual(reply["In-Reply-To"], "<orig-1@example.org>")
        self.assertEqual(reply["References"], "<root@example.org> <orig-1@example.org>")
        to = [a.addr_spec for a in reply["To"].addresses]
        cc = [a.addr_spec for a in reply["Cc"].addresses]
        self.assertEqual(to, ["list@example.org", "dan@example.org"])
        self.assertEqual(cc, ["erin@example.org", "carol@example.org"])
        self.assertNotIn(self.email, to + cc)
        body = reply.get_body(("plain",)).get_content().replace("\r\n", "\n")
        self.assertTrue(body.startswith("Yes.\n"))
        self.assertIn("Carol <carol@example.org> wrote:", body)
        self.assertIn("> Shall we meet?", body)
        # Answered, on the server too.
        flags = mailctl.messages(self.user, self.password, "INBOX")[0]["flags"]
        self.assertIn("\\Answered", flags)

        # Reply to the sender only: Reply-To wins.
        self.cli("reply", mid, stdin="Only you.\n")
        reply = parse(self.received()[-1]["raw"])
        self.assertEqual([a.addr_spec for a in reply["To"].addresses], ["list@example.org"])
        self.assertIsNone(reply["Cc"])

        self.cli("forward", mid, "--to", "fay@example.org", stdin="FYI\n")
        forward = parse(self.received()[-1]["raw"])
        self.assertEqual(forward["Subject"], "Fwd: Re: plans")
        self.assertIsNone(forward["In-Reply-To"])
        content = forward.get_body(("plain",)).get_content().replace("\r\n", "\n")
        self.assertIn("---------- Forwarded message ----------", content)
        self.assertIn("Shall we meet?", content)

        self.cli("forward", mid, "--to", "fay@example.org", "--as-attachment", stdin="Whole.\n")
        forward = parse(self.received()[-1]["raw"])
        parts = [p for p in forward.walk() if p.get_content_type() == "message/rfc822"]
        self.assertEqual(len(parts), 1)
        inner = parts[0].get_content()
        self.assertEqual(inner["Message-ID"], "<orig-1@example.org>")

    def test_refused_recipient_keeps_message(self):
        self.add_account()
        result = self.send("--to", "ok@example.org", "--to", "reject-me@example.org",
                           "--subject", "refused", check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("reject-me@example.org", result.stderr)
        self.assertIn("550", result.stderr)
        self.assertEqual(self.received(), [])
        [item] = self.outbox()
        self.assertEqual(item["state"], "failed")
        self.assertEqual(item["to"], ["ok@example.org", "reject-me@example.org"])
        self.assertIn("550", item["last_error"])
        self.assertIsInstance(item["id"], int)

    def test_temporary_refusal_queues(self):
        self.add_account()
        result = self.send("--to", "later@example.org", "--subject", "later", check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("outbox", result.stderr)
        [item] = self.outbox()
        self.assertEqual(item["state"], "queued")
        self.assertIn("451", item["last_error"])

    def test_server_down_then_back(self):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed_port = s.getsockname()[1]
        self.add_account(smtp_port=closed_port)
        result = self.send("--to", "ada@example.org", "--subject", "while down", check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("outbox", result.stderr)
        [item] = self.outbox()
        self.assertEqual(item["state"], "queued")
        self.assertEqual(self.received(), [])

        self.cli("account", "set", self.email, "smtp-port", os.environ["SATCHEL_TEST_SMTPS_PORT"])
        self.cli("outbox", "--retry")
        self.assertEqual(self.outbox(), [])
        received = self.received()
        self.assertEqual(len(received), 1)
        self.assertEqual(parse(received[0]["raw"])["Subject"], "while down")


    def test_sync_sends_what_waits_when_due(self):
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed_port = s.getsockname()[1]
        self.add_account("pop3", closed_port)
        self.send("--to", "ada@example.org", "--subject", "queued")
        [item] = self.outbox()
        self.assertEqual(item["state"], "queued")
        self.cli("account", "set", self.email, "smtp-port", os.environ["SATCHEL_TEST_SMTPS_PORT"])
        # Not due yet (a minute of back-off): the sync leaves it.
        self.cli("sync", self.email)
        self.assertEqual(len(self.outbox()), 1)
        # Due: the next sync sends it.
        import sqlite3
        db = sqlite3.connect(os.path.join(self.profile, "satchel.db"))
        db.execute("UPDATE outbox SET next_attempt = 0")
        db.commit()
        db.close()
        self.cli("sync", self.email)
        self.assertEqual(self.outbox(), [])
        self.assertEqual([parse(m["raw"])["Subject"] for m in self.received()], ["queued"])


    def test_non_ascii_address_with_smtputf8(self):
        self.add_account("pop3")
        self.send("--to", "Jörg <jörg@exämple.org>", "--subject", "utf8")
        [envelope] = self.received()
        self.assertEqual(envelope["rcpt_tos"], ["jörg@exämple.org"])
        self.assertIn("SMTPUTF8", envelope["mail_options"])


class Scripted(SendTestCase):
    def test_auth_login_and_send(self):
        import base64
        user = base64.b64encode(self.user.encode())
        password = base64.b64encode(self.password.encode())
        server = ScriptedServer([
            ("starttls",),
            ("send", b"220 mail ESMTP\r\n"),
            ("expect", rb"^EHLO"),
            ("send", b"250-mail\r\n250 AUTH LOGIN\r\n"),
            ("expect", rb"^AUTH LOGIN$"),
            ("send", b"334 VXNlcm5hbWU6\r\n"),
            ("expect", rb"^" + user + rb"$"),
            ("send", b"334 UGFzc3dvcmQ6\r\n"),
            ("expect", rb"^" + password + rb"$"),
            ("send", b"235 2.7.0 ok\r\n"),
            ("expect", rb"^MAIL FROM:<" + self.email.encode() + rb">"),
            ("send", b"250 ok\r\n"),
            ("expect", rb"^RCPT TO:<ada@example.org>"),
            ("send", b"250 ok\r\n"),
            ("expect", rb"^DATA"),
            ("send", b"354 go\r\n"),
            ("skip_until", rb"^\.$"),
            ("send", b"250 2.0.0 queued\r\n"),
            ("expect", rb"^QUIT"),
            ("send", b"221 bye\r\n"),
        ])
        self.add_account("pop3", server.port)
        self.send("--to", "ada@example.org", "--subject", "login")
        server.wait()
        self.assertEqual(self.outbox(), [])

    def test_helo_when_ehlo_is_unknown(self):
        server = ScriptedServer([
            ("starttls",),
            ("send", b"220 old mail server\r\n"),
            ("expect", rb"^EHLO"),
            ("send", b"502 what?\r\n"),
            ("expect", rb"^HELO "),
            ("send", b"250 hello\r\n"),
        ])
        self.add_account("pop3", server.port)
        result = self.send("--to", "ada@example.org", "--subject", "helo", check=False)
        received = server.wait()
        # HELO went fine; such a server offers no login, and none is tried.
        self.assertEqual(result.returncode, 4, result.stderr)
        self.assertFalse(any(line.startswith((b"AUTH", b"MAIL")) for line in received))

    def test_ehlo_after_starttls_refused(self):
        server = ScriptedServer([
            ("send", b"220 mail ESMTP\r\n"),
            ("expect", rb"^EHLO"),
            ("send", b"250-mail\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"),
            ("expect", rb"^STARTTLS"),
            ("send", b"220 go ahead\r\n"),
            ("starttls",),
            ("expect", rb"^EHLO"),
            ("send", b"554 no service\r\n"),
        ])
        self.add_account("imap", server.port, "starttls")
        result = self.send("--to", "ada@example.org", "--subject", "after tls", check=False)
        received = server.wait()
        self.assertNotEqual(result.returncode, 0, result.stderr)
        self.assertFalse(any(line.startswith((b"AUTH", b"MAIL")) for line in received))
        [item] = self.outbox()
        self.assertEqual(item["state"], "queued")

    def test_too_large_for_the_server(self):
        server = ScriptedServer([
            ("starttls",),
            ("send", b"220 mail ESMTP\r\n"),
            ("expect", rb"^EHLO"),
            ("send", b"250-mail\r\n250-SIZE 200\r\n250 AUTH PLAIN\r\n"),
            ("expect", rb"^AUTH PLAIN"),
            ("send", b"235 ok\r\n"),
        ])
        self.add_account("imap", server.port)
        result = self.send("--to", "ada@example.org", "--subject", "big", body="x" * 500,
                           check=False)
        received = server.wait()
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("larger than", result.stderr)
        self.assertFalse(any(line.startswith((b"MAIL", b"RCPT", b"DATA")) for line in received))
        [item] = self.outbox()
        self.assertEqual(item["state"], "failed")

    def test_starttls_missing_sends_nothing(self):
        server = ScriptedServer([
            ("send", b"220 mail ESMTP\r\n"),
            ("expect", rb"^EHLO"),
            ("send", b"250-mail\r\n250 AUTH PLAIN LOGIN\r\n"),
        ])
        self.add_account("imap", server.port, "starttls")
        result = self.send("--to", "ada@example.org", "--subject", "no tls", check=False)
        received = server.wait()
        self.assertEqual(result.returncode, 5, result.stderr)
        for line in received:
            self.assertFalse(line.upper().startswith((b"AUTH", b"MAIL", b"RCPT", b"DATA")), line)
            self.assertNotIn(self.password.encode(), line)
        [item] = self.outbox()
        self.assertEqual(item["state"], "queued")

    def test_connection_lost_after_data_is_unknown(self):
        server = ScriptedServer([
            ("starttls",),
            ("send", b"220 mail ESMTP\r\n"),
            ("expect", rb"^EHLO"),
            ("send", b"250-mail\r\n250 AUTH PLAIN\r\n"),
            ("expect", rb"^AUTH PLAIN"),
            ("send", b"235 ok\r\n"),
            ("expect", rb"^MAIL FROM"),
            ("send", b"250 ok\r\n"),
            ("expect", rb"^RCPT TO"),
            ("send", b"250 ok\r\n"),
            ("expect", rb"^DATA"),
            ("send", b"354 go\r\n"),
            ("skip_until", rb"^\.$"),
            ("close",),
        ])
        self.add_account("imap", server.port)
        result = self.send("--to", "ada@example.org", "--subject", "lost", check=False)
        server.wait()
        self.assertEqual(result.returncode, 1, result.stderr)
        [item] = self.outbox()
        self.assertEqual(item["state"], "unknown")
        # Not sent again by itself.
        self.send("--to", "bob@example.org", "--subject", "another", check=False)
        self.assertEqual([i["state"] for i in self.outbox() if i["subject"] == "lost"], ["unknown"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
