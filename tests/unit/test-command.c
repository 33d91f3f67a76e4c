/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MsnpCommand: tokenizer, numbers, serialisation, URL encoding. */
#include "config.h"

#include "msnp-command.h"
#include "test-util.h"

typedef struct {
  const char *line;
  gboolean    ok;
  const char *name;
  const char *params;   /* joined with '|', "" for none */
  guint       n_extra;
} ParseCase;

static const ParseCase parse_cases[] = {
  { "VER 1 MSNP8 CVR0", TRUE, "VER", "1|MSNP8|CVR0", 0 },
  { "  USR   7 OK  alice@passport.com Alice 1 0 ", TRUE, "USR",
    "7|OK|alice@passport.com|Alice|1|0", 0 },
  { "QRY 11", TRUE, "QRY", "11", 0 },
  { "FLN", TRUE, "FLN", "", 0 },
  { "OUT ", TRUE, "OUT", "", 0 },
  { "911 7", TRUE, "911", "7", 0 },
  { "CHL 0 29409134351025259292\r", TRUE, "CHL", "0|29409134351025259292", 0 },
  { "NLN BSY carol@passport.com Caroline 268435492", TRUE, "NLN",
    "BSY|carol@passport.com|Caroline|268435492", 0 },
  { "X1Z a", TRUE, "X1Z", "a", 0 },
  { "", FALSE, NULL, NULL, 0 },
  { "     ", FALSE, NULL, NULL, 0 },
  { "VERSION 1", FALSE, NULL, NULL, 0 },
  { "US 1", FALSE, NULL, NULL, 0 },
  { "U$R 1", FALSE, NULL, NULL, 0 },
  { "\xc3\xa9X 1", FALSE, NULL, NULL, 0 },
};

static void
test_parse_case (gconstpointer data)
{
  const ParseCase *c = data;
  MsnpFrame frame = { .line = c->line, .line_len = strlen (c->line) };
  MsnpCommand cmd;
  g_autoptr (GString) joined = g_string_new (NULL);

  g_assert_cmpint (msnp_command_parse (&cmd, &frame), ==, c->ok);
  if (!c->ok)
    return;
  g_assert_cmpstr (cmd.name, ==, c->name);
  for (guint i = 0; i < cmd.n_params; i++)
    {
      if (i > 0)
        g_string_append_c (joined, '|');
      g_string_append (joined, msnp_command_param (&cmd, i));
    }
  g_assert_cmpstr (joined->str, ==, c->params);
  g_assert_cmpuint (cmd.n_extra, ==, c->n_extra);
  g_assert_null (msnp_command_param (&cmd, cmd.n_params));
  g_assert_null (msnp_command_param (&cmd, G_MAXUINT));
  g_assert_null (cmd.payload);
}

/* The line is not NUL-terminated and continues with other bytes. */
static void
test_parse_unterminated (void)
{
  const char buf[] = "ILN 9 NLN bob@passport.com Bob 24GARBAGE";
  MsnpFrame frame = { .line = buf, .line_len = strlen (buf) - 7 };
  MsnpCommand cmd;

  g_assert_true (msnp_command_parse (&cmd, &frame));
  g_assert_cmpuint (cmd.n_params, ==, 5);
  g_assert_cmpstr (msnp_command_param (&cmd, 4), ==, "24");
}

static void
test_parse_nul (void)
{
  const char line[] = "LSG 0 \0 0";
  MsnpFrame frame = { .line = line, .line_len = sizeof line - 1 };
  MsnpCommand cmd;

  g_assert_false (msnp_command_parse (&cmd, &frame));
}

static void
test_parse_payload (void)
{
  const guint8 payload[] = { 'h', 0, 'i' };
  MsnpFrame frame = { .line = "MSG a b 3", .line_len = 9,
                      .payload = payload, .payload_len = 3 };
  MsnpCommand cmd;

  g_assert_true (msnp_command_parse (&cmd, &frame));
  g_assert_true (cmd.payload == payload);
  g_assert_cmpuint (cmd.payload_len, ==, 3);
}

static void
test_parse_many_params (void)
{
  g_autoptr (GString) line = g_string_new ("ABC");
  MsnpFrame frame;
  MsnpCommand cmd;

  for (int i = 0; i < MSNP_COMMAND_MAX_PARAMS + 6; i++)
    g_string_append_printf (line, " p%d", i);
  frame.line = line->str;
  frame.line_len = line->len;
  g_assert_true (msnp_command_parse (&cmd, &frame));
  g_assert_cmpuint (cmd.n_params, ==, MSNP_COMMAND_MAX_PARAMS);
  g_assert_cmpuint (cmd.n_extra, ==, 6);
  g_assert_cmpstr (msnp_command_param (&cmd, MSNP_COMMAND_MAX_PARAMS - 1), ==, "p23");
  g_assert_null (msnp_command_param (&cmd, MSNP_COMMAND_MAX_PARAMS));
}

