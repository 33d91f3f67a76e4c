/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include <debug.h>
#include <privacy.h>
#include <server.h>
#include <signals.h>
#include <util.h>

#include "msnp-format.h"
#include "xmpp-archive.h"
#include "xmpp-im.h"

#define NS_CHATSTATES "http://jabber.org/protocol/chatstates"
#define NS_EVENT      "jabber:x:event"
#define NS_DELAY      "urn:xmpp:delay"
#define NS_DELAY_OLD  "jabber:x:delay"
#define HISTORY_MAX   10
/* How long a live message that opens a conversation waits for the history
 * that goes before it: the archive answers within a round trip. */
#define HISTORY_WAIT_MS 3000

/* Plain text → the HTML libpurple conversations display. */
static char *
plain_to_html (const char *text)
{
  g_autofree char *escaped = purple_markup_escape_text (text, -1);

  return purple_strreplace (escaped, "\n", "<br>");
}

/* XEP-0203 <delay stamp='…Z'/>, or the old XEP-0091 form. */
static time_t
stanza_time (MsnpXmppNode *stanza, gboolean *delayed)
{
  MsnpXmppNode *d = msnp_xmpp_node_find (stanza, "delay", NS_DELAY);
  const char *stamp;

  if (d == NULL)
    d = msnp_xmpp_node_find (stanza, "x", NS_DELAY_OLD);
  stamp = msnp_xmpp_node_get_attr (d, "stamp");
  *delayed = stamp != NULL;
  if (stamp == NULL)
    return time (NULL);
  {
    time_t t = purple_str_to_time (stamp, TRUE, NULL, NULL, NULL);
    if (t == 0) {
      *delayed = FALSE;
      return time (NULL);
    }
    return t;
  }
}

static void
typing_from (MsnpXmppAccount *xa, const char *who, MsnpXmppNode *stanza,
             gboolean has_body)
{
  MsnpXmppNode *event = msnp_xmpp_node_find (stanza, "x", NS_EVENT);

  for (guint i = 0; i < stanza->children->len; i++) {
    MsnpXmppNode *c = g_ptr_array_index (stanza->children, i);

    if (strcmp (c->ns, NS_CHATSTATES) != 0)
      continue;
    if (strcmp (c->name, "composing") == 0)
      serv_got_typing (xa->gc, who, 0, PURPLE_TYPING);
    else if (strcmp (c->name, "paused") == 0)
      serv_got_typing (xa->gc, who, 0, PURPLE_TYPED);
    else if (!has_body)
      serv_got_typing_stopped (xa->gc, who);
    return;
  }
  /* XEP-0022, as PyMSNt-era gateways sent it: <composing/> inside a
   * bodiless event means typing, an empty one means stopped. */
  if (event != NULL && !has_body) {
    if (msnp_xmpp_node_find (event, "composing", NULL) != NULL)
      serv_got_typing (xa->gc, who, 0, PURPLE_TYPING);
    else
      serv_got_typing_stopped (xa->gc, who);
  }
}

/* ---- XEP-0136 history when a conversation opens ------------------------- */

/* A live message held back while the history before it is fetched. */
typedef struct {
  char              *body;   /* plain text, to spot its archived copy */
  char              *html;
  PurpleMessageFlags flags;
  time_t             when;
} HeldMessage;

/* One history request.  It lives until its iq callback, which the session
 * always calls (with NULL when it dies); @xa is only touched while
 * @pending, i.e. while it is in xa->history. */
typedef struct {
  MsnpXmppAccount *xa;
  char            *who;      /* bare JID, lower case */
  time_t           opened;
  GPtrArray       *held;     /* HeldMessage *, in arrival order */
  guint            timer;
  gboolean         pending;
} HistoryFetch;

static void
held_free (gpointer data)
{
  HeldMessage *m = data;

  g_free (m->body);
  g_free (m->html);
  g_free (m);
}

/* Our own archived lines are written the way libpurple writes our live
 * ones — PURPLE_MESSAGE_SEND, no name (libpurple puts ours) — plus
 * REMOTE_SEND, as they were sent from wherever we were.  They go to
 * write_conv directly: BitlBee shows sent lines only from there (as its
 * own lines in the contact's query), its write_im drops them. */
static void
write_history (PurpleConversation *conv, const char *who, GPtrArray *lines)
{
  for (guint i = 0; i < lines->len; i++) {
    MsnpXmppArchiveLine *line = g_ptr_array_index (lines, i);
    g_autofree char *html = plain_to_html (line->body);
    PurpleMessageFlags flags = PURPLE_MESSAGE_DELAYED | PURPLE_MESSAGE_NO_LOG;

    if (line->mine)
      purple_conversation_write (conv, NULL, html,
                                 flags | PURPLE_MESSAGE_SEND
                                     | PURPLE_MESSAGE_REMOTE_SEND,
                                 (time_t) line->when);
    else
      purple_conv_im_write (PURPLE_CONV_IM (conv), who, html,
                            flags | PURPLE_MESSAGE_RECV, (time_t) line->when);
  }
}

