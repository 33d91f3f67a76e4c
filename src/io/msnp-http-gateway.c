/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <debug.h>
#include <eventloop.h>
#include <proxy.h>

#include "msnp-gateway.h"
#include "msnp-http-gateway.h"

/* A gateway that does not finish answering a request within this time is
 * taken for gone.  Its answers are immediate (a poll with nothing queued
 * is answered empty at once, hypothetic.org), so this only has to outlast
 * a slow network, and stays below the ~60 s after which a user would
 * otherwise wonder why nothing arrives. */
#define REQUEST_TIMEOUT_S 20

/* After a response that carried bytes, the next poll comes sooner: the
 * session is busy (a conversation being set up answers CAL with JOI a
 * moment later, a contact is typing), so more is likely on its way.  The
 * first empty poll puts the session back on the idle interval, so an idle
 * session costs no more than before.  In Finch, the first message of a new
 * conversation to the test server's echo bot took 5 s to be answered with
 * the 2 s interval alone. */
#define ACTIVE_POLL_MS 250

/* A response may carry a whole contact list (up to MSNP_GW_MAX_BODY).  It
 * reaches the session in slices of what one TCP read hands over
 * (msnp-transport.c), one slice per main-loop turn: the host's timers keep
 * firing, and the next poll goes out while the rest is still being read.
 * Without that a slow client (a sanitizer build took 12 s for 256 KiB of
 * LST lines) left the gateway session idle until the gateway dropped it.
 * Polls pause while more than MAX_UNREAD is waiting to be read, so a
 * gateway that sends faster than we read cannot grow our memory without
 * bound. */
#define DELIVER_SLICE (8 * 1024)
#define MAX_UNREAD    (4 * MSNP_GW_MAX_BODY)

struct _MsnpHttpGateway {
  PurpleAccount             *account;
  const MsnpTransportEvents *ev;
  gpointer                   user;
  char                      *gateway;
  char                      *path;
  char                      *server;
  guint                      poll_ms;

  MsnpGwSession *session;
  char          *target;         /* for messages */
  MsnpGwParser  *parser;
  GByteArray    *outq;           /* bytes written while a request is out */
  GByteArray    *inq;            /* the server's bytes not yet read ... */
  gsize          inq_pos;        /* ... from here on */

  /* The HTTP connection, kept alive between requests when the gateway
   * allows it (hypothetic.org: "a single connection ... is kept alive"). */
  MsnpTransport *conn;
  char          *conn_host;
  guint          conn_port;
  gboolean       conn_ready;
  GByteArray    *request;        /* waiting for the connection to open */

  gboolean connected;            /* as the session above sees it */
  gboolean in_flight;            /* one request at a time */
  guint    connected_idle;
  guint    send_idle;
  guint    poll_timer;
  guint    request_timer;
  guint    deliver_idle;
  guint    requests;

  guint    in_callback;
  gboolean dead;
  /* Freed by its owner with a last command (a sign-out's OUT) queued
   * behind a request still out: it lives on, without events, until that
   * command has gone (or the request failed or timed out). */
  gboolean detached;
};

static void send_next (MsnpHttpGateway *gw);
static gboolean poll_cb (gpointer data);
static gboolean deliver (MsnpHttpGateway *gw, gsize max);

static void
drop_conn (MsnpHttpGateway *gw)
{
  msnp_transport_free (gw->conn);
  gw->conn = NULL;
  gw->conn_ready = FALSE;
  g_clear_pointer (&gw->conn_host, g_free);
  g_clear_pointer (&gw->request, g_byte_array_unref);
}

static void
clear_source (guint *id)
{
  if (*id != 0) {
    g_source_remove (*id);
    *id = 0;
  }
}

static void
teardown (MsnpHttpGateway *gw)
{
  clear_source (&gw->connected_idle);
  clear_source (&gw->send_idle);
  clear_source (&gw->poll_timer);
  clear_source (&gw->request_timer);
  clear_source (&gw->deliver_idle);
  drop_conn (gw);
  /* Shrinking keeps the memory: a slice being read stays valid. */
  g_byte_array_set_size (gw->inq, 0);
  gw->inq_pos = 0;
  gw->connected = FALSE;
  gw->in_flight = FALSE;
}

static void
destroy (MsnpHttpGateway *gw)
{
  teardown (gw);
  msnp_gw_session_free (gw->session);
  msnp_gw_parser_free (gw->parser);
  g_byte_array_unref (gw->outq);
  g_byte_array_unref (gw->inq);
  g_free (gw->gateway);
  g_free (gw->path);
  g_free (gw->server);
  g_free (gw->target);
  g_free (gw);
}

