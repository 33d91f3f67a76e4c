/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "xmpp-sasl.h"
#include "xmpp-session.h"
#include "xmpp-stream.h"

typedef struct {
  MsnpXmppIqFunc func;
  gpointer       user;
  char          *to;     /* who must answer (NULL: our server) */
} PendingIq;

struct _MsnpXmppSession {
  const MsnpXmppSessionEvents *ev;
  gpointer                     user;
  MsnpXmppStream              *stream;
  MsnpXmppState                state;
  char                        *domain;
  char                        *token;
  char                        *resource;
  char                        *jid;
  gboolean                     want_session;
  GHashTable                  *pending;  /* id → PendingIq */
  guint                        next_id;
};

typedef void (*StanzaHandler) (MsnpXmppSession *s, MsnpXmppNode *node);

static void
pending_free (gpointer data)
{
  PendingIq *p = data;

  g_free (p->to);
  g_free (p);
}

static void
wipe_string (char **s)
{
  if (*s != NULL) {
    memset (*s, 0, strlen (*s));
    g_clear_pointer (s, g_free);
  }
}

static void
set_state (MsnpXmppSession *s, MsnpXmppState state)
{
  if (s->state == state)
    return;
  s->state = state;
  if (s->ev->state_changed != NULL)
    s->ev->state_changed (s->user, state);
}

/* Pending iq callbacks learn that no reply will come. */
static void
fail_pending (MsnpXmppSession *s)
{
  GHashTable *pending = s->pending;
  GHashTableIter it;
  gpointer value;

  s->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      pending_free);
  g_hash_table_iter_init (&it, pending);
  while (g_hash_table_iter_next (&it, NULL, &value)) {
    PendingIq *p = value;
    if (p->func != NULL)
      p->func (p->user, NULL);
  }
  g_hash_table_unref (pending);
}

/* Every fatal condition ends here: pending iqs learn the session is gone,
 * then the glue hears the error once. */
static void
die (MsnpXmppSession *s, MsnpXmppErrorCode code, const char *message)
{
  g_autoptr (GError) error = NULL;

  if (s->state == MSNP_XMPP_STATE_DEAD)
    return;
  error = g_error_new_literal (MSNP_XMPP_ERROR, code, message);
  set_state (s, MSNP_XMPP_STATE_DEAD);
  fail_pending (s);
  s->ev->error (s->user, error);
}

static void
write_str (MsnpXmppSession *s, const char *data, gboolean secret)
{
  s->ev->write (s->user, data, strlen (data), secret);
}

static void
write_node (MsnpXmppSession *s, const MsnpXmppNode *node, gboolean secret)
{
  g_autofree char *xml = msnp_xmpp_node_to_string (node, MSNP_XMPP_NS_CLIENT);

  write_str (s, xml, secret);
  if (secret)
    memset (xml, 0, strlen (xml));
}

static void
open_stream (MsnpXmppSession *s)
{
  g_autofree char *domain = g_markup_escape_text (s->domain, -1);
  g_autofree char *xml = g_strdup_printf (
      "<?xml version='1.0'?><stream:stream to='%s' "
      "xmlns='" MSNP_XMPP_NS_CLIENT "' "
      "xmlns:stream='" MSNP_XMPP_NS_STREAM "' version='1.0'>", domain);

  write_str (s, xml, FALSE);
}

/* ---- stream-level handlers --------------------------------------------- */

