/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Invitations (parse/build round trips, tolerance) and the MSNFTP
 * dialogue, sans-IO: both sides against transcripts and against each
 * other, block boundaries, cookies, sizes, cancels, BYE codes, and input
 * split at every byte. */
#include "config.h"

#include <string.h>

#include "msnp-ftp.h"
#include "msnp-mime.h"

#define BOB    "bob@example.com"
#define COOKIE "93301"

/* ---- invitations ------------------------------------------------------ */

static MsnpInvite *
parse_str (const char *s)
{
  return msnp_invite_parse ((const guint8 *) s, strlen (s));
}

static void
test_invite_parse (void)
{
  /* hypothetic.org's example, bare LFs and odd case included. */
  g_autoptr (MsnpInvite) inv = parse_str (
      "Application-Name: File Transfer\n"
      "application-guid: {5d3e02ab-6190-11D3-BBBB-00C04F795683}\r\n"
      "Invitation-Command: invite\r\n"
      "Invitation-Cookie: 33267\r\n"
      "Application-File: r\xc3\xa9sum\xc3\xa9.txt\r\n"
      "Application-FileSize: 60904\r\n"
      "Connectivity: N\r\n"
      "X-Unknown: ignored\r\n\r\n");

  g_assert_nonnull (inv);
  g_assert_cmpint (inv->command, ==, MSNP_INVITE_INVITE);
  g_assert_true (msnp_invite_is_file_transfer (inv));
  g_assert_cmpstr (inv->cookie, ==, "33267");
  g_assert_cmpstr (inv->file, ==, "r\xc3\xa9sum\xc3\xa9.txt");
  g_assert_cmpint (inv->file_size, ==, 60904);
  g_assert_true (inv->no_connectivity);
}

static void
test_invite_tolerance (void)
{
  g_autoptr (MsnpInvite) no_cookie = parse_str ("Invitation-Command: INVITE\r\n\r\n");
  g_autoptr (MsnpInvite) bad = parse_str (
      "Invitation-Command: ACCEPT\r\nInvitation-Cookie: x\r\n"
      "Application-File: \xff\xfe\r\nApplication-FileSize: -5\r\n"
      "Port: 70000\r\nPortX: 12ab\r\nIP-Address: 1.2.3.4\r\n"
      "Sender-Connect: true\r\n");
  g_autoptr (MsnpInvite) other = parse_str (
      "Invitation-Command: FROB\r\nInvitation-Cookie: 1\r\n");

  g_assert_null (no_cookie);
  g_assert_null (parse_str (""));
  g_assert_nonnull (bad);
  g_assert_null (bad->file);
  g_assert_cmpint (bad->file_size, ==, -1);
  g_assert_cmpuint (bad->port, ==, 0);
  g_assert_cmpuint (bad->port_x, ==, 0);
  g_assert_cmpstr (bad->ip, ==, "1.2.3.4");
  g_assert_true (bad->sender_connect);
  g_assert_false (msnp_invite_is_file_transfer (bad));
  g_assert_cmpint (other->command, ==, MSNP_INVITE_OTHER);
}

