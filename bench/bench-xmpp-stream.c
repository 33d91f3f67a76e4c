/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parse throughput of the XMPP stream layer (src/xmpp/xmpp-stream.c) on a
 * recorded-shape server stream, against libxml2 alone.
 *
 * The stream is generated here, deterministically, in the shape of what a
 * Messenger XMPP server sends a client after authentication: the stream
 * header and features, the bind result, a roster result with N items
 * (names with markup-escaped and UTF-8 characters, groups, subscriptions),
 * P presences with a show, a status and a vcard-temp:x:update photo hash
 * (plus XEP-0115-style caps), and M chat messages (bodies with escapes,
 * some with XEP-0085 chat states, some with XEP-0203 delay stamps).
 *
 * Two parsers see the same bytes in the same chunk size (4 KiB):
 *   stream   msnp_xmpp_stream_feed(): SAX2 + node building + caps; a no-op
 *            stanza callback that only counts
 *   libxml2  xmlParseChunk() on a push parser with an empty SAX2 handler
 *            (no callbacks, no tree): the floor the stream layer builds on
 * Only the feeding is timed.  Prints the median and best MB/s (10^6 bytes
 * per second) of the iterations.  A benchmark, not a test: it checks that
 * every stanza arrived, never the time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "xmpp-stream.h"

typedef struct {
  guint roster;
  guint presences;
  guint messages;
} Shape;

static const char *const SHOWS[] = { NULL, "away", "dnd", "xa", "chat" };
static const char *const GROUPS[] = {
  /* as they appear on the wire, escaped */
  "Friends", "Work", "Family", "Caf\xc3\xa9 &amp; Co", "School", "Sport &lt;club&gt;",
  "Neighbours", "J\xc3\xbcrgen&apos;s", "Old", "Other",
};

static void
append_jid (GString *out, guint i)
{
  /* Messenger JIDs: a hex id at messenger.live.com. */
  g_string_append_printf (out, "%016x@messenger.live.com", 0x3a5f00c1u * (i + 1));
}

