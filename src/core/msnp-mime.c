/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MIME header blocks of MSNP payloads.
 *
 * The payload is copied once; header names and values are cut out of that
 * copy in place, and the body is a pointer into it, so a parsed message is
 * two allocations (plus the header index) whatever its size. */
#include "config.h"

#include <string.h>

#include "msnp-mime.h"

typedef struct {
  const char *name;
  const char *value;
} MimeHeader;

struct _MsnpMime {
  char       *storage;   /* copy of the payload, headers split in place */
  MimeHeader *headers;
  guint       n_headers;
  const guint8 *body;
  gsize       body_len;
  char       *content_type;
};

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* Cuts [start, end) down to its non-blank middle and NUL-terminates it
 * (end points at a byte that belongs to the header area, so writing the
 * terminator there is safe). */
static char *
trim_in_place (char *start, char *end)
{
  while (start < end && is_blank (*start))
    start++;
  while (end > start && (is_blank (end[-1]) || end[-1] == '\r'))
    end--;
  *end = '\0';
  return start;
}

/* Counts the header lines, to size the index before filling it. */
static guint
count_lines (const char *s, gsize len)
{
  guint n = 1;

  for (gsize i = 0; i < len; i++)
    if (s[i] == '\n')
      n++;
  return n;
}

/* Where the blank line ending the header block starts (@len when there is
 * none), and in *@body_start where the body begins. */
static gsize
find_blank_line (const char *s, gsize len, gsize *body_start)
{
  gsize pos = 0;

  while (pos < len)
    {
      const char *nl = memchr (s + pos, '\n', len - pos);
      gsize line_end = nl ? (gsize) (nl - s) : len;

      if (line_end == pos || (line_end == pos + 1 && s[pos] == '\r'))
        {
          *body_start = nl ? line_end + 1 : len;
          return pos;
        }
      pos = nl ? line_end + 1 : len;
    }
  *body_start = len;
  return len;
}

/* Cuts "Name: value" lines out of @p..@end in place.  Lines without a
 * colon or with an empty name are ignored rather than fatal. */
static void
split_headers (MsnpMime *mime, char *p, char *end, guint max_headers)
{
  while (p < end && mime->n_headers < max_headers)
    {
      char *nl = memchr (p, '\n', (gsize) (end - p));
      char *line_end = nl ? nl : end;
      char *colon = memchr (p, ':', (gsize) (line_end - p));

      if (colon != NULL)
        {
          MimeHeader *h = &mime->headers[mime->n_headers];

          h->name = trim_in_place (p, colon);
          h->value = trim_in_place (colon + 1, line_end);
          if (h->name[0] != '\0')
            mime->n_headers++;
        }
      p = nl ? nl + 1 : end;
    }
}

/* "Text/Plain ; charset=…" → "text/plain". */
static char *
bare_content_type (const MsnpMime *mime)
{
  const char *ct = msnp_mime_get (mime, "Content-Type");
  gsize n;

  if (ct == NULL)
    return g_strdup ("");
  n = strcspn (ct, ";");
  while (n > 0 && is_blank (ct[n - 1]))
    n--;
  return g_ascii_strdown (ct, (gssize) n);
}

MsnpMime *
msnp_mime_parse (const guint8 *data, gsize len)
{
  MsnpMime *mime;
  gsize header_len, body_start;
  guint max_headers;

  if (data == NULL || len == 0)
    return NULL;

  mime = g_new0 (MsnpMime, 1);
  /* One spare byte so the last header can always be NUL-terminated. */
  mime->storage = g_malloc (len + 1);
  memcpy (mime->storage, data, len);
  mime->storage[len] = '\0';

  /* Only the header block sizes the index: a large body does not. */
  header_len = find_blank_line (mime->storage, len, &body_start);
  mime->body = (const guint8 *) mime->storage + body_start;
  mime->body_len = len - body_start;
  max_headers = count_lines (mime->storage, header_len);
  mime->headers = g_new0 (MimeHeader, max_headers);
  split_headers (mime, mime->storage, mime->storage + header_len, max_headers);
  if (mime->n_headers == 0)
    {
      msnp_mime_free (mime);
      return NULL;
    }
  mime->content_type = bare_content_type (mime);
  return mime;
}

void
msnp_mime_free (MsnpMime *mime)
{
  if (mime == NULL)
    return;
  g_free (mime->storage);
  g_free (mime->headers);
  g_free (mime->content_type);
  g_free (mime);
}

const char *
msnp_mime_get (const MsnpMime *mime, const char *name)
{
  for (guint i = 0; i < mime->n_headers; i++)
    if (g_ascii_strcasecmp (mime->headers[i].name, name) == 0)
      return mime->headers[i].value;
  return NULL;
}

const char *
msnp_mime_content_type (const MsnpMime *mime)
{
  return mime->content_type;
}

char *
msnp_mime_get_param (const MsnpMime *mime, const char *header,
                     const char *param)
{
  const char *value = msnp_mime_get (mime, header);
  gsize param_len = strlen (param);
  const char *p;

  if (value == NULL)
    return NULL;
  /* Every ';'-separated part is tried: in Content-Type the first part is
   * the type and has no '=', in X-MMS-IM-Format it is a parameter too. */
  for (p = value; p != NULL; )
    {
      const char *q = p;
      const char *next = strchr (q, ';');
      const char *part_end = next ? next : q + strlen (q);

      while (q < part_end && is_blank (*q))
        q++;
      if ((gsize) (part_end - q) > param_len
          && g_ascii_strncasecmp (q, param, param_len) == 0)
        {
          const char *v = q + param_len;

          while (v < part_end && is_blank (*v))
            v++;
          if (v < part_end && *v == '=')
            {
              const char *v_end = part_end;

              v++;
              while (v < v_end && is_blank (*v))
                v++;
              while (v_end > v && is_blank (v_end[-1]))
                v_end--;
              if (v_end - v >= 2 && *v == '"' && v_end[-1] == '"')
                {
                  v++;
                  v_end--;
                }
              return g_strndup (v, (gsize) (v_end - v));
            }
        }
      p = next ? next + 1 : NULL;
    }
  return NULL;
}

guint
msnp_mime_n_headers (const MsnpMime *mime)
{
  return mime->n_headers;
}

void
msnp_mime_header_at (const MsnpMime *mime, guint i,
                     const char **name, const char **value)
{
  g_return_if_fail (i < mime->n_headers);
  if (name != NULL)
    *name = mime->headers[i].name;
  if (value != NULL)
    *value = mime->headers[i].value;
}

const guint8 *
msnp_mime_body (const MsnpMime *mime, gsize *len)
{
  if (len != NULL)
    *len = mime->body_len;
  return mime->body;
}

static void
append_str (GByteArray *out, const char *s)
{
  g_byte_array_append (out, (const guint8 *) s, (guint) strlen (s));
}

GByteArray *
msnp_mime_build (const char *const *headers,
                 const guint8 *body, gsize body_len)
{
  GByteArray *out = g_byte_array_new ();
  gboolean has_version = FALSE;

  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL;
       i += 2)
    if (g_ascii_strcasecmp (headers[i], "MIME-Version") == 0)
      has_version = TRUE;
  if (!has_version)
    append_str (out, "MIME-Version: 1.0\r\n");
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL;
       i += 2)
    {
      append_str (out, headers[i]);
      append_str (out, ": ");
      append_str (out, headers[i + 1]);
      append_str (out, "\r\n");
    }
  append_str (out, "\r\n");
  if (body != NULL && body_len > 0)
    g_byte_array_append (out, body, (guint) body_len);
  return out;
}
