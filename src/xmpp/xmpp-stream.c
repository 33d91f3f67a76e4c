/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "xmpp-error.h"
#include "xmpp-stream.h"

/* Bytes handed to libxml2 at a time, so that the size cap is checked
 * while a stanza is still arriving rather than after it has been
 * buffered whole. */
#define FEED_PIECE 4096

/* What the bytes look like at the current position, as far as the caps
 * need to know (see raw_scan()). */
typedef enum {
  RAW_TEXT,    /* character data, or between stanzas */
  RAW_LT,      /* just after '<' */
  RAW_TAG,     /* inside a start or end tag, outside quotes */
  RAW_VALUE,   /* inside a quoted attribute value */
  RAW_MARKUP,  /* <?…>, <!…>: up to the next '>' */
  RAW_CDATA,   /* inside <![CDATA[ … ]]> */
} RawState;

#define RAW_NO_CDATA G_MAXUINT

typedef struct {
  RawState state;
  char     quote;        /* the quote that ends RAW_VALUE */
  guint    match;        /* RAW_MARKUP: bytes of "![CDATA[" seen; RAW_CDATA: ']'s */
  gboolean end_tag;      /* the tag is </…> */
  gboolean slash;        /* the last byte of the tag so far was '/' */
  guint    attrs;        /* '=' outside quotes in this tag */
  guint    depth;        /* element depth; 1 = inside <stream:stream> */
  gsize    stanza_bytes; /* bytes since the last stanza (or header) ended */
} RawScan;

struct _MsnpXmppStream {
  const MsnpXmppStreamEvents *ev;
  gpointer                    user;
  xmlSAXHandler               sax;
  xmlParserCtxtPtr            ctxt;

  guint         depth;          /* 1 = inside <stream:stream> */
  MsnpXmppNode *current;        /* innermost open element of a stanza */
  RawScan       raw;            /* the caps, checked before libxml2 */
  gsize         stanza_weight;  /* memory held by the stanza being built */
  gsize         max_stanza;
  gboolean      reset_requested;
  GError       *error;          /* sticky: the stream is dead */
};

G_DEFINE_QUARK (msnp-xmpp-error-quark, msnp_xmpp_error)

static void
fail (MsnpXmppStream *s, MsnpXmppErrorCode code, const char *message)
{
  if (s->error == NULL)
    s->error = g_error_new_literal (MSNP_XMPP_ERROR, code, message);
  xmlStopParser (s->ctxt);
}

static MsnpXmppNode *
node_from_sax (const xmlChar *localname, const xmlChar *uri, int nb_attributes,
               const xmlChar **attributes, gsize *weight)
{
  MsnpXmppNode *node = msnp_xmpp_node_new ((const char *) localname,
                                           uri != NULL ? (const char *) uri : "");

  *weight += 64 + strlen ((const char *) localname);
  /* SAX2 attributes come as 5-tuples: localname, prefix, URI, value
   * start, value end (the value is not NUL-terminated). */
  for (int i = 0; i < nb_attributes; i++) {
    const xmlChar **a = attributes + 5 * i;
    g_autofree char *value = g_strndup ((const char *) a[3], a[4] - a[3]);

    *weight += 32 + strlen ((const char *) a[0]) + (gsize) (a[4] - a[3]);
    msnp_xmpp_node_set_attr (node, (const char *) a[0], value);
  }
  return node;
}

static void
sax_start (void *ctx, const xmlChar *localname, const xmlChar *prefix,
           const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
           int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
  MsnpXmppStream *s = ctx;
  gsize weight = 0;
  MsnpXmppNode *node;

  if (s->error != NULL || s->reset_requested)
    return;
  if (s->depth >= MSNP_XMPP_STREAM_MAX_DEPTH) {
    fail (s, MSNP_XMPP_ERROR_LIMIT, "elements nested too deeply");
    return;
  }
  node = node_from_sax (localname, uri, nb_attributes, attributes, &weight);
  s->depth++;
  if (s->depth == 1) {
    s->ev->stream_start (s->user, node);
    msnp_xmpp_node_free (node);
    return;
  }
  if (s->depth == 2)
    s->stanza_weight = 0;
  s->stanza_weight += weight;
  if (s->current != NULL)
    msnp_xmpp_node_append (s->current, node);
  s->current = node;
}

static void
sax_end (void *ctx, const xmlChar *localname, const xmlChar *prefix,
         const xmlChar *uri)
{
  MsnpXmppStream *s = ctx;
  MsnpXmppNode *done = s->current;

  if (s->error != NULL || s->reset_requested || s->depth == 0)
    return;
  s->depth--;
  if (s->depth == 0) {
    s->ev->stream_end (s->user);
    return;
  }
  s->current = done->parent;
  if (s->depth == 1) {
    s->ev->stanza (s->user, done);
    msnp_xmpp_node_free (done);
  }
}

