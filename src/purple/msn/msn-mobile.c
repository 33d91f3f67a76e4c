/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include <blist.h>
#include <conversation.h>
#include <debug.h>
#include <request.h>
#include <server.h>
#include <util.h>

#include "msn-mobile.h"
#include "msnp-format.h"
#include "msnp-page.h"

/* Pages waiting for a possible refusal: TrID → recipient passport.  The
 * server never says "delivered" (msnp-wiki pgd.md), so entries go after
 * a while or when the table is full. */
#define MAX_PAGES_TRACKED 32

struct _MsnpMobile {
  GHashTable *pages;     /* GUINT_TO_POINTER (trid) → char * passport */
  GQueue     *order;     /* trids, oldest first */
};

static struct _MsnpMobile *
state_of (MsnpAccount *msn)
{
  if (msn->mobile == NULL) {
    msn->mobile = g_new0 (struct _MsnpMobile, 1);
    msn->mobile->pages = g_hash_table_new_full (NULL, NULL, NULL, g_free);
    msn->mobile->order = g_queue_new ();
  }
  return msn->mobile;
}

void
msnp_mobile_free (MsnpAccount *msn)
{
  if (msn->mobile == NULL)
    return;
  g_hash_table_destroy (msn->mobile->pages);
  g_queue_free (msn->mobile->order);
  g_clear_pointer (&msn->mobile, g_free);
}

static const MsnpContact *
contact_of (MsnpAccount *msn, const char *passport)
{
  return msn != NULL && passport != NULL
      ? msnp_lists_lookup (msnp_ns_get_lists (msn->ns), passport) : NULL;
}

static MsnpAccount *
msn_of_buddy (const PurpleBuddy *buddy)
{
  return msnp_account_of (purple_account_get_connection (
      purple_buddy_get_account ((PurpleBuddy *) buddy)));
}

static const MsnpContact *
contact_of_buddy (const PurpleBuddy *buddy)
{
  return contact_of (msn_of_buddy (buddy), purple_buddy_get_name ((PurpleBuddy *) buddy));
}

/* ---- status, tooltip, info ---------------------------------------------- */

PurpleStatusType *
msnp_mobile_status_type (void)
{
  /* Independent and not settable: it is the contact's device, not a
   * state of ours (Pidgin's own MSN prpl did the same). */
  return purple_status_type_new_full (PURPLE_STATUS_MOBILE, MSNP_MOBILE_STATUS_ID,
                                      _("Mobile"), FALSE, FALSE, TRUE);
}

void
msnp_mobile_contact_changed (MsnpAccount *msn, const MsnpContact *contact)
{
  PurpleBuddy *buddy = purple_find_buddy (msn->account, contact->passport);
  gboolean was;

  if (buddy == NULL)
    return;
  was = purple_presence_is_status_primitive_active (purple_buddy_get_presence (buddy),
                                                    PURPLE_STATUS_MOBILE);
  if (contact->mobile && !was)
    purple_prpl_got_user_status (msn->account, contact->passport,
                                 MSNP_MOBILE_STATUS_ID, NULL);
  else if (!contact->mobile && was)
    purple_prpl_got_user_status_deactive (msn->account, contact->passport,
                                          MSNP_MOBILE_STATUS_ID);
}

static void
refresh_one (MsnpContact *contact, gpointer msn)
{
  if (contact->mobile)
    msnp_mobile_contact_changed (msn, contact);
}

void
msnp_mobile_refresh_all (MsnpAccount *msn)
{
  msnp_lists_foreach (msnp_ns_get_lists (msn->ns), refresh_one, msn);
}

void
msnp_mobile_describe (MsnpAccount *msn, const char *passport,
                      PurpleNotifyUserInfo *info)
{
  const MsnpContact *contact = contact_of (msn, passport);

  if (contact == NULL)
    return;
  /* msnp_blist_describe() already says "Mobile device: Yes" for MOB Y. */
  if (contact->mobile)
    purple_notify_user_info_add_pair_plaintext (info, _("Pages"),
        _("Accepted on the mobile device"));
  else if (contact->mobile_device)
    purple_notify_user_info_add_pair_plaintext (info, _("Mobile device"),
        _("Set up, not accepting pages"));
  if (contact->space)
    purple_notify_user_info_add_pair_plaintext (info, _("MSN Space"), _("Yes"));
}

char *
msnp_mobile_status_text (PurpleBuddy *buddy)
{
  const MsnpContact *contact = contact_of_buddy (buddy);

  if (contact == NULL || !contact->mobile ||
      purple_presence_is_online (purple_buddy_get_presence (buddy)))
    return NULL;
  /* Offline yet reachable: what the old clients showed beside the name. */
  return g_strdup (_("Offline (mobile)"));
}

const char *
msnp_mobile_list_emblem (PurpleBuddy *buddy)
{
  const MsnpContact *contact = contact_of_buddy (buddy);

  return contact != NULL && contact->mobile ? "mobile" : NULL;
}

