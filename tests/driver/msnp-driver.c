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
 * A command may carry "seq"; its reply echoes it.  Ops (see op_table):
 * add_account connect disconnect set_enabled remove_account account_state
 * statuses set_status set_idle set_public_alias get_public_alias set_alias
 * actions run_action answer_request answer_authorize pending blist buddy
 * tooltip get_info add_buddy remove_buddy remove_buddy_everywhere move_buddy
 * add_group rename_group remove_group alias_buddy privacy privacy_mode permit_add permit_remove
 * deny_add deny_remove send_im send_typing close_conv conversations
 * join_chat chat_invite chat_send send_file xfers xfer_cancel prpl_info
 * plugins info set_pref
 * fetch_url rusage sleep ticker ping quit.
 * Events are named after the libpurple signal or UI op they come from
 * ("signed-on", "buddy-status-changed", "conv-write", "request", ...); the
 * first line is {"event": "ready"}.  Accounts are named by the "id" given
 * to add_account (field "account" in events).
 */

#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include <purple.h>

#define DRIVER_UI "msnp-test"

/* ------------------------------------------------------------------ */
/* global state                                                        */

static FILE *json_out;
static GMainLoop *main_loop;
static gboolean opt_debug;
static gboolean opt_debug_verbose;
static gchar *opt_locale_dir;
static gboolean shutting_down;
static int driver_handle; /* address used as signal / request handle */

static GQueue cmd_queue = G_QUEUE_INIT;
static gboolean cmd_busy;   /* a deferred command (sleep) is running */
static gboolean stdin_eof;
static gboolean quit_requested;

static GHashTable *accounts_by_id;  /* char *id -> PurpleAccount* */
static GHashTable *ids_by_account;  /* PurpleAccount* -> char *id (shared) */
static GHashTable *requests;        /* GUINT id -> DrvRequest* */
static GHashTable *authorizations;  /* GUINT id -> DrvAuth* */
static guint next_request_id = 1;
static GHashTable *ui_info;

/* ------------------------------------------------------------------ */
/* JSON helpers                                                        */

static void
jo_str(JsonObject *o, const char *key, const char *val)
{
	if (val == NULL) {
		json_object_set_null_member(o, key);
	} else {
		gchar *valid = g_utf8_make_valid(val, -1);
		json_object_set_string_member(o, key, valid);
		g_free(valid);
	}
}

static void
jo_int(JsonObject *o, const char *key, gint64 val)
{
	json_object_set_int_member(o, key, val);
}

static void
jo_bool(JsonObject *o, const char *key, gboolean val)
{
	json_object_set_boolean_member(o, key, val ? TRUE : FALSE);
}

static JsonArray *
jo_arr(JsonObject *o, const char *key)
{
	JsonArray *a = json_array_new();
	json_object_set_array_member(o, key, a);
	return a;
}

static JsonObject *
jo_obj(JsonObject *o, const char *key)
{
	JsonObject *c = json_object_new();
	json_object_set_object_member(o, key, c);
	return c;
}

static void
ja_str(JsonArray *a, const char *val)
{
	if (val == NULL) {
		json_array_add_null_element(a);
	} else {
		gchar *valid = g_utf8_make_valid(val, -1);
		json_array_add_string_element(a, valid);
		g_free(valid);
	}
}

static void
write_json(JsonObject *o)
{
	JsonNode *node;
	JsonGenerator *gen;
	gchar *text;

	node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, o);
	gen = json_generator_new();
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	fputs(text, json_out);
	fputc('\n', json_out);
	fflush(json_out);
	g_free(text);
	g_object_unref(gen);
	json_node_unref(node);
}

static JsonObject *
ev_new(const char *name)
{
	JsonObject *o = json_object_new();
	jo_str(o, "event", name);
	jo_int(o, "t", g_get_monotonic_time());
	return o;
}

/* Event names the test asked not to hear (benchmarks mute the per-buddy
 * list events so that the driver's own JSON does not dominate the CPU
 * they measure). */
static GHashTable *muted_events;

static void
ev_emit(JsonObject *o)
{
	if (shutting_down ||
	    (muted_events != NULL &&
	     g_hash_table_contains(muted_events, json_object_get_string_member(o, "event")))) {
		json_object_unref(o);
		return;
	}
	write_json(o);
}

/* For events made per buddy: skip building what would be dropped. */
static gboolean
ev_muted(const char *name)
{
	return shutting_down ||
	       (muted_events != NULL && g_hash_table_contains(muted_events, name));
}

static const char *
arg_str(JsonObject *cmd, const char *key)
{
	JsonNode *n = json_object_get_member(cmd, key);
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

static gboolean
arg_has(JsonObject *cmd, const char *key)
{
	JsonNode *n = json_object_get_member(cmd, key);
	return n != NULL && !JSON_NODE_HOLDS_NULL(n);
}

static gint64
arg_int(JsonObject *cmd, const char *key, gint64 def)
{
	JsonNode *n = json_object_get_member(cmd, key);
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return def;
	switch (json_node_get_value_type(n)) {
	case G_TYPE_INT64:
		return json_node_get_int(n);
	case G_TYPE_DOUBLE:
		return (gint64)json_node_get_double(n);
	case G_TYPE_BOOLEAN:
		return json_node_get_boolean(n) ? 1 : 0;
	case G_TYPE_STRING: {
		const char *s = json_node_get_string(n);
		char *end = NULL;
		gint64 v = g_ascii_strtoll(s, &end, 10);
		return (end != NULL && end != s && *end == '\0') ? v : def;
	}
	default:
		return def;
	}
}

static gboolean
arg_bool(JsonObject *cmd, const char *key, gboolean def)
{
	JsonNode *n = json_object_get_member(cmd, key);
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return def;
	if (json_node_get_value_type(n) == G_TYPE_BOOLEAN)
		return json_node_get_boolean(n);
	return arg_int(cmd, key, def ? 1 : 0) != 0;
}

static void G_GNUC_PRINTF(2, 3)
fail(JsonObject *reply, const char *fmt, ...)
{
	va_list ap;
	gchar *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	jo_bool(reply, "ok", FALSE);
	jo_str(reply, "error", msg);
	g_free(msg);
}

/* ------------------------------------------------------------------ */
/* names                                                               */

static const char *
connection_error_name(PurpleConnectionError e)
{
	static const char *const names[] = {
		"NETWORK_ERROR", "INVALID_USERNAME", "AUTHENTICATION_FAILED",
		"AUTHENTICATION_IMPOSSIBLE", "NO_SSL_SUPPORT", "ENCRYPTION_ERROR",
		"NAME_IN_USE", "INVALID_SETTINGS", "CERT_NOT_PROVIDED",
		"CERT_UNTRUSTED", "CERT_EXPIRED", "CERT_NOT_ACTIVATED",
		"CERT_HOSTNAME_MISMATCH", "CERT_FINGERPRINT_MISMATCH",
		"CERT_SELF_SIGNED", "CERT_OTHER_ERROR", "OTHER_ERROR",
	};
	if ((guint)e < G_N_ELEMENTS(names))
		return names[e];
	return NULL;
}

static void
add_message_flags(JsonObject *o, const char *key, PurpleMessageFlags flags)
{
	static const struct { PurpleMessageFlags f; const char *name; } tab[] = {
		{ PURPLE_MESSAGE_SEND, "SEND" },
		{ PURPLE_MESSAGE_RECV, "RECV" },
		{ PURPLE_MESSAGE_SYSTEM, "SYSTEM" },
		{ PURPLE_MESSAGE_AUTO_RESP, "AUTO_RESP" },
		{ PURPLE_MESSAGE_ACTIVE_ONLY, "ACTIVE_ONLY" },
		{ PURPLE_MESSAGE_NICK, "NICK" },
		{ PURPLE_MESSAGE_NO_LOG, "NO_LOG" },
		{ PURPLE_MESSAGE_WHISPER, "WHISPER" },
		{ PURPLE_MESSAGE_ERROR, "ERROR" },
		{ PURPLE_MESSAGE_DELAYED, "DELAYED" },
		{ PURPLE_MESSAGE_RAW, "RAW" },
		{ PURPLE_MESSAGE_IMAGES, "IMAGES" },
		{ PURPLE_MESSAGE_NOTIFY, "NOTIFY" },
		{ PURPLE_MESSAGE_NO_LINKIFY, "NO_LINKIFY" },
		{ PURPLE_MESSAGE_INVISIBLE, "INVISIBLE" },
		{ PURPLE_MESSAGE_REMOTE_SEND, "REMOTE_SEND" },
	};
	JsonArray *a = jo_arr(o, key);
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(tab); i++)
		if (flags & tab[i].f)
			ja_str(a, tab[i].name);
	jo_int(o, "flags_value", (gint64)flags);
}

/* What the connection declares to hosts (Pidgin greys out its formatting
 * toolbar without HTML, for example). */
static void
add_connection_flags(JsonObject *o, const char *key, PurpleConnectionFlags flags)
{
	static const struct { PurpleConnectionFlags f; const char *name; } tab[] = {
		{ PURPLE_CONNECTION_HTML, "HTML" },
		{ PURPLE_CONNECTION_NO_BGCOLOR, "NO_BGCOLOR" },
		{ PURPLE_CONNECTION_AUTO_RESP, "AUTO_RESP" },
		{ PURPLE_CONNECTION_FORMATTING_WBFO, "FORMATTING_WBFO" },
		{ PURPLE_CONNECTION_NO_NEWLINES, "NO_NEWLINES" },
		{ PURPLE_CONNECTION_NO_FONTSIZE, "NO_FONTSIZE" },
		{ PURPLE_CONNECTION_NO_URLDESC, "NO_URLDESC" },
		{ PURPLE_CONNECTION_NO_IMAGES, "NO_IMAGES" },
		{ PURPLE_CONNECTION_ALLOW_CUSTOM_SMILEY, "ALLOW_CUSTOM_SMILEY" },
		{ PURPLE_CONNECTION_SUPPORT_MOODS, "SUPPORT_MOODS" },
		{ PURPLE_CONNECTION_SUPPORT_MOOD_MESSAGES, "SUPPORT_MOOD_MESSAGES" },
	};
	JsonArray *a = jo_arr(o, key);
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(tab); i++)
		if (flags & tab[i].f)
			ja_str(a, tab[i].name);
}

static const char *
request_type_name(PurpleRequestType t)
{
	switch (t) {
	case PURPLE_REQUEST_INPUT: return "input";
	case PURPLE_REQUEST_CHOICE: return "choice";
	case PURPLE_REQUEST_ACTION: return "action";
	case PURPLE_REQUEST_FIELDS: return "fields";
	case PURPLE_REQUEST_FILE: return "file";
	case PURPLE_REQUEST_FOLDER: return "folder";
	case PURPLE_REQUEST_SCREENSHARE: return "screenshare";
	}
	return "unknown";
}