/* As in msnp-transport.c: a callback may free us; we notice afterwards. */
#define GUARDED(gw, call)   \
  G_STMT_START {            \
    (gw)->in_callback++;    \
    call;                   \
    (gw)->in_callback--;    \
  } G_STMT_END

static gboolean
settle (MsnpHttpGateway *gw)
{
  if (gw->in_callback == 0 && gw->dead) {
    destroy (gw);
    return FALSE;
  }
  return !gw->dead;
}

static void
no_connected (gpointer user)
{
}

static void
no_input (gpointer user, const guint8 *data, gsize len)
{
}

static void
no_closed (gpointer user, const GError *error)
{
}

/* What a detached gateway reports to: nobody. */
static const MsnpTransportEvents detached_events = {
  .connected = no_connected,
  .input     = no_input,
  .closed    = no_closed,
};

/* A detached gateway whose last command went (or never will): every
 * caller of this settles afterwards, which frees it. */
static void
finish_detached (MsnpHttpGateway *gw)
{
  teardown (gw);
  gw->dead = TRUE;
}

static void
fail (MsnpHttpGateway *gw, MsnpIoErrorCode code, char *message)
{
  GError *error = g_error_new_literal (MSNP_IO_ERROR, code, message);

  purple_debug_info ("msnp", "gateway session %s %s: %s\n", gw->server,
                     gw->target ? gw->target : "", message);
  g_free (message);
  /* What already arrived is read before the error, as on a socket. */
  if (!gw->detached) {
    gboolean alive;

    gw->in_callback++;
    alive = deliver (gw, G_MAXSIZE);
    gw->in_callback--;
    if (!alive) {
      g_error_free (error);
      return;
    }
  }
  teardown (gw);
  GUARDED (gw, gw->ev->closed (gw->user, error));
  g_error_free (error);
  if (gw->detached)
    finish_detached (gw);
}

/* ---- responses -------------------------------------------------------- */

static gboolean deliver_cb (gpointer data);

/* Hands at most @max unread bytes to the session and schedules the rest.
 * FALSE when the session freed or closed the gateway meanwhile. */
static gboolean
deliver (MsnpHttpGateway *gw, gsize max)
{
  gsize n = MIN (gw->inq->len - gw->inq_pos, max);

  if (n > 0) {
    const guint8 *slice = gw->inq->data + gw->inq_pos;

    gw->inq_pos += n;
    GUARDED (gw, gw->ev->input (gw->user, slice, n));
    if (!settle (gw) || !gw->connected)
      return FALSE;
  }
  if (gw->inq_pos == gw->inq->len) {
    g_byte_array_set_size (gw->inq, 0);
    gw->inq_pos = 0;
  } else if (gw->deliver_idle == 0) {
    gw->deliver_idle = g_idle_add (deliver_cb, gw);
  }
  return TRUE;
}

static gboolean
deliver_cb (gpointer data)
{
  MsnpHttpGateway *gw = data;

  gw->deliver_idle = 0;
  deliver (gw, DELIVER_SLICE);
  return G_SOURCE_REMOVE;
}

static void
queue_input (MsnpHttpGateway *gw, const GByteArray *body)
{
  if (gw->inq_pos > 0) {
    g_byte_array_remove_range (gw->inq, 0, (guint) gw->inq_pos);
    gw->inq_pos = 0;
  }
  g_byte_array_append (gw->inq, body->data, body->len);
}

