/* SPDX-License-Identifier: GPL-2.0-or-later */
/* List changes of the notification session: the requests (ADD, REM, ADG,
 * RMG, REG, BLP, GTC, PRP, URL) and the echoes that confirm them.
 *
 * The model changes only when the server echoes (with the new list
 * version), never when a request is sent: a refused request leaves the
 * model as the server's truth, and the owner rolls its UI back to it. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-ns-private.h"
#include "msnp-command.h"
#include "msnp-error.h"

static const char *const list_codes[] = { "FL", "AL", "BL", "RL" };
static const char *const phone_codes[MSNP_N_PHONES] = {
  [MSNP_PHONE_HOME]   = "PHH",
  [MSNP_PHONE_WORK]   = "PHW",
  [MSNP_PHONE_MOBILE] = "PHM",
};

static gboolean
list_from_code (const char *code, guint *mask)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (list_codes); i++)
    if (g_ascii_strcasecmp (code, list_codes[i]) == 0) {
      *mask = 1u << i;
      return TRUE;
    }
  return FALSE;
}

static const char *
list_to_code (guint mask)
{
  for (guint i = 0; i < G_N_ELEMENTS (list_codes); i++)
    if (mask == 1u << i)
      return list_codes[i];
  return NULL;
}

static void
fire_changed (MsnpNs *ns, guint trid, const MsnpListChange *change)
{
  if (ns->ev->list_changed != NULL)
    ns->ev->list_changed (ns->user, trid, change);
}

/* ---- ADD / REM -------------------------------------------------------- */

/* ADD and REM by meaning rather than position, since servers differ:
 *   ADD trid LIST version passport friendly [group]   (MSNP8)
 *   ADD 0 RL passport friendly                        (no version)
 *   ADD RL version passport friendly                  (no TrID)
 * The list code is the first or second parameter; a number right before
 * the passport (the first parameter with an '@') is the version. */
typedef struct {
  guint       trid;
  guint       list;
  const char *version;
  const char *passport;
  const char *rest[2];   /* ADD: friendly, group; REM: group */
} AddRem;

static gboolean
parse_add_rem (const MsnpCommand *cmd, AddRem *out)
{
  guint64 trid = 0;
  guint i = 0;

  memset (out, 0, sizeof *out);
  if (!list_from_code (msnp_command_param (cmd, 0), &out->list)) {
    if (!msnp_command_param_uint (cmd, 0, &trid) ||
        !list_from_code (msnp_command_param (cmd, 1), &out->list))
      return FALSE;
    i = 1;
  }
  out->trid = (guint) trid;
  i++;
  if (msnp_text_is_number (msnp_command_param (cmd, i)) &&
      msnp_command_param (cmd, i + 1) != NULL)
    out->version = msnp_command_param (cmd, i++);
  out->passport = msnp_command_param (cmd, i);
  out->rest[0] = msnp_command_param (cmd, i + 1);
  out->rest[1] = msnp_command_param (cmd, i + 2);
  return out->passport != NULL && *out->passport != '\0';
}

static void
contact_add_group (MsnpContact *contact, const char *group)
{
  if (!msnp_contact_in_group (contact, group))
    g_ptr_array_add (contact->groups, g_strdup (group));
}

static void
contact_remove_group (MsnpContact *contact, const char *group)
{
  for (guint i = 0; i < contact->groups->len; i++)
    if (strcmp (g_ptr_array_index (contact->groups, i), group) == 0)
      g_ptr_array_remove_index (contact->groups, i--);
}

static MsnpContact *
apply_add (MsnpNs *ns, const AddRem *a, char **friendly)
{
  const char *group = a->rest[1];
  MsnpContact *contact;

  if (a->rest[0] != NULL)
    *friendly = msnp_url_decode (a->rest[0]);
  contact = msnp_lists_ensure (ns->lists, a->passport, *friendly);
  if (contact == NULL)
    return NULL;
  contact->lists |= a->list;
  if (group != NULL && a->list == MSNP_LIST_FL)
    contact_add_group (contact, group);
  return contact;
}

