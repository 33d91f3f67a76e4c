/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <glib/gi18n-lib.h>

#include <circbuffer.h>
#include <eventloop.h>
#include <sslconn.h>

#include "msnp-connect.h"
#include "msnp-transport.h"

G_DEFINE_QUARK (msnp-io-error-quark, msnp_io_error)

PurpleConnectionError
msnp_io_error_reason (const GError *error)
{
  if (error == NULL || error->domain != MSNP_IO_ERROR)
    return PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
  switch ((MsnpIoErrorCode) error->code) {
  case MSNP_IO_ERROR_CERTIFICATE:
    return PURPLE_CONNECTION_ERROR_CERT_OTHER_ERROR;
  case MSNP_IO_ERROR_TLS:
    return PURPLE_CONNECTION_ERROR_ENCRYPTION_ERROR;
  case MSNP_IO_ERROR_INSECURE_URL:
  case MSNP_IO_ERROR_BAD_URL:
    return PURPLE_CONNECTION_ERROR_INVALID_SETTINGS;
  case MSNP_IO_ERROR_CONNECT:
  case MSNP_IO_ERROR_LOST:
  case MSNP_IO_ERROR_REPLY:
  default:
    return PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
  }
}

/* Reads per main-loop wake-up (8 KiB each).  A server that writes faster
 * than we parse would otherwise keep every read full and the read loop
 * running for as long as it likes, starving timers (keepalives, sign-in
 * timeouts), other accounts and the UI: a line flood once delayed a
 * 300 ms timer by 14 s.  64 KiB is hundreds of lines, so normal traffic
 * (a sign-in's contact list) still moves in few wake-ups. */
#define READS_PER_WAKEUP 8

struct _MsnpTransport {
  PurpleAccount             *account;
  const MsnpTransportEvents *ev;
  gpointer                   user;

  MsnpConnect            *connecting;
  PurpleSslConnection    *ssl;
  int                     fd;
  guint                   read_watch;
  guint                   write_watch;
  PurpleCircBuffer       *outbuf;
  gboolean                connected;
  guint                   start_idle;
  guint                   tls_resume;  /* idle: TLS reading goes on */
  char                   *host;
  guint                   port;
  gboolean                tls;

  /* Re-entrancy: callbacks may free us; we notice after they return. */
  guint    in_callback;
  gboolean dead;

  /* Set: every call goes to another implementation instead (the HTTP
   * gateway; it keeps its own re-entrancy guard, so it may outlive this
   * struct by a callback). */
  const MsnpTransportImpl *impl;
  gpointer                 impl_data;
};

static void
teardown (MsnpTransport *t)
{
  if (t->start_idle != 0) {
    g_source_remove (t->start_idle);
    t->start_idle = 0;
  }
  if (t->tls_resume != 0) {
    g_source_remove (t->tls_resume);
    t->tls_resume = 0;
  }
  if (t->connecting != NULL) {
    msnp_connect_cancel (t->connecting);
    t->connecting = NULL;
  }
  if (t->read_watch != 0) {
    purple_input_remove (t->read_watch);
    t->read_watch = 0;
  }
  if (t->write_watch != 0) {
    purple_input_remove (t->write_watch);
    t->write_watch = 0;
  }
  if (t->ssl != NULL) {
    purple_ssl_close (t->ssl);
    t->ssl = NULL;
    t->fd = -1;
  }
  if (t->fd >= 0) {
    close (t->fd);
    t->fd = -1;
  }
  t->connected = FALSE;
}

static void
destroy (MsnpTransport *t)
{
  teardown (t);
  purple_circ_buffer_destroy (t->outbuf);
  g_free (t->host);
  g_free (t);
}

/* Runs a callback guarded against being freed inside it.  Returns FALSE
 * when the transport is gone or closed afterwards. */
#define GUARDED(t, call)                        \
  G_STMT_START {                                \
    (t)->in_callback++;                         \
    call;                                       \
    (t)->in_callback--;                         \
  } G_STMT_END

