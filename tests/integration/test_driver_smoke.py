# SPDX-License-Identifier: GPL-2.0-or-later
"""The headless driver on its own (no plugin, no test server): libpurple
starts, built-in protocols and SSL are there, commands and events work, and
certificates are pre-trusted exactly as the MSN tests rely on."""
import http.server
import os
import shutil
import socket
import ssl
import subprocess
import threading

from harness import Driver, HarnessError, Skip, main, test


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@test
def builtin_protocols_and_ssl_are_available():
    with Driver(plugin_dirs=[]) as d:
        plugins = {p["id"]: p for p in d.cmd("plugins")["plugins"]}
        assert "prpl-jabber" in plugins, sorted(plugins)
        assert plugins["prpl-jabber"]["loaded"], plugins["prpl-jabber"]
        assert plugins["prpl-jabber"]["type"] == "protocol"
        assert d.cmd("info")["ssl_supported"] is True

        info = d.cmd("prpl_info", protocol="prpl-jabber")
        assert info["name"] == "XMPP", info
        keys = {o["key"]: o for o in info["options"]}
        assert keys["connect_server"]["type"] == "string", keys
        assert keys["port"]["type"] == "int" and keys["port"]["default"] == 5222, keys
        assert info["user_splits"] and info["user_splits"][0]["separator"] == "@", info
        assert {"send_im", "send_typing", "tooltip_text"} <= set(info["functions"]), info

        r = d.cmd("prpl_info", protocol="prpl-nonexistent", check=False)
        assert r["ok"] is False and "prpl-nonexistent" in r["error"], r
        r = d.cmd("no_such_op", check=False)
        assert r["ok"] is False, r
        r = d.cmd("connect", id="nobody", check=False)
        assert r["ok"] is False, r

        ru = d.cmd("rusage")
        assert ru["cpu_us"] >= 0 and ru["maxrss_kb"] > 0, ru
        t0 = d.cmd("rusage")["monotonic_us"]
        d.sleep(200)
        assert d.cmd("rusage")["monotonic_us"] - t0 >= 190000


@test
def accounts_buddies_and_connection_errors():
    with Driver(plugin_dirs=[]) as d:
        port = free_port()   # nothing listens there
        d.cmd("add_account", id="j", protocol="prpl-jabber",
              username="alice@localhost/test", password="pw",
              settings={"connect_server": "127.0.0.1", "port": port,
                        "connection_security": "opportunistic_tls"})
        ids = {s["id"] for s in d.cmd("statuses", id="j")["statuses"]}
        assert {"available", "away", "offline"} <= ids, ids

        d.cmd("add_buddy", id="j", buddy="bob@localhost", group="Friends", alias="Bobby")
        ev = d.expect("buddy-added", account="j", buddy="bob@localhost")
        assert ev["group"] == "Friends", ev
        groups = {g["name"]: g for g in d.cmd("blist", id="j")["groups"]}
        bob = groups["Friends"]["buddies"][0]
        assert bob["name"] == "bob@localhost" and bob["alias"] == "Bobby", bob
        assert bob["online"] is False and bob["status"] == "offline", bob

        d.cmd("alias_buddy", id="j", buddy="bob@localhost", alias="Robert")
        ev = d.expect("blist-node-aliased", kind="buddy", buddy="bob@localhost")
        assert ev["old_alias"] == "Bobby" and ev["local_alias"] == "Robert", ev
        d.cmd("move_buddy", id="j", buddy="bob@localhost", to="Work")
        groups = {g["name"]: g for g in d.cmd("blist", id="j")["groups"]}
        assert [b["name"] for b in groups["Work"]["buddies"]] == ["bob@localhost"], groups

        d.cmd("permit_add", id="j", who="carol@localhost", local_only=True)
        d.cmd("privacy_mode", id="j", mode="allow_users")
        priv = d.cmd("privacy", id="j")
        assert priv["permit"] == ["carol@localhost"] and priv["mode"] == 3, priv

        d.cmd("set_alias", id="j", alias="Ally")
        assert d.expect("account-alias-changed", account="j")["alias"] == "Ally"

        d.cmd("connect", id="j")
        d.expect("signing-on", account="j")
        err = d.expect("connection-error", timeout=20, account="j")
        assert err["reason"] == "NETWORK_ERROR" and err["fatal"] is False, err
        assert d.events("connect-progress", account="j"), d.events()
        assert d.events("report-disconnect-reason", account="j")
        d.expect("disconnected", account="j")   # the connection is gone
        state = d.cmd("account_state", id="j")
        assert state["disconnected"] and state["error"] == "NETWORK_ERROR", state

        d.cmd("remove_buddy", id="j", buddy="bob@localhost")
        d.expect("buddy-removed", account="j", buddy="bob@localhost")
        d.cmd("remove_account", id="j")
        assert d.cmd("account_state", id="j", check=False)["ok"] is False


