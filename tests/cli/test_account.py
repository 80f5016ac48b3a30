#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""satchel-cli account ...: the contract of README.md ("satchel-cli"), driven
as a script or a user would, with the real keyring of the test servers."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

CLI = os.environ.get("SATCHEL_CLI")
SERVERS = os.environ.get("SATCHEL_TEST_SERVERS") == "1"


def requires_servers(test):
    if SERVERS or os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
        return test
    return unittest.skip("needs the test servers: run with build-aux/test")(test)


class CliTestCase(unittest.TestCase):
    def setUp(self):
        self.profile = tempfile.mkdtemp(prefix="satchel-cli-test-")
        self.addCleanup(shutil.rmtree, self.profile, True)

    def cli(self, *args, password=None, env=None, profile=True):
        argv = [CLI]
        if profile:
            argv += ["--profile", self.profile]
        argv += list(args)
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(argv, input=(password + "\n") if password is not None else "",
                              capture_output=True, text=True, env=full_env, timeout=60)

    def ok(self, *args, **kwargs):
        result = self.cli(*args, **kwargs)
        self.assertEqual(result.returncode, 0, f"{args}: {result.stderr}")
        return result

    def usage_error(self, *args, contains=None, **kwargs):
        result = self.cli(*args, **kwargs)
        self.assertEqual(result.returncode, 2, f"{args}: {result.stdout} {result.stderr}")
        lines = [l for l in result.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, f"one line saying what is wrong: {result.stderr!r}")
        self.assertTrue(lines[0].startswith("satchel-cli: "), lines[0])
        if contains:
            self.assertIn(contains, lines[0])
        return result

    def add(self, email, *extra, password="s3cret pass", kind="imap", host="imap.example.org"):
        return self.ok("account", "add", "--email", email, "--kind", kind, "--host", host,
                       *extra, "--password-stdin", password=password)

    def show(self, account):
        return json.loads(self.ok("account", "show", account, "--json").stdout)

    def db_files(self):
        base = os.path.join(self.profile, "satchel.db")
        return [p for p in (base, base + "-wal", base + "-shm") if os.path.exists(p)]

    def uuid_of(self, email):
        db = sqlite3.connect(os.path.join(self.profile, "satchel.db"))
        try:
            row = db.execute("SELECT uuid FROM account WHERE email = ?", (email,)).fetchone()
        finally:
            db.close()
        return row[0] if row else None

    def keyring_lookup(self, uuid, service):
        result = subprocess.run(["secret-tool", "lookup", "account", uuid, "service", service],
                                capture_output=True, text=True, timeout=30)
        return result.stdout if result.returncode == 0 else None


