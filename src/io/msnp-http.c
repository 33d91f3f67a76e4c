/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-http.h"
#include "msnp-passport.h"
#include "msnp-transport.h"

struct _MsnpHttp {
  PurpleAccount *account;
  MsnpTransport *transport;
  GString       *request;
  GByteArray    *response;
  MsnpHttpFunc   func;      /* NULL: opened ahead, no request yet */
  gpointer       user;
  guint          idle;      /* reports a failure found before connecting */
  guint          start_idle; /* connects on the next main-loop turn */
  GError        *early_error;
  char          *host;
  guint          port;
  gboolean       connected;
  gboolean       reused;    /* the request went out on a connection opened ahead */
  gboolean       keep_alive; /* the request asked the server to keep it open */
  gboolean       surplus;   /* bytes came after the reply's body */
  gsize          head_len;  /* status line + headers + blank line, once seen */
  gssize         body_len;  /* Content-Length, or -1: the body ends at close */
};

static void start_transport (MsnpHttp *http);

static void
finish (MsnpHttp *http, const GError *error)
{
  MsnpHttpFunc func = http->func;
  gpointer user = http->user;

  if (error == NULL) {
    g_byte_array_append (http->response, (const guint8 *) "", 1);
    func (user, (const char *) http->response->data,
          http->response->len - 1, NULL);
  } else {
    func (user, NULL, 0, error);
  }
  msnp_http_cancel (http);
}

static void
http_connected (gpointer user)
{
  MsnpHttp *http = user;

  http->connected = TRUE;
  if (http->func != NULL)
    msnp_transport_write (http->transport, http->request->str,
                          http->request->len);
}

/* The next header named @name (lower case with its colon, e.g.
 * "connection:") in the header block @head (@len bytes, from the status
 * line on) at or after *@pos: returns where its value starts (blanks
 * skipped) and moves *@pos past the name; 0 when there is none. */
static gsize
next_header (const char *head, gsize len, const char *name, gsize *pos)
{
  const gsize name_len = strlen (name);

  for (gsize i = *pos; i + 2 + name_len <= len; i++) {
    gsize j = i + 2 + name_len;

    if (head[i] != '\r' || head[i + 1] != '\n' ||
        g_ascii_strncasecmp (head + i + 2, name, name_len) != 0)
      continue;
    while (j < len && (head[j] == ' ' || head[j] == '\t'))
      j++;
    *pos = i + 2 + name_len;
    return j;
  }
  return 0;
}

/* The Content-Length of the header block @head (@len bytes), or -1 when
 * there is none or it is not one plain number (then the body ends when
 * the server closes, as HTTP/1.0 allows). */
static gssize
content_length (const char *head, gsize len)
{
  gssize found = -1;
  gsize pos = 0;
  gsize j;

  while ((j = next_header (head, len, "content-length:", &pos)) != 0) {
    guint64 value = 0;
    gsize digits = 0;

    for (; j < len && g_ascii_isdigit (head[j]) && digits < 10; j++, digits++)
      value = value * 10 + (guint64) (head[j] - '0');
    while (j < len && (head[j] == ' ' || head[j] == '\t'))
      j++;
    if (digits == 0 || j >= len || head[j] != '\r' || found >= 0 ||
        value > MSNP_HTTP_MAX_RESPONSE)
      return -1;   /* unreadable or twice: wait for the close instead */
    found = (gssize) value;
  }
  return found;
}

/* With a Content-Length the reply is complete when the body is in, so
 * the request does not wait for the server to close the connection
 * (a TLS close can come well after the last byte). */
static gboolean
reply_complete (MsnpHttp *http, gsize old_len)
{
  const char *data = (const char *) http->response->data;
  gsize len = http->response->len;

  if (http->head_len == 0) {
    gsize from = old_len > 3 ? old_len - 3 : 0;

    for (gsize i = from; i + 4 <= len; i++) {
      if (memcmp (data + i, "\r\n\r\n", 4) == 0) {
        http->head_len = i + 4;
        http->body_len = content_length (data, i + 2);
        break;
      }
    }
    if (http->head_len == 0)
      return FALSE;
  }
  if (http->body_len < 0 || len < http->head_len + (gsize) http->body_len)
    return FALSE;
  http->surplus = len > http->head_len + (gsize) http->body_len;
  g_byte_array_set_size (http->response, http->head_len + (guint) http->body_len);
  return TRUE;
}

static void
http_input (gpointer user, const guint8 *data, gsize len)
{
  MsnpHttp *http = user;
  gsize old_len = http->response->len;

  if (http->func == NULL) {
    /* Nothing was asked on this connection yet: not a reply to us. */
    msnp_transport_free (http->transport);
    http->transport = NULL;
    http->connected = FALSE;
    return;
  }
  if (http->response->len + len > MSNP_HTTP_MAX_RESPONSE) {
    g_autoptr (GError) error = g_error_new_literal (
        MSNP_IO_ERROR, MSNP_IO_ERROR_REPLY,
        _("The web server sent a reply that is too large."));
    finish (http, error);
    return;
  }
  g_byte_array_append (http->response, data, len);
  if (reply_complete (http, old_len))
    finish (http, NULL);
}