static void
begin_auth (MsnpXmppSession *s, MsnpXmppNode *features)
{
  MsnpXmppNode *mechs = msnp_xmpp_node_find (features, "mechanisms",
                                             MSNP_XMPP_NS_SASL);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  const MsnpXmppSaslMechanism *mech;
  char *payload, *escaped, *xml;

  for (guint i = 0; mechs != NULL && i < mechs->children->len; i++) {
    MsnpXmppNode *m = g_ptr_array_index (mechs->children, i);
    if (strcmp (m->name, "mechanism") == 0)
      g_ptr_array_add (names, m->text->str);
  }
  mech = msnp_xmpp_sasl_choose ((const char *const *) names->pdata, names->len);
  if (mech == NULL) {
    die (s, MSNP_XMPP_ERROR_NO_MECHANISM, "X-MESSENGER-OAUTH2 not offered");
    return;
  }
  if (s->token == NULL) {
    die (s, MSNP_XMPP_ERROR_AUTH, "not-authorized");
    return;
  }
  payload = mech->initial_response (s->token);
  escaped = g_markup_escape_text (payload, -1);
  xml = g_strdup_printf ("<auth xmlns='" MSNP_XMPP_NS_SASL "' mechanism='%s'>"
                         "%s</auth>", mech->name, escaped);
  set_state (s, MSNP_XMPP_STATE_AUTH_SENT);
  write_str (s, xml, TRUE);
  /* The token lives on only in the session (wiped after success). */
  wipe_string (&payload);
  wipe_string (&escaped);
  wipe_string (&xml);
}

static void bind_result (gpointer user, MsnpXmppNode *reply);

static void
begin_bind (MsnpXmppSession *s, MsnpXmppNode *features)
{
  g_autoptr (MsnpXmppNode) iq = msnp_xmpp_stanza_new ("iq", "set", NULL);
  MsnpXmppNode *bind;

  if (msnp_xmpp_node_find (features, "bind", MSNP_XMPP_NS_BIND) == NULL) {
    die (s, MSNP_XMPP_ERROR_BIND, "no resource binding offered");
    return;
  }
  /* RFC 6121 made the session iq optional; send it only when it is
   * offered and not marked <optional/>. */
  {
    MsnpXmppNode *sess = msnp_xmpp_node_find (features, "session",
                                              MSNP_XMPP_NS_SESSION);
    s->want_session = sess != NULL
                      && msnp_xmpp_node_find (sess, "optional", NULL) == NULL;
  }
  bind = msnp_xmpp_node_add_child (iq, "bind", MSNP_XMPP_NS_BIND);
  if (s->resource != NULL && *s->resource != '\0')
    msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (bind, "resource", NULL),
                             s->resource);
  set_state (s, MSNP_XMPP_STATE_BINDING);
  msnp_xmpp_session_send_iq (s, iq, bind_result, s);
}

static void
handle_features (MsnpXmppSession *s, MsnpXmppNode *node)
{
  switch (s->state) {
  case MSNP_XMPP_STATE_FEATURES_PLAIN:
    if (msnp_xmpp_node_find (node, "starttls", MSNP_XMPP_NS_TLS) == NULL) {
      die (s, MSNP_XMPP_ERROR_NO_TLS, "no STARTTLS offered");
      return;
    }
    set_state (s, MSNP_XMPP_STATE_STARTTLS_SENT);
    write_str (s, "<starttls xmlns='" MSNP_XMPP_NS_TLS "'/>", FALSE);
    break;
  case MSNP_XMPP_STATE_FEATURES_TLS:
    begin_auth (s, node);
    break;
  case MSNP_XMPP_STATE_FEATURES_AUTHED:
    begin_bind (s, node);
    break;
  default:
    break;  /* features at another time mean nothing to us */
  }
}

static void
handle_proceed (MsnpXmppSession *s, MsnpXmppNode *node)
{
  if (s->state != MSNP_XMPP_STATE_STARTTLS_SENT)
    return;
  set_state (s, MSNP_XMPP_STATE_TLS_HANDSHAKE);
  /* The old stream is over; the server sends nothing more in clear. */
  msnp_xmpp_stream_reset (s->stream);
  s->ev->start_tls (s->user);
}

static void
handle_tls_failure (MsnpXmppSession *s, MsnpXmppNode *node)
{
  die (s, MSNP_XMPP_ERROR_TLS_REFUSED, "STARTTLS refused");
}

static void
handle_sasl_success (MsnpXmppSession *s, MsnpXmppNode *node)
{
  if (s->state != MSNP_XMPP_STATE_AUTH_SENT)
    return;
  wipe_string (&s->token);
  set_state (s, MSNP_XMPP_STATE_FEATURES_AUTHED);
  msnp_xmpp_stream_reset (s->stream);
  open_stream (s);
}

