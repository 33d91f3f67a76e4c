/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The list-editing policy of one account, sans-IO: what the user asks of
 * the contact list ("put Bob in Work", "block Eve") becomes MSNP8 list
 * requests on the notification session, and what the server answers
 * becomes the next request or a rollback.
 *
 * The rules it holds (the DESIGN's "decisions in the core"):
 * - every request waits for the server's echo, keyed by its TrID; the
 *   model changes only with the echo (msnp-ns-lists.c);
 * - adding into a group the server does not have yet creates it first
 *   (ADG, one per name however many contacts wait for it), then ADDs;
 * - a move is ADD to the new group, then REM from the old one once the
 *   ADD is confirmed (removing first could take the contact off the
 *   forward list altogether if the ADD then failed);
 * - a removal that would empty a contact's last group, counting the
 *   removals still in flight, is "REM FL passport" (msnp-lists.h);
 * - a contact goes from the allow list to the block list (or back) as a
 *   REM then an ADD, since the server refuses a contact on both; when the
 *   ADD is refused it goes back on the list it left;
 * - a refusal puts the owner back to the server's truth (the rollback
 *   events) and then reports what failed.
 *
 * Threading: everything runs on the caller's thread, with no main loop of
 * its own; events fire from inside the calls below (the msnp_list_edit_*
 * request calls, msnp_list_edit_changed(), msnp_list_edit_refused()). */
#pragma once

#include <glib.h>
#include "msnp-ns.h"

G_BEGIN_DECLS

/* What the user asked for, as reported when it fails. */
typedef enum {
  MSNP_EDIT_ADD,            /* @passport into the group @group */
  MSNP_EDIT_MOVE,           /* @passport to the group @group */
  MSNP_EDIT_REMOVE,         /* @passport off a group or the forward list */
  MSNP_EDIT_ADD_GROUP,      /* create @group */
  MSNP_EDIT_RENAME_GROUP,   /* rename @old_name to @group */
  MSNP_EDIT_REMOVE_GROUP,   /* remove @group */
  MSNP_EDIT_ALLOW_NEW,      /* the allow-list entry a new contact gets */
  MSNP_EDIT_ALLOW,          /* @passport onto the allow list */
  MSNP_EDIT_BLOCK,          /* @passport onto the block list */
  MSNP_EDIT_UNALLOW,        /* @passport off the allow list */
  MSNP_EDIT_UNBLOCK,        /* @passport off the block list */
  MSNP_EDIT_RESTORE,        /* @passport back where a refused move left */
  MSNP_EDIT_PRIVACY,        /* BLP */
  MSNP_EDIT_GTC,            /* GTC */
  MSNP_EDIT_PHONE,          /* PRP PHH/PHW/PHM */
  MSNP_EDIT_UNTRACKED,      /* a refusal of no request of ours: @command */
} MsnpEditKind;

/* A refused change.  Strings are borrowed for the event. */
typedef struct {
  MsnpEditKind kind;
  const char  *passport;   /* NULL for group and setting changes */
  const char  *group;      /* group name (ADD, MOVE, *_GROUP) */
  const char  *old_name;   /* RENAME_GROUP: the name it had */
  const char  *command;    /* the request refused ("ADD", "REM", …), NULL
                            * when nothing was sent */
  guint        code;       /* the server's error code (or the one that
                            * says why it could not be sent) */
  /* FALSE: refused before anything went out (not online, or not a
   * passport that can go on the wire).  No rollback event fired: the
   * owner is likely still inside the call that made the change, and puts
   * @passport back itself once that call has returned. */
  gboolean     sent;
} MsnpEditFailure;

typedef struct {
  /* Put @passport's buddies back where the model has them. */
  void (*resync_contact) (gpointer user, const char *passport);
  /* Put the whole buddy list back to the model (a group went wrong, or
   * another client changed the groups). */
  void (*resync_all)     (gpointer user);
  /* The group the user renamed to @wanted is still called @name on the
   * server: rename it back. */
  void (*rename_back)    (gpointer user, const char *wanted, const char *name);
  /* The allow and block lists (and the privacy mode) go back to the
   * model's. */
  void (*resync_privacy) (gpointer user);
  /* A change failed; its rollback events (if any) have fired. */
  void (*failed)         (gpointer user, const MsnpEditFailure *failure);
} MsnpListEditEvents;

