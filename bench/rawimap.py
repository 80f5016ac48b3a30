# SPDX-License-Identifier: GPL-3.0-or-later
"""The smallest IMAP client that can time a fetch: log in over TLS, select,
send one UID FETCH 1:* and read the answer into a preallocated buffer,
looking at nothing but the end of each read for the tagged reply. It is
the physical limit that Satchel's sync is measured against."""

import socket
import ssl
import time


class RawImap:
    def __init__(self, host, port, cafile):
        context = ssl.create_default_context(cafile=cafile)
        raw = socket.create_connection((host, port))
        self.sock = context.wrap_socket(raw, server_hostname="localhost")
        self.buffer = bytearray(4 * 1024 * 1024)
        self.view = memoryview(self.buffer)
        self.tag = 0
        self._read_response(None)

    def _read_response(self, tag):
        """Reads until the tagged reply to @tag (or, without a tag, the
        first line); returns how many bytes came."""
        tail = b""
        total = 0
        while True:
            n = self.sock.recv_into(self.view)
            if n == 0:
                raise EOFError("server closed the connection")
            total += n
            tail = (tail + bytes(self.view[max(0, n - 8192):n]))[-8192:]
            if not tail.endswith(b"\r\n"):
                continue
            last = tail[:-2].rsplit(b"\r\n", 1)[-1]
            if tag is None or last.startswith(tag + b" "):
                if tag is not None and not last.startswith(tag + b" OK"):
                    raise RuntimeError(last.decode(errors="replace"))
                return total

    def command(self, text):
        self.tag += 1
        tag = b"r%d" % self.tag
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        return self._read_response(tag)

    def timed(self, text):
        start = time.monotonic()
        size = self.command(text)
        return time.monotonic() - start, size

    def close(self):
        try:
            self.command("LOGOUT")
        except (EOFError, OSError):
            pass
        self.sock.close()


def login(host, port, cafile, user, password, mailbox="INBOX"):
    client = RawImap(host, port, cafile)
    client.command(f'LOGIN "{user}" "{password}"')
    client.command(f'SELECT "{mailbox}"')
    return client
