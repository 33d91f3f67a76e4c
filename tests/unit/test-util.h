/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the unit tests (header-only; each test is one file). */
#pragma once

#include <glib.h>
#include <string.h>

#include "msnp-command.h"
#include "msnp-framer.h"

/* Reads tests/data/@name; the directory comes from the build
 * (MSNP_TEST_DATA_DIR) and may be overridden with $MSNP_TEST_DATA_DIR. */
static inline GBytes *
test_load_data (const char *name)
{
  const char *dir = g_getenv ("MSNP_TEST_DATA_DIR");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (dir == NULL)
    dir = MSNP_TEST_DATA_DIR;
  path = g_build_filename (dir, name, NULL);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* Serialises frames so two framings of one stream can be compared
 * byte for byte, payload included. */
static inline gboolean
test_collect_frame (const MsnpFrame *frame, gpointer data)
{
  GString *out = data;

  g_string_append_len (out, frame->line, (gssize) frame->line_len);
  if (frame->payload != NULL)
    {
      g_string_append_printf (out, "\n<%" G_GSIZE_FORMAT ">", frame->payload_len);
      g_string_append_len (out, (const char *) frame->payload,
                           (gssize) frame->payload_len);
    }
  g_string_append_c (out, '\0');
  return TRUE;
}
