/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The list-editing policy (msnp-list-edit.h): each request the user's
 * change sends is kept as an Op under its TrID until the server echoes
 * or refuses it; the echo may send the next step (an ADD waiting for its
 * group, the REM that ends a move), the refusal rolls back. */
#include "config.h"

#include <string.h>

#include "msnp-list-edit.h"

typedef struct {
  char *passport;
  char *from_gid;   /* a move's old group, or NULL for a plain add */
} Waiting;

typedef struct {
  MsnpEditKind kind;
  char        *passport;
  char        *group;      /* group name */
  char        *group_id;   /* MOVE: the group it leaves; RENAME/REMOVE_GROUP */
  char        *old_name;   /* RENAME_GROUP */
  GPtrArray   *waiting;    /* ADD_GROUP: Waiting *, the ADDs to send after */
  MsnpListMask restore;    /* the ADD half of a privacy move: the list left */
  gboolean     privacy;    /* a refusal resyncs the privacy lists */
} Op;

struct _MsnpListEdit {
  MsnpNs                   *ns;
  const MsnpListEditEvents *ev;
  gpointer                  user;
  GHashTable               *ops;   /* TrID → Op * */
};

static void
waiting_free (Waiting *w)
{
  g_free (w->passport);
  g_free (w->from_gid);
  g_free (w);
}

static void
op_free (Op *op)
{
  g_free (op->passport);
  g_free (op->group);
  g_free (op->group_id);
  g_free (op->old_name);
  if (op->waiting != NULL)
    g_ptr_array_unref (op->waiting);
  g_free (op);
}

static Op *
op_new (MsnpEditKind kind, const char *passport, const char *group,
        const char *group_id)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->passport = g_strdup (passport);
  op->group = g_strdup (group);
  op->group_id = g_strdup (group_id);
  return op;
}

static Op *
privacy_op (MsnpEditKind kind, const char *passport, MsnpListMask restore)
{
  Op *op = op_new (kind, passport, NULL, NULL);

  op->privacy = TRUE;
  op->restore = restore;
  return op;
}

MsnpListEdit *
msnp_list_edit_new (MsnpNs *ns, const MsnpListEditEvents *events, gpointer user)
{
  MsnpListEdit *edit = g_new0 (MsnpListEdit, 1);

  edit->ns = ns;
  edit->ev = events;
  edit->user = user;
  edit->ops = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                     (GDestroyNotify) op_free);
  return edit;
}

void
msnp_list_edit_free (MsnpListEdit *edit)
{
  if (edit == NULL)
    return;
  g_hash_table_unref (edit->ops);
  g_free (edit);
}

static MsnpLists *
lists_of (const MsnpListEdit *edit)
{
  return msnp_ns_get_lists (edit->ns);
}

/* Keeps @op until the server answers @trid (0: nothing was sent). */
static gboolean
op_track (MsnpListEdit *edit, guint trid, Op *op)
{
  if (trid == 0) {
    op_free (op);
    return FALSE;
  }
  g_hash_table_insert (edit->ops, GUINT_TO_POINTER (trid), op);
  return TRUE;
}

static Op *
op_take (MsnpListEdit *edit, guint trid)
{
  Op *op = NULL;

  if (trid != 0 &&
      g_hash_table_steal_extended (edit->ops, GUINT_TO_POINTER (trid), NULL,
                                   (gpointer *) &op))
    return op;
  return NULL;
}

static void
fail_unsent (MsnpListEdit *edit, MsnpEditKind kind, const char *passport,
             const char *group, const char *old_name, guint code)
{
  MsnpEditFailure f = { .kind = kind, .passport = passport, .group = group,
                        .old_name = old_name, .code = code, .sent = FALSE };

  edit->ev->failed (edit->user, &f);
}

static guint
lists_for (MsnpListEdit *edit, const char *passport)
{
  const MsnpContact *contact = msnp_lists_lookup (lists_of (edit), passport);

  return contact != NULL ? contact->lists : 0;
}

/* ---- adding and moving ------------------------------------------------ */

static const char *
friendly_for (MsnpListEdit *edit, const char *passport)
{
  const MsnpContact *contact = msnp_lists_lookup (lists_of (edit), passport);

  return contact != NULL ? contact->friendly : passport;
}

