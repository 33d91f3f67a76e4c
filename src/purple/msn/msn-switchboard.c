/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The life of an account's switchboard sessions: asked of the NS (XFR
 * SB) or offered by it (RNG), connected, capped at MSNP_SB_MAX_SESSIONS,
 * closed when idle or when nobody joins in time, and freed from the main
 * loop once over.  What the sessions carry is msn-conversation.c's (IM,
 * chat, typing) and msn-delivery.c's (every message confirmed, re-sent
 * once or reported). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <debug.h>
#include <eventloop.h>
#include <server.h>

#include "msn-gateway.h"
#include "msn-switchboard-private.h"

/* Hidden account setting (seconds): how long a session may wait for its
 * first participant.  Only tests shorten it; see MSNP_SB_RING_TIMEOUT. */
#define OPT_RING_TIMEOUT  "ring_timeout"

/* ---- lifetime --------------------------------------------------------- */

void
msnp_sw_stop_ring_timer (MsnpSwitchboard *sw)
{
  if (sw->ring_timer != 0) {
    purple_timeout_remove (sw->ring_timer);
    sw->ring_timer = 0;
  }
}

static void
switchboard_free (MsnpSwitchboard *sw)
{
  msnp_sw_stop_ring_timer (sw);
  if (sw->idle_timer != 0)
    purple_timeout_remove (sw->idle_timer);
  if (sw->reap != 0)
    g_source_remove (sw->reap);
  msnp_transport_free (sw->conn);
  msnp_sb_free (sw->sb);
  g_queue_clear_full (&sw->waiting, msnp_sw_out_message_free);
  g_hash_table_unref (sw->sent);
  g_ptr_array_unref (sw->invites);
  g_free (sw->peer);
  g_free (sw);
}

static gboolean
reap_cb (gpointer data)
{
  MsnpSwitchboard *sw = data;

  sw->reap = 0;
  sw->msn->switchboards = g_list_remove (sw->msn->switchboards, sw);
  switchboard_free (sw);
  return G_SOURCE_REMOVE;
}

void
msnp_sw_retire (MsnpSwitchboard *sw)
{
  sw->closed = TRUE;
  msnp_sw_stop_ring_timer (sw);
  if (sw->idle_timer != 0) {
    purple_timeout_remove (sw->idle_timer);
    sw->idle_timer = 0;
  }
  if (sw->chat_id > 0 && purple_find_chat (sw->msn->gc, sw->chat_id) != NULL)
    serv_got_chat_left (sw->msn->gc, sw->chat_id);
  if (sw->reap == 0)
    sw->reap = g_idle_add (reap_cb, sw);
}

static gboolean
idle_cb (gpointer data)
{
  MsnpSwitchboard *sw = data;

  sw->idle_timer = 0;
  purple_debug_info ("msnp", "closing an idle conversation\n");
  if (sw->sb != NULL)
    msnp_sb_leave (sw->sb);
  return FALSE;
}

void
msnp_sw_touch (MsnpSwitchboard *sw)
{
  int seconds = purple_account_get_int (sw->msn->account, MSNP_OPT_SB_IDLE,
                                        MSNP_DEFAULT_SB_IDLE);

  sw->last_active = g_get_monotonic_time ();
  if (sw->closed || seconds <= 0)
    return;
  if (sw->idle_timer != 0)
    purple_timeout_remove (sw->idle_timer);
  sw->idle_timer = purple_timeout_add_seconds ((guint) seconds, idle_cb, sw);
}

/* Nobody joined in time (#9.6): a contact whose client rang but never
 * answered, a switchboard server that never signed us in, or an NS that
 * never answered XFR SB.  Independent of the idle-close setting, so
 * nothing waits for ever.  The core hands the messages back; each is
 * re-sent once on a fresh session (msn-delivery.c), then reported. */
static gboolean
ring_timeout_cb (gpointer data)
{
  MsnpSwitchboard *sw = data;

  sw->ring_timer = 0;
  if (sw->sb == NULL) {
    OutMessage *msg;

    purple_debug_info ("msnp", "no switchboard granted in time\n");
    while ((msg = g_queue_pop_head (&sw->waiting)) != NULL) {
      msnp_sw_report_because (sw, msg, _("The server did not open the "
                                         "conversation in time."));
      msnp_sw_out_message_free (msg);
    }
    msnp_sw_retire (sw);
    return FALSE;
  }
  /* Signed in and still alone: the contact's client did not answer (the
   * reports say so); otherwise the switchboard server itself was silent. */
  sw->unanswered = msnp_sb_is_ready (sw->sb);
  if (msnp_sb_ring_timeout (sw->sb))
    purple_debug_info ("msnp", "nobody joined the conversation in time\n");
  return FALSE;
}

