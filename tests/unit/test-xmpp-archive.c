/* SPDX-License-Identifier: GPL-2.0-or-later */
/* XEP-0136 history: order, whose lines, the cut-off, the cap, and another
 * contact's chat kept out (issue 9.5). */
#include <string.h>
#include <glib.h>

#include "xmpp-archive.h"

/* <iq><chat with=… start=…>…</chat></iq> with lines "to:secs:body" or
 * "from:secs:body". */
static MsnpXmppNode *
reply (const char *with, const char *start, const char *const *lines)
{
  MsnpXmppNode *iq = msnp_xmpp_node_new ("iq", "jabber:client");
  MsnpXmppNode *chat = msnp_xmpp_node_add_child (iq, "chat", MSNP_XMPP_NS_ARCHIVE);

  msnp_xmpp_node_set_attr (chat, "with", with);
  msnp_xmpp_node_set_attr (chat, "start", start);
  for (; *lines != NULL; lines++) {
    g_auto (GStrv) part = g_strsplit (*lines, ":", 3);
    MsnpXmppNode *e = msnp_xmpp_node_add_child (chat, part[0], NULL);

    if (*part[1] != '\0')
      msnp_xmpp_node_set_attr (e, "secs", part[1]);
    if (part[2] != NULL)
      msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (e, "body", NULL), part[2]);
  }
  return iq;
}

static char *
describe (GPtrArray *lines)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++) {
    MsnpXmppArchiveLine *l = g_ptr_array_index (lines, i);
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT ":%s;", l->mine ? "me@" : "them@",
                            l->when, l->body);
  }
  return g_string_free (s, FALSE);
}

#define T0 "2026-01-01T00:00:00Z"
#define U0 G_GINT64_CONSTANT (1767225600)

static void
test_order_and_owner (void)
{
  static const char *const lines[] = {
    "from:20:second", "to:10:first", "note:5:a note", "to:30:", "from:bad:skipped",
    "to:20:second too", "from:40:third", NULL };
  g_autoptr (MsnpXmppNode) iq = reply ("Bob@localhost/res", T0, lines);
  g_autoptr (GPtrArray) got = msnp_xmpp_archive_lines (iq, "bob@localhost", U0 + 1000, 10);
  g_autofree char *text = describe (got);

  g_assert_cmpstr (text, ==, "me@1767225610:first;them@1767225620:second;"
                   "me@1767225620:second too;them@1767225640:third;");
}

static void
test_cut_off_and_cap (void)
{
  static const char *const lines[] = {
    "to:1:a", "from:2:b", "to:3:c", "from:4:d", "from:5:live", NULL };
  g_autoptr (MsnpXmppNode) iq = reply ("bob@localhost", "2026-01-01T01:00:00+01:00", lines);
  g_autoptr (GPtrArray) got = msnp_xmpp_archive_lines (iq, "bob@localhost", U0 + 5, 3);
  g_autofree char *text = describe (got);

  /* newer than the opening is already on screen; only the 3 newest */
  g_assert_cmpstr (text, ==, "them@1767225602:b;me@1767225603:c;them@1767225604:d;");
}

static void
test_other_contact_kept_out (void)
{
  static const char *const lines[] = { "to:1:for carol only", NULL };
  g_autoptr (MsnpXmppNode) carol = reply ("carol@localhost", T0, lines);
  g_autoptr (MsnpXmppNode) nowith = reply (NULL, T0, lines);
  g_autoptr (MsnpXmppNode) badstart = reply ("bob@localhost", "yesterday", lines);
  g_autoptr (MsnpXmppNode) empty = msnp_xmpp_node_new ("iq", "jabber:client");
  g_autoptr (GPtrArray) a = msnp_xmpp_archive_lines (carol, "bob@localhost", U0 + 100, 10);
  g_autoptr (GPtrArray) b = msnp_xmpp_archive_lines (nowith, "bob@localhost", U0 + 100, 10);
  g_autoptr (GPtrArray) c = msnp_xmpp_archive_lines (badstart, "bob@localhost", U0 + 100, 10);
  g_autoptr (GPtrArray) d = msnp_xmpp_archive_lines (empty, "bob@localhost", U0 + 100, 10);
  g_autoptr (GPtrArray) e = msnp_xmpp_archive_lines (NULL, "bob@localhost", U0 + 100, 10);

  g_assert_cmpuint (a->len + b->len + c->len + d->len + e->len, ==, 0);
}

static void
test_drop_copy (void)
{
  static const char *const lines[] = {
    "from:1:hi", "to:2:hi", "from:3:hi", "from:4:other", "from:5:ok", "from:900:late", NULL };
  g_autoptr (MsnpXmppNode) iq = reply ("bob@localhost", T0, lines);
  g_autoptr (GPtrArray) got = msnp_xmpp_archive_lines (iq, "bob@localhost", U0 + 1000, 10);
  g_autofree char *text = NULL;

  msnp_xmpp_archive_drop_copy (got, "hi", U0 + 3);     /* the newest "hi" */
  msnp_xmpp_archive_drop_copy (got, "absent", U0 + 3);
  /* an "ok" an hour before the live one is another message */
  msnp_xmpp_archive_drop_copy (got, "ok", U0 + 5 + 3600);
  msnp_xmpp_archive_drop_copy (got, "late", U0 + 900 - MSNP_XMPP_ARCHIVE_SLACK);
  text = describe (got);
  g_assert_cmpstr (text, ==, "them@1767225601:hi;me@1767225602:hi;them@1767225604:other;"
                   "them@1767225605:ok;");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/xmpp-archive/order-and-owner", test_order_and_owner);
  g_test_add_func ("/xmpp-archive/cut-off-and-cap", test_cut_off_and_cap);
  g_test_add_func ("/xmpp-archive/other-contact-kept-out", test_other_contact_kept_out);
  g_test_add_func ("/xmpp-archive/drop-copy", test_drop_copy);
  return g_test_run ();
}
