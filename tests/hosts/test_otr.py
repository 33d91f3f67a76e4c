# SPDX-License-Identifier: GPL-2.0-or-later
"""OTR over both account types (issue 11, ★): Debian's pidgin-otr in a
real Pidgin.

One Pidgin under Xvfb holds two accounts, alice and bob, both signed in
(MSN: to the MSNP8 test server; MSN (XMPP): to the Prosody bed), with
pidgin-otr loaded and its default (opportunistic) policy.  Driven over
libpurple's D-Bus interface.  Over MSN:

* alice's first message carries OTR's whitespace tag (tabs and spaces);
  bob's pidgin-otr sees it through our plugin and starts the AKE, whose
  messages (base64 "?OTR:" data, some of them fragmented at pidgin-otr's
  1,409 bytes for "prpl-msn") travel as MSN messages through the server;
* once private, what alice sends crosses the wire only encrypted
  ("?OTR:AAMD" data messages: the server relays them; the plain text never
  appears in a relayed payload) and bob's Pidgin shows it decrypted (its
  conversation log), a long message included (several OTR fragments);
* every relayed MSG fits MSNP8's 1,664 bytes, one OTR fragment per MSG.
Over MSN (XMPP) (pidgin-otr has no size for "prpl-msn-xmpp": no
fragments) the same exchange, checked in bob's conversation log.

Skips only when pidgin-otr (or Pidgin/Xvfb) is not installed.  On failure a
screenshot is kept in the test's temp dir."""
import glob
import html
import os
import re

from gui_common import (UI_PIDGIN, PurpleDBus, Proc, SessionBus, XmppBed, Xvfb,
                        _prefs_xml, built_modules, host_env, msn_account, need,
                        purple_config, require, screenshot, wait_until, xmpp_account)
from harness import Server, Skip, main, note, test  # noqa: E402 (path from gui_common)

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                       "integration", "basic.json")
ALICE = ("alice@example.com", "alice-secret-pw")
BOB = ("bob@example.com", "bob-secret-pw")
OTR_PLUGIN = "/usr/lib/pidgin/pidgin-otr.so"
PURPLE_CONV_TYPE_IM = 1
MSNP_SB_MAX_PAYLOAD = 1664

PREFS = {
    "/pidgin/debug/enabled": False,
    "/pidgin/docklet/show": "never",
    "/pidgin/blist/list_visible": True,
    "/pidgin/conversations/spellcheck": False,
    # IMs logged (in plain text), so the test can read what bob's Pidgin
    # showed after pidgin-otr decrypted it.
    "/purple/logging/log_ims": True,
    "/purple/logging/format": "txt",
    # pidgin-otr's own defaults (opportunistic), and its conversations
    # logged too.
    "/OTR/enabled": True,
    "/OTR/automatic": True,
    "/OTR/onlyprivate": False,
    "/OTR/avoidloggingotr": False,
}


def otr_prefs_xml():
    """prefs.xml with pidgin-otr in Pidgin's loaded-plugin list (a
    pathlist, which _prefs_xml does not write)."""
    xml = _prefs_xml(PREFS)
    loaded = ("<pref name='pidgin'><pref name='plugins'>"
              "<pref name='loaded' type='pathlist'>"
              f"<item value='{OTR_PLUGIN}'/></pref></pref></pref>\n")
    return xml[:xml.rindex("</pref>")] + loaded + "</pref>\n"


def relayed(server, who):
    """The MSG payloads ``who`` sent through switchboards, oldest first."""
    cmds = server.control({"cmd": "last_commands", "user": who})["commands"]
    return [c for c in cmds if c["kind"] == "sb" and c["line"].startswith("MSG ")
            and "payload" in c]


def body(cmd):
    return cmd["payload"].split("\r\n\r\n", 1)[-1]


