# SPDX-License-Identifier: GPL-2.0-or-later
"""Server-wide state: users and their lists, presence, knobs, stats.

The list operations (add/remove/rename/groups/privacy/phones) live here so
that the notification server and the control port ("another client") share
exactly the same semantics, version bumps and asynchronous notifications.
"""

import collections
import json
import logging
import os
import random
import re
import string
import time
import urllib.parse

log = logging.getLogger("msnp")
traffic_log = logging.getLogger("msnp.traffic")

LIST_BITS = {"FL": 1, "AL": 2, "BL": 4, "RL": 8}
STATES = ("NLN", "BSY", "IDL", "BRB", "AWY", "PHN", "LUN", "HDN")
PHONE_TYPES = ("PHH", "PHW", "PHM", "MOB", "MBE")
MAX_GROUPS = 30
MAX_NAME_ENCODED = 387
PASSPORT_RE = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
DEFAULT_STATE_CLIENTID = "0"


def enc(s):
    """URL-encode a friendly name / group name / phone for the wire."""
    return urllib.parse.quote(s, safe="@!*'()")


def dec(s):
    return urllib.parse.unquote(s, errors="replace")


def valid_passport(p):
    return bool(PASSPORT_RE.match(p)) and len(p) <= 129


class Contact:
    def __init__(self, passport, friendly=None, lists=(), groups=(), phones=None, mobile=False):
        self.passport = passport
        self.friendly = friendly if friendly is not None else passport
        self.lists = set(lists)
        self.groups = list(groups)
        self.phones = dict(phones or {})
        self.mobile = bool(mobile)

    def mask(self):
        return sum(LIST_BITS[x] for x in self.lists if x in LIST_BITS)

    def to_json(self):
        return {"passport": self.passport, "friendly": self.friendly,
                "lists": sorted(self.lists, key=lambda x: LIST_BITS.get(x, 99)),
                "groups": list(self.groups), "phones": dict(self.phones),
                "mobile": self.mobile}

    @classmethod
    def from_json(cls, d):
        return cls(str(d["passport"]).lower(), d.get("friendly"), d.get("lists", ()),
                   [str(g) for g in d.get("groups", ())], d.get("phones"), d.get("mobile", False))


class User:
    def __init__(self, passport, d):
        self.passport = passport
        self.password = str(d.get("password", ""))
        self.friendly = d.get("friendly", passport)
        self.gtc = d.get("gtc", "A")
        self.blp = d.get("blp", "AL")
        self.phones = dict(d.get("phones", {}))
        self.groups = collections.OrderedDict()
        for g in d.get("groups", [{"id": "0", "name": "Other Contacts"}]):
            self.groups[str(g["id"])] = g["name"]
        self.contacts = collections.OrderedDict()
        for c in d.get("contacts", []):
            cc = Contact.from_json(c)
            self.contacts[cc.passport] = cc
        self.version = int(d.get("version", 0))
        self.mail = dict(d.get("mail", {}))
        self.profile = dict(d.get("profile", {}))

    def to_state(self):
        return {"friendly": self.friendly, "gtc": self.gtc, "blp": self.blp,
                "phones": self.phones,
                "groups": [{"id": k, "name": v} for k, v in self.groups.items()],
                "contacts": [c.to_json() for c in self.contacts.values()],
                "version": self.version}

    def load_state(self, d):
        self.friendly = d.get("friendly", self.friendly)
        self.gtc = d.get("gtc", self.gtc)
        self.blp = d.get("blp", self.blp)
        self.phones = dict(d.get("phones", self.phones))
        self.groups = collections.OrderedDict((str(g["id"]), g["name"]) for g in d.get("groups", []))
        self.contacts = collections.OrderedDict()
        for c in d.get("contacts", []):
            cc = Contact.from_json(c)
            self.contacts[cc.passport] = cc
        self.version = int(d.get("version", self.version))

    def view(self):
        d = self.to_state()
        d["passport"] = self.passport
        return d


