/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Delivery of what the user sends on switchboards: each message (or
 * invitation) is acknowledged, re-sent once on a fresh session, or shown
 * in its conversation as not delivered — never lost silently — and the
 * copy a re-send may create is recognised by its id and dropped. */
#include "config.h"

#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include <conversation.h>
#include <debug.h>

#include "msn-switchboard-private.h"
#include "msnp-error.h"
#include "msnp-format.h"

/* A message whose switchboard dies before its ACK is re-sent once; if the
 * first copy did arrive, the receiver would show it twice.  Each message
 * carries an id in a header other clients ignore, and we drop a copy we
 * have already shown. */
#define MESSAGE_ID_HEADER "X-MSNP-Message-Id"
#define MESSAGE_ID_ROOM   64      /* bytes the header takes in a payload */
#define SEEN_IDS_KEPT     256

/* ---- reporting -------------------------------------------------------- */

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

void
msnp_sw_report_because (MsnpSwitchboard *sw, OutMessage *msg,
                        const char *reason)
{
  MsnpAccount *msn = sw->msn;
  g_autofree char *escaped = g_markup_escape_text (msg->text, -1);
  g_autofree char *line = g_strdup_printf (
      _("This message was not delivered: %s<br>%s"), reason, escaped);
  PurpleConversation *conv = NULL;

  /* A file-transfer invitation is not text the user typed: the transfer
   * fails instead of the conversation showing a report. */
  if (msg->invite_cookie != NULL && msg->to != NULL) {
    msnp_switchboard_invitations.failed (msn, msg->to, msg->invite_cookie);
    return;
  }
  if (sw->chat_id > 0)
    conv = purple_find_chat (msn->gc, sw->chat_id);
  if (conv == NULL && msg->to != NULL)
    conv = msnp_sw_im_conversation (msn, msg->to);
  if (conv != NULL)
    purple_conversation_write (conv, NULL, line, PURPLE_MESSAGE_ERROR, time (NULL));
  else
    purple_debug_warning ("msnp", "undelivered message with no conversation\n");
}

static void
report_undelivered (MsnpSwitchboard *sw, OutMessage *msg, guint code,
                    gboolean ended)
{
  g_autofree char *reason = reason_sentence (sw, msg, code, ended);

  msnp_sw_report_because (sw, msg, reason);
}

void
msnp_sw_report_waiting (MsnpSwitchboard *sw, guint code)
{
  OutMessage *msg;

  while ((msg = g_queue_pop_head (&sw->waiting)) != NULL) {
    report_undelivered (sw, msg, code, code == 0);
    msnp_sw_out_message_free (msg);
  }
}

/* ---- sending ---------------------------------------------------------- */

void
msnp_sw_out_message_free (gpointer data)
{
  OutMessage *msg = data;

  g_free (msg->to);
  g_free (msg->text);
  g_free (msg->invite_cookie);
  g_bytes_unref (msg->payload);
  g_free (msg);
}

void
msnp_sw_submit (MsnpSwitchboard *sw, OutMessage *msg)
{
  guint64 id;

  if (sw->sb == NULL) {
    g_queue_push_tail (&sw->waiting, msg);
    return;
  }
  id = msnp_sb_send (sw->sb, msg->payload, MSNP_SB_ACK_FULL);
  if (id == 0) {
    report_undelivered (sw, msg, 0, FALSE);
    msnp_sw_out_message_free (msg);
    return;
  }
  {
    guint64 *key = g_new (guint64, 1);
    *key = id;
    g_hash_table_insert (sw->sent, key, msg);
  }
  msnp_sw_touch (sw);
}

void
msnp_sw_route (MsnpAccount *msn, OutMessage *msg, MsnpSwitchboard *from)
{
  MsnpSwitchboard *sw = msnp_sw_find_im (msn, msg->to, from);

  if (sw == NULL && !msnp_sw_make_room (msn)) {
    msnp_sw_report_because (from != NULL ? from : &(MsnpSwitchboard) { .msn = msn },
                            msg, _("Too many conversations are open at once. "
                                   "Close one and send the message again."));
    msnp_sw_out_message_free (msg);
    return;
  }
  if (sw == NULL)
    sw = msnp_sw_open (msn, msg->to);
  if (sw == NULL) {
    MsnpSwitchboard stand_in = { .msn = msn };
    report_undelivered (from != NULL ? from : &stand_in, msg, 0, TRUE);
    msnp_sw_out_message_free (msg);
    return;
  }
  msnp_sw_submit (sw, msg);
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
  msnp_sw_route (msn, msg, NULL);
}

void
msnp_sw_acked (gpointer user, guint64 id)
{
  MsnpSwitchboard *sw = user;
  g_hash_table_remove (sw->sent, &id);
}

void
msnp_sw_undelivered (gpointer user, guint64 id, GBytes *payload, guint code,
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
    msnp_sw_route (sw->msn, msg, sw);
    return;
  } else {
    report_undelivered (sw, msg, code, ended);
  }
  msnp_sw_out_message_free (msg);
}

/* ---- message ids -------------------------------------------------------- */

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
GPtrArray *
msnp_sw_payloads_for (const char *html, char **text_out)
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

/* The body of a payload we built ourselves (after the blank line). */
char *
msnp_sw_payload_text (GBytes *payload)
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

gboolean
msnp_sw_seen_before (MsnpAccount *msn, const char *passport,
                     const MsnpMime *mime)
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

void
msnp_sw_seen_clear (MsnpAccount *msn)
{
  g_clear_pointer (&msn->seen_ids, g_hash_table_unref);
  if (msn->seen_order != NULL) {
    /* The strings belonged to seen_ids. */
    g_queue_free (msn->seen_order);
    msn->seen_order = NULL;
  }
}