# ------------------------------------------------------------ certificates

def make_cert(directory, name, san):
    openssl = shutil.which("openssl")
    if openssl is None:
        raise Skip("openssl CLI not installed")
    cert = os.path.join(directory, f"{name}.pem")
    key = os.path.join(directory, f"{name}.key")
    cmd = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
           "-out", cert, "-days", "2", "-subj", "/CN=localhost"]
    if san:
        cmd += ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello over tls"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class HttpsServer:
    def __init__(self, cert, key):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def log_tail(self, lines=0):
        return []


def fetch(d, url, tag):
    d.cmd("fetch_url", url=url, tag=tag)


@test
def pretrusted_certificate_is_accepted_silently(ctx):
    cert, key = make_cert(ctx.tmpdir, "srv", san=True)
    srv = HttpsServer(cert, key)
    try:
        with Driver(trust={"localhost": cert}, plugin_dirs=[]) as d:
            fetch(d, f"https://localhost:{srv.port}/", "trusted")
            done = d.expect("fetch-url-done", tag="trusted", timeout=20)
            assert done["ok"] and done["text"] == "hello over tls", done
            assert not d.events("request"), d.events("request")
    finally:
        srv.close()


@test
def pinned_certificate_needs_no_matching_name(ctx):
    # tls_cached compares the SHA-1 fingerprint of the cached file with the
    # peer's leaf certificate and nothing else: neither the CA nor the name.
    cert, key = make_cert(ctx.tmpdir, "nosan", san=False)
    srv = HttpsServer(cert, key)
    try:
        with Driver(trust={"127.0.0.1": cert}, plugin_dirs=[]) as d:
            fetch(d, f"https://127.0.0.1:{srv.port}/", "ip")
            done = d.expect("fetch-url-done", tag="ip", timeout=20)
            assert done["ok"], done
            assert not d.events("request")
    finally:
        srv.close()


@test
def untrusted_certificate_is_asked_about(ctx):
    cert, key = make_cert(ctx.tmpdir, "srv", san=True)
    other, _ = make_cert(ctx.tmpdir, "other", san=True)
    srv = HttpsServer(cert, key)
    try:
        # a different certificate pinned for localhost, none for 127.0.0.1
        d = Driver(trust={"localhost": other}, plugin_dirs=[])
        user_dir = d.user_dir
        with d:
            fetch(d, f"https://localhost:{srv.port}/", "mismatch")
            req = d.expect("request", kind="action", timeout=20)
            assert req["title"] == "SSL Certificate Verification", req
            assert "localhost" in req["primary"], req
            assert req["actions"][:2] == ["Accept", "Reject"], req
            d.answer(req, action="Reject")
            done = d.expect("fetch-url-done", tag="mismatch", timeout=20)
            assert not done["ok"], done

            fetch(d, f"https://127.0.0.1:{srv.port}/", "unknown")
            req = d.expect("request", kind="action", timeout=20)
            assert "127.0.0.1" in req["primary"], req
            d.answer(req, action="Accept")
            d.expect("request-closed", request=req["request"])
            done = d.expect("fetch-url-done", tag="unknown", timeout=20)
            assert done["ok"], done

            # an unanswered dialog stays pending (and is dismissed at exit)
            fetch(d, f"https://localhost:{srv.port}/", "pending")
            req = d.expect("request", kind="action", timeout=20)
            pending = d.cmd("pending")["requests"]
            assert [p["request"] for p in pending] == [req["request"]], pending
            try:
                d.expect("fetch-url-done", tag="pending", timeout=1)
                raise AssertionError("fetch finished without an answer")
            except HarnessError:
                pass

        # the accepted certificate was cached in the user dir
        with Driver(user_dir=user_dir, plugin_dirs=[]) as d2:
            fetch(d2, f"https://127.0.0.1:{srv.port}/", "cached")
            assert d2.expect("fetch-url-done", tag="cached", timeout=20)["ok"]
            assert not d2.events("request")
    finally:
        srv.close()


if __name__ == "__main__":
    main()
