/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Delivery bookkeeping of a switchboard session, in the order a message
 * moves through it:
 *   queue     messages given before anyone could read them (FIFO);
 *   inflight  A-mode messages written and awaiting ACK/NAK, sorted by TrID
 *             (TrIDs only grow, so appending keeps the order and lookup is
 *             a binary search; no limit on how many);
 *   nak_ring  the last MSNP_SB_NAK_WINDOW N-mode messages written, only so
 *             that a NAK naming one can still report it.
 * Every message leaves these exactly once: through acked, through
 * undelivered, or (N mode, written) silently.  Whatever is in the queue
 * or inflight when the session ends is handed back, inflight first: that
 * is the order the messages were given in, because a message is written
 * directly only when the queue is empty. */
#include "config.h"

#include <string.h>

#include "msnp-sb-private.h"
#include "msnp-trace.h"

static void
queued_free (SbQueued *q)
{
  g_bytes_unref (q->payload);
  g_free (q);
}

/* Index of @trid in inflight, or -1. */
static gssize
inflight_find (const MsnpSb *sb, guint trid)
{
  gsize lo = 0, hi = sb->inflight->len;

  while (lo < hi) {
    gsize mid = (lo + hi) / 2;
    guint t = g_array_index (sb->inflight, SbSent, mid).trid;
    if (t == trid)
      return (gssize) mid;
    if (t < trid)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

/* Removes the message sent with @trid from inflight or the NAK window;
 * FALSE when no tracked message has that TrID.  The caller owns *@payload. */
static gboolean
take_sent (MsnpSb *sb, guint trid, guint64 *id, GBytes **payload)
{
  gssize i = inflight_find (sb, trid);

  if (i >= 0) {
    SbSent *s = &g_array_index (sb->inflight, SbSent, i);
    *id = s->id;
    *payload = s->payload;
    g_array_remove_index (sb->inflight, (guint) i);
    return TRUE;
  }
  for (guint k = 0; k < MSNP_SB_NAK_WINDOW; k++) {
    SbSent *s = &sb->nak_ring[k];
    if (s->payload != NULL && s->trid == trid) {
      *id = s->id;
      *payload = g_steal_pointer (&s->payload);
      return TRUE;
    }
  }
  return FALSE;
}

static void
nak_ring_clear (MsnpSb *sb)
{
  for (guint k = 0; k < MSNP_SB_NAK_WINDOW; k++)
    g_clear_pointer (&sb->nak_ring[k].payload, g_bytes_unref);
}

static void
write_message (MsnpSb *sb, guint64 id, GBytes *payload, MsnpSbAckMode mode)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  char mode_text[2] = { (char) mode, '\0' };
  char len_text[24];
  guint trid = sb->next_trid++;

  g_snprintf (len_text, sizeof len_text, "%" G_GSIZE_FORMAT, len);
  g_string_truncate (sb->out, 0);
  msnp_command_append (sb->out, "MSG", trid,
                       (const char *const[]) { mode_text, len_text }, 2);
  MSNP_TRACE (sb->trace, "SB >>> %.*s", (int) (sb->out->len - 2), sb->out->str);
  /* The payload follows the line as is: no CRLF after it. */
  if (len > 0)
    g_string_append_len (sb->out, (const char *) data, (gssize) len);

  if (mode == MSNP_SB_ACK_FULL) {
    SbSent s = { .trid = trid, .id = id, .payload = g_bytes_ref (payload) };
    g_array_append_val (sb->inflight, s);
  } else if (mode == MSNP_SB_ACK_NAK) {
    SbSent *slot = &sb->nak_ring[sb->nak_next];
    g_clear_pointer (&slot->payload, g_bytes_unref);
    slot->trid = trid;
    slot->id = id;
    slot->payload = g_bytes_ref (payload);
    sb->nak_next = (sb->nak_next + 1) % MSNP_SB_NAK_WINDOW;
  }
  sb->ev->write (sb->user, sb->out->str, sb->out->len, FALSE);
}

static gboolean
can_write_messages (const MsnpSb *sb)
{
  return sb->state == SB_STATE_READY && sb->participants->len > 0;
}

void
msnp_sb_queue_flush (MsnpSb *sb)
{
  while (can_write_messages (sb) && !g_queue_is_empty (&sb->queue)) {
    SbQueued *q = g_queue_pop_head (&sb->queue);
    write_message (sb, q->id, q->payload, q->mode);
    queued_free (q);
  }
}

void
msnp_sb_queue_init (MsnpSb *sb)
{
  g_queue_init (&sb->queue);
  sb->inflight = g_array_new (FALSE, FALSE, sizeof (SbSent));
}

void
msnp_sb_queue_free (MsnpSb *sb)
{
  for (guint i = 0; i < sb->inflight->len; i++)
    g_bytes_unref (g_array_index (sb->inflight, SbSent, i).payload);
  g_array_unref (sb->inflight);
  g_queue_clear_full (&sb->queue, (GDestroyNotify) queued_free);
  nak_ring_clear (sb);
}

void
msnp_sb_queue_hand_back (MsnpSb *sb)
{
  GArray *inflight = g_steal_pointer (&sb->inflight);
  GQueue queue = sb->queue;

  /* Taken out before any event, so callbacks cannot add to it. */
  sb->inflight = g_array_new (FALSE, FALSE, sizeof (SbSent));
  g_queue_init (&sb->queue);
  nak_ring_clear (sb);

  for (guint i = 0; i < inflight->len; i++) {
    SbSent *s = &g_array_index (inflight, SbSent, i);
    sb->ev->undelivered (sb->user, s->id, s->payload, 0, TRUE);
    g_clear_pointer (&s->payload, g_bytes_unref);
  }
  g_array_unref (inflight);
  for (SbQueued *q; (q = g_queue_pop_head (&queue)) != NULL;) {
    sb->ev->undelivered (sb->user, q->id, q->payload, 0, TRUE);
    queued_free (q);
  }
}

gboolean
msnp_sb_handle_ack (MsnpSb *sb, const MsnpCommand *cmd)
{
  guint trid;
  guint64 id;
  GBytes *payload = NULL;

  if (!msnp_sb_get_trid (cmd, &trid) || !take_sent (sb, trid, &id, &payload)) {
    g_debug ("SB: ACK for no message we are tracking");
    return TRUE;
  }
  g_bytes_unref (payload);
  sb->ev->acked (sb->user, id);
  return sb->state != SB_STATE_CLOSED;
}

gboolean
msnp_sb_queue_refuse (MsnpSb *sb, guint trid, guint code)
{
  guint64 id;
  GBytes *payload = NULL;

  if (!take_sent (sb, trid, &id, &payload))
    return FALSE;
  sb->ev->undelivered (sb->user, id, payload, code, FALSE);
  g_bytes_unref (payload);
  return TRUE;
}

gboolean
msnp_sb_handle_nak (MsnpSb *sb, const MsnpCommand *cmd)
{
  guint trid;

  if (!msnp_sb_get_trid (cmd, &trid) || !msnp_sb_queue_refuse (sb, trid, 0))
    g_debug ("SB: NAK for no message we are tracking");
  return sb->state != SB_STATE_CLOSED;
}

guint64
msnp_sb_send (MsnpSb *sb, GBytes *payload, MsnpSbAckMode mode)
{
  guint64 id;

  g_return_val_if_fail (payload != NULL, 0);
  g_return_val_if_fail (mode == MSNP_SB_ACK_NONE || mode == MSNP_SB_ACK_NAK ||
                        mode == MSNP_SB_ACK_FULL, 0);

  if (sb->state == SB_STATE_CLOSED ||
      g_bytes_get_size (payload) > MSNP_SB_MAX_PAYLOAD)
    return 0;
  /* Anything queued goes first, so the order given is the order sent. */
  if (can_write_messages (sb) && g_queue_is_empty (&sb->queue)) {
    id = sb->next_id++;
    write_message (sb, id, payload, mode);
    return id;
  }
  if (mode == MSNP_SB_ACK_NONE)
    return 0;   /* a typing notice for nobody */
  id = sb->next_id++;
  {
    SbQueued *q = g_new (SbQueued, 1);
    q->id = id;
    q->payload = g_bytes_ref (payload);
    q->mode = mode;
    g_queue_push_tail (&sb->queue, q);
  }
  return id;
}

guint
msnp_sb_n_pending (const MsnpSb *sb)
{
  return sb->queue.length + sb->inflight->len;
}

