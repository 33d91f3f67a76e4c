/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The contact-list model of one account: contacts, groups, settings and
 * the list requests in flight.  The sync lines and the cache that feed it
 * are msnp-lists-sync.c.
 *
 * Contacts live in a GPtrArray (server order, for foreach) indexed by a
 * hash table on the lower-cased passport. */
#include "config.h"

#include <string.h>

#include "msnp-lists-private.h"

typedef struct {
  guint    trid;
  gboolean adding;     /* ADD (msnp_lists_joining_add), else REM FL */
  guint    list;       /* MsnpListMask, for an ADD */
  char    *passport;   /* lower-cased */
  char    *group_id;   /* NULL: the whole forward list (REM) or no group */
} Leaving;

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
char *
msnp_lists_decode_text (const char *wire, gsize max_bytes)
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
char *
msnp_lists_group_name_take (char *name, const char *id)
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
gboolean
msnp_lists_is_clean_id (const char *s)
{
  for (; *s != '\0'; s++)
    if ((guchar) *s <= 0x20 || *s == 0x7f)
      return FALSE;
  return TRUE;
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
void
msnp_lists_set_friendly_take (MsnpContact *contact, char *valid)
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
  msnp_lists_set_friendly_take (contact, truncate_utf8 (msnp_text_strip_controls (
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
MsnpContact *
msnp_lists_contact_add (MsnpLists *lists, const char *passport)
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
  contact = msnp_lists_contact_add (lists, passport);
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

MsnpGroup *
msnp_lists_group_add (MsnpLists *lists, const char *id)
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
  if (strlen (id) > MAX_GROUP_ID || !msnp_lists_is_clean_id (id))
    return NULL;
  group = (MsnpGroup *) msnp_lists_get_group (lists, id);
  if (group == NULL)
    group = msnp_lists_group_add (lists, id);
  g_free (group->name);
  group->name = truncate_utf8 (msnp_text_strip_controls (g_utf8_make_valid (name, -1),
                                                         FALSE), MAX_NAME_BYTES);
  if (*group->name == '\0')
    g_clear_pointer (&group->name, g_free);
  group->name = msnp_lists_group_name_take (group->name, id);
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
      !msnp_lists_is_clean_id (l->passport))
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
