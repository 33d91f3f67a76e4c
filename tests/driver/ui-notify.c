/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Notify UI ops as events: messages, mail, formatted text, search
 * results, user info and URIs; each is "dismissed" at once. */

#include "driver.h"

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

PurpleNotifyUiOps notify_ops = {
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
