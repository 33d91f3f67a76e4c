#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The floor for bench-login.py: the least a client can do to sign in.

A raw-socket MSNP8 client (standard library only) doing the same exchange
as the plugin -- dispatch -> NS, Passport 1.4 nexus + login over HTTPS,
SYN, CHG -- and reading until the list and every initial presence (ILN)
have arrived.  It parses nothing it does not need, so its wall time is
what the server and the loopback cost: the plugin cannot be faster.

  bench/floor-client.py --info-file INFO.json [--user U --password P]
                        [--version V] [--dalogin HOST/PATH] [--online N]

INFO.json is the test server's (tests/server/msnp_server.py --info-file).
With --version the SYN carries that list version (a second login with an
unchanged list: no LSTs); with --dalogin the nexus is skipped, as the
plugin does once it has remembered the login server.
"""

import argparse
import http.client
import json
import re
import socket
import ssl
import sys
import time
import urllib.parse


class Ns:
    """Line reader over one socket; MSG/NOT payloads are read and dropped."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.trid = 0

    def send(self, cmd, *args):
        self.trid += 1
        line = " ".join([cmd, str(self.trid)] + [str(a) for a in args])
        self.sock.sendall(line.encode() + b"\r\n")
        return self.trid

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def line(self):
        while True:
            nl = self.buf.find(b"\r\n")
            if nl >= 0:
                line, self.buf = self.buf[:nl].decode("utf-8", "replace"), self.buf[nl + 2:]
                parts = line.split(" ")
                if parts[0] in ("MSG", "NOT"):
                    n = int(parts[-1])
                    while len(self.buf) < n:
                        self._fill()
                    self.buf = self.buf[n:]
                return parts
            self._fill()

    def expect(self, cmd):
        while True:
            parts = self.line()
            if parts[0] == cmd:
                return parts
            if parts[0].isdigit():
                raise RuntimeError("server error %s" % " ".join(parts))

    def close(self):
        self.sock.close()


def handshake(ns, user):
    ns.send("VER", "MSNP8", "CVR0")
    ns.expect("VER")
    ns.send("CVR", "0x0409", "win", "4.10", "i386", "MSNMSGR", "5.0.0544", "MSMSGS", user)
    ns.expect("CVR")
    ns.send("USR", "TWN", "I", user)
    # The dispatch server answers XFR (go there), the NS USR TWN S.
    parts = ns.line()
    if parts[0] not in ("XFR", "USR"):
        raise RuntimeError("unexpected reply %s" % " ".join(parts))
    return parts


def https_get(ctx, host_path, headers):
    url = urllib.parse.urlsplit(host_path if "://" in host_path else "https://" + host_path)
    conn = http.client.HTTPSConnection(url.hostname, url.port or 443, context=ctx)
    conn.request("GET", url.path or "/", headers=headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp


def passport_ticket(ctx, nexus_url, dalogin, user, password, challenge):
    if dalogin is None:
        urls = https_get(ctx, nexus_url, {}).getheader("PassportURLs", "")
        dalogin = re.search(r"DALogin=([^,]+)", urls).group(1)
    auth = ("Passport1.4 OrgVerb=GET,OrgURL=http%%3A%%2F%%2Fmessenger%%2Emsn%%2Ecom,"
            "sign-in=%s,pwd=%s,%s" % (urllib.parse.quote(user), urllib.parse.quote(password),
                                      challenge))
    info = https_get(ctx, dalogin, {"Authorization": auth}).getheader("Authentication-Info", "")
    m = re.search(r"from-PP='([^']*)'", info)
    if m is None:
        raise RuntimeError("Passport login failed: %r" % info)
    return m.group(1), dalogin


def login(info, user, password, version=None, dalogin=None, online=None):
    """Signs in; returns timings (seconds from the start) and counts."""
    ctx = ssl.create_default_context(cafile=info["cert_pem"])
    t0 = time.monotonic()

    ds = Ns("127.0.0.1", info["dispatch_port"])
    xfr = handshake(ds, user)
    ds.close()
    host, port = xfr[3].rsplit(":", 1)

    ns = Ns(host, int(port))
    usr = handshake(ns, user)
    ticket, dalogin = passport_ticket(ctx, info["nexus_url"], dalogin, user, password, usr[4])
    ns.send("USR", "TWN", "S", ticket)
    ns.expect("USR")
    t_authenticated = time.monotonic()

    syn_trid = ns.send("SYN", version if version is not None else 0)
    syn = ns.expect("SYN")
    n_lst = n_lsg = 0
    if len(syn) >= 5:
        want_lst, want_lsg = int(syn[3]), int(syn[4])
        while n_lst < want_lst or n_lsg < want_lsg:
            cmd = ns.line()[0]
            n_lst += cmd == "LST"
            n_lsg += cmd == "LSG"
    t_synced = time.monotonic()

    chg_trid = ns.send("CHG", "NLN", "0")
    n_iln = 0
    while online is None or n_iln < online:
        parts = ns.line()
        if parts[0] == "ILN" and parts[1] == str(chg_trid):
            n_iln += 1
        elif online is None and parts[0] == "CHL":
            break   # the server sends CHL a while after the ILNs: all are in
    t_all = time.monotonic()
    ns.sock.sendall(b"OUT\r\n")
    ns.close()
    return {"t0_us": int(t0 * 1e6), "t_all_us": int(t_all * 1e6),
            "authenticated_s": t_authenticated - t0, "synced_s": t_synced - t0, "all_shown_s": t_all - t0, "lst": n_lst,
            "lsg": n_lsg, "iln": n_iln, "version": syn[2], "dalogin": dalogin,
            "syn_trid": syn_trid}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--info-file", required=True)
    ap.add_argument("--user", default="alice@example.com")
    ap.add_argument("--password", default="alice-pw")
    ap.add_argument("--version", help="list version to SYN with (default 0: full list)")
    ap.add_argument("--dalogin", help="skip the nexus, log in here")
    ap.add_argument("--online", type=int, help="ILNs to wait for (default: until CHL)")
    a = ap.parse_args()
    with open(a.info_file, encoding="utf-8") as f:
        info = json.load(f)
    print(json.dumps(login(info, a.user, a.password, a.version, a.dalogin, a.online)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
