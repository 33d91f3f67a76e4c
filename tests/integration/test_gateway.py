# SPDX-License-Identifier: GPL-2.0-or-later
"""The HTTP gateway connection method: polling while idle, every gateway
fault (session closed by the server, a poll answered with an error, a 5xx,
a dropped response, a silent gateway) ends in a network error the account
reconnects from, never a silent stall; switchboard faults end in delivery
or a report; bad settings are clear errors; and behind an HTTP proxy that
refuses CONNECT to the MSN port the account signs in through the gateway.

(The rest of the MSN suite runs over the gateway as the
integration-gateway-* tests.)"""
import socket
import threading
import time

from harness import gateway_settings, main, test
from msn_common import ALICE, BOB, add, sign_in, start, wait_for


def gw_sign_in(server, driver, who=ALICE, id="a", **more):
    return sign_in(server, driver, who, id, **gateway_settings(server, **more))


def stats(server):
    return server.control({"cmd": "stats"})["stats"]


def expect_network_error(driver, within, id="a"):
    start = time.monotonic()
    err = driver.expect("connection-error", timeout=within, account=id)
    assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
    assert err["description"], err
    return err, time.monotonic() - start


@test
def idle_session_polls_at_the_default_interval():
    """Idle, the NS session polls every two seconds: neither silent nor
    busy."""
    server, driver = start()
    with server, driver:
        gw_sign_in(server, driver)
        before = stats(server)["gw_polls"]
        driver.cmd("sleep", ms=7000)
        polls = stats(server)["gw_polls"] - before
        assert 2 <= polls <= 5, polls
        assert driver.cmd("account_state", id="a")["connected"]


def fault_after_sign_in(knob, words, within=12):
    server, driver = start()
    with server, driver:
        gw_sign_in(server, driver)
        server.set_knob(knob, "ns")
        err, took = expect_network_error(driver, within)
        assert any(w in err["description"] for w in words), err
        # The account comes back: the fault was one-shot.
        driver.expect("signed-off", timeout=10, account="a")
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")


@test
def session_closed_by_the_server_is_a_network_error():
    fault_after_sign_in("gw_session_close", ["closed", "lost", "Lost"])


@test
def poll_answered_with_an_error_is_a_network_error():
    fault_after_sign_in("gw_poll_error", ["error 400"])


@test
def gateway_5xx_is_a_network_error():
    fault_after_sign_in("gw_5xx", ["error 503"])


@test
def dropped_response_is_a_network_error():
    fault_after_sign_in("gw_drop", ["before replying in full"])


@test(timeout=120)
def silent_gateway_is_a_network_error():
    fault_after_sign_in("gw_stall", ["stopped responding"], within=35)


@test
def gateway_error_during_sign_in_is_a_network_error():
    server, driver = start(knobs={"gw_5xx": "ns"})
    with server, driver:
        add(server, driver, **gateway_settings(server))
        driver.cmd("connect", id="a")
        err, _ = expect_network_error(driver, 15)
        assert "503" in err["description"], err


@test
def unreachable_gateway_is_a_network_error_naming_it():
    server, driver = start()
    with server, driver:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        add(server, driver, http_method=True,
            http_method_server="127.0.0.1:%d" % port)
        driver.cmd("connect", id="a")
        err, _ = expect_network_error(driver, 15)
        assert "HTTP gateway" in err["description"], err


@test
def bad_gateway_setting_is_an_invalid_setting():
    server, driver = start()
    with server, driver:
        add(server, driver, http_method=True, http_method_server="not a host")
        driver.cmd("connect", id="a")
        err = driver.expect("connection-error", timeout=15, account="a")
        assert err["reason"] == "INVALID_SETTINGS", err
        assert "HTTP gateway" in err["description"], err


def two_users(server, driver):
    gw_sign_in(server, driver, ALICE, "a")
    gw_sign_in(server, driver, BOB, "b")
    assert wait_for(lambda: driver.cmd("buddy", id="a", buddy=BOB[0])["buddy"]["online"],
                    driver)


def received(driver, account, text):
    return [e for e in driver.events("received-im-msg")
            if e["account"] == account and text in e["message"]]


def errors(driver, account):
    return [e for e in driver.events("conv-write")
            if e["account"] == account and "ERROR" in e.get("flags", [])]


def switchboard_fault(knob):
    server, driver = start()
    with server, driver:
        two_users(server, driver)
        driver.cmd("send_im", id="a", to=BOB[0], text="before the fault")
        driver.expect("received-im-msg", timeout=10, account="b")
        server.set_knob(knob, "sb")
        driver.cmd("sleep", ms=3000)    # a poll meets the fault
        driver.cmd("send_im", id="a", to=BOB[0], text="after the fault")
        # Delivered on a new switchboard, or reported: never silently lost.
        assert wait_for(lambda: received(driver, "b", "after the fault")
                        or errors(driver, "a"), driver, 25)
        # The notification sessions were not touched.
        assert driver.cmd("account_state", id="a")["connected"]


