/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard session (draft section 8), sans-IO.
 *
 * Bookkeeping, in the order a message moves through it:
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

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-sb.h"
#include "msnp-trace.h"
#include "msnp-command.h"
#include "msnp-error.h"
#include "msnp-framer.h"

typedef enum {
  SB_STATE_NEW,         /* no connection yet */
  SB_STATE_AUTH,        /* USR or ANS sent */
  SB_STATE_READY,       /* signed in to the switchboard */
  SB_STATE_CLOSED,
} SbState;

typedef struct {
  guint64        id;
  GBytes        *payload;
  MsnpSbAckMode  mode;
} SbQueued;

typedef struct {
  guint    trid;
  guint64  id;
  GBytes  *payload;
} SbSent;

typedef struct {
  guint    trid;
  char    *passport;
} SbCall;

struct _MsnpSb {
  const MsnpSbEvents *ev;
  gpointer            user;
  gboolean            outgoing;
  char               *own;
  char               *cookie;
  char               *session_id;

  SbState     state;
  gboolean    trace;
  MsnpFramer *framer;
  GString    *out;
  guint       next_trid;
  guint       auth_trid;
  guint64     next_id;

  GPtrArray  *participants;    /* char *, join order */
  GPtrArray  *invites;         /* char *, waiting for READY */
  GArray     *calls;           /* SbCall: CAL sent, nobody joined yet */

  GQueue      queue;           /* SbQueued * */
  GArray     *inflight;        /* SbSent, A mode, sorted by trid */
  SbSent      nak_ring[MSNP_SB_NAK_WINDOW];
  guint       nak_next;        /* slot the next N message takes */
};

/* ---- logging ---------------------------------------------------------- */

static gboolean
mentions_cookie (const MsnpSb *sb, const char *line, gsize len)
{
  gsize n = strlen (sb->cookie);
  const char *end = line + len;

  if (n == 0)
    return FALSE;
  /* Not strstr: @line is not NUL-terminated (and may be a payload). */
  for (const char *p = line; (gsize) (end - p) >= n; p++) {
    p = memchr (p, sb->cookie[0], (gsize) (end - p) - n + 1);
    if (p == NULL)
      return FALSE;
    if (memcmp (p, sb->cookie, n) == 0)
      return TRUE;
  }
  return FALSE;
}

/* ---- writing ---------------------------------------------------------- */

/* Writes sb->out.  @sensitive lines (the cookie) are logged by name only. */
static void
flush_out (MsnpSb *sb, gboolean sensitive)
{
  if (sensitive || mentions_cookie (sb, sb->out->str, sb->out->len))
    MSNP_TRACE (sb->trace, "SB >>> %.3s [redacted]", sb->out->str);
  else
    MSNP_TRACE (sb->trace, "SB >>> %.*s", (int) MIN (sb->out->len - 2, 200), sb->out->str);
  sb->ev->write (sb->user, sb->out->str, sb->out->len, sensitive);
}

static guint
send_command (MsnpSb *sb, const char *name, gboolean sensitive,
              const char *const *params, guint n_params)
{
  guint trid = sb->next_trid++;

  g_string_truncate (sb->out, 0);
  msnp_command_append (sb->out, name, trid, params, n_params);
  flush_out (sb, sensitive);
  return trid;
}

static void
send_out (MsnpSb *sb)
{
  /* OUT carries no TrID; the server closes the connection after it. */
  g_string_assign (sb->out, "OUT\r\n");
  flush_out (sb, FALSE);
}

/* ---- message bookkeeping ---------------------------------------------- */

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

/* Writes the queue in order, as long as someone is there to read it. */
static void
flush_queue (MsnpSb *sb)
{
  while (can_write_messages (sb) && !g_queue_is_empty (&sb->queue)) {
    SbQueued *q = g_queue_pop_head (&sb->queue);
    write_message (sb, q->id, q->payload, q->mode);
    queued_free (q);
  }
}

/* ---- closing ---------------------------------------------------------- */

/* Ends the session: says OUT if @say_out, hands back every queued and
 * unacknowledged message in the order given, then fires closed.  The state
 * is CLOSED before any event, so callbacks cannot add to what is being
 * handed back. */
