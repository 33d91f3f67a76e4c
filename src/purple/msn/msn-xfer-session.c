/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MSNFTP on the direct TCP connection: the sans-IO session of msnp-ftp.h
 * wired to the socket, to the file being sent and to libpurple's count
 * of the file being received.
 *
 * libpurple's own transfer loop is not given a socket (purple_xfer_start
 * with fd -1): we own the connection, because MSNFTP frames the file and
 * interleaves control lines with it.  libpurple's loop would also cost a
 * copy per block and a buffer per read: the file bytes go between the
 * socket and the file with one copy each way, as in a plain socket copy
 * (bench/RESULTS.md, file transfer):
 *
 *   sender    readv() the file straight into MSNFTP's block layout, the
 *             core writes the 3-byte headers into the gaps, one write()
 *             sends a few hundred blocks;
 *   receiver  read() a large piece of the stream, the core points at the
 *             file bytes in it, one writev() puts them in the file
 *             libpurple opened, and we count them for libpurple.
 *
 * A UI that moves the bytes itself (ui_write op, so libpurple opens no
 * file) gets them through libpurple's read op (purple_xfer_prpl_ready)
 * instead.  The sender completes only when the receiver confirmed with
 * BYE, not when the last byte left our buffer. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/uio.h>
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
/* Blocks read from the file per readv() (about 256 KiB). */
#define FILL_BLOCKS     128
/* Framed bytes kept queued for the socket before reading more. */
#define OUT_HIGH_WATER  (512 * 1024)
/* Bytes per socket read, and reads per wake-up before letting the main
 * loop breathe. */
#define RBUF_SIZE       (256 * 1024)
#define READS_PER_WAKEUP 8
/* Receiver: file bytes gathered per writev(), and at most this many
 * pieces (IOV_MAX allows 1,024).  64 KiB writes, as the plain copy makes,
 * cost the kernel about half the CPU of 256 KiB ones on ext4 here
 * (bench/RESULTS.md, file transfer). */
#define FILE_WRITE_SIZE (64 * 1024)
#define IOV_CAP         512

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

/* Reads up to FILL_BLOCKS blocks of the file into place at the end of
 * the queue and frames them.  Bytes read, 0 at the end of the file, -1
 * on an error. */
static gssize
fill_blocks (MsnpXfer *x, guint64 left)
{
  struct iovec iov[FILL_BLOCKS];
  gsize want = (gsize) MIN (left, (guint64) FILL_BLOCKS * MSNP_FTP_BLOCK_MAX);
  guint old = x->out->len;
  guint8 *blocks;
  guint n_iov = 0;
  gssize n;

  g_byte_array_set_size (x->out, (guint) (old + msnp_ftp_framed_len (want)));
  blocks = x->out->data + old;
  for (gsize pos = 0; pos < want; pos += MSNP_FTP_BLOCK_MAX, n_iov++) {
    iov[n_iov].iov_base = blocks + (gsize) n_iov * (MSNP_FTP_HEADER_LEN + MSNP_FTP_BLOCK_MAX) +
                          MSNP_FTP_HEADER_LEN;
    iov[n_iov].iov_len = MIN (MSNP_FTP_BLOCK_MAX, want - pos);
  }
  do
    n = readv (x->file_fd, iov, (int) n_iov);
  while (n < 0 && errno == EINTR);
  /* A short read fills the blocks in order: the first n bytes are laid
   * out as framing n bytes would lay them. */
  if (n <= 0 || !msnp_ftp_frame_in_place (x->ftp, blocks, (gsize) n)) {
    g_byte_array_set_size (x->out, old);
    return n < 0 ? -1 : 0;
  }
  g_byte_array_set_size (x->out, (guint) (old + msnp_ftp_framed_len ((gsize) n)));
  return n;
}

/* Frames file bytes until the queue is full or the file is done.  FALSE
 * when the file could not be read as announced. */
