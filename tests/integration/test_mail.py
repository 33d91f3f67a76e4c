# SPDX-License-Identifier: GPL-2.0-or-later
"""Hotmail: initial and new mail notifications (and the option that turns
them off), and "Open Inbox" building the Passport-authenticated form."""
import hashlib
import html.parser
import json
import os
import urllib.parse

from harness import main, test, _mkdtemp
from msn_common import ALICE, BASIC, sign_in, start


def mail_fixture(unread=3):
    with open(BASIC, encoding="utf-8") as f:
        fx = json.load(f)
    fx["users"][ALICE[0]]["mail"] = {"inbox_unread": unread, "folders_unread": 1}
    path = os.path.join(_mkdtemp("fixture"), "mail.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fx, f)
    return path


class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")


@test
def initial_and_new_mail_are_shown():
    server, driver = start(fixture=mail_fixture(3))
    with server, driver:
        sign_in(server, driver)
        ev = driver.expect("notify-emails", timeout=10, account="a")
        assert ev["count"] == 3 and ev["tos"] == [ALICE[0]], ev
        server.control({"cmd": "mail", "user": ALICE[0], "from_name": "Carol Singer",
                        "from_addr": "carol@example.com", "subject": "Lunch?"})
        ev = driver.expect("notify-email", timeout=10, account="a")
        assert ev["subject"] == "Lunch?", ev
        assert "carol@example.com" in ev["from"] and "Carol Singer" in ev["from"], ev
        # Mail filed away from the inbox is not news.
        server.control({"cmd": "mail", "user": ALICE[0], "from_addr": "spam@example.com",
                        "subject": "Junk", "folder": "HM_BuLkMail_"})
        driver.expect_none("notify-email", within=1.0, subject="Junk")


@test
def mail_notifications_can_be_turned_off():
    server, driver = start(fixture=mail_fixture(5))
    with server, driver:
        sign_in(server, driver, mail_notify=False)
        server.control({"cmd": "mail", "user": ALICE[0], "from_addr": "x@example.com",
                        "subject": "Hidden"})
        driver.cmd("sleep", ms=800)
        assert not driver.events("notify-emails")
        assert not driver.events("notify-email")


@test
def open_inbox_posts_the_passport_form():
    server, driver = start(fixture=mail_fixture(0))
    with server, driver:
        sign_in(server, driver)
        assert "Open Inbox" in driver.cmd("actions", id="a")["actions"]
        driver.cmd("run_action", id="a", label="Open Inbox")
        uri = driver.expect("notify-uri", timeout=10)["uri"]
        assert uri.startswith("file://"), uri
        path = urllib.parse.unquote(urllib.parse.urlparse(uri).path)
        assert os.stat(path).st_mode & 0o077 == 0, oct(os.stat(path).st_mode)
        form = Form()
        with open(path, encoding="utf-8") as f:
            form.feed(f.read())
        fl = form.fields
        assert form.action.startswith(server.info["nexus_url"].split("/rdr")[0]), form.action
        assert fl["rru"] == "/cgi-bin/HoTMaiL" and fl["mode"] == "ttl", fl
        assert fl["username"] == ALICE[0] and fl["login"] == "alice", fl
        assert fl["sid"] == "507" and fl["kv"] == "4" and fl["svc"] == "mail", fl
        want = hashlib.md5((fl["auth"] + fl["sl"] + ALICE[1]).encode()).hexdigest()
        assert fl["creds"] == want, fl
        assert int(fl["sl"]) >= 0
        # The page holds credentials: it goes when the account signs off.
        driver.cmd("disconnect", id="a")
        assert not os.path.exists(path)
        # ...and the password never reaches the debug log.
        assert ALICE[1] not in driver.debug_log()


if __name__ == "__main__":
    main()
