/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <debug.h>
#include <notify.h>
#include <util.h>

#include "msn-account.h"
#include "msn-auth.h"
#include "msn-blist.h"
#include "msn-context.h"
#include "msn-gateway.h"
#include "msn-lists.h"
#include "msn-mail.h"
#include "msn-mobile.h"
#include "msn-passport-login.h"
#include "msn-privacy.h"
#include "msn-status.h"
#include "msn-switchboard.h"
#include "msn-xfer.h"
#include "msnp-error.h"
#include "msnp-plugin-common.h"

static const char *const step_text[MSNP_NS_N_STEPS] = {
  [MSNP_NS_STEP_CONNECTING]     = N_("Connecting"),
  [MSNP_NS_STEP_HANDSHAKE]      = N_("Handshaking"),
  [MSNP_NS_STEP_REDIRECTED]     = N_("Transferring to the notification server"),
  [MSNP_NS_STEP_PASSPORT]       = N_("Signing in to Passport"),
  [MSNP_NS_STEP_AUTHENTICATING] = N_("Authenticating"),
  [MSNP_NS_STEP_SYNCING]        = N_("Retrieving the contact list"),
  [MSNP_NS_STEP_DONE]           = N_("Signed in"),
};

/* ---- errors: the one place core errors become connection errors ------- */

static PurpleConnectionError
reason_for (const GError *error)
{
  if (error->domain == MSNP_SERVER_ERROR) {
    switch (msnp_server_error_signin_class ((guint) error->code)) {
    case MSNP_SIGNIN_RETRY:
      return PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
    case MSNP_SIGNIN_CREDENTIALS:
      return PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED;
    case MSNP_SIGNIN_USERNAME:
      return PURPLE_CONNECTION_ERROR_INVALID_USERNAME;
    case MSNP_SIGNIN_ACCOUNT:
      return PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE;
    case MSNP_SIGNIN_FINAL:
    default:
      return PURPLE_CONNECTION_ERROR_OTHER_ERROR;
    }
  }
  if (error->domain == MSNP_IO_ERROR)
    return msnp_io_error_reason (error);
  if (error->domain != MSNP_ERROR)
    return PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
  switch ((MsnpErrorCode) error->code) {
  case MSNP_ERROR_AUTH_FAILED:
    return PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED;
  case MSNP_ERROR_OTHER_LOCATION:
    /* libpurple does not reconnect after NAME_IN_USE: signing back in
     * would only throw the other location out in turn. */
    return PURPLE_CONNECTION_ERROR_NAME_IN_USE;
  case MSNP_ERROR_VERSION:
  case MSNP_ERROR_LIST_TOO_BIG:   /* signing in again would not help */
    return PURPLE_CONNECTION_ERROR_OTHER_ERROR;
  case MSNP_ERROR_PASSPORT:
    return PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE;
  case MSNP_ERROR_SETTINGS:
    return PURPLE_CONNECTION_ERROR_INVALID_SETTINGS;
  default:
    return PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
  }
}

static void
account_fail (MsnpAccount *msn, const GError *error)
{
  if (msn->gc->wants_to_die)
    return;
  purple_connection_error_reason (msn->gc, reason_for (error), error->message);
}

static void
fail_network (MsnpAccount *msn, MsnpErrorCode code, const char *message)
{
  GError *error = g_error_new_literal (MSNP_ERROR, code, message);
  msnp_ns_abort (msn->ns, error);
  g_error_free (error);
}

/* ---- list cache ------------------------------------------------------- */

static char *
cache_path_for (PurpleAccount *account)
{
  const char *server = purple_account_get_string (account, MSNP_OPT_SERVER,
                                                  MSNP_DEFAULT_SERVER);
  g_autofree char *who = g_ascii_strdown (purple_account_get_username (account), -1);
  g_autofree char *name = g_strdup_printf ("%s@%s.lists", who, server);

  return msnp_plugin_user_file (name);
}

static void
load_lists (MsnpAccount *msn)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (msn->cache_path, &text, &len, NULL))
    return;
  if (!msnp_lists_read_cache (msnp_ns_get_lists (msn->ns), text, len))
    purple_debug_warning ("msnp", "ignoring an unreadable list cache\n");
}