static void
handle_response (MsnpHttpGateway *gw)
{
  const MsnpGwResponse *r = msnp_gw_parser_response (gw->parser);
  MsnpGwReply verdict;
  gboolean had_data;
  guint status;

  clear_source (&gw->request_timer);
  gw->in_flight = FALSE;
  verdict = msnp_gw_session_reply (gw->session, r, &status);
  if (verdict == MSNP_GW_REPLY_FAILED) {
    fail (gw, MSNP_IO_ERROR_LOST, status != 0
          ? g_strdup_printf (_("The HTTP gateway %s answered with error %u."),
                             gw->gateway, status)
          : g_strdup_printf (_("The HTTP gateway %s did not open a session."),
                             gw->gateway));
    return;
  }
  /* The next request goes where the gateway said (GW-IP); a connection to
   * another host, or one the gateway closes, is not reused. */
  if (!r->keep_alive || gw->conn_host == NULL
      || strcmp (gw->conn_host, msnp_gw_session_host (gw->session)) != 0)
    drop_conn (gw);
  had_data = r->body->len > 0;
  if (had_data && !gw->detached)
    queue_input (gw, r->body);
  if (verdict == MSNP_GW_REPLY_CLOSED && gw->detached) {
    finish_detached (gw);
    return;
  }
  if (verdict == MSNP_GW_REPLY_CLOSED) {
    /* Everything the server sent is read before its close. */
    if (!deliver (gw, G_MAXSIZE))
      return;
    purple_debug_info ("msnp", "gateway session %s %s closed by the server\n",
                       gw->server, gw->target);
    teardown (gw);
    GUARDED (gw, gw->ev->closed (gw->user, NULL));
    return;
  }
  msnp_gw_parser_reset (gw->parser);
  if (!deliver (gw, DELIVER_SLICE))
    return;
  if (gw->detached && gw->outq->len == 0)
    finish_detached (gw);
  else if (gw->outq->len > 0)
    send_next (gw);
  else
    gw->poll_timer = g_timeout_add (had_data ? MIN (gw->poll_ms, ACTIVE_POLL_MS)
                                             : gw->poll_ms, poll_cb, gw);
}

static void
conn_connected (gpointer user)
{
  MsnpHttpGateway *gw = user;
  g_autoptr (GByteArray) req = g_steal_pointer (&gw->request);

  gw->conn_ready = TRUE;
  if (req != NULL)
    msnp_transport_write (gw->conn, req->data, req->len);
}

static void
conn_input (gpointer user, const guint8 *data, gsize len)
{
  MsnpHttpGateway *gw = user;
  gsize used;

  if (!gw->in_flight)
    return;   /* nothing was asked: not part of any response */
  switch (msnp_gw_parser_feed (gw->parser, data, len, &used)) {
  case MSNP_GW_PARSE_MORE:
    return;
  case MSNP_GW_PARSE_DONE:
    GUARDED (gw, handle_response (gw));
    settle (gw);
    return;
  case MSNP_GW_PARSE_ERROR:
  default:
    purple_debug_info ("msnp", "gateway reply: %s\n",
                       msnp_gw_parser_error (gw->parser));
    GUARDED (gw, fail (gw, MSNP_IO_ERROR_REPLY,
                       g_strdup_printf (_("The HTTP gateway %s sent a reply "
                                          "that could not be read."),
                                        gw->gateway)));
    settle (gw);
    return;
  }
}

static void
conn_closed (gpointer user, const GError *error)
{
  MsnpHttpGateway *gw = user;
  gboolean was_ready = gw->conn_ready;

  if (!gw->in_flight) {
    /* The gateway ended an idle keep-alive connection: the next request
     * opens a new one. */
    drop_conn (gw);
    return;
  }
  if (error == NULL && msnp_gw_parser_eof (gw->parser) == MSNP_GW_PARSE_DONE) {
    drop_conn (gw);
    GUARDED (gw, handle_response (gw));
    settle (gw);
    return;
  }
  /* Whether the command in the lost request reached the server cannot be
   * known, so it is not sent again: the session ends and the account
   * reconnects (or the switchboard reports what was not delivered). */
  GUARDED (gw, fail (gw, was_ready ? MSNP_IO_ERROR_LOST : MSNP_IO_ERROR_CONNECT,
                     !was_ready
                     ? g_strdup_printf (_("Could not connect to the HTTP "
                                          "gateway %s: %s"), gw->gateway,
                                        error ? error->message : "")
                     : g_strdup_printf (_("The HTTP gateway %s closed the "
                                          "connection before replying in "
                                          "full."), gw->gateway)));
  settle (gw);
}

static const MsnpTransportEvents conn_events = {
  .connected = conn_connected,
  .input     = conn_input,
  .closed    = conn_closed,
};

/* ---- requests --------------------------------------------------------- */

static gboolean
request_timeout_cb (gpointer data)
{
  MsnpHttpGateway *gw = data;

  gw->request_timer = 0;
  GUARDED (gw, fail (gw, MSNP_IO_ERROR_LOST,
                     g_strdup_printf (_("The HTTP gateway %s stopped "
                                        "responding."), gw->gateway)));
  settle (gw);
  return G_SOURCE_REMOVE;
}

/* With an HTTP proxy and the gateway on port 80, libpurple hands us the
 * connection to the proxy itself (it uses CONNECT only for other ports),
 * so the proxy's credentials must travel in the request. */
