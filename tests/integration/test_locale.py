# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin under a user's language: its connection errors arrive translated.

The driver runs with --locale-dir pointing at the build dir's compiled
catalogs (po/LL/LC_MESSAGES/pidgin-msnp.mo) and with LANGUAGE=LL under
LC_ALL=C.UTF-8: glibc's gettext honours LANGUAGE in every locale but plain
"C", and C.UTF-8 is there on every system, so no de_DE/fr_FR/es_ES locale
has to be generated.  The expected sentences are looked up in the same
catalogs (Python's gettext), so the test checks that the plugin's own
error reaches libpurple translated, not any particular wording.
"""
import contextlib
import gettext
import os

from harness import Driver, Server, main, note, test
from msn_common import ALICE, BASIC, add

DOMAIN = "pidgin-msnp"
LANGUAGES = ("de", "fr", "es")
WRONG_PASSWORD = ("Passport refused the sign-in: the e-mail address or the "
                  "password is wrong.")
UNKNOWN_CODE = "The server reported an error this client does not know (code %u)."


def locale_dir():
    path = os.environ.get("MSNP_LOCALE_DIR", "")
    assert path and os.path.isdir(path), f"MSNP_LOCALE_DIR not a directory: {path!r}"
    return path


def catalog(lang):
    """The build tree's compiled catalog for `lang` (fails if it is missing)."""
    return gettext.translation(DOMAIN, localedir=locale_dir(), languages=[lang])


@contextlib.contextmanager
def environment(**values):
    """os.environ with `values` (None: removed) while the driver starts."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def start(lang, knobs=None):
    """A server and a driver whose user reads `lang` (None: no LANGUAGE)."""
    server = Server(knobs=knobs or {}, fixture=BASIC)
    with environment(LANGUAGE=lang, LC_ALL="C.UTF-8", LANG=None, LC_MESSAGES=None):
        driver = Driver(trust={"localhost": server.info["cert_pem"]},
                        extra_args=["--locale-dir", locale_dir()])
    return server, driver


def connection_error(lang, password="not-the-password", knobs=None):
    server, driver = start(lang, knobs)
    with server, driver:
        add(server, driver, (ALICE[0], password))
        driver.cmd("connect", id="a")
        err = driver.expect("connection-error", timeout=20, account="a")
        note(f'{lang or "no LANGUAGE"}: {err["reason"]}: {err["description"]}')
        return err


@test
def without_a_language_the_error_is_english():
    err = connection_error(None)
    assert err["description"] == WRONG_PASSWORD, err


def wrong_password_in(lang):
    def run():
        expected = catalog(lang).gettext(WRONG_PASSWORD)
        assert expected != WRONG_PASSWORD, f"{lang}: the catalog does not translate it"
        err = connection_error(lang)
        assert err["reason"] in ("AUTHENTICATION_FAILED", 2), err
        assert err["description"] == expected, (lang, err["description"], expected)
    run.__name__ = f"wrong_password_error_in_{lang}"
    return run


for _lang in LANGUAGES:
    test(wrong_password_in(_lang))


@test
def a_formatted_error_is_translated_with_its_number():
    """A sentence with a placeholder: the German text, the number filled in."""
    expected = catalog("de").gettext(UNKNOWN_CODE) % 999
    assert "999" in expected and expected != UNKNOWN_CODE % 999, expected
    err = connection_error("de", password=ALICE[1], knobs={"error_on": "USR:999"})
    assert err["description"] == expected, (err["description"], expected)


if __name__ == "__main__":
    main()
