/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Privacy: libpurple's modes and lists on MSNP8's BLP, AL and BL.
 *
 * MSNP8 can say two things: BLP AL ("everyone not on the block list may
 * see and message me") and BLP BL ("only the allow list may").  A contact
 * on both lists is refused by the server (219), so a contact is always
 * moved: off one list, then onto the other (the list editor does that,
 * src/core/msnp-list-edit.c).  The five modes map as:
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

#include <account.h>
#include <blist.h>
#include <debug.h>
#include <privacy.h>

#include "msn-privacy.h"

static MsnpLists *
lists_of (MsnpAccount *msn)
{
  return msnp_ns_get_lists (msn->ns);
}

/* ---- server → libpurple ----------------------------------------------- */

/* libpurple's purple_privacy_permit_add() scans the whole permit list
 * for every name it adds (and appends at its end): once per allow-list
 * entry, that made every sign-in quadratic.  The account's permit and
 * deny lists are plain GSLists of normalized names, so they are brought
 * in line with the model in one pass each, keeping their order, and the
 * host is told exactly what libpurple's own calls would tell it: the
 * privacy UI ops per name (Pidgin's privacy dialog, BitlBee's lists),
 * buddy-privacy-changed per buddy, one account save if anything moved
 * and nothing at all when nothing did. */
typedef struct {
  void (*added) (PurpleAccount *account, const char *name);
  void (*removed) (PurpleAccount *account, const char *name);
} ListUiOps;

static void
tell_buddy (PurpleAccount *account, const char *name)
{
  PurpleBuddy *buddy = purple_find_buddy (account, name);

  if (buddy != NULL)
    purple_signal_emit (purple_blist_get_handle (), "buddy-privacy-changed", buddy);
}

/* Makes *@list hold exactly the model's contacts on @bit; TRUE when it
 * changed anything. */
static gboolean
mirror_list (PurpleAccount *account, GSList **list, MsnpLists *lists,
             guint bit, const ListUiOps *ui)
{
  GHashTable *have = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *gone = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *added = g_ptr_array_new ();
  GSList *kept = NULL, *next;
  gboolean changed;

  for (GSList *l = *list; l != NULL; l = next) {
    const MsnpContact *contact = msnp_lists_lookup (lists, l->data);

    next = l->next;
    if (contact != NULL && (contact->lists & bit) &&
        g_hash_table_add (have, contact->passport)) {
      l->next = kept;
      kept = l;
    } else {
      g_ptr_array_add (gone, l->data);
      g_slist_free_1 (l);
    }
  }
  for (guint i = 0; i < msnp_lists_n_contacts (lists); i++) {
    const MsnpContact *contact = msnp_lists_nth (lists, i);
    char *name;

    if (!(contact->lists & bit) || g_hash_table_contains (have, contact->passport))
      continue;
    name = g_strdup (purple_normalize (account, contact->passport));
    kept = g_slist_prepend (kept, name);
    g_ptr_array_add (added, name);
    g_hash_table_add (have, contact->passport);
  }
  *list = g_slist_reverse (kept);
  g_hash_table_unref (have);

  for (guint i = 0; i < gone->len; i++) {
    if (ui->removed != NULL)
      ui->removed (account, g_ptr_array_index (gone, i));
    tell_buddy (account, g_ptr_array_index (gone, i));
  }
  for (guint i = 0; i < added->len; i++) {
    if (ui->added != NULL)
      ui->added (account, g_ptr_array_index (added, i));
    tell_buddy (account, g_ptr_array_index (added, i));
  }
  changed = gone->len > 0 || added->len > 0;
  g_ptr_array_unref (gone);
  g_ptr_array_unref (added);
  return changed;
}

/* The permit and deny lists become AL and BL (local only: nothing sent). */
static void
mirror_lists (MsnpAccount *msn)
{
  PurpleAccount *account = msn->account;
  PurplePrivacyUiOps *ops = purple_privacy_get_ui_ops ();
  PurpleBlistUiOps *blist_ops = purple_blist_get_ui_ops ();
  ListUiOps permit = { ops != NULL ? ops->permit_added : NULL,
                       ops != NULL ? ops->permit_removed : NULL };
  ListUiOps deny = { ops != NULL ? ops->deny_added : NULL,
                     ops != NULL ? ops->deny_removed : NULL };
  gboolean changed;

  changed = mirror_list (account, &account->permit, lists_of (msn), MSNP_LIST_AL, &permit);
  changed |= mirror_list (account, &account->deny, lists_of (msn), MSNP_LIST_BL, &deny);
  /* What purple_privacy_permit_add() and friends do after each change. */
  if (changed && blist_ops != NULL && blist_ops->save_account != NULL)
    blist_ops->save_account (account);
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

void
msnp_privacy_resync (MsnpAccount *msn)
{
  mirror_lists (msn);
  adopt_server_mode (msn);
}

/* ---- libpurple → server ----------------------------------------------- */

/* The editor (src/core/msnp-list-edit.c) moves contacts between the
 * allow and block lists, and puts them back when the server refuses. */
static MsnpListEdit *
editor (PurpleConnection *gc)
{
  MsnpAccount *msn = msnp_account_of (gc);

  return msn != NULL && !msn->applying_server ? msn->edit : NULL;
}

void
msnp_privacy_add_permit (PurpleConnection *gc, const char *who)
{
  MsnpListEdit *edit = editor (gc);

  if (edit != NULL)
    msnp_list_edit_allow (edit, who);
}

void
msnp_privacy_add_deny (PurpleConnection *gc, const char *who)
{
  MsnpListEdit *edit = editor (gc);

  if (edit != NULL)
    msnp_list_edit_block (edit, who);
}

void
msnp_privacy_rem_permit (PurpleConnection *gc, const char *who)
{
  MsnpListEdit *edit = editor (gc);

  if (edit != NULL)
    msnp_list_edit_unallow (edit, who);
}

void
msnp_privacy_rem_deny (PurpleConnection *gc, const char *who)
{
  MsnpListEdit *edit = editor (gc);

  if (edit != NULL)
    msnp_list_edit_unblock (edit, who);
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
    msnp_list_edit_allow (msn->edit, g_ptr_array_index (m.to_al, i));
  for (guint i = 0; i < m.to_bl->len; i++)
    msnp_list_edit_block (msn->edit, g_ptr_array_index (m.to_bl, i));
  msnp_list_edit_set_privacy (msn->edit, blp);
  g_ptr_array_unref (m.to_al);
  g_ptr_array_unref (m.to_bl);
  purple_account_set_int (msn->account, MSNP_OPT_PRIVACY_LAST, mode);
}

void
msnp_privacy_set_permit_deny (PurpleConnection *gc)
{
  MsnpAccount *msn = msnp_account_of (gc);

  if (editor (gc) != NULL && msnp_ns_is_online (msn->ns))
    apply_mode (msn, purple_account_get_privacy_type (msn->account));
}

/* libpurple keeps the privacy mode and lists in blist.xml, the plugin
 * the last mode agreed with the server in the account.  Empty lists here
 * while the server has allowed or blocked people means blist.xml was
 * lost (a new machine, a reset profile): the mode then is libpurple's
 * default, "allow all", not the user's choice, and sending it would
 * unblock everyone blocked.  (Every contact one adds is allowed, so an
 * account with contacts has a non-empty allow list.) */
static gboolean
local_state_lost (MsnpAccount *msn)
{
  ListCounts c = { 0 };

  if (msn->account->permit != NULL || msn->account->deny != NULL)
    return FALSE;
  msnp_lists_foreach (lists_of (msn), count_contact, &c);
  return c.n_al > 0 || c.n_bl > 0;
}

/* The mode differs from the last one agreed with the server. */
gboolean
msnp_privacy_to_send (MsnpAccount *msn)
{
  int last = purple_account_get_int (msn->account, MSNP_OPT_PRIVACY_LAST, -1);

  return last >= 0 && (PurplePrivacyType) last != purple_account_get_privacy_type (msn->account);
}

void
msnp_privacy_synced (MsnpAccount *msn)
{
  PurplePrivacyType mode = purple_account_get_privacy_type (msn->account);
  gboolean lost = local_state_lost (msn);

  mirror_lists (msn);
  if (lost)
    purple_debug_info ("msnp", "no privacy lists kept locally: taking the server's\n");
  else if (msnp_privacy_to_send (msn)) {
    purple_debug_info ("msnp", "privacy mode changed while offline: sending it\n");
    apply_mode (msn, mode);
    return;
  }
  adopt_server_mode (msn);
}

static gboolean
changed_cb (gpointer data)
{
  MsnpAccount *msn = data;

  msn->privacy_timer = 0;
  mirror_lists (msn);
  /* Our own mode change arrives as several echoes; the mode is only
   * re-read from the server when nothing of ours is in flight. */
  if (msnp_list_edit_n_pending (msn->edit) == 0)
    adopt_server_mode (msn);
  return FALSE;
}

/* A mode change moves every contact: its echoes come in bursts, and each
 * mirror is a pass over the whole list, so one pass per main-loop turn
 * takes the whole burst (linear, not one pass per echo). */
void
msnp_privacy_changed (MsnpAccount *msn, const MsnpListChange *change)
{
  gboolean lists = (change->kind == MSNP_CHANGE_ADD ||
                    change->kind == MSNP_CHANGE_REMOVE) &&
                   (change->list & (MSNP_LIST_AL | MSNP_LIST_BL));

  if (!lists && change->kind != MSNP_CHANGE_PRIVACY)
    return;
  if (msn->privacy_timer == 0)
    msn->privacy_timer = purple_timeout_add (0, changed_cb, msn);
}

void
msnp_privacy_free (MsnpAccount *msn)
{
  if (msn->privacy_timer != 0)
    purple_timeout_remove (msn->privacy_timer);
  msn->privacy_timer = 0;
}
