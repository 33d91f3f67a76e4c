/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signing in to Messenger XMPP: token → SRV/fixed host → TCP through the
 * proxy → STARTTLS (certificate checked by libpurple against the service
 * domain) → SASL → bind; see-other-host, keepalives, and the one place
 * where core errors become connection errors. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <debug.h>
#include <eventloop.h>

#include "xmpp-account.h"
#include "xmpp-context.h"
#include "xmpp-contacts.h"
#include "xmpp-im.h"
#include "xmpp-oauth.h"

#define KEEPALIVE_SECONDS 60

static void connect_to (MsnpXmppAccount *xa, const char *host, guint port);
static void start_sign_in (MsnpXmppAccount *xa, gboolean force_refresh);

/* ---- errors: the one place core conditions become user sentences ------- */

static const struct {
  const char           *condition;
  PurpleConnectionError reason;
  const char           *sentence;
} stream_conditions[] = {
  { "host-unknown", PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
    N_("The server does not serve this domain.") },
  { "system-shutdown", PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
    N_("The server is shutting down.") },
  { "policy-violation", PURPLE_CONNECTION_ERROR_OTHER_ERROR,
    N_("The server closed the connection because of a policy violation.") },
  { "not-authorized", PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
    N_("The server refused the sign-in.") },
  { "reset", PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
    N_("The server reset the connection.") },
};

static char *
describe_error (const GError *error, PurpleConnectionError *reason)
{
  *reason = PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
  switch ((MsnpXmppErrorCode) error->code) {
  case MSNP_XMPP_ERROR_PARSE:
  case MSNP_XMPP_ERROR_LIMIT:
  case MSNP_XMPP_ERROR_PROTOCOL:
    return g_strdup_printf (_("The server sent data that is not valid XMPP (%s)."),
                            error->message);
  case MSNP_XMPP_ERROR_NO_TLS:
  case MSNP_XMPP_ERROR_TLS_REFUSED:
    *reason = PURPLE_CONNECTION_ERROR_ENCRYPTION_ERROR;
    return g_strdup (_("The server does not offer an encrypted connection; "
                       "your sign-in was not sent."));
  case MSNP_XMPP_ERROR_NO_MECHANISM:
    *reason = PURPLE_CONNECTION_ERROR_AUTHENTICATION_IMPOSSIBLE;
    return g_strdup (_("The server does not accept Messenger (OAuth) sign-in."));
  case MSNP_XMPP_ERROR_AUTH:
    *reason = PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED;
    return g_strdup_printf (_("The server refused your sign-in (%s)."),
                            error->message);
  case MSNP_XMPP_ERROR_CONFLICT:
    *reason = PURPLE_CONNECTION_ERROR_NAME_IN_USE;
    return g_strdup (_("You have signed in from another location."));
  case MSNP_XMPP_ERROR_BIND:
    *reason = PURPLE_CONNECTION_ERROR_OTHER_ERROR;
    return g_strdup (_("The server did not give this session an address."));
  case MSNP_XMPP_ERROR_CLOSED:
    return g_strdup (_("The server closed the connection."));
  case MSNP_XMPP_ERROR_STREAM:
    for (gsize i = 0; i < G_N_ELEMENTS (stream_conditions); i++)
      if (strcmp (stream_conditions[i].condition, error->message) == 0) {
        *reason = stream_conditions[i].reason;
        return g_strdup (_(stream_conditions[i].sentence));
      }
    return g_strdup_printf (_("The server ended the connection (%s)."),
                            error->message);
  }
  return g_strdup (error->message);
}

static void
connection_error (MsnpXmppAccount *xa, PurpleConnectionError reason,
                  const char *sentence)
{
  purple_connection_error_reason (xa->gc, reason, sentence);
}

/* ---- the sign-in timeout ------------------------------------------------- */

/* Counts seconds of sign-in, except while the user is being asked to paste
 * the browser's address (that may take minutes, and is no fault of the
 * network).  Everything else — token requests, SRV, TCP, TLS, SASL,
 * binding, see-other-host — counts: a silent peer at any step ends in a
 * network error, which libpurple answers with a reconnect. */