static void
save_lists (MsnpAccount *msn)
{
  g_autoptr (GString) text = g_string_sized_new (4096);
  g_autofree char *dir = g_path_get_dirname (msn->cache_path);

  if (msn->save_timer != 0) {
    purple_timeout_remove (msn->save_timer);
    msn->save_timer = 0;
  }
  msnp_lists_write_cache (msnp_ns_get_lists (msn->ns), text);
  if (g_mkdir_with_parents (dir, 0700) != 0 ||
      !purple_util_write_data_to_file_absolute (msn->cache_path, text->str,
                                                (gssize) text->len))
    purple_debug_warning ("msnp", "could not write the list cache\n");
}

static gboolean
save_lists_cb (gpointer data)
{
  MsnpAccount *msn = data;

  msn->save_timer = 0;
  save_lists (msn);
  return FALSE;
}

/* ---- timers ----------------------------------------------------------- */

static gboolean
keepalive_cb (gpointer data)
{
  MsnpAccount *msn = data;

  if (!msnp_ns_keepalive (msn->ns)) {
    msn->keepalive_timer = 0;
    fail_network (msn, MSNP_ERROR_TIMEOUT,
                  _("The MSN server stopped responding."));
    return FALSE;
  }
  return TRUE;
}

static gboolean
login_timeout_cb (gpointer data)
{
  MsnpAccount *msn = data;

  msn->login_timer = 0;
  fail_network (msn, MSNP_ERROR_TIMEOUT,
                msn->http != NULL
                    ? _("Passport sign-in failed: the Passport server did not "
                        "answer in time.")
                    : _("The MSN server did not answer in time while signing in."));
  return FALSE;
}

static guint
option_seconds (PurpleAccount *account, const char *key, int fallback)
{
  int value = purple_account_get_int (account, key, fallback);
  return value >= 1 ? (guint) value : (guint) fallback;
}

/* ---- transport events ------------------------------------------------- */

static void
conn_connected (gpointer user)
{
  MsnpAccount *msn = user;
  msnp_ns_connected (msn->ns);
}

static void
conn_input (gpointer user, const guint8 *data, gsize len)
{
  MsnpAccount *msn = user;
  msnp_ns_feed (msn->ns, data, len);
}

static const MsnpTransportEvents conn_events;

static void
conn_closed (gpointer user, const GError *error)
{
  MsnpAccount *msn = user;

  if (msnp_gateway_fallback (msn, error, &conn_events))
    return;
  if (error != NULL) {
    msnp_ns_abort (msn->ns, error);
    return;
  }
  msnp_ns_disconnected (msn->ns);
}

static const MsnpTransportEvents conn_events = {
  .connected = conn_connected,
  .input     = conn_input,
  .closed    = conn_closed,
};

/* ---- notification session events ------------------------------------- */

static void
ns_write (gpointer user, const char *data, gsize len, gboolean sensitive)
{
  MsnpAccount *msn = user;
  msnp_transport_write (msn->ns_conn, data, len);
}

static void
ns_progress (gpointer user, MsnpNsStep step)
{
  MsnpAccount *msn = user;

  if (step < MSNP_NS_STEP_DONE)
    purple_connection_update_progress (msn->gc, _(step_text[step]), step,
                                       MSNP_NS_N_STEPS);
}

static void
ns_redirect (gpointer user, const char *host, guint port)
{
  MsnpAccount *msn = user;

  purple_debug_info ("msnp", "transferred to %s:%u\n", host, port);
  msnp_transport_connect (msn->ns_conn, host, port, FALSE);
}

static void
ns_need_ticket (gpointer user, const char *challenge)
{
  msnp_passport_login_start (user, challenge);
}

static void
ns_synced (gpointer user, gboolean changed)
{
  MsnpAccount *msn = user;

  purple_debug_info ("msnp", "contact list %s (version %s, %u contacts)\n",
                     changed ? "downloaded" : "unchanged",
                     msnp_lists_get_version (msnp_ns_get_lists (msn->ns)),
                     msnp_lists_n_contacts (msnp_ns_get_lists (msn->ns)));
  /* Privacy and authorizations read the model, not the buddy list, and
   * must be settled before libpurple's signed-on asks the prpl to apply
   * the privacy mode (serv_set_permit_deny). */
  if (msnp_blist_synced (msn)) {
    msnp_privacy_synced (msn);
    msnp_auth_synced (msn);
  }
}

