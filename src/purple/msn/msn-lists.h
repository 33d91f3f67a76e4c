/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Buddy and group changes made in libpurple, handed to the list editor
 * (src/core/msnp-list-edit.h, which decides what goes on the wire and
 * what follows the server's answer), and the editor's refusals told to
 * the user in the server's own words.  libpurple changes its list first
 * and tells the protocol afterwards; putting the buddy list back is the
 * buddy-list part's job (msn-account.c wires the editor's rollback events
 * to it).  Runs on libpurple's main loop. */
#pragma once

#include <blist.h>

#include "msn-context.h"

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

/* List-editor events: the group the user renamed to @wanted goes back to
 * the server's @name; a refused change is shown to the user. */
void msnp_lists_ui_rename_back (MsnpAccount *msn, const char *wanted,
                                const char *name);
void msnp_lists_ui_failed      (MsnpAccount *msn, const MsnpEditFailure *failure);

G_END_DECLS
