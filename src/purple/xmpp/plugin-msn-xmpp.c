/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "MSN (XMPP)" protocol (prpl-msn-xmpp): Messenger XMPP with OAuth 2.0
 * sign-in.  Only the plugin tables and thin entry points live here; the
 * work happens in xmpp-account, xmpp-oauth, xmpp-contacts and xmpp-im. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>

#include <accountopt.h>
#include <plugin.h>
#include <prpl.h>
#include <version.h>

#include "msnp-plugin-common.h"
#include "oauth.h"
#include "xmpp-account.h"
#include "xmpp-context.h"
#include "xmpp-contacts.h"
#include "xmpp-im.h"

static const char *
xmpp_list_icon (PurpleAccount *account, PurpleBuddy *buddy)
{
  return "msn";
}

static GList *
xmpp_status_types (PurpleAccount *account)
{
  return msnp_xmpp_status_types (account);
}

static void
xmpp_set_status (PurpleAccount *account, PurpleStatus *status)
{
  MsnpXmppAccount *xa = msnp_xmpp_account_of (purple_account_get_connection (account));

  if (xa != NULL && purple_status_is_active (status))
    msnp_xmpp_send_own_presence (xa);
}

static int
xmpp_send_im (PurpleConnection *gc, const char *who, const char *message,
              PurpleMessageFlags flags)
{
  MsnpXmppAccount *xa = msnp_xmpp_account_of (gc);

  return xa != NULL ? msnp_xmpp_im_send (xa, who, message) : -ENOTCONN;
}

static unsigned int
xmpp_send_typing (PurpleConnection *gc, const char *who, PurpleTypingState state)
{
  MsnpXmppAccount *xa = msnp_xmpp_account_of (gc);

  return xa != NULL ? msnp_xmpp_im_send_typing (xa, who, state) : 0;
}

static void
xmpp_add_buddy (PurpleConnection *gc, PurpleBuddy *buddy, PurpleGroup *group)
{
  MsnpXmppAccount *xa = msnp_xmpp_account_of (gc);

  if (xa != NULL)
    msnp_xmpp_add_buddy (xa, buddy, group);
}

static void
xmpp_get_info (PurpleConnection *gc, const char *who)
{
  MsnpXmppAccount *xa = msnp_xmpp_account_of (gc);

  if (xa != NULL)
    msnp_xmpp_get_info (xa, who);
}

static void
xmpp_keepalive (PurpleConnection *gc)
{
  /* The account's own timer sends whitespace pings. */
}

static PurplePluginProtocolInfo prpl_info = {
  .options = OPT_PROTO_NO_PASSWORD,
  .icon_spec = { .format = "png,gif,jpeg", .min_width = 0, .min_height = 0,
                 .max_width = 96, .max_height = 96, .max_filesize = 0,
                 .scale_rules = PURPLE_ICON_SCALE_DISPLAY },
  .list_icon = xmpp_list_icon,
  .status_types = xmpp_status_types,
  .login = msnp_xmpp_account_login,
  .close = msnp_xmpp_account_close,
  .send_im = xmpp_send_im,
  .send_typing = xmpp_send_typing,
  .get_info = xmpp_get_info,
  .set_status = xmpp_set_status,
  .add_buddy = xmpp_add_buddy,
  .keepalive = xmpp_keepalive,
  .struct_size = sizeof (PurplePluginProtocolInfo),
};

static PurplePluginInfo info = {
  .magic = PURPLE_PLUGIN_MAGIC,
  .major_version = PURPLE_MAJOR_VERSION,
  .minor_version = PURPLE_MINOR_VERSION,
  .type = PURPLE_PLUGIN_PROTOCOL,
  .priority = PURPLE_PRIORITY_DEFAULT,
  .id = MSNP_XMPP_PLUGIN_ID,
  .name = "MSN (XMPP)",
  .version = PACKAGE_VERSION,
  .load = msnp_plugin_load,
  .unload = msnp_plugin_unload,
  .extra_info = &prpl_info,
};

static void
init_plugin (PurplePlugin *plugin)
{
  GList **options = &prpl_info.protocol_options;

  msnp_plugin_bind_textdomain ();
  info.summary = _("Messenger XMPP protocol with Microsoft account sign-in");
  info.description = _("Sign in to the Messenger XMPP service with OAuth 2.0 "
                       "(X-MESSENGER-OAUTH2).");
  msnp_plugin_add_string_option (options, _("Service domain"), "domain",
                                 "messenger.live.com");
  msnp_plugin_add_bool_option (options, _("Look up the server in DNS (SRV)"),
                               "use_srv", TRUE);
  msnp_plugin_add_string_option (options,
                                 _("Server (without SRV, or when it finds nothing)"),
                                 "server", "xmpp.messenger.live.com");
  msnp_plugin_add_int_option (options, _("Port"), "port", MSNP_XMPP_DEFAULT_PORT);
  msnp_plugin_add_string_option (options, _("OAuth client ID"), "client_id", "");
  msnp_plugin_add_string_option (options, _("OAuth authorize URL"), "authorize_url",
                                 MSNP_OAUTH_DEFAULT_AUTHORIZE);
  msnp_plugin_add_string_option (options, _("OAuth token URL"), "token_url",
                                 MSNP_OAUTH_DEFAULT_TOKEN);
  msnp_plugin_add_string_option (options, _("OAuth redirect URI"), "redirect_uri",
                                 MSNP_OAUTH_DEFAULT_REDIRECT);
  msnp_plugin_add_string_option (options, _("OAuth scopes"), "scope",
                                 MSNP_OAUTH_DEFAULT_SCOPE);
  msnp_plugin_add_string_option (options, _("Resource"), "resource", "");
  msnp_plugin_add_int_option (options, _("Sign-in timeout (seconds)"),
                              MSNP_XMPP_OPT_TIMEOUT, MSNP_XMPP_DEFAULT_TIMEOUT);
  {
    PurpleAccountOption *o = purple_account_option_string_new (
        _("Access token (advanced: skips the OAuth sign-in)"), "access_token", "");
    purple_account_option_set_masked (o, TRUE);
    *options = g_list_append (*options, o);
  }
}

PURPLE_INIT_PLUGIN (msnp_xmpp, init_plugin, info)
