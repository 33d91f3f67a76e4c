# SPDX-License-Identifier: GPL-2.0-or-later
"""Finch as a real host, in a private tmux server, with the demo's config
(tests/demo writes the same one): the MSN account on the MSNP8 test server
(demo fixture) and the MSN (XMPP) account on Prosody + the OAuth endpoint,
the built modules in <config>/plugins.  Both accounts sign in, the buddy
list shows both contact lists and nothing covers it at the first screen,
and the arrow keys work under TERM=screen: Down, Enter on the echo bot,
a message, and its echo comes back."""
import os
import time

from gui_common import (FINCH_DEMO_PREFS, UI_FINCH, Tmux, XmppBed, built_modules,
                        demo_config, demo_fixture, host_env, need, require)
from harness import Server, main, test  # noqa: E402 (path from gui_common)

# What Finch would show over the buddy list at the first screen.
POPUPS = ("Authorize buddy", "New Mail", "You have", "URI", "Paste the address",
          "Certificate", "Error", "Disconnected")


@test(timeout=110)
def demo_accounts_sign_in_and_buddy_list_shows(ctx):
    need("finch", "tmux")
    require("prosody")
    server = Server(fixture=demo_fixture(os.path.join(ctx.tmpdir, "demo.json")))
    key = os.path.join(server.info["state_dir"], "key.pem")
    bed = XmppBed(ctx.mkdtemp("xmpp"), server.info["cert_pem"], key)
    config = demo_config(ctx.mkdtemp("finch-config"), server.info, bed.info, UI_FINCH,
                         modules=built_modules(), prefs=FINCH_DEMO_PREFS)
    home = ctx.mkdtemp("home")
    tmux = Tmux(ctx.tmpdir, f"TERM=screen finch -c {config}", env=host_env(home))

    # the MSN list (Gina, the echo bot, online) and the XMPP roster (Bobby,
    # offline, in Friends; Carol in Work) in one buddy list
    screen = tmux.wait_for(lambda s: "Buddy List" in s and "Gina" in s and "Bobby" in s
                           and "Work" in s, 40, "both accounts' contacts in Finch's buddy list")
    # both accounts are signed in: MSN presence arrived, XMPP roster names
    assert "Emily" in screen and "Dave" in screen, screen
    # a moment later still nothing covers the buddy list
    time.sleep(2)
    screen = tmux.capture()
    shown = [p for p in POPUPS if p in screen]
    assert not shown, f"pop-ups at the first screen: {shown}\n{screen}"

    # arrow keys under TERM=screen: Down through the list until the
    # tooltip names the echo bot (Finch shows one for the selected row)
    for _ in range(30):
        before = tmux.capture()
        tmux.keys("Down")
        if "gina@example.com" in tmux.wait_for(lambda s: s != before, 5,
                                               "the selection moves on Down"):
            break
    else:
        raise AssertionError("Down never reached the echo bot:\n" + tmux.capture())
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "Gina" in s and "Buddy List" in s and s.count("Gina") >= 2,
                  10, "the conversation with the echo bot")
    tmux.keys("-l", "hello from Finch")
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "echo: hello from Finch" in s, 15, "the echo bot's answer")


if __name__ == "__main__":
    main()