static MsnpContact *
apply_rem (MsnpNs *ns, const AddRem *a)
{
  const char *group = a->rest[0];
  MsnpContact *contact = msnp_lists_lookup (ns->lists, a->passport);

  if (contact == NULL)
    return NULL;
  if (group != NULL && a->list == MSNP_LIST_FL) {
    /* Out of its last group is off the forward list (the server does
     * the same). */
    contact_remove_group (contact, group);
    if (contact->groups->len == 0)
      contact->lists &= ~a->list;
  } else {
    contact->lists &= ~a->list;
    if (a->list == MSNP_LIST_FL)
      g_ptr_array_set_size (contact->groups, 0);
  }
  return contact;
}

gboolean
msnp_ns_handle_add_rem (MsnpNs *ns, const MsnpCommand *cmd)
{
  gboolean add = msnp_ns_is_cmd (cmd->name, "ADD");
  g_autofree char *friendly = NULL;
  g_autofree char *passport = NULL;
  MsnpListChange change = { .kind = add ? MSNP_CHANGE_ADD : MSNP_CHANGE_REMOVE };
  MsnpContact *contact;
  AddRem a;

  if (!parse_add_rem (cmd, &a)) {
    g_debug ("NS: ignoring a malformed %s", cmd->name);
    return TRUE;
  }
  msnp_lists_leaving_done (ns->lists, a.trid);
  if (a.version != NULL)
    msnp_lists_set_version (ns->lists, a.version);
  contact = add ? apply_add (ns, &a, &friendly) : apply_rem (ns, &a);
  if (contact == NULL) {
    ns->ev->lists_dirty (ns->user);
    return TRUE;
  }
  passport = g_strdup (contact->passport);
  change.list = a.list;
  change.passport = passport;
  change.friendly = contact->friendly;
  change.group_id = add ? (a.list == MSNP_LIST_FL ? a.rest[1] : NULL)
                        : (a.list == MSNP_LIST_FL ? a.rest[0] : NULL);
  ns->ev->contact_changed (ns->user, contact);
  if (contact->lists == 0) {
    change.friendly = NULL;
    msnp_lists_remove (ns->lists, passport);   /* frees @contact */
  }
  fire_changed (ns, a.trid, &change);
  ns->ev->lists_dirty (ns->user);
  return TRUE;
}

/* REA trid version passport friendly: our own name or a contact's. */
gboolean
msnp_ns_handle_rea (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *version = msnp_command_param (cmd, 1);
  const char *passport = msnp_command_param (cmd, 2);
  const char *name = msnp_command_param (cmd, 3);
  g_autofree char *friendly = NULL;
  guint64 trid = 0;

  if (passport == NULL || name == NULL)
    return TRUE;
  msnp_command_param_uint (cmd, 0, &trid);
  friendly = msnp_text_strip_controls (msnp_url_decode (name), FALSE);
  if (version != NULL)
    msnp_lists_set_version (ns->lists, version);
  if (g_ascii_strcasecmp (passport, ns->passport) == 0) {
    g_free (ns->friendly);
    ns->friendly = g_steal_pointer (&friendly);
    ns->ev->own_friendly (ns->user, ns->friendly);
  } else {
    MsnpContact *contact = msnp_lists_lookup (ns->lists, passport);
    if (contact != NULL) {
      MsnpListChange change = { .kind = MSNP_CHANGE_RENAME,
                                .passport = contact->passport };
      g_free (contact->friendly);
      contact->friendly = g_steal_pointer (&friendly);
      change.friendly = contact->friendly;
      ns->ev->contact_changed (ns->user, contact);
      fire_changed (ns, (guint) trid, &change);
    }
  }
  ns->ev->lists_dirty (ns->user);
  return TRUE;
}

/* ---- the size of the list -------------------------------------------- */

gboolean
msnp_ns_list_too_big (MsnpNs *ns)
{
  gint64 announced = ns->state == NS_STATE_SYNCING ? ns->sync_contacts : -1;
  g_autofree char *count = NULL;
  g_autofree char *max = NULL;
  GError *error;

  if (ns->state == NS_STATE_CLOSED)
    return TRUE;
  if (announced <= MSNP_LISTS_MAX_CONTACTS && !msnp_lists_overflowed (ns->lists))
    return FALSE;
  /* SYN announced the count, or the server sent more than it announced. */
  count = announced > MSNP_LISTS_MAX_CONTACTS
      ? g_strdup_printf ("%" G_GINT64_FORMAT, announced)
      : g_strdup_printf (_("more than %u"), (guint) MSNP_LISTS_MAX_CONTACTS);
  max = g_strdup_printf ("%u", (guint) MSNP_LISTS_MAX_CONTACTS);
  error = g_error_new (MSNP_ERROR, MSNP_ERROR_LIST_TOO_BIG,
                       _("Your contact list holds %s contacts; at most %s can "
                         "be signed in with. Remove contacts with another "
                         "client, then sign in again."), count, max);
  msnp_ns_abort (ns, error);
  g_error_free (error);
  return TRUE;
}

