/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The contact-list model of one account, fed with MSNP8 sync lines.
 *
 * Contacts live in a GPtrArray (server order, for foreach) indexed by a
 * hash table on the lower-cased passport.  The cache is the very line
 * format the server syncs with, so reading it replays the lines through
 * msnp_lists_apply() and there is one parser for both. */
#include "config.h"

#include <string.h>

#include "msnp-lists.h"

struct _MsnpLists {
  GPtrArray   *contacts;  /* MsnpContact *, owned, server order */
  GHashTable  *index;     /* passport → MsnpContact *, keys borrowed */
  GPtrArray   *groups;    /* MsnpGroup *, owned, server order */
  GHashTable  *group_index;  /* id → MsnpGroup *, keys borrowed */
  gboolean     overflow;  /* contacts past MSNP_LISTS_MAX_CONTACTS dropped */
  char        *version;
  char         gtc;
  MsnpListMask blp;
  char        *own_phones[MSNP_N_PHONES];
  gboolean     own_mobile[MSNP_N_MOBILE_SETTINGS];
  MsnpContact *last;      /* the contact of the last LST, for BPR */
  /* List requests in flight (msnp_lists_leaving_add, _joining_add). */
  GHashTable  *leaving_by_trid;      /* TrID → Leaving *, owned */
  GHashTable  *leaving_by_passport;  /* passport → GPtrArray of removals */
};

typedef struct {
  guint    trid;
  gboolean adding;     /* ADD (msnp_lists_joining_add), else REM FL */
  guint    list;       /* MsnpListMask, for an ADD */
  char    *passport;   /* lower-cased */
  char    *group_id;   /* NULL: the whole forward list (REM) or no group */
} Leaving;

/* Limits that keep every cache line well inside MSNP_FRAMER_MAX_LINE even
 * after URL-encoding (which can triple a name), so whatever the server
 * sent, the cache reads back exactly.  They are generous: MSN itself
 * allowed 129-character names, 30 groups and e-mail length passports. */
#define MAX_PASSPORT          256
#define MAX_NAME_BYTES        387   /* decoded UTF-8: 129 chars × 3 */
#define MAX_PHONE_BYTES        64
#define MAX_GROUP_ID           32
#define MAX_GROUPS_PER_CONTACT 32

G_STATIC_ASSERT (4 + MAX_PASSPORT + 1 + 3 * MAX_NAME_BYTES + 4
                 + MAX_GROUPS_PER_CONTACT * (MAX_GROUP_ID + 1) + 2
                 < MSNP_FRAMER_MAX_LINE);

static const char *const phone_codes[MSNP_N_PHONES] = {
  [MSNP_PHONE_HOME]   = "PHH",
  [MSNP_PHONE_WORK]   = "PHW",
  [MSNP_PHONE_MOBILE] = "PHM",
};

/* Helpers ---------------------------------------------------------------- */

/* Cuts valid UTF-8 @text to at most @max_bytes, at a character boundary. */
static char *
truncate_utf8 (char *text, gsize max_bytes)
{
  if (strlen (text) > max_bytes)
    {
      const char *cut = g_utf8_find_prev_char (text, text + max_bytes + 1);

      text[cut != NULL ? cut - text : 0] = '\0';
    }
  return text;
}

/* URL-decodes wire text into valid UTF-8 (servers have sent Latin-1),
 * without control characters (a name, a group or a phone is one line
 * of text: CR/LF or a terminal escape must not reach the buddy list),
 * cut to @max_bytes at a character boundary. */
static char *
decode_text (const char *wire, gsize max_bytes)
{
  char *text = msnp_url_decode (wire);

  /* Valid text (nearly always) is kept as decoded, without a copy.  Made
   * valid before the controls go, so that removing a byte cannot join
   * two stray bytes into a control character (the cache re-reads what
   * we keep, and must read the same). */
  if (!g_utf8_validate (text, -1, NULL))
    {
      char *valid = g_utf8_make_valid (text, -1);

      g_free (text);
      text = valid;
    }
  msnp_text_strip_controls (text, FALSE);
  if (*text == '\0')
    {
      g_free (text);
      return NULL;
    }
  return truncate_utf8 (text, max_bytes);
}

/* A group's name, or its id when nothing of the name is left: libpurple
 * needs a name, and an empty one could not be written to the cache.  An
 * id is opaque bytes; a name is UTF-8. */