static void
http_closed (gpointer user, const GError *error)
{
  MsnpHttp *http = user;
  g_autoptr (GError) empty = NULL;

  if (http->func == NULL) {
    /* Opened ahead and lost before use: the request opens a new one,
     * except after a refused certificate, which it reports (the user is
     * not asked twice). */
    msnp_transport_free (http->transport);
    http->transport = NULL;
    http->connected = FALSE;
    if (g_error_matches (error, MSNP_IO_ERROR, MSNP_IO_ERROR_CERTIFICATE))
      http->early_error = g_error_copy (error);
    return;
  }
  if (http->reused && http->response->len == 0 &&
      !g_error_matches (error, MSNP_IO_ERROR, MSNP_IO_ERROR_CERTIFICATE)) {
    /* The server may drop a connection that waited: once, afresh. */
    http->reused = FALSE;
    msnp_transport_free (http->transport);
    start_transport (http);
    return;
  }

  if (error == NULL && http->response->len == 0)
    error = empty = g_error_new_literal (
        MSNP_IO_ERROR, MSNP_IO_ERROR_REPLY,
        _("The web server closed the connection without replying."));
  finish (http, error);
}

static const MsnpTransportEvents http_events = {
  .connected = http_connected,
  .input     = http_input,
  .closed    = http_closed,
};

static gboolean
report_early_error (gpointer user)
{
  MsnpHttp *http = user;

  http->idle = 0;
  finish (http, http->early_error);
  return G_SOURCE_REMOVE;
}

static void
start_transport (MsnpHttp *http)
{
  http->connected = FALSE;
  http->transport = msnp_transport_new (http->account, &http_events, http);
  msnp_transport_connect (http->transport, http->host, http->port, TRUE);
}

static gboolean
start_cb (gpointer user)
{
  MsnpHttp *http = user;

  http->start_idle = 0;
  start_transport (http);
  return G_SOURCE_REMOVE;
}

/* Connecting starts from the main loop at idle priority, after what the
 * caller set going in the same turn: setting up a connection takes main-loop
 * time (behind a proxy libpurple even forks a resolver child for a host
 * name), and a sign-in that opens the NS connection right after asking for
 * Passport should not have its own connection wait for that. */
static void
start_soon (MsnpHttp *http)
{
  http->start_idle = g_idle_add (start_cb, http);
}

static void
fail_early (MsnpHttp *http, GError *error)
{
  /* Callers get their answer from the main loop, never re-entrantly. */
  http->early_error = error;
  http->idle = g_idle_add (report_early_error, http);
}

/* Checks @url and fills @http's host and port; FALSE and an early error
 * if it is not an https address. */
static gboolean
set_target (MsnpHttp *http, const char *url, char **path)
{
  gboolean https = FALSE;

  g_clear_pointer (&http->host, g_free);
  if (!msnp_passport_split_url (url, &https, &http->host, &http->port, path)) {
    fail_early (http, g_error_new_literal (MSNP_IO_ERROR, MSNP_IO_ERROR_BAD_URL,
                                           _("The web address is not valid.")));
    return FALSE;
  }
  if (!https) {
    fail_early (http, g_error_new_literal (
        MSNP_IO_ERROR, MSNP_IO_ERROR_INSECURE_URL,
        _("The web address does not use HTTPS; refusing "
          "to send credentials over an unencrypted "
          "connection.")));
    return FALSE;
  }
  return TRUE;
}

static MsnpHttp *
http_new (PurpleAccount *account)
{
  MsnpHttp *http = g_new0 (MsnpHttp, 1);

  http->account = account;
  http->response = g_byte_array_new ();
  http->request = g_string_new (NULL);
  http->body_len = -1;
  return http;
}

static void
build_request (MsnpHttp *http, const char *method, const char *path,
               const char *headers, const char *content_type,
               const char *body, gsize body_len)
{
  g_string_printf (http->request,
                   "%s %s HTTP/1.0\r\n"
                   "Host: %s\r\n"
                   "User-Agent: pidgin-msnp/" PACKAGE_VERSION "\r\n"
                   "Accept: */*\r\n"
                   "Connection: %s\r\n"
                   "%s",
                   method, path, http->host,
                   http->keep_alive ? "keep-alive" : "close", headers ? headers : "");
  if (body != NULL)
    g_string_append_printf (http->request,
                            "Content-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT
                            "\r\n", content_type, body_len);
  g_string_append (http->request, "\r\n");
  if (body != NULL)
    g_string_append_len (http->request, body, (gssize) body_len);
}