static void
test_parse_limits (void)
{
  g_autofree char *max = g_strnfill (MSNP_FRAMER_MAX_LINE, 'x');
  g_autofree char *over = g_strnfill (MSNP_FRAMER_MAX_LINE + 1, 'x');
  MsnpFrame frame;
  MsnpCommand cmd;

  memcpy (max, "ABC ", 4);
  frame.line = max;
  frame.line_len = strlen (max);
  g_assert_true (msnp_command_parse (&cmd, &frame));
  g_assert_cmpuint (strlen (msnp_command_param (&cmd, 0)), ==, MSNP_FRAMER_MAX_LINE - 4);
  memcpy (over, "ABC ", 4);
  frame.line = over;
  frame.line_len = strlen (over);
  g_assert_false (msnp_command_parse (&cmd, &frame));
}

static void
test_is_error (void)
{
  static const struct { const char *line; gboolean is_error; guint code; } cases[] = {
    { "911 7", TRUE, 911 }, { "200", TRUE, 200 }, { "540 11", TRUE, 540 },
    { "USR 7 OK", FALSE, 0 }, { "91A 7", FALSE, 0 }, { "A11 7", FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      MsnpFrame frame = { .line = cases[i].line, .line_len = strlen (cases[i].line) };
      MsnpCommand cmd;
      guint code = 0;

      g_assert_true (msnp_command_parse (&cmd, &frame));
      g_assert_cmpint (msnp_command_is_error (&cmd, &code), ==, cases[i].is_error);
      if (cases[i].is_error)
        g_assert_cmpuint (code, ==, cases[i].code);
    }
}

static void
test_param_uint (void)
{
  const char *line = "XYZ 0 42 18446744073709551615 18446744073709551616 -1 +1 1a 0x10 29409134351025259292";
  MsnpFrame frame = { .line = line, .line_len = strlen (line) };
  MsnpCommand cmd;
  guint64 v = 7;

  g_assert_true (msnp_command_parse (&cmd, &frame));
  g_assert_true (msnp_command_param_uint (&cmd, 0, &v));
  g_assert_cmpuint (v, ==, 0);
  g_assert_true (msnp_command_param_uint (&cmd, 1, &v));
  g_assert_cmpuint (v, ==, 42);
  g_assert_true (msnp_command_param_uint (&cmd, 2, &v));
  g_assert_cmpuint (v, ==, G_MAXUINT64);
  for (guint i = 3; i <= 8; i++)
    g_assert_false (msnp_command_param_uint (&cmd, i, &v));
  g_assert_false (msnp_command_param_uint (&cmd, 9, &v));  /* absent */
  g_assert_false (msnp_command_param_uint (&cmd, 1000, &v));
}

static void
test_append (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *ver[] = { "MSNP8", "CVR0" };
  const char *qry[] = { "msmsgs@msnmsgr.com", "32" };

  msnp_command_append (out, "VER", 1, ver, 2);
  msnp_command_append (out, "OUT", 0, NULL, 0);
  msnp_command_append (out, "QRY", 11, qry, 2);
  msnp_command_append (out, "PNG", 0, NULL, 0);
  g_assert_cmpstr (out->str, ==,
                   "VER 1 MSNP8 CVR0\r\nOUT\r\nQRY 11 msmsgs@msnmsgr.com 32\r\nPNG\r\n");
}

typedef struct {
  const char *plain;
  const char *wire;
} UrlCase;

static const UrlCase encode_cases[] = {
  { "Alice", "Alice" },
  { "Other Contacts", "Other%20Contacts" },
  { "100% sure", "100%25%20sure" },
  { "tab\there", "tab%09here" },
  { "new\r\nline", "new%0D%0Aline" },
  { "del\x7f", "del%7F" },
  { "caf\xc3\xa9", "caf%C3%A9" },
  { "\xe2\x98\x83 snow", "%E2%98%83%20snow" },
  { "a+b&c=d/e", "a+b&c=d/e" },
  { "", "" },
};

static void
test_url_encode (gconstpointer data)
{
  const UrlCase *c = data;
  g_autofree char *enc = msnp_url_encode (c->plain);
  g_autofree char *dec = msnp_url_decode (enc);

  g_assert_cmpstr (enc, ==, c->wire);
  g_assert_cmpstr (dec, ==, c->plain);
}

static const UrlCase decode_cases[] = {
  { "Other Contacts", "Other%20Contacts" },
  { "caf\xc3\xa9", "caf%c3%a9" },
  { "%zz", "%zz" },
  { "%4", "%4" },
  { "%", "%" },
  { "a%", "a%" },
  { "%00x", "%00x" },          /* never a NUL */
  { "%A", "%%41" },            /* a lone '%' kept, then %41 */
  { "a+b", "a+b" },
  { "%2541", "%252541" },
};

static void
test_url_decode (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (decode_cases); i++)
    {
      g_autofree char *dec = msnp_url_decode (decode_cases[i].wire);

      g_assert_cmpstr (dec, ==, decode_cases[i].plain);
    }
  {
    g_autofree char *n = msnp_url_decode (NULL);

    g_assert_cmpstr (n, ==, "");
  }
}

