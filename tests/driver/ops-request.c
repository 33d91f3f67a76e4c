/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Commands that answer pending requests and authorizations, and list
 * what is pending. */

#include "driver.h"

static int
match_label(GPtrArray *labels, JsonNode *n, int fallback_count)
{
	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
		return -1;
	if (json_node_get_value_type(n) == G_TYPE_STRING) {
		const char *want = json_node_get_string(n);
		guint i;

		if (labels != NULL) {
			for (i = 0; i < labels->len; i++) {
				const char *l = g_ptr_array_index(labels, i);
				gchar *stripped;
				gboolean eq;

				if (l == NULL)
					continue;
				if (g_ascii_strcasecmp(l, want) == 0)
					return (int)i;
				/* also accept labels without GTK mnemonic
				 * underscores: "_View Certificate..." */
				stripped = purple_strreplace(l, "_", "");
				eq = g_ascii_strcasecmp(stripped, want) == 0;
				g_free(stripped);
				if (eq)
					return (int)i;
			}
		}
		if (g_ascii_strcasecmp(want, "ok") == 0 ||
		    g_ascii_strcasecmp(want, "accept") == 0)
			return 0;
		if (g_ascii_strcasecmp(want, "cancel") == 0 && fallback_count >= 2)
			return 1;
		return -1;
	}
	{
		gint64 v = json_node_get_int(n);
		if (v < 0 || v >= fallback_count)
			return -1;
		return (int)v;
	}
}

static gboolean
set_field_value(PurpleRequestFields *fields, const char *id, JsonNode *v,
                JsonObject *reply)
{
	PurpleRequestField *field = purple_request_fields_get_field(fields, id);

	if (field == NULL) {
		fail(reply, "no request field %s", id);
		return FALSE;
	}
	switch (purple_request_field_get_type(field)) {
	case PURPLE_REQUEST_FIELD_STRING:
		if (JSON_NODE_HOLDS_NULL(v))
			purple_request_field_string_set_value(field, NULL);
		else if (json_node_get_value_type(v) == G_TYPE_STRING)
			purple_request_field_string_set_value(field, json_node_get_string(v));
		else {
			gchar *s = g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(v));
			purple_request_field_string_set_value(field, s);
			g_free(s);
		}
		return TRUE;
	case PURPLE_REQUEST_FIELD_INTEGER:
		purple_request_field_int_set_value(field, (int)json_node_get_int(v));
		return TRUE;
	case PURPLE_REQUEST_FIELD_BOOLEAN:
		purple_request_field_bool_set_value(field, json_node_get_boolean(v));
		return TRUE;
	case PURPLE_REQUEST_FIELD_CHOICE:
		if (json_node_get_value_type(v) == G_TYPE_STRING) {
			GList *l;
			int i = 0;
			for (l = purple_request_field_choice_get_labels(field); l != NULL; l = l->next, i++) {
				if (g_strcmp0(l->data, json_node_get_string(v)) == 0) {
					purple_request_field_choice_set_value(field, i);
					return TRUE;
				}
			}
			fail(reply, "field %s has no choice %s", id, json_node_get_string(v));
			return FALSE;
		}
		purple_request_field_choice_set_value(field, (int)json_node_get_int(v));
		return TRUE;
	case PURPLE_REQUEST_FIELD_LIST:
		purple_request_field_list_clear_selected(field);
		if (JSON_NODE_HOLDS_ARRAY(v)) {
			JsonArray *a = json_node_get_array(v);
			guint i;
			for (i = 0; i < json_array_get_length(a); i++)
				purple_request_field_list_add_selected(field, json_array_get_string_element(a, i));
		} else if (JSON_NODE_HOLDS_VALUE(v)) {
			purple_request_field_list_add_selected(field, json_node_get_string(v));
		}
		return TRUE;
	case PURPLE_REQUEST_FIELD_ACCOUNT: {
		const char *aid = JSON_NODE_HOLDS_VALUE(v) ? json_node_get_string(v) : NULL;
		PurpleAccount *a = aid != NULL ? g_hash_table_lookup(accounts_by_id, aid) : NULL;
		if (a == NULL) {
			fail(reply, "field %s: no account %s", id, aid != NULL ? aid : "(null)");
			return FALSE;
		}
		purple_request_field_account_set_value(field, a);
		return TRUE;
	}
	default:
		fail(reply, "field %s cannot be set", id);
		return FALSE;
	}
}

