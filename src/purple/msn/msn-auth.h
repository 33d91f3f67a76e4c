/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The reverse list: people who added us.  Those we have neither allowed
 * nor blocked get libpurple's authorization request; GTC ("ask me" or
 * "allow automatically") is an account option kept in step with the
 * server.  Answers go through the list editor (src/core/msnp-list-edit.h).
 * Runs on libpurple's main loop; the dialogs are owned here and closed by
 * msnp_auth_free(). */
#pragma once

#include "msn-context.h"

G_BEGIN_DECLS

/* After a sync: agree on GTC, then ask about everyone still unanswered. */
void msnp_auth_synced  (MsnpAccount *msn);
/* ADD/REM RL (someone added or removed us) and GTC echoes. */
void msnp_auth_changed (MsnpAccount *msn, const MsnpListChange *change);
/* Closes the dialogs still open (the account is going offline). */
void msnp_auth_free    (MsnpAccount *msn);

G_END_DECLS
