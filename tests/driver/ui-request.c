/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Request UI ops (dialogs) as "request" events, kept pending until the
 * test answers them (answer_request) or libpurple closes them, and
 * dismissed at exit. */

#include "driver.h"

GHashTable *requests;        /* GUINT id -> DrvRequest* */
guint next_request_id = 1;   /* shared with authorizations */

void
drv_request_free(DrvRequest *req)
{
	if (req->labels != NULL)
		g_ptr_array_free(req->labels, TRUE);
	if (req->values != NULL)
		g_array_free(req->values, TRUE);
	if (req->callbacks != NULL)
		g_ptr_array_free(req->callbacks, TRUE);
	g_free(req);
}

static DrvRequest *
drv_request_new(PurpleRequestType type, JsonObject **ev_out,
                const char *title, const char *primary,
                const char *secondary, PurpleAccount *account,
                const char *who, PurpleConversation *conv,
                GCallback ok_cb, GCallback cancel_cb, void *user_data)
{
	DrvRequest *req = g_new0(DrvRequest, 1);
	JsonObject *ev = ev_new("request");

	req->id = next_request_id++;
	req->type = type;
	req->account = account;
	req->ok_cb = ok_cb;
	req->cancel_cb = cancel_cb;
	req->user_data = user_data;
	g_hash_table_insert(requests, GUINT_TO_POINTER(req->id), req);

	jo_int(ev, "request", req->id);
	jo_str(ev, "kind", request_type_name(type));
	jo_str(ev, "title", title);
	jo_str(ev, "primary", primary);
	jo_str(ev, "secondary", secondary);
	jo_account(ev, account);
	jo_str(ev, "who", who);
	jo_str(ev, "conv", conv != NULL ? purple_conversation_get_name(conv) : NULL);
	*ev_out = ev;
	return req;
}

/* The buttons a test may name in answer_request. */
static void
add_actions(JsonObject *ev, const char *ok_text, const char *cancel_text)
{
	JsonArray *acts = jo_arr(ev, "actions");

	ja_str(acts, ok_text);
	ja_str(acts, cancel_text);
}

static void
add_ok_cancel(JsonObject *ev, const char *ok_text, const char *cancel_text)
{
	jo_str(ev, "ok_text", ok_text);
	jo_str(ev, "cancel_text", cancel_text);
	add_actions(ev, ok_text, cancel_text);
}

static void *
drv_request_input(const char *title, const char *primary,
                  const char *secondary, const char *default_value,
                  gboolean multiline, gboolean masked, gchar *hint,
                  const char *ok_text, GCallback ok_cb,
                  const char *cancel_text, GCallback cancel_cb,
                  PurpleAccount *account, const char *who,
                  PurpleConversation *conv, void *user_data)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_INPUT, &ev, title,
	                                  primary, secondary, account, who, conv,
	                                  ok_cb, cancel_cb, user_data);

	jo_str(ev, "default", default_value);
	jo_bool(ev, "multiline", multiline);
	jo_bool(ev, "masked", masked);
	jo_str(ev, "hint", hint);
	add_ok_cancel(ev, ok_text, cancel_text);
	ev_emit(ev);
	return req;
}

static void *
drv_request_choice(const char *title, const char *primary,
                   const char *secondary, int default_value,
                   const char *ok_text, GCallback ok_cb,
                   const char *cancel_text, GCallback cancel_cb,
                   PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data,
                   va_list choices)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_CHOICE, &ev, title,
	                                  primary, secondary, account, who, conv,
	                                  ok_cb, cancel_cb, user_data);
	JsonArray *arr;
	const char *label;

	req->labels = g_ptr_array_new_with_free_func(g_free);
	req->values = g_array_new(FALSE, FALSE, sizeof(int));
	arr = jo_arr(ev, "choices");
	while ((label = va_arg(choices, const char *)) != NULL) {
		int value = va_arg(choices, int);
		JsonObject *c = json_object_new();

		g_ptr_array_add(req->labels, g_strdup(label));
		g_array_append_val(req->values, value);
		jo_str(c, "label", label);
		jo_int(c, "value", value);
		json_array_add_object_element(arr, c);
	}
	jo_int(ev, "default", default_value);
	add_ok_cancel(ev, ok_text, cancel_text);
	ev_emit(ev);
	return req;
}

