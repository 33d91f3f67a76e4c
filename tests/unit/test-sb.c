/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard session, sans-IO: server transcripts fed through MsnpSb,
 * asserting the bytes it writes and the events it emits, with the
 * ACK/NAK bookkeeping pushed hard (hundreds in flight, every way a session
 * can end, input split at every byte). */
#include "config.h"

#include <string.h>

#include "msnp-error.h"
#include "msnp-sb.h"

#define ALICE  "alice@passport.com"
#define COOKIE "17262740.1050826919.32308"

/* ---- recording -------------------------------------------------------- */

typedef struct {
  GString    *written;
  GPtrArray  *events;       /* one line per event */
  GHashTable *reported;     /* id → "acked" / "undelivered": exactly once */
  GHashTable *payloads;     /* id → GBytes handed back */
  guint       n_closed;
  GError     *closed;       /* a copy; MSNP_ERROR 0 "" stands for NULL */
  gboolean    clean_close;
  gboolean    write_after_close;
  gboolean    sensitive_seen;
  /* Re-entrancy probes, run from inside events. */
  gboolean    leave_on_join;
  MsnpSb     *sb;
} Recorder;

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

static const MsnpSbEvents events = {
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

static Recorder *
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

static void
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
static char *
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

static void
expect_events (Recorder *r, const char *expected)
{
  g_autofree char *got = take_events (r);
  g_assert_cmpstr (got, ==, expected);
}

static void
expect_eventsf (Recorder *r, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
expect_eventsf (Recorder *r, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *expected = NULL;

  va_start (ap, fmt);
  expected = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  expect_events (r, expected);
}

static void
expect_written (Recorder *r, const char *expected)
{
  g_assert_cmpstr (r->written->str, ==, expected);
  g_string_truncate (r->written, 0);
}

static void
feed (MsnpSb *sb, const char *bytes)
{
  msnp_sb_feed (sb, (const guint8 *) bytes, strlen (bytes));
}

static GBytes *
text_message (const char *text)
{
  char *s = g_strdup_printf ("MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=UTF-8\r\n"
                             "X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n"
                             "\r\n%s", text);
  gsize len = strlen (s);

  return g_bytes_new_take (s, len);
}

static guint64
send_text (MsnpSb *sb, const char *text, MsnpSbAckMode mode)
{
  g_autoptr (GBytes) b = text_message (text);
  return msnp_sb_send (sb, b, mode);
}

/* The exact bytes of "MSG trid mode len\r\n" + payload for @text. */
static char *
msg_bytes (guint trid, char mode, const char *text)
{
  g_autoptr (GBytes) b = text_message (text);
  gsize len;
  const char *data = g_bytes_get_data (b, &len);

  return g_strdup_printf ("MSG %u %c %" G_GSIZE_FORMAT "\r\n%.*s", trid, mode,
                          len, (int) len, data);
}

/* An outgoing session signed in with bob joined; the next TrID is 3. */
static MsnpSb *
joined_outgoing (Recorder *r)
{
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &events, r);

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

/* ---- transcripts ------------------------------------------------------ */

static void
test_outgoing (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &events, r);
  g_autofree char *m1 = msg_bytes (3, 'A', "Hello");
  g_autofree char *m2 = msg_bytes (4, 'N', "are you there?");
  g_autofree char *both = g_strconcat (m1, m2, NULL);
  g_autofree char *typing = NULL;
  guint64 id1, id2, id3;

  /* Typed before anything exists: queued, in order. */
  id1 = send_text (sb, "Hello", MSNP_SB_ACK_FULL);
  id2 = send_text (sb, "are you there?", MSNP_SB_ACK_NAK);
  g_assert_cmpuint (id1, >, 0);
  g_assert_cmpuint (id2, >, id1);
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 2);
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_invite (sb, "BOB@passport.com");     /* once is enough */
  g_assert_cmpuint (r->written->len, ==, 0);
  g_assert_false (msnp_sb_is_ready (sb));
  g_assert_null (msnp_sb_session_id (sb));

  msnp_sb_connected (sb);
  expect_written (r, "USR 1 alice@passport.com " COOKIE "\r\n");
  g_assert_true (r->sensitive_seen);
  r->sensitive_seen = FALSE;

  feed (sb, "USR 1 OK alice@passport.com Alice%20A\r\n");
  expect_events (r, "ready");
  g_assert_true (msnp_sb_is_ready (sb));
  expect_written (r, "CAL 2 bob@passport.com\r\n");

  feed (sb, "CAL 2 RINGING 11752013\r\n");
  g_assert_cmpstr (msnp_sb_session_id (sb), ==, "11752013");
  g_assert_cmpuint (r->written->len, ==, 0);

  feed (sb, "JOI bob@passport.com Bob%20%C3%A9\r\n");
  expect_events (r, "joined bob@passport.com [Bob \xc3\xa9] 0");
  /* The queue goes out in order, exact lengths, no CRLF after payloads. */
  expect_written (r, both);
  g_assert_false (r->sensitive_seen);
  /* The N message counts as delivered once written. */
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 1);
  g_assert_cmpuint (msnp_sb_participants (sb)->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (msnp_sb_participants (sb), 0), ==,
                   "bob@passport.com");

  feed (sb, "ACK 3\r\n");
  expect_eventsf (r, "acked %" G_GUINT64_FORMAT, id1);
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 0);

  /* Typing goes straight out (U: untracked). */
  {
    static const char control[] =
      "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n"
      "TypingUser: alice@passport.com\r\n\r\n\r\n";
    g_autoptr (GBytes) b = g_bytes_new_static (control, strlen (control));

    id3 = msnp_sb_send (sb, b, MSNP_SB_ACK_NONE);
    g_assert_cmpuint (id3, >, id2);
    typing = g_strdup_printf ("MSG 5 U %zu\r\n%s", strlen (control), control);
    expect_written (r, typing);
    g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 0);
  }

  /* Bob answers. */
  {
    static const char body[] =
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
      "X-MMS-IM-Format: FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=0\r\n\r\n"
      "hi alice";
    g_autofree char *line = g_strdup_printf ("MSG bob@passport.com Bob%%20B %zu\r\n%s",
                                             strlen (body), body);
    feed (sb, line);
    expect_events (r, "message bob@passport.com [Bob B] text/plain hi alice");
  }

  msnp_sb_leave (sb);
  expect_written (r, "OUT\r\n");
  expect_events (r, "closed");
  g_assert_true (msnp_sb_is_closed (sb));
  g_assert_false (msnp_sb_is_ready (sb));
  g_assert_false (msnp_sb_feed (sb, (const guint8 *) "ACK 4\r\n", 7));
  msnp_sb_disconnected (sb);
  msnp_sb_leave (sb);
  g_assert_cmpuint (r->n_closed, ==, 1);
  g_assert_false (r->write_after_close);
  msnp_sb_free (sb);
  recorder_free (r);
}

