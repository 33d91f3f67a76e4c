#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sign-in benchmark of the "MSN (XMPP)" account: the plugin in real
libpurple (the headless driver) against Prosody with our Lua modules
(tests/xmpp/), a 1,000-contact roster in 10 groups and 300 contacts online.

  bench/bench-xmpp.py BUILD_DIR [-n 5] [--contacts 1000 --groups 10 --online 300]
                      [--json FILE]

(or MSNP_DRIVER=<build>/tests/driver/msnp-driver MSNP_PLUGIN_DIR=<build>/src).

The fixture is generated here and handed to tests/xmpp/xmpp_bed.py: alice's
roster holds the contacts c0000 ... c0999@localhost (subscription both); the
first --online of them are fixture users whose own roster holds alice, and
each is signed in by a minimal raw-socket XMPP client in this process
(STARTTLS, X-MESSENGER-OAUTH2 with a fixed token, bind, <presence/>) before
alice signs in, so Prosody answers alice's initial presence with theirs the
way a server does.  Alice signs in with the advanced access-token option
(no OAuth round trip in the figures).

Per repetition (a fresh Prosody, fresh phantoms, a fresh libpurple user
dir): a first sign-in (empty buddy list) and, after a disconnect, a second
one (the roster is already in the buddy list).  Reported per sign-in, from
the driver's own event stamps (CLOCK_MONOTONIC):

  signed-on    connect -> libpurple's signed-on (TLS, SASL, bind)
  roster       connect -> the last blist-node-added of the roster (first
               sign-in only: on the second the buddies already exist)
  all shown    connect -> the last of the --online buddy-signed-on events
  cpu          the driver's user+sys time from the `rusage` op just before
               `connect` to just after the last presence
  max RSS      the driver's VmHWM from /proc after the sign-in (getrusage's
               ru_maxrss is inherited across exec from the forking Python)

