/* SPDX-License-Identifier: GPL-2.0-or-later */
/* X-MMS-IM-Format parsing and building, HTML in both directions, message
 * splitting and the typing notification. */
#include "config.h"

#include <string.h>

#include "msnp-format.h"
#include "msnp-sb.h"
#include "test-util.h"

/* X-MMS-IM-Format parsing ------------------------------------------------ */

typedef struct {
  const char *value;
  const char *font;
  const char *effects;   /* the BIUS letters expected set */
  gboolean    has_color;
  guint32     color;     /* 0xRRGGBB */
  guint       charset;
  guint       pitch;
} ParseCase;

static const ParseCase parse_cases[] = {
  /* What the official client sends (tests/data seeds, hypothetic.org). */
  { .value = "FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=0",
    .font = "MS Sans Serif", .effects = "", .has_color = TRUE, .color = 0 },
  { .value = "FN=Arial; EF=BI; CO=ff; CS=0; PF=22",
    .font = "Arial", .effects = "BI", .has_color = TRUE, .color = 0xff0000, .pitch = 22 },
  { .value = "FN=Arial; EF=I; CO=0; CS=0; PF=22",
    .font = "Arial", .effects = "I", .has_color = TRUE, .color = 0, .pitch = 22 },
  /* CO is blue-green-red: ff0000 is blue. */
  { .value = "FN=Verdana; EF=BIUS; CO=ff0000; CS=86; PF=31",
    .font = "Verdana", .effects = "BIUS", .has_color = TRUE, .color = 0x0000ff,
    .charset = 0x86, .pitch = 31 },
  /* Shorter than six digits: padded on the left (ff00 is green). */
  { .value = "CO=ff00", .effects = "", .has_color = TRUE, .color = 0x00ff00 },
  { .value = "CO=8", .effects = "", .has_color = TRUE, .color = 0x080000 },
  { .value = "CO=123456", .effects = "", .has_color = TRUE, .color = 0x563412 },
  /* Order, case of keys and blanks do not matter. */
  { .value = "pf=22;co=FF;ef=ub;fn=Comic%20Sans%20MS;cs=80",
    .font = "Comic Sans MS", .effects = "BU", .has_color = TRUE, .color = 0xff0000,
    .charset = 0x80, .pitch = 22 },
  { .value = "  FN = Tahoma ;  EF = S ;CO= 0 ", .font = "Tahoma", .effects = "S",
    .has_color = TRUE },
  /* Missing fields. */
  { .value = "", .effects = "" },
  { .value = "FN=Arial", .font = "Arial", .effects = "" },
  { .value = "EF=B", .effects = "B" },
  { .value = ";;; ;", .effects = "" },
  /* Garbage: each broken field is ignored, the rest still counts. */
  { .value = "FN=; EF=B; CO=red; CS=zz; PF=x", .effects = "B" },
  { .value = "CO=1234567; CS=123; PF=256; EF=B", .effects = "B" },
  { .value = "CO=#ff; CO; =ff; XX=1; EF", .effects = "" },
  { .value = "CO=; PF=-1; CS=-1", .effects = "" },
  { .value = "FN=%20%20; EF=QB", .effects = "B" },
  { .value = "garbage without equals", .effects = "" },
  /* A repeated field: the last usable value wins. */
  { .value = "CO=ff; CO=ff0000; CO=nope", .effects = "", .has_color = TRUE,
    .color = 0x0000ff },
  /* Non-ASCII names come percent-encoded as UTF-8 bytes (宋体). */
  { .value = "FN=%E5%AE%8B%E4%BD%93; CS=86", .font = "宋体", .effects = "",
    .charset = 0x86 },
  /* Broken UTF-8 and control characters never reach the font. */
  { .value = "FN=A%FFb%0D%0Ac", .font = "A\xef\xbf\xbd" "bc", .effects = "" },
  /* ';' cannot be in a value; an encoded one can. */
  { .value = "FN=a%3Bb; EF=U", .font = "a;b", .effects = "U" },
};