static void
sax_characters (void *ctx, const xmlChar *ch, int len)
{
  MsnpXmppStream *s = ctx;

  /* Between stanzas only whitespace keepalives are expected: ignore. */
  if (s->error != NULL || s->reset_requested || s->current == NULL)
    return;
  s->stanza_weight += (gsize) len;
  if (s->stanza_weight > s->max_stanza) {
    fail (s, MSNP_XMPP_ERROR_LIMIT, "stanza too large");
    return;
  }
  g_string_append_len (s->current->text, (const char *) ch, len);
}

/* A DTD is where entities would be declared: XMPP forbids it (RFC 6120
 * 11.1), and refusing it here means no entity is ever defined. */
static void
sax_internal_subset (void *ctx, const xmlChar *name, const xmlChar *external_id,
                     const xmlChar *system_id)
{
  fail (ctx, MSNP_XMPP_ERROR_PARSE, "document type declarations are not allowed");
}

static void
sax_entity_decl (void *ctx, const xmlChar *name, int type,
                 const xmlChar *public_id, const xmlChar *system_id,
                 xmlChar *content)
{
  fail (ctx, MSNP_XMPP_ERROR_PARSE, "entity declarations are not allowed");
}

static xmlEntityPtr
sax_get_entity (void *ctx, const xmlChar *name)
{
  return NULL;
}

static void
sax_error (void *ctx, xmlErrorPtr err)
{
  MsnpXmppStream *s = ctx;

  if (err == NULL || err->level != XML_ERR_FATAL || s->error != NULL)
    return;
  g_autofree char *msg = g_strdup (err->message != NULL ? err->message
                                                        : "bad XML");

  s->error = g_error_new_literal (MSNP_XMPP_ERROR, MSNP_XMPP_ERROR_PARSE,
                                  g_strstrip (msg));
}

/* Frees a stanza that was still being built. */
static void
drop_partial (MsnpXmppStream *s)
{
  MsnpXmppNode *top = s->current;

  while (top != NULL && top->parent != NULL)
    top = top->parent;
  msnp_xmpp_node_free (top);
  s->current = NULL;
}

static void
new_parser (MsnpXmppStream *s)
{
  if (s->ctxt != NULL)
    xmlFreeParserCtxt (s->ctxt);
  drop_partial (s);
  s->depth = 0;
  memset (&s->raw, 0, sizeof s->raw);
  s->stanza_weight = 0;
  s->ctxt = xmlCreatePushParserCtxt (&s->sax, s, NULL, 0, NULL);
  xmlCtxtUseOptions (s->ctxt, XML_PARSE_NONET);
}

MsnpXmppStream *
msnp_xmpp_stream_new (const MsnpXmppStreamEvents *events, gpointer user)
{
  MsnpXmppStream *s = g_new0 (MsnpXmppStream, 1);

  s->ev = events;
  s->user = user;
  s->max_stanza = MSNP_XMPP_STREAM_MAX_STANZA;
  /* Only what a stream needs; everything document-building is off. */
  memset (&s->sax, 0, sizeof s->sax);
  s->sax.initialized = XML_SAX2_MAGIC;
  s->sax.startElementNs = sax_start;
  s->sax.endElementNs = sax_end;
  s->sax.characters = sax_characters;
  s->sax.cdataBlock = sax_characters;
  s->sax.internalSubset = sax_internal_subset;
  s->sax.externalSubset = sax_internal_subset;
  s->sax.entityDecl = sax_entity_decl;
  s->sax.getEntity = sax_get_entity;
  s->sax.getParameterEntity = sax_get_entity;
  s->sax.serror = sax_error;
  new_parser (s);
  return s;
}

void
msnp_xmpp_stream_free (MsnpXmppStream *s)
{
  if (s == NULL)
    return;
  drop_partial (s);
  if (s->ctxt != NULL)
    xmlFreeParserCtxt (s->ctxt);
  g_clear_error (&s->error);
  g_free (s);
}

void
msnp_xmpp_stream_set_max_stanza (MsnpXmppStream *s, gsize max)
{
  s->max_stanza = max;
}

void
msnp_xmpp_stream_reset (MsnpXmppStream *s)
{
  /* Inside a callback the context is in use: stop it and swap it once
   * xmlParseChunk() has returned. */
  s->reset_requested = TRUE;
  xmlStopParser (s->ctxt);
}

static gboolean
feed_piece (MsnpXmppStream *s, const guint8 *data, gsize len)
{
  int rc = xmlParseChunk (s->ctxt, (const char *) data, (int) len, 0);

  if (s->reset_requested) {
    s->reset_requested = FALSE;
    new_parser (s);
    return FALSE;  /* drop the rest of this input; see the header */
  }
  if (s->error == NULL && rc != 0)
    s->error = g_error_new (MSNP_XMPP_ERROR, MSNP_XMPP_ERROR_PARSE,
                            "XML error %d", rc);
  return s->error == NULL;
}

