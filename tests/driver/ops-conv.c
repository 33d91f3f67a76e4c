/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands on conversations: IMs, typing, chats, listing and closing. */

#include "driver.h"

gboolean
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

gboolean
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

gboolean
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

gboolean
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

gboolean
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

gboolean
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

gboolean
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
