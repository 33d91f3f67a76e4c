# SPDX-License-Identifier: GPL-2.0-or-later
"""Pidgin (GTK) as a real host: under Xvfb with openbox and a private
session bus, ``pidgin -c <dir>`` with the built modules in <dir>/plugins
signs in to the MSNP8 test server (or the XMPP bed); the headless driver
is the other user.

Driven over libpurple's D-Bus interface (Debian's Pidgin exports it) and,
for what only the GTK conversation window does, xdotool: Ctrl+B and typing
in the message entry.  Issue 9.1: with the Font menu greyed out, Ctrl+B
did nothing and the default colour and face were dropped, so the message
arrived plain.  On failure a screenshot of the screen is kept in the
test's temp dir (its path is printed)."""
import os
import re

from gui_common import (UI_PIDGIN, PurpleDBus, Proc, SessionBus, XmppBed, Xvfb,
                        built_modules, host_env, msn_account, need, purple_config, require,
                        screenshot, wait_until, xdotool, xmpp_account)
from harness import Driver, HarnessError, Server, Skip, main, note, test  # noqa: E402 (path from gui_common)

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "integration", "basic.json")
ALICE = ("alice@example.com", "alice-secret-pw")
BOB = ("bob@example.com", "bob-secret-pw")
PURPLE_CONNECTION_HTML = 0x0001
PURPLE_CONV_TYPE_IM = 1

# The user's default formatting (Preferences → Conversations → Default
# formatting): Pidgin applies it to every conversation whose connection
# takes HTML.  Spell checking off: nothing on the screen but the windows
# under test.
PREFS = {
    "/pidgin/conversations/fgcolor": "#ff0000",
    "/pidgin/conversations/font_face": "DejaVu Serif",
    "/pidgin/conversations/spellcheck": False,
    "/pidgin/debug/enabled": False,
    # No tray icon: without a tray Pidgin gives up on it after 5 s and then
    # presents the buddy list, taking the focus from the conversation.
    "/pidgin/docklet/show": "never",
    "/pidgin/blist/list_visible": True,
}


def plain(html):
    return re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")


class Pidgin:
    """Xvfb + openbox + a session bus + pidgin -c, and libpurple's D-Bus."""

    def __init__(self, ctx, accounts, trust):
        need("pidgin", "Xvfb")
        require("openbox", "dbus-daemon", "gdbus", "xdotool")
        self.dir = ctx.tmpdir
        config = purple_config(ctx.mkdtemp("pidgin-config"), accounts, prefs=PREFS,
                               trust=trust, modules=built_modules())
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

    def signed_in(self, user, protocol, name):
        """Waits for D-Bus, then for ``user``'s account to sign in; checks
        that libpurple knows its protocol (its module loaded from
        <config>/plugins).  Returns the account's D-Bus id."""
        d = self.dbus
        wait_until(lambda: d.try_call("PurpleAccountsGetAllActive") is not None
                   or not self.pidgin.alive(), 30, "Pidgin's D-Bus service")
        assert self.pidgin.alive(), "pidgin exited:\n" + "\n".join(self.pidgin.log_tail(30))
        account = d.call("PurpleAccountsFind", user, protocol)
        assert account, f"{user} ({protocol}) is not in Pidgin"
        got = d.call("PurpleAccountGetProtocolName", account)
        assert got == name, f"protocol of {user}: {got!r}"
        wait_until(lambda: d.call("PurpleAccountIsConnected", account) == 1, 30,
                   f"{user} ({name}) signs in in Pidgin")
        return account

    def buddy_online(self, account, who):
        d = self.dbus
        wait_until(lambda: d.call("PurplePresenceIsOnline", d.call(
                       "PurpleBuddyGetPresence", d.call("PurpleFindBuddy", account, who))),
                   20, f"{who} online in Pidgin's buddy list")

    def type_in_conversation(self, title, text, bold=True):
        """In the conversation window titled ``title``: Ctrl+B (when
        ``bold``), the text, Enter - as a user does."""
        win = wait_until(lambda: xdotool(self.display, "search", "--name",
                                         f"^{re.escape(title)}$").split(),
                         15, f"the conversation window {title!r}")[0]
        self.focus(win)
        if bold:
            xdotool(self.display, "key", "ctrl+b")
        xdotool(self.display, "type", "--delay", "20", text)
        # keys go to the focused window: fail rather than send elsewhere
        self.focus(win, retry=False)
        xdotool(self.display, "key", "Return")

    def focus(self, win, retry=True):
        """Makes ``win`` the active window (asking the window manager again
        while it is not); without ``retry`` only checks that it is."""
        def active():
            try:
                return xdotool(self.display, "getactivewindow").strip() == win
            except HarnessError:
                return False

        def activate():
            if active():
                return True
            xdotool(self.display, "windowactivate", "--sync", win)
            return False
        if retry:
            wait_until(activate, 10, "the conversation window gets the focus", step=0.3)
        assert active(), "the conversation window lost the focus while typing"


