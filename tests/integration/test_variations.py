# SPDX-License-Identifier: GPL-2.0-or-later
"""Real servers are not the draft: every variation knob still signs in with
the right list."""
from harness import main, test
from msn_common import check_basic_list, sign_in, start

VARIATIONS = {
    "split_every_byte": {"split": "1"},
    "split_seven": {"split": "7"},
    "packed": {"pack": "1"},
    "extra_params": {"extra_params": "1"},
    "missing_params": {"missing_params": "1"},
    "unknown_commands": {"unknown_cmds": "1"},
    "unpromised_replies": {"reply_unpromised": "1"},
    "no_challenge": {"no_chl": "1"},
    "no_profile": {"no_profile": "1"},
    "dalogin_with_scheme": {"dalogin_scheme": "https"},
    "dalogin_other_path": {"dalogin_path": "/ppsecure/clientpost.srf"},
    "passport_redirect": {"passport_redirect": "1"},
}


def make(name, knobs):
    def variation_test():
        server, driver = start(knobs=knobs)
        with server, driver:
            sign_in(server, driver, timeout=30)
            # Without friendly names on the wire there is no alias to show.
            check_basic_list(driver, aliases="missing_params" not in knobs)
            driver.cmd("sleep", ms=300)
            assert not driver.events("connection-error"), driver.events("connection-error")
    variation_test.__name__ = name
    return variation_test


for _name, _knobs in VARIATIONS.items():
    test(make(_name, _knobs))


if __name__ == "__main__":
    main()