class OtrPidgin:
    """Xvfb + openbox + a session bus + ``pidgin -c`` with pidgin-otr
    loaded and the given accounts."""

    def __init__(self, ctx, accounts, trust):
        need("pidgin", "Xvfb")
        if not os.path.exists(OTR_PLUGIN):
            raise Skip("pidgin-otr is not installed")
        require("openbox", "dbus-daemon", "gdbus")
        self.ctx = ctx
        self.config = purple_config(ctx.mkdtemp("pidgin-config"), accounts, trust=trust,
                                    modules=built_modules())
        with open(os.path.join(self.config, "prefs.xml"), "w", encoding="utf-8") as f:
            f.write(otr_prefs_xml())
        env = host_env(ctx.mkdtemp("home"))
        self.xvfb = Xvfb(ctx.tmpdir)
        env["DISPLAY"] = self.xvfb.display
        bus = SessionBus(ctx.tmpdir, env=env)
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.address
        Proc("openbox", ["openbox"], env=env, log_dir=ctx.tmpdir)
        self.pidgin = Proc("pidgin", ["pidgin", "-c", self.config, "-d"], env=env,
                           log_dir=ctx.tmpdir)
        self.d = PurpleDBus(bus.address)
        d = self.d
        wait_until(lambda: d.try_call("PurpleAccountsGetAllActive") is not None
                   or not self.pidgin.alive(), 30, "Pidgin's D-Bus service")
        assert self.pidgin.alive(), "pidgin exited:\n" + "\n".join(self.pidgin.log_tail(30))
        # (libpurple's D-Bus API has no plugin calls: Pidgin's debug log.)
        wait_until(lambda: any("Loading saved plugin " + OTR_PLUGIN in line
                               for line in self.pidgin.log_tail(400)), 10, "pidgin-otr loads")

    def signed_in(self, user, protocol):
        d = self.d
        acct = d.call("PurpleAccountsFind", user, protocol)
        assert acct, f"{user} ({protocol}) is not in Pidgin"
        wait_until(lambda: d.call("PurpleAccountIsConnected", acct) == 1, 40,
                   f"{user} signs in in Pidgin")
        return acct

    def buddy_online(self, acct, who):
        d = self.d
        wait_until(lambda: d.call("PurplePresenceIsOnline", d.call(
            "PurpleBuddyGetPresence", d.call("PurpleFindBuddy", acct, who))), 20,
            f"{who} online in the buddy list")

    def im(self, acct, who):
        return self.d.call("PurpleConvIm", self.d.call("PurpleConversationNew",
                                                       PURPLE_CONV_TYPE_IM, acct, who))

    def log_of(self, account_glob):
        """Every conversation log line of the accounts matching the glob
        (HTML entities decoded)."""
        out = ""
        for f in sorted(glob.glob(os.path.join(self.config, "logs", "*", account_glob,
                                               "*", "*.txt"))):
            with open(f, encoding="utf-8", errors="replace") as fh:
                out += fh.read()
        return html.unescape(out)

    def screenshot(self, name):
        path = screenshot(self.xvfb.display, os.path.join(self.ctx.tmpdir, name))
        note(f"screenshot: {path}")


SECRET = "the eagle lands at noon"
LONG_SECRET = "fragment me " + "0123456789abcdef" * 200 + " end"


def converse(p, im, bob_logs, wire_ake_done):
    """alice says hello (with the whitespace tag), the AKE runs, then two
    private messages; bob's Pidgin must show them decrypted."""
    p.d.call("PurpleConvImSend", im, "hello before privacy")
    wait_until(wire_ake_done, 60, "the OTR key exchange")
    wait_until(lambda: "conversation with" in p.log_of(bob_logs)
               and "started" in p.log_of(bob_logs), 30,
               "bob's Pidgin says the private conversation started")
    p.d.call("PurpleConvImSend", im, SECRET)
    p.d.call("PurpleConvImSend", im, LONG_SECRET)
    wait_until(lambda: SECRET in p.log_of(bob_logs) and LONG_SECRET in p.log_of(bob_logs),
               60, "bob's Pidgin shows alice's messages decrypted")


