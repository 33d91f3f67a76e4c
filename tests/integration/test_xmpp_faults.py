# SPDX-License-Identifier: GPL-2.0-or-later
"""MSN (XMPP) against hostile and broken peers (issue 13): what the user
sees when the XMPP server or the OAuth token endpoint misbehaves.  Every
case ends in a connection error with a sentence, in bounded time."""
import time

from harness import main, test
from xmpp_common import Bed, signed_on
from xmpp_hostile import HEADER, HostileHttps, HostileXmpp
import xmpp_bed

# The sign-in timeout the tests use (seconds); the default is 60.
TIMEOUT = 3


def _error_within(d, id, seconds):
    t0 = time.monotonic()
    err = d.expect("connection-error", timeout=seconds + 10, account=id)
    took = time.monotonic() - t0
    assert took < seconds, f"took {took:.1f} s: {err}"
    return err


def _against(bed, server, id="a", **settings):
    bed.account(id, "alice@example.com", token="tok-alice", port=server.port, **settings)
    bed.driver.cmd("connect", id=id)


# ---- XML bombs (13.3) ------------------------------------------------------

@test(timeout=90)
def attribute_flood_is_refused_in_seconds():
    """One start tag with 200,000 attributes (3 MB) used to freeze the
    main loop for minutes; now it is a connection error at once."""
    bed = Bed()
    attrs = b"".join(b" a%d='v'" % i for i in range(200000))
    srv = HostileXmpp("reply", HEADER + b"<stream:features" + attrs + b"/>")
    with bed.driver as d:
        _against(bed, srv)
        err = _error_within(d, "a", 5)
        assert "not valid XMPP" in err["description"], err
        assert err["reason"] == "NETWORK_ERROR", err
        d.cmd("sleep", ms=100)   # and the main loop is free again


@test(timeout=90)
def endless_start_tag_is_refused_at_the_size_cap():
    bed = Bed()
    srv = HostileXmpp("reply", HEADER + b"<message x='" + b"x" * (3 * 1024 * 1024))
    with bed.driver as d:
        _against(bed, srv)
        err = _error_within(d, "a", 5)
        assert "not valid XMPP" in err["description"], err


@test(timeout=60)
def billion_laughs_is_refused():
    lol = b"<!ENTITY lol0 'lol'>" + b"".join(
        b"<!ENTITY lol%d '%s'>" % (i, b"".join(b"&lol%d;" % (i - 1) for _ in range(10)))
        for i in range(1, 10))
    bed = Bed()
    srv = HostileXmpp("reply", b"<?xml version='1.0'?><!DOCTYPE lolz [" + lol + b"]>"
                      + HEADER[21:] + b"<message><body>&lol9;</body></message>")
    with bed.driver as d:
        _against(bed, srv)
        err = _error_within(d, "a", 5)
        assert "not valid XMPP" in err["description"], err
        assert b"tok-alice" not in srv.received


# ---- silence: the sign-in timeout (13.4) -------------------------------------

@test(timeout=60)
def silent_server_before_tls_times_out():
    bed = Bed()
    srv = HostileXmpp("silent")
    with bed.driver as d:
        _against(bed, srv, login_timeout=TIMEOUT)
        err = _error_within(d, "a", TIMEOUT + 3)
        assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
        assert "in time" in err["description"], err


@test(timeout=60)
def silent_server_after_tls_times_out():
    bed = Bed()
    srv = HostileXmpp("tls", cert=bed.cert, key=bed.key)
    with bed.driver as d:
        _against(bed, srv, login_timeout=TIMEOUT)
        err = _error_within(d, "a", TIMEOUT + 3)
        assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
        assert "in time" in err["description"], err
        assert b"<starttls" in srv.received and srv.connections == 1, srv.log_tail()


@test(timeout=60)
def silent_redirect_target_times_out():
    bed = Bed()
    srv = HostileXmpp("silent")
    bed.prosody.update_fixture(see_other_host={
        "stage": "post-tls", "port": bed.prosody.port, "target": f"127.0.0.1:{srv.port}"})
    with bed.driver as d:
        bed.account("a", "alice@example.com", token="tok-alice", login_timeout=TIMEOUT)
        d.cmd("connect", id="a")
        err = _error_within(d, "a", TIMEOUT + 3)
        assert "in time" in err["description"], err
        assert srv.connections == 1, srv.log_tail()