/* ---- groups ----------------------------------------------------------- */

typedef struct {
  const char *id;
  GPtrArray  *touched;
} GroupScan;

static void
collect_members (MsnpContact *contact, gpointer data)
{
  GroupScan *scan = data;

  if (msnp_contact_in_group (contact, scan->id))
    g_ptr_array_add (scan->touched, contact);
}

/* RMG: the server moves contacts left without a group into group 0
 * (when that is not the one going), so the model does the same. */
static void
drop_group (MsnpNs *ns, const char *id)
{
  GroupScan scan = { .id = id, .touched = g_ptr_array_new () };
  gboolean to_zero = strcmp (id, "0") != 0 &&
                     msnp_lists_get_group (ns->lists, "0") != NULL;

  msnp_lists_foreach (ns->lists, collect_members, &scan);
  msnp_lists_remove_group (ns->lists, id);
  for (guint i = 0; i < scan.touched->len; i++) {
    MsnpContact *contact = g_ptr_array_index (scan.touched, i);

    contact_remove_group (contact, id);
    if (contact->groups->len == 0 && (contact->lists & MSNP_LIST_FL) && to_zero)
      g_ptr_array_add (contact->groups, g_strdup ("0"));
    ns->ev->contact_changed (ns->user, contact);
  }
  g_ptr_array_unref (scan.touched);
}

/* ADG trid version name id [0]; REG trid version id name [0];
 * RMG trid version id.  A missing version is tolerated for RMG and REG. */
gboolean
msnp_ns_handle_group (MsnpNs *ns, const MsnpCommand *cmd)
{
  gboolean adg = msnp_ns_is_cmd (cmd->name, "ADG");
  gboolean rmg = msnp_ns_is_cmd (cmd->name, "RMG");
  guint need = adg ? 4 : rmg ? 3 : 4;
  guint first = cmd->n_params >= need ? 2 : 1;
  MsnpListChange change = { .kind = adg ? MSNP_CHANGE_GROUP_ADD : rmg
                            ? MSNP_CHANGE_GROUP_REMOVE : MSNP_CHANGE_GROUP_RENAME };
  g_autofree char *name = NULL;
  guint64 trid = 0;

  msnp_command_param_uint (cmd, 0, &trid);
  change.group_id = msnp_command_param (cmd, adg ? first + 1 : first);
  if (!rmg) {
    const char *enc = msnp_command_param (cmd, adg ? first : first + 1);
    if (enc != NULL)
      change.value = name = msnp_url_decode (enc);
  }
  if (change.group_id == NULL || (!rmg && name == NULL)) {
    g_debug ("NS: ignoring a malformed %s", cmd->name);
    return TRUE;
  }
  if (first == 2)
    msnp_lists_set_version (ns->lists, cmd->params[1]);
  if (rmg)
    drop_group (ns, change.group_id);
  else
    msnp_lists_set_group (ns->lists, change.group_id, name);
  fire_changed (ns, (guint) trid, &change);
  ns->ev->lists_dirty (ns->user);
  return TRUE;
}

/* ---- settings: BLP, GTC, PRP in reply form ------------------------------ */

static void
describe_setting (MsnpNs *ns, const MsnpCommand *cmd, MsnpListChange *change)
{
  if (msnp_ns_is_cmd (cmd->name, "BLP")) {
    change->kind = MSNP_CHANGE_PRIVACY;
    change->list = msnp_lists_get_blp (ns->lists);
  } else if (msnp_ns_is_cmd (cmd->name, "GTC")) {
    change->kind = MSNP_CHANGE_GTC;
    change->value = msnp_lists_get_gtc (ns->lists) == 'N' ? "N" : "A";
  } else if (msnp_ns_describe_mobile (ns, cmd, change)) {
    /* PRP MOB|MBE (msnp-ns-page.c) */
  } else {
    change->kind = MSNP_CHANGE_PHONE;
    for (guint i = 0; i < MSNP_N_PHONES; i++)
      if (g_strcmp0 (msnp_command_param (cmd, 2), phone_codes[i]) == 0) {
        change->phone = i;
        change->value = msnp_lists_get_own_phone (ns->lists, i);
      }
  }
}

