/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard tests' event sink (sb-recorder.h). */
#include "config.h"

#include <string.h>

#include "msnp-error.h"
#include "sb-recorder.h"

GString *captured_log;

static void
rec_event (Recorder *r, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
rec_event (Recorder *r, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_ptr_array_add (r->events, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

static void
report_once (Recorder *r, guint64 id, const char *how)
{
  g_assert_cmpuint (id, >, 0);
  g_assert_null (g_hash_table_lookup (r->reported, &id));
  g_hash_table_insert (r->reported, g_memdup2 (&id, sizeof id), (gpointer) how);
}

static void
ev_write (gpointer u, const char *data, gsize len, gboolean sensitive)
{
  Recorder *r = u;

  if (r->n_closed > 0)
    r->write_after_close = TRUE;
  r->sensitive_seen |= sensitive;
  g_string_append_len (r->written, data, (gssize) len);
}

static void
ev_ready (gpointer u)
{
  rec_event (u, "ready");
}

static void
ev_joined (gpointer u, const char *passport, const char *friendly,
           gboolean initial)
{
  Recorder *r = u;

  rec_event (r, "joined %s [%s] %d", passport, friendly, initial);
  if (r->leave_on_join)
    msnp_sb_leave (r->sb);
}

static void
ev_left (gpointer u, const char *passport, gboolean idle)
{
  rec_event (u, "left %s %d", passport, idle);
}

static void
ev_message (gpointer u, const char *passport, const char *friendly,
            const char *content_type, const MsnpMime *mime)
{
  gsize len = 0;
  const guint8 *body = msnp_mime_body (mime, &len);

  rec_event (u, "message %s [%s] %s %.*s", passport, friendly, content_type,
             (int) len, (const char *) body);
}

static void
ev_acked (gpointer u, guint64 id)
{
  Recorder *r = u;

  g_assert_cmpuint (r->n_closed, ==, 0);
  report_once (r, id, "acked");
  rec_event (r, "acked %" G_GUINT64_FORMAT, id);
}

static void
ev_undelivered (gpointer u, guint64 id, GBytes *payload, guint code,
                gboolean ended)
{
  Recorder *r = u;

  g_assert_cmpuint (r->n_closed, ==, 0);
  g_assert_nonnull (payload);
  report_once (r, id, "undelivered");
  g_hash_table_insert (r->payloads, g_memdup2 (&id, sizeof id),
                       g_bytes_ref (payload));
  rec_event (r, "undelivered %" G_GUINT64_FORMAT " %u %d", id, code, ended);
}

static void
ev_call_failed (gpointer u, const char *passport, guint code)
{
  rec_event (u, "call-failed %s %u", passport, code);
}

static void
ev_closed (gpointer u, const GError *error)
{
  Recorder *r = u;

  r->n_closed++;
  g_assert_cmpuint (r->n_closed, ==, 1);
  r->clean_close = error == NULL;
  r->closed = error ? g_error_copy (error) : g_error_new_literal (MSNP_ERROR, 0, "");
  if (error != NULL)
    rec_event (r, "closed %s %d", g_quark_to_string (error->domain), error->code);
  else
    rec_event (r, "closed");
}

const MsnpSbEvents recorder_events = {
  .write = ev_write,
  .ready = ev_ready,
  .joined = ev_joined,
  .left = ev_left,
  .message = ev_message,
  .acked = ev_acked,
  .undelivered = ev_undelivered,
  .call_failed = ev_call_failed,
  .closed = ev_closed,
};

Recorder *
recorder_new (void)
{
  Recorder *r = g_new0 (Recorder, 1);

  r->written = g_string_new (NULL);
  r->events = g_ptr_array_new_with_free_func (g_free);
  r->reported = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  r->payloads = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                       (GDestroyNotify) g_bytes_unref);
  return r;
}

void
recorder_free (Recorder *r)
{
  g_string_free (r->written, TRUE);
  g_ptr_array_unref (r->events);
  g_hash_table_unref (r->reported);
  g_hash_table_unref (r->payloads);
  g_clear_error (&r->closed);
  g_free (r);
}

/* The events since the last call, joined with '\n'. */
char *
take_events (Recorder *r)
{
  GString *all = g_string_new (NULL);

  for (guint i = 0; i < r->events->len; i++)
    {
      if (i > 0)
        g_string_append_c (all, '\n');
      g_string_append (all, g_ptr_array_index (r->events, i));
    }
  g_ptr_array_set_size (r->events, 0);
  return g_string_free (all, FALSE);
}

void
expect_events (Recorder *r, const char *expected)
{
  g_autofree char *got = take_events (r);
  g_assert_cmpstr (got, ==, expected);
}

void
expect_eventsf (Recorder *r, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *expected = NULL;

  va_start (ap, fmt);
  expected = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  expect_events (r, expected);
}

void
expect_written (Recorder *r, const char *expected)
{
  g_assert_cmpstr (r->written->str, ==, expected);
  g_string_truncate (r->written, 0);
}

void
feed (MsnpSb *sb, const char *bytes)
{
  msnp_sb_feed (sb, (const guint8 *) bytes, strlen (bytes));
}

GBytes *
text_message (const char *text)
{
  char *s = g_strdup_printf ("MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=UTF-8\r\n"
                             "X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n"
                             "\r\n%s", text);
  gsize len = strlen (s);

  return g_bytes_new_take (s, len);
}

guint64
send_text (MsnpSb *sb, const char *text, MsnpSbAckMode mode)
{
  g_autoptr (GBytes) b = text_message (text);
  return msnp_sb_send (sb, b, mode);
}

/* The exact bytes of "MSG trid mode len\r\n" + payload for @text. */
char *
msg_bytes (guint trid, char mode, const char *text)
{
  g_autoptr (GBytes) b = text_message (text);
  gsize len;
  const char *data = g_bytes_get_data (b, &len);

  return g_strdup_printf ("MSG %u %c %" G_GSIZE_FORMAT "\r\n%.*s", trid, mode,
                          len, (int) len, data);
}

/* An outgoing session signed in with bob joined; the next TrID is 3. */
MsnpSb *
joined_outgoing (Recorder *r)
{
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &recorder_events, r);

  r->sb = sb;
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_connected (sb);
  feed (sb, "USR 1 OK alice@passport.com Alice\r\n"
            "CAL 2 RINGING 11752013\r\n"
            "JOI bob@passport.com Bob\r\n");
  g_assert_true (msnp_sb_is_ready (sb));
  g_assert_true (msnp_sb_has_participant (sb, "bob@passport.com"));
  g_string_truncate (r->written, 0);
  g_ptr_array_set_size (r->events, 0);
  return sb;
}

/* The core's debug output: kept off stdout (which carries TAP), and
 * captured while a test wants to read it. */
static void
debug_handler (const char *domain, GLogLevelFlags level, const char *message,
               gpointer user_data)
{
  if (captured_log != NULL)
    {
      g_string_append (captured_log, message);
      g_string_append_c (captured_log, '\n');
    }
}

void
sb_test_init (int *argc, char ***argv)
{
  g_test_init (argc, argv, NULL);
  g_log_set_handler (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, debug_handler, NULL);
}
