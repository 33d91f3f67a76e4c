/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Instant-message payloads: X-MMS-IM-Format, incoming text as libpurple
 * HTML, typing notifications, and splitting long messages.  (Outgoing
 * HTML is read in msnp-format-html.c.)
 *
 * X-MMS-IM-Format is "FN=<font>; EF=<BIUS>; CO=<bbggrr>; CS=<hex>;
 * PF=<decimal>".  The official client always sends the fields in that
 * order with upper-case names, and the 2003-era switchboards refused a
 * message whose FN was not first; it accepts them in any order, and so do
 * we.  The font name is URL-encoded; only spaces were meant to be encoded
 * ("FN=MS%20Sans%20Serif"), so we escape just what would break the field
 * syntax (space, '%', ';', controls) and the bytes of non-ASCII names.
 * CO is the colour as hex in blue-green-red order without leading zeros
 * ("ff" is red, "ff0000" blue). */
#include "config.h"

#include <string.h>

#include "msnp-command.h"
#include "msnp-format.h"
#include "msnp-format-private.h"

/* Windows font face names are at most 31 characters (LF_FACESIZE is 32
 * with the terminator); anything longer is not a font any client has,
 * and the cap keeps the MIME headers far below the payload limit. */
#define FONT_MAX_CHARS 31
#define DEFAULT_FONT   "MS Sans Serif"
/* PF: FF_SWISS | VARIABLE_PITCH, what the official client sends. */
#define DEFAULT_PITCH  22

/* The smallest chunk room that always holds one UTF-8 character. */
#define MIN_CHUNK 4

void
msnp_im_format_clear (MsnpImFormat *format)
{
  if (format == NULL)
    return;
  g_free (format->font);
  memset (format, 0, sizeof *format);
}

/* Font names ----------------------------------------------------------- */

char *
msnp_format_clean_font (const char *name, gssize len)
{
  g_autofree char *valid = g_utf8_make_valid (name, len);
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = valid; *p != '\0' && n < FONT_MAX_CHARS;
       p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        continue;
      g_string_append_unichar (out, c);
      n++;
    }
  g_strstrip (out->str);
  if (out->str[0] == '\0')
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

static void
append_encoded_font (GString *out, const char *font)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const guchar *p = (const guchar *) font; *p != '\0'; p++)
    {
      if (*p <= 0x20 || *p >= 0x7f || *p == '%' || *p == ';')
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0x0f]);
        }
      else
        g_string_append_c (out, (char) *p);
    }
}

/* Parsing X-MMS-IM-Format ------------------------------------------------ */

gboolean
msnp_format_parse_hex (const char *s, gsize len, gsize max_digits,
                       guint32 *out)
{
  guint32 v = 0;

  if (len == 0 || len > max_digits)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      int d = g_ascii_xdigit_value (s[i]);

      if (d < 0)
        return FALSE;
      v = v * 16 + (guint32) d;
    }
  *out = v;
  return TRUE;
}

static guint32
swap_red_blue (guint32 c)
{
  return ((c & 0xff) << 16) | (c & 0x00ff00) | ((c >> 16) & 0xff);
}

static void
field_font (MsnpImFormat *format, const char *value, gsize len)
{
  g_autofree char *raw = g_strndup (value, len);
  g_autofree char *decoded = msnp_url_decode (raw);
  char *font = msnp_format_clean_font (decoded, -1);

  if (font == NULL)
    return;
  g_free (format->font);
  format->font = font;
}

/* Letters other than B, I, U and S are ignored, not fatal: a later client
 * may know more effects. */
static void
field_effects (MsnpImFormat *format, const char *value, gsize len)
{
  format->bold = format->italic = format->underline = format->strike = FALSE;
  for (gsize i = 0; i < len; i++)
    switch (g_ascii_toupper (value[i]))
      {
      case 'B': format->bold = TRUE; break;
      case 'I': format->italic = TRUE; break;
      case 'U': format->underline = TRUE; break;
      case 'S': format->strike = TRUE; break;
      default: break;
      }
}

static void
field_color (MsnpImFormat *format, const char *value, gsize len)
{
  guint32 bgr;

  if (!msnp_format_parse_hex (value, len, 6, &bgr))
    return;
  format->color = swap_red_blue (bgr);
  format->has_color = TRUE;
}

static void
field_charset (MsnpImFormat *format, const char *value, gsize len)
{
  guint32 cs;

  if (msnp_format_parse_hex (value, len, 2, &cs))
    format->charset = cs;
}

