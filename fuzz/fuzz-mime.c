/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: MIME header blocks of MSNP payloads.  Every accessor is
 * exercised, and a rebuilt payload must parse back to the same headers. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-mime.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  MsnpMime *mime = msnp_mime_parse (data, size);
  GPtrArray *headers;
  GByteArray *rebuilt;
  MsnpMime *back;
  const guint8 *body;
  gsize body_len;
  guint n;

  if (mime == NULL)
    return 0;
  n = msnp_mime_n_headers (mime);
  msnp_mime_content_type (mime);
  msnp_mime_get (mime, "TypingUser");
  g_free (msnp_mime_get_param (mime, "Content-Type", "charset"));
  g_free (msnp_mime_get_param (mime, "X-MMS-IM-Format", "FN"));
  body = msnp_mime_body (mime, &body_len);
  if (body_len > size)
    abort ();

  /* Rebuild: only headers whose name and value survive the format
   * (no line breaks, no colon in the name) can be expected back. */
  headers = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    {
      const char *name, *value;

      msnp_mime_header_at (mime, i, &name, &value);
      if (strpbrk (name, ":\r\n") != NULL || strpbrk (value, "\r\n") != NULL)
        continue;
      g_ptr_array_add (headers, (gpointer) name);
      g_ptr_array_add (headers, (gpointer) value);
    }
  g_ptr_array_add (headers, NULL);
  rebuilt = msnp_mime_build ((const char *const *) headers->pdata, body, body_len);
  back = msnp_mime_parse (rebuilt->data, rebuilt->len);
  if (back == NULL)
    abort ();
  {
    gsize back_len;
    const guint8 *back_body = msnp_mime_body (back, &back_len);

    if (back_len != body_len || (body_len > 0 && memcmp (back_body, body, body_len) != 0))
      abort ();
  }
  msnp_mime_free (back);
  g_byte_array_unref (rebuilt);
  g_ptr_array_unref (headers);
  msnp_mime_free (mime);
  return 0;
}
