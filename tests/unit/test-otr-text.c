/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OTR over MSN: what pidgin-otr hands the plugin must reach the other
 * pidgin-otr byte for byte.  The path is the plugin's own: libpurple HTML
 * → text + X-MMS-IM-Format → MSG payloads (split at MSNP_SB_MAX_PAYLOAD
 * less the message-id room) → the peer's MIME parse → control stripping →
 * HTML again.  pidgin-otr 4.0 fragments "prpl-msn" messages at 1409
 * bytes (otr-plugin.c, mmsPairs) and looks for its whitespace tag (tabs
 * and spaces) in the received HTML. */
#include "config.h"

#include <string.h>

#include "msnp-command.h"
#include "msnp-format.h"
#include "msnp-mime.h"
#include "msnp-sb.h"

/* pidgin-otr's default for prpl-msn, and the room msn-switchboard.c keeps
 * for its Message-ID header. */
#define OTR_MSN_FRAGMENT 1409
#define MESSAGE_ID_ROOM 64

/* libotr's whitespace tag: base, then the v2 and v3 markers (proto.h). */
#define OTR_TAG " \t  \t\t\t\t \t \t \t  " "  \t\t  \t " "  \t\t  \t\t"

/* Sends @html through the plugin's outgoing path and the peer's incoming
 * path; returns the HTML the peer's conversation gets, and the number of
 * MSGs it took. */
static char *
round_trip (const char *html, guint *n_msgs)
{
  MsnpImFormat format = { 0 };
  g_autofree char *text = msnp_im_from_html (html, &format);
  GPtrArray *payloads = msnp_im_build_payloads (text, &format,
                                                MSNP_SB_MAX_PAYLOAD - MESSAGE_ID_ROOM);
  GString *received = g_string_new (NULL);

  g_assert_nonnull (payloads);
  *n_msgs = payloads->len;
  for (guint i = 0; i < payloads->len; i++) {
    GBytes *b = g_ptr_array_index (payloads, i);
    gsize size;
    const guint8 *data = g_bytes_get_data (b, &size);
    g_autoptr (MsnpMime) mime = msnp_mime_parse (data, size);
    MsnpImFormat in_format = { 0 };
    const guint8 *body;
    gsize len = 0;
    g_autofree char *body_text = NULL;
    g_autofree char *out = NULL;

    g_assert_cmpuint (size, <=, MSNP_SB_MAX_PAYLOAD - MESSAGE_ID_ROOM);
    g_assert_nonnull (mime);
    body = msnp_mime_body (mime, &len);
    body_text = msnp_text_strip_controls (g_strndup ((const char *) body, len), TRUE);
    msnp_im_format_parse (msnp_mime_get (mime, "X-MMS-IM-Format"), &in_format);
    out = msnp_im_to_html (body_text, strlen (body_text), &in_format);
    msnp_im_format_clear (&in_format);
    g_string_append (received, out);
  }
  g_ptr_array_unref (payloads);
  msnp_im_format_clear (&format);
  return g_string_free (received, FALSE);
}

static void
test_whitespace_tag (void)
{
  guint n;
  g_autofree char *got = round_trip ("Hello there" OTR_TAG, &n);

  g_assert_cmpuint (n, ==, 1);
  /* The tabs and spaces arrive as they were sent. */
  g_assert_nonnull (strstr (got, OTR_TAG));
}

static void
test_query (void)
{
  guint n;
  g_autofree char *got = round_trip ("?OTRv23?\nalice@example.com has requested an "
                                     "Off-the-Record private conversation.", &n);

  /* The peer sees the sender's default font around it: libotr finds its
   * markers with strstr(), so only the text itself must be intact. */
  g_assert_nonnull (strstr (got, "?OTRv23?<br>alice@example.com has requested"));
}

static void
fill_fragment (GString *s, guint k, guint n, gsize size)
{
  static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  g_string_printf (s, "?OTR,%05u,%05u,", k, n);
  while (s->len < size - 1)
    g_string_append_c (s, b64[(s->len * 7) % 64]);
  g_string_append_c (s, ',');
}

static void
test_fragments_fit_one_msg (void)
{
  g_autoptr (GString) frag = g_string_new (NULL);
  g_autoptr (GString) data = g_string_new ("?OTR:AAMDJ+/xyz==");

  /* A full-size fragment is one MSG and arrives unchanged: split, it
   * would reach OTR as two broken messages. */
  for (guint k = 1; k <= 3; k++) {
    guint n;
    g_autofree char *got = NULL;

    fill_fragment (frag, k, 3, OTR_MSN_FRAGMENT);
    got = round_trip (frag->str, &n);
    g_assert_cmpuint (n, ==, 1);
    g_assert_nonnull (strstr (got, frag->str));
  }
  /* A data message with base64's '+', '/' and '=' and a trailing '.'. */
  {
    guint n;
    g_autofree char *got = NULL;

    g_string_append (data, "AAAA.");
    got = round_trip (data->str, &n);
    g_assert_nonnull (strstr (got, data->str));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/otr-text/whitespace-tag", test_whitespace_tag);
  g_test_add_func ("/otr-text/query", test_query);
  g_test_add_func ("/otr-text/fragments-fit-one-msg", test_fragments_fit_one_msg);
  return g_test_run ();
}
