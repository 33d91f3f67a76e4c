/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A switchboard session against odd and hostile input: opaque ids,
 * garbage lines, an owner leaving from inside an event, a transcript
 * split at every byte, and a cookie that must never reach the log. */
#include "config.h"

#include <string.h>

#include "msnp-error.h"
#include "sb-recorder.h"

/* ---- tolerance -------------------------------------------------------- */

static void
test_opaque_ids (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, "CK!ab/c==:x", "sb-7f3a.x", &recorder_events, r);

  msnp_sb_connected (sb);
  expect_written (r, "ANS 1 alice@passport.com CK!ab/c==:x sb-7f3a.x\r\n");
  feed (sb, "IRO 1 1 1 bob@passport.com Bob 1342177280 extra\r\nANS 1 OK extra\r\n");
  expect_events (r, "joined bob@passport.com [Bob] 1\nready");
  msnp_sb_free (sb);
  recorder_free (r);

  r = recorder_new ();
  sb = msnp_sb_new_outgoing (ALICE, "opaque.cookie-ABC", &recorder_events, r);
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
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "1", &recorder_events, r);
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
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "1", &recorder_events, r);
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

/* ---- secrets ---------------------------------------------------------- */

static void
test_cookie_not_logged (void)
{
  static const char secret[] = "SeCr3t.cookie.98765";
  Recorder *r = recorder_new ();
  MsnpSb *sb;

  captured_log = g_string_new (NULL);

  sb = msnp_sb_new_outgoing (ALICE, secret, &recorder_events, r);
  msnp_sb_set_trace (sb, TRUE);
  msnp_sb_invite (sb, "bob@passport.com");
  msnp_sb_connected (sb);
  /* Even a server that echoes the cookie does not get it logged. */
  feed (sb, "USR 1 OK alice@passport.com " "SeCr3t.cookie.98765" "\r\n"
            "911 1 SeCr3t.cookie.98765\r\n");
  msnp_sb_free (sb);

  sb = msnp_sb_new_incoming (ALICE, secret, "sess-1", &recorder_events, r);
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
  sb_test_init (&argc, &argv);
  g_test_add_func ("/sb/opaque-ids", test_opaque_ids);
  g_test_add_func ("/sb/garbage", test_garbage);
  g_test_add_func ("/sb/reentrant-leave", test_reentrant_leave);
  g_test_add_func ("/sb/split-everywhere", test_split_everywhere);
  g_test_add_func ("/sb/cookie-not-logged", test_cookie_not_logged);
  return g_test_run ();
}
