/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The XML stream of one XMPP connection: bytes in, stanzas out, through
 * libxml2's namespace-aware SAX2 push parser.
 *
 * Safe by construction: no network access, no DTD (a <!DOCTYPE> — and with
 * it every <!ENTITY> — is a fatal error), no entity expansion beyond the
 * five predefined ones, an element nesting cap, and caps on the bytes of
 * the stanza in progress and on the attributes of one element, checked on
 * the raw bytes before libxml2 sees them (it would buffer an unfinished
 * start tag whole, then check its attributes in quadratic time).  Input
 * may be split at any byte.
 *
 * Threads and ownership: sans-IO and loop-free; one stream per connection,
 * fed from one thread at a time (the glue's: libpurple's main loop).
 * Nodes handed to the callbacks are borrowed for the call.
 */
#pragma once

#include <glib.h>

#include "xmpp-node.h"

G_BEGIN_DECLS

#define MSNP_XMPP_STREAM_MAX_DEPTH   32
/* Large enough for a vCard with a photo, small enough to bound memory. */
#define MSNP_XMPP_STREAM_MAX_STANZA  (1024 * 1024)
/* Attributes (namespace declarations included) of one element: a stream
 * header has about seven, stanzas fewer. */
#define MSNP_XMPP_STREAM_MAX_ATTRS   64

typedef struct {
  /* The <stream:stream> open tag arrived; @header holds its attributes
   * (id, from, version …) and no children. */
  void (*stream_start) (gpointer user, const MsnpXmppNode *header);
  /* One complete top-level element; borrowed for the call. */
  void (*stanza)       (gpointer user, MsnpXmppNode *stanza);
  /* The peer closed the stream (</stream:stream>). */
  void (*stream_end)   (gpointer user);
} MsnpXmppStreamEvents;

typedef struct _MsnpXmppStream MsnpXmppStream;

MsnpXmppStream *msnp_xmpp_stream_new  (const MsnpXmppStreamEvents *events,
                                       gpointer user);
void            msnp_xmpp_stream_free (MsnpXmppStream *stream);

/* Parses @data.  Returns FALSE with @error set (MSNP_XMPP_ERROR_PARSE or
 * _LIMIT) when the stream is not acceptable; every later call fails too.
 * Callbacks fire from inside; they must not free the stream. */
gboolean msnp_xmpp_stream_feed (MsnpXmppStream *stream, const guint8 *data,
                                gsize len, GError **error);

/* Starts a new XML document (after STARTTLS or SASL success).  May be
 * called from a callback: whatever remains of the bytes being fed is
 * dropped, which is right because a server sends nothing more on the old
 * stream at those points. */
void msnp_xmpp_stream_reset (MsnpXmppStream *stream);

/* For tests: a smaller stanza cap. */
void msnp_xmpp_stream_set_max_stanza (MsnpXmppStream *stream, gsize max);

G_END_DECLS