static void
field_pitch (MsnpImFormat *format, const char *value, gsize len)
{
  guint pf = 0;

  if (len == 0 || len > 3)
    return;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (value[i]))
        return;
      pf = pf * 10 + (guint) (value[i] - '0');
    }
  if (pf <= 255)
    format->pitch = pf;
}

static const struct {
  const char *key;
  void (*parse) (MsnpImFormat *format, const char *value, gsize len);
} format_fields[] = {
  { .key = "FN", .parse = field_font },
  { .key = "EF", .parse = field_effects },
  { .key = "CO", .parse = field_color },
  { .key = "CS", .parse = field_charset },
  { .key = "PF", .parse = field_pitch },
};

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* One "KEY=value" part, [start, end). */
static void
parse_field (MsnpImFormat *format, const char *start, const char *end)
{
  const char *eq = memchr (start, '=', (gsize) (end - start));
  const char *key_end, *value;

  if (eq == NULL)
    return;
  while (start < eq && is_blank (*start))
    start++;
  key_end = eq;
  while (key_end > start && is_blank (key_end[-1]))
    key_end--;
  value = eq + 1;
  while (value < end && is_blank (*value))
    value++;
  while (end > value && is_blank (end[-1]))
    end--;

  for (gsize i = 0; i < G_N_ELEMENTS (format_fields); i++)
    if ((gsize) (key_end - start) == strlen (format_fields[i].key)
        && g_ascii_strncasecmp (start, format_fields[i].key,
                                (gsize) (key_end - start)) == 0)
      {
        format_fields[i].parse (format, value, (gsize) (end - value));
        return;
      }
}

void
msnp_im_format_parse (const char *value, MsnpImFormat *format)
{
  memset (format, 0, sizeof *format);
  if (value == NULL)
    return;
  for (const char *p = value; *p != '\0';)
    {
      const char *end = strchr (p, ';');

      if (end == NULL)
        end = p + strlen (p);
      parse_field (format, p, end);
      p = *end != '\0' ? end + 1 : end;
    }
}

char *
msnp_im_format_to_string (const MsnpImFormat *format)
{
  static const MsnpImFormat defaults = { 0 };
  GString *out = g_string_new ("FN=");
  g_autofree char *font = NULL;
  guint32 bgr = 0;

  if (format == NULL)
    format = &defaults;
  if (format->font != NULL)
    font = msnp_format_clean_font (format->font, -1);
  append_encoded_font (out, font != NULL ? font : DEFAULT_FONT);
  g_string_append (out, "; EF=");
  if (format->bold)
    g_string_append_c (out, 'B');
  if (format->italic)
    g_string_append_c (out, 'I');
  if (format->underline)
    g_string_append_c (out, 'U');
  if (format->strike)
    g_string_append_c (out, 'S');
  if (format->has_color)
    bgr = swap_red_blue (format->color & 0xffffff);
  g_string_append_printf (out, "; CO=%x; CS=%x; PF=%u", bgr,
                          format->charset <= 0xff ? format->charset : 0,
                          format->pitch > 0 && format->pitch <= 255
                            ? format->pitch : DEFAULT_PITCH);
  return g_string_free (out, FALSE);
}

/* Incoming: body → HTML -------------------------------------------------- */

/* Appends @text (valid UTF-8, no NUL) with the five characters that mean
 * something in HTML escaped, and each line break ("\r\n", "\n" or a lone
 * "\r") turned into <br>.  Our own rather than g_markup_escape_text(),
 * whose spelling of ' changed between GLib releases: &#39; is the one
 * every HTML reader knows. */
static void
append_escaped (GString *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    switch (*p)
      {
      case '&': g_string_append (out, "&amp;"); break;
      case '<': g_string_append (out, "&lt;"); break;
      case '>': g_string_append (out, "&gt;"); break;
      case '"': g_string_append (out, "&quot;"); break;
      case '\'': g_string_append (out, "&#39;"); break;
      case '\r':
        if (p[1] == '\n')
          p++;
        g_string_append (out, "<br>");
        break;
      case '\n': g_string_append (out, "<br>"); break;
      default: g_string_append_c (out, *p); break;
      }
}

