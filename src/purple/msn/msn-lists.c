/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Buddies and groups: libpurple's prpl ops onto the list editor, and its
 * refusals onto notify dialogs.  The policy (pending operations, ADG
 * before ADD, moves as add-then-remove, the last-group rule, rollback)
 * is in src/core/msnp-list-edit.c.
 *
 * Aliasing a buddy stays local on purpose (the prpl has no alias_buddy):
 * MSNP8's REA on a contact's passport only rewrites the friendly name the
 * server keeps for them, and the server overwrites that with the contact's
 * own choice whenever they change it or sign in (NLN/ILN carry it).  A
 * nickname the user typed must not vanish like that; libpurple's local
 * alias persists in blist.xml and is shown over the server's name. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <debug.h>
#include <notify.h>

#include "msn-lists.h"
#include "msnp-error.h"

/* The account, when a change made in libpurple is to go to the server:
 * not while the glue itself is making libpurple match the server. */
static MsnpAccount *
editing (PurpleConnection *gc)
{
  MsnpAccount *msn = msnp_account_of (gc);

  if (msn == NULL || msn->applying_server || msn->edit == NULL)
    return NULL;
  return msn;
}

void
msnp_lists_ui_add_buddy (PurpleConnection *gc, PurpleBuddy *buddy,
                         PurpleGroup *group)
{
  MsnpAccount *msn = editing (gc);

  if (msn != NULL)
    msnp_list_edit_add_contact (msn->edit, purple_buddy_get_name (buddy),
                                purple_group_get_name (group));
}

void
msnp_lists_ui_group_buddy (PurpleConnection *gc, const char *who,
                           const char *old_group, const char *new_group)
{
  MsnpAccount *msn = editing (gc);

  if (msn != NULL)
    msnp_list_edit_move_contact (msn->edit, who, old_group, new_group);
}

void
msnp_lists_ui_remove_buddy (PurpleConnection *gc, PurpleBuddy *buddy,
                            PurpleGroup *group)
{
  MsnpAccount *msn = editing (gc);

  if (msn != NULL)
    msnp_list_edit_remove_contact (msn->edit, purple_buddy_get_name (buddy),
                                   group != NULL ? purple_group_get_name (group)
                                                 : NULL);
}

/* libpurple only deletes empty groups; the editor empties it on the
 * server too (contacts libpurple never showed, or whose REM is in
 * flight). */
void
msnp_lists_ui_remove_group (PurpleConnection *gc, PurpleGroup *group)
{
  MsnpAccount *msn = editing (gc);

  if (msn != NULL)
    msnp_list_edit_remove_group (msn->edit, purple_group_get_name (group));
}

/* Renaming onto a name the server already has merges the two groups in
 * libpurple: the editor moves each of @moved_buddies. */
void
msnp_lists_ui_rename_group (PurpleConnection *gc, const char *old_name,
                            PurpleGroup *group, GList *moved_buddies)
{
  MsnpAccount *msn = editing (gc);
  g_autoptr (GPtrArray) moved = NULL;

  if (msn == NULL)
    return;
  moved = g_ptr_array_new ();
  for (GList *l = moved_buddies; l != NULL; l = l->next)
    g_ptr_array_add (moved, (gpointer) purple_buddy_get_name (l->data));
  msnp_list_edit_rename_group (msn->edit, old_name, purple_group_get_name (group),
                               (const char *const *) moved->pdata, moved->len);
}

void
msnp_lists_ui_rename_back (MsnpAccount *msn, const char *wanted, const char *name)
{
  PurpleGroup *group = purple_find_group (wanted);

  if (group == NULL)
    return;
  msn->applying_server = TRUE;
  purple_blist_rename_group (group, name);
  msn->applying_server = FALSE;
}

/* ---- refusals --------------------------------------------------------- */

static char *
failure_text (const MsnpEditFailure *f)
{
  switch (f->kind) {
  case MSNP_EDIT_ADD:
    return g_strdup_printf (_("Could not add %s to your contacts."), f->passport);
  case MSNP_EDIT_MOVE:
    return g_strdup_printf (_("Could not move %s to the group %s."),
                            f->passport, f->group);
  case MSNP_EDIT_REMOVE:
    return g_strdup_printf (_("Could not remove %s from your contacts."),
                            f->passport);
  case MSNP_EDIT_ADD_GROUP:
    return g_strdup_printf (_("Could not create the group %s."), f->group);
  case MSNP_EDIT_RENAME_GROUP:
    if (!f->sent)
      return g_strdup (_("Could not rename the group."));
    return g_strdup_printf (_("Could not rename the group %s to %s."),
                            f->old_name, f->group);
  case MSNP_EDIT_REMOVE_GROUP:
    return g_strdup_printf (_("Could not remove the group %s."), f->group);
  case MSNP_EDIT_ALLOW_NEW:
    return g_strdup_printf (_("Could not allow %s to see you."), f->passport);
  case MSNP_EDIT_ALLOW:
    return g_strdup_printf (_("Could not allow %s."), f->passport);
  case MSNP_EDIT_BLOCK:
    return g_strdup_printf (_("Could not block %s."), f->passport);
  case MSNP_EDIT_UNALLOW:
    return g_strdup_printf (_("Could not stop allowing %s."), f->passport);
  case MSNP_EDIT_UNBLOCK:
    return g_strdup_printf (_("Could not unblock %s."), f->passport);
  case MSNP_EDIT_PRIVACY:
    return g_strdup (_("Could not change your privacy setting."));
  case MSNP_EDIT_GTC:
    return g_strdup (_("Could not change who may add you without asking."));
  case MSNP_EDIT_PHONE:
    return g_strdup (_("Could not change your phone number."));
  case MSNP_EDIT_RESTORE:
  case MSNP_EDIT_UNTRACKED:
  default:
    return g_strdup (_("A change was refused."));
  }
}

void
msnp_lists_ui_failed (MsnpAccount *msn, const MsnpEditFailure *failure)
{
  g_autofree char *sentence = failure->code != 0
      ? msnp_server_error_sentence (failure->code) : NULL;
  g_autofree char *primary = NULL;

  if (failure->kind == MSNP_EDIT_UNTRACKED) {
    purple_debug_info ("msnp", "%s refused (%u) with nothing to undo\n",
                       failure->command, failure->code);
    purple_notify_error (msn->gc, _("MSN error"),
                         _("The MSN server refused a request."), sentence);
    return;
  }
  primary = failure_text (failure);
  purple_notify_error (msn->gc, _("MSN contact list"), primary, sentence);
}