def msn_bob(server):
    bob = Driver(trust={"localhost": server.info["cert_pem"]}, name="bob")
    bob.cmd("add_account", id="b", protocol="prpl-msn", username=BOB[0], password=BOB[1],
            settings={"server": "127.0.0.1", "port": server.info["dispatch_port"],
                      "nexus_url": server.info["nexus_url"]})
    bob.cmd("connect", id="b")
    bob.expect("signed-on", timeout=20, account="b")
    return bob


@test(timeout=110)
def formatting_typed_in_pidgin_arrives_formatted(ctx):
    need("pidgin", "Xvfb")
    server = Server(fixture=FIXTURE)
    bob = msn_bob(server)
    p = Pidgin(ctx, [msn_account(server.info, ALICE[0], ALICE[1], UI_PIDGIN, alias="Alice")],
               trust={"localhost": server.info["cert_pem"]})
    d = p.dbus
    try:
        account = p.signed_in(ALICE[0], "prpl-msn", "MSN")
        p.buddy_online(account, BOB[0])

        # the conversation window: its features come from the connection;
        # without HTML Pidgin greys out the Font menu (issue 9.1)
        conv = d.call("PurpleConversationNew", PURPLE_CONV_TYPE_IM, account, BOB[0])
        features = d.call("PurpleConversationGetFeatures", conv)
        assert features & PURPLE_CONNECTION_HTML, f"conversation features {features:#x}"

        # type in it as a user does: Ctrl+B, text, Enter; the default
        # colour and face apply by themselves
        p.type_in_conversation("Bob", "bold from Pidgin")
        msg = bob.expect("received-im-msg", timeout=15, account="b", sender=ALICE[0])
        html = msg["message"].lower()
        assert plain(msg["message"]) == "bold from Pidgin", msg
        assert "<b>" in html, f"Ctrl+B did not reach the contact: {msg['message']}"
        assert "#ff0000" in html, f"the default colour did not reach the contact: {msg['message']}"
        assert "dejavu serif" in html, f"the default face did not reach the contact: {msg['message']}"

        # what Pidgin 2.14's GTK entry and plugins hand over as HTML
        im = d.call("PurpleConvIm", conv)
        d.call("PurpleConvImSend", im,
               '<FONT COLOR="#00ff00"><FONT FACE="DejaVu Sans"><I><U>green</U></I>'
               '</FONT></FONT> &amp; <span style="font-weight: bold;">more</span>')
        msg = bob.expect("received-im-msg", timeout=15, account="b", sender=ALICE[0])
        html = msg["message"].lower()
        assert plain(msg["message"]) == "green & more", msg
        for want in ("<i>", "<u>", "#00ff00", "dejavu sans"):
            assert want in html, f"{want} missing: {msg['message']}"
        d.call("PurpleConvImSend", im, '<span style="color: #0000ff; font-weight: bold">blue</span>')
        msg = bob.expect("received-im-msg", timeout=15, account="b", sender=ALICE[0])
        assert "<b>" in msg["message"].lower() and "#0000ff" in msg["message"].lower(), msg
        assert p.pidgin.alive(), "pidgin exited"
    except BaseException:
        p.screenshot("pidgin-failure.png")
        raise


@test(timeout=110)
def xmpp_conversation_stays_plain_text(ctx):
    """The MSN (XMPP) account carries plain text: Pidgin keeps formatting
    off there, and what is typed arrives as the text typed."""
    need("pidgin", "Xvfb")
    require("prosody")
    modules = built_modules()
    if not any(m.endswith("libmsnp-xmpp.so") for m in modules):
        raise Skip("the MSN (XMPP) module is not built")
    bed_dir = ctx.mkdtemp("xmpp")
    from xmpp_bed import make_cert
    cert, key = make_cert(bed_dir)
    bed = XmppBed(bed_dir, cert, key)
    bob = Driver(trust={"localhost": cert}, name="bob")
    bob.cmd("add_account", id="b", protocol="prpl-msn-xmpp", username=BOB[0], password="",
            settings={"domain": "localhost", "use_srv": False, "server": "127.0.0.1",
                      "port": bed.info["port"], "access_token": "tok-bob"})
    bob.cmd("connect", id="b")
    bob.expect("signed-on", timeout=20, account="b")
    p = Pidgin(ctx, [xmpp_account(bed.info, ALICE[0], UI_PIDGIN, token="tok-alice")],
               trust={"localhost": cert})
    d = p.dbus
    try:
        account = p.signed_in(ALICE[0], "prpl-msn-xmpp", "MSN (XMPP)")
        p.buddy_online(account, "bob@localhost")
        conv = d.call("PurpleConversationNew", PURPLE_CONV_TYPE_IM, account, "bob@localhost")
        features = d.call("PurpleConversationGetFeatures", conv)
        assert not features & PURPLE_CONNECTION_HTML, f"conversation features {features:#x}"
        p.type_in_conversation("Bobby", "plain <b> from Pidgin")
        msg = bob.expect("received-im-msg", timeout=15, account="b")
        assert plain(msg["message"]).replace("&lt;", "<").replace("&gt;", ">") \
            == "plain <b> from Pidgin", msg
        assert "<b>" not in msg["message"].lower(), msg
    except BaseException:
        p.screenshot("pidgin-xmpp-failure.png")
        raise


if __name__ == "__main__":
    main()
