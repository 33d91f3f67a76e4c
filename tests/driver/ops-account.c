/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands on accounts: adding (settings, HTTP proxy), connecting,
 * state, statuses, idle, aliases and the protocol's account actions. */

#include <stdlib.h>
#include <time.h>

#include "driver.h"

gboolean
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

gboolean
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

gboolean
op_disconnect(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL && !purple_account_is_disconnected(account))
		purple_account_disconnect(account);
	return TRUE;
}

gboolean
op_set_enabled(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL)
		purple_account_set_enabled(account, DRIVER_UI, arg_bool(cmd, "enabled", TRUE));
	return TRUE;
}

gboolean
op_remove_account(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL) {
		unmap_account(account);
		purple_accounts_delete(account);
	}
	return TRUE;
}

gboolean
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

gboolean
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

gboolean
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

gboolean
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

/* ok: "alias" is the alias; otherwise "error" is the reason. */
static void
emit_public_alias(const char *name, PurpleAccount *account, gboolean ok,
                  const char *text)
{
	JsonObject *ev = ev_new(name);
	jo_account(ev, account);
	jo_bool(ev, "ok", ok);
	jo_str(ev, ok ? "alias" : "error", text);
	ev_emit(ev);
}

static void
public_alias_ok(PurpleAccount *account, const char *alias)
{
	emit_public_alias("public-alias-set", account, TRUE, alias);
}

static void
public_alias_failed(PurpleAccount *account, const char *error)
{
	emit_public_alias("public-alias-set", account, FALSE, error);
}

static void
public_alias_got(PurpleAccount *account, const char *alias)
{
	emit_public_alias("public-alias", account, TRUE, alias);
}

static void
public_alias_get_failed(PurpleAccount *account, const char *error)
{
	emit_public_alias("public-alias", account, FALSE, error);
}

gboolean
op_set_public_alias(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL)
		purple_account_set_public_alias(account, arg_str(cmd, "alias"),
		                                public_alias_ok, public_alias_failed);
	return TRUE;
}

gboolean
op_get_public_alias(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);

	if (account != NULL)
		purple_account_get_public_alias(account, public_alias_got,
		                                public_alias_get_failed);
	return TRUE;
}

gboolean
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

gboolean
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

gboolean
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
