/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the parts of msnp-driver share (private to tests/driver/).
 *
 * Everything runs on one thread, in the GLib main loop that main() runs:
 * libpurple's event loop UI ops are GLib sources, stdin is a GLib watch,
 * so no state here needs a lock.  Each global is defined in, and owned by,
 * the file named above it; main() creates the hash tables before
 * purple_core_init() and frees them after purple_core_quit().
 */
#ifndef MSNP_DRIVER_H
#define MSNP_DRIVER_H

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <purple.h>

/* The UI id given to libpurple; account "enabled" flags are kept per UI. */
#define DRIVER_UI "msnp-test"

/* msnp-driver.c */
extern GMainLoop *main_loop;
extern int driver_handle; /* address used as signal / request handle */

/* emit.c: the private stdout (main opens it), and the flag main sets
 * before teardown so that nothing more is written. */
extern FILE *json_out;
extern gboolean shutting_down;
extern GHashTable *muted_events; /* event name set, from op_mute */

void jo_str(JsonObject *o, const char *key, const char *val);
void jo_int(JsonObject *o, const char *key, gint64 val);
void jo_bool(JsonObject *o, const char *key, gboolean val);
JsonArray *jo_arr(JsonObject *o, const char *key);
JsonObject *jo_obj(JsonObject *o, const char *key);
void ja_str(JsonArray *a, const char *val);
/* Writes one line and takes ownership of o. */
void write_json(JsonObject *o);
JsonObject *ev_new(const char *name);
/* Writes the event unless muted or shutting down; takes ownership of o. */
void ev_emit(JsonObject *o);
gboolean ev_muted(const char *name);

/* purple-json.c */
const char *connection_error_name(PurpleConnectionError e);
/* reason, reason_code, fatal, description */
void add_connection_error(JsonObject *o, PurpleConnectionError e, const char *description);
void add_message_flags(JsonObject *o, const char *key, PurpleMessageFlags flags);
void add_connection_flags(JsonObject *o, const char *key, PurpleConnectionFlags flags);
const char *request_type_name(PurpleRequestType t);
const char *field_type_name(PurpleRequestFieldType t);
const char *xfer_status_name(PurpleXferStatusType status);
/* account, who, filename, local_filename, size, bytes_sent, direction */
void add_xfer(JsonObject *o, PurpleXfer *xfer);
void jo_conv(JsonObject *o, PurpleConversation *conv);
void jo_status(JsonObject *o, const char *key, PurpleStatus *status);
void add_userinfo(JsonObject *o, PurpleNotifyUserInfo *info);

/* commands.c: an op fills in reply and returns TRUE to have it sent now,
 * or FALSE when it keeps reply and sends it later (sleep). */
typedef gboolean (*OpFunc)(JsonObject *cmd, JsonObject *reply);

const char *arg_str(JsonObject *cmd, const char *key);
gboolean arg_has(JsonObject *cmd, const char *key);
gint64 arg_int(JsonObject *cmd, const char *key, gint64 def);
gboolean arg_bool(JsonObject *cmd, const char *key, gboolean def);
void G_GNUC_PRINTF(2, 3) fail(JsonObject *reply, const char *fmt, ...);
gboolean stdin_cb(GIOChannel *chan, GIOCondition cond, gpointer data);
/* Frees the lines still queued and a sleep's unsent reply. */
void commands_free(void);

/* account-map.c: accounts_by_id borrows its keys from ids_by_account. */
extern GHashTable *accounts_by_id;  /* char *id -> PurpleAccount* */
extern GHashTable *ids_by_account;  /* PurpleAccount* -> char *id */

const char *acct_id(PurpleAccount *account);
void jo_account(JsonObject *o, PurpleAccount *account);
void map_account(const char *id, PurpleAccount *account);
void unmap_account(PurpleAccount *account);
PurpleAccount *find_account(JsonObject *cmd, JsonObject *reply);
PurpleConnection *find_connection(JsonObject *cmd, JsonObject *reply,
                                  PurpleAccount **out_account);
PurplePluginProtocolInfo *account_prpl_info(PurpleAccount *account);

/* ui-core.c */
extern GHashTable *ui_info;
extern PurpleEventLoopUiOps eventloop_ops;
extern PurpleCoreUiOps core_ops;
extern PurpleIdleUiOps idle_ops;

/* ui-account.c: a pending authorization, until answered or closed. */
typedef struct {
	guint id;
	PurpleAccount *account;
	PurpleAccountRequestAuthorizationCb authorize_cb;
	PurpleAccountRequestAuthorizationCb deny_cb;
	void *user_data;
} DrvAuth;

extern GHashTable *authorizations;  /* GUINT id -> DrvAuth* (owned) */
extern PurpleAccountUiOps account_ops;
extern PurpleConnectionUiOps connection_ops;

/* ui-notify.c */
extern PurpleNotifyUiOps notify_ops;

/* ui-request.c: a pending request (dialog), until answered or closed. */
typedef struct {
	guint id;
	PurpleRequestType type;
	PurpleAccount *account;
	GCallback ok_cb;
	GCallback cancel_cb;
	void *user_data;
	/* choice: labels + values; action: labels + callbacks */
	GPtrArray *labels;      /* char* */
	GArray *values;         /* int (choice) */
	GPtrArray *callbacks;   /* GCallback (action) */
	PurpleRequestFields *fields;
} DrvRequest;