static const char *
field_type_name(PurpleRequestFieldType t)
{
	switch (t) {
	case PURPLE_REQUEST_FIELD_NONE: return "none";
	case PURPLE_REQUEST_FIELD_STRING: return "string";
	case PURPLE_REQUEST_FIELD_INTEGER: return "integer";
	case PURPLE_REQUEST_FIELD_BOOLEAN: return "boolean";
	case PURPLE_REQUEST_FIELD_CHOICE: return "choice";
	case PURPLE_REQUEST_FIELD_LIST: return "list";
	case PURPLE_REQUEST_FIELD_LABEL: return "label";
	case PURPLE_REQUEST_FIELD_IMAGE: return "image";
	case PURPLE_REQUEST_FIELD_ACCOUNT: return "account";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* accounts <-> ids                                                    */

static const char *
acct_id(PurpleAccount *account)
{
	const char *id;

	if (account == NULL)
		return NULL;
	id = g_hash_table_lookup(ids_by_account, account);
	if (id != NULL)
		return id;
	/* An account we did not create (e.g. loaded from accounts.xml):
	 * fall back to its username. */
	return purple_account_get_username(account);
}

static void
jo_account(JsonObject *o, PurpleAccount *account)
{
	jo_str(o, "account", acct_id(account));
}

static void
map_account(const char *id, PurpleAccount *account)
{
	char *key = g_strdup(id);
	const char *old = g_hash_table_lookup(ids_by_account, account);

	if (old != NULL) {
		/* accounts_by_id borrows its keys from ids_by_account */
		g_hash_table_remove(accounts_by_id, old);
		g_hash_table_remove(ids_by_account, account);
	}
	g_hash_table_replace(accounts_by_id, key, account);
	g_hash_table_replace(ids_by_account, account, key);
	purple_account_set_ui_string(account, DRIVER_UI, "driver-id", id);
}

static void
unmap_account(PurpleAccount *account)
{
	const char *id = g_hash_table_lookup(ids_by_account, account);
	if (id != NULL) {
		/* accounts_by_id borrows its keys from ids_by_account */
		g_hash_table_remove(accounts_by_id, id);
		g_hash_table_remove(ids_by_account, account);
	}
}

static PurpleAccount *
find_account(JsonObject *cmd, JsonObject *reply)
{
	const char *id = arg_str(cmd, "id");
	PurpleAccount *account;

	if (id == NULL) {
		fail(reply, "missing \"id\"");
		return NULL;
	}
	account = g_hash_table_lookup(accounts_by_id, id);
	if (account == NULL) {
		fail(reply, "no account with id %s", id);
		return NULL;
	}
	return account;
}

static PurpleConnection *
find_connection(JsonObject *cmd, JsonObject *reply, PurpleAccount **out_account)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurpleConnection *gc;

	if (account == NULL)
		return NULL;
	gc = purple_account_get_connection(account);
	if (gc == NULL) {
		fail(reply, "account %s is not connected", arg_str(cmd, "id"));
		return NULL;
	}
	if (out_account != NULL)
		*out_account = account;
	return gc;
}

static PurplePluginProtocolInfo *
account_prpl_info(PurpleAccount *account)
{
	PurplePlugin *prpl = purple_find_prpl(purple_account_get_protocol_id(account));
	return prpl != NULL ? PURPLE_PLUGIN_PROTOCOL_INFO(prpl) : NULL;
}

/* ------------------------------------------------------------------ */
/* event loop UI ops                                                   */

#define DRV_READ_COND  (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define DRV_WRITE_COND (G_IO_OUT | G_IO_HUP | G_IO_ERR)

typedef struct {
	PurpleInputFunction func;
	gpointer data;
	int fd;
} DrvInput;

static gboolean
drv_input_invoke(GIOChannel *source, GIOCondition cond, gpointer data)
{
	DrvInput *in = data;
	PurpleInputCondition pc = 0;

	if (cond & G_IO_NVAL) {
		JsonObject *ev = ev_new("driver-warning");
		jo_str(ev, "message", "input watch on a closed file descriptor "
		       "(purple_input_remove missing before close?)");
		jo_int(ev, "fd", in->fd);
		ev_emit(ev);
		g_warning("input watch on closed fd %d removed", in->fd);
		return FALSE;
	}
	if (cond & DRV_READ_COND)
		pc |= PURPLE_INPUT_READ;
	if (cond & DRV_WRITE_COND)
		pc |= PURPLE_INPUT_WRITE;
	in->func(in->data, g_io_channel_unix_get_fd(source), pc);
	return TRUE;
}

static guint
drv_input_add(gint fd, PurpleInputCondition cond, PurpleInputFunction func,
              gpointer data)
{
	DrvInput *in = g_new0(DrvInput, 1);
	GIOChannel *chan;
	GIOCondition gcond = G_IO_NVAL;
	guint id;

	in->func = func;
	in->data = data;
	in->fd = fd;
	if (cond & PURPLE_INPUT_READ)
		gcond |= DRV_READ_COND;
	if (cond & PURPLE_INPUT_WRITE)
		gcond |= DRV_WRITE_COND;
	chan = g_io_channel_unix_new(fd);
	id = g_io_add_watch_full(chan, G_PRIORITY_DEFAULT, gcond,
	                         drv_input_invoke, in, g_free);
	g_io_channel_unref(chan);
	return id;
}

static gboolean
drv_source_remove(guint handle)
{
	GSource *src;

	if (handle == 0)
		return FALSE;
	src = g_main_context_find_source_by_id(NULL, handle);
	if (src == NULL) {
		/* already gone: e.g. a watch we dropped after G_IO_NVAL */
		return FALSE;
	}
	g_source_destroy(src);
	return TRUE;
}

static PurpleEventLoopUiOps eventloop_ops = {
	g_timeout_add,
	g_source_remove,
	drv_input_add,
	drv_source_remove,
	NULL, /* input_get_error: libpurple's getsockopt default */
	g_timeout_add_seconds,
	NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* core / idle UI ops                                                  */

static GHashTable *
drv_get_ui_info(void)
{
	if (ui_info == NULL) {
		ui_info = g_hash_table_new(g_str_hash, g_str_equal);
		g_hash_table_insert(ui_info, "name", "msnp test driver");
		g_hash_table_insert(ui_info, "version", "0");
		g_hash_table_insert(ui_info, "website", "about:blank");
		g_hash_table_insert(ui_info, "client_type", "bot");
	}
	return ui_info;
}

static PurpleCoreUiOps core_ops = {
	NULL, NULL, NULL, NULL,
	drv_get_ui_info,
	NULL, NULL, NULL,
};

static time_t
drv_get_time_idle(void)
{
	return 0;
}

static PurpleIdleUiOps idle_ops = {
	drv_get_time_idle,
	NULL, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* notify UI ops                                                       */

static void *
drv_notify_message(PurpleNotifyMsgType type, const char *title,
                   const char *primary, const char *secondary)
{
	JsonObject *ev = ev_new("notify");
	const char *t = type == PURPLE_NOTIFY_MSG_ERROR ? "error" :
	                type == PURPLE_NOTIFY_MSG_WARNING ? "warning" : "info";

	jo_str(ev, "type", t);
	jo_str(ev, "title", title);
	jo_str(ev, "primary", primary);
	jo_str(ev, "secondary", secondary);
	ev_emit(ev);
	return NULL; /* "dismissed" at once: libpurple runs the close cb */
}

static void
add_mail_list(JsonObject *ev, const char *key, const char **arr, size_t n)
{
	JsonArray *a = jo_arr(ev, key);
	size_t i;

	if (arr == NULL)
		return;
	for (i = 0; i < n; i++)
		ja_str(a, arr[i]);
}

static void *
drv_notify_emails(PurpleConnection *gc, size_t count, gboolean detailed,
                  const char **subjects, const char **froms,
                  const char **tos, const char **urls)
{
	JsonObject *ev = ev_new("notify-emails");
	size_t n = detailed ? count : (count > 0 ? 1 : 0);

	jo_account(ev, gc != NULL ? purple_connection_get_account(gc) : NULL);
	jo_int(ev, "count", (gint64)count);
	jo_bool(ev, "detailed", detailed);
	add_mail_list(ev, "subjects", subjects, detailed ? n : 0);
	add_mail_list(ev, "froms", froms, detailed ? n : 0);
	add_mail_list(ev, "tos", tos, n);
	add_mail_list(ev, "urls", urls, n);
	ev_emit(ev);
	return NULL;
}

static void *
drv_notify_email(PurpleConnection *gc, const char *subject, const char *from,
                 const char *to, const char *url)
{
	JsonObject *ev = ev_new("notify-email");

	jo_account(ev, gc != NULL ? purple_connection_get_account(gc) : NULL);
	jo_int(ev, "count", 1);
	jo_str(ev, "subject", subject);
	jo_str(ev, "from", from);
	jo_str(ev, "to", to);
	jo_str(ev, "url", url);
	ev_emit(ev);
	return NULL;
}

static void *
drv_notify_formatted(const char *title, const char *primary,
                     const char *secondary, const char *text)
{
	JsonObject *ev = ev_new("notify-formatted");

	jo_str(ev, "title", title);
	jo_str(ev, "primary", primary);
	jo_str(ev, "secondary", secondary);
	jo_str(ev, "text", text);
	ev_emit(ev);
	return NULL;
}

static void
add_search_rows(JsonObject *ev, PurpleNotifySearchResults *results)
{
	JsonArray *cols = jo_arr(ev, "columns");
	JsonArray *rows = jo_arr(ev, "rows");
	GList *l, *r;

	for (l = results->columns; l != NULL; l = l->next) {
		PurpleNotifySearchColumn *c = l->data;
		ja_str(cols, c->title);
	}
	for (r = results->rows; r != NULL; r = r->next) {
		JsonArray *row = json_array_new();
		for (l = r->data; l != NULL; l = l->next)
			ja_str(row, l->data);
		json_array_add_array_element(rows, row);
	}
}

static void *
drv_notify_searchresults(PurpleConnection *gc, const char *title,
                         const char *primary, const char *secondary,
                         PurpleNotifySearchResults *results, gpointer data)
{
	JsonObject *ev = ev_new("notify-searchresults");

	jo_account(ev, gc != NULL ? purple_connection_get_account(gc) : NULL);
	jo_str(ev, "title", title);
	jo_str(ev, "primary", primary);
	jo_str(ev, "secondary", secondary);
	if (results != NULL)
		add_search_rows(ev, results);
	ev_emit(ev);
	return NULL;
}

static void
drv_notify_searchresults_new_rows(PurpleConnection *gc,
                                  PurpleNotifySearchResults *results,
                                  void *data)
{
	JsonObject *ev = ev_new("notify-searchresults-rows");

	jo_account(ev, gc != NULL ? purple_connection_get_account(gc) : NULL);
	if (results != NULL)
		add_search_rows(ev, results);
	ev_emit(ev);
}

static void
add_userinfo(JsonObject *o, PurpleNotifyUserInfo *info)
{
	JsonArray *entries = jo_arr(o, "entries");
	char *text, *plain;
	GList *l;

	if (info == NULL) {
		jo_str(o, "text", NULL);
		jo_str(o, "plain", NULL);
		return;
	}
	text = purple_notify_user_info_get_text_with_newline(info, "\n");
	plain = purple_markup_strip_html(text);
	jo_str(o, "text", text);
	jo_str(o, "plain", plain);
	g_free(text);
	g_free(plain);
	for (l = purple_notify_user_info_get_entries(info); l != NULL; l = l->next) {
		PurpleNotifyUserInfoEntry *e = l->data;
		JsonObject *eo = json_object_new();
		PurpleNotifyUserInfoEntryType t = purple_notify_user_info_entry_get_type(e);

		jo_str(eo, "type", t == PURPLE_NOTIFY_USER_INFO_ENTRY_PAIR ? "pair" :
		       t == PURPLE_NOTIFY_USER_INFO_ENTRY_SECTION_BREAK ? "break" : "header");
		jo_str(eo, "label", purple_notify_user_info_entry_get_label(e));
		jo_str(eo, "value", purple_notify_user_info_entry_get_value(e));
		json_array_add_object_element(entries, eo);
	}
}

static void *
drv_notify_userinfo(PurpleConnection *gc, const char *who,
                    PurpleNotifyUserInfo *info)
{
	JsonObject *ev = ev_new("notify-userinfo");

	jo_account(ev, gc != NULL ? purple_connection_get_account(gc) : NULL);
	jo_str(ev, "who", who);
	add_userinfo(ev, info);
	ev_emit(ev);
	return NULL;
}

static void *
drv_notify_uri(const char *uri)
{
	JsonObject *ev = ev_new("notify-uri");
	jo_str(ev, "uri", uri);
	ev_emit(ev);
	return NULL;
}

static PurpleNotifyUiOps notify_ops = {
	drv_notify_message,
	drv_notify_email,
	drv_notify_emails,
	drv_notify_formatted,
	drv_notify_searchresults,
	drv_notify_searchresults_new_rows,
	drv_notify_userinfo,
	drv_notify_uri,
	NULL, /* close_notify: we never return handles */
	NULL, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* request UI ops                                                      */

typedef struct {
	guint id;
	PurpleRequestType type;
	PurpleAccount *account;
	GCallback ok_cb;
	GCallback cancel_cb;
	void *user_data;
	/* choice: labels + values; action: labels + callbacks */
	GPtrArray *labels;      /* char* */
	GArray *values;         /* int (choice) */
	GPtrArray *callbacks;   /* GCallback (action) */
	PurpleRequestFields *fields;
} DrvRequest;

static void
drv_request_free(DrvRequest *req)
{
	if (req->labels != NULL)
		g_ptr_array_free(req->labels, TRUE);
	if (req->values != NULL)
		g_array_free(req->values, TRUE);
	if (req->callbacks != NULL)
		g_ptr_array_free(req->callbacks, TRUE);
	g_free(req);
}

static DrvRequest *
drv_request_new(PurpleRequestType type, JsonObject **ev_out,
                const char *title, const char *primary,
                const char *secondary, PurpleAccount *account,
                const char *who, PurpleConversation *conv)
{
	DrvRequest *req = g_new0(DrvRequest, 1);
	JsonObject *ev = ev_new("request");

	req->id = next_request_id++;
	req->type = type;
	req->account = account;
	g_hash_table_insert(requests, GUINT_TO_POINTER(req->id), req);

	jo_int(ev, "request", req->id);
	jo_str(ev, "kind", request_type_name(type));
	jo_str(ev, "title", title);
	jo_str(ev, "primary", primary);
	jo_str(ev, "secondary", secondary);
	jo_account(ev, account);
	jo_str(ev, "who", who);
	jo_str(ev, "conv", conv != NULL ? purple_conversation_get_name(conv) : NULL);
	*ev_out = ev;
	return req;
}

static void *
drv_request_input(const char *title, const char *primary,
                  const char *secondary, const char *default_value,
                  gboolean multiline, gboolean masked, gchar *hint,
                  const char *ok_text, GCallback ok_cb,
                  const char *cancel_text, GCallback cancel_cb,
                  PurpleAccount *account, const char *who,
                  PurpleConversation *conv, void *user_data)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_INPUT, &ev, title,
	                                  primary, secondary, account, who, conv);
	JsonArray *acts;

	req->ok_cb = ok_cb;
	req->cancel_cb = cancel_cb;
	req->user_data = user_data;
	jo_str(ev, "default", default_value);
	jo_bool(ev, "multiline", multiline);
	jo_bool(ev, "masked", masked);
	jo_str(ev, "hint", hint);
	jo_str(ev, "ok_text", ok_text);
	jo_str(ev, "cancel_text", cancel_text);
	acts = jo_arr(ev, "actions");
	ja_str(acts, ok_text);
	ja_str(acts, cancel_text);
	ev_emit(ev);
	return req;
}

static void *
drv_request_choice(const char *title, const char *primary,
                   const char *secondary, int default_value,
                   const char *ok_text, GCallback ok_cb,
                   const char *cancel_text, GCallback cancel_cb,
                   PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data,
                   va_list choices)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_CHOICE, &ev, title,
	                                  primary, secondary, account, who, conv);
	JsonArray *arr, *acts;
	const char *label;

	req->ok_cb = ok_cb;
	req->cancel_cb = cancel_cb;
	req->user_data = user_data;
	req->labels = g_ptr_array_new_with_free_func(g_free);
	req->values = g_array_new(FALSE, FALSE, sizeof(int));
	arr = jo_arr(ev, "choices");
	while ((label = va_arg(choices, const char *)) != NULL) {
		int value = va_arg(choices, int);
		JsonObject *c = json_object_new();

		g_ptr_array_add(req->labels, g_strdup(label));
		g_array_append_val(req->values, value);
		jo_str(c, "label", label);
		jo_int(c, "value", value);
		json_array_add_object_element(arr, c);
	}
	jo_int(ev, "default", default_value);
	jo_str(ev, "ok_text", ok_text);
	jo_str(ev, "cancel_text", cancel_text);
	acts = jo_arr(ev, "actions");
	ja_str(acts, ok_text);
	ja_str(acts, cancel_text);
	ev_emit(ev);
	return req;
}

static void *
drv_request_action_with_icon(const char *title, const char *primary,
                             const char *secondary, int default_action,
                             PurpleAccount *account, const char *who,
                             PurpleConversation *conv,
                             gconstpointer icon_data, gsize icon_size,
                             void *user_data, size_t action_count,
                             va_list actions)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_ACTION, &ev, title,
	                                  primary, secondary, account, who, conv);
	JsonArray *arr;
	size_t i;

	req->user_data = user_data;
	req->labels = g_ptr_array_new_with_free_func(g_free);
	req->callbacks = g_ptr_array_new();
	arr = jo_arr(ev, "actions");
	for (i = 0; i < action_count; i++) {
		const char *label = va_arg(actions, const char *);
		GCallback cb = va_arg(actions, GCallback);

		g_ptr_array_add(req->labels, g_strdup(label));
		g_ptr_array_add(req->callbacks, (gpointer)cb);
		ja_str(arr, label);
	}
	jo_int(ev, "default", default_action);
	jo_bool(ev, "has_icon", icon_data != NULL && icon_size > 0);
	ev_emit(ev);
	return req;
}

static void *
drv_request_action(const char *title, const char *primary,
                   const char *secondary, int default_action,
                   PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data,
                   size_t action_count, va_list actions)
{
	return drv_request_action_with_icon(title, primary, secondary,
	                                    default_action, account, who, conv,
	                                    NULL, 0, user_data, action_count,
	                                    actions);
}

static void
add_fields(JsonObject *ev, PurpleRequestFields *fields)
{
	JsonArray *arr = jo_arr(ev, "fields");
	GList *g, *f, *l;

	for (g = purple_request_fields_get_groups(fields); g != NULL; g = g->next) {
		PurpleRequestFieldGroup *group = g->data;

		for (f = purple_request_field_group_get_fields(group); f != NULL; f = f->next) {
			PurpleRequestField *field = f->data;
			PurpleRequestFieldType t = purple_request_field_get_type(field);
			JsonObject *fo = json_object_new();

			jo_str(fo, "id", purple_request_field_get_id(field));
			jo_str(fo, "label", purple_request_field_get_label(field));
			jo_str(fo, "type", field_type_name(t));
			jo_str(fo, "group", purple_request_field_group_get_title(group));
			jo_bool(fo, "required", purple_request_field_is_required(field));
			jo_bool(fo, "visible", purple_request_field_is_visible(field));
			jo_str(fo, "type_hint", purple_request_field_get_type_hint(field));
			switch (t) {
			case PURPLE_REQUEST_FIELD_STRING:
				jo_str(fo, "value", purple_request_field_string_get_value(field));
				jo_str(fo, "default", purple_request_field_string_get_default_value(field));
				jo_bool(fo, "masked", purple_request_field_string_is_masked(field));
				jo_bool(fo, "multiline", purple_request_field_string_is_multiline(field));
				jo_bool(fo, "editable", purple_request_field_string_is_editable(field));
				break;
			case PURPLE_REQUEST_FIELD_INTEGER:
				jo_int(fo, "value", purple_request_field_int_get_value(field));
				jo_int(fo, "default", purple_request_field_int_get_default_value(field));
				break;
			case PURPLE_REQUEST_FIELD_BOOLEAN:
				jo_bool(fo, "value", purple_request_field_bool_get_value(field));
				jo_bool(fo, "default", purple_request_field_bool_get_default_value(field));
				break;
			case PURPLE_REQUEST_FIELD_CHOICE: {
				JsonArray *labels = jo_arr(fo, "choices");
				for (l = purple_request_field_choice_get_labels(field); l != NULL; l = l->next)
					ja_str(labels, l->data);
				jo_int(fo, "value", purple_request_field_choice_get_value(field));
				jo_int(fo, "default", purple_request_field_choice_get_default_value(field));
				break;
			}
			case PURPLE_REQUEST_FIELD_LIST: {
				JsonArray *items = jo_arr(fo, "items");
				JsonArray *sel = jo_arr(fo, "selected");
				for (l = purple_request_field_list_get_items(field); l != NULL; l = l->next)
					ja_str(items, l->data);
				for (l = purple_request_field_list_get_selected(field); l != NULL; l = l->next)
					ja_str(sel, l->data);
				jo_bool(fo, "multiple", purple_request_field_list_get_multi_select(field));
				break;
			}
			case PURPLE_REQUEST_FIELD_ACCOUNT:
				jo_str(fo, "value", acct_id(purple_request_field_account_get_value(field)));
				break;
			default:
				break;
			}
			json_array_add_object_element(arr, fo);
		}
	}
}

static void *
drv_request_fields(const char *title, const char *primary,
                   const char *secondary, PurpleRequestFields *fields,
                   const char *ok_text, GCallback ok_cb,
                   const char *cancel_text, GCallback cancel_cb,
                   PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_FIELDS, &ev, title,
	                                  primary, secondary, account, who, conv);
	JsonArray *acts;

	req->ok_cb = ok_cb;
	req->cancel_cb = cancel_cb;
	req->user_data = user_data;
	req->fields = fields;
	jo_str(ev, "ok_text", ok_text);
	jo_str(ev, "cancel_text", cancel_text);
	acts = jo_arr(ev, "actions");
	ja_str(acts, ok_text);
	ja_str(acts, cancel_text);
	add_fields(ev, fields);
	ev_emit(ev);
	return req;
}

static void *
drv_request_file(const char *title, const char *filename, gboolean savedialog,
                 GCallback ok_cb, GCallback cancel_cb, PurpleAccount *account,
                 const char *who, PurpleConversation *conv, void *user_data)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_FILE, &ev, title, NULL,
	                                  NULL, account, who, conv);
	JsonArray *acts;

	req->ok_cb = ok_cb;
	req->cancel_cb = cancel_cb;
	req->user_data = user_data;
	jo_str(ev, "filename", filename);
	jo_bool(ev, "savedialog", savedialog);
	acts = jo_arr(ev, "actions");
	ja_str(acts, "OK");
	ja_str(acts, "Cancel");
	ev_emit(ev);
	return req;
}