static char *
group_name_take (char *name, const char *id)
{
  return name != NULL ? name : g_utf8_make_valid (id, -1);
}

/* The ASCII lower case of @s into @buf (@size bytes); FALSE when it does
 * not fit.  Inline, since g_ascii_tolower() is a call per byte. */
static gboolean
ascii_lower_into (const char *s, char *buf, gsize size)
{
  gsize i;

  for (i = 0; s[i] != '\0'; i++)
    {
      char c = s[i];

      if (i + 1 >= size)
        return FALSE;
      buf[i] = (c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c;
    }
  buf[i] = '\0';
  return TRUE;
}

/* Identifiers (passports, group ids) are written to the cache as they
 * came, so they must not hold bytes a line could lose (CR, tabs, …). */
static gboolean
is_clean_id (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s <= 0x20 || *s == 0x7f)
      return FALSE;
  return TRUE;
}

static guint
list_mask (const char *s)
{
  guint64 v = 0;

  if (!g_ascii_string_to_unsigned (s, 10, 0, G_MAXUINT, &v, NULL))
    return 0;
  return (guint) v & (MSNP_LIST_FL | MSNP_LIST_AL | MSNP_LIST_BL | MSNP_LIST_RL);
}

/* A comma-separated list of group ids, e.g. "1,2,3" (ids are opaque on
 * revival servers but never contain spaces, commas or '=' signs). */
static gboolean
is_group_list (const char *s)
{
  if (s == NULL || *s == '\0' || *s == ',' || !is_clean_id (s))
    return FALSE;
  for (; *s != '\0'; s++)
    if (*s == '=' || (*s == ',' && (s[1] == ',' || s[1] == '\0')))
      return FALSE;
  return TRUE;
}

static int
phone_index (const char *code)
{
  for (int i = 0; i < MSNP_N_PHONES; i++)
    if (code != NULL && strcmp (code, phone_codes[i]) == 0)
      return i;
  return -1;
}

static void
contact_free (MsnpContact *contact)
{
  g_free (contact->passport);
  g_free (contact->friendly);
  g_ptr_array_unref (contact->groups);
  for (int i = 0; i < MSNP_N_PHONES; i++)
    g_free (contact->phones[i]);
  g_free (contact);
}

static void
leaving_free (Leaving *l)
{
  g_free (l->passport);
  g_free (l->group_id);
  g_free (l);
}

static void
group_free (MsnpGroup *group)
{
  g_free (group->id);
  g_free (group->name);
  g_free (group);
}

/* Takes @valid: UTF-8 already cut to MAX_NAME_BYTES (decode_text()). */
static void
set_friendly_take (MsnpContact *contact, char *valid)
{
  g_free (contact->friendly);
  if (valid == NULL || *valid == '\0')
    {
      g_free (valid);
      valid = g_strdup (contact->passport);
    }
  contact->friendly = valid;
}

static void
set_friendly (MsnpContact *contact, const char *friendly)
{
  if (friendly == NULL || *friendly == '\0')
    friendly = contact->passport;
  set_friendly_take (contact, truncate_utf8 (msnp_text_strip_controls (
                         g_utf8_make_valid (friendly, -1), FALSE), MAX_NAME_BYTES));
}

/* Construction ----------------------------------------------------------- */

MsnpLists *
msnp_lists_new (void)
{
  MsnpLists *lists = g_new0 (MsnpLists, 1);

  lists->contacts = g_ptr_array_new_with_free_func ((GDestroyNotify) contact_free);
  lists->index = g_hash_table_new (g_str_hash, g_str_equal);
  lists->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  lists->group_index = g_hash_table_new (g_str_hash, g_str_equal);
  lists->leaving_by_trid = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                                  NULL, (GDestroyNotify) leaving_free);
  lists->leaving_by_passport = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) g_ptr_array_unref);
  lists->version = g_strdup ("0");
  lists->gtc = 'A';
  lists->blp = MSNP_LIST_AL;
  return lists;
}

void
msnp_lists_free (MsnpLists *lists)
{
  if (lists == NULL)
    return;
  g_hash_table_unref (lists->index);
  g_hash_table_unref (lists->leaving_by_passport);
  g_hash_table_unref (lists->leaving_by_trid);
  g_hash_table_unref (lists->group_index);
  g_ptr_array_unref (lists->contacts);
  g_ptr_array_unref (lists->groups);
  for (int i = 0; i < MSNP_N_PHONES; i++)
    g_free (lists->own_phones[i]);
  g_free (lists->version);
  g_free (lists);
}

