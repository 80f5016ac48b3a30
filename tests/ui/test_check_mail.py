#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""One Satchel per user: what a second launch asks, the first one does.

Satchel runs on the user's own profile (a temporary XDG home) and owns
its name on the test session bus.

- `satchel --check-mail`: the account is POP3 (an IMAP Inbox would be
  watched in IDLE, and its new mail come without asking), and Satchel
  would not check again for an hour; new mail comes to the test Dovecot;
  `satchel --check-mail` returns at once, and the running Satchel then
  has the new mail in its store, as `satchel-cli list` reads it.
- `satchel --background`, as at login: it checks mail with no window;
  launching Satchel again shows its window.
- `satchel mailto:…`, as a link in another application runs it: the
  Satchel that runs opens a composer, titled with the link's subject."""

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

SATCHEL = os.environ.get("SATCHEL_BIN")
CLI = os.environ.get("SATCHEL_CLI")


class CheckMail(unittest.TestCase):
    def setUp(self):
        if not os.environ.get("SATCHEL_TEST_SERVERS") or not os.environ.get("DISPLAY"):
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")
        home = tempfile.mkdtemp(prefix="satchel-check-mail-")
        self.addCleanup(shutil.rmtree, home, True)
        # The user's own profile, in a home of this test's.
        self.env = dict(os.environ, XDG_DATA_HOME=os.path.join(home, "data"),
                        XDG_CONFIG_HOME=os.path.join(home, "config"),
                        XDG_CACHE_HOME=os.path.join(home, "cache"),
                        SATCHEL_CHECK_SECONDS="3600")
        self.env.pop("SATCHEL_PROFILE", None)
        self.user, self.password = mailctl.new_user("check")
        self.email = f"{self.user}@example.org"

    def cli(self, *args, stdin=""):
        result = subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True,
                                env=self.env, timeout=120)
        self.assertEqual(result.returncode, 0, f"satchel-cli {args}: {result.stderr}")
        return result.stdout

    def inbox_subjects(self):
        result = subprocess.run([CLI, "list", self.email, "INBOX", "--json"],
                                capture_output=True, text=True, env=self.env, timeout=60)
        if result.returncode != 0:
            self.last_error = result.stderr
            return []
        return sorted(row["subject"] for row in json.loads(result.stdout))

    def wait_for_subjects(self, subjects, timeout=30):
        deadline = time.monotonic() + timeout
        while self.inbox_subjects() != subjects:
            if time.monotonic() > deadline:
                self.fail(f"the Inbox has {self.inbox_subjects()}, not {subjects} "
                          f"({getattr(self, 'last_error', '')})")
            time.sleep(0.2)

    def add_account(self, kind, port):
        self.cli("account", "add", "--email", self.email, "--kind", kind, "--host",
                 "localhost", "--port", os.environ[port], "--user",
                 self.user, "--ca-file", os.environ["SATCHEL_TEST_CA"], "--password-stdin",
                 stdin=self.password + "\n")

    def start(self, *args):
        satchel = subprocess.Popen([SATCHEL, *args], env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        self.addCleanup(satchel.wait)
        self.addCleanup(satchel.kill)
        return satchel

    def visible_windows(self):
        """The titles of Satchel's windows that are shown on the display."""
        found = subprocess.run(["xdotool", "search", "--onlyvisible", "--class", "satchel"],
                               capture_output=True, text=True)
        titles = []
        for window in found.stdout.split():
            name = subprocess.run(["xdotool", "getwindowname", window], capture_output=True,
                                  text=True)
            titles.append(name.stdout.strip())
        return titles

    def test_running_satchel_checks(self):
        mailctl.append(self.user, self.password, "INBOX",
                       b"From: a@example.org\r\nSubject: First\r\n\r\nOne\r\n")
        self.add_account("pop3", "SATCHEL_TEST_POP3S_PORT")
        satchel = self.start()
        # Its first check, when it starts.
        self.wait_for_subjects(["First"])

        mailctl.append(self.user, self.password, "INBOX",
                       b"From: a@example.org\r\nSubject: Second\r\n\r\nTwo\r\n")
        started = time.monotonic()
        asked = subprocess.run([SATCHEL, "--check-mail"], env=self.env, capture_output=True,
                               text=True, timeout=30)
        self.assertEqual(asked.returncode, 0, asked.stderr)
        # It asked the one that runs, and did not stay to run itself.
        self.assertLess(time.monotonic() - started, 10)
        self.assertIsNone(satchel.poll())
        self.wait_for_subjects(["First", "Second"])

    def test_background_then_shown(self):
        mailctl.append(self.user, self.password, "INBOX",
                       b"From: a@example.org\r\nSubject: First\r\n\r\nOne\r\n")
        self.add_account("imap", "SATCHEL_TEST_IMAPS_PORT")
        satchel = self.start("--background")
        # It checks for mail, with no window.
        self.wait_for_subjects(["First"])
        self.assertEqual(self.visible_windows(), [])
        self.assertIsNone(satchel.poll())

        again = subprocess.run([SATCHEL], env=self.env, capture_output=True, text=True,
                               timeout=30)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.wait_for_window("Satchel")
        self.assertIsNone(satchel.poll())

    def wait_for_window(self, title):
        deadline = time.monotonic() + 10
        while title not in self.visible_windows():
            if time.monotonic() > deadline:
                self.fail(f"no window “{title}”, only {self.visible_windows()}")
            time.sleep(0.2)

    def test_mailto_link(self):
        self.add_account("pop3", "SATCHEL_TEST_POP3S_PORT")
        satchel = self.start()
        self.wait_for_window("Satchel")
        asked = subprocess.run([SATCHEL, "mailto:grace@example.org?subject=Tapes%20at%20four"],
                               env=self.env, capture_output=True, text=True, timeout=30)
        self.assertEqual(asked.returncode, 0, asked.stderr)
        self.wait_for_window("Tapes at four")
        self.assertIsNone(satchel.poll())


if __name__ == "__main__":
    unittest.main()