static void *
drv_request_folder(const char *title, const char *dirname, GCallback ok_cb,
                   GCallback cancel_cb, PurpleAccount *account,
                   const char *who, PurpleConversation *conv, void *user_data)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_FOLDER, &ev, title, NULL,
	                                  NULL, account, who, conv);
	JsonArray *acts;

	req->ok_cb = ok_cb;
	req->cancel_cb = cancel_cb;
	req->user_data = user_data;
	jo_str(ev, "dirname", dirname);
	acts = jo_arr(ev, "actions");
	ja_str(acts, "OK");
	ja_str(acts, "Cancel");
	ev_emit(ev);
	return req;
}

static void
drv_close_request(PurpleRequestType type, void *ui_handle)
{
	DrvRequest *req = ui_handle;
	JsonObject *ev;

	if (req == NULL)
		return;
	g_hash_table_steal(requests, GUINT_TO_POINTER(req->id));
	ev = ev_new("request-closed");
	jo_int(ev, "request", req->id);
	jo_str(ev, "kind", request_type_name(type));
	ev_emit(ev);
	drv_request_free(req);
}

static PurpleRequestUiOps request_ops = {
	drv_request_input,
	drv_request_choice,
	drv_request_action,
	drv_request_fields,
	drv_request_file,
	drv_close_request,
	drv_request_folder,
	drv_request_action_with_icon,
	NULL, /* screenshare */
	NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* account UI ops                                                      */

typedef struct {
	guint id;
	PurpleAccount *account;
	PurpleAccountRequestAuthorizationCb authorize_cb;
	PurpleAccountRequestAuthorizationCb deny_cb;
	void *user_data;
} DrvAuth;

static void
drv_notify_added(PurpleAccount *account, const char *remote_user,
                 const char *id, const char *alias, const char *message)
{
	JsonObject *ev = ev_new("notify-added");
	jo_account(ev, account);
	jo_str(ev, "remote_user", remote_user);
	jo_str(ev, "id", id);
	jo_str(ev, "alias", alias);
	jo_str(ev, "message", message);
	ev_emit(ev);
}

static void
drv_request_add(PurpleAccount *account, const char *remote_user,
                const char *id, const char *alias, const char *message)
{
	JsonObject *ev = ev_new("request-add");
	jo_account(ev, account);
	jo_str(ev, "remote_user", remote_user);
	jo_str(ev, "id", id);
	jo_str(ev, "alias", alias);
	jo_str(ev, "message", message);
	ev_emit(ev);
}

static void *
drv_request_authorize(PurpleAccount *account, const char *remote_user,
                      const char *id, const char *alias, const char *message,
                      gboolean on_list,
                      PurpleAccountRequestAuthorizationCb authorize_cb,
                      PurpleAccountRequestAuthorizationCb deny_cb,
                      void *user_data)
{
	DrvAuth *auth = g_new0(DrvAuth, 1);
	JsonObject *ev = ev_new("authorize");

	auth->id = next_request_id++;
	auth->account = account;
	auth->authorize_cb = authorize_cb;
	auth->deny_cb = deny_cb;
	auth->user_data = user_data;
	g_hash_table_insert(authorizations, GUINT_TO_POINTER(auth->id), auth);

	jo_int(ev, "request", auth->id);
	jo_account(ev, account);
	jo_str(ev, "remote_user", remote_user);
	jo_str(ev, "id", id);
	jo_str(ev, "alias", alias);
	jo_str(ev, "message", message);
	jo_bool(ev, "on_list", on_list);
	ev_emit(ev);
	return auth;
}

static void
drv_close_account_request(void *ui_handle)
{
	DrvAuth *auth = ui_handle;
	JsonObject *ev;

	if (auth == NULL)
		return;
	g_hash_table_steal(authorizations, GUINT_TO_POINTER(auth->id));
	ev = ev_new("authorize-closed");
	jo_int(ev, "request", auth->id);
	ev_emit(ev);
	g_free(auth);
}

static PurpleAccountUiOps account_ops = {
	drv_notify_added,
	NULL, /* status_changed: reported via the account-status-changed signal */
	drv_request_add,
	drv_request_authorize,
	drv_close_account_request,
	NULL, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* connection UI ops                                                   */

static void
drv_connect_progress(PurpleConnection *gc, const char *text, size_t step,
                     size_t step_count)
{
	JsonObject *ev = ev_new("connect-progress");
	jo_account(ev, purple_connection_get_account(gc));
	jo_str(ev, "text", text);
	jo_int(ev, "step", (gint64)step);
	jo_int(ev, "count", (gint64)step_count);
	ev_emit(ev);
}

static void
drv_connected(PurpleConnection *gc)
{
	JsonObject *ev = ev_new("connected");
	jo_account(ev, purple_connection_get_account(gc));
	ev_emit(ev);
}

static void
drv_disconnected(PurpleConnection *gc)
{
	JsonObject *ev = ev_new("disconnected");
	jo_account(ev, purple_connection_get_account(gc));
	ev_emit(ev);
}

static void
drv_connection_notice(PurpleConnection *gc, const char *text)
{
	JsonObject *ev = ev_new("connection-notice");
	jo_account(ev, purple_connection_get_account(gc));
	jo_str(ev, "text", text);
	ev_emit(ev);
}

static void
drv_report_disconnect_reason(PurpleConnection *gc, PurpleConnectionError reason,
                             const char *text)
{
	JsonObject *ev = ev_new("report-disconnect-reason");
	jo_account(ev, purple_connection_get_account(gc));
	jo_str(ev, "reason", connection_error_name(reason));
	jo_int(ev, "reason_code", reason);
	jo_bool(ev, "fatal", purple_connection_error_is_fatal(reason));
	jo_str(ev, "description", text);
	ev_emit(ev);
}

static PurpleConnectionUiOps connection_ops = {
	drv_connect_progress,
	drv_connected,
	drv_disconnected,
	drv_connection_notice,
	NULL, /* report_disconnect: superseded by _reason */
	NULL, NULL,
	drv_report_disconnect_reason,
	NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* conversation UI ops                                                 */

static const char *
conv_type_name(PurpleConversation *conv)
{
	switch (purple_conversation_get_type(conv)) {
	case PURPLE_CONV_TYPE_IM: return "im";
	case PURPLE_CONV_TYPE_CHAT: return "chat";
	case PURPLE_CONV_TYPE_MISC: return "misc";
	case PURPLE_CONV_TYPE_ANY: return "any";
	case PURPLE_CONV_TYPE_UNKNOWN: return "unknown";
	}
	return "unknown";
}

static void
jo_conv(JsonObject *o, PurpleConversation *conv)
{
	if (conv == NULL) {
		jo_str(o, "conv", NULL);
		return;
	}
	jo_str(o, "conv", purple_conversation_get_name(conv));
	jo_str(o, "conv_type", conv_type_name(conv));
	if (purple_conversation_get_type(conv) == PURPLE_CONV_TYPE_CHAT)
		jo_int(o, "chat_id", purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv)));
}

/* write_im / write_chat are left NULL on purpose: libpurple then routes
 * both through purple_conversation_write() -> write_conv, so every line
 * shown in any conversation yields exactly one "conv-write" event. */
static void
drv_write_conv(PurpleConversation *conv, const char *name, const char *alias,
               const char *message, PurpleMessageFlags flags, time_t mtime)
{
	JsonObject *ev = ev_new("conv-write");

	jo_account(ev, purple_conversation_get_account(conv));
	jo_conv(ev, conv);
	jo_str(ev, "who", name);
	jo_str(ev, "alias", alias);
	jo_str(ev, "message", message);
	add_message_flags(ev, "flags", flags);
	jo_int(ev, "mtime", (gint64)mtime);
	ev_emit(ev);
}

static void
drv_chat_add_users(PurpleConversation *conv, GList *cbuddies,
                   gboolean new_arrivals)
{
	JsonObject *ev = ev_new("chat-add-users");
	JsonArray *names = jo_arr(ev, "users");
	GList *l;

	jo_account(ev, purple_conversation_get_account(conv));
	jo_conv(ev, conv);
	for (l = cbuddies; l != NULL; l = l->next)
		ja_str(names, purple_conv_chat_cb_get_name(l->data));
	jo_bool(ev, "new_arrivals", new_arrivals);
	ev_emit(ev);
}

static void
drv_chat_remove_users(PurpleConversation *conv, GList *users)
{
	JsonObject *ev = ev_new("chat-remove-users");
	JsonArray *names = jo_arr(ev, "users");
	GList *l;

	jo_account(ev, purple_conversation_get_account(conv));
	jo_conv(ev, conv);
	for (l = users; l != NULL; l = l->next)
		ja_str(names, l->data);
	ev_emit(ev);
}

static void
drv_chat_rename_user(PurpleConversation *conv, const char *old_name,
                     const char *new_name, const char *new_alias)
{
	JsonObject *ev = ev_new("chat-rename-user");
	jo_account(ev, purple_conversation_get_account(conv));
	jo_conv(ev, conv);
	jo_str(ev, "old_name", old_name);
	jo_str(ev, "new_name", new_name);
	jo_str(ev, "new_alias", new_alias);
	ev_emit(ev);
}

static gboolean
drv_has_focus(PurpleConversation *conv)
{
	return FALSE;
}

static PurpleConversationUiOps conversation_ops = {
	NULL, /* create_conversation */
	NULL, /* destroy_conversation */
	NULL, /* write_chat */
	NULL, /* write_im */
	drv_write_conv,
	drv_chat_add_users,
	drv_chat_rename_user,
	drv_chat_remove_users,
	NULL, /* chat_update_user */
	NULL, /* present */
	drv_has_focus,
	NULL, NULL, NULL, /* custom smileys */
	NULL, /* send_confirm */
	NULL, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* blist UI ops                                                        */

static void
drv_blist_request_add_buddy(PurpleAccount *account, const char *username,
                            const char *group, const char *alias)
{
	JsonObject *ev = ev_new("request-add-buddy");
	jo_account(ev, account);
	jo_str(ev, "username", username);
	jo_str(ev, "group", group);
	jo_str(ev, "alias", alias);
	ev_emit(ev);
}

static void
drv_blist_request_add_chat(PurpleAccount *account, PurpleGroup *group,
                           const char *alias, const char *name)
{
	JsonObject *ev = ev_new("request-add-chat");
	jo_account(ev, account);
	jo_str(ev, "group", group != NULL ? purple_group_get_name(group) : NULL);
	jo_str(ev, "alias", alias);
	jo_str(ev, "name", name);
	ev_emit(ev);
}

static void
drv_blist_request_add_group(void)
{
	ev_emit(ev_new("request-add-group"));
}

static PurpleBlistUiOps blist_ops = {
	NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	drv_blist_request_add_buddy,
	drv_blist_request_add_chat,
	drv_blist_request_add_group,
	NULL, NULL, NULL, /* save_node, remove_node, save_account: see below */
	NULL,
};

/* libpurple's own saving, announced: "blist-save" tells a test that
 * something asked for blist.xml to be written (what: node, remove,
 * account; purple_blist_schedule_save() is save_account(NULL)), which is
 * how a buddy-list change shows in a host.  purple_blist_set_ui_ops()
 * fills libpurple's defaults into the NULL slots; they are kept here and
 * called after the event. */
static void (*lp_save_node)(PurpleBlistNode *node);
static void (*lp_remove_node)(PurpleBlistNode *node);
static void (*lp_save_account)(PurpleAccount *account);

static void
drv_blist_save_what(const char *what)
{
	JsonObject *ev;

	if (ev_muted("blist-save"))
		return;
	ev = ev_new("blist-save");
	jo_str(ev, "what", what);
	ev_emit(ev);
}

static void
drv_blist_save_node(PurpleBlistNode *node)
{
	drv_blist_save_what("node");
	lp_save_node(node);
}

static void
drv_blist_remove_node(PurpleBlistNode *node)
{
	drv_blist_save_what("remove");
	lp_remove_node(node);
}

static void
drv_blist_save_account(PurpleAccount *account)
{
	drv_blist_save_what(account != NULL ? "account" : "all");
	lp_save_account(account);
}

static void
drv_blist_announce_saves(void)
{
	if (blist_ops.save_node == NULL || blist_ops.remove_node == NULL ||
	    blist_ops.save_account == NULL)
		return;   /* an older libpurple without defaults: nothing to wrap */
	lp_save_node = blist_ops.save_node;
	lp_remove_node = blist_ops.remove_node;
	lp_save_account = blist_ops.save_account;
	blist_ops.save_node = drv_blist_save_node;
	blist_ops.remove_node = drv_blist_remove_node;
	blist_ops.save_account = drv_blist_save_account;
}

/* The privacy UI ops a host's privacy dialog lives on (Pidgin redraws
 * its lists, BitlBee keeps its own copy): "privacy-list" per name. */
static void
drv_privacy_list(PurpleAccount *account, const char *list, const char *op,
                 const char *name)
{
	JsonObject *ev;

	if (ev_muted("privacy-list"))
		return;
	ev = ev_new("privacy-list");
	jo_account(ev, account);
	jo_str(ev, "list", list);
	jo_str(ev, "op", op);
	jo_str(ev, "who", name);
	ev_emit(ev);
}

static void
drv_permit_added(PurpleAccount *account, const char *name)
{
	drv_privacy_list(account, "permit", "added", name);
}

static void
drv_permit_removed(PurpleAccount *account, const char *name)
{
	drv_privacy_list(account, "permit", "removed", name);
}

static void
drv_deny_added(PurpleAccount *account, const char *name)
{
	drv_privacy_list(account, "deny", "added", name);
}

static void
drv_deny_removed(PurpleAccount *account, const char *name)
{
	drv_privacy_list(account, "deny", "removed", name);
}

static PurplePrivacyUiOps privacy_ops = {
	drv_permit_added, drv_permit_removed, drv_deny_added, drv_deny_removed,
	NULL, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* signals                                                             */

static void
jo_status(JsonObject *o, const char *key, PurpleStatus *status)
{
	jo_str(o, key, status != NULL ? purple_status_get_id(status) : NULL);
}

static void
jo_buddy(JsonObject *o, PurpleBuddy *buddy)
{
	jo_account(o, purple_buddy_get_account(buddy));
	jo_str(o, "buddy", purple_buddy_get_name(buddy));
}

static void
emit_gc_event(const char *name, PurpleConnection *gc)
{
	JsonObject *ev = ev_new(name);
	jo_account(ev, purple_connection_get_account(gc));
	ev_emit(ev);
}

static void sig_signing_on(PurpleConnection *gc) { emit_gc_event("signing-on", gc); }
static void sig_signed_on(PurpleConnection *gc) { emit_gc_event("signed-on", gc); }
static void sig_signed_off(PurpleConnection *gc) { emit_gc_event("signed-off", gc); }

static void
sig_connection_error(PurpleConnection *gc, PurpleConnectionError err,
                     const gchar *desc)
{
	JsonObject *ev = ev_new("connection-error");
	jo_account(ev, purple_connection_get_account(gc));
	jo_str(ev, "reason", connection_error_name(err));
	jo_int(ev, "reason_code", err);
	jo_bool(ev, "fatal", purple_connection_error_is_fatal(err));
	jo_str(ev, "description", desc);
	ev_emit(ev);
}

static void
emit_buddy_event(const char *name, PurpleBuddy *buddy)
{
	JsonObject *ev = ev_new(name);
	PurplePresence *presence = purple_buddy_get_presence(buddy);
	jo_buddy(ev, buddy);
	if (presence != NULL)
		jo_status(ev, "status", purple_presence_get_active_status(presence));
	jo_str(ev, "alias", purple_buddy_get_alias(buddy));
	ev_emit(ev);
}

static void sig_buddy_signed_on(PurpleBuddy *b) { emit_buddy_event("buddy-signed-on", b); }
static void sig_buddy_signed_off(PurpleBuddy *b) { emit_buddy_event("buddy-signed-off", b); }
static void sig_buddy_icon_changed(PurpleBuddy *b) { emit_buddy_event("buddy-icon-changed", b); }

static void
sig_buddy_added(PurpleBuddy *buddy)
{
	JsonObject *ev;

	if (ev_muted("buddy-added"))
		return;
	ev = ev_new("buddy-added");
	PurpleGroup *g = purple_buddy_get_group(buddy);
	jo_buddy(ev, buddy);
	jo_str(ev, "group", g != NULL ? purple_group_get_name(g) : NULL);
	jo_str(ev, "alias", purple_buddy_get_alias(buddy));
	ev_emit(ev);
}

static void
sig_buddy_removed(PurpleBuddy *buddy)
{
	JsonObject *ev;

	if (ev_muted("buddy-removed"))
		return;
	ev = ev_new("buddy-removed");
	PurpleGroup *g = purple_buddy_get_group(buddy);
	jo_buddy(ev, buddy);
	jo_str(ev, "group", g != NULL ? purple_group_get_name(g) : NULL);
	ev_emit(ev);
}

static void
sig_buddy_status_changed(PurpleBuddy *buddy, PurpleStatus *old_status,
                         PurpleStatus *status)
{
	JsonObject *ev;

	if (ev_muted("buddy-status-changed"))
		return;
	ev = ev_new("buddy-status-changed");
	jo_buddy(ev, buddy);
	jo_status(ev, "status", status);
	jo_status(ev, "old_status", old_status);
	jo_str(ev, "status_name", status != NULL ? purple_status_get_name(status) : NULL);
	jo_str(ev, "message", status != NULL ? purple_status_get_attr_string(status, "message") : NULL);
	ev_emit(ev);
}

static void
sig_buddy_idle_changed(PurpleBuddy *buddy, gboolean old_idle, gboolean idle)
{
	JsonObject *ev;

	if (ev_muted("buddy-idle-changed"))
		return;
	ev = ev_new("buddy-idle-changed");
	jo_buddy(ev, buddy);
	jo_bool(ev, "old_idle", old_idle);
	jo_bool(ev, "idle", idle);
	ev_emit(ev);
}

static const char *
node_kind(PurpleBlistNode *node)
{
	switch (purple_blist_node_get_type(node)) {
	case PURPLE_BLIST_GROUP_NODE: return "group";
	case PURPLE_BLIST_CONTACT_NODE: return "contact";
	case PURPLE_BLIST_BUDDY_NODE: return "buddy";
	case PURPLE_BLIST_CHAT_NODE: return "chat";
	case PURPLE_BLIST_OTHER_NODE: return "other";
	}
	return "other";
}

static void
jo_node(JsonObject *ev, PurpleBlistNode *node)
{
	jo_str(ev, "kind", node_kind(node));
	switch (purple_blist_node_get_type(node)) {
	case PURPLE_BLIST_GROUP_NODE:
		jo_str(ev, "name", purple_group_get_name(PURPLE_GROUP(node)));
		break;
	case PURPLE_BLIST_BUDDY_NODE: {
		PurpleBuddy *b = PURPLE_BUDDY(node);
		jo_buddy(ev, b);
		jo_str(ev, "name", purple_buddy_get_name(b));
		jo_str(ev, "alias", purple_buddy_get_alias(b));
		jo_str(ev, "server_alias", purple_buddy_get_server_alias(b));
		jo_str(ev, "local_alias", purple_buddy_get_local_buddy_alias(b));
		break;
	}
	case PURPLE_BLIST_CONTACT_NODE:
		/* an emptied contact has no priority buddy to take an alias from */
		if (purple_contact_get_priority_buddy(PURPLE_CONTACT(node)) != NULL)
			jo_str(ev, "alias", purple_contact_get_alias(PURPLE_CONTACT(node)));
		break;
	case PURPLE_BLIST_CHAT_NODE:
		jo_account(ev, purple_chat_get_account(PURPLE_CHAT(node)));
		jo_str(ev, "name", purple_chat_get_name(PURPLE_CHAT(node)));
		break;
	default:
		break;
	}
}

static void
sig_blist_node_aliased(PurpleBlistNode *node, const char *old_alias)
{
	JsonObject *ev;

	if (ev_muted("blist-node-aliased"))
		return;
	ev = ev_new("blist-node-aliased");
	jo_node(ev, node);
	jo_str(ev, "old_alias", old_alias);
	ev_emit(ev);
}

static void
sig_blist_node_added(PurpleBlistNode *node)
{
	JsonObject *ev;

	if (ev_muted("blist-node-added"))
		return;
	ev = ev_new("blist-node-added");
	jo_node(ev, node);
	ev_emit(ev);
}

static void
sig_blist_node_removed(PurpleBlistNode *node)
{
	JsonObject *ev;

	if (ev_muted("blist-node-removed"))
		return;
	ev = ev_new("blist-node-removed");
	jo_node(ev, node);
	ev_emit(ev);
}

static void
sig_received_im_msg(PurpleAccount *account, char *sender, char *message,
                    PurpleConversation *conv, PurpleMessageFlags flags)
{
	JsonObject *ev = ev_new("received-im-msg");
	jo_account(ev, account);
	jo_str(ev, "sender", sender);
	jo_str(ev, "message", message);
	jo_conv(ev, conv);
	add_message_flags(ev, "flags", flags);
	ev_emit(ev);
}

static void
sig_sent_im_msg(PurpleAccount *account, const char *receiver,
                const char *message)
{
	JsonObject *ev = ev_new("sent-im-msg");
	jo_account(ev, account);
	jo_str(ev, "receiver", receiver);
	jo_str(ev, "message", message);
	ev_emit(ev);
}

static void
sig_received_chat_msg(PurpleAccount *account, char *sender, char *message,
                      PurpleConversation *conv, PurpleMessageFlags flags)
{
	JsonObject *ev = ev_new("received-chat-msg");
	jo_account(ev, account);
	jo_str(ev, "sender", sender);
	jo_str(ev, "message", message);
	jo_conv(ev, conv);
	add_message_flags(ev, "flags", flags);
	ev_emit(ev);
}

static void
sig_sent_chat_msg(PurpleAccount *account, const char *message, int id)
{
	JsonObject *ev = ev_new("sent-chat-msg");
	jo_account(ev, account);
	jo_str(ev, "message", message);
	jo_int(ev, "chat_id", id);
	ev_emit(ev);
}

static void
emit_typing(const char *name, PurpleAccount *account, const char *who)
{
	JsonObject *ev = ev_new(name);
	jo_account(ev, account);
	jo_str(ev, "who", who);
	ev_emit(ev);
}

static void sig_buddy_typing(PurpleAccount *a, const char *w) { emit_typing("buddy-typing", a, w); }
static void sig_buddy_typed(PurpleAccount *a, const char *w) { emit_typing("buddy-typed", a, w); }
static void sig_buddy_typing_stopped(PurpleAccount *a, const char *w) { emit_typing("buddy-typing-stopped", a, w); }

static void
emit_conv_event(const char *name, PurpleConversation *conv)
{
	JsonObject *ev = ev_new(name);
	jo_account(ev, purple_conversation_get_account(conv));
	jo_conv(ev, conv);
	ev_emit(ev);
}

static void sig_conversation_created(PurpleConversation *c) { emit_conv_event("conversation-created", c); }
static void sig_deleting_conversation(PurpleConversation *c) { emit_conv_event("deleting-conversation", c); }
static void sig_chat_joined(PurpleConversation *c) { emit_conv_event("chat-joined", c); }
static void sig_chat_left(PurpleConversation *c) { emit_conv_event("chat-left", c); }

static void
sig_chat_buddy_joined(PurpleConversation *conv, const char *name,
                      PurpleConvChatBuddyFlags flags, gboolean new_arrival)
{
	JsonObject *ev = ev_new("chat-buddy-joined");
	jo_account(ev, purple_conversation_get_account(conv));
	jo_conv(ev, conv);
	jo_str(ev, "who", name);
	jo_bool(ev, "new_arrival", new_arrival);
	ev_emit(ev);
}

static void
sig_chat_buddy_left(PurpleConversation *conv, const char *name,
                    const char *reason)
{
	JsonObject *ev = ev_new("chat-buddy-left");
	jo_account(ev, purple_conversation_get_account(conv));
	jo_conv(ev, conv);
	jo_str(ev, "who", name);
	jo_str(ev, "reason", reason);
	ev_emit(ev);
}

static gint
sig_chat_invited(PurpleAccount *account, const char *inviter,
                 const char *chat, const char *message, GHashTable *components)
{
	JsonObject *ev = ev_new("chat-invited");
	jo_account(ev, account);
	jo_str(ev, "inviter", inviter);
	jo_str(ev, "chat", chat);
	jo_str(ev, "message", message);
	ev_emit(ev);
	return 0; /* let libpurple ask (shows up as a "request" event) */
}

static void
sig_account_alias_changed(PurpleAccount *account, const char *old)
{
	JsonObject *ev = ev_new("account-alias-changed");
	jo_account(ev, account);
	jo_str(ev, "alias", purple_account_get_alias(account));
	jo_str(ev, "old_alias", old);
	ev_emit(ev);
}

static void
sig_account_status_changed(PurpleAccount *account, PurpleStatus *old,
                           PurpleStatus *status)
{
	JsonObject *ev = ev_new("account-status-changed");
	jo_account(ev, account);
	jo_status(ev, "status", status);
	jo_status(ev, "old_status", old);
	jo_str(ev, "message", status != NULL ? purple_status_get_attr_string(status, "message") : NULL);
	ev_emit(ev);
}

static const char *
xfer_status_name(PurpleXferStatusType status)
{
	switch (status) {
	case PURPLE_XFER_STATUS_NOT_STARTED: return "not_started";
	case PURPLE_XFER_STATUS_ACCEPTED: return "accepted";
	case PURPLE_XFER_STATUS_STARTED: return "started";
	case PURPLE_XFER_STATUS_DONE: return "done";
	case PURPLE_XFER_STATUS_CANCEL_LOCAL: return "cancel_local";
	case PURPLE_XFER_STATUS_CANCEL_REMOTE: return "cancel_remote";
	default: return "unknown";
	}
}

static void
emit_xfer_event(const char *name, PurpleXfer *xfer)
{
	JsonObject *ev = ev_new(name);
	jo_account(ev, purple_xfer_get_account(xfer));
	jo_str(ev, "who", purple_xfer_get_remote_user(xfer));
	jo_str(ev, "filename", purple_xfer_get_filename(xfer));
	jo_str(ev, "local_filename", purple_xfer_get_local_filename(xfer));
	jo_int(ev, "size", (gint64)purple_xfer_get_size(xfer));
	jo_int(ev, "bytes_sent", (gint64)purple_xfer_get_bytes_sent(xfer));
	jo_str(ev, "direction", purple_xfer_get_type(xfer) == PURPLE_XFER_SEND ? "send" : "receive");
	jo_int(ev, "status", purple_xfer_get_status(xfer));
	jo_str(ev, "status_name", xfer_status_name(purple_xfer_get_status(xfer)));
	ev_emit(ev);
}

#define XFER_SIG(fn, name) static void fn(PurpleXfer *x) { emit_xfer_event(name, x); }
XFER_SIG(sig_file_recv_request, "file-recv-request")
XFER_SIG(sig_file_recv_accept, "file-recv-accept")
XFER_SIG(sig_file_recv_start, "file-recv-start")
XFER_SIG(sig_file_recv_complete, "file-recv-complete")
XFER_SIG(sig_file_recv_cancel, "file-recv-cancel")
XFER_SIG(sig_file_send_accept, "file-send-accept")
XFER_SIG(sig_file_send_start, "file-send-start")
XFER_SIG(sig_file_send_complete, "file-send-complete")
XFER_SIG(sig_file_send_cancel, "file-send-cancel")

static void
connect_signals(void)
{
	void *h = &driver_handle;
	void *conn = purple_connections_get_handle();
	void *blist = purple_blist_get_handle();
	void *convs = purple_conversations_get_handle();
	void *accts = purple_accounts_get_handle();
	void *xfers = purple_xfers_get_handle();

	purple_signal_connect(conn, "signing-on", h, PURPLE_CALLBACK(sig_signing_on), NULL);
	purple_signal_connect(conn, "signed-on", h, PURPLE_CALLBACK(sig_signed_on), NULL);
	purple_signal_connect(conn, "signed-off", h, PURPLE_CALLBACK(sig_signed_off), NULL);
	purple_signal_connect(conn, "connection-error", h, PURPLE_CALLBACK(sig_connection_error), NULL);

	purple_signal_connect(blist, "buddy-signed-on", h, PURPLE_CALLBACK(sig_buddy_signed_on), NULL);
	purple_signal_connect(blist, "buddy-signed-off", h, PURPLE_CALLBACK(sig_buddy_signed_off), NULL);
	purple_signal_connect(blist, "buddy-status-changed", h, PURPLE_CALLBACK(sig_buddy_status_changed), NULL);
	purple_signal_connect(blist, "buddy-idle-changed", h, PURPLE_CALLBACK(sig_buddy_idle_changed), NULL);
	purple_signal_connect(blist, "buddy-icon-changed", h, PURPLE_CALLBACK(sig_buddy_icon_changed), NULL);
	purple_signal_connect(blist, "buddy-added", h, PURPLE_CALLBACK(sig_buddy_added), NULL);
	purple_signal_connect(blist, "buddy-removed", h, PURPLE_CALLBACK(sig_buddy_removed), NULL);
	purple_signal_connect(blist, "blist-node-aliased", h, PURPLE_CALLBACK(sig_blist_node_aliased), NULL);
	purple_signal_connect(blist, "blist-node-added", h, PURPLE_CALLBACK(sig_blist_node_added), NULL);
	purple_signal_connect(blist, "blist-node-removed", h, PURPLE_CALLBACK(sig_blist_node_removed), NULL);

	purple_signal_connect(convs, "received-im-msg", h, PURPLE_CALLBACK(sig_received_im_msg), NULL);
	purple_signal_connect(convs, "sent-im-msg", h, PURPLE_CALLBACK(sig_sent_im_msg), NULL);
	purple_signal_connect(convs, "received-chat-msg", h, PURPLE_CALLBACK(sig_received_chat_msg), NULL);
	purple_signal_connect(convs, "sent-chat-msg", h, PURPLE_CALLBACK(sig_sent_chat_msg), NULL);
	purple_signal_connect(convs, "buddy-typing", h, PURPLE_CALLBACK(sig_buddy_typing), NULL);
	purple_signal_connect(convs, "buddy-typed", h, PURPLE_CALLBACK(sig_buddy_typed), NULL);
	purple_signal_connect(convs, "buddy-typing-stopped", h, PURPLE_CALLBACK(sig_buddy_typing_stopped), NULL);
	purple_signal_connect(convs, "conversation-created", h, PURPLE_CALLBACK(sig_conversation_created), NULL);
	purple_signal_connect(convs, "deleting-conversation", h, PURPLE_CALLBACK(sig_deleting_conversation), NULL);
	purple_signal_connect(convs, "chat-joined", h, PURPLE_CALLBACK(sig_chat_joined), NULL);
	purple_signal_connect(convs, "chat-left", h, PURPLE_CALLBACK(sig_chat_left), NULL);
	purple_signal_connect(convs, "chat-buddy-joined", h, PURPLE_CALLBACK(sig_chat_buddy_joined), NULL);
	purple_signal_connect(convs, "chat-buddy-left", h, PURPLE_CALLBACK(sig_chat_buddy_left), NULL);
	purple_signal_connect(convs, "chat-invited", h, PURPLE_CALLBACK(sig_chat_invited), NULL);

	purple_signal_connect(accts, "account-alias-changed", h, PURPLE_CALLBACK(sig_account_alias_changed), NULL);
	purple_signal_connect(accts, "account-status-changed", h, PURPLE_CALLBACK(sig_account_status_changed), NULL);

	purple_signal_connect(xfers, "file-recv-request", h, PURPLE_CALLBACK(sig_file_recv_request), NULL);
	purple_signal_connect(xfers, "file-recv-accept", h, PURPLE_CALLBACK(sig_file_recv_accept), NULL);
	purple_signal_connect(xfers, "file-recv-start", h, PURPLE_CALLBACK(sig_file_recv_start), NULL);
	purple_signal_connect(xfers, "file-recv-complete", h, PURPLE_CALLBACK(sig_file_recv_complete), NULL);
	purple_signal_connect(xfers, "file-recv-cancel", h, PURPLE_CALLBACK(sig_file_recv_cancel), NULL);
	purple_signal_connect(xfers, "file-send-accept", h, PURPLE_CALLBACK(sig_file_send_accept), NULL);
	purple_signal_connect(xfers, "file-send-start", h, PURPLE_CALLBACK(sig_file_send_start), NULL);
	purple_signal_connect(xfers, "file-send-complete", h, PURPLE_CALLBACK(sig_file_send_complete), NULL);
	purple_signal_connect(xfers, "file-send-cancel", h, PURPLE_CALLBACK(sig_file_send_cancel), NULL);
}

/* ------------------------------------------------------------------ */
/* commands                                                            */

typedef gboolean (*OpFunc)(JsonObject *cmd, JsonObject *reply);

static gboolean
op_add_account(JsonObject *cmd, JsonObject *reply)
{
	const char *id = arg_str(cmd, "id");
	const char *protocol = arg_str(cmd, "protocol");
	const char *username = arg_str(cmd, "username");
	const char *password = arg_str(cmd, "password");
	PurpleAccount *account;
	JsonNode *settings;
	gboolean existed = TRUE;

	if (id == NULL || protocol == NULL || username == NULL) {
		fail(reply, "add_account needs id, protocol and username");
		return TRUE;
	}
	if (g_hash_table_lookup(accounts_by_id, id) != NULL) {
		fail(reply, "account id %s already in use", id);
		return TRUE;
	}
	if (purple_find_prpl(protocol) == NULL) {
		GString *paths = g_string_new(NULL);
		GList *l;
		for (l = purple_plugins_get_search_paths(); l != NULL; l = l->next)
			g_string_append_printf(paths, "%s%s", paths->len ? ", " : "", (char *)l->data);
		fail(reply, "no protocol plugin %s (searched %s; run with --debug to see "
		     "why a plugin was not usable)", protocol, paths->str);
		g_string_free(paths, TRUE);
		return TRUE;
	}
	/* Reuse an account loaded from the user dir (driver restarted on the
	 * same dir, e.g. to test caches), otherwise create it. */
	account = purple_accounts_find(username, protocol);
	if (account == NULL) {
		existed = FALSE;
		account = purple_account_new(username, protocol);
		purple_accounts_add(account);
	}
	if (password != NULL)
		purple_account_set_password(account, password);
	if (arg_has(cmd, "alias"))
		purple_account_set_alias(account, arg_str(cmd, "alias"));
	/* libpurple forgets a password that is not remembered at every
	 * disconnect (and would then ask for it); the user dir is throwaway */
	purple_account_set_remember_password(account, arg_bool(cmd, "remember_password", TRUE));

	settings = json_object_get_member(cmd, "settings");
	if (settings != NULL && JSON_NODE_HOLDS_OBJECT(settings)) {
		JsonObject *so = json_node_get_object(settings);
		GList *members = json_object_get_members(so), *l;

		for (l = members; l != NULL; l = l->next) {
			const char *key = l->data;
			JsonNode *v = json_object_get_member(so, key);

			if (!JSON_NODE_HOLDS_VALUE(v))
				continue;
			switch (json_node_get_value_type(v)) {
			case G_TYPE_INT64:
				purple_account_set_int(account, key, (int)json_node_get_int(v));
				break;
			case G_TYPE_DOUBLE:
				purple_account_set_int(account, key, (int)json_node_get_double(v));
				break;
			case G_TYPE_BOOLEAN:
				purple_account_set_bool(account, key, json_node_get_boolean(v));
				break;
			case G_TYPE_STRING:
				purple_account_set_string(account, key, json_node_get_string(v));
				break;
			default:
				break;
			}
		}
		g_list_free(members);
	}
	/* "http_proxy": "host:port" gives the account its own HTTP proxy (the
	 * HTTP gateway's fallback tests). */
	if (arg_has(cmd, "http_proxy")) {
		PurpleProxyInfo *info = purple_proxy_info_new();
		g_auto(GStrv) hp = g_strsplit(arg_str(cmd, "http_proxy"), ":", 2);

		purple_proxy_info_set_type(info, PURPLE_PROXY_HTTP);
		purple_proxy_info_set_host(info, hp[0]);
		purple_proxy_info_set_port(info, hp[1] ? atoi(hp[1]) : 8080);
		purple_account_set_proxy_info(account, info);
	}
	map_account(id, account);
	jo_bool(reply, "existed", existed);
	jo_str(reply, "username", purple_account_get_username(account));
	return TRUE;
}

static gboolean
account_has_request(PurpleAccount *account)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, requests);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((DrvRequest *)v)->account == account)
			return TRUE;
	return FALSE;
}