/* The server resends its own phones with the lists, so they go too;
 * GTC and BLP are always resent and simply overwritten. */
void
msnp_lists_clear (MsnpLists *lists)
{
  lists->last = NULL;
  lists->overflow = FALSE;
  g_hash_table_remove_all (lists->index);
  g_ptr_array_set_size (lists->contacts, 0);
  g_hash_table_remove_all (lists->group_index);
  g_ptr_array_set_size (lists->groups, 0);
  for (int i = 0; i < MSNP_N_PHONES; i++)
    g_clear_pointer (&lists->own_phones[i], g_free);
  /* A full resend states MOB/MBE afresh: no PRP line means "N". */
  memset (lists->own_mobile, 0, sizeof lists->own_mobile);
}

const char *
msnp_lists_get_version (const MsnpLists *lists)
{
  return lists->version;
}

void
msnp_lists_set_version (MsnpLists *lists, const char *version)
{
  g_free (lists->version);
  lists->version = g_strdup (version != NULL && *version != '\0' ? version : "0");
}

char
msnp_lists_get_gtc (const MsnpLists *lists)
{
  return lists->gtc;
}

MsnpListMask
msnp_lists_get_blp (const MsnpLists *lists)
{
  return lists->blp;
}

const char *
msnp_lists_get_own_phone (const MsnpLists *lists, MsnpPhone phone)
{
  g_return_val_if_fail ((int) phone >= 0 && phone < MSNP_N_PHONES, NULL);
  return lists->own_phones[phone];
}

/* Contacts --------------------------------------------------------------- */

MsnpContact *
msnp_lists_lookup (const MsnpLists *lists, const char *passport)
{
  char key[MAX_PASSPORT + 1];

  if (passport == NULL)
    return NULL;
  if (!ascii_lower_into (passport, key, sizeof key))
    {
      g_autofree char *long_key = g_ascii_strdown (passport, -1);

      return g_hash_table_lookup (lists->index, long_key);
    }
  return g_hash_table_lookup (lists->index, key);
}

/* A new contact with no lists, known not to be in the model yet. */
static MsnpContact *
contact_add (MsnpLists *lists, const char *passport)
{
  MsnpContact *contact = g_new0 (MsnpContact, 1);

  contact->passport = g_strdup (passport);
  ascii_lower_into (passport, contact->passport, G_MAXSIZE);
  contact->groups = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (lists->contacts, contact);
  g_hash_table_insert (lists->index, contact->passport, contact);
  return contact;
}

MsnpContact *
msnp_lists_ensure (MsnpLists *lists, const char *passport,
                   const char *friendly)
{
  MsnpContact *contact;

  g_return_val_if_fail (passport != NULL && *passport != '\0', NULL);

  contact = msnp_lists_lookup (lists, passport);
  if (contact != NULL)
    {
      if (friendly != NULL)
        set_friendly (contact, friendly);
      return contact;
    }
  if (lists->contacts->len >= MSNP_LISTS_MAX_CONTACTS)
    {
      lists->overflow = TRUE;
      return NULL;
    }
  contact = contact_add (lists, passport);
  set_friendly (contact, friendly);
  return contact;
}

void
msnp_lists_remove (MsnpLists *lists, const char *passport)
{
  MsnpContact *contact = msnp_lists_lookup (lists, passport);

  if (contact == NULL)
    return;
  if (lists->last == contact)
    lists->last = NULL;
  g_hash_table_remove (lists->index, contact->passport);
  g_ptr_array_remove (lists->contacts, contact);  /* frees it */
}

guint
msnp_lists_n_contacts (const MsnpLists *lists)
{
  return lists->contacts->len;
}

const MsnpContact *
msnp_lists_nth (const MsnpLists *lists, guint i)
{
  g_return_val_if_fail (i < lists->contacts->len, NULL);
  return g_ptr_array_index (lists->contacts, i);
}

gboolean
msnp_lists_overflowed (const MsnpLists *lists)
{
  return lists->overflow;
}

void
msnp_lists_foreach (const MsnpLists *lists,
                    void (*func) (MsnpContact *contact, gpointer data),
                    gpointer data)
{
  for (guint i = 0; i < lists->contacts->len; i++)
    func (g_ptr_array_index (lists->contacts, i), data);
}