/* The first child element names the condition (RFC 6120 6.5). */
static const char *
first_condition (const MsnpXmppNode *node, const char *ns)
{
  for (guint i = 0; i < node->children->len; i++) {
    MsnpXmppNode *c = g_ptr_array_index (node->children, i);
    if (strcmp (c->name, "text") != 0 && (ns == NULL || strcmp (c->ns, ns) == 0))
      return c->name;
  }
  return "undefined-condition";
}

static void
handle_sasl_failure (MsnpXmppSession *s, MsnpXmppNode *node)
{
  die (s, MSNP_XMPP_ERROR_AUTH, first_condition (node, MSNP_XMPP_NS_SASL));
}

static void
handle_sasl_challenge (MsnpXmppSession *s, MsnpXmppNode *node)
{
  /* X-MESSENGER-OAUTH2 has no challenge step. */
  die (s, MSNP_XMPP_ERROR_PROTOCOL, "unexpected SASL challenge");
}

static void
handle_stream_error (MsnpXmppSession *s, MsnpXmppNode *node)
{
  MsnpXmppNode *other = msnp_xmpp_node_find (node, "see-other-host",
                                             MSNP_XMPP_NS_STREAMS);
  const char *cond = first_condition (node, MSNP_XMPP_NS_STREAMS);
  g_autofree char *host = NULL;
  guint port = 0;

  if (other != NULL && msnp_xmpp_parse_host_port (other->text->str, &host,
                                                  &port)) {
    set_state (s, MSNP_XMPP_STATE_DEAD);
    s->ev->redirect (s->user, host, port);
    return;
  }
  die (s, strcmp (cond, "conflict") == 0 ? MSNP_XMPP_ERROR_CONFLICT
                                         : MSNP_XMPP_ERROR_STREAM, cond);
}

/* ---- stanzas ----------------------------------------------------------- */

static void
session_result (gpointer user, MsnpXmppNode *reply)
{
  MsnpXmppSession *s = user;

  if (reply == NULL)
    return;
  /* Servers that treat the legacy session as a no-op may answer with an
   * error; the stream is usable either way. */
  set_state (s, MSNP_XMPP_STATE_READY);
  s->ev->ready (s->user, s->jid);
}

static void
bind_result (gpointer user, MsnpXmppNode *reply)
{
  MsnpXmppSession *s = user;
  MsnpXmppNode *bind = msnp_xmpp_node_find (reply, "bind", MSNP_XMPP_NS_BIND);
  const char *jid = msnp_xmpp_node_find_text (bind, "jid", NULL);

  if (reply == NULL)
    return;
  if (g_strcmp0 (msnp_xmpp_node_get_attr (reply, "type"), "result") != 0
      || jid == NULL || strchr (jid, '@') == NULL) {
    die (s, MSNP_XMPP_ERROR_BIND, "resource binding refused");
    return;
  }
  /* The service picks the JID (<id>@messenger.live.com): take it. */
  g_free (s->jid);
  s->jid = g_strstrip (g_strdup (jid));
  if (s->want_session) {
    g_autoptr (MsnpXmppNode) iq = msnp_xmpp_stanza_new ("iq", "set", NULL);

    msnp_xmpp_node_add_child (iq, "session", MSNP_XMPP_NS_SESSION);
    set_state (s, MSNP_XMPP_STATE_SESSION);
    msnp_xmpp_session_send_iq (s, iq, session_result, s);
    return;
  }
  set_state (s, MSNP_XMPP_STATE_READY);
  s->ev->ready (s->user, s->jid);
}

/* A reply is only believed from whom the request went to; replies to
 * requests sent to our server may come from it, from our own JID or with
 * no from at all. */
