# SPDX-License-Identifier: GPL-2.0-or-later
"""Dispatch server and notification server (MSNP8, as in seed 003)."""

import asyncio
import hashlib
import logging
import os
import random
import time

from .core import STATES, enc, PHONE_TYPES

log = logging.getLogger("msnp")

CHL_KEY = "Q1P7W2E4J9R8U3S5"
CHL_ID = "msmsgs@msnmsgr.com"
CVR_REPLY = ("6.0.0602 6.0.0602 1.0.0000 http://download.microsoft.com/download/8/a/4/"
             "8a42bcae-f533-4468-b871-d2bc8dd32e9e/SETUP9x.EXE http://messenger.msn.com")
CHALLENGE = ("lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct={ct},"
             "kpp=1,kv=5,ver=2.1.0173.1,tpf={tpf}")


def reply_ver(conn, f):
    """Answer VER; returns False (and closes) when MSNP8 is not offered."""
    offered = [a.upper() for a in f.args[1:]]
    if "MSNP8" in offered:
        conn.send_line("VER %s MSNP8%s" % (f.trid, " CVR0" if "CVR0" in offered else ""))
        return True
    conn.send_line("VER %s 0" % f.trid)
    conn.close()
    return False


class Dispatch:
    """The dispatch server: VER, CVR, USR TWN I -> XFR NS, close."""

    def __init__(self, app, conn):
        self.app = app
        self.conn = conn
        self.early = []

    async def handle(self, f):
        app, conn = self.app, self.conn
        if conn.user:
            app.record_cmd(conn.user, "ds", f)
        else:
            self.early.append(f)
        code = app.error_for("ds", f.cmd)
        stall = app.kscoped("stall", "ds")
        if stall == f.cmd:
            conn.stall()
            return
        if code:
            conn.send_line("%s %s" % (code, f.trid))
            return
        if f.cmd == "VER":
            reply_ver(conn, f)
        elif f.cmd == "CVR":
            conn.send_line("CVR %s %s" % (f.trid, CVR_REPLY))
        elif f.cmd == "USR":
            if len(f.args) >= 4:
                conn.user = f.args[3].lower()
                for e in self.early:
                    app.record_cmd(conn.user, "ds", e)
                self.early = []
                app.record_cmd(conn.user, "ds", f)
            target = "127.0.0.1:%d" % app.ports["ns"][0]
            if app.kbool("missing_params"):
                conn.send_line("XFR %s NS %s" % (f.trid, target))
            else:
                conn.send_line("XFR %s NS %s 0 127.0.0.1:%d%s" % (
                    f.trid, target, app.ports["dispatch"], app.extra()))
            conn.close()
        elif f.cmd == "OUT":
            conn.send_line("OUT")
            conn.close()
        elif f.cmd == "PNG":
            conn.send_line("QNG 50")
        else:
            conn.send_line("200 %s" % f.trid)


