/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who is in a switchboard session: invitations that fail (alone or
 * beside others), the last contact leaving, and the names participants
 * arrive with. */
#include "config.h"

#include <string.h>

#include "msnp-error.h"
#include "sb-recorder.h"

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
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &recorder_events, r);
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
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &recorder_events, r);
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

/* #9.10: names from JOI, IRO and MSG lose control characters (IRC colour
 * bytes, bells, escapes, line breaks); ordinary text is kept. */
static void
test_names_without_controls (void)
{
  Recorder *r = recorder_new ();
  MsnpSb *sb = msnp_sb_new_incoming (ALICE, COOKIE, "sess-1", &recorder_events, r);

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

int
main (int argc, char **argv)
{
  sb_test_init (&argc, &argv);
  g_test_add_func ("/sb/names-without-controls", test_names_without_controls);
  for (gsize i = 0; i < G_N_ELEMENTS (call_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sb/call-failed/%s", call_cases[i].name);
      g_test_add_data_func (path, &call_cases[i], test_call_failed);
    }
  g_test_add_func ("/sb/call-failed-other-pending", test_call_failed_other_pending);
  g_test_add_func ("/sb/bye-last", test_bye_last);
  return g_test_run ();
}