class AccountAdd(CliTestCase):
    @requires_servers
    def test_imap_defaults(self):
        out = self.add("ada@example.org")
        self.assertIn("ada@example.org", out.stdout)
        a = self.show("ada@example.org")
        self.assertEqual(a["kind"], "imap")
        self.assertEqual(a["host"], "imap.example.org")
        self.assertEqual(a["port"], 993)
        self.assertEqual(a["security"], "tls")
        self.assertEqual(a["user"], "ada@example.org")
        self.assertEqual(a["label"], "ada@example.org")
        self.assertIsNone(a["smtp-host"])
        self.assertFalse(a["keep-offline"])
        self.assertEqual(a["check-interval"], 10)

    @requires_servers
    def test_imap_everything(self):
        ca = os.environ.get("SATCHEL_TEST_CA")
        self.add("ada@example.org", "--name", "Ada Lovelace", "--label", "Work",
                 "--port", "1143", "--security", "starttls", "--user", "ada",
                 "--smtp-host", "smtp.example.org", "--smtp-port", "2525",
                 "--smtp-security", "starttls", "--smtp-user", "ada-out", "--keep-offline",
                 "--ca-file", ca, "--signature", "Ada\\nAnalyst")
        a = self.show("Work")
        self.assertEqual(a, {
            "label": "Work", "email": "ada@example.org", "name": "Ada Lovelace", "kind": "imap",
            "host": "imap.example.org", "port": 1143, "security": "starttls", "user": "ada",
            "smtp-host": "smtp.example.org", "smtp-port": 2525, "smtp-security": "starttls",
            "smtp-user": "ada-out", "keep-offline": True, "ca-file": ca, "check-interval": 10,
            "signature": "Ada\nAnalyst",
        })

    @requires_servers
    def test_pop3_options(self):
        self.add("bob@example.org", kind="pop3", host="pop.example.org")
        a = self.show("bob@example.org")
        self.assertEqual(a["port"], 995)
        self.assertTrue(a["leave-on-server"])
        self.assertIsNone(a["delete-after-days"])
        self.assertFalse(a["delete-when-deleted"])
        self.assertFalse(a["apop"])

        self.add("cy@example.org", "--security", "starttls", "--leave-on-server", "yes",
                 "--delete-after-days", "7", "--delete-when-deleted", "yes",
                 kind="pop3", host="pop.example.org")
        a = self.show("cy@example.org")
        self.assertEqual(a["port"], 110)
        self.assertEqual(a["delete-after-days"], 7)
        self.assertTrue(a["delete-when-deleted"])

        self.add("dee@example.org", "--leave-on-server", "no", kind="pop3",
                 host="pop.example.org")
        self.assertFalse(self.show("dee@example.org")["leave-on-server"])

    @requires_servers
    def test_insecure_needs_confirmation(self):
        self.usage_error("account", "add", "--email", "e@example.org", "--kind", "imap",
                         "--host", "imap.example.org", "--security", "none", "--password-stdin",
                         password="pw", contains="--allow-insecure")
        self.usage_error("account", "add", "--email", "e@example.org", "--kind", "imap",
                         "--host", "imap.example.org", "--smtp-host", "smtp.example.org",
                         "--smtp-security", "none", "--password-stdin", password="pw",
                         contains="--allow-insecure")
        self.assertEqual(json.loads(self.ok("account", "list", "--json").stdout), [])
        self.add("e@example.org", "--security", "none", "--allow-insecure")
        a = self.show("e@example.org")
        self.assertEqual(a["security"], "none")
        self.assertEqual(a["port"], 143)

    def test_bad_input(self):
        base = ["account", "add", "--kind", "imap", "--host", "imap.example.org",
                "--password-stdin"]
        cases = [
            (["--email", "not-an-address"], "not a valid email address"),
            (["--email", "a@example.org", "--security", "ssl"], "tls, starttls or none"),
            (["--email", "a@example.org", "--port", "0"], "port"),
            (["--email", "a@example.org", "--port", "65536"], "port"),
            (["--email", "a@example.org", "--port", "12ab"], "port"),
            (["--email", "a@example.org", "--smtp-host", "s.example.org", "--smtp-port", "-1"],
             "port"),
            (["--email", "a@example.org", "--host", "bad host"], "server name"),
            (["--email", "a@example.org", "--kind", "exchange"], "imap or pop3"),
            (["--email", "a@example.org", "--smtp-port", "587"], "without an outgoing server"),
            (["--email", "a@example.org", "--leave-on-server", "no"], "POP3"),
            (["--email", "a@example.org", "--leave-on-server", "maybe"], "yes nor no"),
            (["--email", "a@example.org", "--ca-file", "/nonexistent/ca.pem"], "CA file"),
            (["--email", "a@example.org", "--frobnicate"], "frobnicate"),
        ]
        for extra, words in cases:
            with self.subTest(extra=extra):
                self.usage_error(*base, *extra, password="pw", contains=words)
        # A POP3 account does not "keep offline": it always does.
        self.usage_error("account", "add", "--email", "a@example.org", "--kind", "pop3",
                         "--host", "pop.example.org", "--keep-offline", "--password-stdin",
                         password="pw", contains="IMAP")
        # Required options.
        self.usage_error("account", "add", "--email", "a@example.org", "--kind", "imap",
                         "--password-stdin", password="pw", contains="--host")
        self.usage_error("account", "add", "--email", "a@example.org", "--kind", "imap",
                         "--host", "h.example.org", password="pw", contains="--password-stdin")
        # An empty password.
        self.usage_error("account", "add", "--email", "a@example.org", "--kind", "imap",
                         "--host", "h.example.org", "--password-stdin", password="",
                         contains="password")

    @requires_servers
    def test_duplicates(self):
        self.add("ada@example.org", "--label", "Work")
        self.usage_error("account", "add", "--email", "ADA@example.org", "--kind", "pop3",
                         "--host", "pop.example.org", "--password-stdin", password="pw",
                         contains="already an account")
        self.usage_error("account", "add", "--email", "bob@example.org", "--label", "Work",
                         "--kind", "imap", "--host", "imap.example.org", "--password-stdin",
                         password="pw", contains="Work")
        self.assertEqual(len(json.loads(self.ok("account", "list", "--json").stdout)), 1)


