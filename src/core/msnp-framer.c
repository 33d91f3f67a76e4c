/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes → MSNP frames.
 *
 * The framer owns one growable buffer holding only what has not been
 * framed yet.  When nothing is held back, frames are handed out straight
 * from the caller's bytes and only the unfinished tail is copied; otherwise
 * the new bytes are appended, framed in place, and the remainder is moved
 * to the front (compaction) so the buffer never grows past one frame plus
 * one input chunk. */
#include "config.h"

#include <string.h>

#include "msnp-framer.h"

G_DEFINE_QUARK (msnp-framer-error-quark, msnp_framer_error)

struct _MsnpFramer {
  guint8   *buf;
  gsize     len;       /* bytes held in buf */
  gsize     cap;
  gsize     scanned;   /* leading bytes of buf known to hold no '\n' */
  gboolean  failed;
};

/* The commands a server sends with a payload whose size is the last
 * parameter.  MSG and NOT are MSNP8; the others come from later protocol
 * versions that revival servers may speak at us.  QRY is deliberately
 * absent: the server's "QRY 11" acknowledgement carries nothing. */
static const char payload_commands[][4] = {
  "MSG", "NOT", "IPG", "UBX", "GCF", "UUX", "UBN",
};

MsnpFramer *
msnp_framer_new (void)
{
  return g_new0 (MsnpFramer, 1);
}

void
msnp_framer_free (MsnpFramer *framer)
{
  if (framer == NULL)
    return;
  g_free (framer->buf);
  g_free (framer);
}

gsize
msnp_framer_pending (const MsnpFramer *framer)
{
  return framer->len;
}

gboolean
msnp_framer_has_payload (const char *line, gsize line_len)
{
  if (line_len < 3 || (line_len > 3 && line[3] != ' '))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (payload_commands); i++)
    if (memcmp (line, payload_commands[i], 3) == 0)
      return TRUE;
  return FALSE;
}

/* Reads the last space-separated parameter of @line as a payload length.
 * Digits only: no sign, no hex, no spaces inside. */
static gboolean
parse_payload_length (const char *line, gsize line_len, gsize *out,
                      GError **error)
{
  gsize end = line_len;
  gsize start;
  gsize value = 0;

  while (end > 0 && line[end - 1] == ' ')
    end--;
  start = end;
  while (start > 0 && line[start - 1] != ' ')
    start--;
  /* start == 0 means the "last parameter" is the command name itself. */
  if (start == 0 || start == end)
    {
      g_set_error_literal (error, MSNP_FRAMER_ERROR,
                           MSNP_FRAMER_ERROR_BAD_LENGTH,
                           "payload command without a length");
      return FALSE;
    }
  for (gsize i = start; i < end; i++)
    {
      if (!g_ascii_isdigit (line[i]))
        {
          g_set_error (error, MSNP_FRAMER_ERROR, MSNP_FRAMER_ERROR_BAD_LENGTH,
                       "payload length is not a number");
          return FALSE;
        }
      value = value * 10 + (gsize) (line[i] - '0');
      /* Checked per digit, so the value can never overflow. */
      if (value > MSNP_FRAMER_MAX_PAYLOAD)
        {
          g_set_error (error, MSNP_FRAMER_ERROR,
                       MSNP_FRAMER_ERROR_PAYLOAD_TOO_LARGE,
                       "payload length exceeds %u bytes",
                       (guint) MSNP_FRAMER_MAX_PAYLOAD);
          return FALSE;
        }
    }
  *out = value;
  return TRUE;
}

/* Frames as much of @data as is complete.  *@consumed is set to the bytes
 * used up; *@stopped when the callback asked to stop.  @scanned leading
 * bytes are known to hold no line end; on return *@tail_scanned says the
 * same of the bytes left over. */
