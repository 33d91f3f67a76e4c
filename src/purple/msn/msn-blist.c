/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <blist.h>
#include <debug.h>
#include <prpl.h>
#include <request.h>

#include "msn-blist.h"
#include "msn-status.h"

/* Where a forward-list contact with no (known) group goes. */
static const char *
group_name_for (const MsnpLists *lists, const char *id)
{
  const MsnpGroup *group = id != NULL ? msnp_lists_get_group (lists, id) : NULL;

  if (group != NULL && group->name != NULL && *group->name != '\0')
    return group->name;
  return _("Other Contacts");
}

static gboolean
contact_in_group (const MsnpLists *lists, const MsnpContact *contact,
                  const char *group_name)
{
  if (contact->groups->len == 0)
    return strcmp (group_name, group_name_for (lists, NULL)) == 0;
  for (guint i = 0; i < contact->groups->len; i++)
    if (strcmp (group_name,
                group_name_for (lists, g_ptr_array_index (contact->groups, i))) == 0)
      return TRUE;
  return FALSE;
}

/* ---- putting buddies in place, in linear time -------------------------- */

/* libpurple's purple_blist_add_buddy() with no contact walks the whole
 * group to append a new contact at its end, and purple_find_group()
 * folds the name on every call: per buddy, that made a sync quadratic.
 * A slot remembers a group and its last contact node, so a new buddy
 * goes in its own new contact right after it.  The slots are dropped
 * whenever a group or contact node goes away (libpurple frees it). */
typedef struct {
  PurpleGroup     *group;
  PurpleBlistNode *tail;   /* last child of the group, or NULL */
} GroupSlot;

/* The sync of the buddy list with the model, a bounded slice per
 * main-loop turn so that the host stays responsive however long the
 * list: first the buddies the server no longer lists go, then every
 * contact is put in place. */
typedef enum {
  SYNC_IDLE,
  SYNC_PRUNE,
  SYNC_PLACE,
} SyncPhase;

/* Per turn: at most this many buddies or contacts, and no more than
 * SYNC_SLICE_USEC.  256 new buddies are ~3 ms of libpurple's work in the
 * test driver (bench/RESULTS.md, 2b); the time bound holds the slice
 * short in hosts whose buddy-list UI costs more per buddy (Pidgin's GTK
 * tree), so input and timers wait at most ~8 ms. */
#define SYNC_SLICE_MAX   256
#define SYNC_SLICE_USEC  8000

struct _MsnpBlistState {
  MsnpAccount *msn;
  GHashTable  *slots;      /* group name → GroupSlot * */
  SyncPhase    phase;
  guint        source;     /* the timeout running the next slice */
  GPtrArray   *buddies;    /* PurpleBuddy * to check (prune phase) */
  gboolean     removing;   /* our own removals, not a reason to restart */
  gboolean     stale;      /* a buddy went away: @buddies is no good */
  GPtrArray   *passports;  /* the model's contacts to place (owned) */
  guint        next;
  gboolean     connect;    /* signed in: CONNECTED once the sync is over */
  /* While LSTs arrive: the account had no buddy when they began and
   * none came from elsewhere since, so a contact listed for the first
   * time has no buddy to look for (@placed: MsnpContact * seen). */
  GHashTable  *placed;
  gboolean     fresh;
  gboolean     listing;    /* placing a listed contact right now */
};

static void
slots_forget (MsnpBlistState *st)
{
  if (st->slots != NULL)
    g_hash_table_remove_all (st->slots);
}

/* A buddy of the account from anywhere but the LST stream (the user,
 * another plugin): lookups are needed again. */
static void
node_added_cb (PurpleBlistNode *node, MsnpBlistState *st)
{
  if (st->fresh && !st->listing && PURPLE_BLIST_NODE_IS_BUDDY (node) &&
      purple_buddy_get_account (PURPLE_BUDDY (node)) == st->msn->account)
    st->fresh = FALSE;
}