gboolean
op_answer_request(JsonObject *cmd, JsonObject *reply)
{
	guint id = (guint)arg_int(cmd, "request", 0);
	DrvRequest *req = g_hash_table_lookup(requests, GUINT_TO_POINTER(id));
	JsonNode *action = json_object_get_member(cmd, "action");
	PurpleRequestType type;
	int index;

	if (req == NULL) {
		fail(reply, "no pending request %u", id);
		return TRUE;
	}
	type = req->type;

	switch (type) {
	case PURPLE_REQUEST_ACTION:
		index = match_label(req->labels, action, (int)req->labels->len);
		if (action == NULL && req->labels->len > 0)
			index = -1;
		if (index < 0) {
			fail(reply, "request %u: unknown action", id);
			return TRUE;
		}
		jo_int(reply, "index", index);
		jo_str(reply, "label", g_ptr_array_index(req->labels, index));
		if (g_ptr_array_index(req->callbacks, index) != NULL)
			((PurpleRequestActionCb)(GCallback)g_ptr_array_index(req->callbacks, index))(req->user_data, index);
		break;

	case PURPLE_REQUEST_INPUT: {
		const char *text = arg_str(cmd, "text");
		index = action != NULL ? match_label(NULL, action, 2) : 0;
		if (index < 0) {
			fail(reply, "request %u: action must be ok/cancel or 0/1", id);
			return TRUE;
		}
		if (index == 0) {
			if (req->ok_cb != NULL)
				((PurpleRequestInputCb)req->ok_cb)(req->user_data, text != NULL ? text : "");
		} else if (req->cancel_cb != NULL) {
			((PurpleRequestInputCb)req->cancel_cb)(req->user_data, text);
		}
		break;
	}

	case PURPLE_REQUEST_CHOICE: {
		JsonNode *choice = json_object_get_member(cmd, "choice");
		int value;
		index = action != NULL ? match_label(NULL, action, 2) : 0;
		if (index < 0) {
			fail(reply, "request %u: action must be ok/cancel or 0/1", id);
			return TRUE;
		}
		if (choice == NULL) {
			fail(reply, "request %u: \"choice\" (label or index) needed", id);
			return TRUE;
		}
		{
			int ci = match_label(req->labels, choice, (int)req->labels->len);
			if (ci < 0 || (guint)ci >= req->values->len) {
				fail(reply, "request %u: unknown choice", id);
				return TRUE;
			}
			value = g_array_index(req->values, int, ci);
		}
		jo_int(reply, "value", value);
		if (index == 0 && req->ok_cb != NULL)
			((PurpleRequestChoiceCb)req->ok_cb)(req->user_data, value);
		else if (index == 1 && req->cancel_cb != NULL)
			((PurpleRequestChoiceCb)req->cancel_cb)(req->user_data, value);
		break;
	}

	case PURPLE_REQUEST_FIELDS: {
		JsonNode *fv = json_object_get_member(cmd, "fields");
		index = action != NULL ? match_label(NULL, action, 2) : 0;
		if (index < 0) {
			fail(reply, "request %u: action must be ok/cancel or 0/1", id);
			return TRUE;
		}
		if (fv != NULL && JSON_NODE_HOLDS_OBJECT(fv)) {
			JsonObject *fo = json_node_get_object(fv);
			GList *members = json_object_get_members(fo), *l;
			gboolean good = TRUE;
			for (l = members; l != NULL && good; l = l->next)
				good = set_field_value(req->fields, l->data,
				                       json_object_get_member(fo, l->data), reply);
			g_list_free(members);
			if (!good)
				return TRUE;
		}
		if (index == 0) {
			if (!purple_request_fields_all_required_filled(req->fields)) {
				fail(reply, "request %u: required fields are empty", id);
				return TRUE;
			}
			if (req->ok_cb != NULL)
				((PurpleRequestFieldsCb)req->ok_cb)(req->user_data, req->fields);
		} else if (req->cancel_cb != NULL) {
			((PurpleRequestFieldsCb)req->cancel_cb)(req->user_data, req->fields);
		}
		break;
	}

	case PURPLE_REQUEST_FILE:
	case PURPLE_REQUEST_FOLDER: {
		const char *path = arg_str(cmd, "path");
		index = action != NULL ? match_label(NULL, action, 2) : (path != NULL ? 0 : 1);
		if (index < 0) {
			fail(reply, "request %u: action must be ok/cancel or 0/1", id);
			return TRUE;
		}
		if (index == 0 && path == NULL) {
			fail(reply, "request %u: \"path\" needed", id);
			return TRUE;
		}
		if (index == 0 && req->ok_cb != NULL)
			((PurpleRequestFileCb)req->ok_cb)(req->user_data, path);
		else if (index == 1 && req->cancel_cb != NULL)
			((PurpleRequestFileCb)req->cancel_cb)(req->user_data, NULL);
		break;
	}

	default:
		fail(reply, "request %u of kind %s cannot be answered", id, request_type_name(type));
		return TRUE;
	}

	/* The callback may have closed the request itself (then it is gone
	 * from our table and freed); otherwise tell libpurple we are done,
	 * exactly as a GUI closes its dialog after running the callback. */
	req = g_hash_table_lookup(requests, GUINT_TO_POINTER(id));
	if (req != NULL)
		purple_request_close(type, req);
	req = g_hash_table_lookup(requests, GUINT_TO_POINTER(id));
	if (req != NULL) {
		/* libpurple did not know the handle: free it ourselves */
		g_hash_table_steal(requests, GUINT_TO_POINTER(id));
		drv_request_free(req);
	}
	return TRUE;
}

gboolean
op_answer_authorize(JsonObject *cmd, JsonObject *reply)
{
	guint id = (guint)arg_int(cmd, "request", 0);
	DrvAuth *auth = g_hash_table_lookup(authorizations, GUINT_TO_POINTER(id));
	gboolean accept = arg_bool(cmd, "accept", TRUE);

	if (auth == NULL) {
		fail(reply, "no pending authorization %u", id);
		return TRUE;
	}
	g_hash_table_steal(authorizations, GUINT_TO_POINTER(id));
	if (accept && auth->authorize_cb != NULL)
		auth->authorize_cb(auth->user_data);
	else if (!accept && auth->deny_cb != NULL)
		auth->deny_cb(auth->user_data);
	g_free(auth);
	return TRUE;
}

gboolean
op_pending(JsonObject *cmd, JsonObject *reply)
{
	JsonArray *r = jo_arr(reply, "requests");
	JsonArray *a = jo_arr(reply, "authorizations");
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, requests);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		JsonObject *o = json_object_new();
		jo_int(o, "request", GPOINTER_TO_UINT(k));
		jo_str(o, "kind", request_type_name(((DrvRequest *)v)->type));
		json_array_add_object_element(r, o);
	}
	g_hash_table_iter_init(&it, authorizations);
	while (g_hash_table_iter_next(&it, &k, &v))
		json_array_add_int_element(a, GPOINTER_TO_UINT(k));
	return TRUE;
}
