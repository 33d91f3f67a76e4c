# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared pieces of the Pidgin and Finch host tests and of tests/demo
(Python 3 standard library only).

* ``purple_config(dir, accounts, ...)`` - a libpurple config dir as a host
  finds it: accounts.xml, prefs.xml, the built modules in <dir>/plugins,
  the test servers' certificate pre-trusted in
  certificates/x509/tls_peers/<host> (the way libpurple remembers an
  accepted certificate).
* ``msn_account`` / ``xmpp_account`` - accounts.xml entries for the MSNP8
  test server and the Prosody + OAuth bed.
* ``Proc`` - a helper process in its own process group with a log, closed
  by the harness after each test; ``Xvfb``, ``session_bus``.
* ``PurpleDBus`` - libpurple's D-Bus interface (as Debian's Pidgin exports
  it) through ``gdbus call``, so the tests need no Python D-Bus module.
* ``Tmux`` - a private tmux server (its own socket) for Finch.
* ``XmppBed`` - Prosody + the OAuth endpoint of tests/xmpp, with a given
  certificate; ``python3 gui_common.py xmpp-bed ...`` runs one for the demo.

Every wait is bounded; display numbers, ports and tmux sockets are picked
at run time so parallel runs cannot collide.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TESTS, "integration"))
sys.path.insert(0, os.path.join(TESTS, "xmpp"))

from harness import HarnessError, Skip, _mkdtemp, _register, note  # noqa: E402
import xmpp_bed  # noqa: E402

# libpurple's per-UI "enabled" flag lives in a <settings ui=...> block.
UI_PIDGIN = "gtk-gaim"
UI_FINCH = "gnt-purple"


def need(*programs):
    """Skip the test (TAP skip) when one of the host programs is absent."""
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        raise Skip("not installed: " + ", ".join(missing))


def require(*programs):
    """Fail (not skip) when a helper program of an installed host is
    absent: a half-equipped CI must not look green."""
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        raise HarnessError("not installed: " + ", ".join(missing) + " (see tests/deps.sh)")