static void
node_removed_cb (PurpleBlistNode *node, MsnpBlistState *st)
{
  if (PURPLE_BLIST_NODE_IS_BUDDY (node)) {
    if (st->buddies != NULL && !st->removing)
      st->stale = TRUE;
    return;
  }
  slots_forget (st);
}

static MsnpBlistState *
state_of (MsnpAccount *msn)
{
  MsnpBlistState *st = msn->blist;

  if (st != NULL)
    return st;
  st = msn->blist = g_new0 (MsnpBlistState, 1);
  st->msn = msn;
  st->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  purple_signal_connect (purple_blist_get_handle (), "blist-node-removed", st,
                         PURPLE_CALLBACK (node_removed_cb), st);
  purple_signal_connect (purple_blist_get_handle (), "blist-node-added", st,
                         PURPLE_CALLBACK (node_added_cb), st);
  return st;
}

/* The one walk of a group's children, per slot (not per buddy). */
static PurpleBlistNode *
last_child (PurpleGroup *group)
{
  PurpleBlistNode *node = PURPLE_BLIST_NODE (group)->child;

  while (node != NULL && node->next != NULL)
    node = node->next;
  return node;
}

static GroupSlot *
slot_for (MsnpBlistState *st, const MsnpLists *lists, const char *id)
{
  const char *name = group_name_for (lists, id);
  GroupSlot *slot = g_hash_table_lookup (st->slots, name);

  if (slot != NULL)
    return slot;
  slot = g_new0 (GroupSlot, 1);
  slot->group = purple_find_group (name);
  if (slot->group == NULL) {
    slot->group = purple_group_new (name);
    purple_blist_add_group (slot->group, NULL);
  }
  slot->tail = last_child (slot->group);
  g_hash_table_insert (st->slots, g_strdup (name), slot);
  return slot;
}

/* A new buddy in its own contact at the end of the slot's group. */
static PurpleBuddy *
append_buddy (MsnpAccount *msn, GroupSlot *slot, const char *passport)
{
  PurpleBuddy *buddy = purple_buddy_new (msn->account, passport, NULL);
  PurpleContact *contact = purple_contact_new ();
  PurpleBlistNode *tail = slot->tail;

  /* Someone else may have moved the tail or added after it. */
  if (tail != NULL && tail->parent != PURPLE_BLIST_NODE (slot->group))
    tail = NULL;
  while (tail != NULL && tail->next != NULL)
    tail = tail->next;
  if (tail == NULL)
    tail = last_child (slot->group);
  purple_blist_add_contact (contact, slot->group, tail);
  purple_blist_add_buddy (buddy, contact, NULL, NULL);
  slot->tail = PURPLE_BLIST_NODE (contact);
  return buddy;
}

static void
ensure_buddy (MsnpAccount *msn, const MsnpContact *contact, GroupSlot *slot,
              gboolean absent)
{
  PurpleBuddy *buddy = absent ? NULL
      : purple_find_buddy_in_group (msn->account, contact->passport, slot->group);

  if (buddy == NULL)
    buddy = append_buddy (msn, slot, contact->passport);
  /* No friendly name on the wire leaves the passport as the name: that
   * is no alias worth storing.  An unchanged one is not written again. */
  if (contact->friendly != NULL &&
      g_ascii_strcasecmp (contact->friendly, contact->passport) != 0 &&
      g_strcmp0 (purple_buddy_get_server_alias (buddy), contact->friendly) != 0)
    purple_blist_server_alias_buddy (buddy, contact->friendly);
}

