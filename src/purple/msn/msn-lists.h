/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Buddy and group changes made in libpurple, carried to the server (ADD,
 * REM, ADG, RMG, REG) and confirmed by its echoes.  libpurple changes its
 * list first and tells the protocol afterwards; when the server refuses,
 * the buddy list is put back to the server's truth and the user is told
 * why in the server's own words. */
#pragma once

#include <blist.h>

#include "msn-account.h"

G_BEGIN_DECLS

/* prpl ops */
void msnp_lists_ui_add_buddy    (PurpleConnection *gc, PurpleBuddy *buddy,
                                 PurpleGroup *group);
void msnp_lists_ui_remove_buddy (PurpleConnection *gc, PurpleBuddy *buddy,
                                 PurpleGroup *group);
void msnp_lists_ui_group_buddy  (PurpleConnection *gc, const char *who,
                                 const char *old_group, const char *new_group);
void msnp_lists_ui_rename_group (PurpleConnection *gc, const char *old_name,
                                 PurpleGroup *group, GList *moved_buddies);
void msnp_lists_ui_remove_group (PurpleConnection *gc, PurpleGroup *group);

/* Tracks a request sent by another module (privacy, authorization,
 * phones) so that its refusal is reported with @what (the finished
 * sentence, e.g. "Could not block bob@example.com.") and followed by
 * @rollback (may be NULL).  @trid 0 (nothing sent) is ignored. */
void msnp_lists_ui_track (MsnpAccount *msn, guint trid, const char *passport,
                          const char *what,
                          void (*rollback) (MsnpAccount *msn,
                                            const char *passport));

/* NS events */
void msnp_lists_ui_changed (MsnpAccount *msn, guint trid,
                            const MsnpListChange *change);
void msnp_lists_ui_failed  (MsnpAccount *msn, guint trid, const char *command,
                            guint code);

/* TRUE while @passport is being moved out of group @group_id: the buddy
 * list must not put it back there in the meantime. */
gboolean msnp_lists_ui_leaving (MsnpAccount *msn, const char *passport,
                                const char *group_id);

void msnp_lists_ui_free (MsnpAccount *msn);

G_END_DECLS
