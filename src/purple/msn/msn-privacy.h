/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libpurple's privacy (five modes, permit and deny lists) on MSNP8's BLP
 * setting and allow/block lists, both ways.  Moving a contact between the
 * lists is the list editor's (src/core/msnp-list-edit.h).  Runs on
 * libpurple's main loop. */
#pragma once

#include "msn-context.h"

G_BEGIN_DECLS

/* prpl ops */
void msnp_privacy_add_permit      (PurpleConnection *gc, const char *who);
void msnp_privacy_add_deny        (PurpleConnection *gc, const char *who);
void msnp_privacy_rem_permit      (PurpleConnection *gc, const char *who);
void msnp_privacy_rem_deny        (PurpleConnection *gc, const char *who);
void msnp_privacy_set_permit_deny (PurpleConnection *gc);

/* After a sync: mirror AL/BL into the permit/deny lists and agree on the
 * mode (the user's offline choice is sent, else the server's is taken). */
void msnp_privacy_synced  (MsnpAccount *msn);
/* TRUE when msnp_privacy_synced() may send a mode changed while offline:
 * the initial status must wait for it. */
gboolean msnp_privacy_to_send (MsnpAccount *msn);
/* An echo of an AL/BL/BLP change (ours or another client's). */
void msnp_privacy_changed (MsnpAccount *msn, const MsnpListChange *change);

/* Mirrors the model's allow and block lists again and takes the server's
 * mode (after a refused change). */
void msnp_privacy_resync  (MsnpAccount *msn);

/* Drops what is still scheduled (signing off). */
void msnp_privacy_free (MsnpAccount *msn);

G_END_DECLS
