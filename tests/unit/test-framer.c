/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MsnpFramer: same frames however the input is split, payloads by length,
 * limits before allocation, garbage. */
#include "config.h"

#include "msnp-framer.h"
#include "test-util.h"

/* Frames seed 003's server side fed in one piece. */
static GString *
frame_whole (const guint8 *data, gsize len)
{
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  g_autoptr (GError) error = NULL;
  GString *out = g_string_new (NULL);

  g_assert_true (msnp_framer_feed (framer, data, len, test_collect_frame, out,
                                   &error));
  g_assert_no_error (error);
  g_assert_cmpuint (msnp_framer_pending (framer), ==, 0);
  return out;
}

typedef struct {
  GPtrArray *lines;     /* char *, NUL-terminated copies */
  GPtrArray *payloads;  /* GBytes * or NULL entries */
} Frames;

static gboolean
keep_frame (const MsnpFrame *frame, gpointer data)
{
  Frames *f = data;

  g_ptr_array_add (f->lines, g_strndup (frame->line, frame->line_len));
  g_ptr_array_add (f->payloads, frame->payload
                   ? g_bytes_new (frame->payload, frame->payload_len) : NULL);
  return TRUE;
}

static void
frames_init (Frames *f)
{
  f->lines = g_ptr_array_new_with_free_func (g_free);
  f->payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
frames_clear (Frames *f)
{
  g_ptr_array_unref (f->lines);
  g_ptr_array_unref (f->payloads);
}

static void
test_seed003_whole (void)
{
  g_autoptr (GBytes) seed = test_load_data ("seed003-server.txt");
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (seed, &len);
  Frames f;
  GBytes *profile;
  gsize plen;
  const char *p;

  frames_init (&f);
  g_assert_true (msnp_framer_feed (framer, data, len, keep_frame, &f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f.lines->len, ==, 39);
  g_assert_cmpstr (g_ptr_array_index (f.lines, 0), ==, "VER 1 MSNP8 CVR0");
  g_assert_cmpstr (g_ptr_array_index (f.lines, 7), ==, "MSG Hotmail Hotmail 478");
  g_assert_cmpstr (g_ptr_array_index (f.lines, 8), ==, "SYN 8 27 5 4");
  g_assert_cmpstr (g_ptr_array_index (f.lines, 33), ==, "QRY 11");
  g_assert_null (g_ptr_array_index (f.payloads, 33));  /* no payload */
  g_assert_cmpstr (g_ptr_array_index (f.lines, 38), ==,
                   "REA 14 28 carol@passport.com Caroline");

  profile = g_ptr_array_index (f.payloads, 7);
  g_assert_nonnull (profile);
  p = g_bytes_get_data (profile, &plen);
  g_assert_cmpuint (plen, ==, 478);
  g_assert_true (g_str_has_prefix (p, "MIME-Version: 1.0\r\n"));
  g_assert_cmpmem (p + plen - 4, 4, "\r\n\r\n", 4);
  for (guint i = 0; i < f.payloads->len; i++)
    if (i != 7)
      g_assert_null (g_ptr_array_index (f.payloads, i));
  frames_clear (&f);
}

/* The seed's whole server side split in two at every byte offset. */
static void
test_seed003_every_split (void)
{
  g_autoptr (GBytes) seed = test_load_data ("seed003-server.txt");
  gsize len;
  const guint8 *data = g_bytes_get_data (seed, &len);
  g_autoptr (GString) whole = frame_whole (data, len);

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr (MsnpFramer) framer = msnp_framer_new ();
      g_autoptr (GString) split = g_string_new (NULL);
      g_autoptr (GError) error = NULL;

      g_assert_true (msnp_framer_feed (framer, data, cut, test_collect_frame,
                                       split, &error));
      g_assert_true (msnp_framer_feed (framer, data + cut, len - cut,
                                       test_collect_frame, split, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (msnp_framer_pending (framer), ==, 0);
      g_assert_cmpmem (split->str, split->len, whole->str, whole->len);
    }
}

/* Split at every pair of offsets (three pieces), which catches state kept
 * across two partial feeds. */
static void
test_seed003_two_splits (void)
{
  g_autoptr (GBytes) seed = test_load_data ("seed003-server.txt");
  gsize len;
  const guint8 *data = g_bytes_get_data (seed, &len);
  g_autoptr (GString) whole = frame_whole (data, len);
  /* Every pair would be ~1.7M framings; a prime stride covers all
   * residues of the first cut while keeping the test quick. */
  for (gsize a = 0; a <= len; a += 7)
    for (gsize b = a; b <= len; b += 13)
      {
        g_autoptr (MsnpFramer) framer = msnp_framer_new ();
        g_autoptr (GString) split = g_string_new (NULL);

        g_assert_true (msnp_framer_feed (framer, data, a, test_collect_frame, split, NULL));
        g_assert_true (msnp_framer_feed (framer, data + a, b - a, test_collect_frame, split, NULL));
        g_assert_true (msnp_framer_feed (framer, data + b, len - b, test_collect_frame, split, NULL));
        g_assert_cmpmem (split->str, split->len, whole->str, whole->len);
      }
}

static void
test_seed003_bytewise (void)
{
  g_autoptr (GBytes) seed = test_load_data ("seed003-server.txt");
  gsize len;
  const guint8 *data = g_bytes_get_data (seed, &len);
  g_autoptr (GString) whole = frame_whole (data, len);
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  g_autoptr (GString) split = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    g_assert_true (msnp_framer_feed (framer, data + i, 1, test_collect_frame,
                                     split, NULL));
  g_assert_cmpuint (msnp_framer_pending (framer), ==, 0);
  g_assert_cmpmem (split->str, split->len, whole->str, whole->len);
}

/* A 491-byte binary payload (NULs, CRLFs, high bytes) followed by more
 * commands, fed whole and byte by byte. */
static void
test_payload_491 (void)
{
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  const char *head = "MSG Hotmail Hotmail 491\r\n";
  const char *tail = "QNG 50\r\nNOT 5\r\nabcdeFLN x@y.z\r\n";
  guint8 payload[491];
  Frames f;

  for (gsize i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) ((i * 7) % 256);
  payload[0] = '\r';
  payload[1] = '\n';
  payload[490] = '\0';
  g_byte_array_append (stream, (const guint8 *) head, strlen (head));
  g_byte_array_append (stream, payload, sizeof payload);
  g_byte_array_append (stream, (const guint8 *) tail, strlen (tail));

  for (int bytewise = 0; bytewise < 2; bytewise++)
    {
      g_autoptr (MsnpFramer) framer = msnp_framer_new ();
      GBytes *got;

      frames_init (&f);
      if (bytewise)
        for (guint i = 0; i < stream->len; i++)
          g_assert_true (msnp_framer_feed (framer, stream->data + i, 1,
                                           keep_frame, &f, NULL));
      else
        g_assert_true (msnp_framer_feed (framer, stream->data, stream->len,
                                         keep_frame, &f, NULL));
      g_assert_cmpuint (f.lines->len, ==, 4);
      g_assert_cmpstr (g_ptr_array_index (f.lines, 0), ==, "MSG Hotmail Hotmail 491");
      got = g_ptr_array_index (f.payloads, 0);
      g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                       payload, sizeof payload);
      g_assert_cmpstr (g_ptr_array_index (f.lines, 1), ==, "QNG 50");
      g_assert_cmpstr (g_ptr_array_index (f.lines, 2), ==, "NOT 5");
      got = g_ptr_array_index (f.payloads, 2);
      g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                       "abcde", 5);
      g_assert_cmpstr (g_ptr_array_index (f.lines, 3), ==, "FLN x@y.z");
      frames_clear (&f);
    }
}

typedef struct {
  const char *input;
  const char *frames;   /* expected lines joined with '|' */
} FrameCase;

static const FrameCase frame_cases[] = {
  { "VER 1 MSNP8\nCHL 0 123\n", "VER 1 MSNP8|CHL 0 123" },     /* bare LF */
  { "PNG\r\n\r\n\nQNG 1\r\n", "PNG|QNG 1" },                   /* blank lines */
  { "QRY 11\r\nCHG 12 IDL 0\r\n", "QRY 11|CHG 12 IDL 0" },      /* QRY: none */
  { "MSG a b 0\r\nOUT\r\n", "MSG a b 0|OUT" },                  /* empty payload */
  { "MSG a b 3 \r\nxyzOUT\r\n", "MSG a b 3 |OUT" },             /* trailing space */
  { "MSGX 5\r\nOUT\r\n", "MSGX 5|OUT" },                        /* not MSG */
  { "UBX a@b.c 2\r\n{}IPG 1\r\n!", "UBX a@b.c 2|IPG 1" },
  { "GCF 0 1\r\nxUUX 3 0\r\nUBN a 1 1\r\nz", "GCF 0 1|UUX 3 0|UBN a 1 1" },
  { "VER 1 MSNP8\r\nUSR 3", "VER 1 MSNP8" },                    /* partial */
  { "a\r\r\n", "a\r" },                                         /* one CR only */
};

static void
test_frame_case (gconstpointer data)
{
  const FrameCase *c = data;
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) want = g_strsplit (c->frames, "|", -1);
  Frames f;

  frames_init (&f);
  g_assert_true (msnp_framer_feed (framer, (const guint8 *) c->input,
                                   strlen (c->input), keep_frame, &f, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (f.lines->len, ==, g_strv_length (want));
  for (guint i = 0; want[i] != NULL; i++)
    g_assert_cmpstr (g_ptr_array_index (f.lines, i), ==, want[i]);
  frames_clear (&f);
}

typedef struct {
  const char *line;
  gboolean    payload;
} PayloadCase;

static const PayloadCase payload_cases[] = {
  { "MSG Hotmail Hotmail 491", TRUE }, { "NOT 120", TRUE },
  { "IPG 10", TRUE }, { "UBX a@b 0", TRUE }, { "GCF 0 100", TRUE },
  { "UUX 1 0", TRUE }, { "UBN a 1 5", TRUE }, { "MSG", TRUE },
  { "QRY 11", FALSE }, { "MSGS 1", FALSE }, { "msg a 1", FALSE },
  { "MS", FALSE }, { "", FALSE }, { "CHL 0 1", FALSE }, { "NOTX", FALSE },
};

static void
test_has_payload (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (payload_cases); i++)
    {
      const PayloadCase *c = &payload_cases[i];

      g_assert_cmpint (msnp_framer_has_payload (c->line, strlen (c->line)),
                       ==, c->payload);
    }
}

typedef struct {
  const char *input;    /* NULL: built by the test */
  int         error;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "MSG a b abc\r\n", MSNP_FRAMER_ERROR_BAD_LENGTH },
  { "MSG a b -5\r\n", MSNP_FRAMER_ERROR_BAD_LENGTH },
  { "MSG a b +5\r\n", MSNP_FRAMER_ERROR_BAD_LENGTH },
  { "MSG a b 0x10\r\n", MSNP_FRAMER_ERROR_BAD_LENGTH },
  { "MSG a b 1.5\r\n", MSNP_FRAMER_ERROR_BAD_LENGTH },
  { "MSG\r\n", MSNP_FRAMER_ERROR_BAD_LENGTH },
  { "MSG \r\n", MSNP_FRAMER_ERROR_BAD_LENGTH },
  { "NOT\r\n", MSNP_FRAMER_ERROR_BAD_LENGTH },
  { "MSG a b 65537\r\n", MSNP_FRAMER_ERROR_PAYLOAD_TOO_LARGE },
  { "MSG a b 99999999999999999999999999999\r\n", MSNP_FRAMER_ERROR_PAYLOAD_TOO_LARGE },
  { "NOT 4294967296\r\n", MSNP_FRAMER_ERROR_PAYLOAD_TOO_LARGE },
};