static gboolean
op_connect(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account == NULL)
		return TRUE;
	/* libpurple refuses to connect disabled accounts; enabling an
	 * account whose presence is online connects it (or asks for the
	 * password: then a second connect would replace that dialog). */
	if (!purple_account_get_enabled(account, DRIVER_UI))
		purple_account_set_enabled(account, DRIVER_UI, TRUE);
	if (purple_account_is_disconnected(account) && !account_has_request(account))
		purple_account_connect(account);
	return TRUE;
}

static gboolean
op_disconnect(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL && !purple_account_is_disconnected(account))
		purple_account_disconnect(account);
	return TRUE;
}

static gboolean
op_set_enabled(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL)
		purple_account_set_enabled(account, DRIVER_UI, arg_bool(cmd, "enabled", TRUE));
	return TRUE;
}

static gboolean
op_remove_account(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL) {
		unmap_account(account);
		purple_accounts_delete(account);
	}
	return TRUE;
}

static gboolean
op_account_state(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurpleConnection *gc;

	if (account == NULL)
		return TRUE;
	gc = purple_account_get_connection(account);
	jo_str(reply, "username", purple_account_get_username(account));
	jo_str(reply, "alias", purple_account_get_alias(account));
	jo_bool(reply, "enabled", purple_account_get_enabled(account, DRIVER_UI));
	jo_bool(reply, "connected", purple_account_is_connected(account));
	jo_bool(reply, "connecting", purple_account_is_connecting(account));
	jo_bool(reply, "disconnected", purple_account_is_disconnected(account));
	jo_str(reply, "display_name", gc != NULL ? purple_connection_get_display_name(gc) : NULL);
	if (gc != NULL)
		add_connection_flags(reply, "connection_flags", gc->flags);
	jo_status(reply, "status", purple_account_get_active_status(account));
	{
		const PurpleConnectionErrorInfo *err = purple_account_get_current_error(account);
		jo_str(reply, "error", err != NULL ? connection_error_name(err->type) : NULL);
		jo_str(reply, "error_description", err != NULL ? err->description : NULL);
	}
	return TRUE;
}