static void
test_parse (gconstpointer data)
{
  const ParseCase *c = data;
  MsnpImFormat format = { 0 };

  msnp_im_format_parse (c->value, &format);
  g_assert_cmpstr (format.font, ==, c->font);
  g_assert_cmpint (format.bold, ==, strchr (c->effects, 'B') != NULL);
  g_assert_cmpint (format.italic, ==, strchr (c->effects, 'I') != NULL);
  g_assert_cmpint (format.underline, ==, strchr (c->effects, 'U') != NULL);
  g_assert_cmpint (format.strike, ==, strchr (c->effects, 'S') != NULL);
  g_assert_cmpint (format.has_color, ==, c->has_color);
  g_assert_cmphex (format.color, ==, c->color);
  g_assert_cmphex (format.charset, ==, c->charset);
  g_assert_cmpuint (format.pitch, ==, c->pitch);
  msnp_im_format_clear (&format);
  g_assert_null (format.font);
}

static void
test_parse_null (void)
{
  MsnpImFormat format = { 0 };

  msnp_im_format_parse (NULL, &format);
  g_assert_null (format.font);
  g_assert_false (format.bold || format.has_color);
  msnp_im_format_clear (&format);
  msnp_im_format_clear (NULL);
}

/* Building X-MMS-IM-Format ----------------------------------------------- */

typedef struct {
  const char *value;     /* parsed first */
  const char *expected;
} StringCase;

static const StringCase string_cases[] = {
  { "FN=Arial; EF=BI; CO=ff; CS=0; PF=22", "FN=Arial; EF=BI; CO=ff; CS=0; PF=22" },
  { "FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=0",
    "FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=22" },
  { "", "FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=22" },
  { "ef=subi; co=ff0000; fn=Segoe%20UI", "FN=Segoe%20UI; EF=BIUS; CO=ff0000; CS=0; PF=22" },
  { "CO=00ff00; CS=80; PF=49", "FN=MS%20Sans%20Serif; EF=; CO=ff00; CS=80; PF=49" },
  { "CO=000001", "FN=MS%20Sans%20Serif; EF=; CO=1; CS=0; PF=22" },
  { "FN=%E5%AE%8B%E4%BD%93; CS=86",
    "FN=%E5%AE%8B%E4%BD%93; EF=; CO=0; CS=86; PF=22" },
  { "FN=a%3Bb%25c", "FN=a%3Bb%25c; EF=; CO=0; CS=0; PF=22" },
  /* Fonts are capped at 31 characters. */
  { "FN=abcdefghijklmnopqrstuvwxyz0123456789",
    "FN=abcdefghijklmnopqrstuvwxyz01234; EF=; CO=0; CS=0; PF=22" },
};

static void
test_to_string (gconstpointer data)
{
  const StringCase *c = data;
  MsnpImFormat format = { 0 }, again = { 0 };
  g_autofree char *value = NULL;
  g_autofree char *value2 = NULL;

  msnp_im_format_parse (c->value, &format);
  value = msnp_im_format_to_string (&format);
  g_assert_cmpstr (value, ==, c->expected);

  /* And it parses back to itself. */
  msnp_im_format_parse (value, &again);
  value2 = msnp_im_format_to_string (&again);
  g_assert_cmpstr (value2, ==, value);
  msnp_im_format_clear (&format);
  msnp_im_format_clear (&again);
}

static void
test_to_string_sanity (void)
{
  MsnpImFormat format = {
    .font = (char *) "  Bad\r\nFont\x01;  ",
    .color = 0xff123456,     /* only the low 24 bits are a colour */
    .has_color = TRUE,
    .charset = 0x1234,
    .pitch = 1000,
  };
  g_autofree char *value = msnp_im_format_to_string (&format);
  g_autofree char *null_value = msnp_im_format_to_string (NULL);

  g_assert_cmpstr (value, ==, "FN=BadFont%3B; EF=; CO=563412; CS=0; PF=22");
  g_assert_cmpstr (null_value, ==, "FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=22");
}

/* Incoming text → HTML --------------------------------------------------- */

typedef struct {
  const char *body;
  gssize      len;       /* -1: strlen */
  const char *format;    /* X-MMS-IM-Format value, or NULL for none */
  const char *html;
} HtmlOutCase;