static gboolean
settle (MsnpTransport *t)
{
  if (t->in_callback == 0 && t->dead) {
    destroy (t);
    return FALSE;
  }
  return !t->dead;
}

static void
fail (MsnpTransport *t, MsnpIoErrorCode code, const char *message)
{
  GError *error = g_error_new_literal (MSNP_IO_ERROR, code, message);

  teardown (t);
  GUARDED (t, t->ev->closed (t->user, error));
  g_error_free (error);
}

/* An established connection broke (a read or write failed). */
static void
fail_lost (MsnpTransport *t, int err)
{
  char *msg = g_strdup_printf (_("Lost connection with %s: %s"), t->host,
                               g_strerror (err));
  fail (t, MSNP_IO_ERROR_LOST, msg);
  g_free (msg);
}

MsnpTransport *
msnp_transport_new (PurpleAccount *account, const MsnpTransportEvents *events,
                    gpointer user)
{
  MsnpTransport *t = g_new0 (MsnpTransport, 1);

  t->account = account;
  t->ev = events;
  t->user = user;
  t->fd = -1;
  t->outbuf = purple_circ_buffer_new (4096);
  return t;
}

MsnpTransport *
msnp_transport_new_with (PurpleAccount *account, const MsnpTransportImpl *impl,
                         gpointer impl_data)
{
  MsnpTransport *t = msnp_transport_new (account, NULL, NULL);

  t->impl = impl;
  t->impl_data = impl_data;
  return t;
}

gboolean
msnp_transport_is_gateway (const MsnpTransport *t)
{
  return t->impl != NULL;
}

const char *
msnp_transport_get_host (const MsnpTransport *t)
{
  return t->host;
}

guint
msnp_transport_get_port (const MsnpTransport *t)
{
  return t->port;
}

void
msnp_transport_free (MsnpTransport *t)
{
  if (t == NULL)
    return;
  if (t->impl != NULL) {
    t->impl->free (t->impl_data);
    t->impl = NULL;
  }
  if (t->in_callback > 0) {
    teardown (t);
    t->dead = TRUE;
    return;
  }
  destroy (t);
}

void
msnp_transport_set_user (MsnpTransport *t, gpointer user)
{
  t->user = user;
}

gboolean
msnp_transport_is_connected (const MsnpTransport *t)
{
  if (t->impl != NULL)
    return t->impl->is_connected (t->impl_data);
  return t->connected;
}

/* ---- reading ---------------------------------------------------------- */

static gboolean
deliver (MsnpTransport *t, const guint8 *buf, gssize n, int err)
{
  if (n > 0) {
    GUARDED (t, t->ev->input (t->user, buf, (gsize) n));
    return settle (t);
  }
  if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK || err == EINTR))
    return FALSE;
  if (n == 0) {
    teardown (t);
    GUARDED (t, t->ev->closed (t->user, NULL));
  } else {
    fail_lost (t, err);
  }
  settle (t);
  return FALSE;
}

static void
plain_read_cb (gpointer data, gint fd, PurpleInputCondition cond)
{
  MsnpTransport *t = data;
  guint8 buf[8192];
  gssize n;

  /* At most READS_PER_WAKEUP, then back to the main loop: the socket is
   * still readable, so the watch fires again once timers and other
   * sources have had their turn. */
  for (guint i = 0; i < READS_PER_WAKEUP; i++) {
    n = read (fd, buf, sizeof buf);
    if (!deliver (t, buf, n, errno) || n < (gssize) sizeof buf)
      return;
  }
}

static gboolean tls_resume_cb (gpointer data);

/* Reads TLS records within the per-wake-up budget.  TLS may hold
 * decrypted bytes the socket no longer signals, so a read cut short by
 * the budget resumes from an idle callback (which runs after timers and
 * I/O of default priority), not from the socket watch. */
static void
tls_read (MsnpTransport *t)
{
  guint8 buf[8192];
  gssize n;

  for (guint i = 0; i < READS_PER_WAKEUP; i++) {
    errno = 0;
    n = purple_ssl_read (t->ssl, buf, sizeof buf);
    if (!deliver (t, buf, n, errno))
      return;
  }
  if (t->tls_resume == 0)
    t->tls_resume = g_idle_add (tls_resume_cb, t);
}