static void
test_incoming (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "11752099", &events, r);
  g_autofree char *m = msg_bytes (2, 'A', "hi both");
  const GPtrArray *who;
  guint64 id;

  g_assert_cmpstr (msnp_sb_session_id (sb), ==, "11752099");
  id = send_text (sb, "hi both", MSNP_SB_ACK_FULL);
  msnp_sb_connected (sb);
  expect_written (r, "ANS 1 alice@passport.com " COOKIE " 11752099\r\n");
  g_assert_true (r->sensitive_seen);

  feed (sb, "IRO 1 1 2 bob@passport.com Bob\r\n"
            "IRO 1 2 2 carol@passport.com Carol%20C 1342177280\r\n");
  expect_events (r, "joined bob@passport.com [Bob] 1\n"
                    "joined carol@passport.com [Carol C] 1");
  /* Not before ANS OK. */
  g_assert_cmpuint (r->written->len, ==, 0);
  g_assert_false (msnp_sb_is_ready (sb));
  feed (sb, "ANS 1 OK\r\n");
  expect_events (r, "ready");
  expect_written (r, m);

  who = msnp_sb_participants (sb);
  g_assert_cmpuint (who->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (who, 0), ==, "bob@passport.com");
  g_assert_cmpstr (g_ptr_array_index (who, 1), ==, "carol@passport.com");

  /* A third party joins, then people leave; the last one out ends it. */
  feed (sb, "JOI dave@passport.com Dave\r\nACK 2\r\nBYE bob@passport.com\r\n");
  expect_eventsf (r, "joined dave@passport.com [Dave] 0\n"
                     "acked %" G_GUINT64_FORMAT "\n"
                     "left bob@passport.com 0", id);
  g_assert_false (msnp_sb_has_participant (sb, "bob@passport.com"));
  feed (sb, "BYE carol@passport.com 1\r\nBYE nobody@passport.com\r\n");
  expect_events (r, "left carol@passport.com 1");
  g_assert_false (msnp_sb_is_closed (sb));
  feed (sb, "BYE Dave@Passport.com\r\n");
  expect_events (r, "left Dave@Passport.com 0\nclosed");
  expect_written (r, "OUT\r\n");
  g_assert_true (r->clean_close);
  msnp_sb_free (sb);
  recorder_free (r);
}

/* ---- acknowledgements ------------------------------------------------- */

static void
test_many_in_flight (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = joined_outgoing (r);
  GRand *rand = g_rand_new_with_seed (8);
  guint trids[200];
  guint64 ids[200];

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);
      ids[i] = send_text (sb, text, MSNP_SB_ACK_FULL);
      trids[i] = 3 + i;
    }
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 200);
  /* Fisher-Yates: ACKs come back in any order. */
  for (guint i = 199; i > 0; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i + 1);
      guint t = trids[i];
      trids[i] = trids[j];
      trids[j] = t;
    }
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *ack = g_strdup_printf ("ACK %u\r\n", trids[i]);
      feed (sb, ack);
    }
  g_assert_cmpuint (r->events->len, ==, 200);
  for (guint i = 0; i < 200; i++)
    g_assert_cmpstr (g_hash_table_lookup (r->reported, &ids[i]), ==, "acked");
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 0);
  /* A repeated ACK names nothing. */
  feed (sb, "ACK 3\r\nACK 0\r\nACK\r\nACK x\r\n");
  g_assert_cmpuint (r->events->len, ==, 200);
  g_rand_free (rand);
  msnp_sb_free (sb);
  recorder_free (r);
}

