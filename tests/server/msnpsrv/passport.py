# SPDX-License-Identifier: GPL-2.0-or-later
"""Passport 1.4 nexus and login endpoints (HTTPS).

A request that asks for "Connection: keep-alive" gets it, as from IIS: the
connection stays open for the next request (knob passport_close: one request
per connection whatever the client asks)."""

import asyncio
import email.utils
import logging
import urllib.parse

log = logging.getLogger("msnp")

NEXUS_PATH = "/rdr/pprdr.asp"
OTHER_PATH = "/other/login2.srf"
REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized",
           404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}


def parse_passport_auth(value):
    """'Passport1.4 k=v,k=v,...' -> dict (values URL-decoded)."""
    value = value.strip()
    if value.lower().startswith("passport1.4"):
        value = value[len("passport1.4"):].strip()
    out = {}
    for part in value.split(","):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip().lower()] = urllib.parse.unquote(v.strip(), errors="replace")
    return out


class Passport:
    def __init__(self, app):
        self.app = app
        self._keep = {}   # writer -> whether the reply being written keeps it open

    def dalogin_path(self):
        p = self.app.knob("dalogin_path") or "/login2.srf"
        return p if p.startswith("/") else "/" + p

    def dalogin(self):
        host = "localhost:%d%s" % (self.app.ports["https"], self.dalogin_path())
        if (self.app.knob("dalogin_scheme") or "none").lower() == "https":
            return "https://" + host
        return host

    async def handle(self, reader, writer):
        self._keep[writer] = False
        try:
            served = 0
            while True:
                await asyncio.wait_for(self._handle(reader, writer), 20)
                served += 1
                if not self._keep[writer]:
                    break
                if served == 1:
                    self.app.stats["https_kept_alive"] += 1
                if self.app.kbool("passport_drop_kept"):
                    break   # said keep-alive, closes anyway (an idle timeout)
        except (asyncio.TimeoutError, ConnectionError, OSError, ValueError, UnicodeError):
            pass
        except Exception:  # noqa: BLE001
            log.exception("passport handler failed")
        finally:
            self._keep.pop(writer, None)
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass

    async def _handle(self, reader, writer):
        self._keep[writer] = False
        first = (await reader.readline()).decode("latin-1").strip()
        if not first:
            return
        headers = {}
        for _ in range(100):
            line = (await reader.readline()).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        try:
            cl = min(int(headers.get("content-length", "0")), 1 << 20)
        except ValueError:
            cl = 0
        if cl > 0:
            await reader.readexactly(cl)
        self._keep[writer] = (headers.get("connection", "").lower() == "keep-alive"
                              and not self.app.kbool("passport_close"))
        parts = first.split()
        if len(parts) < 2:
            return await self._send(writer, 400, {}, "bad request")
        method, target = parts[0].upper(), parts[1]
        path = urllib.parse.urlsplit(target).path or "/"
        err = self.app.kint("passport_http_error", 0)
        if path == NEXUS_PATH:
            self.app.stats["nexus_requests"] += 1
            delay = self.app.kfloat("nexus_delay")
            if delay:
                await asyncio.sleep(delay)
            if err:
                return await self._send(writer, err, {}, "")
            base = "https://localhost:%d" % self.app.ports["https"]
            urls = ("DARealm=Passport.Net,DALogin=%s,DAReg=%s/uixpwiz.srf,Properties=%s/editprof.srf,"
                    "Privacy=%s/privacypolicy.asp,GeneralRedir=%s/redir.asp,Help=%s/memberservice.srf,"
                    "ConfigVersion=11" % (self.dalogin(), base, base, base, base, base))
            return await self._send(writer, 200, {"PassportURLs": urls}, "")
        if path.startswith("/ppsecure/md5auth.srf") or path.startswith("/cgi-bin/"):
            return await self._send(writer, 200, {"Content-Type": "text/html"},
                                    "<html><body>Hotmail (test)</body></html>")
        if method not in ("GET", "POST"):
            return await self._send(writer, 400, {}, "")
        return await self._login(writer, path, headers, err)

    async def _login(self, writer, path, headers, err):
        app = self.app
        app.stats["login_requests"] += 1
        auth = parse_passport_auth(headers.get("authorization", ""))
        passport = auth.get("sign-in", "").lower()
        entry = {"path": path, "sign-in": passport,
                 "fields": sorted(k for k in auth if k != "pwd"),
                 "orgverb": auth.get("orgverb"), "orgurl": auth.get("orgurl")}
        if err:
            entry["result"] = err
            app.passport_log.append(entry)
            return await self._send(writer, err, {}, "")
        redirect = app.knob("passport_redirect")
        if redirect and redirect != "0" and path != OTHER_PATH and (
                redirect.lower() == "always" or app.redirect_pending):
            app.redirect_pending = False
            entry["result"] = 302
            app.passport_log.append(entry)
            return await self._send(writer, 302, {
                "Location": "https://localhost:%d%s" % (app.ports["https"], OTHER_PATH),
                "Authentication-Info": "Passport1.4 da-status=redir"}, "")
        u = app.users.get(passport)
        if u is not None and "pwd" in auth and auth["pwd"] == u.password:
            t, p = app.issue_ticket(passport)
            size = app.kint("passport_ticket_bytes", 0)
            if size > len("t=%s&p=%s" % (t, p)):
                # A ticket of that many bytes (a broken or hostile server).
                p += "P" * (size - len("t=%s&p=%s" % (t, p)))
            entry["result"] = 200
            app.passport_log.append(entry)
            log.info("passport: issued ticket for %s", passport)
            return await self._send(writer, 200, {
                "Content-Type": "text/html",
                "Authentication-Info": ("Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,"
                                        "tname=MSPSec,from-PP='t=%s&p=%s',ru=http://messenger.msn.com"
                                        % (t, p))},
                "<HTML><Head><META HTTP-EQUIV=\"REFRESH\" CONTENT=\"0; URL=http://messenger.msn.com\">"
                "</Head></HTML>")
        entry["result"] = 401
        app.passport_log.append(entry)
        log.info("passport: authentication failed for %s", passport or "?")
        return await self._send(writer, 401, {
            "Content-Type": "text/html",
            "WWW-Authenticate": ("Passport1.4 da-status=failed,srealm=Passport.NET,ts=-3,prompt,"
                                 "cburl=http://messenger.msn.com/images/logo102x88.gif,"
                                 "cbtxt=.NET%20Messenger%20Service")},
            "<html><body>Unauthorized</body></html>")

    async def _send(self, writer, code, headers, body):
        data = body.encode("utf-8")
        lines = ["HTTP/1.1 %d %s" % (code, REASONS.get(code, "Status")),
                 "Server: Microsoft-IIS/5.0", "Date: " + email.utils.formatdate(usegmt=True),
                 "PPServer: H: TESTPP01"]
        for k, v in headers.items():
            lines.append("%s: %s" % (k, v))
        lines.append("Content-Length: %d" % len(data))
        lines.append("Connection: " + ("keep-alive" if self._keep.get(writer) else "close"))
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + data)
        await writer.drain()
