# SPDX-License-Identifier: GPL-2.0-or-later
"""Pidgin (GTK) as a real host: under Xvfb with openbox and a private
session bus, ``pidgin -c <dir>`` with the built plugin in <dir>/plugins
signs in to the MSNP8 test server; the headless driver is the other user.

Driven over libpurple's D-Bus interface (Debian's Pidgin exports it) and,
for what only the GTK conversation window does, xdotool: Ctrl+B and typing
in the message entry.  Issue 9.1: with the Font menu greyed out, Ctrl+B
did nothing and the default colour was dropped, so the message arrived
plain.  On failure a screenshot of the screen is kept in the test's temp
dir (its path is printed)."""
import os
import re

from gui_common import (UI_PIDGIN, PurpleDBus, Proc, SessionBus, Xvfb, built_modules,
                        host_env, msn_account, need, purple_config, screenshot,
                        wait_until, xdotool)
from harness import Driver, Server, main, note, test  # noqa: E402 (path from gui_common)

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "integration", "basic.json")
ALICE = ("alice@example.com", "alice-secret-pw")
BOB = ("bob@example.com", "bob-secret-pw")
PURPLE_CONNECTION_HTML = 0x0001
PURPLE_CONV_TYPE_IM = 1

# The user's default formatting (Preferences → Conversations → Default
# formatting): Pidgin applies it to every conversation whose connection
# takes HTML.  Nothing else on the screen but the windows under test.
PREFS = {
    "/pidgin/conversations/fgcolor": "#ff0000",
    "/pidgin/conversations/spellcheck": False,
    "/pidgin/debug/enabled": False,
    "/pidgin/blist/show_offline_buddies": False,
}


def plain(html):
    return re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")


class Pidgin:
    """Xvfb + openbox + a session bus + pidgin -c, and libpurple's D-Bus."""

    def __init__(self, ctx, config):
        self.dir = ctx.tmpdir
        home = ctx.mkdtemp("home")
        self.xvfb = Xvfb(self.dir)
        self.display = self.xvfb.display
        env = host_env(home, DISPLAY=self.display)
        self.bus = SessionBus(self.dir, env=env)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.bus.address
        self.wm = Proc("openbox", ["openbox"], env=env, log_dir=self.dir)
        self.pidgin = Proc("pidgin", ["pidgin", "-c", config, "-d"], env=env,
                           log_dir=self.dir)
        self.dbus = PurpleDBus(self.bus.address)

    def screenshot(self, name):
        path = screenshot(self.display, os.path.join(self.dir, name))
        note(f"screenshot: {path}" if path else "screenshot could not be taken")
        return path


@test(timeout=110)
def formatting_typed_in_pidgin_arrives_formatted(ctx):
    need("pidgin", "Xvfb", "openbox", "dbus-daemon", "gdbus", "xdotool")
    server = Server(fixture=FIXTURE)
    bob = Driver(trust={"localhost": server.info["cert_pem"]}, name="bob")
    bob.cmd("add_account", id="b", protocol="prpl-msn", username=BOB[0], password=BOB[1],
            settings={"server": "127.0.0.1", "port": server.info["dispatch_port"],
                      "nexus_url": server.info["nexus_url"]})
    bob.cmd("connect", id="b")
    bob.expect("signed-on", timeout=20, account="b")

    config = purple_config(
        ctx.mkdtemp("pidgin-config"),
        [msn_account(server.info, ALICE[0], ALICE[1], UI_PIDGIN, alias="Alice")],
        prefs=PREFS, trust={"localhost": server.info["cert_pem"]},
        modules=built_modules())
    p = Pidgin(ctx, config)
    d = p.dbus
    try:
        # the plugin loaded from <config>/plugins and the account signs in
        wait_until(lambda: d.try_call("PurpleAccountsGetAllActive") is not None
                   or not p.pidgin.alive(), 30, "Pidgin's D-Bus service")
        assert p.pidgin.alive(), "pidgin exited:\n" + "\n".join(p.pidgin.log_tail(30))
        account = d.call("PurpleAccountsFind", ALICE[0], "prpl-msn")
        assert account, "alice's account is not in Pidgin"
        # libpurple names the protocol only when its plugin is loaded
        name = d.call("PurpleAccountGetProtocolName", account)
        assert name == "MSN", f"protocol of alice's account: {name!r}"
        wait_until(lambda: d.call("PurpleAccountIsConnected", account) == 1, 30,
                   "alice signs in in Pidgin")
        wait_until(lambda: d.call("PurplePresenceIsOnline", d.call(
                       "PurpleBuddyGetPresence", d.call("PurpleFindBuddy", account, BOB[0]))),
                   20, "bob online in Pidgin's buddy list")

        # the conversation window: its features come from the connection;
        # without HTML Pidgin greys out the Font menu (issue 9.1)
        conv = d.call("PurpleConversationNew", PURPLE_CONV_TYPE_IM, account, BOB[0])
        features = d.call("PurpleConversationGetFeatures", conv)
        assert features & PURPLE_CONNECTION_HTML, f"conversation features {features:#x}"

        # type in it as a user does: Ctrl+B, text, Enter
        win = wait_until(lambda: xdotool(p.display, "search", "--name", "^Bob$").split(),
                         15, "the conversation window")[0]
        xdotool(p.display, "windowactivate", "--sync", win)
        xdotool(p.display, "key", "--window", win, "ctrl+b")
        xdotool(p.display, "type", "--delay", "20", "bold from Pidgin")
        xdotool(p.display, "key", "Return")
        msg = bob.expect("received-im-msg", timeout=15, account="b", sender=ALICE[0])
        html = msg["message"].lower()
        assert plain(msg["message"]) == "bold from Pidgin", msg
        assert "<b>" in html, f"Ctrl+B did not reach the contact: {msg['message']}"
        assert "#ff0000" in html, f"the default colour did not reach the contact: {msg['message']}"

        # what Pidgin 2.14's GTK entry and plugins hand over as HTML
        im = d.call("PurpleConvIm", conv)
        d.call("PurpleConvImSend", im,
               '<FONT COLOR="#00ff00"><FONT FACE="DejaVu Serif"><I><U>green</U></I>'
               '</FONT></FONT> &amp; <span style="font-weight: bold;">more</span>')
        msg = bob.expect("received-im-msg", timeout=15, account="b", sender=ALICE[0])
        html = msg["message"].lower()
        assert plain(msg["message"]) == "green & more", msg
        for want in ("<i>", "<u>", "#00ff00", "dejavu serif"):
            assert want in html, f"{want} missing: {msg['message']}"
        d.call("PurpleConvImSend", im, '<span style="color: #0000ff; font-weight: bold">blue</span>')
        msg = bob.expect("received-im-msg", timeout=15, account="b", sender=ALICE[0])
        assert "<b>" in msg["message"].lower() and "#0000ff" in msg["message"].lower(), msg
        assert p.pidgin.alive(), "pidgin exited"
    except BaseException:
        p.screenshot("pidgin-failure.png")
        raise


if __name__ == "__main__":
    main()
