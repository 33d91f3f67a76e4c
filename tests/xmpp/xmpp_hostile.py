# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile peers for the "MSN (XMPP)" fault tests, 127.0.0.1 only, Python 3
standard library only.

* ``HostileXmpp(mode, ...)`` - a raw XMPP "server" on an ephemeral port:
  ``reply`` sends scripted bytes after the client's stream header;
  ``silent`` accepts and never says a word; ``tls`` offers STARTTLS,
  upgrades with the given certificate, then sends ``reply`` after the
  client's new header (or nothing: silent after TLS).
* ``HostileHttps(mode, ...)`` - a token endpoint that is ``silent-tcp``
  (accepts, never starts TLS), ``silent`` (TLS, reads the request, never
  answers) or ``raw`` (answers ``response``, whatever it holds).

Both record what the client sent (``received``, decrypted) and serve any
number of connections, each in its own thread.
"""
import socket
import ssl
import threading

HEADER = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
          b"xmlns:stream='http://etherx.jabber.org/streams' id='1' from='localhost' "
          b"version='1.0'>")
STARTTLS = (b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"
            b"<required/></starttls></stream:features>")
PROCEED = b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"


class _Listener:
    def __init__(self, name):
        self.name = name
        self.received = b""
        self.connections = 0
        self.errors = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        conn.settimeout(60)
        try:
            self.serve(conn)
        except (OSError, ssl.SSLError) as e:
            self.errors.append(repr(e))
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _recv(self, conn):
        data = conn.recv(65536)
        with self.lock:
            self.received += data
        return data

    def _recv_until(self, conn, marker):
        seen = b""
        while marker not in seen:
            data = self._recv(conn)
            if not data:
                raise OSError(f"closed before {marker!r}")
            seen += data
        return seen

    def _drain(self, conn):
        """Reads (and records) until the client closes."""
        while self._recv(conn):
            pass

    def log_tail(self, lines=0):
        return [f"[{self.name}] {self.connections} connection(s), errors {self.errors}, "
                f"received {self.received[:300]!r}"]

    def close(self):
        self.closed = True
        self.sock.close()


class HostileXmpp(_Listener):
    def __init__(self, mode, reply=b"", cert=None, key=None):
        self.mode = mode
        self.reply = reply
        self.cert, self.key = cert, key
        super().__init__(f"hostile-xmpp {mode}")

    def serve(self, conn):
        if self.mode == "silent":
            return self._drain(conn)
        self._recv_until(conn, b">")
        if self.mode == "reply":
            conn.sendall(self.reply)
            return self._drain(conn)
        # "tls": offer STARTTLS, upgrade, then the reply (or silence)
        conn.sendall(HEADER + STARTTLS)
        self._recv_until(conn, b"<starttls")
        conn.sendall(PROCEED)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        tls = ctx.wrap_socket(conn, server_side=True)
        if self.reply:
            self._recv_until(tls, b">")
            tls.sendall(self.reply)
        self._drain(tls)


class HostileHttps(_Listener):
    def __init__(self, mode, cert, key, response=b""):
        self.mode = mode
        self.response = response
        self.cert, self.key = cert, key
        super().__init__(f"hostile-https {mode}")
        self.base = f"https://localhost:{self.port}"

    def serve(self, conn):
        if self.mode == "silent-tcp":
            return self._drain(conn)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        tls = ctx.wrap_socket(conn, server_side=True)
        self._recv_until(tls, b"\r\n\r\n")
        if self.mode == "silent":
            return self._drain(tls)
        tls.sendall(self.response)
        tls.close()
