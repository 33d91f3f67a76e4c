/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-http.h"
#include "msnp-passport.h"
#include "msnp-transport.h"

struct _MsnpHttp {
  MsnpTransport *transport;
  GString       *request;
  GByteArray    *response;
  MsnpHttpFunc   func;
  gpointer       user;
  guint          idle;      /* reports a failure found before connecting */
  GError        *early_error;
};

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

  msnp_transport_write (http->transport, http->request->str,
                        http->request->len);
}

static void
http_input (gpointer user, const guint8 *data, gsize len)
{
  MsnpHttp *http = user;

  if (http->response->len + len > MSNP_HTTP_MAX_RESPONSE) {
    g_autoptr (GError) error = g_error_new_literal (
        MSNP_IO_ERROR, MSNP_IO_ERROR_REPLY,
        _("The web server sent a reply that is too large."));
    finish (http, error);
    return;
  }
  g_byte_array_append (http->response, data, len);
}

static void
http_closed (gpointer user, const GError *error)
{
  MsnpHttp *http = user;
  g_autoptr (GError) empty = NULL;

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

static MsnpHttp *
start_request (PurpleAccount *account, const char *method, const char *url,
               const char *headers, const char *content_type,
               const char *body, gsize body_len, MsnpHttpFunc func,
               gpointer user)
{
  MsnpHttp *http = g_new0 (MsnpHttp, 1);
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  gboolean https = FALSE;
  gboolean valid;
  guint port = 0;

  http->func = func;
  http->user = user;
  http->response = g_byte_array_new ();
  http->request = g_string_new (NULL);
  valid = msnp_passport_split_url (url, &https, &host, &port, &path);
  if (!valid || !https) {
    /* Callers get their answer from the main loop, never re-entrantly. */
    http->early_error = !valid
        ? g_error_new_literal (MSNP_IO_ERROR, MSNP_IO_ERROR_BAD_URL,
                               _("The web address is not valid."))
        : g_error_new_literal (MSNP_IO_ERROR, MSNP_IO_ERROR_INSECURE_URL,
                               _("The web address does not use HTTPS; refusing "
                                 "to send credentials over an unencrypted "
                                 "connection."));
    http->idle = g_idle_add (report_early_error, http);
    return http;
  }
  g_string_printf (http->request,
                   "%s %s HTTP/1.0\r\n"
                   "Host: %s\r\n"
                   "User-Agent: pidgin-msnp/" PACKAGE_VERSION "\r\n"
                   "Accept: */*\r\n"
                   "Connection: close\r\n"
                   "%s",
                   method, path, host, headers ? headers : "");
  if (body != NULL)
    g_string_append_printf (http->request,
                            "Content-Type: %s\r\nContent-Length: %" G_GSIZE_FORMAT
                            "\r\n", content_type, body_len);
  g_string_append (http->request, "\r\n");
  if (body != NULL)
    g_string_append_len (http->request, body, (gssize) body_len);
  http->transport = msnp_transport_new (account, &http_events, http);
  msnp_transport_connect (http->transport, host, port, TRUE);
  return http;
}

MsnpHttp *
msnp_http_get (PurpleAccount *account, const char *url, const char *headers,
               MsnpHttpFunc func, gpointer user)
{
  return start_request (account, "GET", url, headers, NULL, NULL, 0, func,
                        user);
}

MsnpHttp *
msnp_http_post (PurpleAccount *account, const char *url, const char *headers,
                const char *content_type, const char *body, gsize body_len,
                MsnpHttpFunc func, gpointer user)
{
  return start_request (account, "POST", url, headers, content_type, body,
                        body_len, func, user);
}

void
msnp_http_cancel (MsnpHttp *http)
{
  if (http == NULL)
    return;
  if (http->idle != 0)
    g_source_remove (http->idle);
  msnp_transport_free (http->transport);
  /* The request may hold a password: wipe it before freeing. */
  memset (http->request->str, 0, http->request->len);
  g_string_free (http->request, TRUE);
  g_byte_array_unref (http->response);
  g_clear_error (&http->early_error);
  g_free (http);
}
