#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Conversation benchmark: the plugin in real libpurple against the MSNP8
test server, two accounts, one driver process each.

  bench/bench-messages.py BUILD_DIR [-n 3] [--messages 10000] [--window 100]
                          [--unloaded 1000] [--sessions 100] [--json FILE]

(or MSNP_DRIVER=<build>/tests/driver/msnp-driver MSNP_PLUGIN_DIR=<build>/src).
Per repetition, on a fresh server (make_fixture.py list: alice with bob and
--sessions online phantom contacts that echo, and as many offline ones):

  1. burst: alice's driver sends --messages IMs of 100 bytes to bob's
     driver over one switchboard (opened by a warm-up message first), in
     windows of --window send_im commands written to the driver's stdin in
     one go; the next window goes once bob has received the last one.
     Reported: messages per second (first send -> last receive), one-way
     latency p50/p99 (bob's received-im-msg "t" - alice's sent-im-msg "t";
     both CLOCK_MONOTONIC), CPU per message ((alice's + bob's user+sys
     delta from the `rusage` op around the run) / N: plugin + libpurple +
     the driver's own JSON), delivered count and error lines (conv-write
     with the ERROR flag on alice's side: must be 0).
  2. unloaded: --unloaded messages one at a time (the next is sent once the
     previous one arrived): latency p50/p99 without queueing.
  3. the floor: a raw-socket MSNP8 pair (floor-client.py's sign-in, then
     XFR SB / USR / CAL / JOI on alice's side, RNG / ANS on bob's, bob in
     its own process) doing 1 and 2 with the same payload size and pacing.
     The difference of the p99 latencies is the latency the plugin adds.
  4. sessions: alice opens a conversation with each of --sessions online
     phantoms (one message each, waits for the echoes: every switchboard
     open and idle) after the same number of conversations with offline
     contacts (conversation, error line, no switchboard: the control);
     VmRSS / RssAnon of alice's driver before and after each step.
     Memory per open switchboard = (growth with SBs - growth of the
     control) / --sessions.

Medians over the repetitions are printed last with the targets: plugin CPU
<= 50 us per message, latency added by the plugin <= 1 ms p99, <= 16 KB per
idle switchboard.  Nothing here is a test: targets are reported, not
enforced.
"""

import argparse
import importlib.util
import json
import os
import re
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from harness import Driver, HarnessError, Server, msn_account, signed_on  # noqa: E402

_spec = importlib.util.spec_from_file_location("floor_client",
                                               os.path.join(HERE, "floor-client.py"))
floor = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(floor)

ALICE, ALICE_PW = "alice@example.com", "alice-pw"
BOB, BOB_PW = "bob@example.com", "bob-pw"
CPU_TARGET_US = 50.0
ADDED_P99_TARGET_MS = 1.0
SB_TARGET_KB = 16.0
MSG_BYTES = 100

# Events neither side needs.  Alice keeps sent-im-msg (the send stamps) and
# conv-write (error lines); bob keeps received-im-msg.
MUTED_COMMON = ["blist-node-added", "blist-node-aliased", "blist-node-removed",
                "buddy-added", "buddy-removed", "buddy-status-changed",
                "buddy-idle-changed", "buddy-typing", "buddy-typed",
                "buddy-typing-stopped"]
MUTED_SENDER = MUTED_COMMON + ["received-im-msg"]
MUTED_RECEIVER = MUTED_COMMON + ["conv-write", "sent-im-msg"]

SEQ_RE = re.compile(r"m(\d{6})\.")


def text_for(seq):
    """A 100-byte message body with its sequence number."""
    head = "m%06d." % seq
    return head + "x" * (MSG_BYTES - len(head))


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ---------------------------------------------------------- driver helpers

def send_batch(driver, commands, timeout=120):
    """Writes every command to the driver's stdin in one write, then waits
    for all their replies (the harness's Driver.cmd does one at a time)."""
    with driver._cond:
        seqs = set()
        for c in commands:
            driver._seq += 1
            c["seq"] = driver._seq
            seqs.add(driver._seq)
    data = b"".join(json.dumps(c).encode("utf-8") + b"\n" for c in commands)
    driver.proc.stdin.write(data)
    driver.proc.stdin.flush()
    deadline = time.monotonic() + timeout
    bad = []
    with driver._cond:
        while seqs:
            keep = []
            for r in driver._replies:
                if r.get("seq") in seqs:
                    seqs.discard(r["seq"])
                    if not r.get("ok"):
                        bad.append(r)
                else:
                    keep.append(r)
            driver._replies[:] = keep
            if not seqs:
                break
            left = deadline - time.monotonic()
            if left <= 0 or driver._eof:
                raise HarnessError(f"{len(seqs)} replies missing")
            driver._cond.wait(left)
    if bad:
        raise HarnessError(f"send failed: {bad[0]}")


class EventCursor:
    """Scans a driver's event list from where it stopped last time."""

    def __init__(self, driver):
        self.driver = driver
        with driver._cond:
            self.pos = len(driver._events)

    def drain(self, accept):
        """Calls accept(ev) on every new event so far."""
        with self.driver._cond:
            evs = self.driver._events
            while self.pos < len(evs):
                accept(evs[self.pos])
                self.pos += 1

    def wait(self, accept, timeout=60):
        """Calls accept(ev) on each new event until it returns True."""
        d = self.driver
        deadline = time.monotonic() + timeout
        with d._cond:
            while True:
                evs = d._events
                while self.pos < len(evs):
                    ev = evs[self.pos]
                    self.pos += 1
                    if accept(ev):
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or d._eof:
                    raise HarnessError("timed out waiting for an event")
                d._cond.wait(left)


def proc_memory(pid):
    """VmRSS, RssAnon (kB) from /proc/<pid>/status, Anonymous and
    Private_Dirty (kB) from smaps_rollup."""
    out = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "RssAnon", "VmHWM"):
                out[k] = int(v.split()[0])
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("Anonymous", "Private_Dirty"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def heap_in_use(driver):
    """glibc's "in use bytes" (all arenas and mmaps) of the driver, from
    malloc_stats() called in it by gdb (no driver op needed); None
    without gdb.  malloc_stats() prints on the driver's stderr (its log)."""
    if not shutil.which("gdb"):
        return None
    before = len(driver.debug_log())
    r = subprocess.run(["gdb", "-p", str(driver.proc.pid), "-batch", "-nx",
                        "-ex", "call (void) malloc_stats()"],
                       capture_output=True, text=True, timeout=60)
    for _ in range(50):
        text = driver.debug_log()[before:]
        m = re.search(r"Total \(incl\. mmap\):\s*system bytes\s*=\s*(\d+)\s*"
                      r"in use bytes\s*=\s*(\d+)", text)
        if m:
            return int(m.group(2))
        time.sleep(0.05)
    sys.stderr.write("malloc_stats via gdb failed: %s\n" % r.stderr[-300:])
    return None


def new_driver(server, driver_bin, plugin_dir, name, user, password, muted):
    d = Driver(trust=server.trust, plugin_dirs=[plugin_dir], debug=False,
               binary=driver_bin, name=name)
    msn_account(server, d, "a", user, password, keepalive_interval=60,
                login_timeout=120)
    d.cmd("mute", events=muted)
    return d


def wait_online(driver, who, timeout=30):
    driver.expect("buddy-signed-on", timeout=timeout, account="a",
                  buddy=lambda b: isinstance(b, str) and b.lower() == who)


# ----------------------------------------------------------- plugin runs

def plugin_messages(alice, bob, n, window, unloaded):
    """Warm-up, then the burst run and the unloaded run."""
    # Warm-up: opens the switchboard (XFR, CAL, RNG/ANS at bob).
    cur_b = EventCursor(bob)
    alice.cmd("send_im", id="a", to=BOB, text="warm-up")
    cur_b.wait(lambda e: e.get("event") == "received-im-msg", timeout=60)
    alice.sleep(200)
    alice.take_all()
    bob.take_all()

    def run(first, count, win):
        cur_a = EventCursor(alice)
        cur_b = EventCursor(bob)
        sent, recv, errors = {}, {}, []

        def on_alice(ev):
            name = ev.get("event")
            if name == "sent-im-msg":
                m = SEQ_RE.search(ev.get("message", ""))
                if m:
                    sent[int(m.group(1))] = ev["t"]
            elif name == "conv-write" and "ERROR" in (ev.get("flags") or []):
                errors.append(ev)
            return False

        def make_on_bob(want):
            def on_bob(ev):
                if ev.get("event") == "received-im-msg":
                    m = SEQ_RE.search(ev.get("message", ""))
                    if m:
                        s = int(m.group(1))
                        if s in recv:
                            recv.setdefault("dup", []).append(s)
                        recv[s] = ev["t"]
                        return s == want
                return False
            return on_bob

        ra0, rb0 = alice.cmd("rusage"), bob.cmd("rusage")
        seq = first
        while seq < first + count:
            batch = list(range(seq, min(seq + win, first + count)))
            send_batch(alice, [{"op": "send_im", "id": "a", "to": BOB, "text": text_for(s)}
                               for s in batch])
            try:
                cur_b.wait(make_on_bob(batch[-1]), timeout=30)
            except HarnessError:
                break   # lost: counted below
            seq = batch[-1] + 1
        # Late ACK/NAK outcomes and error lines show within a moment.
        alice.sleep(300)
        ra1, rb1 = alice.cmd("rusage"), bob.cmd("rusage")
        cur_a.drain(on_alice)
        cur_b.drain(make_on_bob(-1))
        dups = recv.pop("dup", [])
        lat = [(recv[s] - sent[s]) / 1000.0 for s in recv if s in sent]
        t_first = min(sent.values()) if sent else 0
        t_last = max(recv.values()) if recv else 0
        cpu_a = ra1["cpu_us"] - ra0["cpu_us"]
        cpu_b = rb1["cpu_us"] - rb0["cpu_us"]
        alice.take_all()
        bob.take_all()
        return {
            "messages": count,
            "delivered": len(recv),
            "duplicates": len(dups),
            "error_lines": len(errors),
            "in_order": sorted(recv, key=recv.get) == sorted(recv),
            "msgs_per_s": len(recv) / ((t_last - t_first) / 1e6) if t_last > t_first else 0.0,
            "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99), "max_ms": max(lat, default=0.0),
            "over_30ms": sum(1 for x in lat if x > 30.0),
            "cpu_us_per_msg": (cpu_a + cpu_b) / count,
            "sender_cpu_us_per_msg": cpu_a / count,
            "receiver_cpu_us_per_msg": cpu_b / count,
        }

    burst = run(0, n, window)
    calm = run(n, unloaded, 1)
    return burst, calm


def plugin_sessions(alice, server, online, offline):
    """Memory of alice's driver: conversations without switchboards (the
    control), then as many with an open, idle switchboard each."""
    pid = alice.proc.pid

    def settle():
        alice.sleep(300)
        m = proc_memory(pid)
        m["heap_in_use"] = heap_in_use(alice)
        return m

    m0 = settle()
    cur = EventCursor(alice)
    send_batch(alice, [{"op": "send_im", "id": "a", "to": p, "text": "hello " + p}
                       for p in offline])
    left = set(offline)

    def offline_done(ev):
        if (ev.get("event") == "conv-write" and "ERROR" in (ev.get("flags") or [])
                        and str(ev.get("conv", "")).lower() in left):
            left.discard(str(ev.get("conv")).lower())
        return not left
    cur.wait(offline_done, timeout=30)
    m1 = settle()

    cur = EventCursor(alice)
    alice.cmd("mute", events=MUTED_SENDER[:-1])  # hear the echoes now
    send_batch(alice, [{"op": "send_im", "id": "a", "to": p, "text": "hello " + p}
                       for p in online])
    waiting = set(online)

    def echoed(ev):
        if ev.get("event") == "received-im-msg" and "echo:" in ev.get("message", ""):
            waiting.discard(str(ev.get("sender", "")).lower())
        return not waiting
    cur.wait(echoed, timeout=120)
    m2 = settle()
    sbs = server.control(cmd="switchboards")
    open_with_alice = sum(1 for s in _sb_list(sbs)
                          if ALICE in json.dumps(s))
    errors = [e for e in alice.events("conv-write")
              if "ERROR" in (e.get("flags") or [])
              and str(e.get("conv", "")).lower() in set(online)]
    return {
        "before": m0, "after_control": m1, "after_sessions": m2,
        "sessions": len(online), "echoes_missing": len(waiting),
        "server_sbs_with_alice": open_with_alice,
        "errors_on_sessions": len(errors),
        "control_rss_kb": m1["VmRSS"] - m0["VmRSS"],
        "sessions_rss_kb": m2["VmRSS"] - m1["VmRSS"],
        "control_anon_kb": m1.get("RssAnon", 0) - m0.get("RssAnon", 0),
        "sessions_anon_kb": m2.get("RssAnon", 0) - m1.get("RssAnon", 0),
        "control_heap_kb": _heap_delta(m0, m1),
        "sessions_heap_kb": _heap_delta(m1, m2),
        "heap_kb_per_sb": ((_heap_delta(m1, m2) - _heap_delta(m0, m1)) / len(online)
                           if m0["heap_in_use"] is not None else float("nan")),
        "kb_per_sb": ((m2["VmRSS"] - m1["VmRSS"]) - (m1["VmRSS"] - m0["VmRSS"])) / len(online),
        "kb_per_conv_with_sb": (m2["VmRSS"] - m1["VmRSS"]) / len(online),
    }


def _heap_delta(a, b):
    if a.get("heap_in_use") is None or b.get("heap_in_use") is None:
        return float("nan")
    return (b["heap_in_use"] - a["heap_in_use"]) / 1024.0


def _sb_list(reply):
    for key in ("switchboards", "sessions", "sbs"):
        if isinstance(reply.get(key), list):
            return reply[key]
        if isinstance(reply.get(key), dict):
            return list(reply[key].values())
    return []


# ------------------------------------------------------------- the floor

def sb_payload(seq):
    """What the plugin sends for a 100-byte plain message (same headers)."""
    return ("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
            "X-MSNP-Message-Id: %016x\r\n"
            "X-MMS-IM-Format: FN=MS%%20Sans%%20Serif; EF=; CO=0; CS=0; PF=0\r\n\r\n%s"
            % (seq, text_for(seq))).encode()


class Reader:
    """Lines and MSG payloads from one socket, payloads kept."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def items(self, block=True):
        """Every complete (parts, payload) in the buffer after one recv."""
        if block or select.select([self.sock], [], [], 0)[0]:
            data = self.sock.recv(262144)
            if not data:
                raise ConnectionError("closed")
            self.buf += data
        out = []
        buf, pos = self.buf, 0
        while True:
            nl = buf.find(b"\r\n", pos)
            if nl < 0:
                break
            parts = buf[pos:nl].decode("utf-8", "replace").split(" ")
            payload = None
            end = nl + 2
            if parts[0] in ("MSG", "NOT"):
                n = int(parts[-1])
                if len(buf) < end + n:
                    break
                payload = buf[end:end + n]
                end += n
            out.append((parts, payload))
            pos = end
        self.buf = buf[pos:]
        return out


def floor_signin(info, user, password):
    """floor-client.py's sign-in (dispatch, NS, Passport over HTTPS), then
    SYN and CHG NLN; returns the NS (floor.Ns)."""
    import ssl
    ctx = ssl.create_default_context(cafile=info["cert_pem"])
    ds = floor.Ns("127.0.0.1", info["dispatch_port"])
    xfr = floor.handshake(ds, user)
    ds.close()
    host, port = xfr[3].rsplit(":", 1)
    ns = floor.Ns(host, int(port))
    usr = floor.handshake(ns, user)
    ticket, _ = floor.passport_ticket(ctx, info["nexus_url"], None, user, password, usr[4])
    ns.send("USR", "TWN", "S", ticket)
    ns.expect("USR")
    ns.send("SYN", 0)
    ns.expect("SYN")
    ns.send("CHG", "NLN", "0")
    ns.expect("CHG")
    return ns


def floor_receiver(info_file):
    """Bob's side, in its own process: signs in, answers the RNG, then
    prints "seq t_us" for every message (flushed per read)."""
    with open(info_file, encoding="utf-8") as f:
        info = json.load(f)
    ns = floor_signin(info, BOB, BOB_PW)
    print("ready", flush=True)
    rng = ns.expect("RNG")
    sid, (host, port), cookie = rng[1], rng[2].rsplit(":", 1), rng[4]
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(("ANS 1 %s %s %s\r\n" % (BOB, cookie, sid)).encode())
    r = Reader(sock)
    out = sys.stdout
    while True:
        try:
            items = r.items()
        except ConnectionError:
            break
        t = time.monotonic_ns() // 1000
        lines = []
        for parts, payload in items:
            if parts[0] == "MSG" and payload is not None:
                m = SEQ_RE.search(payload[-MSG_BYTES:].decode("ascii", "replace"))
                if m:
                    lines.append("%s %d\n" % (m.group(1), t))
            elif parts[0] == "ANS":
                lines.append("joined 0\n")
            elif parts[0] == "BYE":
                lines.append("bye 0\n")
        if lines:
            out.write("".join(lines))
            out.flush()
    return 0


def floor_messages(server, n, window, unloaded):
    info = server.info
    rx = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--floor-receiver",
                           server.info_file], stdout=subprocess.PIPE, text=True, bufsize=1)
    try:
        if rx.stdout.readline().strip() != "ready":
            raise HarnessError("floor receiver did not sign in")
        ns = floor_signin(info, ALICE, ALICE_PW)
        ns.send("XFR", "SB")
        xfr = ns.expect("XFR")
        host, port = xfr[3].rsplit(":", 1)
        sock = socket.create_connection((host, int(port)))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        r = Reader(sock)
        sock.sendall(("USR 1 %s %s\r\n" % (ALICE, xfr[5])).encode())
        sock.sendall(("CAL 2 %s\r\n" % BOB).encode())
        joined = False
        while not joined:
            for parts, _ in r.items():
                if parts[0] == "JOI":
                    joined = True
                elif parts[0].isdigit():
                    raise HarnessError("floor: %s" % " ".join(parts))
        while rx.stdout.readline().split()[0] != "joined":
            pass
        trid = [10]
        acks = [0, 0]

        def drain():
            for parts, _ in r.items(block=False):
                if parts[0] == "ACK":
                    acks[0] += 1
                elif parts[0] == "NAK":
                    acks[1] += 1

        def run(first, count, win):
            sent, recv = {}, {}
            seq = first
            while seq < first + count:
                batch = range(seq, min(seq + win, first + count))
                for s in batch:
                    p = sb_payload(s)
                    trid[0] += 1
                    data = b"MSG %d A %d\r\n" % (trid[0], len(p)) + p
                    sent[s] = time.monotonic_ns() // 1000
                    sock.sendall(data)
                while True:
                    fields = rx.stdout.readline().split()
                    if not fields:
                        raise HarnessError("floor receiver ended")
                    if fields[0].isdigit():
                        recv[int(fields[0])] = int(fields[1])
                        if int(fields[0]) == batch[-1]:
                            break
                drain()
                seq = batch[-1] + 1
            lat = [(recv[s] - sent[s]) / 1000.0 for s in recv if s in sent]
            return {"messages": count, "delivered": len(recv),
                    "msgs_per_s": len(recv) / ((max(recv.values()) - min(sent.values())) / 1e6),
                    "p50_ms": pct(lat, 50), "p99_ms": pct(lat, 99),
                    "max_ms": max(lat, default=0.0),
                    "over_30ms": sum(1 for x in lat if x > 30.0)}

        # Warm-up message, as for the plugin.
        run(10 ** 6 - 1, 1, 1)
        burst = run(0, n, window)
        calm = run(n, unloaded, 1)
        time.sleep(0.1)
        drain()
        burst["acks"], burst["naks"] = acks
        sock.sendall(b"OUT\r\n")
        sock.close()
        ns.sock.sendall(b"OUT\r\n")
        ns.close()
        return burst, calm
    finally:
        try:
            rx.wait(10)
        except subprocess.TimeoutExpired:
            rx.kill()
            rx.wait()


# -------------------------------------------------------------- driving

def one_repetition(args, fixture, online, offline, driver_bin, plugin_dir, server_script, rep):
    server = Server(fixture=fixture, script=server_script,
                    extra_args=["--max-seconds", "1800"])
    try:
        fb, fc = floor_messages(server, args.messages, args.window, args.unloaded)
        bob = new_driver(server, driver_bin, plugin_dir, f"bob-{rep}", BOB, BOB_PW,
                         MUTED_RECEIVER)
        alice = new_driver(server, driver_bin, plugin_dir, f"alice-{rep}", ALICE, ALICE_PW,
                           MUTED_SENDER)
        try:
            bob.cmd("connect", id="a")
            signed_on(bob, "a", timeout=60)
            alice.cmd("connect", id="a")
            signed_on(alice, "a", timeout=60)
            wait_online(alice, BOB)
            pb, pc = plugin_messages(alice, bob, args.messages, args.window, args.unloaded)
        finally:
            alice.close(check=False)
            bob.close(check=False)
        # A fresh driver for the sessions, so that the heap freed by the
        # burst does not hide their memory.
        alice = new_driver(server, driver_bin, plugin_dir, f"alice-s-{rep}", ALICE, ALICE_PW,
                           MUTED_SENDER)
        try:
            alice.cmd("connect", id="a")
            signed_on(alice, "a", timeout=60)
            sess = plugin_sessions(alice, server, online, offline)
        finally:
            alice.close(check=False)
        return {"plugin_burst": pb, "plugin_unloaded": pc, "floor_burst": fb,
                "floor_unloaded": fc, "sessions": sess}
    finally:
        server.stop()


def fixture_contacts(path, sessions):
    with open(path, encoding="utf-8") as f:
        fx = json.load(f)
    phantoms = fx["phantoms"]
    contacts = [c for c in fx["users"][ALICE]["contacts"]
                if "FL" in c["lists"] and c["passport"] != BOB]
    online = [c["passport"] for c in contacts if c["passport"] in phantoms][:sessions]
    offline = [c["passport"] for c in contacts if c["passport"] not in phantoms][:sessions]
    return online, offline


def med(results, which, key):
    return statistics.median(r[which][key] for r in results)


def print_summary(args, results):
    print(f"\nmedians of {len(results)}:")
    s = {}
    for which in ("plugin_burst", "floor_burst", "plugin_unloaded", "floor_unloaded"):
        keys = [k for k in results[0][which] if isinstance(results[0][which][k], (int, float))
                and not isinstance(results[0][which][k], bool)]
        s[which] = {k: med(results, which, k) for k in keys}
    pb, fb, pc, fc = s["plugin_burst"], s["floor_burst"], s["plugin_unloaded"], s["floor_unloaded"]
    print(f"  burst ({args.messages} x {MSG_BYTES} B, windows of {args.window}):")
    print(f"    plugin: {pb['msgs_per_s']:.0f} msg/s, latency p50 {pb['p50_ms']:.2f} ms, "
          f"p99 {pb['p99_ms']:.2f} ms, max {pb['max_ms']:.2f} ms; delivered "
          f"{[r['plugin_burst']['delivered'] for r in results]}, error lines "
          f"{[r['plugin_burst']['error_lines'] for r in results]}, duplicates "
          f"{[r['plugin_burst']['duplicates'] for r in results]}")
    print(f"    floor:  {fb['msgs_per_s']:.0f} msg/s, latency p50 {fb['p50_ms']:.2f} ms, "
          f"p99 {fb['p99_ms']:.2f} ms; delivered {[r['floor_burst']['delivered'] for r in results]}")
    print(f"    CPU per message (alice + bob drivers): {pb['cpu_us_per_msg']:.1f} us "
          f"(sender {pb['sender_cpu_us_per_msg']:.1f}, receiver "
          f"{pb['receiver_cpu_us_per_msg']:.1f}); target <= {CPU_TARGET_US:.0f} us: "
          f"{'met' if pb['cpu_us_per_msg'] <= CPU_TARGET_US else 'NOT met'}")
    added_burst = statistics.median(r["plugin_burst"]["p99_ms"] - r["floor_burst"]["p99_ms"]
                                    for r in results)
    added_calm = statistics.median(r["plugin_unloaded"]["p99_ms"] - r["floor_unloaded"]["p99_ms"]
                                   for r in results)
    print(f"  unloaded ({args.unloaded}, one at a time): plugin p50 {pc['p50_ms']:.3f} ms, "
          f"p99 {pc['p99_ms']:.3f} ms; floor p50 {fc['p50_ms']:.3f} ms, p99 {fc['p99_ms']:.3f} ms")
    print(f"  latency added by the plugin (p99 plugin - p99 floor): unloaded "
          f"{added_calm:.3f} ms, burst {added_burst:.3f} ms; target <= "
          f"{ADDED_P99_TARGET_MS} ms: "
          f"{'met' if max(added_calm, added_burst) <= ADDED_P99_TARGET_MS else 'NOT met'}")
    ss = {k: statistics.median(r["sessions"][k] for r in results)
          for k in ("control_rss_kb", "sessions_rss_kb", "control_anon_kb", "sessions_anon_kb",
                    "kb_per_sb", "kb_per_conv_with_sb", "control_heap_kb",
                    "sessions_heap_kb", "heap_kb_per_sb", "server_sbs_with_alice",
                    "echoes_missing", "errors_on_sessions")}
    verdict = ss["heap_kb_per_sb"] if ss["heap_kb_per_sb"] == ss["heap_kb_per_sb"] else ss["kb_per_sb"]
    print(f"  {args.sessions} sessions: VmRSS +{ss['sessions_rss_kb']:.0f} kB with switchboards "
          f"(RssAnon +{ss['sessions_anon_kb']:.0f}), +{ss['control_rss_kb']:.0f} kB for the "
          f"control (RssAnon +{ss['control_anon_kb']:.0f}); per open SB "
          f"{ss['kb_per_sb']:.1f} kB ({ss['kb_per_conv_with_sb']:.1f} kB with its "
          f"conversation); heap in use +{ss['sessions_heap_kb']:.0f} kB with switchboards, "
          f"+{ss['control_heap_kb']:.0f} kB for the control: {ss['heap_kb_per_sb']:.1f} kB "
          f"per SB; target <= {SB_TARGET_KB:.0f} KB: "
          f"{'met' if verdict <= SB_TARGET_KB else 'NOT met'}; switchboards with "
          f"alice on the server {ss['server_sbs_with_alice']:.0f}, echoes missing "
          f"{ss['echoes_missing']:.0f}")
    s["sessions"] = ss
    s["added_p99_ms"] = {"unloaded": added_calm, "burst": added_burst}
    return s


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--floor-receiver":
        return floor_receiver(sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir", nargs="?", default=os.environ.get("MSNP_BUILD_DIR"))
    ap.add_argument("-n", "--repetitions", type=int, default=3)
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--window", type=int, default=100)
    ap.add_argument("--unloaded", type=int, default=1000)
    ap.add_argument("--sessions", type=int, default=100)
    ap.add_argument("--json", help="also write every figure to this file")
    args = ap.parse_args()

    driver_bin = os.environ.get("MSNP_DRIVER")
    plugin_dir = os.environ.get("MSNP_PLUGIN_DIR")
    if args.build_dir:
        driver_bin = driver_bin or os.path.join(args.build_dir, "tests", "driver", "msnp-driver")
        plugin_dir = plugin_dir or os.path.join(args.build_dir, "src")
    if not driver_bin or not plugin_dir or not os.path.exists(driver_bin):
        ap.error("give the build dir (or MSNP_DRIVER and MSNP_PLUGIN_DIR); "
                 f"no driver at {driver_bin}")
    server_script = os.path.join(ROOT, "tests", "server", "msnp_server.py")

    with tempfile.TemporaryDirectory(prefix="msnp-bench-msg-") as tmp:
        fixture = os.path.join(tmp, "sessions.json")
        with open(fixture, "w", encoding="utf-8") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "tests", "server", "make_fixture.py"),
                            "--contacts", str(args.sessions * 3), "--groups", "3",
                            "--online", str(args.sessions)], stdout=f, check=True)
        online, offline = fixture_contacts(fixture, args.sessions)
        if len(online) < args.sessions or len(offline) < args.sessions:
            raise SystemExit(f"fixture has {len(online)} online / {len(offline)} offline")
        print(f"# {args.messages} messages of {MSG_BYTES} bytes in windows of {args.window}, "
              f"{args.unloaded} unloaded, {args.sessions} sessions; {args.repetitions} "
              f"repetitions; driver {driver_bin}")
        results = []
        for rep in range(args.repetitions):
            r = one_repetition(args, fixture, online, offline, driver_bin, plugin_dir,
                               server_script, rep)
            results.append(r)
            print(f"rep {rep + 1}:")
            for k in ("plugin_burst", "floor_burst", "plugin_unloaded", "floor_unloaded"):
                print(f"  {k:<16} " + " ".join(
                    f"{kk}={v:.3f}" if isinstance(v, float) else f"{kk}={v}"
                    for kk, v in r[k].items()))
            ses = {k: v for k, v in r["sessions"].items() if not isinstance(v, dict)}
            print("  sessions         " + " ".join(
                f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in ses.items()))
            sys.stdout.flush()
        summary = print_summary(args, results)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"repetitions": results, "summary": summary}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
