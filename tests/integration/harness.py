# SPDX-License-Identifier: GPL-2.0-or-later
"""Integration-test harness for pidgin-msnp (Python 3 standard library only).

Pieces:

* ``Server``  - the MSNP8 test server (tests/server/msnp_server.py) in its own
  process, on ephemeral 127.0.0.1 ports, with a JSON control port.
* ``Driver``  - the headless libpurple driver (tests/driver/msnp-driver) with
  the built plugin loaded; commands go in as JSON lines, replies and events
  come back as JSON lines.
* ``msn_account`` - add an MSN account pointed at a ``Server``.
* ``@test`` / ``main()`` - a tiny TAP runner: every test gets fresh temp
  dirs, an overall timeout, and on failure the traceback plus the tails of
  the driver's and the server's logs as ``#`` comment lines.

Environment (set by meson): MSNP_DRIVER, MSNP_PLUGIN_DIR, MSNP_SERVER_SCRIPT,
MSNP_FIXTURES_DIR.  Optional: MSNP_TEST_DEBUG=0 (no libpurple debug output),
=1 (verbose debug output, whole logs printed on failure); MSNP_TEST_KEEP=1
keeps the temp dirs of passing tests too; MSNP_TEST_TIMEOUT overrides the
default per-test timeout (seconds); MSNP_TEST_FATAL_CRITICALS=1 fails a test
whose driver printed a GLib CRITICAL or WARNING.

Events and ``expect``: every event the driver emits is kept, in arrival
order.  ``expect(name, **match)`` returns the *oldest* event not yet taken by
an earlier ``expect`` that has that name and whose fields equal the given
values (a value may also be a predicate, e.g. ``text=lambda t: "x" in t``),
waiting for it if it has not arrived yet; it is then marked taken.  Events
that do not match are left for later ``expect`` calls, so the order of
``expect`` calls does not have to follow the order of arrival.
``events(name, **match)`` lists every event seen so far (taken or not).
"""

import inspect
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
LSAN_SUPP = os.path.join(os.path.dirname(HERE), "driver", "lsan.supp")

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "WARNING: ThreadSanitizer")


class HarnessError(AssertionError):
    """A test expectation that the harness checks (timeouts, bad replies)."""


class Skip(Exception):
    """Raise to report the test as skipped (TAP ``# SKIP``)."""


class TestTimeout(BaseException):
    """The per-test timeout fired (BaseException so tests cannot swallow it)."""


# ----------------------------------------------------------------- context

class _Context:
    """Per-test state: temp dir and everything to clean up / report."""

    def __init__(self, name):
        self.name = name
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        self.tmpdir = tempfile.mkdtemp(prefix=f"msnp-{safe[:40]}-")
        self.resources = []
        self.notes = []
        self._counter = 0

    def mkdtemp(self, prefix):
        self._counter += 1
        path = os.path.join(self.tmpdir, f"{prefix}{self._counter}")
        os.makedirs(path)
        return path

    def cleanup(self):
        errors = []
        for res in reversed(self.resources):
            try:
                res.close()
            except Exception as e:  # noqa: BLE001
                errors.append(f"{type(res).__name__}: {e}")
        return errors


_ctx = None


def _mkdtemp(prefix):
    if _ctx is not None:
        return _ctx.mkdtemp(prefix)
    return tempfile.mkdtemp(prefix=f"msnp-{prefix}")


def _register(res):
    if _ctx is not None:
        _ctx.resources.append(res)


def _tail(path, lines=60):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return []
    text = data.decode("utf-8", "replace").splitlines()
    return text[-lines:] if lines else text


def _env_path(name):
    value = os.environ.get(name)
    if not value:
        # a failure, not a skip: a misconfigured run must not look green
        raise HarnessError(f"{name} is not set (run the tests through meson, "
                           "or set MSNP_DRIVER, MSNP_PLUGIN_DIR, MSNP_SERVER_SCRIPT, "
                           "MSNP_FIXTURES_DIR)")
    return value


# ------------------------------------------------------------------ server

