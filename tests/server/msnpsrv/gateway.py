# SPDX-License-Identifier: GPL-2.0-or-later
"""The MSN HTTP gateway (gateway.dll) on plain HTTP.

Each gateway session opens a loopback TCP connection to this server's own
dispatch/NS/SB listener (the target named by IP=) and shuttles bytes: a
request's body is written to it, and the response carries whatever it sent
back.  So every NS/SB knob works over the gateway too.  See the protocol
summary in src/core/msnp-gateway.h (hypothetic.org, "HTTP Connections").

Fault knobs are one-shot: each applies to the next matching request and is
then removed.  Their value is "ns", "sb" or anything else for both kinds:
  gw_session_close   the response says Session=close (the server side of
                     the session is closed first)
  gw_poll_error      the next poll is answered "400 Bad Request"
  gw_5xx             the next request is answered "503 Service Unavailable"
  gw_drop            the response is cut off mid-header and the connection
                     closed
  gw_stall           the next request is never answered (connection kept)
Other knobs: gw_path (default /gateway/gateway.dll), gw_idle_timeout
(seconds without a request before a session is dropped, default 10).
"""

import asyncio
import itertools
import logging
import time
import urllib.parse

log = logging.getLogger("msnp")

MAX_HEAD = 16384
MAX_BODY = 1 << 20
LOOPBACK = ("127.0.0.1", "localhost")
# How long a command's response waits for the server's first bytes, then
# for more of them (the server answers at once; a command without a reply,
# such as a typing notification, should not hold the client long).
FIRST_WAIT = 0.1
QUIET = 0.02
MAX_WAIT = 1.0
# At most this much server output per response; the rest waits for the
# next request (a big contact list takes several, as from a real gateway,
# and no response exceeds the client's cap).
MAX_RESPONSE = 256 * 1024


class Session:
    def __init__(self, sid, kind, reader, writer):
        self.id = sid
        self.kind = kind            # "ns" or "sb"
        self.reader = reader
        self.writer = writer
        self.buf = bytearray()
        self.eof = False
        self.busy = False
        self.last = time.monotonic()
        self.arrived = asyncio.Event()
        self.task = asyncio.ensure_future(self._pump())

    async def _pump(self):
        try:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    break
                self.buf += data
                self.arrived.set()
        except (ConnectionError, OSError):
            pass
        self.eof = True
        self.arrived.set()

    def close(self):
        try:
            self.writer.transport.abort()
        except Exception:  # noqa: BLE001
            pass

    async def collect(self, first):
        """The bytes to answer with: wait `first` seconds for something,
        then until the server has been quiet for a moment."""
        start = time.monotonic()
        if not self.buf and not self.eof and first > 0:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), first)
            except asyncio.TimeoutError:
                pass
        while (self.buf and not self.eof and len(self.buf) < MAX_RESPONSE
               and time.monotonic() - start < MAX_WAIT):
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), QUIET)
            except asyncio.TimeoutError:
                break
        out = bytes(self.buf[:MAX_RESPONSE])
        del self.buf[:MAX_RESPONSE]
        return out


