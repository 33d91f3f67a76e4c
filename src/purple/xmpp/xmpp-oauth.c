/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Getting an OAuth 2.0 access token for the account: a ready token from
 * the advanced option, the stored one while it is fresh, a refresh, or —
 * first sign-in, or after the refresh token was refused — the browser:
 * the authorize URL goes to purple_notify_uri() (Pidgin opens a browser,
 * Finch shows a window) and on a line of its own into a
 * purple_request_input() dialog,
 * and the user pastes the final address (or the code) back.  That dialog
 * is the one request all hosts show: Pidgin and Finch as a window, BitlBee
 * as a private query from its request bot (which has no Cancel button, so
 * the answer "no" cancels too).
 *
 * Tokens are kept in a file of our own in the libpurple user dir, not in
 * account settings: BitlBee creates a fresh PurpleAccount at every sign-in
 * from its own settings (only the protocol options) and never saves what a
 * plugin sets, so settings would lose the refresh token at every
 * "account off" or restart.  The user dir is kept by every host (BitlBee:
 * <config dir>/purple/<nick>/).  Tokens never reach the debug log. */
#include "config.h"

#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <debug.h>
#include <notify.h>
#include <request.h>
#include <util.h>

#include "msnp-plugin-common.h"
#include "oauth.h"
#include "xmpp-oauth.h"

/* Where earlier versions kept the tokens (account settings): read once,
 * moved to the token file, then cleared. */
#define LEGACY_ACCESS  "oauth_access_token"
#define LEGACY_REFRESH "oauth_refresh_token"
#define LEGACY_EXPIRES "oauth_expires_at"
#define GROUP "tokens"
/* Refresh when less than this is left: a sign-in may take a while, and
 * the token is only checked when it is presented. */
#define EXPIRY_MARGIN 300
/* Wrong or expired codes pasted before the sign-in is given up: enough
 * for a slip or two, few enough that a broken set-up ends with an error
 * instead of asking for ever. */
#define MAX_PASTE_TRIES 3

static const char *
opt (MsnpXmppAccount *xa, const char *key, const char *fallback)
{
  const char *v = purple_account_get_string (xa->account, key, fallback);

  return v != NULL && *v != '\0' ? v : fallback;
}

/* ---- the token file ---------------------------------------------------------- */

static char *
token_path (PurpleAccount *account)
{
  return msnp_plugin_account_file (account, "xmpp-oauth");
}

/* Writes @data to @path (0600, its directory made 0700). */
static gboolean
write_private (const char *path, const char *data, gsize len)
{
  g_autofree char *dir = g_path_get_dirname (path);

  return g_mkdir_with_parents (dir, 0700) == 0
         && purple_util_write_data_to_file_absolute (path, data, (gssize) len);
}

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

static GKeyFile *
load_tokens (PurpleAccount *account)
{
  g_autofree char *path = token_path (account);
  GKeyFile *kf = g_key_file_new ();
  char *text = NULL;
  gsize len = 0;

  if (g_file_get_contents (path, &text, &len, NULL)
      && !g_key_file_load_from_data (kf, text, len, G_KEY_FILE_NONE, NULL))
    purple_debug_warning ("msn-xmpp", "ignoring an unreadable token file\n");
  wipe_free (text);
  return kf;
}

static void
save_tokens (PurpleAccount *account, GKeyFile *kf)
{
  g_autofree char *path = token_path (account);
  gsize len = 0;
  char *text = g_key_file_to_data (kf, &len, NULL);

  /* Readable by the user only, like accounts.xml with its passwords. */
  if (!write_private (path, text, len))
    purple_debug_warning ("msn-xmpp", "could not save the sign-in tokens\n");
  wipe_free (text);
}

/* The token file, with tokens an earlier version left in the account
 * settings moved into it (once: the settings are removed). */
static GKeyFile *
load_tokens_moving_legacy (PurpleAccount *account)
{
  GKeyFile *kf = load_tokens (account);
  const char *legacy = purple_account_get_string (account, LEGACY_REFRESH, NULL);

  if (legacy == NULL)
    return kf;
  if (*legacy != '\0' && !g_key_file_has_key (kf, GROUP, "refresh_token", NULL)) {
    g_key_file_set_string (kf, GROUP, "refresh_token", legacy);
    save_tokens (account, kf);
  }
  purple_account_remove_setting (account, LEGACY_ACCESS);
  purple_account_remove_setting (account, LEGACY_REFRESH);
  purple_account_remove_setting (account, LEGACY_EXPIRES);
  return kf;
}

