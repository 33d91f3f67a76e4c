/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "MSN" protocol (prpl-msn): the plugin tables and the small entry
 * points libpurple calls.  The work happens in msn-account and friends. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <accountopt.h>
#include <debug.h>
#include <eventloop.h>
#include <notify.h>
#include <plugin.h>
#include <prpl.h>
#include <request.h>
#include <version.h>

#include "msn-account.h"
#include "msn-blist.h"
#include "msn-context.h"
#include "msn-gateway.h"
#include "msn-lists.h"
#include "msn-mail.h"
#include "msn-mobile.h"
#include "msn-privacy.h"
#include "msn-status.h"
#include "msn-switchboard.h"
#include "msn-xfer.h"
#include "msnp-plugin-common.h"

#define MSNP_PLUGIN_ID "prpl-msn"

static const char *
msn_list_icon (PurpleAccount *account, PurpleBuddy *buddy)
{
  return "msn";
}

static void
msn_login (PurpleAccount *account)
{
  msnp_account_login (account);
}

static void
msn_close (PurpleConnection *gc)
{
  msnp_account_close (gc);
}

static GList *
msn_status_types (PurpleAccount *account)
{
  /* MSNP8's states, and a contact's mobile device (msn-mobile.c). */
  return g_list_append (msnp_status_types (account), msnp_mobile_status_type ());
}

static void
send_current_status (PurpleAccount *account)
{
  MsnpAccount *msn = msnp_account_of (purple_account_get_connection (account));

  if (msn != NULL)
    msnp_ns_set_status (msn->ns, msnp_status_from_purple (account));
}

static void
msn_set_status (PurpleAccount *account, PurpleStatus *status)
{
  if (purple_status_is_active (status))
    send_current_status (account);
}

static void
msn_set_idle (PurpleConnection *gc, int idle)
{
  send_current_status (purple_connection_get_account (gc));
}

typedef struct {
  PurpleAccount *account;
  PurpleSetPublicAliasFailureCallback cb;
} AliasFailure;

static gpointer
alias_failure_new (PurpleConnection *gc, PurpleSetPublicAliasFailureCallback cb)
{
  AliasFailure *f = g_new (AliasFailure, 1);

  f->account = purple_connection_get_account (gc);
  f->cb = cb;
  return f;
}

static gboolean
report_alias_failure (gpointer data)
{
  AliasFailure *f = data;

  f->cb (f->account, _("You are not signed in."));
  g_free (f);
  return FALSE;
}

static void
msn_set_public_alias (PurpleConnection *gc, const char *alias,
                      PurpleSetPublicAliasSuccessCallback success_cb,
                      PurpleSetPublicAliasFailureCallback failure_cb)
{
  MsnpAccount *msn = msnp_account_of (gc);

  if (msn == NULL || !msnp_ns_is_online (msn->ns)) {
    /* libpurple wants the answer asynchronously even when it is known. */
    if (failure_cb != NULL)
      purple_timeout_add (0, report_alias_failure,
                          alias_failure_new (gc, failure_cb));
    return;
  }
  msn->alias_ok = success_cb;
  msn->alias_fail = failure_cb;
  msnp_ns_set_friendly (msn->ns, alias && *alias ? alias
                        : purple_account_get_username (msn->account));
}

static void
friendly_name_entered (PurpleConnection *gc, const char *name)
{
  if (PURPLE_CONNECTION_IS_VALID (gc))
    msn_set_public_alias (gc, name, NULL, NULL);
}

static void
action_set_friendly_name (PurplePluginAction *action)
{
  PurpleConnection *gc = action->context;

  purple_request_input (gc, _("Set your friendly name"),
                        _("This is the name other people see you as."),
                        NULL, purple_connection_get_display_name (gc), FALSE,
                        FALSE, NULL, _("OK"), G_CALLBACK (friendly_name_entered),
                        _("Cancel"), NULL, purple_connection_get_account (gc),
                        NULL, NULL, gc);
}

static void
action_set_phones (PurplePluginAction *action)
{
  msnp_blist_action_phones (action->context);
}

static void
action_open_inbox (PurplePluginAction *action)
{
  msnp_mail_action_open_inbox (action->context);
}

static void
action_mobile_settings (PurplePluginAction *action)
{
  msnp_mobile_action_settings (action->context);
}

static GList *
msn_actions (PurplePlugin *plugin, gpointer context)
{
  GList *actions = g_list_append (NULL, purple_plugin_action_new (
      _("Set Friendly Name..."), action_set_friendly_name));

  actions = g_list_append (actions, purple_plugin_action_new (
      _("Set Phone Numbers..."), action_set_phones));
  actions = g_list_append (actions, purple_plugin_action_new (
      _("Mobile Device Settings..."), action_mobile_settings));
  return g_list_append (actions, purple_plugin_action_new (
      _("Open Inbox"), action_open_inbox));
}