class Passwords(CliTestCase):
    @requires_servers
    def test_password_goes_to_keyring_only(self):
        password = "Tr0ub4dor&3 ünïcode"
        self.add("ada@example.org", "--smtp-host", "smtp.example.org", password=password)
        uuid = self.uuid_of("ada@example.org")
        self.assertEqual(self.keyring_lookup(uuid, "incoming"), password)
        self.assertEqual(self.keyring_lookup(uuid, "outgoing"), password)
        self.assertIn("saved in the keyring", self.ok("account", "show", "ada@example.org").stdout)
        # Not in the database, its log, or anywhere in the profile.
        for dirpath, _dirs, files in os.walk(self.profile):
            for name in files:
                with open(os.path.join(dirpath, name), "rb") as f:
                    self.assertNotIn(password.encode(), f.read(), name)

    @requires_servers
    def test_set_password(self):
        self.add("ada@example.org", password="old")
        uuid = self.uuid_of("ada@example.org")
        self.ok("account", "set", "ada@example.org", "password-stdin", password="new one")
        self.assertEqual(self.keyring_lookup(uuid, "incoming"), "new one")

    @requires_servers
    def test_remove_forgets_password(self):
        self.add("ada@example.org", "--smtp-host", "smtp.example.org", password="pw-remove")
        uuid = self.uuid_of("ada@example.org")
        self.ok("account", "remove", "ada@example.org")
        self.assertIsNone(self.keyring_lookup(uuid, "incoming"))
        self.assertIsNone(self.keyring_lookup(uuid, "outgoing"))
        self.assertEqual(json.loads(self.ok("account", "list", "--json").stdout), [])
        self.usage_error("account", "remove", "ada@example.org", contains="no account")

    @requires_servers
    def test_without_keyring(self):
        bare = {"DBUS_SESSION_BUS_ADDRESS": os.environ["SATCHEL_TEST_BARE_BUS_ADDRESS"]}
        result = self.cli("account", "add", "--email", "ada@example.org", "--kind", "imap",
                          "--host", "imap.example.org", "--password-stdin",
                          password="no-keyring-pw", env=bare)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("keyring", result.stderr)
        self.assertIn("this session only", result.stderr)
        self.assertNotIn("no-keyring-pw", result.stderr + result.stdout)
        for path in self.db_files():
            with open(path, "rb") as f:
                self.assertNotIn(b"no-keyring-pw", f.read())
        # The account was saved all the same.
        self.assertEqual(self.show("ada@example.org")["host"], "imap.example.org")
        shown = self.cli("account", "show", "ada@example.org", env=bare)
        self.assertIn("no keyring", shown.stdout)


class AccountListShowSet(CliTestCase):
    @requires_servers
    def test_list(self):
        result = self.ok("account", "list")
        self.assertEqual(result.stdout, "")
        self.assertIn("no accounts", result.stderr)
        self.add("ada@example.org", "--label", "Work")
        self.add("bob@example.org", "--smtp-host", "smtp.example.org", kind="pop3",
                 host="pop.example.org")
        lines = self.ok("account", "list").stdout.splitlines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(lines[0].startswith("Work\tada@example.org\timap\timap.example.org:993"))
        self.assertIn("smtp.example.org:465", lines[1])
        listed = json.loads(self.ok("account", "list", "--json").stdout)
        self.assertEqual([a["email"] for a in listed], ["ada@example.org", "bob@example.org"])

    @requires_servers
    def test_show_unknown(self):
        self.usage_error("account", "show", "nobody@example.org", contains="nobody@example.org")

    @requires_servers
    def test_set(self):
        self.add("ada@example.org")
        self.ok("account", "set", "ada@example.org", "security", "starttls")
        a = self.show("ada@example.org")
        self.assertEqual((a["security"], a["port"]), ("starttls", 143))
        self.ok("account", "set", "ada@example.org", "port", "10143")
        self.assertEqual(self.show("ada@example.org")["port"], 10143)
        self.ok("account", "set", "ada@example.org", "label", "Work")
        self.assertEqual(self.show("Work")["email"], "ada@example.org")
        self.ok("account", "set", "Work", "smtp-host", "smtp.example.org")
        self.ok("account", "set", "Work", "smtp-security", "starttls")
        a = self.show("Work")
        self.assertEqual((a["smtp-host"], a["smtp-port"]), ("smtp.example.org", 587))
        self.ok("account", "set", "Work", "check-interval", "3")
        self.assertEqual(self.show("Work")["check-interval"], 3)
        self.ok("account", "set", "Work", "email", "ada@lovelace.example")
        self.assertEqual(self.show("Work")["user"], "ada@lovelace.example")

        # The same checks as add.
        self.usage_error("account", "set", "Work", "port", "99999", contains="port")
        self.usage_error("account", "set", "Work", "security", "none", contains="--allow-insecure")
        self.usage_error("account", "set", "Work", "leave-on-server", "no", contains="POP3")
        self.usage_error("account", "set", "Work", "kind", "pop3", contains="kind")
        self.usage_error("account", "set", "Work", "colour", "blue", contains="colour")
        self.usage_error("account", "set", "Work", "email", "broken", contains="broken")
        self.usage_error("account", "set", "Nobody", "port", "993", contains="Nobody")
        self.assertEqual(self.show("Work")["port"], 10143)
        self.ok("account", "set", "Work", "security", "none", "--allow-insecure")
        self.assertEqual(self.show("Work")["security"], "none")
        # Other settings of a confirmed unencrypted account may change.
        self.ok("account", "set", "Work", "check-interval", "4")