/* Looked up once per contact and group in every sync: a hash, since a
 * server may define many groups. */
const MsnpGroup *
msnp_lists_get_group (const MsnpLists *lists, const char *id)
{
  return id != NULL ? g_hash_table_lookup (lists->group_index, id) : NULL;
}

static MsnpGroup *
group_add (MsnpLists *lists, const char *id)
{
  MsnpGroup *group = g_new0 (MsnpGroup, 1);

  group->id = g_strdup (id);
  g_ptr_array_add (lists->groups, group);
  g_hash_table_insert (lists->group_index, group->id, group);
  return group;
}

const GPtrArray *
msnp_lists_get_groups (const MsnpLists *lists)
{
  return lists->groups;
}

const MsnpGroup *
msnp_lists_set_group (MsnpLists *lists, const char *id, const char *name)
{
  MsnpGroup *group;

  g_return_val_if_fail (id != NULL && name != NULL, NULL);
  if (strlen (id) > MAX_GROUP_ID || !is_clean_id (id))
    return NULL;
  group = (MsnpGroup *) msnp_lists_get_group (lists, id);
  if (group == NULL)
    group = group_add (lists, id);
  g_free (group->name);
  group->name = truncate_utf8 (msnp_text_strip_controls (g_utf8_make_valid (name, -1),
                                                         FALSE), MAX_NAME_BYTES);
  if (*group->name == '\0')
    g_clear_pointer (&group->name, g_free);
  group->name = group_name_take (group->name, id);
  return group;
}

void
msnp_lists_remove_group (MsnpLists *lists, const char *id)
{
  const MsnpGroup *group = msnp_lists_get_group (lists, id);

  if (group != NULL)
    {
      g_hash_table_remove (lists->group_index, group->id);
      g_ptr_array_remove (lists->groups, (gpointer) group);  /* frees it */
    }
}

const MsnpGroup *
msnp_lists_find_group_by_name (const MsnpLists *lists, const char *name)
{
  for (guint i = 0; name != NULL && i < lists->groups->len; i++)
    {
      const MsnpGroup *group = g_ptr_array_index (lists->groups, i);

      if (g_strcmp0 (group->name, name) == 0)
        return group;
    }
  return NULL;
}

gboolean
msnp_contact_in_group (const MsnpContact *contact, const char *id)
{
  for (guint i = 0; id != NULL && i < contact->groups->len; i++)
    if (strcmp (g_ptr_array_index (contact->groups, i), id) == 0)
      return TRUE;
  return FALSE;
}

/* Removals in flight ----------------------------------------------------- */

static void
pending_add (MsnpLists *lists, guint trid, gboolean adding, guint list,
             const char *passport, const char *group_id)
{
  Leaving *l;
  GPtrArray *mine;

  g_return_if_fail (passport != NULL);
  if (trid == 0)
    return;   /* nothing went out */
  msnp_lists_leaving_done (lists, trid);
  l = g_new0 (Leaving, 1);
  l->trid = trid;
  l->adding = adding;
  l->list = list;
  l->passport = g_ascii_strdown (passport, -1);
  l->group_id = g_strdup (group_id);
  g_hash_table_insert (lists->leaving_by_trid, GUINT_TO_POINTER (trid), l);
  if (adding)
    return;
  mine = g_hash_table_lookup (lists->leaving_by_passport, l->passport);
  if (mine == NULL) {
    mine = g_ptr_array_new ();
    g_hash_table_insert (lists->leaving_by_passport, g_strdup (l->passport), mine);
  }
  g_ptr_array_add (mine, l);
}

void
msnp_lists_leaving_add (MsnpLists *lists, guint trid, const char *passport,
                        const char *group_id)
{
  pending_add (lists, trid, FALSE, MSNP_LIST_FL, passport, group_id);
}

void
msnp_lists_joining_add (MsnpLists *lists, guint trid, MsnpListMask list,
                        const char *passport, const char *group_id)
{
  pending_add (lists, trid, TRUE, list, passport,
               list == MSNP_LIST_FL ? group_id : NULL);
}

