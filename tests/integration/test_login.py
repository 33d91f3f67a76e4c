# SPDX-License-Identifier: GPL-2.0-or-later
"""Signing in: dispatch → NS, Passport, list sync and caching."""
from harness import main, test
from msn_common import ALICE, add, check_basic_list, groups, sign_in, start


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
        g = groups(driver)
        assert set(g["Friends"]) == {"carol@example.com", "zoe@example.com"}, g
        assert "dave@example.com" not in str(g), g


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