/* A '>' closed a tag: track the element depth, and start counting anew
 * when a stanza (or the stream header) is complete. */
static void
raw_tag_closed (RawScan *r)
{
  if (r->end_tag) {
    if (r->depth > 0)
      r->depth--;
  } else if (!r->slash) {
    r->depth++;
  }
  if (r->depth == 1 || (r->depth == 0 && !r->end_tag && r->slash))
    r->stanza_bytes = 0;
  r->state = RAW_TEXT;
}

/* One byte of the scan; FALSE with @why set when a cap is exceeded. */
static gboolean
raw_byte (RawScan *r, char c, gsize max_stanza, const char **why)
{
  static const char cdata[] = "![CDATA[";

  if (++r->stanza_bytes > max_stanza) {
    *why = "stanza too large";
    return FALSE;
  }
  switch (r->state) {
  case RAW_TEXT:
    if (c == '<')
      r->state = RAW_LT;
    break;
  case RAW_LT:
    if (c == '!' || c == '?') {
      r->state = RAW_MARKUP;
      r->match = c == '!' ? 1 : RAW_NO_CDATA;
      break;
    }
    r->state = RAW_TAG;
    r->end_tag = c == '/';
    r->slash = FALSE;
    r->attrs = 0;
    if (c == '>')
      raw_tag_closed (r);
    break;
  case RAW_TAG:
    if (c == '"' || c == '\'') {
      r->state = RAW_VALUE;
      r->quote = c;
    } else if (c == '=' && ++r->attrs > MSNP_XMPP_STREAM_MAX_ATTRS) {
      *why = "too many attributes in one element";
      return FALSE;
    } else if (c == '>') {
      raw_tag_closed (r);
    }
    r->slash = c == '/';
    break;
  case RAW_VALUE:
    if (c == r->quote)
      r->state = RAW_TAG;
    break;
  case RAW_MARKUP:
    if (r->match != RAW_NO_CDATA)
      r->match = c == cdata[r->match] ? r->match + 1 : RAW_NO_CDATA;
    if (r->match == sizeof cdata - 1) {
      r->state = RAW_CDATA;
      r->match = 0;
    } else if (c == '>') {
      r->state = RAW_TEXT;
    }
    break;
  case RAW_CDATA:
    if (c == '>' && r->match >= 2)
      r->state = RAW_TEXT;
    r->match = c == ']' ? r->match + 1 : 0;
    break;
  }
  return TRUE;
}

/* Issue 13.3: libxml2 only looks at a start tag once it is complete, and
 * checks its attributes for duplicates in quadratic time — one tag with
 * 200,000 attributes held the main loop for minutes.  So the bytes are
 * scanned before libxml2 sees them: the stanza in progress (from the end
 * of the previous one, its unfinished start tag included) may not grow
 * past the size cap, nor one tag hold more than MSNP_XMPP_STREAM_MAX_ATTRS
 * attributes.  The scan knows just enough XML for that: tags, quoted
 * values, CDATA sections; comments and processing instructions (which
 * XMPP forbids) end at their first '>'. */
static gboolean
raw_scan (MsnpXmppStream *s, const guint8 *data, gsize len)
{
  RawScan *r = &s->raw;
  const char *why = NULL;

  for (gsize i = 0; i < len && why == NULL; i++) {
    /* Character data and attribute values (most of the bytes) end only
     * at one byte: skip to it. */
    if (r->state == RAW_TEXT || r->state == RAW_VALUE) {
      const guint8 *stop = memchr (data + i, r->state == RAW_TEXT ? '<' : r->quote,
                                   len - i);
      gsize run = stop != NULL ? (gsize) (stop - (data + i)) : len - i;

      r->stanza_bytes += run;
      i += run;
      if (r->stanza_bytes > s->max_stanza) {
        why = "stanza too large";
        break;
      }
      if (i == len)
        break;
    }
    raw_byte (r, (char) data[i], s->max_stanza, &why);
  }
  if (why == NULL)
    return TRUE;
  fail (s, MSNP_XMPP_ERROR_LIMIT, why);
  return FALSE;
}

gboolean
msnp_xmpp_stream_feed (MsnpXmppStream *s, const guint8 *data, gsize len,
                       GError **error)
{
  while (s->error == NULL && len > 0) {
    gsize n = MIN (len, FEED_PIECE);

    if (!raw_scan (s, data, n) || !feed_piece (s, data, n))
      break;
    data += n;
    len -= n;
  }
  if (s->error != NULL) {
    g_propagate_error (error, g_error_copy (s->error));
    return FALSE;
  }
  return TRUE;
}
