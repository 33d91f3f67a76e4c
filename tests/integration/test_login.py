# SPDX-License-Identifier: GPL-2.0-or-later
"""Signing in: dispatch → NS, Passport, list sync and caching."""
import socket

from harness import Driver, Server, main, note, test
from msn_common import ALICE, BASIC, add, check_basic_list, groups, sign_in, start, wait_for


def closed_port():
    """A loopback port nobody listens on: connecting is refused."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def connection_error(driver, timeout=20):
    err = driver.expect("connection-error", timeout=timeout, account="a")
    # libpurple's UIs reconnect exactly when the reason is not fatal.
    assert err["fatal"] == (err["reason"] != "NETWORK_ERROR"
                            and err["reason"] != "ENCRYPTION_ERROR"), err
    note(f'{err["reason"]}: {err["description"]}')
    return err


@test
def login_syncs_groups_lists_and_phones():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        steps = [e["text"] for e in driver.events("connect-progress")]
        assert any("Passport" in s for s in steps), steps
        check_basic_list(driver)
        tip = driver.cmd("tooltip", id="a", buddy="bob@example.com")["text"]
        assert "3.1415926535" in tip and "2.71841844" in tip, tip
        tip = driver.cmd("tooltip", id="a", buddy="carol@example.com")["text"]
        assert "9876-54321" in tip, tip
        stats = server.stats()
        assert stats["nexus_requests"] == 1 and stats["login_requests"] == 1, stats
        # Five contacts of her own, and Dan, who added her (reverse list).
        assert stats["lst_lines"][ALICE[0]] == 6, stats


@test
def wrong_password_is_an_authentication_error():
    server, driver = start()
    with server, driver:
        add(server, driver, (ALICE[0], "not-the-password"))
        driver.cmd("connect", id="a")
        err = driver.expect("connection-error", timeout=15, account="a")
        assert err["reason"] in ("AUTHENTICATION_FAILED", 2), err
        assert "password" in err["description"].lower(), err


@test
def unknown_user_is_an_authentication_error():
    server, driver = start()
    with server, driver:
        add(server, driver, ("nobody@example.com", "whatever"))
        driver.cmd("connect", id="a")
        err = driver.expect("connection-error", timeout=15, account="a")
        assert err["reason"] in ("AUTHENTICATION_FAILED", 2), err


@test
def second_login_uses_the_cached_list_and_dalogin():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        driver.cmd("disconnect", id="a")
        driver.expect("signed-off", account="a")
        before = server.stats()
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        after = server.stats()
        assert after["lst_lines"][ALICE[0]] == before["lst_lines"][ALICE[0]], after
        assert after["syn_unchanged"].get(ALICE[0], 0) == 1, after
        # DALogin is remembered: no second trip to the nexus.
        assert after["nexus_requests"] == before["nexus_requests"], after
        assert after["login_requests"] == before["login_requests"] + 1, after
        check_basic_list(driver)


@test
def changes_made_elsewhere_while_offline_appear_at_sign_in():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        driver.cmd("disconnect", id="a")
        driver.expect("signed-off", account="a")
        r = server.control({"cmd": "list_change", "user": ALICE[0], "op": "remove",
                            "list": "FL", "contact": "dave@example.com"})
        assert r["ok"], r
        r = server.control({"cmd": "list_change", "user": ALICE[0], "op": "add",
                            "list": "FL", "contact": "zoe@example.com",
                            "friendly": "Zoe", "group": "2"})
        assert r["ok"], r
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        # The buddy list is brought in line in slices on the main loop,
        # which may still be running at signed-on.
        wait_for(lambda: "dave@example.com" not in str(groups(driver)), driver, 5)
        g = groups(driver)
        assert set(g["Friends"]) == {"carol@example.com", "zoe@example.com"}, g
        assert "dave@example.com" not in str(g), g


@test
def rejected_passport_certificate_is_final():
    """Nothing pre-trusted: libpurple asks about the Passport server's
    certificate; rejecting it ends the sign-in with a certificate reason,
    on which no UI reconnects (and so asks again)."""
    server = Server(fixture=BASIC)
    driver = Driver(trust={})
    with server, driver:
        add(server, driver)
        driver.cmd("connect", id="a")
        req = driver.expect("request", kind="action", timeout=20)
        assert req["title"] == "SSL Certificate Verification", req
        driver.answer(req, action="Reject")
        err = connection_error(driver)
        assert err["reason"].startswith("CERT_"), err
        assert err["fatal"], err
        assert "Passport" in err["description"], err
        assert "certificate" in err["description"], err
        # No second try: neither a new dialog nor another Passport request.
        before = server.stats()
        driver.expect_none("request", within=3)
        after = server.stats()
        assert after["nexus_requests"] == before["nexus_requests"], after
        assert not driver.cmd("account_state", id="a")["connecting"]


@test
def unreachable_nexus_is_a_network_error_naming_passport():
    server, driver = start()
    with server, driver:
        add(server, driver,
            nexus_url="https://127.0.0.1:%d/rdr/pprdr.asp" % closed_port())
        driver.cmd("connect", id="a")
        err = connection_error(driver)
        assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
        text = err["description"]
        assert "Passport" in text and "refused" in text.lower(), err
        assert "SSL Connection Failed" not in text, err


def add_with_host(server, driver, host):
    """Alice's account with the dispatch server given as HOST."""
    driver.cmd("add_account", id="a", protocol="prpl-msn", username=ALICE[0],
               password=ALICE[1], settings={"server": host, "port": server.info["dispatch_port"],
                                            "nexus_url": server.info["nexus_url"],
                                            "login_timeout": 15})


