#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""File-transfer benchmark: a large MSNFTP transfer between two accounts in
real libpurple (a driver process per account; the invitation through
the MSNP8 test server, the file over loopback TCP), beside a plain socket
copy of the same bytes.

  bench/bench-xfer.py BUILD_DIR [--size-mb 1024] [-n 5] [--dir DIR]
                      [--compare OTHER_BUILD_DIR]

Per repetition (the kinds interleaved, their order rotating from one
repetition to the next, so that a slow minute of a shared machine does
not fall on one kind only):
  1. plain: a sender process reads the file in 64 KiB pieces and writes
     them to a loopback socket; this process reads them (64 KiB reads) and
     writes them to a file.  MB/s (first byte to file closed) and CPU
     seconds of both processes.
  2. plugin: send_file alice -> bob (one driver process each), accepted
     through libpurple's dialogs; MB/s from file-recv-start to
     file-recv-complete (CLOCK_MONOTONIC in both drivers), and CPU seconds
     of each driver (libpurple, the plugin, the driver's JSON) from their
     rusage op around the transfer.
  3. with --compare, the same with the plugin of OTHER_BUILD_DIR (say, a
     build of an older commit), for a before/after in one run.
The SHA-256 of every copy is checked.  Printed: each run, then per kind
the median MB/s and CPU per MB (sender, receiver, both), and the ratio of
the medians plugin / plain; the load average before and after.
BENCH_XFER_DRIVER names a program to start the drivers with instead (it
gets the driver's arguments), e.g. a script that runs
`perf record -g -- BUILD/tests/driver/msnp-driver "$@"` to profile them.
Nothing here is a test."""

import argparse
import hashlib
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

CHUNK = 64 * 1024

SENDER = r"""
import socket, sys
path, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port))
with open(path, "rb", buffering=0) as f:
    while True:
        b = f.read(65536)
        if not b:
            break
        s.sendall(b)
s.close()
"""


def sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def cpu_self():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def plain_copy(src, dest):
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    c0, s0 = cpu_children(), cpu_self()
    proc = subprocess.Popen([sys.executable, "-c", SENDER, src, str(lst.getsockname()[1])])
    conn, _ = lst.accept()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    first = None
    with open(dest, "wb", buffering=0) as out:
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            if first is None:
                first = time.monotonic()
            out.write(view[:n])
    end = time.monotonic()
    proc.wait()
    conn.close()
    lst.close()
    return end - first, (cpu_children() - c0, cpu_self() - s0)


def plugin_copy(build, src, dest):
    # The driver of the build under test, unless the caller wraps it (for
    # instance in perf record); always that build's plugin.
    os.environ["MSNP_DRIVER"] = os.environ.get("BENCH_XFER_DRIVER") or \
        os.path.join(build, "tests", "driver", "msnp-driver")
    os.environ["MSNP_PLUGIN_DIR"] = os.path.join(build, "src")
    os.environ.setdefault("MSNP_SERVER_SCRIPT", os.path.join(ROOT, "tests", "server", "msnp_server.py"))
    os.environ.setdefault("MSNP_FIXTURES_DIR", os.path.join(ROOT, "tests", "server", "fixtures"))
    os.environ["MSNP_TEST_DEBUG"] = "0"
    from harness import Driver, Server  # noqa: E402
    from msn_common import ALICE, BASIC, BOB, sign_in, wait_for  # noqa: E402

    server = Server(fixture=BASIC)
    # One driver per account, as two users on two machines would be: each
    # side has its own process and main loop, like the plain copy.
    da = Driver(trust={"localhost": server.info["cert_pem"]}, debug=False, name="alice")
    db = Driver(trust={"localhost": server.info["cert_pem"]}, debug=False, name="bob")
    try:
        for d in (da, db):
            d.cmd("set_pref", name="/purple/network/auto_ip", value=False)
            d.cmd("set_pref", name="/purple/network/public_ip", value="127.0.0.1")
        sign_in(server, da, ALICE, "a")
        sign_in(server, db, BOB, "b")
        wait_for(lambda: da.cmd("buddy", id="a", buddy=BOB[0])["buddy"]["online"], da)
        before = [d.cmd("rusage")["cpu_us"] for d in (da, db)]
        da.cmd("send_file", id="a", to=BOB[0], file=src)
        ask = db.expect("request", timeout=20, account="b", kind="action")
        db.cmd("answer_request", request=ask["request"], action="accept")
        save = db.expect("request", timeout=20, account="b", kind="file")
        db.cmd("answer_request", request=save["request"], path=dest)
        start = db.expect("file-recv-start", timeout=20, account="b")
        done = db.expect("file-recv-complete", timeout=3600, account="b")
        da.expect("file-send-complete", timeout=60, account="a")
        after = [d.cmd("rusage")["cpu_us"] for d in (da, db)]
        db.cmd("sleep", ms=200)   # libpurple closes the file after "complete"
        seconds = (done["t"] - start["t"]) / 1e6
        return seconds, ((after[0] - before[0]) / 1e6, (after[1] - before[1]) / 1e6)
    finally:
        da.close(check=False)
        db.close(check=False)
        server.stop()


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("-n", type=int, default=5)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--compare", default=None, metavar="OTHER_BUILD")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-xfer-", dir=args.dir)
    src = os.path.join(tmp, "src.bin")
    size = args.size_mb * 1024 * 1024
    mb = size / 1e6
    with open(src, "wb") as f:
        block = os.urandom(1 << 20)
        for i in range(args.size_mb):
            f.write(hashlib.sha256(block + i.to_bytes(4, "little")).digest() + block[32:])
    want = sha(src)
    kinds = {"plain": plain_copy,
             "plugin": lambda s, d: plugin_copy(args.build, s, d)}
    if args.compare:
        kinds["compare"] = lambda s, d: plugin_copy(args.compare, s, d)
    names = list(kinds)
    rows = {k: [] for k in names}
    load_before = loadavg()
    print(f"load average before: {load_before}", flush=True)
    for rep in range(args.n):
        for j in range(len(names)):
            kind = names[(rep + j) % len(names)]
            dest = os.path.join(tmp, kind + ".bin")
            secs, (cpu_s, cpu_r) = kinds[kind](src, dest)
            assert os.path.getsize(dest) == size and sha(dest) == want, kind
            os.unlink(dest)
            rows[kind].append((mb / secs, cpu_s, cpu_r))
            print(f"{rep} {kind:7} {mb / secs:8.1f} MB/s  {secs:6.2f} s  CPU sender "
                  f"{cpu_s:5.2f} s receiver {cpu_r:5.2f} s  (load {loadavg()})", flush=True)
    os.unlink(src)
    os.rmdir(tmp)
    print(f"load average before: {load_before}, after: {loadavg()}")
    print(f"median of {args.n}, {args.size_mb} MiB; CPU in ms per MB")
    print("kind     MB/s   sender  receiver  both")
    med = {}
    for kind in names:
        r = rows[kind]
        med[kind] = median([x[0] for x in r])
        cs = median([x[1] for x in r]) * 1000 / mb
        cr = median([x[2] for x in r]) * 1000 / mb
        cb = median([x[1] + x[2] for x in r]) * 1000 / mb
        print(f"{kind:7} {med[kind]:6.0f}  {cs:6.2f}  {cr:8.2f}  {cb:5.2f}")
    for kind in names[1:]:
        print(f"ratio {kind} / plain (medians): {med[kind] / med['plain']:.2f}")


if __name__ == "__main__":
    main()