static MsnpHttp *
start_request (MsnpHttp *open, PurpleAccount *account, const char *method,
               const char *url, const char *headers, const char *content_type,
               const char *body, gsize body_len, MsnpHttpFunc func,
               gpointer user, gboolean keep_alive)
{
  MsnpHttp *http = http_new (account);
  g_autofree char *path = NULL;

  http->func = func;
  http->user = user;
  http->keep_alive = keep_alive;
  if (!set_target (http, url, &path)) {
    msnp_http_cancel (open);
    return http;
  }
  build_request (http, method, path, headers, content_type, body, body_len);
  if (open != NULL && open->func == NULL && open->host != NULL &&
      g_ascii_strcasecmp (open->host, http->host) == 0 && open->port == http->port) {
    if (open->early_error != NULL) {
      fail_early (http, g_steal_pointer (&open->early_error));
      msnp_http_cancel (open);
      return http;
    }
    if (open->transport != NULL || open->start_idle != 0) {
      /* The transport's callbacks carry @open, so @open takes the
       * request over and @http goes. */
      g_string_free (open->request, TRUE);
      open->request = g_steal_pointer (&http->request);
      open->func = func;
      open->user = user;
      open->keep_alive = keep_alive;
      /* Only a connection that was up can have been dropped for waiting. */
      open->reused = open->connected;
      msnp_http_cancel (http);
      if (open->connected)
        msnp_transport_write (open->transport, open->request->str,
                              open->request->len);
      return open;
    }
  }
  msnp_http_cancel (open);
  start_soon (http);
  return http;
}

MsnpHttp *
msnp_http_open (PurpleAccount *account, const char *url)
{
  MsnpHttp *http = http_new (account);
  g_autofree char *path = NULL;

  if (set_target (http, url, &path)) {
    start_soon (http);
  } else {
    /* Nothing to report to: a request for this address reports it. */
    g_source_remove (http->idle);
    http->idle = 0;
    g_clear_error (&http->early_error);
    g_clear_pointer (&http->host, g_free);
  }
  return http;
}

MsnpHttp *
msnp_http_get (PurpleAccount *account, const char *url, const char *headers,
               MsnpHttpFunc func, gpointer user)
{
  return start_request (NULL, account, "GET", url, headers, NULL, NULL, 0, func,
                        user, FALSE);
}

MsnpHttp *
msnp_http_get_keep_alive (PurpleAccount *account, const char *url,
                          const char *headers, MsnpHttpFunc func, gpointer user)
{
  return start_request (NULL, account, "GET", url, headers, NULL, NULL, 0, func,
                        user, TRUE);
}

MsnpHttp *
msnp_http_get_on (MsnpHttp *open, PurpleAccount *account, const char *url,
                  const char *headers, MsnpHttpFunc func, gpointer user)
{
  return start_request (open, account, "GET", url, headers, NULL, NULL, 0, func,
                        user, FALSE);
}

MsnpHttp *
msnp_http_post (PurpleAccount *account, const char *url, const char *headers,
                const char *content_type, const char *body, gsize body_len,
                MsnpHttpFunc func, gpointer user)
{
  return start_request (NULL, account, "POST", url, headers, content_type, body,
                        body_len, func, user, FALSE);
}

/* Whether the header block @head (@len bytes) has "Connection: keep-alive". */
static gboolean
says_keep_alive (const char *head, gsize len)
{
  gsize pos = 0;
  gsize j;

  while ((j = next_header (head, len, "connection:", &pos)) != 0) {
    if (len - j >= 10 && g_ascii_strncasecmp (head + j, "keep-alive", 10) == 0)
      return TRUE;
  }
  return FALSE;
}

MsnpHttp *
msnp_http_keep (MsnpHttp *http, const char *next_url)
{
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  gboolean https = FALSE;
  guint port = 0;
  MsnpHttp *open;

  if (http == NULL || http->func == NULL || !http->keep_alive ||
      http->transport == NULL || !http->connected || http->head_len == 0 ||
      http->body_len < 0 || http->surplus ||
      !says_keep_alive ((const char *) http->response->data, http->head_len))
    return NULL;
  if (!msnp_passport_split_url (next_url, &https, &host, &port, &path) || !https ||
      g_ascii_strcasecmp (host, http->host) != 0 || port != http->port)
    return NULL;
  /* A new open handle takes the connection over; @http ends after its
   * callback as usual, with nothing left to close. */
  open = http_new (http->account);
  open->host = g_steal_pointer (&host);
  open->port = port;
  open->connected = TRUE;
  open->transport = g_steal_pointer (&http->transport);
  msnp_transport_set_user (open->transport, open);
  return open;
}

void
msnp_http_cancel (MsnpHttp *http)
{
  if (http == NULL)
    return;
  if (http->idle != 0)
    g_source_remove (http->idle);
  if (http->start_idle != 0)
    g_source_remove (http->start_idle);
  msnp_transport_free (http->transport);
  /* The request may hold a password: wipe it before freeing. */
  if (http->request != NULL) {
    memset (http->request->str, 0, http->request->len);
    g_string_free (http->request, TRUE);
  }
  g_byte_array_unref (http->response);
  g_clear_error (&http->early_error);
  g_free (http->host);
  g_free (http);
}