static void
start_ring_timer (MsnpSwitchboard *sw)
{
  int seconds = purple_account_get_int (sw->msn->account, OPT_RING_TIMEOUT,
                                        MSNP_SB_RING_TIMEOUT);

  sw->ring_timer = purple_timeout_add_seconds (
      (guint) CLAMP (seconds, 1, 600), ring_timeout_cb, sw);
}

static MsnpSwitchboard *
switchboard_new (MsnpAccount *msn, const char *peer)
{
  MsnpSwitchboard *sw = g_new0 (MsnpSwitchboard, 1);

  sw->msn = msn;
  sw->peer = g_strdup (peer);
  sw->invites = g_ptr_array_new_with_free_func (g_free);
  sw->sent = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                    msnp_sw_out_message_free);
  g_queue_init (&sw->waiting);
  sw->last_active = g_get_monotonic_time ();
  msn->switchboards = g_list_prepend (msn->switchboards, sw);
  start_ring_timer (sw);
  return sw;
}

/* ---- how many at once (#13.6) ----------------------------------------- */

static guint
count_open (MsnpAccount *msn)
{
  guint n = 0;

  for (GList *l = msn->switchboards; l != NULL; l = l->next)
    n += !((MsnpSwitchboard *) l->data)->closed;
  return n;
}

/* A session that can go without losing anything: a 1:1 conversation with
 * nothing queued, unacknowledged or being invited (a chat cannot be
 * reopened by the next message, so chats stay). */
static gboolean
is_evictable (MsnpSwitchboard *sw)
{
  return !sw->closed && sw->chat_id == 0 && sw->sb != NULL &&
         msnp_sb_is_idle (sw->sb) && g_hash_table_size (sw->sent) == 0 &&
         g_queue_is_empty (&sw->waiting);
}

/* Room for one more session of our own (MSNP_SB_MAX_SESSIONS).  At the
 * cap, the least recently used idle 1:1 session is left: the user asked
 * for this conversation now, and the idle one reopens by itself with its
 * next message.  FALSE when every session is busy. */
gboolean
msnp_sw_make_room (MsnpAccount *msn)
{
  MsnpSwitchboard *oldest = NULL;

  if (count_open (msn) < MSNP_SB_MAX_SESSIONS)
    return TRUE;
  for (GList *l = msn->switchboards; l != NULL; l = l->next) {
    MsnpSwitchboard *sw = l->data;
    if (is_evictable (sw) &&
        (oldest == NULL || sw->last_active < oldest->last_active))
      oldest = sw;
  }
  if (oldest == NULL)
    return FALSE;
  purple_debug_info ("msnp", "%u conversations open: closing the least "
                     "recently used idle one\n", MSNP_SB_MAX_SESSIONS);
  msnp_sb_leave (oldest->sb);
  return TRUE;
}

/* A new outgoing session: asks the NS for a switchboard.  NULL when
 * signed out (nothing can be asked). */
MsnpSwitchboard *
msnp_sw_open (MsnpAccount *msn, const char *peer)
{
  guint request = msnp_ns_request_switchboard (msn->ns);
  MsnpSwitchboard *sw;

  if (request == 0)
    return NULL;
  sw = switchboard_new (msn, peer);
  sw->request = request;
  if (peer != NULL)
    g_ptr_array_add (sw->invites, g_strdup (peer));
  return sw;
}

/* ---- switchboard session events -------------------------------------- */

static void
sb_write (gpointer user, const char *data, gsize len, gboolean sensitive)
{
  MsnpSwitchboard *sw = user;
  msnp_transport_write (sw->conn, data, len);
}

static void
sb_ready (gpointer user)
{
  MsnpSwitchboard *sw = user;
  const GPtrArray *people = msnp_sb_participants (sw->sb);

  msnp_sw_touch (sw);
  /* Answered an invitation to a session that already has several
   * people: that is a chat. */
  if (people->len > 1 && sw->chat_id == 0)
    msnp_sw_show_as_chat (sw);
}

static void
sb_closed (gpointer user, const GError *error)
{
  MsnpSwitchboard *sw = user;

  if (error != NULL)
    purple_debug_info ("msnp", "conversation ended: %s\n", error->message);
  msnp_sw_retire (sw);
}

static const MsnpSbEvents sb_events = {
  .write       = sb_write,
  .ready       = sb_ready,
  .joined      = msnp_sw_joined,
  .left        = msnp_sw_left,
  .message     = msnp_sw_message,
  .acked       = msnp_sw_acked,
  .undelivered = msnp_sw_undelivered,
  .call_failed = msnp_sw_call_failed,
  .closed      = sb_closed,
};