static void
close_with (MsnpSb *sb, const GError *error, gboolean say_out)
{
  GArray *inflight;
  GQueue queue;

  if (sb->state == SB_STATE_CLOSED)
    return;
  if (say_out && sb->state != SB_STATE_NEW)
    send_out (sb);
  sb->state = SB_STATE_CLOSED;
  g_debug ("SB: closed (%s)", error != NULL ? error->message : "cleanly");

  inflight = g_steal_pointer (&sb->inflight);
  sb->inflight = g_array_new (FALSE, FALSE, sizeof (SbSent));
  queue = sb->queue;
  g_queue_init (&sb->queue);
  nak_ring_clear (sb);
  g_array_set_size (sb->calls, 0);
  g_ptr_array_set_size (sb->invites, 0);

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
  sb->ev->closed (sb->user, error);
}

static void
close_with_code (MsnpSb *sb, MsnpErrorCode code, const char *message)
{
  GError *error = g_error_new_literal (MSNP_ERROR, code, message);
  close_with (sb, error, FALSE);
  g_error_free (error);
}

static void
close_with_server_code (MsnpSb *sb, guint code, gboolean say_out)
{
  GError *error = NULL;

  msnp_server_error_set (&error, code);
  close_with (sb, error, say_out);
  g_error_free (error);
}

/* ---- participants and calls ------------------------------------------ */

static gint
find_passport (const GPtrArray *list, const char *passport)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (list, i), passport) == 0)
      return (gint) i;
  return -1;
}

static gint
find_call_by_passport (const MsnpSb *sb, const char *passport)
{
  for (guint i = 0; i < sb->calls->len; i++)
    if (g_ascii_strcasecmp (g_array_index (sb->calls, SbCall, i).passport,
                            passport) == 0)
      return (gint) i;
  return -1;
}

static gint
find_call_by_trid (const MsnpSb *sb, guint trid)
{
  for (guint i = 0; i < sb->calls->len; i++)
    if (g_array_index (sb->calls, SbCall, i).trid == trid)
      return (gint) i;
  return -1;
}

static void
call_clear (gpointer data)
{
  SbCall *call = data;
  g_free (call->passport);
}

static void
send_call (MsnpSb *sb, const char *passport)
{
  SbCall call;

  call.trid = send_command (sb, "CAL", FALSE, &passport, 1);
  call.passport = g_strdup (passport);
  g_array_append_val (sb->calls, call);
}

/* Nobody here and nobody coming: the session has no purpose left. */
static gboolean
is_deserted (const MsnpSb *sb)
{
  return sb->participants->len == 0 && sb->calls->len == 0 &&
         sb->invites->len == 0;
}

/* Signed in: invitations made so far go out, then queued messages. */
static void
become_ready (MsnpSb *sb)
{
  GPtrArray *invites;

  if (sb->state != SB_STATE_AUTH)
    return;
  sb->state = SB_STATE_READY;
  sb->ev->ready (sb->user);
  if (sb->state != SB_STATE_READY)
    return;
  invites = g_steal_pointer (&sb->invites);
  sb->invites = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < invites->len && sb->state == SB_STATE_READY; i++)
    send_call (sb, g_ptr_array_index (invites, i));
  g_ptr_array_unref (invites);
  flush_queue (sb);
}

/* Adds a participant (once) and reports it.  FALSE when the owner closed
 * the session from the callback. */
static gboolean
add_participant (MsnpSb *sb, const char *passport, const char *friendly_enc,
                 gboolean initial)
{
  char friendly[512];
  gint call;

  if (g_ascii_strcasecmp (passport, sb->own) == 0)
    return TRUE;
  call = find_call_by_passport (sb, passport);
  if (call >= 0)
    g_array_remove_index (sb->calls, (guint) call);
  if (find_passport (sb->participants, passport) >= 0)
    return TRUE;
  g_ptr_array_add (sb->participants, g_strdup (passport));
  msnp_url_decode_to (friendly_enc != NULL ? friendly_enc : passport,
                      friendly, sizeof friendly);
  /* Names reach chat member lists and aliases: no colour bytes, bells or
   * terminal escapes, and one line. */
  msnp_text_strip_controls (friendly, FALSE);
  sb->ev->joined (sb->user, passport, friendly, initial);
  return sb->state != SB_STATE_CLOSED;
}

/* ---- handlers --------------------------------------------------------- */