/* Builds, then parses the body of what was built. */
static MsnpInvite *
round_trip (const MsnpInvite *in, GBytes **payload_out)
{
  g_autoptr (GBytes) payload = msnp_invite_build (in);
  g_autoptr (MsnpMime) mime = NULL;
  const guint8 *body;
  gsize len = 0;

  g_assert_nonnull (payload);
  mime = msnp_mime_parse (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  g_assert_cmpstr (msnp_mime_content_type (mime), ==, "text/x-msmsgsinvite");
  body = msnp_mime_body (mime, &len);
  if (payload_out != NULL)
    *payload_out = g_bytes_ref (payload);
  return msnp_invite_parse (body, len);
}

static void
test_invite_round_trip (void)
{
  g_autoptr (MsnpInvite) offer = msnp_invite_new (MSNP_INVITE_INVITE, "4242");
  g_autoptr (MsnpInvite) accept = msnp_invite_new (MSNP_INVITE_ACCEPT, "4242");
  g_autoptr (MsnpInvite) cancel = msnp_invite_new (MSNP_INVITE_CANCEL, "4242");
  g_autoptr (MsnpInvite) a = NULL, b = NULL, c = NULL;
  g_autoptr (GBytes) payload = NULL;

  offer->app_name = g_strdup (MSNP_FTP_APP_NAME);
  offer->app_guid = g_strdup (MSNP_FTP_GUID);
  offer->file = g_strdup ("\xe6\x97\xa5\xe6\x9c\xac.bin");
  offer->file_size = 0;
  a = round_trip (offer, &payload);
  g_assert_true (msnp_invite_is_file_transfer (a));
  g_assert_cmpstr (a->file, ==, offer->file);
  g_assert_cmpint (a->file_size, ==, 0);
  g_assert_false (a->no_connectivity);
  /* The fields block ends with a blank line. */
  {
    gsize n = 0;
    const char *p = g_bytes_get_data (payload, &n);
    g_assert_cmpmem (p + n - 4, 4, "\r\n\r\n", 4);
  }

  accept->ip = g_strdup ("127.0.0.1");
  accept->ip_internal = g_strdup ("10.0.0.2");
  accept->port = 6891;
  accept->port_x = 6892;
  accept->auth_cookie = g_strdup (COOKIE);
  accept->sender_connect = TRUE;
  b = round_trip (accept, NULL);
  g_assert_cmpint (b->command, ==, MSNP_INVITE_ACCEPT);
  g_assert_cmpstr (b->ip, ==, "127.0.0.1");
  g_assert_cmpstr (b->ip_internal, ==, "10.0.0.2");
  g_assert_cmpuint (b->port, ==, 6891);
  g_assert_cmpuint (b->port_x, ==, 6892);
  g_assert_cmpstr (b->auth_cookie, ==, COOKIE);
  g_assert_true (b->sender_connect);

  cancel->cancel_code = g_strdup ("REJECT");
  c = round_trip (cancel, NULL);
  g_assert_cmpint (c->command, ==, MSNP_INVITE_CANCEL);
  g_assert_cmpstr (c->cancel_code, ==, "REJECT");

  /* A value that would inject a field is refused. */
  g_free (cancel->cancel_code);
  cancel->cancel_code = g_strdup ("REJECT\r\nPort: 1");
  g_assert_null (msnp_invite_build (cancel));
}

/* ---- MSNFTP: recording ------------------------------------------------ */

typedef struct {
  GString  *written;
  GString  *data;
  guint     n_finished;
  guint     n_transfer;
  MsnpFtpResult result;
  guint32   code;
  gboolean  sensitive;
  MsnpFtp  *peer;        /* when wired to another machine */
  const guint8 *fed;     /* the input being fed, when watched */
  gsize     fed_len;
  guint     n_outside;   /* data callbacks not pointing into it */
} Side;

static void
side_write (gpointer user, const guint8 *data, gsize len, gboolean sensitive)
{
  Side *s = user;

  g_string_append_len (s->written, (const char *) data, (gssize) len);
  s->sensitive |= sensitive;
}

static void
side_data (gpointer user, const guint8 *data, gsize len)
{
  Side *s = user;

  if (s->fed != NULL && (data < s->fed || data + len > s->fed + s->fed_len))
    s->n_outside++;
  g_string_append_len (s->data, (const char *) data, (gssize) len);
}

static void
side_transfer (gpointer user)
{
  Side *s = user;
  s->n_transfer++;
}

static void
side_finished (gpointer user, MsnpFtpResult result, guint32 code)
{
  Side *s = user;

  s->n_finished++;
  s->result = result;
  s->code = code;
}

static const MsnpFtpEvents side_events = {
  .write = side_write,
  .data = side_data,
  .transfer = side_transfer,
  .finished = side_finished,
};

static Side *
side_new (void)
{
  Side *s = g_new0 (Side, 1);

  s->written = g_string_new (NULL);
  s->data = g_string_new (NULL);
  return s;
}

static void
side_free (Side *s)
{
  g_string_free (s->written, TRUE);
  g_string_free (s->data, TRUE);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Side, side_free)

static void
feed_str (MsnpFtp *ftp, const char *s)
{
  msnp_ftp_feed (ftp, (const guint8 *) s, strlen (s));
}

/* @size bytes of a recognisable pattern. */
static GByteArray *
pattern (gsize size)
{
  GByteArray *a = g_byte_array_sized_new ((guint) size);

  for (gsize i = 0; i < size; i++) {
    guint8 b = (guint8) (i * 131 + (i >> 8));
    g_byte_array_append (a, &b, 1);
  }
  return a;
}

/* ---- MSNFTP: transcripts ---------------------------------------------- */

static void
test_receiver_transcript (void)
{
  g_autoptr (Side) r = side_new ();
  g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 11,
                                          &side_events, r);
  static const guint8 blocks[] = { 0, 5, 0, 'h', 'e', 'l', 'l', 'o',
                                   0, 6, 0, ' ', 'w', 'o', 'r', 'l', 'd' };

  msnp_ftp_connected (ftp);
  g_assert_cmpstr (r->written->str, ==, "VER MSNFTP\r\n");
  feed_str (ftp, "VER MSNFTP\r\n");
  g_assert_true (r->sensitive);
  feed_str (ftp, "FIL 11\r\n");
  g_assert_cmpstr (r->written->str, ==,
                   "VER MSNFTP\r\nUSR " BOB " " COOKIE "\r\nTFR\r\n");
  g_assert_true (msnp_ftp_is_transferring (ftp));
  g_assert_false (msnp_ftp_feed (ftp, blocks, sizeof blocks));
  g_assert_cmpstr (r->data->str, ==, "hello world");
  g_assert_true (g_str_has_suffix (r->written->str, "TFR\r\nBYE 16777989\r\n"));
  g_assert_cmpuint (r->n_finished, ==, 1);
  g_assert_cmpint (r->result, ==, MSNP_FTP_DONE);
}

