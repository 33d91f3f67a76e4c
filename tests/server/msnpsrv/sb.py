# SPDX-License-Identifier: GPL-2.0-or-later
"""Switchboard server: USR / ANS / CAL / IRO / JOI / MSG relay / ACK / NAK / BYE / OUT.

Phantom contacts (no client) can take part: invited with CAL they join and
echo text messages back; the control port can make one start a conversation.
"""

import asyncio
import collections
import logging
import time

from .core import enc, valid_passport

log = logging.getLogger("msnp")


class PhantomMember:
    phantom = True

    def __init__(self, app, passport):
        self.app = app
        self.passport = passport

    def friendly(self):
        p = self.app.phantoms.get(self.passport)
        return p.friendly if p else self.passport

    def deliver(self, sb, sender, payload):
        head, _, body = payload.partition(b"\r\n\r\n")
        ctype = b""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-type:"):
                ctype = line.split(b":", 1)[1].strip().lower()
        if not ctype.startswith(b"text/plain"):
            return
        reply = head + b"\r\n\r\necho: " + body
        asyncio.get_event_loop().call_later(0.05, sb.broadcast_from, self, reply)


class Switchboard:
    def __init__(self, app, sid):
        self.app = app
        self.id = sid
        self.members = collections.OrderedDict()   # passport -> SBSession | PhantomMember
        self.queue = []                             # phantom-initiated messages
        self.created = time.time()

    def friendly_of(self, passport):
        u = self.app.users.get(passport)
        if u is not None:
            return u.friendly
        p = self.app.phantoms.get(passport)
        return p.friendly if p else passport

    def real_members(self):
        return [m for m in self.members.values() if not getattr(m, "phantom", False)]

    def broadcast_line(self, line, exclude=None):
        for m in self.real_members():
            if m is not exclude:
                m.conn.send_line(line)

    def broadcast_from(self, sender, payload):
        """Relay payload from member `sender` to all others; returns count."""
        if sender.passport not in self.members:
            return 0
        n = 0
        for m in list(self.members.values()):
            if m is sender:
                continue
            n += 1
            if getattr(m, "phantom", False):
                m.deliver(self, sender.passport, payload)
            else:
                m.conn.send_msg("%s %s" % (sender.passport, enc(self.friendly_of(sender.passport))), payload)
        self.app.stats["sb_messages"] += 1
        return n

    def leave(self, member):
        if self.members.get(member.passport) is not member:
            return
        del self.members[member.passport]
        self.broadcast_line("BYE %s" % member.passport)
        if not self.real_members():
            self.app.switchboards.pop(self.id, None)

    def flush_queue(self):
        for sender, payload in self.queue:
            self.broadcast_from(sender, payload)
        self.queue = []


def ring(app, sb, caller, target):
    """Send RNG for `sb` to target's NS session; returns False if impossible."""
    s = app.sessions.get(target)
    if s is None:
        return False
    cookie = app.new_cookie()
    app.sb_cookies[cookie] = {"kind": "rng", "passport": target, "sid": sb.id, "t": time.time()}
    s.conn.send_line("RNG %s 127.0.0.1:%d CKI %s %s %s%s" % (
        sb.id, app.ports["sb"], cookie, caller, enc(sb.friendly_of(caller)), app.extra()))
    return True


