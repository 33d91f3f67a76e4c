# SPDX-License-Identifier: GPL-2.0-or-later
"""BitlBee (bitlbee-libpurple) as a real host: the built plugins loaded from
its PluginDir, driven over IRC the way a user would — account add, settings,
sign-in to our MSNP8 test server, contacts as nicks, IMs and typing both
ways with a driver account on the other side; and the MSN (XMPP) OAuth
paste flow answered in the request bot's query, kept across account off/on
and a BitlBee restart, or cancelled with "no".  Skipped when no bitlbee
binary is installed."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import Driver, Server, Skip, main, msn_account, signed_on, test  # noqa: E402
import bitlbee_host  # noqa: E402
from bitlbee_host import BitlBee  # noqa: E402
from msn_common import BASIC, BOB  # noqa: E402
from xmpp_common import Bed  # noqa: E402

PASSWORD = "irc-pw"


def _bitlbee():
    if bitlbee_host.BINARY is None:
        raise Skip("bitlbee is not installed")
    return BitlBee()


def _add_account(irc, protocol, user, password, settings):
    """`account add` then one `account <tag> set` per setting; the tag."""
    reply = irc.root(f"account add {protocol} {user} {password}", "added with tag")
    tag = reply["args"][-1].rsplit(" ", 1)[-1]
    for key, value in settings.items():
        irc.root(f"account {tag} set {key} {value}", f"{key} = ")
    return tag


def _logged_in(irc, tag, timeout=30):
    """Waits for root's "<tag> - Logging in: Logged in"; any error (root
    says "<tag> - Error: ...") fails at once."""
    m = irc.privmsg_from("root", lambda t: t.startswith(f"{tag} - ")
                         and ("Logged in" in t or "rror" in t or "Signing off" in t),
                         timeout)
    assert "Logged in" in m["args"][-1], m["line"]
    return m


def _blist(irc):
    """{nick: line} from `blist all`."""
    since = irc.root("blist all")
    rows = {}
    while True:
        m = irc.privmsg_from("root", since=since)
        text = m["args"][-1]
        if text.endswith("offline)"):
            return rows
        if not text.startswith("Nick "):
            rows[text.split()[0]] = text


@test(timeout=180)
def msn_account_signs_in_lists_contacts_and_talks():
    bee = _bitlbee()
    server = Server(fixture=BASIC)
    bee.trust("alice", "localhost", server.info["cert_pem"])
    bob = Driver(trust={"localhost": server.info["cert_pem"]}, name="bob")
    msn_account(server, bob, "b", BOB[0], BOB[1])
    bob.cmd("connect", id="b")
    signed_on(bob, "b")

    irc = bee.connect("alice")
    irc.root(f"register {PASSWORD}", "ccount successfully created")
    irc.root("set typing_notice true", "typing_notice = ")
    tag = _add_account(irc, "msn", "alice@example.com", "alice-secret-pw",
                       {"server": "127.0.0.1", "port": server.info["dispatch_port"],
                        "nexus_url": server.info["nexus_url"]})
    irc.root(f"account {tag} on")
    _logged_in(irc, tag)

    # contacts appear as nicks; bob (signed in) joins the control channel
    rows = _blist(irc)
    assert {"bob", "carol", "dave"} <= set(rows), rows
    assert "bob@example.com" in rows["bob"], rows
    irc.expect("JOIN", lambda m: m["from"] == "bob" and m["args"][0] == "&bitlbee")

    # IRC → MSN
    irc.msg("bob", "hello from IRC")
    ev = bob.expect("received-im-msg", account="b", timeout=20)
    assert ev["sender"] == "alice@example.com" and "hello from IRC" in ev["message"], ev

    # typing both ways (CTCP TYPING on the IRC side)
    bob.cmd("send_typing", id="b", to="alice@example.com")
    irc.privmsg_from("bob", lambda t: t.startswith("\x01TYPING 1"))
    irc.msg("bob", "\x01TYPING 1\x01")
    bob.expect("buddy-typing", account="b", who="alice@example.com", timeout=20)

    # MSN → IRC
    bob.cmd("send_im", id="b", to="alice@example.com", text="hello from MSN")
    irc.privmsg_from("bob", lambda t: t == "hello from MSN")
    bee.check()


def _xmpp_settings(bed):
    return {"domain": "localhost", "use_srv": "false", "server": "127.0.0.1",
            "port": bed.prosody.port, "client_id": "0000000048093EF3",
            "authorize_url": f"{bed.oauth.base}/authorize",
            "token_url": f"{bed.oauth.base}/token",
            "redirect_uri": f"{bed.oauth.base}/desktop"}


def _xmpp_account(bee, bed):
    bee.trust("alice", "localhost", bed.cert)
    irc = bee.connect("alice")
    irc.root(f"register {PASSWORD}", "ccount successfully created")
    settings = _xmpp_settings(bed)
    settings["nick_source"] = "full_name"      # what the README advises
    tag = _add_account(irc, "msn-xmpp", "alice@example.com", "unused", settings)
    irc.root(f"account {tag} on")
    return irc, tag


def _sign_in_request(irc, timeout=30):
    """The OAuth question: private messages from the request bot (not in
    the control channel).  Returns (bot nick, authorize URL)."""
    first = irc.expect("PRIVMSG", lambda m: m["from"].startswith("purple_request_"), timeout)
    bot = first["from"]
    assert first["args"][0] == "alice", first["line"]     # a private query
    url = irc.privmsg_from(bot, lambda t: t.startswith("https://"))["args"][-1]
    return bot, url


def _requests(irc):
    return irc.seen("PRIVMSG", lambda m: m["from"].startswith("purple_request_"))


@test(timeout=240)
def xmpp_oauth_is_asked_once_and_kept_across_off_on_and_restart():
    bee = _bitlbee()
    bed = Bed(driver=False)
    irc, tag = _xmpp_account(bee, bed)
    bot, url = _sign_in_request(irc)
    assert url.startswith(f"{bed.oauth.base}/authorize?"), url
    final = bed.oauth.follow_authorize(url)
    irc.msg(bot, final)
    _logged_in(irc, tag)
    rows = _blist(irc)
    # nicks from the contacts' names (roster name "Bobby"), not their JIDs
    assert "bob@localhost" in rows.get("Bobby", ""), rows
    asked = len(_requests(irc))

    # account off / on: no question
    irc.root(f"account {tag} off")
    irc.privmsg_from("root", lambda t: t.startswith(f"{tag} - Signing off"))
    irc.root(f"account {tag} on")
    _logged_in(irc, tag)
    assert len(_requests(irc)) == asked, _requests(irc)[asked:]

    # a BitlBee restart: the saved account signs in again without asking
    irc.root("save", "saved")
    bee.restart()
    irc = bee.connect("alice")
    irc.root(f"identify {PASSWORD}", "Password accepted")
    _logged_in(irc, tag)
    assert _requests(irc) == [], _requests(irc)
    assert bed.oauth.stats["code"] == 1, bed.oauth.stats
    assert bed.oauth.stats["authorize"] == 1, bed.oauth.stats
    # no token or code in libpurple's debug output (BITLBEE_DEBUG=1)
    with open(bee.log_path, encoding="utf-8", errors="replace") as f:
        log = f.read()
    assert "msn-xmpp" in log                  # the debug output is there
    for secret in list(bed.oauth.tokens) + list(bed.oauth.refresh):
        assert secret not in log
    assert final.split("code=")[1].split("&")[0] not in log
    bee.check()


@test(timeout=120)
def xmpp_oauth_question_says_why_it_asks_again_and_no_cancels():
    bee = _bitlbee()
    bed = Bed(driver=False)
    irc, tag = _xmpp_account(bee, bed)
    bot, _ = _sign_in_request(irc)
    # an answer with no code: asked again, by a new request bot, saying why
    irc.msg(bot, "what address?")
    bot2 = irc.expect("PRIVMSG", lambda m: m["from"].startswith("purple_request_")
                      and m["from"] != bot)["from"]
    irc.privmsg_from(bot2, lambda t: "holds no sign-in code" in t)
    irc.msg(bot2, "no")
    m = irc.privmsg_from("root", lambda t: t.startswith(f"{tag} - Login error"))
    assert "cancelled" in m["args"][-1], m["line"]
    assert bed.oauth.stats["code"] == 0, bed.oauth.stats
    # cancelled is final: BitlBee does not reconnect and ask again
    irc.root("blist all", "buddies")
    assert not any("reconnect" in m["args"][-1].lower()
                   for m in irc.seen("PRIVMSG", lambda m: m["from"] == "root")), \
        [m["line"] for m in irc.seen("PRIVMSG")][-10:]
    bee.check()


if __name__ == "__main__":
    main()