Per-buddy events the timing does not need are muted with the driver's
`mute` op (blist-node-added stays on for the roster time: ~1,000 JSON lines
counted in the CPU of the first sign-in).  Medians are printed last.
Nothing here is a test: no figure is asserted.
"""

import argparse
import concurrent.futures
import json
import os
import socket
import ssl
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "xmpp"))

from harness import Driver, HarnessError  # noqa: E402
import xmpp_bed  # noqa: E402

DOMAIN = xmpp_bed.DOMAIN
ME = "alice"
MUTED = ["blist-node-aliased", "blist-node-removed", "buddy-added", "buddy-removed",
         "buddy-status-changed", "buddy-idle-changed", "buddy-icon-changed",
         "buddy-got-login-time", "conv-write"]


def contact(i):
    return f"c{i:04d}"


def make_fixture(contacts, groups, online):
    roster = []
    for i in range(contacts):
        item = {"jid": f"{contact(i)}@{DOMAIN}", "subscription": "both",
                "groups": [f"Group {i % groups}"]}
        if i % 3 != 2:
            item["name"] = f"Contact {i}" if i % 3 == 0 else f"J\u00fcrgen & M\u00fcller {i}"
        roster.append(item)
    users = {ME: {"email": f"{ME}@example.com", "nick": "Alice", "roster": roster}}
    tokens = {f"tok-{ME}": ME}
    for i in range(online):
        name = contact(i)
        users[name] = {"email": f"{name}@example.com", "nick": f"Nick {i}",
                       "roster": [{"jid": f"{ME}@{DOMAIN}", "subscription": "both"}]}
        tokens[f"tok-{name}"] = name
    return {"users": users, "fixed_tokens": tokens}


# ------------------------------------------------------------ phantoms

STREAM = ("<?xml version='1.0'?><stream:stream to='" + DOMAIN + "' xmlns='jabber:client' "
          "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")


class Phantom:
    """A contact that is online: a raw XMPP client that signs in, sends its
    presence and then only keeps the connection open."""

    def __init__(self, port, user, show=None):
        self.buf = b""
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock = sock
        self.send(STREAM)
        self.read_until(b"</stream:features>")
        self.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        self.read_until(b"<proceed")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(sock, server_hostname=DOMAIN)
        self.buf = b""
        self.send(STREAM)
        self.read_until(b"</stream:features>")
        self.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
                  f"mechanism='X-MESSENGER-OAUTH2'>tok-{user}</auth>")
        self.read_until(b"<success")
        self.buf = b""
        self.send(STREAM)
        self.read_until(b"</stream:features>")
        self.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                  "<resource>bench</resource></bind></iq>")
        self.read_until(b"</iq>")
        body = f"<show>{show}</show>" if show else ""
        self.send(f"<presence>{body}<status>online phantom {user}</status></presence>")

    def send(self, text):
        self.sock.sendall(text.encode("utf-8"))

    def read_until(self, marker):
        while marker not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise HarnessError(f"phantom: connection closed waiting for {marker!r}")
            self.buf += data
            if b"<failure" in self.buf or b"<stream:error" in self.buf:
                raise HarnessError(f"phantom: {self.buf[-300:]!r}")
        self.buf = self.buf[self.buf.index(marker):]

    def close(self):
        try:
            self.sock.sendall(b"</stream:stream>")
            self.sock.close()
        except OSError:
            pass


def start_phantoms(port, online):
    shows = [None, None, "away", "dnd", "xa"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(Phantom, port, contact(i), shows[i % len(shows)])
                   for i in range(online)]
        return [f.result() for f in futures]


# ------------------------------------------------------------ sign-in

def now_us():
    return time.monotonic_ns() // 1000


def wait_events(driver, name, since_us, want, timeout):
    """The last of @want @name events stamped after @since_us."""
    deadline = time.monotonic() + timeout
    while True:
        evs = [e for e in driver.events(name, account="a") if e.get("t", 0) >= since_us]
        if len(evs) >= want:
            return max(evs, key=lambda e: e["t"])
        if time.monotonic() > deadline:
            raise HarnessError(f"only {len(evs)} of {want} {name} after {timeout}s")
        time.sleep(0.005)


def proc_status(pid, field):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def login(driver, args, first):
    before = driver.cmd("rusage")
    t0 = now_us()
    driver.cmd("connect", id="a")
    on = driver.expect(("signed-on", "connection-error"), timeout=120, account="a")
    if on["event"] != "signed-on":
        raise HarnessError(f"did not sign on: {on}")
    last = wait_events(driver, "buddy-signed-on", t0, args.online, 120)
    roster = None
    if first:
        # every buddy of the roster (libpurple signals no group additions)
        roster = wait_events(driver, "blist-node-added", t0, args.contacts, 60)
    after = driver.cmd("rusage")
    shown = sorted(e["t"] for e in driver.events("buddy-signed-on", account="a")
                   if e.get("t", 0) >= t0)
    hwm = proc_status(driver.proc.pid, "VmHWM")
    rss = proc_status(driver.proc.pid, "VmRSS")
    driver.take_all()
    return {
        "signed_on_ms": (on["t"] - t0) / 1000.0,
        "roster_ms": (roster["t"] - t0) / 1000.0 if roster else float("nan"),
        "all_shown_ms": (last["t"] - t0) / 1000.0,
        "first_shown_ms": (shown[0] - t0) / 1000.0,
        "half_shown_ms": (shown[len(shown) // 2] - t0) / 1000.0,
        "cpu_ms": (after["cpu_us"] - before["cpu_us"]) / 1000.0,
        "user_ms": (after["utime_us"] - before["utime_us"]) / 1000.0,
        "sys_ms": (after["stime_us"] - before["stime_us"]) / 1000.0,
        # getrusage's ru_maxrss survives exec (it starts at the forking
        # Python's size), so the driver's own peak comes from /proc.
        "maxrss_kb": hwm,
        "rss_kb": rss,
    }


def logout(driver):
    driver.cmd("disconnect", id="a")
    driver.expect("signed-off", timeout=30, account="a")
    time.sleep(0.5)   # let Prosody finish the old session's unavailable broadcast
    driver.take_all()


JABBER_PASSWORD = "alice-plain-pw"


def add_account(driver, kind, port):
    if kind == "jabber":
        # libpurple's own XMPP plugin, as Debian ships it: SASL PLAIN after
        # STARTTLS (the bed offers PLAIN to this user only with --jabber).
        driver.cmd("add_account", id="a", protocol="prpl-jabber",
                   username=f"{ME}@{DOMAIN}/bench", password=JABBER_PASSWORD,
                   settings={"connect_server": "127.0.0.1", "port": port,
                             "connection_security": "require_starttls"})
    else:
        driver.cmd("add_account", id="a", protocol="prpl-msn-xmpp",
                   username=f"{ME}@example.com", password="",
                   settings={"domain": DOMAIN, "use_srv": False, "server": "127.0.0.1",
                             "port": port, "access_token": f"tok-{ME}"})


def client_sign_ins(args, kind, cert, port, driver_bin, plugin_dir, d, rep):
    # prpl-jabber checks the certificate against the connect server's name
    trust = {DOMAIN: cert, "127.0.0.1": cert} if kind == "jabber" else {DOMAIN: cert}
    driver = Driver(trust=trust, plugin_dirs=[plugin_dir], debug=False,
                    binary=driver_bin, user_dir=os.path.join(d, "purple-" + kind),
                    name=f"bench-xmpp-{kind}-{rep}")
    try:
        add_account(driver, kind, port)
        driver.cmd("mute", events=MUTED)
        first = login(driver, args, True)
        logout(driver)
        second = login(driver, args, False)
        logout(driver)
    finally:
        driver.close(check=False)
    return {"first": first, "second": second}


def one_repetition(args, fx, driver_bin, plugin_dir, rep, tmp):
    d = os.path.join(tmp, f"rep{rep}")
    os.makedirs(d)
    cert, key = xmpp_bed.make_cert(d)
    fx = dict(fx, tokens_file=os.path.join(d, "tokens.json"))
    prosody = xmpp_bed.Prosody(d, fx, cert, key)
    phantoms = []
    try:
        t = time.monotonic()
        phantoms = start_phantoms(prosody.port, args.online)
        setup_s = time.monotonic() - t
        kinds = ["plugin", "jabber"] if args.jabber else ["plugin"]
        kinds = kinds[rep % len(kinds):] + kinds[:rep % len(kinds)]
        out = {"phantom_setup_s": setup_s}
        for kind in kinds:
            out[kind] = client_sign_ins(args, kind, cert, prosody.port, driver_bin,
                                        plugin_dir, d, rep)
            time.sleep(0.5)
        return out
    finally:
        for p in phantoms:
            p.close()
        prosody.close()


def kinds_of(args):
    return ["plugin", "jabber"] if args.jabber else ["plugin"]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir", nargs="?", default=os.environ.get("MSNP_BUILD_DIR"))
    ap.add_argument("-n", "--repetitions", type=int, default=5)
    ap.add_argument("--contacts", type=int, default=1000)
    ap.add_argument("--groups", type=int, default=10)
    ap.add_argument("--online", type=int, default=300)
    ap.add_argument("--json", help="also write every figure to this file")
    ap.add_argument("--jabber", action="store_true",
                    help="also sign the same user in with libpurple's own XMPP plugin "
                         "(prpl-jabber, SASL PLAIN) in every repetition, interleaved")
    args = ap.parse_args()
    if args.online > args.contacts:
        ap.error("--online must not exceed --contacts")

    driver_bin = os.environ.get("MSNP_DRIVER")
    plugin_dir = os.environ.get("MSNP_PLUGIN_DIR")
    if args.build_dir:
        driver_bin = driver_bin or os.path.join(args.build_dir, "tests", "driver", "msnp-driver")
        plugin_dir = plugin_dir or os.path.join(args.build_dir, "src")
    if not driver_bin or not plugin_dir or not os.path.exists(driver_bin):
        ap.error(f"give the build dir (or MSNP_DRIVER and MSNP_PLUGIN_DIR); no driver at {driver_bin}")

    fx = make_fixture(args.contacts, args.groups, args.online)
    if args.jabber:
        fx["plain_passwords"] = {ME: JABBER_PASSWORD}
    print(f"# {args.contacts} contacts in {args.groups} groups, {args.online} online; "
          f"{args.repetitions} repetitions; driver {driver_bin}; prosody {xmpp_bed.find_prosody()}")
    results = []
    keys = ["signed_on_ms", "roster_ms", "first_shown_ms", "half_shown_ms", "all_shown_ms", "cpu_ms", "user_ms", "sys_ms",
            "maxrss_kb", "rss_kb"]
    with tempfile.TemporaryDirectory(prefix="msnp-bench-xmpp-") as tmp:
        for rep in range(args.repetitions):
            r = one_repetition(args, fx, driver_bin, plugin_dir, rep, tmp)
            results.append(r)
            print(f"rep {rep + 1} (phantoms online in {r['phantom_setup_s']:.1f} s):")
            for kind in kinds_of(args):
                for which in ("first", "second"):
                    print(f"  {kind:<7}{which:<7}" + "".join(
                        f" {k}={r[kind][which][k]:.1f}" if isinstance(r[kind][which][k], float)
                        else f" {k}={r[kind][which][k]}" for k in keys))
            sys.stdout.flush()
    print(f"\nmedians of {len(results)}:")
    summary = {}
    for kind in kinds_of(args):
        for which, label in (("first", "first sign-in (empty buddy list)"),
                             ("second", "second sign-in (roster already in the buddy list)")):
            m = {k: statistics.median(r[kind][which][k] for r in results) for k in keys}
            summary.setdefault(kind, {})[which] = m
            roster = "" if which == "second" else f", ->roster in the buddy list {m['roster_ms']:.1f} ms"
            print(f"  {kind}, {label}:\n    connect->signed-on {m['signed_on_ms']:.1f} ms{roster}, "
                  f"->{args.online} presences shown {m['all_shown_ms']:.1f} ms; "
                  f"CPU {m['cpu_ms']:.1f} ms (user {m['user_ms']:.1f}, sys {m['sys_ms']:.1f}); "
                  f"driver peak RSS (VmHWM) {m['maxrss_kb'] / 1024:.1f} MiB, "
                  f"VmRSS after {m['rss_kb'] / 1024:.1f} MiB")
    if args.jabber:
        for which in ("first", "second"):
            for k in ("signed_on_ms", "roster_ms", "all_shown_ms", "cpu_ms"):
                if which == "second" and k == "roster_ms":
                    continue
                ratio = statistics.median(r["plugin"][which][k] / r["jabber"][which][k]
                                          for r in results)
                summary["plugin"][which][k + "_ratio_to_jabber"] = ratio
                print(f"  plugin/prpl-jabber, {which} sign-in, {k}: {ratio:.2f} "
                      "(median of per-repetition ratios)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"repetitions": results, "summary": summary}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
