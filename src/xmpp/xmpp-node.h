/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small XML element tree for XMPP stanzas: what the stream parser
 * produces and what the session builds to send.  Names are local names;
 * the namespace is kept per element (attributes carry no namespace, which
 * is all XMPP stanzas need — xml:lang is stored as "lang").
 *
 * Text is the concatenation of the element's own character data; mixed
 * content order is not kept (XMPP stanzas we read never need it).
 *
 * Threads and ownership: no loop; a tree is used from one thread at a
 * time.  A node owns its children, attributes and text; const results
 * point into the tree and live until it changes or is freed; char *
 * results are the caller's.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MsnpXmppNode MsnpXmppNode;

struct _MsnpXmppNode {
  char         *name;
  char         *ns;        /* never NULL once in a tree: "" for none */
  GPtrArray    *attrs;     /* char * pairs: name, value, name, value … */
  GString      *text;
  GPtrArray    *children;  /* MsnpXmppNode *, owned */
  MsnpXmppNode *parent;    /* not owned */
};

/* A new element; @ns NULL means "inherit from the parent when added". */
MsnpXmppNode *msnp_xmpp_node_new (const char *name, const char *ns);
void          msnp_xmpp_node_free (MsnpXmppNode *node);

/* Adds and returns a new child; @ns NULL inherits the parent's. */
MsnpXmppNode *msnp_xmpp_node_add_child (MsnpXmppNode *node, const char *name,
                                        const char *ns);
/* Takes ownership of @child. */
void msnp_xmpp_node_append (MsnpXmppNode *node, MsnpXmppNode *child);

/* Sets (replaces) an attribute; @value NULL removes it. */
void        msnp_xmpp_node_set_attr (MsnpXmppNode *node, const char *name,
                                     const char *value);
const char *msnp_xmpp_node_get_attr (const MsnpXmppNode *node,
                                     const char *name);

void        msnp_xmpp_node_set_text (MsnpXmppNode *node, const char *text);
const char *msnp_xmpp_node_get_text (const MsnpXmppNode *node);

/* First child with that local name and namespace (@ns NULL: any). */
MsnpXmppNode *msnp_xmpp_node_find (const MsnpXmppNode *node, const char *name,
                                   const char *ns);
/* Text of the first such child, or NULL. */
const char *msnp_xmpp_node_find_text (const MsnpXmppNode *node,
                                      const char *name, const char *ns);

/* Serialises with escaping of text and attribute values; an xmlns is
 * written wherever the namespace differs from the parent's
 * (@parent_ns: the namespace in scope around @node). */
char *msnp_xmpp_node_to_string (const MsnpXmppNode *node,
                                const char *parent_ns);

/* Rough heap size, used for the stanza size cap. */
gsize msnp_xmpp_node_weight (const MsnpXmppNode *node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpXmppNode, msnp_xmpp_node_free)

G_END_DECLS
