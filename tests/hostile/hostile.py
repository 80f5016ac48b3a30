# SPDX-License-Identifier: GPL-3.0-or-later
"""What the hostile-server tests share: running satchel-cli with its peak
memory measured, and the checks that every case makes whatever the server
did (no crash, bounded memory, an error in words, an intact store, nothing
stored from the hostile session, nothing deleted, no password in clear).
"""

import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "servers"))
import mailctl  # noqa: E402,F401
from scripted import ScriptedServer  # noqa: E402,F401

CLI = os.environ.get("SATCHEL_CLI")

# The exit codes of CLI.md; anything else (a signal above all) is a crash.
EXIT_CODES = {0, 1, 2, 3, 4, 5}

# The peak resident memory any case may cost satchel-cli. An idle
# satchel-cli sync takes about 20 MB; the hostile inputs below are 300 MB
# lines, 2^64-byte literals, millions of responses: a client that held
# them would go far past this.
MEMORY_BOUND_MB = 200

# How long a server may stay silent before the client gives up, in these
# tests (SATCHEL_TIMEOUT_SECONDS, see satchel-connection.c); the contract's
# 60 s would make the suite too slow.
TIMEOUT_SECONDS = 3

# A run longer than this is a hang.
HANG_SECONDS = 90

# A line of SATCHEL_DEBUG's, which starts with the time.
DEBUG_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} ")

# A client that does not bound its memory would take the whole machine,
# which the other tests share: its address space is capped far above the
# bound that the tests check, so that such a client fails (and the case
# with it) instead of pushing everything else into swap.
ADDRESS_SPACE_CAP = 4 << 30


# A sanitizer's shadow memory takes terabytes of address space and its
# quarantine keeps freed memory: neither the cap nor the bound apply then.
SANITIZED = os.environ.get("SATCHEL_SANITIZE", "none") not in ("none", "")


def _cap_memory():
    if not SANITIZED:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


class Result:
    def __init__(self, returncode, stdout, stderr, maxrss_mb, seconds):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.maxrss_mb = maxrss_mb
        self.seconds = seconds

    def __repr__(self):
        return (f"exit {self.returncode} after {self.seconds:.1f} s, "
                f"{self.maxrss_mb:.0f} MB\nstdout: {self.stdout[-2000:]}\n"
                f"stderr: {self.stderr[-2000:]}")


def run_measured(argv, stdin="", env=None, timeout=HANG_SECONDS):
    """Runs @argv to its end and returns a Result with the child's own peak
    resident memory (wait4's rusage is the child's, not that of every
    child this process ever had)."""
    started = time.monotonic()
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, preexec_fn=_cap_memory)
    output = {}

    def drain(name, stream):
        output[name] = stream.read()
        stream.close()

    readers = [threading.Thread(target=drain, args=(name, stream), daemon=True)
               for name, stream in (("stdout", child.stdout), ("stderr", child.stderr))]
    for reader in readers:
        reader.start()
    try:
        child.stdin.write(stdin.encode())
        child.stdin.close()
    except BrokenPipeError:
        pass
    killer = threading.Timer(timeout, lambda: os.kill(child.pid, signal.SIGKILL))
    killer.start()
    try:
        _pid, status, usage = os.wait4(child.pid, 0)
    finally:
        killer.cancel()
    # Popen must not wait for the process that wait4 reaped.
    child.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    seconds = time.monotonic() - started
    if seconds >= timeout:
        raise AssertionError(f"{' '.join(argv)} hung: killed after {timeout} s")
    return Result(child.returncode, output["stdout"].decode(errors="replace"),
                  output["stderr"].decode(errors="replace"), usage.ru_maxrss / 1024, seconds)


def chunks(total, line=b"x" * (1 << 20)):
    """@total bytes of @line repeated, without a line end: a generator, so
    that a 300 MB line is never held."""
    sent = 0
    while sent < total:
        piece = line[:total - sent]
        sent += len(piece)
        yield piece