static void
test_sender_transcript (void)
{
  g_autoptr (Side) s = side_new ();
  g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 11,
                                          &side_events, s);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  static const guint8 expect[] = { 0, 11, 0, 'h', 'e', 'l', 'l', 'o', ' ',
                                   'w', 'o', 'r', 'l', 'd' };

  msnp_ftp_connected (ftp);
  g_assert_cmpuint (s->written->len, ==, 0);
  g_assert_false (msnp_ftp_frame (ftp, (const guint8 *) "x", 1, out));
  feed_str (ftp, "VER MSNFTP MSNFTP2\r\nUSR BOB@example.com " COOKIE "\r\nTFR\r\n");
  g_assert_cmpstr (s->written->str, ==, "VER MSNFTP\r\nFIL 11\r\n");
  g_assert_cmpuint (s->n_transfer, ==, 1);
  g_assert_true (msnp_ftp_frame (ftp, (const guint8 *) "hello world", 11, out));
  g_assert_cmpmem (out->data, out->len, expect, sizeof expect);
  /* Not a byte more than announced. */
  g_assert_false (msnp_ftp_frame (ftp, (const guint8 *) "!", 1, out));
  g_assert_cmpuint (s->n_finished, ==, 0);
  feed_str (ftp, "BYE 16777989\r\n");
  g_assert_cmpuint (s->n_finished, ==, 1);
  g_assert_cmpint (s->result, ==, MSNP_FTP_DONE);
  g_assert_cmpuint (s->code, ==, MSNP_FTP_BYE_OK);
}

static void
test_wrong_cookie (void)
{
  g_autoptr (Side) s = side_new ();
  g_autoptr (Side) r = side_new ();
  g_autoptr (MsnpFtp) sender = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 3,
                                             &side_events, s);
  g_autoptr (MsnpFtp) receiver = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 3,
                                               &side_events, r);
  g_autoptr (Side) x = side_new ();
  g_autoptr (MsnpFtp) stranger = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 3,
                                               &side_events, x);

  msnp_ftp_connected (sender);
  feed_str (sender, "VER MSNFTP\r\nUSR " BOB " 12345\r\n");
  g_assert_cmpint (s->result, ==, MSNP_FTP_AUTH_FAILED);
  g_assert_false (g_str_has_prefix (s->written->str + strlen ("VER MSNFTP\r\n"), "FIL"));

  /* The receiver sees the sender hang up after its USR. */
  msnp_ftp_connected (receiver);
  feed_str (receiver, "VER MSNFTP\r\n");
  msnp_ftp_disconnected (receiver);
  g_assert_cmpint (r->result, ==, MSNP_FTP_AUTH_FAILED);

  /* Right cookie, wrong passport. */
  msnp_ftp_connected (stranger);
  feed_str (stranger, "VER MSNFTP\r\nUSR eve@example.com " COOKIE "\r\n");
  g_assert_cmpint (x->result, ==, MSNP_FTP_AUTH_FAILED);
}

