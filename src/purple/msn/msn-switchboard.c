/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include <conversation.h>
#include <debug.h>
#include <eventloop.h>
#include <notify.h>
#include <server.h>

#include "msn-gateway.h"
#include "msn-switchboard.h"
#include "msn-xfer.h"
#include "msnp-command.h"
#include "msnp-error.h"
#include "msnp-format.h"
#include "msnp-sb.h"

/* Typing notifications are repeated while the user types, as the official
 * client did every few seconds; a contact's expires when no repeat comes. */
#define TYPING_REPEAT_SECONDS 4
#define TYPING_EXPIRY_SECONDS 6

/* A message whose switchboard dies before its ACK is re-sent once; if the
 * first copy did arrive, the receiver would show it twice.  Each message
 * carries an id in a header other clients ignore, and we drop a copy we
 * have already shown. */
#define MESSAGE_ID_HEADER "X-MSNP-Message-Id"
#define MESSAGE_ID_ROOM   64      /* bytes the header takes in a payload */
#define SEEN_IDS_KEPT     256

/* Hidden account setting (seconds): how long a session may wait for its
 * first participant.  Only tests shorten it; see MSNP_SB_RING_TIMEOUT. */
#define OPT_RING_TIMEOUT  "ring_timeout"

typedef struct {
  char   *to;        /* the contact of a 1:1 message, for a re-send */
  char   *text;      /* plain text, for the not-delivered report */
  GBytes *payload;
  guint   attempt;
  char   *invite_cookie; /* an invitation: its failure goes to msn-xfer */
} OutMessage;

struct _MsnpSwitchboard {
  MsnpAccount   *msn;
  MsnpSb        *sb;         /* NULL until the NS granted a switchboard */
  MsnpTransport *conn;
  guint          request;    /* XFR SB TrID while waiting for it */
  char          *peer;       /* the contact of a 1:1 session */
  int            chat_id;    /* > 0 once shown as a chat */
  GPtrArray     *invites;    /* to CAL once the session exists */
  GQueue         waiting;    /* OutMessage * before the session exists */
  GHashTable    *sent;       /* message id → OutMessage * */
  guint          fail_code;  /* the CAL refusal that ended the session */
  guint          idle_timer;
  guint          ring_timer; /* until someone is in the session */
  guint          reap;       /* idle source freeing a closed session */
  gboolean       unanswered; /* given up: nobody joined in time */
  gint64         last_active; /* monotonic µs of the last message */
  gboolean       closed;
};

static void out_message_free (gpointer data);


/* ---- reporting -------------------------------------------------------- */

static PurpleConversation *
im_conversation (MsnpAccount *msn, const char *who)
{
  PurpleConversation *conv = purple_find_conversation_with_account (
      PURPLE_CONV_TYPE_IM, who, msn->account);

  /* The user may have closed the window: an undelivered message still
   * deserves to be seen, so open one. */
  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, msn->account, who);
  return conv;
}

static char *
reason_sentence (MsnpSwitchboard *sw, const OutMessage *msg, guint code,
                 gboolean ended)
{
  if (code != 0)
    return msnp_server_error_sentence (code);
  if (sw->unanswered && msg->to != NULL)
    return g_strdup_printf (_("%s did not answer the conversation "
                              "invitation."), msg->to);
  return g_strdup (ended ? _("The conversation ended before the message was "
                             "confirmed.")
                         : _("The server could not deliver the message."));
}

static void report_because (MsnpSwitchboard *sw, OutMessage *msg,
                            const char *reason);

static void
report_undelivered (MsnpSwitchboard *sw, OutMessage *msg, guint code,
                    gboolean ended)
{
  g_autofree char *reason = reason_sentence (sw, msg, code, ended);

  report_because (sw, msg, reason);
}

/* Shows @msg in its conversation as not delivered, with @reason (a
 * sentence) and its text. */