static const HtmlOutCase to_html_cases[] = {
  { "hello", -1, NULL, "hello" },
  { "", -1, NULL, "" },
  { "", -1, "FN=Arial; EF=B; CO=ff", "<font face=\"Arial\" color=\"#ff0000\"><b></b></font>" },
  /* Nothing in a message can inject markup. */
  { "<script>alert('x')</script>", -1, NULL,
    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" },
  { "a & b < c > d \"e\"", -1, NULL, "a &amp; b &lt; c &gt; d &quot;e&quot;" },
  { "&amp; stays &amp;", -1, NULL, "&amp;amp; stays &amp;amp;" },
  /* Every kind of line break is one <br>. */
  { "one\r\ntwo\nthree\rfour", -1, NULL, "one<br>two<br>three<br>four" },
  { "\r\n\r\n", -1, NULL, "<br><br>" },
  { "\n\r", -1, NULL, "<br><br>" },
  { "end\r", -1, NULL, "end<br>" },
  /* Formats. */
  { "hi", -1, "FN=Arial; EF=BI; CO=ff; CS=0; PF=22",
    "<font face=\"Arial\" color=\"#ff0000\"><b><i>hi</i></b></font>" },
  { "hi", -1, "FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=0",
    "<font face=\"MS Sans Serif\" color=\"#000000\">hi</font>" },
  { "hi", -1, "EF=SUIB", "<b><i><u><s>hi</s></u></i></b>" },
  { "hi", -1, "CO=ff0000", "<font color=\"#0000ff\">hi</font>" },
  { "hi", -1, "FN=Courier%20New", "<font face=\"Courier New\">hi</font>" },
  /* A font name is an attribute value: quotes and markup are escaped. */
  { "x", -1, "FN=%22%3E%3Cscript%3E'",
    "<font face=\"&quot;&gt;&lt;script&gt;&#39;\">x</font>" },
  { "x", -1, "FN=A%26B", "<font face=\"A&amp;B\">x</font>" },
  /* Invalid UTF-8 is repaired. */
  { "caf\xc3", -1, NULL, "caf\xef\xbf\xbd" },
  { "\xff\xfe<", -1, NULL, "\xef\xbf\xbd\xef\xbf\xbd&lt;" },
  /* NUL bytes become U+FFFD; the text after them is kept. */
  { "a\0b", 3, NULL, "a\xef\xbf\xbd" "b" },
  { "\0\0", 2, NULL, "\xef\xbf\xbd\xef\xbf\xbd" },
  /* Only @len bytes are read. */
  { "abcdef", 3, NULL, "abc" },
  /* Multi-byte text passes through. */
  { "日本語 😀 ü", -1, "EF=U", "<u>日本語 😀 ü</u>" },
};

static void
test_to_html (gconstpointer data)
{
  const HtmlOutCase *c = data;
  MsnpImFormat format = { 0 };
  g_autofree char *html = NULL;
  gsize len = c->len < 0 ? strlen (c->body) : (gsize) c->len;
  /* An exact-size copy, so a sanitizer sees any read past @len. */
  g_autofree char *copy = g_malloc (MAX (len, 1));

  memcpy (copy, c->body, len);
  if (c->format != NULL)
    msnp_im_format_parse (c->format, &format);
  html = msnp_im_to_html (copy, len, c->format != NULL ? &format : NULL);
  g_assert_cmpstr (html, ==, c->html);
  g_assert_true (g_utf8_validate (html, -1, NULL));
  msnp_im_format_clear (&format);
}

static void
test_to_html_null (void)
{
  g_autofree char *html = msnp_im_to_html (NULL, 0, NULL);

  g_assert_cmpstr (html, ==, "");
}

/* Outgoing HTML → text --------------------------------------------------- */

typedef struct {
  const char *html;
  const char *text;
  const char *format;    /* msnp_im_format_to_string() of the result */
} HtmlInCase;

#define PLAIN "FN=MS%20Sans%20Serif; EF=; CO=0; CS=0; PF=22"

static const HtmlInCase from_html_cases[] = {
  { "hello", "hello", PLAIN },
  { "", "", PLAIN },
  /* libpurple's usual shapes. */
  { "<b>bold</b>", "bold", "FN=MS%20Sans%20Serif; EF=B; CO=0; CS=0; PF=22" },
  { "<I>x</I>", "x", "FN=MS%20Sans%20Serif; EF=I; CO=0; CS=0; PF=22" },
  { "<FONT FACE=\"Arial\" COLOR=\"#FF0000\"><B><I><U>hi</U></I></B></FONT>", "hi",
    "FN=Arial; EF=BIU; CO=ff; CS=0; PF=22" },
  { "<font color=\"#0000ff\">blue</font>", "blue",
    "FN=MS%20Sans%20Serif; EF=; CO=ff0000; CS=0; PF=22" },
  { "<strong><em><s>x</s></em></strong>", "x",
    "FN=MS%20Sans%20Serif; EF=BIS; CO=0; CS=0; PF=22" },
  { "<strike>a</strike><del>b</del>", "ab", "FN=MS%20Sans%20Serif; EF=S; CO=0; CS=0; PF=22" },
  { "line one<br>line two<BR/>three<br />", "line one\r\nline two\r\nthree\r\n", PLAIN },
  /* Spans with CSS. */
  { "<span style=\"font-weight: bold; font-style: italic; "
    "text-decoration: underline line-through; color: #00ff00; "
    "font-family: 'Courier New', monospace\">css</span>", "css",
    "FN=Courier%20New; EF=BIUS; CO=ff00; CS=0; PF=22" },
  { "<span style='FONT-WEIGHT:700;color:red'>x</span>", "x",
    "FN=MS%20Sans%20Serif; EF=B; CO=ff; CS=0; PF=22" },
  { "<span style=\"font-family: sans-serif\">x</span>", "x",
    "FN=Arial; EF=; CO=0; CS=0; PF=22" },
  { "<span style=\"font-weight: normal; color: nonsense; bogus\">x</span>", "x", PLAIN },
  /* Colours. */
  { "<font color=red>x</font>", "x", "FN=MS%20Sans%20Serif; EF=; CO=ff; CS=0; PF=22" },
  { "<font color=\"#abc\">x</font>", "x", "FN=MS%20Sans%20Serif; EF=; CO=ccbbaa; CS=0; PF=22" },
  { "<font color=\"00FF00\">x</font>", "x", "FN=MS%20Sans%20Serif; EF=; CO=ff00; CS=0; PF=22" },
  { "<font color=\"#12345\">x</font>", "x", PLAIN },
  { "<font face=\"Times New Roman, serif\" size=3>x</font>", "x",
    "FN=Times%20New%20Roman; EF=; CO=0; CS=0; PF=22" },
  /* Nested and overlapping: the first styled run wins. */
  { "<b>bold <i>both</i></b> plain", "bold both plain",
    "FN=MS%20Sans%20Serif; EF=B; CO=0; CS=0; PF=22" },
  { "plain <u>under</u>", "plain under", "FN=MS%20Sans%20Serif; EF=U; CO=0; CS=0; PF=22" },
  { "<b> </b><i>x</i>", " x", "FN=MS%20Sans%20Serif; EF=I; CO=0; CS=0; PF=22" },
  { "<font face=A><font face=B>x</font></font>", "x", "FN=B; EF=; CO=0; CS=0; PF=22" },
  { "<b></b>after", "after", PLAIN },
  /* An end tag closes what was opened inside it too. */
  { "<font color=red><b>a</font>b", "ab", "FN=MS%20Sans%20Serif; EF=B; CO=ff; CS=0; PF=22" },
  /* Entities. */
  { "&amp; &lt;b&gt; &quot;q&quot; &apos;a&apos; &#65;&#x42;&#X43; &#8364; &#x1F600;",
    "& <b> \"q\" 'a' ABC € 😀", PLAIN },
  { "a&nbsp;b", "a b", PLAIN },
  { "&AMP; &Lt;", "& <", PLAIN },
  { "&bogus; & &amp &#; &#x; &#0; &#xD800; &#1114112; &#99999999999;",
    "&bogus; & &amp &#; &#x; &#0; &#xD800; &#1114112; &#99999999999;", PLAIN },
  /* Markup-looking text that is not markup. */
  { "1 < 2 > 0", "1 < 2 > 0", PLAIN },
  { "a<3 b", "a<3 b", PLAIN },
  { "x </ y", "x </ y", PLAIN },
  { "<", "<", PLAIN },
  { "unclosed <b", "unclosed <b", PLAIN },
  /* '>' inside quoted attribute values does not end a tag. */
  { "<font face=\"a>b\" color='#ff0000'>x</font>", "x",
    "FN=a>b; EF=; CO=ff; CS=0; PF=22" },
  { "<a href=\"http://x/?a>b\">link</a>", "link (http://x/?a>b)", PLAIN },
  { "<font face=\"never closed>x", "<font face=\"never closed>x", PLAIN },
  /* Unknown tags go, their text stays; comments go entirely. */
  { "<p>para</p><div class=x>div</div><img src=\"x.png\">", "paradiv", PLAIN },
  { "a<!-- <b>hidden</b> -->b", "ab", PLAIN },
  { "a<!-- unterminated", "a<!-- unterminated", PLAIN },
  { "<!DOCTYPE html><?xml x?>t", "t", PLAIN },
  /* Unclosed and stray end tags. */
  { "<b>never closed", "never closed", "FN=MS%20Sans%20Serif; EF=B; CO=0; CS=0; PF=22" },
  { "</b></font></a>text", "text", PLAIN },
  { "<b><b><b>x</b>", "x", "FN=MS%20Sans%20Serif; EF=B; CO=0; CS=0; PF=22" },
  /* Links keep their text; a differing target follows in parentheses. */
  { "<a href=\"http://example.com/\">http://example.com/</a>", "http://example.com/", PLAIN },
  { "<A HREF=\"http://example.com/\">site</A>!", "site (http://example.com/)!", PLAIN },
  { "<a href=\"mailto:bob@example.com\">bob@example.com</a>", "bob@example.com", PLAIN },
  { "<a href=\"http://a/?x=1&amp;y=2\">q</a>", "q (http://a/?x=1&y=2)", PLAIN },
  { "<a>plain anchor</a>", "plain anchor", PLAIN },
  { "<a href=\"\">empty</a>", "empty", PLAIN },
  { "<a href=\"http://u/\">unclosed", "unclosed", PLAIN },
  /* Attribute oddities. */
  { "<font = face=Arial / color=#ff0000 >x</font>", "x", "FN=Arial; EF=; CO=ff; CS=0; PF=22" },
  { "<font face>x</font>", "x", PLAIN },
  { "<font face=\"&lt;X&gt;\">x</font>", "x", "FN=<X>; EF=; CO=0; CS=0; PF=22" },
  /* Raw line breaks become CRLF. */
  { "a\nb\r\nc\rd", "a\r\nb\r\nc\r\nd", PLAIN },
  /* Invalid UTF-8 is repaired; multi-byte text survives. */
  { "<b>\xff</b>ok", "\xef\xbf\xbdok", "FN=MS%20Sans%20Serif; EF=B; CO=0; CS=0; PF=22" },
  { "<i>日本語</i>", "日本語", "FN=MS%20Sans%20Serif; EF=I; CO=0; CS=0; PF=22" },
};

static void
test_from_html (gconstpointer data)
{
  const HtmlInCase *c = data;
  MsnpImFormat format = { 0 };
  g_autofree char *text = msnp_im_from_html (c->html, &format);
  g_autofree char *value = msnp_im_format_to_string (&format);

  g_assert_cmpstr (text, ==, c->text);
  g_assert_cmpstr (value, ==, c->format);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  msnp_im_format_clear (&format);
}

/* Absurd nesting: capped, but every character of text survives. */
static void
test_from_html_deep (void)
{
  GString *html = g_string_new (NULL);
  GString *expected = g_string_new (NULL);
  MsnpImFormat format = { 0 };
  g_autofree char *text = NULL;

  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (html, "<font color=\"#%06x\"><b>%u", i, i % 10);
  for (guint i = 0; i < 2000; i++)
    g_string_append (html, "</b></i>x</font>");
  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (expected, "%u", i % 10);
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (expected, 'x');
  text = msnp_im_from_html (html->str, &format);
  g_assert_cmpstr (text, ==, expected->str);
  g_assert_true (format.bold);
  g_assert_true (format.has_color);
  g_assert_cmphex (format.color, ==, 0);
  msnp_im_format_clear (&format);
  g_string_free (html, TRUE);
  g_string_free (expected, TRUE);
}

static void
test_from_html_null (void)
{
  MsnpImFormat format = { 0 };
  g_autofree char *text = msnp_im_from_html (NULL, &format);
  g_autofree char *text2 = msnp_im_from_html ("<b>x</b>", NULL);

  g_assert_cmpstr (text, ==, "");
  g_assert_null (format.font);
  g_assert_cmpstr (text2, ==, "x");
}

/* From HTML and back: what we send reads back as what was written. */
static void
test_html_round_trip (void)
{
  MsnpImFormat format = { 0 };
  g_autofree char *text = msnp_im_from_html (
    "<font face=\"Arial\" color=\"#123456\"><b>1 &lt; 2 &amp; \"x\"<br>next</b></font>",
    &format);
  g_autofree char *html = msnp_im_to_html (text, strlen (text), &format);

  g_assert_cmpstr (html, ==,
                   "<font face=\"Arial\" color=\"#123456\"><b>1 &lt; 2 &amp; "
                   "&quot;x&quot;<br>next</b></font>");
  msnp_im_format_clear (&format);
}

/* Payloads --------------------------------------------------------------- */

#define HEADERS(fmt) \
  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" \
  "X-MMS-IM-Format: " fmt "\r\n\r\n"

static gsize
header_len (const MsnpImFormat *format)
{
  g_autoptr (GPtrArray) empty = msnp_im_build_payloads ("", format, MSNP_SB_MAX_PAYLOAD);

  return g_bytes_get_size (g_ptr_array_index (empty, 0));
}

/* Checks every promise of msnp_im_build_payloads() for @text. */
static void
check_payloads (const char *text, const MsnpImFormat *format, gsize max)
{
  g_autoptr (GPtrArray) payloads = msnp_im_build_payloads (text, format, max);
  g_autofree char *value = msnp_im_format_to_string (format);
  GString *joined = g_string_new (NULL);
  gsize head = header_len (format);

  g_assert_nonnull (payloads);
  g_assert_cmpuint (payloads->len, >=, 1);
  for (guint i = 0; i < payloads->len; i++)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (payloads, i), &size);
      g_autoptr (MsnpMime) mime = msnp_mime_parse (data, size);
      const guint8 *body;
      gsize body_len;

      g_assert_cmpuint (size, <=, max);
      g_assert_nonnull (mime);
      g_assert_cmpstr (msnp_mime_content_type (mime), ==, "text/plain");
      g_assert_cmpstr (msnp_mime_get (mime, "X-MMS-IM-Format"), ==, value);
      body = msnp_mime_body (mime, &body_len);
      g_assert_cmpuint (body_len, ==, size - head);
      if (text[0] != '\0')
        g_assert_cmpuint (body_len, >, 0);
      /* Whole characters, and no CRLF torn apart. */
      g_assert_true (g_utf8_validate ((const char *) body, (gssize) body_len, NULL));
      if (i > 0)
        g_assert_false (body[0] == '\n' && joined->str[joined->len - 1] == '\r');
      g_string_append_len (joined, (const char *) body, (gssize) body_len);
    }
  g_assert_cmpuint (joined->len, ==, strlen (text));
  g_assert_cmpstr (joined->str, ==, text);
  g_string_free (joined, TRUE);
}

