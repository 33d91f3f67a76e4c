/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: the invitation parser (a rebuilt invitation must parse
 * back to the same fields) and the MSNFTP reader on both sides.  The
 * first byte picks the announced size and the split point, so one input
 * drives the receiver's block reader through every state. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-ftp.h"
#include "msnp-mime.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  guint64 received;
  guint   finished;
} Tally;

static void
t_write (gpointer user, const guint8 *data, gsize len, gboolean sensitive)
{
}

static void
t_data (gpointer user, const guint8 *data, gsize len)
{
  ((Tally *) user)->received += len;
}

static void
t_transfer (gpointer user)
{
}

static void
t_finished (gpointer user, MsnpFtpResult result, guint32 code)
{
  ((Tally *) user)->finished++;
}

static const MsnpFtpEvents events = {
  .write = t_write, .data = t_data, .transfer = t_transfer, .finished = t_finished,
};

static void
check_invite (const guint8 *data, size_t size)
{
  MsnpInvite *inv = msnp_invite_parse (data, size);
  GBytes *built;

  if (inv == NULL)
    return;
  built = msnp_invite_build (inv);
  if (built != NULL) {
    MsnpMime *mime = msnp_mime_parse (g_bytes_get_data (built, NULL),
                                      g_bytes_get_size (built));
    gsize len = 0;
    const guint8 *body = msnp_mime_body (mime, &len);
    MsnpInvite *back = msnp_invite_parse (body, len);

    if (inv->command != MSNP_INVITE_OTHER &&
        (back == NULL || strcmp (back->cookie, inv->cookie) != 0))
      abort ();
    msnp_invite_free (back);
    msnp_mime_free (mime);
    g_bytes_unref (built);
  }
  msnp_invite_free (inv);
}

static void
run_side (MsnpFtpRole role, guint64 announced, const guint8 *data, size_t size,
          size_t cut)
{
  Tally tally = { 0 };
  MsnpFtp *ftp = msnp_ftp_new (role, "bob@example.com", "42", announced, &events, &tally);

  msnp_ftp_connected (ftp);
  msnp_ftp_feed (ftp, data, cut);
  msnp_ftp_feed (ftp, data + cut, size - cut);
  msnp_ftp_disconnected (ftp);
  if (tally.received > announced || tally.finished != 1 ||
      msnp_ftp_bytes (ftp) > announced)
    abort ();
  msnp_ftp_free (ftp);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static const char prefix[] = "VER MSNFTP\r\nFIL ";
  guint64 announced;
  size_t cut;
  GByteArray *receiver_input;
  char fil[32];

  check_invite (data, size);
  if (size == 0)
    return 0;
  announced = (guint64) data[0] * 37;
  cut = size > 1 ? data[0] % size : 0;
  run_side (MSNP_FTP_SENDER, announced, data + 1, size - 1, cut > 0 ? cut - 1 : 0);

  /* The receiver straight into its data phase: the input is the blocks. */
  receiver_input = g_byte_array_new ();
  g_snprintf (fil, sizeof fil, "%s%" G_GUINT64_FORMAT "\r\n", prefix, announced);
  g_byte_array_append (receiver_input, (const guint8 *) fil, (guint) strlen (fil));
  g_byte_array_append (receiver_input, data + 1, (guint) (size - 1));
  run_side (MSNP_FTP_RECEIVER, announced, receiver_input->data, receiver_input->len,
            MIN (cut + strlen (fil), receiver_input->len));
  g_byte_array_unref (receiver_input);
  return 0;
}