def wait_until(predicate, timeout, what, step=0.1):
    """Polls ``predicate`` until it returns a true value (returned), or
    raises HarnessError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise HarnessError(f"{what}: not within {timeout}s")
        time.sleep(step)


# ----------------------------------------------------------- configuration

def _settings_xml(settings, ui=None):
    rows = []
    for key, value in settings.items():
        kind = ("bool" if isinstance(value, bool) else
                "int" if isinstance(value, int) else "string")
        text = str(int(value)) if isinstance(value, bool) else escape(str(value))
        rows.append(f"   <setting name='{escape(key)}' type='{kind}'>{text}</setting>")
    head = f"  <settings ui='{ui}'>" if ui else "  <settings>"
    return "\n".join([head] + rows + ["  </settings>"])


def account_xml(protocol, name, password, settings, ui, alias=None):
    """One <account> of accounts.xml, enabled (auto-login) for ``ui`` (a
    UI id or a tuple of them)."""
    parts = [" <account>", f"  <protocol>{escape(protocol)}</protocol>",
             f"  <name>{escape(name)}</name>"]
    if password:
        parts.append(f"  <password>{escape(password)}</password>")
    if alias:
        parts.append(f"  <alias>{escape(alias)}</alias>")
    parts.append(_settings_xml(settings))
    for one in (ui,) if isinstance(ui, str) else ui:
        parts.append(_settings_xml({"auto-login": True}, ui=one))
    parts.append(" </account>")
    return "\n".join(parts)


def msn_account(info, user, password, ui, alias=None, **settings):
    """An MSN account for the MSNP8 test server whose INFO.json is ``info``."""
    opts = {"server": "127.0.0.1", "port": info["dispatch_port"],
            "nexus_url": info["nexus_url"]}
    opts.update(settings)
    return account_xml("prpl-msn", user, password, opts, ui, alias)


def xmpp_account(bed_info, user, ui, token=None, **settings):
    """An MSN (XMPP) account for the Prosody + OAuth bed (``bed_info`` as
    XmppBed.info); ``token`` fills the advanced access-token option, so
    the account signs in without the browser step."""
    base = bed_info["oauth_base"]
    opts = {"domain": xmpp_bed.DOMAIN, "use_srv": False, "server": "127.0.0.1",
            "port": bed_info["port"], "client_id": "0000000048093EF3",
            "authorize_url": f"{base}/authorize", "token_url": f"{base}/token",
            "redirect_uri": f"{base}/desktop"}
    if token:
        opts["access_token"] = token
    opts.update(settings)
    return account_xml("prpl-msn-xmpp", user, "", opts, ui)


def _prefs_xml(prefs):
    """prefs.xml from {"/pidgin/conversations/fgcolor": "#ff0000", ...}."""
    tree = {}
    for path, value in prefs.items():
        node = tree
        parts = path.strip("/").split("/")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value

    def emit(node, depth):
        out = []
        pad = " " * depth
        for name, value in node.items():
            if isinstance(value, dict):
                out.append(f"{pad}<pref name='{escape(name)}'>")
                out += emit(value, depth + 1)
                out.append(f"{pad}</pref>")
            else:
                kind = ("bool" if isinstance(value, bool) else
                        "int" if isinstance(value, int) else "string")
                text = str(int(value)) if isinstance(value, bool) else escape(str(value), {"'": "&apos;"})
                out.append(f"{pad}<pref name='{escape(name)}' type='{kind}' value='{text}'/>")
        return out

    return "\n".join(["<?xml version='1.0' encoding='UTF-8' ?>",
                      "<pref version='1' name='/'>"] + emit(tree, 1) + ["</pref>", ""])


def purple_config(directory, accounts, prefs=None, trust=None, modules=(),
                  link=True):
    """Writes a libpurple config dir.  ``accounts``: account_xml() strings;
    ``trust``: {host: PEM file}; ``modules``: plugin .so paths placed in
    <dir>/plugins (symlinked, or copied with ``link=False``)."""
    plugins = os.path.join(directory, "plugins")
    peers = os.path.join(directory, "certificates", "x509", "tls_peers")
    os.makedirs(plugins, exist_ok=True)
    os.makedirs(peers, exist_ok=True)
    for module in modules:
        target = os.path.join(plugins, os.path.basename(module))
        if os.path.lexists(target):
            os.unlink(target)
        if link:
            os.symlink(os.path.abspath(module), target)
        else:
            shutil.copy(module, target)
    for host, pem in (trust or {}).items():
        shutil.copy(pem, os.path.join(peers, host))
    with open(os.path.join(directory, "accounts.xml"), "w", encoding="utf-8") as f:
        f.write("<?xml version='1.0' encoding='UTF-8' ?>\n<account version='1.0'>\n"
                + "\n".join(accounts) + "\n</account>\n")
    if prefs:
        with open(os.path.join(directory, "prefs.xml"), "w", encoding="utf-8") as f:
            f.write(_prefs_xml(prefs))
    return directory


def built_modules():
    """The built plugin modules (meson's MSNP_PLUGIN_DIR)."""
    plugin_dir = os.environ.get("MSNP_PLUGIN_DIR")
    if not plugin_dir:
        raise HarnessError("MSNP_PLUGIN_DIR is not set (run the tests through meson)")
    found = [os.path.join(plugin_dir, m) for m in ("libmsnp.so", "libmsnp-xmpp.so")
             if os.path.exists(os.path.join(plugin_dir, m))]
    if not found:
        raise HarnessError(f"no plugin module in {plugin_dir}")
    return found


def host_env(home, **extra):
    """The environment for a host program: its own HOME and XDG dirs (GTK
    and GLib write there), no accessibility bus, UTF-8."""
    env = dict(os.environ)
    for var in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "TMUX", "TMUX_PANE"):
        env.pop(var, None)
    env.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_DATA_HOME=os.path.join(home, ".local", "share"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"),
               XDG_RUNTIME_DIR=home, NO_AT_BRIDGE="1", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    env.update(extra)
    return env


# ---------------------------------------------------------------- processes

class Proc:
    """A helper process in its own process group, stdout+stderr to a log;
    the harness closes it after the test (SIGTERM to the group, then
    SIGKILL)."""

    def __init__(self, name, args, env=None, log_dir=None, pass_fds=(), cwd=None):
        self.name = name
        log_dir = log_dir or _mkdtemp(name)
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self._log = open(self.log_path, "wb")
        _register(self)
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                     pass_fds=pass_fds, start_new_session=True)

    def alive(self):
        return self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, lines=60):
        text = self.log_text().splitlines()
        return [f"[{self.name}] {l}" for l in (text[-lines:] if lines else text)]

    def close(self):
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            try:   # children it left behind in its group
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if not self._log.closed:
            self._log.close()