static void
test_payload_exact (void)
{
  MsnpImFormat format = { 0 };
  g_autoptr (GPtrArray) payloads = NULL;
  g_autoptr (GPtrArray) empty = NULL;
  GBytes *payload;
  const char *expected = HEADERS ("FN=Arial; EF=B; CO=ff; CS=0; PF=22") "Hello\r\nthere";

  msnp_im_format_parse ("FN=Arial; EF=B; CO=ff; PF=22", &format);
  payloads = msnp_im_build_payloads ("Hello\r\nthere", &format, MSNP_SB_MAX_PAYLOAD);
  g_assert_cmpuint (payloads->len, ==, 1);
  payload = g_ptr_array_index (payloads, 0);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                   expected, strlen (expected));

  /* Empty text: one payload, headers only. */
  empty = msnp_im_build_payloads (NULL, NULL, MSNP_SB_MAX_PAYLOAD);
  g_assert_cmpuint (empty->len, ==, 1);
  payload = g_ptr_array_index (empty, 0);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                   HEADERS (PLAIN), strlen (HEADERS (PLAIN)));
  msnp_im_format_clear (&format);
}

static void
test_payload_too_small (void)
{
  gsize head = header_len (NULL);
  g_autoptr (GPtrArray) none = msnp_im_build_payloads ("x", NULL, head + 3);
  g_autoptr (GPtrArray) tiny = NULL;

  g_assert_null (none);
  g_assert_null (msnp_im_build_payloads ("", NULL, 0));
  /* Room for exactly four bytes: one character each, even 4-byte ones. */
  tiny = msnp_im_build_payloads ("😀😀a😀", NULL, head + 4);
  g_assert_cmpuint (tiny->len, ==, 4);
  check_payloads ("😀😀a😀\r\n\r\n", NULL, head + 4);
  check_payloads ("\r\n\r\n\r\n", NULL, head + 4);
  check_payloads ("a\r\nb\r\nc", NULL, head + 4);
}