static void
report_because (MsnpSwitchboard *sw, OutMessage *msg, const char *reason)
{
  MsnpAccount *msn = sw->msn;
  g_autofree char *escaped = g_markup_escape_text (msg->text, -1);
  g_autofree char *line = g_strdup_printf (
      _("This message was not delivered: %s<br>%s"), reason, escaped);
  PurpleConversation *conv = NULL;

  /* A file-transfer invitation is not text the user typed: the transfer
   * fails instead of the conversation showing a report. */
  if (msg->invite_cookie != NULL && msg->to != NULL) {
    msnp_xfer_invitation_failed (msn, msg->to, msg->invite_cookie);
    return;
  }
  if (sw->chat_id > 0)
    conv = purple_find_chat (msn->gc, sw->chat_id);
  if (conv == NULL && msg->to != NULL)
    conv = im_conversation (msn, msg->to);
  if (conv != NULL)
    purple_conversation_write (conv, NULL, line, PURPLE_MESSAGE_ERROR, time (NULL));
  else
    purple_debug_warning ("msnp", "undelivered message with no conversation\n");
}

/* ---- lifetime --------------------------------------------------------- */

static void
stop_ring_timer (MsnpSwitchboard *sw)
{
  if (sw->ring_timer != 0) {
    purple_timeout_remove (sw->ring_timer);
    sw->ring_timer = 0;
  }
}

