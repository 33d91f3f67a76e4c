/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libpurple's own memory cost of a contact list (issue 10, target 6): the
 * reference the plugin's sign-in is held against.
 *
 *   build/bench/bench-blist-rss --plugin-dir build/src --fixture BIG.json
 *                               [--user alice@example.com]
 *
 * Starts libpurple headless the way tests/driver/msnp-driver does (same
 * plugin search path, the SSL plugin loaded), adds an MSN account that
 * never connects, then puts the fixture user's forward-list contacts into
 * the buddy list exactly as a sign-in does (one buddy per group, the
 * server alias set, groups by name) with libpurple's own calls and no
 * plugin code in between.  Prints one JSON line: VmRSS and VmHWM (from
 * /proc/self/status) before and after, and the buddy count.  bench-login.py
 * --rss runs it next to the plugin's sign-in. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <account.h>
#include <blist.h>
#include <core.h>
#include <debug.h>
#include <eventloop.h>
#include <plugin.h>
#include <sslconn.h>
#include <util.h>

static long
proc_status_kb (const char *field)
{
  g_autofree char *text = NULL;
  gsize flen = strlen (field);

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return -1;
  for (char *line = text; line != NULL && *line != '\0';) {
    char *next = strchr (line, '\n');

    if (strncmp (line, field, flen) == 0 && line[flen] == ':')
      return strtol (line + flen + 1, NULL, 10);
    line = next != NULL ? next + 1 : NULL;
  }
  return -1;
}

static guint
add_input (int fd, PurpleInputCondition cond, PurpleInputFunction func, gpointer data)
{
  (void) fd; (void) cond; (void) func; (void) data;
  return 0;   /* nothing here ever waits on a socket */
}

static PurpleEventLoopUiOps eventloop_ops = {
  g_timeout_add, g_source_remove, add_input, g_source_remove, NULL,
  g_timeout_add_seconds, NULL, NULL, NULL,
};

/* The group names by id, from the user's LSG entries. */
static GHashTable *
group_names (JsonObject *user)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *groups = json_object_has_member (user, "groups")
      ? json_object_get_array_member (user, "groups") : NULL;

  for (guint i = 0; groups != NULL && i < json_array_get_length (groups); i++) {
    JsonObject *g = json_array_get_object_element (groups, i);

    g_hash_table_insert (names, g_strdup (json_object_get_string_member (g, "id")),
                         g_strdup (json_object_get_string_member (g, "name")));
  }
  return names;
}

static gboolean
in_list (JsonObject *contact, const char *list)
{
  JsonArray *lists = json_object_get_array_member (contact, "lists");

  for (guint i = 0; lists != NULL && i < json_array_get_length (lists); i++)
    if (g_strcmp0 (json_array_get_string_element (lists, i), list) == 0)
      return TRUE;
  return FALSE;
}

static void
add_buddy (PurpleAccount *account, const char *passport, const char *friendly,
           const char *group_name)
{
  PurpleGroup *group = purple_find_group (group_name);
  PurpleBuddy *buddy;

  if (group == NULL) {
    group = purple_group_new (group_name);
    purple_blist_add_group (group, NULL);
  }
  buddy = purple_buddy_new (account, passport, NULL);
  purple_blist_add_buddy (buddy, NULL, group, NULL);
  purple_blist_server_alias_buddy (buddy, friendly);
}

int
main (int argc, char **argv)
{
  g_autofree char *plugin_dir = NULL;
  g_autofree char *fixture = NULL;
  g_autofree char *user_name = g_strdup ("alice@example.com");
  g_autofree char *user_dir = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  GOptionEntry entries[] = {
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &plugin_dir, "the plugin's build dir (src)", "DIR" },
    { "fixture", 0, 0, G_OPTION_ARG_FILENAME, &fixture, "make_fixture.py output", "FILE" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user_name, "whose list", "PASSPORT" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- libpurple's cost of a list");
  GHashTable *names;
  JsonObject *user;
  JsonArray *contacts;
  PurpleAccount *account;
  PurplePlugin *ssl;
  long rss_before, hwm_before;
  guint buddies = 0;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || fixture == NULL) {
    g_printerr ("bench-blist-rss: %s\n", error ? error->message : "--fixture is needed");
    return 2;
  }
  if (!json_parser_load_from_file (parser, fixture, &error)) {
    g_printerr ("bench-blist-rss: %s\n", error->message);
    return 2;
  }
  user = json_object_get_object_member (
      json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                     "users"), user_name);
  if (user == NULL) {
    g_printerr ("bench-blist-rss: no user %s in the fixture\n", user_name);
    return 2;
  }

  user_dir = g_dir_make_tmp ("bench-blist-rss-XXXXXX", &error);
  if (user_dir == NULL) {
    g_printerr ("bench-blist-rss: %s\n", error->message);
    return 2;
  }
  purple_util_set_user_dir (user_dir);
  purple_debug_set_enabled (FALSE);
  purple_eventloop_set_ui_ops (&eventloop_ops);
  if (plugin_dir != NULL)
    purple_plugins_add_search_path (plugin_dir);
  if (!purple_core_init ("bench-blist-rss")) {
    g_printerr ("bench-blist-rss: libpurple initialisation failed\n");
    return 1;
  }
  purple_set_blist (purple_blist_new ());
  purple_blist_load ();
  purple_plugins_probe (G_MODULE_SUFFIX);
  ssl = purple_plugins_find_with_id ("core-ssl");
  if (ssl != NULL && !purple_plugin_is_loaded (ssl))
    purple_plugin_load (ssl);
  account = purple_account_new (user_name, "prpl-msn");
  purple_accounts_add (account);

  names = group_names (user);
  contacts = json_object_get_array_member (user, "contacts");
  rss_before = proc_status_kb ("VmRSS");
  hwm_before = proc_status_kb ("VmHWM");
  for (guint i = 0; i < json_array_get_length (contacts); i++) {
    JsonObject *c = json_array_get_object_element (contacts, i);
    const char *passport = json_object_get_string_member (c, "passport");
    const char *friendly = json_object_has_member (c, "friendly")
        ? json_object_get_string_member (c, "friendly") : passport;
    JsonArray *groups = json_object_has_member (c, "groups")
        ? json_object_get_array_member (c, "groups") : NULL;
    guint n = groups != NULL ? json_array_get_length (groups) : 0;

    if (!in_list (c, "FL"))
      continue;
    for (guint g = 0; g < MAX (n, 1); g++) {
      const char *id = n > 0 ? json_array_get_string_element (groups, g) : "0";
      const char *name = g_hash_table_lookup (names, id);

      add_buddy (account, passport, friendly, name != NULL ? name : "Other Contacts");
      buddies++;
    }
  }
  printf ("{\"buddies\": %u, \"rss_before_kb\": %ld, \"hwm_before_kb\": %ld, "
          "\"rss_after_kb\": %ld, \"hwm_after_kb\": %ld}\n", buddies, rss_before,
          hwm_before, proc_status_kb ("VmRSS"), proc_status_kb ("VmHWM"));
  g_hash_table_destroy (names);
  /* No purple_core_quit(): it would write blist.xml for nothing.  The
   * main loop never ran, so no save timer wrote anything either. */
  g_rmdir (user_dir);
  return 0;
}
