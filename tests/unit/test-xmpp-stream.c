/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The XMPP stream parser: stanzas out of bytes split anywhere, and the
 * refusals (DTD, entities, depth, size, malformed XML). */
#include <string.h>
#include <glib.h>

#include "xmpp-error.h"
#include "xmpp-stream.h"

typedef struct {
  GString *log;   /* "start:<name>;" "stanza:<xml>;" "end;" */
  gboolean reset_on_proceed;
  MsnpXmppStream *stream;
} Collect;

static void
on_start (gpointer user, const MsnpXmppNode *header)
{
  Collect *c = user;
  g_string_append_printf (c->log, "start:%s:%s;", header->name,
                          msnp_xmpp_node_get_attr (header, "id") ?: "");
}

static void
on_stanza (gpointer user, MsnpXmppNode *stanza)
{
  Collect *c = user;
  g_autofree char *xml = msnp_xmpp_node_to_string (stanza, "jabber:client");

  g_string_append_printf (c->log, "stanza:%s;", xml);
  if (c->reset_on_proceed && strcmp (stanza->name, "proceed") == 0)
    msnp_xmpp_stream_reset (c->stream);
}

static void
on_end (gpointer user)
{
  g_string_append (((Collect *) user)->log, "end;");
}

static const MsnpXmppStreamEvents events = {
  .stream_start = on_start, .stanza = on_stanza, .stream_end = on_end,
};

#define HEADER "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
  "xmlns:stream='http://etherx.jabber.org/streams' id='s1' version='1.0'>"

static const char *const sample =
  HEADER
  "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
  "</stream:features> \n "
  "<message from='a@b/c' type='chat'><body>x &lt; y &amp; &#233;</body>"
  "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>"
  "<iq type='result' id='1'><![CDATA[<raw>]]></iq>"
  "</stream:stream>";

static char *
run (const char *input, gsize step, GError **error)
{
  Collect c = { .log = g_string_new (NULL) };
  gsize len = strlen (input);

  c.stream = msnp_xmpp_stream_new (&events, &c);
  for (gsize off = 0; off < len; off += step)
    if (!msnp_xmpp_stream_feed (c.stream, (const guint8 *) input + off,
                                MIN (step, len - off), error))
      break;
  msnp_xmpp_stream_free (c.stream);
  return g_string_free (c.log, FALSE);
}