@test
def switchboard_session_closed_by_the_server():
    switchboard_fault("gw_session_close")


@test
def switchboard_5xx():
    switchboard_fault("gw_5xx")


@test
def sign_out_reaches_the_server_at_once():
    """The OUT of a sign-out goes out through the gateway: contacts see
    the account go offline now, not when the gateway session times out."""
    server, driver = start(knobs={"gw_idle_timeout": "60"})
    with server, driver:
        two_users(server, driver)
        # Past the sign-in's burst of requests: one still out at sign-out
        # time would hold the OUT back (see msnp_http_gateway_free()).
        driver.cmd("sleep", ms=2500)
        driver.cmd("disconnect", id="a")
        assert wait_for(lambda: not driver.cmd("buddy", id="b", buddy=ALICE[0])["buddy"]["online"],
                        driver, 8)


@test
def sign_out_right_after_sign_in_reaches_the_server():
    """Signing out while a request is still out (here: the sign-in's last
    command): the OUT follows once that request is answered, so the server
    ends the session now, not when the gateway session times out."""
    server, driver = start(knobs={"gw_idle_timeout": "60"})
    with server, driver:
        add(server, driver, **gateway_settings(server))
        for _ in range(3):
            driver.cmd("connect", id="a")
            driver.expect("signed-on", timeout=15, account="a")
            driver.cmd("disconnect", id="a")
            assert wait_for(lambda: ALICE[0] not in stats(server)["online"], driver, 5), \
                stats(server)


class RefusingProxy:
    """An HTTP proxy that refuses CONNECT to every port but `allowed`
    (like Squid's stock configuration, which allows 443 only)."""

    def __init__(self, allowed):
        self.allowed = set(allowed)
        self.connects = []
        self.targets = []   # (host, port) as the client named them
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 8192:
            data = conn.recv(4096)
            if not data:
                conn.close()
                return
            head += data
        line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(line) < 2 or line[0] != "CONNECT":
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
            conn.close()
            return
        host, _, port = line[1].rpartition(":")
        self.connects.append(int(port))
        self.targets.append((host, int(port)))
        if host not in ("127.0.0.1", "localhost") or int(port) not in self.allowed:
            conn.sendall(b"HTTP/1.0 403 Forbidden\r\n\r\n")
            conn.close()
            return
        upstream = socket.create_connection(("127.0.0.1", int(port)))
        conn.sendall(b"HTTP/1.0 200 Connection established\r\n\r\n")
        rest = head.split(b"\r\n\r\n", 1)[1]
        if rest:
            upstream.sendall(rest)
        threading.Thread(target=self._pipe, args=(upstream, conn), daemon=True).start()
        self._pipe(conn, upstream)

    @staticmethod
    def _pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.sock.close()


@test
def http_proxy_refusing_the_msn_port_falls_back_to_the_gateway():
    """The gateway option is off; the account's HTTP proxy refuses CONNECT
    to the MSN server but allows web ports (here: Passport's and the
    gateway's): the account signs in through the gateway, and its
    conversations go through it too."""
    server, driver = start()
    proxy = RefusingProxy({server.info["gateway_port"], server.info["https_port"]})
    try:
        with server, driver:
            settings = {"server": "127.0.0.1", "port": server.info["dispatch_port"],
                        "nexus_url": server.info["nexus_url"], "login_timeout": 15}
            settings.update(gateway_settings(server, http_method=False))
            driver.cmd("add_account", id="a", protocol="prpl-msn", username=ALICE[0],
                       password=ALICE[1], settings=settings,
                       http_proxy="127.0.0.1:%d" % proxy.port)
            driver.cmd("connect", id="a")
            driver.expect("signed-on", timeout=20, account="a")
            assert server.info["dispatch_port"] in proxy.connects, proxy.connects
            # Behind a proxy the proxy resolves names: Passport's host goes
            # to it as a name, not looked up by the plugin.
            assert ("localhost", server.info["https_port"]) in proxy.targets, proxy.targets
            # The dispatch server's session, then the NS's.
            assert stats(server)["gw_sessions"] == 2, stats(server)
            gw_sign_in(server, driver, BOB, "b")
            assert wait_for(lambda: driver.cmd("buddy", id="a", buddy=BOB[0])["buddy"]["online"],
                            driver)
            driver.cmd("send_im", id="a", to=BOB[0], text="through the proxy")
            driver.expect("received-im-msg", timeout=15, account="b")
            # Bob's two, and a switchboard session for each account.
            assert stats(server)["gw_sessions"] >= 6, stats(server)
    finally:
        proxy.close()


@test
def no_fallback_without_an_http_proxy():
    """Without a proxy, an unreachable server is reported as it always
    was: the gateway is not tried behind the user's back."""
    server, driver = start()
    with server, driver:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        add(server, driver, port=port, **gateway_settings(server, http_method=False))
        driver.cmd("connect", id="a")
        expect_network_error(driver, 15)
        assert stats(server)["gw_sessions"] == 0, stats(server)


if __name__ == "__main__":
    main()