typedef struct _MsnpListEdit MsnpListEdit;

/* @ns and @events are borrowed and must outlive the editor; free the
 * editor before the session. */
MsnpListEdit *msnp_list_edit_new  (MsnpNs *ns, const MsnpListEditEvents *events,
                                   gpointer user);
void          msnp_list_edit_free (MsnpListEdit *edit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpListEdit, msnp_list_edit_free)

/* ---- the session's events, passed on by the owner ----------------------- */

/* list_changed: the echo of @trid (0: a change made elsewhere). */
void msnp_list_edit_changed (MsnpListEdit *edit, guint trid,
                             const MsnpListChange *change);
/* request_failed: the server refused @trid (a @command we sent). */
void msnp_list_edit_refused (MsnpListEdit *edit, guint trid,
                             const char *command, guint code);

/* ---- the user's changes ---------------------------------------------------
 * Passports are matched without regard to case; group names exactly.
 * Nothing is sent when the session is not online. */

/* Puts @passport into the group @group (creating the group first if the
 * server has none by that name) and allows a contact that is on neither
 * the allow nor the block list: with "block all but the allow list" they
 * would not see us otherwise, and a contact we added must not come back
 * as an authorization request. */
void msnp_list_edit_add_contact    (MsnpListEdit *edit, const char *passport,
                                    const char *group);
/* Moves @passport from @old_group to @new_group (an add when it is not
 * in @old_group on the server, or not on the forward list at all). */
void msnp_list_edit_move_contact   (MsnpListEdit *edit, const char *passport,
                                    const char *old_group,
                                    const char *new_group);
/* Takes @passport out of @group (NULL: off the forward list).  Nothing
 * is sent for a contact the server does not have there. */
void msnp_list_edit_remove_contact (MsnpListEdit *edit, const char *passport,
                                    const char *group);
/* Removes the group @name, after taking out the contacts the server
 * still has in it (RMG would move them to group 0, not drop them). */
void msnp_list_edit_remove_group   (MsnpListEdit *edit, const char *name);
/* Renames the group @old_name to @new_name.  When the server already has
 * a group @new_name the two merge: each of @moved (@n_moved passports)
 * moves, and the emptied group stays (an RMG before the moves are
 * confirmed would push their contacts into group 0). */
void msnp_list_edit_rename_group   (MsnpListEdit *edit, const char *old_name,
                                    const char *new_name,
                                    const char *const *moved, guint n_moved);

/* Privacy.  allow/block move @passport off the opposite list first;
 * unblock allows a contact who has us on their list (RL) rather than
 * leaving them on neither list, where they would be asked about again.
 * Refusals fire resync_privacy. */
void msnp_list_edit_allow   (MsnpListEdit *edit, const char *passport);
void msnp_list_edit_block   (MsnpListEdit *edit, const char *passport);
void msnp_list_edit_unallow (MsnpListEdit *edit, const char *passport);
void msnp_list_edit_unblock (MsnpListEdit *edit, const char *passport);
/* BLP @blp (MSNP_LIST_AL or MSNP_LIST_BL) when the server has another. */
void msnp_list_edit_set_privacy (MsnpListEdit *edit, MsnpListMask blp);

/* An answer to someone who added us: ADD AL or BL with their name.  No
 * rollback: they are asked again at the next sign-in. */
void msnp_list_edit_answer (MsnpListEdit *edit, const char *passport,
                            const char *friendly, MsnpListMask list);
void msnp_list_edit_set_gtc   (MsnpListEdit *edit, gboolean ask);
void msnp_list_edit_set_phone (MsnpListEdit *edit, MsnpPhone phone,
                               const char *value);

/* TRUE while @passport is leaving the group @group_id (a removal sent,
 * from that group or from the whole list, or a move waiting to leave
 * it): the owner must not put it back there meanwhile. */
gboolean msnp_list_edit_leaving (const MsnpListEdit *edit, const char *passport,
                                 const char *group_id);
/* How many requests wait for the server's answer. */
guint    msnp_list_edit_n_pending (const MsnpListEdit *edit);

G_END_DECLS
