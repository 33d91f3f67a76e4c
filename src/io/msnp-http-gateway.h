/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An MSNP session tunnelled through the MSN HTTP gateway: the second
 * implementation behind MsnpTransport (msnp-transport.h), chosen with
 * msnp_transport_new_gateway().  The protocol and its public descriptions
 * are in src/core/msnp-gateway.h; this file only moves the requests over
 * plain HTTP connections opened with libpurple's proxy API.
 *
 * Seen from the session above it, it is a socket: "connected" fires from
 * the main loop right after connecting starts (the first request, which
 * opens the gateway session, must carry the first command, VER or USR),
 * written bytes arrive at the server in order, the server's bytes arrive as
 * input, and "closed" ends it: NULL when the gateway ended the session
 * (Session=close), an MSNP_IO_ERROR otherwise (an HTTP error, a dropped or
 * unreadable response, a gateway that stops answering). */
#pragma once

#include <glib.h>
#include <account.h>

#include "msnp-transport.h"

G_BEGIN_DECLS

typedef struct _MsnpHttpGateway MsnpHttpGateway;

/* The official client polled every two seconds (hypothetic.org, "HTTP
 * Connections"), and so did Pidgin's MSN plugin.  It is the trade-off of
 * the method: an idle session costs 30 requests a minute, and a message
 * from the server waits on average half the interval (bench/RESULTS.md). */
#define MSNP_GW_POLL_MS 2000

typedef struct _MsnpHttpGatewayConfig {
  const char *gateway;  /* "host[:port]" */
  const char *path;     /* e.g. "/gateway/gateway.dll" */
  const char *server;   /* "NS" or "SB" */
  guint       poll_ms;  /* 0: MSNP_GW_POLL_MS */
} MsnpHttpGatewayConfig;

MsnpHttpGateway *msnp_http_gateway_new  (PurpleAccount *account,
                                         const MsnpHttpGatewayConfig *config,
                                         const MsnpTransportEvents *events,
                                         gpointer user);
/* Safe inside the gateway's own callbacks.  A last queued command (a
 * sign-out's OUT) is still sent: at once when no request is out, else
 * (one request at a time) once the one out is answered; until then the
 * gateway lives on without reporting anything, for at most the request
 * timeout. */
void msnp_http_gateway_free         (MsnpHttpGateway *gw);
void msnp_http_gateway_connect      (MsnpHttpGateway *gw, const char *host,
                                     guint port);
void msnp_http_gateway_write        (MsnpHttpGateway *gw, const void *data,
                                     gsize len);
gboolean msnp_http_gateway_is_connected (const MsnpHttpGateway *gw);

/* A transport (msnp-transport.h) that sessions cannot tell from TCP:
 * msnp_transport_connect()'s host and port name the MSNP server the
 * gateway session reaches; its @tls must be FALSE.  @config is copied. */
MsnpTransport *msnp_transport_new_gateway (PurpleAccount *account,
                                           const MsnpHttpGatewayConfig *config,
                                           const MsnpTransportEvents *events,
                                           gpointer user);

/* For tests and benchmarks: requests sent so far. */
guint msnp_http_gateway_requests    (const MsnpHttpGateway *gw);

G_END_DECLS