static gboolean
param_is (const MsnpCommand *cmd, guint i, const char *value)
{
  const char *p = msnp_command_param (cmd, i);
  return p != NULL && g_ascii_strcasecmp (p, value) == 0;
}

static gboolean
get_trid (const MsnpCommand *cmd, guint *trid)
{
  guint64 n;

  if (!msnp_command_param_uint (cmd, 0, &n) || n == 0 || n > G_MAXUINT)
    return FALSE;
  *trid = (guint) n;
  return TRUE;
}

static gboolean
handle_usr (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* USR trid OK own friendly */
  if (!sb->outgoing || !param_is (cmd, 1, "OK")) {
    g_debug ("SB: ignoring USR in state %d", sb->state);
    return TRUE;
  }
  become_ready (sb);
  return TRUE;
}

static gboolean
handle_ans (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* ANS trid OK */
  if (sb->outgoing || !param_is (cmd, 1, "OK") || sb->state != SB_STATE_AUTH) {
    g_debug ("SB: ignoring ANS in state %d", sb->state);
    return TRUE;
  }
  become_ready (sb);
  /* Draft 8.4: an empty roster is "an unexpected error condition"; with
   * nobody to talk to and nobody invited, leave rather than linger. */
  if (sb->state == SB_STATE_READY && is_deserted (sb))
    close_with (sb, NULL, TRUE);
  return TRUE;
}

static gboolean
handle_iro (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* IRO trid index total passport friendly */
  const char *passport = msnp_command_param (cmd, 3);

  if (passport == NULL || sb->state == SB_STATE_NEW)
    return TRUE;
  return add_participant (sb, passport, msnp_command_param (cmd, 4), TRUE);
}

static gboolean
handle_joi (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* JOI passport friendly */
  const char *passport = msnp_command_param (cmd, 0);

  if (passport == NULL || sb->state == SB_STATE_NEW)
    return TRUE;
  if (!add_participant (sb, passport, msnp_command_param (cmd, 1), FALSE))
    return FALSE;
  flush_queue (sb);
  return TRUE;
}

static gboolean
handle_cal (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* CAL trid RINGING sessid */
  const char *session_id = msnp_command_param (cmd, 2);

  if (!param_is (cmd, 1, "RINGING")) {
    g_debug ("SB: ignoring a CAL reply that is not RINGING");
    return TRUE;
  }
  /* The call stays pending until its JOI (or an error). */
  if (session_id != NULL && sb->session_id == NULL)
    sb->session_id = g_strdup (session_id);
  return TRUE;
}

static gboolean
handle_bye (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* BYE passport [1] */
  const char *passport = msnp_command_param (cmd, 0);
  gint i;

  if (passport == NULL)
    return TRUE;
  i = find_passport (sb->participants, passport);
  if (i < 0) {
    g_debug ("SB: BYE from someone not in the session");
    return TRUE;
  }
  g_ptr_array_remove_index (sb->participants, (guint) i);
  /* The passport string died with the removal: report it from @cmd. */
  sb->ev->left (sb->user, passport, param_is (cmd, 1, "1"));
  if (sb->state == SB_STATE_CLOSED)
    return FALSE;
  /* DESIGN: the last contact gone, this switchboard is done; the next
   * message opens a new one (and gets back what this one did not send). */
  if (is_deserted (sb))
    close_with (sb, NULL, TRUE);
  return sb->state != SB_STATE_CLOSED;
}

static gboolean
handle_ack (MsnpSb *sb, const MsnpCommand *cmd)
{
  guint trid;
  guint64 id;
  GBytes *payload = NULL;

  if (!get_trid (cmd, &trid) || !take_sent (sb, trid, &id, &payload)) {
    g_debug ("SB: ACK for no message we are tracking");
    return TRUE;
  }
  g_bytes_unref (payload);
  sb->ev->acked (sb->user, id);
  return sb->state != SB_STATE_CLOSED;
}

/* A message refused by NAK (@code 0) or a numeric error: TRUE when @trid
 * named one. */
static gboolean
refuse_message (MsnpSb *sb, guint trid, guint code)
{
  guint64 id;
  GBytes *payload = NULL;

  if (!take_sent (sb, trid, &id, &payload))
    return FALSE;
  sb->ev->undelivered (sb->user, id, payload, code, FALSE);
  g_bytes_unref (payload);
  return TRUE;
}

