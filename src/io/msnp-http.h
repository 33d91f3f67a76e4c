/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One HTTPS GET with our own headers, over msnp-transport (so proxy
 * settings and libpurple's certificate checks apply).  Redirects are not
 * followed here: Passport must resend its Authorization header to the new
 * location, which only the caller knows to do.
 *
 * HTTP/1.0 with Connection: close (or keep-alive, where asked); the whole
 * response (status line, headers and body) is handed over once its
 * Content-Length is in, or else once the server closes, capped at
 * MSNP_HTTP_MAX_RESPONSE bytes.
 *
 * A connection may be opened ahead (msnp_http_open) while the caller
 * still waits for what to send, so the TCP and TLS set-up overlaps that
 * wait; msnp_http_get_on() then sends over it.
 *
 * Threads and ownership: libpurple's main loop only.  The MsnpHttp handle
 * belongs to the exchange: it frees itself after calling the callback once
 * (or on msnp_http_cancel, which calls nothing); the response passed to the
 * callback lives only during the call.  A handle from msnp_http_open has
 * no callback yet: it is cancelled or handed to msnp_http_get_on.
 */
#pragma once

#include <glib.h>
#include <account.h>

G_BEGIN_DECLS

#define MSNP_HTTP_MAX_RESPONSE (256 * 1024)

/* @response is NUL-terminated (the NUL is not counted in @len).  On
 * failure @response is NULL and @error is set (MSNP_IO_ERROR, see
 * msnp-transport.h: map it with msnp_io_error_reason()). */
typedef void (*MsnpHttpFunc) (gpointer user, const char *response, gsize len,
                              const GError *error);

typedef struct _MsnpHttp MsnpHttp;

/* Starts the request; @url must be https (http is refused: requests carry
 * secrets).  @headers holds extra "Name: value\r\n" lines or is NULL.
 * The callback fires exactly once unless the request is cancelled first. */
MsnpHttp *msnp_http_get (PurpleAccount *account, const char *url,
                         const char *headers, MsnpHttpFunc func,
                         gpointer user);

/* msnp_http_get() asking the server to keep the connection open after
 * its reply (HTTP/1.0 "Connection: keep-alive": a server that agrees must
 * delimit the reply by Content-Length), so that msnp_http_keep() can send
 * the next request over it. */
MsnpHttp *msnp_http_get_keep_alive (PurpleAccount *account, const char *url,
                                    const char *headers, MsnpHttpFunc func,
                                    gpointer user);

/* Called from @http's callback, with a reply in: when the server agreed
 * to keep the connection open and @next_url is on the same host and port,
 * returns a new open handle that owns the connection (as from
 * msnp_http_open: pass it to msnp_http_get_on, or cancel it); otherwise
 * NULL.  @http ends after the callback as usual either way.  Saves a TCP
 * and TLS set-up. */
MsnpHttp *msnp_http_keep (MsnpHttp *http, const char *next_url);

/* The same with POST and a body of @content_type (e.g. an OAuth token
 * request, "application/x-www-form-urlencoded").  The body may hold
 * secrets: it is wiped when the request ends. */
MsnpHttp *msnp_http_post (PurpleAccount *account, const char *url,
                          const char *headers, const char *content_type,
                          const char *body, gsize body_len, MsnpHttpFunc func,
                          gpointer user);

/* Opens a TLS connection to @url's host and port and sends nothing:
 * certificate checks happen now.  Cancel it or hand it to
 * msnp_http_get_on(). */
MsnpHttp *msnp_http_open (PurpleAccount *account, const char *url);

/* msnp_http_get(), over @open (from msnp_http_open, may be NULL) when it
 * reaches the same host and port; otherwise @open is cancelled and a new
 * connection made.  Takes @open either way.  A certificate refused on
 * @open is reported here; a connection lost while it waited is replaced,
 * once, silently. */
MsnpHttp *msnp_http_get_on (MsnpHttp *open, PurpleAccount *account,
                            const char *url, const char *headers,
                            MsnpHttpFunc func, gpointer user);

void msnp_http_cancel (MsnpHttp *http);

G_END_DECLS