/* Ends the wait: history (when @reply brought some) into the contact's
 * conversation, then the held live messages, in that order. */
static void
finish_fetch (HistoryFetch *h, MsnpXmppNode *reply)
{
  MsnpXmppAccount *xa = h->xa;
  PurpleConversation *conv;
  g_autoptr (GPtrArray) lines = msnp_xmpp_archive_lines (reply, h->who,
                                                         (gint64) h->opened,
                                                         HISTORY_MAX);

  if (h->timer != 0)
    purple_timeout_remove (h->timer);
  h->timer = 0;
  for (guint i = 0; i < h->held->len; i++) {
    HeldMessage *m = g_ptr_array_index (h->held, i);
    msnp_xmpp_archive_drop_copy (lines, m->body, (gint64) m->when);
  }
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, h->who,
                                                xa->account);
  /* Opened here, while still pending, so that conversation_created does
   * not ask again (a second answer would land after the live lines);
   * serv_got_im() below finds it. */
  if (conv == NULL && h->held->len > 0)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, xa->account, h->who);
  if (conv != NULL)
    write_history (conv, h->who, lines);
  h->pending = FALSE;
  g_hash_table_remove (xa->history, h->who);
  for (guint i = 0; i < h->held->len; i++) {
    HeldMessage *m = g_ptr_array_index (h->held, i);
    serv_got_im (xa->gc, h->who, m->html, m->flags, m->when);
  }
  g_ptr_array_set_size (h->held, 0);
}

static void
history_result (gpointer user, MsnpXmppNode *reply)
{
  HistoryFetch *h = user;

  if (h->pending)
    finish_fetch (h, reply);
  else if (reply != NULL)
    purple_debug_info ("msn-xmpp", "history for %s came too late; not shown\n",
                       h->who);
  g_ptr_array_unref (h->held);
  g_free (h->who);
  g_free (h);
}

static gboolean
history_wait_cb (gpointer data)
{
  HistoryFetch *h = data;

  h->timer = 0;
  purple_debug_info ("msn-xmpp", "no history for %s in time\n", h->who);
  finish_fetch (h, NULL);
  return G_SOURCE_REMOVE;
}

/* Keeps @m for after the history, for HISTORY_WAIT_MS at most. */
static void
hold (HistoryFetch *h, HeldMessage *m)
{
  g_ptr_array_add (h->held, m);
  if (h->timer == 0)
    h->timer = purple_timeout_add (HISTORY_WAIT_MS, history_wait_cb, h);
}

/* Asks for the history with @who; @first (may be NULL) is the live message
 * that opens the conversation, held until the history is shown or
 * HISTORY_WAIT_MS have passed. */
static void
fetch_history (MsnpXmppAccount *xa, const char *who, HeldMessage *first)
{
  g_autoptr (MsnpXmppNode) iq = msnp_xmpp_stanza_new ("iq", "get", NULL);
  MsnpXmppNode *retrieve, *set;
  HistoryFetch *h = g_new0 (HistoryFetch, 1);
  g_autofree char *max = g_strdup_printf ("%d", HISTORY_MAX);

  h->xa = xa;
  h->who = g_ascii_strdown (who, -1);
  h->opened = time (NULL);
  h->held = g_ptr_array_new_with_free_func (held_free);
  h->pending = TRUE;
  if (first != NULL)
    hold (h, first);
  g_hash_table_insert (xa->history, g_strdup (h->who), h);
  retrieve = msnp_xmpp_node_add_child (iq, "retrieve", MSNP_XMPP_NS_ARCHIVE);
  msnp_xmpp_node_set_attr (retrieve, "with", h->who);
  set = msnp_xmpp_node_add_child (retrieve, "set", "http://jabber.org/protocol/rsm");
  msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (set, "max", NULL), max);
  msnp_xmpp_account_send_iq (xa, iq, history_result, h);
}

static HistoryFetch *
pending_fetch (MsnpXmppAccount *xa, const char *who)
{
  g_autofree char *key = g_ascii_strdown (who, -1);

  return g_hash_table_lookup (xa->history, key);
}

/* A live message from @who: shown now, or — when it would open the
 * conversation, or one is already waiting — after the history. */