gboolean
msnp_mobile_offline_message (const PurpleBuddy *buddy)
{
  const MsnpContact *contact = contact_of_buddy (buddy);

  return contact != NULL && contact->mobile;
}

/* ---- sending ------------------------------------------------------------ */

static PurpleConversation *
im_conversation (MsnpAccount *msn, const char *who)
{
  PurpleConversation *conv =
      purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, who, msn->account);

  return conv != NULL ? conv
                      : purple_conversation_new (PURPLE_CONV_TYPE_IM, msn->account, who);
}

static void
say (MsnpAccount *msn, const char *who, const char *sentence, PurpleMessageFlags flags)
{
  purple_conversation_write (im_conversation (msn, who), NULL, sentence,
                             flags | PURPLE_MESSAGE_NO_LOG, time (NULL));
}

static void
remember_page (MsnpAccount *msn, guint trid, const char *who)
{
  struct _MsnpMobile *st = state_of (msn);

  if (g_queue_get_length (st->order) >= MAX_PAGES_TRACKED)
    g_hash_table_remove (st->pages, g_queue_pop_head (st->order));
  g_hash_table_replace (st->pages, GUINT_TO_POINTER (trid), g_strdup (who));
  g_queue_push_tail (st->order, GUINT_TO_POINTER (trid));
}

/* Sends @text as a page; on refusal before sending, says why in the
 * conversation.  TRUE when it went out. */
static gboolean
send_page (MsnpAccount *msn, const char *who, const char *text)
{
  g_autoptr (GError) error = NULL;
  guint trid = msnp_ns_send_page (msn->ns, who, text, &error);
  g_autofree char *sentence = NULL;

  if (trid != 0) {
    remember_page (msn, trid, who);
    return TRUE;
  }
  if (g_error_matches (error, MSNP_PAGE_ERROR, MSNP_PAGE_ERROR_TOO_LONG))
    sentence = g_strdup_printf (ngettext (
        "Not sent: a page to a mobile device holds at most %d character.",
        "Not sent: a page to a mobile device holds at most %d characters.",
        MSNP_PAGE_MAX_CHARS), MSNP_PAGE_MAX_CHARS);
  else if (error != NULL)
    sentence = g_strdup (_("Not sent: there is no text to page."));
  else
    sentence = g_strdup (_("Not sent: you are not signed in."));
  say (msn, who, sentence, PURPLE_MESSAGE_ERROR);
  return FALSE;
}

typedef struct {
  PurpleAccount *account;
  char          *who;
} PageNote;

/* libpurple shows the message just sent after send_im returns: the note
 * saying where it went follows it from an idle callback. */
static gboolean
page_note_cb (gpointer data)
{
  PageNote *note = data;
  /* The account may have been deleted since: only a live one is asked. */
  MsnpAccount *msn = g_list_find (purple_accounts_get_all (), note->account) != NULL
      ? msnp_account_of (purple_account_get_connection (note->account)) : NULL;

  if (msn != NULL)
    say (msn, note->who, _("Sent to the contact's mobile device as a page."),
         PURPLE_MESSAGE_SYSTEM);
  g_free (note->who);
  g_free (note);
  return FALSE;
}

gboolean
msnp_mobile_send_im (MsnpAccount *msn, const char *who, const char *html, int *ret)
{
  const MsnpContact *contact = contact_of (msn, who);
  PurpleBuddy *buddy = purple_find_buddy (msn->account, who);
  g_autofree char *text = NULL;

  /* Online contacts get IMs; only an offline one who takes pages gets a
   * page (Pidgin's MSN prpl: "mobile" status active → PGD). */
  if (contact == NULL || !contact->mobile || buddy == NULL ||
      purple_presence_is_online (purple_buddy_get_presence (buddy)))
    return FALSE;
  text = msnp_im_from_html (html, NULL);
  if (!send_page (msn, who, text)) {
    *ret = 0;
    return TRUE;
  }
  {
    PageNote *note = g_new0 (PageNote, 1);

    note->account = msn->account;
    note->who = g_strdup (who);
    purple_timeout_add (0, page_note_cb, note);
  }
  *ret = 1;
  return TRUE;
}

typedef struct {
  PurpleAccount *account;
  char          *who;
} PageRequest;

static void
page_request_free (PageRequest *req)
{
  g_free (req->who);
  g_free (req);
}

static void
page_entered (PageRequest *req, const char *text)
{
  PurpleConnection *gc = purple_account_get_connection (req->account);
  MsnpAccount *msn = msnp_account_of (gc);

  if (msn != NULL && msnp_ns_is_online (msn->ns) && send_page (msn, req->who, text)) {
    g_autofree char *html = msnp_im_to_html (text, strlen (text), NULL);
    PurpleConversation *conv = im_conversation (msn, req->who);

    purple_conv_im_write (PURPLE_CONV_IM (conv),
                          purple_account_get_username (msn->account), html,
                          PURPLE_MESSAGE_SEND, time (NULL));
    say (msn, req->who, _("Sent to the contact's mobile device as a page."),
         PURPLE_MESSAGE_SYSTEM);
  }
  page_request_free (req);
}

