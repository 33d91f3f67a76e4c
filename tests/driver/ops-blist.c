/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands on the buddy list (buddies, groups, aliases, tooltips,
 * buddy menus, user info) and on privacy lists. */

#include "driver.h"

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

gboolean
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

gboolean
op_buddy(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurpleBuddy *b;

	if (account == NULL || (b = find_buddy(account, cmd, reply)) == NULL)
		return TRUE;
	buddy_to_json(jo_obj(reply, "buddy"), b);
	return TRUE;
}

gboolean
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
gboolean
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

gboolean
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

gboolean
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

gboolean
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
gboolean
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

gboolean
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

gboolean
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

gboolean
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

gboolean
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

gboolean
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

gboolean
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

gboolean
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

gboolean op_permit_add(JsonObject *c, JsonObject *r) { return privacy_list_op(c, r, purple_privacy_permit_add); }
gboolean op_permit_remove(JsonObject *c, JsonObject *r) { return privacy_list_op(c, r, purple_privacy_permit_remove); }
gboolean op_deny_add(JsonObject *c, JsonObject *r) { return privacy_list_op(c, r, purple_privacy_deny_add); }
gboolean op_deny_remove(JsonObject *c, JsonObject *r) { return privacy_list_op(c, r, purple_privacy_deny_remove); }