static GString *
make_stream (const Shape *sh, guint *n_stanzas)
{
  GString *out = g_string_sized_new (1 << 20);
  guint stanzas = 0;

  g_string_append (out,
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
      "xmlns:stream='http://etherx.jabber.org/streams' id='2A7C9E01B4F3' "
      "from='messenger.live.com' version='1.0' xml:lang='en'>"
      "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>"
      "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></stream:features>");
  stanzas++;
  g_string_append (out,
      "<iq type='result' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
      "<jid>0123456789abcdef@messenger.live.com/MSNP-XMPP1A2B</jid></bind></iq>");
  stanzas++;

  /* The roster: one stanza with every item. */
  g_string_append (out, "<iq type='result' id='r1' to='0123456789abcdef@messenger.live.com/"
                        "MSNP-XMPP1A2B'><query xmlns='jabber:iq:roster'>");
  for (guint i = 0; i < sh->roster; i++) {
    g_string_append (out, "<item jid='");
    append_jid (out, i);
    if (i % 3 == 0)
      g_string_append_printf (out, "' name='Contact %u'", i);
    else if (i % 3 == 1)
      g_string_append_printf (out, "' name='J\xc3\xbcrgen &amp; M\xc3\xbcller &lt;%u&gt;'", i);
    else
      g_string_append (out, "'");
    g_string_append_printf (out, " subscription='%s'>", i % 25 == 24 ? "to" : "both");
    g_string_append_printf (out, "<group>%s</group>",
                            GROUPS[i % G_N_ELEMENTS (GROUPS)]);
    if (i % 10 == 0)
      g_string_append (out, "<group>Favourites</group>");
    g_string_append (out, "</item>");
  }
  g_string_append (out, "</query></iq>");
  stanzas++;

  /* Presences of the online contacts. */
  for (guint i = 0; i < sh->presences; i++) {
    const char *show = SHOWS[i % G_N_ELEMENTS (SHOWS)];

    g_string_append (out, "<presence from='");
    append_jid (out, i * 3 + 1);
    g_string_append_printf (out, "/%08X' to='0123456789abcdef@messenger.live.com/MSNP-XMPP1A2B'>",
                            0xbeef0000u + i);
    if (show != NULL)
      g_string_append_printf (out, "<show>%s</show>", show);
    if (i % 2 == 0)
      g_string_append_printf (out, "<status>Listening to &quot;Song %u&quot; \xe2\x99\xab</status>", i);
    g_string_append (out, "<priority>0</priority>"
                          "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
                          "node='http://messenger.live.com' ver='kR4d9xVbx3wJt0xN8mq1HQ0qG1U='/>"
                          "<x xmlns='vcard-temp:x:update'><photo>");
    g_string_append_printf (out, "%08x%08x%08x%08x%08x", i * 2654435761u, i ^ 0x5bd1e995u,
                            i * 40503u, ~i, i * 97u);
    g_string_append (out, "</photo></x></presence>");
    stanzas++;
  }

  /* Chat messages from the online contacts. */
  for (guint i = 0; i < sh->messages; i++) {
    g_string_append (out, "<message type='chat' from='");
    append_jid (out, (i % (sh->presences ? sh->presences : 1)) * 3 + 1);
    g_string_append_printf (out, "/%08X' to='0123456789abcdef@messenger.live.com/MSNP-XMPP1A2B' "
                                 "id='m%u'>", 0xbeef0000u + i % 300, i);
    if (i % 5 == 0)
      g_string_append (out, "<active xmlns='http://jabber.org/protocol/chatstates'/>");
    g_string_append_printf (out,
        "<body>Message %u: are we still on for tonight? Bring the &lt;usual&gt; "
        "&amp; don't be late \xe2\x98\xba</body>", i);
    if (i % 50 == 0)
      g_string_append (out, "<delay xmlns='urn:xmpp:delay' from='messenger.live.com' "
                            "stamp='2011-11-28T17:04:23Z'/>");
    g_string_append (out, "</message>");
    stanzas++;
    if (i % 4 == 3) {
      /* a typing notification between messages */
      g_string_append (out, "<message type='chat' from='");
      append_jid (out, (i % (sh->presences ? sh->presences : 1)) * 3 + 1);
      g_string_append (out, "'><composing xmlns='http://jabber.org/protocol/chatstates'/>"
                            "</message>");
      stanzas++;
    }
  }
  /* Whitespace keepalives, as the service sent them. */
  g_string_append (out, " \n ");
  *n_stanzas = stanzas;
  return out;
}

/* ---- the two parsers ----------------------------------------------------- */

typedef struct {
  guint stanzas;
  gboolean started;
} Counts;

static void
on_start (gpointer user, const MsnpXmppNode *header)
{
  (void) header;
  ((Counts *) user)->started = TRUE;
}

static void
on_stanza (gpointer user, MsnpXmppNode *stanza)
{
  (void) stanza;
  ((Counts *) user)->stanzas++;
}

static void
on_end (gpointer user)
{
  (void) user;
}

static const MsnpXmppStreamEvents EVENTS = { on_start, on_stanza, on_end };

static double
now_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
run_stream (const GString *data, gsize chunk, guint want)
{
  Counts c = { 0, FALSE };
  MsnpXmppStream *s = msnp_xmpp_stream_new (&EVENTS, &c);
  GError *error = NULL;
  double t0 = now_s (), t;

  for (gsize off = 0; off < data->len; off += chunk) {
    gsize n = MIN (chunk, data->len - off);

    if (!msnp_xmpp_stream_feed (s, (const guint8 *) data->str + off, n, &error)) {
      fprintf (stderr, "stream error at %zu: %s\n", off, error->message);
      exit (1);
    }
  }
  t = now_s () - t0;
  msnp_xmpp_stream_free (s);
  if (!c.started || c.stanzas != want) {
    fprintf (stderr, "stream: %u stanzas, expected %u\n", c.stanzas, want);
    exit (1);
  }
  return t;
}

