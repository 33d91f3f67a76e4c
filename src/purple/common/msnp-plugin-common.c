/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers both plugin modules link in: see msnp-plugin-common.h. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <accountopt.h>
#include <debug.h>
#include <util.h>

#include "msnp-plugin-common.h"

void
msnp_plugin_bind_textdomain (void)
{
#if ENABLE_NLS
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
#endif
}

static void
forward_log (const char *domain, GLogLevelFlags level, const char *message,
             gpointer data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    purple_debug_error ("msnp", "%s\n", message);
  else if (level & G_LOG_LEVEL_WARNING)
    purple_debug_warning ("msnp", "%s\n", message);
  else
    purple_debug_misc ("msnp", "%s\n", message);
}

/* One per module: the code is linked into each plugin, and a module must
 * remove its handler before it can be unloaded. */
static guint log_handler;

gboolean
msnp_plugin_load (PurplePlugin *plugin)
{
  if (log_handler == 0)
    log_handler = g_log_set_handler ("msnp", G_LOG_LEVEL_MASK, forward_log, NULL);
  return TRUE;
}

gboolean
msnp_plugin_unload (PurplePlugin *plugin)
{
  if (log_handler != 0)
    g_log_remove_handler ("msnp", log_handler);
  log_handler = 0;
  return TRUE;
}

char *
msnp_plugin_user_file (const char *name)
{
  g_autofree char *safe = g_strdup (name);

  /* The name comes from user input: keep it one file name. */
  g_strdelimit (safe, "/\\:", '_');
  return g_build_filename (purple_user_dir (), "msnp", safe, NULL);
}

char *
msnp_plugin_account_file (PurpleAccount *account, const char *suffix)
{
  g_autofree char *who = g_ascii_strdown (purple_account_get_username (account), -1);
  g_autofree char *name = g_strdup_printf ("%s.%s", who, suffix);

  return msnp_plugin_user_file (name);
}

void
msnp_plugin_add_string_option (GList **options, const char *label,
                               const char *key, const char *value)
{
  *options = g_list_append (*options,
                            purple_account_option_string_new (label, key, value));
}

void
msnp_plugin_add_int_option (GList **options, const char *label,
                            const char *key, int value)
{
  *options = g_list_append (*options,
                            purple_account_option_int_new (label, key, value));
}

void
msnp_plugin_add_bool_option (GList **options, const char *label,
                             const char *key, gboolean value)
{
  *options = g_list_append (*options,
                            purple_account_option_bool_new (label, key, value));
}
