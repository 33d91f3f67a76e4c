/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One signed-in MSN account: owns its notification session, the socket
 * under it, the Passport exchange and the timers.  Everything an MSN
 * account holds hangs off its MsnpAccount, so two accounts in one Pidgin
 * share nothing. */
#pragma once

#include <glib.h>
#include <connection.h>

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

typedef struct {
  PurpleConnection *gc;
  PurpleAccount    *account;
  MsnpNs           *ns;
  MsnpTransport    *ns_conn;

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

  /* List changes waiting for the server's echo: TrID → op (msn-lists.c). */
  GHashTable *list_ops;
  /* TRUE while we change libpurple's list to match the server: the prpl
   * ops libpurple calls back must not send anything then. */
  gboolean    applying_server;
  /* The privacy lists re-read after a burst of echoes (msn-privacy.c). */
  guint       privacy_timer;
  /* Failures found before anything was sent, reported from an idle. */
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
} MsnpAccount;

/* The MSN session of a connection, or NULL (signed off, or not ours yet). */
static inline MsnpAccount *
msnp_account_of (PurpleConnection *gc)
{
  return gc != NULL ? gc->proto_data : NULL;
}

void msnp_account_login (PurpleAccount *account);
void msnp_account_close (PurpleConnection *gc);

/* Reports @error as the connection's error (the one place that maps core
 * errors onto libpurple's reasons). */
void msnp_account_fail (MsnpAccount *msn, const GError *error);

/* Passport login (msn-passport-login.c): gets a ticket for @challenge and
 * hands it to the notification session. */
void msnp_passport_login_start  (MsnpAccount *msn, const char *challenge);
void msnp_passport_login_cancel (MsnpAccount *msn);
/* Before connecting: FALSE (and the account ends with a settings error)
 * when the Passport settings cannot work. */
gboolean msnp_passport_login_check_settings (MsnpAccount *msn);

/* Writes the list cache now. */
void msnp_account_save_lists (MsnpAccount *msn);

G_END_DECLS
