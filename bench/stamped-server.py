#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The MSNP8 test server (tests/server/msnp_server.py, same arguments) with
timestamps for bench-login.py --phases: every server.log line starts with
time.time() to the microsecond instead of HH:MM:SS.mmm, and the Passport
endpoint also logs each HTTPS connection once its TLS handshake is done,
each request's path (never its headers: they hold the password) and each
reply's status.  Nothing else changes; the server's own code is not
edited, only wrapped here."""

import logging
import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(os.path.dirname(HERE), "tests", "server", "msnp_server.py")
sys.path.insert(0, os.path.dirname(SERVER))

from msnpsrv import passport  # noqa: E402

_formatter_init = logging.Formatter.__init__


def _stamped_init(self, fmt=None, datefmt=None, *args, **kwargs):
    _formatter_init(self, "%(created).6f %(name)s %(levelname)s %(message)s", None,
                    *args, **kwargs)


logging.Formatter.__init__ = _stamped_init

_connection = passport.Passport.handle
_handle = passport.Passport._handle
_send = passport.Passport._send


class _PathLogger:
    """The request line's path is logged; the header lines pass unread."""

    def __init__(self, reader):
        self.reader, self.first = reader, True

    async def readline(self):
        line = await self.reader.readline()
        if self.first:
            self.first = False
            parts = line.split(b" ")
            path = parts[1].split(b"?")[0] if len(parts) > 1 else b"?"
            passport.log.info("passport: request %s", path.decode("latin-1")[:80])
        return line

    async def readexactly(self, n):
        return await self.reader.readexactly(n)


async def _stamped_connection(self, reader, writer):
    passport.log.info("passport: TLS connection up")
    return await _connection(self, reader, writer)


async def _stamped_handle(self, reader, writer):
    return await _handle(self, _PathLogger(reader), writer)


async def _stamped_send(self, writer, code, headers, body):
    passport.log.info("passport: reply %d", code)
    return await _send(self, writer, code, headers, body)


passport.Passport.handle = _stamped_connection
passport.Passport._handle = _stamped_handle
passport.Passport._send = _stamped_send

sys.argv[0] = SERVER
runpy.run_path(SERVER, run_name="__main__")
