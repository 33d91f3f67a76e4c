/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Introspection and test hooks: plugins, core info, a protocol's
 * capabilities, prefs, URL fetches, CPU usage, event muting and the
 * main-loop ticker. */

#include <errno.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include "driver.h"

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

gboolean
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

gboolean
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

gboolean
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

gboolean
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

GHashTable *fetches; /* PurpleUtilFetchUrlData* -> tag */

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
gboolean
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

gboolean
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

/* {"op":"mute","events":["blist-node-added",…]}: stop emitting those
 * events (an empty list unmutes all). */
gboolean
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

gboolean
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