/* The length limit is exact: a text that just fits is one payload. */
static void
test_payload_exact_fit (void)
{
  gsize room = MSNP_SB_MAX_PAYLOAD - header_len (NULL);
  g_autofree char *fits = g_strnfill (room, 'x');
  g_autofree char *over = g_strnfill (room + 1, 'x');
  g_autoptr (GPtrArray) one = msnp_im_build_payloads (fits, NULL, MSNP_SB_MAX_PAYLOAD);
  g_autoptr (GPtrArray) two = msnp_im_build_payloads (over, NULL, MSNP_SB_MAX_PAYLOAD);

  g_assert_cmpuint (one->len, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (one, 0)), ==, MSNP_SB_MAX_PAYLOAD);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (two, 0)), ==, MSNP_SB_MAX_PAYLOAD);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (two, 1)), ==,
                    header_len (NULL) + 1);
}

/* 5,000 bytes of mixed-width text under the real limit. */
static void
test_payload_5000 (void)
{
  static const char *const pieces[] = { "word ", "été ", "€uro ", "😀", "\r\n", "日本" };
  MsnpImFormat format = { .font = (char *) "Segoe UI", .bold = TRUE };
  GString *text = g_string_new (NULL);
  g_autoptr (GPtrArray) payloads = NULL;

  for (guint i = 0; text->len < 5000; i++)
    g_string_append (text, pieces[i % G_N_ELEMENTS (pieces)]);
  check_payloads (text->str, &format, MSNP_SB_MAX_PAYLOAD);
  payloads = msnp_im_build_payloads (text->str, &format, MSNP_SB_MAX_PAYLOAD);
  g_assert_cmpuint (payloads->len, >=, 4);
  g_assert_cmpuint (payloads->len, <=, 5);
  g_string_free (text, TRUE);
}