static void *
drv_request_action_with_icon(const char *title, const char *primary,
                             const char *secondary, int default_action,
                             PurpleAccount *account, const char *who,
                             PurpleConversation *conv,
                             gconstpointer icon_data, gsize icon_size,
                             void *user_data, size_t action_count,
                             va_list actions)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_ACTION, &ev, title,
	                                  primary, secondary, account, who, conv,
	                                  NULL, NULL, user_data);
	JsonArray *arr;
	size_t i;

	req->labels = g_ptr_array_new_with_free_func(g_free);
	req->callbacks = g_ptr_array_new();
	arr = jo_arr(ev, "actions");
	for (i = 0; i < action_count; i++) {
		const char *label = va_arg(actions, const char *);
		GCallback cb = va_arg(actions, GCallback);

		g_ptr_array_add(req->labels, g_strdup(label));
		g_ptr_array_add(req->callbacks, (gpointer)cb);
		ja_str(arr, label);
	}
	jo_int(ev, "default", default_action);
	jo_bool(ev, "has_icon", icon_data != NULL && icon_size > 0);
	ev_emit(ev);
	return req;
}

static void *
drv_request_action(const char *title, const char *primary,
                   const char *secondary, int default_action,
                   PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data,
                   size_t action_count, va_list actions)
{
	return drv_request_action_with_icon(title, primary, secondary,
	                                    default_action, account, who, conv,
	                                    NULL, 0, user_data, action_count,
	                                    actions);
}

static void
add_fields(JsonObject *ev, PurpleRequestFields *fields)
{
	JsonArray *arr = jo_arr(ev, "fields");
	GList *g, *f, *l;

	for (g = purple_request_fields_get_groups(fields); g != NULL; g = g->next) {
		PurpleRequestFieldGroup *group = g->data;

		for (f = purple_request_field_group_get_fields(group); f != NULL; f = f->next) {
			PurpleRequestField *field = f->data;
			PurpleRequestFieldType t = purple_request_field_get_type(field);
			JsonObject *fo = json_object_new();

			jo_str(fo, "id", purple_request_field_get_id(field));
			jo_str(fo, "label", purple_request_field_get_label(field));
			jo_str(fo, "type", field_type_name(t));
			jo_str(fo, "group", purple_request_field_group_get_title(group));
			jo_bool(fo, "required", purple_request_field_is_required(field));
			jo_bool(fo, "visible", purple_request_field_is_visible(field));
			jo_str(fo, "type_hint", purple_request_field_get_type_hint(field));
			switch (t) {
			case PURPLE_REQUEST_FIELD_STRING:
				jo_str(fo, "value", purple_request_field_string_get_value(field));
				jo_str(fo, "default", purple_request_field_string_get_default_value(field));
				jo_bool(fo, "masked", purple_request_field_string_is_masked(field));
				jo_bool(fo, "multiline", purple_request_field_string_is_multiline(field));
				jo_bool(fo, "editable", purple_request_field_string_is_editable(field));
				break;
			case PURPLE_REQUEST_FIELD_INTEGER:
				jo_int(fo, "value", purple_request_field_int_get_value(field));
				jo_int(fo, "default", purple_request_field_int_get_default_value(field));
				break;
			case PURPLE_REQUEST_FIELD_BOOLEAN:
				jo_bool(fo, "value", purple_request_field_bool_get_value(field));
				jo_bool(fo, "default", purple_request_field_bool_get_default_value(field));
				break;
			case PURPLE_REQUEST_FIELD_CHOICE: {
				JsonArray *labels = jo_arr(fo, "choices");
				for (l = purple_request_field_choice_get_labels(field); l != NULL; l = l->next)
					ja_str(labels, l->data);
				jo_int(fo, "value", purple_request_field_choice_get_value(field));
				jo_int(fo, "default", purple_request_field_choice_get_default_value(field));
				break;
			}
			case PURPLE_REQUEST_FIELD_LIST: {
				JsonArray *items = jo_arr(fo, "items");
				JsonArray *sel = jo_arr(fo, "selected");
				for (l = purple_request_field_list_get_items(field); l != NULL; l = l->next)
					ja_str(items, l->data);
				for (l = purple_request_field_list_get_selected(field); l != NULL; l = l->next)
					ja_str(sel, l->data);
				jo_bool(fo, "multiple", purple_request_field_list_get_multi_select(field));
				break;
			}
			case PURPLE_REQUEST_FIELD_ACCOUNT:
				jo_str(fo, "value", acct_id(purple_request_field_account_get_value(field)));
				break;
			default:
				break;
			}
			json_array_add_object_element(arr, fo);
		}
	}
}

static void *
drv_request_fields(const char *title, const char *primary,
                   const char *secondary, PurpleRequestFields *fields,
                   const char *ok_text, GCallback ok_cb,
                   const char *cancel_text, GCallback cancel_cb,
                   PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_FIELDS, &ev, title,
	                                  primary, secondary, account, who, conv,
	                                  ok_cb, cancel_cb, user_data);

	req->fields = fields;
	add_ok_cancel(ev, ok_text, cancel_text);
	add_fields(ev, fields);
	ev_emit(ev);
	return req;
}