typedef struct {
  const char   *name;
  MsnpSbAckMode mode;
  const char   *reply;      /* answers the message's TrID */
  const char   *extra;      /* more parameters after it */
  guint         code;
  gboolean      closes;     /* the error also ends the session */
} RefusalCase;

static const RefusalCase refusal_cases[] = {
  { .name = "nak", .mode = MSNP_SB_ACK_FULL, .reply = "NAK" },
  { .name = "nak-n-mode", .mode = MSNP_SB_ACK_NAK, .reply = "NAK" },
  { .name = "error-282", .mode = MSNP_SB_ACK_FULL, .reply = "282", .code = 282 },
  { .name = "error-282-n-mode", .mode = MSNP_SB_ACK_NAK, .reply = "282", .code = 282 },
  { .name = "error-extra-params", .mode = MSNP_SB_ACK_FULL, .reply = "282",
    .extra = " x y", .code = 282 },
  { .name = "error-sb-fatal", .mode = MSNP_SB_ACK_FULL, .reply = "711", .code = 711,
    .closes = TRUE },
};

static void
test_refusal (gconstpointer data)
{
  const RefusalCase *rc = data;
  Recorder *r = recorder_new ();
  MsnpSb *sb = joined_outgoing (r);
  guint64 first, victim, after;
  g_autofree char *reply = NULL;
  g_autoptr (GBytes) expected = text_message ("lost words");
  GBytes *got;

  first = send_text (sb, "before", MSNP_SB_ACK_FULL);     /* TrID 3 */
  victim = send_text (sb, "lost words", rc->mode);        /* TrID 4 */
  after = send_text (sb, "after", MSNP_SB_ACK_FULL);      /* TrID 5 */
  reply = g_strdup_printf ("%s 4%s\r\n", rc->reply, rc->extra ? rc->extra : "");
  g_string_truncate (r->written, 0);
  feed (sb, reply);
  g_assert_cmpstr (g_hash_table_lookup (r->reported, &victim), ==, "undelivered");
  got = g_hash_table_lookup (r->payloads, &victim);
  g_assert_true (g_bytes_equal (got, expected));
  {
    g_autofree char *head = g_strdup_printf ("undelivered %" G_GUINT64_FORMAT " %u 0",
                                             victim, rc->code);
    g_assert_cmpstr (g_ptr_array_index (r->events, 0), ==, head);
  }
  if (rc->closes)
    {
      /* The others come back too, ended, in order; then closed. */
      g_autofree char *tail = NULL;
      g_assert_cmpuint (r->events->len, ==, 4);
      tail = g_strdup_printf ("undelivered %" G_GUINT64_FORMAT " 0 1", first);
      g_assert_cmpstr (g_ptr_array_index (r->events, 1), ==, tail);
      g_free (tail);
      tail = g_strdup_printf ("undelivered %" G_GUINT64_FORMAT " 0 1", after);
      g_assert_cmpstr (g_ptr_array_index (r->events, 2), ==, tail);
      g_assert_error (r->closed, MSNP_SERVER_ERROR, (gint) rc->code);
      expect_written (r, "OUT\r\n");
    }
  else
    {
      g_assert_cmpuint (r->events->len, ==, 1);
      g_assert_false (msnp_sb_is_closed (sb));
      /* The same TrID again names nothing. */
      feed (sb, reply);
      g_assert_cmpuint (r->events->len, ==, 1);
      feed (sb, "ACK 3\r\nACK 5\r\n");
      g_assert_cmpuint (r->events->len, ==, 3);
    }
  msnp_sb_free (sb);
  recorder_free (r);
}

/* N messages are settled once written: not pending, not handed back; only
 * the last MSNP_SB_NAK_WINDOW can still be NAKed. */
static void
test_n_mode_window (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = joined_outgoing (r);
  guint n = MSNP_SB_NAK_WINDOW + 5;
  guint64 last = 0;

  for (guint i = 0; i < n; i++)
    last = send_text (sb, "n", MSNP_SB_ACK_NAK);    /* TrIDs 3 … */
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 0);
  feed (sb, "NAK 3\r\n");                            /* fell out */
  g_assert_cmpuint (r->events->len, ==, 0);
  {
    g_autofree char *nak = g_strdup_printf ("NAK %u\r\n", 3 + n - 1);
    feed (sb, nak);
  }
  expect_eventsf (r, "undelivered %" G_GUINT64_FORMAT " 0 0", last);
  msnp_sb_disconnected (sb);
  expect_eventsf (r, "closed msnp-error-quark %d", MSNP_ERROR_DISCONNECTED);
  msnp_sb_free (sb);
  recorder_free (r);
}

