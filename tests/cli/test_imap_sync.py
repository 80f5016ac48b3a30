#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""IMAP sync, driven through satchel-cli against the real Dovecot of the
test run, and checked against what another client sees on the server."""

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
import mailctl  # noqa: E402

CLI = os.environ.get("SATCHEL_CLI")


class ImapTestCase(unittest.TestCase):
    def setUp(self):
        if "SATCHEL_TEST_SERVERS" not in os.environ:
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")
        self.profile = tempfile.mkdtemp(prefix="satchel-imap-test-")
        self.addCleanup(shutil.rmtree, self.profile, True)
        self.user, self.password = mailctl.new_user("imap")
        self.email = f"{self.user}@example.org"

    def cli(self, *args, check=True, stdin=""):
        result = subprocess.run([CLI, "--profile", self.profile, *args], input=stdin,
                                capture_output=True, text=True, timeout=300)
        if check:
            self.assertEqual(result.returncode, 0,
                             f"satchel-cli {' '.join(args)}: {result.stdout}\n{result.stderr}")
        return result

    def add_account(self, *extra):
        self.cli("account", "add", "--email", self.email, "--kind", "imap", "--host", "localhost",
                 "--port", os.environ["SATCHEL_TEST_IMAPS_PORT"], "--user", self.user,
                 "--ca-file", os.environ["SATCHEL_TEST_CA"], *extra, "--password-stdin",
                 stdin=self.password + "\n")

    def sync(self, *extra):
        return self.cli("sync", self.email, *extra)

    def dump(self):
        return json.loads(self.cli("dump", self.email, "--json").stdout)

    def local(self, folder):
        for f in self.dump()["folders"]:
            if f["name"] == folder:
                return f["messages"]
        self.fail(f"no local folder {folder}")

    def message_id_of(self, folder, uid):
        rows = json.loads(self.cli("list", self.email, folder, "--json").stdout)
        for row in rows:
            if row["uid"] == uid:
                return row["id"]
        self.fail(f"no message with UID {uid} in {folder}")

    def server_state(self, bodies):
        folders = {}
        for folder in mailctl.folders(self.user, self.password):
            if "\\NonExistent" in folder["flags"]:
                continue
            if "\\Noselect" in folder["flags"]:
                folders[folder["name"]] = []   # a parent that holds no messages
                continue
            folders[folder["name"]] = mailctl.messages(self.user, self.password, folder["name"],
                                                       bodies=bodies)
        return folders

    def assert_same_as_server(self, bodies=False):
        """Every folder, UID, flag and size (and with bodies every byte) as
        the server has them."""
        server = self.server_state(bodies)
        local = {f["name"]: f for f in self.dump()["folders"]}
        self.assertEqual(sorted(local), sorted(server))
        for name, messages in server.items():
            mine = local[name]["messages"]
            self.assertEqual([m["uid"] for m in mine], [m["uid"] for m in messages], name)
            for theirs, ours in zip(messages, mine):
                self.assertEqual(ours["flags"], theirs["flags"], f"{name} UID {theirs['uid']}")
                self.assertEqual(ours["size"], theirs["size"], f"{name} UID {theirs['uid']}")
                self.assertEqual(ours["message_id"], theirs.get("message_id"))
                if bodies:
                    self.assertEqual(ours["sha256"], theirs["sha256"], f"{name} UID {theirs['uid']}")


class InitialSync(ImapTestCase):
    def test_initial_sync_equals_server(self):
        mailctl.fill(self.user, "INBOX", 60, attachment_every=7, seen_every=3, flagged_every=5)
        mailctl.fill(self.user, "Archive", 7, seed=2)
        mailctl.folder_op(self.user, self.password, "create", "Work/Projects")
        mailctl.folder_op(self.user, self.password, "create", "Équipe & co")
        for i in range(3):
            mailctl.append(self.user, self.password, "Work/Projects",
                           mailctl.make_message(100 + i, seed=3), flags=["\\Answered"])
        mailctl.append(self.user, self.password, "Équipe & co", mailctl.make_message(7, seed=4))
        self.add_account()

        self.sync()
        self.assert_same_as_server()
        dump = self.dump()
        roles = {f["name"]: f["role"] for f in dump["folders"]}
        self.assertEqual(roles["INBOX"], "inbox")
        self.assertEqual(roles["Sent"], "sent")
        self.assertEqual(roles["Trash"], "trash")
        self.assertEqual(roles["Work/Projects"], None)
        self.assertIn("Équipe & co", roles)
        self.assertTrue(all(m["sha256"] is None for f in dump["folders"] for m in f["messages"]))

        folders = {f["name"]: f for f in json.loads(self.cli("folders", self.email,
                                                              "--json").stdout)}
        self.assertEqual(folders["INBOX"]["total"], 60)
        self.assertEqual(folders["INBOX"]["unread"], 40)

        self.sync("--bodies")
        self.assert_same_as_server(bodies=True)

    def test_newest_first_and_listing(self):
        mailctl.fill(self.user, "INBOX", 20)
        self.add_account()
        self.sync()
        rows = json.loads(self.cli("list", self.email, "INBOX", "--limit", "5", "--json").stdout)
        self.assertEqual([r["uid"] for r in rows], [20, 19, 18, 17, 16])
        self.assertEqual(rows[0]["message_id"], "<gen.0.20@satchel.test>")
        self.assertTrue(rows[0]["subject"].endswith("#20"))
        self.assertRegex(rows[0]["date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_search_and_show(self):
        mailctl.fill(self.user, "INBOX", 10)
        unique = mailctl.make_message(1, seed=9).replace(b"Subject: ", b"Subject: Zebracorn ", 1)
        mailctl.append(self.user, self.password, "INBOX", unique)
        self.add_account()
        self.sync()
        found = json.loads(self.cli("search", "zebracorn", "--json").stdout)
        self.assertEqual(len(found), 1)
        shown = self.cli("show", str(found[0]["id"]))
        self.assertIn("Subject: Zebracorn", shown.stdout)
        self.assertIn("not downloaded yet", shown.stderr)
        self.assertEqual(self.cli("show", str(found[0]["id"]), "--raw", check=False).returncode, 1)

        # With bodies, words of the text are found too, and show prints it.
        self.sync("--bodies")
        body_word = unique.split(b"\r\n\r\n", 1)[1].split()[3].decode().strip(".")
        found = json.loads(self.cli("search", body_word, "--account", self.email,
                                    "--json").stdout)
        self.assertGreaterEqual(len(found), 1)
        raw = subprocess.run([CLI, "--profile", self.profile, "show", str(found[0]["id"]),
                              "--raw"], capture_output=True, timeout=60).stdout
        self.assertIn(b"Message-ID:", raw)


class HostileMail(ImapTestCase):
    def test_mime_nested_100000_deep(self):
        """A message whose MIME parts nest 100,000 deep: Dovecot's
        BODYSTRUCTURE of it is as deep. It is synced with its neighbours,
        its bytes whole, and shown; no one message stops a folder's sync."""
        mailctl.append(self.user, self.password, "INBOX", mailctl.make_message(1))
        mailctl.append(self.user, self.password, "INBOX", mailctl.nested_message(100_000))
        mailctl.append(self.user, self.password, "INBOX", mailctl.make_message(3))
        self.add_account()

        self.sync("--bodies")
        self.assert_same_as_server(bodies=True)
        shown = self.cli("show", str(self.message_id_of("INBOX", 2)))
        self.assertIn("Subject: deep", shown.stdout)