static gboolean
ns_hold_status (gpointer user)
{
  return msnp_privacy_to_send (user);
}

static void
ns_listed (gpointer user, const MsnpContact *contact)
{
  msnp_blist_listed (user, contact);
}

static void
ns_online (gpointer user)
{
  MsnpAccount *msn = user;

  if (msn->login_timer != 0) {
    purple_timeout_remove (msn->login_timer);
    msn->login_timer = 0;
  }
  /* Over the HTTP gateway, polling keeps the session alive and notices a
   * gateway that is gone; a PNG there gets an HTTP error (hypothetic.org,
   * "HTTP Connections"). */
  if (msn->keepalive_timer == 0 && !msnp_transport_is_gateway (msn->ns_conn))
    msn->keepalive_timer = purple_timeout_add_seconds (
        option_seconds (msn->account, MSNP_OPT_KEEPALIVE, MSNP_DEFAULT_KEEPALIVE),
        keepalive_cb, msn);
  msn->signed_in_at = g_get_real_time () / G_USEC_PER_SEC;
  msnp_blist_connect_when_synced (msn);
}

static void
ns_presence (gpointer user, const char *passport, MsnpStatus status,
             const char *friendly)
{
  msnp_blist_presence (user, passport, status, friendly);
}

static void
ns_own_status (gpointer user, MsnpStatus status)
{
  purple_debug_info ("msnp", "own state is now %s\n", msnp_status_to_code (status));
}

static void
ns_own_friendly (gpointer user, const char *friendly)
{
  MsnpAccount *msn = user;
  PurpleSetPublicAliasSuccessCallback ok = msn->alias_ok;

  purple_connection_set_display_name (msn->gc, friendly);
  msn->alias_ok = NULL;
  msn->alias_fail = NULL;
  if (ok != NULL)
    ok (msn->account, friendly);
}

static void
ns_contact_changed (gpointer user, const MsnpContact *contact)
{
  msnp_blist_contact_changed (user, contact);
  msnp_mobile_contact_changed (user, contact);
}

static void
ns_lists_dirty (gpointer user)
{
  MsnpAccount *msn = user;

  /* Coalesce a burst of list changes into one write. */
  if (msn->save_timer == 0)
    msn->save_timer = purple_timeout_add_seconds (2, save_lists_cb, msn);
}

static void
ns_message (gpointer user, const char *content_type, const MsnpMime *mime)
{
  purple_debug_misc ("msnp", "notification message of type %s\n", content_type);
  msnp_mail_message (user, content_type, mime);
}

static void
ns_list_changed (gpointer user, guint trid, const MsnpListChange *change)
{
  MsnpAccount *msn = user;

  /* The list editor first: it drops the finished request, which the
   * privacy module looks at to tell a settled state from one in flight. */
  msnp_list_edit_changed (msn->edit, trid, change);
  msnp_privacy_changed (msn, change);
  msnp_auth_changed (msn, change);
}

static void
ns_page (gpointer user, const char *from, const char *text, gboolean too_long)
{
  msnp_mobile_page_received (user, from, text, too_long);
}

static void
ns_page_failed (gpointer user, guint trid, guint code)
{
  msnp_mobile_page_failed (user, trid, code);
}

static void
ns_request_failed (gpointer user, guint trid, const char *command, guint code)
{
  if (strcmp (command, "URL") == 0)
    msnp_mail_failed (user, trid, code);
  else
    msnp_list_edit_refused (((MsnpAccount *) user)->edit, trid, command, code);
}

static void
ns_url (gpointer user, guint trid, const char *rru, const char *url,
        const char *id)
{
  msnp_mail_url (user, trid, rru, url, id);
}

static void
ns_server_error (gpointer user, guint code, const char *command)
{
  MsnpAccount *msn = user;
  g_autofree char *sentence = msnp_server_error_sentence (code);

  if (strcmp (command, "REA") == 0 && msn->alias_fail != NULL) {
    PurpleSetPublicAliasFailureCallback fail = msn->alias_fail;
    msn->alias_ok = NULL;
    msn->alias_fail = NULL;
    fail (msn->account, sentence);
    return;
  }
  purple_notify_error (msn->gc, _("MSN error"),
                       _("The MSN server refused a request."), sentence);
}

static void
ns_switchboard (gpointer user, guint request, const char *host, guint port,
                const char *cookie)
{
  msnp_switchboard_granted (user, request, host, port, cookie);
}

