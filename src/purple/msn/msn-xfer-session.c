/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MSNFTP on the direct TCP connection: the sans-IO session of msnp-ftp.h
 * wired to the socket, to the file being sent and to libpurple's count
 * of the file being received.
 *
 * libpurple's own transfer loop is not given a socket (purple_xfer_start
 * with fd -1): we own the connection, because MSNFTP frames the file and
 * interleaves control lines with it.  Received file bytes reach libpurple
 * through the read op (purple_xfer_prpl_ready), which writes them, counts
 * them and completes the transfer; the sender reads its file itself and
 * completes only when the receiver confirmed with BYE, not when the last
 * byte left our buffer. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <eventloop.h>

#include "msn-xfer-private.h"

/* A running transfer that made no progress for this long is dead.
 * Progress is file bytes received, or bytes the receiver took from us:
 * traffic alone (a sender trickling empty blocks, a chatty peer) does not
 * count, or such a peer could hold the transfer open for ever.  A hidden
 * per-account setting (no UI) shortens it for tests. */
#define OPT_STALL_TIMEOUT     "ft_stall_timeout"
#define DEFAULT_STALL_TIMEOUT 60
#define STALL_CHECK     1
/* File bytes read per pump step: a whole number of blocks. */
#define READ_CHUNK      (32 * MSNP_FTP_BLOCK_MAX)
/* Framed bytes kept queued for the socket before reading more. */
#define OUT_HIGH_WATER  (256 * 1024)
/* Socket reads per wake-up before letting the main loop breathe. */
#define READS_PER_WAKEUP 8

static void pump (MsnpXfer *x);

/* ---- bytes out ----------------------------------------------------------- */

static void write_cb (gpointer data, gint fd, PurpleInputCondition cond);

gboolean
msnp_xfer_session_flush (MsnpXfer *x)
{
  while (x->fd >= 0 && x->out_pos < x->out->len) {
    gssize n = write (x->fd, x->out->data + x->out_pos, x->out->len - x->out_pos);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (x->write_watch == 0)
        x->write_watch = purple_input_add (x->fd, PURPLE_INPUT_WRITE, write_cb, x);
      return FALSE;
    }
    if (n <= 0) {
      /* The read side sees the hang-up and reports it. */
      return FALSE;
    }
    x->out_pos += (gsize) n;
    msnp_xfer_touch (x);
  }
  g_byte_array_set_size (x->out, 0);
  x->out_pos = 0;
  if (x->write_watch != 0)
    purple_input_remove (x->write_watch);
  x->write_watch = 0;
  return x->fd >= 0;
}

static void
write_cb (gpointer data, gint fd, PurpleInputCondition cond)
{
  MsnpXfer *x = data;

  if (x->detached) {
    /* Lingering: once the last bytes are out, we are done. */
    if (msnp_xfer_session_flush (x))
      msnp_xfer_linger_done (x);
    return;
  }
  if (x->ftp != NULL && msnp_ftp_is_transferring (x->ftp) &&
      purple_xfer_get_type (x->xfer) == PURPLE_XFER_SEND)
    pump (x);
  else
    msnp_xfer_session_flush (x);
}

static void
ftp_write (gpointer user, const guint8 *data, gsize len, gboolean sensitive)
{
  MsnpXfer *x = user;

  g_byte_array_append (x->out, data, (guint) len);
  if (x->write_watch == 0)
    msnp_xfer_session_flush (x);
}

/* Sender progress: file bytes framed, less what still waits in our queue
 * (scaled from wire bytes to file bytes). */
static void
show_send_progress (MsnpXfer *x)
{
  guint64 framed = msnp_ftp_bytes (x->ftp);
  guint64 queued = (guint64) (x->out->len - x->out_pos) * MSNP_FTP_BLOCK_MAX /
                   (MSNP_FTP_BLOCK_MAX + MSNP_FTP_HEADER_LEN);

  purple_xfer_set_bytes_sent (x->xfer, (size_t) (framed > queued ? framed - queued : 0));
  purple_xfer_update_progress (x->xfer);
}

/* Frames file bytes until the queue is full or the file is done.  FALSE
 * when the file could not be read as announced. */
