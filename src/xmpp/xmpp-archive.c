/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "xmpp-archive.h"
#include "xmpp-session.h"

static void
line_free (gpointer data)
{
  MsnpXmppArchiveLine *line = data;

  g_free (line->body);
  g_free (line);
}

/* XEP-0082 date-time ("2008-08-22T21:09:04Z", fractions and offsets
 * allowed) → unix seconds; FALSE when it is none. */
static gboolean
parse_stamp (const char *stamp, gint64 *out)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) dt = stamp != NULL
      ? g_date_time_new_from_iso8601 (stamp, utc) : NULL;

  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

static gboolean
same_bare_jid (const char *a, const char *b)
{
  g_autofree char *x = msnp_xmpp_jid_bare (a);
  g_autofree char *y = msnp_xmpp_jid_bare (b);

  return x != NULL && y != NULL && g_ascii_strcasecmp (x, y) == 0;
}

static gint
by_time (gconstpointer a, gconstpointer b)
{
  const MsnpXmppArchiveLine *x = *(MsnpXmppArchiveLine *const *) a;
  const MsnpXmppArchiveLine *y = *(MsnpXmppArchiveLine *const *) b;

  return x->when < y->when ? -1 : x->when > y->when;
}

static MsnpXmppArchiveLine *
line_from (const MsnpXmppNode *e, gint64 start)
{
  const char *body = msnp_xmpp_node_find_text (e, "body", NULL);
  const char *secs = msnp_xmpp_node_get_attr (e, "secs");
  guint64 offset = 0;
  MsnpXmppArchiveLine *line;

  if (strcmp (e->name, "to") != 0 && strcmp (e->name, "from") != 0)
    return NULL;  /* <note/>, extensions */
  if (body == NULL || *body == '\0'
      || (secs != NULL
          && !g_ascii_string_to_unsigned (secs, 10, 0, G_MAXINT32, &offset, NULL)))
    return NULL;
  line = g_new0 (MsnpXmppArchiveLine, 1);
  line->when = start + (gint64) offset;
  line->mine = strcmp (e->name, "to") == 0;
  line->body = g_strdup (body);
  return line;
}

GPtrArray *
msnp_xmpp_archive_lines (const MsnpXmppNode *reply, const char *with,
                         gint64 before, guint max)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (line_free);
  MsnpXmppNode *chat = reply != NULL
      ? msnp_xmpp_node_find (reply, "chat", MSNP_XMPP_NS_ARCHIVE) : NULL;
  gint64 start = 0;

  if (chat == NULL || !same_bare_jid (msnp_xmpp_node_get_attr (chat, "with"), with)
      || !parse_stamp (msnp_xmpp_node_get_attr (chat, "start"), &start))
    return lines;
  for (guint i = 0; i < chat->children->len; i++) {
    MsnpXmppArchiveLine *line = line_from (g_ptr_array_index (chat->children, i),
                                           start);

    if (line != NULL && line->when < before)
      g_ptr_array_add (lines, line);
    else if (line != NULL)
      line_free (line);
  }
  /* Stable, so lines of the same second keep the server's order. */
  g_ptr_array_sort (lines, by_time);
  if (lines->len > max)
    g_ptr_array_remove_range (lines, 0, lines->len - max);
  return lines;
}

void
msnp_xmpp_archive_drop_copy (GPtrArray *lines, const char *body, gint64 when)
{
  for (guint i = lines->len; i-- > 0;) {
    MsnpXmppArchiveLine *line = g_ptr_array_index (lines, i);

    if (!line->mine && g_strcmp0 (line->body, body) == 0
        && ABS (line->when - when) <= MSNP_XMPP_ARCHIVE_SLACK) {
      g_ptr_array_remove_index (lines, i);
      return;
    }
  }
}