class Gateway:
    def __init__(self, app):
        self.app = app
        self.sessions = {}
        self.ids = itertools.count(1)
        for k in ("gw_requests", "gw_polls", "gw_sessions"):
            app.stats[k] = 0
        self.sweeper = None

    # ------------------------------------------------------------ knobs
    def fault(self, name, kind):
        """One-shot fault knob `name` applying to `kind`: consumed if so."""
        v = self.app.knob(name)
        if v is None or v.lower() in ("0", "false", "no", "off"):
            return False
        if v.lower() in ("ns", "sb") and v.lower() != kind:
            return False
        self.app.knobs.pop(name, None)
        log.info("gateway: fault %s on a %s session", name, kind)
        return True

    # ------------------------------------------------------------- http
    async def handle(self, reader, writer):
        self.app.live_writers.add(writer)
        if self.sweeper is None:
            self.sweeper = asyncio.ensure_future(self._sweep())
        try:
            while True:
                req = await self._read_request(reader)
                if req is None:
                    break
                keep = await self._serve(req, writer)
                if not keep:
                    break
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            self.app.live_writers.discard(writer)
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass

    async def _read_request(self, reader):
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            return None
        if len(head) > MAX_HEAD:
            return None
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return None
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        try:
            n = int(headers.get("content-length", "0"))
        except ValueError:
            return None
        if n < 0 or n > MAX_BODY:
            return None
        body = await reader.readexactly(n) if n else b""
        return {"method": parts[0], "target": parts[1], "version": parts[2],
                "headers": headers, "body": body}

    async def _respond(self, writer, status, reason, body=b"", messenger=None,
                       keep=True):
        head = ["HTTP/1.1 %d %s" % (status, reason)]
        if messenger:
            head.append("X-MSN-Messenger: " + messenger)
        head += ["Content-Type: application/x-msn-messenger",
                 "Content-Length: %d" % len(body),
                 "Connection: " + ("keep-alive" if keep else "close")]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        return keep

    async def _serve(self, req, writer):
        self.app.stats["gw_requests"] += 1
        url = urllib.parse.urlsplit(req["target"])
        path = self.app.knob("gw_path") or "/gateway/gateway.dll"
        keep = req["headers"].get("connection", "").lower() != "close"
        if req["method"] != "POST" or url.path != path:
            return await self._respond(writer, 404, "Not Found", keep=keep)
        q = dict(urllib.parse.parse_qsl(url.query))
        action = q.get("Action", "")
        if action == "open":
            sess = await self._open(q)
            if sess is None:
                return await self._respond(writer, 400, "Bad Request", keep=keep)
        else:
            sess = self.sessions.get(q.get("SessionID", ""))
            if sess is None:
                return await self._respond(writer, 400, "Bad Request", keep=keep)
        if sess.busy:
            # One request at a time per session (hypothetic.org).
            return await self._respond(writer, 400, "Bad Request", keep=keep)
        poll = action == "poll"
        if poll:
            self.app.stats["gw_polls"] += 1
        sess.busy = True
        sess.last = time.monotonic()
        try:
            return await self._exchange(sess, req, poll, writer, keep)
        finally:
            sess.busy = False
            sess.last = time.monotonic()

    async def _exchange(self, sess, req, poll, writer, keep):
        if self.fault("gw_stall", sess.kind):
            await asyncio.sleep(3600)
            return False
        if self.fault("gw_5xx", sess.kind):
            return await self._respond(writer, 503, "Service Unavailable", keep=keep)
        if poll and self.fault("gw_poll_error", sess.kind):
            return await self._respond(writer, 400, "Bad Request", keep=keep)
        if req["body"]:
            if poll:
                return await self._respond(writer, 400, "Bad Request", keep=keep)
            sess.writer.write(req["body"])
            await sess.writer.drain()
        data = await sess.collect(FIRST_WAIT if req["body"] else 0)
        closing = self.fault("gw_session_close", sess.kind)
        if closing:
            sess.close()
        messenger = "SessionID=%s; GW-IP=127.0.0.1" % sess.id
        if closing or (sess.eof and not sess.buf):
            messenger += "; Session=close"
            self.sessions.pop(sess.id, None)
            sess.close()
        if self.fault("gw_drop", sess.kind):
            writer.write(b"HTTP/1.1 200 OK\r\nX-MSN-Mess")
            await writer.drain()
            writer.transport.abort()
            return False
        return await self._respond(writer, 200, "OK", data, messenger, keep)

    async def _open(self, q):
        kind = q.get("Server", "").lower()
        if kind not in ("ns", "sb"):
            return None
        host, _, port = q.get("IP", "").partition(":")
        if host not in LOOPBACK:
            return None   # never reach anything but this server
        if port:
            if not port.isdigit():
                return None
            port = int(port)
        else:
            port = self.app.ports["dispatch"] if kind == "ns" else self.app.ports["sb"]
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return None
        sid = "%d.%d" % (int(time.time()) % 1000000, next(self.ids))
        sess = Session(sid, kind, reader, writer)
        self.sessions[sid] = sess
        self.app.stats["gw_sessions"] += 1
        log.info("gateway: session %s opened to %s port %d", sid, kind, port)
        return sess

    async def _sweep(self):
        while True:
            await asyncio.sleep(1)
            limit = self.app.kfloat("gw_idle_timeout", 10.0)
            now = time.monotonic()
            for sid, sess in list(self.sessions.items()):
                if not sess.busy and now - sess.last > limit:
                    log.info("gateway: session %s idle, dropped", sid)
                    self.sessions.pop(sid, None)
                    sess.close()
