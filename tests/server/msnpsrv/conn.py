# SPDX-License-Identifier: GPL-2.0-or-later
"""One MSNP TCP connection: client frame parsing and knob-aware writing.

Reading: bytes are accumulated and cut into frames (a command line, plus a
payload for the commands that carry one).  Nothing a client sends can make
this raise: over-long lines or absurd payload lengths close the connection.

Writing: every server write goes through a queue drained by one task, which
applies the variation knobs (split, pack) and the close_mid_line fault knob.
"""

import asyncio
import logging
import socket

log = logging.getLogger("msnp")

# Commands whose last parameter is a payload length when a client sends them.
PAYLOAD_CMDS = {"MSG", "QRY", "UUX", "UUM", "ADL", "RML", "FQY", "PUT",
                "DEL", "GCF", "UBX", "NOT", "IPG", "UUN", "UBN", "SDG", "PAG", "PGD"}
MAX_LINE = 16384
MAX_PAYLOAD = 1 << 20

SKIP = object()
BAD = object()


class Frame:
    __slots__ = ("cmd", "args", "line", "payload")

    def __init__(self, cmd, args, line, payload):
        self.cmd = cmd          # upper-cased command name
        self.args = args        # list of str tokens after the command
        self.line = line        # decoded line without CRLF
        self.payload = payload  # bytes or None

    @property
    def trid(self):
        """The TrID to echo in a reply (digits only, else 0)."""
        if self.args and self.args[0].isdigit() and len(self.args[0]) < 12:
            return self.args[0]
        return "0"


def parse_frame(buf):
    """Return (frame|None|SKIP|BAD, consumed)."""
    nl = buf.find(b"\n")
    if nl < 0:
        if len(buf) > MAX_LINE:
            return BAD, 0
        return None, 0
    if nl > MAX_LINE:
        return BAD, 0
    raw = bytes(buf[:nl]).rstrip(b"\r")
    text = raw.decode("utf-8", "replace")
    tokens = text.split()
    if not tokens:
        return SKIP, nl + 1
    cmd = tokens[0].upper()
    args = tokens[1:]
    payload = None
    consumed = nl + 1
    if cmd in PAYLOAD_CMDS and len(args) >= 2 and args[-1].isdigit():
        if len(args[-1]) > 9:
            return BAD, 0
        n = int(args[-1])
        if n > MAX_PAYLOAD:
            return BAD, 0
        if len(buf) < consumed + n:
            return None, 0
        payload = bytes(buf[consumed:consumed + n])
        consumed += n
    return Frame(cmd, args, text, payload), consumed


class Conn:
    """A framed connection; `kind` is 'ds', 'ns' or 'sb'."""

    def __init__(self, app, reader, writer, kind):
        self.app = app
        self.reader = reader
        self.writer = writer
        self.kind = kind
        self.id = app.next_id()
        self.user = None          # passport, once known (for logs)
        self.closed = False
        self.stalled = False      # fault knob: ignore input, send nothing
        self.queue = asyncio.Queue()
        peer = writer.get_extra_info("peername") or ("?", 0)
        self.peer = peer
        sock = writer.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        self._wtask = asyncio.ensure_future(self._writer_loop())

    # ---------------------------------------------------------------- naming
    def tag(self):
        return "%s#%d%s" % (self.kind, self.id, "(" + self.user + ")" if self.user else "")

    # --------------------------------------------------------------- writing
    def send_line(self, line):
        """Queue one command line (CRLF added)."""
        self._put(line.encode("utf-8") + b"\r\n", line.split(" ", 1)[0], line)

    def send_payload(self, header, payload):
        """Queue `header` (its length parameter already set) + payload."""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        self._put(header.encode("utf-8") + b"\r\n" + payload,
                  header.split(" ", 1)[0], header + " <+%d bytes>" % len(payload))

    def send_msg(self, prefix, payload):
        """`MSG <prefix> <len>` + payload."""
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        self.send_payload("MSG %s %d" % (prefix, len(payload)), payload)

    def send_raw(self, data, cmd="", what=None):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._put(data, cmd, what or "<raw %d bytes>" % len(data))

    def close(self):
        """Close after everything queued so far has been written."""
        if not self.closed:
            self.queue.put_nowait(("close", None, None))

    def abort(self):
        """Close now, abruptly."""
        self.closed = True
        try:
            self.writer.transport.abort()
        except Exception:  # noqa: BLE001 - already gone
            pass

    def stall(self):
        self.stalled = True

    def _put(self, data, cmd, what):
        if self.closed or self.stalled:
            return
        self.app.traffic(self, "S", what)
        self.queue.put_nowait(("data", data, cmd.upper()))

    async def _writer_loop(self):
        try:
            while True:
                item = await self.queue.get()
                items = [item]
                if self.app.kbool("pack"):
                    await asyncio.sleep(0.02)
                    while not self.queue.empty():
                        items.append(self.queue.get_nowait())
                buf = bytearray()
                for kind, data, cmd in items:
                    if kind == "close":
                        await self._flush(buf)
                        await self._close_gently()
                        return
                    if self.stalled:
                        buf.clear()
                        continue
                    mid = self.app.kscoped("close_mid_line", self.kind)
                    if mid and cmd and cmd == mid.upper():
                        buf += data[:max(1, len(data) // 2)]
                        await self._flush(buf)
                        log.info("%s: close_mid_line %s", self.tag(), cmd)
                        self.abort()
                        return
                    buf += data
                await self._flush(buf)
        except asyncio.CancelledError:
            pass
        except (ConnectionError, OSError, RuntimeError):
            self.abort()

    async def _flush(self, buf):
        if not buf or self.writer.transport.is_closing():
            return
        n = self.app.kint("split", 0)
        if n > 0:
            for i in range(0, len(buf), n):
                self.writer.write(bytes(buf[i:i + n]))
                await self.writer.drain()
                await asyncio.sleep(0.003)
        else:
            self.writer.write(bytes(buf))
            await self.writer.drain()

    async def _close_gently(self):
        self.closed = True
        try:
            self.writer.close()
        except Exception:  # noqa: BLE001
            pass

    # --------------------------------------------------------------- reading
    async def run(self, handler):
        """Read frames and pass them to `await handler(frame)` until EOF."""
        buf = bytearray()
        try:
            while not self.closed:
                data = await self.reader.read(65536)
                if not data:
                    break
                if self.stalled:
                    continue
                buf += data
                while buf and not self.closed and not self.stalled:
                    frame, used = parse_frame(buf)
                    if frame is None:
                        break
                    if frame is BAD:
                        log.info("%s: unparseable input, closing", self.tag())
                        self.abort()
                        return
                    del buf[:used]
                    if frame is SKIP:
                        continue
                    self.app.traffic(self, "C", self.app.redact(frame))
                    try:
                        await handler(frame)
                    except Exception:  # noqa: BLE001 - never die on a client
                        log.exception("%s: handler failed on %r", self.tag(), frame.line[:80])
                        self.send_line("500 %s" % frame.trid)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            # let queued output go out if the transport still lives
            if not self.writer.transport.is_closing() and not self.queue.empty():
                try:
                    await asyncio.wait_for(asyncio.shield(self._wtask), 0.5)
                except (asyncio.TimeoutError, asyncio.CancelledError, Exception):  # noqa: BLE001
                    pass
            self.closed = True
            self._wtask.cancel()
            try:
                self.writer.close()
            except Exception:  # noqa: BLE001
                pass
