# SPDX-License-Identifier: GPL-2.0-or-later
"""Every fault knob of the test server ends in a clean connection error:
no crash, no hang, and the driver (under ASan in CI) stays healthy."""
import time

from harness import Driver, Server, main, test
from msn_common import ALICE, BASIC, add, sign_in, start

FAULTS = {
    "close_mid_line_syn": {"close_mid_line": "SYN"},
    "close_mid_line_usr": {"close_mid_line": "USR"},
    "close_mid_payload": {"close_mid_payload": "1"},
    "huge_length": {"huge_length": "1"},
    "length_too_big": {"length_too_big": "1"},
    "stall_usr": {"stall": "USR"},
    "stall_syn": {"stall": "SYN"},
    "error_on_usr_500": {"error_on": "USR:500"},
    "error_on_ver_600": {"error_on": "VER:600"},
    "error_on_cvr_601": {"error_on": "CVR:601"},
    "error_on_syn_913": {"error_on": "SYN:913"},
}


def run_fault(knobs):
    server, driver = start(knobs=knobs)
    with server, driver:
        add(server, driver, login_timeout=4, keepalive_interval=2)
        driver.cmd("connect", id="a")
        # Either sign-in fails cleanly, or (garbage after login) it
        # succeeds and the session then ends cleanly.
        err = driver.expect("connection-error", timeout=20, account="a")
        assert err["description"], err
        # The driver is still alive and answering.
        assert driver.cmd("blist", id="a")["ok"]


def make(name, knobs):
    def fault_test():
        run_fault(knobs)
    fault_test.__name__ = name
    return fault_test


@test
def garbage_after_sign_in_is_skipped_or_a_clean_error():
    """Random bytes (NULs included) after sign-in: lines that cannot be
    commands are skipped; if they break the framing the session ends
    cleanly.  Either way the driver lives and nothing hangs."""
    server, driver = start(knobs={"garbage": "1"})
    with server, driver:
        add(server, driver, login_timeout=4, keepalive_interval=1)
        driver.cmd("connect", id="a")
        driver.expect(("signed-on", "connection-error"), timeout=20, account="a")
        driver.cmd("sleep", ms=3000)
        state = driver.cmd("account_state", id="a")
        if not driver.events("connection-error"):
            # Still signed in: the link must really be alive (PNG answered).
            assert state["connected"], state
            lines = server.control({"cmd": "last_commands", "user": "alice@example.com"})["lines"]
            assert any(l.startswith("PNG") for l in lines), lines


@test(timeout=240)
def line_flood_does_not_starve_the_main_loop():
    """#13.7: a server floods the NS connection with lines.  The client
    works through them, and the main loop still runs everything else: a
    300 ms timer (the driver's sleep) ends within a couple of seconds, not
    when the flood is over.  Whether the kernel keeps every read full for
    the whole flood depends on timing, so there are several floods; the
    driver runs without debug output, as users do (a fast reader is what
    lets the socket buffer grow)."""
    server = Server(fixture=BASIC)
    driver = Driver(trust={"localhost": server.info["cert_pem"]}, debug=False)
    with server, driver:
        sign_in(server, driver, keepalive_interval=60)

        def flood():
            return server.control({"cmd": "flood_status"})["floods"][ALICE[0]]
        latencies = []
        for _ in range(6):
            assert server.control({"cmd": "flood", "user": ALICE[0], "seconds": 5,
                                   "line": "ZZZ 0 x"})["ok"]
            t0 = time.monotonic()
            driver.cmd("sleep", ms=300, timeout=60)
            latencies.append(round(time.monotonic() - t0, 2))
            while not flood()["done"]:
                time.sleep(0.2)
            # The client caught up with the flood before the next one.
            driver.cmd("sleep", ms=300, timeout=60)
        assert max(latencies) < 2.5, latencies
        # The link survived the floods.
        assert driver.cmd("account_state", id="a")["connected"]


for _name, _knobs in FAULTS.items():
    test(make(_name, _knobs))


if __name__ == "__main__":
    main()
