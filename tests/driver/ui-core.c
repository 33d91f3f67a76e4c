/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Core, event loop and idle UI ops: libpurple runs on the GLib main
 * loop, and the driver never reports itself idle. */

#include "driver.h"

GHashTable *ui_info;

#define DRV_READ_COND  (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define DRV_WRITE_COND (G_IO_OUT | G_IO_HUP | G_IO_ERR)

typedef struct {
	PurpleInputFunction func;
	gpointer data;
	int fd;
} DrvInput;

static gboolean
drv_input_invoke(GIOChannel *source, GIOCondition cond, gpointer data)
{
	DrvInput *in = data;
	PurpleInputCondition pc = 0;

	if (cond & G_IO_NVAL) {
		JsonObject *ev = ev_new("driver-warning");
		jo_str(ev, "message", "input watch on a closed file descriptor "
		       "(purple_input_remove missing before close?)");
		jo_int(ev, "fd", in->fd);
		ev_emit(ev);
		g_warning("input watch on closed fd %d removed", in->fd);
		return FALSE;
	}
	if (cond & DRV_READ_COND)
		pc |= PURPLE_INPUT_READ;
	if (cond & DRV_WRITE_COND)
		pc |= PURPLE_INPUT_WRITE;
	in->func(in->data, g_io_channel_unix_get_fd(source), pc);
	return TRUE;
}

static guint
drv_input_add(gint fd, PurpleInputCondition cond, PurpleInputFunction func,
              gpointer data)
{
	DrvInput *in = g_new0(DrvInput, 1);
	GIOChannel *chan;
	GIOCondition gcond = G_IO_NVAL;
	guint id;

	in->func = func;
	in->data = data;
	in->fd = fd;
	if (cond & PURPLE_INPUT_READ)
		gcond |= DRV_READ_COND;
	if (cond & PURPLE_INPUT_WRITE)
		gcond |= DRV_WRITE_COND;
	chan = g_io_channel_unix_new(fd);
	id = g_io_add_watch_full(chan, G_PRIORITY_DEFAULT, gcond,
	                         drv_input_invoke, in, g_free);
	g_io_channel_unref(chan);
	return id;
}

static gboolean
drv_source_remove(guint handle)
{
	GSource *src;

	if (handle == 0)
		return FALSE;
	src = g_main_context_find_source_by_id(NULL, handle);
	if (src == NULL) {
		/* already gone: e.g. a watch we dropped after G_IO_NVAL */
		return FALSE;
	}
	g_source_destroy(src);
	return TRUE;
}

PurpleEventLoopUiOps eventloop_ops = {
	g_timeout_add,
	g_source_remove,
	drv_input_add,
	drv_source_remove,
	NULL, /* input_get_error: libpurple's getsockopt default */
	g_timeout_add_seconds,
	NULL, NULL, NULL,
};

/* ------------------------------------------------------------------ */
/* core / idle UI ops                                                  */

static GHashTable *
drv_get_ui_info(void)
{
	if (ui_info == NULL) {
		ui_info = g_hash_table_new(g_str_hash, g_str_equal);
		g_hash_table_insert(ui_info, "name", "msnp test driver");
		g_hash_table_insert(ui_info, "version", "0");
		g_hash_table_insert(ui_info, "website", "about:blank");
		g_hash_table_insert(ui_info, "client_type", "bot");
	}
	return ui_info;
}

PurpleCoreUiOps core_ops = {
	NULL, NULL, NULL, NULL,
	drv_get_ui_info,
	NULL, NULL, NULL,
};

static time_t
drv_get_time_idle(void)
{
	return 0;
}

PurpleIdleUiOps idle_ops = {
	drv_get_time_idle,
	NULL, NULL, NULL, NULL,
};