extern GHashTable *requests;        /* GUINT id -> DrvRequest* (owned) */
extern guint next_request_id;       /* numbers requests and authorizations */
extern PurpleRequestUiOps request_ops;

void drv_request_free(DrvRequest *req);
gboolean account_has_request(PurpleAccount *account);
void dismiss_pending_requests(void);

/* ui-conv.c */
extern PurpleConversationUiOps conversation_ops;

/* ui-blist.c */
extern PurpleBlistUiOps blist_ops;
extern PurplePrivacyUiOps privacy_ops;
/* After purple_blist_set_ui_ops(): wraps libpurple's saving in events. */
void drv_blist_announce_saves(void);

/* signals.c */
void connect_signals(void);

/* ops-misc.c */
extern GHashTable *fetches; /* PurpleUtilFetchUrlData* -> tag (owned) */

/* The ops, by area (commands.c's op_table names them). */

/* ops-account.c */
gboolean op_add_account(JsonObject *cmd, JsonObject *reply);
gboolean op_connect(JsonObject *cmd, JsonObject *reply);
gboolean op_disconnect(JsonObject *cmd, JsonObject *reply);
gboolean op_set_enabled(JsonObject *cmd, JsonObject *reply);
gboolean op_remove_account(JsonObject *cmd, JsonObject *reply);
gboolean op_account_state(JsonObject *cmd, JsonObject *reply);
gboolean op_statuses(JsonObject *cmd, JsonObject *reply);
gboolean op_set_status(JsonObject *cmd, JsonObject *reply);
gboolean op_set_idle(JsonObject *cmd, JsonObject *reply);
gboolean op_set_public_alias(JsonObject *cmd, JsonObject *reply);
gboolean op_get_public_alias(JsonObject *cmd, JsonObject *reply);
gboolean op_set_alias(JsonObject *cmd, JsonObject *reply);
gboolean op_actions(JsonObject *cmd, JsonObject *reply);
gboolean op_run_action(JsonObject *cmd, JsonObject *reply);

/* ops-request.c */
gboolean op_answer_request(JsonObject *cmd, JsonObject *reply);
gboolean op_answer_authorize(JsonObject *cmd, JsonObject *reply);
gboolean op_pending(JsonObject *cmd, JsonObject *reply);

/* ops-blist.c */
gboolean op_blist(JsonObject *cmd, JsonObject *reply);
gboolean op_buddy(JsonObject *cmd, JsonObject *reply);
gboolean op_tooltip(JsonObject *cmd, JsonObject *reply);
gboolean op_buddy_menu(JsonObject *cmd, JsonObject *reply);
gboolean op_get_info(JsonObject *cmd, JsonObject *reply);
gboolean op_add_buddy(JsonObject *cmd, JsonObject *reply);
gboolean op_remove_buddy(JsonObject *cmd, JsonObject *reply);
gboolean op_remove_buddy_everywhere(JsonObject *cmd, JsonObject *reply);
gboolean op_move_buddy(JsonObject *cmd, JsonObject *reply);
gboolean op_add_group(JsonObject *cmd, JsonObject *reply);
gboolean op_rename_group(JsonObject *cmd, JsonObject *reply);
gboolean op_remove_group(JsonObject *cmd, JsonObject *reply);
gboolean op_alias_buddy(JsonObject *cmd, JsonObject *reply);
gboolean op_privacy_mode(JsonObject *cmd, JsonObject *reply);
gboolean op_privacy(JsonObject *cmd, JsonObject *reply);
gboolean op_permit_add(JsonObject *cmd, JsonObject *reply);
gboolean op_permit_remove(JsonObject *cmd, JsonObject *reply);
gboolean op_deny_add(JsonObject *cmd, JsonObject *reply);
gboolean op_deny_remove(JsonObject *cmd, JsonObject *reply);

/* ops-conv.c */
gboolean op_send_im(JsonObject *cmd, JsonObject *reply);
gboolean op_send_typing(JsonObject *cmd, JsonObject *reply);
gboolean op_close_conv(JsonObject *cmd, JsonObject *reply);
gboolean op_conversations(JsonObject *cmd, JsonObject *reply);
gboolean op_join_chat(JsonObject *cmd, JsonObject *reply);
gboolean op_chat_invite(JsonObject *cmd, JsonObject *reply);
gboolean op_chat_send(JsonObject *cmd, JsonObject *reply);

/* ops-xfer.c */
gboolean op_send_file(JsonObject *cmd, JsonObject *reply);
gboolean op_xfers(JsonObject *cmd, JsonObject *reply);
gboolean op_xfer_cancel(JsonObject *cmd, JsonObject *reply);

/* ops-misc.c */
gboolean op_plugins(JsonObject *cmd, JsonObject *reply);
gboolean op_info(JsonObject *cmd, JsonObject *reply);
gboolean op_prpl_info(JsonObject *cmd, JsonObject *reply);
gboolean op_set_pref(JsonObject *cmd, JsonObject *reply);
gboolean op_fetch_url(JsonObject *cmd, JsonObject *reply);
gboolean op_rusage(JsonObject *cmd, JsonObject *reply);
gboolean op_mute(JsonObject *cmd, JsonObject *reply);
gboolean op_ticker(JsonObject *cmd, JsonObject *reply);

#endif /* MSNP_DRIVER_H */