static char *
proxy_headers (MsnpHttpGateway *gw)
{
  PurpleProxyInfo *info = purple_proxy_get_setup (gw->account);
  const char *name, *pass;
  g_autofree char *pair = NULL, *b64 = NULL;
  char *out;

  if (info == NULL || purple_proxy_info_get_type (info) != PURPLE_PROXY_HTTP
      || msnp_gw_session_port (gw->session) != 80)
    return NULL;
  name = purple_proxy_info_get_username (info);
  if (name == NULL || *name == '\0')
    return NULL;
  pass = purple_proxy_info_get_password (info);
  pair = g_strdup_printf ("%s:%s", name, pass ? pass : "");
  b64 = g_base64_encode ((const guchar *) pair, strlen (pair));
  out = g_strdup_printf ("Proxy-Authorization: Basic %s\r\n", b64);
  memset (pair, 0, strlen (pair));
  memset (b64, 0, strlen (b64));
  return out;
}

/* Sends what is queued (or a poll) as the next request.  Never while a
 * request is out: the gateway answers a second one with 400. */
static void
send_next (MsnpHttpGateway *gw)
{
  g_autoptr (GByteArray) req = NULL;
  g_autofree char *extra = NULL;
  const char *host;
  guint port;

  clear_source (&gw->send_idle);
  clear_source (&gw->poll_timer);
  if (gw->in_flight || !gw->connected)
    return;
  if (gw->outq->len == 0 && gw->inq->len - gw->inq_pos > MAX_UNREAD) {
    gw->poll_timer = g_timeout_add (ACTIVE_POLL_MS, poll_cb, gw);
    return;
  }
  /* The open request must carry the first command: wait for it. */
  if (!msnp_gw_session_is_open (gw->session) && gw->outq->len == 0)
    return;
  extra = proxy_headers (gw);
  req = msnp_gw_session_request (gw->session, gw->outq->data, gw->outq->len,
                                 extra);
  if (extra != NULL)
    memset (extra, 0, strlen (extra));
  g_byte_array_set_size (gw->outq, 0);
  msnp_gw_parser_reset (gw->parser);
  gw->in_flight = TRUE;
  gw->requests++;
  gw->request_timer = g_timeout_add_seconds (REQUEST_TIMEOUT_S,
                                             request_timeout_cb, gw);
  host = msnp_gw_session_host (gw->session);
  port = msnp_gw_session_port (gw->session);
  if (gw->conn != NULL && gw->conn_ready) {
    msnp_transport_write (gw->conn, req->data, req->len);
    return;
  }
  drop_conn (gw);
  gw->request = g_steal_pointer (&req);
  gw->conn_host = g_strdup (host);
  gw->conn_port = port;
  gw->conn = msnp_transport_new (gw->account, &conn_events, gw);
  msnp_transport_connect (gw->conn, host, port, FALSE);
}

static gboolean
send_idle_cb (gpointer data)
{
  MsnpHttpGateway *gw = data;

  gw->send_idle = 0;
  send_next (gw);
  return G_SOURCE_REMOVE;
}

static gboolean
poll_cb (gpointer data)
{
  MsnpHttpGateway *gw = data;

  gw->poll_timer = 0;
  send_next (gw);
  return G_SOURCE_REMOVE;
}

/* ---- the transport interface ------------------------------------------ */

MsnpHttpGateway *
msnp_http_gateway_new (PurpleAccount *account,
                       const MsnpHttpGatewayConfig *config,
                       const MsnpTransportEvents *events, gpointer user)
{
  MsnpHttpGateway *gw = g_new0 (MsnpHttpGateway, 1);

  gw->account = account;
  gw->ev = events;
  gw->user = user;
  gw->gateway = g_strdup (config->gateway);
  gw->path = g_strdup (config->path);
  gw->server = g_strdup (config->server);
  gw->poll_ms = config->poll_ms != 0 ? config->poll_ms : MSNP_GW_POLL_MS;
  gw->parser = msnp_gw_parser_new ();
  gw->outq = g_byte_array_new ();
  gw->inq = g_byte_array_new ();
  return gw;
}

/* A sign-out's OUT is written just before the transport is freed: send it
 * if the connection is idle and open (the write goes out at once), so the
 * server ends the session now rather than when it times out. */
static void
send_last_words (MsnpHttpGateway *gw)
{
  g_autoptr (GByteArray) req = NULL;

  if (!gw->connected || gw->in_flight || gw->outq->len == 0
      || gw->conn == NULL || !gw->conn_ready
      || !msnp_gw_session_is_open (gw->session))
    return;
  req = msnp_gw_session_request (gw->session, gw->outq->data, gw->outq->len,
                                 NULL);
  msnp_transport_write (gw->conn, req->data, req->len);
}