static gboolean
sign_in_tick (gpointer data)
{
  MsnpXmppAccount *xa = data;
  int limit = purple_account_get_int (xa->account, MSNP_XMPP_OPT_TIMEOUT,
                                      MSNP_XMPP_DEFAULT_TIMEOUT);

  if (xa->paste_dialog != NULL)
    return G_SOURCE_CONTINUE;
  if (++xa->sign_in_spent < (guint) (limit >= 1 ? limit : MSNP_XMPP_DEFAULT_TIMEOUT))
    return G_SOURCE_CONTINUE;
  xa->sign_in_timer = 0;
  purple_debug_warning ("msn-xmpp", "sign-in timed out after %u s%s\n",
                        xa->sign_in_spent,
                        xa->http != NULL ? " (waiting for the token endpoint)" : "");
  connection_error (xa, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
                    xa->http != NULL
                        ? _("The Microsoft account sign-in service did not "
                            "answer in time.")
                        : _("The server did not answer in time while signing in."));
  return G_SOURCE_REMOVE;
}

/* At login, and again when a redirect or token retry after sign-in starts
 * a new one: every sign-in is bounded. */
static void
start_sign_in_timer (MsnpXmppAccount *xa)
{
  if (xa->sign_in_timer != 0)
    return;  /* the sign-in under way keeps its clock */
  xa->sign_in_spent = 0;
  xa->sign_in_timer = purple_timeout_add_seconds (1, sign_in_tick, xa);
}

static void
stop_sign_in_timer (MsnpXmppAccount *xa)
{
  if (xa->sign_in_timer != 0)
    purple_timeout_remove (xa->sign_in_timer);
  xa->sign_in_timer = 0;
}

/* ---- the connection ----------------------------------------------------- */

static void
drop_connection (MsnpXmppAccount *xa)
{
  if (xa->keepalive != 0) {
    purple_timeout_remove (xa->keepalive);
    xa->keepalive = 0;
  }
  msnp_transport_free (xa->transport);
  xa->transport = NULL;
  msnp_xmpp_session_free (xa->session);
  xa->session = NULL;
}

static gboolean
keepalive_cb (gpointer data)
{
  MsnpXmppAccount *xa = data;

  /* Whitespace pings: the service's idea of a keepalive. */
  if (xa->session != NULL)
    msnp_xmpp_session_keepalive (xa->session);
  return TRUE;
}

static gboolean
restart_cb (gpointer data)
{
  MsnpXmppAccount *xa = data;
  g_autofree char *host = g_steal_pointer (&xa->next_host);

  xa->restart_idle = 0;
  drop_connection (xa);
  if (host == NULL)
    start_sign_in (xa, TRUE);
  else
    connect_to (xa, host, xa->next_port);
  return G_SOURCE_REMOVE;
}

/* Reconnects from the main loop (never from inside the session). */
static void
schedule_restart (MsnpXmppAccount *xa, const char *host, guint port)
{
  g_free (xa->next_host);
  xa->next_host = g_strdup (host);
  xa->next_port = port;
  start_sign_in_timer (xa);
  if (xa->restart_idle == 0)
    xa->restart_idle = purple_timeout_add (0, restart_cb, xa);
}

/* ---- session events ------------------------------------------------------ */

static void
ev_write (gpointer user, const char *data, gsize len, gboolean secret)
{
  MsnpXmppAccount *xa = user;

  if (purple_debug_is_verbose ())
    purple_debug_misc ("msn-xmpp", "C: %.*s\n", secret ? 0 : (int) MIN (len, 2000),
                       secret ? "" : data);
  if (secret)
    purple_debug_info ("msn-xmpp", "C: <auth> (the access token is not logged)\n");
  msnp_transport_write (xa->transport, data, len);
}

static void
ev_state_changed (gpointer user, MsnpXmppState state)
{
  MsnpXmppAccount *xa = user;
  static const struct { MsnpXmppState state; const char *text; int step; } steps[] = {
    { MSNP_XMPP_STATE_STARTTLS_SENT, N_("Starting encryption"), 2 },
    { MSNP_XMPP_STATE_AUTH_SENT, N_("Signing in"), 3 },
    { MSNP_XMPP_STATE_BINDING, N_("Starting the session"), 4 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i].state == state)
      purple_connection_update_progress (xa->gc, _(steps[i].text),
                                         steps[i].step, 6);
}