static gboolean
fill (MsnpXfer *x)
{
  guint64 left = (guint64) purple_xfer_get_size (x->xfer) - msnp_ftp_bytes (x->ftp);

  while (left > 0 && x->out->len - x->out_pos < OUT_HIGH_WATER) {
    gssize n = fill_blocks (x, left);

    /* A file that shrank, or cannot be read, is not the file offered. */
    if (n <= 0)
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

/* Receiver, writing the file itself: the pieces gathered in x->iov go to
 * the file.  On an error the transfer stops (reported after the feed). */
static void
write_file (MsnpXfer *x)
{
  struct iovec *iov = x->iov;
  guint left = x->iov_len;

  x->iov_len = 0;
  x->iov_bytes = 0;
  while (left > 0 && !x->write_failed) {
    gssize n = writev (x->file_out, iov, (int) left);

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      x->write_failed = TRUE;
      break;
    }
    x->written += (guint64) n;
    /* A short write: go on from where it stopped. */
    while (left > 0 && (gsize) n >= iov->iov_len) {
      n -= (gssize) iov->iov_len;
      iov++;
      left--;
    }
    if (left > 0) {
      iov->iov_base = (guint8 *) iov->iov_base + n;
      iov->iov_len -= (gsize) n;
    }
  }
}

/* Receiver: tells libpurple how far the file got, and ends the transfer
 * once MSNFTP said every byte came.  When the UI writes the file, the
 * bytes read so far go through libpurple's read op first; libpurple
 * writes them, counts them and completes at the announced size. */
static void
deliver (MsnpXfer *x)
{
  PurpleXfer *xfer = x->xfer;

  if (x->write_failed) {
    g_autofree char *msg = g_strdup_printf (_("Could not write %s; the transfer was "
                                              "stopped."),
                                            purple_xfer_get_local_filename (xfer));
    msnp_ftp_cancel (x->ftp);   /* a CCL, unless it went already */
    msnp_xfer_session_flush (x);
    msnp_xfer_fail (x, FALSE, NULL, msg);
    return;
  }
  if (x->file_out >= 0) {
    if (x->written != purple_xfer_get_bytes_sent (xfer)) {
      purple_xfer_set_bytes_sent (xfer, (size_t) x->written);
      purple_xfer_update_progress (xfer);
    }
  } else if (x->in->len > 0) {
    purple_xfer_prpl_ready (xfer);
  }
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

  for (guint i = 0; i < READS_PER_WAKEUP && !x->detached && !x->write_failed; i++) {
    gssize n = read (fd, x->rbuf, RBUF_SIZE);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      break;
    if (n <= 0) {
      /* Whatever arrived before the hang-up counts. */
      if (x->file_out < 0 && x->in->len > 0)
        purple_xfer_prpl_ready (x->xfer);
      else if (x->file_out >= 0 && !x->write_failed)
        purple_xfer_set_bytes_sent (x->xfer, (size_t) x->written);
      if (!x->detached)
        msnp_ftp_disconnected (x->ftp);
      return;
    }
    msnp_ftp_feed (x->ftp, x->rbuf, (gsize) n);
    /* The pieces point into rbuf: out before it is read into again. */
    if (x->iov_len > 0)
      write_file (x);
    if (n < RBUF_SIZE)
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
  if (x->file_out < 0) {
    g_byte_array_append (x->in, data, (guint) len);
    return;
  }
  if (x->write_failed)
    return;
  /* @data points into rbuf (msnp-ftp.h promises it). */
  x->iov[x->iov_len].iov_base = (guint8 *) data;
  x->iov[x->iov_len].iov_len = len;
  x->iov_bytes += len;
  /* The last piece goes out at once, so that a file that cannot be
   * written is cancelled before MSNFTP confirms it with BYE. */
  if (++x->iov_len == IOV_CAP || x->iov_bytes >= FILE_WRITE_SIZE ||
      msnp_ftp_bytes (x->ftp) == (guint64) purple_xfer_get_size (x->xfer))
    write_file (x);
  /* Not a byte more from a file that cannot be written. */
  if (x->write_failed)
    msnp_ftp_cancel (x->ftp);
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
  x->rbuf = g_malloc (RBUF_SIZE);
  if (!sending && xfer->dest_fp != NULL) {
    x->file_out = fileno (xfer->dest_fp);
    x->iov = g_new (struct iovec, IOV_CAP);
  }
  x->read_watch = purple_input_add (fd, PURPLE_INPUT_READ, read_cb, x);
  msnp_ftp_connected (x->ftp);
}
