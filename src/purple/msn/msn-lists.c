/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Buddies and groups, kept in step with the server.
 *
 * Every change goes out as a request whose TrID keys a ListOp here; the
 * model (and through it the buddy list) changes only on the server's echo.
 * A refusal puts the affected buddies back where the server has them and
 * shows the server's sentence.  Two changes need a second step once the
 * first is confirmed: adding into a group the server does not have yet
 * (ADG, then ADD with the new group id) and moving (ADD to the new group,
 * then REM from the old one: removing first could take the contact off
 * the forward list altogether if the ADD then failed).
 *
 * Aliasing a buddy stays local on purpose (the prpl has no alias_buddy):
 * MSNP8's REA on a contact's passport only rewrites the friendly name the
 * server keeps for them, and the server overwrites that with the contact's
 * own choice whenever they change it or sign in (NLN/ILN carry it).  A
 * nickname the user typed must not vanish like that; libpurple's local
 * alias persists in blist.xml and is shown over the server's name. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <debug.h>
#include <notify.h>

#include "msn-blist.h"
#include "msn-lists.h"
#include "msnp-error.h"

typedef enum {
  OP_ADD,      /* ADD FL into @group */
  OP_MOVE,     /* ADD FL into the new group; then REM from @group_id */
  OP_REMOVE,   /* REM FL from @group_id (or the whole list) */
  OP_ADG,      /* ADG @group; then the @waiting ADDs */
  OP_REG,      /* REG to @group, was @old_name */
  OP_RMG,      /* RMG @group_id */
  OP_TRACKED,  /* another module's request (msnp_lists_ui_track) */
} OpKind;

typedef struct {
  char *passport;
  char *from_gid;   /* a move's old group, or NULL for a plain add */
} Waiting;

typedef struct {
  OpKind     kind;
  char      *passport;
  char      *group;
  char      *group_id;
  char      *old_name;
  GPtrArray *waiting;
  char      *what;
  void     (*rollback) (MsnpAccount *msn, const char *passport);
} ListOp;

static void
waiting_free (Waiting *w)
{
  g_free (w->passport);
  g_free (w->from_gid);
  g_free (w);
}

static void
op_free (ListOp *op)
{
  g_free (op->passport);
  g_free (op->group);
  g_free (op->group_id);
  g_free (op->old_name);
  g_free (op->what);
  if (op->waiting != NULL)
    g_ptr_array_unref (op->waiting);
  g_free (op);
}

static ListOp *
op_new (OpKind kind, const char *passport, const char *group,
        const char *group_id)
{
  ListOp *op = g_new0 (ListOp, 1);

  op->kind = kind;
  op->passport = g_strdup (passport);
  op->group = g_strdup (group);
  op->group_id = g_strdup (group_id);
  return op;
}

static MsnpLists *
lists_of (MsnpAccount *msn)
{
  return msnp_ns_get_lists (msn->ns);
}

/* Keeps @op until the server answers @trid (0: nothing was sent). */
static gboolean
op_track (MsnpAccount *msn, guint trid, ListOp *op)
{
  if (trid == 0) {
    op_free (op);
    return FALSE;
  }
  if (msn->list_ops == NULL)
    msn->list_ops = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                           (GDestroyNotify) op_free);
  g_hash_table_insert (msn->list_ops, GUINT_TO_POINTER (trid), op);
  return TRUE;
}

static ListOp *
op_take (MsnpAccount *msn, guint trid)
{
  ListOp *op = NULL;

  if (trid == 0 || msn->list_ops == NULL)
    return NULL;
  if (g_hash_table_steal_extended (msn->list_ops, GUINT_TO_POINTER (trid),
                                   NULL, (gpointer *) &op))
    return op;
  return NULL;
}

/* ---- putting the buddy list back -------------------------------------- */

static void
resync_passport (MsnpAccount *msn, const char *passport)
{
  msn->applying_server = TRUE;
  msnp_blist_resync_contact (msn, passport);
  msn->applying_server = FALSE;
}

static void
resync_all (MsnpAccount *msn)
{
  msn->applying_server = TRUE;
  msnp_blist_sync (msn);
  msn->applying_server = FALSE;
}

static void
tell_user (MsnpAccount *msn, const char *primary, guint code)
{
  g_autofree char *sentence = code != 0 ? msnp_server_error_sentence (code) : NULL;

  purple_notify_error (msn->gc, _("MSN contact list"), primary, sentence);
}