static void
test_wrong_size (void)
{
  g_autoptr (Side) r = side_new ();
  g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 10,
                                          &side_events, r);

  msnp_ftp_connected (ftp);
  feed_str (ftp, "VER MSNFTP\r\nFIL 11\r\n");
  g_assert_cmpint (r->result, ==, MSNP_FTP_WRONG_SIZE);
  g_assert_true (g_str_has_suffix (r->written->str, "CCL\r\n"));
}

static void
test_too_much (void)
{
  g_autoptr (Side) r = side_new ();
  g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 4,
                                          &side_events, r);
  static const guint8 blocks[] = { 0, 3, 0, 'a', 'b', 'c', 0, 2, 0, 'd', 'e' };

  msnp_ftp_connected (ftp);
  feed_str (ftp, "VER MSNFTP\r\nFIL 4\r\n");
  msnp_ftp_feed (ftp, blocks, sizeof blocks);
  g_assert_cmpint (r->result, ==, MSNP_FTP_TOO_MUCH);
  /* Not a byte of the excess was handed on. */
  g_assert_cmpstr (r->data->str, ==, "abc");
  g_assert_true (g_str_has_suffix (r->written->str, "CCL\r\n"));
}

static void
test_too_little (void)
{
  g_autoptr (Side) r = side_new ();
  g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 100,
                                          &side_events, r);
  static const guint8 blocks[] = { 0, 3, 0, 'a', 'b', 'c' };

  msnp_ftp_connected (ftp);
  feed_str (ftp, "VER MSNFTP\r\nFIL 100\r\n");
  msnp_ftp_feed (ftp, blocks, sizeof blocks);
  msnp_ftp_disconnected (ftp);
  g_assert_cmpint (r->result, ==, MSNP_FTP_DISCONNECTED);
  g_assert_cmpuint (msnp_ftp_bytes (ftp), ==, 3);
  g_assert_cmpuint (r->n_finished, ==, 1);
}

static void
test_cancels (void)
{
  g_autoptr (Side) r = side_new ();
  g_autoptr (Side) s = side_new ();
  g_autoptr (Side) s2 = side_new ();
  g_autoptr (MsnpFtp) receiver = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 100,
                                               &side_events, r);
  g_autoptr (MsnpFtp) sender = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 100,
                                             &side_events, s);
  g_autoptr (MsnpFtp) sender2 = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 100,
                                              &side_events, s2);
  static const guint8 cancel_block[] = { 1, 0, 0 };

  /* The sender's cancel block reaches the receiver. */
  msnp_ftp_connected (receiver);
  feed_str (receiver, "VER MSNFTP\r\nFIL 100\r\n");
  msnp_ftp_feed (receiver, cancel_block, 3);
  g_assert_cmpint (r->result, ==, MSNP_FTP_PEER_CANCELLED);

  /* CCL reaches the sender mid-transfer. */
  msnp_ftp_connected (sender);
  feed_str (sender, "VER MSNFTP\r\nUSR " BOB " " COOKIE "\r\nTFR\r\nCCL\r\n");
  g_assert_cmpint (s->result, ==, MSNP_FTP_PEER_CANCELLED);

  /* Our own cancel, sender side: the cancel block, once. */
  msnp_ftp_connected (sender2);
  feed_str (sender2, "VER MSNFTP\r\nUSR " BOB " " COOKIE "\r\nTFR\r\n");
  g_string_truncate (s2->written, 0);
  msnp_ftp_cancel (sender2);
  msnp_ftp_cancel (sender2);
  g_assert_cmpmem (s2->written->str, s2->written->len, cancel_block, 3);
  g_assert_cmpint (s2->result, ==, MSNP_FTP_CANCELLED);
  g_assert_cmpuint (s2->n_finished, ==, 1);

  /* Before the data phase, a sender says CCL, and a receiver waiting
   * for FIL takes it as the sender's cancel. */
  {
    g_autoptr (Side) s3 = side_new ();
    g_autoptr (Side) r3 = side_new ();
    g_autoptr (MsnpFtp) early = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 5,
                                              &side_events, s3);
    g_autoptr (MsnpFtp) waiting = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 5,
                                                &side_events, r3);

    msnp_ftp_connected (early);
    feed_str (early, "VER MSNFTP\r\n");
    msnp_ftp_cancel (early);
    g_assert_cmpstr (s3->written->str, ==, "VER MSNFTP\r\nCCL\r\n");
    msnp_ftp_connected (waiting);
    feed_str (waiting, "VER MSNFTP\r\nCCL\r\n");
    g_assert_cmpint (r3->result, ==, MSNP_FTP_PEER_CANCELLED);
  }
}

