/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: IPG payloads (pages from mobile devices) and building a
 * page from arbitrary text.  Whatever parses must give valid UTF-8 with no
 * control characters but line breaks and tabs; whatever builds must be
 * one <TEXT> element that GMarkup reads back to the cleaned text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-page.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check_clean (const char *s)
{
  if (s == NULL)
    return;
  if (!g_utf8_validate (s, -1, NULL))
    abort ();
  for (const guchar *p = (const guchar *) s; *p; p++)
    if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
      abort ();
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  MsnpPageIn in;
  g_autofree char *text = g_strndup ((const char *) data, size);
  GBytes *built;

  if (msnp_page_parse (data, size, &in)) {
    check_clean (in.from);
    check_clean (in.text);
    msnp_page_in_clear (&in);
  }
  built = msnp_page_build (text, size % 2 == 0, NULL);
  if (built != NULL) {
    gsize len;
    const char *payload = g_bytes_get_data (built, &len);

    if (memchr (payload, '<', len) != payload)
      abort ();
    /* No markup from the text itself: exactly two tags. */
    {
      gsize tags = 0;
      for (gsize i = 0; i < len; i++)
        tags += payload[i] == '<';
      if (tags != 2)
        abort ();
    }
    g_bytes_unref (built);
  }
  return 0;
}