def phantom_start(app, phantom, target, texts, typing=False, payloads=()):
    """A phantom contact opens a conversation with `target` (a user online).
    `payloads` are whole MIME payloads sent first, as they are (e.g. an
    invitation the target's client may not know)."""
    s = app.sessions.get(target)
    if s is None:
        return "user not online"
    sid = app.new_sb_id()
    sb = app.switchboards[sid] = Switchboard(app, sid)
    pm = PhantomMember(app, phantom)
    sb.members[phantom] = pm
    if typing:
        sb.queue.append((pm, ("MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n"
                              "TypingUser: %s\r\n\r\n\r\n" % phantom).encode()))
    for raw in payloads:
        sb.queue.append((pm, raw.encode()))
    for t in texts:
        sb.queue.append((pm, ("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                              "X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n\r\n%s" % t).encode()))
    ring(app, sb, phantom, target)
    return None


class SBSession:
    phantom = False

    def __init__(self, app, conn):
        self.app = app
        self.conn = conn
        self.passport = None
        self.sb = None

    def on_close(self):
        if self.sb is not None:
            self.sb.leave(self)
            self.sb = None

    async def handle(self, f):
        app, conn = self.app, self.conn
        if self.passport:
            app.record_cmd(self.passport, "sb", f)
        if app.kscoped("stall", "sb") == f.cmd:
            conn.stall()
            return
        code = app.error_for("sb", f.cmd)
        if code:
            conn.send_line("%s %s" % (code, f.trid))
            return
        if f.cmd == "USR":
            self.c_USR(f)
        elif f.cmd == "ANS":
            self.c_ANS(f)
        elif f.cmd == "OUT":
            conn.close()
        elif self.sb is None:
            # anything else before authentication is fatal, like the real SB
            conn.send_line("911 %s" % f.trid)
            conn.close()
        elif f.cmd == "CAL":
            self.c_CAL(f)
        elif f.cmd == "MSG":
            self.c_MSG(f)
        elif f.cmd == "PNG":
            conn.send_line("QNG 50")
        else:
            conn.send_line("200 %s" % f.trid)

    def _auth_fail(self, f):
        self.conn.send_line("911 %s" % f.trid)
        self.conn.close()

    def c_USR(self, f):
        a = f.args
        if self.sb is not None or len(a) < 3:
            return self._auth_fail(f)
        passport, cookie = a[1].lower(), a[2]
        info = self.app.sb_cookies.get(cookie)
        if not info or info["kind"] != "xfr" or info["passport"] != passport:
            return self._auth_fail(f)
        del self.app.sb_cookies[cookie]
        self.passport = self.conn.user = passport
        self.app.record_cmd(passport, "sb", f)
        sid = self.app.new_sb_id()
        self.sb = self.app.switchboards[sid] = Switchboard(self.app, sid)
        self.sb.members[passport] = self
        self.conn.send_line("USR %s OK %s %s%s" % (f.trid, passport, enc(self.sb.friendly_of(passport)),
                                                   self.app.extra()))
        self._inject()

    def _inject(self):
        # fault: raw bytes to the client once it is signed in (\r \n escaped)
        raw = self.app.knob("sb_inject")
        if raw:
            self.conn.send_raw(raw.replace("\\r", "\r").replace("\\n", "\n"), "INJECT")

    def c_ANS(self, f):
        app, a = self.app, f.args
        if self.sb is not None or len(a) < 4:
            return self._auth_fail(f)
        passport, cookie, sid = a[1].lower(), a[2], a[3]
        info = app.sb_cookies.get(cookie)
        sb = app.switchboards.get(sid)
        if (not info or info["kind"] != "rng" or info["passport"] != passport
                or info["sid"] != sid or sb is None):
            return self._auth_fail(f)
        del app.sb_cookies[cookie]
        self.passport = self.conn.user = passport
        app.record_cmd(passport, "sb", f)
        others = [m for m in sb.members.values() if m.passport != passport]
        old = sb.members.get(passport)
        if old is not None:
            old.conn.close()
            sb.members.pop(passport, None)
        x = app.extra()
        for i, m in enumerate(others, 1):
            self.conn.send_line("IRO %s %d %d %s %s%s" % (f.trid, i, len(others), m.passport,
                                                         enc(sb.friendly_of(m.passport)), x))
        self.conn.send_line("ANS %s OK" % f.trid)
        sb.broadcast_line("JOI %s %s%s" % (passport, enc(sb.friendly_of(passport)), x))
        self.sb = sb
        sb.members[passport] = self
        self._inject()
        if sb.queue:
            asyncio.get_event_loop().call_later(0.05, sb.flush_queue)

    def c_CAL(self, f):
        app, sb = self.app, self.sb
        target = f.args[1].lower() if len(f.args) > 1 else ""
        if not valid_passport(target):
            self.conn.send_line("208 %s" % f.trid)
            return
        if target in sb.members:
            self.conn.send_line("215 %s" % f.trid)
            return
        if target == self.passport:
            self.conn.send_line("217 %s" % f.trid)
            return
        u = app.users.get(target)
        if u is not None:
            s = app.sessions.get(target)
            if (s is None or not s.initial_done or s.state in ("HDN", "FLN")
                    or not app.allows(u, self.passport)):
                self.conn.send_line("217 %s" % f.trid)
                return
            self.conn.send_line("CAL %s RINGING %s" % (f.trid, sb.id))
            if app.kbool("cal_no_join"):
                # fault: the callee's client "rings" but never answers
                log.info("%s: cal_no_join, not ringing %s", self.conn.tag(), target)
                return
            ring(app, sb, self.passport, target)
            return
        p = app.phantoms.get(target)
        if (p is not None and p.state not in ("FLN", "HDN") and p.echo
                and app.knob("phantom_echo") != "0"):
            self.conn.send_line("CAL %s RINGING %s" % (f.trid, sb.id))

            def join():
                if sb.id in app.switchboards and target not in sb.members:
                    sb.members[target] = PhantomMember(app, target)
                    sb.broadcast_line("JOI %s %s%s" % (target, enc(p.friendly), app.extra()))
            asyncio.get_event_loop().call_later(0.1, join)
            return
        self.conn.send_line("217 %s" % f.trid)

    def c_MSG(self, f):
        app, conn = self.app, self.conn
        mode = f.args[1].upper() if len(f.args) >= 3 else "U"
        payload = f.payload if f.payload is not None else b""
        drop = app.knob("sb_drop_before_ack")
        if drop and drop != "0" and mode in ("A", "N", "D"):
            if drop != "norelay":
                self.sb.broadcast_from(self, payload)
            log.info("%s: dropping switchboard before ACK", conn.tag())
            conn.abort()
            return
        n = self.sb.broadcast_from(self, payload)
        if n == 0:
            if mode in ("A", "N", "D"):
                conn.send_line("NAK %s" % f.trid)
        elif mode in ("A", "D"):
            conn.send_line("ACK %s" % f.trid)