static PurpleStatusType *
find_status_type(PurpleAccount *account, const char *name)
{
	PurpleStatusType *type = purple_account_get_status_type(account, name);
	PurpleStatusPrimitive prim;

	if (type != NULL)
		return type;
	prim = purple_primitive_get_type_from_id(name);
	if (prim == PURPLE_STATUS_UNSET)
		return NULL;
	return purple_account_get_status_type_with_primitive(account, prim);
}

static gboolean
op_statuses(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	JsonArray *arr;
	GList *l;

	if (account == NULL)
		return TRUE;
	arr = jo_arr(reply, "statuses");
	for (l = purple_account_get_status_types(account); l != NULL; l = l->next) {
		PurpleStatusType *t = l->data;
		JsonObject *o = json_object_new();
		JsonArray *attrs = jo_arr(o, "attrs");
		GList *a;

		jo_str(o, "id", purple_status_type_get_id(t));
		jo_str(o, "name", purple_status_type_get_name(t));
		jo_str(o, "primitive", purple_primitive_get_id_from_type(purple_status_type_get_primitive(t)));
		jo_bool(o, "user_settable", purple_status_type_is_user_settable(t));
		jo_bool(o, "independent", purple_status_type_is_independent(t));
		for (a = purple_status_type_get_attrs(t); a != NULL; a = a->next)
			ja_str(attrs, purple_status_attr_get_id(a->data));
		json_array_add_object_element(arr, o);
	}
	jo_status(reply, "active", purple_account_get_active_status(account));
	return TRUE;
}

static gboolean
op_set_status(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	const char *name = arg_str(cmd, "status");
	const char *message = arg_str(cmd, "message");
	PurpleStatusType *type;
	GList *attrs = NULL;

	if (account == NULL)
		return TRUE;
	if (name == NULL) {
		fail(reply, "missing \"status\"");
		return TRUE;
	}
	type = find_status_type(account, name);
	if (type == NULL) {
		fail(reply, "account has no status %s", name);
		return TRUE;
	}
	if (message != NULL) {
		if (purple_status_type_get_attr(type, "message") == NULL) {
			fail(reply, "status %s takes no message", purple_status_type_get_id(type));
			return TRUE;
		}
		attrs = g_list_append(attrs, "message");
		attrs = g_list_append(attrs, (gpointer)message);
	}
	purple_account_set_status_list(account, purple_status_type_get_id(type),
	                               arg_bool(cmd, "active", TRUE), attrs);
	g_list_free(attrs);
	jo_str(reply, "status", purple_status_type_get_id(type));
	return TRUE;
}

static gboolean
op_set_idle(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	gboolean idle = arg_bool(cmd, "idle", TRUE);
	gint64 since = arg_int(cmd, "since", 0); /* seconds ago */

	if (account != NULL)
		purple_presence_set_idle(purple_account_get_presence(account), idle,
		                         idle ? time(NULL) - (time_t)since : 0);
	return TRUE;
}

static void
public_alias_ok(PurpleAccount *account, const char *alias)
{
	JsonObject *ev = ev_new("public-alias-set");
	jo_account(ev, account);
	jo_bool(ev, "ok", TRUE);
	jo_str(ev, "alias", alias);
	ev_emit(ev);
}

static void
public_alias_failed(PurpleAccount *account, const char *error)
{
	JsonObject *ev = ev_new("public-alias-set");
	jo_account(ev, account);
	jo_bool(ev, "ok", FALSE);
	jo_str(ev, "error", error);
	ev_emit(ev);
}

static void
public_alias_got(PurpleAccount *account, const char *alias)
{
	JsonObject *ev = ev_new("public-alias");
	jo_account(ev, account);
	jo_bool(ev, "ok", TRUE);
	jo_str(ev, "alias", alias);
	ev_emit(ev);
}

static void
public_alias_get_failed(PurpleAccount *account, const char *error)
{
	JsonObject *ev = ev_new("public-alias");
	jo_account(ev, account);
	jo_bool(ev, "ok", FALSE);
	jo_str(ev, "error", error);
	ev_emit(ev);
}

static gboolean
op_set_public_alias(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL)
		purple_account_set_public_alias(account, arg_str(cmd, "alias"),
		                                public_alias_ok, public_alias_failed);
	return TRUE;
}

static gboolean
op_get_public_alias(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL)
		purple_account_get_public_alias(account, public_alias_got,
		                                public_alias_get_failed);
	return TRUE;
}

static gboolean
op_set_alias(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL)
		purple_account_set_alias(account, arg_str(cmd, "alias"));
	return TRUE;
}

static GList *
get_actions(PurpleConnection *gc, PurplePlugin **out_plugin)
{
	PurplePlugin *plugin = purple_connection_get_prpl(gc);

	*out_plugin = plugin;
	if (plugin == NULL || !PURPLE_PLUGIN_HAS_ACTIONS(plugin))
		return NULL;
	return PURPLE_PLUGIN_ACTIONS(plugin, gc);
}

static void
free_actions(GList *actions)
{
	GList *l;
	for (l = actions; l != NULL; l = l->next)
		if (l->data != NULL)
			purple_plugin_action_free(l->data);
	g_list_free(actions);
}

static gboolean
op_actions(JsonObject *cmd, JsonObject *reply)
{
	PurpleConnection *gc = find_connection(cmd, reply, NULL);
	PurplePlugin *plugin;
	GList *actions, *l;
	JsonArray *arr;

	if (gc == NULL)
		return TRUE;
	actions = get_actions(gc, &plugin);
	arr = jo_arr(reply, "actions");
	for (l = actions; l != NULL; l = l->next) {
		PurplePluginAction *a = l->data;
		if (a != NULL) /* NULL = separator */
			ja_str(arr, a->label);
	}
	free_actions(actions);
	return TRUE;
}

static gboolean
op_run_action(JsonObject *cmd, JsonObject *reply)
{
	PurpleConnection *gc = find_connection(cmd, reply, NULL);
	const char *label = arg_str(cmd, "label");
	PurplePlugin *plugin;
	GList *actions, *l;
	gboolean found = FALSE;

	if (gc == NULL)
		return TRUE;
	if (label == NULL) {
		fail(reply, "missing \"label\"");
		return TRUE;
	}
	actions = get_actions(gc, &plugin);
	for (l = actions; l != NULL; l = l->next) {
		PurplePluginAction *a = l->data;
		if (a != NULL && g_strcmp0(a->label, label) == 0) {
			a->plugin = plugin;
			a->context = gc;
			if (a->callback != NULL)
				a->callback(a);
			found = TRUE;
			break;
		}
	}
	free_actions(actions);
	if (!found)
		fail(reply, "no action labelled %s", label);
	return TRUE;
}

/* --- requests --- */

static int
match_label(GPtrArray *labels, JsonNode *n, int fallback_count)
{
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return -1;
	if (json_node_get_value_type(n) == G_TYPE_STRING) {
		const char *want = json_node_get_string(n);
		guint i;

		if (labels != NULL) {
			for (i = 0; i < labels->len; i++) {
				const char *l = g_ptr_array_index(labels, i);
				gchar *stripped;
				gboolean eq;

				if (l == NULL)
					continue;
				if (g_ascii_strcasecmp(l, want) == 0)
					return (int)i;
				/* also accept labels without GTK mnemonic
				 * underscores: "_View Certificate..." */
				stripped = purple_strreplace(l, "_", "");
				eq = g_ascii_strcasecmp(stripped, want) == 0;
				g_free(stripped);
				if (eq)
					return (int)i;
			}
		}
		if (g_ascii_strcasecmp(want, "ok") == 0 ||
		    g_ascii_strcasecmp(want, "accept") == 0)
			return 0;
		if (g_ascii_strcasecmp(want, "cancel") == 0 && fallback_count >= 2)
			return 1;
		return -1;
	}
	{
		gint64 v = json_node_get_int(n);
		if (v < 0 || v >= fallback_count)
			return -1;
		return (int)v;
	}
}

static gboolean
set_field_value(PurpleRequestFields *fields, const char *id, JsonNode *v,
                JsonObject *reply)
{
	PurpleRequestField *field = purple_request_fields_get_field(fields, id);

	if (field == NULL) {
		fail(reply, "no request field %s", id);
		return FALSE;
	}
	switch (purple_request_field_get_type(field)) {
	case PURPLE_REQUEST_FIELD_STRING:
		if (JSON_NODE_HOLDS_NULL(v))
			purple_request_field_string_set_value(field, NULL);
		else if (json_node_get_value_type(v) == G_TYPE_STRING)
			purple_request_field_string_set_value(field, json_node_get_string(v));
		else {
			gchar *s = g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(v));
			purple_request_field_string_set_value(field, s);
			g_free(s);
		}
		return TRUE;
	case PURPLE_REQUEST_FIELD_INTEGER:
		purple_request_field_int_set_value(field, (int)json_node_get_int(v));
		return TRUE;
	case PURPLE_REQUEST_FIELD_BOOLEAN:
		purple_request_field_bool_set_value(field, json_node_get_boolean(v));
		return TRUE;
	case PURPLE_REQUEST_FIELD_CHOICE:
		if (json_node_get_value_type(v) == G_TYPE_STRING) {
			GList *l;
			int i = 0;
			for (l = purple_request_field_choice_get_labels(field); l != NULL; l = l->next, i++) {
				if (g_strcmp0(l->data, json_node_get_string(v)) == 0) {
					purple_request_field_choice_set_value(field, i);
					return TRUE;
				}
			}
			fail(reply, "field %s has no choice %s", id, json_node_get_string(v));
			return FALSE;
		}
		purple_request_field_choice_set_value(field, (int)json_node_get_int(v));
		return TRUE;
	case PURPLE_REQUEST_FIELD_LIST:
		purple_request_field_list_clear_selected(field);
		if (JSON_NODE_HOLDS_ARRAY(v)) {
			JsonArray *a = json_node_get_array(v);
			guint i;
			for (i = 0; i < json_array_get_length(a); i++)
				purple_request_field_list_add_selected(field, json_array_get_string_element(a, i));
		} else if (JSON_NODE_HOLDS_VALUE(v)) {
			purple_request_field_list_add_selected(field, json_node_get_string(v));
		}
		return TRUE;
	case PURPLE_REQUEST_FIELD_ACCOUNT: {
		const char *aid = JSON_NODE_HOLDS_VALUE(v) ? json_node_get_string(v) : NULL;
		PurpleAccount *a = aid != NULL ? g_hash_table_lookup(accounts_by_id, aid) : NULL;
		if (a == NULL) {
			fail(reply, "field %s: no account %s", id, aid != NULL ? aid : "(null)");
			return FALSE;
		}
		purple_request_field_account_set_value(field, a);
		return TRUE;
	}
	default:
		fail(reply, "field %s cannot be set", id);
		return FALSE;
	}
}

