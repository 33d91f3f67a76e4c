/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The XMPP session state machine, fed a scripted server, no sockets. */
#include <string.h>
#include <glib.h>

#include "xmpp-sasl.h"
#include "xmpp-session.h"

#define SERVER_HEADER "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
  "xmlns:stream='http://etherx.jabber.org/streams' id='x' from='localhost' version='1.0'>"

typedef struct {
  MsnpXmppSession *s;
  GString *out;
  GString *events;
  gboolean secret_seen;
  char *secret_text;
} Fixture;

static void
ev_write (gpointer user, const char *data, gsize len, gboolean secret)
{
  Fixture *f = user;

  g_string_append_len (f->out, data, (gssize) len);
  if (secret) {
    f->secret_seen = TRUE;
    g_free (f->secret_text);
    f->secret_text = g_strndup (data, len);
  }
}

static void ev_start_tls (gpointer u) { g_string_append (((Fixture *) u)->events, "tls;"); }
static void ev_ready (gpointer u, const char *jid)
{ g_string_append_printf (((Fixture *) u)->events, "ready:%s;", jid); }
static void ev_redirect (gpointer u, const char *h, guint p)
{ g_string_append_printf (((Fixture *) u)->events, "redirect:%s:%u;", h, p); }
static void ev_error (gpointer u, const GError *e)
{ g_string_append_printf (((Fixture *) u)->events, "error:%d:%s;", e->code, e->message); }
static void ev_message (gpointer u, MsnpXmppNode *n)
{ g_string_append_printf (((Fixture *) u)->events, "message:%s;", msnp_xmpp_node_find_text (n, "body", NULL)); }
static void ev_presence (gpointer u, MsnpXmppNode *n)
{ g_string_append_printf (((Fixture *) u)->events, "presence:%s;", msnp_xmpp_node_get_attr (n, "from")); }
static gboolean ev_iq (gpointer u, MsnpXmppNode *n) { return FALSE; }

static const MsnpXmppSessionEvents events = {
  .write = ev_write, .start_tls = ev_start_tls, .ready = ev_ready,
  .redirect = ev_redirect, .error = ev_error, .message = ev_message,
  .presence = ev_presence, .iq = ev_iq,
};

static void
setup (Fixture *f, gconstpointer data)
{
  f->out = g_string_new (NULL);
  f->events = g_string_new (NULL);
  f->s = msnp_xmpp_session_new ("messenger.live.com", &events, f);
  msnp_xmpp_session_set_token (f->s, "EwA+tok/en=");
}

static void
teardown (Fixture *f, gconstpointer data)
{
  msnp_xmpp_session_free (f->s);
  g_string_free (f->out, TRUE);
  g_string_free (f->events, TRUE);
  g_free (f->secret_text);
}

static void
feed (Fixture *f, const char *text)
{
  msnp_xmpp_session_feed (f->s, (const guint8 *) text, strlen (text));
}

/* Takes what the client wrote so far. */
static char *
take_out (Fixture *f)
{
  char *s = g_strdup (f->out->str);
  g_string_truncate (f->out, 0);
  return s;
}

