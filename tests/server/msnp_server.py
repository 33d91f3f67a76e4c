# SPDX-License-Identifier: GPL-2.0-or-later
"""MSNP8 test server for pidgin-msnp.

  python3 tests/server/msnp_server.py --fixture FIXTURE.json --state-dir DIR \
      --info-file INFO.json [--knob NAME=VALUE ...] [--max-seconds N] [--verbose]

One process plays the dispatch server, two notification servers, the
switchboard server, the Passport nexus/login endpoints (HTTPS) and a JSON
control port.  Everything listens on 127.0.0.1, ephemeral ports.  See README.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from msnpsrv.conn import Conn  # noqa: E402
from msnpsrv.core import App  # noqa: E402
from msnpsrv.ns import Dispatch, NSSession  # noqa: E402
from msnpsrv.sb import SBSession  # noqa: E402
from msnpsrv.passport import Passport  # noqa: E402
from msnpsrv.control import Control  # noqa: E402
from msnpsrv.gateway import Gateway  # noqa: E402
import ssl  # noqa: E402

log = logging.getLogger("msnp")
HOST = "127.0.0.1"


def ensure_cert(state_dir):
    cert = os.path.join(state_dir, "cert.pem")
    key = os.path.join(state_dir, "key.pem")
    if os.path.exists(cert) and os.path.exists(key):
        return cert, key
    cmd = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
           "-subj", "/CN=localhost",
           "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
           "-keyout", key, "-out", cert]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def write_atomic(path, data):
    tmp = path + ".tmp.%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


async def serve_msnp(app, kind, factory, reader, writer):
    app.live_writers.add(writer)
    conn = Conn(app, reader, writer, kind)
    app.stats["connections"] += 1
    app.stats["connections_by_kind"][kind] += 1
    sess = factory(conn)
    try:
        await conn.run(sess.handle)
    finally:
        on_close = getattr(sess, "on_close", None)
        if on_close is not None:
            try:
                on_close()
            except Exception:  # noqa: BLE001
                log.exception("on_close failed")
        app.live_writers.discard(writer)


async def main_async(args, knobs):
    with open(args.fixture, encoding="utf-8") as f:
        fixture = json.load(f)
    os.makedirs(args.state_dir, exist_ok=True)
    cert, key = ensure_cert(args.state_dir)
    app = App(fixture, args.state_dir, knobs)

    servers = []

    async def listen(handler, **kw):
        srv = await asyncio.start_server(handler, HOST, 0, **kw)
        servers.append(srv)
        return srv.sockets[0].getsockname()[1]

    app.ports["dispatch"] = await listen(
        lambda r, w: serve_msnp(app, "ds", lambda c: Dispatch(app, c), r, w))
    app.ports["ns"] = []
    for i in range(2):
        app.ports["ns"].append(await listen(
            lambda r, w, i=i: serve_msnp(app, "ns", lambda c: NSSession(app, c, i), r, w)))
    app.ports["sb"] = await listen(
        lambda r, w: serve_msnp(app, "sb", lambda c: SBSession(app, c), r, w))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    passport = Passport(app)
    control = Control(app)

    async def https_handler(r, w):
        app.stats["connections_by_kind"]["https"] += 1
        app.live_writers.add(w)
        try:
            await passport.handle(r, w)
        finally:
            app.live_writers.discard(w)

    async def control_handler(r, w):
        app.live_writers.add(w)
        try:
            await control.handle(r, w)
        finally:
            app.live_writers.discard(w)
    app.ports["https"] = await listen(https_handler, ssl=ctx, ssl_handshake_timeout=15)
    app.ports["control"] = await listen(control_handler, limit=1 << 22)
    gateway = Gateway(app)
    app.ports["gateway"] = await listen(gateway.handle, limit=1 << 15)

    info = {"pid": os.getpid(), "dispatch_port": app.ports["dispatch"],
            "ns_ports": app.ports["ns"], "sb_port": app.ports["sb"],
            "https_port": app.ports["https"], "control_port": app.ports["control"],
            "gateway_port": app.ports["gateway"],
            "cert_pem": os.path.abspath(cert),
            "nexus_url": "https://localhost:%d/rdr/pprdr.asp" % app.ports["https"],
            "state_dir": os.path.abspath(args.state_dir)}
    write_atomic(args.info_file, info)
    log.info("listening: %s", json.dumps(info))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.call_later(args.max_seconds, stop.set)
    await stop.wait()
    log.info("shutting down")
    for s in servers:
        s.close()
    app.save_state()
    for w in list(app.live_writers):
        try:
            w.transport.abort()
        except Exception:  # noqa: BLE001
            pass
    await asyncio.sleep(0.1)
    me = asyncio.current_task()
    rest = [t for t in asyncio.all_tasks() if t is not me]
    for t in rest:
        t.cancel()
    await asyncio.gather(*rest, return_exceptions=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--info-file", required=True)
    ap.add_argument("--knob", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--verbose", action="store_true", help="log protocol traffic to stderr too")
    args = ap.parse_args()
    knobs = {}
    for k in args.knob:
        name, sep, value = k.partition("=")
        knobs[name.strip()] = value if sep else "1"

    os.makedirs(args.state_dir, exist_ok=True)
    fmt = logging.Formatter("%(asctime)s.%(msecs)03d %(name)s %(levelname)s %(message)s", "%H:%M:%S")
    fh = logging.FileHandler(os.path.join(args.state_dir, "server.log"), encoding="utf-8")
    fh.setFormatter(fmt)
    root = logging.getLogger("msnp")
    root.setLevel(logging.DEBUG)
    root.addHandler(fh)
    sh = logging.StreamHandler(sys.stderr)
    sh.setFormatter(fmt)
    sh.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    root.addHandler(sh)
    try:
        asyncio.run(main_async(args, knobs))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
