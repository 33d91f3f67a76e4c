/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conversation UI ops as events: every line written to a conversation
 * and chat membership changes. */

#include "driver.h"

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

PurpleConversationUiOps conversation_ops = {
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