typedef struct {
  const char   *line;
  MsnpFtpResult result;
} ByeCase;

static const ByeCase bye_cases[] = {
  { "BYE 16777989", MSNP_FTP_DONE },
  { "BYE 2147942405", MSNP_FTP_PEER_DISK_FULL },
  { "BYE 2164261682", MSNP_FTP_PEER_CANCELLED },
  { "BYE 2164261694", MSNP_FTP_PEER_CANCELLED },
  { "BYE", MSNP_FTP_PEER_CANCELLED },
};

static void
test_bye_codes (gconstpointer data)
{
  const ByeCase *c = data;
  g_autoptr (Side) s = side_new ();
  g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 1,
                                          &side_events, s);
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autofree char *line = g_strconcat (c->line, "\r\n", NULL);

  msnp_ftp_connected (ftp);
  feed_str (ftp, "VER MSNFTP\r\nUSR " BOB " " COOKIE "\r\nTFR\r\n");
  g_assert_true (msnp_ftp_frame (ftp, (const guint8 *) "z", 1, out));
  feed_str (ftp, line);
  g_assert_cmpuint (s->n_finished, ==, 1);
  g_assert_cmpint (s->result, ==, c->result);
}

static void
test_garbage (void)
{
  g_autoptr (Side) s = side_new ();
  g_autoptr (Side) r = side_new ();
  g_autoptr (MsnpFtp) sender = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 1,
                                             &side_events, s);
  g_autoptr (MsnpFtp) receiver = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 5,
                                               &side_events, r);
  g_autoptr (GByteArray) big = g_byte_array_new ();
  static const guint8 bad_flag[] = { 7, 1, 0, 'x' };

  g_byte_array_set_size (big, 4096);
  memset (big->data, 'A', big->len);
  msnp_ftp_connected (sender);
  g_assert_false (msnp_ftp_feed (sender, big->data, big->len));
  g_assert_cmpint (s->result, ==, MSNP_FTP_PROTOCOL);

  msnp_ftp_connected (receiver);
  feed_str (receiver, "VER MSNFTP\r\nFIL 5\r\n");
  msnp_ftp_feed (receiver, bad_flag, sizeof bad_flag);
  g_assert_cmpint (r->result, ==, MSNP_FTP_PROTOCOL);
}

/* ---- both sides wired together ---------------------------------------- */

/* Runs a whole transfer of @size bytes between two machines, handing each
 * one's output to the other @chunk bytes at a time, and the file to the
 * sender in pieces of @piece bytes. */
static void
run_pair (gsize size, gsize chunk, gsize piece)
{
  g_autoptr (Side) s = side_new ();
  g_autoptr (Side) r = side_new ();
  g_autoptr (MsnpFtp) sender = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, size,
                                             &side_events, s);
  g_autoptr (MsnpFtp) receiver = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, size,
                                               &side_events, r);
  g_autoptr (GByteArray) file = pattern (size);
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  gsize sent_file = 0, s_read = 0, r_read = 0;

  msnp_ftp_connected (receiver);
  msnp_ftp_connected (sender);
  for (guint rounds = 0; rounds < 100000 && (r->n_finished == 0 || s->n_finished == 0); rounds++) {
    if (s->n_transfer > 0 && sent_file < size) {
      gsize n = MIN (piece, size - sent_file);
      g_assert_true (msnp_ftp_frame (sender, file->data + sent_file, n, wire));
      sent_file += n;
    }
    g_string_append_len (s->written, (const char *) wire->data, (gssize) wire->len);
    g_byte_array_set_size (wire, 0);
    if (r_read < r->written->len) {
      gsize n = MIN (chunk, r->written->len - r_read);
      msnp_ftp_feed (sender, (const guint8 *) r->written->str + r_read, n);
      r_read += n;
    }
    if (s_read < s->written->len) {
      gsize n = MIN (chunk, s->written->len - s_read);
      msnp_ftp_feed (receiver, (const guint8 *) s->written->str + s_read, n);
      s_read += n;
    }
  }
  g_assert_cmpuint (r->n_finished, ==, 1);
  g_assert_cmpuint (s->n_finished, ==, 1);
  g_assert_cmpint (r->result, ==, MSNP_FTP_DONE);
  g_assert_cmpint (s->result, ==, MSNP_FTP_DONE);
  g_assert_cmpmem (r->data->str, r->data->len, file->data, file->len);
}