def _read_line_from(proc, fd, timeout, what):
    """The first line a child writes to the pipe ``fd`` (e.g. Xvfb's
    -displayfd), within ``timeout``."""
    deadline = time.monotonic() + timeout
    buf = b""
    os.set_blocking(fd, False)
    while b"\n" not in buf:
        if proc.proc.poll() is not None:
            raise HarnessError(f"{what} exited ({proc.proc.returncode}):\n"
                               + "\n".join(proc.log_tail(20)))
        if time.monotonic() >= deadline:
            raise HarnessError(f"{what} not ready within {timeout}s")
        try:
            chunk = os.read(fd, 256)
            if chunk:
                buf += chunk
                continue
        except BlockingIOError:
            pass
        time.sleep(0.05)
    os.close(fd)
    return buf.split(b"\n")[0].decode().strip()


class Xvfb(Proc):
    """A virtual X server on a display number it picks itself (-displayfd:
    no collision with parallel runs)."""

    def __init__(self, log_dir, size="1280x1024x24", timeout=20):
        r, w = os.pipe()
        super().__init__("xvfb", ["Xvfb", "-displayfd", str(w), "-screen", "0", size,
                                  "-nolisten", "tcp", "-noreset"],
                         log_dir=log_dir, pass_fds=(w,))
        os.close(w)
        self.display = ":" + _read_line_from(self, r, timeout, "Xvfb")


class SessionBus(Proc):
    """A private D-Bus session bus (what dbus-run-session provides), its
    address in ``.address``."""

    def __init__(self, log_dir, env=None, timeout=20):
        r, w = os.pipe()
        super().__init__("dbus", ["dbus-daemon", "--session", "--nofork", "--nopidfile",
                                  f"--print-address={w}"],
                         env=env, log_dir=log_dir, pass_fds=(w,))
        os.close(w)
        self.address = _read_line_from(self, r, timeout, "dbus-daemon")


def screenshot(display, path, timeout=15):
    """The whole X screen as a PNG (ImageMagick's import); returns the path
    or None when it could not be taken."""
    if shutil.which("import") is None:
        return None
    try:
        subprocess.run(["import", "-display", display, "-window", "root", path],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=timeout, check=True)
    except (subprocess.SubprocessError, OSError):
        return None
    return path


def xdotool(display, *args, timeout=10):
    """One xdotool command on ``display``; returns its stdout."""
    out = subprocess.run(["xdotool"] + [str(a) for a in args], stdin=subprocess.DEVNULL,
                         capture_output=True, timeout=timeout,
                         env=dict(os.environ, DISPLAY=display))
    if out.returncode != 0:
        raise HarnessError(f"xdotool {' '.join(map(str, args))}: "
                           f"{out.stderr.decode(errors='replace').strip()}")
    return out.stdout.decode(errors="replace")


# -------------------------------------------------------------------- D-Bus

def _gvariant_arg(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


_TYPE_ANNOTATION = re.compile(r"@[a-z()]+ |\b(?:u?int(?:16|32|64)|byte|objectpath|signature|handle) ")


def parse_gvariant(text):
    """The reply of ``gdbus call`` (a GVariant tuple in text form) as a
    Python tuple: enough for libpurple's ints, strings and arrays."""
    import ast
    text = _TYPE_ANNOTATION.sub("", text.strip())
    text = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", text))
    return ast.literal_eval(text)


class PurpleDBus:
    """libpurple's D-Bus interface (im.pidgin.purple.PurpleService)."""

    DEST = "im.pidgin.purple.PurpleService"
    PATH = "/im/pidgin/purple/PurpleObject"
    IFACE = "im.pidgin.purple.PurpleInterface"

    def __init__(self, address):
        self.address = address

    def call(self, method, *args, timeout=10):
        cmd = ["gdbus", "call", "--address", self.address, "--dest", self.DEST,
               "--object-path", self.PATH, "--method", f"{self.IFACE}.{method}",
               "--timeout", str(int(timeout))] + [_gvariant_arg(a) for a in args]
        out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                             timeout=timeout + 5)
        if out.returncode != 0:
            raise HarnessError(f"D-Bus {method}{args}: "
                               f"{out.stderr.decode(errors='replace').strip()}")
        reply = parse_gvariant(out.stdout.decode("utf-8", "replace"))
        return reply[0] if len(reply) == 1 else reply

    def try_call(self, method, *args, timeout=5):
        """``call``, or None while the service is not (yet) there."""
        try:
            return self.call(method, *args, timeout=timeout)
        except (HarnessError, subprocess.TimeoutExpired):
            return None