static gboolean
tls_resume_cb (gpointer data)
{
  MsnpTransport *t = data;

  t->tls_resume = 0;
  if (t->ssl != NULL)
    tls_read (t);
  return G_SOURCE_REMOVE;
}

static void
ssl_read_cb (gpointer data, PurpleSslConnection *ssl, PurpleInputCondition cond)
{
  tls_read (data);
}

/* ---- writing ---------------------------------------------------------- */

static gssize
raw_write (MsnpTransport *t, const void *data, gsize len)
{
  if (t->ssl != NULL)
    return purple_ssl_write (t->ssl, data, len);
  return write (t->fd, data, len);
}

static void
flush (MsnpTransport *t);

static void
write_cb (gpointer data, gint fd, PurpleInputCondition cond)
{
  flush (data);
}

static void
flush (MsnpTransport *t)
{
  while (t->connected) {
    gsize avail = purple_circ_buffer_get_max_read (t->outbuf);
    gssize n;

    if (avail == 0)
      break;
    n = raw_write (t, t->outbuf->outptr, avail);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      break;
    if (n <= 0) {
      fail_lost (t, errno);
      return;
    }
    purple_circ_buffer_mark_read (t->outbuf, n);
  }
  if (t->connected && t->outbuf->bufused > 0 && t->write_watch == 0) {
    int fd = t->ssl != NULL ? t->ssl->fd : t->fd;
    t->write_watch = purple_input_add (fd, PURPLE_INPUT_WRITE, write_cb, t);
  } else if (t->outbuf->bufused == 0 && t->write_watch != 0) {
    purple_input_remove (t->write_watch);
    t->write_watch = 0;
  }
}

void
msnp_transport_write (MsnpTransport *t, const void *data, gsize len)
{
  if (t->impl != NULL) {
    t->impl->write (t->impl_data, data, len);
    return;
  }
  if (t->dead)
    return;
  /* With nothing queued, write straight from the caller: a message must
   * not leave in two pieces just because the ring buffer wraps (with
   * delayed ACKs, the second piece waited 40 ms). */
  if (t->connected && t->outbuf->bufused == 0 && t->write_watch == 0) {
    gssize n = raw_write (t, data, len);

    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      fail_lost (t, errno);
      return;
    }
    if (n > 0) {
      data = (const guint8 *) data + n;
      len -= (gsize) n;
    }
    if (len == 0)
      return;
  }
  purple_circ_buffer_append (t->outbuf, data, len);
  if (t->write_watch == 0)
    flush (t);
}

/* ---- connecting ------------------------------------------------------- */

/* Commands are small and answered one by one: Nagle's algorithm would
 * only hold them back. */