static void
test_pair_sizes (void)
{
  static const gsize sizes[] = { 0, 1, 2044, 2045, 2046, 4090, 4091, 100000 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
    run_pair (sizes[i], 65536, 65536);
    run_pair (sizes[i], 4096, 1000);
  }
}

/* The block boundary on the wire: 2045 is one block, 2046 two. */
static void
test_block_boundary (void)
{
  g_autoptr (Side) s = side_new ();
  g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 2045 + 2046,
                                          &side_events, s);
  g_autoptr (GByteArray) file = pattern (2045 + 2046);
  g_autoptr (GByteArray) out = g_byte_array_new ();

  msnp_ftp_connected (ftp);
  feed_str (ftp, "VER MSNFTP\r\nUSR " BOB " " COOKIE "\r\nTFR\r\n");
  g_assert_true (msnp_ftp_frame (ftp, file->data, 2045, out));
  g_assert_cmpuint (out->len, ==, 2048);
  g_assert_cmpuint (out->data[1] | (out->data[2] << 8), ==, 2045);
  g_byte_array_set_size (out, 0);
  g_assert_true (msnp_ftp_frame (ftp, file->data + 2045, 2046, out));
  g_assert_cmpuint (out->len, ==, 2046 + 6);
  g_assert_cmpuint (out->data[1] | (out->data[2] << 8), ==, 2045);
  g_assert_cmpuint (out->data[2048], ==, 0);
  g_assert_cmpuint (out->data[2049], ==, 1);
  g_assert_cmpuint (out->data[2050], ==, 0);
  g_assert_cmpuint (msnp_ftp_framed_len (2046), ==, 2052);
}

/* Framing in place gives the same wire bytes as framing a copy, and
 * refuses what msnp_ftp_frame() refuses. */
static void
test_frame_in_place (void)
{
  static const gsize sizes[] = { 1, 2044, 2045, 2046, 4090, 4091, 10000 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++) {
    gsize size = sizes[i];
    g_autoptr (Side) s = side_new ();
    g_autoptr (MsnpFtp) a = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, size,
                                          &side_events, s);
    g_autoptr (MsnpFtp) b = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, size,
                                          &side_events, s);
    g_autoptr (GByteArray) file = pattern (size);
    g_autoptr (GByteArray) copy = g_byte_array_new ();
    g_autofree guint8 *blocks = g_malloc0 (msnp_ftp_framed_len (size));
    gsize stride = MSNP_FTP_HEADER_LEN + MSNP_FTP_BLOCK_MAX;

    for (gsize pos = 0, k = 0; pos < size; pos += MSNP_FTP_BLOCK_MAX, k++)
      memcpy (blocks + k * stride + MSNP_FTP_HEADER_LEN, file->data + pos,
              MIN (MSNP_FTP_BLOCK_MAX, size - pos));
    g_assert_false (msnp_ftp_frame_in_place (b, blocks, size));   /* before TFR */
    for (MsnpFtp *ftp = a; ftp != NULL; ftp = ftp == a ? b : NULL) {
      msnp_ftp_connected (ftp);
      feed_str (ftp, "VER MSNFTP\r\nUSR " BOB " " COOKIE "\r\nTFR\r\n");
    }
    g_assert_true (msnp_ftp_frame (a, file->data, size, copy));
    g_assert_true (msnp_ftp_frame_in_place (b, blocks, size));
    g_assert_cmpmem (blocks, msnp_ftp_framed_len (size), copy->data, copy->len);
    g_assert_cmpuint (msnp_ftp_bytes (b), ==, size);
    /* Not a byte more than announced. */
    g_assert_false (msnp_ftp_frame_in_place (b, blocks, 1));
  }
}

/* The receiver's file bytes are handed on from the caller's own input,
 * never from a copy (the glue writes the file from there). */