MsnpContact *
msnp_lists_joining_present (MsnpLists *lists, guint trid, MsnpListMask *list,
                            char **group_id)
{
  Leaving *l = g_hash_table_lookup (lists->leaving_by_trid, GUINT_TO_POINTER (trid));
  MsnpContact *contact;

  if (l == NULL || !l->adding || strlen (l->passport) > MAX_PASSPORT ||
      !is_clean_id (l->passport))
    return NULL;
  contact = msnp_lists_ensure (lists, l->passport, NULL);
  if (contact == NULL)
    return NULL;   /* the list is full: a plain refusal then */
  contact->lists |= l->list;
  if (l->group_id != NULL && !msnp_contact_in_group (contact, l->group_id) &&
      contact->groups->len < MAX_GROUPS_PER_CONTACT)
    g_ptr_array_add (contact->groups, g_strdup (l->group_id));
  *list = l->list;
  *group_id = g_steal_pointer (&l->group_id);
  msnp_lists_leaving_done (lists, trid);
  return contact;
}

void
msnp_lists_leaving_done (MsnpLists *lists, guint trid)
{
  Leaving *l = g_hash_table_lookup (lists->leaving_by_trid, GUINT_TO_POINTER (trid));
  GPtrArray *mine;

  if (l == NULL)
    return;
  mine = l->adding ? NULL : g_hash_table_lookup (lists->leaving_by_passport, l->passport);
  if (mine != NULL) {
    g_ptr_array_remove_fast (mine, l);
    if (mine->len == 0)
      g_hash_table_remove (lists->leaving_by_passport, l->passport);
  }
  g_hash_table_remove (lists->leaving_by_trid, GUINT_TO_POINTER (trid));  /* frees @l */
}

static const GPtrArray *
leaving_of (const MsnpLists *lists, const char *passport)
{
  char key[MAX_PASSPORT + 1];

  if (passport == NULL || !ascii_lower_into (passport, key, sizeof key))
    return NULL;   /* longer than any passport the model keeps */
  return g_hash_table_lookup (lists->leaving_by_passport, key);
}

static gboolean
leaving_in (const GPtrArray *mine, const char *group_id)
{
  for (guint i = 0; mine != NULL && i < mine->len; i++) {
    const Leaving *l = g_ptr_array_index (mine, i);

    if (l->group_id == NULL || g_strcmp0 (l->group_id, group_id) == 0)
      return TRUE;
  }
  return FALSE;
}

gboolean
msnp_lists_is_leaving (const MsnpLists *lists, const char *passport,
                       const char *group_id)
{
  return leaving_in (leaving_of (lists, passport), group_id);
}

const char *
msnp_lists_removal_group (const MsnpLists *lists, const MsnpContact *contact,
                          const char *group_id)
{
  const GPtrArray *mine;

  if (contact == NULL || group_id == NULL)
    return NULL;
  mine = leaving_of (lists, contact->passport);
  for (guint i = 0; i < contact->groups->len; i++) {
    const char *other = g_ptr_array_index (contact->groups, i);

    if (strcmp (other, group_id) != 0 && !leaving_in (mine, other))
      return group_id;   /* a group stays */
  }
  return NULL;
}

/* Sync lines ------------------------------------------------------------- */

/* GTC [TrID version] A|N: the setting is always the last parameter. */
static MsnpContact *
apply_gtc (MsnpLists *lists, const MsnpCommand *cmd)
{
  const char *v = msnp_command_param (cmd, cmd->n_params - 1);

  if (v != NULL && (strcmp (v, "A") == 0 || strcmp (v, "N") == 0))
    lists->gtc = v[0];
  return NULL;
}

/* BLP [TrID version] AL|BL: likewise. */
static MsnpContact *
apply_blp (MsnpLists *lists, const MsnpCommand *cmd)
{
  const char *v = msnp_command_param (cmd, cmd->n_params - 1);

  if (g_strcmp0 (v, "AL") == 0)
    lists->blp = MSNP_LIST_AL;
  else if (g_strcmp0 (v, "BL") == 0)
    lists->blp = MSNP_LIST_BL;
  return NULL;
}

static const char *const mobile_codes[MSNP_N_MOBILE_SETTINGS] = {
  [MSNP_MOBILE_ALLOW_PAGES] = "MOB",
  [MSNP_MOBILE_DEVICE]      = "MBE",
};

const char *
msnp_mobile_setting_code (MsnpMobileSetting setting)
{
  return setting < MSNP_N_MOBILE_SETTINGS ? mobile_codes[setting] : "MOB";
}

gboolean
msnp_lists_get_own_mobile (const MsnpLists *lists, MsnpMobileSetting setting)
{
  return setting < MSNP_N_MOBILE_SETTINGS && lists->own_mobile[setting];
}