/* Every byte value survives an encode/decode round trip. */
static void
test_url_round_trip (void)
{
  char all[256];
  g_autofree char *enc = NULL;
  g_autofree char *dec = NULL;

  for (int i = 1; i < 256; i++)
    all[i - 1] = (char) i;
  all[255] = '\0';
  enc = msnp_url_encode (all);
  for (const char *p = enc; *p != '\0'; p++)
    g_assert_true ((guchar) *p > 0x20 && (guchar) *p < 0x7f);
  dec = msnp_url_decode (enc);
  g_assert_cmpstr (dec, ==, all);
}

static void
test_url_decode_to (void)
{
  char out[16];

  g_assert_cmpuint (msnp_url_decode_to ("Other%20Contacts", out, sizeof out), ==, 14);
  g_assert_cmpstr (out, ==, "Other Contacts");
  /* Truncated at a UTF-8 boundary: "é" fits, the second does not. */
  g_assert_cmpuint (msnp_url_decode_to ("%C3%A9%C3%A9", out, 4), ==, 2);
  g_assert_cmpstr (out, ==, "\xc3\xa9");
  /* A three-byte character cut after one or two of its bytes. */
  g_assert_cmpuint (msnp_url_decode_to ("a%E2%98%83", out, 3), ==, 1);
  g_assert_cmpstr (out, ==, "a");
  g_assert_cmpuint (msnp_url_decode_to ("a%E2%98%83", out, 4), ==, 1);
  g_assert_cmpuint (msnp_url_decode_to ("a%E2%98%83", out, 5), ==, 4);
  g_assert_cmpstr (out, ==, "a\xe2\x98\x83");
  g_assert_cmpuint (msnp_url_decode_to ("abc", out, 3), ==, 2);
  g_assert_cmpstr (out, ==, "ab");
  g_assert_cmpuint (msnp_url_decode_to ("abc", out, 1), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (msnp_url_decode_to ("abc", out, 0), ==, 0);
  g_assert_cmpuint (msnp_url_decode_to ("%00", out, sizeof out), ==, 3);
  g_assert_cmpstr (out, ==, "%00");
}

static void
test_strip_controls (void)
{
  char message[] = "a\tb\r\nc\x03" "04red\x1b[31m\x07\x7f \xc2\x9b" "1m\xc2\xa0\xc3\xa9";
  char name[] = "Bob\r\nEvil\x01";

  g_assert_cmpstr (msnp_text_strip_controls (message, TRUE), ==,
                   "a\tb\nc04red[31m 1m\xc2\xa0\xc3\xa9");
  g_assert_cmpstr (msnp_text_strip_controls (name, FALSE), ==, "BobEvil");
  g_assert_null (msnp_text_strip_controls (NULL, TRUE));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/command/parse/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &parse_cases[i], test_parse_case);
    }
  g_test_add_func ("/command/parse-unterminated", test_parse_unterminated);
  g_test_add_func ("/command/parse-nul", test_parse_nul);
  g_test_add_func ("/command/parse-payload", test_parse_payload);
  g_test_add_func ("/command/parse-many-params", test_parse_many_params);
  g_test_add_func ("/command/parse-limits", test_parse_limits);
  g_test_add_func ("/command/is-error", test_is_error);
  g_test_add_func ("/command/param-uint", test_param_uint);
  g_test_add_func ("/command/append", test_append);
  for (gsize i = 0; i < G_N_ELEMENTS (encode_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/command/url-encode/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &encode_cases[i], test_url_encode);
    }
  g_test_add_func ("/command/url-decode", test_url_decode);
  g_test_add_func ("/command/url-round-trip", test_url_round_trip);
  g_test_add_func ("/command/url-decode-to", test_url_decode_to);
  g_test_add_func ("/command/strip-controls", test_strip_controls);
  return g_test_run ();
}
