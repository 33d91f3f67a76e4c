# SPDX-License-Identifier: GPL-2.0-or-later
"""Contact-list management against the test server: buddies and groups
round-trip (and survive a re-login), refusals roll the buddy list back to
the server's truth with the server's sentence, changes made by another
client show up, Get Info and own phone numbers."""
import glob
import json
import os
import subprocess
import sys
import tempfile

from harness import Driver, Server, main, msn_account, signed_on, test
from msn_common import ALICE, groups, sign_in, start, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE_FIXTURE = os.path.join(HERE, "..", "server", "make_fixture.py")
BIG_USER = ("alice@example.com", "alice-pw")
# Per-buddy events a big list does not need reported one by one.
BULK_EVENTS = ["blist-node-added", "blist-node-aliased", "blist-node-removed",
               "buddy-removed", "buddy-status-changed", "buddy-idle-changed",
               "buddy-signed-on", "privacy-list", "blist-save"]


def user(server, who=ALICE[0]):
    return server.control({"cmd": "get_user", "user": who})["user"]


def contact(server, passport, who=ALICE[0]):
    for c in user(server, who)["contacts"]:
        if c["passport"] == passport:
            return c
    return None


def group_id(server, name, who=ALICE[0]):
    for g in user(server, who)["groups"]:
        if g["name"] == name:
            return g["id"]
    return None


def server_has(server, driver, predicate, timeout=10):
    return wait_for(lambda: predicate(), driver, timeout=timeout)


def in_group(driver, group, buddy, id="a"):
    return buddy in groups(driver, id).get(group, {})


def relogin(driver, id="a"):
    driver.cmd("disconnect", id=id)
    driver.cmd("connect", id=id)
    driver.expect("signed-on", timeout=15, account=id)


def error_notice(driver, text):
    return driver.expect("notify", timeout=10, type="error",
                         secondary=lambda s: s is not None and text in s)


@test
def add_buddy_to_existing_and_new_groups():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        driver.cmd("add_buddy", id="a", buddy="zed@example.com", group="Friends")
        assert server_has(server, driver, lambda: (contact(server, "zed@example.com") or {})
                          .get("groups") == [group_id(server, "Friends")])
        z = contact(server, "zed@example.com")
        assert "FL" in z["lists"] and "AL" in z["lists"], z

        driver.cmd("add_buddy", id="a", buddy="yan@example.com", group="Skiing")
        assert server_has(server, driver, lambda: group_id(server, "Skiing") is not None and
                          (contact(server, "yan@example.com") or {}).get("groups")
                          == [group_id(server, "Skiing")])
        relogin(driver)
        assert in_group(driver, "Friends", "zed@example.com")
        assert in_group(driver, "Skiing", "yan@example.com")
        assert not driver.events("notify", type="error")


@test
def move_and_several_groups_round_trip():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        driver.cmd("move_buddy", id="a", buddy="dave@example.com", to="Coworkers")
        assert server_has(server, driver, lambda: contact(server, "dave@example.com")
                          ["groups"] == ["1"])
        assert wait_for(lambda: in_group(driver, "Coworkers", "dave@example.com") and
                        not in_group(driver, "Friends", "dave@example.com"), driver)
        # Moving into a group that does not exist yet creates it first.
        driver.cmd("move_buddy", id="a", buddy="dave@example.com", to="Climbing")
        assert server_has(server, driver, lambda: contact(server, "dave@example.com")
                          ["groups"] == [group_id(server, "Climbing")])
        # The same contact in a second group.
        driver.cmd("add_buddy", id="a", buddy="dave@example.com", group="Friends")
        assert server_has(server, driver, lambda: sorted(contact(server, "dave@example.com")
                          ["groups"]) == sorted(["2", group_id(server, "Climbing")]))
        relogin(driver)
        assert in_group(driver, "Friends", "dave@example.com")
        assert in_group(driver, "Climbing", "dave@example.com")
        assert not in_group(driver, "Coworkers", "dave@example.com")


