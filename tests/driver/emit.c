/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON the driver writes on its private stdout: object builders
 * that keep every string valid UTF-8, one line per object, and the
 * event envelope {"event": name, "t": monotonic us} with muting. */

#include "driver.h"

FILE *json_out;
gboolean shutting_down;

void
jo_str(JsonObject *o, const char *key, const char *val)
{
	if (val == NULL) {
		json_object_set_null_member(o, key);
	} else {
		gchar *valid = g_utf8_make_valid(val, -1);
		json_object_set_string_member(o, key, valid);
		g_free(valid);
	}
}

void
jo_int(JsonObject *o, const char *key, gint64 val)
{
	json_object_set_int_member(o, key, val);
}

void
jo_bool(JsonObject *o, const char *key, gboolean val)
{
	json_object_set_boolean_member(o, key, val ? TRUE : FALSE);
}

JsonArray *
jo_arr(JsonObject *o, const char *key)
{
	JsonArray *a = json_array_new();
	json_object_set_array_member(o, key, a);
	return a;
}

JsonObject *
jo_obj(JsonObject *o, const char *key)
{
	JsonObject *c = json_object_new();
	json_object_set_object_member(o, key, c);
	return c;
}

void
ja_str(JsonArray *a, const char *val)
{
	if (val == NULL) {
		json_array_add_null_element(a);
	} else {
		gchar *valid = g_utf8_make_valid(val, -1);
		json_array_add_string_element(a, valid);
		g_free(valid);
	}
}

void
write_json(JsonObject *o)
{
	JsonNode *node;
	JsonGenerator *gen;
	gchar *text;

	node = json_node_new(JSON_NODE_OBJECT);
	json_node_take_object(node, o);
	gen = json_generator_new();
	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	fputs(text, json_out);
	fputc('\n', json_out);
	fflush(json_out);
	g_free(text);
	g_object_unref(gen);
	json_node_unref(node);
}

JsonObject *
ev_new(const char *name)
{
	JsonObject *o = json_object_new();
	jo_str(o, "event", name);
	jo_int(o, "t", g_get_monotonic_time());
	return o;
}

/* Event names the test asked not to hear (benchmarks mute the per-buddy
 * list events so that the driver's own JSON does not dominate the CPU
 * they measure). */
GHashTable *muted_events;

void
ev_emit(JsonObject *o)
{
	if (shutting_down ||
	    (muted_events != NULL &&
	     g_hash_table_contains(muted_events, json_object_get_string_member(o, "event")))) {
		json_object_unref(o);
		return;
	}
	write_json(o);
}

/* For events made per buddy: skip building what would be dropped. */
gboolean
ev_muted(const char *name)
{
	return shutting_down ||
	       (muted_events != NULL && g_hash_table_contains(muted_events, name));
}