class Server:
    """The MSNP8 test server in a subprocess.

    ``info`` is the server's INFO.json (pid, dispatch_port, ns_ports,
    sb_port, https_port, control_port, cert_pem, nexus_url, ...); its keys
    are also readable as attributes (``server.dispatch_port``).
    """

    def __init__(self, knobs=None, fixture=None, state_dir=None, timeout=20,
                 extra_args=(), script=None):
        self.script = script or _env_path("MSNP_SERVER_SCRIPT")
        self.state_dir = state_dir or _mkdtemp("server")
        os.makedirs(self.state_dir, exist_ok=True)
        self.info_file = os.path.join(self.state_dir, "info.json")
        if os.path.exists(self.info_file):
            os.unlink(self.info_file)   # restarted on the same state dir
        self.log_path = os.path.join(self.state_dir, "server.stderr.log")
        self.proc = None
        self._sock = None
        self._file = None
        self._lock = threading.Lock()

        args = [sys.executable, self.script]
        if fixture is not None:
            if not os.path.isabs(fixture) and not os.path.exists(fixture):
                fixtures = os.environ.get("MSNP_FIXTURES_DIR", "")
                candidate = os.path.join(fixtures, fixture)
                if fixtures and os.path.exists(candidate):
                    fixture = candidate
            args += ["--fixture", fixture]
        args += ["--state-dir", self.state_dir, "--info-file", self.info_file]
        for key, value in _knob_items(knobs):
            args += ["--knob", f"{key}={value}"]
        args += list(extra_args)

        self._log = open(self.log_path, "wb")
        _register(self)
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        self.info = self._wait_info(timeout)

    def _wait_info(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(
                    f"test server exited with {self.proc.returncode} before it "
                    "was ready:\n" + "\n".join(self.log_tail(30)))
            try:
                with open(self.info_file, encoding="utf-8") as f:
                    info = json.load(f)
                if "control_port" in info and "dispatch_port" in info:
                    return info
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        raise HarnessError(f"test server not ready after {timeout}s:\n"
                           + "\n".join(self.log_tail(30)))

    def __getattr__(self, name):
        info = self.__dict__.get("info")
        if info is not None and name in info:
            return info[name]
        raise AttributeError(name)

    @property
    def trust(self):
        """``--trust`` mapping for a Driver: the server's certificate for
        both names a test may use to reach it."""
        cert = self.info["cert_pem"]
        return {"localhost": cert, "127.0.0.1": cert}

    def log_tail(self, lines=60):
        out = []
        server_log = os.path.join(self.state_dir, "server.log")
        if os.path.exists(server_log):
            out += [f"[server.log] {l}" for l in _tail(server_log, lines)]
        out += [f"[server stderr] {l}" for l in _tail(self.log_path, lines // 2 or None)]
        return out

    def control(self, request=None, timeout=10, **kw):
        """One control request (a dict, e.g. {"cmd": "stats"}; keyword
        arguments are merged in); returns the reply dict as is."""
        req = dict(request or {})
        req.update(kw)
        with self._lock:
            for attempt in (0, 1):
                try:
                    if self._sock is None:
                        self._sock = socket.create_connection(
                            ("127.0.0.1", self.info["control_port"]), timeout=timeout)
                        self._file = self._sock.makefile("rwb")
                    self._sock.settimeout(timeout)
                    self._file.write(json.dumps(req).encode("utf-8") + b"\n")
                    self._file.flush()
                    line = self._file.readline()
                    if not line:
                        raise ConnectionError("control connection closed")
                    return json.loads(line.decode("utf-8"))
                except (OSError, ConnectionError):
                    self._close_control()
                    if attempt == 1 or (self.proc is not None and self.proc.poll() is not None):
                        raise
        raise HarnessError("unreachable")

    def stats(self):
        reply = self.control({"cmd": "stats"})
        if not reply.get("ok"):
            raise HarnessError(f"stats failed: {reply}")
        return reply.get("stats", reply)

    def set_knob(self, name, value):
        return self.control({"cmd": "set_knob", "name": name, "value": value})

    def _close_control(self):
        for obj in (self._file, self._sock):
            try:
                if obj is not None:
                    obj.close()
            except OSError:
                pass
        self._file = self._sock = None

    def stop(self, timeout=10):
        """SIGTERM, wait, SIGKILL.  Returns the exit status."""
        self._close_control()
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()
        return self.proc.returncode

    close = stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def _knob_items(knobs):
    if not knobs:
        return []
    items = knobs.items() if isinstance(knobs, dict) else knobs
    out = []
    for key, value in items:
        if value is True:
            value = "1"
        elif value is False:
            value = "0"
        elif isinstance(value, (list, dict)):
            value = json.dumps(value)
        out.append((key, str(value)))
    return out


# ------------------------------------------------------------------ driver

_driver_count = 0

class Driver:
    """The headless libpurple driver in a subprocess.

    ``trust`` maps host names to the certificate (a PEM file path or PEM
    text) the driver pre-trusts for them.  ``user_dir`` may be reused by a
    second Driver to test what persists across restarts.
    """

    def __init__(self, trust=None, user_dir=None, plugin_dirs=None,
                 debug=None, extra_args=(), name="driver", start_timeout=30,
                 binary=None):
        self.binary = binary or _env_path("MSNP_DRIVER")
        self.name = name
        self.user_dir = user_dir or _mkdtemp("purple")
        global _driver_count
        _driver_count += 1
        log_dir = _ctx.tmpdir if _ctx is not None else os.path.dirname(self.user_dir.rstrip("/"))
        self.log_path = os.path.join(log_dir, f"{name}-{_driver_count}.stderr.log")
        if plugin_dirs is None:
            plugin_dirs = [os.environ["MSNP_PLUGIN_DIR"]] if os.environ.get("MSNP_PLUGIN_DIR") else []
        if debug is None:
            debug = os.environ.get("MSNP_TEST_DEBUG", "") != "0"
        self.verbose = os.environ.get("MSNP_TEST_DEBUG", "") == "1"

        args = [self.binary, "--user-dir", self.user_dir]
        for d in plugin_dirs:
            args += ["--plugin-dir", d]
        for host, cert in (trust or {}).items():
            args += ["--trust", f"{host}={self._cert_file(host, cert)}"]
        if debug:
            args.append("--debug-verbose" if self.verbose else "--debug")
        args += list(extra_args)

        env = dict(os.environ)
        asan = env.get("ASAN_OPTIONS", "")
        if "fast_unwind_on_malloc" not in asan:
            # complete stacks, so that the LSan suppressions can match
            env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "fast_unwind_on_malloc=0"
        lsan = env.get("LSAN_OPTIONS", "")
        if "suppressions" not in lsan and os.path.exists(LSAN_SUPP):
            env["LSAN_OPTIONS"] = ((lsan + ":" if lsan else "")
                                   + f"suppressions={LSAN_SUPP}:print_suppressions=0")

        self._cond = threading.Condition()
        self._events = []          # every event, in arrival order
        self._taken = set()        # indexes consumed by expect()
        self._replies = []
        self._bad_lines = []
        self._eof = False
        self._seq = 0
        self._closed = False
        self.returncode = None

        self._log = open(self.log_path, "wb")
        _register(self)
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._log,
                                     env=env)
        self._reader = threading.Thread(target=self._read, name=f"{name}-reader",
                                        daemon=True)
        self._reader.start()
        self.expect("ready", timeout=start_timeout)

    def _cert_file(self, host, cert):
        if "-----BEGIN" in cert:
            path = os.path.join(os.path.dirname(self.user_dir.rstrip("/")),
                                f"trust-{host}-{os.getpid()}-{id(self)}.pem")
            with open(path, "w", encoding="ascii") as f:
                f.write(cert)
            return path
        return cert

    # -- reading
    def _read(self):
        for raw in self.proc.stdout:
            try:
                obj = json.loads(raw.decode("utf-8", "replace"))
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except ValueError:
                with self._cond:
                    self._bad_lines.append(raw)
                    self._cond.notify_all()
                continue
            with self._cond:
                if "reply" in obj:
                    self._replies.append(obj)
                elif "event" in obj:
                    self._events.append(obj)
                else:
                    self._bad_lines.append(raw)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _dead(self, what):
        try:
            rc = self.proc.wait(2)
        except subprocess.TimeoutExpired:
            rc = None
        raise HarnessError(f"driver exited (status {rc}) while waiting for {what}\n"
                           + "\n".join(self.stderr_tail(40)))

    # -- commands
    def cmd(self, op, timeout=30, check=True, **kw):
        """Send one command; wait for and return its reply.  With ``check``
        (default) a reply with ok=false raises HarnessError."""
        if op == "sleep" and "ms" in kw:
            timeout = max(timeout, kw["ms"] / 1000.0 + 30)
        with self._cond:
            self._seq += 1
            seq = self._seq
        msg = dict(kw)
        msg["op"] = op
        msg["seq"] = seq
        try:
            self.proc.stdin.write(json.dumps(msg).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            self._dead(f"the reply to {op}")
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i, r in enumerate(self._replies):
                    if r.get("seq") == seq:
                        del self._replies[i]
                        if check and not r.get("ok"):
                            raise HarnessError(f"{op} failed: {r.get('error')} (command {msg})")
                        return r
                if self._eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HarnessError(f"no reply to {op} within {timeout}s")
                self._cond.wait(left)
        self._dead(f"the reply to {op}")

    def sleep(self, ms):
        """Let the driver's main loop run for ``ms`` milliseconds."""
        return self.cmd("sleep", ms=ms)

    # -- events
    @staticmethod
    def _matches(ev, name, match):
        if name is not None:
            names = (name,) if isinstance(name, str) else tuple(name)
            if ev.get("event") not in names:
                return False
        for key, want in match.items():
            if key not in ev:
                return False
            have = ev[key]
            if callable(want):
                try:
                    if not want(have):
                        return False
                except Exception:  # noqa: BLE001
                    return False
            elif have != want:
                return False
        return True

    def expect(self, event, timeout=10, **match):
        """Take and return the oldest not-yet-taken event named ``event`` (a
        name or a tuple of names) whose fields match; wait for it up to
        ``timeout`` seconds, then raise HarnessError."""
        deadline = time.monotonic() + timeout
        with self._cond:
            start = 0
            while True:
                for i in range(start, len(self._events)):
                    if i not in self._taken and self._matches(self._events[i], event, match):
                        self._taken.add(i)
                        return self._events[i]
                start = len(self._events)   # earlier ones were checked
                if self._eof:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HarnessError(self._timeout_message(event, timeout, match))
                self._cond.wait(left)
        self._dead(f"event {event} {match}")

    def expect_one_of(self, events, timeout=10, **match):
        """``expect`` for any of several event names."""
        return self.expect(tuple(events), timeout=timeout, **match)

    def expect_none(self, event, within=1.0, **match):
        """Let ``within`` seconds pass in the driver and fail if a matching
        event (not yet taken) shows up."""
        self.cmd("sleep", ms=int(within * 1000))
        found = self.events(event, taken=False, **match)
        if found:
            raise HarnessError(f"unexpected {event}: {found[0]}")

    def events(self, name=None, taken=None, **match):
        """Every event seen so far with that name (any, if None) matching the
        given fields; ``taken=False`` only those no ``expect`` has taken."""
        with self._cond:
            return [ev for i, ev in enumerate(self._events)
                    if self._matches(ev, name, match)
                    and (taken is None or (i in self._taken) == taken)]

    def take_all(self):
        """Mark every event seen so far as taken."""
        with self._cond:
            self._taken.update(range(len(self._events)))

    def _timeout_message(self, event, timeout, match):
        pending = [ev for i, ev in enumerate(self._events) if i not in self._taken]
        same = [ev for ev in pending if self._matches(ev, event, {})]
        lines = [f"no event {event} matching {match} within {timeout}s"]
        if same:
            lines.append(f"untaken {event} events:")
            lines += [f"  {json.dumps(ev)}" for ev in same[-10:]]
        lines.append("last events:")
        lines += [f"  {json.dumps(ev)[:300]}" for ev in self._events[-15:]]
        return "\n".join(lines)

    # -- requests
    def answer(self, request, **kw):
        """answer_request for a "request" event (or its id)."""
        rid = request["request"] if isinstance(request, dict) else request
        return self.cmd("answer_request", request=rid, **kw)

    # -- logs
    def debug_log(self):
        """Everything the driver wrote to stderr so far (libpurple debug)."""
        try:
            self._log.flush()
        except ValueError:
            pass
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def criticals(self):
        """GLib CRITICAL / WARNING lines the driver printed so far."""
        return [l for l in self.debug_log().splitlines()
                if "-CRITICAL **" in l or "CRITICAL **:" in l or "WARNING **:" in l]

    def stderr_tail(self, lines=60):
        return [f"[{self.name} stderr] {l}" for l in _tail(self.log_path, lines)]

    def log_tail(self, lines=60):
        return self.stderr_tail(lines)

    # -- shutdown
    def close(self, check=True, timeout=60):
        """Close stdin (the driver then quits) and wait.  With ``check``,
        a non-zero exit status, sanitizer reports on stderr or non-JSON
        lines on stdout raise HarnessError."""
        if self._closed:
            return self.returncode
        self._closed = True
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.returncode = self.proc.wait()
            self._reader.join(5)
            self._log.close()
            if check:
                raise HarnessError(f"driver did not exit within {timeout}s after stdin closed\n"
                                   + "\n".join(self.stderr_tail(40)))
            return self.returncode
        self._reader.join(5)
        self._log.close()
        problems = []
        if self.returncode != 0:
            problems.append(f"driver exited with status {self.returncode}")
        text = self.debug_log()
        for marker in SANITIZER_MARKERS:
            if marker in text:
                problems.append(f"sanitizer report on the driver's stderr ({marker!r})")
                break
        if os.environ.get("MSNP_TEST_FATAL_CRITICALS") == "1":
            crit = [l for l in text.splitlines() if "CRITICAL **" in l or "WARNING **" in l]
            if crit:
                problems.append("GLib criticals/warnings on the driver's stderr:\n"
                                + "\n".join(crit[:10]))
        if self._bad_lines:
            problems.append(f"non-JSON lines on the driver's stdout: {self._bad_lines[:3]}")
        if problems:
            report = "\n".join(problems) + "\n" + "\n".join(self._sanitizer_excerpt(text))
            if _ctx is not None:
                _ctx.notes.append(report)
            if check:
                raise HarnessError(report)
        return self.returncode

    def _sanitizer_excerpt(self, text):
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if any(m in line for m in SANITIZER_MARKERS):
                return lines[i:i + 60]
        return lines[-30:]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        # do not mask the test's own failure; the runner reports either way
        if exc_type is None:
            self.close()
        else:
            self.close(check=False, timeout=20)
        return False


# ----------------------------------------------------------------- helpers

# MSNP_VIA_GATEWAY=1 (the integration-gateway-* tests): every MSN account
# connects through the test server's HTTP gateway instead of over TCP, so the
# same tests check the gateway transport.
VIA_GATEWAY = os.environ.get("MSNP_VIA_GATEWAY") == "1"


def gateway_settings(server, **more):
    """Account options that send an account through ``server``'s gateway."""
    opts = {"http_method": True,
            "http_method_server": "127.0.0.1:%d" % server.info["gateway_port"]}
    opts.update(more)
    return opts


def msn_account(server, driver, id, user, password, **settings):
    """Add an MSN account ``id`` on ``driver`` pointed at ``server``.
    Settings are account options (keys "server", "port", "nexus_url", ...);
    "alias" is the account's local alias."""
    opts = {"server": "127.0.0.1", "port": server.info["dispatch_port"],
            "nexus_url": server.info["nexus_url"]}
    if VIA_GATEWAY:
        opts.update(gateway_settings(server))
    alias = settings.pop("alias", None)
    opts.update(settings)
    kw = {}
    if alias is not None:
        kw["alias"] = alias
    driver.cmd("add_account", id=id, protocol="prpl-msn", username=user,
               password=password, settings=opts, **kw)
    return id


def signed_on(driver, id, timeout=20):
    """Wait for ``id`` to sign on; a connection error fails at once."""
    ev = driver.expect(("signed-on", "connection-error"), timeout=timeout, account=id)
    if ev["event"] != "signed-on":
        raise HarnessError(f"{id} did not sign on: {ev}")
    return ev


def note(msg):
    """A TAP comment line."""
    for line in str(msg).splitlines() or [""]:
        print(f"# {line}", flush=True)


# ------------------------------------------------------------------ runner

_tests = []


def test(fn=None, *, timeout=None, name=None):
    """Register a test: ``@test``, ``@test(timeout=120)`` or ``test(fn)``.
    The function takes no argument, or one: the per-test context (with
    ``.tmpdir`` and ``.mkdtemp(prefix)``)."""
    def register(f):
        _tests.append((name or f.__name__, f, timeout))
        return f
    if fn is not None:
        return register(fn)
    return register


def _on_alarm(signum, frame):
    raise TestTimeout()


def _run_one(number, name, fn, timeout):
    global _ctx
    _ctx = _Context(name)
    ctx = _ctx
    status, detail = "ok", []
    skip_reason = None
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        try:
            params = inspect.signature(fn).parameters
            if params:
                fn(ctx)
            else:
                fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except Skip as e:
        skip_reason = str(e) or "skipped"
    except TestTimeout:
        status = "not ok"
        detail.append(f"timed out after {timeout}s; stack at that moment:")
        detail += traceback.format_exc().splitlines()
    except BaseException as e:  # noqa: BLE001
        if isinstance(e, KeyboardInterrupt):
            raise
        status = "not ok"
        detail += traceback.format_exc().splitlines()
    signal.setitimer(signal.ITIMER_REAL, 0)

    # cleanup of whatever the test left running; a driver that fails its
    # exit checks (leaks, sanitizer) fails the test
    errors = ctx.cleanup()
    if errors and skip_reason is None:
        if status == "ok":
            status = "not ok"
        detail += [f"cleanup: {e}" for e in errors]
    for n in ctx.notes:
        if n not in "\n".join(detail):
            detail += n.splitlines()

    if skip_reason is not None and status == "ok":
        print(f"ok {number} - {name} # SKIP {skip_reason}", flush=True)
    else:
        print(f"{status} {number} - {name}", flush=True)
    if status != "ok":
        verbose = os.environ.get("MSNP_TEST_DEBUG") == "1"
        for line in detail:
            print(f"# {line}")
        for res in ctx.resources:
            print(f"# ---- {type(res).__name__} log tail")
            for line in res.log_tail(0 if verbose else 80):
                print(f"# {line}")
        print(f"# temp dir kept: {ctx.tmpdir}", flush=True)
    elif os.environ.get("MSNP_TEST_KEEP") == "1":
        print(f"# temp dir kept: {ctx.tmpdir}", flush=True)
    else:
        shutil.rmtree(ctx.tmpdir, ignore_errors=True)
    _ctx = None
    return status == "ok"


def main(argv=None):
    """Run the registered tests (optionally only those whose name contains
    one of the command-line arguments) and print TAP.  Exits 0 only when
    every test passed."""
    argv = sys.argv[1:] if argv is None else argv
    default_timeout = float(os.environ.get("MSNP_TEST_TIMEOUT", "60"))
    selected = [t for t in _tests if not argv or any(a in t[0] for a in argv)]
    print(f"1..{len(selected)}", flush=True)
    failed = 0
    for number, (name, fn, timeout) in enumerate(selected, 1):
        if not _run_one(number, name, fn, timeout or default_timeout):
            failed += 1
    sys.stdout.flush()
    sys.exit(1 if failed else 0)
