# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared set-up for the "MSN (XMPP)" integration tests: Prosody with our
Lua modules, the local OAuth endpoint, and accounts pointed at both."""
import base64
import os
import sys

from harness import Driver, HarnessError, _mkdtemp, _register

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "xmpp"))
import xmpp_bed  # noqa: E402

DOMAIN = xmpp_bed.DOMAIN
# A 1×1 PNG.
PHOTO = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()


def fixture(**extra):
    fx = {
        "users": {
            "alice": {"email": "alice@example.com", "nick": "Alice A.",
                      "roster": [{"jid": "bob@localhost", "groups": ["Friends"], "name": "Bobby"},
                                 {"jid": "carol@localhost", "groups": ["Work"]}]},
            "bob": {"email": "bob@example.com", "nick": "Bob the Builder", "photo": PHOTO,
                    "roster": [{"jid": "alice@localhost", "groups": ["Friends"]}]},
            "carol": {"email": "carol@example.com", "nick": "Carol"},
            "dave": {"email": "dave@example.com", "nick": "Dave D."},
        },
        "fixed_tokens": {"tok-alice": "alice", "tok-bob": "bob", "tok-carol": "carol",
                         "tok-dave": "dave"},
        "archive": [{"from": "alice@localhost", "to": "bob@localhost",
                     "body": "an old <hello> from the archive", "ago": 3600}],
    }
    fx.update(extra)
    return fx


class Bed:
    """Prosody + OAuth endpoint + a driver trusting their certificate."""

    def __init__(self, fx=None, oauth_user="alice", expires_in=3600, driver=True):
        self.dir = _mkdtemp("xmppbed")
        self.cert, self.key = xmpp_bed.make_cert(self.dir)
        self.tokens_file = os.path.join(self.dir, "tokens.json")
        self.oauth = xmpp_bed.OAuthEndpoint(self.cert, self.key, self.tokens_file,
                                            user=oauth_user, expires_in=expires_in)
        _register(self.oauth)
        fx = fx or fixture()
        fx["tokens_file"] = self.tokens_file
        self.prosody = xmpp_bed.Prosody(self.dir, fx, self.cert, self.key)
        _register(self.prosody)
        self.driver = Driver(trust={"localhost": self.cert}) if driver else None

    def account(self, id, username, token=None, driver=None, **settings):
        """Adds an "MSN (XMPP)" account; ``token`` fills the advanced
        access-token option (no OAuth), otherwise the OAuth endpoint is used."""
        opts = {"domain": DOMAIN, "use_srv": False, "server": "127.0.0.1",
                "port": self.prosody.port, "client_id": "0000000048093EF3",
                "authorize_url": f"{self.oauth.base}/authorize",
                "token_url": f"{self.oauth.base}/token",
                "redirect_uri": f"{self.oauth.base}/desktop"}
        if token is not None:
            opts["access_token"] = token
        opts.update(settings)
        (driver or self.driver).cmd("add_account", id=id, protocol="prpl-msn-xmpp",
                                    username=username, password="", settings=opts)
        return id

    def sign_in(self, id, user, driver=None, timeout=20):
        d = driver or self.driver
        self.account(id, f"{user}@example.com", token=f"tok-{user}", driver=d)
        d.cmd("connect", id=id)
        signed_on(d, id, timeout)
        return id

    def paste_flow(self, id, driver=None, timeout=20):
        """Answers the OAuth paste dialog the way a user would: open the
        URI, sign in, paste the final address."""
        d = driver or self.driver
        uri = d.expect("notify-uri", timeout=timeout)["uri"]
        req = d.expect("request", timeout=timeout, account=id)
        final = self.oauth.follow_authorize(uri)
        d.answer(req, text=final)
        return uri, final


def signed_on(driver, id, timeout=20):
    ev = driver.expect(("signed-on", "connection-error"), timeout=timeout, account=id)
    if ev["event"] != "signed-on":
        raise HarnessError(f"{id} did not sign on: {ev}")
    return ev
