/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every part of the MSN glue shares: the state of one signed-in
 * account (MsnpAccount), the account option keys, and the hooks through
 * which one part asks something of another.
 *
 * The parts (blist, lists, privacy, auth, mobile, mail, switchboard,
 * xfer, passport login) include this header and never each other's: the
 * account (msn-account.c) creates the MsnpAccount, wires the notification
 * session's events to the parts and fills in the hooks.  Everything an
 * MSN account holds hangs off its MsnpAccount, so two accounts in one
 * Pidgin share nothing.  The struct belongs to msn-account.c (created at
 * login, freed at close); parts borrow it for the call.  Everything here
 * runs on libpurple's main loop. */
#pragma once

#include <glib.h>
#include <connection.h>

#include "msnp-list-edit.h"
#include "msnp-ns.h"
#include "msnp-http.h"
#include "msnp-transport.h"

G_BEGIN_DECLS

/* Account option keys. */
#define MSNP_OPT_SERVER      "server"
#define MSNP_OPT_PORT        "port"
#define MSNP_OPT_NEXUS       "nexus_url"
#define MSNP_OPT_KEEPALIVE   "keepalive_interval"
#define MSNP_OPT_TIMEOUT     "login_timeout"
#define MSNP_OPT_SB_IDLE     "conversation_idle"
#define MSNP_OPT_GTC_ASK     "gtc_ask"          /* "Ask before others add me" */
#define MSNP_OPT_GTC_LAST    "gtc_server"       /* last GTC agreed with the server */
#define MSNP_OPT_PRIVACY_LAST "privacy_server"  /* last privacy mode agreed */
#define MSNP_OPT_MAIL        "mail_notify"
#define MSNP_DEFAULT_SERVER  "messenger.hotmail.com"
#define MSNP_DEFAULT_PORT    1863
#define MSNP_DEFAULT_NEXUS   "https://nexus.passport.com/rdr/pprdr.asp"
#define MSNP_DEFAULT_KEEPALIVE 45
#define MSNP_DEFAULT_TIMEOUT   60
#define MSNP_DEFAULT_SB_IDLE   300

typedef struct _MsnpBlistState MsnpBlistState;
typedef struct _MsnpAccount MsnpAccount;

/* What one part asks of another; msn-account.c points them at the part
 * that does it, so that neither includes the other's header. */
typedef struct {
  /* The buddy-list sync has put every contact in place (msn-blist.c asks,
   * msn-mobile.c refreshes the mobile statuses). */
  void (*blist_in_place) (MsnpAccount *msn);
} MsnpAccountHooks;

struct _MsnpAccount {
  PurpleConnection *gc;
  PurpleAccount    *account;
  MsnpNs           *ns;
  MsnpTransport    *ns_conn;
  const MsnpAccountHooks *hooks;

  /* Passport */
  MsnpHttp *http;
  char     *challenge;
  guint     passport_hops;
  gboolean  dalogin_cached;

  /* The buddy-list sync and its group slots (msn-blist.c). */
  MsnpBlistState *blist;

  guint keepalive_timer;
  guint login_timer;
  guint save_timer;
  char *cache_path;

  /* Switchboard sessions (MsnpSwitchboard *), newest first. */
  GList *switchboards;
  int    next_chat_id;
  /* Message ids lately received ("passport id"), to drop the copy a
   * sender's re-send creates; oldest first in seen_order. */
  GHashTable *seen_ids;
  GQueue     *seen_order;

  /* The list-editing policy (src/core/msnp-list-edit.h): the changes
   * waiting for the server's echo and what follows them. */
  MsnpListEdit *edit;
  /* TRUE while we change libpurple's list to match the server: the prpl
   * ops libpurple calls back must not send anything then. */
  gboolean    applying_server;
  /* The privacy lists re-read after a burst of echoes (msn-privacy.c). */
  guint       privacy_timer;
  /* Failures found before anything was sent, reported from an idle
   * (msn-account.c). */
  GSList     *local_failures;
  guint       local_failure_timer;
  /* Authorization dialogs on screen: passport → request (msn-auth.c). */
  GHashTable *auth_requests;
  /* Hotmail (msn-mail.c): the URL INBOX request and the form it made. */
  guint       inbox_trid;
  char       *inbox_file;
  gint64      signed_in_at;   /* wall clock, seconds */
  int         inbox_unread;

  /* A friendly-name change waiting for the server's echo. */
  PurpleSetPublicAliasSuccessCallback alias_ok;
  PurpleSetPublicAliasFailureCallback alias_fail;

  /* Pages sent and waiting for a possible refusal (msn-mobile.c). */
  struct _MsnpMobile *mobile;
};

/* The MSN session of a connection, or NULL (signed off, or not ours yet). */
static inline MsnpAccount *
msnp_account_of (PurpleConnection *gc)
{
  return gc != NULL ? gc->proto_data : NULL;
}

G_END_DECLS