static gboolean
reply_from_ok (MsnpXmppSession *s, const PendingIq *p, const char *from)
{
  g_autofree char *bare = NULL;

  if (p->to != NULL)
    return from != NULL && g_ascii_strcasecmp (from, p->to) == 0;
  if (from == NULL || g_ascii_strcasecmp (from, s->domain) == 0)
    return TRUE;
  if (s->jid == NULL)
    return FALSE;
  bare = msnp_xmpp_jid_bare (s->jid);
  return g_ascii_strcasecmp (from, s->jid) == 0
         || g_ascii_strcasecmp (from, bare) == 0;
}

static void
answer_error (MsnpXmppSession *s, MsnpXmppNode *iq, const char *condition)
{
  g_autoptr (MsnpXmppNode) reply = msnp_xmpp_stanza_new (
      "iq", "error", msnp_xmpp_node_get_attr (iq, "from"));
  MsnpXmppNode *err;

  msnp_xmpp_node_set_attr (reply, "id", msnp_xmpp_node_get_attr (iq, "id"));
  err = msnp_xmpp_node_add_child (reply, "error", NULL);
  msnp_xmpp_node_set_attr (err, "type", "cancel");
  msnp_xmpp_node_add_child (err, condition, MSNP_XMPP_NS_STANZAS);
  msnp_xmpp_session_send (s, reply);
}

static void
handle_iq (MsnpXmppSession *s, MsnpXmppNode *node)
{
  const char *type = msnp_xmpp_node_get_attr (node, "type");
  const char *id = msnp_xmpp_node_get_attr (node, "id");

  if (g_strcmp0 (type, "result") == 0 || g_strcmp0 (type, "error") == 0) {
    PendingIq *p = id != NULL ? g_hash_table_lookup (s->pending, id) : NULL;
    MsnpXmppIqFunc func;
    gpointer user;

    if (p == NULL
        || !reply_from_ok (s, p, msnp_xmpp_node_get_attr (node, "from")))
      return;  /* unsolicited or spoofed: ignore */
    func = p->func;
    user = p->user;
    g_hash_table_remove (s->pending, id);
    if (func != NULL)
      func (user, node);
    return;
  }
  if (g_strcmp0 (type, "get") != 0 && g_strcmp0 (type, "set") != 0)
    return;
  if (g_strcmp0 (type, "get") == 0
      && msnp_xmpp_node_find (node, "ping", MSNP_XMPP_NS_PING) != NULL) {
    msnp_xmpp_session_reply_result (s, node, NULL);
    return;
  }
  if (s->state != MSNP_XMPP_STATE_READY || !s->ev->iq (s->user, node))
    answer_error (s, node, "service-unavailable");
}

static void
handle_message (MsnpXmppSession *s, MsnpXmppNode *node)
{
  if (s->state == MSNP_XMPP_STATE_READY)
    s->ev->message (s->user, node);
}

static void
handle_presence (MsnpXmppSession *s, MsnpXmppNode *node)
{
  if (s->state == MSNP_XMPP_STATE_READY)
    s->ev->presence (s->user, node);
}

/* Dispatch by (element, namespace). */
static const struct {
  const char   *name;
  const char   *ns;
  StanzaHandler handler;
} handlers[] = {
  { .name = "features", .ns = MSNP_XMPP_NS_STREAM, .handler = handle_features },
  { .name = "error", .ns = MSNP_XMPP_NS_STREAM, .handler = handle_stream_error },
  { .name = "proceed", .ns = MSNP_XMPP_NS_TLS, .handler = handle_proceed },
  { .name = "failure", .ns = MSNP_XMPP_NS_TLS, .handler = handle_tls_failure },
  { .name = "success", .ns = MSNP_XMPP_NS_SASL, .handler = handle_sasl_success },
  { .name = "failure", .ns = MSNP_XMPP_NS_SASL, .handler = handle_sasl_failure },
  { .name = "challenge", .ns = MSNP_XMPP_NS_SASL, .handler = handle_sasl_challenge },
  { .name = "iq", .ns = MSNP_XMPP_NS_CLIENT, .handler = handle_iq },
  { .name = "message", .ns = MSNP_XMPP_NS_CLIENT, .handler = handle_message },
  { .name = "presence", .ns = MSNP_XMPP_NS_CLIENT, .handler = handle_presence },
};

