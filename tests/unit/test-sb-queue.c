/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Switchboard delivery bookkeeping: the ACK/NAK accounting pushed hard
 * (hundreds in flight, refusals by NAK and by error code, the N-mode
 * window, U mode, the payload limit). */
#include "config.h"

#include <string.h>

#include "msnp-error.h"
#include "sb-recorder.h"

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
  MsnpSb *sb = msnp_sb_new_outgoing (ALICE, COOKIE, &recorder_events, r);

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

int
main (int argc, char **argv)
{
  sb_test_init (&argc, &argv);
  g_test_add_func ("/sb/many-in-flight", test_many_in_flight);
  for (gsize i = 0; i < G_N_ELEMENTS (refusal_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sb/refusal/%s", refusal_cases[i].name);
      g_test_add_data_func (path, &refusal_cases[i], test_refusal);
    }
  g_test_add_func ("/sb/n-mode-window", test_n_mode_window);
  g_test_add_func ("/sb/u-mode", test_u_mode);
  g_test_add_func ("/sb/oversized", test_oversized);
  return g_test_run ();
}
