/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One Messenger XMPP client stream, sans-IO: bytes in through
 * msnp_xmpp_session_feed(), bytes out through the write callback, typed
 * events to the callback struct.  It runs STARTTLS (required: a server
 * that does not offer it gets MSNP_XMPP_ERROR_NO_TLS and never sees the
 * token), SASL, resource binding and the legacy session; then hands
 * message, presence and iq stanzas to the glue and matches iq replies to
 * their callbacks by id.
 *
 * Callbacks fire from inside feed()/start()/tls_ready(); none of them may
 * free the session (defer that to the main loop). */
#pragma once

#include <glib.h>

#include "xmpp-error.h"
#include "xmpp-node.h"

G_BEGIN_DECLS

#define MSNP_XMPP_NS_CLIENT   "jabber:client"
#define MSNP_XMPP_NS_STREAM   "http://etherx.jabber.org/streams"
#define MSNP_XMPP_NS_STREAMS  "urn:ietf:params:xml:ns:xmpp-streams"
#define MSNP_XMPP_NS_TLS      "urn:ietf:params:xml:ns:xmpp-tls"
#define MSNP_XMPP_NS_SASL     "urn:ietf:params:xml:ns:xmpp-sasl"
#define MSNP_XMPP_NS_BIND     "urn:ietf:params:xml:ns:xmpp-bind"
#define MSNP_XMPP_NS_SESSION  "urn:ietf:params:xml:ns:xmpp-session"
#define MSNP_XMPP_NS_STANZAS  "urn:ietf:params:xml:ns:xmpp-stanzas"
#define MSNP_XMPP_NS_PING     "urn:xmpp:ping"
#define MSNP_XMPP_DEFAULT_PORT 5222

typedef enum {
  MSNP_XMPP_STATE_IDLE,
  MSNP_XMPP_STATE_FEATURES_PLAIN,   /* stream open, before TLS */
  MSNP_XMPP_STATE_STARTTLS_SENT,
  MSNP_XMPP_STATE_TLS_HANDSHAKE,    /* the glue is upgrading the socket */
  MSNP_XMPP_STATE_FEATURES_TLS,
  MSNP_XMPP_STATE_AUTH_SENT,
  MSNP_XMPP_STATE_FEATURES_AUTHED,
  MSNP_XMPP_STATE_BINDING,
  MSNP_XMPP_STATE_SESSION,
  MSNP_XMPP_STATE_READY,
  MSNP_XMPP_STATE_DEAD,             /* an error was reported */
} MsnpXmppState;

typedef struct {
  /* Bytes to send.  @secret: they carry the access token — never log. */
  void     (*write)         (gpointer user, const char *data, gsize len,
                             gboolean secret);
  void     (*state_changed) (gpointer user, MsnpXmppState state);
  /* <proceed/> arrived: upgrade the socket, then call _tls_ready(). */
  void     (*start_tls)     (gpointer user);
  /* Bound and ready; @jid is the full JID the server gave us. */
  void     (*ready)         (gpointer user, const char *jid);
  /* <see-other-host/>: reconnect to @host:@port (5222 for a bare host). */
  void     (*redirect)      (gpointer user, const char *host, guint port);
  /* Fatal: the session is dead (state DEAD). */
  void     (*error)         (gpointer user, const GError *error);
  void     (*message)       (gpointer user, MsnpXmppNode *stanza);
  void     (*presence)      (gpointer user, MsnpXmppNode *stanza);
  /* An iq get/set for us.  Return TRUE when handled (the handler sends
   * the reply); otherwise the session answers service-unavailable. */
  gboolean (*iq)            (gpointer user, MsnpXmppNode *stanza);
} MsnpXmppSessionEvents;

typedef struct _MsnpXmppSession MsnpXmppSession;

/* Called with the reply (type result or error), or with NULL when the
 * session dies or is freed before it came (also from inside
 * msnp_xmpp_session_free()). */
typedef void (*MsnpXmppIqFunc) (gpointer user, MsnpXmppNode *reply);

MsnpXmppSession *msnp_xmpp_session_new  (const char *domain,
                                         const MsnpXmppSessionEvents *events,
                                         gpointer user);
void             msnp_xmpp_session_free (MsnpXmppSession *session);

/* The access token for SASL; copied, wiped from memory when replaced or
 * freed. */
void msnp_xmpp_session_set_token (MsnpXmppSession *session, const char *token);
/* A resource to ask for at bind time (NULL: the server picks one). */
void msnp_xmpp_session_set_resource (MsnpXmppSession *session,
                                     const char *resource);

/* The connection is up: open the stream. */
void     msnp_xmpp_session_start     (MsnpXmppSession *session);
/* The socket now speaks TLS: open a new stream over it. */
void     msnp_xmpp_session_tls_ready (MsnpXmppSession *session);
/* Returns FALSE once the session is dead. */
gboolean msnp_xmpp_session_feed      (MsnpXmppSession *session,
                                      const guint8 *data, gsize len);

MsnpXmppState msnp_xmpp_session_get_state (const MsnpXmppSession *session);
const char   *msnp_xmpp_session_get_jid   (const MsnpXmppSession *session);

/* Sends a stanza (not taken over).  Stanzas in jabber:client. */
void msnp_xmpp_session_send (MsnpXmppSession *session,
                             const MsnpXmppNode *stanza);
/* Gives @iq an id, sends it and calls @func with the reply.  @iq is not
 * taken over. */
void msnp_xmpp_session_send_iq (MsnpXmppSession *session, MsnpXmppNode *iq,
                                MsnpXmppIqFunc func, gpointer user);
/* Forgets pending iq callbacks whose user data is @user (without calling
 * them), for callers that go away first. */
void msnp_xmpp_session_cancel_iqs (MsnpXmppSession *session, gpointer user);
/* An empty result (or @payload inside it) for iq @request. */
void msnp_xmpp_session_reply_result (MsnpXmppSession *session,
                                     const MsnpXmppNode *request,
                                     const MsnpXmppNode *payload);
/* A whitespace keepalive (only when READY). */
void msnp_xmpp_session_keepalive (MsnpXmppSession *session);
/* Ends the stream politely. */
void msnp_xmpp_session_close (MsnpXmppSession *session);

/* "host", "host:port", "[v6]:port" → host and port (default 5222).
 * FALSE for text that is no usable host. */
gboolean msnp_xmpp_parse_host_port (const char *text, char **host,
                                    guint *port);

/* The bare JID ("user@domain") of @jid, newly allocated. */
char *msnp_xmpp_jid_bare (const char *jid);

/* A new stanza element in jabber:client with optional type and to. */
MsnpXmppNode *msnp_xmpp_stanza_new (const char *name, const char *type,
                                    const char *to);

G_END_DECLS