static void
stream_stanza (gpointer user, MsnpXmppNode *node)
{
  MsnpXmppSession *s = user;

  if (s->state == MSNP_XMPP_STATE_DEAD)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (handlers); i++) {
    if (strcmp (handlers[i].name, node->name) == 0
        && strcmp (handlers[i].ns, node->ns) == 0) {
      handlers[i].handler (s, node);
      return;
    }
  }
  /* Anything else is ignorable (RFC 6120 8.4 has the server, not us,
   * reject unknown stanzas). */
}

static void
stream_start (gpointer user, const MsnpXmppNode *header)
{
  MsnpXmppSession *s = user;

  if (strcmp (header->name, "stream") != 0
      || strcmp (header->ns, MSNP_XMPP_NS_STREAM) != 0)
    die (s, MSNP_XMPP_ERROR_PARSE, "not an XMPP stream");
}

static void
stream_end (gpointer user)
{
  die (user, MSNP_XMPP_ERROR_CLOSED, "stream closed");
}

static const MsnpXmppStreamEvents stream_events = {
  .stream_start = stream_start,
  .stanza = stream_stanza,
  .stream_end = stream_end,
};

/* ---- public ------------------------------------------------------------ */

MsnpXmppSession *
msnp_xmpp_session_new (const char *domain, const MsnpXmppSessionEvents *events,
                       gpointer user)
{
  MsnpXmppSession *s = g_new0 (MsnpXmppSession, 1);

  s->ev = events;
  s->user = user;
  s->domain = g_strdup (domain);
  s->stream = msnp_xmpp_stream_new (&stream_events, s);
  s->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      pending_free);
  return s;
}

void
msnp_xmpp_session_free (MsnpXmppSession *s)
{
  if (s == NULL)
    return;
  msnp_xmpp_stream_free (s->stream);
  fail_pending (s);
  g_hash_table_unref (s->pending);
  wipe_string (&s->token);
  g_free (s->domain);
  g_free (s->resource);
  g_free (s->jid);
  g_free (s);
}

void
msnp_xmpp_session_set_token (MsnpXmppSession *s, const char *token)
{
  wipe_string (&s->token);
  s->token = g_strdup (token);
}

void
msnp_xmpp_session_set_resource (MsnpXmppSession *s, const char *resource)
{
  g_free (s->resource);
  s->resource = g_strdup (resource);
}

void
msnp_xmpp_session_start (MsnpXmppSession *s)
{
  set_state (s, MSNP_XMPP_STATE_FEATURES_PLAIN);
  open_stream (s);
}

void
msnp_xmpp_session_tls_ready (MsnpXmppSession *s)
{
  if (s->state != MSNP_XMPP_STATE_TLS_HANDSHAKE)
    return;
  set_state (s, MSNP_XMPP_STATE_FEATURES_TLS);
  open_stream (s);
}

gboolean
msnp_xmpp_session_feed (MsnpXmppSession *s, const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;

  if (s->state == MSNP_XMPP_STATE_DEAD)
    return FALSE;
  if (!msnp_xmpp_stream_feed (s->stream, data, len, &error))
    die (s, (MsnpXmppErrorCode) error->code, error->message);
  return s->state != MSNP_XMPP_STATE_DEAD;
}

MsnpXmppState
msnp_xmpp_session_get_state (const MsnpXmppSession *s)
{
  return s->state;
}

const char *
msnp_xmpp_session_get_jid (const MsnpXmppSession *s)
{
  return s->jid;
}

void
msnp_xmpp_session_send (MsnpXmppSession *s, const MsnpXmppNode *stanza)
{
  if (s->state != MSNP_XMPP_STATE_DEAD)
    write_node (s, stanza, FALSE);
}

void
msnp_xmpp_session_send_iq (MsnpXmppSession *s, MsnpXmppNode *iq,
                           MsnpXmppIqFunc func, gpointer user)
{
  PendingIq *p = g_new0 (PendingIq, 1);
  char *id = g_strdup_printf ("m%u", ++s->next_id);

  p->func = func;
  p->user = user;
  p->to = g_strdup (msnp_xmpp_node_get_attr (iq, "to"));
  msnp_xmpp_node_set_attr (iq, "id", id);
  g_hash_table_replace (s->pending, id, p);
  msnp_xmpp_session_send (s, iq);
}