static void
sign_in (Fixture *f)
{
  g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL, *o4 = NULL, *o5 = NULL;

  msnp_xmpp_session_start (f->s);
  o1 = take_out (f);
  g_assert_nonnull (strstr (o1, "to='messenger.live.com'"));
  feed (f, SERVER_HEADER "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
  o2 = take_out (f);
  g_assert_cmpstr (o2, ==, "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  feed (f, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  g_assert_cmpstr (f->events->str, ==, "tls;");
  msnp_xmpp_session_tls_ready (f->s);
  o3 = take_out (f);
  g_assert_true (g_str_has_prefix (o3, "<?xml"));
  g_assert_false (f->secret_seen);
  feed (f, SERVER_HEADER "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        "<mechanism>X-MESSENGER-OAUTH2 </mechanism></mechanisms></stream:features>");
  o4 = take_out (f);
  /* The token as is: not base64-encoded again. */
  g_assert_cmpstr (o4, ==, "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' "
                   "mechanism='X-MESSENGER-OAUTH2'>EwA+tok/en=</auth>");
  g_assert_true (f->secret_seen);
  feed (f, "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  g_string_truncate (f->out, 0);
  feed (f, SERVER_HEADER "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
        "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>");
  o5 = take_out (f);
  g_assert_cmpstr (o5, ==, "<iq type='set' id='m1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
  feed (f, "<iq type='result' id='m1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
        "<jid>123abc@messenger.live.com/r1</jid></bind></iq>");
  g_free (take_out (f));
  feed (f, "<iq type='result' id='m2'/>");
  g_assert_cmpstr (f->events->str, ==, "tls;ready:123abc@messenger.live.com/r1;");
  g_assert_cmpint (msnp_xmpp_session_get_state (f->s), ==, MSNP_XMPP_STATE_READY);
}

static void
test_sign_in (Fixture *f, gconstpointer data)
{
  sign_in (f);
  feed (f, " <message from='b@messenger.live.com/x' type='chat'><body>hi</body></message>"
        "<presence from='c@messenger.live.com/y'/>");
  g_assert_nonnull (strstr (f->events->str, "message:hi;presence:c@messenger.live.com/y;"));
}

static void
got_reply (gpointer user, MsnpXmppNode *reply)
{
  GString *log = user;
  g_string_append_printf (log, "%s;", reply ? msnp_xmpp_node_get_attr (reply, "type") : "gone");
}

static void
test_iq_by_id (Fixture *f, gconstpointer data)
{
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (MsnpXmppNode) iq = msnp_xmpp_stanza_new ("iq", "get", "bob@messenger.live.com");
  g_autoptr (MsnpXmppNode) iq2 = msnp_xmpp_stanza_new ("iq", "get", NULL);

  sign_in (f);
  msnp_xmpp_session_send_iq (f->s, iq, got_reply, log);
  msnp_xmpp_session_send_iq (f->s, iq2, got_reply, log);
  /* A reply from someone else is not believed. */
  feed (f, "<iq type='result' id='m3' from='eve@messenger.live.com'/>");
  g_assert_cmpstr (log->str, ==, "");
  feed (f, "<iq type='error' id='m3' from='bob@messenger.live.com'/>");
  g_assert_cmpstr (log->str, ==, "error;");
  /* An unknown get is answered service-unavailable; a ping with a result. */
  g_string_truncate (f->out, 0);
  feed (f, "<iq type='get' id='p1' from='messenger.live.com'><ping xmlns='urn:xmpp:ping'/></iq>");
  g_assert_cmpstr (f->out->str, ==, "<iq type='result' to='messenger.live.com' id='p1'/>");
  g_string_truncate (f->out, 0);
  feed (f, "<iq type='get' id='q' from='x@y'><query xmlns='jabber:iq:version'/></iq>");
  g_assert_nonnull (strstr (f->out->str, "service-unavailable"));
  /* Pending callbacks hear about the end of the stream. */
  feed (f, "</stream:stream>");
  g_assert_cmpstr (log->str, ==, "error;gone;");
}

static void
test_no_tls (Fixture *f, gconstpointer data)
{
  msnp_xmpp_session_start (f->s);
  feed (f, SERVER_HEADER "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        "<mechanism>X-MESSENGER-OAUTH2</mechanism></mechanisms></stream:features>");
  g_assert_nonnull (strstr (f->events->str, "error:2:"));
  g_assert_false (f->secret_seen);
  g_assert_null (strstr (f->out->str, "EwA"));
}

static void
test_see_other_host (Fixture *f, gconstpointer data)
{
  msnp_xmpp_session_start (f->s);
  feed (f, SERVER_HEADER "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>"
        "bay.messenger.live.com</see-other-host></stream:error>");
  g_assert_cmpstr (f->events->str, ==, "redirect:bay.messenger.live.com:5222;");
}

static void
test_sasl_failure (Fixture *f, gconstpointer data)
{
  msnp_xmpp_session_start (f->s);
  feed (f, SERVER_HEADER "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>"
        "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  msnp_xmpp_session_tls_ready (f->s);
  feed (f, SERVER_HEADER "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
        "<mechanism>X-MESSENGER-OAUTH2</mechanism></mechanisms></stream:features>"
        "<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/><text>no</text></failure>");
  g_assert_nonnull (strstr (f->events->str, "error:5:not-authorized;"));
}

static void
test_stream_error (Fixture *f, gconstpointer data)
{
  msnp_xmpp_session_start (f->s);
  feed (f, SERVER_HEADER "<stream:error><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>x</text>"
        "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>");
  g_assert_cmpstr (f->events->str, ==, "error:7:conflict;");
}

typedef struct { const char *in; const char *host; guint port; } HostCase;

static const HostCase host_cases[] = {
  { "bay.example.com", "bay.example.com", 5222 },
  { " h:5223 ", "h", 5223 },
  { "[::1]:5224", "::1", 5224 },
  { "[::1]", "::1", 5222 },
  { "::1", "::1", 5222 },
  { "h:0", NULL, 0 },
  { "h:99999", NULL, 0 },
  { "h:x", NULL, 0 },
  { "", NULL, 0 },
  { "a b", NULL, 0 },
  { "[::1", NULL, 0 },
};

static void
test_host_port (gconstpointer data)
{
  const HostCase *c = data;
  g_autofree char *host = NULL;
  guint port = 0;
  gboolean ok = msnp_xmpp_parse_host_port (c->in, &host, &port);

  g_assert_cmpint (ok, ==, c->host != NULL);
  g_assert_cmpstr (host, ==, c->host);
  g_assert_cmpuint (port, ==, c->port);
}

static void
test_sasl_table (void)
{
  const char *none[] = { "PLAIN", "SCRAM-SHA-1" };
  const char *ours[] = { "PLAIN", " x-messenger-oauth2\n" };

  g_assert_null (msnp_xmpp_sasl_choose (none, 2));
  g_assert_cmpstr (msnp_xmpp_sasl_choose (ours, 2)->name, ==, "X-MESSENGER-OAUTH2");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add ("/xmpp-session/" path, Fixture, NULL, setup, fn, teardown)
  ADD ("sign-in", test_sign_in);
  ADD ("iq-by-id", test_iq_by_id);
  ADD ("no-tls", test_no_tls);
  ADD ("see-other-host", test_see_other_host);
  ADD ("sasl-failure", test_sasl_failure);
  ADD ("stream-error", test_stream_error);
  for (gsize i = 0; i < G_N_ELEMENTS (host_cases); i++) {
    g_autofree char *n = g_strdup_printf ("/xmpp-session/host-port/%" G_GSIZE_FORMAT, i);
    g_test_add_data_func (n, &host_cases[i], test_host_port);
  }
  g_test_add_func ("/xmpp-session/sasl-table", test_sasl_table);
  return g_test_run ();
}