@test
def remove_from_one_group_or_the_whole_list():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        driver.cmd("remove_buddy", id="a", buddy="carol@example.com", group="Coworkers")
        assert server_has(server, driver, lambda: contact(server, "carol@example.com")
                          ["groups"] == ["2"])
        driver.cmd("remove_buddy", id="a", buddy="dave@example.com")
        # One look per try: the contact may go between two.
        assert server_has(server, driver, lambda: "FL" not in
                          (contact(server, "dave@example.com") or {"lists": []})["lists"])
        relogin(driver)
        g = groups(driver)
        assert "carol@example.com" in g["Friends"] and "carol@example.com" not in g["Coworkers"], g
        assert all("dave@example.com" not in m for m in g.values()), g


@test
def rename_and_remove_groups():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        driver.cmd("rename_group", group="Coworkers", to="Colleagues")
        assert server_has(server, driver, lambda: group_id(server, "Colleagues") == "1")
        # Removing a group: libpurple removes its buddies first.
        driver.cmd("remove_buddy", id="a", buddy="dave@example.com", group="Friends")
        driver.cmd("remove_buddy", id="a", buddy="carol@example.com", group="Friends")
        driver.cmd("remove_group", group="Friends")
        assert server_has(server, driver, lambda: group_id(server, "Friends") is None)
        assert contact(server, "carol@example.com")["groups"] == ["1"]
        relogin(driver)
        g = groups(driver)
        assert set(g) == {"Colleagues"}, g
        assert not driver.events("notify", type="error")


@test
def refusals_roll_back():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        # Not a passport at all: refused before it goes out.
        driver.cmd("add_buddy", id="a", buddy="not a passport", group="Friends")
        error_notice(driver, "")
        assert wait_for(lambda: not in_group(driver, "Friends", "not a passport"), driver)
        # The server refuses this one (208).
        driver.cmd("add_buddy", id="a", buddy="nobody@invalid", group="Friends")
        n = driver.expect("notify", timeout=10, type="error",
                          primary=lambda p: "nobody@invalid" in p)
        assert n["secondary"], n
        assert wait_for(lambda: not in_group(driver, "Friends", "nobody@invalid"), driver)
        # Too long a group name (229): the group gets its old name back.
        driver.cmd("rename_group", group="Coworkers", to="x" * 200)
        driver.expect("notify", timeout=10, type="error",
                      primary=lambda p: "Coworkers" in p)
        assert wait_for(lambda: "Coworkers" in groups(driver), driver)
        assert group_id(server, "Coworkers") == "1"
        # Group 0 cannot go (230).
        driver.cmd("add_group", group="Other Contacts")
        driver.cmd("remove_group", group="Other Contacts")
        driver.expect("notify", timeout=10, type="error",
                      primary=lambda p: "Other Contacts" in p)
        assert group_id(server, "Other Contacts") == "0"


@test
def server_errors_become_sentences_and_roll_back():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        server.set_knob("error_on", "NS/ADG:223")
        driver.cmd("add_buddy", id="a", buddy="zed@example.com", group="Twelve")
        n = driver.expect("notify", timeout=10, type="error",
                          primary=lambda p: "Twelve" in p)
        assert n["secondary"] and "223" not in n["primary"], n
        assert wait_for(lambda: not in_group(driver, "Twelve", "zed@example.com"), driver)
        server.set_knob("error_on", "NS/REM:216")
        driver.cmd("remove_buddy", id="a", buddy="dave@example.com")
        driver.expect("notify", timeout=10, type="error",
                      primary=lambda p: "dave@example.com" in p)
        assert wait_for(lambda: in_group(driver, "Friends", "dave@example.com"), driver)
        server.set_knob("error_on", "NS/ADD:210")
        driver.cmd("move_buddy", id="a", buddy="bob@example.com", to="Friends")
        driver.expect("notify", timeout=10, type="error",
                      primary=lambda p: "bob@example.com" in p)
        assert wait_for(lambda: in_group(driver, "Coworkers", "bob@example.com") and
                        not in_group(driver, "Friends", "bob@example.com"), driver)
        assert contact(server, "bob@example.com")["groups"] == ["1"]


