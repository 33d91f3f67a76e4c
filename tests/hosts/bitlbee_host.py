# SPDX-License-Identifier: GPL-2.0-or-later
"""BitlBee (bitlbee-libpurple) as a real host for the built plugins: the
daemon on a loopback port and a small IRC client to drive it.

BitlBee loads libpurple modules only from ``<PluginDir>/purple/``, keeps
each IRC user's libpurple user dir in ``<config dir>/purple/<nick>/`` (so
that is where certificates are pre-trusted, as the driver does with
``--trust``), shows libpurple's input requests as private queries from a
``purple_request_N`` user, and refuses libpurple in its one-process daemon
mode: we run it as a forking daemon (-F) in the foreground (-n)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import SANITIZER_MARKERS, HarnessError, _mkdtemp, _register  # noqa: E402

BINARY = shutil.which("bitlbee") or ("/usr/sbin/bitlbee" if os.path.exists("/usr/sbin/bitlbee")
                                     else None)
PLUGINS = ("libmsnp.so", "libmsnp-xmpp.so")


def _sanitizer_env(plugin_dir):
    """BitlBee is not built with ASan: sanitizer-built plugins load into it
    only with the ASan runtime preloaded (clang's carries UBSan too).
    Leak checking is off there: BitlBee's own leaks are not ours."""
    with open(os.path.join(plugin_dir, PLUGINS[0]), "rb") as f:
        data = f.read()
    if b"__asan_init" not in data:
        return {}
    cc, lib = (("gcc", "libasan.so") if b"libasan.so" in data
               else ("clang", "libclang_rt.asan-x86_64.so"))
    try:
        runtime = subprocess.run([cc, f"-print-file-name={lib}"], capture_output=True,
                                 text=True, timeout=30).stdout.strip()
    except OSError:
        runtime = ""
    if not os.path.isabs(runtime) or not os.path.exists(runtime):
        raise HarnessError(f"the plugins are built with ASan but {lib} was not found")
    asan = os.environ.get("ASAN_OPTIONS", "")
    return {"LD_PRELOAD": runtime,
            "ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BitlBee:
    """The daemon.  ``restart()`` stops it and starts it again on the same
    config dir and port (what a user's saved state must survive)."""

    def __init__(self, plugin_dir=None):
        if BINARY is None:
            raise HarnessError("no bitlbee binary")
        self.dir = _mkdtemp("bitlbee")
        self.config_dir = os.path.join(self.dir, "config")
        self.plugin_dir = os.path.join(self.dir, "plugins")
        os.makedirs(self.config_dir, mode=0o700)
        os.makedirs(os.path.join(self.plugin_dir, "purple"))
        built = plugin_dir or os.environ["MSNP_PLUGIN_DIR"]
        self.env = dict(os.environ)
        self.env["BITLBEE_DEBUG"] = "1"     # libpurple's debug output on stderr
        self.env.update(_sanitizer_env(built))
        for name in PLUGINS:
            os.symlink(os.path.join(built, name),
                       os.path.join(self.plugin_dir, "purple", name))
        self.port = _free_port()
        self.conf = os.path.join(self.dir, "bitlbee.conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write("[settings]\n"
                    "RunMode = ForkDaemon\n"
                    "AuthMode = Open\n"
                    "DaemonInterface = 127.0.0.1\n"
                    f"DaemonPort = {self.port}\n"
                    f"PluginDir = {self.plugin_dir}\n"
                    f"ConfigDir = {self.config_dir}\n"
                    f"PidFile = {os.path.join(self.dir, 'bitlbee.pid')}\n")
        self.log_path = os.path.join(self.dir, "bitlbee.log")
        self._log = open(self.log_path, "ab")
        self.proc = None
        self.clients = []
        _register(self)
        self.start()

    def trust(self, nick, host, cert_pem_or_path):
        """Pre-trust a certificate for ``host`` in ``nick``'s libpurple
        user dir (the pool of libpurple's tls_cached verifier)."""
        pool = os.path.join(self.config_dir, "purple", nick, "certificates", "x509",
                            "tls_peers")
        os.makedirs(pool, exist_ok=True)
        dest = os.path.join(pool, host)
        if "-----BEGIN" in cert_pem_or_path:
            with open(dest, "w", encoding="ascii") as f:
                f.write(cert_pem_or_path)
        else:
            shutil.copyfile(cert_pem_or_path, dest)

    def start(self):
        self.proc = subprocess.Popen(
            [BINARY, "-F", "-n", "-c", self.conf, "-d", self.config_dir,
             "-i", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            env=self.env, start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"bitlbee exited with {self.proc.returncode}:\n"
                                   + "\n".join(self.log_tail(20)))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise HarnessError("bitlbee does not listen")

    def connect(self, nick):
        c = IrcClient(self.port, nick, self)
        self.clients.append(c)
        return c

    def stop(self):
        for c in self.clients:
            c.close()
        self.clients = []
        if self.proc is not None and self.proc.poll() is None:
            # the whole group: the daemon and its per-client children
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def close(self):
        self.stop()
        self._log.close()

    def check(self):
        """Fails on a sanitizer report in BitlBee's output (from our
        plugins when they are sanitizer-built)."""
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        for marker in SANITIZER_MARKERS:
            if marker in text:
                raise HarnessError(f"sanitizer report in bitlbee's output ({marker})")

    def log_tail(self, lines=60):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return []
        out = [f"[bitlbee] {l}" for l in text[-lines:]]
        for c in self.clients:
            out += c.log_tail(lines)
        return out


LINE = re.compile(r"^(?::(?P<prefix>\S+) )?(?P<cmd>\S+)(?P<args>.*)$")


class IrcClient:
    """A line-based IRC client: every message received is kept, and
    ``expect`` waits for one that matches (oldest first, each taken once)."""

    def __init__(self, port, nick, host=None, timeout=20):
        self.nick = nick
        self.host = host
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.settimeout(0.2)
        self.buf = b""
        self.msgs = []
        self.taken = set()
        self.transcript = []
        self.send(f"NICK {nick}")
        self.send(f"USER {nick} 0 * :{nick}")
        self.expect("001", timeout=timeout)
        self.join_wait()

    def join_wait(self):
        self.expect("JOIN", lambda m: m["args"][0] == "&bitlbee")

    # -- wire
    def send(self, line):
        self.transcript.append(">> " + line)
        self.sock.sendall(line.encode("utf-8") + b"\r\n")

    def _pump(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        except OSError:
            data = b""
        if not data:
            raise HarnessError("bitlbee closed the IRC connection")
        self.buf += data
        while b"\r\n" in self.buf:
            raw, self.buf = self.buf.split(b"\r\n", 1)
            line = raw.decode("utf-8", "replace")
            self.transcript.append("<< " + line)
            m = LINE.match(line)
            if m is None:
                continue
            args, rest = m.group("args"), None
            if " :" in args:
                args, rest = args.split(" :", 1)
            parts = args.split()
            if rest is not None:
                parts.append(rest)
            prefix = m.group("prefix") or ""
            msg = {"prefix": prefix, "from": prefix.split("!")[0], "cmd": m.group("cmd"),
                   "args": parts, "line": line}
            if msg["cmd"] == "PING":
                self.send("PONG :" + (parts[0] if parts else ""))
                continue
            self.msgs.append(msg)

    def mark(self):
        """A position for ``expect(since=…)``: what arrives from now on."""
        self._pump()
        return len(self.msgs)

    def expect(self, cmd, pred=None, timeout=20, since=0):
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.msgs):
                if i < since or i in self.taken or m["cmd"] != cmd:
                    continue
                if pred is None or pred(m):
                    self.taken.add(i)
                    return m
            if time.monotonic() > deadline:
                raise HarnessError(f"no IRC {cmd} as expected within {timeout}s; last lines:\n"
                                   + "\n".join(self.transcript[-40:]))
            self._pump()

    def privmsg_from(self, who, pred=None, timeout=20, since=0):
        """The next PRIVMSG ``who`` sent us (to our nick or the channel)."""
        return self.expect("PRIVMSG", lambda m: m["from"] == who
                           and (pred is None or pred(m["args"][-1])), timeout, since)

    def seen(self, cmd, pred=None):
        self._pump()
        return [m for m in self.msgs if m["cmd"] == cmd and (pred is None or pred(m))]

    # -- talking to root (the control channel)
    def root(self, command, reply=None, timeout=20):
        """Send a command in &bitlbee and wait for root's line matching
        ``reply`` (a substring or predicate), if given."""
        since = self.mark()
        self.send(f"PRIVMSG &bitlbee :{command}")
        if reply is None:
            return since
        pred = reply if callable(reply) else (lambda t: reply in t)
        return self.privmsg_from("root", pred, timeout, since)

    def msg(self, nick, text):
        self.send(f"PRIVMSG {nick} :{text}")

    def close(self):
        try:
            self.send("QUIT :bye")
        except OSError:
            pass
        self.sock.close()

    def check(self):
        """Fails on a sanitizer report in BitlBee's output (from our
        plugins when they are sanitizer-built)."""
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        for marker in SANITIZER_MARKERS:
            if marker in text:
                raise HarnessError(f"sanitizer report in bitlbee's output ({marker})")

    def log_tail(self, lines=60):
        return [f"[irc {self.nick}] {l}" for l in self.transcript[-lines:]]
