/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The contact-list model read from the wire and written to the cache:
 * the MSNP8 sync lines (GTC, BLP, PRP, LSG, LST, BPR) applied tolerantly,
 * and the cache, which is the very line format the server syncs with, so
 * reading it replays the lines through msnp_lists_apply() and there is one
 * parser for both.  The model itself is msnp-lists.c. */
#include "config.h"

#include <string.h>

#include "msnp-lists-private.h"

static const char *const phone_codes[MSNP_N_PHONES] = {
  [MSNP_PHONE_HOME]   = "PHH",
  [MSNP_PHONE_WORK]   = "PHW",
  [MSNP_PHONE_MOBILE] = "PHM",
};

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
  if (s == NULL || *s == '\0' || *s == ',' || !msnp_lists_is_clean_id (s))
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
        lists->own_phones[phone] = msnp_lists_decode_text (cmd->params[i + 1],
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
      || !msnp_lists_is_clean_id (id))
    return NULL;
  group = (MsnpGroup *) msnp_lists_get_group (lists, id);
  if (group == NULL)
    group = msnp_lists_group_add (lists, id);
  g_free (group->name);
  group->name = msnp_lists_group_name_take (msnp_lists_decode_text (name, MAX_NAME_BYTES), id);
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
      || !g_utf8_validate (passport, -1, NULL) || !msnp_lists_is_clean_id (passport))
    return NULL;
  if (!lst_fields (a, msnp_command_param (cmd, 2), msnp_command_param (cmd, 3),
                   &friendly, &mask, &groups))
    return NULL;

  if (friendly != NULL)
    decoded = msnp_lists_decode_text (friendly, MAX_NAME_BYTES);
  contact = msnp_lists_lookup (lists, passport);
  if (contact == NULL && lists->contacts->len >= MSNP_LISTS_MAX_CONTACTS)
    {
      lists->overflow = TRUE;
      g_free (decoded);
      return NULL;
    }
  if (contact == NULL)
    {
      contact = msnp_lists_contact_add (lists, passport);
      msnp_lists_set_friendly_take (contact, decoded);
    }
  else if (decoded != NULL)
    msnp_lists_set_friendly_take (contact, decoded);
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
            contact->phones[phone] = msnp_lists_decode_text (value, MAX_PHONE_BYTES);
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
