/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include <debug.h>
#include <server.h>
#include <signals.h>
#include <util.h>

#include "xmpp-im.h"

#define NS_CHATSTATES "http://jabber.org/protocol/chatstates"
#define NS_EVENT      "jabber:x:event"
#define NS_DELAY      "urn:xmpp:delay"
#define NS_DELAY_OLD  "jabber:x:delay"
#define NS_ARCHIVE    "urn:xmpp:archive"
#define HISTORY_MAX   10

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
    g_autofree char *html = plain_to_html (body);
    serv_got_im (xa->gc, who, html,
                 delayed ? PURPLE_MESSAGE_DELAYED : (PurpleMessageFlags) 0, when);
  }
}

int
msnp_xmpp_im_send (MsnpXmppAccount *xa, const char *who, const char *html)
{
  g_autoptr (MsnpXmppNode) m = msnp_xmpp_stanza_new ("message", "chat", who);
  g_autofree char *text = purple_markup_strip_html (html);
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

/* ---- XEP-0136 history when a conversation opens ------------------------- */

static void
show_history_entry (PurpleConversation *conv, const char *who, MsnpXmppNode *e,
                    time_t start, time_t opened)
{
  const char *body = msnp_xmpp_node_find_text (e, "body", NULL);
  const char *secs = msnp_xmpp_node_get_attr (e, "secs");
  gboolean mine = strcmp (e->name, "to") == 0;
  time_t when = start + (time_t) g_ascii_strtoll (secs ? secs : "0", NULL, 10);
  g_autofree char *html = NULL;

  if (body == NULL || *body == '\0' || when >= opened)
    return;  /* what is newer is already on screen */
  html = plain_to_html (body);
  purple_conversation_write (
      conv, mine ? purple_account_get_username (conv->account) : who, html,
      (mine ? PURPLE_MESSAGE_SEND : PURPLE_MESSAGE_RECV)
          | PURPLE_MESSAGE_DELAYED | PURPLE_MESSAGE_NO_LOG,
      when);
}

typedef struct {
  MsnpXmppAccount *xa;
  char            *who;
  time_t           opened;
} HistoryFetch;

static void
history_result (gpointer user, MsnpXmppNode *reply)
{
  HistoryFetch *h = user;
  MsnpXmppNode *chat = msnp_xmpp_node_find (reply, "chat", NS_ARCHIVE);
  const char *start = msnp_xmpp_node_get_attr (chat, "start");
  PurpleConversation *conv = reply != NULL
      ? purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, h->who,
                                               h->xa->account) : NULL;

  if (conv != NULL && chat != NULL && start != NULL) {
    time_t t0 = purple_str_to_time (start, TRUE, NULL, NULL, NULL);
    guint first = chat->children->len > HISTORY_MAX
                      ? chat->children->len - HISTORY_MAX : 0;

    for (guint i = first; i < chat->children->len; i++)
      show_history_entry (conv, h->who, g_ptr_array_index (chat->children, i),
                          t0, h->opened);
  }
  g_free (h->who);
  g_free (h);
}

static void
conversation_created (PurpleConversation *conv, gpointer data)
{
  MsnpXmppAccount *xa = data;
  g_autoptr (MsnpXmppNode) iq = NULL;
  MsnpXmppNode *retrieve, *set;
  HistoryFetch *h;

  if (conv->account != xa->account
      || purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_IM
      || !msnp_xmpp_account_ready (xa))
    return;
  h = g_new0 (HistoryFetch, 1);
  h->xa = xa;
  h->who = msnp_xmpp_jid_bare (purple_conversation_get_name (conv));
  h->opened = time (NULL);
  iq = msnp_xmpp_stanza_new ("iq", "get", NULL);
  retrieve = msnp_xmpp_node_add_child (iq, "retrieve", NS_ARCHIVE);
  msnp_xmpp_node_set_attr (retrieve, "with", h->who);
  set = msnp_xmpp_node_add_child (retrieve, "set", "http://jabber.org/protocol/rsm");
  msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (set, "max", NULL), "10");
  msnp_xmpp_account_send_iq (xa, iq, history_result, h);
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
  purple_signals_disconnect_by_handle (xa);
}