class ServerChanges(ImapTestCase):
    def test_changes_made_elsewhere(self):
        mailctl.fill(self.user, "INBOX", 30, seen_every=2)
        mailctl.folder_op(self.user, self.password, "create", "Projects")
        mailctl.append(self.user, self.password, "Projects", mailctl.make_message(1, seed=5))
        mailctl.folder_op(self.user, self.password, "create", "Old")
        self.add_account()
        self.sync()
        self.assert_same_as_server()

        # Another client: new mail, flags, an expunge, folders.
        mailctl.append(self.user, self.password, "INBOX", mailctl.make_message(31),
                       flags=["\\Flagged"])
        mailctl.store_flags(self.user, self.password, "INBOX", 3, "+\\Seen")
        mailctl.store_flags(self.user, self.password, "INBOX", 4, "-\\Seen")
        mailctl.store_flags(self.user, self.password, "INBOX", 5, "+\\Answered")
        mailctl.expunge(self.user, self.password, "INBOX", [7, 8])
        mailctl.folder_op(self.user, self.password, "create", "Fresh")
        mailctl.folder_op(self.user, self.password, "rename", "Projects", "Projects 2026")
        mailctl.folder_op(self.user, self.password, "delete", "Old")

        self.sync()
        self.assert_same_as_server()
        names = [f["name"] for f in self.dump()["folders"]]
        self.assertIn("Projects 2026", names)
        self.assertNotIn("Projects", names)
        self.assertNotIn("Old", names)

        # Nothing changed: nothing changes.
        before = self.dump()
        self.sync()
        self.assertEqual(self.dump(), before)

    def test_uidvalidity_change(self):
        mailctl.fill(self.user, "Archive", 12, uidvalidity=1000)
        self.add_account()
        self.sync()
        archive = [f for f in self.dump()["folders"] if f["name"] == "Archive"][0]
        self.assertEqual(archive["uidvalidity"], 1000)

        mailctl.set_uidvalidity(self.user, "Archive", 2000)
        self.sync()
        archive = [f for f in self.dump()["folders"] if f["name"] == "Archive"][0]
        self.assertEqual(archive["uidvalidity"], 2000)
        self.assert_same_as_server()


