/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The "Connect via HTTP gateway" account options, and the transports the
 * notification session and switchboards use: a socket, or the MSN HTTP
 * gateway (src/io/msnp-http-gateway.h) when the account asks for it.
 * A part any other may use (it includes no other part's header).  Runs on
 * libpurple's main loop. */
#pragma once

#include <glib.h>

#include "msn-context.h"

G_BEGIN_DECLS

/* The keys Pidgin's own MSN plugin used, so an account moved over keeps
 * its choice. */
#define MSNP_OPT_GATEWAY          "http_method"
#define MSNP_OPT_GATEWAY_SERVER   "http_method_server"
#define MSNP_OPT_GATEWAY_PATH     "http_method_path"
/* Not shown in the account dialog: the poll interval in milliseconds, for
 * the benchmark of the trade-off (bench/RESULTS.md); 0 is the default. */
#define MSNP_OPT_GATEWAY_POLL_MS  "http_method_poll_ms"
/* The historical gateway (hypothetic.org, "HTTP Connections"). */
#define MSNP_DEFAULT_GATEWAY_SERVER "gateway.messenger.hotmail.com"
#define MSNP_DEFAULT_GATEWAY_PATH   "/gateway/gateway.dll"

/* Appends the gateway's options to a protocol's option list. */
void msnp_gateway_add_options (GList **options);

/* A transport for the NS (@server "NS") or a switchboard ("SB"): through
 * the gateway when the option is on, or when the notification session
 * already fell back to it; a socket otherwise.  The caller owns it
 * (msnp_transport_free()). */
MsnpTransport *msnp_account_transport_new (MsnpAccount *msn, const char *server,
                                           const MsnpTransportEvents *events,
                                           gpointer user);

/* Called when the NS connection failed: TRUE when the account switched to
 * the gateway instead (see the comment in msn-gateway.c on when). */
gboolean msnp_gateway_fallback (MsnpAccount *msn, const GError *error,
                                const MsnpTransportEvents *ns_events);

G_END_DECLS
