# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-test for the MSNP8 test server: python3 tests/server/selftest.py

Starts msnp_server.py with fixtures/demo.json in a temporary directory and
drives it with a small blocking client (dispatch -> NS with a real HTTPS
Passport exchange, sync, presence between users, switchboard, knobs, control
port).  Prints "N passed, N failed" and exits 0 only if nothing failed.
"""

import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "msnp_server.py")
DEMO = os.path.join(HERE, "fixtures", "demo.json")
PAYLOAD_CMDS = {"MSG", "UBX", "NOT", "GCF", "IPG"}
VERBOSE = "-v" in sys.argv


class Closed(Exception):
    pass


class Frame:
    def __init__(self, line, payload=None):
        self.line = line
        self.tok = line.split()
        self.cmd = self.tok[0] if self.tok else ""
        self.payload = payload

    def __repr__(self):
        return "<%s%s>" % (self.line, " +%d" % len(self.payload) if self.payload is not None else "")


class Client:
    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.trid = 0
        self.log = []

    def next_trid(self):
        self.trid += 1
        return self.trid

    def send(self, line, payload=None):
        data = line.encode() + b"\r\n"
        if payload is not None:
            data += payload
        self.sock.sendall(data)

    def cmd(self, fmt, *args, payload=None):
        t = self.next_trid()
        self.send(fmt.replace("{t}", str(t)) % args if args else fmt.replace("{t}", str(t)), payload)
        return str(t)

    def _fill(self, timeout):
        self.sock.settimeout(timeout)
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("timeout; buffered=%r; recent=%r" % (self.buf[:200], self.log[-5:]))
        except OSError:
            d = b""
        if not d:
            raise Closed("closed; recent=%r" % self.log[-5:])
        self.buf += d

    def recv(self, timeout=5.0):
        end = time.time() + timeout
        while True:
            nl = self.buf.find(b"\n")
            if nl >= 0:
                line = self.buf[:nl].rstrip(b"\r").decode("utf-8", "replace")
                tok = line.split()
                if tok and tok[0] in PAYLOAD_CMDS and tok[-1].isdigit():
                    n = int(tok[-1])
                    if len(self.buf) >= nl + 1 + n:
                        payload = self.buf[nl + 1:nl + 1 + n]
                        self.buf = self.buf[nl + 1 + n:]
                        f = Frame(line, payload)
                        self.log.append(f)
                        if VERBOSE:
                            print("   <<", f)
                        return f
                else:
                    self.buf = self.buf[nl + 1:]
                    f = Frame(line)
                    self.log.append(f)
                    if VERBOSE:
                        print("   <<", f)
                    return f
            left = end - time.time()
            if left <= 0:
                raise TimeoutError("timeout; buffered=%r; recent=%r" % (self.buf[:200], self.log[-5:]))
            self._fill(left)

    def expect(self, pred, timeout=5.0):
        """Read until a frame matches pred (a command name or a callable)."""
        if isinstance(pred, str):
            name = pred
            pred = lambda f: f.cmd == name  # noqa: E731
        end = time.time() + timeout
        while True:
            f = self.recv(max(0.01, end - time.time()))
            if pred(f):
                return f

    def collect(self, seconds):
        out = []
        end = time.time() + seconds
        while True:
            try:
                out.append(self.recv(max(0.01, end - time.time())))
            except TimeoutError:
                return out

    def wait_closed(self, timeout=5.0):
        end = time.time() + timeout
        while time.time() < end:
            try:
                self.recv(max(0.01, end - time.time()))
            except Closed:
                return True
            except TimeoutError:
                return False
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Server:
    def __init__(self, knobs=(), state_dir=None, fixture=DEMO):
        self.dir = state_dir or tempfile.mkdtemp(prefix="msnpsrv-")
        self.info_path = os.path.join(self.dir, "info.json")
        if os.path.exists(self.info_path):
            os.unlink(self.info_path)
        cmd = [sys.executable, SERVER, "--fixture", fixture, "--state-dir", self.dir,
               "--info-file", self.info_path, "--max-seconds", "300"]
        for k in knobs:
            cmd += ["--knob", k]
        self.proc = subprocess.Popen(cmd)
        end = time.time() + 20
        while not os.path.exists(self.info_path):
            if self.proc.poll() is not None or time.time() > end:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        with open(self.info_path) as f:
            self.info = json.load(f)
        self.ctl = socket.create_connection(("127.0.0.1", self.info["control_port"]), timeout=5)
        self.ctl_file = self.ctl.makefile("rwb")

    def control(self, **req):
        self.ctl_file.write((json.dumps(req) + "\n").encode())
        self.ctl_file.flush()
        return json.loads(self.ctl_file.readline())

    def ok(self, **req):
        r = self.control(**req)
        assert r.get("ok"), r
        return r

    def stats(self):
        return self.ok(cmd="stats")["stats"]

    def stop(self):
        try:
            self.ctl.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode


# ------------------------------------------------------------------ helpers
def https_get(info, url, headers=None):
    ctx = ssl.create_default_context(cafile=info["cert_pem"])
    if "://" not in url:
        url = "https://" + url
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=10)
    path = u.path + ("?" + u.query if u.query else "")
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r


def passport_login(info, passport, password, challenge):
    r = https_get(info, info["nexus_url"])
    assert r.status == 200, r.status
    urls = dict(kv.split("=", 1) for kv in r.getheader("PassportURLs").split(","))
    dalogin = urls["DALogin"]
    for _ in range(3):
        auth = ("Passport1.4 OrgVerb=GET,OrgURL=http%%3A%%2F%%2Fmessenger%%2Emsn%%2Ecom,sign-in=%s,pwd=%s,%s"
                % (urllib.parse.quote(passport), urllib.parse.quote(password), challenge))
        r = https_get(info, dalogin, {"Authorization": auth})
        if r.status == 302:
            dalogin = r.getheader("Location")
            continue
        if r.status != 200:
            return None, r
        ai = r.getheader("Authentication-Info")
        start = ai.index("from-PP='") + len("from-PP='")
        return ai[start:ai.index("'", start)], r
    raise AssertionError("too many redirects")


def login(srv, passport, password, via_dispatch=True, ns_port=None, expect_fail=False):
    info = srv.info
    if via_dispatch:
        ds = Client(info["dispatch_port"])
        ds.cmd("VER {t} MSNP8 CVR0")
        f = ds.expect("VER")
        assert f.tok[2] == "MSNP8", f
        ds.cmd("CVR {t} 0x0409 win 4.10 i386 MSNMSGR 5.0.0544 MSMSGS %s", passport)
        ds.expect("CVR")
        ds.cmd("USR {t} TWN I %s", passport)
        f = ds.expect("XFR")
        assert f.tok[2] == "NS", f
        host, port = f.tok[3].split(":")
        assert ds.wait_closed(), "dispatch did not close"
        ds.close()
        ns_port = int(port)
    ns = Client(ns_port or info["ns_ports"][0])
    ns.trid = 3
    ns.cmd("VER {t} MSNP8 CVR0")
    ns.expect("VER")
    ns.cmd("CVR {t} 0x0409 win 4.10 i386 MSNMSGR 5.0.0544 MSMSGS %s", passport)
    ns.expect("CVR")
    t = ns.cmd("USR {t} TWN I %s", passport)
    f = ns.expect(lambda f: f.tok[:1] in (["USR"], ["911"]))
    if f.cmd == "911":
        assert expect_fail, f
        return ns, f
    assert f.tok[1] == t and f.tok[2:4] == ["TWN", "S"], f
    ticket, r = passport_login(info, passport, password, f.tok[4])
    if ticket is None:
        assert expect_fail, r.status
        return ns, r
    t = ns.cmd("USR {t} TWN S %s", ticket)
    f = ns.expect(lambda f: f.tok[:1] in (["USR"], ["911"]))
    if expect_fail:
        return ns, f
    assert f.tok[:3] == ["USR", t, "OK"] and f.tok[3] == passport, f
    return ns, f


def sync(ns, ver):
    t = ns.cmd("SYN {t} %s", ver)
    head = ns.expect(lambda f: f.cmd == "SYN" and f.tok[1] == t)
    lines = []
    if len(head.tok) >= 5:
        nlst = int(head.tok[3])
        seen = 0
        while seen < nlst:
            f = ns.recv()
            lines.append(f)
            if f.cmd == "LST":
                seen += 1
        # trailing BPR lines of the last contact
        lines += [f for f in ns.collect(0.2)]
    return head, lines


def online(ns, state="NLN", clientid="268435492"):
    t = ns.cmd("CHG {t} %s %s", state, clientid)
    out = []
    f = ns.expect(lambda f: f.cmd == "CHG" and f.tok[1] == t)
    out.append(f)
    out += ns.collect(0.3)
    return out


def answer_chl(ns, frames=None, timeout=3):
    f = None
    for x in frames or []:
        if x.cmd == "CHL":
            f = x
    if f is None:
        f = ns.expect("CHL", timeout)
    digest = hashlib.md5((f.tok[2] + "Q1P7W2E4J9R8U3S5").encode()).hexdigest()
    t = ns.cmd("QRY {t} msmsgs@msnmsgr.com 32", payload=digest.encode())
    return t, ns.expect(lambda g: g.tok[:1] in (["QRY"], ["540"]) and g.tok[1] == t)


# -------------------------------------------------------------------- tests
TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def t_login_profile_mail_sync(srv):
    ns, ok = login(srv, "alice@example.com", "alice-pw")
    assert ok.tok[4] == "Alice" and ok.tok[5:7] == ["1", "0"], ok
    prof = ns.expect("MSG")
    assert prof.tok[1:3] == ["Hotmail", "Hotmail"]
    assert b"text/x-msmsgsprofile" in prof.payload and b"MSPAuth: " in prof.payload
    assert b"ClientIP: 127.0.0.1" in prof.payload
    mail = ns.expect("MSG")
    assert b"text/x-msmsgsinitialemailnotification" in mail.payload and b"Inbox-Unread: 3" in mail.payload
    head, lines = sync(ns, 6)
    assert head.tok[2:] == ["27", "7", "4"], head
    cmds = [f.cmd for f in lines]
    assert cmds[:4] == ["GTC", "BLP", "PRP", "PRP"], cmds
    assert lines[2].line == "PRP PHH 01%20234", lines[2]
    assert [f.line for f in lines if f.cmd == "LSG"][0] == "LSG 0 Other%20Contacts 0"
    lst = {f.tok[1]: f for f in lines if f.cmd == "LST"}
    assert lst["bob@example.com"].tok[2:] == ["Bob", "11", "2"], lst["bob@example.com"]
    assert lst["dave@example.com"].tok[2:] == ["Dave", "1", "1,2,3"]
    assert lst["eve@example.com"].tok[2:] == ["Eavesdropper", "12"]
    assert "BPR MOB Y" in [f.line for f in lines]
    assert "BPR PHM sqrt(-1)" in [f.line for f in lines]
    head, lines = sync(ns, 27)
    assert head.line.endswith(" 27") and len(head.tok) == 3 and not lines, (head, lines)
    st = srv.stats()
    assert st["lst_lines"]["alice@example.com"] == 7 and st["syn_unchanged"]["alice@example.com"] == 1
    assert st["nexus_requests"] >= 1 and st["login_requests"] >= 1
    ns.cmd("OUT")
    assert ns.wait_closed()


@test
def t_bad_password_and_unknown_user(srv):
    ns, r = login(srv, "alice@example.com", "wrong", expect_fail=True)
    assert r.status == 401 and "da-status=failed" in r.getheader("WWW-Authenticate")
    ns.close()
    ns, f = login(srv, "nobody@example.com", "x", via_dispatch=False, expect_fail=True)
    assert f.cmd == "911", f
    # forged ticket
    ns = Client(srv.info["ns_ports"][0])
    ns.send("VER 1 MSNP8 CVR0")
    ns.expect("VER")
    ns.send("USR 2 TWN I alice@example.com")
    ns.expect("USR")
    ns.send("USR 3 TWN S t=forged&p=x")
    assert ns.expect("911").tok[1] == "3"
    log = srv.ok(cmd="last_commands", user="alice@example.com")["lines"]
    assert "USR 3 TWN S <redacted>" in log, log
    with open(os.path.join(srv.dir, "server.log")) as f:
        text = f.read()
    assert "alice-pw" not in text and "t=forged" not in text


@test
def t_presence_between_users(srv):
    a, _ = login(srv, "alice@example.com", "alice-pw")
    sync(a, 27)
    fr = online(a)
    iln = {f.tok[3]: f for f in fr if f.cmd == "ILN"}
    assert set(iln) == {"dave@example.com", "emily@example.com", "gina@example.com"}, fr
    assert iln["dave@example.com"].tok[2] == "IDL" and iln["dave@example.com"].tok[5] == "268435492"
    t, q = answer_chl(a, fr)
    assert q.cmd == "QRY", q
    b, _ = login(srv, "bob@example.com", "bob-pw")
    sync(b, 5)
    fr = online(b, "NLN", "0")
    assert any(f.cmd == "ILN" and f.tok[3] == "alice@example.com" for f in fr), fr
    f = a.expect(lambda f: f.cmd == "NLN" and f.tok[2] == "bob@example.com")
    assert f.tok[1] == "NLN" and f.tok[3] == "Bob", f
    online(b, "BSY", "0")
    f = a.expect(lambda f: f.cmd == "NLN" and f.tok[2] == "bob@example.com")
    assert f.tok[1] == "BSY"
    t = b.cmd("REA {t} bob@example.com Robert%20B")
    f = b.expect("REA")
    assert f.tok[1] == t and f.tok[3:] == ["bob@example.com", "Robert%20B"], f
    f = a.expect(lambda f: f.cmd == "NLN" and f.tok[2] == "bob@example.com")
    assert f.tok[3] == "Robert%20B"
    online(b, "HDN", "0")
    a.expect(lambda f: f.line == "FLN bob@example.com")
    online(b, "NLN", "0")
    a.expect(lambda f: f.cmd == "NLN" and f.tok[2] == "bob@example.com")
    # bob blocks alice -> alice sees him go offline; unblock -> online again
    b.cmd("REM {t} AL alice@example.com")
    b.expect("REM")
    b.cmd("ADD {t} BL alice@example.com Alice")
    f = b.expect("ADD")
    assert f.tok[2] == "BL"
    a.expect(lambda f: f.line == "FLN bob@example.com")
    t = b.cmd("ADD {t} AL alice@example.com Alice")
    assert b.expect(lambda f: f.tok[1:2] == [t]).cmd == "219"
    b.cmd("REM {t} BL alice@example.com")
    b.expect("REM")
    b.cmd("ADD {t} AL alice@example.com Alice")
    b.expect("ADD")
    a.expect(lambda f: f.cmd == "NLN" and f.tok[2] == "bob@example.com")
    # phantom presence from the control port
    srv.ok(cmd="presence", user="dave@example.com", state="BRB", friendly="Dave R")
    f = a.expect(lambda f: f.cmd == "NLN" and f.tok[2] == "dave@example.com")
    assert f.tok[1] == "BRB" and f.tok[3] == "Dave%20R"
    srv.ok(cmd="presence", user="dave@example.com", state="FLN")
    a.expect(lambda f: f.line == "FLN dave@example.com")
    # second login elsewhere kicks the first one with OUT OTH
    b2, _ = login(srv, "bob@example.com", "bob-pw")
    b.expect(lambda f: f.line == "OUT OTH")
    assert b.wait_closed()
    a.expect(lambda f: f.line == "FLN bob@example.com")
    b2.cmd("OUT")
    a.cmd("OUT")
    b2.close()
    a.close()


@test
def t_list_changes_and_async_rl(srv):
    a, _ = login(srv, "alice@example.com", "alice-pw")
    d, _ = login(srv, "dan@example.com", "dan-pw")
    head, _ = sync(d, 0)
    dver = int(head.tok[2])
    online(d)
    ver = srv.ok(cmd="get_user", user="alice@example.com")["user"]["version"]
    t = a.cmd("ADD {t} FL dan@example.com dan@example.com 2")
    f = a.expect(lambda f: f.tok[1:2] == [t])
    assert f.tok[:3] == ["ADD", t, "FL"] and int(f.tok[3]) == ver + 1 and f.tok[4:] == \
        ["dan@example.com", "dan@example.com", "2"], f
    f = d.expect(lambda f: f.cmd == "ADD" and f.tok[2] == "RL")
    assert f.tok[1] == "0" and int(f.tok[3]) == dver + 1 and f.tok[4] == "alice@example.com", f
    t = a.cmd("ADD {t} FL dan@example.com dan@example.com 2")
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "215"
    t = a.cmd("ADD {t} FL dan@example.com dan@example.com 99")
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "224"
    t = a.cmd("ADD {t} FL not-an-address x")
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "208"
    t = a.cmd("ADD {t} XL dan@example.com x")
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "201"
    t = a.cmd("ADD {t} FL dan@example.com %s", "x" * 400)
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "209"
    t = a.cmd("REM {t} AL nobody@example.com")
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "216"
    t = a.cmd("ADG {t} New%20Group 0")
    f = a.expect(lambda f: f.tok[1:2] == [t])
    assert f.cmd == "ADG" and f.tok[3] == "New%20Group" and f.tok[4] == "4" and f.tok[5] == "0", f
    t = a.cmd("REG {t} 4 Renamed 0")
    f = a.expect(lambda f: f.tok[1:2] == [t])
    assert f.cmd == "REG" and f.tok[3:] == ["4", "Renamed", "0"], f
    t = a.cmd("RMG {t} 4")
    f = a.expect(lambda f: f.tok[1:2] == [t])
    assert f.cmd == "RMG" and f.tok[3] == "4", f
    t = a.cmd("RMG {t} 4")
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "224"
    t = a.cmd("BLP {t} BL")
    f = a.expect(lambda f: f.tok[1:2] == [t])
    assert f.cmd == "BLP" and f.tok[3] == "BL"
    t = a.cmd("BLP {t} AL")
    a.expect(lambda f: f.tok[1:2] == [t])
    t = a.cmd("GTC {t} N")
    assert a.expect(lambda f: f.tok[1:2] == [t]).tok[3] == "N"
    t = a.cmd("PRP {t} PHW 555%201234")
    f = a.expect(lambda f: f.tok[1:2] == [t])
    assert f.cmd == "PRP" and f.tok[3:] == ["PHW", "555%201234"], f
    t = a.cmd("REM {t} FL dan@example.com")
    f = a.expect(lambda f: f.tok[1:2] == [t])
    assert f.cmd == "REM" and f.tok[2] == "FL"
    f = d.expect(lambda f: f.cmd == "REM" and f.tok[2] == "RL")
    assert f.tok[4] == "alice@example.com"
    # "another client" changes the list while online -> async ADD 0
    r = srv.ok(cmd="list_change", user="alice@example.com", op="add", list="FL",
               contact="zed@example.com", friendly="Zed Z", group="1")
    f = a.expect(lambda f: f.cmd == "ADD" and f.tok[1] == "0")
    assert f.tok[2] == "FL" and int(f.tok[3]) == r["version"] and f.tok[5] == "Zed%20Z", f
    u = srv.ok(cmd="get_user", user="alice@example.com")["user"]
    assert any(c["passport"] == "zed@example.com" and c["groups"] == ["1"] for c in u["contacts"])
    assert u["phones"]["PHW"] == "555 1234" and u["gtc"] == "N"
    a.cmd("OUT")
    d.cmd("OUT")


@test
def t_png_qry_url_unknown(srv):
    a, _ = login(srv, "carol@example.com", "carol-pw")
    a.cmd("PNG")
    assert a.expect("QNG").tok[1] == "50"
    t = a.cmd("URL {t} INBOX")
    f = a.expect("URL")
    assert f.tok[1] == t and f.tok[2] == "/cgi-bin/HoTMaiL" and "md5auth.srf" in f.tok[3], f
    t = a.cmd("FOO {t} bar baz")
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "200"
    a.send("\x00\x01\x02 garbage \xff")
    a.send("")
    a.cmd("PNG")
    a.expect("QNG")
    fr = online(a)
    t, q = answer_chl(a, fr)
    assert q.cmd == "QRY"
    srv.ok(cmd="chl", user="carol@example.com")
    f = a.expect("CHL")
    t = a.cmd("QRY {t} msmsgs@msnmsgr.com 32", payload=b"0" * 32)
    assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "540"
    assert a.wait_closed()


@test
def t_switchboard(srv):
    a, _ = login(srv, "alice@example.com", "alice-pw")
    online(a)
    b, _ = login(srv, "bob@example.com", "bob-pw")
    online(b)
    t = a.cmd("XFR {t} SB")
    f = a.expect("XFR")
    assert f.tok[1] == t and f.tok[2] == "SB" and f.tok[4] == "CKI", f
    sa = Client(int(f.tok[3].split(":")[1]))
    sa.send("USR 1 alice@example.com %s" % f.tok[5])
    f = sa.expect("USR")
    assert f.tok[2:4] == ["OK", "alice@example.com"], f
    sa.send("CAL 2 bob@example.com")
    f = sa.expect("CAL")
    assert f.tok[2] == "RINGING"
    sid = f.tok[3]
    r = b.expect("RNG")
    assert r.tok[1] == sid and r.tok[3] == "CKI" and r.tok[5] == "alice@example.com", r
    sb = Client(int(r.tok[2].split(":")[1]))
    sb.send("ANS 1 bob@example.com %s %s" % (r.tok[4], sid))
    f = sb.expect("IRO")
    assert f.tok[1:5] == ["1", "1", "1", "alice@example.com"], f
    sb.expect(lambda f: f.line == "ANS 1 OK")
    f = sa.expect("JOI")
    assert f.tok[1] == "bob@example.com"
    msg = b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello \xc3\xa9"
    sa.send("MSG 3 A %d" % len(msg), msg)
    sa.expect(lambda f: f.line == "ACK 3")
    f = sb.expect("MSG")
    assert f.tok[1] == "alice@example.com" and f.payload == msg, f
    sa.send("CAL 4 gina@example.com")
    sa.expect("CAL")
    sa.expect(lambda f: f.cmd == "JOI" and f.tok[1] == "gina@example.com")
    sb.expect(lambda f: f.cmd == "JOI" and f.tok[1] == "gina@example.com")
    sa.send("MSG 5 N %d" % len(msg), msg)
    f = sa.expect(lambda f: f.cmd == "MSG" and f.tok[1] == "gina@example.com")
    assert f.payload.endswith(b"echo: hello \xc3\xa9")
    sa.send("CAL 6 fred@example.com")
    assert sa.expect(lambda f: f.tok[1:2] == ["6"]).cmd == "217"
    sb.send("OUT")
    sa.expect(lambda f: f.line == "BYE bob@example.com")
    # phantom-initiated conversation
    srv.ok(cmd="phantom_message", **{"from": "gina@example.com", "to": "alice@example.com",
                                     "text": "ping from gina", "typing": True})
    r = a.expect("RNG")
    assert r.tok[5] == "gina@example.com"
    sc = Client(int(r.tok[2].split(":")[1]))
    sc.send("ANS 9 alice@example.com %s %s" % (r.tok[4], r.tok[1]))
    sc.expect(lambda f: f.cmd == "IRO" and f.tok[4] == "gina@example.com")
    sc.expect(lambda f: f.line == "ANS 9 OK")
    f = sc.expect(lambda f: f.cmd == "MSG" and b"text/plain" in f.payload)
    assert f.payload.endswith(b"ping from gina")
    # bad cookie
    sx = Client(srv.info["sb_port"])
    sx.send("USR 1 alice@example.com 123.456.789")
    sx.expect("911")
    assert sx.wait_closed()
    assert srv.stats()["xfr_sb"] >= 1
    for c in (sa, sc, a, b):
        c.close()


@test
def t_knob_split_pack_unknown(srv):
    srv.ok(cmd="set_knob", name="split", value="3")
    srv.ok(cmd="set_knob", name="unknown_cmds", value="1")
    try:
        a, _ = login(srv, "bob@example.com", "bob-pw")
        head, lines = sync(a, 0)
        assert any(f.cmd == "ZZZ" for f in lines) and any(f.cmd == "UBX" for f in lines), lines
        a.close()
        srv.ok(cmd="set_knob", name="split", value="")
        srv.ok(cmd="set_knob", name="pack", value="1")
        a, _ = login(srv, "alice@example.com", "alice-pw")
        head, lines = sync(a, 0)
        assert sum(1 for f in lines if f.cmd == "LST") == int(head.tok[3]) >= 7, (head, lines)
        a.close()
    finally:
        for k in ("split", "pack", "unknown_cmds"):
            srv.ok(cmd="set_knob", name=k, value=None)


@test
def t_knob_errors_and_params(srv):
    srv.ok(cmd="set_knob", name="error_on", value="NS/SYN:500")
    srv.ok(cmd="set_knob", name="missing_params", value="1")
    try:
        a, ok = login(srv, "bob@example.com", "bob-pw")
        assert len(ok.tok) == 5, ok
        t = a.cmd("SYN {t} 0")
        assert a.expect(lambda f: f.tok[1:2] == [t]).cmd == "500"
        srv.ok(cmd="set_knob", name="error_on", value=None)
        head, lines = sync(a, 0)
        lst = [f for f in lines if f.cmd == "LST"]
        assert lst and all(f.tok[2].isdigit() for f in lst), lst
        t = a.cmd("CHG {t} NLN 99")
        assert a.expect("CHG").tok == ["CHG", t, "NLN"]
        a.close()
        srv.ok(cmd="set_knob", name="missing_params", value=None)
        srv.ok(cmd="set_knob", name="extra_params", value="1")
        a, ok = login(srv, "bob@example.com", "bob-pw")
        assert ok.tok[-1] == "XTRA", ok
        a.close()
    finally:
        for k in ("error_on", "missing_params", "extra_params"):
            srv.ok(cmd="set_knob", name=k, value=None)


@test
def t_knob_faults(srv):
    try:
        srv.ok(cmd="set_knob", name="close_mid_payload", value="1")
        a, _ = login(srv, "bob@example.com", "bob-pw")
        try:
            a.expect("MSG", 2)
            raise AssertionError("got a whole profile")
        except Closed:
            pass
        srv.ok(cmd="set_knob", name="close_mid_payload", value=None)
        srv.ok(cmd="set_knob", name="close_mid_line", value="XFR")
        ds = Client(srv.info["dispatch_port"])
        ds.send("VER 1 MSNP8 CVR0\r\nCVR 2 0x0409 win 4.10 i386 MSNMSGR 5.0.0544 MSMSGS bob@example.com\r\n"
                "USR 3 TWN I bob@example.com")
        try:
            ds.expect("XFR", 2)
            raise AssertionError("got a whole XFR")
        except Closed:
            assert ds.buf.startswith(b"XFR 3 NS") and not ds.buf.endswith(b"\n"), ds.buf
        srv.ok(cmd="set_knob", name="close_mid_line", value=None)
        srv.ok(cmd="set_knob", name="huge_length", value="1")
        a, _ = login(srv, "bob@example.com", "bob-pw")
        end = time.time() + 3
        while b"MSG Hotmail Hotmail 999999999\r\n" not in a.buf and time.time() < end:
            a._fill(max(0.01, end - time.time()))
        assert b"MSG Hotmail Hotmail 999999999\r\n" in a.buf, a.buf
        a.close()
        srv.ok(cmd="set_knob", name="huge_length", value=None)
        srv.ok(cmd="set_knob", name="stall", value="PNG")
        a, _ = login(srv, "bob@example.com", "bob-pw")
        a.expect("MSG")
        a.cmd("PNG")
        try:
            a.expect("QNG", 1)
            raise AssertionError("stall ignored")
        except TimeoutError:
            pass
        a.close()
        srv.ok(cmd="set_knob", name="stall", value=None)
        srv.ok(cmd="set_knob", name="xfr_ns_after", value="0.2")
        a, _ = login(srv, "bob@example.com", "bob-pw")
        f = a.expect("XFR")
        assert f.tok[1:3] == ["0", "NS"] and f.tok[3] == "127.0.0.1:%d" % srv.info["ns_ports"][1], f
        a.close()
        srv.ok(cmd="set_knob", name="xfr_ns_after", value=None)
        a, _ = login(srv, "bob@example.com", "bob-pw", via_dispatch=False, ns_port=srv.info["ns_ports"][1])
        assert srv.ok(cmd="get_user", user="bob@example.com")["user"]["ns_index"] == 1
        srv.ok(cmd="send_raw", user="bob@example.com", data="OUT SSD\r\n")
        a.expect(lambda f: f.line == "OUT SSD")
        srv.ok(cmd="mail", user="bob@example.com", **{"from": "x@example.com", "subject": "Hi"})
        f = a.expect("MSG")
        assert b"text/x-msmsgsemailnotification" in f.payload and b"Subject: Hi" in f.payload
        srv.ok(cmd="kick", user="bob@example.com")
        assert a.wait_closed()
        srv.ok(cmd="set_knob", name="garbage", value="1")
        a, _ = login(srv, "bob@example.com", "bob-pw")
        time.sleep(0.2)
        a.close()
        srv.ok(cmd="set_knob", name="passport_redirect", value="1")
        a, _ = login(srv, "bob@example.com", "bob-pw")
        reqs = srv.ok(cmd="passport_log")["requests"]
        assert [r["result"] for r in reqs[-2:]] == [302, 200], reqs[-2:]
        a.close()
        srv.ok(cmd="set_knob", name="dalogin_scheme", value="https")
        srv.ok(cmd="set_knob", name="dalogin_path", value="/ppsecure/custom.srf")
        r = https_get(srv.info, srv.info["nexus_url"])
        assert "DALogin=https://localhost:%d/ppsecure/custom.srf," % srv.info["https_port"] in \
            r.getheader("PassportURLs")
        a, _ = login(srv, "bob@example.com", "bob-pw")
        a.close()
    finally:
        for k in ("close_mid_payload", "close_mid_line", "huge_length", "stall", "xfr_ns_after", "garbage",
                  "passport_redirect", "dalogin_scheme", "dalogin_path"):
            srv.ok(cmd="set_knob", name=k, value=None)


@test
def t_robust_garbage_clients(srv):
    import random
    rnd = random.Random(7)
    for port in (srv.info["dispatch_port"], srv.info["ns_ports"][0], srv.info["sb_port"]):
        for i in range(5):
            c = Client(port)
            blob = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 3000)))
            if i == 1:
                blob = b"MSG 1 A 999999999999\r\n"
            if i == 2:
                blob = b"QRY 1 msmsgs@msnmsgr.com 5\r\nab"
            if i == 3:
                blob = b"A" * 40000
            try:
                c.sock.sendall(blob)
            except OSError:
                pass
            c.close()
    s = socket.create_connection(("127.0.0.1", srv.info["https_port"]))
    s.sendall(b"\x16\x03\x01garbage")
    s.close()
    assert srv.control(cmd="nonsense")["ok"] is False
    srv.ctl_file.write(b"{not json\n")
    srv.ctl_file.flush()
    assert json.loads(srv.ctl_file.readline())["ok"] is False
    a, _ = login(srv, "carol@example.com", "carol-pw")
    a.close()


def persistence_check():
    """State survives a restart with the same directory."""
    d = tempfile.mkdtemp(prefix="msnpsrv-persist-")
    try:
        s1 = Server(state_dir=d)
        try:
            a, _ = login(s1, "dan@example.com", "dan-pw")
            a.cmd("ADG {t} Pals 0")
            f = a.expect("ADG")
            ver = f.tok[2]
            a.cmd("OUT")
        finally:
            assert s1.stop() == 0, "server did not exit cleanly"
        s2 = Server(state_dir=d)
        try:
            a, _ = login(s2, "dan@example.com", "dan-pw")
            head, lines = sync(a, ver)
            assert head.tok == ["SYN", head.tok[1], ver], head
            head, lines = sync(a, 0)
            assert "LSG 1 Pals 0" in [f.line for f in lines], lines
            assert s2.stats()["syn_unchanged"]["dan@example.com"] == 1
        finally:
            s2.stop()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main():
    passed = failed = 0
    srv = Server()
    try:
        for fn in TESTS:
            try:
                fn(srv)
                passed += 1
                print("PASS", fn.__name__)
            except Exception:  # noqa: BLE001
                failed += 1
                print("FAIL", fn.__name__)
                traceback.print_exc()
            if srv.proc.poll() is not None:
                print("FAIL server died")
                failed += 1
                break
        try:
            srv.ok(cmd="ping")
        except Exception:  # noqa: BLE001
            failed += 1
            print("FAIL control port unresponsive at the end")
    finally:
        rc = srv.stop()
        if rc != 0:
            failed += 1
            print("FAIL server exit status %r" % rc)
        shutil.rmtree(srv.dir, ignore_errors=True)
    try:
        persistence_check()
        passed += 1
        print("PASS persistence_check")
    except Exception:  # noqa: BLE001
        failed += 1
        print("FAIL persistence_check")
        traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
