/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Buddy list and privacy UI ops as events, including libpurple's own
 * blist.xml saving, announced and then passed on. */

#include "driver.h"

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

PurpleBlistUiOps blist_ops = {
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

void
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

PurplePrivacyUiOps privacy_ops = {
	drv_permit_added, drv_permit_removed, drv_deny_added, drv_deny_removed,
	NULL, NULL, NULL, NULL,
};