static gboolean
fill (MsnpXfer *x)
{
  guint8 buf[READ_CHUNK];
  guint64 left = (guint64) purple_xfer_get_size (x->xfer) - msnp_ftp_bytes (x->ftp);

  while (left > 0 && x->out->len - x->out_pos < OUT_HIGH_WATER) {
    gssize n = read (x->file_fd, buf, (gsize) MIN (left, sizeof buf));

    if (n < 0 && errno == EINTR)
      continue;
    /* A file that shrank, or cannot be read, is not the file offered. */
    if (n <= 0 || !msnp_ftp_frame (x->ftp, buf, (gsize) n, x->out))
      return FALSE;
    left -= (guint64) n;
  }
  return TRUE;
}

/* Sender: keeps the socket busy with the file. */
static void
pump (MsnpXfer *x)
{
  for (;;) {
    if (!fill (x)) {
      g_autofree char *msg = g_strdup_printf (
          _("Could not read %s; the transfer was stopped."),
          purple_xfer_get_local_filename (x->xfer));
      msnp_ftp_cancel (x->ftp);
      msnp_xfer_session_flush (x);
      msnp_xfer_fail (x, FALSE, NULL, msg);
      return;
    }
    if (!msnp_xfer_session_flush (x) || !msnp_ftp_is_transferring (x->ftp) ||
        msnp_ftp_bytes (x->ftp) == purple_xfer_get_size (x->xfer))
      break;
  }
  show_send_progress (x);
}

/* ---- bytes in ------------------------------------------------------------ */

/* Receiver: hands the bytes read so far to libpurple, which writes them,
 * counts them and completes the transfer at the announced size. */
static void
deliver (MsnpXfer *x)
{
  PurpleXfer *xfer = x->xfer;

  if (x->in->len > 0)
    purple_xfer_prpl_ready (xfer);
  if (x->detached || !x->complete)
    return;
  /* A file of 0 bytes never passes through the read op. */
  if (!purple_xfer_is_completed (xfer))
    purple_xfer_set_completed (xfer, TRUE);
  purple_xfer_end (xfer);
}

gssize
msnp_xfer_session_take (MsnpXfer *x, guchar **buffer)
{
  gssize n;

  if (x->in->len == 0) {
    *buffer = NULL;
    return 0;
  }
  n = (gssize) x->in->len;
  *buffer = g_byte_array_free (x->in, FALSE);
  x->in = g_byte_array_new ();
  return n;
}

static void
read_cb (gpointer data, gint fd, PurpleInputCondition cond)
{
  MsnpXfer *x = data;
  guint8 buf[65536];

  for (guint i = 0; i < READS_PER_WAKEUP && !x->detached; i++) {
    gssize n = read (fd, buf, sizeof buf);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      break;
    if (n <= 0) {
      /* Whatever arrived before the hang-up counts. */
      if (x->in->len > 0)
        purple_xfer_prpl_ready (x->xfer);
      if (!x->detached)
        msnp_ftp_disconnected (x->ftp);
      return;
    }
    msnp_ftp_feed (x->ftp, buf, (gsize) n);
    if (n < (gssize) sizeof buf)
      break;
  }
  if (!x->detached && purple_xfer_get_type (x->xfer) == PURPLE_XFER_RECEIVE)
    deliver (x);
}

/* ---- MSNFTP events -------------------------------------------------------- */

static void
ftp_data (gpointer user, const guint8 *data, gsize len)
{
  MsnpXfer *x = user;

  msnp_xfer_touch (x);
  g_byte_array_append (x->in, data, (guint) len);
}

static void
ftp_transfer (gpointer user)
{
  MsnpXfer *x = user;
  const char *path = purple_xfer_get_local_filename (x->xfer);

  x->file_fd = path != NULL ? g_open (path, O_RDONLY, 0) : -1;
  if (x->file_fd < 0) {
    g_autofree char *msg = g_strdup_printf (_("Could not open %s."), path ? path : "");
    msnp_ftp_cancel (x->ftp);
    msnp_xfer_fail (x, FALSE, NULL, msg);
    return;
  }
  /* The file flows from the write watch, once this callback is over. */
  if (x->write_watch == 0)
    x->write_watch = purple_input_add (x->fd, PURPLE_INPUT_WRITE, write_cb, x);
}