static gboolean
handle_nak (MsnpSb *sb, const MsnpCommand *cmd)
{
  guint trid;

  if (!get_trid (cmd, &trid) || !refuse_message (sb, trid, 0))
    g_debug ("SB: NAK for no message we are tracking");
  return sb->state != SB_STATE_CLOSED;
}

static gboolean
handle_msg (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* MSG passport friendly length + payload */
  const char *passport = msnp_command_param (cmd, 0);
  const char *friendly_enc = cmd->n_params >= 3 ? cmd->params[1] : passport;
  g_autoptr (MsnpMime) mime = NULL;
  char friendly[512];

  if (passport == NULL || cmd->payload == NULL)
    return TRUE;
  mime = msnp_mime_parse (cmd->payload, cmd->payload_len);
  if (mime == NULL) {
    g_debug ("SB: ignoring a MSG without MIME headers");
    return TRUE;
  }
  msnp_url_decode_to (friendly_enc, friendly, sizeof friendly);
  msnp_text_strip_controls (friendly, FALSE);
  /* Unknown content types are the owner's to ignore. */
  sb->ev->message (sb->user, passport, friendly,
                   msnp_mime_content_type (mime), mime);
  return sb->state != SB_STATE_CLOSED;
}

static gboolean
handle_out (MsnpSb *sb, const MsnpCommand *cmd)
{
  close_with_code (sb, MSNP_ERROR_DISCONNECTED,
                   _("The switchboard server ended the conversation."));
  return FALSE;
}

static gboolean
handle_call_error (MsnpSb *sb, guint index, guint code)
{
  SbCall *entry = &g_array_index (sb->calls, SbCall, index);
  char *passport = g_steal_pointer (&entry->passport);

  g_array_remove_index (sb->calls, index);
  g_debug ("SB: invitation refused with %u", code);
  sb->ev->call_failed (sb->user, passport, code);
  g_free (passport);
  if (sb->state == SB_STATE_CLOSED)
    return FALSE;
  /* The error is about the contact, not the session (217 is "SB fatal"
   * only in that a one-to-one session is then useless) — unless the
   * server itself is in trouble. */
  if (is_deserted (sb) ||
      (msnp_server_error_flags (code) & MSNP_SERVER_ERROR_FLAG_FATAL))
    close_with_server_code (sb, code, TRUE);
  return sb->state != SB_STATE_CLOSED;
}

static gboolean
handle_error (MsnpSb *sb, guint code, const MsnpCommand *cmd)
{
  MsnpServerErrorFlags flags = msnp_server_error_flags (code);
  guint trid = 0;
  gint call;

  if (get_trid (cmd, &trid) && sb->state == SB_STATE_AUTH &&
      trid == sb->auth_trid) {
    /* The cookie or the session was refused (911 and friends). */
    g_debug ("SB: sign-in refused with %u", code);
    close_with_server_code (sb, code, FALSE);
    return FALSE;
  }
  if (trid != 0 && (call = find_call_by_trid (sb, trid)) >= 0)
    return handle_call_error (sb, (guint) call, code);
  if (trid != 0 && refuse_message (sb, trid, code)) {
    if (sb->state == SB_STATE_CLOSED)
      return FALSE;
  } else {
    g_debug ("SB: server error %u", code);
  }
  if (flags & MSNP_SERVER_ERROR_FLAG_SB_FATAL)
    close_with_server_code (sb, code, TRUE);
  return sb->state != SB_STATE_CLOSED;
}

/* ---- dispatch --------------------------------------------------------- */

typedef gboolean (*SbHandler) (MsnpSb *sb, const MsnpCommand *cmd);

/* Sorted by name: looked up by binary search. */
/* name first: the entries are found with msnp_command_name_cmp(). */
typedef struct {
  char      name[4];
  SbHandler handler;
} SbEntry;

static const SbEntry sb_handlers[] = {
  { .name = "ACK", .handler = handle_ack },
  { .name = "ANS", .handler = handle_ans },
  { .name = "BYE", .handler = handle_bye },
  { .name = "CAL", .handler = handle_cal },
  { .name = "IRO", .handler = handle_iro },
  { .name = "JOI", .handler = handle_joi },
  { .name = "MSG", .handler = handle_msg },
  { .name = "NAK", .handler = handle_nak },
  { .name = "OUT", .handler = handle_out },
  { .name = "USR", .handler = handle_usr },
};