static void
switchboard_free (MsnpSwitchboard *sw)
{
  stop_ring_timer (sw);
  if (sw->idle_timer != 0)
    purple_timeout_remove (sw->idle_timer);
  if (sw->reap != 0)
    g_source_remove (sw->reap);
  msnp_transport_free (sw->conn);
  msnp_sb_free (sw->sb);
  g_queue_clear_full (&sw->waiting, out_message_free);
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

/* Marks the session over; it is freed from the main loop, never from
 * inside its own callbacks. */
static void
retire (MsnpSwitchboard *sw)
{
  sw->closed = TRUE;
  stop_ring_timer (sw);
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

static void
touch (MsnpSwitchboard *sw)
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

static void report_waiting (MsnpSwitchboard *sw, guint code);

/* Nobody joined in time (#9.6): a contact whose client rang but never
 * answered, a switchboard server that never signed us in, or an NS that
 * never answered XFR SB.  Independent of the idle-close setting, so
 * nothing waits for ever.  The core hands the messages back; each is
 * re-sent once on a fresh session (sb_undelivered), then reported. */
static gboolean
ring_timeout_cb (gpointer data)
{
  MsnpSwitchboard *sw = data;

  sw->ring_timer = 0;
  if (sw->sb == NULL) {
    OutMessage *msg;

    purple_debug_info ("msnp", "no switchboard granted in time\n");
    while ((msg = g_queue_pop_head (&sw->waiting)) != NULL) {
      report_because (sw, msg, _("The server did not open the conversation "
                                 "in time."));
      out_message_free (msg);
    }
    retire (sw);
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
                                    out_message_free);
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
static gboolean
make_room (MsnpAccount *msn)
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

/* ---- messages --------------------------------------------------------- */

static void
out_message_free (gpointer data)
{
  OutMessage *msg = data;

  g_free (msg->to);
  g_free (msg->text);
  g_free (msg->invite_cookie);
  g_bytes_unref (msg->payload);
  g_free (msg);
}

/* Hands @msg (owned) to the session, or keeps it until there is one. */
static void
submit (MsnpSwitchboard *sw, OutMessage *msg)
{
  guint64 id;

  if (sw->sb == NULL) {
    g_queue_push_tail (&sw->waiting, msg);
    return;
  }
  id = msnp_sb_send (sw->sb, msg->payload, MSNP_SB_ACK_FULL);
  if (id == 0) {
    report_undelivered (sw, msg, 0, FALSE);
    out_message_free (msg);
    return;
  }
  {
    guint64 *key = g_new (guint64, 1);
    *key = id;
    g_hash_table_insert (sw->sent, key, msg);
  }
  touch (sw);
}

static gboolean
is_im_with (MsnpSwitchboard *sw, const char *who)
{
  return !sw->closed && sw->chat_id == 0 && sw->peer != NULL &&
         g_ascii_strcasecmp (sw->peer, who) == 0;
}

static MsnpSwitchboard *
find_im (MsnpAccount *msn, const char *who, MsnpSwitchboard *not_this)
{
  for (GList *l = msn->switchboards; l != NULL; l = l->next)
    if (l->data != not_this && is_im_with (l->data, who))
      return l->data;
  return NULL;
}

static MsnpSwitchboard *
find_chat (MsnpAccount *msn, int id)
{
  for (GList *l = msn->switchboards; l != NULL; l = l->next) {
    MsnpSwitchboard *sw = l->data;
    if (!sw->closed && sw->chat_id == id)
      return sw;
  }
  return NULL;
}

/* A new outgoing session: asks the NS for a switchboard.  NULL when
 * signed out (nothing can be asked). */
static MsnpSwitchboard *
open_session (MsnpAccount *msn, const char *peer)
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

/* Sends @msg (owned) on a session with its contact, opening one when
 * needed; @from is the session it comes back from, if any. */
static void
route_message (MsnpAccount *msn, OutMessage *msg, MsnpSwitchboard *from)
{
  MsnpSwitchboard *sw = find_im (msn, msg->to, from);

  if (sw == NULL && !make_room (msn)) {
    report_because (from != NULL ? from : &(MsnpSwitchboard) { .msn = msn },
                    msg, _("Too many conversations are open at once. Close "
                           "one and send the message again."));
    out_message_free (msg);
    return;
  }
  if (sw == NULL)
    sw = open_session (msn, msg->to);
  if (sw == NULL) {
    MsnpSwitchboard stand_in = { .msn = msn };
    report_undelivered (from != NULL ? from : &stand_in, msg, 0, TRUE);
    out_message_free (msg);
    return;
  }
  submit (sw, msg);
}

static gboolean
buddy_is_offline (MsnpAccount *msn, const char *who)
{
  PurpleBuddy *buddy = purple_find_buddy (msn->account, who);

  return buddy != NULL &&
         !PURPLE_BUDDY_IS_ONLINE (buddy);
}

/* @payload with the message-id header after its first line. */
static GBytes *
tag_payload (GBytes *payload)
{
  gsize len;
  const char *data = g_bytes_get_data (payload, &len);
  const char *eol = g_strstr_len (data, (gssize) len, "\r\n");
  GString *out;
  gsize head;

  if (eol == NULL)
    return g_bytes_ref (payload);
  head = (gsize) (eol - data) + 2;
  out = g_string_sized_new (len + MESSAGE_ID_ROOM);
  g_string_append_len (out, data, (gssize) head);
  g_string_append_printf (out, MESSAGE_ID_HEADER ": %08x%08x\r\n",
                          g_random_int (), g_random_int ());
  g_string_append_len (out, data + head, (gssize) (len - head));
  return g_string_free_to_bytes (out);
}

/* Splits @html into tagged payloads that fit a MSG. */
static GPtrArray *
payloads_for (const char *html, char **text_out)
{
  MsnpImFormat format = { 0 };
  g_autofree char *text = msnp_im_from_html (html, &format);
  GPtrArray *built = msnp_im_build_payloads (
      text, &format, MSNP_SB_MAX_PAYLOAD - MESSAGE_ID_ROOM);
  GPtrArray *payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; built != NULL && i < built->len; i++)
    g_ptr_array_add (payloads, tag_payload (g_ptr_array_index (built, i)));
  if (built != NULL)
    g_ptr_array_unref (built);
  msnp_im_format_clear (&format);
  *text_out = g_steal_pointer (&text);
  return payloads;
}

/* TRUE when this message id from @passport was shown already. */
static gboolean
seen_before (MsnpAccount *msn, const char *passport, const MsnpMime *mime)
{
  const char *id = msnp_mime_get (mime, MESSAGE_ID_HEADER);
  char *key;

  if (id == NULL)
    return FALSE;
  if (msn->seen_ids == NULL) {
    msn->seen_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    msn->seen_order = g_queue_new ();
  }
  key = g_strdup_printf ("%s %s", passport, id);
  if (g_hash_table_contains (msn->seen_ids, key)) {
    g_free (key);
    return TRUE;
  }
  if (g_queue_get_length (msn->seen_order) == SEEN_IDS_KEPT)
    g_hash_table_remove (msn->seen_ids, g_queue_pop_head (msn->seen_order));
  g_hash_table_add (msn->seen_ids, key);
  g_queue_push_tail (msn->seen_order, key);
  return FALSE;
}

/* The body of a payload we built ourselves (after the blank line). */
static char *
payload_text (GBytes *payload)
{
  gsize len;
  const char *data = g_bytes_get_data (payload, &len);
  g_autoptr (MsnpMime) mime = msnp_mime_parse ((const guint8 *) data, len);
  const guint8 *body;
  gsize body_len = 0;

  if (mime == NULL)
    return g_strdup ("");
  body = msnp_mime_body (mime, &body_len);
  return g_strndup ((const char *) body, body_len);
}

void
msnp_switchboard_send_invitation (MsnpAccount *msn, const char *who,
                                  GBytes *payload, const char *cookie)
{
  OutMessage *msg = g_new0 (OutMessage, 1);

  msg->to = g_strdup (who);
  msg->text = g_strdup ("");
  msg->payload = g_bytes_ref (payload);
  msg->invite_cookie = g_strdup (cookie);
  route_message (msn, msg, NULL);
}

int
msnp_switchboard_send_im (MsnpAccount *msn, const char *who, const char *html)
{
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) payloads = NULL;

  if (buddy_is_offline (msn, who)) {
    /* MSNP8 has no offline messages: say so now, not after a timeout. */
    g_autofree char *escaped = NULL;
    g_autofree char *line = NULL;

    payloads = payloads_for (html, &text);
    escaped = g_markup_escape_text (text, -1);
    line = g_strdup_printf (_("This message was not delivered: %s is offline, "
                              "and MSN cannot deliver messages to offline "
                              "contacts.<br>%s"), who, escaped);
    purple_conversation_write (im_conversation (msn, who), NULL, line,
                               PURPLE_MESSAGE_ERROR, time (NULL));
    return 0;
  }
  payloads = payloads_for (html, &text);
  for (guint i = 0; i < payloads->len; i++) {
    OutMessage *msg = g_new0 (OutMessage, 1);

    msg->to = g_strdup (who);
    msg->payload = g_bytes_ref (g_ptr_array_index (payloads, i));
    msg->text = payloads->len == 1 ? g_strdup (text) : payload_text (msg->payload);
    route_message (msn, msg, NULL);
  }
  return 1;
}

guint
msnp_switchboard_send_typing (MsnpAccount *msn, const char *who, gboolean typing)
{
  MsnpSwitchboard *sw = find_im (msn, who, NULL);
  g_autoptr (GBytes) payload = NULL;

  /* Never open a switchboard just to say "typing": it would ring the
   * contact's client for a conversation that may never start.  The first
   * message opens it, and typing flows from then on. */
  if (!typing || sw == NULL || sw->sb == NULL || !msnp_sb_is_ready (sw->sb))
    return 0;
  payload = msnp_im_build_typing (purple_account_get_username (msn->account));
  msnp_sb_send (sw->sb, payload, MSNP_SB_ACK_NONE);
  return TYPING_REPEAT_SECONDS;
}

/* ---- chats ------------------------------------------------------------ */

static PurpleConversation *
show_as_chat (MsnpSwitchboard *sw)
{
  MsnpAccount *msn = sw->msn;
  g_autofree char *name = NULL;
  PurpleConversation *conv;
  const GPtrArray *people;
  GList *users, *flags;

  if (sw->chat_id > 0)
    return purple_find_chat (msn->gc, sw->chat_id);
  sw->chat_id = ++msn->next_chat_id;
  name = g_strdup_printf (_("MSN chat %d"), sw->chat_id);
  conv = serv_got_joined_chat (msn->gc, sw->chat_id, name);
  /* libpurple names us in the chat by our display name, but everyone in
   * an MSN chat is named by passport, our lines included.  With the
   * passport as the chat's nick, libpurple recognises our own entry and
   * shows it, like our lines, with the friendly name (display name or
   * local alias) instead of the e-mail address. */
  purple_conv_chat_set_nick (PURPLE_CONV_CHAT (conv),
                             purple_account_get_username (msn->account));
  people = sw->sb != NULL ? msnp_sb_participants (sw->sb) : NULL;
  /* Everyone at once: clients list a batch as one "users in the room". */
  users = g_list_prepend (NULL, (gpointer) purple_account_get_username (msn->account));
  flags = g_list_prepend (NULL, GINT_TO_POINTER (PURPLE_CBFLAGS_NONE));
  for (guint i = 0; people != NULL && i < people->len; i++) {
    users = g_list_prepend (users, g_ptr_array_index (people, i));
    flags = g_list_prepend (flags, GINT_TO_POINTER (PURPLE_CBFLAGS_NONE));
  }
  purple_conv_chat_add_users (PURPLE_CONV_CHAT (conv), users, NULL, flags, FALSE);
  g_list_free (users);
  g_list_free (flags);
  g_clear_pointer (&sw->peer, g_free);
  return conv;
}

void
msnp_switchboard_start_chat (MsnpAccount *msn, const char *who)
{
  MsnpSwitchboard *sw;

  if (!make_room (msn)) {
    purple_notify_error (msn->gc, _("MSN"),
                         _("Too many conversations are open at once."),
                         _("Close one and start the chat again."));
    return;
  }
  sw = open_session (msn, NULL);
  if (sw == NULL)
    return;
  show_as_chat (sw);
  if (who != NULL)
    g_ptr_array_add (sw->invites, g_strdup (who));
}

void
msnp_switchboard_chat_invite (MsnpAccount *msn, int id, const char *who)
{
  MsnpSwitchboard *sw = find_chat (msn, id);

  if (sw == NULL || who == NULL)
    return;
  if (sw->sb != NULL)
    msnp_sb_invite (sw->sb, who);
  else
    g_ptr_array_add (sw->invites, g_strdup (who));
}

int
msnp_switchboard_chat_send (MsnpAccount *msn, int id, const char *html)
{
  MsnpSwitchboard *sw = find_chat (msn, id);
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) payloads = NULL;

  if (sw == NULL)
    return -ENOTCONN;
  payloads = payloads_for (html, &text);
  for (guint i = 0; i < payloads->len; i++) {
    OutMessage *msg = g_new0 (OutMessage, 1);

    msg->payload = g_bytes_ref (g_ptr_array_index (payloads, i));
    msg->text = payload_text (msg->payload);
    submit (sw, msg);
  }
  /* libpurple shows a chat's own messages only when the prpl echoes them. */
  serv_got_chat_in (msn->gc, id, purple_account_get_username (msn->account),
                    PURPLE_MESSAGE_SEND, html, time (NULL));
  return 0;
}