/* @absent: no buddy of @contact can exist yet (see MsnpBlistState). */
static void
place_contact_as (MsnpAccount *msn, const MsnpContact *contact, gboolean absent)
{
  MsnpBlistState *st = state_of (msn);
  const MsnpLists *lists = msnp_ns_get_lists (msn->ns);

  if (!(contact->lists & MSNP_LIST_FL))
    return;
  if (contact->groups->len == 0) {
    ensure_buddy (msn, contact, slot_for (st, lists, NULL), absent);
    return;
  }
  for (guint i = 0; i < contact->groups->len; i++) {
    const char *id = g_ptr_array_index (contact->groups, i);

    /* Being moved out of there: the buddy already left in libpurple. */
    if (msnp_list_edit_leaving (msn->edit, contact->passport, id))
      continue;
    /* Two ids may name one group (or repeat): only the first is sure. */
    ensure_buddy (msn, contact, slot_for (st, lists, id), absent && i == 0);
  }
}

static void
place_contact (MsnpAccount *msn, const MsnpContact *contact)
{
  place_contact_as (msn, contact, FALSE);
}

/* Removes @buddy when the server no longer puts it where it is. */
static void
prune_buddy (MsnpAccount *msn, PurpleBuddy *buddy)
{
  const MsnpLists *lists = msnp_ns_get_lists (msn->ns);
  const MsnpContact *contact = msnp_lists_lookup (lists, purple_buddy_get_name (buddy));
  const char *group = purple_group_get_name (purple_buddy_get_group (buddy));

  if (contact == NULL || !(contact->lists & MSNP_LIST_FL) ||
      !contact_in_group (lists, contact, group))
    purple_blist_remove_buddy (buddy);
}

static void
prune_buddies (MsnpAccount *msn, GSList *buddies)
{
  for (GSList *l = buddies; l != NULL; l = l->next)
    prune_buddy (msn, l->data);
}

/* ---- the sync, in slices ---------------------------------------------- */

static void
collect_passport (MsnpContact *contact, gpointer data)
{
  g_ptr_array_add (data, g_strdup (contact->passport));
}

static void
snapshot_buddies (MsnpBlistState *st)
{
  GSList *buddies = purple_find_buddies (st->msn->account, NULL);

  g_clear_pointer (&st->buddies, g_ptr_array_unref);
  st->buddies = g_ptr_array_new ();
  for (GSList *l = buddies; l != NULL; l = l->next)
    g_ptr_array_add (st->buddies, l->data);
  g_slist_free (buddies);
  st->stale = FALSE;
  st->next = 0;
}

static void
enter_place (MsnpBlistState *st)
{
  g_clear_pointer (&st->buddies, g_ptr_array_unref);
  g_clear_pointer (&st->passports, g_ptr_array_unref);
  st->passports = g_ptr_array_new_with_free_func (g_free);
  msnp_lists_foreach (msnp_ns_get_lists (st->msn->ns), collect_passport, st->passports);
  st->phase = SYNC_PLACE;
  st->next = 0;
}

/* One slice; TRUE when the phase is over. */
static gboolean
run_slice (MsnpBlistState *st)
{
  MsnpAccount *msn = st->msn;
  gint64 until = g_get_monotonic_time () + SYNC_SLICE_USEC;
  guint done = 0;

  if (st->phase == SYNC_PRUNE) {
    if (st->stale)
      snapshot_buddies (st);   /* someone removed a buddy meanwhile */
    st->removing = TRUE;
    while (st->next < st->buddies->len && done++ < SYNC_SLICE_MAX &&
           ((done & 15) != 0 || g_get_monotonic_time () < until))
      prune_buddy (msn, g_ptr_array_index (st->buddies, st->next++));
    st->removing = FALSE;
    return st->next >= st->buddies->len;
  }
  while (st->next < st->passports->len && done++ < SYNC_SLICE_MAX &&
         ((done & 15) != 0 || g_get_monotonic_time () < until)) {
    const MsnpContact *contact = msnp_lists_lookup (msnp_ns_get_lists (msn->ns),
                                                    g_ptr_array_index (st->passports,
                                                                       st->next++));
    if (contact != NULL)
      place_contact (msn, contact);
  }
  return st->next >= st->passports->len;
}

static void
set_connected (MsnpAccount *msn)
{
  if (purple_connection_get_state (msn->gc) != PURPLE_CONNECTED)
    purple_connection_set_state (msn->gc, PURPLE_CONNECTED);
}

