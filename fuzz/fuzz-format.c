/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: instant-message formats.  The input is at once an
 * X-MMS-IM-Format value, a message body, libpurple HTML and a text to
 * split; each step checks the promises of msnp-format.h:
 *   - formatting a parsed format and parsing it again is stable;
 *   - to_html escapes everything: reading its HTML back gives the body
 *     (repaired, line breaks as CRLF) and the same effects and colour;
 *   - from_html gives valid UTF-8;
 *   - payloads respect the size limit, never tear a character or a CRLF,
 *     have no empty chunk, and reassemble to the text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-format.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort (); } while (0)

static gsize
header_len (const MsnpImFormat *format)
{
  GPtrArray *empty = msnp_im_build_payloads ("", format, 4096);
  gsize len;

  CHECK (empty != NULL && empty->len == 1);
  len = g_bytes_get_size (g_ptr_array_index (empty, 0));
  g_ptr_array_unref (empty);
  return len;
}

static void
check_payloads (const char *text, const MsnpImFormat *format, gsize max)
{
  GPtrArray *payloads = msnp_im_build_payloads (text, format, max);
  gsize head = header_len (format);
  gsize text_len = strlen (text), pos = 0;

  if (payloads == NULL)
    {
      CHECK (max < head + 4);
      return;
    }
  CHECK (payloads->len >= 1);
  for (guint i = 0; i < payloads->len; i++)
    {
      gsize len;
      const char *payload = g_bytes_get_data (g_ptr_array_index (payloads, i), &len);
      gsize body_len = len - head;

      CHECK (len <= max && len >= head);
      CHECK (body_len > 0 || text_len == 0);
      CHECK (pos + body_len <= text_len);
      CHECK (memcmp (payload + head, text + pos, body_len) == 0);
      pos += body_len;
      /* Cut between two characters, never inside "\r\n" (a lead byte,
       * or ASCII, follows every cut). */
      if (pos < text_len)
        {
          CHECK (((guchar) text[pos] & 0xc0) != 0x80
                 || !g_utf8_validate (text, (gssize) text_len, NULL));
          CHECK (!(text[pos] == '\n' && text[pos - 1] == '\r'));
        }
    }
  CHECK (pos == text_len);
  g_ptr_array_unref (payloads);
}

/* @body as to_html should give it back through from_html: valid UTF-8
 * (NULs replaced) with every line break as "\r\n". */
static char *
expected_text (const guint8 *data, size_t size)
{
  g_autofree char *valid = g_utf8_make_valid ((const char *) data, (gssize) size);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '\r' && p[1] == '\n')
        p++;
      if (*p == '\r' || *p == '\n')
        g_string_append (out, "\r\n");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
has_visible_char (const char *text)
{
  return text[strspn (text, " \t\r\n\f")] != '\0';
}

static void
check_format_round_trip (const char *value, MsnpImFormat *format)
{
  MsnpImFormat again = { 0 };
  char *first, *second;

  msnp_im_format_parse (value, format);
  first = msnp_im_format_to_string (format);
  msnp_im_format_parse (first, &again);
  second = msnp_im_format_to_string (&again);
  CHECK (strcmp (first, second) == 0);
  g_free (first);
  g_free (second);
  msnp_im_format_clear (&again);
}

static void
check_html_round_trip (const guint8 *data, size_t size, const MsnpImFormat *format)
{
  char *html = msnp_im_to_html ((const char *) data, size, format);
  char *expected = expected_text (data, size);
  MsnpImFormat back = { 0 };
  char *text;

  CHECK (g_utf8_validate (html, -1, NULL));
  text = msnp_im_from_html (html, &back);
  CHECK (strcmp (text, expected) == 0);
  if (has_visible_char (text))
    {
      CHECK (back.bold == format->bold && back.italic == format->italic);
      CHECK (back.underline == format->underline && back.strike == format->strike);
      CHECK (back.has_color == format->has_color);
      CHECK (!format->has_color || back.color == format->color);
    }
  msnp_im_format_clear (&back);
  g_free (text);
  g_free (expected);
  g_free (html);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  char *str = g_strndup ((const char *) data, size);   /* up to a NUL */
  MsnpImFormat format = { 0 }, html_format = { 0 };
  gsize max = size >= 2 ? (gsize) ((data[0] << 8 | data[1]) % 2048) : 1664;
  char *text;

  check_format_round_trip (str, &format);
  check_html_round_trip (data, size, &format);

  text = msnp_im_from_html (str, &html_format);
  CHECK (g_utf8_validate (text, -1, NULL));
  check_payloads (text, &html_format, max);
  check_payloads (text, &format, 1664);
  /* Raw input too, invalid UTF-8 and all. */
  check_payloads (str, NULL, max);

  g_free (text);
  msnp_im_format_clear (&html_format);
  msnp_im_format_clear (&format);
  g_free (str);
  return 0;
}