@test
def another_clients_changes_appear():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        # While online: the server tells us at once.
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "add", "list": "FL",
                        "contact": "kim@example.com", "friendly": "Kim", "group": "2"})
        assert wait_for(lambda: in_group(driver, "Friends", "kim@example.com"), driver)
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "group_rename",
                        "id": "1", "name": "Team"})
        assert wait_for(lambda: "bob@example.com" in groups(driver).get("Team", {}), driver)
        # While offline: found at the next sign-in (the version moved).
        driver.cmd("disconnect", id="a")
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "remove", "list": "FL",
                        "contact": "dave@example.com"})
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "group_rename",
                        "id": "2", "name": "Pals"})
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "add", "list": "FL",
                        "contact": "lou@example.com", "friendly": "Lou", "group": "1"})
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        # The buddy list is brought in line in slices on the main loop,
        # which may still be running at signed-on.
        wait_for(lambda: "dave@example.com" not in str(groups(driver)), driver, 5)
        g = groups(driver)
        assert "lou@example.com" in g.get("Team", {}), g
        assert "kim@example.com" in g.get("Pals", {}), g
        assert all("dave@example.com" not in m for m in g.values()), g


@test
def alias_stays_local_and_get_info_shows_details():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        driver.cmd("alias_buddy", id="a", buddy="bob@example.com", alias="Bobby")
        driver.cmd("sleep", ms=300)
        assert contact(server, "bob@example.com")["friendly"] == "Bob"
        relogin(driver)
        b = driver.cmd("buddy", id="a", buddy="bob@example.com")["buddy"]
        assert b["alias"] == "Bobby", b
        driver.cmd("get_info", id="a", buddy="bob@example.com")
        info = driver.expect("notify-userinfo", timeout=10, who="bob@example.com")
        labels = {e["label"]: e["value"] for e in info["entries"]}
        assert labels.get("E-mail address") == "bob@example.com", labels
        assert labels.get("Friendly name") == "Bob", labels
        assert labels.get("Home phone") == "3.1415926535", labels
        assert labels.get("Groups") == "Coworkers", labels
        assert "Status" in labels and "Lists" in labels, labels


@test
def own_phone_numbers_from_the_account_action():
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        assert "Set Phone Numbers..." in driver.cmd("actions", id="a")["actions"]
        driver.cmd("run_action", id="a", label="Set Phone Numbers...")
        req = driver.expect("request", timeout=5)
        driver.cmd("answer_request", request=req["request"],
                    fields={"PHW": "555 0100", "PHM": ""})
        assert server_has(server, driver, lambda: user(server)["phones"] ==
                          {"PHH": "01 234", "PHW": "555 0100"})
        relogin(driver)
        driver.cmd("run_action", id="a", label="Set Phone Numbers...")
        req = driver.expect("request", timeout=5)
        values = {f["id"]: f.get("value") for f in req["fields"]}
        assert values.get("PHW") == "555 0100", req


@test
def removing_every_copy_at_once_leaves_the_forward_list():
    # Issue 9.8, against a server that keeps a contact removed from its
    # last group by group on the forward list, as MSN's servers did.
    server, driver = start(knobs={"rem_keeps_fl": "1"})
    with server, driver:
        sign_in(server, driver)
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "add", "list": "FL",
                        "contact": "carol@example.com", "friendly": "Carol Singer",
                        "group": "0"})
        assert wait_for(lambda: in_group(driver, "Other Contacts", "carol@example.com"), driver)
        # Three removals out before any echo is back.
        r = driver.cmd("remove_buddy_everywhere", id="a", buddy="carol@example.com")
        assert r["removed"] == 3, r
        assert server_has(server, driver, lambda: contact(server, "carol@example.com") is None
                          or "FL" not in contact(server, "carol@example.com")["lists"])
        relogin(driver)
        g = groups(driver)
        assert all("carol@example.com" not in m for m in g.values()), g
        assert not driver.events("notify", type="error")