/* PRP [TrID version] MOB|MBE Y|N: the server's word is the setting. */
static gboolean
apply_prp_mobile (MsnpLists *lists, const MsnpCommand *cmd, guint i)
{
  for (guint m = 0; m < MSNP_N_MOBILE_SETTINGS; m++)
    if (strcmp (cmd->params[i], mobile_codes[m]) == 0)
      {
        lists->own_mobile[m] = g_strcmp0 (msnp_command_param (cmd, i + 1), "Y") == 0;
        return TRUE;
      }
  return FALSE;
}

/* PRP [TrID version] PHH|PHW|PHM [value]: no value means "cleared". */
static MsnpContact *
apply_prp (MsnpLists *lists, const MsnpCommand *cmd)
{
  for (guint i = 0; i < cmd->n_params; i++)
    {
      int phone = phone_index (cmd->params[i]);

      if (apply_prp_mobile (lists, cmd, i))
        break;

      if (phone < 0)
        continue;
      g_clear_pointer (&lists->own_phones[phone], g_free);
      if (i + 1 < cmd->n_params)
        lists->own_phones[phone] = decode_text (cmd->params[i + 1],
                                                MAX_PHONE_BYTES);
      break;
    }
  return NULL;
}

/* LSG id name [0]: adds or renames a group. */
static MsnpContact *
apply_lsg (MsnpLists *lists, const MsnpCommand *cmd)
{
  const char *id = msnp_command_param (cmd, 0);
  const char *name = msnp_command_param (cmd, 1);
  MsnpGroup *group;

  if (id == NULL || name == NULL || strlen (id) > MAX_GROUP_ID
      || !is_clean_id (id))
    return NULL;
  group = (MsnpGroup *) msnp_lists_get_group (lists, id);
  if (group == NULL)
    group = group_add (lists, id);
  g_free (group->name);
  group->name = group_name_take (decode_text (name, MAX_NAME_BYTES), id);
  return NULL;
}

/* MSNP8: LST passport [friendly] listmask [group,ids].
 *
 * Both the friendly name and the group list may be absent (seed 003 has
 * "LST dave@passport.com 1 1,2,3" and "LST eve@passport.com Eavesdropper
 * 12"), so the parameters after the passport are read by meaning:
 *   one:   a number is the mask (no friendly name);
 *   two:   "mask groups" when the first is a number with the FL bit set
 *          and the second a group-id list (groups only go with FL), or
 *          when the first is a number and the second is not; otherwise
 *          "friendly mask";
 *   three+: "friendly mask groups", unless the second is not a number but
 *          the first is (then "mask groups"); extras are ignored.
 * A friendly name that is a bare number is therefore ambiguous on the
 * wire; the cache writer escapes one digit to keep its own lines exact. */
static gboolean
lst_fields (const char *a, const char *b, const char *c,
            const char **friendly, const char **mask, const char **groups)
{
  *friendly = *mask = *groups = NULL;
  if (b == NULL)
    {
      *mask = a;
      return msnp_text_is_number (a);
    }
  if (c == NULL)
    {
      if (msnp_text_is_number (a) &&
          ((list_mask (a) & MSNP_LIST_FL) != 0 || !msnp_text_is_number (b))
          && is_group_list (b))
        {
          *mask = a;
          *groups = b;
          return TRUE;
        }
      *friendly = a;
      *mask = b;
      return msnp_text_is_number (b);
    }
  if (msnp_text_is_number (b))
    {
      *friendly = a;
      *mask = b;
      *groups = c;
      return TRUE;
    }
  *mask = a;
  *groups = b;
  return msnp_text_is_number (a) && is_group_list (b);
}