static double
run_libxml2 (const GString *data, gsize chunk)
{
  xmlSAXHandler sax;
  xmlParserCtxtPtr ctxt;
  double t0, t;

  /* An empty SAX2 handler: libxml2 tokenises, checks well-formedness and
   * resolves namespaces, and calls nothing. */
  memset (&sax, 0, sizeof sax);
  sax.initialized = XML_SAX2_MAGIC;
  ctxt = xmlCreatePushParserCtxt (&sax, NULL, NULL, 0, NULL);
  xmlCtxtUseOptions (ctxt, XML_PARSE_NONET);
  t0 = now_s ();
  for (gsize off = 0; off < data->len; off += chunk) {
    gsize n = MIN (chunk, data->len - off);

    if (xmlParseChunk (ctxt, data->str + off, (int) n, 0) != 0) {
      fprintf (stderr, "libxml2 error at %zu\n", off);
      exit (1);
    }
  }
  t = now_s () - t0;
  xmlFreeParserCtxt (ctxt);
  return t;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
report (const char *name, double *t, guint n, gsize bytes, guint stanzas)
{
  double median;

  qsort (t, n, sizeof *t, cmp_double);
  median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
  printf ("%-8s median %8.1f MB/s (%7.3f ms, %6.2f us/stanza)   best %8.1f MB/s\n",
          name, bytes / median / 1e6, median * 1e3, median * 1e6 / stanzas,
          bytes / t[0] / 1e6);
}

int
main (int argc, char **argv)
{
  Shape sh = { 1000, 300, 1000 };
  guint iterations = 100, stanzas;
  gsize chunk = 4096;
  const char *write_to = NULL;
  GString *data;
  double *ts, *tl;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;

    if (v != NULL && strcmp (a, "-n") == 0)
      iterations = (guint) strtoul (v, NULL, 10), i++;
    else if (v != NULL && strcmp (a, "-c") == 0)
      chunk = strtoul (v, NULL, 10), i++;
    else if (v != NULL && strcmp (a, "--roster") == 0)
      sh.roster = (guint) strtoul (v, NULL, 10), i++;
    else if (v != NULL && strcmp (a, "--presences") == 0)
      sh.presences = (guint) strtoul (v, NULL, 10), i++;
    else if (v != NULL && strcmp (a, "--messages") == 0)
      sh.messages = (guint) strtoul (v, NULL, 10), i++;
    else if (v != NULL && strcmp (a, "--write") == 0)
      write_to = v, i++;
    else {
      fprintf (stderr, "usage: %s [-n 100] [-c 4096] [--roster 1000 --presences 300 "
                       "--messages 1000] [--write FILE]\n", argv[0]);
      return 2;
    }
  }
  if (iterations == 0 || chunk == 0) {
    fprintf (stderr, "-n and -c must be positive\n");
    return 2;
  }

  data = make_stream (&sh, &stanzas);
  if (write_to != NULL) {
    if (!g_file_set_contents (write_to, data->str, (gssize) data->len, NULL)) {
      fprintf (stderr, "cannot write %s\n", write_to);
      return 1;
    }
    g_string_free (data, TRUE);
    return 0;
  }

  printf ("# stream: %zu bytes, %u stanzas (roster %u items, %u presences, %u messages "
          "+ typing); %zu-byte chunks; %u iterations; libxml2 %s\n",
          data->len, stanzas, sh.roster, sh.presences, sh.messages, chunk, iterations,
          xmlParserVersion);
  ts = g_new (double, iterations);
  tl = g_new (double, iterations);
  /* one warm-up each, then interleaved so both see the same machine */
  run_stream (data, chunk, stanzas);
  run_libxml2 (data, chunk);
  for (guint i = 0; i < iterations; i++) {
    ts[i] = run_stream (data, chunk, stanzas);
    tl[i] = run_libxml2 (data, chunk);
  }
  report ("stream", ts, iterations, data->len, stanzas);
  report ("libxml2", tl, iterations, data->len, stanzas);
  {
    double ms, ml;

    /* already sorted by report() */
    ms = iterations % 2 ? ts[iterations / 2] : (ts[iterations / 2 - 1] + ts[iterations / 2]) / 2;
    ml = iterations % 2 ? tl[iterations / 2] : (tl[iterations / 2 - 1] + tl[iterations / 2]) / 2;
    printf ("stream / libxml2 time: %.2fx\n", ms / ml);
  }
  g_free (ts);
  g_free (tl);
  g_string_free (data, TRUE);
  xmlCleanupParser ();
  return 0;
}
