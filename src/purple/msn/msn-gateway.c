/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <accountopt.h>
#include <debug.h>
#include <proxy.h>

#include "msn-gateway.h"
#include "msnp-http-gateway.h"

void
msnp_gateway_add_options (GList **options)
{
  *options = g_list_append (*options, purple_account_option_bool_new (
      _("Connect via HTTP gateway"), MSNP_OPT_GATEWAY, FALSE));
  *options = g_list_append (*options, purple_account_option_string_new (
      _("HTTP gateway server"), MSNP_OPT_GATEWAY_SERVER,
      MSNP_DEFAULT_GATEWAY_SERVER));
  *options = g_list_append (*options, purple_account_option_string_new (
      _("HTTP gateway path"), MSNP_OPT_GATEWAY_PATH,
      MSNP_DEFAULT_GATEWAY_PATH));
}

static MsnpTransport *
gateway_transport (MsnpAccount *msn, const char *server,
                   const MsnpTransportEvents *events, gpointer user)
{
  PurpleAccount *account = msn->account;
  MsnpHttpGatewayConfig config = {
    .gateway = purple_account_get_string (account, MSNP_OPT_GATEWAY_SERVER,
                                          MSNP_DEFAULT_GATEWAY_SERVER),
    .path = purple_account_get_string (account, MSNP_OPT_GATEWAY_PATH,
                                       MSNP_DEFAULT_GATEWAY_PATH),
    .server = server,
  };
  int poll_ms = purple_account_get_int (account, MSNP_OPT_GATEWAY_POLL_MS, 0);

  /* Bounded: a poll every 50 ms at the most, every 10 minutes at the least. */
  if (poll_ms >= 50 && poll_ms <= 600000)
    config.poll_ms = (guint) poll_ms;
  if (config.gateway == NULL || *config.gateway == '\0')
    config.gateway = MSNP_DEFAULT_GATEWAY_SERVER;
  if (config.path == NULL || *config.path == '\0')
    config.path = MSNP_DEFAULT_GATEWAY_PATH;
  return msnp_transport_new_gateway (account, &config, events, user);
}

MsnpTransport *
msnp_account_transport_new (MsnpAccount *msn, const char *server,
                            const MsnpTransportEvents *events, gpointer user)
{
  gboolean via_gateway =
      purple_account_get_bool (msn->account, MSNP_OPT_GATEWAY, FALSE)
      || (msn->ns_conn != NULL && msnp_transport_is_gateway (msn->ns_conn));

  if (via_gateway)
    return gateway_transport (msn, server, events, user);
  return msnp_transport_new (msn->account, events, user);
}

/* When the gateway is used without being asked for.
 *
 * The issue asked for it "when libpurple's proxy for the account is an
 * HTTP proxy that cannot CONNECT to port 1863".  Whether a proxy allows
 * CONNECT to a port cannot be known without trying (Squid's stock
 * configuration allows it to 443 only; others allow any port), so:
 * direct first, always; and only when the account's proxy is an HTTP
 * proxy and connecting to the notification server through it failed (the
 * proxy refused the CONNECT, or the connection could not be made at all),
 * the same connection is tried once more through the gateway.  The gateway
 * is on port 80, for which libpurple does not use CONNECT but hands over
 * the connection to the proxy, which then forwards our absolute-URI
 * requests like any web request.  Any other failure (a refused login, a
 * server that closes, no proxy or another kind) is reported as before:
 * the gateway polls and costs a request every two seconds, so it is not
 * chosen behind the user's back when a direct connection can work. */
gboolean
msnp_gateway_fallback (MsnpAccount *msn, const GError *error,
                       const MsnpTransportEvents *ns_events)
{
  PurpleProxyInfo *proxy = purple_proxy_get_setup (msn->account);
  g_autofree char *host = NULL;
  guint port;

  if (error == NULL || error->domain != MSNP_IO_ERROR
      || error->code != MSNP_IO_ERROR_CONNECT
      || msn->ns_conn == NULL || msnp_transport_is_gateway (msn->ns_conn)
      || proxy == NULL || purple_proxy_info_get_type (proxy) != PURPLE_PROXY_HTTP)
    return FALSE;
  host = g_strdup (msnp_transport_get_host (msn->ns_conn));
  port = msnp_transport_get_port (msn->ns_conn);
  purple_debug_info ("msnp", "the HTTP proxy did not reach %s:%u (%s); "
                     "trying the HTTP gateway\n", host, port, error->message);
  /* Called from the failed transport's own callback: freeing it is safe. */
  msnp_transport_free (msn->ns_conn);
  msn->ns_conn = NULL;
  msn->ns_conn = gateway_transport (msn, "NS", ns_events, msn);
  msnp_transport_connect (msn->ns_conn, host, port, FALSE);
  return TRUE;
}