static void
send_to_mobile_cb (PurpleBlistNode *node, gpointer data)
{
  PurpleBuddy *buddy = (PurpleBuddy *) node;
  PurpleAccount *account = purple_buddy_get_account (buddy);
  PageRequest *req = g_new0 (PageRequest, 1);
  g_autofree char *secondary = g_strdup_printf (ngettext (
      "At most %d character.", "At most %d characters.", MSNP_PAGE_MAX_CHARS),
      MSNP_PAGE_MAX_CHARS);

  req->account = account;
  req->who = g_strdup (purple_buddy_get_name (buddy));
  purple_request_input (purple_account_get_connection (account),
                        _("Send to Mobile Device"),
                        _("Send a page to this contact's mobile device."),
                        secondary, NULL, TRUE, FALSE, NULL,
                        _("Send"), G_CALLBACK (page_entered),
                        _("Cancel"), G_CALLBACK (page_request_free),
                        account, req->who, NULL, req);
}

GList *
msnp_mobile_buddy_menu (PurpleBuddy *buddy, GList *menu)
{
  const MsnpContact *contact = contact_of_buddy (buddy);

  if (contact == NULL || !contact->mobile)
    return menu;
  return g_list_append (menu, purple_menu_action_new (
      _("Send to Mobile Device"), PURPLE_CALLBACK (send_to_mobile_cb), NULL, NULL));
}

/* ---- from the server ---------------------------------------------------- */

void
msnp_mobile_page_received (MsnpAccount *msn, const char *from, const char *text,
                           gboolean too_long)
{
  g_autofree char *html = NULL;

  if (too_long) {
    say (msn, from, _("Your page was too long for the mobile device and was "
                      "not delivered."), PURPLE_MESSAGE_ERROR);
    return;
  }
  html = msnp_im_to_html (text, strlen (text), NULL);
  serv_got_im (msn->gc, from, html, PURPLE_MESSAGE_RECV, time (NULL));
}

void
msnp_mobile_page_failed (MsnpAccount *msn, guint trid, guint code)
{
  g_autofree char *sentence = msnp_page_error_sentence (code);
  g_autofree char *line = g_strdup_printf (_("Your page was not delivered: %s"),
                                           sentence);
  const char *who = msn->mobile != NULL
      ? g_hash_table_lookup (msn->mobile->pages, GUINT_TO_POINTER (trid)) : NULL;

  if (who == NULL) {
    purple_debug_warning ("msnp", "page %u refused (%u), recipient forgotten\n",
                          trid, code);
    return;
  }
  say (msn, who, line, PURPLE_MESSAGE_ERROR);
}

/* ---- our own settings: PRP MOB / MBE ------------------------------------ */

static const struct {
  const char *id;
  const char *label;
} setting_fields[MSNP_N_MOBILE_SETTINGS] = {
  [MSNP_MOBILE_ALLOW_PAGES] = { .id = "MOB",
    .label = N_("Allow contacts to send pages to my mobile device") },
  [MSNP_MOBILE_DEVICE] = { .id = "MBE", .label = N_("My mobile device is enabled") },
};

static void
settings_entered (PurpleConnection *gc, PurpleRequestFields *fields)
{
  MsnpAccount *msn;

  if (!PURPLE_CONNECTION_IS_VALID (gc) || (msn = msnp_account_of (gc)) == NULL)
    return;
  for (guint i = 0; i < MSNP_N_MOBILE_SETTINGS; i++) {
    gboolean now = purple_request_fields_get_bool (fields, setting_fields[i].id);

    /* Only what changed goes out; the model follows the server's PRP. */
    if (now != msnp_lists_get_own_mobile (msnp_ns_get_lists (msn->ns), i))
      msnp_ns_set_mobile (msn->ns, i, now);
  }
}

void
msnp_mobile_action_settings (PurpleConnection *gc)
{
  MsnpAccount *msn = msnp_account_of (gc);
  PurpleRequestFields *fields = purple_request_fields_new ();
  PurpleRequestFieldGroup *group = purple_request_field_group_new (NULL);

  if (msn == NULL) {
    purple_request_fields_destroy (fields);
    return;
  }
  purple_request_fields_add_group (fields, group);
  for (guint i = 0; i < MSNP_N_MOBILE_SETTINGS; i++)
    purple_request_field_group_add_field (group,
        purple_request_field_bool_new (setting_fields[i].id, _(setting_fields[i].label),
            msnp_lists_get_own_mobile (msnp_ns_get_lists (msn->ns), i)));
  purple_request_fields (gc, _("Mobile Device Settings"), _("Mobile Device Settings"),
                         _("These settings are kept on the server."), fields,
                         _("OK"), G_CALLBACK (settings_entered), _("Cancel"), NULL,
                         purple_connection_get_account (gc), NULL, NULL, gc);
}
