# SPDX-License-Identifier: GPL-2.0-or-later
"""MSN (XMPP) once signed in, two real accounts on Prosody: roster, presence
both ways, chat both ways, typing, vCards, adding by e-mail, authorization
with the XEP-0172 nickname, XEP-0136 history and XEP-0203 delay stamps."""
import base64
import hashlib
import os
import time

from harness import main, test
from xmpp_common import PHOTO, Bed, fixture
from msn_common import groups, wait_for


def buddy(d, id, name):
    return d.cmd("buddy", id=id, buddy=name)["buddy"]


@test(timeout=90)
def roster_presence_vcard_and_icon():
    bed = Bed()
    d = bed.driver
    with d:
        bed.sign_in("a", "alice")
        assert wait_for(lambda: groups(d, "a"), d, 10)
        g = groups(d, "a")
        assert set(g) == {"Friends", "Work"}, g
        assert set(g["Friends"]) == {"bob@localhost"}, g
        assert g["Friends"]["bob@localhost"]["local_alias"] == "Bobby", g
        bed.sign_in("b", "bob")
        # bob comes online for alice, away, with a message
        d.cmd("set_status", id="b", status="away", message="lunch")
        assert wait_for(lambda: buddy(d, "a", "bob@localhost")["primitive"] == "away", d, 15)
        assert buddy(d, "a", "bob@localhost")["message"] == "lunch"
        # and alice for bob
        assert wait_for(lambda: buddy(d, "b", "alice@localhost")["online"], d, 15)
        # the vCard gives bob's nickname and photo
        assert wait_for(lambda: buddy(d, "a", "bob@localhost")["server_alias"] == "Bob the Builder", d, 15)
        png = base64.b64decode(PHOTO)
        icons = os.path.join(d.user_dir, "icons")
        assert wait_for(lambda: any(open(os.path.join(icons, f), "rb").read() == png
                                    for f in (os.listdir(icons) if os.path.isdir(icons) else [])), d, 10)
        # signing off shows bob offline
        d.cmd("disconnect", id="b")
        assert wait_for(lambda: not buddy(d, "a", "bob@localhost")["online"], d, 15)


@test(timeout=90)
def chat_both_ways_typing_and_history():
    bed = Bed()
    d = bed.driver
    with d:
        bed.sign_in("a", "alice")
        bed.sign_in("b", "bob")
        # plain text only: hosts keep their formatting toolbar off here
        assert "HTML" not in d.cmd("account_state", id="b")["connection_flags"]
        d.cmd("send_typing", id="b", to="alice@localhost", state="typing")
        d.expect("buddy-typing", timeout=10, account="a")
        # what a UI hands over: the user's text as HTML
        d.cmd("send_im", id="b", to="alice@localhost", text="hi &lt;alice&gt; &amp; co<br>line 2")
        ev = d.expect("received-im-msg", timeout=10, account="a")
        assert "hi &lt;alice&gt; &amp; co" in ev["message"] and "line 2" in ev["message"], ev
        # the conversation opened: the archived message is shown as history
        hist = d.expect("conv-write", timeout=10, account="a",
                        message=lambda m: "an old &lt;hello&gt;" in m)
        assert "DELAYED" in hist["flags"] and "NO_LOG" in hist["flags"], hist
        assert hist["mtime"] < time.time() - 1000, hist
        d.cmd("send_im", id="a", to="bob@localhost", text="<b>back</b> at you")
        ev = d.expect("received-im-msg", timeout=10, account="b")
        assert "back at you" in ev["message"] and "<b>" not in ev["message"], ev


@test(timeout=90)
def history_comes_first_in_order_with_own_lines_as_ours():
    """Issue 9.5: a live message that opens a conversation comes after the
    archived history; the history is in time order, our own archived lines
    look like our live ones, and another contact's history stays out."""
    bed = Bed(fixture(archive=[
        {"from": "bob@localhost", "to": "alice@localhost", "body": "second: bob asks", "ago": 1800},
        {"from": "alice@localhost", "to": "bob@localhost", "body": "first: alice says", "ago": 3600},
        {"from": "alice@localhost", "to": "carol@localhost", "body": "for carol only", "ago": 900},
        {"from": "bob@localhost", "to": "alice@localhost", "body": "third: bob again", "ago": 600},
    ]))
    d = bed.driver
    with d:
        bed.sign_in("a", "alice")
        bed.sign_in("b", "bob")
        d.cmd("send_im", id="b", to="alice@localhost", text="fourth: live")
        d.expect("conv-write", timeout=15, account="a", message=lambda m: "fourth: live" in m)
        wanted = ("first:", "second:", "third:", "fourth:")
        assert wait_for(lambda: all(any(w in e["message"] for e in d.events("conv-write", account="a"))
                                    for w in wanted), d, 10), d.events("conv-write", account="a")
        lines = [e for e in d.events("conv-write", account="a")]
        texts = [e["message"] for e in lines]
        order = [next(i for i, t in enumerate(texts) if w in t)
                 for w in wanted]
        assert order == sorted(order) and len(set(order)) == 4, texts
        assert all(e["conv"] == "bob@localhost" for e in lines), lines
        assert not any("for carol only" in t for t in texts), texts
        assert texts.count(texts[order[3]]) == 1, texts   # the live line once
        mine = lines[order[0]]
        assert "SEND" in mine["flags"] and "RECV" not in mine["flags"], mine
        assert "DELAYED" in mine["flags"], mine
        theirs = lines[order[1]]
        assert "RECV" in theirs["flags"] and theirs["who"] == "bob@localhost", theirs
        assert "DELAYED" not in lines[order[3]]["flags"], lines[order[3]]
        # our live line is labelled exactly like our archived one
        d.cmd("send_im", id="a", to="bob@localhost", text="fifth: alice live")
        live = d.expect("conv-write", timeout=10, account="a",
                        message=lambda m: "fifth: alice live" in m)
        assert "SEND" in live["flags"], live
        assert (mine["who"], mine["alias"]) == (live["who"], live["alias"]), (mine, live)


