/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <blist.h>
#include <debug.h>
#include <prpl.h>
#include <request.h>

#include "msn-blist.h"
#include "msn-lists.h"
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

/* purple_find_group() folds the name on every call; a sync asks for the
 * same few groups a thousand times, so it remembers them by group id. */
static PurpleGroup *
group_for (const MsnpLists *lists, const char *id, GHashTable *cache)
{
  const char *name = group_name_for (lists, id);
  PurpleGroup *group = cache != NULL ? g_hash_table_lookup (cache, name) : NULL;

  if (group != NULL)
    return group;
  group = purple_find_group (name);
  if (group == NULL) {
    group = purple_group_new (name);
    purple_blist_add_group (group, NULL);
  }
  if (cache != NULL)
    g_hash_table_insert (cache, (gpointer) name, group);
  return group;
}

static void
ensure_buddy (MsnpAccount *msn, const MsnpContact *contact, PurpleGroup *group)
{
  PurpleBuddy *buddy = purple_find_buddy_in_group (msn->account,
                                                   contact->passport, group);

  if (buddy == NULL) {
    buddy = purple_buddy_new (msn->account, contact->passport, NULL);
    purple_blist_add_buddy (buddy, NULL, group, NULL);
  }
  /* No friendly name on the wire leaves the passport as the name: that
   * is no alias worth storing. */
  if (contact->friendly != NULL &&
      g_ascii_strcasecmp (contact->friendly, contact->passport) != 0 &&
      g_strcmp0 (purple_buddy_get_server_alias (buddy), contact->friendly) != 0)
    purple_blist_server_alias_buddy (buddy, contact->friendly);
}

static void
place_contact (MsnpAccount *msn, const MsnpContact *contact, GHashTable *groups)
{
  const MsnpLists *lists = msnp_ns_get_lists (msn->ns);

  if (!(contact->lists & MSNP_LIST_FL))
    return;
  if (contact->groups->len == 0) {
    ensure_buddy (msn, contact, group_for (lists, NULL, groups));
    return;
  }
  for (guint i = 0; i < contact->groups->len; i++) {
    const char *id = g_ptr_array_index (contact->groups, i);

    /* Being moved out of there: the buddy already left in libpurple. */
    if (msnp_lists_ui_leaving (msn, contact->passport, id))
      continue;
    ensure_buddy (msn, contact, group_for (lists, id, groups));
  }
}

/* Removes the buddies (of @buddies) that the server no longer puts where
 * they are: all of a contact's when it is off the forward list. */
static void
prune_buddies (MsnpAccount *msn, GSList *buddies)
{
  const MsnpLists *lists = msnp_ns_get_lists (msn->ns);

  for (GSList *l = buddies; l != NULL; l = l->next) {
    PurpleBuddy *buddy = l->data;
    const MsnpContact *contact =
        msnp_lists_lookup (lists, purple_buddy_get_name (buddy));
    const char *group = purple_group_get_name (purple_buddy_get_group (buddy));

    if (contact == NULL || !(contact->lists & MSNP_LIST_FL) ||
        !contact_in_group (lists, contact, group))
      purple_blist_remove_buddy (buddy);
  }
}

static void
place_contact_cb (MsnpContact *contact, gpointer data)
{
  MsnpAccount *msn = data;
  place_contact (msn, contact, msn->sync_groups);
}

static GHashTable *
sync_groups (MsnpAccount *msn)
{
  if (msn->sync_groups == NULL)
    msn->sync_groups = g_hash_table_new (g_str_hash, g_str_equal);
  return msn->sync_groups;
}

void
msnp_blist_listed (MsnpAccount *msn, const MsnpContact *contact)
{
  place_contact (msn, contact, sync_groups (msn));
}

void
msnp_blist_sync (MsnpAccount *msn)
{
  GSList *buddies = purple_find_buddies (msn->account, NULL);

  prune_buddies (msn, buddies);
  g_slist_free (buddies);
  /* Contacts placed while they arrived are found in place: this costs
   * lookups only, and catches anything listed before its group. */
  sync_groups (msn);
  msnp_lists_foreach (msnp_ns_get_lists (msn->ns), place_contact_cb, msn);
  g_clear_pointer (&msn->sync_groups, g_hash_table_unref);
}

void
msnp_blist_contact_changed (MsnpAccount *msn, const MsnpContact *contact)
{
  GSList *buddies = purple_find_buddies (msn->account, contact->passport);

  prune_buddies (msn, buddies);
  g_slist_free (buddies);
  place_contact (msn, contact, NULL);
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
    place_contact (msn, contact, NULL);
}

void
msnp_blist_presence (MsnpAccount *msn, const char *passport, MsnpStatus status,
                     const char *friendly)
{
  PurpleAccount *account = msn->account;
  PurpleBuddy *buddy = purple_find_buddy (account, passport);
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
    msnp_lists_ui_track (msn, msnp_ns_set_phone (msn->ns, i, value), NULL,
                         _("Could not change your phone number."), NULL);
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
                         fields, _("_OK"), G_CALLBACK (phones_entered),
                         _("_Cancel"), NULL, purple_connection_get_account (gc),
                         NULL, NULL, gc);
}