void
msnp_xmpp_session_cancel_iqs (MsnpXmppSession *s, gpointer user)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, s->pending);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (((PendingIq *) value)->user == user)
      g_hash_table_iter_remove (&it);
}

void
msnp_xmpp_session_reply_result (MsnpXmppSession *s, const MsnpXmppNode *request,
                                const MsnpXmppNode *payload)
{
  g_autoptr (MsnpXmppNode) reply = msnp_xmpp_stanza_new (
      "iq", "result", msnp_xmpp_node_get_attr (request, "from"));
  g_autofree char *xml = NULL;

  msnp_xmpp_node_set_attr (reply, "id", msnp_xmpp_node_get_attr (request, "id"));
  if (payload == NULL) {
    msnp_xmpp_session_send (s, reply);
    return;
  }
  /* Splice the payload in as serialised text: cheaper than a deep copy. */
  xml = msnp_xmpp_node_to_string (payload, MSNP_XMPP_NS_CLIENT);
  {
    g_autofree char *open = msnp_xmpp_node_to_string (reply, MSNP_XMPP_NS_CLIENT);
    g_autofree char *all = NULL;

    open[strlen (open) - 2] = '\0';  /* "…/>" → "…" */
    all = g_strdup_printf ("%s>%s</iq>", open, xml);
    if (s->state != MSNP_XMPP_STATE_DEAD)
      write_str (s, all, FALSE);
  }
}

void
msnp_xmpp_session_keepalive (MsnpXmppSession *s)
{
  if (s->state == MSNP_XMPP_STATE_READY)
    write_str (s, " ", FALSE);
}

void
msnp_xmpp_session_close (MsnpXmppSession *s)
{
  if (s->state != MSNP_XMPP_STATE_DEAD && s->state != MSNP_XMPP_STATE_IDLE)
    write_str (s, "</stream:stream>", FALSE);
  set_state (s, MSNP_XMPP_STATE_DEAD);
}

gboolean
msnp_xmpp_parse_host_port (const char *text, char **host, guint *port)
{
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *colon = NULL;
  char *h;
  guint64 p = MSNP_XMPP_DEFAULT_PORT;

  if (t[0] == '[') {
    char *close = strchr (t, ']');
    if (close == NULL || close == t + 1)
      return FALSE;
    h = g_strndup (t + 1, close - t - 1);
    colon = close[1] == ':' ? close + 1 : NULL;
    if (close[1] != '\0' && colon == NULL) {
      g_free (h);
      return FALSE;
    }
  } else {
    colon = strchr (t, ':');
    if (colon != NULL && strchr (colon + 1, ':') != NULL)
      colon = NULL;  /* a bare IPv6 address: no port */
    h = colon != NULL ? g_strndup (t, colon - t) : g_strdup (t);
  }
  if (colon != NULL && (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535,
                                                     &p, NULL))) {
    g_free (h);
    return FALSE;
  }
  if (*h == '\0' || strpbrk (h, " \t/\\@") != NULL) {
    g_free (h);
    return FALSE;
  }
  *host = h;
  *port = (guint) p;
  return TRUE;
}

char *
msnp_xmpp_jid_bare (const char *jid)
{
  const char *slash = jid != NULL ? strchr (jid, '/') : NULL;

  if (jid == NULL)
    return NULL;
  return slash != NULL ? g_strndup (jid, slash - jid) : g_strdup (jid);
}

MsnpXmppNode *
msnp_xmpp_stanza_new (const char *name, const char *type, const char *to)
{
  MsnpXmppNode *node = msnp_xmpp_node_new (name, MSNP_XMPP_NS_CLIENT);

  msnp_xmpp_node_set_attr (node, "type", type);
  msnp_xmpp_node_set_attr (node, "to", to);
  return node;
}