/* Sends ADD FL into @gid; a move (@from_gid set) finishes with a REM. */
static void
send_add (MsnpListEdit *edit, const char *passport, const char *gid,
          const char *group, const char *from_gid)
{
  Op *op = op_new (from_gid != NULL ? MSNP_EDIT_MOVE : MSNP_EDIT_ADD, passport,
                   group, from_gid);
  guint trid = msnp_ns_add_contact (edit->ns, MSNP_LIST_FL, passport,
                                    friendly_for (edit, passport), gid);

  if (!op_track (edit, trid, op))
    fail_unsent (edit, MSNP_EDIT_ADD, passport, group, NULL, 201);
}

/* One ADG per group name, however many contacts wait for it. */
static Op *
pending_adg (MsnpListEdit *edit, const char *group)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, edit->ops);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Op *op = value;
    if (op->kind == MSNP_EDIT_ADD_GROUP && g_strcmp0 (op->group, group) == 0)
      return op;
  }
  return NULL;
}

static void
wait_for_group (MsnpListEdit *edit, const char *passport, const char *group,
                const char *from_gid)
{
  Op *op = pending_adg (edit, group);
  Waiting *w = g_new0 (Waiting, 1);

  w->passport = g_strdup (passport);
  w->from_gid = g_strdup (from_gid);
  if (op != NULL) {
    g_ptr_array_add (op->waiting, w);
    return;
  }
  op = op_new (MSNP_EDIT_ADD_GROUP, NULL, group, NULL);
  op->waiting = g_ptr_array_new_with_free_func ((GDestroyNotify) waiting_free);
  g_ptr_array_add (op->waiting, w);
  if (!op_track (edit, msnp_ns_add_group (edit->ns, group), op))
    fail_unsent (edit, MSNP_EDIT_ADD_GROUP, passport, group, NULL, 229);
}

static void
send_remove (MsnpListEdit *edit, const char *passport, const char *gid)
{
  op_track (edit, msnp_ns_remove_contact (edit->ns, MSNP_LIST_FL, passport, gid),
            op_new (MSNP_EDIT_REMOVE, passport, NULL, gid));
}

/* Puts @passport into the group named @group, from @from_gid when moving. */
static void
place_in_group (MsnpListEdit *edit, const char *passport, const char *group,
                const char *from_gid)
{
  const MsnpGroup *target = msnp_lists_find_group_by_name (lists_of (edit), group);
  const MsnpContact *contact = msnp_lists_lookup (lists_of (edit), passport);
  gboolean listed = contact != NULL && (contact->lists & MSNP_LIST_FL);

  if (target == NULL) {
    wait_for_group (edit, passport, group, from_gid);
    return;
  }
  if (listed && msnp_contact_in_group (contact, target->id)) {
    /* Already there on the server: a move only has to leave. */
    if (from_gid != NULL && msnp_contact_in_group (contact, from_gid))
      send_remove (edit, passport, from_gid);
    return;
  }
  send_add (edit, passport, target->id, group, from_gid);
}