void
msnp_http_gateway_free (MsnpHttpGateway *gw)
{
  if (gw == NULL || gw->detached)
    return;
  /* A request is out: the last command follows once it is answered. */
  if (gw->connected && gw->in_flight && gw->outq->len > 0
      && msnp_gw_session_is_open (gw->session) && !gw->dead) {
    gw->detached = TRUE;
    gw->ev = &detached_events;
    clear_source (&gw->deliver_idle);
    clear_source (&gw->send_idle);
    clear_source (&gw->poll_timer);
    return;
  }
  send_last_words (gw);
  if (gw->in_callback > 0) {
    teardown (gw);
    gw->dead = TRUE;
    return;
  }
  destroy (gw);
}

static gboolean
connected_cb (gpointer data)
{
  MsnpHttpGateway *gw = data;

  gw->connected_idle = 0;
  gw->connected = TRUE;
  GUARDED (gw, gw->ev->connected (gw->user));
  if (settle (gw) && gw->connected && gw->outq->len > 0 && !gw->in_flight)
    send_next (gw);
  return G_SOURCE_REMOVE;
}

static gboolean
bad_settings_cb (gpointer data)
{
  MsnpHttpGateway *gw = data;

  gw->connected_idle = 0;
  GUARDED (gw, fail (gw, MSNP_IO_ERROR_BAD_URL,
                     g_strdup_printf (_("The HTTP gateway setting \"%s%s\" is "
                                        "not a valid host and path."),
                                      gw->gateway, gw->path)));
  settle (gw);
  return G_SOURCE_REMOVE;
}

void
msnp_http_gateway_connect (MsnpHttpGateway *gw, const char *host, guint port)
{
  teardown (gw);
  msnp_gw_session_free (gw->session);
  gw->session = msnp_gw_session_new (gw->gateway, gw->path, gw->server, host,
                                     port);
  g_free (gw->target);
  gw->target = g_strdup_printf ("%s:%u", host, port);
  g_byte_array_set_size (gw->outq, 0);
  /* From the main loop, as msnp_transport_connect() reports. */
  gw->connected_idle = g_idle_add (msnp_gw_session_valid (gw->session)
                                   ? connected_cb : bad_settings_cb, gw);
}

void
msnp_http_gateway_write (MsnpHttpGateway *gw, const void *data, gsize len)
{
  if (gw->dead || !gw->connected || len == 0)
    return;
  if (gw->outq->len + len > MSNP_GW_MAX_BODY) {
    GUARDED (gw, fail (gw, MSNP_IO_ERROR_LOST,
                       g_strdup_printf (_("Too much is waiting to be sent "
                                          "through the HTTP gateway %s."),
                                        gw->gateway)));
    settle (gw);
    return;
  }
  g_byte_array_append (gw->outq, data, (guint) len);
  /* Everything written in this main-loop turn goes in one request. */
  if (!gw->in_flight && gw->send_idle == 0) {
    clear_source (&gw->poll_timer);
    gw->send_idle = g_idle_add (send_idle_cb, gw);
  }
}

gboolean
msnp_http_gateway_is_connected (const MsnpHttpGateway *gw)
{
  return gw->connected;
}

guint
msnp_http_gateway_requests (const MsnpHttpGateway *gw)
{
  return gw->requests;
}

/* ---- as a transport --------------------------------------------------- */

static void
impl_connect (gpointer gw, const char *host, guint port)
{
  msnp_http_gateway_connect (gw, host, port);
}

static void
impl_write (gpointer gw, const void *data, gsize len)
{
  msnp_http_gateway_write (gw, data, len);
}

static gboolean
impl_is_connected (gconstpointer gw)
{
  return msnp_http_gateway_is_connected (gw);
}

static void
impl_free (gpointer gw)
{
  msnp_http_gateway_free (gw);
}

static const MsnpTransportImpl gateway_impl = {
  .connect = impl_connect,
  .write = impl_write,
  .is_connected = impl_is_connected,
  .free = impl_free,
};

MsnpTransport *
msnp_transport_new_gateway (PurpleAccount *account,
                            const MsnpHttpGatewayConfig *config,
                            const MsnpTransportEvents *events, gpointer user)
{
  return msnp_transport_new_with (account, &gateway_impl,
                                  msnp_http_gateway_new (account, config,
                                                         events, user));
}