void
msnp_switchboard_chat_leave (MsnpAccount *msn, int id)
{
  MsnpSwitchboard *sw = find_chat (msn, id);

  if (sw == NULL)
    return;
  /* Leaving is the user's choice: no "chat ended" notice afterwards. */
  sw->chat_id = -id;
  if (sw->sb != NULL)
    msnp_sb_leave (sw->sb);
  else
    retire (sw);
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

  touch (sw);
  /* Answered an invitation to a session that already has several
   * people: that is a chat. */
  if (people->len > 1 && sw->chat_id == 0)
    show_as_chat (sw);
}

static void
sb_joined (gpointer user, const char *passport, const char *friendly,
           gboolean initial)
{
  MsnpSwitchboard *sw = user;
  PurpleConversation *conv;

  stop_ring_timer (sw);
  if (friendly != NULL && g_ascii_strcasecmp (friendly, passport) != 0)
    serv_got_alias (sw->msn->gc, passport, friendly);
  if (initial)
    return;
  if (sw->chat_id == 0 && sw->peer != NULL &&
      g_ascii_strcasecmp (sw->peer, passport) == 0)
    return;
  /* A third person joined a 1:1 session: it becomes a chat. */
  conv = show_as_chat (sw);
  if (conv != NULL && !purple_conv_chat_find_user (PURPLE_CONV_CHAT (conv), passport))
    purple_conv_chat_add_user (PURPLE_CONV_CHAT (conv), passport, NULL,
                               PURPLE_CBFLAGS_NONE, TRUE);
}