static void
test_u_mode (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &events, r);

  /* Nobody there: a typing notice is dropped, not queued. */
  g_assert_cmpuint (send_text (sb, "typing", MSNP_SB_ACK_NONE), ==, 0);
  msnp_sb_connected (sb);
  g_string_truncate (r->written, 0);
  feed (sb, "USR 1 OK alice@passport.com Alice\r\n");
  g_assert_cmpuint (send_text (sb, "typing", MSNP_SB_ACK_NONE), ==, 0);
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 0);
  g_assert_cmpuint (r->written->len, ==, 0);
  /* Someone there: sent, never reported. */
  feed (sb, "JOI bob@passport.com Bob\r\n");
  g_assert_cmpuint (send_text (sb, "typing", MSNP_SB_ACK_NONE), >, 0);
  g_assert_true (g_str_has_prefix (r->written->str, "MSG 2 U "));
  feed (sb, "NAK 2\r\n");
  msnp_sb_disconnected (sb);
  expect_eventsf (r, "ready\njoined bob@passport.com [Bob] 0\n"
                     "closed msnp-error-quark %d", MSNP_ERROR_DISCONNECTED);
  msnp_sb_free (sb);
  recorder_free (r);
}

static void
test_oversized (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = joined_outgoing (r);
  g_autofree char *big = g_malloc0 (MSNP_SB_MAX_PAYLOAD + 1);
  g_autoptr (GBytes) too_big = g_bytes_new (big, MSNP_SB_MAX_PAYLOAD + 1);
  g_autoptr (GBytes) just_fits = g_bytes_new (big, MSNP_SB_MAX_PAYLOAD);

  g_assert_cmpuint (msnp_sb_send (sb, too_big, MSNP_SB_ACK_FULL), ==, 0);
  g_assert_cmpuint (r->written->len, ==, 0);
  g_assert_cmpuint (msnp_sb_send (sb, just_fits, MSNP_SB_ACK_FULL), >, 0);
  g_assert_true (g_str_has_prefix (r->written->str, "MSG 3 A 1664\r\n"));
  g_assert_cmpuint (r->written->len, ==, strlen ("MSG 3 A 1664\r\n") + 1664);
  msnp_sb_leave (sb);
  /* Closed: nothing is taken any more. */
  g_assert_cmpuint (msnp_sb_send (sb, just_fits, MSNP_SB_ACK_FULL), ==, 0);
  msnp_sb_free (sb);
  recorder_free (r);
}

/* ---- endings ---------------------------------------------------------- */

typedef struct {
  const char *name;
  const char *input;       /* NULL: disconnected; "leave": msnp_sb_leave */
  GQuark    (*domain) (void);
  gint        code;        /* -1: closed with NULL */
  gboolean    says_out;
} EndingCase;

static const EndingCase ending_cases[] = {
  { .name = "disconnect", .input = NULL, .domain = msnp_error_quark,
    .code = MSNP_ERROR_DISCONNECTED },
  { .name = "server-out", .input = "OUT\r\n", .domain = msnp_error_quark,
    .code = MSNP_ERROR_DISCONNECTED },
  { .name = "leave", .input = "leave", .code = -1, .says_out = TRUE },
  { .name = "bad-length", .input = "MSG bob@passport.com Bob 99999999\r\n",
    .domain = msnp_error_quark, .code = MSNP_ERROR_PROTOCOL },
  { .name = "nonnumeric-length", .input = "MSG bob@passport.com Bob x1\r\n",
    .domain = msnp_error_quark, .code = MSNP_ERROR_PROTOCOL },
  { .name = "sb-fatal-no-trid", .input = "500\r\n",
    .domain = msnp_server_error_quark, .code = 500, .says_out = TRUE },
  { .name = "sb-fatal-other-trid", .input = "713 99\r\n",
    .domain = msnp_server_error_quark, .code = 713, .says_out = TRUE },
};

/* Messages in flight, acked, N-mode and queued when the session ends:
 * every unacknowledged one comes back exactly once, ended, in the order
 * given; then closed, once. */
static void
test_ending (gconstpointer data)
{
  const EndingCase *ec = data;
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &events, r);
  guint64 ids[8];
  GString *expected = g_string_new (NULL);
  g_autofree char *got = NULL;

  r->sb = sb;
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_invite (sb, "carol@passport.com");
  msnp_sb_connected (sb);
  feed (sb, "USR 1 OK alice@passport.com Alice\r\n"
            "CAL 2 RINGING 1\r\nCAL 3 RINGING 1\r\n"
            "JOI bob@passport.com Bob\r\n");
  ids[0] = send_text (sb, "0", MSNP_SB_ACK_FULL);   /* TrID 4 */
  ids[1] = send_text (sb, "1", MSNP_SB_ACK_FULL);   /* TrID 5, acked */
  ids[2] = send_text (sb, "2", MSNP_SB_ACK_NAK);    /* TrID 6, settled */
  ids[3] = send_text (sb, "3", MSNP_SB_ACK_FULL);   /* TrID 7 */
  feed (sb, "ACK 5\r\n");
  /* Bob goes; carol is still being called, so the session waits. */
  feed (sb, "BYE bob@passport.com\r\n");
  g_assert_false (msnp_sb_is_closed (sb));
  ids[4] = send_text (sb, "4", MSNP_SB_ACK_FULL);   /* queued */
  ids[5] = send_text (sb, "5", MSNP_SB_ACK_NAK);    /* queued */
  g_assert_cmpuint (send_text (sb, "u", MSNP_SB_ACK_NONE), ==, 0);
  ids[6] = send_text (sb, "6", MSNP_SB_ACK_FULL);   /* queued */
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 5);
  g_ptr_array_set_size (r->events, 0);
  g_string_truncate (r->written, 0);

  if (ec->input == NULL)
    msnp_sb_disconnected (sb);
  else if (strcmp (ec->input, "leave") == 0)
    msnp_sb_leave (sb);
  else
    feed (sb, ec->input);

  for (guint i = 0; i < 7; i++)
    if (i != 1 && i != 2)
      g_string_append_printf (expected, "undelivered %" G_GUINT64_FORMAT " 0 1\n",
                              ids[i]);
  if (ec->code < 0)
    g_string_append (expected, "closed");
  else
    g_string_append_printf (expected, "closed %s %d",
                            g_quark_to_string (ec->domain ()), ec->code);
  got = take_events (r);
  g_assert_cmpstr (got, ==, expected->str);
  g_assert_cmpstr (r->written->str, ==, ec->says_out ? "OUT\r\n" : "");
  g_assert_cmpuint (msnp_sb_n_pending (sb), ==, 0);
  g_assert_true (msnp_sb_is_closed (sb));

  /* Every other way out is now a no-op. */
  msnp_sb_disconnected (sb);
  msnp_sb_leave (sb);
  g_assert_false (msnp_sb_feed (sb, (const guint8 *) "ACK 4\r\nOUT\r\n", 12));
  msnp_sb_invite (sb, "dave@passport.com");
  g_assert_cmpuint (r->n_closed, ==, 1);
  g_assert_cmpuint (r->events->len, ==, 0);
  g_assert_false (r->write_after_close);
  g_string_free (expected, TRUE);
  msnp_sb_free (sb);
  recorder_free (r);
}