class NSSession:
    """One notification-server connection (and, once logged in, the user's session)."""

    def __init__(self, app, conn, index):
        self.app = app
        self.conn = conn
        self.index = index           # which NS listener (0 or 1)
        self.passport = None          # after USR I
        self.user = None              # after USR OK
        self.state = "FLN"
        self.clientid = "0"
        self.initial_done = False
        self.seen = {}                # contact passport -> (state, friendly, clientid)
        self.challenges = []
        self.timers = []
        self.replaced = False
        self.early = []
        self.login_time = int(time.time())

    # ------------------------------------------------------------ helpers
    def later(self, delay, fn, *args):
        h = asyncio.get_event_loop().call_later(delay, self._safe, fn, *args)
        self.timers.append(h)
        return h

    def _safe(self, fn, *args):
        if self.conn.closed:
            return
        try:
            fn(*args)
        except Exception:  # noqa: BLE001
            log.exception("%s: timer failed", self.conn.tag())

    def update_seen(self, target, trid=None):
        """Bring this client's view of `target` up to date (ILN/NLN/FLN)."""
        if not self.initial_done or self.user is None:
            return
        c = self.user.contacts.get(target)
        if c is None or "FL" not in c.lists:
            self.seen.pop(target, None)
            return
        want = self.app.visible_presence(target, self.passport)
        have = self.seen.get(target)
        if want == have:
            return
        if want is None:
            del self.seen[target]
            self.conn.send_line("FLN %s" % target)
            return
        self.seen[target] = want
        state, friendly, clientid = want
        tail = "" if self.app.kbool("missing_params") else " " + clientid
        tail += self.app.extra()
        if trid is not None:
            self.conn.send_line("ILN %s %s %s %s%s" % (trid, state, target, enc(friendly), tail))
        else:
            self.conn.send_line("NLN %s %s %s%s" % (state, target, enc(friendly), tail))

    def on_close(self):
        for h in self.timers:
            h.cancel()
        self.timers = []
        if self.passport and self.app.sessions.get(self.passport) is self:
            del self.app.sessions[self.passport]
            self.app.refresh_watchers(self.passport)
            log.info("%s signed out", self.passport)

    def kick_other_login(self):
        """Another login for the same passport: OUT OTH and close."""
        self.replaced = True
        self.conn.send_line("OUT OTH")
        self.conn.close()

    # ------------------------------------------------------------ dispatch
    async def handle(self, f):
        app, conn = self.app, self.conn
        if self.passport:
            app.record_cmd(self.passport, "ns", f)
        else:
            self.early.append(f)
        stall = app.kscoped("stall", "ns")
        if stall == f.cmd:
            log.info("%s: stalling on %s", conn.tag(), f.cmd)
            conn.stall()
            return
        code = app.error_for("ns", f.cmd)
        if code:
            conn.send_line("%s %s" % (code, f.trid))
            return
        fn = getattr(self, "c_" + f.cmd, None) if f.cmd.isalpha() else None
        if fn is None:
            conn.send_line("200 %s" % f.trid)
            return
        if f.cmd not in ("VER", "CVR", "USR", "OUT", "PNG", "INF") and self.user is None:
            conn.send_line("302 %s" % f.trid)
            return
        fn(f)

    def c_VER(self, f):
        reply_ver(self.conn, f)

    def c_CVR(self, f):
        self.conn.send_line("CVR %s %s" % (f.trid, CVR_REPLY))

    def c_INF(self, f):
        self.conn.send_line("INF %s MD5" % f.trid)

    def c_PNG(self, f):
        if not self.app.kbool("no_qng"):
            self.conn.send_line("QNG %d" % self.app.kint("qng_seconds", 50))

    def c_OUT(self, f):
        self.conn.send_line("OUT")
        self.conn.close()

    def c_USR(self, f):
        app, conn, a = self.app, self.conn, f.args
        if len(a) < 4 or a[1].upper() != "TWN" or a[2].upper() not in ("I", "S"):
            conn.send_line("911 %s" % f.trid)
            return
        if self.user is not None:
            conn.send_line("207 %s" % f.trid)
            return
        if a[2].upper() == "I" and app.kbool("redirect_loop"):
            # fault: every NS sends the client on to the other one, for ever
            ports = app.ports["ns"]
            other = ports[1] if self.index == 0 else ports[0]
            conn.send_line("XFR %s NS 127.0.0.1:%d 0 127.0.0.1:%d" % (f.trid, other, ports[self.index]))
            conn.close()
            return
        if a[2].upper() == "I":
            passport = a[3].lower()
            self.passport = passport
            conn.user = passport
            for e in self.early:
                app.record_cmd(passport, "ns", e)
            self.early = []
            if passport not in app.users:
                conn.send_line("911 %s" % f.trid)
                return
            tpf = hashlib.md5(os.urandom(16)).hexdigest()
            conn.send_line("USR %s TWN S %s" % (f.trid, CHALLENGE.format(ct=int(time.time()), tpf=tpf)))
            return
        # USR trid TWN S t=...&p=...
        ticket = a[3]
        t = ticket
        for part in ticket.split("&"):
            if part.startswith("t="):
                t = part[2:]
        if not self.passport or app.tickets.get(t) != self.passport:
            log.info("%s: bad ticket", conn.tag())
            conn.send_line("911 %s" % f.trid)
            return
        self.mspauth = t
        self.login(f.trid)

    def login(self, trid):
        app, conn = self.app, self.conn
        u = self.user = app.users[self.passport]
        old = app.sessions.get(self.passport)
        if old is not None and old is not self:
            old.kick_other_login()
        app.sessions[self.passport] = self
        if old is not None and old is not self:
            app.refresh_watchers(self.passport)
        app.stats["logins"][self.passport] += 1
        log.info("%s signed in on NS %d", self.passport, self.index)
        tail = "" if app.kbool("missing_params") else " 1 0"
        conn.send_line("USR %s OK %s %s%s%s" % (trid, self.passport, enc(u.friendly), tail, app.extra()))
        self.send_profile()
        if app.kbool("garbage"):
            junk = bytes(random.getrandbits(8) for _ in range(48))
            conn.send_raw(b"\x00\x00GARBAGE\x00" + junk + b"\r\n\x00\xff\xfe\r\n", "", "<garbage>")
        if u.mail and not conn.stalled and not conn.closed:
            self.send_initial_mail()
        for knob, fn in (("out_oth_after", lambda: self.send_out("OTH")),
                         ("out_ssd_after", lambda: self.send_out("SSD")),
                         ("xfr_ns_after", self.send_xfr_ns)):
            d = app.kfloat(knob)
            if d is not None:
                self.later(d, fn)

    def profile_payload(self):
        u = self.user
        pr = u.profile
        port = self.conn.peer[1] if len(self.conn.peer) > 1 else 0
        swapped = ((port & 0xff) << 8) | ((port >> 8) & 0xff)
        lines = [
            "MIME-Version: 1.0",
            "Content-Type: text/x-msmsgsprofile; charset=UTF-8",
            "LoginTime: %d" % self.login_time,
            "EmailEnabled: %d" % (1 if u.mail else 0),
            "MemberIdHigh: %d" % pr.get("MemberIdHigh", 85040),
            "MemberIdLow: %d" % pr.get("MemberIdLow", -517030579),
            "lang_preference: 1033",
            "preferredEmail: %s" % self.passport,
            "country: %s" % pr.get("country", "US"),
            "PostalCode: %s" % pr.get("PostalCode", "90201"),
            "Gender: %s" % pr.get("Gender", "m"),
            "Kid: 0",
            "Age: ",
            "BDayPre: 5",
            "Birthday: 0",
            "Wallet: 0",
            "Flags: 1027",
            "sid: 507",
            "kv: 4",
            "MSPAuth: %s" % getattr(self, "mspauth", "x"),
            "ClientIP: 127.0.0.1",
            "ClientPort: %d" % swapped,
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")

    def send_profile(self):
        app, conn = self.app, self.conn
        if app.kbool("no_profile"):
            return
        body = self.profile_payload()
        if app.kbool("huge_length"):
            conn.send_raw(b"MSG Hotmail Hotmail 999999999\r\n" + body, "MSG", "MSG Hotmail Hotmail 999999999")
            return
        if app.kbool("close_mid_payload"):
            conn.send_raw(b"MSG Hotmail Hotmail %d\r\n" % len(body) + body[:len(body) // 2], "MSG",
                          "MSG Hotmail Hotmail %d <half payload, then close>" % len(body))
            conn.close()
            return
        ltb = app.knob("length_too_big")
        if ltb and ltb != "0":
            conn.send_raw(b"MSG Hotmail Hotmail %d\r\n" % (len(body) + 100) + body, "MSG",
                          "MSG Hotmail Hotmail %d <short payload>" % (len(body) + 100))
            if ltb.lower() == "stall":
                asyncio.get_event_loop().call_later(0.2, conn.stall)
            else:
                conn.close()
            return
        conn.send_msg("Hotmail Hotmail", body)

    def send_initial_mail(self):
        m = self.user.mail
        body = ("MIME-Version: 1.0\r\n"
                "Content-Type: text/x-msmsgsinitialemailnotification; charset=UTF-8\r\n\r\n"
                "Inbox-Unread: %d\r\nFolders-Unread: %d\r\n"
                "Inbox-URL: /cgi-bin/HoTMaiL\r\nFolders-URL: /cgi-bin/folders\r\n"
                "Post-URL: %s/ppsecure/md5auth.srf?lc=1033\r\n\r\n"
                % (int(m.get("inbox_unread", 0)), int(m.get("folders_unread", 0)), self.app.https_base()))
        self.conn.send_msg("Hotmail Hotmail", body)

    def send_new_mail(self, sender, sender_addr, subject, folder="ACTIVE"):
        body = ("MIME-Version: 1.0\r\n"
                "Content-Type: text/x-msmsgsemailnotification; charset=UTF-8\r\n\r\n"
                "From: %s\r\n"
                "Message-URL: /cgi-bin/getmsg?msg=MSG%d.21&start=2310&len=2059&curmbox=%s\r\n"
                "Post-URL: %s/ppsecure/md5auth.srf?lc=1033\r\n"
                "Subject: %s\r\nDest-Folder: %s\r\nFrom-Addr: %s\r\nid: 2\r\n\r\n"
                % (sender, int(time.time()), folder, self.app.https_base(), subject, folder, sender_addr))
        self.conn.send_msg("Hotmail Hotmail", body)

    def send_out(self, reason):
        self.conn.send_line("OUT %s" % reason)
        self.conn.close()

    def send_xfr_ns(self):
        ports = self.app.ports["ns"]
        other = ports[1] if self.index == 0 else ports[0]
        self.conn.send_line("XFR 0 NS 127.0.0.1:%d 0 127.0.0.1:%d" % (other, ports[self.index]))

    def send_chl(self):
        n = "".join(random.choice("0123456789") for _ in range(20))
        self.challenges.append(n)
        del self.challenges[:-1000]
        self.app.stats["chl_sent"] += 1
        self.conn.send_line("CHL 0 %s" % n)

    # ------------------------------------------------------------- commands
    def c_SYN(self, f):
        app, conn, u = self.app, self.conn, self.user
        ver = f.args[1] if len(f.args) > 1 else ""
        if ver.isdigit() and len(ver) < 12 and int(ver) == u.version:
            app.stats["syn_unchanged"][self.passport] += 1
            conn.send_line("SYN %s %d" % (f.trid, u.version))
            return
        app.stats["syn_full"][self.passport] += 1
        contacts = [c for c in u.contacts.values() if c.lists]
        unknown = app.kbool("unknown_cmds")
        missing = app.kbool("missing_params")
        x = app.extra()
        conn.send_line("SYN %s %d %d %d" % (f.trid, u.version, len(contacts), len(u.groups)))
        conn.send_line("GTC %s" % u.gtc)
        if unknown:
            conn.send_line("ZZZ 0 foo")
        conn.send_line("BLP %s" % u.blp)
        for t in PHONE_TYPES:
            if t in u.phones:
                conn.send_line("PRP %s %s" % (t, enc(u.phones[t])))
        for gid, name in u.groups.items():
            conn.send_line("LSG %s %s 0%s" % (gid, enc(name), x))
        for i, c in enumerate(contacts):
            parts = ["LST", c.passport]
            if not missing:
                parts.append(enc(c.friendly))
            parts.append(str(c.mask()))
            if "FL" in c.lists and c.groups:
                parts.append(",".join(c.groups))
            conn.send_line(" ".join(parts) + x)
            app.stats["lst_lines"][self.passport] += 1
            for t in PHONE_TYPES[:3]:
                if t in c.phones:
                    conn.send_line("BPR %s %s" % (t, enc(c.phones[t])))
            for line in app.mobile_bpr(c):
                conn.send_line(line)
            if unknown and i % 7 == 0:
                data = ('<Data><PSM>hello %d</PSM><CurrentMedia></CurrentMedia></Data>' % i).encode()
                conn.send_payload("UBX %s %d" % (c.passport, len(data)), data)
        if unknown:
            conn.send_line("ZZZ 0 after-sync")
        if app.kbool("reply_unpromised"):
            conn.send_line("SYN %s %d" % (f.trid, u.version))

    def c_CHG(self, f):
        app, conn = self.app, self.conn
        state = f.args[1].upper() if len(f.args) > 1 else ""
        if state not in STATES:
            conn.send_line("201 %s" % f.trid)
            return
        self.clientid = f.args[2] if len(f.args) > 2 else "0"
        self.state = state
        first = not self.initial_done
        self.initial_done = True
        if app.kbool("missing_params"):
            conn.send_line("CHG %s %s" % (f.trid, state))
        else:
            conn.send_line("CHG %s %s %s%s" % (f.trid, state, self.clientid, app.extra()))
        if first:
            for passport, c in list(self.user.contacts.items()):
                if "FL" in c.lists:
                    self.update_seen(passport, trid=f.trid)
            if app.kbool("reply_unpromised"):
                conn.send_line("QNG 50")
            if not app.kbool("no_chl"):
                self.later(app.kfloat("chl_after", 0.3), self.send_chl)
        app.refresh_watchers(self.passport)

    def c_QRY(self, f):
        app, conn = self.app, self.conn
        cid = f.args[1] if len(f.args) > 2 else ""
        answer = (f.payload or b"").decode("ascii", "replace").strip().lower()
        match = [n for n in self.challenges
                 if hashlib.md5((n + CHL_KEY).encode()).hexdigest() == answer]
        if cid == CHL_ID and match:
            app.stats["qry_ok"] += 1
            self.challenges.remove(match[0])     # each answered once
            conn.send_line("QRY %s" % f.trid)
        else:
            app.stats["qry_bad"] += 1
            conn.send_line("540 %s" % f.trid)
            conn.close()

    def c_REA(self, f):
        if len(f.args) < 3:
            self.conn.send_line("201 %s" % f.trid)
            return
        self._err(f, self.app.op_rename(self.user, f.args[1], f.args[2], f.trid, self))

    def _err(self, f, code):
        if code:
            self.conn.send_line("%s %s" % (code, f.trid))

    def c_ADD(self, f):
        a = f.args
        if len(a) < 3:
            self.conn.send_line("201 %s" % f.trid)
            return
        friendly = a[3] if len(a) > 3 else None
        group = a[4] if len(a) > 4 else None
        if group is not None and a[1].upper() != "FL":
            group = None
        self._err(f, self.app.op_add(self.user, a[1], a[2], friendly, group, f.trid, self))

    def c_REM(self, f):
        a = f.args
        if len(a) < 3:
            self.conn.send_line("201 %s" % f.trid)
            return
        group = a[3] if len(a) > 3 and a[1].upper() == "FL" else None
        self._err(f, self.app.op_remove(self.user, a[1], a[2], group, f.trid, self))

    def c_ADG(self, f):
        if len(f.args) < 2:
            self.conn.send_line("201 %s" % f.trid)
            return
        self._err(f, self.app.op_group_add(self.user, f.args[1], f.trid, self))

    def c_RMG(self, f):
        if len(f.args) < 2:
            self.conn.send_line("201 %s" % f.trid)
            return
        self._err(f, self.app.op_group_remove(self.user, f.args[1], f.trid, self))

    def c_REG(self, f):
        if len(f.args) < 3:
            self.conn.send_line("201 %s" % f.trid)
            return
        self._err(f, self.app.op_group_rename(self.user, f.args[1], f.args[2], f.trid, self))

    def c_BLP(self, f):
        if len(f.args) < 2:
            self.conn.send_line("201 %s" % f.trid)
            return
        self._err(f, self.app.op_blp(self.user, f.args[1], f.trid, self))

    def c_GTC(self, f):
        if len(f.args) < 2:
            self.conn.send_line("201 %s" % f.trid)
            return
        self._err(f, self.app.op_gtc(self.user, f.args[1], f.trid, self))

    def c_PRP(self, f):
        if len(f.args) < 2:
            self.conn.send_line("201 %s" % f.trid)
            return
        value = f.args[2] if len(f.args) > 2 else None
        self._err(f, self.app.op_phone(self.user, f.args[1], value, f.trid, self))

    # ------------------------------------------------------------- pages
    # PAG trid passport len (MSNP8) and PGD trid passport 1 len (MSNP9+),
    # payload <TEXT xml:space="preserve" [enc="utf-8"]>text</TEXT>; the
    # server answers only to refuse (msnp-wiki pag.md, pgd.md).  Knobs:
    # page_pgd_only (PAG gets 715, as an MSNP9+ server), error_on=PAG:CODE
    # (any refusal), page_too_long (the sender gets an IPG with MSG id 407).
    def c_PAG(self, f):
        if self.app.kbool("page_pgd_only"):
            self.conn.send_line("715 %s" % f.trid)
            return
        self._page(f, f.args[1] if len(f.args) > 2 else None)

    def c_PGD(self, f):
        self._page(f, f.args[1] if len(f.args) > 3 else None)

    def _page(self, f, target):
        app = self.app
        code = app.op_page(self.user, target, f.payload, self)
        if code:
            self.conn.send_line("%s %s" % (code, f.trid))

    def c_URL(self, f):
        kind = f.args[1].upper() if len(f.args) > 1 else "INBOX"
        paths = {"INBOX": "/cgi-bin/HoTMaiL", "FOLDERS": "/cgi-bin/folders",
                 "COMPOSE": "/cgi-bin/compose", "PROFILE": "/cgi-bin/profile",
                 "PERSON": "/cgi-bin/person", "CHGMOB": "/cgi-bin/chgmob",
                 "MOBILE": "/cgi-bin/mobile"}
        path = paths.get(kind)
        if path is None:
            self.conn.send_line("201 %s" % f.trid)
            return
        self.conn.send_line("URL %s %s %s/ppsecure/md5auth.srf?lc=1033 2" % (
            f.trid, path, self.app.https_base()))

    def c_XFR(self, f):
        app, conn = self.app, self.conn
        kind = f.args[1].upper() if len(f.args) > 1 else ""
        if kind != "SB":
            conn.send_line("201 %s" % f.trid)
            return
        if self.state in ("FLN", "HDN") or not self.initial_done:
            conn.send_line("913 %s" % f.trid)
            return
        cookie = app.new_cookie()
        app.sb_cookies[cookie] = {"kind": "xfr", "passport": self.passport, "t": time.time()}
        app.stats["xfr_sb"] += 1
        conn.send_line("XFR %s SB 127.0.0.1:%d CKI %s%s" % (f.trid, app.ports["sb"], cookie, app.extra()))