static void
ev_start_tls (gpointer user)
{
  MsnpXmppAccount *xa = user;

  /* The certificate must match the service domain, wherever we were sent
   * (see-other-host keeps the domain). */
  msnp_transport_start_tls (xa->transport, xa->domain);
}

static void
ev_ready (gpointer user, const char *jid)
{
  MsnpXmppAccount *xa = user;

  purple_debug_info ("msn-xmpp", "bound as %s\n", jid);
  stop_sign_in_timer (xa);
  xa->redirects = 0;
  xa->token_retried = FALSE;
  {
    /* Our own lines show the bare JID, not this session's resource. */
    g_autofree char *bare = msnp_xmpp_jid_bare (jid);
    purple_connection_set_display_name (xa->gc, bare != NULL ? bare : jid);
  }
  purple_connection_set_state (xa->gc, PURPLE_CONNECTED);
  xa->keepalive = purple_timeout_add_seconds (KEEPALIVE_SECONDS, keepalive_cb, xa);
  msnp_xmpp_contacts_signed_on (xa);
}

static void
ev_redirect (gpointer user, const char *host, guint port)
{
  MsnpXmppAccount *xa = user;

  if (++xa->redirects > MSNP_XMPP_MAX_REDIRECTS) {
    connection_error (xa, PURPLE_CONNECTION_ERROR_NETWORK_ERROR,
                      _("The server redirected the connection too many times."));
    return;
  }
  purple_debug_info ("msn-xmpp", "see-other-host: %s port %u\n", host, port);
  schedule_restart (xa, host, port);
}

static void
ev_error (gpointer user, const GError *error)
{
  MsnpXmppAccount *xa = user;
  PurpleConnectionError reason;
  g_autofree char *sentence = NULL;

  purple_debug_warning ("msn-xmpp", "session error %d: %s\n", error->code,
                        error->message);
  /* A rejected token is refreshed once before the user hears about it. */
  if (error->code == MSNP_XMPP_ERROR_AUTH && !xa->manual_token
      && !xa->token_retried) {
    xa->token_retried = TRUE;
    msnp_xmpp_oauth_forget_access (xa);
    schedule_restart (xa, NULL, 0);
    return;
  }
  sentence = describe_error (error, &reason);
  connection_error (xa, reason, sentence);
}

static void
ev_message (gpointer user, MsnpXmppNode *stanza)
{
  msnp_xmpp_im_message (user, stanza);
}

static void
ev_presence (gpointer user, MsnpXmppNode *stanza)
{
  msnp_xmpp_contacts_presence (user, stanza);
}

static gboolean
ev_iq (gpointer user, MsnpXmppNode *stanza)
{
  return msnp_xmpp_contacts_iq (user, stanza);
}

static const MsnpXmppSessionEvents session_events = {
  .write = ev_write,
  .state_changed = ev_state_changed,
  .start_tls = ev_start_tls,
  .ready = ev_ready,
  .redirect = ev_redirect,
  .error = ev_error,
  .message = ev_message,
  .presence = ev_presence,
  .iq = ev_iq,
};

/* ---- transport events ----------------------------------------------------- */

static void
tr_connected (gpointer user)
{
  MsnpXmppAccount *xa = user;

  if (msnp_xmpp_session_get_state (xa->session) == MSNP_XMPP_STATE_TLS_HANDSHAKE)
    msnp_xmpp_session_tls_ready (xa->session);
  else
    msnp_xmpp_session_start (xa->session);
}

static void
tr_input (gpointer user, const guint8 *data, gsize len)
{
  MsnpXmppAccount *xa = user;

  if (purple_debug_is_verbose ())
    purple_debug_misc ("msn-xmpp", "S: %.*s\n", (int) MIN (len, 2000),
                       (const char *) data);
  msnp_xmpp_session_feed (xa->session, data, len);
}

static void
tr_closed (gpointer user, const GError *error)
{
  MsnpXmppAccount *xa = user;

  /* A see-other-host or token retry is already under way. */
  if (xa->restart_idle != 0)
    return;
  if (msnp_xmpp_session_get_state (xa->session) == MSNP_XMPP_STATE_DEAD
      && error == NULL)
    return;  /* the session has reported why */
  connection_error (xa, msnp_io_error_reason (error),
                    error != NULL ? error->message
                                  : _("The server closed the connection."));
}

