# SPDX-License-Identifier: GPL-2.0-or-later
"""Control port: line-delimited JSON requests, one JSON reply line each."""

import asyncio
import base64
import json
import logging
import time

from .core import enc, STATES, Phantom
from . import sb as sbmod

log = logging.getLogger("msnp")


class ControlError(Exception):
    pass


class Control:
    def __init__(self, app):
        self.app = app

    async def handle(self, reader, writer):
        self.app.stats["connections_by_kind"]["control"] += 1
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                if not line.strip():
                    continue
                try:
                    req = json.loads(line.decode("utf-8"))
                    if not isinstance(req, dict):
                        raise ControlError("request must be a JSON object")
                    res = self.dispatch(req)
                    out = {"ok": True}
                    out.update(res or {})
                except ControlError as e:
                    out = {"ok": False, "error": str(e)}
                except (ValueError, KeyError, TypeError) as e:
                    out = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
                except Exception as e:  # noqa: BLE001
                    log.exception("control request failed")
                    out = {"ok": False, "error": "internal: %s" % e}
                writer.write((json.dumps(out, ensure_ascii=False) + "\n").encode("utf-8"))
                await writer.drain()
        except (ConnectionError, OSError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass

    # ---------------------------------------------------------------- utils
    def _user(self, req, key="user"):
        p = str(req.get(key, "")).lower()
        u = self.app.users.get(p)
        if u is None:
            raise ControlError("unknown user %r" % p)
        return u

    def _session(self, req):
        u = self._user(req)
        s = self.app.sessions.get(u.passport)
        if s is None:
            raise ControlError("%s is not online" % u.passport)
        return s

    def dispatch(self, req):
        cmd = req.get("cmd")
        fn = getattr(self, "c_" + str(cmd), None)
        if fn is None:
            raise ControlError("unknown cmd %r" % cmd)
        return fn(req)

    # ------------------------------------------------------------- commands
    def c_ping(self, req):
        return {}

    def c_stats(self, req):
        return {"stats": self.app.stats_json()}

    def c_reset_stats(self, req):
        for k, v in self.app.stats.items():
            if hasattr(v, "clear"):
                v.clear()
            else:
                self.app.stats[k] = 0
        return {}

    def c_set_knob(self, req):
        name = str(req["name"])
        value = req.get("value")
        self.app.set_knob(name, None if value is None else str(value))
        return {"knobs": self.app.knobs}

    def c_get_knobs(self, req):
        return {"knobs": self.app.knobs}

    def c_send_raw(self, req):
        s = self._session(req)
        if "data_b64" in req:
            data = base64.b64decode(req["data_b64"])
        else:
            data = str(req["data"]).encode("utf-8")
        s.conn.send_raw(data, data.split(b" ", 1)[0].decode("ascii", "replace"))
        return {"bytes": len(data)}

    def c_presence(self, req):
        app = self.app
        p = str(req["user"]).lower()
        if p in app.users:
            raise ControlError("%s is a fixture user with a real client; not a phantom" % p)
        state = str(req.get("state", "NLN")).upper()
        if state != "FLN" and state not in STATES:
            raise ControlError("bad state %r" % state)
        ph = app.phantoms.get(p)
        if ph is None:
            ph = app.phantoms[p] = Phantom(p, "FLN")
        ph.state = state
        if req.get("friendly"):
            ph.friendly = str(req["friendly"])
        if req.get("clientid") is not None:
            ph.clientid = str(req["clientid"])
        if req.get("echo") is not None:
            ph.echo = bool(req["echo"])
        app.refresh_watchers(p)
        return {}

    def c_chl(self, req):
        s = self._session(req)
        for _ in range(max(1, int(req.get("count", 1)))):
            s.send_chl()
        return {}

    def c_flood(self, req):
        """Writes copies of `line` on the user's NS connection as fast as the
        socket takes them (not logged line by line), `lines` of them or
        for `seconds`, whichever ends first."""
        s = self._session(req)
        line = str(req.get("line", "ZZZ 0 flood")).encode("utf-8") + b"\r\n"
        total = max(0, int(req.get("lines", 10 ** 12)))
        until = time.monotonic() + float(req.get("seconds", 600))
        state = self.app.floods[s.passport] = {"sent": 0, "total": total, "done": False}
        writer = s.conn.writer

        async def run():
            # Big writes and a deep buffer: the client's socket stays full.
            per = max(1, (1 << 20) // len(line))
            chunk = line * per
            writer.transport.set_write_buffer_limits(high=8 << 20)
            try:
                while (state["sent"] < total and time.monotonic() < until
                       and not writer.transport.is_closing()):
                    n = min(per, total - state["sent"])
                    writer.write(chunk if n == per else line * n)
                    await writer.drain()
                    state["sent"] += n
            except (ConnectionError, OSError):
                pass
            state["done"] = True
        asyncio.ensure_future(run())
        log.info("flooding %s", s.passport)
        return {}

    def c_flood_status(self, req):
        return {"floods": self.app.floods}

    def c_ring_flood(self, req):
        """`count` phantoms (flood0@example.net, ...) ring `to` at once."""
        app = self.app
        to = str(req["to"]).lower()
        for i in range(int(req.get("count", 100))):
            p = "flood%d@example.net" % i
            if p not in app.phantoms:
                app.phantoms[p] = Phantom(p, "NLN")
            err = sbmod.phantom_start(app, p, to, [], False, [])
            if err:
                raise ControlError(err)
        return {}

    def c_kick(self, req):
        self._session(req).conn.abort()
        return {}

    def c_out(self, req):
        self._session(req).send_out(str(req.get("reason", "OTH")))
        return {}

    def c_xfr_ns(self, req):
        self._session(req).send_xfr_ns()
        return {}

    def c_mail(self, req):
        s = self._session(req)
        sender = str(req.get("from", "Sender"))
        addr = str(req.get("from_addr", req.get("from", "sender@example.com")))
        s.send_new_mail(req.get("from_name", sender), addr, str(req.get("subject", "Test message")),
                        str(req.get("folder", "ACTIVE")))
        return {}

    def c_last_commands(self, req):
        p = str(req["user"]).lower()
        items = list(self.app.last_cmds.get(p, ()))
        return {"commands": items, "lines": [i["line"] for i in items]}

    def c_pages(self, req):
        return {"pages": list(self.app.pages)}

    def c_passport_log(self, req):
        return {"requests": list(self.app.passport_log)}

    def c_get_user(self, req):
        u = self._user(req)
        d = u.view()
        d["state"] = self.app.online_state(u.passport)
        d["online"] = u.passport in self.app.sessions
        s = self.app.sessions.get(u.passport)
        d["clientid"] = s.clientid if s else None
        d["ns_index"] = s.index if s else None
        return {"user": d}

    def c_phantom_message(self, req):
        app = self.app
        frm = str(req["from"]).lower()
        if frm not in app.phantoms:
            raise ControlError("%s is not a phantom contact" % frm)
        texts = req.get("texts") or ([] if req.get("payloads") else [req.get("text", "hello")])
        err = sbmod.phantom_start(app, frm, str(req["to"]).lower(), [str(t) for t in texts],
                                  bool(req.get("typing")),
                                  [str(p) for p in req.get("payloads") or []])
        if err:
            raise ControlError(err)
        return {}

    def c_switchboards(self, req):
        return {"switchboards": [{"id": sb.id, "members": list(sb.members)}
                                 for sb in self.app.switchboards.values()]}

    def c_list_change(self, req):
        app = self.app
        u = self._user(req)
        s = None if req.get("silent") else app.sessions.get(u.passport)
        op = str(req.get("op"))
        code = None
        res = {}
        if op == "add":
            contact = str(req["contact"])
            code = app.op_add(u, str(req.get("list", "FL")), contact,
                              enc(str(req.get("friendly", contact))),
                              None if req.get("group") is None else str(req["group"]), "0", s)
        elif op == "remove":
            code = app.op_remove(u, str(req.get("list", "FL")), str(req["contact"]),
                                 None if req.get("group") is None else str(req["group"]), "0", s)
        elif op == "rename":
            code = app.op_rename(u, str(req.get("contact", u.passport)), enc(str(req["friendly"])), "0", s)
        elif op == "group_add":
            code = app.op_group_add(u, enc(str(req["name"])), "0", s)
            if not code:
                res["id"] = list(u.groups)[-1]
        elif op == "group_remove":
            code = app.op_group_remove(u, str(req["id"]), "0", s)
        elif op == "group_rename":
            code = app.op_group_rename(u, str(req["id"]), enc(str(req["name"])), "0", s)
        elif op == "blp":
            code = app.op_blp(u, str(req["value"]), "0", s)
        elif op == "gtc":
            code = app.op_gtc(u, str(req["value"]), "0", s)
        elif op == "phone":
            v = req.get("value")
            code = app.op_phone(u, str(req["type"]), enc(str(v)) if v else None, "0", s)
        else:
            raise ControlError("unknown op %r" % op)
        if code:
            raise ControlError("error %s" % code)
        res["version"] = u.version
        return res