void
msnp_ns_apply_setting_reply (MsnpNs *ns, const MsnpCommand *cmd)
{
  /* MsnpCommand is large: keep it off the stack. */
  g_autofree MsnpCommand *shifted = g_new (MsnpCommand, 1);
  MsnpListChange change = { 0 };
  guint64 trid = 0;

  /* Shallow copy without "trid version": the model's sync parser then
   * reads it; the parameter pointers keep pointing into @cmd. */
  memcpy (shifted->name, cmd->name, sizeof cmd->name);
  shifted->n_params = cmd->n_params - 2;
  shifted->n_extra = cmd->n_extra;
  for (guint i = 0; i < shifted->n_params; i++)
    shifted->params[i] = cmd->params[i + 2];
  shifted->payload = NULL;
  shifted->payload_len = 0;
  msnp_command_param_uint (cmd, 0, &trid);
  msnp_lists_set_version (ns->lists, cmd->params[1]);
  msnp_lists_apply (ns->lists, shifted);
  describe_setting (ns, cmd, &change);
  fire_changed (ns, (guint) trid, &change);
  ns->ev->lists_dirty (ns->user);
}

/* URL trid rru url [id] */
gboolean
msnp_ns_handle_url (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *rru = msnp_command_param (cmd, 1);
  const char *url = msnp_command_param (cmd, 2);
  guint64 trid = 0;

  msnp_command_param_uint (cmd, 0, &trid);
  if (rru == NULL || url == NULL) {
    g_debug ("NS: ignoring a malformed URL");
    return TRUE;
  }
  if (ns->ev->url != NULL)
    ns->ev->url (ns->user, (guint) trid, rru, url, msnp_command_param (cmd, 3));
  return TRUE;
}

/* 215 to our ADD: "already there" (seed 002).  Some servers answer it
 * and add all the same; either way the contact is where we asked, so it
 * counts as the echo, not as a refusal. */
static gboolean
already_there (MsnpNs *ns, guint trid)
{
  MsnpListChange change = { .kind = MSNP_CHANGE_ADD };
  MsnpListMask list = 0;
  g_autofree char *group = NULL;
  MsnpContact *contact = msnp_lists_joining_present (ns->lists, trid, &list, &group);

  if (contact == NULL)
    return FALSE;
  g_debug ("NS: %s is already on the list (215)", contact->passport);
  change.list = list;
  change.group_id = group;
  change.passport = contact->passport;
  change.friendly = contact->friendly;
  ns->ev->contact_changed (ns->user, contact);
  fire_changed (ns, trid, &change);
  ns->ev->lists_dirty (ns->user);
  return TRUE;
}

