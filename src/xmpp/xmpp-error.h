/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Errors of the XMPP core.  The purple glue turns them into connection
 * errors with translated sentences in one place (xmpp-account.c).
 *
 * Threads: the quark may be taken from any thread.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MSNP_XMPP_ERROR (msnp_xmpp_error_quark ())
GQuark msnp_xmpp_error_quark (void);

typedef enum {
  MSNP_XMPP_ERROR_PARSE,        /* not well-formed, or forbidden XML */
  MSNP_XMPP_ERROR_LIMIT,        /* nesting or stanza size cap exceeded */
  MSNP_XMPP_ERROR_NO_TLS,       /* the server offers no STARTTLS */
  MSNP_XMPP_ERROR_TLS_REFUSED,  /* <failure/> to <starttls/> */
  MSNP_XMPP_ERROR_NO_MECHANISM, /* X-MESSENGER-OAUTH2 not offered */
  MSNP_XMPP_ERROR_AUTH,         /* SASL failure; message is the condition */
  MSNP_XMPP_ERROR_STREAM,       /* <stream:error>; message is the condition */
  MSNP_XMPP_ERROR_CONFLICT,     /* stream error conflict: signed in elsewhere */
  MSNP_XMPP_ERROR_BIND,         /* resource binding failed */
  MSNP_XMPP_ERROR_CLOSED,       /* the server ended the stream */
  MSNP_XMPP_ERROR_PROTOCOL,     /* a reply that makes no sense */
} MsnpXmppErrorCode;

G_END_DECLS