static gboolean
op_answer_request(JsonObject *cmd, JsonObject *reply)
{
	guint id = (guint)arg_int(cmd, "request", 0);
	DrvRequest *req = g_hash_table_lookup(requests, GUINT_TO_POINTER(id));
	JsonNode *action = json_object_get_member(cmd, "action");
	PurpleRequestType type;
	int index;

	if (req == NULL) {
		fail(reply, "no pending request %u", id);
		return TRUE;
	}
	type = req->type;

	switch (type) {
	case PURPLE_REQUEST_ACTION:
		index = match_label(req->labels, action, (int)req->labels->len);
		if (action == NULL && req->labels->len > 0)
			index = -1;
		if (index < 0) {
			fail(reply, "request %u: unknown action", id);
			return TRUE;
		}
		jo_int(reply, "index", index);
		jo_str(reply, "label", g_ptr_array_index(req->labels, index));
		if (g_ptr_array_index(req->callbacks, index) != NULL)
			((PurpleRequestActionCb)(GCallback)g_ptr_array_index(req->callbacks, index))(req->user_data, index);
		break;

	case PURPLE_REQUEST_INPUT: {
		const char *text = arg_str(cmd, "text");
		index = action != NULL ? match_label(NULL, action, 2) : 0;
		if (index < 0) {
			fail(reply, "request %u: action must be ok/cancel or 0/1", id);
			return TRUE;
		}
		if (index == 0) {
			if (req->ok_cb != NULL)
				((PurpleRequestInputCb)req->ok_cb)(req->user_data, text != NULL ? text : "");
		} else if (req->cancel_cb != NULL) {
			((PurpleRequestInputCb)req->cancel_cb)(req->user_data, text);
		}
		break;
	}

	case PURPLE_REQUEST_CHOICE: {
		JsonNode *choice = json_object_get_member(cmd, "choice");
		int value;
		index = action != NULL ? match_label(NULL, action, 2) : 0;
		if (index < 0) {
			fail(reply, "request %u: action must be ok/cancel or 0/1", id);
			return TRUE;
		}
		if (choice == NULL) {
			fail(reply, "request %u: \"choice\" (label or index) needed", id);
			return TRUE;
		}
		{
			int ci = match_label(req->labels, choice, (int)req->labels->len);
			if (ci < 0 || (guint)ci >= req->values->len) {
				fail(reply, "request %u: unknown choice", id);
				return TRUE;
			}
			value = g_array_index(req->values, int, ci);
		}
		jo_int(reply, "value", value);
		if (index == 0 && req->ok_cb != NULL)
			((PurpleRequestChoiceCb)req->ok_cb)(req->user_data, value);
		else if (index == 1 && req->cancel_cb != NULL)
			((PurpleRequestChoiceCb)req->cancel_cb)(req->user_data, value);
		break;
	}

	case PURPLE_REQUEST_FIELDS: {
		JsonNode *fv = json_object_get_member(cmd, "fields");
		index = action != NULL ? match_label(NULL, action, 2) : 0;
		if (index < 0) {
			fail(reply, "request %u: action must be ok/cancel or 0/1", id);
			return TRUE;
		}
		if (fv != NULL && JSON_NODE_HOLDS_OBJECT(fv)) {
			JsonObject *fo = json_node_get_object(fv);
			GList *members = json_object_get_members(fo), *l;
			gboolean good = TRUE;
			for (l = members; l != NULL && good; l = l->next)
				good = set_field_value(req->fields, l->data,
				                       json_object_get_member(fo, l->data), reply);
			g_list_free(members);
			if (!good)
				return TRUE;
		}
		if (index == 0) {
			if (!purple_request_fields_all_required_filled(req->fields)) {
				fail(reply, "request %u: required fields are empty", id);
				return TRUE;
			}
			if (req->ok_cb != NULL)
				((PurpleRequestFieldsCb)req->ok_cb)(req->user_data, req->fields);
		} else if (req->cancel_cb != NULL) {
			((PurpleRequestFieldsCb)req->cancel_cb)(req->user_data, req->fields);
		}
		break;
	}

	case PURPLE_REQUEST_FILE:
	case PURPLE_REQUEST_FOLDER: {
		const char *path = arg_str(cmd, "path");
		index = action != NULL ? match_label(NULL, action, 2) : (path != NULL ? 0 : 1);
		if (index < 0) {
			fail(reply, "request %u: action must be ok/cancel or 0/1", id);
			return TRUE;
		}
		if (index == 0 && path == NULL) {
			fail(reply, "request %u: \"path\" needed", id);
			return TRUE;
		}
		if (index == 0 && req->ok_cb != NULL)
			((PurpleRequestFileCb)req->ok_cb)(req->user_data, path);
		else if (index == 1 && req->cancel_cb != NULL)
			((PurpleRequestFileCb)req->cancel_cb)(req->user_data, NULL);
		break;
	}

	default:
		fail(reply, "request %u of kind %s cannot be answered", id, request_type_name(type));
		return TRUE;
	}

	/* The callback may have closed the request itself (then it is gone
	 * from our table and freed); otherwise tell libpurple we are done,
	 * exactly as a GUI closes its dialog after running the callback. */
	req = g_hash_table_lookup(requests, GUINT_TO_POINTER(id));
	if (req != NULL)
		purple_request_close(type, req);
	req = g_hash_table_lookup(requests, GUINT_TO_POINTER(id));
	if (req != NULL) {
		/* libpurple did not know the handle: free it ourselves */
		g_hash_table_steal(requests, GUINT_TO_POINTER(id));
		drv_request_free(req);
	}
	return TRUE;
}

static gboolean
op_answer_authorize(JsonObject *cmd, JsonObject *reply)
{
	guint id = (guint)arg_int(cmd, "request", 0);
	DrvAuth *auth = g_hash_table_lookup(authorizations, GUINT_TO_POINTER(id));
	gboolean accept = arg_bool(cmd, "accept", TRUE);

	if (auth == NULL) {
		fail(reply, "no pending authorization %u", id);
		return TRUE;
	}
	g_hash_table_steal(authorizations, GUINT_TO_POINTER(id));
	if (accept && auth->authorize_cb != NULL)
		auth->authorize_cb(auth->user_data);
	else if (!accept && auth->deny_cb != NULL)
		auth->deny_cb(auth->user_data);
	g_free(auth);
	return TRUE;
}

static gboolean
op_pending(JsonObject *cmd, JsonObject *reply)
{
	JsonArray *r = jo_arr(reply, "requests");
	JsonArray *a = jo_arr(reply, "authorizations");
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, requests);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		JsonObject *o = json_object_new();
		jo_int(o, "request", GPOINTER_TO_UINT(k));
		jo_str(o, "kind", request_type_name(((DrvRequest *)v)->type));
		json_array_add_object_element(r, o);
	}
	g_hash_table_iter_init(&it, authorizations);
	while (g_hash_table_iter_next(&it, &k, &v))
		json_array_add_int_element(a, GPOINTER_TO_UINT(k));
	return TRUE;
}

/* --- buddy list --- */

static void
buddy_to_json(JsonObject *o, PurpleBuddy *b)
{
	PurplePresence *presence = purple_buddy_get_presence(b);
	PurpleStatus *status = presence != NULL ? purple_presence_get_active_status(presence) : NULL;

	jo_str(o, "name", purple_buddy_get_name(b));
	jo_str(o, "alias", purple_buddy_get_alias(b));
	jo_str(o, "server_alias", purple_buddy_get_server_alias(b));
	jo_str(o, "local_alias", purple_buddy_get_local_buddy_alias(b));
	jo_bool(o, "online", PURPLE_BUDDY_IS_ONLINE(b));
	jo_status(o, "status", status);
	jo_str(o, "status_name", status != NULL ? purple_status_get_name(status) : NULL);
	jo_str(o, "primitive", status != NULL ?
	       purple_primitive_get_id_from_type(purple_status_type_get_primitive(purple_status_get_type(status))) : NULL);
	jo_bool(o, "idle", presence != NULL && purple_presence_is_idle(presence));
	jo_int(o, "idle_time", presence != NULL ? (gint64)purple_presence_get_idle_time(presence) : 0);
	jo_bool(o, "mobile", presence != NULL &&
	        purple_presence_is_status_primitive_active(presence, PURPLE_STATUS_MOBILE));
	jo_str(o, "message", status != NULL ? purple_status_get_attr_string(status, "message") : NULL);
}

static gboolean
op_blist(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	JsonArray *groups;
	PurpleBlistNode *gnode, *cnode, *bnode;

	if (account == NULL)
		return TRUE;
	groups = jo_arr(reply, "groups");
	for (gnode = purple_blist_get_root(); gnode != NULL; gnode = purple_blist_node_get_sibling_next(gnode)) {
		JsonObject *go;
		JsonArray *buddies;

		if (!PURPLE_BLIST_NODE_IS_GROUP(gnode))
			continue;
		go = json_object_new();
		jo_str(go, "name", purple_group_get_name(PURPLE_GROUP(gnode)));
		jo_bool(go, "on_account", purple_group_on_account(PURPLE_GROUP(gnode), account));
		buddies = jo_arr(go, "buddies");
		for (cnode = purple_blist_node_get_first_child(gnode); cnode != NULL;
		     cnode = purple_blist_node_get_sibling_next(cnode)) {
			if (!PURPLE_BLIST_NODE_IS_CONTACT(cnode))
				continue;
			for (bnode = purple_blist_node_get_first_child(cnode); bnode != NULL;
			     bnode = purple_blist_node_get_sibling_next(bnode)) {
				JsonObject *bo;
				if (!PURPLE_BLIST_NODE_IS_BUDDY(bnode) ||
				    purple_buddy_get_account(PURPLE_BUDDY(bnode)) != account)
					continue;
				bo = json_object_new();
				buddy_to_json(bo, PURPLE_BUDDY(bnode));
				json_array_add_object_element(buddies, bo);
			}
		}
		json_array_add_object_element(groups, go);
	}
	return TRUE;
}

static PurpleBuddy *
find_buddy(PurpleAccount *account, JsonObject *cmd, JsonObject *reply)
{
	const char *name = arg_str(cmd, "buddy");
	const char *group = arg_str(cmd, "group");
	PurpleBuddy *b;

	if (name == NULL) {
		fail(reply, "missing \"buddy\"");
		return NULL;
	}
	if (group != NULL && purple_find_group(group) != NULL)
		b = purple_find_buddy_in_group(account, name, purple_find_group(group));
	else
		b = purple_find_buddy(account, name);
	if (b == NULL)
		fail(reply, "no buddy %s", name);
	return b;
}

static gboolean
op_buddy(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurpleBuddy *b;

	if (account == NULL || (b = find_buddy(account, cmd, reply)) == NULL)
		return TRUE;
	buddy_to_json(jo_obj(reply, "buddy"), b);
	return TRUE;
}

static gboolean
op_tooltip(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurplePluginProtocolInfo *info;
	PurpleNotifyUserInfo *ui;
	PurpleBuddy *b;

	if (account == NULL || (b = find_buddy(account, cmd, reply)) == NULL)
		return TRUE;
	info = account_prpl_info(account);
	if (info == NULL || info->tooltip_text == NULL) {
		fail(reply, "protocol has no tooltip_text");
		return TRUE;
	}
	ui = purple_notify_user_info_new();
	info->tooltip_text(b, ui, arg_bool(cmd, "full", TRUE));
	add_userinfo(reply, ui);
	purple_notify_user_info_destroy(ui);
	if (info->status_text != NULL) {
		char *st = info->status_text(b);
		jo_str(reply, "status_text", st);
		g_free(st);
	}
	if (info->list_emblem != NULL)
		jo_str(reply, "emblem", info->list_emblem(b));
	return TRUE;
}

/* Runs one entry of the prpl's buddy menu (blist_node_menu) by label,
 * e.g. "Initiate _Chat" (the '_' may be left out). */
/* {"op":"mute","events":["blist-node-added",…]}: stop emitting those
 * events (an empty list unmutes all). */
static gboolean
op_mute(JsonObject *cmd, JsonObject *reply)
{
	JsonNode *n = json_object_get_member(cmd, "events");
	JsonArray *arr;

	if (n == NULL || !JSON_NODE_HOLDS_ARRAY(n)) {
		fail(reply, "mute needs \"events\" (a list of names)");
		return TRUE;
	}
	arr = json_node_get_array(n);
	if (muted_events == NULL)
		muted_events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_remove_all(muted_events);
	for (guint i = 0; i < json_array_get_length(arr); i++) {
		const char *name = json_array_get_string_element(arr, i);
		if (name != NULL)
			g_hash_table_add(muted_events, g_strdup(name));
	}
	return TRUE;
}

static gboolean
op_buddy_menu(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurplePluginProtocolInfo *info;
	const char *label = arg_str(cmd, "label");
	JsonArray *labels;
	PurpleBuddy *b;
	GList *menu, *l;
	gboolean ran = FALSE;

	if (account == NULL || (b = find_buddy(account, cmd, reply)) == NULL)
		return TRUE;
	info = account_prpl_info(account);
	if (info == NULL || info->blist_node_menu == NULL) {
		fail(reply, "protocol has no blist_node_menu");
		return TRUE;
	}
	labels = jo_arr(reply, "labels");
	menu = info->blist_node_menu((PurpleBlistNode *)b);
	for (l = menu; l != NULL; l = l->next) {
		PurpleMenuAction *act = l->data;
		char *plain = purple_strreplace(act->label, "_", "");
		ja_str(labels, act->label);
		if (!ran && label != NULL && act->callback != NULL &&
		    (g_strcmp0(act->label, label) == 0 || g_strcmp0(plain, label) == 0)) {
			((void (*)(PurpleBlistNode *, gpointer))act->callback)((PurpleBlistNode *)b, act->data);
			ran = TRUE;
		}
		g_free(plain);
		purple_menu_action_free(act);
	}
	g_list_free(menu);
	if (label != NULL && !ran)
		fail(reply, "no menu entry %s", label);
	return TRUE;
}

static gboolean
op_get_info(JsonObject *cmd, JsonObject *reply)
{
	PurpleConnection *gc = find_connection(cmd, reply, NULL);
	const char *who = arg_str(cmd, "buddy");

	if (gc == NULL)
		return TRUE;
	if (who == NULL) {
		fail(reply, "missing \"buddy\"");
		return TRUE;
	}
	serv_get_info(gc, who);
	return TRUE;
}

static PurpleGroup *
get_group(const char *name)
{
	PurpleGroup *g = purple_find_group(name);
	if (g == NULL) {
		g = purple_group_new(name);
		purple_blist_add_group(g, NULL);
	}
	return g;
}

static gboolean
op_add_buddy(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	const char *name = arg_str(cmd, "buddy");
	const char *group = arg_str(cmd, "group");
	PurpleBuddy *b;
	PurpleGroup *g;

	if (account == NULL)
		return TRUE;
	if (name == NULL) {
		fail(reply, "missing \"buddy\"");
		return TRUE;
	}
	g = get_group(group != NULL ? group : "Buddies");
	b = purple_find_buddy_in_group(account, name, g);
	if (b != NULL) {
		fail(reply, "buddy %s already in group %s", name, purple_group_get_name(g));
		return TRUE;
	}
	b = purple_buddy_new(account, name, arg_str(cmd, "alias"));
	purple_blist_add_buddy(b, NULL, g, NULL);
	purple_account_add_buddy_with_invite(account, b, arg_str(cmd, "message"));
	return TRUE;
}

static gboolean
op_remove_buddy(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurpleBuddy *b;

	if (account == NULL || (b = find_buddy(account, cmd, reply)) == NULL)
		return TRUE;
	purple_account_remove_buddy(account, b, purple_buddy_get_group(b));
	purple_blist_remove_buddy(b);
	return TRUE;
}

/* Every copy of a buddy (one per group) removed in one go, as a host's
 * "remove contact" or a script would: no reply of the server in between. */
static gboolean
op_remove_buddy_everywhere(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	const char *name = arg_str(cmd, "buddy");
	GSList *buddies, *l;
	int n = 0;

	if (account == NULL)
		return TRUE;
	if (name == NULL) {
		fail(reply, "missing \"buddy\"");
		return TRUE;
	}
	buddies = purple_find_buddies(account, name);
	for (l = buddies; l != NULL; l = l->next, n++) {
		purple_account_remove_buddy(account, l->data, purple_buddy_get_group(l->data));
		purple_blist_remove_buddy(l->data);
	}
	g_slist_free(buddies);
	json_object_set_int_member(reply, "removed", n);
	return TRUE;
}

static gboolean
op_move_buddy(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	const char *to = arg_str(cmd, "to");
	PurpleBuddy *b;

	if (account == NULL || (b = find_buddy(account, cmd, reply)) == NULL)
		return TRUE;
	if (to == NULL) {
		fail(reply, "missing \"to\" (target group)");
		return TRUE;
	}
	/* purple_blist_add_buddy on a buddy in another group moves it and
	 * calls serv_move_buddy itself */
	purple_blist_add_buddy(b, NULL, get_group(to), NULL);
	return TRUE;
}

static gboolean
op_add_group(JsonObject *cmd, JsonObject *reply)
{
	const char *name = arg_str(cmd, "group");
	if (name == NULL) {
		fail(reply, "missing \"group\"");
		return TRUE;
	}
	get_group(name);
	return TRUE;
}

static gboolean
op_rename_group(JsonObject *cmd, JsonObject *reply)
{
	const char *name = arg_str(cmd, "group");
	const char *to = arg_str(cmd, "to");
	PurpleGroup *g = name != NULL ? purple_find_group(name) : NULL;

	if (g == NULL || to == NULL) {
		fail(reply, "rename_group needs an existing \"group\" and \"to\"");
		return TRUE;
	}
	purple_blist_rename_group(g, to);
	return TRUE;
}