static SbHandler
find_handler (const char *name)
{
  const void *entry = bsearch (name, sb_handlers, G_N_ELEMENTS (sb_handlers),
                               sizeof sb_handlers[0], msnp_command_name_cmp);

  return entry != NULL ? ((const SbEntry *) entry)->handler : NULL;
}

static gboolean
dispatch_frame (const MsnpFrame *frame, gpointer user_data)
{
  MsnpSb *sb = user_data;
  MsnpCommand *cmd;
  SbHandler handler;
  guint code;

  if (sb->state == SB_STATE_CLOSED)
    return FALSE;
  /* MsnpCommand is about 4 KiB: keep it off small thread stacks. */
  cmd = g_alloca (sizeof *cmd);
  if (!msnp_command_parse (cmd, frame)) {
    g_debug ("SB: skipping a malformed line of %" G_GSIZE_FORMAT " bytes",
             frame->line_len);
    return TRUE;
  }
  /* No server line should carry the cookie; if one does, keep it out of
   * the log all the same. */
  if (mentions_cookie (sb, frame->line, frame->line_len))
    MSNP_TRACE (sb->trace, "SB <<< %s [redacted]", cmd->name);
  else
    MSNP_TRACE (sb->trace, "SB <<< %.*s", (int) MIN (frame->line_len, 200), frame->line);

  if (msnp_command_is_error (cmd, &code))
    return handle_error (sb, code, cmd);
  handler = find_handler (cmd->name);
  if (handler == NULL) {
    g_debug ("SB: ignoring unknown command %s", cmd->name);
    return TRUE;
  }
  return handler (sb, cmd) && sb->state != SB_STATE_CLOSED;
}

/* ---- public ----------------------------------------------------------- */

static MsnpSb *
sb_new (gboolean outgoing, const char *own_passport, const char *cookie,
        const char *session_id, const MsnpSbEvents *events, gpointer user)
{
  MsnpSb *sb = g_new0 (MsnpSb, 1);

  sb->ev = events;
  sb->user = user;
  sb->outgoing = outgoing;
  sb->own = g_strdup (own_passport);
  sb->cookie = g_strdup (cookie);
  sb->session_id = g_strdup (session_id);
  sb->state = SB_STATE_NEW;
  sb->framer = msnp_framer_new ();
  sb->out = g_string_sized_new (MSNP_SB_MAX_PAYLOAD + 64);
  sb->next_trid = 1;
  sb->next_id = 1;
  sb->participants = g_ptr_array_new_with_free_func (g_free);
  sb->invites = g_ptr_array_new_with_free_func (g_free);
  sb->calls = g_array_new (FALSE, FALSE, sizeof (SbCall));
  g_array_set_clear_func (sb->calls, call_clear);
  g_queue_init (&sb->queue);
  sb->inflight = g_array_new (FALSE, FALSE, sizeof (SbSent));
  return sb;
}

MsnpSb *
msnp_sb_new_outgoing (const char *own_passport, const char *cookie,
                      const MsnpSbEvents *events, gpointer user)
{
  g_return_val_if_fail (own_passport != NULL && cookie != NULL, NULL);
  return sb_new (TRUE, own_passport, cookie, NULL, events, user);
}

MsnpSb *
msnp_sb_new_incoming (const char *own_passport, const char *cookie,
                      const char *session_id, const MsnpSbEvents *events,
                      gpointer user)
{
  g_return_val_if_fail (own_passport != NULL && cookie != NULL &&
                        session_id != NULL, NULL);
  return sb_new (FALSE, own_passport, cookie, session_id, events, user);
}

void
msnp_sb_free (MsnpSb *sb)
{
  if (sb == NULL)
    return;
  /* No events from here: whoever frees the session is done with it. */
  for (guint i = 0; i < sb->inflight->len; i++)
    g_bytes_unref (g_array_index (sb->inflight, SbSent, i).payload);
  g_array_unref (sb->inflight);
  g_queue_clear_full (&sb->queue, (GDestroyNotify) queued_free);
  nak_ring_clear (sb);
  g_array_unref (sb->calls);
  g_ptr_array_unref (sb->invites);
  g_ptr_array_unref (sb->participants);
  msnp_framer_free (sb->framer);
  g_string_free (sb->out, TRUE);
  g_free (sb->own);
  if (sb->cookie != NULL)
    memset (sb->cookie, 0, strlen (sb->cookie));
  g_free (sb->cookie);
  g_free (sb->session_id);
  g_free (sb);
}

