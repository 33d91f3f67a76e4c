# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared set-up for the MSN integration tests: the basic fixture, accounts
pointed at the test server, and buddy-list helpers."""
import os

from harness import VIA_GATEWAY, Driver, Server, msn_account

HERE = os.path.dirname(os.path.abspath(__file__))
BASIC = os.path.join(HERE, "basic.json")
ALICE = ("alice@example.com", "alice-secret-pw")
BOB = ("bob@example.com", "bob-secret-pw")
DAN = ("dan@example.com", "dan-secret-pw")


def start(knobs=None, fixture=BASIC, debug_file=None):
    server = Server(knobs=knobs or {}, fixture=fixture)
    driver = Driver(trust={"localhost": server.info["cert_pem"]})
    return server, driver


def add(server, driver, who=ALICE, id="a", **settings):
    settings.setdefault("keepalive_interval", 30)
    settings.setdefault("login_timeout", 15)
    msn_account(server, driver, id, who[0], who[1], **settings)
    return id


def sign_in(server, driver, who=ALICE, id="a", timeout=15, **settings):
    add(server, driver, who, id, **settings)
    driver.cmd("connect", id=id)
    driver.expect("signed-on", timeout=timeout, account=id)
    if VIA_GATEWAY and settings.get("http_method", True):
        # The gateway runs of these tests must really go through it.
        stats = server.control({"cmd": "stats"})["stats"]
        assert stats["gw_sessions"] > 0 and stats["gw_polls"] >= 0, stats
    return id


def groups(driver, id="a"):
    """{group name: {buddy name: buddy dict}} for the account."""
    reply = driver.cmd("blist", id=id)
    return {g["name"]: {b["name"]: b for b in g["buddies"]}
            for g in reply["groups"] if g["buddies"]}


def check_basic_list(driver, id="a", aliases=True):
    g = groups(driver, id)
    assert set(g) == {"Coworkers", "Friends"}, g
    assert set(g["Coworkers"]) == {"bob@example.com", "carol@example.com"}, g
    assert set(g["Friends"]) == {"carol@example.com", "dave@example.com"}, g
    if aliases:
        assert g["Coworkers"]["carol@example.com"]["server_alias"] == "Carol Singer"
        assert g["Coworkers"]["bob@example.com"]["server_alias"] == "Bob"
    return g


def wait_for(predicate, driver, timeout=10.0, step_ms=100):
    """Runs the main loop until predicate() is true."""
    waited = 0.0
    while waited < timeout:
        if predicate():
            return True
        driver.cmd("sleep", ms=step_ms)
        waited += step_ms / 1000.0
    return predicate()