static gboolean
op_remove_group(JsonObject *cmd, JsonObject *reply)
{
	const char *name = arg_str(cmd, "group");
	PurpleGroup *g = name != NULL ? purple_find_group(name) : NULL;

	if (g == NULL) {
		fail(reply, "no group %s", name != NULL ? name : "(null)");
		return TRUE;
	}
	if (purple_blist_node_get_first_child(PURPLE_BLIST_NODE(g)) != NULL) {
		fail(reply, "group %s is not empty", name);
		return TRUE;
	}
	purple_blist_remove_group(g);
	return TRUE;
}

static gboolean
op_alias_buddy(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurpleBuddy *b;
	const char *alias = arg_str(cmd, "alias");

	if (account == NULL || (b = find_buddy(account, cmd, reply)) == NULL)
		return TRUE;
	purple_blist_alias_buddy(b, alias);
	if (purple_account_get_connection(account) != NULL)
		serv_alias_buddy(b);
	return TRUE;
}

static gboolean
op_privacy_mode(JsonObject *cmd, JsonObject *reply)
{
	static const struct { const char *name; PurplePrivacyType t; } modes[] = {
		{ "allow_all", PURPLE_PRIVACY_ALLOW_ALL },
		{ "deny_all", PURPLE_PRIVACY_DENY_ALL },
		{ "allow_users", PURPLE_PRIVACY_ALLOW_USERS },
		{ "deny_users", PURPLE_PRIVACY_DENY_USERS },
		{ "allow_buddylist", PURPLE_PRIVACY_ALLOW_BUDDYLIST },
	};
	PurpleAccount *account = find_account(cmd, reply);
	const char *mode = arg_str(cmd, "mode");
	gint64 value = -1;
	gsize i;

	if (account == NULL)
		return TRUE;
	if (mode != NULL) {
		for (i = 0; i < G_N_ELEMENTS(modes); i++)
			if (g_ascii_strcasecmp(mode, modes[i].name) == 0)
				value = modes[i].t;
	} else {
		value = arg_int(cmd, "mode", -1);
	}
	if (value < PURPLE_PRIVACY_ALLOW_ALL || value > PURPLE_PRIVACY_ALLOW_BUDDYLIST) {
		fail(reply, "unknown privacy mode");
		return TRUE;
	}
	purple_account_set_privacy_type(account, (PurplePrivacyType)value);
	if (purple_account_get_connection(account) != NULL)
		serv_set_permit_deny(purple_account_get_connection(account));
	return TRUE;
}

static gboolean
op_privacy(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	JsonArray *a;
	GSList *l;

	if (account == NULL)
		return TRUE;
	jo_int(reply, "mode", purple_account_get_privacy_type(account));
	a = jo_arr(reply, "permit");
	for (l = account->permit; l != NULL; l = l->next)
		ja_str(a, l->data);
	a = jo_arr(reply, "deny");
	for (l = account->deny; l != NULL; l = l->next)
		ja_str(a, l->data);
	return TRUE;
}

typedef gboolean (*PrivacyFunc)(PurpleAccount *, const char *, gboolean);

static gboolean
privacy_list_op(JsonObject *cmd, JsonObject *reply, PrivacyFunc fn)
{
	PurpleAccount *account = find_account(cmd, reply);
	const char *who = arg_str(cmd, "who");

	if (account == NULL)
		return TRUE;
	if (who == NULL)
		who = arg_str(cmd, "buddy");
	if (who == NULL) {
		fail(reply, "missing \"who\"");
		return TRUE;
	}
	jo_bool(reply, "changed", fn(account, who, arg_bool(cmd, "local_only", FALSE)));
	return TRUE;
}

static gboolean op_permit_add(JsonObject *c, JsonObject *r) { return privacy_list_op(c, r, purple_privacy_permit_add); }
static gboolean op_permit_remove(JsonObject *c, JsonObject *r) { return privacy_list_op(c, r, purple_privacy_permit_remove); }
static gboolean op_deny_add(JsonObject *c, JsonObject *r) { return privacy_list_op(c, r, purple_privacy_deny_add); }
static gboolean op_deny_remove(JsonObject *c, JsonObject *r) { return privacy_list_op(c, r, purple_privacy_deny_remove); }

/* --- conversations --- */

static gboolean
op_send_im(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account;
	PurpleConnection *gc = find_connection(cmd, reply, &account);
	const char *to = arg_str(cmd, "to");
	const char *text = arg_str(cmd, "text");
	PurpleConversation *conv;

	if (gc == NULL)
		return TRUE;
	if (to == NULL || text == NULL) {
		fail(reply, "send_im needs \"to\" and \"text\"");
		return TRUE;
	}
	conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, account, to);
	purple_conv_im_send_with_flags(PURPLE_CONV_IM(conv), text,
	                               (PurpleMessageFlags)arg_int(cmd, "flags", 0));
	return TRUE;
}

static gboolean
op_send_typing(JsonObject *cmd, JsonObject *reply)
{
	PurpleConnection *gc = find_connection(cmd, reply, NULL);
	const char *to = arg_str(cmd, "to");
	const char *state = arg_str(cmd, "state");
	PurpleTypingState st = PURPLE_TYPING;

	if (gc == NULL)
		return TRUE;
	if (to == NULL) {
		fail(reply, "missing \"to\"");
		return TRUE;
	}
	if (state != NULL && g_ascii_strcasecmp(state, "typed") == 0)
		st = PURPLE_TYPED;
	else if (state != NULL && (g_ascii_strcasecmp(state, "none") == 0 ||
	                           g_ascii_strcasecmp(state, "not_typing") == 0))
		st = PURPLE_NOT_TYPING;
	jo_int(reply, "timeout", serv_send_typing(gc, to, st));
	return TRUE;
}

static gboolean
op_close_conv(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	const char *with = arg_str(cmd, "with");
	PurpleConversation *conv;

	if (account == NULL)
		return TRUE;
	if (with == NULL) {
		fail(reply, "missing \"with\"");
		return TRUE;
	}
	conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_ANY, with, account);
	if (conv == NULL) {
		fail(reply, "no conversation with %s", with);
		return TRUE;
	}
	purple_conversation_destroy(conv);
	return TRUE;
}

static gboolean
op_conversations(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	JsonArray *arr;
	GList *l;

	if (account == NULL)
		return TRUE;
	arr = jo_arr(reply, "conversations");
	for (l = purple_get_conversations(); l != NULL; l = l->next) {
		PurpleConversation *conv = l->data;
		JsonObject *o;

		if (purple_conversation_get_account(conv) != account)
			continue;
		o = json_object_new();
		jo_conv(o, conv);
		if (purple_conversation_get_type(conv) == PURPLE_CONV_TYPE_CHAT) {
			JsonArray *users = jo_arr(o, "users");
			JsonObject *aliases = json_object_new();
			GList *u;
			for (u = purple_conv_chat_get_users(PURPLE_CONV_CHAT(conv)); u != NULL; u = u->next) {
				PurpleConvChatBuddy *cb = u->data;
				ja_str(users, purple_conv_chat_cb_get_name(cb));
				/* What the member list shows for each (NULL: the name). */
				jo_str(aliases, purple_conv_chat_cb_get_name(cb), cb->alias);
			}
			json_object_set_object_member(o, "user_aliases", aliases);
			jo_str(o, "nick", purple_conv_chat_get_nick(PURPLE_CONV_CHAT(conv)));
		}
		json_array_add_object_element(arr, o);
	}
	return TRUE;
}

static PurpleConversation *
find_chat(PurpleAccount *account, JsonObject *cmd, JsonObject *reply)
{
	JsonNode *n = json_object_get_member(cmd, "chat");
	GList *l;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n)) {
		fail(reply, "missing \"chat\" (name or id)");
		return NULL;
	}
	for (l = purple_get_chats(); l != NULL; l = l->next) {
		PurpleConversation *conv = l->data;
		if (purple_conversation_get_account(conv) != account)
			continue;
		if (json_node_get_value_type(n) == G_TYPE_STRING) {
			if (g_strcmp0(purple_conversation_get_name(conv), json_node_get_string(n)) == 0)
				return conv;
		} else if (purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv)) == json_node_get_int(n)) {
			return conv;
		}
	}
	fail(reply, "no such chat");
	return NULL;
}

static gboolean
op_chat_invite(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account;
	PurpleConnection *gc = find_connection(cmd, reply, &account);
	PurpleConversation *conv;
	const char *who = arg_str(cmd, "who");

	if (gc == NULL || (conv = find_chat(account, cmd, reply)) == NULL)
		return TRUE;
	if (who == NULL) {
		fail(reply, "missing \"who\"");
		return TRUE;
	}
	serv_chat_invite(gc, purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv)),
	                 arg_str(cmd, "message"), who);
	return TRUE;
}

static gboolean
op_chat_send(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account;
	PurpleConnection *gc = find_connection(cmd, reply, &account);
	PurpleConversation *conv;
	const char *text = arg_str(cmd, "text");

	if (gc == NULL || (conv = find_chat(account, cmd, reply)) == NULL)
		return TRUE;
	if (text == NULL) {
		fail(reply, "missing \"text\"");
		return TRUE;
	}
	purple_conv_chat_send(PURPLE_CONV_CHAT(conv), text);
	return TRUE;
}

static gboolean
op_join_chat(JsonObject *cmd, JsonObject *reply)
{
	PurpleConnection *gc = find_connection(cmd, reply, NULL);
	JsonNode *comp = json_object_get_member(cmd, "components");
	GHashTable *components;

	if (gc == NULL)
		return TRUE;
	components = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	if (comp != NULL && JSON_NODE_HOLDS_OBJECT(comp)) {
		JsonObject *co = json_node_get_object(comp);
		GList *members = json_object_get_members(co), *l;
		for (l = members; l != NULL; l = l->next) {
			JsonNode *v = json_object_get_member(co, l->data);
			if (JSON_NODE_HOLDS_VALUE(v) && json_node_get_value_type(v) == G_TYPE_STRING)
				g_hash_table_insert(components, g_strdup(l->data),
				                    g_strdup(json_node_get_string(v)));
		}
		g_list_free(members);
	}
	serv_join_chat(gc, components);
	g_hash_table_destroy(components);
	return TRUE;
}

static gboolean
op_send_file(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account;
	PurpleConnection *gc = find_connection(cmd, reply, &account);
	const char *to = arg_str(cmd, "to");
	const char *file = arg_str(cmd, "file");
	PurplePluginProtocolInfo *info;

	if (gc == NULL)
		return TRUE;
	if (to == NULL || file == NULL) {
		fail(reply, "send_file needs \"to\" and \"file\"");
		return TRUE;
	}
	info = account_prpl_info(account);
	if (info == NULL || info->send_file == NULL) {
		fail(reply, "protocol cannot send files");
		return TRUE;
	}
	if (info->can_receive_file != NULL && !info->can_receive_file(gc, to)) {
		fail(reply, "protocol says %s cannot receive files", to);
		return TRUE;
	}
	serv_send_file(gc, to, file);
	return TRUE;
}

/* {"op":"xfers"}: every transfer libpurple knows, newest first, with
 * progress and status. */
static gboolean
op_xfers(JsonObject *cmd, JsonObject *reply)
{
	JsonArray *arr = jo_arr(reply, "xfers");
	GList *l;

	for (l = purple_xfers_get_all(); l != NULL; l = l->next) {
		PurpleXfer *xfer = l->data;
		JsonObject *o = json_object_new();

		jo_account(o, purple_xfer_get_account(xfer));
		jo_str(o, "who", purple_xfer_get_remote_user(xfer));
		jo_str(o, "filename", purple_xfer_get_filename(xfer));
		jo_str(o, "local_filename", purple_xfer_get_local_filename(xfer));
		jo_int(o, "size", (gint64)purple_xfer_get_size(xfer));
		jo_int(o, "bytes_sent", (gint64)purple_xfer_get_bytes_sent(xfer));
		jo_str(o, "direction", purple_xfer_get_type(xfer) == PURPLE_XFER_SEND ? "send" : "receive");
		jo_str(o, "status", xfer_status_name(purple_xfer_get_status(xfer)));
		json_object_set_double_member(o, "progress", purple_xfer_get_progress(xfer));
		json_array_add_object_element(arr, o);
	}
	return TRUE;
}

/* {"op":"xfer_cancel","id":acct,"who":..,"filename":..?}: cancels (as
 * the local user) the newest unfinished transfer that matches. */
static gboolean
op_xfer_cancel(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	const char *who = arg_str(cmd, "who");
	const char *filename = arg_str(cmd, "filename");
	GList *l;

	if (account == NULL)
		return TRUE;
	for (l = purple_xfers_get_all(); l != NULL; l = l->next) {
		PurpleXfer *xfer = l->data;

		if (purple_xfer_get_account(xfer) != account ||
		    purple_xfer_is_completed(xfer) || purple_xfer_is_canceled(xfer))
			continue;
		if (who != NULL && g_ascii_strcasecmp(who, purple_xfer_get_remote_user(xfer)) != 0)
			continue;
		if (filename != NULL && g_strcmp0(filename, purple_xfer_get_filename(xfer)) != 0)
			continue;
		purple_xfer_cancel_local(xfer);
		return TRUE;
	}
	fail(reply, "no unfinished transfer matches");
	return TRUE;
}

/* --- introspection --- */

static const char *
plugin_type_name(PurplePluginType t)
{
	switch (t) {
	case PURPLE_PLUGIN_STANDARD: return "standard";
	case PURPLE_PLUGIN_LOADER: return "loader";
	case PURPLE_PLUGIN_PROTOCOL: return "protocol";
	case PURPLE_PLUGIN_UNKNOWN: return "unknown";
	}
	return "unknown";
}

static gboolean
op_plugins(JsonObject *cmd, JsonObject *reply)
{
	JsonArray *arr = jo_arr(reply, "plugins");
	GList *l;

	for (l = purple_plugins_get_all(); l != NULL; l = l->next) {
		PurplePlugin *p = l->data;
		JsonObject *o = json_object_new();

		jo_str(o, "id", p->info != NULL ? p->info->id : NULL);
		jo_str(o, "name", p->info != NULL ? p->info->name : NULL);
		jo_str(o, "version", p->info != NULL ? p->info->version : NULL);
		jo_str(o, "type", plugin_type_name(p->info != NULL ? p->info->type : PURPLE_PLUGIN_UNKNOWN));
		jo_str(o, "path", p->path);
		jo_bool(o, "loaded", purple_plugin_is_loaded(p));
		jo_str(o, "error", p->error);
		json_array_add_object_element(arr, o);
	}
	jo_bool(reply, "ssl_supported", purple_ssl_is_supported());
	return TRUE;
}

static gboolean
op_info(JsonObject *cmd, JsonObject *reply)
{
	JsonArray *arr;
	GList *l;

	jo_str(reply, "ui", purple_core_get_ui());
	jo_str(reply, "purple_version", purple_core_get_version());
	jo_str(reply, "user_dir", purple_user_dir());
	jo_bool(reply, "ssl_supported", purple_ssl_is_supported());
	arr = jo_arr(reply, "search_paths");
	for (l = purple_plugins_get_search_paths(); l != NULL; l = l->next)
		ja_str(arr, l->data);
	jo_int(reply, "pid", getpid());
	return TRUE;
}

static void
add_prpl_functions(JsonObject *o, PurplePluginProtocolInfo *p)
{
	JsonArray *f = jo_arr(o, "functions");
#define HAS(member) if (PURPLE_PROTOCOL_PLUGIN_HAS_FUNC(p, member)) ja_str(f, #member)
	HAS(list_icon); HAS(list_emblem); HAS(status_text); HAS(tooltip_text);
	HAS(status_types); HAS(blist_node_menu); HAS(chat_info);
	HAS(chat_info_defaults); HAS(login); HAS(close); HAS(send_im);
	HAS(set_info); HAS(send_typing); HAS(get_info); HAS(set_status);
	HAS(set_idle); HAS(change_passwd); HAS(add_buddy); HAS(add_buddies);
	HAS(remove_buddy); HAS(remove_buddies); HAS(add_permit); HAS(add_deny);
	HAS(rem_permit); HAS(rem_deny); HAS(set_permit_deny); HAS(join_chat);
	HAS(reject_chat); HAS(get_chat_name); HAS(chat_invite); HAS(chat_leave);
	HAS(chat_whisper); HAS(chat_send); HAS(keepalive); HAS(register_user);
	HAS(get_cb_info); HAS(alias_buddy); HAS(group_buddy); HAS(rename_group);
	HAS(buddy_free); HAS(convo_closed); HAS(normalize); HAS(set_buddy_icon);
	HAS(remove_group); HAS(get_cb_real_name); HAS(set_chat_topic);
	HAS(find_blist_chat); HAS(roomlist_get_list); HAS(can_receive_file);
	HAS(send_file); HAS(new_xfer); HAS(offline_message); HAS(send_raw);
	HAS(unregister_user); HAS(send_attention); HAS(get_attention_types);
	HAS(get_account_text_table); HAS(initiate_media); HAS(get_media_caps);
	HAS(get_moods); HAS(set_public_alias); HAS(get_public_alias);
	HAS(add_buddy_with_invite); HAS(add_buddies_with_invite);
	HAS(get_cb_alias); HAS(chat_can_receive_file); HAS(chat_send_file);
#undef HAS
}

