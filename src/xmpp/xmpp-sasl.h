/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SASL mechanisms we can use, as a table with priorities.  Messenger XMPP
 * offers one: X-MESSENGER-OAUTH2, whose <auth> payload is the OAuth access
 * token as is — not base64-encoded again (it already is base64-looking
 * text; the service rejected a doubly encoded token).
 *
 * Threads and ownership: a static read-only table; any thread.  The
 * mechanism returned points into it and is never freed.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *name;
  int         priority;  /* higher wins when several are offered */
  /* The <auth> element's text for @token (newly allocated). */
  char     *(*initial_response) (const char *token);
} MsnpXmppSaslMechanism;

/* The best mechanism among @offered (mechanism names as the server listed
 * them, surrounding whitespace tolerated), or NULL. */
const MsnpXmppSaslMechanism *msnp_xmpp_sasl_choose (const char *const *offered,
                                                    gsize n_offered);

G_END_DECLS