/* A stored value, or NULL when absent or empty. */
static char *
stored (GKeyFile *kf, const char *key)
{
  char *v = g_key_file_get_string (kf, GROUP, key, NULL);

  if (v != NULL && *v == '\0')
    g_clear_pointer (&v, g_free);
  return v;
}

static void
store_token (MsnpXmppAccount *xa, const MsnpOAuthToken *token)
{
  g_autoptr (GKeyFile) kf = load_tokens (xa->account);

  g_key_file_set_string (kf, GROUP, "access_token", token->access_token);
  /* Refresh tokens rotate; a reply without one keeps the old one. */
  if (token->refresh_token != NULL)
    g_key_file_set_string (kf, GROUP, "refresh_token", token->refresh_token);
  g_key_file_set_int64 (kf, GROUP, "expires_at", token->expires_at);
  save_tokens (xa->account, kf);
}

static void
forget (MsnpXmppAccount *xa, gboolean refresh_too)
{
  g_autoptr (GKeyFile) kf = load_tokens (xa->account);

  if (!g_key_file_has_group (kf, GROUP))
    return;
  g_key_file_remove_key (kf, GROUP, "access_token", NULL);
  g_key_file_remove_key (kf, GROUP, "expires_at", NULL);
  if (refresh_too)
    g_key_file_remove_key (kf, GROUP, "refresh_token", NULL);
  save_tokens (xa->account, kf);
}

void
msnp_xmpp_oauth_forget_access (MsnpXmppAccount *xa)
{
  forget (xa, FALSE);
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

static void ask_user (MsnpXmppAccount *xa, MsnpXmppTokenFunc done,
                      const char *problem);
static void paste_failed (MsnpXmppAccount *xa, const char *problem);

/* The sign-in address written for terminal users is done with. */
static void
forget_address (PurpleAccount *account)
{
  g_autofree char *file = msnp_plugin_account_file (account, "sign-in-address");

  g_unlink (file);
}

/* ---- the token endpoint ---------------------------------------------------- */

static void
token_reply (gpointer user, const char *response, gsize len,
             const GError *error)
{
  MsnpXmppAccount *xa = user;
  MsnpXmppTokenFunc done = xa->token_done;
  gboolean was_code = xa->exchanging_code;
  g_autoptr (GError) err = NULL;
  g_autoptr (MsnpOAuthToken) token = NULL;
  const char *body = NULL;
  gsize body_len = 0;
  guint status = 0;

  xa->http = NULL;
  xa->exchanging_code = FALSE;
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
    xa->paste_failures = 0;
    store_token (xa, token);
    forget_address (xa->account);
    done (xa, token->access_token);
    return;
  }
  purple_debug_warning ("msn-xmpp", "token endpoint: HTTP %u, %s\n", status,
                        err->message);
  if (g_error_matches (err, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_INVALID_GRANT)) {
    if (was_code) {
      paste_failed (xa, _("The sign-in code in the address you pasted was "
                          "refused: it may have expired or been used already. "
                          "Sign in again in the browser and paste the new "
                          "address."));
      return;
    }
    /* The saved grant is dead: only now is the user asked again. */
    forget (xa, TRUE);
    ask_user (xa, done, _("Your saved sign-in is no longer valid. Please "
                          "sign in again."));
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
  wipe_free (body);
}

/* ---- asking the user ------------------------------------------------------- */

/* A pasted answer that holds no usable code: say why in the next dialog,
 * and give up after MAX_PASTE_TRIES. */
static void
paste_failed (MsnpXmppAccount *xa, const char *problem)
{
  g_autofree char *msg = NULL;

  if (++xa->paste_failures < MAX_PASTE_TRIES) {
    ask_user (xa, xa->token_done, problem);
    return;
  }
  msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "Sign-in failed after %u try: %s",
                                      "Sign-in failed after %u tries: %s",
                                      xa->paste_failures),
                         xa->paste_failures, problem);
  purple_connection_error_reason (xa->gc,
      PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED, msg);
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
paste_ok (gpointer data, const char *text)
{
  MsnpXmppAccount *xa = data;
  g_autoptr (GError) err = NULL;
  char *code;

  xa->paste_dialog = NULL;
  /* BitlBee's request bot has no Cancel button: there, "no" cancels. */
  if (msnp_oauth_is_cancel_answer (text)) {
    paste_cancel (data, text);
    return;
  }
  code = msnp_oauth_extract_code (text, &err);
  if (code == NULL) {
    if (g_error_matches (err, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_DENIED))
      purple_connection_error_reason (xa->gc,
          PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
          _("You did not allow this application to sign in."));
    else
      paste_failed (xa, _("What you pasted holds no sign-in code. Paste the "
                          "whole address of the page the browser arrived at "
                          "after you signed in."));
    return;
  }
  xa->exchanging_code = TRUE;
  post_token_request (xa, msnp_oauth_code_body (
                              opt (xa, "client_id", ""),
                              opt (xa, "redirect_uri", MSNP_OAUTH_DEFAULT_REDIRECT),
                              code), xa->token_done);
  wipe_free (code);
}