typedef struct {
  char *passport;
  char *primary;
  guint code;
} LocalFailure;

static gboolean
local_failures_cb (gpointer data)
{
  MsnpAccount *msn = data;
  GSList *failures = g_slist_reverse (msn->local_failures);

  msn->local_failures = NULL;
  msn->local_failure_timer = 0;
  for (GSList *l = failures; l != NULL; l = l->next) {
    LocalFailure *f = l->data;

    resync_passport (msn, f->passport);
    tell_user (msn, f->primary, f->code);
    g_free (f->passport);
    g_free (f->primary);
    g_free (f);
  }
  g_slist_free (failures);
  return FALSE;
}

/* A change refused before it went out: libpurple is still inside the
 * call that made it, so the rollback waits for an idle moment. */
static void
fail_locally (MsnpAccount *msn, const char *passport, char *primary, guint code)
{
  LocalFailure *f = g_new0 (LocalFailure, 1);

  f->passport = g_strdup (passport);
  f->primary = primary;
  f->code = code;
  msn->local_failures = g_slist_prepend (msn->local_failures, f);
  if (msn->local_failure_timer == 0)
    msn->local_failure_timer = purple_timeout_add (0, local_failures_cb, msn);
}

/* ---- adding and moving ------------------------------------------------ */

static const char *
friendly_for (MsnpAccount *msn, const char *passport)
{
  const MsnpContact *contact = msnp_lists_lookup (lists_of (msn), passport);

  return contact != NULL ? contact->friendly : passport;
}

/* Sends ADD FL into @gid; a move (@from_gid set) finishes with a REM. */
static void
send_add (MsnpAccount *msn, const char *passport, const char *gid,
          const char *group, const char *from_gid)
{
  ListOp *op = op_new (from_gid != NULL ? OP_MOVE : OP_ADD, passport, group,
                       from_gid);
  guint trid = msnp_ns_add_contact (msn->ns, MSNP_LIST_FL, passport,
                                    friendly_for (msn, passport), gid);

  if (!op_track (msn, trid, op))
    fail_locally (msn, passport,
                  g_strdup_printf (_("Could not add %s to your contacts."),
                                   passport), 201);
}

/* One ADG per group name, however many buddies wait for it. */
static ListOp *
pending_adg (MsnpAccount *msn, const char *group)
{
  GHashTableIter iter;
  gpointer value;

  if (msn->list_ops == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, msn->list_ops);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    ListOp *op = value;
    if (op->kind == OP_ADG && g_strcmp0 (op->group, group) == 0)
      return op;
  }
  return NULL;
}

static void
wait_for_group (MsnpAccount *msn, const char *passport, const char *group,
                const char *from_gid)
{
  ListOp *op = pending_adg (msn, group);
  Waiting *w = g_new0 (Waiting, 1);

  w->passport = g_strdup (passport);
  w->from_gid = g_strdup (from_gid);
  if (op == NULL) {
    op = op_new (OP_ADG, NULL, group, NULL);
    op->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_free);
    g_ptr_array_add (op->waiting, w);
    if (!op_track (msn, msnp_ns_add_group (msn->ns, group), op))
      fail_locally (msn, passport,
                    g_strdup_printf (_("Could not create the group %s."), group),
                    229);
    return;
  }
  g_ptr_array_add (op->waiting, w);
}

/* Puts @passport into the group named @group, from @from_gid when moving. */
static void
place_in_group (MsnpAccount *msn, const char *passport, const char *group,
                const char *from_gid)
{
  const MsnpGroup *target = msnp_lists_find_group_by_name (lists_of (msn), group);
  const MsnpContact *contact = msnp_lists_lookup (lists_of (msn), passport);
  gboolean listed = contact != NULL && (contact->lists & MSNP_LIST_FL);

  if (target == NULL) {
    wait_for_group (msn, passport, group, from_gid);
    return;
  }
  if (listed && msnp_contact_in_group (contact, target->id)) {
    /* Already there on the server: a move only has to leave. */
    if (from_gid != NULL && msnp_contact_in_group (contact, from_gid))
      op_track (msn, msnp_ns_remove_contact (msn->ns, MSNP_LIST_FL, passport,
                                             from_gid),
                op_new (OP_REMOVE, passport, NULL, from_gid));
    return;
  }
  send_add (msn, passport, target->id, group, from_gid);
}

/* A new contact is also allowed (ADD AL), as MSN Messenger did: with
 * "block all but the allow list" they would not see us otherwise, and a
 * contact we added ourselves must not come back as an authorization
 * request. */
