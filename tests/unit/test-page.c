/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pages to and from mobile devices: the PAG/PGD payload (escaping, the
 * length limit), IPG parsing (tolerant, hostile input), the notification
 * session's page requests and their refusals (PAG refused → PGD), and
 * the mobile bits of the list model (BPR MOB/MBE/HSB, PRP MOB/MBE). */
#include "config.h"

#include <string.h>

#include "msnp-ns.h"
#include "msnp-page.h"
#include "ns-recorder.h"

/* ---- payload building --------------------------------------------------- */

static char *
build (const char *text, gboolean pgd)
{
  g_autoptr (GBytes) b = msnp_page_build (text, pgd, NULL);

  return b != NULL ? g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b))
                   : NULL;
}

static void
test_build (void)
{
  g_autofree char *pag = build ("This is an example message.", FALSE);
  g_autofree char *pgd = build ("This is an example message.", TRUE);
  g_autofree char *esc = build ("a<b>&c;d^e \"f\"", TRUE);
  g_autofree char *ctl = build ("bell\a esc\x1b[0m\r\nline\ttab", FALSE);

  /* The examples of msnp-wiki pag.md (61 bytes) and pgd.md.  pgd.md says
   * 74 for its first example, but enc="utf-8" adds 12 bytes to PAG's 61,
   * as its own call-back examples show (PAG 149, PGD 161): 73. */
  g_assert_cmpstr (pag, ==, "<TEXT xml:space=\"preserve\">This is an example message.</TEXT>");
  g_assert_cmpuint (strlen (pag), ==, 61);
  g_assert_cmpstr (pgd, ==, "<TEXT xml:space=\"preserve\" enc=\"utf-8\">"
                            "This is an example message.</TEXT>");
  g_assert_cmpuint (strlen (pgd), ==, 73);
  g_assert_cmpstr (esc, ==, "<TEXT xml:space=\"preserve\" enc=\"utf-8\">"
                            "a&#x3C;b&#x3E;&amp;c&#x3B;d&#x5E;e \"f\"</TEXT>");
  g_assert_cmpstr (ctl, ==, "<TEXT xml:space=\"preserve\">bell esc[0m\nline\ttab</TEXT>");
}

