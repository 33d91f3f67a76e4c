/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Switchboard sessions as libpurple conversations: an IM window per
 * contact, a chat once a third person is in (or the user starts one),
 * typing notifications both ways, and what arrives on a session (text,
 * typing, invitations) shown in the right window. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include <conversation.h>
#include <debug.h>
#include <notify.h>
#include <server.h>

#include "msn-switchboard-private.h"
#include "msnp-error.h"
#include "msnp-format.h"

/* Typing notifications are repeated while the user types, as the official
 * client did every few seconds; a contact's expires when no repeat comes. */
#define TYPING_REPEAT_SECONDS 4
#define TYPING_EXPIRY_SECONDS 6

/* ---- finding the conversation --------------------------------------- */

PurpleConversation *
msnp_sw_im_conversation (MsnpAccount *msn, const char *who)
{
  PurpleConversation *conv = purple_find_conversation_with_account (
      PURPLE_CONV_TYPE_IM, who, msn->account);

  /* The user may have closed the window: an undelivered message still
   * deserves to be seen, so open one. */
  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, msn->account, who);
  return conv;
}

static gboolean
is_im_with (MsnpSwitchboard *sw, const char *who)
{
  return !sw->closed && sw->chat_id == 0 && sw->peer != NULL &&
         g_ascii_strcasecmp (sw->peer, who) == 0;
}

MsnpSwitchboard *
msnp_sw_find_im (MsnpAccount *msn, const char *who, MsnpSwitchboard *not_this)
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

/* ---- instant messages ------------------------------------------------ */

static gboolean
buddy_is_offline (MsnpAccount *msn, const char *who)
{
  PurpleBuddy *buddy = purple_find_buddy (msn->account, who);

  return buddy != NULL &&
         !PURPLE_BUDDY_IS_ONLINE (buddy);
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

    payloads = msnp_sw_payloads_for (html, &text);
    escaped = g_markup_escape_text (text, -1);
    line = g_strdup_printf (_("This message was not delivered: %s is offline, "
                              "and MSN cannot deliver messages to offline "
                              "contacts.<br>%s"), who, escaped);
    purple_conversation_write (msnp_sw_im_conversation (msn, who), NULL, line,
                               PURPLE_MESSAGE_ERROR, time (NULL));
    return 0;
  }
  payloads = msnp_sw_payloads_for (html, &text);
  for (guint i = 0; i < payloads->len; i++) {
    OutMessage *msg = g_new0 (OutMessage, 1);

    msg->to = g_strdup (who);
    msg->payload = g_bytes_ref (g_ptr_array_index (payloads, i));
    msg->text = payloads->len == 1 ? g_strdup (text) : msnp_sw_payload_text (msg->payload);
    msnp_sw_route (msn, msg, NULL);
  }
  return 1;
}

guint
msnp_switchboard_send_typing (MsnpAccount *msn, const char *who, gboolean typing)
{
  MsnpSwitchboard *sw = msnp_sw_find_im (msn, who, NULL);
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

PurpleConversation *
msnp_sw_show_as_chat (MsnpSwitchboard *sw)
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

  if (!msnp_sw_make_room (msn)) {
    purple_notify_error (msn->gc, _("MSN"),
                         _("Too many conversations are open at once."),
                         _("Close one and start the chat again."));
    return;
  }
  sw = msnp_sw_open (msn, NULL);
  if (sw == NULL)
    return;
  msnp_sw_show_as_chat (sw);
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
  payloads = msnp_sw_payloads_for (html, &text);
  for (guint i = 0; i < payloads->len; i++) {
    OutMessage *msg = g_new0 (OutMessage, 1);

    msg->payload = g_bytes_ref (g_ptr_array_index (payloads, i));
    msg->text = msnp_sw_payload_text (msg->payload);
    msnp_sw_submit (sw, msg);
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
    msnp_sw_retire (sw);
}

/* ---- what the session reports --------------------------------------- */

void
msnp_sw_joined (gpointer user, const char *passport, const char *friendly,
                gboolean initial)
{
  MsnpSwitchboard *sw = user;
  PurpleConversation *conv;

  msnp_sw_stop_ring_timer (sw);
  if (friendly != NULL && g_ascii_strcasecmp (friendly, passport) != 0)
    serv_got_alias (sw->msn->gc, passport, friendly);
  if (initial)
    return;
  if (sw->chat_id == 0 && sw->peer != NULL &&
      g_ascii_strcasecmp (sw->peer, passport) == 0)
    return;
  /* A third person joined a 1:1 session: it becomes a chat. */
  conv = msnp_sw_show_as_chat (sw);
  if (conv != NULL && !purple_conv_chat_find_user (PURPLE_CONV_CHAT (conv), passport))
    purple_conv_chat_add_user (PURPLE_CONV_CHAT (conv), passport, NULL,
                               PURPLE_CBFLAGS_NONE, TRUE);
}

void
msnp_sw_left (gpointer user, const char *passport, gboolean idle)
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

void
msnp_sw_message (gpointer user, const char *passport, const char *friendly,
                 const char *content_type, const MsnpMime *mime)
{
  MsnpSwitchboard *sw = user;
  PurpleConnection *gc = sw->msn->gc;

  msnp_sw_touch (sw);
  if (strcmp (content_type, "text/plain") == 0) {
    MsnpImFormat format = { 0 };

    gsize len = 0;
    const guint8 *body = msnp_mime_body (mime, &len);
    g_autofree char *text = NULL;
    g_autofree char *html = NULL;

    if (msnp_sw_seen_before (sw->msn, passport, mime)) {
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
    /* File transfers (and the replies to ours) go to whoever the account
     * wired to the hook (msn-xfer); any other application is still
     * declined. */
    if (!msnp_switchboard_invitations.received (sw->msn, passport, mime))
      decline_invitation (sw, mime);
  } else {
    purple_debug_misc ("msnp", "ignoring a %s message\n", content_type);
  }
}

void
msnp_sw_call_failed (gpointer user, const char *passport, guint code)
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
