/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Privacy: libpurple's modes and lists on MSNP8's BLP, AL and BL.
 *
 * MSNP8 can say two things: BLP AL ("everyone not on the block list may
 * see and message me") and BLP BL ("only the allow list may").  A contact
 * on both lists is refused by the server (219), so a contact is always
 * moved: off one list, then onto the other.  The five modes map as:
 *
 *   allow all          BLP AL, block list emptied into the allow list
 *   deny all           BLP BL, allow list emptied into the block list
 *   allow permit list  BLP BL
 *   deny deny list     BLP AL
 *   allow buddies      BLP BL, forward list allowed, other allowed blocked
 *
 * "Allow all" and "deny all" have no list-less switch on the server, so
 * the lists are changed to make them true; the people moved stay
 * "answered" (on one of AL/BL), so they are never asked about again.
 * The other way, the mode is read from BLP and the lists (the current
 * mode is kept when it agrees with them).  The last mode agreed with the
 * server is remembered in the account: a mode changed while offline is
 * sent at the next sign-in instead of being overwritten. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <account.h>
#include <debug.h>
#include <privacy.h>

#include "msn-lists.h"
#include "msn-privacy.h"

static MsnpLists *
lists_of (MsnpAccount *msn)
{
  return msnp_ns_get_lists (msn->ns);
}

static guint
lists_for (MsnpAccount *msn, const char *who)
{
  const MsnpContact *contact = msnp_lists_lookup (lists_of (msn), who);

  return contact != NULL ? contact->lists : 0;
}

/* ---- server → libpurple ----------------------------------------------- */

static void
drop_unlisted (PurpleAccount *account, GSList *names, MsnpLists *lists,
               guint bit, gboolean (*remove) (PurpleAccount *, const char *,
                                              gboolean))
{
  GSList *copy = NULL;

  /* Removing edits @names: walk a copy. */
  for (GSList *l = names; l != NULL; l = l->next)
    copy = g_slist_prepend (copy, g_strdup (l->data));

  for (GSList *l = copy; l != NULL; l = l->next) {
    const MsnpContact *contact = msnp_lists_lookup (lists, l->data);
    if (contact == NULL || !(contact->lists & bit))
      remove (account, l->data, TRUE);
  }
  g_slist_free_full (copy, g_free);
}

static void
mirror_contact (MsnpContact *contact, gpointer data)
{
  PurpleAccount *account = data;

  if (contact->lists & MSNP_LIST_AL)
    purple_privacy_permit_add (account, contact->passport, TRUE);
  if (contact->lists & MSNP_LIST_BL)
    purple_privacy_deny_add (account, contact->passport, TRUE);
}

/* The permit and deny lists become AL and BL (local only: nothing sent). */
static void
mirror_lists (MsnpAccount *msn)
{
  PurpleAccount *account = msn->account;

  msn->applying_server = TRUE;
  drop_unlisted (account, account->permit, lists_of (msn), MSNP_LIST_AL,
                 purple_privacy_permit_remove);
  drop_unlisted (account, account->deny, lists_of (msn), MSNP_LIST_BL,
                 purple_privacy_deny_remove);
  msnp_lists_foreach (lists_of (msn), mirror_contact, account);
  msn->applying_server = FALSE;
}

typedef struct {
  guint n_al, n_bl;
  gboolean al_outside_fl, fl_outside_al;
} ListCounts;

static void
count_contact (MsnpContact *contact, gpointer data)
{
  ListCounts *c = data;

  c->n_al += (contact->lists & MSNP_LIST_AL) != 0;
  c->n_bl += (contact->lists & MSNP_LIST_BL) != 0;
  if ((contact->lists & MSNP_LIST_AL) && !(contact->lists & MSNP_LIST_FL))
    c->al_outside_fl = TRUE;
  if ((contact->lists & MSNP_LIST_FL) && !(contact->lists & MSNP_LIST_AL))
    c->fl_outside_al = TRUE;
}

static gboolean
mode_agrees (MsnpAccount *msn, PurplePrivacyType mode)
{
  ListCounts c = { 0 };
  gboolean blp_al = msnp_lists_get_blp (lists_of (msn)) == MSNP_LIST_AL;

  msnp_lists_foreach (lists_of (msn), count_contact, &c);
  switch (mode) {
  case PURPLE_PRIVACY_ALLOW_ALL:       return blp_al && c.n_bl == 0;
  case PURPLE_PRIVACY_DENY_USERS:      return blp_al;
  case PURPLE_PRIVACY_DENY_ALL:        return !blp_al && c.n_al == 0;
  case PURPLE_PRIVACY_ALLOW_USERS:     return !blp_al;
  case PURPLE_PRIVACY_ALLOW_BUDDYLIST:
    return !blp_al && !c.al_outside_fl && !c.fl_outside_al;
  default:                             return FALSE;
  }
}

static PurplePrivacyType
mode_from_server (MsnpAccount *msn)
{
  PurplePrivacyType now = purple_account_get_privacy_type (msn->account);

  if (mode_agrees (msn, now))
    return now;
  if (msnp_lists_get_blp (lists_of (msn)) == MSNP_LIST_AL)
    return mode_agrees (msn, PURPLE_PRIVACY_ALLOW_ALL)
        ? PURPLE_PRIVACY_ALLOW_ALL : PURPLE_PRIVACY_DENY_USERS;
  return mode_agrees (msn, PURPLE_PRIVACY_DENY_ALL)
      ? PURPLE_PRIVACY_DENY_ALL : PURPLE_PRIVACY_ALLOW_USERS;
}

static void
adopt_server_mode (MsnpAccount *msn)
{
  PurplePrivacyType mode = mode_from_server (msn);

  if (purple_account_get_privacy_type (msn->account) != mode)
    purple_account_set_privacy_type (msn->account, mode);
  purple_account_set_int (msn->account, MSNP_OPT_PRIVACY_LAST, mode);
}

static void
roll_back (MsnpAccount *msn, const char *passport)
{
  mirror_lists (msn);
  adopt_server_mode (msn);
}

/* A move is REM from one list, then ADD to the other (the server refuses
 * a contact on both).  When the ADD is refused the contact has already
 * left the first list: it goes back there, so a refused block does not
 * quietly turn into "neither allowed nor blocked". */
static void
restore_to (MsnpAccount *msn, const char *passport, MsnpListMask list)
{
  const MsnpContact *contact = msnp_lists_lookup (lists_of (msn), passport);

  if (contact == NULL || !(contact->lists & (MSNP_LIST_AL | MSNP_LIST_BL)))
    msnp_lists_ui_track (msn, msnp_ns_add_contact (msn->ns, list, passport,
                                                   NULL, NULL),
                         passport, NULL, roll_back);
  roll_back (msn, passport);
}

static void
restore_allowed (MsnpAccount *msn, const char *passport)
{
  restore_to (msn, passport, MSNP_LIST_AL);
}

static void
restore_blocked (MsnpAccount *msn, const char *passport)
{
  restore_to (msn, passport, MSNP_LIST_BL);
}

/* ---- libpurple → server ----------------------------------------------- */

/* Moves @who onto @to (AL or BL), off the opposite list first. */
static void
move_to (MsnpAccount *msn, const char *who, MsnpListMask to)
{
  MsnpListMask from = to == MSNP_LIST_AL ? MSNP_LIST_BL : MSNP_LIST_AL;
  guint lists = lists_for (msn, who);
  g_autofree char *what = to == MSNP_LIST_AL
      ? g_strdup_printf (_("Could not allow %s."), who)
      : g_strdup_printf (_("Could not block %s."), who);

  if (lists & from)
    msnp_lists_ui_track (msn, msnp_ns_remove_contact (msn->ns, from, who, NULL),
                         who, what, roll_back);
  if (!(lists & to))
    msnp_lists_ui_track (msn, msnp_ns_add_contact (msn->ns, to, who, NULL, NULL),
                         who, what,
                         !(lists & from) ? roll_back
                         : from == MSNP_LIST_AL ? restore_allowed : restore_blocked);
}

static void
take_off (MsnpAccount *msn, const char *who, MsnpListMask list)
{
  g_autofree char *what = list == MSNP_LIST_AL
      ? g_strdup_printf (_("Could not stop allowing %s."), who)
      : g_strdup_printf (_("Could not unblock %s."), who);

  if (lists_for (msn, who) & list)
    msnp_lists_ui_track (msn, msnp_ns_remove_contact (msn->ns, list, who, NULL),
                         who, what, roll_back);
}

static gboolean
usable (MsnpAccount *msn)
{
  return msn != NULL && !msn->applying_server && msnp_ns_is_online (msn->ns);
}

void
msnp_privacy_add_permit (PurpleConnection *gc, const char *who)
{
  MsnpAccount *msn = msnp_account_of (gc);
  g_autofree char *passport = g_ascii_strdown (who, -1);

  if (usable (msn))
    move_to (msn, passport, MSNP_LIST_AL);
}

void
msnp_privacy_add_deny (PurpleConnection *gc, const char *who)
{
  MsnpAccount *msn = msnp_account_of (gc);
  g_autofree char *passport = g_ascii_strdown (who, -1);

  if (usable (msn))
    move_to (msn, passport, MSNP_LIST_BL);
}

void
msnp_privacy_rem_permit (PurpleConnection *gc, const char *who)
{
  MsnpAccount *msn = msnp_account_of (gc);
  g_autofree char *passport = g_ascii_strdown (who, -1);

  if (usable (msn))
    take_off (msn, passport, MSNP_LIST_AL);
}

/* Unblocking someone who has us on their list allows them rather than
 * leaving them on neither list, where they would be asked about again as
 * if they had just added us. */
void
msnp_privacy_rem_deny (PurpleConnection *gc, const char *who)
{
  MsnpAccount *msn = msnp_account_of (gc);
  g_autofree char *passport = g_ascii_strdown (who, -1);

  if (!usable (msn))
    return;
  if (lists_for (msn, passport) & MSNP_LIST_RL)
    move_to (msn, passport, MSNP_LIST_AL);
  else
    take_off (msn, passport, MSNP_LIST_BL);
}

typedef struct {
  MsnpAccount      *msn;
  PurplePrivacyType mode;
  GPtrArray        *to_al, *to_bl;
} ModeMoves;

static void
plan_moves (MsnpContact *contact, gpointer data)
{
  ModeMoves *m = data;
  guint l = contact->lists;

  switch (m->mode) {
  case PURPLE_PRIVACY_ALLOW_ALL:
    if (l & MSNP_LIST_BL)
      g_ptr_array_add (m->to_al, g_strdup (contact->passport));
    break;
  case PURPLE_PRIVACY_DENY_ALL:
    if (l & MSNP_LIST_AL)
      g_ptr_array_add (m->to_bl, g_strdup (contact->passport));
    break;
  case PURPLE_PRIVACY_ALLOW_BUDDYLIST:
    if ((l & MSNP_LIST_FL) && !(l & MSNP_LIST_AL))
      g_ptr_array_add (m->to_al, g_strdup (contact->passport));
    else if (!(l & MSNP_LIST_FL) && (l & MSNP_LIST_AL))
      g_ptr_array_add (m->to_bl, g_strdup (contact->passport));
    break;
  default:
    break;
  }
}

static void
apply_mode (MsnpAccount *msn, PurplePrivacyType mode)
{
  ModeMoves m = { .msn = msn, .mode = mode,
                  .to_al = g_ptr_array_new_with_free_func (g_free),
                  .to_bl = g_ptr_array_new_with_free_func (g_free) };
  MsnpListMask blp = mode == PURPLE_PRIVACY_ALLOW_ALL ||
                     mode == PURPLE_PRIVACY_DENY_USERS ? MSNP_LIST_AL : MSNP_LIST_BL;

  msnp_lists_foreach (lists_of (msn), plan_moves, &m);
  for (guint i = 0; i < m.to_al->len; i++)
    move_to (msn, g_ptr_array_index (m.to_al, i), MSNP_LIST_AL);
  for (guint i = 0; i < m.to_bl->len; i++)
    move_to (msn, g_ptr_array_index (m.to_bl, i), MSNP_LIST_BL);
  if (msnp_lists_get_blp (lists_of (msn)) != blp)
    msnp_lists_ui_track (msn, msnp_ns_set_privacy (msn->ns, blp), NULL,
                         _("Could not change your privacy setting."), roll_back);
  g_ptr_array_unref (m.to_al);
  g_ptr_array_unref (m.to_bl);
  purple_account_set_int (msn->account, MSNP_OPT_PRIVACY_LAST, mode);
}

void
msnp_privacy_set_permit_deny (PurpleConnection *gc)
{
  MsnpAccount *msn = msnp_account_of (gc);

  if (usable (msn))
    apply_mode (msn, purple_account_get_privacy_type (msn->account));
}

void
msnp_privacy_synced (MsnpAccount *msn)
{
  int last = purple_account_get_int (msn->account, MSNP_OPT_PRIVACY_LAST, -1);
  PurplePrivacyType mode = purple_account_get_privacy_type (msn->account);

  mirror_lists (msn);
  if (last >= 0 && (PurplePrivacyType) last != mode) {
    purple_debug_info ("msnp", "privacy mode changed while offline: sending it\n");
    apply_mode (msn, mode);
    return;
  }
  adopt_server_mode (msn);
}

void
msnp_privacy_changed (MsnpAccount *msn, const MsnpListChange *change)
{
  gboolean lists = (change->kind == MSNP_CHANGE_ADD ||
                    change->kind == MSNP_CHANGE_REMOVE) &&
                   (change->list & (MSNP_LIST_AL | MSNP_LIST_BL));

  if (!lists && change->kind != MSNP_CHANGE_PRIVACY)
    return;
  mirror_lists (msn);
  /* Our own mode change arrives as several echoes; the mode is only
   * re-read from the server when nothing of ours is in flight. */
  if (msn->list_ops == NULL || g_hash_table_size (msn->list_ops) == 0)
    adopt_server_mode (msn);
}
