/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Passport 1.4 exchange on the main loop: nexus → DALogin → ticket.
 * What to send and how to read replies lives in core/msnp-passport.
 *
 * Only the ticket request needs the notification server's challenge, so
 * the rest starts with the sign-in (msnp_passport_login_check_settings,
 * called just before the NS connection is made) and runs while the
 * dispatch and NS handshakes do: the nexus request (it carries no
 * secret), then the TLS connection to the login server, so that when
 * the challenge comes only the request itself is left. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <debug.h>

#include "msn-passport-login.h"
#include "msnp-error.h"
#include "msnp-passport.h"

/* The DALogin address is cached per account, as Net::Msmgr did (seed
 * 004): it saves the nexus round trip on every later sign-in.  It is
 * remembered together with the nexus it came from. */
#define CACHE_DALOGIN "msnp_dalogin"
#define CACHE_NEXUS   "msnp_dalogin_nexus"
#define MAX_HOPS 5

static void request_ticket (MsnpAccount *msn, const char *url);
static void request_nexus (MsnpAccount *msn);

static void
abort_with (MsnpAccount *msn, MsnpErrorCode code, const char *message)
{
  GError *error = g_error_new_literal (MSNP_ERROR, code, message);
  msnp_ns_abort (msn->ns, error);
  g_error_free (error);
}

/* A request that never got a reply: the io error keeps its code (so a
 * refused certificate stays final and a network failure stays one that
 * is retried), and the sentence says it was Passport. */
static void
abort_io (MsnpAccount *msn, const GError *io)
{
  g_autofree char *message = g_strdup_printf (_("Passport sign-in failed: %s"),
                                              io->message);
  GError *error = g_error_new_literal (io->domain, io->code, message);

  msnp_ns_abort (msn->ns, error);
  g_error_free (error);
}

static const char *
nexus_url (MsnpAccount *msn)
{
  return purple_account_get_string (msn->account, MSNP_OPT_NEXUS,
                                    MSNP_DEFAULT_NEXUS);
}

/* The remembered login server, if it came from today's nexus setting. */
static const char *
cached_dalogin (MsnpAccount *msn)
{
  const char *cached = purple_account_get_string (msn->account, CACHE_DALOGIN, NULL);
  const char *cached_nexus = purple_account_get_string (msn->account, CACHE_NEXUS, NULL);

  if (cached != NULL && *cached != '\0' &&
      g_strcmp0 (cached_nexus, nexus_url (msn)) == 0)
    return cached;
  return NULL;
}

/* What can be done before the challenge: connect to the remembered login
 * server, or ask the nexus for it. */
static void
start_early (MsnpAccount *msn)
{
  const char *cached = cached_dalogin (msn);

  msnp_passport_login_cancel (msn);
  if (cached != NULL) {
    msn->dalogin_cached = TRUE;
    msn->http = msnp_http_open (msn->account, cached);
    return;
  }
  request_nexus (msn);
}

gboolean
msnp_passport_login_check_settings (MsnpAccount *msn)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = msnp_passport_nexus_url (nexus_url (msn), &error);

  if (url != NULL) {
    start_early (msn);
    return TRUE;
  }
  purple_connection_error_reason (msn->gc,
                                  PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                                  error->message);
  return FALSE;
}

static void
forget_dalogin (MsnpAccount *msn)
{
  purple_account_set_string (msn->account, CACHE_DALOGIN, NULL);
  purple_account_set_string (msn->account, CACHE_NEXUS, NULL);
}

