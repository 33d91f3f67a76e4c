/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Getting an OAuth 2.0 access token for the account: a ready token from
 * the advanced option, the stored one while it is fresh, a refresh, or —
 * first sign-in, or after the refresh token was refused — the browser:
 * the authorize URL is opened with purple_notify_uri() and the user pastes
 * the final address (or the code) into a purple_request_input() dialog,
 * which works in Pidgin, Finch and BitlBee alike.
 *
 * Tokens live in account settings and never reach the debug log. */
#include "config.h"

#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include <debug.h>
#include <notify.h>
#include <request.h>

#include "oauth.h"
#include "xmpp-account.h"

#define KEY_ACCESS  "oauth_access_token"
#define KEY_REFRESH "oauth_refresh_token"
#define KEY_EXPIRES "oauth_expires_at"
/* Refresh when less than this is left: a sign-in may take a while, and
 * the token is only checked when it is presented. */
#define EXPIRY_MARGIN 300

static const char *
opt (MsnpXmppAccount *xa, const char *key, const char *fallback)
{
  const char *v = purple_account_get_string (xa->account, key, fallback);

  return v != NULL && *v != '\0' ? v : fallback;
}

static void
store_token (MsnpXmppAccount *xa, const MsnpOAuthToken *token)
{
  g_autofree char *expires = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              token->expires_at);

  purple_account_set_string (xa->account, KEY_ACCESS, token->access_token);
  /* Refresh tokens rotate; a reply without one keeps the old one. */
  if (token->refresh_token != NULL)
    purple_account_set_string (xa->account, KEY_REFRESH, token->refresh_token);
  purple_account_set_string (xa->account, KEY_EXPIRES, expires);
}

void
msnp_xmpp_oauth_forget_access (MsnpXmppAccount *xa)
{
  purple_account_set_string (xa->account, KEY_ACCESS, NULL);
  purple_account_set_string (xa->account, KEY_EXPIRES, NULL);
}

void
msnp_xmpp_oauth_cancel (MsnpXmppAccount *xa)
{
  msnp_http_cancel (xa->http);
  xa->http = NULL;
  if (xa->paste_dialog != NULL) {
    purple_request_close (PURPLE_REQUEST_INPUT, xa->paste_dialog);
    xa->paste_dialog = NULL;
  }
  purple_request_close_with_handle (xa);
}

static void ask_user (MsnpXmppAccount *xa, MsnpXmppTokenFunc done);

/* ---- the token endpoint ---------------------------------------------------- */

static void
token_reply (gpointer user, const char *response, gsize len,
             const GError *error)
{
  MsnpXmppAccount *xa = user;
  MsnpXmppTokenFunc done = xa->token_done;
  g_autoptr (GError) err = NULL;
  g_autoptr (MsnpOAuthToken) token = NULL;
  const char *body = NULL;
  gsize body_len = 0;
  guint status = 0;

  xa->http = NULL;
  if (error != NULL) {
    purple_connection_error_reason (xa->gc, msnp_io_error_reason (error),
                                    error->message);
    return;
  }
  if (!msnp_oauth_split_http (response, len, &status, &body, &body_len))
    g_set_error_literal (&err, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_BAD_REPLY,
                         "not HTTP");
  else
    token = msnp_oauth_parse_token (body, body_len, (gint64) time (NULL), &err);
  if (token != NULL) {
    purple_debug_info ("msn-xmpp", "got an access token (expires at %"
                       G_GINT64_FORMAT ")\n", token->expires_at);
    store_token (xa, token);
    done (xa, token->access_token);
    return;
  }
  purple_debug_warning ("msn-xmpp", "token endpoint: HTTP %u, %s\n", status,
                        err->message);
  if (g_error_matches (err, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_INVALID_GRANT)) {
    /* The grant is dead: only now is the user asked again. */
    purple_account_set_string (xa->account, KEY_REFRESH, NULL);
    msnp_xmpp_oauth_forget_access (xa);
    ask_user (xa, done);
    return;
  }
  purple_connection_error_reason (xa->gc, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
      _("The Microsoft account sign-in service gave an unexpected answer."));
}