static void
allow_new_contact (MsnpAccount *msn, const char *passport)
{
  const MsnpContact *contact = msnp_lists_lookup (lists_of (msn), passport);
  g_autofree char *what = g_strdup_printf (_("Could not allow %s to see you."),
                                           passport);

  if (contact != NULL && (contact->lists & (MSNP_LIST_AL | MSNP_LIST_BL)))
    return;
  msnp_lists_ui_track (msn, msnp_ns_add_contact (msn->ns, MSNP_LIST_AL, passport,
                                                 NULL, NULL),
                       passport, what, NULL);
}

static gboolean
plausible_passport (const char *passport)
{
  const char *at = strchr (passport, '@');

  if (at == NULL || at == passport || at[1] == '\0' || strlen (passport) > 129)
    return FALSE;
  for (const char *p = passport; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || *p == 0x7f || *p == ',')
      return FALSE;
  return TRUE;
}

void
msnp_lists_ui_add_buddy (PurpleConnection *gc, PurpleBuddy *buddy,
                         PurpleGroup *group)
{
  MsnpAccount *msn = msnp_account_of (gc);
  g_autofree char *passport = NULL;

  if (msn == NULL || msn->applying_server || !msnp_ns_is_online (msn->ns))
    return;
  passport = g_ascii_strdown (purple_buddy_get_name (buddy), -1);
  if (!plausible_passport (passport)) {
    /* Not even worth a round trip: it could not go on the wire. */
    fail_locally (msn, purple_buddy_get_name (buddy),
                  g_strdup_printf (_("Could not add %s to your contacts."),
                                   purple_buddy_get_name (buddy)), 208);
    return;
  }
  place_in_group (msn, passport, purple_group_get_name (group), NULL);
  allow_new_contact (msn, passport);
}

void
msnp_lists_ui_group_buddy (PurpleConnection *gc, const char *who,
                           const char *old_group, const char *new_group)
{
  MsnpAccount *msn = msnp_account_of (gc);
  const MsnpContact *contact;
  const MsnpGroup *from;
  g_autofree char *passport = NULL;

  if (msn == NULL || msn->applying_server || !msnp_ns_is_online (msn->ns))
    return;
  passport = g_ascii_strdown (who, -1);
  contact = msnp_lists_lookup (lists_of (msn), passport);
  from = msnp_lists_find_group_by_name (lists_of (msn), old_group);
  if (contact == NULL || !(contact->lists & MSNP_LIST_FL)) {
    place_in_group (msn, passport, new_group, NULL);
    return;
  }
  place_in_group (msn, passport, new_group,
                  from != NULL && msnp_contact_in_group (contact, from->id)
                  ? from->id : NULL);
}

/* ---- removing --------------------------------------------------------- */

/* REM FL from one group; the core decides when that is the last group
 * (counting removals in flight) and names none, which is MSNP8's way to
 * drop the contact from the forward list altogether. */
static void
remove_from_group (MsnpAccount *msn, const MsnpContact *contact, const char *gid)
{
  const char *use;

  if (msnp_lists_is_leaving (lists_of (msn), contact->passport, gid))
    return;   /* already on its way out */
  use = msnp_lists_removal_group (lists_of (msn), contact, gid);
  op_track (msn, msnp_ns_remove_contact (msn->ns, MSNP_LIST_FL,
                                         contact->passport, use),
            op_new (OP_REMOVE, contact->passport, NULL, use));
}

void
msnp_lists_ui_remove_buddy (PurpleConnection *gc, PurpleBuddy *buddy,
                            PurpleGroup *group)
{
  MsnpAccount *msn = msnp_account_of (gc);
  const MsnpContact *contact;
  const MsnpGroup *from;

  if (msn == NULL || msn->applying_server || !msnp_ns_is_online (msn->ns))
    return;
  contact = msnp_lists_lookup (lists_of (msn), purple_buddy_get_name (buddy));
  if (contact == NULL || !(contact->lists & MSNP_LIST_FL))
    return;   /* only ever on our side: nothing to tell the server */
  from = group != NULL
      ? msnp_lists_find_group_by_name (lists_of (msn), purple_group_get_name (group))
      : NULL;
  if (from != NULL && !msnp_contact_in_group (contact, from->id))
    return;   /* the server has it elsewhere: this copy was local */
  remove_from_group (msn, contact, from != NULL ? from->id : NULL);
}

/* ---- groups ----------------------------------------------------------- */

