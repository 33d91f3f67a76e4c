/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MsnpMime: header lookup, trimming, line ends, binary bodies, building. */
#include "config.h"

#include "msnp-mime.h"
#include "test-util.h"

static MsnpMime *
parse_str (const char *s)
{
  return msnp_mime_parse ((const guint8 *) s, strlen (s));
}

/* The profile MSG of seed 003, as framed from the transcript. */
static gboolean
grab_profile (const MsnpFrame *frame, gpointer data)
{
  GBytes **out = data;

  if (frame->payload != NULL && *out == NULL)
    *out = g_bytes_new (frame->payload, frame->payload_len);
  return TRUE;
}

static void
test_seed_profile (void)
{
  g_autoptr (GBytes) seed = test_load_data ("seed003-server.txt");
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  g_autoptr (GBytes) profile = NULL;
  g_autoptr (MsnpMime) mime = NULL;
  g_autofree char *charset = NULL;
  gsize len, body_len = 99;
  const guint8 *data = g_bytes_get_data (seed, &len);
  const char *name, *value;

  g_assert_true (msnp_framer_feed (framer, data, len, grab_profile, &profile, NULL));
  g_assert_nonnull (profile);
  mime = msnp_mime_parse (g_bytes_get_data (profile, NULL), g_bytes_get_size (profile));
  g_assert_nonnull (mime);
  g_assert_cmpuint (msnp_mime_n_headers (mime), ==, 22);
  g_assert_cmpstr (msnp_mime_content_type (mime), ==, "text/x-msmsgsprofile");
  charset = msnp_mime_get_param (mime, "content-type", "CHARSET");
  g_assert_cmpstr (charset, ==, "UTF-8");
  g_assert_cmpstr (msnp_mime_get (mime, "mspauth"), ==,
                   "41bbzZ*NzDmDQ8ic4HWo89b9zhCBk!ONDJKB3Los8UMgBnCOLSwQKo!8IeIHQF0vVItSlOzIL36e5MAdMaB3mpZw$$");
  g_assert_cmpstr (msnp_mime_get (mime, "ClientIP"), ==, "1.2.3.4");
  g_assert_cmpstr (msnp_mime_get (mime, "sid"), ==, "507");
  g_assert_cmpstr (msnp_mime_get (mime, "Age"), ==, "");
  g_assert_cmpstr (msnp_mime_get (mime, "MemberIdLow"), ==, "-517030579");
  g_assert_null (msnp_mime_get (mime, "Nope"));
  msnp_mime_header_at (mime, 0, &name, &value);
  g_assert_cmpstr (name, ==, "MIME-Version");
  g_assert_cmpstr (value, ==, "1.0");
  g_assert_nonnull (msnp_mime_body (mime, &body_len));
  g_assert_cmpuint (body_len, ==, 0);

  /* Every prefix parses (or is refused) without reading past its end. */
  for (gsize i = 0; i <= g_bytes_get_size (profile); i++)
    {
      /* An exact-size copy, so sanitizers catch a read past the end. */
      g_autofree guint8 *copy = g_malloc (MAX (i, 1));
      g_autoptr (MsnpMime) part = NULL;

      memcpy (copy, g_bytes_get_data (profile, NULL), i);
      part = msnp_mime_parse (copy, i);

      if (part != NULL)
        msnp_mime_body (part, &body_len);
    }
}

static void
test_plain_message (void)
{
  const char *msg = "MIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=UTF-8\r\n"
                    "X-MMS-IM-Format: FN=Arial; EF=I; CO=0; CS=0; PF=22\r\n"
                    "\r\n"
                    "Hello\r\nthere";
  g_autoptr (MsnpMime) mime = parse_str (msg);
  g_autofree char *fn = NULL;
  g_autofree char *ef = NULL;
  g_autofree char *missing = NULL;
  gsize len;
  const guint8 *body;

  g_assert_nonnull (mime);
  g_assert_cmpstr (msnp_mime_content_type (mime), ==, "text/plain");
  fn = msnp_mime_get_param (mime, "X-MMS-IM-Format", "FN");
  ef = msnp_mime_get_param (mime, "x-mms-im-format", "ef");
  missing = msnp_mime_get_param (mime, "X-MMS-IM-Format", "F");
  g_assert_cmpstr (fn, ==, "Arial");
  g_assert_cmpstr (ef, ==, "I");
  g_assert_null (missing);
  body = msnp_mime_body (mime, &len);
  g_assert_cmpmem (body, len, "Hello\r\nthere", 12);
}

typedef struct {
  const char *input;
  gboolean    parses;
  const char *content_type;
  const char *typing_user;
  const char *body;
} MimeCase;