def _live_without_history(**knobs):
    bed = Bed(fixture(**knobs))
    d = bed.driver
    with d:
        bed.sign_in("a", "alice")
        bed.sign_in("b", "bob")
        t0 = time.monotonic()
        d.cmd("send_im", id="b", to="alice@localhost", text="live line")
        d.expect("conv-write", timeout=10, account="a", message=lambda m: "live line" in m)
        took = time.monotonic() - t0
        d.expect_none("conv-write", within=2, account="a",
                      message=lambda m: "from the archive" in m)
        return took


@test(timeout=90)
def live_message_waits_only_so_long_for_history():
    took = _live_without_history(archive_silent=True)
    assert 2 < took < 6, took


@test(timeout=90)
def held_message_is_shown_when_signing_off_meanwhile():
    bed = Bed(fixture(archive_silent=True))
    d = bed.driver
    with d:
        bed.sign_in("a", "alice")
        bed.sign_in("b", "bob")
        d.cmd("send_im", id="b", to="alice@localhost", text="just before you left")
        d.sleep(700)   # arrived, held for the history that does not come
        assert not d.events("conv-write", account="a")
        d.cmd("disconnect", id="a")
        ev = d.expect("conv-write", timeout=5, account="a",
                      message=lambda m: "just before you left" in m)
        assert ev["conv"] == "bob@localhost" and "RECV" in ev["flags"], ev
        d.expect("signed-off", timeout=10, account="a")


@test(timeout=90)
def history_said_to_be_with_someone_else_is_not_shown():
    took = _live_without_history(archive_with="carol@localhost")
    assert took < 2, took


@test(timeout=90)
def offline_message_keeps_its_time():
    bed = Bed()
    d = bed.driver
    with d:
        bed.sign_in("b", "bob")
        d.cmd("send_im", id="b", to="alice@localhost", text="while you were out")
        d.sleep(2500)
        bed.sign_in("a", "alice")
        ev = d.expect("conv-write", timeout=15, account="a",
                      message=lambda m: "while you were out" in m)
        assert "DELAYED" in ev["flags"], ev
        assert ev["mtime"] <= time.time() - 2, ev
        # the archive holds it too: shown once, not again as history
        d.expect_none("conv-write", within=1.5, account="a",
                      message=lambda m: "while you were out" in m)
        assert len(d.events("conv-write", account="a",
                            message=lambda m: "while you were out" in m)) == 1


@test(timeout=90)
def add_by_email_and_authorize_with_nick():
    bed = Bed()
    d = bed.driver
    with d:
        bed.sign_in("a", "alice")
        bed.sign_in("c", "dave")
        d.cmd("add_buddy", id="c", buddy="alice@example.com", group="Pals")
        # alice is asked, and sees who it is by the nickname
        auth = d.expect("authorize", timeout=15, account="a")
        assert auth["remote_user"] == "dave@localhost", auth
        assert auth["alias"] == "dave@example.com", auth   # XEP-0172 nick
        d.cmd("answer_authorize", request=auth["request"], action="accept")
        g = groups(d, "c")
        assert "alice@localhost" in g.get("Pals", {}), g
        assert "alice@example.com" not in g.get("Pals", {}), g
        assert wait_for(lambda: buddy(d, "c", "alice@localhost")["online"], d, 15)


@test(timeout=90)
def tabs_and_spaces_reach_the_contact():
    """Issue 11 (OTR): pidgin-otr appends a whitespace tag of tabs and
    spaces to a message to offer a private conversation; turned into
    spaces on the way, the offer was never seen."""
    tag = " \t  \t\t\t\t \t \t \t    \t\t  \t   \t\t  \t\t"
    bed = Bed()
    d = bed.driver
    with d:
        bed.sign_in("a", "alice")
        bed.sign_in("b", "bob")
        d.cmd("send_im", id="b", to="alice@localhost", text="private?" + tag)
        ev = d.expect("received-im-msg", timeout=10, account="a")
        assert ev["message"].endswith("private?" + tag), repr(ev["message"])


if __name__ == "__main__":
    main()