typedef struct {
  MsnpAccount *msn;
  const char  *gid;
} GroupEmptying;

static void
empty_group_cb (MsnpContact *contact, gpointer data)
{
  GroupEmptying *e = data;

  if ((contact->lists & MSNP_LIST_FL) && msnp_contact_in_group (contact, e->gid))
    remove_from_group (e->msn, contact, e->gid);
}

/* libpurple only deletes empty groups, but the server may still hold
 * contacts there (ones libpurple never showed, or whose REM is in
 * flight); its RMG would move them to group 0 rather than drop them, so
 * they are removed first, in order on the same connection. */
void
msnp_lists_ui_remove_group (PurpleConnection *gc, PurpleGroup *group)
{
  MsnpAccount *msn = msnp_account_of (gc);
  const MsnpGroup *g;
  GroupEmptying e;

  if (msn == NULL || msn->applying_server || !msnp_ns_is_online (msn->ns))
    return;
  g = msnp_lists_find_group_by_name (lists_of (msn), purple_group_get_name (group));
  if (g == NULL)
    return;
  e.msn = msn;
  e.gid = g->id;
  msnp_lists_foreach (lists_of (msn), empty_group_cb, &e);
  op_track (msn, msnp_ns_remove_group (msn->ns, g->id),
            op_new (OP_RMG, NULL, purple_group_get_name (group), g->id));
}

/* Renaming onto a name the server already has merges the two groups in
 * libpurple: each moved buddy then moves on the server.  The emptied old
 * group stays on the server, since an RMG sent before the moves are
 * confirmed would push their contacts into group 0. */
void
msnp_lists_ui_rename_group (PurpleConnection *gc, const char *old_name,
                            PurpleGroup *group, GList *moved_buddies)
{
  MsnpAccount *msn = msnp_account_of (gc);
  const char *name = purple_group_get_name (group);
  const MsnpGroup *g, *target;
  ListOp *op;

  if (msn == NULL || msn->applying_server || !msnp_ns_is_online (msn->ns))
    return;
  g = msnp_lists_find_group_by_name (lists_of (msn), old_name);
  target = msnp_lists_find_group_by_name (lists_of (msn), name);
  if (g == NULL)
    return;
  if (target != NULL && target != g) {
    for (GList *l = moved_buddies; l != NULL; l = l->next)
      msnp_lists_ui_group_buddy (gc, purple_buddy_get_name (l->data),
                                 old_name, name);
    return;
  }
  op = op_new (OP_REG, NULL, name, g->id);
  op->old_name = g_strdup (old_name);
  if (!op_track (msn, msnp_ns_rename_group (msn->ns, g->id, name), op))
    tell_user (msn, _("Could not rename the group."), 229);
}

/* ---- other modules' requests ------------------------------------------ */

void
msnp_lists_ui_track (MsnpAccount *msn, guint trid, const char *passport,
                     const char *what,
                     void (*rollback) (MsnpAccount *msn, const char *passport))
{
  ListOp *op = op_new (OP_TRACKED, passport, NULL, NULL);

  op->what = g_strdup (what);
  op->rollback = rollback;
  op_track (msn, trid, op);
}

/* ---- echoes ----------------------------------------------------------- */

static void
group_confirmed (MsnpAccount *msn, ListOp *op, const char *gid)
{
  for (guint i = 0; op->waiting != NULL && i < op->waiting->len; i++) {
    Waiting *w = g_ptr_array_index (op->waiting, i);
    send_add (msn, w->passport, gid, op->group, w->from_gid);
  }
}

static void
op_confirmed (MsnpAccount *msn, ListOp *op, const MsnpListChange *change)
{
  switch (op->kind) {
  case OP_ADG:
    if (change->kind == MSNP_CHANGE_GROUP_ADD)
      group_confirmed (msn, op, change->group_id);
    break;
  case OP_MOVE:
    /* In the new group now: leave the old one (unless it was the same). */
    if (g_strcmp0 (change->group_id, op->group_id) != 0)
      op_track (msn, msnp_ns_remove_contact (msn->ns, MSNP_LIST_FL,
                                             op->passport, op->group_id),
                op_new (OP_REMOVE, op->passport, NULL, op->group_id));
    break;
  default:
    break;
  }
}

/* A change made elsewhere (TrID 0) that contact_changed does not cover. */
static void
foreign_change (MsnpAccount *msn, const MsnpListChange *change)
{
  if (change->kind == MSNP_CHANGE_GROUP_RENAME ||
      change->kind == MSNP_CHANGE_GROUP_ADD)
    resync_all (msn);
}