/* @problem: why the user is asked (again), or NULL the first time. */
static void
ask_user (MsnpXmppAccount *xa, MsnpXmppTokenFunc done, const char *problem)
{
  g_autofree char *url = msnp_oauth_authorize_url (
      opt (xa, "authorize_url", MSNP_OAUTH_DEFAULT_AUTHORIZE),
      opt (xa, "client_id", ""),
      opt (xa, "redirect_uri", MSNP_OAUTH_DEFAULT_REDIRECT),
      opt (xa, "scope", MSNP_OAUTH_DEFAULT_SCOPE));
  g_autofree char *file = msnp_plugin_account_file (xa->account, "sign-in-address");
  g_autofree char *url_nl = g_strconcat (url, "\n", NULL);
  g_autofree char *note = NULL;
  g_autofree char *secondary = NULL;

  /* The address on a line of its own, which IRC clients (BitlBee) copy
   * whole; Finch wraps it inside a box, so it is also written to a file
   * from which a terminal user can copy it.  The wording holds whether or
   * not the host opened a browser (Pidgin does; Finch and BitlBee do not). */
  if (write_private (file, url_nl, strlen (url_nl)))
    /* TRANSLATORS: a sentence of its own, placed before "When the
     * browser arrives…" */
    note = g_strdup_printf (_("(The address is also in the file %s.)"), file);
  secondary = g_strdup_printf (
      _("Open this address in a web browser and sign in with your Microsoft "
        "account:\n\n%s\n\n%s%sWhen the browser arrives at a blank page, "
        "copy its whole address and paste it here. To cancel, choose Cancel "
        "or answer \"no\"."), url, note != NULL ? note : "",
      note != NULL ? "\n\n" : "");

  xa->token_done = done;
  purple_connection_update_progress (xa->gc, _("Waiting for you to sign in"), 0, 6);
  purple_notify_uri (xa->gc, url);
  xa->paste_dialog = purple_request_input (
      xa->gc, _("MSN (XMPP) sign-in"),
      problem != NULL ? problem : _("Sign in with your Microsoft account"),
      secondary, NULL, FALSE, FALSE, NULL,
      /* No mnemonic underscores: Finch and BitlBee show them as they are. */
      _("Sign in"), G_CALLBACK (paste_ok), _("Cancel"),
      G_CALLBACK (paste_cancel), xa->account, NULL, NULL, xa);
}

/* ---- entry point ------------------------------------------------------------- */

void
msnp_xmpp_oauth_get_token (MsnpXmppAccount *xa, gboolean force_refresh,
                           MsnpXmppTokenFunc done)
{
  const char *manual = purple_account_get_string (xa->account, "access_token", "");
  g_autoptr (GKeyFile) kf = load_tokens_moving_legacy (xa->account);
  char *access = stored (kf, "access_token");
  char *refresh = stored (kf, "refresh_token");
  g_autofree char *expires = stored (kf, "expires_at");
  gint64 expires_at = g_ascii_strtoll (expires != NULL ? expires : "0", NULL, 10);

  if (manual != NULL && *manual != '\0') {
    /* A token from a URL fragment arrives URL-encoded: decode it. */
    g_autofree char *decoded = g_uri_unescape_string (manual, NULL);
    xa->manual_token = TRUE;
    done (xa, decoded != NULL ? decoded : manual);
  } else if (!force_refresh && access != NULL
             && !msnp_oauth_token_expiring (expires_at, (gint64) time (NULL),
                                            EXPIRY_MARGIN)) {
    done (xa, access);
  } else if (refresh != NULL) {
    purple_debug_info ("msn-xmpp", "refreshing the access token\n");
    post_token_request (xa, msnp_oauth_refresh_body (
                                opt (xa, "client_id", ""),
                                opt (xa, "redirect_uri", MSNP_OAUTH_DEFAULT_REDIRECT),
                                refresh), done);
  } else {
    ask_user (xa, done, NULL);
  }
  wipe_free (access);
  wipe_free (refresh);
}
