/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: a whole Messenger XMPP client session fed server bytes —
 * the stream parser (split at a data-chosen point, so the split handling
 * is exercised too) and the session state machine behind it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xmpp-session.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void f_write (gpointer u, const char *d, gsize l, gboolean s) { }
static void f_ready (gpointer u, const char *jid) { }
static void f_redirect (gpointer u, const char *h, guint p) { }
static void f_error (gpointer u, const GError *e) { }
static void f_message (gpointer u, MsnpXmppNode *n) { }
static void f_presence (gpointer u, MsnpXmppNode *n) { }
static gboolean f_iq (gpointer u, MsnpXmppNode *n) { return FALSE; }

/* The user data is a pointer to the session pointer (set after creation). */
static void
f_start_tls (gpointer u)
{
  msnp_xmpp_session_tls_ready (*(MsnpXmppSession **) u);
}

static const MsnpXmppSessionEvents events = {
  .write = f_write, .start_tls = f_start_tls, .ready = f_ready,
  .redirect = f_redirect, .error = f_error, .message = f_message,
  .presence = f_presence, .iq = f_iq,
};

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  MsnpXmppSession *s = NULL;
  size_t split = size > 0 ? data[0] % (size + 1) : 0;

  s = msnp_xmpp_session_new ("messenger.live.com", &events, &s);
  msnp_xmpp_session_set_token (s, "token");
  msnp_xmpp_session_start (s);
  if (msnp_xmpp_session_feed (s, data, split))
    msnp_xmpp_session_feed (s, data + split, size - split);
  msnp_xmpp_session_free (s);
  return 0;
}