class Phantom:
    """A contact without a client: presence set by the fixture / control port."""

    def __init__(self, passport, state="FLN", friendly=None, clientid="0", echo=True):
        self.passport = passport
        self.state = state
        self.friendly = friendly or passport
        self.clientid = str(clientid)
        self.echo = echo


class App:
    def __init__(self, fixture, state_dir, knobs):
        self.state_dir = state_dir
        self.state_path = os.path.join(state_dir, "state.json")
        self.knobs = dict(knobs)
        self.users = {}
        self.phantoms = {}
        self.sessions = {}          # passport -> NSSession (logged in)
        self.tickets = {}           # ticket t value -> passport
        self.sb_cookies = {}        # cookie -> dict
        self.switchboards = {}      # sessid -> Switchboard
        self.last_cmds = collections.defaultdict(lambda: collections.deque(maxlen=200))
        self.floods = {}                       # passport -> control "flood" progress
        self.passport_log = collections.deque(maxlen=200)
        self.pages = collections.deque(maxlen=200)   # pages taken (control: pages)
        self.ports = {}
        self.live_writers = set()
        self._id = 0
        self.redirect_pending = self.kbool("passport_redirect")
        self.stats = {"logins": collections.Counter(), "lst_lines": collections.Counter(),
                      "syn_full": collections.Counter(), "syn_unchanged": collections.Counter(),
                      "nexus_requests": 0, "login_requests": 0, "https_kept_alive": 0, "connections": 0,
                      "connections_by_kind": collections.Counter(),
                      "xfr_sb": 0, "sb_messages": 0, "chl_sent": 0, "qry_ok": 0, "qry_bad": 0}
        self._load_fixture(fixture)

    # ------------------------------------------------------------- fixture
    def _load_fixture(self, fx):
        for p, d in fx.get("users", {}).items():
            p = p.lower()
            self.users[p] = User(p, d)
        have_state = os.path.exists(self.state_path)
        if have_state:
            try:
                with open(self.state_path, encoding="utf-8") as f:
                    st = json.load(f)
                for p, d in st.get("users", {}).items():
                    if p in self.users:
                        self.users[p].load_state(d)
            except (OSError, ValueError, KeyError, TypeError) as e:
                log.warning("state.json unreadable (%s); starting from the fixture", e)
                have_state = False
        if not have_state:
            self._normalise_reverse_lists()
        for p, d in fx.get("phantoms", {}).items():
            p = p.lower()
            if p in self.users:
                continue
            self.phantoms[p] = Phantom(p, d.get("state", "NLN"), d.get("friendly"),
                                       d.get("clientid", "0"), d.get("echo", True))
        self.save_state()

    def _normalise_reverse_lists(self):
        """A on B's FL where B is a fixture user => A on B's RL (no version bump)."""
        for u in self.users.values():
            for c in u.contacts.values():
                other = self.users.get(c.passport)
                if other is None or other is u or "FL" not in c.lists:
                    continue
                oc = other.contacts.get(u.passport)
                if oc is None:
                    oc = other.contacts[u.passport] = Contact(u.passport, u.friendly)
                oc.lists.add("RL")

    def save_state(self):
        data = {"users": {p: u.to_state() for p, u in self.users.items()}}
        tmp = self.state_path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(data, f, indent=1, ensure_ascii=False)
            os.replace(tmp, self.state_path)
        except OSError as e:
            log.error("cannot write state: %s", e)

    # --------------------------------------------------------------- knobs
    def knob(self, name):
        v = self.knobs.get(name)
        return None if v in (None, "") else str(v)

    def kbool(self, name):
        v = self.knob(name)
        return v is not None and v.lower() not in ("0", "false", "no", "off")

    def kint(self, name, default=0):
        try:
            return int(self.knob(name))
        except (TypeError, ValueError):
            return default

    def kfloat(self, name, default=None):
        try:
            return float(self.knob(name))
        except (TypeError, ValueError):
            return default

    def kscoped(self, name, kind):
        """Knob values like 'CMD' or 'NS/CMD' (comma-separated allowed):
        return the command that applies to connection kind `kind`."""
        v = self.knob(name)
        if not v:
            return None
        for part in v.split(","):
            part = part.strip()
            if "/" in part:
                scope, part = part.split("/", 1)
                if scope.lower() != kind:
                    continue
            return part.upper()
        return None

    def error_for(self, kind, cmd):
        """error_on=CMD:CODE[,SCOPE/CMD:CODE...] -> code for this command;
        error_once=... the same, for the first matching command only."""
        once = self._match_error(self.knob("error_once"), kind, cmd)
        if once:
            self.knobs.pop("error_once", None)
            return once
        return self._match_error(self.knob("error_on"), kind, cmd)

    @staticmethod
    def _match_error(v, kind, cmd):
        if not v:
            return None
        for part in v.split(","):
            part = part.strip()
            if ":" not in part:
                continue
            c, code = part.rsplit(":", 1)
            if "/" in c:
                scope, c = c.split("/", 1)
                if scope.lower() != kind:
                    continue
            if c.upper() == cmd:
                return code
        return None

    def set_knob(self, name, value):
        if value is None or value == "":
            self.knobs.pop(name, None)
        else:
            self.knobs[name] = str(value)
        if name == "passport_redirect":
            self.redirect_pending = self.kbool("passport_redirect")

    def extra(self):
        return " XTRA" if self.kbool("extra_params") else ""

    # ---------------------------------------------------------------- misc
    def next_id(self):
        self._id += 1
        return self._id

    def redact(self, frame):
        a = frame.args
        if frame.cmd == "USR" and len(a) >= 4 and a[1].upper() == "TWN" and a[2].upper() == "S":
            return "USR %s TWN S <redacted>" % a[0]
        return frame.line

    def traffic(self, conn, direction, what):
        if traffic_log.isEnabledFor(logging.DEBUG):
            traffic_log.debug("%s %s %s", conn.tag(), direction, what[:300])

    def record_cmd(self, passport, kind, frame):
        item = {"kind": kind, "line": self.redact(frame), "t": round(time.time(), 3)}
        if frame.payload is not None:
            item["payload"] = frame.payload.decode("utf-8", "replace")
        self.last_cmds[passport].append(item)

    def issue_ticket(self, passport):
        alphabet = string.ascii_letters + string.digits + "!*"
        t = "".join(random.choice(alphabet) for _ in range(60)) + "$$"
        p = "".join(random.choice(alphabet) for _ in range(90)) + "$"
        self.tickets[t] = passport
        return t, p

    def https_base(self):
        return "https://localhost:%d" % self.ports["https"]

    def new_sb_id(self):
        n = random.randint(10000000, 99999999)
        if self.kbool("nonnumeric_ids"):
            return "s%x.%d-x" % (n, self.next_id())
        return str(n)

    def new_cookie(self):
        if self.kbool("nonnumeric_ids"):
            return "ck-%x.%d-x" % (random.getrandbits(40), self.next_id())
        return "%d.%d.%d" % (random.randint(10000000, 99999999), int(time.time()),
                             random.randint(10000, 99999))

    # ------------------------------------------------------------ presence
    def allows(self, u, watcher):
        """May `watcher` see user u's presence / contact u?"""
        c = u.contacts.get(watcher)
        if c is not None and "BL" in c.lists:
            return False
        if c is not None and "AL" in c.lists:
            return True
        return u.blp == "AL"

    def visible_presence(self, target, watcher):
        """(state, friendly, clientid) that `watcher` should see, or None."""
        u = self.users.get(target)
        if u is not None:
            s = self.sessions.get(target)
            if s is None or not s.initial_done or s.state in ("HDN", "FLN"):
                return None
            if not self.allows(u, watcher):
                return None
            return (s.state, u.friendly, s.clientid)
        p = self.phantoms.get(target)
        if p is not None and p.state not in ("FLN", "HDN"):
            return (p.state, p.friendly, p.clientid)
        return None

    def online_state(self, passport):
        """The real state of a user/phantom ignoring privacy (FLN if offline)."""
        u = self.users.get(passport)
        if u is not None:
            s = self.sessions.get(passport)
            return s.state if s is not None and s.initial_done else "FLN"
        p = self.phantoms.get(passport)
        return p.state if p is not None else "FLN"

    def refresh_watchers(self, target):
        """Send NLN/FLN to every session whose view of `target` changed."""
        for s in list(self.sessions.values()):
            if s.passport == target:
                continue
            s.update_seen(target)

    # ---------------------------------------------------------- list ops
    # Each op validates, applies, bumps versions, persists, sends the reply
    # (to `sess` if given, with `trid`) and the asynchronous side effects.
    # Returns None on success or an error code (str).

    def _bump(self, u):
        u.version += 1

    def _reply(self, sess, line):
        if sess is not None:
            sess.conn.send_line(line)

    def op_add(self, u, lst, passport, friendly_enc, group, trid, sess):
        lst = lst.upper()
        if lst not in ("FL", "AL", "BL"):
            return "201"
        passport = passport.lower()
        if not valid_passport(passport):
            return "208"
        if friendly_enc is None:
            friendly_enc = passport
        if len(friendly_enc) > MAX_NAME_ENCODED:
            return "209"
        friendly = dec(friendly_enc)
        if passport == u.passport and lst == "FL":
            return "208"
        c = u.contacts.get(passport)
        if lst == "FL":
            if group is not None and group not in u.groups:
                return "224"
            if c is not None and "FL" in c.lists:
                if group is None or group in c.groups:
                    return "215"
                c.groups.append(group)
                self._bump(u)
                self.save_state()
                self._reply(sess, "ADD %s FL %d %s %s %s" % (trid, u.version, passport, enc(c.friendly), group))
                return None
            if c is None:
                c = u.contacts[passport] = Contact(passport, friendly)
            c.friendly = friendly
            c.lists.add("FL")
            c.groups = [group if group is not None else "0"]
            self._bump(u)
            other = self._rl_add(u, passport)
            self.save_state()
            self._reply(sess, "ADD %s FL %d %s %s %s" % (trid, u.version, passport, enc(friendly), c.groups[0]))
            if other is not None:
                other.conn.send_line("ADD 0 RL %d %s %s" % (self.users[passport].version, u.passport, enc(u.friendly)))
            if sess is not None:
                sess.update_seen(passport, trid=None if trid == "0" else trid)
            return None
        opposite = "BL" if lst == "AL" else "AL"
        if c is not None and lst in c.lists:
            return "215"
        if c is not None and opposite in c.lists:
            return "219"
        if c is None:
            c = u.contacts[passport] = Contact(passport, friendly)
        c.lists.add(lst)
        self._bump(u)
        self.save_state()
        self._reply(sess, "ADD %s %s %d %s %s" % (trid, lst, u.version, passport, enc(c.friendly)))
        self.refresh_watchers(u.passport)
        return None

    def _rl_add(self, u, passport):
        """u added passport to FL: put u on passport's RL. Returns its session."""
        other = self.users.get(passport)
        if other is None:
            return None
        oc = other.contacts.get(u.passport)
        if oc is None:
            oc = other.contacts[u.passport] = Contact(u.passport, u.friendly)
        if "RL" in oc.lists:
            return None
        oc.lists.add("RL")
        self._bump(other)
        return self.sessions.get(passport)

    def _rl_remove(self, u, passport):
        other = self.users.get(passport)
        if other is None:
            return
        oc = other.contacts.get(u.passport)
        if oc is None or "RL" not in oc.lists:
            return
        oc.lists.discard("RL")
        if not oc.lists:
            del other.contacts[u.passport]
        self._bump(other)
        s = self.sessions.get(passport)
        if s is not None:
            s.conn.send_line("REM 0 RL %d %s" % (other.version, u.passport))

    def op_remove(self, u, lst, passport, group, trid, sess):
        lst = lst.upper()
        if lst not in ("FL", "AL", "BL"):
            return "201"
        passport = passport.lower()
        c = u.contacts.get(passport)
        if c is None or lst not in c.lists:
            return "216"
        if lst == "FL" and group is not None:
            if group not in u.groups:
                return "224"
            if group not in c.groups:
                return "225"
            c.groups.remove(group)
            if c.groups or self.kbool("rem_keeps_fl"):
                self._bump(u)
                self.save_state()
                self._reply(sess, "REM %s FL %d %s %s" % (trid, u.version, passport, group))
                return None
        c.lists.discard(lst)
        if lst == "FL":
            c.groups = []
        if not c.lists:
            del u.contacts[passport]
        self._bump(u)
        if lst == "FL":
            self._rl_remove(u, passport)
            if sess is not None:
                sess.seen.pop(passport, None)
        self.save_state()
        if group is not None:
            self._reply(sess, "REM %s FL %d %s %s" % (trid, u.version, passport, group))
        else:
            self._reply(sess, "REM %s %s %d %s" % (trid, lst, u.version, passport))
        if lst in ("AL", "BL"):
            self.refresh_watchers(u.passport)
        return None

    def op_rename(self, u, passport, name_enc, trid, sess):
        passport = passport.lower()
        if len(name_enc) > MAX_NAME_ENCODED or not name_enc:
            return "209"
        name = dec(name_enc)
        if passport == u.passport:
            u.friendly = name
            self._bump(u)
            self.save_state()
            self._reply(sess, "REA %s %d %s %s" % (trid, u.version, passport, enc(name)))
            self.refresh_watchers(u.passport)
            return None
        if not valid_passport(passport):
            return "208"
        c = u.contacts.get(passport)
        if c is None:
            return "216"
        c.friendly = name
        self._bump(u)
        self.save_state()
        self._reply(sess, "REA %s %d %s %s" % (trid, u.version, passport, enc(name)))
        return None

    def op_group_add(self, u, name_enc, trid, sess):
        if not name_enc or len(name_enc) > 183:
            return "229"
        if len(u.groups) >= MAX_GROUPS:
            return "223"
        ids = [int(g) for g in u.groups if g.isdigit()]
        gid = str(max(ids) + 1 if ids else 0)
        u.groups[gid] = dec(name_enc)
        self._bump(u)
        self.save_state()
        self._reply(sess, "ADG %s %d %s %s 0" % (trid, u.version, enc(u.groups[gid]), gid))
        return None

    def op_group_remove(self, u, gid, trid, sess):
        if gid not in u.groups:
            return "224"
        if gid == "0":
            return "230"
        del u.groups[gid]
        for c in u.contacts.values():
            if gid in c.groups:
                c.groups.remove(gid)
                if not c.groups and "FL" in c.lists:
                    c.groups = ["0"] if "0" in u.groups else []
        self._bump(u)
        self.save_state()
        self._reply(sess, "RMG %s %d %s" % (trid, u.version, gid))
        return None

    def op_group_rename(self, u, gid, name_enc, trid, sess):
        if gid not in u.groups:
            return "224"
        if not name_enc or len(name_enc) > 183:
            return "229"
        u.groups[gid] = dec(name_enc)
        self._bump(u)
        self.save_state()
        self._reply(sess, "REG %s %d %s %s 0" % (trid, u.version, gid, enc(u.groups[gid])))
        return None

    def op_blp(self, u, value, trid, sess):
        value = value.upper()
        if value not in ("AL", "BL"):
            return "201"
        u.blp = value
        self._bump(u)
        self.save_state()
        self._reply(sess, "BLP %s %d %s" % (trid, u.version, value))
        self.refresh_watchers(u.passport)
        return None

    def op_gtc(self, u, value, trid, sess):
        value = value.upper()
        if value not in ("A", "N"):
            return "201"
        u.gtc = value
        self._bump(u)
        self.save_state()
        self._reply(sess, "GTC %s %d %s" % (trid, u.version, value))
        return None

    # ------------------------------------------------------------- pages
    def takes_pages(self, c):
        """A contact takes pages when the fixture says so or the user it is
        has said PRP MOB Y."""
        other = self.users.get(c.passport)
        return bool(c.mobile or (other is not None and other.phones.get("MOB") == "Y"))

    def mobile_bpr(self, c):
        other = self.users.get(c.passport)
        lines = []
        if self.takes_pages(c):
            lines.append("BPR MOB Y")
        if c.phones.get("MBE") == "Y" or (other is not None and other.phones.get("MBE") == "Y"):
            lines.append("BPR MBE Y")
        if c.phones.get("HSB"):
            lines.append("BPR HSB 1")
        return lines

    def op_page(self, u, target, payload, sess):
        """A page from `u` to `target`: None when taken (and delivered as IPG
        to the target if online), else the refusal code."""
        import html as _html
        import re as _re
        from xml.sax.saxutils import escape as _esc
        if not target or payload is None:
            return "201"
        target = target.lower()
        m = _re.search(r"<TEXT[^>]*>(.*)</TEXT>", payload.decode("utf-8", "replace"), _re.S)
        if m is None or len(payload) > 2048:
            return "201"
        text = _html.unescape(m.group(1))
        c = u.contacts.get(target)
        other = self.users.get(target)
        if other is None and (c is None or not c.mobile):
            return "205"
        if c is None or not self.takes_pages(c):
            return "217"
        entry = {"from": u.passport, "to": target, "text": text,
                 "delivered": target in self.sessions}
        self.pages.append(entry)
        too_long = self.kbool("page_too_long")
        if too_long:
            entry["delivered"] = False
        body = ('<NOTIFICATION id="%d" siteid="111100400" siteurl="http://mobile.msn.com/">'
                '<TO name="%s"><VIA agent="mobile"/></TO><FROM name="%s"/>'
                '<MSG pri="1" id="%s"><CAT Id="110110001"/><ACTION url="2wayIM.asp"/>'
                '<SUBSCR url="2wayIM.asp"/><BODY lcid="1033"><TEXT>%s</TEXT></BODY></MSG>'
                '</NOTIFICATION>')
        if too_long:
            data = (body % (len(self.pages), u.passport, target, "407", "")).encode("utf-8")
            sess.conn.send_payload("IPG %d" % len(data), data)
        elif entry["delivered"]:
            data = (body % (len(self.pages), _esc(target, {'"': "&quot;"}),
                            _esc(u.passport, {'"': "&quot;"}), "1", _esc(text))).encode("utf-8")
            self.sessions[target].conn.send_payload("IPG %d" % len(data), data)
        return None

    def op_phone(self, u, ptype, value_enc, trid, sess):
        ptype = ptype.upper()
        if ptype not in PHONE_TYPES:
            return "201"
        if value_enc is not None and len(value_enc) > 95:
            return "201"
        if value_enc:
            u.phones[ptype] = dec(value_enc)
        else:
            u.phones.pop(ptype, None)
        self._bump(u)
        self.save_state()
        val = enc(u.phones[ptype]) if ptype in u.phones else ""
        self._reply(sess, ("PRP %s %d %s %s" % (trid, u.version, ptype, val)).rstrip())
        return None

    # ------------------------------------------------------------- stats
    def stats_json(self):
        st = {}
        for k, v in self.stats.items():
            st[k] = dict(v) if isinstance(v, collections.Counter) else v
        st["online"] = sorted(self.sessions)
        st["sb_sessions"] = len(self.switchboards)
        return st
