/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands on file transfers: sending, listing and cancelling. */

#include "driver.h"

gboolean
op_send_file(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account;
	PurpleConnection *gc = find_connection(cmd, reply, &account);
	const char *to = arg_str(cmd, "to");
	const char *file = arg_str(cmd, "file");
	PurplePluginProtocolInfo *info;

	if (gc == NULL)
		return TRUE;
	if (to == NULL || file == NULL) {
		fail(reply, "send_file needs \"to\" and \"file\"");
		return TRUE;
	}
	info = account_prpl_info(account);
	if (info == NULL || info->send_file == NULL) {
		fail(reply, "protocol cannot send files");
		return TRUE;
	}
	if (info->can_receive_file != NULL && !info->can_receive_file(gc, to)) {
		fail(reply, "protocol says %s cannot receive files", to);
		return TRUE;
	}
	serv_send_file(gc, to, file);
	return TRUE;
}

/* {"op":"xfers"}: every transfer libpurple knows, newest first, with
 * progress and status. */
gboolean
op_xfers(JsonObject *cmd, JsonObject *reply)
{
	JsonArray *arr = jo_arr(reply, "xfers");
	GList *l;

	for (l = purple_xfers_get_all(); l != NULL; l = l->next) {
		PurpleXfer *xfer = l->data;
		JsonObject *o = json_object_new();

		add_xfer(o, xfer);
		jo_str(o, "status", xfer_status_name(purple_xfer_get_status(xfer)));
		json_object_set_double_member(o, "progress", purple_xfer_get_progress(xfer));
		json_array_add_object_element(arr, o);
	}
	return TRUE;
}

/* {"op":"xfer_cancel","id":acct,"who":..,"filename":..?}: cancels (as
 * the local user) the newest unfinished transfer that matches. */
gboolean
op_xfer_cancel(JsonObject *cmd, JsonObject *reply)
{
	PurpleAccount *account = find_account(cmd, reply);
	const char *who = arg_str(cmd, "who");
	const char *filename = arg_str(cmd, "filename");
	GList *l;

	if (account == NULL)
		return TRUE;
	for (l = purple_xfers_get_all(); l != NULL; l = l->next) {
		PurpleXfer *xfer = l->data;

		if (purple_xfer_get_account(xfer) != account ||
		    purple_xfer_is_completed(xfer) || purple_xfer_is_canceled(xfer))
			continue;
		if (who != NULL && g_ascii_strcasecmp(who, purple_xfer_get_remote_user(xfer)) != 0)
			continue;
		if (filename != NULL && g_strcmp0(filename, purple_xfer_get_filename(xfer)) != 0)
			continue;
		purple_xfer_cancel_local(xfer);
		return TRUE;
	}
	fail(reply, "no unfinished transfer matches");
	return TRUE;
}