void
msnp_sb_connected (MsnpSb *sb)
{
  if (sb->state != SB_STATE_NEW)
    return;
  sb->state = SB_STATE_AUTH;
  if (sb->outgoing)
    sb->auth_trid = send_command (sb, "USR", TRUE,
                                  (const char *const[]) { sb->own, sb->cookie },
                                  2);
  else
    sb->auth_trid = send_command (sb, "ANS", TRUE,
                                  (const char *const[]) { sb->own, sb->cookie,
                                                          sb->session_id }, 3);
}

gboolean
msnp_sb_feed (MsnpSb *sb, const guint8 *data, gsize len)
{
  GError *error = NULL;

  if (sb->state == SB_STATE_CLOSED)
    return FALSE;
  if (!msnp_framer_feed (sb->framer, data, len, dispatch_frame, sb, &error)) {
    GError *wrapped = g_error_new (MSNP_ERROR, MSNP_ERROR_PROTOCOL,
                                   _("The switchboard server sent data that "
                                     "could not be understood (%s)."),
                                   error->message);
    close_with (sb, wrapped, FALSE);
    g_error_free (wrapped);
    g_error_free (error);
  }
  return sb->state != SB_STATE_CLOSED;
}

void
msnp_sb_disconnected (MsnpSb *sb)
{
  close_with_code (sb, MSNP_ERROR_DISCONNECTED,
                   _("The connection to the switchboard server was lost."));
}

void
msnp_sb_invite (MsnpSb *sb, const char *passport)
{
  g_return_if_fail (passport != NULL);

  if (sb->state == SB_STATE_CLOSED ||
      g_ascii_strcasecmp (passport, sb->own) == 0 ||
      find_passport (sb->participants, passport) >= 0 ||
      find_passport (sb->invites, passport) >= 0 ||
      find_call_by_passport (sb, passport) >= 0)
    return;
  if (sb->state == SB_STATE_READY)
    send_call (sb, passport);
  else
    g_ptr_array_add (sb->invites, g_strdup (passport));
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

void
msnp_sb_leave (MsnpSb *sb)
{
  close_with (sb, NULL, TRUE);
}

gboolean
msnp_sb_ring_timeout (MsnpSb *sb)
{
  GError *error;

  if (sb->state == SB_STATE_CLOSED || sb->participants->len > 0)
    return FALSE;
  g_debug ("SB: nobody joined in time; giving the session up");
  error = g_error_new_literal (MSNP_ERROR, MSNP_ERROR_TIMEOUT,
                               _("Nobody joined the conversation in time."));
  /* OUT only once signed in: before that the server is not listening. */
  close_with (sb, error, sb->state == SB_STATE_READY);
  g_error_free (error);
  return TRUE;
}

gboolean
msnp_sb_is_idle (const MsnpSb *sb)
{
  return sb->state == SB_STATE_READY && sb->participants->len > 0 &&
         sb->queue.length == 0 && sb->inflight->len == 0 &&
         sb->calls->len == 0 && sb->invites->len == 0;
}

void
msnp_sb_set_trace (MsnpSb *sb, gboolean trace)
{
  sb->trace = trace;
}

gboolean
msnp_sb_is_ready (const MsnpSb *sb)
{
  return sb->state == SB_STATE_READY;
}

gboolean
msnp_sb_is_closed (const MsnpSb *sb)
{
  return sb->state == SB_STATE_CLOSED;
}

const GPtrArray *
msnp_sb_participants (const MsnpSb *sb)
{
  return sb->participants;
}

gboolean
msnp_sb_has_participant (const MsnpSb *sb, const char *passport)
{
  return passport != NULL && find_passport (sb->participants, passport) >= 0;
}

guint
msnp_sb_n_pending (const MsnpSb *sb)
{
  return sb->queue.length + sb->inflight->len;
}

const char *
msnp_sb_session_id (const MsnpSb *sb)
{
  return sb->session_id;
}
