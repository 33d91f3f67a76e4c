/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What both account types' plugins share: binding the translation domain,
 * showing the protocol cores' GLib log in libpurple's debug window, the
 * per-account files under <purple user dir>/msnp/ and adding account
 * options.  All of it runs on libpurple's main loop. */
#pragma once

#include <glib.h>
#include <account.h>
#include <plugin.h>

G_BEGIN_DECLS

/* Binds the plugin's gettext domain to the install prefix (no-op without
 * NLS).  Call from init_plugin, before the first _(). */
void msnp_plugin_bind_textdomain (void);

/* The plugins' load and unload functions (PurplePluginInfo): they forward
 * the "msnp" GLib log domain, where the protocol cores log, to
 * purple_debug while the plugin is loaded; each module keeps its own
 * handler. */
gboolean msnp_plugin_load (PurplePlugin *plugin);
gboolean msnp_plugin_unload (PurplePlugin *plugin);

/* <purple user dir>/msnp/<name>, with <name> made one safe file name:
 * "/", "\" and ":" become "_".  It names a file, it creates nothing.
 * The caller frees the result. */
char *msnp_plugin_user_file (const char *name);

/* <purple user dir>/msnp/<account user name, lower case>.<suffix>; the
 * caller frees the result. */
char *msnp_plugin_account_file (PurpleAccount *account, const char *suffix);

/* Appends an account option to *options (a prpl_info.protocol_options). */
void msnp_plugin_add_string_option (GList **options, const char *label,
                                    const char *key, const char *value);
void msnp_plugin_add_int_option (GList **options, const char *label,
                                 const char *key, int value);
void msnp_plugin_add_bool_option (GList **options, const char *label,
                                  const char *key, gboolean value);

G_END_DECLS
