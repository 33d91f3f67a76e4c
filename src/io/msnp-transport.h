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
#include <connection.h>

G_BEGIN_DECLS

/* Why a connection (or an HTTPS request over one) failed.  The message is
 * a translated sentence naming the host and the cause. */
#define MSNP_IO_ERROR (msnp_io_error_quark ())
GQuark msnp_io_error_quark (void);

typedef enum {
  MSNP_IO_ERROR_CONNECT,      /* refused, unreachable, name not found, timed out */
  MSNP_IO_ERROR_LOST,         /* an established connection broke */
  MSNP_IO_ERROR_TLS,          /* the TLS handshake failed */
  MSNP_IO_ERROR_CERTIFICATE,  /* the certificate was rejected, by libpurple's
                               * checks or by the user */
  MSNP_IO_ERROR_INSECURE_URL, /* an http:// address where secrets would go */
  MSNP_IO_ERROR_BAD_URL,      /* not a web address at all */
  MSNP_IO_ERROR_REPLY,        /* HTTP: no reply, or one too large */
} MsnpIoErrorCode;

/* The connection error an account reports for an io failure: a rejected
 * certificate is final (libpurple never reconnects on a certificate
 * reason, so the user is not asked again and again), a bad setting too,
 * everything else is a network error libpurple's UIs reconnect on.
 * Certificate and TLS failures map as purple_connection_ssl_error() does. */
PurpleConnectionError msnp_io_error_reason (const GError *error);

typedef struct {
  void (*connected) (gpointer user);
  void (*input)     (gpointer user, const guint8 *data, gsize len);
  /* The stream ended: @error is NULL for an orderly close by the peer,
   * otherwise MSNP_IO_ERROR. */
  void (*closed)    (gpointer user, const GError *error);
} MsnpTransportEvents;

typedef struct _MsnpTransport MsnpTransport;

MsnpTransport *msnp_transport_new  (PurpleAccount *account,
                                    const MsnpTransportEvents *events,
                                    gpointer user);
void           msnp_transport_free (MsnpTransport *transport);
/* Hands the transport to a new owner: later events go to @user (also
 * from inside an event of the old owner, for what is still to come). */
void           msnp_transport_set_user (MsnpTransport *transport, gpointer user);

/* Starts connecting; the outcome arrives as connected or closed. */
void msnp_transport_connect (MsnpTransport *transport, const char *host,
                             guint port, gboolean tls);

/* Queues bytes; they are sent as the socket allows, in order. */
void msnp_transport_write (MsnpTransport *transport, const void *data,
                           gsize len);

gboolean msnp_transport_is_connected (const MsnpTransport *transport);

/* A transport whose bytes travel another way (the MSN HTTP gateway,
 * msnp_transport_new_gateway() in msnp-http-gateway.h): every call is
 * forwarded to @impl, which reports to its session's events itself.
 * msnp_transport_free() frees @impl_data with impl->free; start_tls fails. */
typedef struct {
  void     (*connect)      (gpointer impl_data, const char *host, guint port);
  void     (*write)        (gpointer impl_data, const void *data, gsize len);
  gboolean (*is_connected) (gconstpointer impl_data);
  void     (*free)         (gpointer impl_data);
} MsnpTransportImpl;

MsnpTransport *msnp_transport_new_with (PurpleAccount *account,
                                        const MsnpTransportImpl *impl,
                                        gpointer impl_data);
/* TRUE for a transport made with msnp_transport_new_with(): no socket of
 * its own, so no TCP keepalive matters to it. */
gboolean msnp_transport_is_gateway (const MsnpTransport *transport);
/* Where the last msnp_transport_connect() went. */
const char *msnp_transport_get_host (const MsnpTransport *transport);
guint       msnp_transport_get_port (const MsnpTransport *transport);

/* STARTTLS: upgrades a connected plain transport to TLS on the same
 * socket, verifying the certificate against @host through libpurple.
 * Bytes still queued are dropped.  The outcome arrives as connected
 * (again) or closed. */
void msnp_transport_start_tls (MsnpTransport *transport, const char *host);

G_END_DECLS
