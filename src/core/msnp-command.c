/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tokenising and writing MSNP command lines, and the URL encoding MSNP
 * uses for friendly names and group names. */
#include "config.h"

#include <string.h>

#include "msnp-command.h"

gboolean
msnp_command_parse (MsnpCommand *cmd, const MsnpFrame *frame)
{
  gsize len = frame->line_len;
  char *p, *end;
  char *name;

  cmd->name[0] = '\0';
  cmd->n_params = 0;
  cmd->n_extra = 0;
  cmd->payload = frame->payload;
  cmd->payload_len = frame->payload_len;
  cmd->storage[0] = '\0';

  /* A NUL would silently cut a parameter short: no MSNP line has one. */
  if (len > MSNP_FRAMER_MAX_LINE || memchr (frame->line, '\0', len) != NULL)
    return FALSE;
  memcpy (cmd->storage, frame->line, len);
  cmd->storage[len] = '\0';
  /* A line handed over with its '\r' still on (not from our framer). */
  while (len > 0 && (cmd->storage[len - 1] == '\r'
                     || cmd->storage[len - 1] == '\n'))
    cmd->storage[--len] = '\0';

  p = cmd->storage;
  end = cmd->storage + len;
  name = NULL;
  while (p < end)
    {
      char *tok;

      while (p < end && *p == ' ')
        p++;
      if (p >= end)
        break;
      tok = p;
      while (p < end && *p != ' ')
        p++;
      *p++ = '\0';
      if (name == NULL)
        name = tok;
      else if (cmd->n_params < MSNP_COMMAND_MAX_PARAMS)
        cmd->params[cmd->n_params++] = tok;
      else
        cmd->n_extra++;
    }

  if (name == NULL || strlen (name) != 3)
    return FALSE;
  for (int i = 0; i < 3; i++)
    if (!g_ascii_isalnum (name[i]))
      return FALSE;
  memcpy (cmd->name, name, 4);
  return TRUE;
}

const char *
msnp_command_param (const MsnpCommand *cmd, guint i)
{
  return i < cmd->n_params ? cmd->params[i] : NULL;
}

gboolean
msnp_command_is_error (const MsnpCommand *cmd, guint *code)
{
  const char *n = cmd->name;

  if (!g_ascii_isdigit (n[0]) || !g_ascii_isdigit (n[1])
      || !g_ascii_isdigit (n[2]) || n[3] != '\0')
    return FALSE;
  if (code != NULL)
    *code = (guint) ((n[0] - '0') * 100 + (n[1] - '0') * 10 + (n[2] - '0'));
  return TRUE;
}

gboolean
msnp_command_param_uint (const MsnpCommand *cmd, guint i, guint64 *out)
{
  const char *s = msnp_command_param (cmd, i);
  guint64 value;

  if (s == NULL || !g_ascii_isdigit (s[0]))
    return FALSE;
  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT64, &value, NULL))
    return FALSE;
  if (out != NULL)
    *out = value;
  return TRUE;
}

void
msnp_command_append (GString *out, const char *name, guint trid,
                     const char *const *params, guint n_params)
{
  g_string_append (out, name);
  if (trid != 0)
    g_string_append_printf (out, " %u", trid);
  for (guint i = 0; i < n_params; i++)
    {
      if (params[i] == NULL)
        continue;
      g_string_append_c (out, ' ');
      g_string_append (out, params[i]);
    }
  g_string_append (out, "\r\n");
}

/* URL encoding ---------------------------------------------------------- */

static gboolean
needs_escape (guchar c)
{
  return c <= 0x20 || c == '%' || c >= 0x7f;
}

char *
msnp_url_encode (const char *text)
{
  static const char hex[] = "0123456789ABCDEF";
  GString *out;

  if (text == NULL)
    return g_strdup ("");
  out = g_string_sized_new (strlen (text) + 8);
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (needs_escape (*p))
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0x0f]);
        }
      else
        g_string_append_c (out, (char) *p);
    }
  return g_string_free (out, FALSE);
}

/* The byte %XX at @p encodes, or -1 when it is not a usable escape (not
 * hex, cut short, or a NUL that would end the string early). */
static int
escaped_byte (const char *p)
{
  int hi, lo;

  if (p[0] != '%')
    return -1;
  hi = g_ascii_xdigit_value (p[1]);
  if (hi < 0)
    return -1;
  lo = g_ascii_xdigit_value (p[2]);
  if (lo < 0)
    return -1;
  if (hi == 0 && lo == 0)
    return -1;
  return hi * 16 + lo;
}

char *
msnp_url_decode (const char *text)
{
  char *out, *q;

  if (text == NULL)
    return g_strdup ("");
  /* Decoding never lengthens the text. */
  out = g_malloc (strlen (text) + 1);
  q = out;
  for (const char *p = text; *p != '\0';)
    {
      int b = escaped_byte (p);

      if (b >= 0)
        {
          *q++ = (char) b;
          p += 3;
        }
      else
        *q++ = *p++;
    }
  *q = '\0';
  return out;
}

/* Length of the longest prefix of @s (@len bytes) that does not end in
 * the middle of a UTF-8 sequence. */
static gsize
utf8_safe_length (const char *s, gsize len)
{
  gsize lead = len;
  gsize need;
  guchar c;

  /* Walk back over at most three continuation bytes to a lead byte. */
  while (lead > 0 && len - lead < 4 && ((guchar) s[lead - 1] & 0xc0) == 0x80)
    lead--;
  if (lead == 0)
    return len;
  c = (guchar) s[lead - 1];
  if (c < 0xc0)
    return len;           /* ASCII or stray continuation bytes: keep */
  need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
  if (len - (lead - 1) < need)
    return lead - 1;      /* the sequence was cut: drop its start */
  return len;
}

gsize
msnp_url_decode_to (const char *text, char *out, gsize out_size)
{
  gsize n = 0;
  gboolean truncated = FALSE;

  if (out == NULL || out_size == 0)
    return 0;
  if (text == NULL)
    {
      out[0] = '\0';
      return 0;
    }
  for (const char *p = text; *p != '\0';)
    {
      int b = escaped_byte (p);

      if (n + 1 >= out_size)
        {
          truncated = TRUE;
          break;
        }
      if (b >= 0)
        {
          out[n++] = (char) b;
          p += 3;
        }
      else
        out[n++] = *p++;
    }
  if (truncated)
    n = utf8_safe_length (out, n);
  out[n] = '\0';
  return n;
}

int
msnp_command_name_cmp (const void *key, const void *entry)
{
  return memcmp (key, entry, 4);
}

gboolean
msnp_text_is_number (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isdigit (*text))
      return FALSE;
  return TRUE;
}

char *
msnp_text_strip_controls (char *text, gboolean keep_newlines)
{
  guchar *in, *out;

  if (text == NULL)
    return NULL;
  for (in = out = (guchar *) text; *in != '\0'; in++)
    {
      if (*in == '\t' || (*in == '\n' && keep_newlines))
        *out++ = *in;
      else if (*in < 0x20 || *in == 0x7f)
        continue;
      else if (*in == 0xc2 && in[1] >= 0x80 && in[1] <= 0x9f)
        in++;                       /* a C1 control: both bytes go */
      else
        *out++ = *in;
    }
  *out = '\0';
  return text;
}
