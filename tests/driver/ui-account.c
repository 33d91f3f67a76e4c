/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Account and connection UI ops as events; authorization requests
 * stay pending until the test answers them (answer_authorize). */

#include "driver.h"

GHashTable *authorizations;  /* GUINT id -> DrvAuth* */

static void
add_contact_request(JsonObject *ev, PurpleAccount *account,
                    const char *remote_user, const char *id,
                    const char *alias, const char *message)
{
	jo_account(ev, account);
	jo_str(ev, "remote_user", remote_user);
	jo_str(ev, "id", id);
	jo_str(ev, "alias", alias);
	jo_str(ev, "message", message);
}

static void
drv_notify_added(PurpleAccount *account, const char *remote_user,
                 const char *id, const char *alias, const char *message)
{
	JsonObject *ev = ev_new("notify-added");
	add_contact_request(ev, account, remote_user, id, alias, message);
	ev_emit(ev);
}

static void
drv_request_add(PurpleAccount *account, const char *remote_user,
                const char *id, const char *alias, const char *message)
{
	JsonObject *ev = ev_new("request-add");
	add_contact_request(ev, account, remote_user, id, alias, message);
	ev_emit(ev);
}

static void *
drv_request_authorize(PurpleAccount *account, const char *remote_user,
                      const char *id, const char *alias, const char *message,
                      gboolean on_list,
                      PurpleAccountRequestAuthorizationCb authorize_cb,
                      PurpleAccountRequestAuthorizationCb deny_cb,
                      void *user_data)
{
	DrvAuth *auth = g_new0(DrvAuth, 1);
	JsonObject *ev = ev_new("authorize");

	auth->id = next_request_id++;
	auth->account = account;
	auth->authorize_cb = authorize_cb;
	auth->deny_cb = deny_cb;
	auth->user_data = user_data;
	g_hash_table_insert(authorizations, GUINT_TO_POINTER(auth->id), auth);

	jo_int(ev, "request", auth->id);
	add_contact_request(ev, account, remote_user, id, alias, message);
	jo_bool(ev, "on_list", on_list);
	ev_emit(ev);
	return auth;
}

static void
drv_close_account_request(void *ui_handle)
{
	DrvAuth *auth = ui_handle;
	JsonObject *ev;

	if (auth == NULL)
		return;
	g_hash_table_steal(authorizations, GUINT_TO_POINTER(auth->id));
	ev = ev_new("authorize-closed");
	jo_int(ev, "request", auth->id);
	ev_emit(ev);
	g_free(auth);
}

PurpleAccountUiOps account_ops = {
	drv_notify_added,
	NULL, /* status_changed: reported via the account-status-changed signal */
	drv_request_add,
	drv_request_authorize,
	drv_close_account_request,
	NULL, NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* connection UI ops                                                   */

static void
drv_connect_progress(PurpleConnection *gc, const char *text, size_t step,
                     size_t step_count)
{
	JsonObject *ev = ev_new("connect-progress");
	jo_account(ev, purple_connection_get_account(gc));
	jo_str(ev, "text", text);
	jo_int(ev, "step", (gint64)step);
	jo_int(ev, "count", (gint64)step_count);
	ev_emit(ev);
}

static void
drv_connected(PurpleConnection *gc)
{
	JsonObject *ev = ev_new("connected");
	jo_account(ev, purple_connection_get_account(gc));
	ev_emit(ev);
}

static void
drv_disconnected(PurpleConnection *gc)
{
	JsonObject *ev = ev_new("disconnected");
	jo_account(ev, purple_connection_get_account(gc));
	ev_emit(ev);
}

static void
drv_connection_notice(PurpleConnection *gc, const char *text)
{
	JsonObject *ev = ev_new("connection-notice");
	jo_account(ev, purple_connection_get_account(gc));
	jo_str(ev, "text", text);
	ev_emit(ev);
}

static void
drv_report_disconnect_reason(PurpleConnection *gc, PurpleConnectionError reason,
                             const char *text)
{
	JsonObject *ev = ev_new("report-disconnect-reason");
	jo_account(ev, purple_connection_get_account(gc));
	add_connection_error(ev, reason, text);
	ev_emit(ev);
}

PurpleConnectionUiOps connection_ops = {
	drv_connect_progress,
	drv_connected,
	drv_disconnected,
	drv_connection_notice,
	NULL, /* report_disconnect: superseded by _reason */
	NULL, NULL,
	drv_report_disconnect_reason,
	NULL, NULL, NULL,
};