static char *
result_sentence (MsnpXfer *x, MsnpFtpResult result, gboolean *by_peer)
{
  const char *peer = msnp_xfer_peer_name (x);

  *by_peer = result == MSNP_FTP_PEER_CANCELLED || result == MSNP_FTP_PEER_DISK_FULL;
  switch (result) {
  case MSNP_FTP_PEER_CANCELLED:
    return g_strdup_printf (_("%s cancelled the transfer."), peer);
  case MSNP_FTP_PEER_DISK_FULL:
    return g_strdup_printf (_("%s has no room left for the file."), peer);
  case MSNP_FTP_AUTH_FAILED:
    return purple_xfer_get_type (x->xfer) == PURPLE_XFER_SEND
        ? g_strdup_printf (_("The connection for the transfer did not come from "
                             "%s (wrong authorization cookie)."), peer)
        : g_strdup_printf (_("%s refused the connection for the transfer."), peer);
  case MSNP_FTP_WRONG_SIZE:
    return g_strdup_printf (_("%s sent a file of another size than offered."), peer);
  case MSNP_FTP_TOO_MUCH:
    return g_strdup_printf (_("%s sent more data than the file holds; the transfer "
                              "was stopped."), peer);
  case MSNP_FTP_PROTOCOL:
    return g_strdup_printf (_("The transfer with %s broke down: unexpected data."),
                            peer);
  default:
    if (msnp_ftp_is_transferring (x->ftp) || purple_xfer_get_bytes_sent (x->xfer) > 0)
      return g_strdup_printf (_("The connection with %s was lost at %d%%."), peer,
                              msnp_xfer_percent_done (x));
    return g_strdup_printf (_("The connection with %s was lost."), peer);
  }
}

static void
ftp_finished (gpointer user, MsnpFtpResult result, guint32 code)
{
  MsnpXfer *x = user;
  g_autofree char *sentence = NULL;
  gboolean by_peer;

  if (result == MSNP_FTP_CANCELLED || x->failing)
    return;
  if (result == MSNP_FTP_DONE) {
    if (purple_xfer_get_type (x->xfer) == PURPLE_XFER_RECEIVE) {
      x->complete = TRUE;   /* delivered once the input is handed on */
      return;
    }
    purple_xfer_set_bytes_sent (x->xfer, purple_xfer_get_size (x->xfer));
    purple_xfer_set_completed (x->xfer, TRUE);
    purple_xfer_end (x->xfer);
    return;
  }
  sentence = result_sentence (x, result, &by_peer);
  msnp_xfer_fail (x, by_peer, NULL, sentence);
}

static const MsnpFtpEvents ftp_events = {
  .write    = ftp_write,
  .data     = ftp_data,
  .transfer = ftp_transfer,
  .finished = ftp_finished,
};

/* ---- starting, and the stall clock ------------------------------------- */

static gboolean
stall_cb (gpointer data)
{
  MsnpXfer *x = data;
  g_autofree char *msg = NULL;
  int timeout = purple_account_get_int (x->account, OPT_STALL_TIMEOUT,
                                        DEFAULT_STALL_TIMEOUT);

  if (timeout <= 0)
    timeout = DEFAULT_STALL_TIMEOUT;
  if (g_get_monotonic_time () - x->last_activity < (gint64) timeout * G_USEC_PER_SEC)
    return TRUE;
  x->timer = 0;
  msg = g_strdup_printf (_("The transfer with %s stalled at %d%% and was stopped."),
                         msnp_xfer_peer_name (x), msnp_xfer_percent_done (x));
  msnp_ftp_cancel (x->ftp);
  msnp_xfer_session_flush (x);
  msnp_xfer_fail (x, FALSE, NULL, msg);
  return FALSE;
}

void
msnp_xfer_session_start (MsnpXfer *x, int fd)
{
  PurpleXfer *xfer = x->xfer;
  gboolean sending = purple_xfer_get_type (xfer) == PURPLE_XFER_SEND;
  const char *receiver = sending ? x->who : purple_account_get_username (x->account);

  msnp_xfer_stop_listening (x);
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  x->fd = fd;
  x->ftp = msnp_ftp_new (sending ? MSNP_FTP_SENDER : MSNP_FTP_RECEIVER, receiver,
                         x->auth_cookie, purple_xfer_get_size (xfer), &ftp_events, x);
  msnp_xfer_touch (x);
  msnp_xfer_arm_timer (x, STALL_CHECK, stall_cb);
  /* fd -1: libpurple opens the local file and shows the transfer as
   * started; the connection stays ours. */
  purple_xfer_start (xfer, -1, NULL, 0);
  if (x->detached)
    return;   /* the local file could not be opened */
  x->read_watch = purple_input_add (fd, PURPLE_INPUT_READ, read_cb, x);
  msnp_ftp_connected (x->ftp);
}