static void
test_split_anywhere (void)
{
  g_autofree char *whole = run (sample, strlen (sample), NULL);

  g_assert_true (strstr (whole, "start:stream:s1;") == whole);
  g_assert_nonnull (strstr (whole, "<body>x &lt; y &amp; \xc3\xa9</body>"));
  g_assert_nonnull (strstr (whole, "<composing xmlns='http://jabber.org/protocol/chatstates'/>"));
  g_assert_nonnull (strstr (whole, "<iq type='result' id='1'>&lt;raw&gt;</iq>"));
  g_assert_true (g_str_has_suffix (whole, "end;"));
  for (gsize step = 1; step < 40; step++) {
    g_autoptr (GError) error = NULL;
    g_autofree char *split = run (sample, step, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (split, ==, whole);
  }
}

static void
expect_refused (gconstpointer data)
{
  const char *input = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *log = run (input, 7, &error);

  g_assert_nonnull (error);
  g_assert_true (error->domain == MSNP_XMPP_ERROR);
  g_assert_null (strstr (log, "BOOM"));
}

static void
test_stanza_cap (void)
{
  GString *big = g_string_new (HEADER "<message><body>");
  Collect c = { .log = g_string_new (NULL) };
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;

  c.stream = msnp_xmpp_stream_new (&events, &c);
  msnp_xmpp_stream_set_max_stanza (c.stream, 10000);
  g_assert_true (msnp_xmpp_stream_feed (c.stream, (const guint8 *) big->str,
                                        big->len, NULL));
  /* Keep sending body text: the cap must stop it early, not at the end. */
  for (int i = 0; i < 1000 && ok; i++)
    ok = msnp_xmpp_stream_feed (c.stream, (const guint8 *) "aaaaaaaaaaaaaaaaaaaa",
                                20, &error);
  g_assert_false (ok);
  g_assert_error (error, MSNP_XMPP_ERROR, MSNP_XMPP_ERROR_LIMIT);
  msnp_xmpp_stream_free (c.stream);
  g_string_free (c.log, TRUE);
  g_string_free (big, TRUE);
}

static void
test_cap_allows_many_small (void)
{
  GString *in = g_string_new (HEADER);
  g_autoptr (GError) error = NULL;
  g_autofree char *log = NULL;

  /* Many small stanzas add up to far more than one stanza may hold. */
  for (int i = 0; i < 3000; i++)
    g_string_append (in, "<presence from='x@y'><show>away</show></presence>");
  log = run (in->str, 1000, &error);
  g_assert_no_error (error);
  g_string_free (in, TRUE);
}

/* Feeds @input in @step-byte slices; returns the error (or NULL) and how
 * many bytes were accepted before the refusal. */
static GError *
feed_sliced (const char *input, gsize len, gsize step, gsize max_stanza,
             gsize *accepted)
{
  Collect c = { .log = g_string_new (NULL) };
  GError *error = NULL;

  c.stream = msnp_xmpp_stream_new (&events, &c);
  if (max_stanza > 0)
    msnp_xmpp_stream_set_max_stanza (c.stream, max_stanza);
  *accepted = 0;
  for (gsize off = 0; off < len; off += step) {
    if (!msnp_xmpp_stream_feed (c.stream, (const guint8 *) input + off,
                                MIN (step, len - off), &error))
      break;
    *accepted = off + MIN (step, len - off);
  }
  msnp_xmpp_stream_free (c.stream);
  g_string_free (c.log, TRUE);
  return error;
}

static GString *
many_attributes (const char *prefix, guint n)
{
  GString *in = g_string_new (prefix);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (in, " a%u='v'", i);
  return in;
}

/* Issue 13.3: one start tag with 200,000 attributes (3 MB) kept libxml2's
 * quadratic duplicate check busy for minutes.  It is refused from the raw
 * bytes, long before the tag is complete, in well under a second. */
static void
test_attribute_flood (void)
{
  g_autoptr (GString) in = many_attributes (HEADER "<message", 200000);
  gint64 t0 = g_get_monotonic_time ();
  gsize accepted = 0;
  g_autoptr (GError) error = NULL;

  g_string_append (in, "/>");
  error = feed_sliced (in->str, in->len, 65536, 0, &accepted);
  g_assert_error (error, MSNP_XMPP_ERROR, MSNP_XMPP_ERROR_LIMIT);
  g_assert_cmpuint (accepted, <, 65536);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, G_USEC_PER_SEC);
}

/* Just over the per-element cap is refused, at it is fine; '=' inside
 * quoted values, character data and CDATA does not count. */
static void
test_attribute_cap (void)
{
  g_autoptr (GString) over = many_attributes (HEADER "<message",
                                              MSNP_XMPP_STREAM_MAX_ATTRS + 1);
  g_autoptr (GString) at = many_attributes (HEADER "<message",
                                            MSNP_XMPP_STREAM_MAX_ATTRS - 1);
  g_autoptr (GString) header = many_attributes ("<stream:stream",
                                                MSNP_XMPP_STREAM_MAX_ATTRS + 1);
  g_autoptr (GString) text = g_string_new (HEADER "<message x='a=b=c=d'><body>");
  g_autoptr (GError) error = NULL;
  gsize accepted = 0;

  g_string_append (over, "/>");
  error = feed_sliced (over->str, over->len, 5, 0, &accepted);
  g_assert_error (error, MSNP_XMPP_ERROR, MSNP_XMPP_ERROR_LIMIT);
  g_clear_error (&error);
  error = feed_sliced (header->str, header->len, 5, 0, &accepted);
  g_assert_error (error, MSNP_XMPP_ERROR, MSNP_XMPP_ERROR_LIMIT);
  g_clear_error (&error);
  g_string_append (at, " xmlns:x='y'/>");
  error = feed_sliced (at->str, at->len, 5, 0, &accepted);
  g_assert_no_error (error);
  for (guint i = 0; i < 3 * MSNP_XMPP_STREAM_MAX_ATTRS; i++)
    g_string_append (text, "a=b &gt; c=d ");
  g_string_append (text, "<![CDATA[");
  for (guint i = 0; i < 3 * MSNP_XMPP_STREAM_MAX_ATTRS; i++)
    g_string_append (text, "<x a='1' b=\"2\"> ]> ]]");
  g_string_append (text, "]]></body></message><presence/>");
  error = feed_sliced (text->str, text->len, 3, 0, &accepted);
  g_assert_no_error (error);
}

