# SPDX-License-Identifier: GPL-2.0-or-later
"""Every fault knob of the test server ends in a clean connection error:
no crash, no hang, and the driver (under ASan in CI) stays healthy."""
from harness import main, test
from msn_common import add, start

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


for _name, _knobs in FAULTS.items():
    test(make(_name, _knobs))


if __name__ == "__main__":
    main()
