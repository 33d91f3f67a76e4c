#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The HTTP gateway against direct TCP, on loopback with the test server.

  bench/bench-gateway.py BUILD_DIR [--reps 5] [--messages 200] [--idle 30]
                         [--polls 500,2000,5000]

For direct TCP and for the gateway at each poll interval (the account's
hidden "http_method_poll_ms" setting; 2000 is the default), on a fresh
server with the basic test fixture:

  sign-in     connect -> signed-on of alice, --reps times (the first
              downloads the list, the others use the cache); median of all
  msgs/s      --messages IMs alice -> bob written in one go, once the
              switchboard is open: messages / (last received - first sent)
  idle        alice alone, signed in and idle for --idle seconds: HTTP
              requests per minute (the server's count) and the driver's CPU
              per minute (user+sys)
  latency     10 messages bob -> alice in an open conversation, sent at
              random moments: time until alice has each (median, max) --
              what the poll interval costs a conversation

Nothing here is a test; figures go to bench/RESULTS.md.
"""

import argparse
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from harness import Driver, Server, gateway_settings, msn_account  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "integration", "basic.json")
ALICE = ("alice@example.com", "alice-secret-pw")
BOB = ("bob@example.com", "bob-secret-pw")


def now_us():
    return time.monotonic_ns() // 1000


def account(server, driver, id, who, poll):
    settings = {"keepalive_interval": 60, "login_timeout": 60}
    if poll is not None:
        settings.update(gateway_settings(server, http_method_poll_ms=poll))
    msn_account(server, driver, id, who[0], who[1], **settings)


def sign_in(driver, id):
    t0 = now_us()
    driver.cmd("connect", id=id)
    on = driver.expect("signed-on", timeout=60, account=id)
    return (on["t"] - t0) / 1000.0


def sign_out(driver, id):
    driver.cmd("disconnect", id=id)
    driver.expect("signed-off", timeout=20, account=id)


def wait(pred, driver, timeout):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        driver.cmd("sleep", ms=20)


def received(driver, account, prefix):
    return [e for e in driver.events("received-im-msg")
            if e["account"] == account and prefix in e["message"]]


def run_mode(args, poll):
    server = Server(fixture=FIXTURE, extra_args=["--max-seconds", "1800"])
    driver = Driver(trust={"localhost": server.info["cert_pem"]}, debug=False)
    out = {}
    try:
        account(server, driver, "a", ALICE, poll)
        account(server, driver, "b", BOB, poll)
        times = []
        for _ in range(args.reps):
            times.append(sign_in(driver, "a"))
            sign_out(driver, "a")
        out["signin_first_ms"] = times[0]
        out["signin_median_ms"] = statistics.median(times)

        # Idle cost, alice alone.
        sign_in(driver, "a")
        driver.cmd("sleep", ms=3000)
        s0 = server.stats().get("gw_requests", 0)
        r0 = driver.cmd("rusage")
        driver.cmd("sleep", ms=int(args.idle * 1000))
        r1 = driver.cmd("rusage")
        s1 = server.stats().get("gw_requests", 0)
        out["idle_requests_per_min"] = (s1 - s0) * 60.0 / args.idle
        out["idle_cpu_ms_per_min"] = (r1["cpu_us"] - r0["cpu_us"]) / 1000.0 * 60.0 / args.idle

        # Messages per second, alice -> bob, switchboard already open.
        sign_in(driver, "b")
        wait(lambda: driver.cmd("buddy", id="a", buddy=BOB[0])["buddy"]["online"], driver, 30)
        driver.cmd("send_im", id="a", to=BOB[0], text="warm-up")
        wait(lambda: received(driver, "b", "warm-up"), driver, 30)
        t0 = now_us()
        for i in range(args.messages):
            driver.cmd("send_im", id="a", to=BOB[0], text="burst %d" % i)
        wait(lambda: len(received(driver, "b", "burst ")) >= args.messages, driver, 300)
        last = max(e["t"] for e in received(driver, "b", "burst "))
        out["msgs_per_s"] = args.messages / ((last - t0) / 1e6)

        # Latency of a message into an open, idle conversation.
        driver.cmd("send_im", id="b", to=ALICE[0], text="lat-warm")
        wait(lambda: received(driver, "a", "lat-warm"), driver, 30)
        lat = []
        rnd = random.Random(11)
        for i in range(10):
            driver.cmd("sleep", ms=rnd.randint(300, 2300))
            tag = "lat-%d-" % i
            t0 = now_us()
            driver.cmd("send_im", id="b", to=ALICE[0], text=tag)
            wait(lambda: received(driver, "a", tag), driver, 60)
            lat.append((received(driver, "a", tag)[0]["t"] - t0) / 1000.0)
        out["latency_median_ms"] = statistics.median(lat)
        out["latency_max_ms"] = max(lat)
    finally:
        driver.close()
        server.close()
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build", nargs="?")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--idle", type=float, default=30)
    ap.add_argument("--polls", default="500,2000,5000")
    args = ap.parse_args()
    if args.build:
        os.environ.setdefault("MSNP_DRIVER", os.path.join(args.build, "tests", "driver", "msnp-driver"))
        os.environ.setdefault("MSNP_PLUGIN_DIR", os.path.join(args.build, "src"))
    os.environ.setdefault("MSNP_SERVER_SCRIPT", os.path.join(ROOT, "tests", "server", "msnp_server.py"))
    modes = [("direct TCP", None)] + [("gateway, poll %s ms" % p, int(p))
                                      for p in args.polls.split(",")]
    cols = ["signin_first_ms", "signin_median_ms", "msgs_per_s",
            "idle_requests_per_min", "idle_cpu_ms_per_min",
            "latency_median_ms", "latency_max_ms"]
    print("| mode | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name, poll in modes:
        r = run_mode(args, poll)
        print("| %s | %s |" % (name, " | ".join("%.1f" % r[c] for c in cols)), flush=True)


if __name__ == "__main__":
    main()