static void
allow_new_contact (MsnpListEdit *edit, const char *passport)
{
  if (lists_for (edit, passport) & (MSNP_LIST_AL | MSNP_LIST_BL))
    return;
  op_track (edit, msnp_ns_add_contact (edit->ns, MSNP_LIST_AL, passport, NULL, NULL),
            op_new (MSNP_EDIT_ALLOW_NEW, passport, NULL, NULL));
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
msnp_list_edit_add_contact (MsnpListEdit *edit, const char *name,
                            const char *group)
{
  g_autofree char *passport = NULL;

  if (!msnp_ns_is_online (edit->ns) || name == NULL || group == NULL)
    return;
  if (!plausible_passport (name)) {
    /* Not even worth a round trip: it could not go on the wire. */
    fail_unsent (edit, MSNP_EDIT_ADD, name, group, NULL, 208);
    return;
  }
  passport = g_ascii_strdown (name, -1);
  place_in_group (edit, passport, group, NULL);
  allow_new_contact (edit, passport);
}

void
msnp_list_edit_move_contact (MsnpListEdit *edit, const char *who,
                             const char *old_group, const char *new_group)
{
  g_autofree char *passport = NULL;
  const MsnpContact *contact;
  const MsnpGroup *from;

  if (!msnp_ns_is_online (edit->ns) || who == NULL || new_group == NULL)
    return;
  passport = g_ascii_strdown (who, -1);
  contact = msnp_lists_lookup (lists_of (edit), passport);
  from = old_group != NULL
      ? msnp_lists_find_group_by_name (lists_of (edit), old_group) : NULL;
  if (contact == NULL || !(contact->lists & MSNP_LIST_FL)) {
    place_in_group (edit, passport, new_group, NULL);
    return;
  }
  place_in_group (edit, passport, new_group,
                  from != NULL && msnp_contact_in_group (contact, from->id)
                  ? from->id : NULL);
}

/* ---- removing --------------------------------------------------------- */

/* REM FL from one group.  msnp_ns_remove_contact() applies the last-group
 * rule (msnp_lists_removal_group(), counting removals in flight): the
 * last one names no group, MSNP8's way to drop the contact from the
 * forward list altogether. */
static void
remove_from_group (MsnpListEdit *edit, const MsnpContact *contact, const char *gid)
{
  if (msnp_lists_is_leaving (lists_of (edit), contact->passport, gid))
    return;   /* already on its way out */
  send_remove (edit, contact->passport, gid);
}

void
msnp_list_edit_remove_contact (MsnpListEdit *edit, const char *passport,
                               const char *group)
{
  const MsnpContact *contact;
  const MsnpGroup *from;

  if (!msnp_ns_is_online (edit->ns) || passport == NULL)
    return;
  contact = msnp_lists_lookup (lists_of (edit), passport);
  if (contact == NULL || !(contact->lists & MSNP_LIST_FL))
    return;   /* only ever on the owner's side: nothing to tell the server */
  from = group != NULL ? msnp_lists_find_group_by_name (lists_of (edit), group)
                       : NULL;
  if (from != NULL && !msnp_contact_in_group (contact, from->id))
    return;   /* the server has it elsewhere: that copy was local */
  remove_from_group (edit, contact, from != NULL ? from->id : NULL);
}

/* ---- groups ----------------------------------------------------------- */

typedef struct {
  MsnpListEdit *edit;
  const char   *gid;
} GroupEmptying;

static void
empty_group_cb (MsnpContact *contact, gpointer data)
{
  GroupEmptying *e = data;

  if ((contact->lists & MSNP_LIST_FL) && msnp_contact_in_group (contact, e->gid))
    remove_from_group (e->edit, contact, e->gid);
}

void
msnp_list_edit_remove_group (MsnpListEdit *edit, const char *name)
{
  const MsnpGroup *g;
  GroupEmptying e;

  if (!msnp_ns_is_online (edit->ns) || name == NULL)
    return;
  g = msnp_lists_find_group_by_name (lists_of (edit), name);
  if (g == NULL)
    return;
  e.edit = edit;
  e.gid = g->id;
  msnp_lists_foreach (lists_of (edit), empty_group_cb, &e);
  op_track (edit, msnp_ns_remove_group (edit->ns, g->id),
            op_new (MSNP_EDIT_REMOVE_GROUP, NULL, name, g->id));
}

void
msnp_list_edit_rename_group (MsnpListEdit *edit, const char *old_name,
                             const char *new_name, const char *const *moved,
                             guint n_moved)
{
  const MsnpGroup *g, *target;
  Op *op;

  if (!msnp_ns_is_online (edit->ns) || old_name == NULL || new_name == NULL)
    return;
  g = msnp_lists_find_group_by_name (lists_of (edit), old_name);
  target = msnp_lists_find_group_by_name (lists_of (edit), new_name);
  if (g == NULL)
    return;
  if (target != NULL && target != g) {
    for (guint i = 0; i < n_moved; i++)
      msnp_list_edit_move_contact (edit, moved[i], old_name, new_name);
    return;
  }
  op = op_new (MSNP_EDIT_RENAME_GROUP, NULL, new_name, g->id);
  op->old_name = g_strdup (old_name);
  if (!op_track (edit, msnp_ns_rename_group (edit->ns, g->id, new_name), op))
    fail_unsent (edit, MSNP_EDIT_RENAME_GROUP, NULL, new_name, old_name, 229);
}

/* ---- privacy and settings --------------------------------------------- */

/* Moves @passport onto @to (AL or BL), off the opposite list first. */
static void
move_to (MsnpListEdit *edit, const char *passport, MsnpListMask to,
         MsnpEditKind kind)
{
  MsnpListMask from = to == MSNP_LIST_AL ? MSNP_LIST_BL : MSNP_LIST_AL;
  guint lists = lists_for (edit, passport);

  if (lists & from)
    op_track (edit, msnp_ns_remove_contact (edit->ns, from, passport, NULL),
              privacy_op (kind, passport, 0));
  if (!(lists & to))
    op_track (edit, msnp_ns_add_contact (edit->ns, to, passport, NULL, NULL),
              privacy_op (kind, passport, (lists & from) ? from : 0));
}

static void
take_off (MsnpListEdit *edit, const char *passport, MsnpListMask list,
          MsnpEditKind kind)
{
  if (lists_for (edit, passport) & list)
    op_track (edit, msnp_ns_remove_contact (edit->ns, list, passport, NULL),
              privacy_op (kind, passport, 0));
}

/* The four privacy entry points: online, a passport, lower case.
 * Unblocking someone who has us on their list (RL) allows them instead of
 * leaving them on neither list, where they would be asked about again as
 * if they had just added us. */
static void
privacy_change (MsnpListEdit *edit, const char *who, MsnpListMask list,
                gboolean onto, MsnpEditKind kind)
{
  g_autofree char *passport = NULL;

  if (!msnp_ns_is_online (edit->ns) || who == NULL)
    return;
  passport = g_ascii_strdown (who, -1);
  if (kind == MSNP_EDIT_UNBLOCK && (lists_for (edit, passport) & MSNP_LIST_RL))
    move_to (edit, passport, MSNP_LIST_AL, MSNP_EDIT_ALLOW);
  else if (onto)
    move_to (edit, passport, list, kind);
  else
    take_off (edit, passport, list, kind);
}

void
msnp_list_edit_allow (MsnpListEdit *edit, const char *who)
{
  privacy_change (edit, who, MSNP_LIST_AL, TRUE, MSNP_EDIT_ALLOW);
}

void
msnp_list_edit_block (MsnpListEdit *edit, const char *who)
{
  privacy_change (edit, who, MSNP_LIST_BL, TRUE, MSNP_EDIT_BLOCK);
}

void
msnp_list_edit_unallow (MsnpListEdit *edit, const char *who)
{
  privacy_change (edit, who, MSNP_LIST_AL, FALSE, MSNP_EDIT_UNALLOW);
}

void
msnp_list_edit_unblock (MsnpListEdit *edit, const char *who)
{
  privacy_change (edit, who, MSNP_LIST_BL, FALSE, MSNP_EDIT_UNBLOCK);
}

void
msnp_list_edit_set_privacy (MsnpListEdit *edit, MsnpListMask blp)
{
  if (msnp_lists_get_blp (lists_of (edit)) != blp)
    op_track (edit, msnp_ns_set_privacy (edit->ns, blp),
              privacy_op (MSNP_EDIT_PRIVACY, NULL, 0));
}

void
msnp_list_edit_answer (MsnpListEdit *edit, const char *passport,
                       const char *friendly, MsnpListMask list)
{
  op_track (edit, msnp_ns_add_contact (edit->ns, list, passport, friendly, NULL),
            op_new (list == MSNP_LIST_AL ? MSNP_EDIT_ALLOW : MSNP_EDIT_BLOCK,
                    passport, NULL, NULL));
}

void
msnp_list_edit_set_gtc (MsnpListEdit *edit, gboolean ask)
{
  op_track (edit, msnp_ns_set_gtc (edit->ns, ask),
            op_new (MSNP_EDIT_GTC, NULL, NULL, NULL));
}

void
msnp_list_edit_set_phone (MsnpListEdit *edit, MsnpPhone phone, const char *value)
{
  op_track (edit, msnp_ns_set_phone (edit->ns, phone, value),
            op_new (MSNP_EDIT_PHONE, NULL, NULL, NULL));
}

/* ---- echoes ----------------------------------------------------------- */

static void
op_confirmed (MsnpListEdit *edit, Op *op, const MsnpListChange *change)
{
  switch (op->kind) {
  case MSNP_EDIT_ADD_GROUP:
    if (change->kind != MSNP_CHANGE_GROUP_ADD)
      break;
    for (guint i = 0; i < op->waiting->len; i++) {
      Waiting *w = g_ptr_array_index (op->waiting, i);
      send_add (edit, w->passport, change->group_id, op->group, w->from_gid);
    }
    break;
  case MSNP_EDIT_MOVE:
    /* In the new group now: leave the old one (unless it was the same). */
    if (g_strcmp0 (change->group_id, op->group_id) != 0)
      send_remove (edit, op->passport, op->group_id);
    break;
  default:
    break;
  }
}

void
msnp_list_edit_changed (MsnpListEdit *edit, guint trid,
                        const MsnpListChange *change)
{
  Op *op = op_take (edit, trid);

  if (op == NULL) {
    /* Another client's group changes: contact_changed does not cover
     * them, the owner's whole list has to follow. */
    if (trid == 0 && (change->kind == MSNP_CHANGE_GROUP_RENAME ||
                      change->kind == MSNP_CHANGE_GROUP_ADD))
      edit->ev->resync_all (edit->user);
    return;
  }
  op_confirmed (edit, op, change);
  op_free (op);
}

gboolean
msnp_list_edit_leaving (const MsnpListEdit *edit, const char *passport,
                        const char *group_id)
{
  GHashTableIter iter;
  gpointer value;

  if (msnp_lists_is_leaving (lists_of (edit), passport, group_id))
    return TRUE;
  /* A move leaves its old group once the new one is confirmed. */
  g_hash_table_iter_init (&iter, edit->ops);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Op *op = value;
    if (op->kind == MSNP_EDIT_MOVE && g_strcmp0 (op->passport, passport) == 0 &&
        g_strcmp0 (op->group_id, group_id) == 0)
      return TRUE;
  }
  return FALSE;
}