/* Chunks end after a blank when one is in the last tenth of the room. */
static void
test_payload_prefers_blanks (void)
{
  gsize head = header_len (NULL);
  GString *text = g_string_new (NULL);
  g_autoptr (GPtrArray) payloads = NULL;

  while (text->len < 3000)
    g_string_append (text, "lorem ipsum dolor ");
  payloads = msnp_im_build_payloads (text->str, NULL, head + 200);
  for (guint i = 0; i + 1 < payloads->len; i++)
    {
      gsize size;
      const char *data = g_bytes_get_data (g_ptr_array_index (payloads, i), &size);

      g_assert_cmpint (data[size - 1], ==, ' ');
      g_assert_cmpuint (size, >, head + 180);
    }
  check_payloads (text->str, NULL, head + 200);

  /* A line break is a blank too; without any, the cut is a hard one. */
  g_string_assign (text, "");
  while (text->len < 1000)
    g_string_append (text, "abcdefghij\r\n");
  check_payloads (text->str, NULL, head + 100);
  g_string_assign (text, "");
  while (text->len < 1000)
    g_string_append (text, "€");
  check_payloads (text->str, NULL, head + 100);
  g_string_free (text, TRUE);
}

/* A 4-byte character straddling the limit at every possible offset. */
static void
test_payload_emoji_boundaries (void)
{
  gsize head = header_len (NULL);

  for (gsize shift = 0; shift < 8; shift++)
    {
      GString *text = g_string_new (NULL);

      g_string_append_len (text, "abcdefgh", (gssize) shift);
      while (text->len < 600)
        g_string_append (text, "😀");
      for (gsize room = 4; room < 24; room++)
        check_payloads (text->str, NULL, head + room);
      check_payloads (text->str, NULL, head + 100);
      g_string_free (text, TRUE);
    }
}