@test
def already_there_keeps_the_buddy():
    # Issue 9.7: 215 to ADD FL means the contact is on the list already.
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        # The server has zed in Friends and this session was not told.
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "add", "list": "FL",
                        "contact": "zed@example.com", "friendly": "Zed", "group": "2",
                        "silent": True})
        driver.cmd("add_buddy", id="a", buddy="zed@example.com", group="Friends")
        # A later change whose echo the driver shows (yan allowed: the
        # permit list's UI op): the 215 was handled before it.
        driver.cmd("add_buddy", id="a", buddy="yan@example.com", group="Friends")
        driver.expect("privacy-list", timeout=10, list="permit", op="added",
                      who="yan@example.com")
        assert in_group(driver, "Friends", "zed@example.com")
        assert not driver.events("notify", type="error")
        # The next change starts from the server's truth: a move leaves
        # Friends on the server too.
        driver.cmd("move_buddy", id="a", buddy="zed@example.com", to="Coworkers")
        assert server_has(server, driver, lambda: contact(server, "zed@example.com")
                          ["groups"] == ["1"])
        relogin(driver)
        assert in_group(driver, "Coworkers", "zed@example.com")
        assert not in_group(driver, "Friends", "zed@example.com")


# What a change to the buddy list or the privacy lists shows in a host.
LIST_CHANGES = ("blist-node-added", "blist-node-removed", "blist-node-aliased",
                "buddy-added", "buddy-removed", "blist-save", "privacy-list")


def list_changes(driver):
    return [e for e in driver.events(taken=False) if e["event"] in LIST_CHANGES]


@test
def unchanged_list_changes_nothing_at_sign_in():
    # Issue 10, target 2: a sign-in whose list equals the buddy list adds,
    # moves, re-aliases or re-groups nothing, leaves the permit and deny
    # lists alone and asks for no blist.xml save: whether the server says
    # "unchanged" (cached version) or sends the whole list again.
    server, driver = start()
    with server, driver:
        sign_in(server, driver)
        assert wait_for(lambda: in_group(driver, "Friends", "dave@example.com"), driver)
        # The first sign-in did build the list (and the test can see it).
        assert [e for e in driver.events("privacy-list") if e["list"] == "permit"]
        assert driver.events("blist-save")
        for resend in (False, True):
            driver.cmd("disconnect", id="a")
            driver.expect("signed-off", timeout=10, account="a")
            driver.cmd("sleep", ms=200)
            if resend:
                caches = glob.glob(os.path.join(driver.user_dir, "msnp", "*.lists"))
                assert caches, "no list cache was written"
                for path in caches:
                    os.remove(path)
            driver.take_all()
            before = server.stats()["lst_lines"].get(ALICE[0], 0)
            driver.cmd("connect", id="a")
            driver.expect("signed-on", timeout=15, account="a")
            driver.cmd("sleep", ms=500)   # every slice and idle has run
            sent = server.stats()["lst_lines"].get(ALICE[0], 0) - before
            assert (sent > 0) == resend, (resend, sent)
            assert list_changes(driver) == [], (resend, list_changes(driver))
            assert in_group(driver, "Friends", "dave@example.com")
            assert in_group(driver, "Coworkers", "carol@example.com")


def big_fixture(tmp, contacts, online=100):
    path = os.path.join(tmp, f"big-{contacts}.json")
    with open(path, "w", encoding="utf-8") as f:
        subprocess.run([sys.executable, MAKE_FIXTURE, "--contacts", str(contacts),
                        "--groups", "10", "--online", str(online)], stdout=f, check=True)
    with open(path, encoding="utf-8") as f:
        fx = json.load(f)
    n_buddies = sum(max(1, len(c.get("groups", [])))
                    for c in fx["users"][BIG_USER[0]]["contacts"] if "FL" in c["lists"])
    return path, n_buddies


