/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OAuth 2.0 sign-in of an "MSN (XMPP)" account: the stored token, its
 * refresh, and asking the user to paste the redirect address.  Tokens live
 * in <purple user dir>/msnp/<user>.xmpp-oauth (mode 0600), never in the
 * debug log.  Runs on libpurple's main loop; the account owns whatever
 * request or dialog is under way until msnp_xmpp_oauth_cancel(). */
#pragma once

#include "xmpp-context.h"

G_BEGIN_DECLS

/* Gets a usable access token (stored, refreshed, or by asking
 * the user to paste the redirect URL), then call @done.  @done gets NULL
 * after it has already reported a connection error. */
typedef void (*MsnpXmppTokenFunc) (MsnpXmppAccount *xa, const char *token);
void msnp_xmpp_oauth_get_token (MsnpXmppAccount *xa, gboolean force_refresh,
                                MsnpXmppTokenFunc done);
void msnp_xmpp_oauth_cancel (MsnpXmppAccount *xa);
/* The stored access token was rejected: forget it. */
void msnp_xmpp_oauth_forget_access (MsnpXmppAccount *xa);

G_END_DECLS
