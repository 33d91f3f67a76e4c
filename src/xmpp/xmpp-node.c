/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "xmpp-node.h"

MsnpXmppNode *
msnp_xmpp_node_new (const char *name, const char *ns)
{
  MsnpXmppNode *node = g_new0 (MsnpXmppNode, 1);

  node->name = g_strdup (name);
  node->ns = g_strdup (ns);
  node->attrs = g_ptr_array_new_with_free_func (g_free);
  node->text = g_string_new (NULL);
  node->children = g_ptr_array_new_with_free_func (
      (GDestroyNotify) msnp_xmpp_node_free);
  return node;
}

void
msnp_xmpp_node_free (MsnpXmppNode *node)
{
  if (node == NULL)
    return;
  g_ptr_array_unref (node->children);
  g_ptr_array_unref (node->attrs);
  g_string_free (node->text, TRUE);
  g_free (node->name);
  g_free (node->ns);
  g_free (node);
}

void
msnp_xmpp_node_append (MsnpXmppNode *node, MsnpXmppNode *child)
{
  if (child->ns == NULL)
    child->ns = g_strdup (node->ns != NULL ? node->ns : "");
  child->parent = node;
  g_ptr_array_add (node->children, child);
}

MsnpXmppNode *
msnp_xmpp_node_add_child (MsnpXmppNode *node, const char *name, const char *ns)
{
  MsnpXmppNode *child = msnp_xmpp_node_new (name, ns);

  msnp_xmpp_node_append (node, child);
  return child;
}

static gint
attr_index (const MsnpXmppNode *node, const char *name)
{
  for (guint i = 0; i + 1 < node->attrs->len; i += 2)
    if (strcmp (g_ptr_array_index (node->attrs, i), name) == 0)
      return (gint) i;
  return -1;
}

void
msnp_xmpp_node_set_attr (MsnpXmppNode *node, const char *name,
                         const char *value)
{
  gint i = attr_index (node, name);

  if (i >= 0 && value == NULL) {
    g_ptr_array_remove_range (node->attrs, (guint) i, 2);
    return;
  }
  if (value == NULL)
    return;
  if (i >= 0) {
    g_free (g_ptr_array_index (node->attrs, i + 1));
    g_ptr_array_index (node->attrs, i + 1) = g_strdup (value);
    return;
  }
  g_ptr_array_add (node->attrs, g_strdup (name));
  g_ptr_array_add (node->attrs, g_strdup (value));
}

const char *
msnp_xmpp_node_get_attr (const MsnpXmppNode *node, const char *name)
{
  gint i = node != NULL ? attr_index (node, name) : -1;

  return i >= 0 ? g_ptr_array_index (node->attrs, i + 1) : NULL;
}

void
msnp_xmpp_node_set_text (MsnpXmppNode *node, const char *text)
{
  g_string_assign (node->text, text != NULL ? text : "");
}

const char *
msnp_xmpp_node_get_text (const MsnpXmppNode *node)
{
  return node != NULL ? node->text->str : NULL;
}

MsnpXmppNode *
msnp_xmpp_node_find (const MsnpXmppNode *node, const char *name,
                     const char *ns)
{
  if (node == NULL)
    return NULL;
  for (guint i = 0; i < node->children->len; i++) {
    MsnpXmppNode *c = g_ptr_array_index (node->children, i);

    if (strcmp (c->name, name) == 0
        && (ns == NULL || g_strcmp0 (c->ns, ns) == 0))
      return c;
  }
  return NULL;
}

const char *
msnp_xmpp_node_find_text (const MsnpXmppNode *node, const char *name,
                          const char *ns)
{
  MsnpXmppNode *c = msnp_xmpp_node_find (node, name, ns);

  return c != NULL ? c->text->str : NULL;
}

/* XML escaping; in attribute values quotes and whitespace controls too,
 * so that a value survives attribute-value normalisation unchanged. */
static void
append_escaped (GString *out, const char *s, gboolean attr)
{
  for (; *s != '\0'; s++) {
    switch (*s) {
    case '&': g_string_append (out, "&amp;"); break;
    case '<': g_string_append (out, "&lt;"); break;
    case '>': g_string_append (out, "&gt;"); break;
    case '"': g_string_append (out, attr ? "&quot;" : "\""); break;
    case '\'': g_string_append (out, attr ? "&apos;" : "'"); break;
    case '\n': g_string_append (out, attr ? "&#10;" : "\n"); break;
    case '\r': g_string_append (out, "&#13;"); break;
    case '\t': g_string_append (out, attr ? "&#9;" : "\t"); break;
    default:
      /* Control characters are not allowed in XML 1.0 at all. */
      if ((guchar) *s >= 0x20)
        g_string_append_c (out, *s);
      break;
    }
  }
}

static void
serialise (GString *out, const MsnpXmppNode *node, const char *parent_ns)
{
  const char *ns = node->ns != NULL ? node->ns : "";

  g_string_append_c (out, '<');
  g_string_append (out, node->name);
  if (g_strcmp0 (ns, parent_ns) != 0) {
    g_string_append (out, " xmlns='");
    append_escaped (out, ns, TRUE);
    g_string_append_c (out, '\'');
  }
  for (guint i = 0; i + 1 < node->attrs->len; i += 2) {
    const char *name = g_ptr_array_index (node->attrs, i);

    g_string_append_printf (out, " %s%s='",
                            strcmp (name, "lang") == 0 ? "xml:" : "", name);
    append_escaped (out, g_ptr_array_index (node->attrs, i + 1), TRUE);
    g_string_append_c (out, '\'');
  }
  if (node->children->len == 0 && node->text->len == 0) {
    g_string_append (out, "/>");
    return;
  }
  g_string_append_c (out, '>');
  append_escaped (out, node->text->str, FALSE);
  for (guint i = 0; i < node->children->len; i++)
    serialise (out, g_ptr_array_index (node->children, i), ns);
  g_string_append_printf (out, "</%s>", node->name);
}

char *
msnp_xmpp_node_to_string (const MsnpXmppNode *node, const char *parent_ns)
{
  GString *out = g_string_new (NULL);

  serialise (out, node, parent_ns != NULL ? parent_ns : "");
  return g_string_free (out, FALSE);
}

gsize
msnp_xmpp_node_weight (const MsnpXmppNode *node)
{
  gsize w = sizeof *node + strlen (node->name) + node->text->allocated_len;

  for (guint i = 0; i < node->attrs->len; i++)
    w += strlen (g_ptr_array_index (node->attrs, i)) + sizeof (gpointer);
  for (guint i = 0; i < node->children->len; i++)
    w += msnp_xmpp_node_weight (g_ptr_array_index (node->children, i));
  return w;
}