static const MsnpTransportEvents transport_events = {
  .connected = tr_connected,
  .input = tr_input,
  .closed = tr_closed,
};

static void
connect_to (MsnpXmppAccount *xa, const char *host, guint port)
{
  drop_connection (xa);
  purple_debug_info ("msn-xmpp", "connecting to %s port %u for %s\n", host,
                     port, xa->domain);
  purple_connection_update_progress (xa->gc, _("Connecting"), 1, 6);
  xa->session = msnp_xmpp_session_new (xa->domain, &session_events, xa);
  msnp_xmpp_session_set_token (xa->session, xa->access_token);
  msnp_xmpp_session_set_resource (
      xa->session, purple_account_get_string (xa->account, "resource", ""));
  xa->transport = msnp_transport_new (xa->account, &transport_events, xa);
  msnp_transport_connect (xa->transport, host, port, FALSE);
}

static void
connect_fixed (MsnpXmppAccount *xa)
{
  connect_to (xa, purple_account_get_string (xa->account, "server",
                                             "xmpp.messenger.live.com"),
              (guint) purple_account_get_int (xa->account, "port",
                                              MSNP_XMPP_DEFAULT_PORT));
}

static void
srv_cb (PurpleSrvResponse *resp, int results, gpointer data)
{
  MsnpXmppAccount *xa = data;

  xa->srv = NULL;
  if (results > 0 && resp[0].hostname[0] != '\0' && resp[0].port > 0)
    connect_to (xa, resp[0].hostname, (guint) resp[0].port);
  else
    connect_fixed (xa);  /* no SRV record: the documented fixed host */
  g_free (resp);
}

static void
token_ready (MsnpXmppAccount *xa, const char *token)
{
  if (token == NULL)
    return;  /* an error has been reported */
  g_free (xa->access_token);
  xa->access_token = g_strdup (token);
  if (purple_account_get_bool (xa->account, "use_srv", TRUE)) {
    purple_connection_update_progress (xa->gc, _("Looking up the server"), 0, 6);
    xa->srv = purple_srv_resolve_account (xa->account, "xmpp-client", "tcp",
                                          xa->domain, srv_cb, xa);
    return;
  }
  connect_fixed (xa);
}

static void
start_sign_in (MsnpXmppAccount *xa, gboolean force_refresh)
{
  msnp_xmpp_oauth_get_token (xa, force_refresh, token_ready);
}

void
msnp_xmpp_account_login (PurpleAccount *account)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  MsnpXmppAccount *xa = g_new0 (MsnpXmppAccount, 1);

  xa->account = account;
  xa->gc = gc;
  xa->domain = g_strdup (purple_account_get_string (account, "domain",
                                                    "messenger.live.com"));
  xa->presence = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  xa->history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gc->proto_data = xa;
  gc->flags |= PURPLE_CONNECTION_NO_BGCOLOR | PURPLE_CONNECTION_NO_FONTSIZE
               | PURPLE_CONNECTION_NO_URLDESC | PURPLE_CONNECTION_NO_IMAGES;
  msnp_xmpp_im_init (xa);
  start_sign_in_timer (xa);
  start_sign_in (xa, FALSE);
}

void
msnp_xmpp_account_close (PurpleConnection *gc)
{
  MsnpXmppAccount *xa = msnp_xmpp_account_of (gc);

  if (xa == NULL)
    return;
  msnp_xmpp_im_uninit (xa);
  stop_sign_in_timer (xa);
  if (xa->session != NULL && xa->transport != NULL
      && msnp_transport_is_connected (xa->transport))
    msnp_xmpp_session_close (xa->session);
  if (xa->srv != NULL)
    purple_srv_cancel (xa->srv);
  if (xa->restart_idle != 0)
    purple_timeout_remove (xa->restart_idle);
  msnp_xmpp_oauth_cancel (xa);
  drop_connection (xa);
  g_hash_table_unref (xa->presence);
  g_hash_table_unref (xa->history);
  if (xa->access_token != NULL)
    memset (xa->access_token, 0, strlen (xa->access_token));
  g_free (xa->access_token);
  g_free (xa->next_host);
  g_free (xa->domain);
  gc->proto_data = NULL;
  g_free (xa);
}
