# SPDX-License-Identifier: GPL-2.0-or-later
"""Session upkeep: challenges, keepalives, being moved or thrown out."""
from harness import main, test
from msn_common import ALICE, sign_in, start, wait_for


@test
def challenge_is_answered():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        server.control({"cmd": "chl", "user": ALICE[0]})
        driver.cmd("sleep", ms=500)
        # A wrong answer makes the server close the session with 540.
        assert not driver.events("connection-error"), driver.events("connection-error")
        cmds = server.control({"cmd": "last_commands", "user": ALICE[0]})["lines"]
        assert any(c.startswith("QRY ") for c in cmds), cmds


@test
def dead_link_is_detected_by_keepalive():
    server, driver = start(knobs={"no_qng": "1"})
    with server, driver:
        sign_in(server, driver, keepalive_interval=1)
        err = driver.expect("connection-error", timeout=10, account="a")
        assert err["reason"] in ("NETWORK_ERROR", 0), err


@test
def keepalive_keeps_a_live_link():
    server, driver = start()
    with server, driver:
        sign_in(server, driver, keepalive_interval=1)
        driver.cmd("sleep", ms=3500)
        assert not driver.events("connection-error")
        cmds = server.control({"cmd": "last_commands", "user": ALICE[0]})["lines"]
        assert sum(1 for c in cmds if c.startswith("PNG")) >= 2, cmds


@test
def signed_in_elsewhere_is_not_reconnected():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        server.control({"cmd": "send_raw", "user": ALICE[0], "data": "OUT OTH\r\n"})
        err = driver.expect("connection-error", timeout=10, account="a")
        assert err["reason"] in ("NAME_IN_USE", 11), err
        assert "another location" in err["description"], err


@test
def server_shutdown_is_a_network_error():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        server.control({"cmd": "send_raw", "user": ALICE[0], "data": "OUT SSD\r\n"})
        err = driver.expect("connection-error", timeout=10, account="a")
        assert err["reason"] in ("NETWORK_ERROR", 0), err


@test
def unsolicited_transfer_moves_to_the_new_server():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        logins = server.stats()["logins"][ALICE[0]]
        ns2 = server.info["ns_ports"][1]
        server.control({"cmd": "send_raw", "user": ALICE[0],
                        "data": f"XFR 0 NS 127.0.0.1:{ns2} 0 127.0.0.1:1863\r\n"})
        assert wait_for(lambda: server.stats()["logins"][ALICE[0]] == logins + 1, driver)
        driver.cmd("sleep", ms=500)
        assert not driver.events("connection-error"), driver.events("connection-error")


@test
def server_error_reaches_the_user_as_a_sentence():
    server, driver = start(knobs={"error_on": "SYN:500"})
    with server, driver:
        from msn_common import add
        add(server, driver)
        driver.cmd("connect", id="a")
        err = driver.expect("connection-error", timeout=15, account="a")
        assert "internal" in err["description"].lower(), err


@test
def no_secret_in_debug_output():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        driver.cmd("disconnect", id="a")
        driver.expect("signed-off", account="a")
        log = driver.debug_log()
        assert "Passport" in log or "msnp" in log, "debug output was not captured"
        assert ALICE[1] not in log, "password in debug output"
        assert "TWN S t=" not in log, "Passport ticket in debug output"
        assert "from-PP" not in log and "Authorization:" not in log


if __name__ == "__main__":
    main()
