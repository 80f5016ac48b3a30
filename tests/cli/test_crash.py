#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A crash at every step loses nothing and does nothing twice.

Each scenario is a piece of work satchel-cli does against the real servers:
an IMAP sync that delivers a queued move and a queued delete and brings new
mail, a POP3 download that deletes from the server what it downloaded, and
a send. SATCHEL_CRASH_BEFORE_COMMIT=N and SATCHEL_CRASH_AFTER_COMMIT=N make the
engine kill itself (SIGKILL) right before or right after its N-th commit;
the scenario runs with N = 1, 2, 3, … until a run finishes before its N-th
commit, each time on a new mailbox, then the work is resumed by running
the same command again. After the resume, the
state on the server and in the store must equal that of a run that was
never killed: every message exactly once, nothing lost, nothing sent twice.
The POP3 scenario also checks, at the moment of the crash, that every
message the server no longer has is in the store."""

import collections
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
import mailctl  # noqa: E402

CLI = os.environ.get("SATCHEL_CLI")
MAX_COMMITS = 200


class Mailbox:
    """One run of a scenario: a new user on the servers and a new profile."""

    def __init__(self, test, prefix):
        self.test = test
        self.profile = tempfile.mkdtemp(prefix=f"satchel-crash-{prefix}-")
        self.user, self.password = mailctl.new_user(prefix)
        self.email = f"{self.user}@example.org"

    def close(self):
        shutil.rmtree(self.profile, True)

    def run(self, *args, crash=None, stdin=""):
        """Runs satchel-cli; crash=(when, n): killed before or after its
        n-th commit."""
        env = dict(os.environ)
        env.pop("SATCHEL_CRASH_BEFORE_COMMIT", None)
        env.pop("SATCHEL_CRASH_AFTER_COMMIT", None)
        if crash is not None:
            when, n = crash
            env[f"SATCHEL_CRASH_{when.upper()}_COMMIT"] = str(n)
        return subprocess.run([CLI, "--profile", self.profile, *args], input=stdin, env=env,
                              capture_output=True, text=True, timeout=120)

    def cli(self, *args, stdin=""):
        result = self.run(*args, stdin=stdin)
        self.test.assertEqual(result.returncode, 0,
                              f"satchel-cli {' '.join(args)}: {result.stdout}\n{result.stderr}")
        return result.stdout

    def add_account(self, kind, *extra):
        port = os.environ["SATCHEL_TEST_IMAPS_PORT" if kind == "imap"
                          else "SATCHEL_TEST_POP3S_PORT"]
        self.cli("account", "add", "--email", self.email, "--kind", kind, "--host", "localhost",
                 "--port", port, "--user", self.user, "--ca-file", os.environ["SATCHEL_TEST_CA"],
                 "--smtp-host", "localhost", "--smtp-port", os.environ["SATCHEL_TEST_SMTPS_PORT"],
                 *extra, "--password-stdin", stdin=self.password + "\n")

    def local(self):
        """{folder: sorted Message-IDs} of the store, with the store's own
        check first."""
        with sqlite3.connect(os.path.join(self.profile, "satchel.db")) as db:
            self.test.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        dump = json.loads(self.cli("dump", self.email, "--json"))
        return {f["name"]: sorted(m["message_id"] for m in f["messages"])
                for f in dump["folders"]}

    def server(self, folders):
        return {name: sorted(m["message_id"]
                             for m in mailctl.messages(self.user, self.password, name))
                for name in folders}


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def once_each(state):
    """Each Message-ID at most once over all folders."""
    counts = collections.Counter(mid for mids in state.values() for mid in mids)
    return [mid for mid, n in counts.items() if n > 1]


class CrashAtEveryStep(unittest.TestCase):
    def setUp(self):
        if "SATCHEL_TEST_SERVERS" not in os.environ:
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")

    def every_step(self, prepare, work, resume, outcome, at_crash=None):
        """Runs @work on a mailbox @prepare made, killed before, then after,
        its N-th commit for N = 1, 2, …; @resume finishes it; @outcome of
        each must equal that of a run never killed. Returns how many
        commits the work makes."""
        clean = Mailbox(self, "clean")
        self.addCleanup(clean.close)
        prepare(clean)
        result = work(clean, None)
        self.assertEqual(result.returncode, 0, result.stderr)
        expected = outcome(clean)

        commits = {}
        for when in ("before", "after"):
            for n in range(1, MAX_COMMITS):
                box = Mailbox(self, "crash")
                try:
                    prepare(box)
                    result = work(box, (when, n))
                    if result.returncode == 0:
                        commits[when] = n - 1
                        break
                    self.assertEqual(result.returncode, -9,
                                     f"{when} commit {n}: {result.stdout}\n{result.stderr}")
                    if at_crash is not None:
                        at_crash(box, f"{when} commit {n}")
                    resume(box)
                    with self.subTest(crash=f"{when} commit {n}"):
                        self.assertEqual(outcome(box), expected, f"killed {when} commit {n}")
                finally:
                    box.close()
            else:
                self.fail(f"still crashing after {MAX_COMMITS} commits")
        # Commits that write nothing count before, not after.
        self.assertGreaterEqual(commits["before"], commits["after"])
        print(f"{self.id()}: killed before each of {commits['before']} commits "
              f"and after each of {commits['after']}", file=sys.stderr)
        return commits["after"]

    def test_imap_sync_with_queued_move_and_delete(self):
        folders = ("INBOX", "Archive", "Trash")

        def prepare(box):
            for i in range(6):
                mailctl.append(box.user, box.password, "INBOX",
                               mailctl.make_message(i, seed=41))
            box.add_account("imap")
            box.cli("sync", box.email)
            rows = {r["message_id"]: r["id"]
                    for r in json.loads(box.cli("list", box.email, "INBOX", "--json"))}
            # Queued while the server cannot be reached (the account points
            # at a closed port): the changes wait in the store for the sync.
            box.cli("account", "set", box.email, "port", str(closed_port()))
            box.cli("move", str(rows["<gen.41.1@satchel.test>"]), "Archive")
            box.cli("delete", str(rows["<gen.41.2@satchel.test>"]))
            box.cli("account", "set", box.email, "port", os.environ["SATCHEL_TEST_IMAPS_PORT"])
            for i in range(6, 9):
                mailctl.append(box.user, box.password, "INBOX",
                               mailctl.make_message(i, seed=41))

        def work(box, crash):
            return box.run("sync", box.email, crash=crash)

        def resume(box):
            box.cli("sync", box.email)

        def outcome(box):
            server = box.server(folders)
            local = {name: mids for name, mids in box.local().items() if name in folders}
            self.assertEqual(once_each(server), [])
            self.assertEqual(once_each(local), [])
            return {"server": server, "local": local}

        crashed = self.every_step(prepare, work, resume, outcome)
        self.assertGreater(crashed, 3)

    def test_pop3_download_deleting_from_server(self):
        def prepare(box):
            mailctl.fill(box.user, "INBOX", 8, seed=43)
            box.everything = server_ids(box)
            self.assertEqual(len(box.everything), 8)
            box.add_account("pop3", "--leave-on-server", "no")

        def work(box, crash):
            return box.run("sync", box.email, crash=crash)

        def resume(box):
            box.cli("sync", box.email)

        def server_ids(box):
            return sorted(m["message_id"]
                          for m in mailctl.messages(box.user, box.password, "INBOX"))

        def at_crash(box, when):
            # The server forgets only what the store holds.
            local = box.local().get("INBOX", [])
            self.assertEqual(once_each({"INBOX": local}), [])
            self.assertEqual(sorted(set(local) | set(server_ids(box))), box.everything,
                             f"killed {when}: a message is lost")

        def outcome(box):
            return {"server": server_ids(box), "local": box.local().get("INBOX")}

        crashed = self.every_step(prepare, work, resume, outcome, at_crash)
        # The download's, and the deletions'.
        self.assertGreaterEqual(crashed, 2)

    def test_send(self):
        subject = "Crash test"

        def prepare(box):
            box.add_account("imap")
            box.cli("sync", box.email)
            box.spooled = len(mailctl.sent_messages())

        def work(box, crash):
            return box.run("send", "--account", box.email, "--to", "grace@example.org",
                           "--subject", subject, crash=crash, stdin="Hello\n")

        def received(box):
            return [m for m in mailctl.sent_messages()[box.spooled:]
                    if m["mail_from"] == box.email]

        def resume(box):
            # Killed before the message was in the outbox, `send` did not
            # take it: the user sends it again.
            if (not json.loads(box.cli("outbox", "--json")) and not received(box)
                    and not box.server(("Sent",))["Sent"]):
                self.assertEqual(work(box, None).returncode, 0)
            # What waits is sent by the next sync; what may have gone out
            # ("delivery unknown") is never resent by Satchel itself: the
            # user looks, and asks again only if it did not arrive.
            box.cli("sync", box.email)
            outbox = json.loads(box.cli("outbox", "--json"))
            if any(m["state"] == "unknown" for m in outbox) and not received(box):
                box.cli("outbox", "--retry")
                box.cli("sync", box.email)

        def outcome(box):
            outbox = json.loads(box.cli("outbox", "--json"))
            for m in outbox:
                self.assertEqual(m["state"], "unknown", m)
            sent = box.server(("Sent",))["Sent"]
            # Sent once, and here once: in Sent, or in the outbox as
            # "delivery unknown" when it went out in the moment of the crash.
            return {"received": len(received(box)), "kept": len(sent) + len(outbox)}

        crashed = self.every_step(prepare, work, resume, outcome)
        self.assertGreater(crashed, 1)


if __name__ == "__main__":
    unittest.main()
