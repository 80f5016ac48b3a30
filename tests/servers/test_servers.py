#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test servers are what the other tests take them to be.

Checked with Python's own IMAP, POP3 and SMTP clients, so that a failure
here points at the harness (tests/servers/), not at Satchel.
"""

import email
import imaplib
import os
import poplib
import smtplib
import ssl
import subprocess
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mailctl  # noqa: E402

HOST = os.environ.get("SATCHEL_TEST_HOST", "127.0.0.1")


def port(name):
    return int(os.environ[f"SATCHEL_TEST_{name}_PORT"])


def verified():
    context = ssl.create_default_context(cafile=os.environ["SATCHEL_TEST_CA"])
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class Servers(unittest.TestCase):
    def setUp(self):
        if "SATCHEL_TEST_SERVERS" not in os.environ:
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")
        self.user, self.password = mailctl.new_user()

    def test_imap_starttls_and_implicit_tls(self):
        conn = imaplib.IMAP4(HOST, port("IMAP"))
        self.assertIn("STARTTLS", conn.capabilities)
        conn.starttls(verified())
        conn.login(self.user, self.password)
        conn.logout()

        conn = imaplib.IMAP4_SSL(HOST, port("IMAPS"), ssl_context=verified())
        conn.login(self.user, self.password)
        with self.assertRaises(imaplib.IMAP4.error):
            imaplib.IMAP4_SSL(HOST, port("IMAPS"),
                              ssl_context=verified()).login(self.user, "wrong")
        conn.logout()

    def test_certificate_is_for_localhost_from_the_run_ca(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            imaplib.IMAP4_SSL(HOST, port("IMAPS"), ssl_context=ssl.create_default_context())
        self_signed = ssl.create_default_context(cafile=os.environ["SATCHEL_TEST_SELFSIGNED_CERT"])
        with self.assertRaises(ssl.SSLCertVerificationError):
            imaplib.IMAP4_SSL(HOST, port("IMAPS"), ssl_context=self_signed)

    def test_special_use_folders(self):
        names = {f["name"]: f["flags"] for f in mailctl.folders(self.user, self.password)}
        for name in ("Drafts", "Sent", "Trash", "Junk", "Archive"):
            self.assertIn("\\" + name, names[name])
        self.assertIn("INBOX", names)

    def test_pop3_stls_and_implicit_tls(self):
        mailctl.fill(self.user, "INBOX", 3)
        pop = poplib.POP3(HOST, port("POP3"))
        self.assertIn("STLS", pop.capa())
        pop.stls(verified())
        pop.user(self.user)
        pop.pass_(self.password)
        self.assertEqual(pop.stat()[0], 3)
        self.assertEqual(len(pop.uidl()[1]), 3)
        pop.quit()

        pop = poplib.POP3_SSL(HOST, port("POP3S"), context=verified())
        pop.user(self.user)
        pop.pass_(self.password)
        raw = b"\r\n".join(pop.retr(1)[1])
        self.assertIn(b"Message-ID: <gen.0.1@satchel.test>", raw)
        pop.quit()

    def test_smtp_submission(self):
        before = len(mailctl.sent_messages())
        raw = (b"From: %s@localhost\r\nTo: someone@example.org\r\nSubject: Hello\r\n"
               b"Message-ID: <%s@test>\r\n\r\nBody line\r\n") % (self.user.encode(),
                                                                  self.user.encode())
        # STARTTLS is required before AUTH or mail on the submission port.
        smtp = smtplib.SMTP(HOST, port("SMTP"))
        smtp.ehlo()
        self.assertTrue(smtp.has_extn("starttls"))
        with self.assertRaises(smtplib.SMTPException):
            smtp.login(self.user, self.password)
        smtp.close()

        smtp = smtplib.SMTP(HOST, port("SMTP"))
        smtp.starttls(context=verified())
        smtp.login(self.user, self.password)
        refused = smtp.sendmail(f"{self.user}@localhost",
                                ["someone@example.org", "reject-me@example.org"], raw)
        self.assertEqual(list(refused), ["reject-me@example.org"])
        self.assertEqual(refused["reject-me@example.org"][0], 550)
        smtp.quit()

        smtp = smtplib.SMTP_SSL(HOST, port("SMTPS"), context=verified())
        with self.assertRaises(smtplib.SMTPAuthenticationError):
            smtp.login(self.user, "wrong")
        smtp.login(self.user, self.password)
        smtp.sendmail(f"{self.user}@localhost", ["other@example.org"], raw)
        smtp.quit()

        sent = mailctl.sent_messages()[before:]
        mine = [m for m in sent if m["mail_from"] == f"{self.user}@localhost"]
        self.assertEqual(len(mine), 2)
        self.assertEqual(mine[0]["rcpt_tos"], ["someone@example.org"])
        self.assertTrue(mine[0]["tls"])
        self.assertEqual(email.message_from_bytes(mine[0]["raw"])["Subject"], "Hello")

    def test_changes_from_outside(self):
        mailctl.fill(self.user, "Archive", 5, seed=7, uidvalidity=1234)
        msgs = mailctl.messages(self.user, self.password, "Archive", bodies=True)
        self.assertEqual([m["uid"] for m in msgs], [1, 2, 3, 4, 5])
        self.assertEqual(msgs[2]["message_id"], "<gen.7.3@satchel.test>")
        self.assertEqual(len(msgs[0]["sha256"]), 64)

        uid = mailctl.append(self.user, self.password, "Archive",
                             mailctl.make_message(99, seed=7), flags=["\\Flagged"])
        self.assertEqual(uid, 6)
        mailctl.store_flags(self.user, self.password, "Archive", 2, "+\\Seen")
        mailctl.expunge(self.user, self.password, "Archive", [1])
        msgs = {m["uid"]: m for m in mailctl.messages(self.user, self.password, "Archive")}
        self.assertNotIn(1, msgs)
        self.assertEqual(msgs[2]["flags"], ["\\Seen"])
        self.assertEqual(msgs[6]["flags"], ["\\Flagged"])

        mailctl.folder_op(self.user, self.password, "create", "Projects/Satchel")
        mailctl.folder_op(self.user, self.password, "rename", "Projects/Satchel", "Projects/Bag")
        names = [f["name"] for f in mailctl.folders(self.user, self.password)]
        self.assertIn("Projects/Bag", names)
        self.assertNotIn("Projects/Satchel", names)

        conn = mailctl.imap(self.user, self.password)
        self.assertEqual(conn.status("Archive", "(UIDVALIDITY)")[1][0],
                         b'Archive (UIDVALIDITY 1234)')
        conn.logout()
        mailctl.set_uidvalidity(self.user, "Archive", 4321)
        conn = mailctl.imap(self.user, self.password)
        self.assertEqual(conn.status("Archive", "(UIDVALIDITY)")[1][0],
                         b'Archive (UIDVALIDITY 4321)')
        conn.logout()

    def test_user_with_own_password(self):
        user = "own" + uuid.uuid4().hex[:8]
        mailctl.adduser(user, "Open sesame 42!")
        mailctl.imap(user, "Open sesame 42!").logout()
        with self.assertRaises(imaplib.IMAP4.error):
            mailctl.imap(user, "Open sesame 43!")

    def test_keyring_is_unlocked(self):
        secret = uuid.uuid4().hex
        subprocess.run(["secret-tool", "store", "--label", "probe", "probe", self.user],
                       input=secret.encode(), check=True, timeout=30)
        out = subprocess.run(["secret-tool", "lookup", "probe", self.user],
                             capture_output=True, check=True, timeout=30).stdout
        self.assertEqual(out.decode(), secret)

    def test_display(self):
        out = subprocess.run(["xdpyinfo"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("1280x800", out.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
