/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Keeps libpurple's buddy list in step with the server's lists, and shows
 * contacts' presence and details.  Runs on libpurple's main loop; the sync
 * state hangs off the MsnpAccount and is freed by msnp_blist_free(). */
#pragma once

#include "msn-context.h"
#include <notify.h>

G_BEGIN_DECLS

/* The forward list becomes buddies in their groups, buddies the server
 * no longer lists go away: in linear time, a bounded slice per main-loop
 * turn.  Writes nothing that is already right, so an unchanged list costs
 * lookups only.  Restarts a sync in progress. */
void msnp_blist_sync (MsnpAccount *msn);

/* The sync that ends a sign-in: msnp_blist_sync(), or FALSE when the list
 * is too long to sign in with (the sign-in ends instead).  When it is
 * over, the hook blist_in_place fires (msn-context.h). */
gboolean msnp_blist_synced (MsnpAccount *msn);

/* Signed in: the connection becomes CONNECTED (libpurple's signed-on)
 * now, or when the sync in progress has put the whole list in place, so
 * that signed-on still means "the buddy list is the server's". */
void msnp_blist_connect_when_synced (MsnpAccount *msn);

/* Stops a sync in progress and forgets everything (signing off). */
void msnp_blist_free (MsnpAccount *msn);

/* A contact arrived during a sync: placed right away, so the list is
 * built while the rest is still on the wire. */
void msnp_blist_listed (MsnpAccount *msn, const MsnpContact *contact);

void msnp_blist_contact_changed (MsnpAccount *msn, const MsnpContact *contact);

/* Puts @passport's buddies back where the server has them (after a
 * refused change). */
void msnp_blist_resync_contact (MsnpAccount *msn, const char *passport);

/* Account action: set your own phone numbers (PRP). */
void msnp_blist_action_phones (PurpleConnection *gc);

void msnp_blist_presence (MsnpAccount *msn, const char *passport,
                          MsnpStatus status, const char *friendly);

/* Adds what we know of @passport (friendly name, phones, lists, groups)
 * to @info. */
void msnp_blist_describe (MsnpAccount *msn, const char *passport,
                          PurpleNotifyUserInfo *info, gboolean full);

G_END_DECLS