@test(timeout=600)
def large_list_signs_in_while_the_main_loop_keeps_turning():
    # Issue 13.5: 20,000 contacts.  The second host starts with no buddy
    # list but the plugin's list cache, so the server sends nothing and
    # the whole list is put in place by the plugin's sync: a timer of the
    # host must keep firing while that happens (it used to be one
    # uninterrupted call, quadratic besides).
    with tempfile.TemporaryDirectory(prefix="msnp-big-") as tmp:
        fixture, n_buddies = big_fixture(tmp, 20000)
        # Through the HTTP gateway: libpurple saves blist.xml in one call,
        # which for 20,000 buddies blocks the main loop for over 10 s in
        # the sanitizer build (full stack unwinding on every malloc); no
        # poll can go out meanwhile, so the gateway must not drop a session
        # idle for 10 s, as the test server does by default.
        server = Server(fixture=fixture, timeout=60,
                        knobs={"gw_idle_timeout": "60"})
        with server:
            first = Driver(trust={"localhost": server.info["cert_pem"]}, name="first")
            with first:
                msn_account(server, first, "a", *BIG_USER, login_timeout=120)
                first.cmd("mute", events=BULK_EVENTS + ["buddy-added"])
                first.cmd("connect", id="a")
                signed_on(first, "a", timeout=120)
                first.cmd("disconnect", id="a", timeout=120)
                first.expect("signed-off", timeout=120, account="a")
            os.remove(os.path.join(first.user_dir, "blist.xml"))
            second = Driver(trust={"localhost": server.info["cert_pem"]},
                            user_dir=first.user_dir, name="second")
            with second:
                msn_account(server, second, "a", *BIG_USER, login_timeout=120)
                second.cmd("mute", events=BULK_EVENTS)
                second.cmd("ticker", ms=20)
                before = server.stats()["lst_lines"].get(BIG_USER[0], 0)
                second.cmd("connect", id="a")
                signed_on(second, "a", timeout=120)
                assert wait_for(lambda: len(second.events("buddy-added")) >= n_buddies,
                                second, timeout=120), len(second.events("buddy-added"))
                second.cmd("ticker", ms=0)
                assert server.stats()["lst_lines"].get(BIG_USER[0], 0) == before
                added = [e["t"] for e in second.events("buddy-added")]
                ticks = [e for e in second.events("tick") if min(added) < e["t"] < max(added)]
                assert len(added) == n_buddies, (len(added), n_buddies)
                assert len(ticks) >= 2, f"{len(ticks)} ticks while {n_buddies} buddies were added"
                assert not second.events("connection-error")


@test(timeout=600)
def list_over_the_cap_is_refused_with_a_reason():
    # Issue 13.5: past 60,000 contacts (msnp-lists.h says why that number)
    # the sign-in stops at once with a sentence, and no reconnect loop.
    with tempfile.TemporaryDirectory(prefix="msnp-big-") as tmp:
        fixture, _ = big_fixture(tmp, 60000, online=0)   # 60,001 with bob
        server = Server(fixture=fixture, timeout=60)
        driver = Driver(trust={"localhost": server.info["cert_pem"]})
        with server, driver:
            msn_account(server, driver, "a", *BIG_USER, login_timeout=120)
            driver.cmd("mute", events=BULK_EVENTS + ["buddy-added"])
            driver.cmd("connect", id="a")
            err = driver.expect(("signed-on", "connection-error"), timeout=120, account="a")
            assert err["event"] == "connection-error", err
            assert "60001" in err["description"] and "60000" in err["description"], err
            assert err["fatal"], err
            assert len(driver.events("buddy-added")) < 10


if __name__ == "__main__":
    main()