typedef struct {
  const char *name;
  guint       code;
} CallCase;

static const CallCase call_cases[] = {
  { "217-offline", 217 },
  { "216-not-on-list", 216 },
  { "215-already-there", 215 },
  { "208-bad-name", 208 },
  { "713-too-active", 713 },
  { "unknown-999", 999 },
};

/* The only invitation fails and nobody is there: call_failed, OUT, the
 * queue handed back, closed with the code. */
static void
test_call_failed (gconstpointer data)
{
  const CallCase *cc = data;
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &events, r);
  guint64 a, b;
  g_autofree char *reply = g_strdup_printf ("%u 2\r\n", cc->code);
  g_autofree char *expected = NULL;

  a = send_text (sb, "first", MSNP_SB_ACK_FULL);
  b = send_text (sb, "second", MSNP_SB_ACK_NAK);
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_connected (sb);
  feed (sb, "USR 1 OK alice@passport.com Alice\r\n");
  g_string_truncate (r->written, 0);
  g_ptr_array_set_size (r->events, 0);
  feed (sb, reply);
  expected = g_strdup_printf ("call-failed bob@passport.com %u\n"
                              "undelivered %" G_GUINT64_FORMAT " 0 1\n"
                              "undelivered %" G_GUINT64_FORMAT " 0 1\n"
                              "closed msnp-server-error-quark %u",
                              cc->code, a, b, cc->code);
  expect_events (r, expected);
  expect_written (r, "OUT\r\n");
  g_assert_error (r->closed, MSNP_SERVER_ERROR, (gint) cc->code);
  msnp_sb_free (sb);
  recorder_free (r);
}

/* One of two invitations fails: the session goes on for the other. */
static void
test_call_failed_other_pending (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &events, r);
  g_autofree char *m = msg_bytes (4, 'A', "hi");
  guint64 id;

  id = send_text (sb, "hi", MSNP_SB_ACK_FULL);
  msnp_sb_connected (sb);
  feed (sb, "USR 1 OK alice@passport.com Alice\r\n");
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_invite (sb, "carol@passport.com");
  expect_written (r, "USR 1 alice@passport.com " COOKIE "\r\n"
                     "CAL 2 bob@passport.com\r\nCAL 3 carol@passport.com\r\n");
  feed (sb, "CAL 3 RINGING s-1\r\n217 2\r\n");
  expect_events (r, "ready\ncall-failed bob@passport.com 217");
  g_assert_false (msnp_sb_is_closed (sb));
  feed (sb, "JOI carol@passport.com Carol\r\n");
  expect_written (r, m);
  feed (sb, "ACK 4\r\n");
  expect_eventsf (r, "joined carol@passport.com [Carol] 0\n"
                     "acked %" G_GUINT64_FORMAT, id);
  /* A server in trouble ends the session even with someone there. */
  msnp_sb_invite (sb, "dave@passport.com");
  expect_written (r, "CAL 5 dave@passport.com\r\n");
  feed (sb, "600 5\r\n");
  expect_events (r, "call-failed dave@passport.com 600\n"
                    "closed msnp-server-error-quark 600");
  msnp_sb_free (sb);
  recorder_free (r);
}

static void
test_auth_refused (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "42", &events, r);
  guint64 id = send_text (sb, "queued", MSNP_SB_ACK_FULL);

  msnp_sb_connected (sb);
  g_string_truncate (r->written, 0);
  feed (sb, "911 1\r\n");
  expect_eventsf (r, "undelivered %" G_GUINT64_FORMAT " 0 1\n"
                     "closed msnp-server-error-quark 911", id);
  g_assert_cmpuint (r->written->len, ==, 0);
  msnp_sb_free (sb);
  recorder_free (r);
}

