#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""satchel-cli account test and trust: logging in to the real Dovecot and
SMTP server of the test run, certificates refused, pinned and changed,
and the exit codes of the contract; with a scripted server, what a client
must never do (send a password before TLS, go on in plain text)."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
import mailctl  # noqa: E402
from scripted import ScriptedServer  # noqa: E402

CLI = os.environ.get("SATCHEL_CLI")


def port(name):
    return os.environ[f"SATCHEL_TEST_{name}_PORT"]


class LoginTestCase(unittest.TestCase):
    def setUp(self):
        if "SATCHEL_TEST_SERVERS" not in os.environ:
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")
        self.profile = tempfile.mkdtemp(prefix="satchel-login-test-")
        self.addCleanup(shutil.rmtree, self.profile, True)
        self.user, self.password = mailctl.new_user()
        self.ca = os.environ["SATCHEL_TEST_CA"]

    def cli(self, *args, stdin=""):
        return subprocess.run([CLI, "--profile", self.profile, *args], input=stdin,
                              capture_output=True, text=True, timeout=120)

    def add(self, name, *options, password=None, host="localhost"):
        email = f"{name}-{self.user}@example.org"
        result = self.cli("account", "add", "--email", email, "--host", host, "--user", self.user,
                          *options, "--password-stdin",
                          stdin=(password or self.password) + "\n")
        self.assertEqual(result.returncode, 0, result.stderr)
        return email

    def assert_exit(self, result, code, *words):
        self.assertEqual(result.returncode, code, f"{result.stdout}\n{result.stderr}")
        for word in words:
            self.assertIn(word, result.stdout + result.stderr)


class Login(LoginTestCase):
    def test_every_protocol_and_security(self):
        accounts = [
            self.add("imaps", "--kind", "imap", "--port", port("IMAPS"), "--ca-file", self.ca,
                     "--smtp-host", "localhost", "--smtp-port", port("SMTPS")),
            self.add("imap", "--kind", "imap", "--port", port("IMAP"), "--security", "starttls",
                     "--ca-file", self.ca, "--smtp-host", "localhost", "--smtp-port", port("SMTP"),
                     "--smtp-security", "starttls"),
            self.add("pop3s", "--kind", "pop3", "--port", port("POP3S"), "--ca-file", self.ca),
            self.add("pop3", "--kind", "pop3", "--port", port("POP3"), "--security", "starttls",
                     "--ca-file", self.ca),
        ]
        for account in accounts:
            with self.subTest(account=account):
                result = self.cli("account", "test", account)
                self.assert_exit(result, 0, "incoming: Logged in to localhost", "TLS 1.")
                if account.startswith("imap"):
                    self.assertIn("outgoing: Logged in to localhost", result.stdout)

    def test_only_one_server(self):
        account = self.add("both", "--kind", "imap", "--port", port("IMAPS"), "--ca-file", self.ca,
                           "--smtp-host", "localhost", "--smtp-port", port("SMTPS"))
        result = self.cli("account", "test", account, "outgoing")
        self.assert_exit(result, 0, "outgoing:")
        self.assertNotIn("incoming:", result.stdout)
        result = self.cli("account", "test", account, "incoming")
        self.assert_exit(result, 0, "incoming:")
        self.assertNotIn("outgoing:", result.stdout)
        self.assert_exit(self.cli("account", "test", account, "sideways"), 2)

    def test_wrong_password(self):
        for kind, p in (("imap", "IMAPS"), ("pop3", "POP3S")):
            account = self.add(kind, "--kind", kind, "--port", port(p), "--ca-file", self.ca,
                               password="not the password")
            with self.subTest(kind=kind):
                result = self.cli("account", "test", account)
                self.assert_exit(result, 4, "refused the password for " + self.user)
                self.assertNotIn("not the password", result.stdout + result.stderr)
        account = self.add("smtp", "--kind", "imap", "--port", port("IMAPS"), "--ca-file", self.ca,
                           "--smtp-host", "localhost", "--smtp-port", port("SMTPS"),
                           password="not the password")
        result = self.cli("account", "test", account, "outgoing")
        self.assert_exit(result, 4, "refused the password")

    def test_first_failure_decides(self):
        # The incoming login is refused (4); the outgoing server has no
        # STARTTLS (5): the exit code is the first failure's.
        account = self.add("mixed", "--kind", "imap", "--port", port("IMAPS"),
                           "--ca-file", self.ca, "--smtp-host", "localhost",
                           "--smtp-port", port("SMTP_PLAIN"), "--smtp-security", "starttls",
                           password="wrong")
        result = self.cli("account", "test", account)
        self.assert_exit(result, 4, "incoming:", "outgoing:", "STARTTLS")

    def test_cannot_connect(self):
        closed = str(mailctl_free_port())
        account = self.add("closed", "--kind", "imap", "--port", closed, "--ca-file", self.ca)
        self.assert_exit(self.cli("account", "test", account), 1, "refused the connection")
        account = self.add("nowhere", "--kind", "imap", host="no-such-host.invalid")
        self.assert_exit(self.cli("account", "test", account), 1, "was not found")

    def test_starttls_missing_is_insecure(self):
        account = self.add("plainsmtp", "--kind", "imap", "--port", port("IMAPS"),
                           "--ca-file", self.ca, "--smtp-host", "localhost",
                           "--smtp-port", port("SMTP_PLAIN"), "--smtp-security", "starttls")
        self.assert_exit(self.cli("account", "test", account, "outgoing"), 5,
                         "does not offer STARTTLS")

    def test_unencrypted_by_choice(self):
        account = self.add("clear", "--kind", "imap", "--port", port("IMAPS"),
                           "--ca-file", self.ca, "--smtp-host", "localhost",
                           "--smtp-port", port("SMTP_PLAIN"), "--smtp-security", "none",
                           "--allow-insecure")
        self.assert_exit(self.cli("account", "test", account, "outgoing"), 0,
                         "not encrypted")


