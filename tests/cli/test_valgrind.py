#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""satchel-cli under valgrind: an IMAP sync with bodies, a POP3 download and
a send against the real servers make no invalid read or write, use no
uninitialised value and lose no memory for good ("definitely lost"). The
sanitizer build finds most of this; valgrind also sees the libraries, on
the binary that users run."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
import mailctl  # noqa: E402

CLI = os.environ.get("SATCHEL_CLI")
SUPPRESSIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "valgrind.supp")
VALGRIND = shutil.which("valgrind")


class Valgrind(unittest.TestCase):
    def setUp(self):
        if "SATCHEL_TEST_SERVERS" not in os.environ:
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")
        if VALGRIND is None:
            self.fail("valgrind is not installed (build-aux/debian-packages.txt lists it)")
        self.profile = tempfile.mkdtemp(prefix="satchel-valgrind-")
        self.addCleanup(shutil.rmtree, self.profile, True)
        self.user, self.password = mailctl.new_user("vg")
        self.email = f"{self.user}@example.org"

    def cli(self, *args, stdin=""):
        result = subprocess.run([CLI, "--profile", self.profile, *args], input=stdin,
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, f"satchel-cli {args}: {result.stderr}")
        return result.stdout

    def valgrind(self, *args, stdin=""):
        log = os.path.join(self.profile, "valgrind.log")
        result = subprocess.run([VALGRIND, "--error-exitcode=99", "--leak-check=full",
                                 "--errors-for-leak-kinds=definite",
                                 "--show-leak-kinds=definite", "--num-callers=40",
                                 f"--suppressions={SUPPRESSIONS}", f"--log-file={log}",
                                 CLI, "--profile", self.profile, *args],
                                input=stdin, capture_output=True, text=True, timeout=600)
        with open(log, encoding="utf-8", errors="replace") as f:
            report = f.read()
        self.assertEqual(result.returncode, 0, f"satchel-cli {args}: {result.stderr}\n{report}")
        summary = re.search(r"ERROR SUMMARY: (\d+) errors", report)
        self.assertIsNotNone(summary, report)
        self.assertEqual(summary.group(1), "0", report)
        self.assertNotIn("Invalid read", report)
        self.assertNotIn("Invalid write", report)
        return result.stdout

    def add_account(self, kind, *extra):
        port = os.environ["SATCHEL_TEST_IMAPS_PORT" if kind == "imap"
                          else "SATCHEL_TEST_POP3S_PORT"]
        self.cli("account", "add", "--email", self.email, "--kind", kind, "--host", "localhost",
                 "--port", port, "--user", self.user, "--ca-file", os.environ["SATCHEL_TEST_CA"],
                 "--smtp-host", "localhost", "--smtp-port", os.environ["SATCHEL_TEST_SMTPS_PORT"],
                 *extra, "--password-stdin", stdin=self.password + "\n")

    def test_imap_sync_and_send(self):
        mailctl.fill(self.user, "INBOX", 40, seed=7, attachment_every=5, seen_every=3,
                     reply_every=4)
        mailctl.fill(self.user, "Archive", 10, seed=8)
        self.add_account("imap")
        self.valgrind("sync", self.email, "--bodies")
        inbox = [f for f in mailctl.messages(self.user, self.password, "INBOX")]
        self.assertEqual(len(inbox), 40)
        # Changes both ways, then a send with its copy in Sent.
        mailctl.store_flags(self.user, self.password, "INBOX", inbox[0]["uid"], "+\\Flagged")
        mailctl.expunge(self.user, self.password, "INBOX", [inbox[1]["uid"]])
        self.valgrind("sync", self.email)
        self.valgrind("send", "--account", self.email, "--to", "grace@example.org",
                      "--subject", "Under valgrind", stdin="Hello\n")
        self.valgrind("sync", self.email)
        sent = mailctl.messages(self.user, self.password, "Sent")
        self.assertEqual(len(sent), 1)

    def test_pop3_download(self):
        mailctl.fill(self.user, "INBOX", 30, seed=9, attachment_every=4)
        self.add_account("pop3", "--leave-on-server", "no")
        self.valgrind("sync", self.email)
        self.assertEqual(mailctl.messages(self.user, self.password, "INBOX"), [])


if __name__ == "__main__":
    unittest.main()