/* The size cap counts the stanza in progress from its first byte, even
 * while its start tag is still incomplete (before, the bytes of an
 * unfinished start tag were never counted), and the stream header too. */
static void
test_cap_counts_open_tag (void)
{
  g_autoptr (GString) tag = g_string_new (HEADER "<message x='");
  g_autoptr (GString) hdr = g_string_new ("<?xml version='1.0'?><stream:stream id='");
  g_autoptr (GString) ok = g_string_new (HEADER);
  g_autoptr (GError) error = NULL;
  gsize accepted = 0;

  for (int i = 0; i < 5000; i++) {
    g_string_append_c (tag, 'x');
    g_string_append_c (hdr, 'x');
  }
  error = feed_sliced (tag->str, tag->len, 100, 1000, &accepted);
  g_assert_error (error, MSNP_XMPP_ERROR, MSNP_XMPP_ERROR_LIMIT);
  g_assert_cmpuint (accepted, <=, strlen (HEADER) + 1000);
  g_clear_error (&error);
  error = feed_sliced (hdr->str, hdr->len, 100, 1000, &accepted);
  g_assert_error (error, MSNP_XMPP_ERROR, MSNP_XMPP_ERROR_LIMIT);
  g_assert_cmpuint (accepted, <=, 1000);
  g_clear_error (&error);
  /* stanzas of 830 bytes each, one after the other, in any slicing */
  for (int i = 0; i < 20; i++) {
    g_string_append (ok, "<message><body>");
    for (int j = 0; j < 800; j++)
      g_string_append_c (ok, 'b');
    g_string_append (ok, "</body></message>\n");
  }
  for (gsize step = 1; step < 3000; step += 997) {
    error = feed_sliced (ok->str, ok->len, step, 1000, &accepted);
    g_assert_no_error (error);
  }
}

static void
test_reset_inside_callback (void)
{
  Collect c = { .log = g_string_new (NULL), .reset_on_proceed = TRUE };
  const char *a = HEADER "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";
  const char *b = HEADER "<stream:features/>";

  c.stream = msnp_xmpp_stream_new (&events, &c);
  g_assert_true (msnp_xmpp_stream_feed (c.stream, (const guint8 *) a, strlen (a), NULL));
  g_assert_true (msnp_xmpp_stream_feed (c.stream, (const guint8 *) b, strlen (b), NULL));
  g_assert_nonnull (strstr (c.log->str, "stanza:<proceed"));
  g_assert_nonnull (strstr (c.log->str, "stanza:<features"));
  msnp_xmpp_stream_free (c.stream);
  g_string_free (c.log, TRUE);
}

int
main (int argc, char **argv)
{
  static const char *const refused[] = {
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'BOOM'>]><stream:stream "
      "xmlns:stream='http://etherx.jabber.org/streams'><a>&e;</a>",
    HEADER "<message><body>&lol;</body></message>",
    HEADER "<message><body>unclosed</message>",
    HEADER "<a><b><c><d><e><f><g><h><i><j><k><l><m><n><o><p><q><r><s><t><u>"
      "<v><w><x><y><z><a><b><c><d><e><f><g><h><i>BOOM",
    "\x01\x02garbage",
    HEADER "<message to='a' to='b'/>",
  };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xmpp-stream/split-anywhere", test_split_anywhere);
  g_test_add_func ("/xmpp-stream/stanza-cap", test_stanza_cap);
  g_test_add_func ("/xmpp-stream/many-small-stanzas", test_cap_allows_many_small);
  g_test_add_func ("/xmpp-stream/reset-in-callback", test_reset_inside_callback);
  g_test_add_func ("/xmpp-stream/attribute-flood", test_attribute_flood);
  g_test_add_func ("/xmpp-stream/attribute-cap", test_attribute_cap);
  g_test_add_func ("/xmpp-stream/cap-counts-open-tag", test_cap_counts_open_tag);
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++) {
    g_autofree char *name = g_strdup_printf ("/xmpp-stream/refused/%" G_GSIZE_FORMAT, i);
    g_test_add_data_func (name, refused[i], expect_refused);
  }
  return g_test_run ();
}