static void *
drv_request_file(const char *title, const char *filename, gboolean savedialog,
                 GCallback ok_cb, GCallback cancel_cb, PurpleAccount *account,
                 const char *who, PurpleConversation *conv, void *user_data)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_FILE, &ev, title, NULL,
	                                  NULL, account, who, conv,
	                                  ok_cb, cancel_cb, user_data);

	jo_str(ev, "filename", filename);
	jo_bool(ev, "savedialog", savedialog);
	add_actions(ev, "OK", "Cancel");
	ev_emit(ev);
	return req;
}

static void *
drv_request_folder(const char *title, const char *dirname, GCallback ok_cb,
                   GCallback cancel_cb, PurpleAccount *account,
                   const char *who, PurpleConversation *conv, void *user_data)
{
	JsonObject *ev;
	DrvRequest *req = drv_request_new(PURPLE_REQUEST_FOLDER, &ev, title, NULL,
	                                  NULL, account, who, conv,
	                                  ok_cb, cancel_cb, user_data);

	jo_str(ev, "dirname", dirname);
	add_actions(ev, "OK", "Cancel");
	ev_emit(ev);
	return req;
}

static void
drv_close_request(PurpleRequestType type, void *ui_handle)
{
	DrvRequest *req = ui_handle;
	JsonObject *ev;

	if (req == NULL)
		return;
	g_hash_table_steal(requests, GUINT_TO_POINTER(req->id));
	ev = ev_new("request-closed");
	jo_int(ev, "request", req->id);
	jo_str(ev, "kind", request_type_name(type));
	ev_emit(ev);
	drv_request_free(req);
}

PurpleRequestUiOps request_ops = {
	drv_request_input,
	drv_request_choice,
	drv_request_action,
	drv_request_fields,
	drv_request_file,
	drv_close_request,
	drv_request_folder,
	drv_request_action_with_icon,
	NULL, /* screenshare */
	NULL, NULL,
};

/* At exit, dismiss what is still open the way a user closing the dialogs
 * would: cancel callbacks for input/choice/fields/file/folder requests, the
 * "Reject"/"Cancel"/"Deny" button of action requests (e.g. libpurple's
 * certificate dialog), then close whatever is left.  This lets the
 * requesters free their state, so sanitizer leak reports stay meaningful. */
void
dismiss_pending_requests(void)
{
	static const char *const dismiss[] = { "Reject", "Cancel", "Deny", "No", "Close" };
	GList *ids = g_hash_table_get_keys(requests), *l;

	for (l = ids; l != NULL; l = l->next) {
		DrvRequest *req = g_hash_table_lookup(requests, l->data);
		PurpleRequestType type;

		if (req == NULL) /* closed by an earlier callback */
			continue;
		type = req->type;
		switch (type) {
		case PURPLE_REQUEST_INPUT:
			if (req->cancel_cb != NULL)
				((PurpleRequestInputCb)req->cancel_cb)(req->user_data, NULL);
			break;
		case PURPLE_REQUEST_CHOICE:
			if (req->cancel_cb != NULL)
				((PurpleRequestChoiceCb)req->cancel_cb)(req->user_data, -1);
			break;
		case PURPLE_REQUEST_FIELDS:
			if (req->cancel_cb != NULL)
				((PurpleRequestFieldsCb)req->cancel_cb)(req->user_data, req->fields);
			break;
		case PURPLE_REQUEST_FILE:
		case PURPLE_REQUEST_FOLDER:
			if (req->cancel_cb != NULL)
				((PurpleRequestFileCb)req->cancel_cb)(req->user_data, NULL);
			break;
		case PURPLE_REQUEST_ACTION: {
			int found = -1;
			guint i;
			gsize d;
			for (d = 0; d < G_N_ELEMENTS(dismiss) && found < 0; d++) {
				for (i = 0; i < req->labels->len && found < 0; i++) {
					gchar *label = purple_strreplace(g_ptr_array_index(req->labels, i), "_", "");
					if (g_ascii_strcasecmp(label, dismiss[d]) == 0 &&
					    g_ptr_array_index(req->callbacks, i) != NULL)
						found = (int)i;
					g_free(label);
				}
			}
			if (found >= 0)
				((PurpleRequestActionCb)(GCallback)g_ptr_array_index(req->callbacks, found))(req->user_data, found);
			break;
		}
		default:
			break;
		}
		req = g_hash_table_lookup(requests, l->data);
		if (req != NULL)
			purple_request_close(type, req);
	}
	g_list_free(ids);
}
gboolean
account_has_request(PurpleAccount *account)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, requests);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((DrvRequest *)v)->account == account)
			return TRUE;
	return FALSE;
}