static void
sb_left (gpointer user, const char *passport, gboolean idle)
{
  MsnpSwitchboard *sw = user;
  PurpleConversation *conv;

  if (sw->chat_id <= 0)
    return;
  conv = purple_find_chat (sw->msn->gc, sw->chat_id);
  if (conv != NULL)
    purple_conv_chat_remove_user (PURPLE_CONV_CHAT (conv), passport, NULL);
}

/* An invitation (file transfer, webcam, …) we do not handle is declined
 * the way clients without the application did. */
static void
decline_invitation (MsnpSwitchboard *sw, const MsnpMime *mime)
{
  gsize len = 0;
  const guint8 *body = msnp_mime_body (mime, &len);
  g_autoptr (MsnpMime) fields = msnp_mime_parse (body, len);
  const char *command = fields ? msnp_mime_get (fields, "Invitation-Command") : NULL;
  const char *cookie = fields ? msnp_mime_get (fields, "Invitation-Cookie") : NULL;
  g_autofree char *text = NULL;
  const char *headers[] = {
    "MIME-Version", "1.0",
    "Content-Type", "text/x-msmsgsinvite; charset=UTF-8",
    NULL,
  };
  g_autoptr (GByteArray) payload = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (command == NULL || cookie == NULL ||
      g_ascii_strcasecmp (command, "INVITE") != 0)
    return;
  text = g_strdup_printf ("Invitation-Command: CANCEL\r\n"
                          "Invitation-Cookie: %s\r\n"
                          "Cancel-Code: REJECT_NOT_INSTALLED\r\n\r\n", cookie);
  payload = msnp_mime_build (headers, (const guint8 *) text, strlen (text));
  bytes = g_bytes_new (payload->data, payload->len);
  msnp_sb_send (sw->sb, bytes, MSNP_SB_ACK_NONE);
}

