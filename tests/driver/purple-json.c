/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libpurple values as JSON: enum and flag names, conversations,
 * statuses and user info, as events and replies show them. */

#include "driver.h"

const char *
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

void
add_connection_error(JsonObject *o, PurpleConnectionError e, const char *description)
{
	jo_str(o, "reason", connection_error_name(e));
	jo_int(o, "reason_code", e);
	jo_bool(o, "fatal", purple_connection_error_is_fatal(e));
	jo_str(o, "description", description);
}

void
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
void
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

const char *
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

const char *
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

void
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

void
jo_status(JsonObject *o, const char *key, PurpleStatus *status)
{
	jo_str(o, key, status != NULL ? purple_status_get_id(status) : NULL);
}

const char *
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

void
add_xfer(JsonObject *o, PurpleXfer *xfer)
{
	jo_account(o, purple_xfer_get_account(xfer));
	jo_str(o, "who", purple_xfer_get_remote_user(xfer));
	jo_str(o, "filename", purple_xfer_get_filename(xfer));
	jo_str(o, "local_filename", purple_xfer_get_local_filename(xfer));
	jo_int(o, "size", (gint64)purple_xfer_get_size(xfer));
	jo_int(o, "bytes_sent", (gint64)purple_xfer_get_bytes_sent(xfer));
	jo_str(o, "direction", purple_xfer_get_type(xfer) == PURPLE_XFER_SEND ? "send" : "receive");
}

void
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