@test
def server_given_by_name_is_looked_up_and_reached():
    # A host name, not an address: looked up by the plugin (GLib's
    # resolver) for a direct connection; "localhost" may give ::1 first,
    # which the test server does not listen on, so the next address is
    # tried.
    server, driver = start()
    with server, driver:
        add_with_host(server, driver, "localhost")
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        check_basic_list(driver)


@test
def unknown_server_name_is_a_network_error_naming_it():
    server, driver = start()
    with server, driver:
        add_with_host(server, driver, "nosuch-host.invalid")
        driver.cmd("connect", id="a")
        err = connection_error(driver)
        assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
        assert "nosuch-host.invalid" in err["description"], err


@test
def silent_nexus_times_out_as_a_network_error():
    server, driver = start()
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)   # the kernel accepts; nobody ever answers
    try:
        with server, driver:
            add(server, driver, login_timeout=3,
                nexus_url="https://127.0.0.1:%d/rdr/pprdr.asp" % silent.getsockname()[1])
            driver.cmd("connect", id="a")
            err = connection_error(driver)
            assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
            assert "Passport" in err["description"], err
            assert "in time" in err["description"], err
    finally:
        silent.close()


@test
def http_nexus_is_refused_before_connecting():
    server, driver = start()
    # The MSN server the account names: a socket that only counts callers.
    dispatch = socket.socket()
    dispatch.bind(("127.0.0.1", 0))
    dispatch.listen(4)
    try:
        with server, driver:
            url = server.info["nexus_url"].replace("https://", "http://")
            add(server, driver, nexus_url=url, port=dispatch.getsockname()[1])
            driver.cmd("connect", id="a")
            err = connection_error(driver)
            assert err["reason"] == "INVALID_SETTINGS" and err["fatal"], err
            assert "Passport nexus URL" in err["description"], err
            assert "https://" in err["description"], err
            assert server.stats()["nexus_requests"] == 0
            dispatch.settimeout(0.5)
            try:
                dispatch.accept()[0].close()
                raise AssertionError("connected to the MSN server anyway")
            except socket.timeout:
                pass
    finally:
        dispatch.close()


@test
def passport_server_error_is_retried():
    server, driver = start(knobs={"passport_http_error": 503})
    with server, driver:
        add(server, driver)
        driver.cmd("connect", id="a")
        err = connection_error(driver)
        assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
        assert "Passport" in err["description"] and "503" in err["description"], err


@test
def oversized_passport_ticket_is_refused():
    """A 200 KB ticket would go to the NS as one 200 KB line."""
    server, driver = start(knobs={"passport_ticket_bytes": 200 * 1024})
    with server, driver:
        add(server, driver)
        driver.cmd("connect", id="a")
        err = connection_error(driver)
        assert "ticket" in err["description"], err
        lines = server.control({"cmd": "last_commands", "user": ALICE[0]}).get("lines", [])
        assert not any(l.startswith("USR") and " S " in l for l in lines), lines


def sign_in_error(code):
    server, driver = start(knobs={"error_on": "USR:%d" % code})
    with server, driver:
        add(server, driver)
        driver.cmd("connect", id="a")
        return connection_error(driver)


@test
def unknown_sign_in_error_is_retried_and_shows_the_code():
    err = sign_in_error(987)
    assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
    assert "987" in err["description"], err


@test
def busy_sign_in_errors_are_retried():
    for code in (500, 600, 601, 910, 912, 921, 922):
        err = sign_in_error(code)
        assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], (code, err)


@test
def sign_in_error_911_is_final():
    err = sign_in_error(911)
    assert err["reason"] == "AUTHENTICATION_FAILED" and err["fatal"], err


@test
def plugin_is_listed_with_its_options():
    server, driver = start()
    with server, driver:
        info = driver.cmd("prpl_info", protocol="prpl-msn")
        assert info["name"] == "MSN", info
        keys = {o["key"] for o in info["options"]}
        assert {"server", "port", "nexus_url"} <= keys, info


if __name__ == "__main__":
    main()
