/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard session, sans-IO: whole server transcripts (outgoing
 * and invited), every way a session ends, and the wait for the first
 * participant, asserting the bytes written and the events emitted. */
#include "config.h"

#include <string.h>

#include "msnp-error.h"
#include "sb-recorder.h"

/* ---- transcripts ------------------------------------------------------ */

static void
test_outgoing (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &recorder_events, r);
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
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "11752099", &recorder_events, r);
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
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &recorder_events, r);
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

static void
test_auth_refused (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "42", &recorder_events, r);
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

/* An incoming session whose roster is empty (draft 8.4's "unexpected
 * error condition") is left at once. */
static void
test_empty_roster (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "1", &recorder_events, r);

  msnp_sb_connected (sb);
  g_string_truncate (r->written, 0);
  feed (sb, "ANS 1 OK\r\n");
  expect_events (r, "ready\nclosed");
  expect_written (r, "OUT\r\n");
  msnp_sb_free (sb);
  recorder_free (r);
}

/* ---- rang but never joined (#9.6) ------------------------------------- */

/* CAL answered RINGING, no JOI: when the owner's wait is over, the queued
 * messages come back in order (ended, code 0: eligible for one re-send on
 * a fresh session), OUT is said, and the session closes with a timeout. */
static void
test_ring_timeout (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &recorder_events, r);
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
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &recorder_events, r);
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

int
main (int argc, char **argv)
{
  sb_test_init (&argc, &argv);
  g_test_add_func ("/sb/outgoing", test_outgoing);
  g_test_add_func ("/sb/ring-timeout", test_ring_timeout);
  g_test_add_func ("/sb/ring-timeout-unauthenticated", test_ring_timeout_unauthenticated);
  g_test_add_func ("/sb/ring-timeout-joined", test_ring_timeout_joined);
  g_test_add_func ("/sb/incoming", test_incoming);
  for (gsize i = 0; i < G_N_ELEMENTS (ending_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sb/ending/%s", ending_cases[i].name);
      g_test_add_data_func (path, &ending_cases[i], test_ending);
    }
  g_test_add_func ("/sb/auth-refused", test_auth_refused);
  g_test_add_func ("/sb/empty-roster", test_empty_roster);
  return g_test_run ();
}