static void
test_error_case (gconstpointer data)
{
  const ErrorCase *c = data;
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  g_assert_false (msnp_framer_feed (framer, (const guint8 *) c->input,
                                    strlen (c->input), test_collect_frame,
                                    out, &error));
  g_assert_error (error, MSNP_FRAMER_ERROR, c->error);
  g_clear_error (&error);
  /* A failed framer stays failed. */
  g_assert_false (msnp_framer_feed (framer, (const guint8 *) "OUT\r\n", 5,
                                    test_collect_frame, out, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (out->len, ==, 0);
}

static void
test_line_limits (void)
{
  g_autofree char *max = g_strnfill (MSNP_FRAMER_MAX_LINE, 'A');
  g_autofree char *over = g_strnfill (MSNP_FRAMER_MAX_LINE + 1, 'A');
  g_autofree char *ok = g_strconcat (max, "\r\n", NULL);
  g_autofree char *bad = g_strconcat (over, "\r\n", NULL);
  g_autofree char *bad_lf = g_strconcat (over, "\n", NULL);

  /* Exactly the limit is fine, whole or byte by byte. */
  {
    g_autoptr (MsnpFramer) framer = msnp_framer_new ();
    g_autoptr (GString) out = g_string_new (NULL);

    g_assert_true (msnp_framer_feed (framer, (const guint8 *) ok, strlen (ok),
                                     test_collect_frame, out, NULL));
    for (const char *p = ok; *p != '\0'; p++)
      g_assert_true (msnp_framer_feed (framer, (const guint8 *) p, 1,
                                       test_collect_frame, out, NULL));
    g_assert_cmpuint (out->len, ==, 2 * (MSNP_FRAMER_MAX_LINE + 1));
  }
  /* One more is refused, with or without its line end in sight. */
  for (int i = 0; i < 3; i++)
    {
      const char *in = i == 0 ? bad : i == 1 ? bad_lf : over;
      g_autoptr (MsnpFramer) framer = msnp_framer_new ();
      g_autoptr (GString) out = g_string_new (NULL);
      g_autoptr (GError) error = NULL;
      gboolean ok_so_far = TRUE;

      for (const char *p = in; *p != '\0' && ok_so_far; p++)
        ok_so_far = msnp_framer_feed (framer, (const guint8 *) p, 1,
                                      test_collect_frame, out, &error);
      if (i == 2 && ok_so_far)
        {
          /* 4097 bytes and no line end yet: only one more byte decides. */
          ok_so_far = msnp_framer_feed (framer, (const guint8 *) "A", 1,
                                        test_collect_frame, out, &error);
        }
      g_assert_false (ok_so_far);
      g_assert_error (error, MSNP_FRAMER_ERROR, MSNP_FRAMER_ERROR_LINE_TOO_LONG);
      g_assert_cmpuint (out->len, ==, 0);
    }
}

/* The largest payload allowed, framed; the pending count never exceeds a
 * frame. */
static void
test_payload_limit (void)
{
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *head = g_strdup_printf ("MSG a b %u\r\n",
                                           (guint) MSNP_FRAMER_MAX_PAYLOAD);
  g_autofree guint8 *body = g_malloc0 (MSNP_FRAMER_MAX_PAYLOAD);

  g_assert_true (msnp_framer_feed (framer, (const guint8 *) head, strlen (head),
                                   test_collect_frame, out, NULL));
  g_assert_cmpuint (msnp_framer_pending (framer), ==, strlen (head));
  g_assert_true (msnp_framer_feed (framer, body, MSNP_FRAMER_MAX_PAYLOAD - 1,
                                   test_collect_frame, out, NULL));
  g_assert_cmpuint (out->len, ==, 0);
  g_assert_true (msnp_framer_feed (framer, body, 1, test_collect_frame, out, NULL));
  g_assert_cmpuint (msnp_framer_pending (framer), ==, 0);
  g_assert_cmpuint (out->len, >, MSNP_FRAMER_MAX_PAYLOAD);
}

static gboolean
stop_after_one (const MsnpFrame *frame, gpointer data)
{
  guint *n = data;

  (*n)++;
  return FALSE;
}

/* A callback returning FALSE stops framing; the rest is kept for later. */
static void
test_stop (void)
{
  const char *in = "PNG\r\nQNG 1\r\nOUT\r\n";
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  guint n = 0;

  g_assert_true (msnp_framer_feed (framer, (const guint8 *) in, strlen (in),
                                   stop_after_one, &n, NULL));
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (msnp_framer_pending (framer), ==, strlen (in) - 5);
  g_assert_true (msnp_framer_feed (framer, NULL, 0, stop_after_one, &n, NULL));
  g_assert_cmpuint (n, ==, 2);
  g_assert_true (msnp_framer_feed (framer, (const guint8 *) "X", 1,
                                   stop_after_one, &n, NULL));
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (msnp_framer_pending (framer), ==, 1);
}

/* Random bytes: either frames or a clean error, never a crash, and the
 * same outcome however they are split. */
static void
test_garbage (void)
{
  for (int round = 0; round < 200; round++)
    {
      gsize len = (gsize) g_test_rand_int_range (1, 3000);
      g_autofree guint8 *data = g_malloc (len);
      g_autoptr (MsnpFramer) a = msnp_framer_new ();
      g_autoptr (MsnpFramer) b = msnp_framer_new ();
      g_autoptr (GString) out_a = g_string_new (NULL);
      g_autoptr (GString) out_b = g_string_new (NULL);
      gboolean ok_a, ok_b = TRUE;

      for (gsize i = 0; i < len; i++)
        {
          /* Mostly command-like bytes, so payload paths are reached. */
          static const char alphabet[] = "MSG NOT 0123456789\r\n\r\nAB";
          data[i] = g_test_rand_bit ()
                    ? (guint8) alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)]
                    : (guint8) g_test_rand_int_range (0, 256);
        }
      ok_a = msnp_framer_feed (a, data, len, test_collect_frame, out_a, NULL);
      for (gsize i = 0; i < len && ok_b;)
        {
          /* Not inside MIN(): it would draw two different numbers. */
          gsize step = (gsize) g_test_rand_int_range (1, 40);
          gsize n = MIN (len - i, step);

          ok_b = msnp_framer_feed (b, data + i, n, test_collect_frame, out_b, NULL);
          i += n;
        }
      g_assert_cmpint (ok_a, ==, ok_b);
      g_assert_cmpmem (out_a->str, out_a->len, out_b->str, out_b->len);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/framer/seed003/whole", test_seed003_whole);
  g_test_add_func ("/framer/seed003/every-split", test_seed003_every_split);
  g_test_add_func ("/framer/seed003/two-splits", test_seed003_two_splits);
  g_test_add_func ("/framer/seed003/bytewise", test_seed003_bytewise);
  g_test_add_func ("/framer/payload-491", test_payload_491);
  for (gsize i = 0; i < G_N_ELEMENTS (frame_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/framer/frames/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &frame_cases[i], test_frame_case);
    }
  g_test_add_func ("/framer/has-payload", test_has_payload);
  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/framer/error/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &error_cases[i], test_error_case);
    }
  g_test_add_func ("/framer/line-limits", test_line_limits);
  g_test_add_func ("/framer/payload-limit", test_payload_limit);
  g_test_add_func ("/framer/stop", test_stop);
  g_test_add_func ("/framer/garbage", test_garbage);
  return g_test_run ();
}