char *
msnp_im_to_html (const char *body, gsize len, const MsnpImFormat *format)
{
  /* g_utf8_make_valid() also turns every NUL byte into U+FFFD, so a NUL
   * in the body can neither cut the message short nor vanish unseen. */
  g_autofree char *text = g_utf8_make_valid (body != NULL ? body : "",
                                             body != NULL ? (gssize) len : 0);
  static const char *const effect_tags[] = { "b", "i", "u", "s" };
  gboolean effects[G_N_ELEMENTS (effect_tags)] = { FALSE };
  g_autofree char *font = NULL;
  GString *out = g_string_sized_new (len + 64);
  gboolean has_font_tag;

  if (format != NULL)
    {
      effects[0] = format->bold;
      effects[1] = format->italic;
      effects[2] = format->underline;
      effects[3] = format->strike;
      if (format->font != NULL)
        font = msnp_format_clean_font (format->font, -1);
    }
  has_font_tag = font != NULL || (format != NULL && format->has_color);
  if (has_font_tag)
    {
      g_string_append (out, "<font");
      if (font != NULL)
        {
          g_string_append (out, " face=\"");
          append_escaped (out, font);   /* no line breaks in a font */
          g_string_append_c (out, '"');
        }
      if (format->has_color)
        g_string_append_printf (out, " color=\"#%06x\"", format->color & 0xffffff);
      g_string_append_c (out, '>');
    }
  for (gsize i = 0; i < G_N_ELEMENTS (effect_tags); i++)
    if (effects[i])
      g_string_append_printf (out, "<%s>", effect_tags[i]);

  append_escaped (out, text);

  for (gsize i = G_N_ELEMENTS (effect_tags); i-- > 0;)
    if (effects[i])
      g_string_append_printf (out, "</%s>", effect_tags[i]);
  if (has_font_tag)
    g_string_append (out, "</font>");
  return g_string_free (out, FALSE);
}

/* Payloads --------------------------------------------------------------- */

/* Where to end a chunk of @text starting at @pos with room for @room
 * bytes (fewer remain than that is the caller's business): never inside
 * a UTF-8 character or a "\r\n" pair, preferably just after the last
 * blank or line break in the final tenth of the room. */
static gsize
chunk_end (const char *text, gsize pos, gsize room)
{
  gsize end = pos + room;
  gsize window = MAX (room / 10, 1);

  /* Back over continuation bytes to a lead byte (a character is at most
   * four bytes; invalid text is cut where it must be). */
  for (guint i = 0; i < 3 && ((guchar) text[end] & 0xc0) == 0x80; i++)
    end--;
  if (((guchar) text[end] & 0xc0) == 0x80)
    end = pos + room;
  if (text[end] == '\n' && text[end - 1] == '\r' && end - 1 > pos)
    end--;

  for (gsize i = end; i > pos + 1 && i + window > end; i--)
    {
      char c = text[i - 1];

      if (c == ' ' || c == '\t' || c == '\n' || (c == '\r' && text[i] != '\n'))
        return i;
    }
  return end;
}

static GBytes *
payload_new (const GByteArray *headers, const char *body, gsize len)
{
  GByteArray *payload = g_byte_array_sized_new (headers->len + (guint) len);

  g_byte_array_append (payload, headers->data, headers->len);
  g_byte_array_append (payload, (const guint8 *) body, (guint) len);
  return g_byte_array_free_to_bytes (payload);
}

GPtrArray *
msnp_im_build_payloads (const char *text, const MsnpImFormat *format,
                        gsize max_payload)
{
  g_autofree char *value = msnp_im_format_to_string (format);
  const char *const headers[] = {
    "Content-Type", "text/plain; charset=UTF-8",
    "X-MMS-IM-Format", value,
    NULL,
  };
  g_autoptr (GByteArray) head = msnp_mime_build (headers, NULL, 0);
  GPtrArray *payloads;
  gsize len, pos = 0, room;

  if (text == NULL)
    text = "";
  len = strlen (text);
  if (max_payload < head->len + MIN_CHUNK)
    return NULL;
  room = max_payload - head->len;
  payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  do
    {
      gsize end = len - pos > room ? chunk_end (text, pos, room) : len;

      g_ptr_array_add (payloads, payload_new (head, text + pos, end - pos));
      pos = end;
    }
  while (pos < len);
  return payloads;
}

GBytes *
msnp_im_build_typing (const char *passport)
{
  /* The official client's control message: no charset parameter, and a
   * body of one empty line ("\r\n") — hypothetic.org's MSN Messenger
   * Protocol, "Client - Messages", Typing Notifications
   * (http://hypothetic.org/docs/msn/client/messages.php). */
  const char *who = passport != NULL ? passport : "";
  /* A line break would end the header and forge the rest. */
  g_autofree char *user = g_strndup (who, strcspn (who, "\r\n"));
  const char *const headers[] = {
    "Content-Type", "text/x-msmsgscontrol",
    "TypingUser", user,
    NULL,
  };
  GByteArray *payload = msnp_mime_build (headers, (const guint8 *) "\r\n", 2);

  return g_byte_array_free_to_bytes (payload);
}
