/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every part of the "MSN (XMPP)" glue shares: the state of one
 * signed-in account (MsnpXmppAccount: the connection — transport and
 * sans-IO session —, the OAuth token, and what the contact and IM parts
 * keep), its option keys, and sending on its session.
 *
 * The parts (xmpp-oauth, xmpp-contacts, xmpp-im) include this header and
 * never each other's; the account (xmpp-account.c) creates the struct at
 * login (gc->proto_data, owned by the connection until close) and wires
 * the session's stanzas to the parts, which borrow it for the call.
 * Runs on libpurple's main loop; nothing is shared between accounts. */
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

/* The account of @gc while it is signed in (or signing in), else NULL. */
static inline MsnpXmppAccount *
msnp_xmpp_account_of (PurpleConnection *gc)
{
  return gc != NULL ? gc->proto_data : NULL;
}

/* Sending: no-ops unless the session is ready.  Stanzas stay the
 * caller's (an iq's callback gets the reply borrowed). */
static inline gboolean
msnp_xmpp_account_ready (MsnpXmppAccount *xa)
{
  return xa != NULL && xa->session != NULL
         && msnp_xmpp_session_get_state (xa->session) == MSNP_XMPP_STATE_READY;
}

static inline void
msnp_xmpp_account_send (MsnpXmppAccount *xa, const MsnpXmppNode *stanza)
{
  if (msnp_xmpp_account_ready (xa))
    msnp_xmpp_session_send (xa->session, stanza);
}

static inline void
msnp_xmpp_account_send_iq (MsnpXmppAccount *xa, MsnpXmppNode *iq,
                           MsnpXmppIqFunc func, gpointer user)
{
  if (msnp_xmpp_account_ready (xa))
    msnp_xmpp_session_send_iq (xa->session, iq, func, user);
}

G_END_DECLS