static void
test_bye_last (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = joined_outgoing (r);
  guint64 acked, unacked;

  acked = send_text (sb, "one", MSNP_SB_ACK_FULL);
  unacked = send_text (sb, "two", MSNP_SB_ACK_FULL);
  g_string_truncate (r->written, 0);
  feed (sb, "ACK 3\r\nBYE bob@passport.com 1\r\nJOI late@passport.com Late\r\n");
  expect_eventsf (r, "acked %" G_GUINT64_FORMAT "\n"
                     "left bob@passport.com 1\n"
                     "undelivered %" G_GUINT64_FORMAT " 0 1\n"
                     "closed", acked, unacked);
  expect_written (r, "OUT\r\n");
  g_assert_true (r->clean_close);
  msnp_sb_free (sb);
  recorder_free (r);
}

/* An incoming session whose roster is empty (draft 8.4's "unexpected
 * error condition") is left at once. */
static void
test_empty_roster (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "1", &events, r);

  msnp_sb_connected (sb);
  g_string_truncate (r->written, 0);
  feed (sb, "ANS 1 OK\r\n");
  expect_events (r, "ready\nclosed");
  expect_written (r, "OUT\r\n");
  msnp_sb_free (sb);
  recorder_free (r);
}

/* ---- tolerance -------------------------------------------------------- */

static void
test_opaque_ids (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, "CK!ab/c==:x", "sb-7f3a.x", &events, r);

  msnp_sb_connected (sb);
  expect_written (r, "ANS 1 alice@passport.com CK!ab/c==:x sb-7f3a.x\r\n");
  feed (sb, "IRO 1 1 1 bob@passport.com Bob 1342177280 extra\r\nANS 1 OK extra\r\n");
  expect_events (r, "joined bob@passport.com [Bob] 1\nready");
  msnp_sb_free (sb);
  recorder_free (r);

  r = recorder_new ();
  sb = msnp_sb_new_outgoing (ALICE, "opaque.cookie-ABC", &events, r);
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_connected (sb);
  feed (sb, "USR 1 OK alice@passport.com\r\nCAL 2 RINGING {9A2F-77}\r\n");
  g_assert_cmpstr (msnp_sb_session_id (sb), ==, "{9A2F-77}");
  feed (sb, "CAL 2 RINGING other\r\n");
  g_assert_cmpstr (msnp_sb_session_id (sb), ==, "{9A2F-77}");
  msnp_sb_free (sb);
  recorder_free (r);
}

static void
test_garbage (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = joined_outgoing (r);

  /* Short, unknown, odd: none of it is fatal and none of it is reported. */
  feed (sb, "JOI\r\nIRO 1 1\r\nBYE\r\nCAL\r\nCAL 2\r\nUSR\r\nANS\r\nXYZ 1 2 3\r\n"
            "\r\n!!!\r\nACK\r\nNAK\r\nNAK 99999999999999999999\r\n"
            "715 77\r\nQNG 50\r\n");
  g_assert_cmpuint (r->events->len, ==, 0);
  g_assert_false (msnp_sb_is_closed (sb));
  /* Messages: no MIME → ignored; unknown type → delivered; two params. */
  feed (sb, "MSG bob@passport.com Bob 5\r\nhello");
  g_assert_cmpuint (r->events->len, ==, 0);
  feed (sb, "MSG bob@passport.com Bob 33\r\nContent-Type: x-weird/thing\r\n\r\nhi");
  feed (sb, "MSG bob@passport.com 19\r\nContent-Type: a/b\r\n\r\n");
  expect_events (r, "message bob@passport.com [Bob] x-weird/thing hi\n"
                    "message bob@passport.com [bob@passport.com] a/b ");
  msnp_sb_free (sb);
  recorder_free (r);
}

static void
test_reentrant_leave (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "1", &events, r);
  guint64 id = send_text (sb, "q", MSNP_SB_ACK_FULL);

  r->sb = sb;
  r->leave_on_join = TRUE;
  msnp_sb_connected (sb);
  g_string_truncate (r->written, 0);
  feed (sb, "IRO 1 1 2 bob@passport.com Bob\r\nIRO 1 2 2 carol@passport.com Carol\r\n"
            "ANS 1 OK\r\n");
  expect_eventsf (r, "joined bob@passport.com [Bob] 1\n"
                     "undelivered %" G_GUINT64_FORMAT " 0 1\n"
                     "closed", id);
  expect_written (r, "OUT\r\n");
  msnp_sb_free (sb);
  recorder_free (r);
}

/* ---- splitting -------------------------------------------------------- */

static const char split_transcript[] =
  "IRO 1 1 2 bob@passport.com Bob%20B\r\n"
  "IRO 1 2 2 carol@passport.com Carol\r\n"
  "ANS 1 OK\r\n"
  "ACK 2\r\n"
  "MSG bob@passport.com Bob%20B 60\r\n"
  "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nMSG 1 2 3\r\n\r\n"
  "NAK 3\r\n"
  "JOI dave@passport.com Dave\r\n"
  "282 4\r\n"
  "BYE bob@passport.com\r\n"
  "BYE carol@passport.com 1\r\n"
  "BYE dave@passport.com\r\n";