/* Random texts of random widths under random limits. */
static void
test_payload_random (void)
{
  static const char *const pieces[] = {
    "a", "b", " ", "\t", "\r\n", "\n", "\r", "é", "€", "😀", "日", "&", "<",
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (1664);
  gsize head = header_len (NULL);

  for (guint round = 0; round < 300; round++)
    {
      GString *text = g_string_new (NULL);
      guint n = (guint) g_rand_int_range (rand, 0, 1500);
      gsize room = (gsize) g_rand_int_range (rand, 4, 400);

      for (guint i = 0; i < n; i++)
        g_string_append (text, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
      check_payloads (text->str, NULL, head + room);
      check_payloads (text->str, NULL, MSNP_SB_MAX_PAYLOAD);
      g_string_free (text, TRUE);
    }
}

/* Typing ----------------------------------------------------------------- */

static void
test_typing (void)
{
  static const char expected[] =
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/x-msmsgscontrol\r\n"
    "TypingUser: example@passport.com\r\n"
    "\r\n"
    "\r\n";
  static const char forged[] =
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/x-msmsgscontrol\r\n"
    "TypingUser: me@x.com\r\n"
    "\r\n"
    "\r\n";
  g_autoptr (GBytes) typing = msnp_im_build_typing ("example@passport.com");
  g_autoptr (GBytes) injected = msnp_im_build_typing ("me@x.com\r\nX-Evil: 1");
  g_autoptr (GBytes) nobody = msnp_im_build_typing (NULL);

  g_assert_cmpmem (g_bytes_get_data (typing, NULL), g_bytes_get_size (typing),
                   expected, sizeof expected - 1);
  g_assert_cmpmem (g_bytes_get_data (injected, NULL), g_bytes_get_size (injected),
                   forged, sizeof forged - 1);
  g_assert_nonnull (nobody);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/parse/%" G_GSIZE_FORMAT, i);

      g_test_add_data_func (path, &parse_cases[i], test_parse);
    }
  g_test_add_func ("/format/parse/null", test_parse_null);
  for (gsize i = 0; i < G_N_ELEMENTS (string_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/to-string/%" G_GSIZE_FORMAT, i);

      g_test_add_data_func (path, &string_cases[i], test_to_string);
    }
  g_test_add_func ("/format/to-string/sanity", test_to_string_sanity);
  for (gsize i = 0; i < G_N_ELEMENTS (to_html_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/to-html/%" G_GSIZE_FORMAT, i);

      g_test_add_data_func (path, &to_html_cases[i], test_to_html);
    }
  g_test_add_func ("/format/to-html/null", test_to_html_null);
  for (gsize i = 0; i < G_N_ELEMENTS (from_html_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/format/from-html/%" G_GSIZE_FORMAT, i);

      g_test_add_data_func (path, &from_html_cases[i], test_from_html);
    }
  g_test_add_func ("/format/from-html/null", test_from_html_null);
  g_test_add_func ("/format/from-html/deep", test_from_html_deep);
  g_test_add_func ("/format/html-round-trip", test_html_round_trip);
  g_test_add_func ("/format/payloads/exact", test_payload_exact);
  g_test_add_func ("/format/payloads/too-small", test_payload_too_small);
  g_test_add_func ("/format/payloads/exact-fit", test_payload_exact_fit);
  g_test_add_func ("/format/payloads/5000", test_payload_5000);
  g_test_add_func ("/format/payloads/blanks", test_payload_prefers_blanks);
  g_test_add_func ("/format/payloads/emoji-boundaries", test_payload_emoji_boundaries);
  g_test_add_func ("/format/payloads/random", test_payload_random);
  g_test_add_func ("/format/typing", test_typing);
  return g_test_run ();
}
