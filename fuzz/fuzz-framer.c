/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target "framer+dispatch": bytes → MsnpFramer → MsnpCommand →
 * msnp_lists_apply on every frame, plus a MIME parse of every payload.
 *
 * The input is framed twice, once whole and once in pieces whose sizes
 * come from the input itself, and the two framings must agree: the
 * framer promises identical frames however the stream is split. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-command.h"
#include "msnp-framer.h"
#include "msnp-lists.h"
#include "msnp-mime.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  MsnpLists *lists;
  GChecksum *sum;     /* of every frame seen, to compare the framings */
  MsnpCommand cmd;
} Dispatch;

static gboolean
on_frame (const MsnpFrame *frame, gpointer user_data)
{
  Dispatch *d = user_data;
  guint code;
  guint64 number;

  g_checksum_update (d->sum, (const guchar *) frame->line, (gssize) frame->line_len);
  g_checksum_update (d->sum, (const guchar *) "\n", 1);
  if (frame->payload != NULL)
    {
      g_checksum_update (d->sum, frame->payload, (gssize) frame->payload_len);
      g_checksum_update (d->sum, (const guchar *) "\0", 1);
    }

  if (!msnp_command_parse (&d->cmd, frame))
    return TRUE;
  msnp_command_is_error (&d->cmd, &code);
  msnp_command_param_uint (&d->cmd, 0, &number);
  msnp_lists_apply (d->lists, &d->cmd);
  if (frame->payload != NULL)
    {
      MsnpMime *mime = msnp_mime_parse (frame->payload, frame->payload_len);

      if (mime != NULL)
        {
          g_free (msnp_mime_get_param (mime, "Content-Type", "charset"));
          msnp_mime_free (mime);
        }
    }
  return TRUE;
}

/* Frames @data and returns the checksum of the frames and whether the
 * framer accepted the stream. */
static char *
run (const guint8 *data, size_t size, gboolean split, gboolean *ok)
{
  Dispatch *d = g_new0 (Dispatch, 1);
  MsnpFramer *framer = msnp_framer_new ();
  char *digest;
  size_t pos = 0;
  guint step_seed = size > 0 ? data[0] : 1;

  d->lists = msnp_lists_new ();
  d->sum = g_checksum_new (G_CHECKSUM_SHA256);
  *ok = TRUE;
  while (*ok && pos < size)
    {
      size_t n = size - pos;

      if (split)
        {
          /* Piece sizes 1..64 drawn from the bytes themselves. */
          step_seed = step_seed * 31 + data[pos];
          n = MIN (n, (size_t) (step_seed % 64) + 1);
        }
      *ok = msnp_framer_feed (framer, data + pos, n, on_frame, d, NULL);
      pos += n;
    }

  /* The model must survive a trip through its own cache. */
  if (!split)
    {
      GString *cache = g_string_new (NULL);
      MsnpLists *back = msnp_lists_new ();
      GString *cache2 = g_string_new (NULL);

      msnp_lists_write_cache (d->lists, cache);
      if (!msnp_lists_read_cache (back, cache->str, cache->len))
        abort ();
      msnp_lists_write_cache (back, cache2);
      if (!g_string_equal (cache, cache2))
        abort ();
      g_string_free (cache, TRUE);
      g_string_free (cache2, TRUE);
      msnp_lists_free (back);
    }

  digest = g_strdup (g_checksum_get_string (d->sum));
  g_checksum_free (d->sum);
  msnp_lists_free (d->lists);
  msnp_framer_free (framer);
  g_free (d);
  return digest;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  gboolean ok_whole, ok_split;
  char *whole = run (data, size, FALSE, &ok_whole);
  char *split = run (data, size, TRUE, &ok_split);

  if (ok_whole != ok_split || strcmp (whole, split) != 0)
    abort ();
  g_free (whole);
  g_free (split);

  /* The cache reader on raw input, too. */
  {
    MsnpLists *lists = msnp_lists_new ();

    msnp_lists_read_cache (lists, (const char *) data, size);
    msnp_lists_free (lists);
  }
  return 0;
}
