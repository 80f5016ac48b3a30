# SPDX-License-Identifier: GPL-3.0-or-later
"""A scripted server, for what a real server will not do: malformed,
hostile or truncated replies, STARTTLS stripping, injected data, drops at
a chosen byte and servers that stop answering. It speaks no protocol of its
own: the script says what IMAP, POP3 or SMTP to play.

A script is a list of steps, played to one client:

  ("send", b"* OK hello\\r\\n")         send bytes as they are
  ("send_bytewise", data[, delay])     send them one byte per segment,
                                        with @delay seconds between bytes
  ("send_stream", source)              send every chunk of @source (an
                                        iterable of bytes, or a callable that
                                        returns one), so that hundreds of MB
                                        never sit in memory; if the client
                                        hangs up meanwhile, the script ends
                                        there (see .client_hung_up)
  ("expect", rb"^(\\S+) CAPABILITY")   read one line; it must match; the
                                        groups are remembered, and {1} in
                                        a later "send" is the first group
  ("read",)                            read one line, whatever it is
  ("skip_until", rb"^\.$")            read lines until one matches
  ("serve", handler)                   read lines and give each to
                                        handler(line), which returns bytes
                                        to send, a list of steps to play, or
                                        None to end this step
  ("starttls",)                        wrap the connection in TLS (the test
                                        certificate of the run, or the
                                        cert=(certificate, key) files given)
  ("sleep", 2.0)                       wait
  ("stall", 60)                        say nothing for up to that many
                                        seconds, but keep reading what the
                                        client says; ends early when the
                                        client hangs up (see .stalled_for)
  ("close",)                           close the connection
  ("drop",)                            cut it: a TCP reset, no goodbye, no
                                        TLS close_notify
  ("accept",)                          (in the script itself, not from a
                                        "serve" handler) the steps after it
                                        are played to the client's next
                                        connection, once this one is over:
                                        for clients that reconnect, and for
                                        a second run against the same server

Everything the client sent is kept, line by line, in .received (all the
connections one after the other; .sessions has one list per connection),
so that a test can check what was (or was not) said: no password before
TLS, no DELE, no EXPUNGE.
"""

import os
import re
import socket
import ssl
import struct
import threading
import time


class ClientHungUp(Exception):
    """The client closed the connection while the server was talking."""