class LocalChanges(ImapTestCase):
    def test_changes_made_here_reach_the_server(self):
        mailctl.fill(self.user, "INBOX", 10)
        self.add_account()
        self.sync()

        first = self.message_id_of("INBOX", 1)
        self.cli("flag", str(first), "+seen", "+flagged")
        server = {m["uid"]: m for m in mailctl.messages(self.user, self.password, "INBOX")}
        self.assertEqual(server[1]["flags"], ["\\Flagged", "\\Seen"])
        self.cli("flag", str(first), "-seen")
        server = {m["uid"]: m for m in mailctl.messages(self.user, self.password, "INBOX")}
        self.assertEqual(server[1]["flags"], ["\\Flagged"])

        # Move: gone from the Inbox, in the Archive, here with its new UID.
        second = self.message_id_of("INBOX", 2)
        self.cli("move", str(second), "Archive")
        inbox = mailctl.messages(self.user, self.password, "INBOX")
        archive = mailctl.messages(self.user, self.password, "Archive")
        self.assertNotIn(2, [m["uid"] for m in inbox])
        self.assertEqual([m["message_id"] for m in archive], ["<gen.0.2@satchel.test>"])
        self.assertEqual([m["uid"] for m in self.local("Archive")], [archive[0]["uid"]])

        # Delete: to the Trash; in the Trash, for good.
        third = self.message_id_of("INBOX", 3)
        self.cli("delete", str(third))
        trash = mailctl.messages(self.user, self.password, "Trash")
        self.assertEqual([m["message_id"] for m in trash], ["<gen.0.3@satchel.test>"])
        self.cli("delete", str(third))
        self.assertEqual(mailctl.messages(self.user, self.password, "Trash"), [])

        # Folders.
        self.cli("mkdir", self.email, "Projects/2026")
        self.assertIn("Projects/2026", [f["name"] for f in mailctl.folders(self.user,
                                                                           self.password)])
        self.cli("rename", self.email, "Projects/2026", "Projects/Done")
        names = [f["name"] for f in mailctl.folders(self.user, self.password)]
        self.assertIn("Projects/Done", names)
        self.assertNotIn("Projects/2026", names)
        self.cli("rmdir", self.email, "Projects/Done")
        self.assertNotIn("Projects/Done", [f["name"] for f in mailctl.folders(self.user,
                                                                              self.password)])

        self.sync()
        self.assert_same_as_server()

    def test_changes_while_the_server_is_down(self):
        mailctl.fill(self.user, "INBOX", 8)
        self.add_account()
        self.sync()
        flagged = self.message_id_of("INBOX", 1)
        moved = self.message_id_of("INBOX", 2)
        deleted = self.message_id_of("INBOX", 3)

        mailctl.stop_dovecot()
        try:
            for args in (["flag", str(flagged), "+flagged"], ["move", str(moved), "Archive"],
                         ["delete", str(deleted)], ["mkdir", self.email, "Later"]):
                result = self.cli(*args)
                self.assertIn("queued", result.stderr)
            # The local copy shows the changes at once.
            self.assertEqual([m["message_id"] for m in self.local("Archive")],
                             ["<gen.0.2@satchel.test>"])
            self.assertEqual(self.cli("sync", self.email, check=False).returncode, 1)
        finally:
            mailctl.start_dovecot()

        self.sync()
        inbox = {m["uid"]: m for m in mailctl.messages(self.user, self.password, "INBOX")}
        self.assertEqual(inbox[1]["flags"], ["\\Flagged"])
        self.assertNotIn(2, inbox)
        self.assertNotIn(3, inbox)
        self.assertEqual([m["message_id"] for m in mailctl.messages(self.user, self.password,
                                                                     "Trash")],
                         ["<gen.0.3@satchel.test>"])
        self.assertIn("Later", [f["name"] for f in mailctl.folders(self.user, self.password)])
        self.assert_same_as_server()

    def test_bad_input(self):
        mailctl.fill(self.user, "INBOX", 2)
        self.add_account()
        self.sync()
        one = str(self.message_id_of("INBOX", 1))
        for args in (["flag", one, "+sparkly"], ["flag", "999999", "+seen"], ["flag", "abc", "+seen"],
                     ["move", one, "No Such Folder"], ["list", self.email, "Nowhere"],
                     ["show", "424242"], ["rmdir", self.email, "INBOX"],
                     ["rename", self.email, "INBOX", "Elsewhere"], ["mkdir", self.email, "Trash"],
                     ["dump", self.email]):
            with self.subTest(args=args):
                result = self.cli(*args, check=False)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertTrue(result.stderr.startswith("satchel-cli: "), result.stderr)

    def test_reading_never_connects(self):
        mailctl.fill(self.user, "INBOX", 3)
        self.add_account()
        self.sync("--bodies")
        one = str(self.message_id_of("INBOX", 1))
        mailctl.stop_dovecot()
        try:
            for args in (["folders", self.email], ["list", self.email, "INBOX"], ["show", one],
                         ["show", one, "--raw"], ["search", "satchel"],
                         ["dump", self.email, "--json"]):
                with self.subTest(args=args):
                    self.cli(*args)
        finally:
            mailctl.start_dovecot()