static void
got_im (MsnpXmppAccount *xa, const char *who, const char *body,
        PurpleMessageFlags flags, time_t when)
{
  HistoryFetch *h = pending_fetch (xa, who);
  HeldMessage *m;

  if (h == NULL
      && (purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, who,
                                                 xa->account) != NULL
          || !purple_privacy_check (xa->account, who)
          || !msnp_xmpp_account_ready (xa))) {
    g_autofree char *html = plain_to_html (body);
    serv_got_im (xa->gc, who, html, flags, when);
    return;
  }
  m = g_new0 (HeldMessage, 1);
  m->body = g_strdup (body);
  m->html = plain_to_html (body);
  m->flags = flags;
  m->when = when;
  if (h != NULL)
    hold (h, m);
  else
    fetch_history (xa, who, m);
}

static void
conversation_created (PurpleConversation *conv, gpointer data)
{
  MsnpXmppAccount *xa = data;
  g_autofree char *who = NULL;

  if (conv->account != xa->account
      || purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_IM
      || !msnp_xmpp_account_ready (xa))
    return;
  who = msnp_xmpp_jid_bare (purple_conversation_get_name (conv));
  if (pending_fetch (xa, who) == NULL)
    fetch_history (xa, who, NULL);
}

/* ---- messages ------------------------------------------------------------ */

void
msnp_xmpp_im_message (MsnpXmppAccount *xa, MsnpXmppNode *stanza)
{
  const char *type = msnp_xmpp_node_get_attr (stanza, "type");
  const char *body = msnp_xmpp_node_find_text (stanza, "body", NULL);
  g_autofree char *who = msnp_xmpp_jid_bare (msnp_xmpp_node_get_attr (stanza, "from"));
  gboolean delayed = FALSE;
  time_t when;

  if (who == NULL)
    return;
  if (g_strcmp0 (type, "error") == 0) {
    purple_conv_present_error (who, xa->account,
                               _("Your message could not be delivered."));
    return;
  }
  when = stanza_time (stanza, &delayed);
  typing_from (xa, who, stanza, body != NULL && *body != '\0');
  if (body != NULL && *body != '\0') {
    got_im (xa, who, body,
            delayed ? PURPLE_MESSAGE_DELAYED : (PurpleMessageFlags) 0, when);
  }
}

int
msnp_xmpp_im_send (MsnpXmppAccount *xa, const char *who, const char *html)
{
  g_autoptr (MsnpXmppNode) m = msnp_xmpp_stanza_new ("message", "chat", who);
  /* Not purple_markup_strip_html(): it turns tabs into spaces, and
   * pidgin-otr's offer of a private conversation is a tag of tabs and
   * spaces after the text.  The MSN core's HTML reader keeps them. */
  g_autofree char *crlf = msnp_im_from_html (html, NULL);
  g_autofree char *text = purple_strreplace (crlf, "\r\n", "\n");
  MsnpXmppNode *event;

  if (!msnp_xmpp_account_ready (xa))
    return -ENOTCONN;
  msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (m, "body", NULL), text);
  msnp_xmpp_node_add_child (m, "active", NS_CHATSTATES);
  /* Ask for XEP-0022 composing events too. */
  event = msnp_xmpp_node_add_child (m, "x", NS_EVENT);
  msnp_xmpp_node_add_child (event, "composing", NULL);
  msnp_xmpp_account_send (xa, m);
  return 1;
}

unsigned int
msnp_xmpp_im_send_typing (MsnpXmppAccount *xa, const char *who,
                          PurpleTypingState state)
{
  g_autoptr (MsnpXmppNode) m = msnp_xmpp_stanza_new ("message", "chat", who);
  MsnpXmppNode *event;

  msnp_xmpp_node_add_child (m, state == PURPLE_TYPING ? "composing"
                               : state == PURPLE_TYPED ? "paused" : "active",
                            NS_CHATSTATES);
  event = msnp_xmpp_node_add_child (m, "x", NS_EVENT);
  if (state == PURPLE_TYPING)
    msnp_xmpp_node_add_child (event, "composing", NULL);
  msnp_xmpp_node_add_child (event, "id", NULL);
  msnp_xmpp_account_send (xa, m);
  return 0;
}

void
msnp_xmpp_im_init (MsnpXmppAccount *xa)
{
  purple_signal_connect (purple_conversations_get_handle (),
                         "conversation-created", xa,
                         PURPLE_CALLBACK (conversation_created), xa);
}

void
msnp_xmpp_im_uninit (MsnpXmppAccount *xa)
{
  GList *waiting = g_hash_table_get_values (xa->history);

  purple_signals_disconnect_by_handle (xa);
  /* Signing off: what was held is shown now, without history.  The fetches
   * themselves end when the session goes (their callbacks get NULL). */
  for (GList *l = waiting; l != NULL; l = l->next)
    finish_fetch (l->data, NULL);
  g_list_free (waiting);
}