class HostileTestCase(unittest.TestCase):
    """One profile and one account per test; self.run_cli() measures."""

    def setUp(self):
        if "SATCHEL_TEST_SERVERS" not in os.environ:
            if os.environ.get("SATCHEL_TEST_REQUIRE_SERVERS"):
                self.fail("the test servers are not running")
            self.skipTest("needs the test servers: run with build-aux/test")
        self.profile = tempfile.mkdtemp(prefix="satchel-hostile-")
        self.addCleanup(shutil.rmtree, self.profile, True)
        self.user, self.password = mailctl.new_user("hostile")
        self.email = f"{self.user}@example.org"
        self.ca = os.environ["SATCHEL_TEST_CA"]
        # SATCHEL_DEBUG=net: the connection's steps, with their times, in
        # what a failure prints (see DEBUG_LINE).
        self.env = dict(os.environ, SATCHEL_TIMEOUT_SECONDS=str(TIMEOUT_SECONDS),
                        SATCHEL_DEBUG="net")
        self.servers = []

    def tearDown(self):
        # A server thread must not outlive its test; a stuck one is a bug
        # in the test, reported, not left behind.
        for server in self.servers:
            server.done.wait(10)

    def serve(self, script, **options):
        server = ScriptedServer(script, **options)
        self.servers.append(server)
        return server

    def cli(self, *args, stdin="", check=True):
        result = run_measured([CLI, "--profile", self.profile, *args], stdin=stdin, env=self.env)
        if check:
            self.assertEqual(result.returncode, 0, f"satchel-cli {' '.join(args)}: {result}")
        return result

    def add_account(self, kind, port, security="tls", *extra):
        """An account whose incoming server (@kind) is at @port."""
        options = ["--security", security]
        if security == "none":
            options.append("--allow-insecure")
        self.cli("account", "add", "--email", self.email, "--kind", kind, "--host", "localhost",
                 "--port", str(port), *options, "--user", self.user, "--ca-file", self.ca,
                 *extra, "--password-stdin", stdin=self.password + "\n")
        # The folders an account has before any session (a POP3 account's
        # local Drafts, Sent and Trash).
        self.baseline_folders = [f["name"] for f in self.dump()["folders"]]

    # The checks every case makes

    def assert_survived(self, result, codes, *words):
        """satchel-cli ended by itself with one of @codes, within the
        memory bound, and said what went wrong in words."""
        if os.environ.get("SATCHEL_HOSTILE_VERBOSE"):
            print(f"\n{self.id()}: {result}", file=sys.stderr)
        self.assertIn(result.returncode, EXIT_CODES, f"not an exit code of the contract: {result}")
        self.assertIn(result.returncode, codes, result)
        if not SANITIZED:
            self.assertLess(result.maxrss_mb, MEMORY_BOUND_MB, f"memory not bounded: {result}")
        if result.returncode != 0:
            # Words, not a bare code or a stack of internals.
            said = "\n".join(line for line in result.stderr.splitlines()
                             if not DEBUG_LINE.match(line))
            self.assertRegex(said, r"[A-Z][a-z]* [a-z]+ [a-z]+ ", result)
        for word in words:
            self.assertIn(word, result.stdout + result.stderr, result)
        # Nothing printed holds the password.
        self.assertNotIn(self.password, result.stdout + result.stderr)

    def assert_gave_up_in_time(self, server, result):
        """The client hung up on @server's silence within the time-out.
        Measured by the server, from the start of its silence: the whole
        run also waits for the keyring, which other tests keep busy."""
        server.wait()
        said = (f"the silence began at {server.stall_began} and lasted "
                f"{server.stalled_for} s, ended {server.stall_ended}; {result}")
        self.assertIsNotNone(server.stalled_for, "the server never fell silent")
        self.assertTrue(server.client_hung_up, f"the client never gave up: {said}")
        self.assertLess(server.stalled_for, TIMEOUT_SECONDS + 5, said)

    def assert_store_intact(self):
        db = sqlite3.connect(os.path.join(self.profile, "satchel.db"))
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        finally:
            db.close()

    def dump(self):
        return json.loads(self.cli("dump", self.email, "--json").stdout)

    def stored_messages(self):
        return [m for f in self.dump()["folders"] for m in f["messages"]]

    def assert_nothing_stored(self):
        """No message, and no folder but those the account had before."""
        dump = self.dump()
        self.assertEqual([m for f in dump["folders"] for m in f["messages"]], [], dump)
        self.assertEqual([f["name"] for f in dump["folders"]
                          if f["name"] not in self.baseline_folders and f["role"] != "inbox"],
                         [], dump)

    def assert_no_secret_before_tls(self, lines):
        """Until the first line after TLS, the client said nothing that
        logs in or carries the password. @lines: what it said in clear."""
        for line in lines:
            self.assertNotIn(self.password.encode(), line)
            self.assertNotRegex(line, rb"(?i)^\S+ (LOGIN|AUTHENTICATE)\b|^(USER|PASS|APOP|AUTH)\b"
                                      rb"|^(MAIL|RCPT|DATA)\b")

    def assert_no_secret(self, received):
        for line in received:
            self.assertNotIn(self.password.encode(), line)