/* ---- the socket under a session -------------------------------------- */

static void
conn_connected (gpointer user)
{
  MsnpSwitchboard *sw = user;
  msnp_sb_connected (sw->sb);
}

static void
conn_input (gpointer user, const guint8 *data, gsize len)
{
  MsnpSwitchboard *sw = user;
  msnp_sb_feed (sw->sb, data, len);
}

static void
conn_closed (gpointer user, const GError *error)
{
  MsnpSwitchboard *sw = user;

  if (error != NULL)
    purple_debug_info ("msnp", "switchboard connection: %s\n", error->message);
  msnp_sb_disconnected (sw->sb);
}

static const MsnpTransportEvents conn_events = {
  .connected = conn_connected,
  .input     = conn_input,
  .closed    = conn_closed,
};

static void
connect_session (MsnpSwitchboard *sw, const char *host, guint port)
{
  sw->conn = msnp_account_transport_new (sw->msn, "SB", &conn_events, sw);
  msnp_transport_connect (sw->conn, host, port, FALSE);
}

/* ---- notification-session events ------------------------------------- */

static MsnpSwitchboard *
find_request (MsnpAccount *msn, guint request)
{
  for (GList *l = msn->switchboards; l != NULL; l = l->next) {
    MsnpSwitchboard *sw = l->data;
    if (!sw->closed && sw->sb == NULL && sw->request == request)
      return sw;
  }
  return NULL;
}

void
msnp_switchboard_granted (MsnpAccount *msn, guint request, const char *host,
                          guint port, const char *cookie)
{
  MsnpSwitchboard *sw = find_request (msn, request);
  OutMessage *msg;

  if (sw == NULL)
    return;
  sw->request = 0;
  sw->sb = msnp_sb_new_outgoing (purple_account_get_username (msn->account),
                                 cookie, &sb_events, sw);
  msnp_sb_set_trace (sw->sb, purple_debug_is_enabled ());
  for (guint i = 0; i < sw->invites->len; i++)
    msnp_sb_invite (sw->sb, g_ptr_array_index (sw->invites, i));
  g_ptr_array_set_size (sw->invites, 0);
  while ((msg = g_queue_pop_head (&sw->waiting)) != NULL)
    msnp_sw_submit (sw, msg);
  connect_session (sw, host, port);
}

void
msnp_switchboard_refused (MsnpAccount *msn, guint request, guint code)
{
  MsnpSwitchboard *sw = find_request (msn, request);

  if (sw == NULL)
    return;
  /* 913 while invisible, 800 when asking too fast, 0 when offline. */
  msnp_sw_report_waiting (sw, code != 0 ? code : 913);
  msnp_sw_retire (sw);
}

void
msnp_switchboard_ring (MsnpAccount *msn, const char *session_id,
                       const char *host, guint port, const char *cookie,
                       const char *passport, const char *friendly)
{
  MsnpContact *contact = msnp_lists_lookup (msnp_ns_get_lists (msn->ns), passport);
  MsnpSwitchboard *sw;

  /* Someone on the block list is not answered, and nothing is shown. */
  if (contact != NULL && (contact->lists & MSNP_LIST_BL)) {
    purple_debug_info ("msnp", "ignoring an invitation from a blocked contact\n");
    return;
  }
  /* Invitations beyond the cap are not answered: a flood of RNGs must not
   * open a connection each.  The caller's client sees an unanswered
   * invitation, as with a busy official client. */
  if (count_open (msn) >= MSNP_SB_MAX_SESSIONS) {
    purple_debug_info ("msnp", "ignoring an invitation: %u conversations "
                       "open already\n", MSNP_SB_MAX_SESSIONS);
    return;
  }
  sw = switchboard_new (msn, passport);
  sw->sb = msnp_sb_new_incoming (purple_account_get_username (msn->account),
                                 cookie, session_id, &sb_events, sw);
  msnp_sb_set_trace (sw->sb, purple_debug_is_enabled ());
  connect_session (sw, host, port);
}

void
msnp_switchboard_close_all (MsnpAccount *msn)
{
  GList *all = msn->switchboards;

  msn->switchboards = NULL;
  for (GList *l = all; l != NULL; l = l->next) {
    MsnpSwitchboard *sw = l->data;

    /* Every message not confirmed is reported in its conversation, the
     * same way whether it was on a switchboard (handed back by the
     * session as it ends) or still waiting for one (XFR SB unanswered
     * when the link dropped): the user must never lose one silently. */
    if (sw->sb != NULL && !sw->closed)
      msnp_sb_leave (sw->sb);
    msnp_sw_report_waiting (sw, 0);
    switchboard_free (sw);
  }
  g_list_free (all);
  msnp_sw_seen_clear (msn);
}