static void
test_data_points_into_input (void)
{
  g_autoptr (Side) r = side_new ();
  g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 5000,
                                          &side_events, r);
  g_autoptr (GByteArray) file = pattern (5000);
  g_autoptr (GByteArray) wire = g_byte_array_new ();
  g_autoptr (Side) s = side_new ();
  g_autoptr (MsnpFtp) sender = msnp_ftp_new (MSNP_FTP_SENDER, BOB, COOKIE, 5000,
                                             &side_events, s);

  msnp_ftp_connected (sender);
  feed_str (sender, "VER MSNFTP\r\nUSR " BOB " " COOKIE "\r\nTFR\r\n");
  g_assert_true (msnp_ftp_frame (sender, file->data, 5000, wire));
  msnp_ftp_connected (ftp);
  feed_str (ftp, "VER MSNFTP\r\nFIL 5000\r\n");
  /* In uneven pieces, so blocks and headers straddle the feeds. */
  for (gsize pos = 0; pos < wire->len;) {
    gsize n = MIN (wire->len - pos, 1000 + pos % 7);

    r->fed = wire->data + pos;
    r->fed_len = n;
    msnp_ftp_feed (ftp, wire->data + pos, n);
    pos += n;
  }
  g_assert_cmpuint (r->n_outside, ==, 0);
  g_assert_cmpint (r->result, ==, MSNP_FTP_DONE);
  g_assert_cmpmem (r->data->str, r->data->len, file->data, file->len);
}

/* The receiver's whole input split into two at every byte. */
static void
test_split_everywhere (void)
{
  g_autoptr (GByteArray) file = pattern (2046);
  g_autoptr (GByteArray) input = g_byte_array_new ();
  const char *head = "VER MSNFTP\r\nFIL 2046\r\n";
  guint8 hdr[3] = { 0, 2045 & 0xff, 2045 >> 8 };
  guint8 hdr2[3] = { 0, 1, 0 };

  g_byte_array_append (input, (const guint8 *) head, (guint) strlen (head));
  g_byte_array_append (input, hdr, 3);
  g_byte_array_append (input, file->data, 2045);
  g_byte_array_append (input, hdr2, 3);
  g_byte_array_append (input, file->data + 2045, 1);
  for (gsize cut = 0; cut <= input->len; cut++) {
    g_autoptr (Side) r = side_new ();
    g_autoptr (MsnpFtp) ftp = msnp_ftp_new (MSNP_FTP_RECEIVER, BOB, COOKIE, 2046,
                                            &side_events, r);

    msnp_ftp_connected (ftp);
    msnp_ftp_feed (ftp, input->data, cut);
    msnp_ftp_feed (ftp, input->data + cut, input->len - cut);
    g_assert_cmpint (r->result, ==, MSNP_FTP_DONE);
    g_assert_cmpuint (r->n_finished, ==, 1);
    g_assert_cmpmem (r->data->str, r->data->len, file->data, file->len);
  }
  /* And one byte at a time. */
  run_pair (5000, 1, 777);
}

typedef struct {
  const char *proposed;
  const char *saved;
} NameCase;

static const NameCase name_cases[] = {
  { "holiday.jpg", "holiday.jpg" },
  { "r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.txt", "r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac.txt" },
  { "../../etc/passwd", "_.._etc_passwd" },
  { "..\\..\\boot.ini", "_.._boot.ini" },
  /* look-alike slashes: ∕ ⁄ ／ ⧸ */
  { "\xe2\x88\x95" "etc\xe2\x88\x95" "passwd", "_etc_passwd" },
  { "a\xe2\x81\x84" "b\xef\xbc\x8f" "c\xe2\xa7\xb8" "d", "a_b_c_d" },
  { "C:autoexec.bat", "C_autoexec.bat" },
  { "tab\there\x01.txt", "tab_here_.txt" },
  /* U+202E RIGHT-TO-LEFT OVERRIDE makes "exe.txt" read as "txt.exe" */
  { "evil\xe2\x80\xae" "txt.exe", "evil_txt.exe" },
  { ".hidden", "hidden" },
  { "...", "file" },
  { "", "file" },
  { NULL, "file" },
  { "\xff\xfe", "file" },
  { "trailing. . ", "trailing" },
  /* Windows device names, any case, with or without an extension */
  { "CON", "_CON" },
  { "con.txt", "_con.txt" },
  { "Aux.tar.gz", "_Aux.tar.gz" },
  { "nul", "_nul" },
  { "PRN .doc", "_PRN .doc" },
  { "com1", "_com1" },
  { "LPT9.log", "_LPT9.log" },
  { "COM\xc2\xb9.txt", "_COM\xc2\xb9.txt" },
  /* not device names */
  { "COM10.txt", "COM10.txt" },
  { "console.txt", "console.txt" },
  { "LPT.txt", "LPT.txt" },
  { "CONFIG.SYS", "CONFIG.SYS" },
};

