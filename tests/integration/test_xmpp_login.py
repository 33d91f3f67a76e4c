# SPDX-License-Identifier: GPL-2.0-or-later
"""MSN (XMPP) sign-in against Prosody: the OAuth paste flow, refresh,
invalid_grant, STARTTLS required, see-other-host, hostile XML."""
import glob
import os
import socket
import stat
import threading

from harness import Driver, main, test
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



# -- the paste dialog in every host (#9.3 cancel, #9.4, #9.12) --------------

def _paste_request(bed, d, id="a"):
    bed.account(id, "alice@example.com")
    d.cmd("connect", id=id)
    uri = d.expect("notify-uri")["uri"]
    return uri, d.expect("request", account=id)


@test(timeout=90)
def paste_dialog_reads_true_in_every_host():
    """Finch shows mnemonic underscores as they are, and neither Finch nor
    BitlBee opens a browser: plain labels, honest wording, and the address
    on a line of its own so that a terminal or IRC user can copy it whole."""
    bed = Bed()
    with bed.driver as d:
        uri, req = _paste_request(bed, d)
        assert req["kind"] == "input", req
        assert req["ok_text"] == "Sign in" and req["cancel_text"] == "Cancel", req
        text = req["primary"] + "\n" + req["secondary"]
        assert "has been opened" not in text, text
        assert "Open this address in a web browser" in text, text
        assert uri in req["secondary"].split("\n"), req["secondary"]
        # Finch wraps it inside a box: the file named in the text has it whole
        path = os.path.join(d.user_dir, "msnp", "alice@example.com.sign-in-address")
        assert path in req["secondary"], req["secondary"]
        with open(path, encoding="utf-8") as f:
            assert f.read() == uri + "\n"
        d.answer(req, text=bed.oauth.follow_authorize(uri))
        signed_on(d, "a")
        assert not os.path.exists(path)    # done with once signed in


@test(timeout=90)
def answering_no_cancels_the_sign_in():
    """BitlBee's request bot has no Cancel button: "no" must cancel (and
    not be sent to the token endpoint as a code)."""
    bed = Bed()
    with bed.driver as d:
        _, req = _paste_request(bed, d)
        d.answer(req, text="no")
        ev = d.expect("connection-error", account="a")
        assert "cancelled" in ev["description"], ev
        assert bed.oauth.stats["code"] == 0, bed.oauth.stats


@test(timeout=90)
def unusable_paste_is_explained_and_three_tries_end_in_an_error():
    bed = Bed()
    with bed.driver as d:
        uri, req = _paste_request(bed, d)
        # an expired (here: made-up) code: the endpoint says invalid_grant
        d.answer(req, text=f"{bed.oauth.base}/desktop?code=Mexpired&lc=1033")
        req = d.expect("request", account="a")
        assert "refused" in req["primary"] and "expired" in req["primary"], req
        assert uri in req["secondary"].split("\n"), req
        # an address without any code
        d.answer(req, text=f"{bed.oauth.base}/desktop?lc=1033")
        req = d.expect("request", account="a")
        assert "holds no sign-in code" in req["primary"], req
        assert bed.oauth.stats["code"] == 1, bed.oauth.stats
        d.answer(req, text="https://example.com/some page")
        ev = d.expect("connection-error", account="a")
        assert "after 3 tries" in ev["description"], ev
        assert "holds no sign-in code" in ev["description"], ev
        assert len(d.events("request", account="a")) == 3


@test(timeout=90)
def a_good_paste_after_a_bad_one_signs_in():
    bed = Bed()
    with bed.driver as d:
        uri, req = _paste_request(bed, d)
        d.answer(req, text="nothing useful here")
        req = d.expect("request", account="a")
        d.answer(req, text=bed.oauth.follow_authorize(uri))
        signed_on(d, "a")


# -- the sign-in is kept where the host keeps the account (#9.3) -------------

@test(timeout=120)
def sign_in_survives_an_account_made_anew_from_its_options():
    """BitlBee makes a new PurpleAccount at every sign-in from the protocol
    options it saved, and saves nothing a plugin sets; Pidgin and Finch
    keep accounts.xml.  Both must sign in again without asking."""
    bed = Bed()
    d = bed.driver
    bed.account("a", "alice@example.com")
    d.cmd("connect", id="a")
    bed.paste_flow("a")
    signed_on(d, "a")
    d.cmd("disconnect", id="a")
    d.expect("signed-off", account="a")
    # "account off / on" in BitlBee: a new account from the options only
    d.cmd("remove_account", id="a")
    bed.account("b", "alice@example.com")
    d.cmd("connect", id="b")
    signed_on(d, "b")
    d.cmd("disconnect", id="b")
    d.expect("signed-off", account="b")
    user_dir = d.user_dir
    d.close()
    accounts_xml = os.path.join(user_dir, "accounts.xml")
    with open(accounts_xml, encoding="utf-8") as f:
        saved = f.read()
    for token in list(bed.oauth.tokens) + list(bed.oauth.refresh):
        assert token not in saved      # not among the account settings
    files = glob.glob(os.path.join(user_dir, "msnp", "*.xmpp-oauth"))
    assert len(files) == 1, files
    assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600, oct(os.stat(files[0]).st_mode)
    # a restart of a host that saved only the protocol options (BitlBee)
    os.unlink(accounts_xml)
    d2 = Driver(trust={"localhost": bed.cert}, user_dir=user_dir)
    with d2:
        bed.account("c", "alice@example.com", driver=d2)
        d2.cmd("connect", id="c")
        signed_on(d2, "c")
        assert d2.events("request") == [], d2.events("request")
    assert bed.oauth.stats["code"] == 1, bed.oauth.stats


@test(timeout=90)
def tokens_an_earlier_version_kept_in_the_settings_still_sign_in():
    """Earlier versions kept the refresh token in the account settings
    (accounts.xml): it is moved to the token file, not lost."""
    bed = Bed()
    issued = bed.oauth.issue("alice")
    with bed.driver as d:
        bed.account("a", "alice@example.com",
                    oauth_refresh_token=issued["refresh_token"],
                    oauth_access_token="EwAstale", oauth_expires_at="1")
        d.cmd("connect", id="a")
        signed_on(d, "a")
        assert d.events("request") == [], d.events("request")
        assert bed.oauth.stats["refresh"] == 1, bed.oauth.stats
        user_dir = d.user_dir
    with open(os.path.join(user_dir, "accounts.xml"), encoding="utf-8") as f:
        saved = f.read()
    assert "oauth_refresh_token" not in saved and "EwAstale" not in saved, saved

if __name__ == "__main__":
    main()