static void
sync_finished (MsnpBlistState *st)
{
  g_clear_pointer (&st->passports, g_ptr_array_unref);
  g_clear_pointer (&st->buddies, g_ptr_array_unref);
  st->phase = SYNC_IDLE;
  if (st->msn->hooks != NULL && st->msn->hooks->blist_in_place != NULL)
    st->msn->hooks->blist_in_place (st->msn);
  if (st->connect) {
    st->connect = FALSE;
    set_connected (st->msn);   /* last: signed-on handlers may do anything */
  }
}

void
msnp_blist_connect_when_synced (MsnpAccount *msn)
{
  if (msn->blist != NULL && msn->blist->phase != SYNC_IDLE)
    msn->blist->connect = TRUE;
  else
    set_connected (msn);
}

static gboolean
slice_cb (gpointer data)
{
  MsnpBlistState *st = data;
  MsnpAccount *msn = st->msn;
  gboolean over;

  msn->applying_server = TRUE;
  over = run_slice (st);
  msn->applying_server = FALSE;
  if (!over)
    return TRUE;
  if (st->phase == SYNC_PRUNE) {
    enter_place (st);
    return TRUE;
  }
  st->source = 0;
  sync_finished (st);
  return FALSE;
}

static void
end_listing (MsnpBlistState *st)
{
  g_clear_pointer (&st->placed, g_hash_table_unref);
  st->fresh = FALSE;
}

static void
start_sync (MsnpAccount *msn)
{
  MsnpBlistState *st = state_of (msn);

  end_listing (st);
  st->phase = SYNC_PRUNE;
  snapshot_buddies (st);
  if (st->source == 0)
    st->source = purple_timeout_add (0, slice_cb, st);
}

void
msnp_blist_sync (MsnpAccount *msn)
{
  start_sync (msn);
}

gboolean
msnp_blist_synced (MsnpAccount *msn)
{
  if (msnp_ns_list_too_big (msn->ns))
    return FALSE;
  start_sync (msn);
  return TRUE;
}

/* Once per sync, at its first LST: whether the account has any buddy
 * (one walk of the list) decides if the lookups can be skipped. */
static void
begin_listing (MsnpBlistState *st)
{
  GSList *buddies = purple_find_buddies (st->msn->account, NULL);

  st->placed = g_hash_table_new (NULL, NULL);
  st->fresh = buddies == NULL;
  g_slist_free (buddies);
}

void
msnp_blist_listed (MsnpAccount *msn, const MsnpContact *contact)
{
  MsnpBlistState *st;
  gboolean absent;

  /* Past the cap nothing more is put in place: the sign-in stops. */
  if (msnp_ns_list_too_big (msn->ns))
    return;
  st = state_of (msn);
  if (st->placed == NULL)
    begin_listing (st);
  /* A contact listed twice (a server repeating itself) is looked up, and
   * so is a passport long enough for msn_normalize() to cut it (two of
   * them may be one buddy name). */
  absent = st->fresh && strlen (contact->passport) < 255 &&
           g_hash_table_add (st->placed, (gpointer) contact);
  msn->applying_server = TRUE;
  st->listing = TRUE;
  place_contact_as (msn, contact, absent);
  st->listing = FALSE;
  msn->applying_server = FALSE;
}

void
msnp_blist_free (MsnpAccount *msn)
{
  MsnpBlistState *st = msn->blist;

  if (st == NULL)
    return;
  if (st->source != 0)
    purple_timeout_remove (st->source);
  purple_signals_disconnect_by_handle (st);
  g_hash_table_unref (st->slots);
  end_listing (st);
  g_clear_pointer (&st->buddies, g_ptr_array_unref);
  g_clear_pointer (&st->passports, g_ptr_array_unref);
  g_free (st);
  msn->blist = NULL;
}

