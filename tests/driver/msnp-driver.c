/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * msnp-driver: a headless libpurple 2.x "UI" for integration tests.
 *
 * It initialises libpurple's core with GLib event-loop ops and a throwaway
 * user dir, loads protocol plugins from the given search paths and is then
 * driven by one JSON object per line on stdin.  Every command gets exactly
 * one reply line on stdout ({"reply": op, "ok": bool, ...}); everything
 * libpurple tells the UI (signals, notify/request/account/connection and
 * conversation UI ops) is written as {"event": name, ...} lines.  Requests
 * (dialogs) are never answered on their own: they stay pending until the
 * test answers them with "answer_request" / "answer_authorize".
 *
 * stdout carries nothing but this JSON: the original stdout is kept on a
 * private descriptor and fd 1 is pointed at stderr, so stray printf()s,
 * g_print() and libpurple's debug output all end up on stderr.
 *
 * Options: --user-dir DIR (required), --plugin-dir DIR (repeatable, searched
 * before libpurple's own dir), --trust HOST=PEMFILE (repeatable: copied to
 * DIR/certificates/x509/tls_peers/HOST, the pool of libpurple's "tls_cached"
 * verifier, which then accepts a peer whose leaf certificate has the same
 * SHA-1 fingerprint, whatever its issuer or names), --debug, --debug-verbose,
 * --locale-dir DIR (run under the environment's locale, as real hosts do
 * with setlocale(), and read the plugins' GETTEXT_PACKAGE catalogs from
 * DIR/LL/LC_MESSAGES/, e.g. the build dir's po/, instead of the install
 * prefix the plugins were built for; without it the driver stays in the
 * C locale, so every other test sees the English strings whatever the
 * caller's LANG).
 *
 * A command may carry "seq"; its reply echoes it.  Ops (see op_table in
 * commands.c):
 * add_account connect disconnect set_enabled remove_account account_state
 * statuses set_status set_idle set_public_alias get_public_alias set_alias
 * actions run_action answer_request answer_authorize pending blist buddy
 * tooltip get_info add_buddy remove_buddy remove_buddy_everywhere move_buddy
 * add_group rename_group remove_group alias_buddy privacy privacy_mode
 * permit_add permit_remove deny_add deny_remove buddy_menu mute send_im
 * send_typing close_conv conversations join_chat chat_invite chat_send
 * send_file xfers xfer_cancel prpl_info plugins info set_pref fetch_url
 * rusage sleep ticker ping quit.
 * Events are named after the libpurple signal or UI op they come from
 * ("signed-on", "buddy-status-changed", "conv-write", "request", ...); the
 * first line is {"event": "ready"}.  Accounts are named by the "id" given
 * to add_account (field "account" in events).
 *
 * The parts: this file (options, setup, main loop, teardown), emit.c and
 * purple-json.c (what is written), commands.c (what is read, the op table),
 * ui-*.c (libpurple's UI ops), signals.c, ops-*.c (the commands by area);
 * driver.h says what they share.
 */

#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"

GMainLoop *main_loop;
int driver_handle; /* address used as signal / request handle */

static gboolean opt_debug;
static gboolean opt_debug_verbose;
static gchar *opt_locale_dir;

static void
print_to_stderr(const gchar *string)
{
	fputs(string, stderr);
}

static gboolean
install_trust(const char *user_dir, const char *spec, GError **error)
{
	const char *eq = strchr(spec, '=');
	gchar *host, *dir, *dest, *contents = NULL;
	gsize len = 0;
	gboolean ok = FALSE;

	if (eq == NULL || eq == spec || eq[1] == '\0') {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		            "--trust wants HOST=PEMFILE, got %s", spec);
		return FALSE;
	}
	host = g_strndup(spec, eq - spec);
	if (!g_file_get_contents(eq + 1, &contents, &len, error))
		goto out;
	if (strstr(contents, "-----BEGIN CERTIFICATE-----") == NULL) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
		            "%s holds no PEM certificate", eq + 1);
		goto out;
	}
	/* libpurple's "tls_cached" verifier keeps one certificate per peer
	 * host name in <user dir>/certificates/x509/tls_peers/<host> (file
	 * name escaped with purple_escape_filename); a peer whose leaf
	 * certificate has the same SHA-1 fingerprint is accepted as is. */
	dir = g_build_filename(user_dir, "certificates", "x509", "tls_peers", NULL);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		            "cannot create %s: %s", dir, g_strerror(errno));
		g_free(dir);
		goto out;
	}
	dest = g_build_filename(dir, purple_escape_filename(host), NULL);
	ok = g_file_set_contents(dest, contents, (gssize)len, error);
	g_free(dest);
	g_free(dir);