gboolean
msnp_ns_list_request_failed (MsnpNs *ns, guint trid, const char *name,
                             guint code)
{
  static const char *const requests[] = {
    "ADD", "REM", "ADG", "RMG", "REG", "BLP", "GTC", "PRP", "URL",
  };

  if (code == 215 && msnp_ns_is_cmd (name, "ADD") && already_there (ns, trid))
    return TRUE;
  msnp_lists_leaving_done (ns->lists, trid);
  if (ns->ev->request_failed == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    if (msnp_ns_is_cmd (name, requests[i])) {
      ns->ev->request_failed (ns->user, trid, name, code);
      return TRUE;
    }
  return FALSE;
}

/* ---- requests --------------------------------------------------------- */

/* A passport or group id goes on the wire as is: it must be one token. */
static gboolean
is_wire_token (const char *s)
{
  if (s == NULL || *s == '\0' || strlen (s) > 256)
    return FALSE;
  for (; *s != '\0'; s++)
    if ((guchar) *s <= 0x20 || *s == 0x7f)
      return FALSE;
  return TRUE;
}

guint
msnp_ns_add_contact (MsnpNs *ns, MsnpListMask list, const char *passport,
                     const char *friendly, const char *group_id)
{
  const char *code = list_to_code (list);
  g_autofree char *enc = NULL;
  guint trid;

  if (ns->state != NS_STATE_ONLINE || code == NULL || list == MSNP_LIST_RL ||
      !is_wire_token (passport))
    return 0;
  enc = msnp_url_encode (friendly != NULL && *friendly != '\0' ? friendly : passport);
  if (group_id != NULL && list == MSNP_LIST_FL) {
    if (!is_wire_token (group_id))
      return 0;
    trid = MSNP_NS_SEND (ns, "ADD", code, passport, enc, group_id);
  } else {
    trid = MSNP_NS_SEND (ns, "ADD", code, passport, enc);
  }
  msnp_lists_joining_add (ns->lists, trid, list, passport, group_id);
  return trid;
}

guint
msnp_ns_remove_contact (MsnpNs *ns, MsnpListMask list, const char *passport,
                        const char *group_id)
{
  const char *code = list_to_code (list);
  guint trid;

  if (ns->state != NS_STATE_ONLINE || code == NULL || list == MSNP_LIST_RL ||
      !is_wire_token (passport))
    return 0;
  if (list != MSNP_LIST_FL)
    return MSNP_NS_SEND (ns, "REM", code, passport);
  if (group_id != NULL) {
    const MsnpContact *contact = msnp_lists_lookup (ns->lists, passport);

    if (!is_wire_token (group_id))
      return 0;
    /* Leaving the last group is leaving the list (msnp-lists.h). */
    if (contact != NULL)
      group_id = msnp_lists_removal_group (ns->lists, contact, group_id);
  }
  trid = group_id != NULL ? MSNP_NS_SEND (ns, "REM", code, passport, group_id)
                          : MSNP_NS_SEND (ns, "REM", code, passport);
  msnp_lists_leaving_add (ns->lists, trid, passport, group_id);
  return trid;
}

guint
msnp_ns_add_group (MsnpNs *ns, const char *name)
{
  g_autofree char *enc = NULL;

  if (ns->state != NS_STATE_ONLINE || name == NULL || *name == '\0')
    return 0;
  enc = msnp_url_encode (name);
  return MSNP_NS_SEND (ns, "ADG", enc, "0");
}

guint
msnp_ns_remove_group (MsnpNs *ns, const char *group_id)
{
  if (ns->state != NS_STATE_ONLINE || !is_wire_token (group_id))
    return 0;
  return MSNP_NS_SEND (ns, "RMG", group_id);
}

guint
msnp_ns_rename_group (MsnpNs *ns, const char *group_id, const char *name)
{
  g_autofree char *enc = NULL;

  if (ns->state != NS_STATE_ONLINE || !is_wire_token (group_id) ||
      name == NULL || *name == '\0')
    return 0;
  enc = msnp_url_encode (name);
  return MSNP_NS_SEND (ns, "REG", group_id, enc, "0");
}

guint
msnp_ns_set_privacy (MsnpNs *ns, MsnpListMask blp)
{
  if (ns->state != NS_STATE_ONLINE ||
      (blp != MSNP_LIST_AL && blp != MSNP_LIST_BL))
    return 0;
  return MSNP_NS_SEND (ns, "BLP", blp == MSNP_LIST_AL ? "AL" : "BL");
}

guint
msnp_ns_set_gtc (MsnpNs *ns, gboolean ask)
{
  if (ns->state != NS_STATE_ONLINE)
    return 0;
  return MSNP_NS_SEND (ns, "GTC", ask ? "A" : "N");
}

guint
msnp_ns_set_phone (MsnpNs *ns, MsnpPhone phone, const char *value)
{
  g_autofree char *enc = NULL;

  if (ns->state != NS_STATE_ONLINE || (int) phone < 0 || phone >= MSNP_N_PHONES)
    return 0;
  if (value == NULL || *value == '\0')
    return MSNP_NS_SEND (ns, "PRP", phone_codes[phone]);
  enc = msnp_url_encode (value);
  return MSNP_NS_SEND (ns, "PRP", phone_codes[phone], enc);
}

guint
msnp_ns_request_inbox (MsnpNs *ns)
{
  if (ns->state != NS_STATE_ONLINE)
    return 0;
  return MSNP_NS_SEND (ns, "URL", "INBOX");
}
