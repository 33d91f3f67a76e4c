# SPDX-License-Identifier: GPL-2.0-or-later
"""Privacy: libpurple's five modes and its permit/deny lists on BLP and
AL/BL, enforced by the server and seen from a second account (presence
hidden, messages refused); reverse-list authorization and GTC."""
import os

from harness import Driver, main, test
from msn_common import ALICE, BOB, DAN, groups, sign_in, start, wait_for

ALLOW_ALL, DENY_ALL, ALLOW_USERS, DENY_USERS, ALLOW_BUDDYLIST = 1, 2, 3, 4, 5


def user(server, who=ALICE[0]):
    return server.control({"cmd": "get_user", "user": who})["user"]


def lists(server, passport, who=ALICE[0]):
    for c in user(server, who)["contacts"]:
        if c["passport"] == passport:
            return set(c["lists"])
    return set()


def sees_alice(driver, id):
    for members in groups(driver, id).values():
        if ALICE[0] in members:
            return members[ALICE[0]]["online"]
    return False


def refused(driver, id, text):
    """A message from `id` to Alice comes back as not delivered."""
    driver.cmd("send_im", id=id, to=ALICE[0], text=text)
    err = driver.expect("conv-write", timeout=15, account=id,
                        flags=lambda f: "ERROR" in f,
                        message=lambda m: text in m)
    assert not [e for e in driver.events("received-im-msg")
                if e["account"] == "a" and text in e["message"]]
    return err


def delivered(driver, id, text):
    driver.cmd("send_im", id=id, to=ALICE[0], text=text)
    driver.expect("received-im-msg", timeout=15, account="a",
                  message=lambda m: text in m)


def three_users():
    server, driver = start()
    sign_in(server, driver, ALICE, "a")
    sign_in(server, driver, BOB, "b")
    sign_in(server, driver, DAN, "d")
    assert wait_for(lambda: sees_alice(driver, "b"), driver)
    return server, driver


def mode(driver, m):
    driver.cmd("privacy_mode", id="a", mode=m)


@test
def lists_and_mode_mirror_the_server_at_sign_in():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        p = driver.cmd("privacy", id="a")
        assert set(p["permit"]) == {"bob@example.com", "carol@example.com"}, p
        assert set(p["deny"]) == {"eve@example.com"}, p
        # BLP AL with someone blocked: "deny the deny list".
        assert p["mode"] == DENY_USERS, p
        # A host's privacy dialog hears of each name through the UI ops,
        # as libpurple's own calls would tell it.
        told = {(e["list"], e["op"], e["who"]) for e in driver.events("privacy-list")}
        assert told == {("permit", "added", "bob@example.com"),
                        ("permit", "added", "carol@example.com"),
                        ("deny", "added", "eve@example.com")}, told


@test
def every_mode_is_enforced_by_the_server():
    server, driver = three_users()
    with server, driver:
        mode(driver, "deny_all")
        assert wait_for(lambda: user(server)["blp"] == "BL" and
                        "BL" in lists(server, BOB[0]), driver)
        assert wait_for(lambda: not sees_alice(driver, "b"), driver)
        refused(driver, "b", "deny all")

        mode(driver, "allow_all")
        assert wait_for(lambda: user(server)["blp"] == "AL" and
                        not any("BL" in c["lists"] for c in user(server)["contacts"]), driver)
        assert wait_for(lambda: sees_alice(driver, "b") and sees_alice(driver, "d"), driver)
        delivered(driver, "b", "allow all")

        mode(driver, "allow_buddylist")
        # Dan only has Alice on his list: he is not hers, so he is shut out.
        assert wait_for(lambda: user(server)["blp"] == "BL", driver)
        assert wait_for(lambda: not sees_alice(driver, "d") and sees_alice(driver, "b"), driver)
        refused(driver, "d", "not a buddy")
        delivered(driver, "b", "a buddy")

        mode(driver, "allow_users")
        driver.cmd("permit_add", id="a", who=DAN[0])
        assert wait_for(lambda: "AL" in lists(server, DAN[0]) and
                        "BL" not in lists(server, DAN[0]), driver)
        assert wait_for(lambda: sees_alice(driver, "d"), driver)
        delivered(driver, "d", "permitted")

        mode(driver, "deny_users")
        driver.cmd("deny_add", id="a", who=BOB[0])
        assert wait_for(lambda: lists(server, BOB[0]) & {"AL", "BL"} == {"BL"}, driver)
        assert wait_for(lambda: not sees_alice(driver, "b"), driver)
        refused(driver, "b", "denied")
        p = driver.cmd("privacy", id="a")
        assert BOB[0] in p["deny"] and BOB[0] not in p["permit"], p
        assert p["mode"] == DENY_USERS, p

        driver.cmd("deny_remove", id="a", who=BOB[0])
        assert wait_for(lambda: sees_alice(driver, "b"), driver)
        assert "BL" not in lists(server, BOB[0])