class Profiles(CliTestCase):
    @requires_servers
    def test_profile_locations(self):
        home = tempfile.mkdtemp(prefix="satchel-cli-home-")
        self.addCleanup(shutil.rmtree, home, True)
        xdg = {"XDG_DATA_HOME": os.path.join(home, "data"),
               "XDG_CONFIG_HOME": os.path.join(home, "config")}
        env = dict(xdg)
        env.pop("SATCHEL_PROFILE", None)
        result = self.cli("account", "add", "--email", "x@example.org", "--kind", "imap",
                          "--host", "imap.example.org", "--password-stdin", password="pw",
                          env=env, profile=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists(os.path.join(home, "data", "satchel", "satchel.db")))
        self.assertEqual(oct(os.stat(os.path.join(home, "data", "satchel")).st_mode & 0o777),
                         "0o700")

        other = os.path.join(home, "other")
        env["SATCHEL_PROFILE"] = other
        result = self.cli("account", "list", "--json", env=env, profile=False)
        self.assertEqual(json.loads(result.stdout), [])
        self.assertTrue(os.path.exists(os.path.join(other, "satchel.db")))
        # --profile wins over SATCHEL_PROFILE.
        result = self.cli("--profile", os.path.join(home, "data", "satchel"), "account", "list",
                          "--json", env=env, profile=False)
        self.assertEqual(len(json.loads(result.stdout)), 1)

    def test_not_a_store(self):
        path = os.path.join(self.profile, "satchel.db")
        with open(path, "wb") as f:
            f.write(b"This is somebody's notes, not a database.\n" * 10)
        before = hashlib.sha256(open(path, "rb").read()).hexdigest()
        result = self.cli("account", "list")
        self.assertEqual(result.returncode, 1)
        self.assertIn("not a Satchel mail store", result.stderr)
        self.assertIn("left untouched", result.stderr)
        self.assertEqual(hashlib.sha256(open(path, "rb").read()).hexdigest(), before)


class Usage(CliTestCase):
    def test_help_and_version(self):
        self.assertRegex(self.ok("--version", profile=False).stdout, r"^satchel-cli \d+\.\d+")
        self.assertIn("account", self.ok("--help", profile=False).stdout)
        self.assertIn("add", self.ok("account", "--help").stdout)
        for sub in ("add", "list", "show", "set", "remove"):
            with self.subTest(sub=sub):
                self.assertIn("Usage", self.ok("account", sub, "--help").stdout)

    def test_unknown(self):
        self.assertEqual(self.cli().returncode, 2)
        self.usage_error("frobnicate", contains="frobnicate")
        self.usage_error("account", "frobnicate", contains="frobnicate")
        self.assertEqual(self.cli("--bogus", profile=False).returncode, 2)


if __name__ == "__main__":
    if not CLI:
        sys.exit("SATCHEL_CLI is not set: run through meson test")
    unittest.main(verbosity=2)
