# SPDX-License-Identifier: GPL-2.0-or-later
"""MSN (XMPP): a certificate the user rejects ends the sign-in for good.

libpurple asks about a certificate it cannot check (the driver trusts
nothing here, or not the name used); rejecting it must end the sign-in
with a certificate reason, which libpurple's UIs never reconnect on —
before, it was a network error, and Pidgin and Finch reconnected and
asked again every 15-25 s, for ever."""
from harness import Driver, main, note, test
from xmpp_common import Bed


def reject_certificate(d):
    req = d.expect("request", kind="action", timeout=20,
                   title="SSL Certificate Verification")
    d.answer(req, action="Reject")
    return req


def final_certificate_error(d):
    err = d.expect("connection-error", timeout=20, account="a")
    assert err["reason"].startswith("CERT_") and err["fatal"], err
    assert "certificate" in err["description"], err
    # Nothing tries again: no second dialog, no reconnection.
    d.expect_none("request", within=3, title="SSL Certificate Verification")
    assert not d.cmd("account_state", id="a")["connecting"]
    note(f'{err["reason"]}: {err["description"]}')
    return err


@test(timeout=90)
def rejected_stream_certificate_is_final():
    bed = Bed(driver=False)
    with Driver(trust={}) as d:
        bed.account("a", "alice@example.com", token="tok-alice", driver=d)
        d.cmd("connect", id="a")
        reject_certificate(d)
        final_certificate_error(d)


@test(timeout=90)
def rejected_oauth_endpoint_certificate_is_final():
    bed = Bed(driver=False)
    # The XMPP server is trusted; the token endpoint is reached by a name
    # the driver trusts no certificate for.
    with Driver(trust={"localhost": bed.cert}) as d:
        token_url = bed.oauth.base.replace("localhost", "127.0.0.1") + "/token"
        bed.account("a", "alice@example.com", driver=d, token_url=token_url)
        d.cmd("connect", id="a")
        bed.paste_flow("a", driver=d)
        reject_certificate(d)
        err = final_certificate_error(d)
        assert "127.0.0.1" in err["description"], err
        assert bed.oauth.stats.get("code", 0) == 0, bed.oauth.stats


if __name__ == "__main__":
    main()