out:
	g_free(contents);
	g_free(host);
	return ok;
}

/* Plugins are dlclose()d by purple_core_quit(); keep their code mapped so
 * that sanitizer reports about them (leaks found at exit) can still be
 * symbolised and suppressed by module name. */
static void
keep_plugins_resident(void)
{
	GList *l;

	for (l = purple_plugins_get_all(); l != NULL; l = l->next) {
		PurplePlugin *p = l->data;
		if (p->native_plugin && p->handle != NULL && purple_plugin_is_loaded(p))
			g_module_make_resident(p->handle);
	}
}

static void
set_quiet_prefs(void)
{
	/* nothing interactive, nothing automatic, nothing logged */
	purple_prefs_set_string("/purple/away/idle_reporting", "none");
	purple_prefs_set_bool("/purple/away/away_when_idle", FALSE);
	purple_prefs_set_string("/purple/away/auto_reply", "never");
	purple_prefs_set_bool("/purple/logging/log_ims", FALSE);
	purple_prefs_set_bool("/purple/logging/log_chats", FALSE);
	purple_prefs_set_bool("/purple/logging/log_system", FALSE);
	purple_prefs_set_bool("/purple/network/map_ports", FALSE);
	purple_prefs_set_bool("/purple/network/auto_ip", FALSE);
	purple_prefs_set_string("/purple/network/public_ip", "127.0.0.1");
	purple_prefs_set_string("/purple/network/stun_server", "");
	purple_prefs_set_string("/purple/network/turn_server", "");
	purple_prefs_set_string("/purple/proxy/type", "none");
	purple_prefs_set_bool("/purple/sound/while_away", FALSE);
}

