# SPDX-License-Identifier: GPL-2.0-or-later
"""Presence both ways between two accounts, friendly names, idle."""
from harness import main, test
from msn_common import ALICE, BOB, groups, sign_in, start, wait_for


def buddy(driver, id, name):
    for members in groups(driver, id).values():
        if name in members:
            return members[name]
    raise AssertionError(f"{name} not on {id}'s list")


@test
def presence_is_seen_both_ways():
    server, driver = start()
    with server, driver:
        sign_in(server, driver, ALICE, "a")
        sign_in(server, driver, BOB, "b")
        # Bob came online after Alice: she hears NLN; he got ILN for her.
        assert wait_for(lambda: buddy(driver, "a", BOB[0])["online"], driver)
        assert wait_for(lambda: buddy(driver, "b", ALICE[0])["online"], driver)

        for status, seen in (("away", "away"), ("busy", "busy"), ("brb", "brb"),
                             ("phone", "phone"), ("lunch", "lunch"),
                             ("available", "available")):
            driver.cmd("set_status", id="a", status=status)
            assert wait_for(lambda: buddy(driver, "b", ALICE[0])["status"] == seen,
                            driver), (status, buddy(driver, "b", ALICE[0]))

        driver.cmd("set_idle", id="a", idle=True)
        assert wait_for(lambda: buddy(driver, "b", ALICE[0])["idle"], driver)
        driver.cmd("set_idle", id="a", idle=False)
        assert wait_for(lambda: not buddy(driver, "b", ALICE[0])["idle"], driver)

        driver.cmd("set_status", id="a", status="invisible")
        assert wait_for(lambda: not buddy(driver, "b", ALICE[0])["online"], driver)
        driver.cmd("set_status", id="a", status="available")
        assert wait_for(lambda: buddy(driver, "b", ALICE[0])["online"], driver)

        driver.cmd("disconnect", id="a")
        assert wait_for(lambda: not buddy(driver, "b", ALICE[0])["online"], driver)


@test
def contacts_presence_changes_show_live():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        server.control({"cmd": "presence", "user": "carol@example.com",
                        "state": "BSY", "friendly": "Caroline"})
        driver.expect("buddy-signed-on", account="a", buddy="carol@example.com")
        assert wait_for(lambda: buddy(driver, "a", "carol@example.com")["status"] == "busy",
                        driver)
        assert wait_for(lambda: buddy(driver, "a", "carol@example.com")["server_alias"]
                        == "Caroline", driver)
        server.control({"cmd": "presence", "user": "carol@example.com", "state": "IDL"})
        assert wait_for(lambda: buddy(driver, "a", "carol@example.com")["idle"], driver)
        server.control({"cmd": "presence", "user": "carol@example.com", "state": "FLN"})
        driver.expect("buddy-signed-off", account="a", buddy="carol@example.com")


@test
def friendly_name_change_reaches_the_server_and_contacts():
    server, driver = start()
    with server, driver:
        sign_in(server, driver, ALICE, "a")
        sign_in(server, driver, BOB, "b")
        driver.cmd("set_public_alias", id="a", alias="Alice in Wonderland")
        driver.expect("public-alias-set", account="a", timeout=10)
        user = server.control({"cmd": "get_user", "user": ALICE[0]})["user"]
        assert user["friendly"] == "Alice in Wonderland", user
        assert wait_for(lambda: buddy(driver, "b", ALICE[0])["server_alias"]
                        == "Alice in Wonderland", driver)


@test
def friendly_name_from_the_account_action():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        actions = driver.cmd("actions", id="a")["actions"]
        assert "Set Friendly Name..." in actions, actions
        driver.cmd("run_action", id="a", label="Set Friendly Name...")
        req = driver.expect("request", timeout=5)
        driver.cmd("answer_request", request=req["request"], text="Ally")
        assert wait_for(lambda: server.control({"cmd": "get_user", "user": ALICE[0]})
                        ["user"]["friendly"] == "Ally", driver)


if __name__ == "__main__":
    main()