static MsnpContact *
apply_lst (MsnpLists *lists, const MsnpCommand *cmd)
{
  const char *passport = msnp_command_param (cmd, 0);
  const char *a = msnp_command_param (cmd, 1);
  const char *friendly, *mask, *groups;
  char *decoded = NULL;
  MsnpContact *contact;

  /* A passport is an e-mail address; one that is not even UTF-8 could
   * not be shown or stored as a buddy name, so the line is dropped. */
  if (passport == NULL || a == NULL || strlen (passport) > MAX_PASSPORT
      || !g_utf8_validate (passport, -1, NULL) || !is_clean_id (passport))
    return NULL;
  if (!lst_fields (a, msnp_command_param (cmd, 2), msnp_command_param (cmd, 3),
                   &friendly, &mask, &groups))
    return NULL;

  if (friendly != NULL)
    decoded = decode_text (friendly, MAX_NAME_BYTES);
  contact = msnp_lists_lookup (lists, passport);
  if (contact == NULL && lists->contacts->len >= MSNP_LISTS_MAX_CONTACTS)
    {
      lists->overflow = TRUE;
      g_free (decoded);
      return NULL;
    }
  if (contact == NULL)
    {
      contact = contact_add (lists, passport);
      set_friendly_take (contact, decoded);
    }
  else if (decoded != NULL)
    set_friendly_take (contact, decoded);
  contact->lists = list_mask (mask);
  g_ptr_array_set_size (contact->groups, 0);
  if (groups != NULL && is_group_list (groups))
    {
      /* "1,2,3": is_group_list() ruled out empty ids. */
      for (const char *id = groups; *id != '\0';)
        {
          gsize len = strcspn (id, ",");

          if (len <= MAX_GROUP_ID
              && contact->groups->len < MAX_GROUPS_PER_CONTACT)
            g_ptr_array_add (contact->groups, g_strndup (id, len));
          id += len + (id[len] == ',');
        }
    }
  lists->last = contact;
  return contact;
}

/* BPR [version passport] PHH|PHW|PHM value, or BPR MOB Y|N.  In a sync the
 * short form follows the LST it belongs to; the long form names its
 * contact. */
static MsnpContact *
apply_bpr (MsnpLists *lists, const MsnpCommand *cmd)
{
  MsnpContact *contact = lists->last;

  for (guint i = 0; i < cmd->n_params; i++)
    {
      const char *code = cmd->params[i];
      const char *value = msnp_command_param (cmd, i + 1);
      int phone = phone_index (code);

      if (strchr (code, '@') != NULL)
        {
          contact = msnp_lists_lookup (lists, code);
          continue;
        }
      if (phone >= 0 || strcmp (code, "MOB") == 0 || strcmp (code, "MBE") == 0
          || strcmp (code, "HSB") == 0)
        {
          if (contact == NULL)
            return NULL;
        }
      if (phone >= 0)
        {
          g_clear_pointer (&contact->phones[phone], g_free);
          if (value != NULL)
            contact->phones[phone] = decode_text (value, MAX_PHONE_BYTES);
          return contact;
        }
      if (strcmp (code, "MOB") == 0)
        {
          contact->mobile = g_strcmp0 (value, "Y") == 0;
          return contact;
        }
      if (strcmp (code, "MBE") == 0)
        {
          contact->mobile_device = g_strcmp0 (value, "Y") == 0;
          return contact;
        }
      if (strcmp (code, "HSB") == 0)
        {
          contact->space = g_strcmp0 (value, "1") == 0;
          return contact;
        }
    }
  return NULL;
}

typedef struct {
  const char *name;
  MsnpContact *(*apply) (MsnpLists *lists, const MsnpCommand *cmd);
} SyncHandler;

static const SyncHandler sync_handlers[] = {
  { .name = "GTC", .apply = apply_gtc },
  { .name = "BLP", .apply = apply_blp },
  { .name = "PRP", .apply = apply_prp },
  { .name = "LSG", .apply = apply_lsg },
  { .name = "LST", .apply = apply_lst },
  { .name = "BPR", .apply = apply_bpr },
};

MsnpContact *
msnp_lists_apply (MsnpLists *lists, const MsnpCommand *cmd)
{
  g_return_val_if_fail (lists != NULL && cmd != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (sync_handlers); i++)
    if (strcmp (cmd->name, sync_handlers[i].name) == 0)
      return sync_handlers[i].apply (lists, cmd);
  return NULL;
}

/* Cache ------------------------------------------------------------------ */

/* URL-encodes @text; a result made only of digits gets its first digit
 * escaped, so LST's by-meaning parsing cannot take it for a number. */
static void
append_name (GString *out, const char *text)
{
  g_autofree char *enc = msnp_url_encode (text);

  if (msnp_text_is_number (enc))
    g_string_append_printf (out, "%%%02X%s", (guint) enc[0], enc + 1);
  else
    g_string_append (out, enc);
}