static char *
msn_status_text (PurpleBuddy *buddy)
{
  PurpleStatus *status = purple_presence_get_active_status (purple_buddy_get_presence (buddy));
  char *mobile = msnp_mobile_status_text (buddy);

  if (mobile != NULL)
    return mobile;
  /* Available says nothing, and Idle is shown by libpurple's own idle
   * marker already. */
  if (!purple_presence_is_online (purple_buddy_get_presence (buddy)) ||
      purple_status_is_available (status) ||
      g_strcmp0 (purple_status_get_id (status), msnp_status_purple_id (MSNP_STATUS_IDLE)) == 0)
    return NULL;
  return g_markup_escape_text (purple_status_get_name (status), -1);
}

static void
msn_tooltip_text (PurpleBuddy *buddy, PurpleNotifyUserInfo *info, gboolean full)
{
  PurpleAccount *account = purple_buddy_get_account (buddy);
  MsnpAccount *msn = msnp_account_of (purple_account_get_connection (account));
  PurplePresence *presence = purple_buddy_get_presence (buddy);

  if (purple_presence_is_online (presence))
    purple_notify_user_info_add_pair_plaintext (info, _("Status"),
        purple_status_get_name (purple_presence_get_active_status (presence)));
  if (msn != NULL) {
    msnp_blist_describe (msn, purple_buddy_get_name (buddy), info, FALSE);
    msnp_mobile_describe (msn, purple_buddy_get_name (buddy), info);
  }
}

static void
msn_get_info (PurpleConnection *gc, const char *who)
{
  MsnpAccount *msn = msnp_account_of (gc);
  PurpleNotifyUserInfo *info = purple_notify_user_info_new ();
  PurpleBuddy *buddy = purple_find_buddy (purple_connection_get_account (gc), who);

  if (buddy != NULL) {
    PurplePresence *presence = purple_buddy_get_presence (buddy);
    purple_notify_user_info_add_pair_plaintext (info, _("Status"),
        purple_presence_is_online (presence)
            ? purple_status_get_name (purple_presence_get_active_status (presence))
            : _("Offline"));
  }
  if (msn != NULL) {
    msnp_blist_describe (msn, who, info, TRUE);
    msnp_mobile_describe (msn, who, info);
  }
  purple_notify_userinfo (gc, who, info, NULL, NULL);
  purple_notify_user_info_destroy (info);
}

static const char *
msn_normalize (const PurpleAccount *account, const char *who)
{
  static char buf[256];
  size_t i;

  /* libpurple's contract: a static buffer, valid until the next call.
   * Called thousands of times per sign-in (every buddy lookup): one pass
   * that copies, truncates like g_strlcpy and folds only ASCII A-Z (bytes
   * of UTF-8 sequences are never in that range). */
  g_return_val_if_fail (who != NULL, buf);
  for (i = 0; i < sizeof buf - 1 && who[i] != '\0'; i++) {
    char c = who[i];

    buf[i] = (c >= 'A' && c <= 'Z') ? (char) (c | 0x20) : c;
  }
  buf[i] = '\0';
  return buf;
}

static int
msn_send_im (PurpleConnection *gc, const char *who, const char *message,
             PurpleMessageFlags flags)
{
  MsnpAccount *msn = msnp_account_of (gc);
  int ret;

  if (msn == NULL || !msnp_ns_is_online (msn->ns))
    return -ENOTCONN;
  if (msnp_mobile_send_im (msn, who, message, &ret))
    return ret;
  return msnp_switchboard_send_im (msn, who, message);
}

static unsigned int
msn_send_typing (PurpleConnection *gc, const char *who, PurpleTypingState state)
{
  MsnpAccount *msn = msnp_account_of (gc);

  if (msn == NULL || !msnp_ns_is_online (msn->ns))
    return 0;
  return msnp_switchboard_send_typing (msn, who, state == PURPLE_TYPING);
}

static void
msn_chat_invite (PurpleConnection *gc, int id, const char *message,
                 const char *who)
{
  MsnpAccount *msn = msnp_account_of (gc);

  if (msn != NULL)
    msnp_switchboard_chat_invite (msn, id, who);
}

static void
msn_chat_leave (PurpleConnection *gc, int id)
{
  MsnpAccount *msn = msnp_account_of (gc);

  if (msn != NULL)
    msnp_switchboard_chat_leave (msn, id);
}

static int
msn_chat_send (PurpleConnection *gc, int id, const char *message,
               PurpleMessageFlags flags)
{
  MsnpAccount *msn = msnp_account_of (gc);

  if (msn == NULL || !msnp_ns_is_online (msn->ns))
    return -ENOTCONN;
  return msnp_switchboard_chat_send (msn, id, message);
}

