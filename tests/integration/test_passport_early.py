# SPDX-License-Identifier: GPL-2.0-or-later
"""Passport while the NS handshake runs (issue 10, target 3): the nexus is
asked and the login server's TLS connection opened before the NS sends its
challenge; the ticket request goes over that connection (the nexus's own,
when the server keeps it open and the login server is on the same host); no
password leaves before the challenge; an HTTPS reply is complete at its
Content-Length."""
import os
import socket
import ssl
import threading

from harness import Driver, Server, main, test
from msn_common import BASIC, add, wait_for


def https_connections(server):
    return server.stats()["connections_by_kind"].get("https", 0)


def passport_counts(server):
    s = server.stats()
    return (s["nexus_requests"], s["login_requests"], s["connections_by_kind"].get("https", 0))


def connection_ready_before_the_challenge(knobs, connections):
    # The NS never answers USR TWN I, so no challenge ever comes.
    server = Server(knobs=dict(knobs, stall="NS/USR"), fixture=BASIC)
    driver = Driver(trust={"localhost": server.info["cert_pem"]})
    with server, driver:
        add(server, driver)
        driver.cmd("connect", id="a")
        assert wait_for(lambda: passport_counts(server) == (1, 0, connections), driver), \
            passport_counts(server)
        # Nothing more while the challenge is missing: above all no login
        # request (it carries the password).
        driver.cmd("sleep", ms=500)
        assert passport_counts(server) == (1, 0, connections), passport_counts(server)
        driver.cmd("disconnect", id="a")
        return server.stats()["https_kept_alive"]


@test
def nexus_connection_is_kept_for_the_login_before_the_challenge():
    # The login server is the nexus's host and the nexus keeps the
    # connection open: one TLS set-up for both.
    assert connection_ready_before_the_challenge({}, 1) == 1


@test
def login_connection_is_opened_before_the_challenge_when_the_nexus_closes():
    assert connection_ready_before_the_challenge({"passport_close": "1"}, 2) == 0


def sign_in_with(knobs):
    """Signs Alice in against a server with KNOBS; returns the Passport
    counts and how many HTTPS connections the server kept open."""
    server = Server(knobs=knobs, fixture=BASIC)
    driver = Driver(trust={"localhost": server.info["cert_pem"]})
    with server, driver:
        add(server, driver)
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        return passport_counts(server), server.stats()["https_kept_alive"]


@test
def nexus_answering_after_the_challenge_sends_the_ticket_request_on_its_connection():
    # The challenge is in before the nexus replies: the ticket request
    # goes out from inside the nexus reply's callback, over the same
    # connection (sanitizer builds check the hand-over frees nothing early).
    assert sign_in_with({"nexus_delay": "0.5"}) == ((1, 1, 1), 1)


@test
def kept_connection_closed_by_the_server_is_replaced():
    # The nexus agrees to keep the connection and closes it anyway: the
    # ticket request opens a new one (or resends once, if it went out on
    # the closing one) and the sign-in goes on.
    assert sign_in_with({"passport_drop_kept": "1"}) == ((1, 1, 2), 1)


@test
def remembered_login_server_is_connected_ahead_and_used():
    server = Server(fixture=BASIC)
    driver = Driver(trust={"localhost": server.info["cert_pem"]})
    with server, driver:
        add(server, driver)
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        # The login went over the nexus's connection.
        assert passport_counts(server) == (1, 1, 1), passport_counts(server)
        driver.cmd("disconnect", id="a")
        driver.expect("signed-off", timeout=15, account="a")

        # The login server is remembered: connected to at once, no nexus.
        server.set_knob("stall", "NS/USR")
        driver.cmd("connect", id="a")
        assert wait_for(lambda: https_connections(server) == 2, driver), \
            passport_counts(server)
        driver.cmd("sleep", ms=300)
        assert passport_counts(server) == (1, 1, 2), passport_counts(server)
        driver.cmd("disconnect", id="a")
        driver.take_all()

        # Signing in for real: the ticket goes over the connection opened
        # ahead, so one more connection and one more login request.
        server.set_knob("stall", "")
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        assert passport_counts(server) == (1, 2, 3), passport_counts(server)


class HoldingNexus:
    """An HTTPS nexus on loopback that answers with a Content-Length and
    then keeps the connection open instead of closing it."""

    def __init__(self, server):
        state = server.info["state_dir"]
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(os.path.join(state, "cert.pem"), os.path.join(state, "key.pem"))
        self.dalogin = "https://localhost:%d/login2.srf" % server.info["https_port"]
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.requests = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            try:
                tls = self.ctx.wrap_socket(conn, server_side=True)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.requests += 1
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
                            b"PassportURLs: DARealm=Passport.Net,DALogin=" +
                            self.dalogin.encode() + b"\r\n\r\n")
                self.held.append(tls)   # never closed while the test runs
            except (OSError, ssl.SSLError):
                conn.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        for s in self.held:
            s.close()
        self.sock.close()


@test
def reply_is_complete_at_its_content_length():
    server = Server(fixture=BASIC)
    driver = Driver(trust={"localhost": server.info["cert_pem"]})
    nexus = HoldingNexus(server)
    try:
        with server, driver:
            add(server, driver, nexus_url="https://localhost:%d/rdr/pprdr.asp" % nexus.port,
                login_timeout=60)
            driver.cmd("connect", id="a")
            # Without Content-Length handling this waits for a close that
            # never comes (60 s sign-in timeout).
            driver.expect("signed-on", timeout=15, account="a")
            assert nexus.requests == 1 and server.stats()["login_requests"] == 1
    finally:
        nexus.close()


if __name__ == "__main__":
    main()
