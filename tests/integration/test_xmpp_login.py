# SPDX-License-Identifier: GPL-2.0-or-later
"""MSN (XMPP) sign-in against Prosody: the OAuth paste flow, refresh,
invalid_grant, STARTTLS required, see-other-host, hostile XML."""
from harness import main, test
from xmpp_common import Bed, signed_on
from xmpp_hostile import HEADER, HostileXmpp


@test(timeout=90)
def first_sign_in_through_the_oauth_paste_flow():
    bed = Bed()
    with bed.driver as d:
        bed.account("a", "alice@example.com")
        d.cmd("connect", id="a")
        uri, final = bed.paste_flow("a")
        assert "client_id=0000000048093EF3" in uri and "response_type=code" in uri, uri
        assert "scope=wl.messenger%20wl.offline_access" in uri, uri
        signed_on(d, "a")
        assert bed.oauth.stats["code"] == 1, bed.oauth.stats
        # tokens never reach the debug log
        log = d.debug_log()
        for token in bed.oauth.tokens:
            assert token not in log
        for rt in bed.oauth.refresh:
            assert rt not in log
        assert final.split("code=")[1].split("&")[0] not in log


@test(timeout=90)
def expiring_token_is_refreshed_silently():
    bed = Bed(expires_in=60)   # inside the refresh margin
    with bed.driver as d:
        bed.account("a", "alice@example.com")
        d.cmd("connect", id="a")
        bed.paste_flow("a")
        signed_on(d, "a")
        d.cmd("disconnect", id="a")
        d.expect("signed-off", account="a")
        d.cmd("connect", id="a")
        signed_on(d, "a")
        assert bed.oauth.stats["refresh"] == 1, bed.oauth.stats
        assert len(d.events("request", account="a")) == 1   # asked once only


@test(timeout=90)
def rejected_token_is_refreshed_then_invalid_grant_asks_again():
    bed = Bed()
    with bed.driver as d:
        bed.account("a", "alice@example.com")
        d.cmd("connect", id="a")
        bed.paste_flow("a")
        signed_on(d, "a")
        d.cmd("disconnect", id="a")
        d.expect("signed-off", account="a")
        # the server no longer takes the token: refresh, no question
        bed.oauth.revoke_access_tokens()
        d.cmd("connect", id="a")
        signed_on(d, "a")
        assert bed.oauth.stats["refresh"] == 1, bed.oauth.stats
        d.cmd("disconnect", id="a")
        d.expect("signed-off", account="a")
        # and now the refresh token is refused too: the user is asked
        bed.oauth.revoke_access_tokens()
        bed.oauth.revoke_refresh_tokens()
        d.cmd("connect", id="a")
        bed.paste_flow("a")
        signed_on(d, "a")
        assert bed.oauth.stats["invalid_grant"] == 1, bed.oauth.stats


def _see_other_host(stage):
    bed = Bed()
    bed.prosody.update_fixture(see_other_host={
        "stage": stage, "port": bed.prosody.port,
        "target": f"localhost:{bed.prosody.port2}"})
    with bed.driver as d:
        bed.sign_in("a", "alice")
        assert f"see-other-host: localhost port {bed.prosody.port2}" in d.debug_log()
        assert "see-other-host" in bed.prosody.log_text()


@test(timeout=60)
def see_other_host_before_tls():
    _see_other_host("pre-tls")


@test(timeout=60)
def see_other_host_after_tls():
    _see_other_host("post-tls")


@test(timeout=60)
def see_other_host_after_auth():
    _see_other_host("post-auth")


def _against_fake(reply):
    bed = Bed()
    fake = HostileXmpp("reply", reply)
    with bed.driver as d:
        bed.account("a", "alice@example.com", token="tok-alice", port=fake.port)
        d.cmd("connect", id="a")
        err = d.expect("connection-error", timeout=20, account="a")
        fake.close()
        return err, fake


@test(timeout=60)
def server_without_tls_is_refused_and_gets_no_token():
    err, fake = _against_fake(HEADER + b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                              b"<mechanism>X-MESSENGER-OAUTH2</mechanism></mechanisms></stream:features>")
    assert "encrypted" in err["description"], err
    assert b"tok-alice" not in fake.received and b"<auth" not in fake.received


@test(timeout=60)
def malformed_xml_is_a_clean_error():
    err, _ = _against_fake(HEADER + b"<stream:features><a></b></stream:features>")
    assert "not valid XMPP" in err["description"], err


@test(timeout=60)
def entity_declarations_are_refused():
    err, _ = _against_fake(b"<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY a 'aaaaaaaa'>"
                           b"<!ENTITY b '&a;&a;&a;&a;&a;&a;'>]>" + HEADER[21:] + b"<x>&b;</x>")
    assert "not valid XMPP" in err["description"], err


@test(timeout=60)
def oversized_stanza_is_a_clean_error():
    err, _ = _against_fake(HEADER + b"<message><body>" + b"A" * (2 * 1024 * 1024))
    assert "not valid XMPP" in err["description"], err


if __name__ == "__main__":
    main()