static GList *
msn_chat_info (PurpleConnection *gc)
{
  /* MSN chats have no names to join by: they start from a buddy. */
  return NULL;
}

static void
initiate_chat_cb (PurpleBlistNode *node, gpointer data)
{
  PurpleBuddy *buddy = (PurpleBuddy *) node;
  MsnpAccount *msn = msnp_account_of (purple_account_get_connection (
      purple_buddy_get_account (buddy)));

  if (msn != NULL && msnp_ns_is_online (msn->ns))
    msnp_switchboard_start_chat (msn, purple_buddy_get_name (buddy));
}

static GList *
msn_blist_node_menu (PurpleBlistNode *node)
{
  if (!PURPLE_BLIST_NODE_IS_BUDDY (node))
    return NULL;
  return msnp_mobile_buddy_menu ((PurpleBuddy *) node, g_list_append (NULL,
      purple_menu_action_new (_("Initiate Chat"), PURPLE_CALLBACK (initiate_chat_cb),
                              NULL, NULL)));
}

static PurplePluginProtocolInfo prpl_info = {
  .icon_spec = NO_BUDDY_ICONS,
  .list_icon = msn_list_icon,
  .status_text = msn_status_text,
  .list_emblem = msnp_mobile_list_emblem,
  .offline_message = msnp_mobile_offline_message,
  .tooltip_text = msn_tooltip_text,
  .status_types = msn_status_types,
  .login = msn_login,
  .close = msn_close,
  .blist_node_menu = msn_blist_node_menu,
  .chat_info = msn_chat_info,
  .send_im = msn_send_im,
  .send_typing = msn_send_typing,
  .chat_invite = msn_chat_invite,
  .chat_leave = msn_chat_leave,
  .chat_send = msn_chat_send,
  .get_info = msn_get_info,
  .set_status = msn_set_status,
  .set_idle = msn_set_idle,
  .normalize = msn_normalize,
  .set_public_alias = msn_set_public_alias,
  .add_buddy = msnp_lists_ui_add_buddy,
  .remove_buddy = msnp_lists_ui_remove_buddy,
  .group_buddy = msnp_lists_ui_group_buddy,
  .rename_group = msnp_lists_ui_rename_group,
  .remove_group = msnp_lists_ui_remove_group,
  .add_permit = msnp_privacy_add_permit,
  .add_deny = msnp_privacy_add_deny,
  .rem_permit = msnp_privacy_rem_permit,
  .rem_deny = msnp_privacy_rem_deny,
  .set_permit_deny = msnp_privacy_set_permit_deny,
  .send_file = msnp_xfer_send_file,
  .can_receive_file = msnp_xfer_can_receive,
  .new_xfer = msnp_xfer_new,
  .struct_size = sizeof (PurplePluginProtocolInfo),
};

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_PROTOCOL,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = MSNP_PLUGIN_ID,
  .name = "MSN",
  .version = PACKAGE_VERSION,
  .homepage = NULL,
  .load = msnp_plugin_load,
  .unload = msnp_plugin_unload,
  .extra_info = &prpl_info,
  .actions = msn_actions,
};

static void
init_plugin (PurplePlugin *plugin)
{
  GList **options = &prpl_info.protocol_options;

  msnp_plugin_bind_textdomain ();
  info.summary = _("MSN Messenger protocol (MSNP8)");
  info.description = _("Sign in to MSN Messenger servers (such as today's "
                       "revival servers) with the MSNP8 protocol.");

  msnp_plugin_add_string_option (options, _("Server"), MSNP_OPT_SERVER,
                                 MSNP_DEFAULT_SERVER);
  msnp_plugin_add_int_option (options, _("Port"), MSNP_OPT_PORT, MSNP_DEFAULT_PORT);
  msnp_plugin_add_string_option (options, _("Passport nexus URL"), MSNP_OPT_NEXUS,
                                 MSNP_DEFAULT_NEXUS);
  msnp_plugin_add_int_option (options, _("Keepalive interval (seconds)"),
                              MSNP_OPT_KEEPALIVE, MSNP_DEFAULT_KEEPALIVE);
  msnp_plugin_add_int_option (options, _("Sign-in timeout (seconds)"),
                              MSNP_OPT_TIMEOUT, MSNP_DEFAULT_TIMEOUT);
  msnp_plugin_add_int_option (options, _("Close idle conversations after (seconds)"),
                              MSNP_OPT_SB_IDLE, MSNP_DEFAULT_SB_IDLE);
  msnp_plugin_add_bool_option (options, _("Ask before others add me"),
                               MSNP_OPT_GTC_ASK, TRUE);
  msnp_plugin_add_bool_option (options, _("Show Hotmail notifications"),
                               MSNP_OPT_MAIL, TRUE);
  msnp_gateway_add_options (&prpl_info.protocol_options);
}

PURPLE_INIT_PLUGIN (msnp, init_plugin, info)
