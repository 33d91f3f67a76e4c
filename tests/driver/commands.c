/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command side of the protocol: reading stdin line by line, the
 * queue that holds lines while a deferred command (sleep) runs, the
 * op table, one reply per command, reading a command's arguments, and
 * the ops on the stream itself (sleep, ping, quit). */

#include <string.h>

#include "driver.h"

static GQueue cmd_queue = G_QUEUE_INIT;
static gboolean cmd_busy;   /* a deferred command (sleep) is running */
static gboolean stdin_eof;
static gboolean quit_requested;
static JsonObject *sleep_reply; /* held by op_sleep until its timer fires */

static void process_queue(void);

const char *
arg_str(JsonObject *cmd, const char *key)
{
	JsonNode *n = json_object_get_member(cmd, key);
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
	    json_node_get_value_type(n) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(n);
}

gboolean
arg_has(JsonObject *cmd, const char *key)
{
	JsonNode *n = json_object_get_member(cmd, key);
	return n != NULL && !JSON_NODE_HOLDS_NULL(n);
}

gint64
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

gboolean
arg_bool(JsonObject *cmd, const char *key, gboolean def)
{
	JsonNode *n = json_object_get_member(cmd, key);
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return def;
	if (json_node_get_value_type(n) == G_TYPE_BOOLEAN)
		return json_node_get_boolean(n);
	return arg_int(cmd, key, def ? 1 : 0) != 0;
}

void G_GNUC_PRINTF(2, 3)
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

/* The ops that work on the command stream itself. */
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

gboolean
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

void
commands_free(void)
{
	while (!g_queue_is_empty(&cmd_queue))
		g_free(g_queue_pop_head(&cmd_queue));
	if (sleep_reply != NULL)
		json_object_unref(sleep_reply);
}