static void
test_safe_name (gconstpointer data)
{
  const NameCase *c = data;
  g_autofree char *name = msnp_ftp_safe_file_name (c->proposed);

  g_assert_cmpstr (name, ==, c->saved);
}

/* A long name is cut at a character boundary and keeps its extension. */
static void
test_long_name (void)
{
  g_autoptr (GString) stem = g_string_new (NULL);
  g_autofree char *ascii = NULL;
  g_autofree char *wide = NULL;
  g_autofree char *no_ext = NULL;
  g_autofree char *in = NULL;

  for (int i = 0; i < 300; i++)
    g_string_append_c (stem, 'a' + i % 26);
  in = g_strconcat (stem->str, ".jpeg", NULL);
  ascii = msnp_ftp_safe_file_name (in);
  g_assert_cmpuint (strlen (ascii), ==, MSNP_FTP_MAX_NAME);
  g_assert_true (g_str_has_suffix (ascii, ".jpeg"));
  g_assert_true (g_str_has_prefix (ascii, "abcdef"));

  g_string_truncate (stem, 0);
  for (int i = 0; i < 150; i++)
    g_string_append (stem, "\xe6\x97\xa5");   /* 3 bytes each */
  g_free (in);
  in = g_strconcat (stem->str, ".txt", NULL);
  wide = msnp_ftp_safe_file_name (in);
  g_assert_cmpuint (strlen (wide), <=, MSNP_FTP_MAX_NAME);
  g_assert_true (g_utf8_validate (wide, -1, NULL));
  g_assert_true (g_str_has_suffix (wide, "\xe6\x97\xa5.txt"));

  /* a final "extension" too long to be one is not kept */
  g_free (in);
  in = g_strconcat ("x.", stem->str, NULL);
  no_ext = msnp_ftp_safe_file_name (in);
  g_assert_cmpuint (strlen (no_ext), <=, MSNP_FTP_MAX_NAME);
  g_assert_true (g_utf8_validate (no_ext, -1, NULL));
  g_assert_true (g_str_has_prefix (no_ext, "x.\xe6\x97\xa5"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ftp/invite/parse", test_invite_parse);
  g_test_add_func ("/ftp/invite/tolerance", test_invite_tolerance);
  g_test_add_func ("/ftp/invite/round-trip", test_invite_round_trip);
  g_test_add_func ("/ftp/receiver-transcript", test_receiver_transcript);
  g_test_add_func ("/ftp/sender-transcript", test_sender_transcript);
  g_test_add_func ("/ftp/wrong-cookie", test_wrong_cookie);
  g_test_add_func ("/ftp/wrong-size", test_wrong_size);
  g_test_add_func ("/ftp/too-much", test_too_much);
  g_test_add_func ("/ftp/too-little", test_too_little);
  g_test_add_func ("/ftp/cancels", test_cancels);
  for (gsize i = 0; i < G_N_ELEMENTS (bye_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/ftp/bye/%s", bye_cases[i].line);
    g_strdelimit (path + 5, " ", '-');
    g_test_add_data_func (path, &bye_cases[i], test_bye_codes);
  }
  g_test_add_func ("/ftp/garbage", test_garbage);
  g_test_add_func ("/ftp/pair-sizes", test_pair_sizes);
  g_test_add_func ("/ftp/block-boundary", test_block_boundary);
  g_test_add_func ("/ftp/split-everywhere", test_split_everywhere);
  g_test_add_func ("/ftp/frame-in-place", test_frame_in_place);
  g_test_add_func ("/ftp/data-points-into-input", test_data_points_into_input);
  for (gsize i = 0; i < G_N_ELEMENTS (name_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ftp/safe-name/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &name_cases[i], test_safe_name);
    }
  g_test_add_func ("/ftp/long-name", test_long_name);
  return g_test_run ();
}