void
msnp_blist_contact_changed (MsnpAccount *msn, const MsnpContact *contact)
{
  GSList *buddies = purple_find_buddies (msn->account, contact->passport);

  prune_buddies (msn, buddies);
  g_slist_free (buddies);
  place_contact (msn, contact);
}

void
msnp_blist_resync_contact (MsnpAccount *msn, const char *passport)
{
  GSList *buddies = purple_find_buddies (msn->account, passport);
  const MsnpContact *contact = msnp_lists_lookup (msnp_ns_get_lists (msn->ns),
                                                  passport);

  prune_buddies (msn, buddies);
  g_slist_free (buddies);
  if (contact != NULL)
    place_contact (msn, contact);
}

/* A contact's presence may come before the sync slices reached it: it
 * is put in place at once then (the slice finds it there later). */
static PurpleBuddy *
buddy_for_presence (MsnpAccount *msn, const char *passport)
{
  PurpleBuddy *buddy = purple_find_buddy (msn->account, passport);
  const MsnpContact *contact;

  if (buddy != NULL || msn->blist == NULL || msn->blist->phase == SYNC_IDLE)
    return buddy;
  contact = msnp_lists_lookup (msnp_ns_get_lists (msn->ns), passport);
  if (contact == NULL)
    return NULL;
  msn->applying_server = TRUE;
  place_contact (msn, contact);
  msn->applying_server = FALSE;
  return purple_find_buddy (msn->account, passport);
}

void
msnp_blist_presence (MsnpAccount *msn, const char *passport, MsnpStatus status,
                     const char *friendly)
{
  PurpleAccount *account = msn->account;
  PurpleBuddy *buddy = buddy_for_presence (msn, passport);
  /* NLN/ILN names: one line, no controls, like every name (msnp-lists.c). */
  g_autofree char *name = friendly != NULL
      ? msnp_text_strip_controls (g_strdup (friendly), FALSE) : NULL;

  friendly = name != NULL && *name != '\0' ? name : NULL;
  if (friendly != NULL) {
    MsnpContact *contact = msnp_lists_lookup (msnp_ns_get_lists (msn->ns), passport);
    if (contact != NULL && g_strcmp0 (contact->friendly, friendly) != 0) {
      g_free (contact->friendly);
      contact->friendly = g_strdup (friendly);
    }
    if (buddy == NULL || g_strcmp0 (purple_buddy_get_server_alias (buddy), friendly) != 0)
      serv_got_alias (msn->gc, passport, friendly);
  }
  purple_prpl_got_user_status (account, passport, msnp_status_purple_id (status),
                               NULL);
  /* MSN's Idle is libpurple's idle flag; only a change needs telling. */
  if (status != MSNP_STATUS_OFFLINE && buddy != NULL &&
      purple_presence_is_idle (purple_buddy_get_presence (buddy)) !=
          (status == MSNP_STATUS_IDLE))
    purple_prpl_got_user_idle (account, passport, status == MSNP_STATUS_IDLE, 0);
}