def mailctl_free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    free = s.getsockname()[1]
    s.close()
    return free


class Certificates(LoginTestCase):
    def fingerprint_of(self, result):
        match = re.search(r"^fingerprint: ([0-9a-f]{64})$", result.stderr + result.stdout, re.M)
        self.assertIsNotNone(match, result.stderr)
        return match.group(1)

    def test_untrusted_then_pinned(self):
        account = self.add("pin", "--kind", "imap", "--port", port("IMAPS"))
        result = self.cli("account", "test", account)
        self.assert_exit(result, 3, "cannot be trusted", "issuer: CN=Satchel Test CA")
        fingerprint = self.fingerprint_of(result)

        # A fingerprint that is not the presented one pins nothing.
        wrong = "00" * 32
        result = self.cli("trust", account, "--fingerprint", wrong)
        self.assert_exit(result, 3, "nothing was pinned")
        self.assert_exit(self.cli("account", "test", account), 3)
        self.assert_exit(self.cli("trust", account, "--fingerprint", "abc"), 2)

        # The right one, with colons and capitals as people copy them.
        pretty = ":".join(fingerprint[i:i + 2] for i in range(0, 64, 2)).upper()
        result = self.cli("trust", account, "--fingerprint", pretty)
        self.assert_exit(result, 0, "Pinned it for localhost port " + port("IMAPS"))
        self.assert_exit(self.cli("account", "test", account), 0, "Logged in")

        # The pin serves that host and port only: not the STARTTLS port of
        # the same server, not the same server under another name.
        other_port = self.add("pin2", "--kind", "imap", "--port", port("IMAP"),
                              "--security", "starttls")
        self.assert_exit(self.cli("account", "test", other_port), 3)
        other_name = self.add("pin3", "--kind", "imap", "--port", port("IMAPS"),
                              host="127.0.0.1")
        self.assert_exit(self.cli("account", "test", other_name), 3)
        # A second account on the pinned host and port shares the pin.
        same = self.add("pin4", "--kind", "imap", "--port", port("IMAPS"))
        self.assert_exit(self.cli("account", "test", same), 0, "Logged in")

    def test_trust_without_fingerprint_pins(self):
        account = self.add("trust", "--kind", "pop3", "--port", port("POP3"),
                           "--security", "starttls")
        self.assert_exit(self.cli("account", "test", account), 3)
        result = self.cli("trust", account)
        self.assert_exit(result, 0, "subject: CN=localhost", "problems:", "Pinned it")
        self.assert_exit(self.cli("account", "test", account), 0, "Logged in")

    def test_changed_certificate_is_refused(self):
        # Pin the certificate that another server presents on a port, then
        # connect to the real server there: a different certificate.
        account = self.add("changed", "--kind", "imap", "--port", port("IMAPS"))
        selfsigned = open(os.environ["SATCHEL_TEST_SELFSIGNED_CERT"]).read()
        digest = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
                                input=selfsigned, capture_output=True, text=True,
                                check=True).stdout.split("=", 1)[1].strip()
        db = os.path.join(self.profile, "satchel.db")
        import sqlite3
        conn = sqlite3.connect(db)
        conn.execute("INSERT INTO cert_pin (host, port, sha256, added) VALUES (?, ?, ?, 0)",
                     ("localhost", int(port("IMAPS")), digest.replace(":", "").lower()))
        conn.commit()
        conn.close()
        result = self.cli("account", "test", account)
        self.assert_exit(result, 3, "cannot be trusted")
        self.assertNotEqual(self.fingerprint_of(result), digest.replace(":", "").lower())

    def leaf(self, name):
        """A certificate for @name signed by the run's CA: (cert, key)."""
        certs = os.path.dirname(self.ca)
        key = os.path.join(self.profile, "other-key.pem")
        csr = os.path.join(self.profile, "other.csr")
        cert = os.path.join(self.profile, "other.pem")
        ext = os.path.join(self.profile, "other.ext")
        with open(ext, "w") as f:
            f.write(f"subjectAltName=DNS:{name}\nextendedKeyUsage=serverAuth\n")
        subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr,
                        "-subj", f"/CN={name}"], check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", self.ca,
                        "-CAkey", os.path.join(certs, "ca-key.pem"), "-CAcreateserial",
                        "-CAserial", os.path.join(self.profile, "ca.srl"), "-out", cert,
                        "-days", "2", "-extfile", ext], check=True, capture_output=True)
        return cert, key

    def test_own_ca_does_not_vouch_for_another_name(self):
        # Signed by the CA of the account's CA file, but for another host:
        # refused, and no password is sent.
        server = ScriptedServer([("starttls",),
                                 ("send", b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")],
                                cert=self.leaf("mail.example.net"))
        account = self.add("name", "--kind", "imap", "--port", str(server.port),
                           "--ca-file", self.ca)
        result = self.cli("account", "test", account)
        self.assert_exit(result, 3, "cannot be trusted", "subject: CN=mail.example.net")
        for line in server.wait():
            self.assertNotIn(self.password.encode(), line)

        # The same CA and a certificate for the name asked for: trusted.
        server = ScriptedServer([("starttls",),
                                 ("send", b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"),
                                 ("expect", rb"^(\S+) AUTHENTICATE PLAIN"),
                                 ("send", b"{1} OK welcome\r\n"),
                                 ("expect", rb"^(\S+) LOGOUT"),
                                 ("send", b"* BYE\r\n{1} OK bye\r\n")],
                                cert=self.leaf("localhost"))
        account = self.add("name2", "--kind", "imap", "--port", str(server.port),
                           "--ca-file", self.ca)
        self.assert_exit(self.cli("account", "test", account), 0, "Logged in")
        server.wait()


class Scripted(LoginTestCase):
    """Servers that try to make the client go on in plain text."""

    def scripted_account(self, server, kind="imap", security="starttls"):
        return self.add(f"s{server.port}", "--kind", kind, "--port", str(server.port),
                        "--security", security, "--ca-file", self.ca)

    def assert_no_secret(self, received):
        for line in received:
            self.assertNotIn(self.password.encode(), line)
            self.assertNotRegex(line, rb"(?i)^\S+ (LOGIN|AUTHENTICATE)|^(USER|PASS|AUTH) ")

    def test_imap_without_starttls(self):
        server = ScriptedServer([
            ("send", b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"),
        ])
        result = self.cli("account", "test", self.scripted_account(server))
        self.assert_exit(result, 5, "does not offer STARTTLS")
        self.assert_no_secret(server.wait())

    def test_imap_starttls_refused(self):
        server = ScriptedServer([
            ("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
            ("expect", rb"^(\S+) STARTTLS$"),
            ("send", b"{1} BAD no TLS today\r\n"),
        ])
        result = self.cli("account", "test", self.scripted_account(server))
        self.assert_exit(result, 5, "refused to encrypt")
        self.assert_no_secret(server.wait())

    def test_imap_preauth_on_plain_connection(self):
        server = ScriptedServer([("send", b"* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n")])
        result = self.cli("account", "test", self.scripted_account(server))
        self.assert_exit(result, 5, "PREAUTH")
        self.assert_no_secret(server.wait())

    def test_imap_injection_before_tls(self):
        server = ScriptedServer([
            ("send", b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"),
            ("expect", rb"^(\S+) STARTTLS$"),
            ("send", b"{1} OK begin TLS\r\n* 5 EXISTS\r\n"),
        ])
        result = self.cli("account", "test", self.scripted_account(server))
        self.assert_exit(result, 5, "before the encrypted connection")
        self.assert_no_secret(server.wait())

    def test_imap_garbage_greeting(self):
        server = ScriptedServer([("send", b"HTTP/1.1 400 Bad Request\r\n\r\n")])
        result = self.cli("account", "test", self.scripted_account(server))
        self.assert_exit(result, 5)
        self.assert_no_secret(server.wait())

    def test_imap_reply_to_unsent_command(self):
        # On an implicit-TLS port: once the session is secure, a protocol
        # violation is exit 1.
        server = ScriptedServer([
            ("starttls",),
            ("send", b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] ready\r\n"),
            ("send", b"zz9 OK what?\r\n"),
        ])
        account = self.scripted_account(server, security="tls")
        result = self.cli("account", "test", account)
        self.assert_exit(result, 1, "never sent")

    def test_imap_literal_login_and_logindisabled(self):
        server = ScriptedServer([
            ("starttls",),
            ("send", b"* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready\r\n"),
        ])
        account = self.scripted_account(server, security="tls")
        self.assert_exit(self.cli("account", "test", account), 4, "no way to log in")

    def test_pop3_stls_refused(self):
        server = ScriptedServer([
            ("send", b"+OK POP3 ready\r\n"),
            ("expect", rb"^CAPA$"),
            ("send", b"+OK\r\nSTLS\r\nUSER\r\n.\r\n"),
            ("expect", rb"^STLS$"),
            ("send", b"-ERR not now\r\n"),
        ])
        result = self.cli("account", "test", self.scripted_account(server, kind="pop3"))
        self.assert_exit(result, 5, "refused to encrypt")
        self.assert_no_secret(server.wait())

    def test_pop3_in_use(self):
        server = ScriptedServer([
            ("starttls",),
            ("send", b"+OK POP3 ready\r\n"),
            ("expect", rb"^CAPA$"),
            ("send", b"+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n"),
            ("expect", rb"^AUTH PLAIN "),
            ("send", b"-ERR [IN-USE] Mailbox locked by another session\r\n"),
        ])
        result = self.cli("account", "test", self.scripted_account(server, kind="pop3",
                                                                    security="tls"))
        self.assert_exit(result, 1, "in use")

    def test_smtp_starttls_answered_oddly(self):
        server = ScriptedServer([
            ("send", b"220 smtp ready\r\n"),
            ("expect", rb"^EHLO "),
            ("send", b"250-smtp\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n"),
            ("expect", rb"^STARTTLS$"),
            ("send", b"250 sure, go ahead\r\n"),
        ])
        account = self.add(f"smtp{server.port}", "--kind", "imap", "--port", port("IMAPS"),
                           "--ca-file", self.ca, "--smtp-host", "localhost",
                           "--smtp-port", str(server.port), "--smtp-security", "starttls")
        result = self.cli("account", "test", account, "outgoing")
        self.assert_exit(result, 5, "refused to encrypt")
        self.assert_no_secret(server.wait())


if __name__ == "__main__":
    if not CLI:
        sys.exit("SATCHEL_CLI is not set: run through meson test")
    unittest.main(verbosity=2)