class ScriptedServer:
    def __init__(self, script, host="127.0.0.1", cert=None, accept_timeout=30):
        self.script = script
        self.cert = cert
        self.accept_timeout = accept_timeout
        self.received = []
        self.sessions = []
        self.error = None
        self.client_hung_up = False
        self.stream_sent = 0      # bytes of "send_stream" steps that went out
        self.stalled_for = None   # seconds the last "stall" lasted
        self.stall_began = None   # its wall-clock time, as SATCHEL_DEBUG shows it
        self.stall_ended = None   # and how it ended, in words
        self.tls_at = None        # how many lines came before the first TLS
        self.conn = None
        self.closed = True
        self.done = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, 0))
        self.listener.listen(4)
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

    # The connection being played to, with what was read of it but not
    # yet taken as lines.

    def _accept(self):
        self.listener.settimeout(self.accept_timeout)
        self.conn, _addr = self.listener.accept()
        self.conn.settimeout(30)
        self.conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.groups = ()
        self.closed = False
        self.lines = []
        self.sessions.append(self.lines)

    def _close(self):
        if self.conn is not None and not self.closed:
            try:
                self.conn.close()
            except OSError:
                pass
        self.closed = True

    def _record(self, line):
        self.lines.append(line)
        self.received.append(line)

    def _readline(self):
        while b"\n" not in self.buffer:
            chunk = self.conn.recv(65536)
            if not chunk:
                raise EOFError("the client closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        line = line.rstrip(b"\r")
        self._record(line)
        return line

    def _sendall(self, data):
        try:
            self.conn.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            raise ClientHungUp() from e
        except ssl.SSLError as e:
            raise ClientHungUp() from e

    def _substitute(self, data):
        for i, group in enumerate(self.groups, 1):
            data = data.replace(b"{%d}" % i, group)
        return data

    def _stall(self, seconds):
        started = time.monotonic()
        self.stall_began = time.strftime("%H:%M:%S")
        self.stall_ended = "by its time limit"
        try:
            while time.monotonic() - started < seconds:
                self.conn.settimeout(max(0.01, min(1.0, seconds - (time.monotonic() - started))))
                try:
                    self._readline()
                except socket.timeout:
                    continue
        except (EOFError, OSError) as e:
            # Whatever the socket says once the client has gone: an end of
            # file, a reset, a TLS error.
            self.client_hung_up = True
            self.stall_ended = f"by the client: {e!r}"
        finally:
            self.stalled_for = time.monotonic() - started
            self.conn.settimeout(30)

    def _play(self, steps):
        """Plays @steps; returns False once the connection is over."""
        for step in steps:
            kind = step[0]
            if kind == "send":
                self._sendall(self._substitute(step[1]))
            elif kind == "send_bytewise":
                data = self._substitute(step[1])
                delay = step[2] if len(step) > 2 else 0
                for i in range(len(data)):
                    self._sendall(data[i:i + 1])
                    if delay:
                        time.sleep(delay)
            elif kind == "send_stream":
                source = step[1]() if callable(step[1]) else step[1]
                try:
                    for chunk in source:
                        self._sendall(chunk)
                        self.stream_sent += len(chunk)
                except (ClientHungUp, socket.timeout):
                    self.client_hung_up = True
                    return False
            elif kind in ("expect", "read"):
                line = self._readline()
                if kind == "expect":
                    match = re.search(step[1], line)
                    if match is None:
                        raise AssertionError(f"expected {step[1]!r}, got {line!r}")
                    self.groups = match.groups()
            elif kind == "skip_until":
                while not re.search(step[1], self._readline()):
                    pass
            elif kind == "serve":
                while True:
                    answer = step[1](self._readline())
                    if answer is None:
                        break
                    if isinstance(answer, bytes):
                        self._sendall(answer)
                    elif not self._play(answer):
                        return False
            elif kind == "starttls":
                if self.tls_at is None:
                    self.tls_at = len(self.received)
                self.conn = self._tls_context().wrap_socket(self.conn, server_side=True)
                self.buffer = b""
            elif kind == "sleep":
                time.sleep(step[1])
            elif kind == "stall":
                self._stall(step[1])
                if self.client_hung_up:
                    return False
            elif kind == "close":
                self._close()
                return False
            elif kind == "drop":
                # SO_LINGER with a zero time: close() sends a reset at once.
                try:
                    self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                         struct.pack("ii", 1, 0))
                except OSError:
                    pass
                self._close()
                return False
            else:
                raise ValueError(f"unknown step {kind!r}")
        return True

    def _serve(self):
        # The script, cut at its "accept" steps: one part per connection.
        parts = [[]]
        for step in self.script:
            if step[0] == "accept":
                parts.append([])
            else:
                parts[-1].append(step)
        try:
            for part in parts:
                self._accept()
                try:
                    if self._play(part):
                        # Keep what else the client says, until it hangs up.
                        self.conn.settimeout(5)
                        while True:
                            self._readline()
                except ClientHungUp:
                    self.client_hung_up = True
                except (EOFError, OSError, socket.timeout):
                    pass
                finally:
                    self._close()
        except OSError:
            pass
        except Exception as e:  # reported to the test
            self.error = e
        finally:
            self._close()
            self.listener.close()
            self.done.set()

    def before_tls(self):
        """What the client said in clear: before the first TLS, or all."""
        return self.received if self.tls_at is None else self.received[:self.tls_at]

    def wait(self, timeout=30):
        self.done.wait(timeout)
        if self.error is not None:
            raise self.error
        return self.received
