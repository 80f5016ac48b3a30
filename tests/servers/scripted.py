# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted server, for what a real server will not do: malformed,
hostile or truncated replies, STARTTLS stripping, injected data.

A script is a list of steps, played to one client:

  ("send", b"* OK hello\\r\\n")         send bytes as they are
  ("expect", rb"^(\\S+) CAPABILITY")   read one line; it must match; the
                                        groups are remembered, and {1} in
                                        a later "send" is the first group
  ("read",)                            read one line, whatever it is
  ("skip_until", rb"^\.$")            read lines until one matches
  ("starttls",)                        wrap the connection in TLS (the test
                                        certificate of the run, or the
                                        cert=(certificate, key) files given)
  ("sleep", 2.0)                       wait
  ("close",)                           close the connection

Everything the client sent is kept, line by line, in .received, so that a
test can check what was (or was not) said: no password before TLS.
"""

import os
import re
import socket
import ssl
import threading
import time


class ScriptedServer:
    def __init__(self, script, host="127.0.0.1", cert=None):
        self.script = script
        self.cert = cert
        self.received = []
        self.error = None
        self.done = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _tls_context(self):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        if self.cert is not None:
            cert, key = self.cert
        else:
            cert = os.environ["SATCHEL_TEST_CERT"]
            key = os.path.join(os.path.dirname(cert), "server-key.pem")
        context.load_cert_chain(cert, key)
        return context

    def _readline(self, conn, buffer):
        while b"\n" not in buffer:
            chunk = conn.recv(65536)
            if not chunk:
                raise EOFError("the client closed the connection")
            buffer += chunk
        line, _, rest = buffer.partition(b"\n")
        return line.rstrip(b"\r"), rest

    def _serve(self):
        self.listener.settimeout(30)
        conn = None
        try:
            conn, _addr = self.listener.accept()
            conn.settimeout(30)
            buffer = b""
            groups = ()
            closed = False
            for step in self.script:
                kind = step[0]
                if kind == "send":
                    data = step[1]
                    for i, group in enumerate(groups, 1):
                        data = data.replace(b"{%d}" % i, group)
                    conn.sendall(data)
                elif kind in ("expect", "read"):
                    line, buffer = self._readline(conn, buffer)
                    self.received.append(line)
                    if kind == "expect":
                        match = re.search(step[1], line)
                        if match is None:
                            raise AssertionError(f"expected {step[1]!r}, got {line!r}")
                        groups = match.groups()
                elif kind == "skip_until":
                    while True:
                        line, buffer = self._readline(conn, buffer)
                        self.received.append(line)
                        if re.search(step[1], line):
                            break
                elif kind == "starttls":
                    conn = self._tls_context().wrap_socket(conn, server_side=True)
                    buffer = b""
                elif kind == "sleep":
                    time.sleep(step[1])
                elif kind == "close":
                    closed = True
                    break
            # Keep what else the client says, until it hangs up.
            conn.settimeout(5)
            while not closed:
                line, buffer = self._readline(conn, buffer)
                self.received.append(line)
        except (EOFError, OSError, socket.timeout):
            pass
        except Exception as e:  # reported to the test
            self.error = e
        finally:
            if conn is not None:
                try:
                    conn.close()
                except OSError:
                    pass
            self.listener.close()
            self.done.set()

    def wait(self, timeout=30):
        self.done.wait(timeout)
        if self.error is not None:
            raise self.error
        return self.received
