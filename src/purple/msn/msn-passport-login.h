/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Passport 1.4 login for the notification session: the nexus and the
 * DALogin exchange over HTTPS (src/io), the request and reply shapes
 * from src/core/msnp-passport.h.  Runs on libpurple's main loop. */
#pragma once

#include "msn-context.h"

G_BEGIN_DECLS

/* Gets a ticket for @challenge (copied) and hands it to the notification
 * session (msnp_ns_submit_ticket(), or msnp_ns_abort() on failure). */
void msnp_passport_login_start  (MsnpAccount *msn, const char *challenge);
/* Drops an exchange in progress (signing off). */
void msnp_passport_login_cancel (MsnpAccount *msn);
/* Before connecting: FALSE (and the account ends with a settings error)
 * when the Passport settings cannot work.  Otherwise starts what needs no
 * challenge, so that it runs during the dispatch and NS handshakes: the
 * TLS connection to the remembered login server, or the nexus request. */
gboolean msnp_passport_login_check_settings (MsnpAccount *msn);

G_END_DECLS