static void
ns_switchboard_failed (gpointer user, guint request, guint code)
{
  msnp_switchboard_refused (user, request, code);
}

static void
ns_ring (gpointer user, const char *session_id, const char *host, guint port,
         const char *cookie, const char *passport, const char *friendly)
{
  msnp_switchboard_ring (user, session_id, host, port, cookie, passport,
                         friendly);
}

static void
ns_closed (gpointer user, const GError *error)
{
  MsnpAccount *msn = user;

  if (error != NULL)
    account_fail (msn, error);
}

static const MsnpNsEvents ns_events = {
  .write           = ns_write,
  .progress        = ns_progress,
  .redirect        = ns_redirect,
  .need_ticket     = ns_need_ticket,
  .listed          = ns_listed,
  .synced          = ns_synced,
  .hold_status     = ns_hold_status,
  .online          = ns_online,
  .presence        = ns_presence,
  .own_status      = ns_own_status,
  .own_friendly    = ns_own_friendly,
  .contact_changed = ns_contact_changed,
  .lists_dirty     = ns_lists_dirty,
  .message         = ns_message,
  .server_error    = ns_server_error,
  .switchboard     = ns_switchboard,
  .switchboard_failed = ns_switchboard_failed,
  .ring            = ns_ring,
  .list_changed    = ns_list_changed,
  .request_failed  = ns_request_failed,
  .url             = ns_url,
  .page            = ns_page,
  .page_failed     = ns_page_failed,
  .closed          = ns_closed,
};

/* Invitations on switchboards go to the file transfers; the switchboard
 * part does not include msn-xfer.h (it is the one msn-xfer uses). */
const MsnpSwitchboardInvitations msnp_switchboard_invitations = {
  .received = msnp_xfer_invitation,
  .failed   = msnp_xfer_invitation_failed,
};

/* ---- list-editor events: the rollbacks go to the part that owns what is
 * rolled back ---------------------------------------------------------- */

static void
edit_resync_contact (gpointer user, const char *passport)
{
  MsnpAccount *msn = user;

  msn->applying_server = TRUE;
  msnp_blist_resync_contact (msn, passport);
  msn->applying_server = FALSE;
}

static void
edit_resync_all (gpointer user)
{
  MsnpAccount *msn = user;

  msn->applying_server = TRUE;
  msnp_blist_sync (msn);
  msn->applying_server = FALSE;
}

static void
edit_rename_back (gpointer user, const char *wanted, const char *name)
{
  msnp_lists_ui_rename_back (user, wanted, name);
}

static void
edit_resync_privacy (gpointer user)
{
  msnp_privacy_resync (user);
}

typedef struct {
  MsnpEditKind kind;
  char *passport, *group, *old_name;
  guint code;
} LocalFailure;

static void
local_failure_free (LocalFailure *f)
{
  g_free (f->passport);
  g_free (f->group);
  g_free (f->old_name);
  g_free (f);
}

static gboolean
local_failures_cb (gpointer data)
{
  MsnpAccount *msn = data;
  GSList *failures = g_slist_reverse (msn->local_failures);

  msn->local_failures = NULL;
  msn->local_failure_timer = 0;
  for (GSList *l = failures; l != NULL; l = l->next) {
    LocalFailure *f = l->data;
    MsnpEditFailure failure = { .kind = f->kind, .passport = f->passport,
                                .group = f->group, .old_name = f->old_name,
                                .code = f->code, .sent = FALSE };

    if (f->passport != NULL)
      edit_resync_contact (msn, f->passport);
    msnp_lists_ui_failed (msn, &failure);
  }
  g_slist_free_full (failures, (GDestroyNotify) local_failure_free);
  return FALSE;
}

/* A change refused before it went out: libpurple is still inside the
 * call that made it, so the rollback waits for an idle moment. */
static void
edit_failed (gpointer user, const MsnpEditFailure *failure)
{
  MsnpAccount *msn = user;
  LocalFailure *f;

  if (failure->sent) {
    msnp_lists_ui_failed (msn, failure);
    return;
  }
  f = g_new0 (LocalFailure, 1);
  f->kind = failure->kind;
  f->passport = g_strdup (failure->passport);
  f->group = g_strdup (failure->group);
  f->old_name = g_strdup (failure->old_name);
  f->code = failure->code;
  msn->local_failures = g_slist_prepend (msn->local_failures, f);
  if (msn->local_failure_timer == 0)
    msn->local_failure_timer = purple_timeout_add (0, local_failures_cb, msn);
}