/* @body as a string; a NUL inside becomes DEL (dropped with the other
 * control characters) instead of cutting the text short. */
static char *
body_text (const guint8 *body, gsize len)
{
  char *text = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    text[i] = body[i] != '\0' ? (char) body[i] : '\x7f';
  text[len] = '\0';
  return text;
}

static void
sb_message (gpointer user, const char *passport, const char *friendly,
            const char *content_type, const MsnpMime *mime)
{
  MsnpSwitchboard *sw = user;
  PurpleConnection *gc = sw->msn->gc;

  touch (sw);
  if (strcmp (content_type, "text/plain") == 0) {
    MsnpImFormat format = { 0 };

    gsize len = 0;
    const guint8 *body = msnp_mime_body (mime, &len);
    g_autofree char *text = NULL;
    g_autofree char *html = NULL;

    if (seen_before (sw->msn, passport, mime)) {
      purple_debug_info ("msnp", "dropping a re-sent copy of a message\n");
      return;
    }

    /* Colour bytes from IRC gateways, bells and terminal escapes are not
     * text: only tab and line breaks reach the conversation. */
    text = msnp_text_strip_controls (body_text (body, len), TRUE);
    msnp_im_format_parse (msnp_mime_get (mime, "X-MMS-IM-Format"), &format);
    html = msnp_im_to_html (text, strlen (text), &format);
    msnp_im_format_clear (&format);
    if (sw->chat_id > 0)
      serv_got_chat_in (gc, sw->chat_id, passport, PURPLE_MESSAGE_RECV, html,
                        time (NULL));
    else
      serv_got_im (gc, passport, html, PURPLE_MESSAGE_RECV, time (NULL));
  } else if (strcmp (content_type, "text/x-msmsgscontrol") == 0) {
    if (sw->chat_id <= 0 && msnp_mime_get (mime, "TypingUser") != NULL)
      serv_got_typing (gc, passport, TYPING_EXPIRY_SECONDS, PURPLE_TYPING);
  } else if (strcmp (content_type, "text/x-msmsgsinvite") == 0) {
    /* File transfers (and the replies to ours) go to msn-xfer; any other
     * application is still declined. */
    if (!msnp_xfer_invitation (sw->msn, passport, mime))
      decline_invitation (sw, mime);
  } else {
    purple_debug_misc ("msnp", "ignoring a %s message\n", content_type);
  }
}