static gboolean
op_prpl_info(JsonObject *cmd, JsonObject *reply)
{
	const char *id = arg_str(cmd, "protocol");
	PurplePlugin *prpl = id != NULL ? purple_find_prpl(id) : NULL;
	PurplePluginProtocolInfo *p;
	JsonArray *opts, *splits;
	GList *l;

	if (prpl == NULL) {
		fail(reply, "no protocol plugin %s", id != NULL ? id : "(null)");
		return TRUE;
	}
	p = PURPLE_PLUGIN_PROTOCOL_INFO(prpl);
	jo_str(reply, "id", prpl->info->id);
	jo_str(reply, "name", prpl->info->name);
	jo_str(reply, "version", prpl->info->version);
	jo_str(reply, "summary", prpl->info->summary);
	jo_str(reply, "description", prpl->info->description);
	jo_str(reply, "path", prpl->path);
	jo_int(reply, "options_flags", p->options);
	jo_str(reply, "list_icon", p->list_icon != NULL ? p->list_icon(NULL, NULL) : NULL);
	jo_bool(reply, "has_actions", PURPLE_PLUGIN_HAS_ACTIONS(prpl));

	opts = jo_arr(reply, "options");
	for (l = p->protocol_options; l != NULL; l = l->next) {
		PurpleAccountOption *opt = l->data;
		JsonObject *o = json_object_new();
		PurplePrefType t = purple_account_option_get_type(opt);

		jo_str(o, "setting", purple_account_option_get_setting(opt));
		jo_str(o, "key", purple_account_option_get_setting(opt));
		jo_str(o, "text", purple_account_option_get_text(opt));
		switch (t) {
		case PURPLE_PREF_BOOLEAN:
			jo_str(o, "type", "bool");
			jo_bool(o, "default", purple_account_option_get_default_bool(opt));
			break;
		case PURPLE_PREF_INT:
			jo_str(o, "type", "int");
			jo_int(o, "default", purple_account_option_get_default_int(opt));
			break;
		case PURPLE_PREF_STRING:
			jo_str(o, "type", "string");
			jo_str(o, "default", purple_account_option_get_default_string(opt));
			jo_bool(o, "masked", purple_account_option_get_masked(opt));
			break;
		case PURPLE_PREF_STRING_LIST: {
			JsonArray *choices = jo_arr(o, "choices");
			GList *c;
			jo_str(o, "type", "list");
			jo_str(o, "default", purple_account_option_get_default_list_value(opt));
			for (c = purple_account_option_get_list(opt); c != NULL; c = c->next) {
				PurpleKeyValuePair *kvp = c->data;
				JsonObject *co = json_object_new();
				jo_str(co, "label", kvp->key);
				jo_str(co, "value", kvp->value);
				json_array_add_object_element(choices, co);
			}
			break;
		}
		default:
			jo_str(o, "type", "other");
			break;
		}
		json_array_add_object_element(opts, o);
	}
	splits = jo_arr(reply, "user_splits");
	for (l = p->user_splits; l != NULL; l = l->next) {
		PurpleAccountUserSplit *s = l->data;
		JsonObject *o = json_object_new();
		char sep[2] = { purple_account_user_split_get_separator(s), '\0' };

		jo_str(o, "text", purple_account_user_split_get_text(s));
		jo_str(o, "default", purple_account_user_split_get_default_value(s));
		jo_str(o, "separator", sep);
		jo_bool(o, "reverse", purple_account_user_split_get_reverse(s));
		json_array_add_object_element(splits, o);
	}
	add_prpl_functions(reply, p);
	return TRUE;
}

static gboolean
op_set_pref(JsonObject *cmd, JsonObject *reply)
{
	const char *name = arg_str(cmd, "name");
	JsonNode *v = json_object_get_member(cmd, "value");

	if (name == NULL || v == NULL || !JSON_NODE_HOLDS_VALUE(v)) {
		fail(reply, "set_pref needs \"name\" and a scalar \"value\"");
		return TRUE;
	}
	if (!purple_prefs_exists(name)) {
		fail(reply, "no pref %s", name);
		return TRUE;
	}
	switch (purple_prefs_get_type(name)) {
	case PURPLE_PREF_BOOLEAN:
		purple_prefs_set_bool(name, arg_bool(cmd, "value", FALSE));
		break;
	case PURPLE_PREF_INT:
		purple_prefs_set_int(name, (int)arg_int(cmd, "value", 0));
		break;
	case PURPLE_PREF_STRING:
		purple_prefs_set_string(name, arg_str(cmd, "value"));
		break;
	case PURPLE_PREF_PATH:
		purple_prefs_set_path(name, arg_str(cmd, "value"));
		break;
	default:
		fail(reply, "pref %s has an unsupported type", name);
	}
	return TRUE;
}

static GHashTable *fetches; /* PurpleUtilFetchUrlData* -> tag */

static void
fetch_url_done(PurpleUtilFetchUrlData *url_data, gpointer user_data,
               const gchar *text, gsize len, const gchar *error)
{
	JsonObject *ev = ev_new("fetch-url-done");
	gchar *tag = user_data;

	g_hash_table_remove(fetches, url_data);
	jo_str(ev, "tag", tag);
	jo_bool(ev, "ok", error == NULL);
	jo_str(ev, "error", error);
	jo_int(ev, "len", (gint64)len);
	if (text != NULL) {
		gchar *copy = g_strndup(text, MIN(len, (gsize)65536));
		jo_str(ev, "text", copy);
		g_free(copy);
	} else {
		jo_str(ev, "text", NULL);
	}
	ev_emit(ev);
	g_free(tag);
}

/* Test hook: fetch a URL through libpurple (HTTPS goes through the SSL
 * plugin and certificate verification, like the plugin's own requests). */
static gboolean
op_fetch_url(JsonObject *cmd, JsonObject *reply)
{
	const char *url = arg_str(cmd, "url");
	const char *tag = arg_str(cmd, "tag");
	PurpleUtilFetchUrlData *fetch;
	gchar *data;

	if (url == NULL) {
		fail(reply, "missing \"url\"");
		return TRUE;
	}
	data = g_strdup(tag != NULL ? tag : url);
	fetch = purple_util_fetch_url_request_len_with_account(NULL, url, TRUE,
	                              "msnp-driver", TRUE, NULL, FALSE, -1,
	                              fetch_url_done, data);
	/* NULL: failed at once and the callback has already run */
	if (fetch != NULL)
		g_hash_table_insert(fetches, fetch, data);
	return TRUE;
}

static gboolean
op_rusage(JsonObject *cmd, JsonObject *reply)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0) {
		fail(reply, "getrusage: %s", g_strerror(errno));
		return TRUE;
	}
	jo_int(reply, "utime_us", (gint64)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec);
	jo_int(reply, "stime_us", (gint64)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
	jo_int(reply, "cpu_us", (gint64)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	jo_int(reply, "maxrss_kb", ru.ru_maxrss);
	jo_int(reply, "monotonic_us", g_get_monotonic_time());
	return TRUE;
}

static void process_queue(void);
static JsonObject *sleep_reply;

static gboolean
sleep_done(gpointer data)
{
	JsonObject *reply = sleep_reply;

	sleep_reply = NULL;
	cmd_busy = FALSE;
	write_json(reply);
	process_queue();
	return FALSE;
}

/* {"op":"ticker","ms":20}: a timer that emits {"event":"tick","n":N}
 * every ms (0 stops it), to show whether the main loop kept turning
 * while the plugin worked; its events carry the time like all others. */
static guint ticker_source;
static gint64 ticker_n;

static gboolean
ticker_cb(gpointer data)
{
	JsonObject *ev = ev_new("tick");
	jo_int(ev, "n", ++ticker_n);
	ev_emit(ev);
	return TRUE;
}

static gboolean
op_ticker(JsonObject *cmd, JsonObject *reply)
{
	gint64 ms = arg_int(cmd, "ms", 0);

	if (ms < 0 || ms > 60000) {
		fail(reply, "ms out of range");
		return TRUE;
	}
	if (ticker_source != 0)
		g_source_remove(ticker_source);
	ticker_source = ms > 0 ? g_timeout_add((guint)ms, ticker_cb, NULL) : 0;
	return TRUE;
}

static gboolean
op_sleep(JsonObject *cmd, JsonObject *reply)
{
	gint64 ms = arg_int(cmd, "ms", 0);

	if (ms < 0 || ms > 600000) {
		fail(reply, "ms out of range");
		return TRUE;
	}
	sleep_reply = reply;
	cmd_busy = TRUE;
	g_timeout_add((guint)ms, sleep_done, NULL);
	return FALSE;
}

static gboolean
op_ping(JsonObject *cmd, JsonObject *reply)
{
	return TRUE;
}

static gboolean
op_quit(JsonObject *cmd, JsonObject *reply)
{
	quit_requested = TRUE;
	return TRUE;
}

static const struct {
	const char *name;
	OpFunc fn;
} op_table[] = {
	{ "add_account", op_add_account },
	{ "connect", op_connect },
	{ "disconnect", op_disconnect },
	{ "set_enabled", op_set_enabled },
	{ "remove_account", op_remove_account },
	{ "account_state", op_account_state },
	{ "statuses", op_statuses },
	{ "set_status", op_set_status },
	{ "set_idle", op_set_idle },
	{ "set_public_alias", op_set_public_alias },
	{ "get_public_alias", op_get_public_alias },
	{ "set_alias", op_set_alias },
	{ "actions", op_actions },
	{ "run_action", op_run_action },
	{ "answer_request", op_answer_request },
	{ "answer_authorize", op_answer_authorize },
	{ "pending", op_pending },
	{ "blist", op_blist },
	{ "buddy", op_buddy },
	{ "tooltip", op_tooltip },
	{ "get_info", op_get_info },
	{ "add_buddy", op_add_buddy },
	{ "remove_buddy", op_remove_buddy },
	{ "remove_buddy_everywhere", op_remove_buddy_everywhere },
	{ "move_buddy", op_move_buddy },
	{ "add_group", op_add_group },
	{ "rename_group", op_rename_group },
	{ "remove_group", op_remove_group },
	{ "alias_buddy", op_alias_buddy },
	{ "privacy", op_privacy },
	{ "privacy_mode", op_privacy_mode },
	{ "permit_add", op_permit_add },
	{ "permit_remove", op_permit_remove },
	{ "deny_add", op_deny_add },
	{ "deny_remove", op_deny_remove },
	{ "buddy_menu", op_buddy_menu },
	{ "mute", op_mute },
	{ "send_im", op_send_im },
	{ "send_typing", op_send_typing },
	{ "close_conv", op_close_conv },
	{ "conversations", op_conversations },
	{ "join_chat", op_join_chat },
	{ "chat_invite", op_chat_invite },
	{ "chat_send", op_chat_send },
	{ "send_file", op_send_file },
	{ "xfers", op_xfers },
	{ "xfer_cancel", op_xfer_cancel },
	{ "prpl_info", op_prpl_info },
	{ "plugins", op_plugins },
	{ "info", op_info },
	{ "set_pref", op_set_pref },
	{ "fetch_url", op_fetch_url },
	{ "rusage", op_rusage },
	{ "sleep", op_sleep },
	{ "ticker", op_ticker },
	{ "ping", op_ping },
	{ "quit", op_quit },
};

static void
handle_line(const char *line)
{
	JsonParser *parser = json_parser_new();
	GError *error = NULL;
	JsonObject *reply = json_object_new();
	JsonObject *cmd = NULL;
	JsonNode *root, *seq;
	const char *op = NULL;
	gboolean send = TRUE;
	gsize i;

	if (!json_parser_load_from_data(parser, line, -1, &error)) {
		jo_str(reply, "reply", NULL);
		fail(reply, "bad JSON: %s", error->message);
		g_error_free(error);
		goto out;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		jo_str(reply, "reply", NULL);
		fail(reply, "command must be a JSON object");
		goto out;
	}
	cmd = json_node_get_object(root);
	op = arg_str(cmd, "op");
	jo_str(reply, "reply", op);
	seq = json_object_get_member(cmd, "seq");
	if (seq != NULL)
		json_object_set_member(reply, "seq", json_node_copy(seq));
	jo_bool(reply, "ok", TRUE);
	if (op == NULL) {
		fail(reply, "missing \"op\"");
		goto out;
	}
	for (i = 0; i < G_N_ELEMENTS(op_table); i++) {
		if (strcmp(op_table[i].name, op) == 0) {
			send = op_table[i].fn(cmd, reply);
			goto out;
		}
	}
	fail(reply, "unknown op %s", op);
out:
	if (send)
		write_json(reply);
	g_object_unref(parser);
}

static void
process_queue(void)
{
	char *line;

	while (!cmd_busy && !quit_requested &&
	       (line = g_queue_pop_head(&cmd_queue)) != NULL) {
		g_strstrip(line);
		if (*line != '\0')
			handle_line(line);
		g_free(line);
	}
	if (quit_requested || (!cmd_busy && stdin_eof && g_queue_is_empty(&cmd_queue)))
		g_main_loop_quit(main_loop);
}

static gboolean
stdin_cb(GIOChannel *chan, GIOCondition cond, gpointer data)
{
	gboolean keep = TRUE;

	for (;;) {
		gchar *line = NULL;
		gsize len = 0;
		GError *error = NULL;
		GIOStatus st = g_io_channel_read_line(chan, &line, &len, NULL, &error);

		if (st == G_IO_STATUS_NORMAL) {
			g_queue_push_tail(&cmd_queue, line);
			continue;
		}
		g_free(line);
		if (st == G_IO_STATUS_AGAIN)
			break;
		if (st == G_IO_STATUS_ERROR) {
			g_printerr("msnp-driver: stdin: %s\n", error->message);
			g_error_free(error);
		}
		stdin_eof = TRUE;
		keep = FALSE;
		break;
	}
	process_queue();
	return keep;
}

/* ------------------------------------------------------------------ */
/* setup                                                               */

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

/* At exit, dismiss what is still open the way a user closing the dialogs
 * would: cancel callbacks for input/choice/fields/file/folder requests, the
 * "Reject"/"Cancel"/"Deny" button of action requests (e.g. libpurple's
 * certificate dialog), then close whatever is left.  This lets the
 * requesters free their state, so sanitizer leak reports stay meaningful. */
static void
dismiss_pending_requests(void)
{
	static const char *const dismiss[] = { "Reject", "Cancel", "Deny", "No", "Close" };
	GList *ids = g_hash_table_get_keys(requests), *l;

	for (l = ids; l != NULL; l = l->next) {
		DrvRequest *req = g_hash_table_lookup(requests, l->data);
		PurpleRequestType type;

		if (req == NULL) /* closed by an earlier callback */
			continue;
		type = req->type;
		switch (type) {
		case PURPLE_REQUEST_INPUT:
			if (req->cancel_cb != NULL)
				((PurpleRequestInputCb)req->cancel_cb)(req->user_data, NULL);
			break;
		case PURPLE_REQUEST_CHOICE:
			if (req->cancel_cb != NULL)
				((PurpleRequestChoiceCb)req->cancel_cb)(req->user_data, -1);
			break;
		case PURPLE_REQUEST_FIELDS:
			if (req->cancel_cb != NULL)
				((PurpleRequestFieldsCb)req->cancel_cb)(req->user_data, req->fields);
			break;
		case PURPLE_REQUEST_FILE:
		case PURPLE_REQUEST_FOLDER:
			if (req->cancel_cb != NULL)
				((PurpleRequestFileCb)req->cancel_cb)(req->user_data, NULL);
			break;
		case PURPLE_REQUEST_ACTION: {
			int found = -1;
			guint i;
			gsize d;
			for (d = 0; d < G_N_ELEMENTS(dismiss) && found < 0; d++) {
				for (i = 0; i < req->labels->len && found < 0; i++) {
					gchar *label = purple_strreplace(g_ptr_array_index(req->labels, i), "_", "");
					if (g_ascii_strcasecmp(label, dismiss[d]) == 0 &&
					    g_ptr_array_index(req->callbacks, i) != NULL)
						found = (int)i;
					g_free(label);
				}
			}
			if (found >= 0)
				((PurpleRequestActionCb)(GCallback)g_ptr_array_index(req->callbacks, found))(req->user_data, found);
			break;
		}
		default:
			break;
		}
		req = g_hash_table_lookup(requests, l->data);
		if (req != NULL)
			purple_request_close(type, req);
	}
	g_list_free(ids);
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
	while (!g_queue_is_empty(&cmd_queue))
		g_free(g_queue_pop_head(&cmd_queue));
	if (sleep_reply != NULL)
		json_object_unref(sleep_reply);
	g_io_channel_unref(in);
	g_main_loop_unref(main_loop);
	g_free(user_dir);
	g_strfreev(plugin_dirs);
	g_strfreev(trusts);
	fclose(json_out);
	return 0;
}