static const MsnpListEditEvents edit_events = {
  .resync_contact = edit_resync_contact,
  .resync_all     = edit_resync_all,
  .rename_back    = edit_rename_back,
  .resync_privacy = edit_resync_privacy,
  .failed         = edit_failed,
};

static const MsnpAccountHooks hooks = {
  .blist_in_place = msnp_mobile_refresh_all,
};

/* ---- login and close -------------------------------------------------- */

void
msnp_account_login (PurpleAccount *account)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  MsnpAccount *msn = g_new0 (MsnpAccount, 1);
  const char *server;
  int port;

  msn->gc = gc;
  msn->account = account;
  gc->proto_data = msn;
  /* HTML: hosts enable their formatting toolbar only for connections that
   * declare it; msnp_im_from_html maps it to X-MMS-IM-Format, which styles
   * a whole message (WBFO) and has no size or background. */
  gc->flags |= PURPLE_CONNECTION_HTML | PURPLE_CONNECTION_FORMATTING_WBFO |
               PURPLE_CONNECTION_NO_FONTSIZE | PURPLE_CONNECTION_NO_BGCOLOR |
               PURPLE_CONNECTION_NO_URLDESC | PURPLE_CONNECTION_NO_IMAGES;

  msn->hooks = &hooks;
  msn->ns = msnp_ns_new (purple_account_get_username (account), &ns_events, msn);
  msn->edit = msnp_list_edit_new (msn->ns, &edit_events, msn);
  msnp_ns_set_trace (msn->ns, purple_debug_is_enabled ());
  msn->cache_path = cache_path_for (account);
  load_lists (msn);
  msnp_ns_set_initial_status (msn->ns, msnp_status_from_purple (account));

  server = purple_account_get_string (account, MSNP_OPT_SERVER, MSNP_DEFAULT_SERVER);
  port = purple_account_get_int (account, MSNP_OPT_PORT, MSNP_DEFAULT_PORT);
  if (server == NULL || *server == '\0' || port <= 0 || port > 65535) {
    purple_connection_error_reason (gc, PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
                                    _("The server address or port is not valid."));
    return;
  }
  if (!msnp_passport_login_check_settings (msn))
    return;
  purple_connection_update_progress (gc, _(step_text[MSNP_NS_STEP_CONNECTING]),
                                     MSNP_NS_STEP_CONNECTING, MSNP_NS_N_STEPS);
  msn->login_timer = purple_timeout_add_seconds (
      option_seconds (account, MSNP_OPT_TIMEOUT, MSNP_DEFAULT_TIMEOUT),
      login_timeout_cb, msn);
  msn->ns_conn = msnp_account_transport_new (msn, "NS", &conn_events, msn);
  msnp_transport_connect (msn->ns_conn, server, (guint) port, FALSE);
}

void
msnp_account_close (PurpleConnection *gc)
{
  MsnpAccount *msn = gc->proto_data;

  if (msn == NULL)
    return;
  msnp_passport_login_cancel (msn);
  if (msn->ns_conn != NULL && msnp_transport_is_connected (msn->ns_conn))
    msnp_ns_sign_out (msn->ns);
  else
    msnp_ns_abort (msn->ns, NULL);
  msnp_switchboard_close_all (msn);
  msnp_transport_free (msn->ns_conn);
  if (msn->keepalive_timer != 0)
    purple_timeout_remove (msn->keepalive_timer);
  if (msn->login_timer != 0)
    purple_timeout_remove (msn->login_timer);
  if (msn->save_timer != 0)
    save_lists (msn);
  if (msn->local_failure_timer != 0)
    purple_timeout_remove (msn->local_failure_timer);
  g_slist_free_full (msn->local_failures, (GDestroyNotify) local_failure_free);
  msnp_auth_free (msn);
  msnp_mobile_free (msn);
  msnp_mail_free (msn);
  msnp_list_edit_free (msn->edit);   /* it borrows the session */
  msnp_ns_free (msn->ns);
  msnp_blist_free (msn);
  msnp_privacy_free (msn);
  g_free (msn->cache_path);
  g_free (msn);
  gc->proto_data = NULL;
}