@test
def mode_survives_relogin_and_offline_change_is_sent():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        mode(driver, "allow_users")
        assert wait_for(lambda: user(server)["blp"] == "BL", driver)
        driver.cmd("sleep", ms=300)
        driver.cmd("disconnect", id="a")
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        assert driver.cmd("privacy", id="a")["mode"] == ALLOW_USERS
        driver.cmd("disconnect", id="a")
        mode(driver, "deny_users")        # offline: sent at the next sign-in
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        assert wait_for(lambda: user(server)["blp"] == "AL", driver)
        assert driver.cmd("privacy", id="a")["mode"] == DENY_USERS


@test
def lost_buddy_list_file_unblocks_no_one():
    # A host whose blist.xml is gone (a new machine, a reset profile) has
    # libpurple's default mode, "allow all", and empty lists: that is no
    # choice of the user's to push to the server, which would unblock
    # everyone blocked.  The server's lists and mode are taken instead.
    server, first = start()
    with server:
        with first:
            sign_in(server, first)
            assert first.cmd("privacy", id="a")["mode"] == DENY_USERS
            first.cmd("disconnect", id="a")
        os.remove(os.path.join(first.user_dir, "blist.xml"))
        second = Driver(trust={"localhost": server.info["cert_pem"]},
                        user_dir=first.user_dir, name="second")
        with second:
            sign_in(server, second)
            p = second.cmd("privacy", id="a")
            assert set(p["deny"]) == {"eve@example.com"}, p
            second.cmd("sleep", ms=300)
            assert "BL" in lists(server, "eve@example.com")
            assert user(server)["blp"] == "AL"
            assert second.cmd("privacy", id="a")["mode"] == DENY_USERS


@test
def refused_privacy_change_rolls_back():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        server.set_knob("error_once", "NS/ADD:210")
        driver.cmd("deny_add", id="a", who="carol@example.com")
        driver.expect("notify", timeout=10, type="error",
                      primary=lambda p: "carol@example.com" in p)
        # The REM AL went through before the ADD BL was refused: Carol is
        # put back on the allow list, not left on neither.
        assert wait_for(lambda: "carol@example.com" in
                        driver.cmd("privacy", id="a")["permit"], driver)
        p = driver.cmd("privacy", id="a")
        assert "carol@example.com" not in p["deny"], p
        assert {"AL", "FL", "RL"} <= lists(server, "carol@example.com")


@test
def authorization_accept_and_deny():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        # Fred (on RL only) at sign-in: accept.  He is not Alice's contact
        # (on_list false), so the UI offers to add him back.
        fred = driver.expect("authorize", timeout=10, remote_user="fred@example.com")
        assert fred["alias"] == "Fred" and not fred["on_list"], fred
        driver.cmd("answer_authorize", request=fred["request"], accept=True)
        assert wait_for(lambda: "AL" in lists(server, "fred@example.com"), driver)
        # Dan has Alice on his list and was never answered: deny blocks him.
        dan = driver.expect("authorize", timeout=10, remote_user=DAN[0])
        driver.cmd("answer_authorize", request=dan["request"], accept=False)
        assert wait_for(lambda: lists(server, DAN[0]) & {"AL", "BL"} == {"BL"}, driver)
        # Answered people are not asked again at the next sign-in.
        driver.cmd("disconnect", id="a")
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        driver.cmd("sleep", ms=500)
        assert len(driver.events("authorize", remote_user=DAN[0])) == 1
        assert len(driver.events("authorize", remote_user="fred@example.com")) == 1


@test
def adding_while_online_asks_and_removal_is_noted():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        # Make Bob a stranger again, then have him add Alice: ADD 0 RL.
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "remove",
                        "list": "AL", "contact": BOB[0]})
        server.control({"cmd": "list_change", "user": BOB[0], "op": "remove",
                        "list": "FL", "contact": ALICE[0]})
        assert wait_for(lambda: "RL" not in lists(server, BOB[0]), driver)
        server.control({"cmd": "list_change", "user": BOB[0], "op": "add",
                        "list": "FL", "contact": ALICE[0], "group": "0"})
        bob = driver.expect("authorize", timeout=10, remote_user=BOB[0])
        assert bob["on_list"], bob         # he is Alice's contact already
        driver.cmd("answer_authorize", request=bob["request"], accept=True)
        assert wait_for(lambda: "AL" in lists(server, BOB[0]), driver)
        assert not driver.events("connection-error")


@test
def gtc_round_trips_with_the_account_option():
    server, driver = start()
    with server:
        with driver:
            sign_in(server, driver)          # agrees on the server's "A"
        user_dir = driver.user_dir
        # Changed while offline: sent at the next sign-in.
        with Driver(trust={"localhost": server.info["cert_pem"]}, user_dir=user_dir) as d2:
            sign_in(server, d2, gtc_ask=False)
            assert wait_for(lambda: user(server)["gtc"] == "N", d2)
        # Changed by another client: taken into the option (so the next
        # sign-in does not send the old value back).
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "gtc", "value": "A"})
        with Driver(trust={"localhost": server.info["cert_pem"]}, user_dir=user_dir) as d3:
            sign_in(server, d3)
            d3.cmd("disconnect", id="a")
            d3.cmd("connect", id="a")
            d3.expect("signed-on", timeout=15, account="a")
            d3.cmd("sleep", ms=300)
            assert user(server)["gtc"] == "A"


if __name__ == "__main__":
    main()