static void
write_contact (GString *out, const MsnpContact *contact)
{
  g_string_append (out, "LST ");
  g_string_append (out, contact->passport);
  g_string_append_c (out, ' ');
  append_name (out, contact->friendly);
  g_string_append_printf (out, " %u", contact->lists);
  for (guint i = 0; i < contact->groups->len; i++)
    {
      g_string_append_c (out, i == 0 ? ' ' : ',');
      g_string_append (out, g_ptr_array_index (contact->groups, i));
    }
  g_string_append (out, "\r\n");

  for (int i = 0; i < MSNP_N_PHONES; i++)
    {
      g_autofree char *enc = NULL;

      if (contact->phones[i] == NULL)
        continue;
      enc = msnp_url_encode (contact->phones[i]);
      g_string_append_printf (out, "BPR %s %s\r\n", phone_codes[i], enc);
    }
  if (contact->mobile)
    g_string_append (out, "BPR MOB Y\r\n");
  if (contact->mobile_device)
    g_string_append (out, "BPR MBE Y\r\n");
  if (contact->space)
    g_string_append (out, "BPR HSB 1\r\n");
}

void
msnp_lists_write_cache (const MsnpLists *lists, GString *out)
{
  g_string_append_printf (out, "SYN 0 %s\r\n", lists->version);
  g_string_append_printf (out, "GTC %c\r\n", lists->gtc);
  g_string_append_printf (out, "BLP %s\r\n",
                          lists->blp == MSNP_LIST_BL ? "BL" : "AL");
  for (int i = 0; i < MSNP_N_PHONES; i++)
    {
      g_autofree char *enc = NULL;

      if (lists->own_phones[i] == NULL)
        continue;
      enc = msnp_url_encode (lists->own_phones[i]);
      g_string_append_printf (out, "PRP %s %s\r\n", phone_codes[i], enc);
    }
  for (int i = 0; i < MSNP_N_MOBILE_SETTINGS; i++)
    if (lists->own_mobile[i])
      g_string_append_printf (out, "PRP %s Y\r\n", mobile_codes[i]);
  for (guint i = 0; i < lists->groups->len; i++)
    {
      const MsnpGroup *group = g_ptr_array_index (lists->groups, i);

      g_string_append_printf (out, "LSG %s ", group->id);
      append_name (out, group->name);
      g_string_append (out, " 0\r\n");
    }
  for (guint i = 0; i < lists->contacts->len; i++)
    write_contact (out, g_ptr_array_index (lists->contacts, i));
}

/* Steps to the next line of @text, without its line end. */
static gboolean
next_line (const char *text, gsize len, gsize *pos,
           const char **line, gsize *line_len)
{
  const char *start, *nl;

  if (*pos >= len)
    return FALSE;
  start = text + *pos;
  nl = memchr (start, '\n', len - *pos);
  *line = start;
  *line_len = nl ? (gsize) (nl - start) : len - *pos;
  *pos += *line_len + (nl ? 1 : 0);
  if (*line_len > 0 && start[*line_len - 1] == '\r')
    (*line_len)--;
  return TRUE;
}

gboolean
msnp_lists_read_cache (MsnpLists *lists, const char *text, gsize len)
{
  /* MsnpCommand holds a whole line; keep it off the stack. */
  g_autofree MsnpCommand *cmd = g_new (MsnpCommand, 1);
  gboolean have_version = FALSE;
  gsize pos = 0;
  const char *line;
  gsize line_len;

  msnp_lists_clear (lists);
  msnp_lists_set_version (lists, "0");
  lists->gtc = 'A';
  lists->blp = MSNP_LIST_AL;
  if (text == NULL)
    return FALSE;

  while (next_line (text, len, &pos, &line, &line_len))
    {
      MsnpFrame frame = { .line = line, .line_len = line_len };

      if (line_len == 0)
        continue;
      if (line_len > MSNP_FRAMER_MAX_LINE || !msnp_command_parse (cmd, &frame))
        {
          if (!have_version)
            break;
          continue;  /* a damaged line costs one entry, not the cache */
        }
      if (!have_version)
        {
          const char *version = msnp_command_param (cmd, 1);

          if (strcmp (cmd->name, "SYN") != 0 || version == NULL)
            break;
          msnp_lists_set_version (lists, version);
          have_version = TRUE;
          continue;
        }
      msnp_lists_apply (lists, cmd);
    }
  lists->last = NULL;
  if (!have_version)
    {
      msnp_lists_set_version (lists, "0");
      return FALSE;
    }
  return TRUE;
}