typedef struct {
  char *events;
  char *written;
} SplitRun;

static SplitRun
split_run (const gsize *cuts, guint n_cuts)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "1", &events, r);
  gsize len = strlen (split_transcript);
  gsize pos = 0;
  SplitRun run;

  send_text (sb, "a", MSNP_SB_ACK_FULL);     /* TrID 2 */
  send_text (sb, "b", MSNP_SB_ACK_FULL);     /* TrID 3 */
  send_text (sb, "c", MSNP_SB_ACK_NAK);      /* TrID 4 */
  msnp_sb_connected (sb);
  for (guint i = 0; i <= n_cuts; i++)
    {
      gsize end = i < n_cuts ? cuts[i] : len;
      msnp_sb_feed (sb, (const guint8 *) split_transcript + pos, end - pos);
      pos = end;
    }
  run.events = take_events (r);
  run.written = g_strdup (r->written->str);
  g_assert_cmpuint (r->n_closed, ==, 1);
  msnp_sb_free (sb);
  recorder_free (r);
  return run;
}

static void
test_split_everywhere (void)
{
  SplitRun whole = split_run (NULL, 0);
  gsize len = strlen (split_transcript);
  gsize *bytewise = g_new (gsize, len);

  /* The whole transcript does what it says. */
  g_assert_true (strstr (whole.events, "message bob@passport.com [Bob B] "
                                       "text/plain MSG 1 2 3\r\n") != NULL);
  g_assert_true (strstr (whole.events, "acked 1") != NULL);
  g_assert_true (strstr (whole.events, "undelivered 2 0 0") != NULL);
  g_assert_true (strstr (whole.events, "undelivered 3 282 0") != NULL);
  g_assert_true (g_str_has_suffix (whole.events, "left dave@passport.com 0\nclosed"));

  for (gsize cut = 0; cut <= len; cut++)
    {
      SplitRun run = split_run (&cut, 1);
      g_assert_cmpstr (run.events, ==, whole.events);
      g_assert_cmpstr (run.written, ==, whole.written);
      g_free (run.events);
      g_free (run.written);
    }
  for (gsize i = 0; i < len; i++)
    bytewise[i] = i;
  {
    SplitRun run = split_run (bytewise, (guint) len);
    g_assert_cmpstr (run.events, ==, whole.events);
    g_assert_cmpstr (run.written, ==, whole.written);
    g_free (run.events);
    g_free (run.written);
  }
  g_free (bytewise);
  g_free (whole.events);
  g_free (whole.written);
}

/* ---- rang but never joined (#9.6) ------------------------------------- */

/* CAL answered RINGING, no JOI: when the owner's wait is over, the queued
 * messages come back in order (ended, code 0: eligible for one re-send on
 * a fresh session), OUT is said, and the session closes with a timeout. */
static void
test_ring_timeout (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &events, r);
  guint64 id1, id2;

  r->sb = sb;
  id1 = send_text (sb, "one", MSNP_SB_ACK_FULL);
  id2 = send_text (sb, "two", MSNP_SB_ACK_FULL);
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_connected (sb);
  feed (sb, "USR 1 OK alice@passport.com Alice\r\nCAL 2 RINGING 11752013\r\n");
  g_string_truncate (r->written, 0);
  g_ptr_array_set_size (r->events, 0);
  g_assert_false (msnp_sb_is_idle (sb));

  g_assert_true (msnp_sb_ring_timeout (sb));
  expect_written (r, "OUT\r\n");
  expect_eventsf (r, "undelivered %" G_GUINT64_FORMAT " 0 1\n"
                     "undelivered %" G_GUINT64_FORMAT " 0 1\n"
                     "closed msnp-error-quark %d", id1, id2, MSNP_ERROR_TIMEOUT);
  g_assert_true (msnp_sb_is_closed (sb));
  g_assert_false (msnp_sb_ring_timeout (sb));      /* once */
  g_assert_cmpuint (r->written->len, ==, 0);
  msnp_sb_free (sb);
  recorder_free (r);
}

/* A switchboard server that never signs us in: given up the same way,
 * without an OUT it would not read. */
static void
test_ring_timeout_unauthenticated (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &events, r);
  guint64 id;

  id = send_text (sb, "into the void", MSNP_SB_ACK_FULL);
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_connected (sb);
  g_string_truncate (r->written, 0);
  g_assert_true (msnp_sb_ring_timeout (sb));
  g_assert_cmpuint (r->written->len, ==, 0);
  expect_eventsf (r, "undelivered %" G_GUINT64_FORMAT " 0 1\n"
                     "closed msnp-error-quark %d", id, MSNP_ERROR_TIMEOUT);
  msnp_sb_free (sb);
  recorder_free (r);
}

/* Someone is there: the wait ending changes nothing, even with a later
 * invitee still ringing (a chat goes on without them). */