static void
post_token_request (MsnpXmppAccount *xa, char *body, MsnpXmppTokenFunc done)
{
  xa->token_done = done;
  purple_connection_update_progress (xa->gc, _("Getting a sign-in token"), 0, 6);
  xa->http = msnp_http_post (xa->account,
                             opt (xa, "token_url", MSNP_OAUTH_DEFAULT_TOKEN),
                             NULL, "application/x-www-form-urlencoded",
                             body, strlen (body), token_reply, xa);
  memset (body, 0, strlen (body));
  g_free (body);
}

/* ---- asking the user ------------------------------------------------------- */

static void
paste_ok (gpointer data, const char *text)
{
  MsnpXmppAccount *xa = data;
  MsnpXmppTokenFunc done = xa->token_done;
  g_autoptr (GError) err = NULL;
  char *code;

  xa->paste_dialog = NULL;
  code = msnp_oauth_extract_code (text, &err);
  if (code == NULL) {
    purple_connection_error_reason (xa->gc,
        PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
        g_error_matches (err, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_DENIED)
            ? _("You did not allow this application to sign in.")
            : _("The pasted text holds no sign-in code."));
    return;
  }
  post_token_request (xa, msnp_oauth_code_body (
                              opt (xa, "client_id", ""),
                              opt (xa, "redirect_uri", MSNP_OAUTH_DEFAULT_REDIRECT),
                              code), done);
  memset (code, 0, strlen (code));
  g_free (code);
}

static void
paste_cancel (gpointer data, const char *text)
{
  MsnpXmppAccount *xa = data;

  xa->paste_dialog = NULL;
  purple_connection_error_reason (xa->gc,
      PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE,
      _("Sign-in was cancelled."));
}

static void
ask_user (MsnpXmppAccount *xa, MsnpXmppTokenFunc done)
{
  g_autofree char *url = msnp_oauth_authorize_url (
      opt (xa, "authorize_url", MSNP_OAUTH_DEFAULT_AUTHORIZE),
      opt (xa, "client_id", ""),
      opt (xa, "redirect_uri", MSNP_OAUTH_DEFAULT_REDIRECT),
      opt (xa, "scope", MSNP_OAUTH_DEFAULT_SCOPE));
  g_autofree char *secondary = g_strdup_printf (
      _("Sign in with your Microsoft account in the web page that has been "
        "opened (or open it yourself: %s). When the browser arrives at a "
        "blank page, copy its whole address and paste it here."), url);

  xa->token_done = done;
  purple_connection_update_progress (xa->gc, _("Waiting for you to sign in"), 0, 6);
  purple_notify_uri (xa->gc, url);
  xa->paste_dialog = purple_request_input (
      xa->gc, _("MSN (XMPP) sign-in"),
      _("Paste the address of the page you arrived at"), secondary, NULL,
      FALSE, FALSE, NULL, _("_Sign in"), G_CALLBACK (paste_ok), _("_Cancel"),
      G_CALLBACK (paste_cancel), xa->account, NULL, NULL, xa);
}

/* ---- entry point ------------------------------------------------------------- */

void
msnp_xmpp_oauth_get_token (MsnpXmppAccount *xa, gboolean force_refresh,
                           MsnpXmppTokenFunc done)
{
  const char *manual = purple_account_get_string (xa->account, "access_token", "");
  const char *access = purple_account_get_string (xa->account, KEY_ACCESS, NULL);
  const char *refresh = purple_account_get_string (xa->account, KEY_REFRESH, NULL);
  const char *expires = purple_account_get_string (xa->account, KEY_EXPIRES, "0");
  gint64 expires_at = g_ascii_strtoll (expires != NULL ? expires : "0", NULL, 10);

  if (manual != NULL && *manual != '\0') {
    /* A token from a URL fragment arrives URL-encoded: decode it. */
    g_autofree char *decoded = g_uri_unescape_string (manual, NULL);
    xa->manual_token = TRUE;
    done (xa, decoded != NULL ? decoded : manual);
    return;
  }
  if (!force_refresh && access != NULL && *access != '\0'
      && !msnp_oauth_token_expiring (expires_at, (gint64) time (NULL),
                                     EXPIRY_MARGIN)) {
    done (xa, access);
    return;
  }
  if (refresh != NULL && *refresh != '\0') {
    purple_debug_info ("msn-xmpp", "refreshing the access token\n");
    post_token_request (xa, msnp_oauth_refresh_body (
                                opt (xa, "client_id", ""),
                                opt (xa, "redirect_uri", MSNP_OAUTH_DEFAULT_REDIRECT),
                                refresh), done);
    return;
  }
  ask_user (xa, done);
}
