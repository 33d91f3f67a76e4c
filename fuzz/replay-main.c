/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A stand-in for libFuzzer's driver: runs LLVMFuzzerTestOneInput over every
 * file in the directories (or files) named on the command line, so the
 * corpora replay as ordinary tests with any compiler. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gboolean
replay_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;
  guint8 *copy;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "replay: %s\n", error->message);
      return FALSE;
    }
  /* An exact-size copy, so a sanitizer sees any read past the input. */
  copy = g_malloc (len > 0 ? len : 1);
  memcpy (copy, contents, len);
  g_free (contents);
  LLVMFuzzerTestOneInput (copy, len);
  g_free (copy);
  return TRUE;
}

int
main (int argc, char **argv)
{
  guint n_inputs = 0;
  gboolean ok = TRUE;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s DIR|FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GDir) dir = NULL;
      const char *name;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          ok = replay_file (argv[i]) && ok;
          n_inputs++;
          continue;
        }
      dir = g_dir_open (argv[i], 0, NULL);
      if (dir == NULL)
        {
          fprintf (stderr, "replay: cannot open %s\n", argv[i]);
          ok = FALSE;
          continue;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);

          if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
            continue;
          ok = replay_file (path) && ok;
          n_inputs++;
        }
    }
  printf ("replayed %u inputs\n", n_inputs);
  if (n_inputs == 0)
    {
      fprintf (stderr, "replay: no inputs found\n");
      return 1;
    }
  return ok ? 0 : 1;
}