static void
set_nodelay (int fd)
{
  int on = 1;

  if (fd >= 0)
    setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

static void
became_connected (MsnpTransport *t)
{
  set_nodelay (t->ssl != NULL ? t->ssl->fd : t->fd);
  t->connected = TRUE;
  GUARDED (t, t->ev->connected (t->user));
  if (settle (t))
    flush (t);
}

static void
ssl_connected_cb (gpointer data, PurpleSslConnection *ssl,
                  PurpleInputCondition cond)
{
  MsnpTransport *t = data;

  purple_ssl_input_add (ssl, ssl_read_cb, t);
  became_connected (t);
}

static void
ssl_error_cb (PurpleSslConnection *ssl, PurpleSslErrorType error, gpointer data)
{
  MsnpTransport *t = data;
  char *msg;

  /* libpurple frees the connection after this callback. */
  t->ssl = NULL;
  switch (error) {
  case PURPLE_SSL_CERTIFICATE_INVALID:
    msg = g_strdup_printf (_("The certificate of %s was not accepted."), t->host);
    fail (t, MSNP_IO_ERROR_CERTIFICATE, msg);
    break;
  case PURPLE_SSL_HANDSHAKE_FAILED:
    msg = g_strdup_printf (_("An encrypted connection with %s could not be "
                             "set up."), t->host);
    fail (t, MSNP_IO_ERROR_TLS, msg);
    break;
  case PURPLE_SSL_CONNECT_FAILED:
  default:
    msg = g_strdup_printf (_("Could not connect to %s."), t->host);
    fail (t, MSNP_IO_ERROR_CONNECT, msg);
    break;
  }
  g_free (msg);
  settle (t);
}

/* TLS over a connection we opened ourselves: purple_ssl_connect() would
 * open it too, but it reports every failure to connect as "SSL Connection
 * Failed", dropping the cause (refused, name not found, timed out) that
 * libpurple's proxy code gives us here. */
static void
start_ssl (MsnpTransport *t, int fd)
{
  t->in_callback++;
  t->ssl = purple_ssl_connect_with_host_fd (t->account, fd, ssl_connected_cb,
                                            ssl_error_cb, t->host, t);
  t->in_callback--;
}

static void
tcp_connected_cb (gpointer data, gint fd, const gchar *error_message)
{
  MsnpTransport *t = data;

  t->connecting = NULL;
  if (fd < 0) {
    char *msg = error_message != NULL && *error_message != '\0'
        ? g_strdup_printf (_("Could not connect to %s: %s"), t->host, error_message)
        : g_strdup_printf (_("Could not connect to %s."), t->host);
    fail (t, MSNP_IO_ERROR_CONNECT, msg);
    g_free (msg);
    settle (t);
    return;
  }
  if (t->tls) {
    start_ssl (t, fd);
    settle (t);
    return;
  }
  t->fd = fd;
  t->read_watch = purple_input_add (fd, PURPLE_INPUT_READ, plain_read_cb, t);
  became_connected (t);
}

/* Connecting starts from the main loop so that no callback, not even a
 * synchronous failure, fires inside msnp_transport_connect(). */
static gboolean
start_connect (gpointer data)
{
  MsnpTransport *t = data;

  t->start_idle = 0;
  if (t->tls && !purple_ssl_is_supported ()) {
    fail (t, MSNP_IO_ERROR_TLS, _("SSL support is unavailable."));
    settle (t);
    return G_SOURCE_REMOVE;
  }
  t->connecting = msnp_connect_start (t->account, t->host, t->port,
                                      tcp_connected_cb, t);
  return G_SOURCE_REMOVE;
}

void
msnp_transport_connect (MsnpTransport *t, const char *host, guint port,
                        gboolean tls)
{
  if (t->impl != NULL) {
    g_free (t->host);
    t->host = g_strdup (host);
    t->port = port;
    t->impl->connect (t->impl_data, host, port);
    return;
  }
  teardown (t);
  purple_circ_buffer_destroy (t->outbuf);
  t->outbuf = purple_circ_buffer_new (4096);
  g_free (t->host);
  t->host = g_strdup (host);
  t->port = port;
  t->tls = tls;
  t->start_idle = g_idle_add (start_connect, t);
}

void
msnp_transport_start_tls (MsnpTransport *t, const char *host)
{
  int fd = t->fd;

  if (t->impl != NULL || t->ssl != NULL || fd < 0 || !purple_ssl_is_supported ()) {
    fail (t, MSNP_IO_ERROR_TLS, _("Unable to start TLS on this connection."));
    settle (t);
    return;
  }
  /* The socket now belongs to libpurple's SSL layer: stop watching it. */
  if (t->read_watch != 0) {
    purple_input_remove (t->read_watch);
    t->read_watch = 0;
  }
  if (t->write_watch != 0) {
    purple_input_remove (t->write_watch);
    t->write_watch = 0;
  }
  purple_circ_buffer_destroy (t->outbuf);
  t->outbuf = purple_circ_buffer_new (4096);
  t->connected = FALSE;
  t->fd = -1;
  g_free (t->host);
  t->host = g_strdup (host);
  t->tls = TRUE;
  start_ssl (t, fd);
  settle (t);
}