static void
test_build_limits (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  GBytes *b;

  for (int i = 0; i < MSNP_PAGE_MAX_CHARS; i++)
    g_string_append (text, "\xc3\xa9");     /* é: two bytes, one character */
  b = msnp_page_build (text->str, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (b);
  g_bytes_unref (b);
  g_string_append_c (text, 'x');
  g_assert_null (msnp_page_build (text->str, TRUE, &error));
  g_assert_error (error, MSNP_PAGE_ERROR, MSNP_PAGE_ERROR_TOO_LONG);
  g_clear_error (&error);
  g_assert_null (msnp_page_build (" \x01\r\n ", TRUE, &error));
  g_assert_error (error, MSNP_PAGE_ERROR, MSNP_PAGE_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (msnp_page_build (NULL, TRUE, &error));
  g_assert_error (error, MSNP_PAGE_ERROR, MSNP_PAGE_ERROR_EMPTY);
}

/* ---- IPG ---------------------------------------------------------------- */

/* The shape of kb.imfreedom.org "MSN/notifications". */
#define IPG_BODY(from, id, text) \
  "<NOTIFICATION id=\"3\" siteid=\"111100400\" siteurl=\"http://mobile.msn.com/\">" \
  "<TO name=\"me@example.com\"><VIA agent=\"mobile\"/></TO>" \
  "<FROM name=\"" from "\"/><MSG pri=\"1\" id=\"" id "\"><CAT Id=\"110110001\"/>" \
  "<ACTION url=\"2wayIM.asp\"/><SUBSCR url=\"2wayIM.asp\"/>" \
  "<BODY lcid=\"1033\"><TEXT>" text "</TEXT></BODY></MSG></NOTIFICATION>"

static gboolean
parse (const char *payload, MsnpPageIn *in)
{
  return msnp_page_parse ((const guint8 *) payload, strlen (payload), in);
}

static void
test_parse (void)
{
  MsnpPageIn in;

  g_assert_true (parse (IPG_BODY ("bob@example.com", "1", "Hi &amp; bye &#x3C;3"), &in));
  g_assert_cmpstr (in.from, ==, "bob@example.com");
  g_assert_cmpstr (in.text, ==, "Hi & bye <3");
  g_assert_false (in.too_long);
  msnp_page_in_clear (&in);

  g_assert_true (parse (IPG_BODY ("tel:+15551234", "407", ""), &in));
  g_assert_cmpstr (in.from, ==, "tel:+15551234");
  g_assert_cmpstr (in.text, ==, "");
  g_assert_true (in.too_long);
  msnp_page_in_clear (&in);

  /* Broken tail: what came before it still counts; controls dropped. */
  g_assert_true (parse ("<NOTIFICATION><FROM name=\"a@b.c\"/><MSG><BODY><TEXT>x&#x7;y\n"
                        "z</TEXT></BODY><MSG><<<", &in));
  g_assert_cmpstr (in.from, ==, "a@b.c");
  g_assert_cmpstr (in.text, ==, "xy\nz");
  msnp_page_in_clear (&in);
}

static void
test_parse_hostile (void)
{
  static const char *const bad[] = {
    "", "not xml at all", "<HTML><TEXT>hi</TEXT></HTML>",
    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><NOTIFICATION>&e;</NOTIFICATION>",
  };
  g_autoptr (GString) big = g_string_new ("<NOTIFICATION><FROM name=\"a@b.c\"/><TEXT>");
  MsnpPageIn in;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    gboolean ok = parse (bad[i], &in);
    /* Never anything from a file; a DOCTYPE stops GMarkup cold. */
    if (ok)
      g_assert_true (in.text == NULL || strstr (in.text, "root") == NULL);
    msnp_page_in_clear (&in);
  }
  g_assert_false (msnp_page_parse (NULL, 0, &in));
  while (big->len <= MSNP_PAGE_MAX_PAYLOAD)
    g_string_append (big, "aaaaaaaa");
  g_assert_false (msnp_page_parse ((const guint8 *) big->str, big->len, &in));
  g_assert_null (in.from);
  /* Every prefix of a good payload: no crash, nothing past the end. */
  {
    const char *good = IPG_BODY ("bob@example.com", "1", "hello");
    for (gsize n = 0; n <= strlen (good); n++) {
      g_autofree char *copy = g_memdup2 (good, n);
      msnp_page_parse ((const guint8 *) copy, n, &in);
      msnp_page_in_clear (&in);
    }
  }
}

/* ---- the notification session ------------------------------------------- */

/* Signed in; bob has a mobile device that takes pages (MOB, MBE) and a
 * Space; our own MOB is Y and MBE N. */
static MsnpNs *
online (NsRecorder *r)
{
  return ns_recorder_sign_in (r, "10 2 1\r\nGTC A\r\nBLP AL\r\n"
            "PRP MOB Y\r\nPRP MBE N\r\nLSG 0 Other 0\r\n"
            "LST bob@example.com Bob 3 0\r\nBPR PHM 555\r\nBPR MOB Y\r\nBPR MBE Y\r\n"
            "BPR HSB 1\r\nLST amy@example.com Amy 3 0\r\nBPR MOB N\r\n");
}

static void
test_model (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online (r);
  MsnpLists *lists = msnp_ns_get_lists (ns);
  const MsnpContact *bob = msnp_lists_lookup (lists, "bob@example.com");
  const MsnpContact *amy = msnp_lists_lookup (lists, "amy@example.com");
  g_autoptr (GString) cache = g_string_new (NULL);

  g_assert_true (bob->mobile && bob->mobile_device && bob->space);
  g_assert_false (amy->mobile || amy->mobile_device || amy->space);
  g_assert_true (msnp_lists_get_own_mobile (lists, MSNP_MOBILE_ALLOW_PAGES));
  g_assert_false (msnp_lists_get_own_mobile (lists, MSNP_MOBILE_DEVICE));
  /* The cache keeps all of it. */
  msnp_lists_write_cache (lists, cache);
  g_assert_nonnull (strstr (cache->str, "PRP MOB Y\r\n"));
  g_assert_null (strstr (cache->str, "PRP MBE"));
  g_assert_nonnull (strstr (cache->str, "BPR MOB Y\r\nBPR MBE Y\r\nBPR HSB 1\r\n"));

  /* Our own settings: the request, then the server's echo is the truth. */
  g_assert_cmpuint (msnp_ns_set_mobile (ns, MSNP_MOBILE_DEVICE, TRUE), ==, 7);
  g_assert_cmpuint (msnp_ns_set_mobile (ns, MSNP_MOBILE_ALLOW_PAGES, FALSE), ==, 8);
  g_assert_cmpstr (r->written->str, ==, "PRP 7 MBE Y\r\nPRP 8 MOB N\r\n");
  g_assert_false (msnp_lists_get_own_mobile (lists, MSNP_MOBILE_DEVICE));
  ns_feed (ns, "PRP 7 11 MBE Y\r\nPRP 8 12 MOB N\r\n");
  g_assert_true (msnp_lists_get_own_mobile (lists, MSNP_MOBILE_DEVICE));
  g_assert_false (msnp_lists_get_own_mobile (lists, MSNP_MOBILE_ALLOW_PAGES));
  g_assert_true (ns_recorder_has (r, "changed 7 kind=9 mobile=1 Y"));
  g_assert_true (ns_recorder_has (r, "changed 8 kind=9 mobile=0 N"));
  /* A contact's MOB changing later (long BPR form). */
  ns_feed (ns, "BPR 13 amy@example.com MOB Y\r\n");
  g_assert_true (msnp_lists_lookup (lists, "amy@example.com")->mobile);
  msnp_ns_free (ns);
}

static void
test_send_and_refusals (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online (r);
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) longer = g_string_new (NULL);

  /* MSNP8's PAG first. */
  g_assert_cmpuint (msnp_ns_send_page (ns, "bob@example.com", "Call me", NULL), ==, 7);
  g_assert_cmpstr (r->written->str, ==,
                   "PAG 7 bob@example.com 41\r\n<TEXT xml:space=\"preserve\">Call me</TEXT>");
  g_string_truncate (r->written, 0);
  /* A server that knows only PGD: the page goes again as PGD, silently;
   * later pages go as PGD at once. */
  ns_feed (ns, "715 7\r\n");
  g_assert_cmpuint (r->events->len, ==, 0);
  g_assert_cmpstr (r->written->str, ==,
                   "PGD 8 bob@example.com 1 53\r\n"
                   "<TEXT xml:space=\"preserve\" enc=\"utf-8\">Call me</TEXT>");
  g_string_truncate (r->written, 0);
  /* Its refusal is reported under the TrID the owner was given. */
  ns_feed (ns, "217 8\r\n");
  g_assert_true (ns_recorder_has (r, "page-failed 7 217"));
  g_assert_cmpuint (msnp_ns_send_page (ns, "amy@example.com", "x", NULL), ==, 9);
  g_assert_true (g_str_has_prefix (r->written->str, "PGD 9 amy@example.com 1 47\r\n"));
  ns_feed (ns, "205 9\r\n");
  g_assert_true (ns_recorder_has (r, "page-failed 9 205"));
  /* Not sent at all: too long, empty, a passport that is not a token. */
  for (int i = 0; i <= MSNP_PAGE_MAX_CHARS; i++)
    g_string_append_c (longer, 'a');
  g_string_truncate (r->written, 0);
  g_assert_cmpuint (msnp_ns_send_page (ns, "bob@example.com", longer->str, &error), ==, 0);
  g_assert_error (error, MSNP_PAGE_ERROR, MSNP_PAGE_ERROR_TOO_LONG);
  g_assert_cmpuint (msnp_ns_send_page (ns, "a b@c.d", "hi", NULL), ==, 0);
  g_assert_cmpstr (r->written->str, ==, "");
  msnp_ns_free (ns);
}

