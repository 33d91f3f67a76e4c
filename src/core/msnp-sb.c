/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard session (draft section 8), sans-IO: its state (new →
 * signing in → ready → closed), the lines it writes, the dispatch of what
 * the server sends, and how it ends.  What happens to messages is
 * msnp-sb-queue.c's; who is in the session is msnp-sb-roster.c's. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-error.h"
#include "msnp-sb-private.h"
#include "msnp-trace.h"

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

guint
msnp_sb_send_command (MsnpSb *sb, const char *name, gboolean sensitive,
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

/* ---- closing ---------------------------------------------------------- */

/* The state is CLOSED before any event, so callbacks cannot add to what is
 * being handed back. */
void
msnp_sb_close (MsnpSb *sb, const GError *error, gboolean say_out)
{
  if (sb->state == SB_STATE_CLOSED)
    return;
  if (say_out && sb->state != SB_STATE_NEW)
    send_out (sb);
  sb->state = SB_STATE_CLOSED;
  g_debug ("SB: closed (%s)", error != NULL ? error->message : "cleanly");

  g_array_set_size (sb->calls, 0);
  g_ptr_array_set_size (sb->invites, 0);
  msnp_sb_queue_hand_back (sb);
  sb->ev->closed (sb->user, error);
}

static void
close_with_code (MsnpSb *sb, MsnpErrorCode code, const char *message)
{
  GError *error = g_error_new_literal (MSNP_ERROR, code, message);
  msnp_sb_close (sb, error, FALSE);
  g_error_free (error);
}

void
msnp_sb_close_with_server_code (MsnpSb *sb, guint code, gboolean say_out)
{
  GError *error = NULL;

  msnp_server_error_set (&error, code);
  msnp_sb_close (sb, error, say_out);
  g_error_free (error);
}

/* ---- signing in -------------------------------------------------------- */

/* Signed in: invitations made so far go out, then queued messages. */
static void
become_ready (MsnpSb *sb)
{
  if (sb->state != SB_STATE_AUTH)
    return;
  sb->state = SB_STATE_READY;
  sb->ev->ready (sb->user);
  if (sb->state != SB_STATE_READY)
    return;
  msnp_sb_call_invited (sb);
  msnp_sb_queue_flush (sb);
}

/* ---- handlers --------------------------------------------------------- */

gboolean
msnp_sb_param_is (const MsnpCommand *cmd, guint i, const char *value)
{
  const char *p = msnp_command_param (cmd, i);
  return p != NULL && g_ascii_strcasecmp (p, value) == 0;
}

gboolean
msnp_sb_get_trid (const MsnpCommand *cmd, guint *trid)
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
  if (!sb->outgoing || !msnp_sb_param_is (cmd, 1, "OK")) {
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
  if (sb->outgoing || !msnp_sb_param_is (cmd, 1, "OK") || sb->state != SB_STATE_AUTH) {
    g_debug ("SB: ignoring ANS in state %d", sb->state);
    return TRUE;
  }
  become_ready (sb);
  /* Draft 8.4: an empty roster is "an unexpected error condition"; with
   * nobody to talk to and nobody invited, leave rather than linger. */
  if (sb->state == SB_STATE_READY && msnp_sb_is_deserted (sb))
    msnp_sb_close (sb, NULL, TRUE);
  return TRUE;
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
handle_error (MsnpSb *sb, guint code, const MsnpCommand *cmd)
{
  MsnpServerErrorFlags flags = msnp_server_error_flags (code);
  guint trid = 0;
  gint call;

  if (msnp_sb_get_trid (cmd, &trid) && sb->state == SB_STATE_AUTH &&
      trid == sb->auth_trid) {
    /* The cookie or the session was refused (911 and friends). */
    g_debug ("SB: sign-in refused with %u", code);
    msnp_sb_close_with_server_code (sb, code, FALSE);
    return FALSE;
  }
  if (trid != 0 && (call = msnp_sb_find_call (sb, trid)) >= 0)
    return msnp_sb_handle_call_error (sb, (guint) call, code);
  if (trid != 0 && msnp_sb_queue_refuse (sb, trid, code)) {
    if (sb->state == SB_STATE_CLOSED)
      return FALSE;
  } else {
    g_debug ("SB: server error %u", code);
  }
  if (flags & MSNP_SERVER_ERROR_FLAG_SB_FATAL)
    msnp_sb_close_with_server_code (sb, code, TRUE);
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
  { .name = "ACK", .handler = msnp_sb_handle_ack },
  { .name = "ANS", .handler = handle_ans },
  { .name = "BYE", .handler = msnp_sb_handle_bye },
  { .name = "CAL", .handler = msnp_sb_handle_cal },
  { .name = "IRO", .handler = msnp_sb_handle_iro },
  { .name = "JOI", .handler = msnp_sb_handle_joi },
  { .name = "MSG", .handler = handle_msg },
  { .name = "NAK", .handler = msnp_sb_handle_nak },
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
  msnp_sb_roster_init (sb);
  msnp_sb_queue_init (sb);
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
  msnp_sb_queue_free (sb);
  msnp_sb_roster_free (sb);
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
    sb->auth_trid = msnp_sb_send_command (sb, "USR", TRUE,
                                  (const char *const[]) { sb->own, sb->cookie },
                                  2);
  else
    sb->auth_trid = msnp_sb_send_command (sb, "ANS", TRUE,
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
    msnp_sb_close (sb, wrapped, FALSE);
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
msnp_sb_leave (MsnpSb *sb)
{
  msnp_sb_close (sb, NULL, TRUE);
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
  msnp_sb_close (sb, error, sb->state == SB_STATE_READY);
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

const char *
msnp_sb_session_id (const MsnpSb *sb)
{
  return sb->session_id;
}