@test(timeout=240)
def otr_private_conversation_over_msn(ctx):
    server = Server(fixture=FIXTURE)
    p = OtrPidgin(ctx, [msn_account(server.info, ALICE[0], ALICE[1], UI_PIDGIN, alias="Alice"),
                        msn_account(server.info, BOB[0], BOB[1], UI_PIDGIN, alias="Bob")],
                  trust={"localhost": server.info["cert_pem"]})
    try:
        a = p.signed_in(ALICE[0], "prpl-msn")
        p.signed_in(BOB[0], "prpl-msn")
        p.buddy_online(a, BOB[0])
        im = p.im(a, BOB[0])

        def ake_done():
            # alice's first MSG carried the tag, and OTR messages went both
            # ways through the server (alice's DH-key and signature).
            sent = relayed(server, ALICE[0])
            return (len(sent) >= 3 and sum("?OTR" in body(c) for c in sent) >= 2
                    and any("?OTR" in body(c) for c in relayed(server, BOB[0])))
        converse(p, im, BOB[0], ake_done)

        sent = relayed(server, ALICE[0])
        # The whitespace tag crossed with its tabs and spaces.
        assert " \t  \t\t\t\t \t \t \t  " in body(sent[0]), repr(body(sent[0]))
        payloads = [c["payload"] for c in sent]
        assert not any(SECRET in x or "fragment me" in x for x in payloads), \
            "plain text crossed the wire"
        fragments = [c for c in sent if re.search(r"\?OTR\|[0-9a-f]+\|[0-9a-f]+,\d+,\d+,", body(c))]
        assert fragments, "the long message was not fragmented"
        assert any("?OTR:AAMD" in body(c) for c in sent), "no OTR data message"
        for c in sent:
            assert len(c["payload"].encode("utf-8")) <= MSNP_SB_MAX_PAYLOAD, len(c["payload"])
        for c in fragments:
            # one whole OTR fragment per MSG: never split by the plugin
            assert re.fullmatch(r"\?OTR\|[0-9a-f]+\|[0-9a-f]+,\d{5},\d{5},[^,]*,", body(c)), \
                body(c)[:80] + " ... " + body(c)[-20:]
        note(f"{len(sent)} MSGs from alice, {len(fragments)} of them OTR fragments")
        p.screenshot("otr-msn.png")
        assert p.pidgin.alive(), "pidgin exited"
    except BaseException:
        p.screenshot("otr-msn-failure.png")
        note("pidgin log tail:\n" + "\n".join(p.pidgin.log_tail(60)))
        raise


@test(timeout=240)
def otr_private_conversation_over_msn_xmpp(ctx):
    modules = built_modules()
    if not any(m.endswith("libmsnp-xmpp.so") for m in modules):
        raise Skip("the MSN (XMPP) module is not built")
    require("prosody")
    bed_dir = ctx.mkdtemp("xmpp")
    from xmpp_bed import make_cert
    cert, key = make_cert(bed_dir)
    bed = XmppBed(bed_dir, cert, key)
    p = OtrPidgin(ctx, [xmpp_account(bed.info, ALICE[0], UI_PIDGIN, token="tok-alice"),
                        xmpp_account(bed.info, BOB[0], UI_PIDGIN, token="tok-bob")],
                  trust={"localhost": cert})
    try:
        a = p.signed_in(ALICE[0], "prpl-msn-xmpp")
        p.signed_in(BOB[0], "prpl-msn-xmpp")
        p.buddy_online(a, "bob@localhost")
        im = p.im(a, "bob@localhost")

        def ake_done():
            return "conversation with" in p.log_of("alice*")
        converse(p, im, "bob*", ake_done)
        # What bob's Pidgin showed came out of OTR: the log says the
        # conversation was private before the secret arrived.
        log = p.log_of("bob*")
        assert log.index("conversation with") < log.index(SECRET), log[:2000]
        p.screenshot("otr-xmpp.png")
        assert p.pidgin.alive(), "pidgin exited"
    except BaseException:
        p.screenshot("otr-xmpp-failure.png")
        note("pidgin log tail:\n" + "\n".join(p.pidgin.log_tail(60)))
        raise


if __name__ == "__main__":
    main()
