/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One MSN account signing in and out: the owner of the MsnpAccount
 * (msn-context.h), which wires the notification session, the list editor
 * and the parts together.  Only the plugin table (plugin-msn.c) includes
 * this.  Runs on libpurple's main loop. */
#pragma once

#include <account.h>
#include <connection.h>

G_BEGIN_DECLS

/* prpl login: creates the account's MsnpAccount (gc->proto_data, owned by
 * the connection until msnp_account_close()) and starts signing in. */
void msnp_account_login (PurpleAccount *account);
/* prpl close: signs out and frees everything the account held. */
void msnp_account_close (PurpleConnection *gc);

G_END_DECLS
