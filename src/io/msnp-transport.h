/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A byte stream to a server on the main loop: plain TCP through libpurple's
 * proxy API, or TLS through libpurple's SSL API (so the account's proxy
 * settings and libpurple's certificate verification both apply).
 *
 * The transport may be freed from inside its own callbacks; no callback
 * fires after msnp_transport_free(). */
#pragma once

#include <glib.h>
#include <account.h>

G_BEGIN_DECLS

typedef struct {
  void (*connected) (gpointer user);
  void (*input)     (gpointer user, const guint8 *data, gsize len);
  /* The stream ended: @error is NULL for an orderly close by the peer,
   * otherwise a translated sentence. */
  void (*closed)    (gpointer user, const char *error);
} MsnpTransportEvents;

typedef struct _MsnpTransport MsnpTransport;

MsnpTransport *msnp_transport_new  (PurpleAccount *account,
                                    const MsnpTransportEvents *events,
                                    gpointer user);
void           msnp_transport_free (MsnpTransport *transport);

/* Starts connecting; the outcome arrives as connected or closed. */
void msnp_transport_connect (MsnpTransport *transport, const char *host,
                             guint port, gboolean tls);

/* Queues bytes; they are sent as the socket allows, in order. */
void msnp_transport_write (MsnpTransport *transport, const void *data,
                           gsize len);

gboolean msnp_transport_is_connected (const MsnpTransport *transport);

/* STARTTLS: upgrades a connected plain transport to TLS on the same
 * socket, verifying the certificate against @host through libpurple.
 * Bytes still queued are dropped.  The outcome arrives as connected
 * (again) or closed. */
void msnp_transport_start_tls (MsnpTransport *transport, const char *host);

G_END_DECLS