static gboolean
frame_bytes (const guint8 *data, gsize len, gsize scanned,
             MsnpFrameFunc func, gpointer user_data,
             gsize *consumed, gsize *tail_scanned, gboolean *stopped,
             GError **error)
{
  gsize pos = 0;

  *stopped = FALSE;
  *tail_scanned = 0;
  while (pos < len)
    {
      const guint8 *start = data + pos;
      gsize avail = len - pos;
      const guint8 *nl = NULL;
      gsize line_len, header_len, payload_len = 0;
      MsnpFrame frame;

      if (scanned < avail)
        nl = memchr (start + scanned, '\n', avail - scanned);
      if (nl == NULL)
        {
          /* Room for the line and its '\r'. */
          if (avail > MSNP_FRAMER_MAX_LINE + 1)
            goto too_long;
          *tail_scanned = avail;
          break;
        }
      scanned = 0;
      header_len = (gsize) (nl - start) + 1;
      line_len = header_len - 1;
      if (line_len > 0 && start[line_len - 1] == '\r')
        line_len--;
      if (line_len > MSNP_FRAMER_MAX_LINE)
        goto too_long;
      if (line_len == 0)
        {
          /* Blank lines carry nothing; some servers pad with them. */
          pos += header_len;
          continue;
        }

      frame.line = (const char *) start;
      frame.line_len = line_len;
      frame.payload = NULL;
      frame.payload_len = 0;
      if (msnp_framer_has_payload (frame.line, line_len))
        {
          if (!parse_payload_length (frame.line, line_len, &payload_len, error))
            return FALSE;
          if (avail - header_len < payload_len)
            break;
          frame.payload = start + header_len;
          frame.payload_len = payload_len;
        }
      pos += header_len + payload_len;
      if (!func (&frame, user_data))
        {
          *stopped = TRUE;
          break;
        }
    }
  *consumed = pos;
  return TRUE;

too_long:
  g_set_error (error, MSNP_FRAMER_ERROR, MSNP_FRAMER_ERROR_LINE_TOO_LONG,
               "command line longer than %u bytes",
               (guint) MSNP_FRAMER_MAX_LINE);
  return FALSE;
}

static void
buffer_reserve (MsnpFramer *framer, gsize extra)
{
  gsize need = framer->len + extra;
  gsize cap;

  if (need <= framer->cap)
    return;
  cap = MAX (framer->cap, 256);
  while (cap < need)
    cap *= 2;
  framer->buf = g_realloc (framer->buf, cap);
  framer->cap = cap;
}

static void
buffer_append (MsnpFramer *framer, const guint8 *data, gsize len)
{
  if (len == 0)
    return;
  buffer_reserve (framer, len);
  memcpy (framer->buf + framer->len, data, len);
  framer->len += len;
}

gboolean
msnp_framer_feed (MsnpFramer    *framer,
                  const guint8  *data,
                  gsize          len,
                  MsnpFrameFunc  func,
                  gpointer       user_data,
                  GError       **error)
{
  gsize consumed = 0;
  gsize tail_scanned = 0;
  gboolean stopped = FALSE;

  g_return_val_if_fail (framer != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (framer->failed)
    {
      g_set_error_literal (error, MSNP_FRAMER_ERROR,
                           MSNP_FRAMER_ERROR_BAD_LENGTH,
                           "framer already failed");
      return FALSE;
    }

  if (framer->len == 0)
    {
      /* Fast path: frame the caller's bytes without copying them. */
      if (!frame_bytes (data, len, 0, func, user_data, &consumed,
                        &tail_scanned, &stopped, error))
        goto fail;
      buffer_append (framer, data + consumed, len - consumed);
      /* Remember how far the held-back bytes were searched for a line
       * end, so a long line arriving byte by byte is not rescanned. */
      framer->scanned = tail_scanned;
      return TRUE;
    }

  buffer_append (framer, data, len);
  if (!frame_bytes (framer->buf, framer->len, framer->scanned, func,
                    user_data, &consumed, &tail_scanned, &stopped, error))
    goto fail;
  if (consumed > 0)
    {
      /* Compact: keep the unfinished frame at the front of the buffer. */
      memmove (framer->buf, framer->buf + consumed, framer->len - consumed);
      framer->len -= consumed;
    }
  framer->scanned = tail_scanned;
  return TRUE;

fail:
  framer->failed = TRUE;
  return FALSE;
}