guint
msnp_list_edit_n_pending (const MsnpListEdit *edit)
{
  return g_hash_table_size (edit->ops);
}

/* ---- refusals --------------------------------------------------------- */

/* The ADD half of a privacy move was refused after the REM half took the
 * contact off the list it was on: it goes back there, so a refused block
 * does not quietly turn into "neither allowed nor blocked". */
static void
restore (MsnpListEdit *edit, const char *passport, MsnpListMask list)
{
  if (!(lists_for (edit, passport) & (MSNP_LIST_AL | MSNP_LIST_BL)))
    op_track (edit, msnp_ns_add_contact (edit->ns, list, passport, NULL, NULL),
              privacy_op (MSNP_EDIT_RESTORE, passport, 0));
}

static void
roll_back (MsnpListEdit *edit, Op *op)
{
  const MsnpGroup *g;

  switch (op->kind) {
  case MSNP_EDIT_ADD:
  case MSNP_EDIT_MOVE:
  case MSNP_EDIT_REMOVE:
    edit->ev->resync_contact (edit->user, op->passport);
    break;
  case MSNP_EDIT_ADD_GROUP:
    for (guint i = 0; i < op->waiting->len; i++)
      edit->ev->resync_contact (edit->user,
                                ((Waiting *) g_ptr_array_index (op->waiting, i))->passport);
    break;
  case MSNP_EDIT_RENAME_GROUP:
    g = msnp_lists_get_group (lists_of (edit), op->group_id);
    if (g != NULL)
      edit->ev->rename_back (edit->user, op->group, g->name);
    break;
  case MSNP_EDIT_REMOVE_GROUP:
    edit->ev->resync_all (edit->user);
    break;
  default:
    break;
  }
  if (op->restore != 0)
    restore (edit, op->passport, op->restore);
  if (op->privacy)
    edit->ev->resync_privacy (edit->user);
}

void
msnp_list_edit_refused (MsnpListEdit *edit, guint trid, const char *command,
                        guint code)
{
  Op *op = op_take (edit, trid);
  MsnpEditFailure f = { .kind = MSNP_EDIT_UNTRACKED, .command = command,
                        .code = code, .sent = TRUE };

  if (op != NULL) {
    roll_back (edit, op);
    f.kind = op->kind;
    f.passport = op->passport;
    f.group = op->group;
    f.old_name = op->old_name;
  }
  edit->ev->failed (edit->user, &f);
  if (op != NULL)
    op_free (op);
}