# --------------------------------------------------------------------- tmux

class Tmux:
    """A private tmux server (its own socket in ``directory``) running one
    command in a window of ``width`` x ``height``."""

    def __init__(self, directory, command, env=None, width=200, height=50):
        self.socket = os.path.join(directory, "tmux.sock")
        self.env = env
        _register(self)
        self._run("new-session", "-d", "-s", "host", "-x", str(width), "-y", str(height),
                  command)

    def _run(self, *args, timeout=10):
        out = subprocess.run(["tmux", "-S", self.socket] + list(args),
                             stdin=subprocess.DEVNULL, capture_output=True,
                             timeout=timeout, env=self.env)
        if out.returncode != 0:
            raise HarnessError(f"tmux {args[0]}: {out.stderr.decode(errors='replace').strip()}")
        return out.stdout.decode("utf-8", "replace")

    def capture(self):
        """The visible screen as text."""
        return self._run("capture-pane", "-p", "-t", "host")

    def keys(self, *keys):
        self._run("send-keys", "-t", "host", *keys)

    def wait_for(self, predicate, timeout, what):
        """Polls the screen until ``predicate(screen)`` holds; returns the
        screen."""
        last = [""]

        def check():
            try:
                last[0] = self.capture()
            except HarnessError:
                return None
            return last[0] if predicate(last[0]) else None
        try:
            return wait_until(check, timeout, what, step=0.25)
        except HarnessError:
            note(f"{what}; the screen was:\n{last[0]}")
            raise

    def log_tail(self, lines=60):
        try:
            return [f"[tmux screen] {l}" for l in self.capture().splitlines()]
        except (HarnessError, subprocess.SubprocessError, OSError):
            return []

    def close(self):
        try:
            self._run("kill-server", timeout=5)
        except (HarnessError, subprocess.SubprocessError, OSError):
            pass


# ---------------------------------------------------------------- XMPP bed

def xmpp_fixture():
    """Users of the demo / host tests on the XMPP bed; fixed tokens
    tok-<user> are the advanced access tokens."""
    return {
        "users": {
            "alice": {"email": "alice@example.com", "nick": "Alice A.",
                      "roster": [{"jid": "bob@localhost", "groups": ["Friends"], "name": "Bobby"},
                                 {"jid": "carol@localhost", "groups": ["Work"]}]},
            "bob": {"email": "bob@example.com", "nick": "Bob the Builder",
                    "roster": [{"jid": "alice@localhost", "groups": ["Friends"]}]},
            "carol": {"email": "carol@example.com", "nick": "Carol"},
        },
        "fixed_tokens": {"tok-alice": "alice", "tok-bob": "bob", "tok-carol": "carol"},
        "archive": [{"from": "bob@localhost", "to": "alice@localhost",
                     "body": "Hi Alice, this line comes from the archive", "ago": 3600}],
    }


class XmppBed:
    """Prosody + the OAuth endpoint with a given certificate (the MSNP8
    test server's, so one tls_peers/localhost entry trusts both)."""

    def __init__(self, directory, cert, key, fixture=None):
        os.makedirs(directory, exist_ok=True)
        tokens = os.path.join(directory, "tokens.json")
        self.oauth = xmpp_bed.OAuthEndpoint(cert, key, tokens, user="alice")
        _register(self.oauth)
        fx = fixture or xmpp_fixture()
        fx["tokens_file"] = tokens
        self.prosody = xmpp_bed.Prosody(directory, fx, cert, key)
        _register(self.prosody)
        self.info = {"port": self.prosody.port, "oauth_base": self.oauth.base}

    def close(self):
        self.prosody.close()
        self.oauth.close()