void
msnp_lists_ui_changed (MsnpAccount *msn, guint trid, const MsnpListChange *change)
{
  ListOp *op = op_take (msn, trid);

  if (op == NULL) {
    if (trid == 0)
      foreign_change (msn, change);
    return;
  }
  op_confirmed (msn, op, change);
  op_free (op);
}

gboolean
msnp_lists_ui_leaving (MsnpAccount *msn, const char *passport,
                       const char *group_id)
{
  GHashTableIter iter;
  gpointer value;

  /* Removals sent (from that group or from the whole list). */
  if (msnp_lists_is_leaving (lists_of (msn), passport, group_id))
    return TRUE;
  if (msn->list_ops == NULL)
    return FALSE;
  /* A move leaves its old group once the new one is confirmed. */
  g_hash_table_iter_init (&iter, msn->list_ops);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    ListOp *op = value;
    if (op->kind == OP_MOVE && g_strcmp0 (op->passport, passport) == 0 &&
        g_strcmp0 (op->group_id, group_id) == 0)
      return TRUE;
  }
  return FALSE;
}

/* ---- refusals --------------------------------------------------------- */

static void
rename_back (MsnpAccount *msn, ListOp *op)
{
  PurpleGroup *group = purple_find_group (op->group);
  const MsnpGroup *g = msnp_lists_get_group (lists_of (msn), op->group_id);

  if (group != NULL && g != NULL) {
    msn->applying_server = TRUE;
    purple_blist_rename_group (group, g->name);
    msn->applying_server = FALSE;
  }
}

static char *
failure_text (const ListOp *op)
{
  switch (op->kind) {
  case OP_ADD:
    return g_strdup_printf (_("Could not add %s to your contacts."), op->passport);
  case OP_MOVE:
    return g_strdup_printf (_("Could not move %s to the group %s."),
                            op->passport, op->group);
  case OP_REMOVE:
    return g_strdup_printf (_("Could not remove %s from your contacts."),
                            op->passport);
  case OP_ADG:
    return g_strdup_printf (_("Could not create the group %s."), op->group);
  case OP_REG:
    return g_strdup_printf (_("Could not rename the group %s to %s."),
                            op->old_name, op->group);
  case OP_RMG:
    return g_strdup_printf (_("Could not remove the group %s."), op->group);
  case OP_TRACKED:
  default:
    return g_strdup (op->what != NULL ? op->what : _("A change was refused."));
  }
}

static void
roll_back (MsnpAccount *msn, ListOp *op)
{
  switch (op->kind) {
  case OP_ADD:
  case OP_MOVE:
  case OP_REMOVE:
    resync_passport (msn, op->passport);
    break;
  case OP_ADG:
    for (guint i = 0; i < op->waiting->len; i++)
      resync_passport (msn, ((Waiting *) g_ptr_array_index (op->waiting, i))->passport);
    break;
  case OP_REG:
    rename_back (msn, op);
    break;
  case OP_RMG:
    resync_all (msn);
    break;
  case OP_TRACKED:
    if (op->rollback != NULL)
      op->rollback (msn, op->passport);
    break;
  }
}

void
msnp_lists_ui_failed (MsnpAccount *msn, guint trid, const char *command,
                      guint code)
{
  ListOp *op = op_take (msn, trid);
  g_autofree char *primary = NULL;

  if (op == NULL) {
    g_autofree char *sentence = msnp_server_error_sentence (code);
    purple_debug_info ("msnp", "%s refused (%u) with nothing to undo\n",
                       command, code);
    purple_notify_error (msn->gc, _("MSN error"),
                         _("The MSN server refused a request."), sentence);
    return;
  }
  primary = failure_text (op);
  roll_back (msn, op);
  tell_user (msn, primary, code);
  op_free (op);
}

void
msnp_lists_ui_free (MsnpAccount *msn)
{
  g_clear_pointer (&msn->list_ops, g_hash_table_unref);
  if (msn->local_failure_timer != 0)
    purple_timeout_remove (msn->local_failure_timer);
  msn->local_failure_timer = 0;
  for (GSList *l = msn->local_failures; l != NULL; l = l->next) {
    LocalFailure *f = l->data;
    g_free (f->passport);
    g_free (f->primary);
    g_free (f);
  }
  g_slist_free (msn->local_failures);
  msn->local_failures = NULL;
}