static const MimeCase mime_cases[] = {
  /* bare LF line ends */
  { "MIME-Version: 1.0\nContent-Type: text/x-msmsgscontrol\nTypingUser: bob@passport.com\n\n\n",
    TRUE, "text/x-msmsgscontrol", "bob@passport.com", "\n" },
  /* CRLF, the body a lone CRLF as real typing notifications have */
  { "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: bob@passport.com\r\n\r\n\r\n",
    TRUE, "text/x-msmsgscontrol", "bob@passport.com", "\r\n" },
  /* odd case, spacing and no blank line */
  { "content-TYPE:   Text/X-MsMsgsControl ;x=1  \r\ntypinguser:bob  ",
    TRUE, "text/x-msmsgscontrol", "bob", "" },
  /* a line without a colon is skipped */
  { "garbage line\r\nTypingUser: x\r\n\r\nbody", TRUE, "", "x", "body" },
  /* empty header name is skipped */
  { ": nothing\r\nTypingUser: y\r\n\r\n", TRUE, "", "y", "" },
  { "", FALSE, NULL, NULL, NULL },
  { "\r\nbody only", FALSE, NULL, NULL, NULL },
  { "no colon anywhere", FALSE, NULL, NULL, NULL },
  { "\n", FALSE, NULL, NULL, NULL },
};

static void
test_mime_case (gconstpointer data)
{
  const MimeCase *c = data;
  g_autoptr (MsnpMime) mime = parse_str (c->input);
  gsize len;
  const guint8 *body;

  if (!c->parses)
    {
      g_assert_null (mime);
      return;
    }
  g_assert_nonnull (mime);
  g_assert_cmpstr (msnp_mime_content_type (mime), ==, c->content_type);
  g_assert_cmpstr (msnp_mime_get (mime, "TypingUser"), ==, c->typing_user);
  body = msnp_mime_body (mime, &len);
  g_assert_cmpmem (body, len, c->body, strlen (c->body));
}

/* A body with NUL bytes and no terminator is kept byte for byte. */
static void
test_binary_body (void)
{
  static const guint8 msg[] = "Content-Type: application/x-msnmsgrp2p\r\n\r\n"
                              "\x00\x01\x02\r\n\xff\x00";
  gsize total = sizeof msg - 1;  /* without the literal's NUL */
  g_autoptr (MsnpMime) mime = msnp_mime_parse (msg, total);
  gsize len;
  const guint8 *body;

  g_assert_nonnull (mime);
  body = msnp_mime_body (mime, &len);
  g_assert_cmpuint (len, ==, 7);
  g_assert_cmpmem (body, len, "\x00\x01\x02\r\n\xff\x00", 7);
}

/* Header bytes right up to the end of the buffer, no terminator. */
static void
test_unterminated_header (void)
{
  const char *s = "TypingUser: abcXXXX";
  g_autoptr (MsnpMime) mime = msnp_mime_parse ((const guint8 *) s, strlen (s) - 4);

  g_assert_nonnull (mime);
  g_assert_cmpstr (msnp_mime_get (mime, "typinguser"), ==, "abc");
}

static void
test_quoted_param (void)
{
  g_autoptr (MsnpMime) mime = parse_str ("Content-Type: text/plain; charset=\"UTF-8\"; x = y \r\n\r\n");
  g_autofree char *charset = msnp_mime_get_param (mime, "Content-Type", "charset");
  g_autofree char *x = msnp_mime_get_param (mime, "Content-Type", "x");
  g_autofree char *none = msnp_mime_get_param (mime, "Nope", "x");

  g_assert_cmpstr (charset, ==, "UTF-8");
  g_assert_cmpstr (x, ==, "y");
  g_assert_null (none);
  {
    g_autoptr (MsnpMime) odd = parse_str ("A: ;;;b=1;\r\n");
    g_autofree char *b = msnp_mime_get_param (odd, "A", "b");

    g_assert_cmpstr (b, ==, "1");
  }
}

static void
test_build (void)
{
  const char *headers[] = {
    "Content-Type", "text/plain; charset=UTF-8",
    "X-MMS-IM-Format", "FN=Arial; EF=; CO=0; CS=0; PF=22",
    NULL,
  };
  const char *with_version[] = { "MIME-Version", "1.0", "TypingUser", "me", NULL };
  const char *expect = "MIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=UTF-8\r\n"
                       "X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n"
                       "\r\n"
                       "hi\0there";
  g_autoptr (GByteArray) out = msnp_mime_build (headers, (const guint8 *) "hi\0there", 8);
  g_autoptr (GByteArray) out2 = msnp_mime_build (with_version, NULL, 0);
  g_autoptr (MsnpMime) back = msnp_mime_parse (out->data, out->len);
  gsize len;
  const guint8 *body;

  g_assert_cmpmem (out->data, out->len, expect, strlen (expect) + 6);
  g_assert_cmpstr (msnp_mime_content_type (back), ==, "text/plain");
  body = msnp_mime_body (back, &len);
  g_assert_cmpmem (body, len, "hi\0there", 8);
  g_assert_cmpmem (out2->data, out2->len,
                   "MIME-Version: 1.0\r\nTypingUser: me\r\n\r\n", 37);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mime/seed003-profile", test_seed_profile);
  g_test_add_func ("/mime/plain-message", test_plain_message);
  for (gsize i = 0; i < G_N_ELEMENTS (mime_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/mime/case/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &mime_cases[i], test_mime_case);
    }
  g_test_add_func ("/mime/binary-body", test_binary_body);
  g_test_add_func ("/mime/unterminated-header", test_unterminated_header);
  g_test_add_func ("/mime/quoted-param", test_quoted_param);
  g_test_add_func ("/mime/build", test_build);
  return g_test_run ();
}
