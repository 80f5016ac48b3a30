#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test suite's SMTP submission server (aiosmtpd, from Debian).

Three listeners on 127.0.0.1:
- submission: STARTTLS required before AUTH and mail (like port 587);
- smtps: TLS from the first byte (like port 465);
- plain: no TLS offered at all, AUTH over plain text (for tests of what a
  client does when STARTTLS is missing).

AUTH PLAIN and LOGIN check users as Dovecot does (its passwd-file, then
the password "pw-" + name for every other name), so one user and password
serve IMAP, POP3 and SMTP. Every accepted message is stored
in the spool as NNNNNN.eml (the bytes received) with NNNNNN.json (the
envelope), written to a temporary name and renamed so that a reader never
sees half a message. A recipient whose local part starts with "reject" is
refused with 550; one that starts with "later" gets 451.
"""

import argparse
import itertools
import json
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def read_users(path):
    users = {}
    with open(path) as f:
        for line in f:
            fields = line.rstrip("\n").split(":")
            if len(fields) >= 2 and fields[1].startswith("{PLAIN}"):
                users[fields[0]] = fields[1][len("{PLAIN}"):]
    return users


class Authenticator:
    def __init__(self, passwd):
        self.passwd = passwd

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        # As Dovecot's passdbs: the passwd-file first, then "pw-" + name.
        known = read_users(self.passwd).get(user)
        ok = password == known if known is not None else password == "pw-" + user
        return AuthResult(success=ok, handled=False)


class SpoolHandler:
    def __init__(self, spool):
        self.spool = spool
        existing = [int(n.split(".")[0]) for n in os.listdir(spool) if n.endswith(".eml")]
        self.counter = itertools.count(max(existing, default=0) + 1)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if local.startswith("later"):
            return f"451 4.3.0 <{address}>: Temporary failure, try again later"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        base = os.path.join(self.spool, f"{n:06d}")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "mail_options": envelope.mail_options,
            "auth_login": (session.login_data.decode("utf-8", "replace")
                           if isinstance(session.login_data, bytes) else session.login_data),
            "tls": session.ssl is not None,
        }
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".json.tmp", base + ".json")
        os.rename(base + ".eml.tmp", base + ".eml")
        return f"250 2.0.0 OK queued as {n}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spool", required=True)
    parser.add_argument("--passwd", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--submission-port", type=int, required=True)
    parser.add_argument("--smtps-port", type=int, required=True)
    parser.add_argument("--plain-port", type=int, required=True)
    args = parser.parse_args()

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(args.cert, args.key)

    handler = SpoolHandler(args.spool)
    auth = Authenticator(args.passwd)
    common = dict(hostname="127.0.0.1", server_hostname="localhost", authenticator=auth,
                  auth_required=True, decode_data=False, data_size_limit=64 * 1024 * 1024)
    servers = [
        Controller(handler, port=args.submission_port, tls_context=context,
                   require_starttls=True, auth_require_tls=True, **common),
        Controller(handler, port=args.smtps_port, ssl_context=context,
                   auth_require_tls=False, **common),
        Controller(handler, port=args.plain_port, auth_require_tls=False, **common),
    ]
    for server in servers:
        server.start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    stop.wait()
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