static void
test_ring_timeout_joined (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = joined_outgoing (r);

  g_assert_true (msnp_sb_is_idle (sb));
  msnp_sb_invite (sb, "dave@passport.com");
  g_assert_false (msnp_sb_is_idle (sb));           /* a call outstanding */
  g_assert_false (msnp_sb_ring_timeout (sb));
  g_assert_false (msnp_sb_is_closed (sb));
  feed (sb, "JOI dave@passport.com Dave\r\n");
  g_assert_true (msnp_sb_is_idle (sb));
  send_text (sb, "hi", MSNP_SB_ACK_FULL);
  g_assert_false (msnp_sb_is_idle (sb));           /* awaiting its ACK */
  feed (sb, "ACK 4\r\n");
  g_assert_true (msnp_sb_is_idle (sb));
  g_ptr_array_set_size (r->events, 0);
  msnp_sb_free (sb);
  recorder_free (r);
}

/* #9.10: names from JOI, IRO and MSG lose control characters (IRC colour
 * bytes, bells, escapes, line breaks); ordinary text is kept. */
static void
test_names_without_controls (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "sess-1", &events, r);

  msnp_sb_connected (sb);
  feed (sb, "IRO 1 1 1 bob@passport.com %03" "4Bob%0F%07\r\nANS 1 OK\r\n"
            "JOI dave@passport.com Da%1B[31mve%0D%0Ax%C2%9B\r\n"
            "MSG dave@passport.com D%09a%03ve 69\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nhello!!");
  expect_events (r, "joined bob@passport.com [4Bob] 1\n"
                    "ready\n"
                    "joined dave@passport.com [Da[31mvex] 0\n"
                    "message dave@passport.com [D\tave] text/plain hello!!");
  msnp_sb_free (sb);
  recorder_free (r);
}

/* ---- secrets ---------------------------------------------------------- */

static GString *captured_log;

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

static void
test_cookie_not_logged (void)
{
  static const char secret[] = "SeCr3t.cookie.98765";
  Recorder *r = recorder_new ();
  MsnpSb *sb;

  captured_log = g_string_new (NULL);

  sb = msnp_sb_new_outgoing (ALICE, secret, &events, r);
  msnp_sb_set_trace (sb, TRUE);
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_connected (sb);
  /* Even a server that echoes the cookie does not get it logged. */
  feed (sb, "USR 1 OK alice@passport.com " "SeCr3t.cookie.98765" "\r\n"
            "911 1 SeCr3t.cookie.98765\r\n");
  msnp_sb_free (sb);

  sb = msnp_sb_new_incoming (ALICE, secret, "sess-1", &events, r);
  msnp_sb_set_trace (sb, TRUE);
  msnp_sb_connected (sb);
  feed (sb, "IRO 1 1 1 bob@passport.com Bob\r\nANS 1 OK\r\n");
  msnp_sb_free (sb);

  g_assert_true (strstr (r->written->str, secret) != NULL);
  /* The capture works (the lines were logged) … */
  g_assert_true (strstr (captured_log->str, "SB >>> USR") != NULL);
  g_assert_true (strstr (captured_log->str, "SB >>> ANS") != NULL);
  g_assert_true (strstr (captured_log->str, "SB <<< ANS 1 OK") != NULL);
  /* … and the cookie is in none of them. */
  g_assert_null (strstr (captured_log->str, secret));
  g_string_free (captured_log, TRUE);
  captured_log = NULL;
  recorder_free (r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_handler (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, debug_handler, NULL);
  g_test_add_func ("/sb/outgoing", test_outgoing);
  g_test_add_func ("/sb/ring-timeout", test_ring_timeout);
  g_test_add_func ("/sb/ring-timeout-unauthenticated", test_ring_timeout_unauthenticated);
  g_test_add_func ("/sb/ring-timeout-joined", test_ring_timeout_joined);
  g_test_add_func ("/sb/names-without-controls", test_names_without_controls);
  g_test_add_func ("/sb/incoming", test_incoming);
  g_test_add_func ("/sb/many-in-flight", test_many_in_flight);
  for (gsize i = 0; i < G_N_ELEMENTS (refusal_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sb/refusal/%s", refusal_cases[i].name);
      g_test_add_data_func (path, &refusal_cases[i], test_refusal);
    }
  g_test_add_func ("/sb/n-mode-window", test_n_mode_window);
  g_test_add_func ("/sb/u-mode", test_u_mode);
  g_test_add_func ("/sb/oversized", test_oversized);
  for (gsize i = 0; i < G_N_ELEMENTS (ending_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sb/ending/%s", ending_cases[i].name);
      g_test_add_data_func (path, &ending_cases[i], test_ending);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (call_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sb/call-failed/%s", call_cases[i].name);
      g_test_add_data_func (path, &call_cases[i], test_call_failed);
    }
  g_test_add_func ("/sb/call-failed-other-pending", test_call_failed_other_pending);
  g_test_add_func ("/sb/auth-refused", test_auth_refused);
  g_test_add_func ("/sb/bye-last", test_bye_last);
  g_test_add_func ("/sb/empty-roster", test_empty_roster);
  g_test_add_func ("/sb/opaque-ids", test_opaque_ids);
  g_test_add_func ("/sb/garbage", test_garbage);
  g_test_add_func ("/sb/reentrant-leave", test_reentrant_leave);
  g_test_add_func ("/sb/split-everywhere", test_split_everywhere);
  g_test_add_func ("/sb/cookie-not-logged", test_cookie_not_logged);
  return g_test_run ();
}