class Watch(ImapTestCase):
    def test_new_mail_is_printed_as_it_arrives(self):
        mailctl.fill(self.user, "INBOX", 3)
        self.add_account()
        watch = subprocess.Popen([CLI, "--profile", self.profile, "watch", self.email],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def stop_watch():
            watch.kill()
            watch.communicate()
        self.addCleanup(stop_watch)

        def wait_for(stream, words, timeout=20):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                ready, _, _ = select.select([stream], [], [], 0.5)
                if ready:
                    line = stream.readline()
                    if words in line:
                        return line
            self.fail(f"nothing with {words!r} within {timeout} s")

        wait_for(watch.stderr, "Watching")
        for n in (1, 2):
            raw = mailctl.make_message(500 + n, seed=8).replace(b"Subject: ", b"Subject: Ping%d " % n, 1)
            started = time.monotonic()
            mailctl.append(self.user, self.password, "INBOX", raw)
            line = wait_for(watch.stdout, f"Ping{n}")
            fields = line.rstrip("\n").split("\t")
            self.assertEqual(len(fields), 4)
            self.assertEqual(fields[1], "INBOX")
            self.assertTrue(fields[3].startswith(f"Ping{n}"))
            self.assertLess(time.monotonic() - started, 10)
        # And it is in the store.
        self.assertIn("Ping2", self.cli("show", fields[0]).stdout)


if __name__ == "__main__":
    if not CLI:
        sys.exit("SATCHEL_CLI is not set: run through meson test")
    unittest.main(verbosity=2)
