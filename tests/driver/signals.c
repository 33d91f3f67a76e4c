/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The libpurple signals the driver listens to, each written as an event
 * of the same name. */

#include "driver.h"

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
	add_connection_error(ev, err, desc);
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
emit_received_msg(const char *name, PurpleAccount *account, const char *sender,
                  const char *message, PurpleConversation *conv,
                  PurpleMessageFlags flags)
{
	JsonObject *ev = ev_new(name);
	jo_account(ev, account);
	jo_str(ev, "sender", sender);
	jo_str(ev, "message", message);
	jo_conv(ev, conv);
	add_message_flags(ev, "flags", flags);
	ev_emit(ev);
}

static void
sig_received_im_msg(PurpleAccount *account, char *sender, char *message,
                    PurpleConversation *conv, PurpleMessageFlags flags)
{
	emit_received_msg("received-im-msg", account, sender, message, conv, flags);
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
	emit_received_msg("received-chat-msg", account, sender, message, conv, flags);
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

static void
emit_xfer_event(const char *name, PurpleXfer *xfer)
{
	JsonObject *ev = ev_new(name);
	add_xfer(ev, xfer);
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

void
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