static void
sb_acked (gpointer user, guint64 id)
{
  MsnpSwitchboard *sw = user;
  g_hash_table_remove (sw->sent, &id);
}

static void
sb_undelivered (gpointer user, guint64 id, GBytes *payload, guint code,
                gboolean ended)
{
  MsnpSwitchboard *sw = user;
  gpointer key = NULL, value = NULL;
  OutMessage *msg;

  if (!g_hash_table_steal_extended (sw->sent, &id, &key, &value))
    return;
  g_free (key);
  msg = value;
  if (sw->fail_code != 0) {
    report_undelivered (sw, msg, sw->fail_code, ended);
  } else if (msg->to != NULL && msg->attempt == 0 && code == 0 &&
             msnp_ns_is_online (sw->msn->ns)) {
    /* Once more on a fresh switchboard: a dropped or refusing one is
     * common and says nothing about the next. */
    msg->attempt++;
    route_message (sw->msn, msg, sw);
    return;
  } else {
    report_undelivered (sw, msg, code, ended);
  }
  out_message_free (msg);
}

static void
sb_call_failed (gpointer user, const char *passport, guint code)
{
  MsnpSwitchboard *sw = user;

  sw->fail_code = code;
  if (sw->chat_id > 0) {
    PurpleConversation *conv = purple_find_chat (sw->msn->gc, sw->chat_id);
    g_autofree char *reason = msnp_server_error_sentence (code);
    g_autofree char *line = g_strdup_printf (_("%s could not be invited: %s"),
                                             passport, reason);
    if (conv != NULL)
      purple_conversation_write (conv, NULL, line, PURPLE_MESSAGE_SYSTEM |
                                 PURPLE_MESSAGE_ERROR, time (NULL));
  }
}

static void
sb_closed (gpointer user, const GError *error)
{
  MsnpSwitchboard *sw = user;

  if (error != NULL)
    purple_debug_info ("msnp", "conversation ended: %s\n", error->message);
  retire (sw);
}

static const MsnpSbEvents sb_events = {
  .write       = sb_write,
  .ready       = sb_ready,
  .joined      = sb_joined,
  .left        = sb_left,
  .message     = sb_message,
  .acked       = sb_acked,
  .undelivered = sb_undelivered,
  .call_failed = sb_call_failed,
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
    submit (sw, msg);
  connect_session (sw, host, port);
}

/* Reports every message still waiting for a switchboard (@code 0: the
 * session ended before it could be sent). */
static void
report_waiting (MsnpSwitchboard *sw, guint code)
{
  OutMessage *msg;

  while ((msg = g_queue_pop_head (&sw->waiting)) != NULL) {
    report_undelivered (sw, msg, code, code == 0);
    out_message_free (msg);
  }
}

void
msnp_switchboard_refused (MsnpAccount *msn, guint request, guint code)
{
  MsnpSwitchboard *sw = find_request (msn, request);

  if (sw == NULL)
    return;
  /* 913 while invisible, 800 when asking too fast, 0 when offline. */
  report_waiting (sw, code != 0 ? code : 913);
  retire (sw);
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
    report_waiting (sw, 0);
    switchboard_free (sw);
  }
  g_list_free (all);
  g_clear_pointer (&msn->seen_ids, g_hash_table_unref);
  if (msn->seen_order != NULL) {
    /* The strings belonged to seen_ids. */
    g_queue_free (msn->seen_order);
    msn->seen_order = NULL;
  }
}