static void
ticket_cb (gpointer user, const char *response, gsize len,
           const GError *error)
{
  MsnpAccount *msn = user;
  g_autofree char *ticket = NULL;
  g_autofree char *location = NULL;
  g_autoptr (GError) perror = NULL;

  msn->http = NULL;
  if (response == NULL) {
    /* The cached login server may have moved: ask the nexus again.  Not
     * after a refused certificate: the user said no. */
    if (msn->dalogin_cached &&
        !g_error_matches (error, MSNP_IO_ERROR, MSNP_IO_ERROR_CERTIFICATE)) {
      forget_dalogin (msn);
      request_nexus (msn);
      return;
    }
    abort_io (msn, error);
    return;
  }
  switch (msnp_passport_parse_login (response, len, &ticket, &location, &perror)) {
  case MSNP_PASSPORT_REPLY_TICKET:
    purple_debug_info ("msnp", "Passport ticket received\n");
    msnp_ns_submit_ticket (msn->ns, ticket);
    /* The ticket is secret: clear our copy. */
    memset (ticket, 0, strlen (ticket));
    break;
  case MSNP_PASSPORT_REPLY_REDIRECT:
    purple_debug_info ("msnp", "Passport login redirected\n");
    request_ticket (msn, location);
    break;
  case MSNP_PASSPORT_REPLY_AUTH_FAILED:
    abort_with (msn, MSNP_ERROR_AUTH_FAILED,
                _("Passport refused the sign-in: the e-mail address or the "
                  "password is wrong."));
    break;
  case MSNP_PASSPORT_REPLY_ERROR:
  default:
    if (msn->dalogin_cached) {
      forget_dalogin (msn);
      request_nexus (msn);
      return;
    }
    if (perror != NULL)
      msnp_ns_abort (msn->ns, perror);   /* keeps its code: 5xx is retried */
    else
      abort_with (msn, MSNP_ERROR_PASSPORT,
                  _("The Passport login server sent an unexpected reply."));
    break;
  }
}

static void
request_ticket (MsnpAccount *msn, const char *url)
{
  g_autofree char *auth = NULL;
  g_autofree char *headers = NULL;

  if (++msn->passport_hops > MAX_HOPS) {
    abort_with (msn, MSNP_ERROR_PASSPORT,
                _("The Passport login server redirected too many times."));
    return;
  }
  auth = msnp_passport_build_authorization (msn->challenge,
                                            purple_account_get_username (msn->account),
                                            purple_connection_get_password (msn->gc));
  headers = g_strdup_printf ("Authorization: %s\r\n", auth);
  memset (auth, 0, strlen (auth));
  msn->http = msnp_http_get_on (msn->http, msn->account, url, headers,
                                ticket_cb, msn);
  memset (headers, 0, strlen (headers));
}

static void
nexus_cb (gpointer user, const char *response, gsize len,
          const GError *error)
{
  MsnpAccount *msn = user;
  MsnpHttp *reply = msn->http;
  g_autoptr (GError) perror = NULL;
  g_autofree char *dalogin = NULL;

  msn->http = NULL;
  if (response == NULL) {
    abort_io (msn, error);
    return;
  }
  dalogin = msnp_passport_parse_nexus (response, len, &perror);
  if (dalogin == NULL) {
    msnp_ns_abort (msn->ns, perror);
    return;
  }
  purple_account_set_string (msn->account, CACHE_DALOGIN, dalogin);
  purple_account_set_string (msn->account, CACHE_NEXUS, nexus_url (msn));
  msn->dalogin_cached = FALSE;
  /* A login server on the nexus's host (revival servers serve both) gets
   * the ticket request over the same connection: no second TLS set-up. */
  msn->http = msnp_http_keep (reply, dalogin);
  if (msn->challenge == NULL) {
    /* The NS has not asked yet: be connected when it does. */
    if (msn->http == NULL)
      msn->http = msnp_http_open (msn->account, dalogin);
    return;
  }
  request_ticket (msn, dalogin);
}

static void
request_nexus (MsnpAccount *msn)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = msnp_passport_nexus_url (nexus_url (msn), &error);

  msn->dalogin_cached = FALSE;
  if (url == NULL) {
    /* Checked before connecting; the setting changed since. */
    abort_with (msn, MSNP_ERROR_SETTINGS, error->message);
    return;
  }
  msn->http = msnp_http_get_keep_alive (msn->account, url, NULL, nexus_cb, msn);
}

void
msnp_passport_login_start (MsnpAccount *msn, const char *challenge)
{
  const char *cached;

  if (msn->challenge != NULL) {
    /* A second challenge: start over, remembered server first. */
    msnp_passport_login_cancel (msn);
    msn->dalogin_cached = cached_dalogin (msn) != NULL;
  }
  msn->challenge = g_strdup (challenge);
  msn->passport_hops = 0;
  cached = cached_dalogin (msn);
  if (cached == NULL) {
    /* The nexus request start_early() made goes on to the ticket. */
    if (msn->http == NULL)
      request_nexus (msn);
    return;
  }
  request_ticket (msn, cached);
}

void
msnp_passport_login_cancel (MsnpAccount *msn)
{
  msnp_http_cancel (msn->http);
  msn->http = NULL;
  g_clear_pointer (&msn->challenge, g_free);
}
