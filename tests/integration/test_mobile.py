# SPDX-License-Identifier: GPL-2.0-or-later
"""Mobile devices and pages (issue 11): contacts' devices in the buddy list,
pages both ways (buddy menu, and IMs to an offline contact who takes pages),
every refusal as a sentence in the conversation, and our own MOB/MBE
settings with the server's word winning."""
import json
import os

from harness import main, test, _mkdtemp
from msn_common import ALICE, BASIC, BOB, sign_in, start, wait_for

CAROL = "carol@example.com"   # alice's contact, never online, takes pages
DAVE = "dave@example.com"     # alice's contact, no device


def mobile_fixture(alice_mob=None):
    with open(BASIC, encoding="utf-8") as f:
        fx = json.load(f)
    users = fx["users"]
    # bob says PRP MOB Y and MBE Y himself: alice's contact bob takes pages.
    users[BOB[0]]["phones"] = {"MOB": "Y", "MBE": "Y"}
    for c in users[ALICE[0]]["contacts"]:
        if c["passport"] == CAROL:
            c["mobile"] = True
            c["phones"]["HSB"] = "1"
        if c["passport"] == DAVE:
            c["mobile"] = False
    if alice_mob is not None:
        users[ALICE[0]]["phones"]["MOB"] = alice_mob
    path = os.path.join(_mkdtemp("fixture"), "mobile.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fx, f)
    return path


def said(driver, text, account="a", timeout=10):
    """Waits for a conversation line containing `text`."""
    return wait_for(lambda: any(text in (e.get("message") or "")
                                for e in driver.events("conv-write", account=account)),
                    driver, timeout=timeout)


def pages(server):
    return server.control({"cmd": "pages"})["pages"]


def page_via_menu(driver, to, text, account="a"):
    r = driver.cmd("buddy_menu", id=account, buddy=to, label="Send to Mobile Device")
    assert "Send to Mobile Device" in r["labels"], r
    req = driver.expect("request", timeout=5)
    driver.cmd("answer_request", request=req["request"], text=text)


@test
def mobile_contact_in_list_tooltip_and_info():
    server, driver = start(fixture=mobile_fixture())
    with server, driver:
        sign_in(server, driver)
        wait_for(lambda: driver.cmd("tooltip", id="a", buddy=CAROL).get("emblem") == "mobile",
                 driver)
        t = driver.cmd("tooltip", id="a", buddy=CAROL)
        # Offline yet reachable: said in the buddy list.
        assert t["status_text"] == "Offline (mobile)", t
        assert t["emblem"] == "mobile", t
        text = json.dumps(t)
        assert "Accepted on the mobile device" in text and "MSN Space" in text, t
        plain = driver.cmd("tooltip", id="a", buddy=DAVE)
        assert plain.get("emblem") is None and "Pages" not in json.dumps(plain), plain
        assert "Send to Mobile Device" not in driver.cmd("buddy_menu", id="a", buddy=DAVE)["labels"]
        # The PURPLE_STATUS_MOBILE status is active on the buddy.
        b = driver.cmd("buddy", id="a", buddy=CAROL)
        assert "mobile" in json.dumps(b), b
        driver.cmd("get_info", id="a", buddy=CAROL)
        info = driver.expect("notify-userinfo", timeout=5)
        assert "Accepted on the mobile device" in json.dumps(info), info


@test
def pages_both_ways():
    server, driver = start(fixture=mobile_fixture(alice_mob="Y"))
    with server, driver:
        sign_in(server, driver)
        sign_in(server, driver, who=BOB, id="b")
        # alice -> bob from the buddy menu: bob gets it as a message from alice.
        page_via_menu(driver, BOB[0], "Call me <now> & then")
        ev = driver.expect("received-im-msg", timeout=10, account="b")
        assert ev["sender"] == ALICE[0] and "Call me &lt;now&gt; &amp; then" in ev["message"], ev
        assert said(driver, "Sent to the contact's mobile device as a page.")
        # bob -> alice the same way (alice said PRP MOB Y).
        page_via_menu(driver, ALICE[0], "On my way", account="b")
        ev = driver.expect("received-im-msg", timeout=10, account="a")
        assert ev["sender"] == BOB[0] and "On my way" in ev["message"], ev
        # An IM to an offline contact who takes pages goes as a page.
        driver.cmd("send_im", id="a", to=CAROL, text="<b>Ring</b> me")
        assert wait_for(lambda: any(p["to"] == CAROL for p in pages(server)), driver)
        p = [p for p in pages(server) if p["to"] == CAROL][0]
        assert p == {"from": ALICE[0], "to": CAROL, "text": "Ring me", "delivered": False}, p
        cmds = server.control({"cmd": "last_commands", "user": ALICE[0]})["lines"]
        assert any(l.startswith("PAG ") and CAROL in l for l in cmds), cmds


@test
def pgd_only_server_gets_pgd():
    server, driver = start(fixture=mobile_fixture(), knobs={"page_pgd_only": "1"})
    with server, driver:
        sign_in(server, driver)
        sign_in(server, driver, who=BOB, id="b")
        page_via_menu(driver, BOB[0], "second try")
        ev = driver.expect("received-im-msg", timeout=10, account="b")
        assert "second try" in ev["message"], ev
        cmds = server.control({"cmd": "last_commands", "user": ALICE[0]})["lines"]
        assert any(l.startswith("PGD ") and " 1 " in l for l in cmds), cmds
        assert not said(driver, "not delivered", timeout=1)


@test
def page_refusals_are_sentences():
    server, driver = start(fixture=mobile_fixture())
    with server, driver:
        sign_in(server, driver)
        cases = [("217", "does not accept pages"), ("205", "has no mobile device"),
                 ("201", "too long or not understood"), ("800", "too quickly")]
        for code, sentence in cases:
            server.control({"cmd": "set_knob", "name": "error_once", "value": "PAG:" + code})
            driver.cmd("send_im", id="a", to=CAROL, text="page " + code)
            assert said(driver, "Your page was not delivered: "), code
            assert said(driver, sentence), (code, sentence)
        # Too long for the device: refused before sending, with the number.
        driver.cmd("send_im", id="a", to=CAROL, text="x" * 161)
        assert said(driver, "at most 160 characters")
        assert not any(p["text"].startswith("xxx") for p in pages(server))
        # The service's own "too long for the device" (IPG, MSG id 407).
        server.control({"cmd": "set_knob", "name": "page_too_long", "value": "1"})
        driver.cmd("send_im", id="a", to=CAROL, text="short enough")
        assert said(driver, "too long for the mobile device")
        # The connection lived through all of it.
        assert driver.cmd("account_state", id="a")["connected"], "signed off"


@test
def own_mobile_settings_round_trip():
    server, driver = start(fixture=mobile_fixture(alice_mob="Y"))
    with server, driver:
        sign_in(server, driver)
        label = "Mobile Device Settings..."
        assert label in driver.cmd("actions", id="a")["actions"]
        driver.cmd("run_action", id="a", label=label)
        req = driver.expect("request", timeout=5)
        values = {f["id"]: f.get("value") for f in req["fields"]}
        assert values == {"MOB": True, "MBE": False}, req
        driver.cmd("answer_request", request=req["request"], fields={"MOB": False, "MBE": True})

        def server_phones():
            return server.control({"cmd": "get_user", "user": ALICE[0]})["user"]["phones"]
        assert wait_for(lambda: server_phones().get("MOB") == "N"
                        and server_phones().get("MBE") == "Y", driver), server_phones()
        # The server's word wins: changed elsewhere, seen at the next sign-in.
        server.control({"cmd": "list_change", "user": ALICE[0], "op": "phone",
                        "type": "MOB", "value": "Y"})
        driver.cmd("disconnect", id="a")
        driver.cmd("connect", id="a")
        driver.expect("signed-on", timeout=15, account="a")
        driver.cmd("run_action", id="a", label=label)
        req = driver.expect("request", timeout=5)
        values = {f["id"]: f.get("value") for f in req["fields"]}
        assert values == {"MOB": True, "MBE": True}, req


if __name__ == "__main__":
    main()
