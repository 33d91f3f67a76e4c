# SPDX-License-Identifier: GPL-2.0-or-later
"""OTR over MSN (issue 11, ★): Debian's pidgin-otr in a real Pidgin.

One Pidgin under Xvfb holds two MSN accounts, alice and bob, both signed
in to the MSNP8 test server, with pidgin-otr loaded and its default
(opportunistic) policy.  Driven over libpurple's D-Bus interface:

* alice's first message carries OTR's whitespace tag (tabs and spaces);
  bob's pidgin-otr sees it through our plugin and starts the AKE, whose
  messages (base64 "?OTR:" data, some of them fragmented at pidgin-otr's
  1,409 bytes for "prpl-msn") travel as MSN messages through the server;
* once private, what alice sends crosses the wire only encrypted
  ("?OTR:AAMD" data messages: the server relays them; the plain text never
  appears in a relayed payload) and bob's Pidgin shows it decrypted (its
  conversation log), a long message included (several OTR fragments);
* every relayed MSG fits MSNP8's 1,664 bytes, one OTR fragment per MSG.

Skips only when pidgin-otr (or Pidgin/Xvfb) is not installed.  On failure a
screenshot is kept in the test's temp dir."""
import glob
import html
import os
import re
import time

from gui_common import (UI_PIDGIN, PurpleDBus, Proc, SessionBus, Xvfb, _prefs_xml,
                        built_modules, host_env, msn_account, need, purple_config,
                        require, screenshot, wait_until)
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


def log_text(config, account, buddy):
    files = glob.glob(os.path.join(config, "logs", "msn", account, buddy, "*.txt"))
    out = ""
    for f in sorted(files):
        with open(f, encoding="utf-8", errors="replace") as fh:
            out += fh.read()
    return html.unescape(out)


@test(timeout=240)
def otr_private_conversation_between_two_msn_accounts(ctx):
    need("pidgin", "Xvfb")
    if not os.path.exists(OTR_PLUGIN):
        raise Skip("pidgin-otr is not installed")
    require("openbox", "dbus-daemon", "gdbus")
    server = Server(fixture=FIXTURE)
    trust = {"localhost": server.info["cert_pem"]}
    config = purple_config(ctx.mkdtemp("pidgin-config"),
                           [msn_account(server.info, ALICE[0], ALICE[1], UI_PIDGIN, alias="Alice"),
                            msn_account(server.info, BOB[0], BOB[1], UI_PIDGIN, alias="Bob")],
                           trust=trust, modules=built_modules())
    with open(os.path.join(config, "prefs.xml"), "w", encoding="utf-8") as f:
        f.write(otr_prefs_xml())
    home = ctx.mkdtemp("home")
    xvfb = Xvfb(ctx.tmpdir)
    env = host_env(home, DISPLAY=xvfb.display)
    bus = SessionBus(ctx.tmpdir, env=env)
    env["DBUS_SESSION_BUS_ADDRESS"] = bus.address
    Proc("openbox", ["openbox"], env=env, log_dir=ctx.tmpdir)
    pidgin = Proc("pidgin", ["pidgin", "-c", config, "-d"], env=env, log_dir=ctx.tmpdir)
    d = PurpleDBus(bus.address)
    try:
        wait_until(lambda: d.try_call("PurpleAccountsGetAllActive") is not None
                   or not pidgin.alive(), 30, "Pidgin's D-Bus service")
        assert pidgin.alive(), "pidgin exited:\n" + "\n".join(pidgin.log_tail(30))
        # (libpurple's D-Bus API has no plugin calls: Pidgin's debug log.)
        wait_until(lambda: any("Loading saved plugin " + OTR_PLUGIN in line
                               for line in pidgin.log_tail(400)), 10, "pidgin-otr loads")
        a = d.call("PurpleAccountsFind", ALICE[0], "prpl-msn")
        b = d.call("PurpleAccountsFind", BOB[0], "prpl-msn")
        for acct, who in ((a, ALICE[0]), (b, BOB[0])):
            wait_until(lambda acct=acct: d.call("PurpleAccountIsConnected", acct) == 1, 40,
                       f"{who} signs in in Pidgin")
        wait_until(lambda: d.call("PurplePresenceIsOnline", d.call(
            "PurpleBuddyGetPresence", d.call("PurpleFindBuddy", a, BOB[0]))), 20,
            "bob online in alice's buddy list")

        conv = d.call("PurpleConversationNew", PURPLE_CONV_TYPE_IM, a, BOB[0])
        im = d.call("PurpleConvIm", conv)
        # The first message carries the whitespace tag (opportunistic
        # policy); bob's pidgin-otr answers it by starting the AKE.
        d.call("PurpleConvImSend", im, "hello before privacy")
        first = wait_until(lambda: relayed(server, ALICE[0]), 20, "alice's first MSG")[0]
        assert " \t  \t\t\t\t \t \t \t  " in body(first), repr(body(first))
        # AKE done: both sides have sent OTR messages, and alice has sent
        # her signature message (her second after the DH-key).
        wait_until(lambda: sum("?OTR" in body(c) for c in relayed(server, ALICE[0])) >= 2
                   and any("?OTR" in body(c) for c in relayed(server, BOB[0])),
                   60, "the OTR key exchange through the server")
        time.sleep(2)
        secret = "the eagle lands at noon"
        d.call("PurpleConvImSend", im, secret)
        long_secret = "fragment me " + "0123456789abcdef" * 200 + " end"
        d.call("PurpleConvImSend", im, long_secret)

        def bob_saw():
            text = log_text(config, BOB[0], ALICE[0])
            return secret in text and long_secret in text
        wait_until(bob_saw, 60, "bob's Pidgin shows alice's messages decrypted")

        sent = relayed(server, ALICE[0])
        payloads = [c["payload"] for c in sent]
        assert not any(secret in p or "fragment me" in p for p in payloads), \
            "plain text crossed the wire"
        assert any("?OTR:AAMD" in body(c) or re.search(r"\?OTR\|[0-9a-f]+\|[0-9a-f]+,", body(c))
                   for c in sent[-3:]), [body(c)[:60] for c in sent[-3:]]
        fragments = [c for c in sent if re.search(r"\?OTR\|[0-9a-f]+\|[0-9a-f]+,\d+,\d+,", body(c))]
        assert fragments, "the long message was not fragmented"
        for c in sent:
            assert len(c["payload"].encode("utf-8")) <= MSNP_SB_MAX_PAYLOAD, len(c["payload"])
        for c in fragments:
            # one whole OTR fragment per MSG: never split by the plugin
            assert re.fullmatch(r"\?OTR\|[0-9a-f]+\|[0-9a-f]+,\d{5},\d{5},[^,]*,", body(c)), \
                body(c)[:80] + " ... " + body(c)[-20:]
        note(f"{len(sent)} MSGs from alice, {len(fragments)} of them OTR fragments")
        screenshot(xvfb.display, os.path.join(ctx.tmpdir, "otr.png"))
        assert pidgin.alive(), "pidgin exited"
    except BaseException:
        path = screenshot(xvfb.display, os.path.join(ctx.tmpdir, "otr-failure.png"))
        note(f"screenshot: {path}")
        note("pidgin log tail:\n" + "\n".join(pidgin.log_tail(60)))
        raise


if __name__ == "__main__":
    main()