static const char *
lists_text (guint lists, GString *out)
{
  static const struct { guint bit; const char *name; } names[] = {
    { MSNP_LIST_FL, N_("contacts") },
    { MSNP_LIST_AL, N_("allowed") },
    { MSNP_LIST_BL, N_("blocked") },
    { MSNP_LIST_RL, N_("has you as a contact") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (lists & names[i].bit)
      g_string_append_printf (out, "%s%s", out->len ? ", " : "", _(names[i].name));
  return out->str;
}

void
msnp_blist_describe (MsnpAccount *msn, const char *passport,
                     PurpleNotifyUserInfo *info, gboolean full)
{
  static const char *const phone_labels[MSNP_N_PHONES] = {
    [MSNP_PHONE_HOME]   = N_("Home phone"),
    [MSNP_PHONE_WORK]   = N_("Work phone"),
    [MSNP_PHONE_MOBILE] = N_("Mobile phone"),
  };
  const MsnpLists *lists = msnp_ns_get_lists (msn->ns);
  const MsnpContact *contact = msnp_lists_lookup (lists, passport);

  if (contact == NULL)
    return;
  if (full) {
    purple_notify_user_info_add_pair_plaintext (info, _("E-mail address"),
                                                contact->passport);
    purple_notify_user_info_add_pair_plaintext (info, _("Friendly name"),
                                                contact->friendly);
  }
  for (guint i = 0; i < MSNP_N_PHONES; i++)
    if (contact->phones[i] != NULL && *contact->phones[i] != '\0')
      purple_notify_user_info_add_pair_plaintext (info, _(phone_labels[i]),
                                                  contact->phones[i]);
  if (contact->mobile)
    purple_notify_user_info_add_pair_plaintext (info, _("Mobile device"), _("Yes"));
  if (!full && (contact->lists & MSNP_LIST_BL))
    purple_notify_user_info_add_pair_plaintext (info, _("Blocked"), _("Yes"));
  if (full) {
    g_autoptr (GString) text = g_string_new (NULL);
    for (guint i = 0; i < contact->groups->len; i++)
      g_string_append_printf (text, "%s%s", i ? ", " : "",
                              group_name_for (lists, g_ptr_array_index (contact->groups, i)));
    if (text->len > 0)
      purple_notify_user_info_add_pair_plaintext (info, _("Groups"), text->str);
    g_string_truncate (text, 0);
    purple_notify_user_info_add_pair_plaintext (info, _("Lists"),
                                                lists_text (contact->lists, text));
  }
}

/* ---- own phone numbers (PRP) ------------------------------------------ */

static const struct {
  const char *id;
  const char *label;
} phone_fields[MSNP_N_PHONES] = {
  [MSNP_PHONE_HOME]   = { .id = "PHH", .label = N_("Home phone") },
  [MSNP_PHONE_WORK]   = { .id = "PHW", .label = N_("Work phone") },
  [MSNP_PHONE_MOBILE] = { .id = "PHM", .label = N_("Mobile phone") },
};

static void
phones_entered (PurpleConnection *gc, PurpleRequestFields *fields)
{
  MsnpAccount *msn;

  if (!PURPLE_CONNECTION_IS_VALID (gc) || (msn = gc->proto_data) == NULL ||
      !msnp_ns_is_online (msn->ns))
    return;
  for (guint i = 0; i < MSNP_N_PHONES; i++) {
    const char *now = purple_request_fields_get_string (fields, phone_fields[i].id);
    const char *was = msnp_lists_get_own_phone (msnp_ns_get_lists (msn->ns), i);
    g_autofree char *value = g_strstrip (g_strdup (now != NULL ? now : ""));

    /* Only what changed goes out; the model follows the server's PRP. */
    if (g_strcmp0 (value, was != NULL ? was : "") == 0)
      continue;
    msnp_list_edit_set_phone (msn->edit, i, value);
  }
}

void
msnp_blist_action_phones (PurpleConnection *gc)
{
  MsnpAccount *msn = gc->proto_data;
  PurpleRequestFields *fields = purple_request_fields_new ();
  PurpleRequestFieldGroup *group = purple_request_field_group_new (NULL);

  purple_request_fields_add_group (fields, group);
  for (guint i = 0; i < MSNP_N_PHONES; i++) {
    const char *value = msn != NULL
        ? msnp_lists_get_own_phone (msnp_ns_get_lists (msn->ns), i) : NULL;
    purple_request_field_group_add_field (group,
        purple_request_field_string_new (phone_fields[i].id,
                                         _(phone_fields[i].label), value, FALSE));
  }
  purple_request_fields (gc, _("Your phone numbers"), _("Your phone numbers"),
                         _("Your contacts see the numbers you enter here. "
                           "Leave a field empty to remove that number."),
                         fields, _("OK"), G_CALLBACK (phones_entered),
                         _("Cancel"), NULL, purple_connection_get_account (gc),
                         NULL, NULL, gc);
}