def _token_endpoint(mode, response=b""):
    """A Bed whose authorize page is the real one and whose token endpoint
    is hostile; the user pastes the code, then the token request starts."""
    bed = Bed()
    ep = HostileHttps(mode, bed.cert, bed.key, response)
    return bed, ep


def _paste_then_error(bed, ep, within, **settings):
    d = bed.driver
    bed.account("a", "alice@example.com", token_url=f"{ep.base}/token", **settings)
    d.cmd("connect", id="a")
    bed.paste_flow("a")
    return _error_within(d, "a", within)


@test(timeout=60)
def silent_token_endpoint_times_out():
    bed, ep = _token_endpoint("silent")
    with bed.driver:
        err = _paste_then_error(bed, ep, TIMEOUT + 3, login_timeout=TIMEOUT)
        assert err["reason"] == "NETWORK_ERROR" and not err["fatal"], err
        assert "sign-in service did not answer in time" in err["description"], err
        assert b"grant_type=authorization_code" in ep.received, ep.log_tail()


@test(timeout=60)
def token_endpoint_that_never_starts_tls_times_out():
    bed, ep = _token_endpoint("silent-tcp")
    with bed.driver:
        err = _paste_then_error(bed, ep, TIMEOUT + 3, login_timeout=TIMEOUT)
        assert "sign-in service did not answer in time" in err["description"], err


@test(timeout=60)
def time_spent_pasting_does_not_count():
    """The user may take minutes in the browser: the timeout waits."""
    bed = Bed()
    with bed.driver as d:
        bed.account("a", "alice@example.com", login_timeout=TIMEOUT)
        d.cmd("connect", id="a")
        req = d.expect("request", timeout=10, account="a")
        d.expect_none("connection-error", within=TIMEOUT + 2, account="a")
        final = bed.oauth.follow_authorize(d.expect("notify-uri", timeout=5)["uri"])
        d.answer(req, text=final)
        signed_on(d, "a")
        # and once signed in, the timer is gone
        d.expect_none("connection-error", within=TIMEOUT + 1, account="a")


# ---- OAuth garbage (13.1 and the campaign) -----------------------------------

def _http(status, body, ctype=b"application/json"):
    return (b"HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n" % (status, ctype, len(body))) + body


def _garbage(response, says="sign-in service gave an unexpected answer"):
    bed, ep = _token_endpoint("raw", response)
    with bed.driver as d:
        err = _paste_then_error(bed, ep, 10)
        assert says in err["description"], err
        assert err["reason"] == "NETWORK_ERROR", err
        d.cmd("sleep", ms=100)   # the driver is alive and well


@test(timeout=60)
def token_reply_that_is_not_json():
    _garbage(_http(200, b"<html>Service Unavailable</html>", b"text/html"))


@test(timeout=60)
def token_reply_without_tokens():
    _garbage(_http(200, b'{"token_type":"bearer","expires_in":3600}'))


@test(timeout=60)
def token_reply_that_is_not_http():
    _garbage(b"\x16\x03\x01 garbage garbage\r\n\r\n")


@test(timeout=60)
def deeply_nested_token_reply_is_an_error_not_a_crash():
    n = 80000
    _garbage(_http(200, b"[" * n + b"]" * n))


@test(timeout=60)
def huge_token_reply_is_refused():
    _garbage(_http(200, b'{"access_token":"' + b"A" * (8 * 1024 * 1024) + b'"}'),
             says="too large")


# ---- TLS ----------------------------------------------------------------------

@test(timeout=60)
def wrong_name_certificate_gets_no_token():
    bed = Bed()
    cert, key = xmpp_bed.make_cert(bed.dir, name="wrong.example")
    srv = HostileXmpp("tls", reply=HEADER, cert=cert, key=key)
    with bed.driver as d:
        _against(bed, srv)
        # libpurple asks whether to accept it (a dialog of no account)
        req = d.expect("request", timeout=15, kind="action")
        assert "wrong.example" in str(req) or "localhost" in str(req), req
        d.answer(req, action="Reject")
        ev = d.expect("connection-error", timeout=15, account="a")
        assert ev["description"], ev
        assert b"tok-alice" not in srv.received and b"<auth" not in srv.received, srv.log_tail()


if __name__ == "__main__":
    main()