static void
test_incoming (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online (r);
  const char *body = IPG_BODY ("bob@example.com", "1", "On my way &amp; late");
  const char *late = IPG_BODY ("bob@example.com", "407", "");
  g_autofree char *wire = g_strdup_printf ("IPG %zu\r\n%sIPG %zu\r\n%sIPG 5\r\nhello"
                                           "IPG 0\r\nCHG 9 NLN 0\r\n",
                                           strlen (body), body, strlen (late), late);

  /* Split at every byte: the same events. */
  for (gsize cut = 0; cut <= strlen (wire); cut += 7) {
    g_autoptr (NsRecorder) r2 = ns_recorder_new ();
    MsnpNs *ns2 = online (r2);
    g_assert_true (msnp_ns_feed (ns2, (const guint8 *) wire, cut));
    g_assert_true (msnp_ns_feed (ns2, (const guint8 *) wire + cut, strlen (wire) - cut));
    /* Two pages; no refusal, no error, no list change (the CHG after
     * them is answered as usual). */
    g_assert_cmpuint (ns_recorder_count (r2, "page "), ==, 2);
    g_assert_cmpuint (ns_recorder_count (r2, "page-failed"), ==, 0);
    g_assert_cmpuint (ns_recorder_count (r2, "server-error"), ==, 0);
    g_assert_cmpuint (ns_recorder_count (r2, "changed"), ==, 0);
    g_assert_false (ns_recorder_has (r2, "closed"));
    g_assert_true (ns_recorder_has (r2, "page bob@example.com [On my way & late]"));
    g_assert_true (ns_recorder_has (r2, "page bob@example.com [] too-long"));
    g_assert_true (msnp_ns_is_online (ns2));
    msnp_ns_free (ns2);
  }
  msnp_ns_free (ns);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/page/build", test_build);
  g_test_add_func ("/page/build-limits", test_build_limits);
  g_test_add_func ("/page/parse", test_parse);
  g_test_add_func ("/page/parse-hostile", test_parse_hostile);
  g_test_add_func ("/page/ns/model", test_model);
  g_test_add_func ("/page/ns/send-and-refusals", test_send_and_refusals);
  g_test_add_func ("/page/ns/incoming", test_incoming);
  return g_test_run ();
}
