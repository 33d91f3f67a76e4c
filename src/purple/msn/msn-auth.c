/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reverse-list authorization.
 *
 * MSNP8 has no "request": someone adding us puts us on nothing and them on
 * our RL (announced as "ADD 0 RL version passport friendly" when we are
 * online, or found in the sync).  Whether we answered is whether they are
 * on our AL or BL, so everyone on RL and on neither is asked: accept puts
 * them on AL (the UI offers to add them back), deny on BL.  With GTC N
 * ("allow automatically") MSN Messenger did not ask but allowed, and so do
 * we. */
#include "config.h"

#include <account.h>
#include <debug.h>

#include "msn-auth.h"

typedef struct {
  PurpleAccount *account;
  char          *passport;
  char          *friendly;
  gpointer       handle;
} AuthRequest;

static void
auth_request_free (AuthRequest *req)
{
  g_free (req->passport);
  g_free (req->friendly);
  g_free (req);
}

/* The request's account, if it is still signed in: the dialog may be
 * answered long after it opened. */
static MsnpAccount *
live_account (AuthRequest *req)
{
  PurpleConnection *gc = purple_account_get_connection (req->account);
  MsnpAccount *msn = gc != NULL ? gc->proto_data : NULL;

  if (msn == NULL || msn->auth_requests == NULL ||
      g_hash_table_lookup (msn->auth_requests, req->passport) != req)
    return NULL;
  return msn;
}

static void
answer (AuthRequest *req, MsnpListMask list)
{
  MsnpAccount *msn = live_account (req);

  if (msn == NULL)
    return;   /* signed out since: asked again at the next sign-in */
  msnp_list_edit_answer (msn->edit, req->passport, req->friendly, list);
  /* Frees @req; libpurple is done with the dialog. */
  g_hash_table_remove (msn->auth_requests, req->passport);
}

/* No add-back offer of our own: with on_list FALSE, libpurple's UIs
 * (Pidgin's "Authorize and add", Finch's add-buddy dialog) make it. */
static void
accept_cb (gpointer data)
{
  answer (data, MSNP_LIST_AL);
}

static void
deny_cb (gpointer data)
{
  answer (data, MSNP_LIST_BL);
}

static void
ask (MsnpAccount *msn, const MsnpContact *contact)
{
  AuthRequest *req;
  const char *alias;

  if (!(contact->lists & MSNP_LIST_RL) ||
      (contact->lists & (MSNP_LIST_AL | MSNP_LIST_BL)))
    return;
  if (msn->auth_requests == NULL)
    msn->auth_requests = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                (GDestroyNotify) auth_request_free);
  if (g_hash_table_contains (msn->auth_requests, contact->passport))
    return;
  if (msnp_lists_get_gtc (msnp_ns_get_lists (msn->ns)) == 'N') {
    msnp_list_edit_answer (msn->edit, contact->passport, contact->friendly,
                           MSNP_LIST_AL);
    return;
  }
  req = g_new0 (AuthRequest, 1);
  req->account = msn->account;
  req->passport = g_strdup (contact->passport);
  req->friendly = g_strdup (contact->friendly);
  alias = g_strcmp0 (contact->friendly, contact->passport) != 0 ? contact->friendly : NULL;
  g_hash_table_insert (msn->auth_requests, req->passport, req);
  req->handle = purple_account_request_authorization (
      msn->account, contact->passport, NULL, alias, NULL,
      (contact->lists & MSNP_LIST_FL) != 0, accept_cb, deny_cb, req);
}

static void
ask_cb (MsnpContact *contact, gpointer data)
{
  ask (data, contact);
}

/* The option is the user's; the server's value wins unless the option
 * changed since they last agreed (it was edited while offline). */
static void
agree_on_gtc (MsnpAccount *msn)
{
  char server = msnp_lists_get_gtc (msnp_ns_get_lists (msn->ns));
  const char *last = purple_account_get_string (msn->account, MSNP_OPT_GTC_LAST, "");
  gboolean ask_opt = purple_account_get_bool (msn->account, MSNP_OPT_GTC_ASK, TRUE);
  char wanted = ask_opt ? 'A' : 'N';

  if (last != NULL && *last != '\0' && last[0] != wanted) {
    msnp_list_edit_set_gtc (msn->edit, ask_opt);
    return;
  }
  purple_account_set_bool (msn->account, MSNP_OPT_GTC_ASK, server != 'N');
  purple_account_set_string (msn->account, MSNP_OPT_GTC_LAST,
                             server == 'N' ? "N" : "A");
}

void
msnp_auth_synced (MsnpAccount *msn)
{
  agree_on_gtc (msn);
  msnp_lists_foreach (msnp_ns_get_lists (msn->ns), ask_cb, msn);
}

static void
removed_us (MsnpAccount *msn, const char *passport)
{
  AuthRequest *req = msn->auth_requests != NULL
      ? g_hash_table_lookup (msn->auth_requests, passport) : NULL;

  /* Not a thing to pop up about (MSN Messenger never told either); the
   * Get Info lists show it. */
  purple_debug_info ("msnp", "%s removed you from their contact list\n", passport);
  if (req != NULL) {
    gpointer handle = req->handle;
    g_hash_table_remove (msn->auth_requests, passport);
    purple_account_request_close (handle);
  }
}

void
msnp_auth_changed (MsnpAccount *msn, const MsnpListChange *change)
{
  const MsnpContact *contact;

  if (change->kind == MSNP_CHANGE_GTC) {
    purple_account_set_bool (msn->account, MSNP_OPT_GTC_ASK,
                             g_strcmp0 (change->value, "N") != 0);
    purple_account_set_string (msn->account, MSNP_OPT_GTC_LAST,
                               g_strcmp0 (change->value, "N") == 0 ? "N" : "A");
    return;
  }
  if (change->list != MSNP_LIST_RL || change->passport == NULL)
    return;
  if (change->kind == MSNP_CHANGE_REMOVE) {
    removed_us (msn, change->passport);
    return;
  }
  contact = msnp_lists_lookup (msnp_ns_get_lists (msn->ns), change->passport);
  if (change->kind == MSNP_CHANGE_ADD && contact != NULL)
    ask (msn, contact);
}

void
msnp_auth_free (MsnpAccount *msn)
{
  GHashTable *requests = g_steal_pointer (&msn->auth_requests);
  GHashTableIter iter;
  gpointer value;

  if (requests == NULL)
    return;
  g_hash_table_iter_init (&iter, requests);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    purple_account_request_close (((AuthRequest *) value)->handle);
  g_hash_table_unref (requests);
}