def _serve_xmpp_bed(args):
    """The demo's XMPP bed: runs until SIGTERM/SIGINT/SIGHUP, ``--info`` gets
    {"port", "oauth_base"} once it is ready."""
    stop = []
    # SIGHUP too: closing the demo's terminal must not leave Prosody behind
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *a: stop.append(1))
    bed = XmppBed(args.dir, args.cert, args.key)
    try:
        tmp = args.info + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(bed.info, f)
        os.replace(tmp, args.info)
        while not stop:
            time.sleep(0.5)
            if bed.prosody.proc.poll() is not None:
                print("prosody exited:\n" + "\n".join(bed.prosody.log_tail(20)), file=sys.stderr)
                return 1
    finally:
        bed.close()
    return 0


# --------------------------------------------------------------- demo config

def demo_config(directory, msn_info, xmpp_info, ui, who="alice", cert=None,
                modules=(), prefs=None, link=True):
    """The demo's config dir for ``who`` (alice or bob): the MSN account on
    the MSNP8 test server (demo fixture) and, with ``xmpp_info``, the MSN
    (XMPP) account on the bed, signing in with the advanced token."""
    passwords = {"alice": "alice-pw", "bob": "bob-pw"}
    accounts = [msn_account(msn_info, f"{who}@example.com", passwords[who], ui,
                            alias=who.capitalize(),
                            # new-mail pop-ups over the first screen: off in
                            # the demo (the account option turns them on)
                            mail_notify=False)]
    if xmpp_info:
        accounts.append(xmpp_account(xmpp_info, f"{who}@example.com", ui, token=f"tok-{who}"))
    trust = {"localhost": cert or msn_info["cert_pem"]}
    return purple_config(directory, accounts, prefs=prefs, trust=trust, modules=modules,
                         link=link)


DEMO_FIXTURE = os.path.join(TESTS, "server", "fixtures", "demo.json")


def demo_fixture(path):
    """The demo fixture as the demo serves it: Fred, who has added Alice,
    is already allowed, so no authorization request covers the buddy list
    at the first screen.  Written to ``path``, returned."""
    with open(DEMO_FIXTURE, encoding="utf-8") as f:
        fx = json.load(f)
    for contact in fx["users"]["alice@example.com"]["contacts"]:
        lists = contact.get("lists", [])
        if "RL" in lists and not {"AL", "BL"} & set(lists):
            lists.append("AL")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(fx, f, indent=1)
    return path


# Finch's buddy list shows offline contacts too (the XMPP roster has nobody
# online until a second user signs in).
FINCH_DEMO_PREFS = {"/finch/blist/showoffline": True}


def _write_demo_config(args):
    msn_info = json.load(open(args.msn_info, encoding="utf-8"))
    xmpp_info = json.load(open(args.xmpp_info, encoding="utf-8")) if args.xmpp_info else None
    # enabled in Finch and in Pidgin: `pidgin -c <dir>` works as well
    demo_config(args.dir, msn_info, xmpp_info, (UI_FINCH, UI_PIDGIN), who=args.who,
                modules=args.module, prefs=FINCH_DEMO_PREFS)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    bed = sub.add_parser("xmpp-bed", help="run Prosody + the OAuth endpoint")
    bed.add_argument("--dir", required=True)
    bed.add_argument("--cert", required=True)
    bed.add_argument("--key", required=True)
    bed.add_argument("--info", required=True)
    fxp = sub.add_parser("demo-fixture", help="write the demo's MSNP8 server fixture")
    fxp.add_argument("path")
    cfg = sub.add_parser("demo-config", help="write the demo's Finch config dir")
    cfg.add_argument("--dir", required=True)
    cfg.add_argument("--who", default="alice", choices=["alice", "bob"])
    cfg.add_argument("--msn-info", required=True)
    cfg.add_argument("--xmpp-info")
    cfg.add_argument("--module", action="append", default=[])
    args = parser.parse_args(argv)
    if args.cmd == "xmpp-bed":
        return _serve_xmpp_bed(args)
    if args.cmd == "demo-fixture":
        demo_fixture(args.path)
        return 0
    return _write_demo_config(args)


if __name__ == "__main__":
    sys.exit(main())