int
main(int argc, char **argv)
{
	gchar *user_dir = NULL;
	gchar **plugin_dirs = NULL;
	gchar **trusts = NULL;
	GOptionEntry entries[] = {
		{ "user-dir", 'u', 0, G_OPTION_ARG_FILENAME, &user_dir,
		  "libpurple user dir (required; created if missing)", "DIR" },
		{ "plugin-dir", 'p', 0, G_OPTION_ARG_FILENAME_ARRAY, &plugin_dirs,
		  "add a plugin search path (repeatable, searched first)", "DIR" },
		{ "trust", 't', 0, G_OPTION_ARG_STRING_ARRAY, &trusts,
		  "pre-trust PEMFILE as the certificate of HOST (repeatable)", "HOST=PEMFILE" },
		{ "debug", 'd', 0, G_OPTION_ARG_NONE, &opt_debug,
		  "libpurple debug output to stderr", NULL },
		{ "debug-verbose", 0, 0, G_OPTION_ARG_NONE, &opt_debug_verbose,
		  "also enable libpurple's verbose debugging", NULL },
		{ "locale-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_locale_dir,
		  "use the environment's locale and the plugins' translations in DIR", "DIR" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx;
	GError *error = NULL;
	GIOChannel *in;
	PurplePlugin *ssl;
	int json_fd, i;

	/* Keep the real stdout for JSON only; anything else written to fd 1
	 * (printf, g_print, libpurple debug) goes to stderr. */
	json_fd = dup(STDOUT_FILENO);
	if (json_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		perror("msnp-driver: dup");
		return 2;
	}
	(void)fcntl(json_fd, F_SETFD, FD_CLOEXEC);
	json_out = fdopen(json_fd, "w");
	if (json_out == NULL) {
		perror("msnp-driver: fdopen");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	g_set_print_handler(print_to_stderr);
#if GLIB_CHECK_VERSION(2, 68, 0)
	g_log_writer_default_set_use_stderr(TRUE);
#endif

	ctx = g_option_context_new("- headless libpurple driver speaking line-JSON on stdin/stdout");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("msnp-driver: %s\n", error->message);
		g_error_free(error);
		g_option_context_free(ctx);
		return 2;
	}
	g_option_context_free(ctx);
	if (opt_locale_dir != NULL)
		setlocale(LC_ALL, "");
	if (user_dir == NULL) {
		g_printerr("msnp-driver: --user-dir is required\n");
		return 2;
	}
	if (g_mkdir_with_parents(user_dir, 0700) != 0) {
		g_printerr("msnp-driver: cannot create %s: %s\n", user_dir, g_strerror(errno));
		return 2;
	}
	for (i = 0; trusts != NULL && trusts[i] != NULL; i++) {
		if (!install_trust(user_dir, trusts[i], &error)) {
			g_printerr("msnp-driver: %s\n", error->message);
			g_error_free(error);
			return 2;
		}
	}

	accounts_by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
	ids_by_account = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	requests = g_hash_table_new(g_direct_hash, g_direct_equal);
	fetches = g_hash_table_new(g_direct_hash, g_direct_equal);
	authorizations = g_hash_table_new(g_direct_hash, g_direct_equal);

	purple_util_set_user_dir(user_dir);
	purple_debug_set_enabled(opt_debug || opt_debug_verbose);
	purple_debug_set_verbose(opt_debug_verbose);
	purple_core_set_ui_ops(&core_ops);
	purple_eventloop_set_ui_ops(&eventloop_ops);
	for (i = 0; plugin_dirs != NULL && plugin_dirs[i] != NULL; i++)
		purple_plugins_add_search_path(plugin_dirs[i]);
	/* libpurple adds its own plugin dir (ssl-nss, built-in prpls) */

	purple_notify_set_ui_ops(&notify_ops);
	purple_request_set_ui_ops(&request_ops);
	purple_accounts_set_ui_ops(&account_ops);
	purple_connections_set_ui_ops(&connection_ops);
	purple_conversations_set_ui_ops(&conversation_ops);
	purple_blist_set_ui_ops(&blist_ops);
	drv_blist_announce_saves();
	purple_privacy_set_ui_ops(&privacy_ops);
	purple_idle_set_ui_ops(&idle_ops);

	if (!purple_core_init(DRIVER_UI)) {
		g_printerr("msnp-driver: libpurple initialisation failed\n");
		return 1;
	}
	set_quiet_prefs();
	purple_set_blist(purple_blist_new());
	purple_blist_load();
	purple_plugins_probe(G_MODULE_SUFFIX);
	/* After the probe: the plugins' init bound the domain to their
	 * install prefix; a later binding wins. */
	if (opt_locale_dir != NULL) {
		bindtextdomain(GETTEXT_PACKAGE, opt_locale_dir);
		bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	}

	/* Make sure an SSL implementation is there (Debian: ssl-nss through
	 * the "core-ssl" meta plugin). */
	ssl = purple_plugins_find_with_id("core-ssl");
	if (ssl != NULL && !purple_plugin_is_loaded(ssl))
		purple_plugin_load(ssl);
	if (!purple_ssl_is_supported()) {
		g_printerr("msnp-driver: no SSL support in libpurple: the core-ssl / "
		           "ssl-nss plugin could not be found or loaded (search path: "
		           "libpurple's own plugin dir)\n");
		purple_core_quit();
		return 1;
	}

	keep_plugins_resident();
	connect_signals();

	main_loop = g_main_loop_new(NULL, FALSE);
	in = g_io_channel_unix_new(STDIN_FILENO);
	g_io_channel_set_encoding(in, NULL, NULL);
	g_io_channel_set_buffered(in, TRUE);
	g_io_channel_set_flags(in, G_IO_FLAG_NONBLOCK, NULL);
	g_io_add_watch(in, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, NULL);

	ev_emit(ev_new("ready"));
	g_main_loop_run(main_loop);

	/* tear down */
	shutting_down = TRUE;
	purple_signals_disconnect_by_handle(&driver_handle);
	dismiss_pending_requests();
	{
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, fetches);
		while (g_hash_table_iter_next(&it, &k, &v)) {
			purple_util_fetch_url_cancel(k);
			g_free(v);
		}
		g_hash_table_destroy(fetches);
	}
	purple_core_quit();
	if (muted_events != NULL)
		g_hash_table_destroy(muted_events);
	{
		GHashTableIter it;
		gpointer k, v;
		g_hash_table_iter_init(&it, requests);
		while (g_hash_table_iter_next(&it, &k, &v))
			drv_request_free(v);
		g_hash_table_iter_init(&it, authorizations);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_free(v);
	}
	g_hash_table_destroy(requests);
	g_hash_table_destroy(authorizations);
	g_hash_table_destroy(accounts_by_id);
	g_hash_table_destroy(ids_by_account);
	if (ui_info != NULL)
		g_hash_table_destroy(ui_info);
	commands_free();
	g_io_channel_unref(in);
	g_main_loop_unref(main_loop);
	g_free(user_dir);
	g_strfreev(plugin_dirs);
	g_strfreev(trusts);
	fclose(json_out);
	return 0;
}
