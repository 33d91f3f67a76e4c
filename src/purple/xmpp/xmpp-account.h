/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One "MSN (XMPP)" account while signed in: the connection (transport +
 * sans-IO session), the OAuth token, and what the contact and IM glue
 * keep.  Owned by the PurpleConnection (gc->proto_data).
 * Runs on libpurple's main loop; nothing is shared between accounts.
 */
#pragma once

#include <glib.h>
#include <account.h>
#include <connection.h>
#include <dnssrv.h>

#include "msnp-http.h"
#include "msnp-transport.h"
#include "xmpp-session.h"

G_BEGIN_DECLS

#define MSNP_XMPP_PLUGIN_ID "prpl-msn-xmpp"
#define MSNP_XMPP_MAX_REDIRECTS 5
/* The whole sign-in (token requests, connection, TLS, SASL, binding) must
 * finish within this many seconds: the MSN account's option key and
 * default, so both account types behave alike. */
#define MSNP_XMPP_OPT_TIMEOUT     "login_timeout"
#define MSNP_XMPP_DEFAULT_TIMEOUT 60

typedef struct _MsnpXmppAccount MsnpXmppAccount;

struct _MsnpXmppAccount {
  PurpleAccount      *account;
  PurpleConnection   *gc;
  MsnpTransport      *transport;
  MsnpXmppSession    *session;
  PurpleSrvTxtQueryData *srv;
  char               *domain;
  guint               redirects;
  guint               restart_idle;   /* deferred reconnect */
  char               *next_host;      /* where restart_idle connects */
  guint               next_port;
  guint               keepalive;
  gboolean            token_retried;  /* one refresh after a rejection */
  guint               sign_in_timer;  /* 1 s ticks until signed in */
  guint               sign_in_spent;  /* seconds counted against the timeout */

  /* OAuth (xmpp-oauth.c) */
  MsnpHttp           *http;
  void              (*token_done) (MsnpXmppAccount *xa, const char *token);
  gpointer            paste_dialog;   /* non-NULL while the user is asked:
                                         the sign-in timeout is paused */
  char               *access_token;   /* for this sign-in; never logged */
  gboolean            manual_token;   /* from the advanced option */
  gboolean            exchanging_code; /* the pending request trades a code */
  guint               paste_failures; /* unusable answers this sign-in */

  /* contacts and conversations (xmpp-contacts.c, xmpp-im.c) */
  GHashTable         *presence;       /* bare JID → char *show ("" online) */
  GHashTable         *history;        /* bare JID → history fetch under way
                                         (xmpp-im.c) */
};

void msnp_xmpp_account_login (PurpleAccount *account);
void msnp_xmpp_account_close (PurpleConnection *gc);

/* The account of @gc while it is ours and alive, else NULL. */
MsnpXmppAccount *msnp_xmpp_account_of (PurpleConnection *gc);

/* Send helpers (no-ops unless the session is ready). */
gboolean msnp_xmpp_account_ready (MsnpXmppAccount *xa);
void     msnp_xmpp_account_send (MsnpXmppAccount *xa, const MsnpXmppNode *stanza);
void     msnp_xmpp_account_send_iq (MsnpXmppAccount *xa, MsnpXmppNode *iq,
                                    MsnpXmppIqFunc func, gpointer user);

/* xmpp-oauth.c: get a usable access token (stored, refreshed, or by asking
 * the user to paste the redirect URL), then call @done.  @done gets NULL
 * after it has already reported a connection error. */
typedef void (*MsnpXmppTokenFunc) (MsnpXmppAccount *xa, const char *token);
void msnp_xmpp_oauth_get_token (MsnpXmppAccount *xa, gboolean force_refresh,
                                MsnpXmppTokenFunc done);
void msnp_xmpp_oauth_cancel (MsnpXmppAccount *xa);
/* The stored access token was rejected: forget it. */
void msnp_xmpp_oauth_forget_access (MsnpXmppAccount *xa);

G_END_DECLS
