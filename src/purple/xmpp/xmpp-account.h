/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One "MSN (XMPP)" account signing in and out: the owner of the
 * MsnpXmppAccount (xmpp-context.h), which connects (SRV, see-other-host,
 * TLS), runs the session and hands its stanzas to the parts.  Only the
 * plugin table (plugin-msn-xmpp.c) includes this.  Runs on libpurple's
 * main loop. */
#pragma once

#include <account.h>
#include <connection.h>

G_BEGIN_DECLS

/* prpl login: creates the account's MsnpXmppAccount (gc->proto_data, owned
 * by the connection until msnp_xmpp_account_close()) and starts signing in. */
void msnp_xmpp_account_login (PurpleAccount *account);
/* prpl close: signs out and frees everything the account held. */
void msnp_xmpp_account_close (PurpleConnection *gc);

G_END_DECLS
