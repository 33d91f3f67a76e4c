/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MSNFTP file transfers as libpurple transfers (see msn-xfer.h).
 *
 * The negotiation (msnp-ftp.h has the sources):
 *
 *   sender                                  receiver
 *   INVITE (cookie, name, size)  ────────►  libpurple's accept dialog
 *                                ◄────────  ACCEPT (Request-Data) | CANCEL
 *   listen (purple_network_listen_range)
 *   ACCEPT (IP-Address, Port, AuthCookie) ►  connect to each address
 *   ◄────────────── MSNFTP on the direct connection ──────────────►
 *
 * When the receiver reaches none of the sender's addresses, it tries the
 * other direction: it listens and sends an ACCEPT with Sender-Connect:
 * TRUE and its own address; the sender connects there.  If that fails
 * too, the transfer ends with a clear error on both sides.
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
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <blist.h>
#include <debug.h>
#include <eventloop.h>
#include <ft.h>
#include <network.h>
#include <proxy.h>
#include <request.h>
#include <signals.h>

#include "msn-switchboard.h"
#include "msn-xfer.h"
#include "msnp-ftp.h"

/* A hidden per-account setting (no UI): seconds to wait for the direct
 * connection.  Tests shorten it. */
#define OPT_CONNECT_TIMEOUT     "ft_connect_timeout"
#define DEFAULT_CONNECT_TIMEOUT 30
/* How long an invitation may go unanswered (the official client's own
 * dialog gave up after a few minutes). */
#define ANSWER_TIMEOUT  600
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
/* Seconds a finished transfer may take to write its last bytes. */
#define LINGER_TIMEOUT  5

#define XFER_MAGIC 0x4d534654u   /* "MSFT" */

typedef struct {
  char  *host;
  guint  port;
} Target;

typedef struct {
  guint32        magic;
  PurpleXfer    *xfer;
  PurpleAccount *account;
  char          *who;
  char          *cookie;        /* Invitation-Cookie */
  char          *auth_cookie;   /* the MSNFTP USR cookie */
  gboolean       accepted;      /* receiver: our ACCEPT went out */
  gboolean       reversed;      /* the other direction was tried */

  GArray                  *targets;     /* Target, tried in order */
  guint                    next_target;
  PurpleProxyConnectData  *connecting;
  PurpleNetworkListenData *listening;
  int                      listen_fd;
  guint                    listen_watch;

  int         fd;
  guint       read_watch;
  guint       write_watch;
  MsnpFtp    *ftp;
  GByteArray *out;              /* bytes for the peer */
  gsize       out_pos;
  GByteArray *in;               /* receiver: file bytes for libpurple */
  int         file_fd;          /* sender: the file */
  gboolean    complete;         /* receiver: MSNFTP said every byte came */

  guint   timer;
  gint64  last_activity;
  guint   reap;
  gboolean failing;             /* we are ending it: do not tell twice */
  gboolean file_answered;       /* our file chooser said OK or cancel */
  gboolean offer_answered;      /* receiver: the accept dialog was answered */
  gboolean detached;            /* libpurple is done with us */
} MsnpXfer;

static const MsnpFtpEvents ftp_events;
static void pump (MsnpXfer *x);

/* ---- lookup and lifetime ---------------------------------------------- */

static MsnpXfer *
x_of (PurpleXfer *xfer)
{
  MsnpXfer *x = xfer != NULL ? xfer->data : NULL;
  return x != NULL && x->magic == XFER_MAGIC && !x->detached ? x : NULL;
}

static MsnpXfer *
find_transfer (PurpleAccount *account, const char *who, const char *cookie)
{
  for (GList *l = purple_xfers_get_all (); l != NULL; l = l->next) {
    PurpleXfer *xfer = l->data;
    MsnpXfer *x = purple_xfer_get_account (xfer) == account ? x_of (xfer) : NULL;

    if (x != NULL && x->cookie != NULL && strcmp (x->cookie, cookie) == 0 &&
        g_ascii_strcasecmp (x->who, who) == 0)
      return x;
  }
  return NULL;
}

static void
stop_timer (MsnpXfer *x)
{
  if (x->timer != 0)
    purple_timeout_remove (x->timer);
  x->timer = 0;
}

static void
stop_listening (MsnpXfer *x)
{
  if (x->listening != NULL)
    purple_network_listen_cancel (x->listening);
  x->listening = NULL;
  if (x->listen_watch != 0)
    purple_input_remove (x->listen_watch);
  x->listen_watch = 0;
  if (x->listen_fd >= 0)
    close (x->listen_fd);
  x->listen_fd = -1;
}

/* Every socket, watch and timer goes; the struct itself stays until the
 * reap, because this often runs inside one of its own callbacks. */
static void
teardown (MsnpXfer *x)
{
  stop_timer (x);
  stop_listening (x);
  if (x->connecting != NULL)
    purple_proxy_connect_cancel (x->connecting);
  x->connecting = NULL;
  if (x->read_watch != 0)
    purple_input_remove (x->read_watch);
  if (x->write_watch != 0)
    purple_input_remove (x->write_watch);
  x->read_watch = x->write_watch = 0;
  if (x->fd >= 0)
    close (x->fd);
  x->fd = -1;
  if (x->file_fd >= 0)
    close (x->file_fd);
  x->file_fd = -1;
}

static void
x_free (MsnpXfer *x)
{
  teardown (x);
  if (x->reap != 0)
    g_source_remove (x->reap);
  msnp_ftp_free (x->ftp);
  for (guint i = 0; x->targets != NULL && i < x->targets->len; i++)
    g_free (g_array_index (x->targets, Target, i).host);
  if (x->targets != NULL)
    g_array_unref (x->targets);
  g_byte_array_unref (x->out);
  g_byte_array_unref (x->in);
  g_free (x->who);
  g_free (x->cookie);
  g_free (x->auth_cookie);
  g_free (x);
}

static gboolean
reap_cb (gpointer data)
{
  MsnpXfer *x = data;

  x->reap = 0;
  x_free (x);
  return G_SOURCE_REMOVE;
}

static gboolean
linger_timeout_cb (gpointer data)
{
  MsnpXfer *x = data;

  x->timer = 0;
  teardown (x);
  if (x->reap == 0)
    x->reap = g_idle_add (reap_cb, x);
  return FALSE;
}

/* libpurple is finished with the transfer (end, cancel, denied).  What we
 * still owe the peer (a cancel block behind queued data, a BYE, a CCL) is
 * written out first, for a few seconds at most; nothing is read. */
static void
detach (MsnpXfer *x)
{
  gboolean linger = x->fd >= 0 && x->out_pos < x->out->len;

  if (linger) {
    stop_timer (x);
    stop_listening (x);
    if (x->read_watch != 0)
      purple_input_remove (x->read_watch);
    x->read_watch = 0;
    if (x->file_fd >= 0)
      close (x->file_fd);
    x->file_fd = -1;
    x->timer = purple_timeout_add_seconds (LINGER_TIMEOUT, linger_timeout_cb, x);
  } else {
    teardown (x);
  }
  x->detached = TRUE;
  if (x->xfer != NULL && x->xfer->data == x)
    x->xfer->data = NULL;
  x->xfer = NULL;
  if (!linger && x->reap == 0)
    x->reap = g_idle_add (reap_cb, x);
}

/* ---- invitations out ---------------------------------------------------- */

static MsnpAccount *
account_session (PurpleAccount *account)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  MsnpAccount *msn = gc != NULL ? gc->proto_data : NULL;

  return msn != NULL && msnp_ns_is_online (msn->ns) ? msn : NULL;
}

/* Sends @invite (its cookie is ours); FALSE when signed out. */
static gboolean
send_invite (MsnpXfer *x, const MsnpInvite *invite)
{
  MsnpAccount *msn = account_session (x->account);
  g_autoptr (GBytes) payload = NULL;

  if (msn == NULL)
    return FALSE;
  payload = msnp_invite_build (invite);
  if (payload == NULL)
    return FALSE;
  msnp_switchboard_send_invitation (msn, x->who, payload, x->cookie);
  return TRUE;
}

static void
send_cancel (MsnpXfer *x, const char *code)
{
  g_autoptr (MsnpInvite) cancel = msnp_invite_new (MSNP_INVITE_CANCEL, x->cookie);

  cancel->cancel_code = g_strdup (code);
  send_invite (x, cancel);
}

/* The contact as libpurple shows them (its alias), for sentences. */
static const char *
peer_name (MsnpXfer *x)
{
  PurpleBuddy *buddy = purple_find_buddy (x->account, x->who);
  return buddy != NULL ? purple_buddy_get_alias (buddy) : x->who;
}

/* ---- ending --------------------------------------------------------------- */

/* Ends the transfer with @sentence shown.  @by_peer: the other side ended
 * it (libpurple then says so too); otherwise it failed here, and @code,
 * when set, tells the other side why. */
static void
fail (MsnpXfer *x, gboolean by_peer, const char *code, const char *sentence)
{
  PurpleXfer *xfer = x->xfer;

  if (xfer == NULL || x->failing)
    return;
  x->failing = TRUE;
  if (code != NULL && !by_peer)
    send_cancel (x, code);
  purple_debug_info ("msnp", "file transfer with %s: %s\n", x->who, sentence);
  purple_xfer_conversation_write (xfer, (char *) sentence, TRUE);
  if (by_peer) {
    purple_xfer_cancel_remote (xfer);
  } else {
    purple_xfer_error (purple_xfer_get_type (xfer), x->account, x->who, sentence);
    purple_xfer_cancel_local (xfer);
  }
}

static int
percent_done (MsnpXfer *x)
{
  size_t size = purple_xfer_get_size (x->xfer);

  if (size == 0)
    return 0;
  return (int) (100.0 * (double) purple_xfer_get_bytes_sent (x->xfer) / (double) size);
}

/* The sentence for a Cancel-Code from the other side (the codes of the
 * invitation descriptions cited in msnp-ftp.h). */
static char *
cancel_sentence (const char *who, const char *code)
{
  static const char *const codes[] = {
    "REJECT", "REJECT_NOT_INSTALLED", "TIMEOUT", "FTTIMEOUT", "FAIL",
  };
  gsize i = 0;

  while (i < G_N_ELEMENTS (codes) &&
         (code == NULL || g_ascii_strcasecmp (code, codes[i]) != 0))
    i++;
  switch (i) {
  case 0:
    return g_strdup_printf (_("%s declined the file."), who);
  case 1:
    return g_strdup_printf (_("%s's messenger cannot receive files."), who);
  case 2:
    return g_strdup_printf (_("%s did not answer in time."), who);
  case 3:
    return g_strdup_printf (_("No direct connection with %s could be made for "
                              "the transfer."), who);
  case 4:
    return g_strdup_printf (_("%s's messenger could not start the transfer."), who);
  default:   /* OUTBANDCANCEL and anything newer */
    return g_strdup_printf (_("%s cancelled the transfer."), who);
  }
}

/* ---- the direct connection: bytes out ------------------------------------ */

/* The transfer made progress: the stall clock starts again. */
static void
touch (MsnpXfer *x)
{
  x->last_activity = g_get_monotonic_time ();
}

static void write_cb (gpointer data, gint fd, PurpleInputCondition cond);

/* Writes what is queued.  TRUE when all of it went out. */
static gboolean
flush (MsnpXfer *x)
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
    touch (x);
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
    if (flush (x)) {
      stop_timer (x);
      linger_timeout_cb (x);
    }
    return;
  }
  if (x->ftp != NULL && msnp_ftp_is_transferring (x->ftp) &&
      purple_xfer_get_type (x->xfer) == PURPLE_XFER_SEND)
    pump (x);
  else
    flush (x);
}

static void
ftp_write (gpointer user, const guint8 *data, gsize len, gboolean sensitive)
{
  MsnpXfer *x = user;

  g_byte_array_append (x->out, data, (guint) len);
  if (x->write_watch == 0)
    flush (x);
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
      flush (x);
      fail (x, FALSE, NULL, msg);
      return;
    }
    if (!flush (x) || !msnp_ftp_is_transferring (x->ftp) ||
        msnp_ftp_bytes (x->ftp) == purple_xfer_get_size (x->xfer))
      break;
  }
  show_send_progress (x);
}

/* ---- the direct connection: bytes in ------------------------------------- */

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

static gssize
ops_read (guchar **buffer, PurpleXfer *xfer)
{
  MsnpXfer *x = x_of (xfer);
  gssize n;

  if (x == NULL || x->in->len == 0) {
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

  touch (x);
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
    fail (x, FALSE, NULL, msg);
    return;
  }
  /* The file flows from the write watch, once this callback is over. */
  if (x->write_watch == 0)
    x->write_watch = purple_input_add (x->fd, PURPLE_INPUT_WRITE, write_cb, x);
}

static char *
result_sentence (MsnpXfer *x, MsnpFtpResult result, gboolean *by_peer)
{
  *by_peer = result == MSNP_FTP_PEER_CANCELLED || result == MSNP_FTP_PEER_DISK_FULL;
  switch (result) {
  case MSNP_FTP_PEER_CANCELLED:
    return g_strdup_printf (_("%s cancelled the transfer."), peer_name (x));
  case MSNP_FTP_PEER_DISK_FULL:
    return g_strdup_printf (_("%s has no room left for the file."), peer_name (x));
  case MSNP_FTP_AUTH_FAILED:
    return purple_xfer_get_type (x->xfer) == PURPLE_XFER_SEND
        ? g_strdup_printf (_("The connection for the transfer did not come from "
                             "%s (wrong authorization cookie)."), peer_name (x))
        : g_strdup_printf (_("%s refused the connection for the transfer."), peer_name (x));
  case MSNP_FTP_WRONG_SIZE:
    return g_strdup_printf (_("%s sent a file of another size than offered."), peer_name (x));
  case MSNP_FTP_TOO_MUCH:
    return g_strdup_printf (_("%s sent more data than the file holds; the transfer "
                              "was stopped."), peer_name (x));
  case MSNP_FTP_PROTOCOL:
    return g_strdup_printf (_("The transfer with %s broke down: unexpected data."),
                            peer_name (x));
  default:
    if (msnp_ftp_is_transferring (x->ftp) || purple_xfer_get_bytes_sent (x->xfer) > 0)
      return g_strdup_printf (_("The connection with %s was lost at %d%%."), peer_name (x),
                              percent_done (x));
    return g_strdup_printf (_("The connection with %s was lost."), peer_name (x));
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
  fail (x, by_peer, NULL, sentence);
}

static const MsnpFtpEvents ftp_events = {
  .write    = ftp_write,
  .data     = ftp_data,
  .transfer = ftp_transfer,
  .finished = ftp_finished,
};

/* ---- timers --------------------------------------------------------------- */

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
                         peer_name (x), percent_done (x));
  msnp_ftp_cancel (x->ftp);
  flush (x);
  fail (x, FALSE, NULL, msg);
  return FALSE;
}

static gboolean
connect_timeout_cb (gpointer data)
{
  MsnpXfer *x = data;
  g_autofree char *msg = g_strdup_printf (
      _("Could not connect to %s for the file transfer."), peer_name (x));

  x->timer = 0;
  fail (x, FALSE, "FTTIMEOUT", msg);
  return FALSE;
}

static gboolean
answer_timeout_cb (gpointer data)
{
  MsnpXfer *x = data;
  g_autofree char *msg = g_strdup_printf (
      _("%s did not answer the file transfer invitation."), peer_name (x));

  x->timer = 0;
  fail (x, FALSE, "TIMEOUT", msg);
  return FALSE;
}

static void
arm_timer (MsnpXfer *x, guint seconds, GSourceFunc cb)
{
  stop_timer (x);
  x->timer = purple_timeout_add_seconds (seconds, cb, x);
}

static guint
connect_timeout (MsnpXfer *x)
{
  int s = purple_account_get_int (x->account, OPT_CONNECT_TIMEOUT,
                                  DEFAULT_CONNECT_TIMEOUT);
  return s > 0 ? (guint) s : DEFAULT_CONNECT_TIMEOUT;
}

/* ---- connecting ------------------------------------------------------------ */

/* The direct connection is up (whoever opened it): MSNFTP starts. */
static void
start_session (MsnpXfer *x, int fd)
{
  PurpleXfer *xfer = x->xfer;
  gboolean sending = purple_xfer_get_type (xfer) == PURPLE_XFER_SEND;
  const char *receiver = sending ? x->who : purple_account_get_username (x->account);

  stop_listening (x);
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  x->fd = fd;
  x->ftp = msnp_ftp_new (sending ? MSNP_FTP_SENDER : MSNP_FTP_RECEIVER, receiver,
                         x->auth_cookie, purple_xfer_get_size (xfer), &ftp_events, x);
  touch (x);
  arm_timer (x, STALL_CHECK, stall_cb);
  /* fd -1: libpurple opens the local file and shows the transfer as
   * started; the connection stays ours. */
  purple_xfer_start (xfer, -1, NULL, 0);
  if (x->detached)
    return;   /* the local file could not be opened */
  x->read_watch = purple_input_add (fd, PURPLE_INPUT_READ, read_cb, x);
  msnp_ftp_connected (x->ftp);
}

static void start_listening (MsnpXfer *x);
static void connect_next (MsnpXfer *x);

static void
connected_cb (gpointer data, gint fd, const gchar *error)
{
  MsnpXfer *x = data;

  x->connecting = NULL;
  if (fd < 0) {
    purple_debug_info ("msnp", "file transfer: connect failed: %s\n",
                       error ? error : "");
    connect_next (x);
    return;
  }
  start_session (x, fd);
}

static void
connect_next (MsnpXfer *x)
{
  while (x->targets != NULL && x->next_target < x->targets->len) {
    Target *t = &g_array_index (x->targets, Target, x->next_target++);

    x->connecting = purple_proxy_connect (NULL, x->account, t->host, t->port,
                                          connected_cb, x);
    if (x->connecting != NULL)
      return;
  }
  /* No address worked.  A receiver asks the sender to connect instead
   * (Sender-Connect), once. */
  if (purple_xfer_get_type (x->xfer) == PURPLE_XFER_RECEIVE && !x->reversed) {
    x->reversed = TRUE;
    start_listening (x);
    return;
  }
  {
    g_autofree char *msg = g_strdup_printf (
        _("Could not connect to %s for the file transfer."), peer_name (x));
    fail (x, FALSE, "FTTIMEOUT", msg);
  }
}

static void
add_target (MsnpXfer *x, const char *host, guint port)
{
  Target t = { .host = g_strdup (host), .port = port };

  if (host == NULL || *host == '\0' || port == 0) {
    g_free (t.host);
    return;
  }
  for (guint i = 0; i < x->targets->len; i++) {
    Target *o = &g_array_index (x->targets, Target, i);
    if (o->port == port && strcmp (o->host, host) == 0) {
      g_free (t.host);
      return;
    }
  }
  g_array_append_val (x->targets, t);
}

/* Connects to where an ACCEPT says the other side listens.  The
 * descriptions have the client try the addresses at once; one after the
 * other keeps this simple and reaches the same one. */
static void
connect_to (MsnpXfer *x, const MsnpInvite *inv)
{
  stop_listening (x);
  if (inv->auth_cookie != NULL) {
    g_free (x->auth_cookie);
    x->auth_cookie = g_strdup (inv->auth_cookie);
  }
  add_target (x, inv->ip, inv->port);
  add_target (x, inv->ip_internal, inv->port);
  add_target (x, inv->ip, inv->port_x);
  add_target (x, inv->ip_internal, inv->port_x);
  arm_timer (x, connect_timeout (x), connect_timeout_cb);
  connect_next (x);
}

/* ---- listening ------------------------------------------------------------- */

static void
accept_cb (gpointer data, gint listen_fd, PurpleInputCondition cond)
{
  MsnpXfer *x = data;
  int fd = accept (listen_fd, NULL, NULL);

  if (fd < 0)
    return;
  start_session (x, fd);
}

/* Our ACCEPT with the address we listen on. */
static void
announce_address (MsnpXfer *x, int fd)
{
  g_autoptr (MsnpInvite) accept = msnp_invite_new (MSNP_INVITE_ACCEPT, x->cookie);
  const char *my_ip = purple_network_get_my_ip (fd);
  const char *local_ip = purple_network_get_local_system_ip (fd);

  accept->ip = g_strdup (my_ip);
  if (local_ip != NULL && g_strcmp0 (local_ip, my_ip) != 0)
    accept->ip_internal = g_strdup (local_ip);
  accept->port = purple_network_get_port_from_fd (fd);
  accept->auth_cookie = g_strdup (x->auth_cookie);
  accept->sender_connect = purple_xfer_get_type (x->xfer) == PURPLE_XFER_RECEIVE;
  send_invite (x, accept);
}

static void
listen_cb (int fd, gpointer data)
{
  MsnpXfer *x = data;

  x->listening = NULL;
  if (fd < 0) {
    g_autofree char *msg = g_strdup_printf (
        _("Could not open a port for the file transfer with %s."), peer_name (x));
    fail (x, FALSE, "FAIL", msg);
    return;
  }
  x->listen_fd = fd;
  x->listen_watch = purple_input_add (fd, PURPLE_INPUT_READ, accept_cb, x);
  announce_address (x, fd);
  arm_timer (x, connect_timeout (x), connect_timeout_cb);
}

/* Listens on a port from the user's range (libpurple maps it with UPnP or
 * NAT-PMP when it can). */
static void
start_listening (MsnpXfer *x)
{
  if (x->auth_cookie == NULL)
    x->auth_cookie = msnp_invite_new_cookie ();
  x->listening = purple_network_listen_range (0, 0, SOCK_STREAM, listen_cb, x);
  if (x->listening == NULL && x->listen_fd < 0 && !x->detached && !x->failing)
    listen_cb (-1, x);
}

/* ---- invitations in --------------------------------------------------------- */

static void
sender_got_accept (MsnpXfer *x, const MsnpInvite *inv)
{
  if (x->fd >= 0 || x->connecting != NULL)
    return;
  /* The receiver listens: we connect (its fallback, or its choice). */
  if (inv->sender_connect && inv->ip != NULL && inv->port != 0) {
    connect_to (x, inv);
    return;
  }
  if (x->listening == NULL && x->listen_fd < 0)
    start_listening (x);
}

static void
receiver_got_accept (MsnpXfer *x, const MsnpInvite *inv)
{
  if (!x->accepted || x->fd >= 0 || x->connecting != NULL || x->listen_fd >= 0 ||
      x->listening != NULL)
    return;
  if (inv->ip == NULL || inv->port == 0 || inv->auth_cookie == NULL) {
    purple_debug_info ("msnp", "file transfer: ACCEPT without an address\n");
    return;
  }
  connect_to (x, inv);
}

static void
got_cancel (MsnpXfer *x, const MsnpInvite *inv)
{
  g_autofree char *sentence = cancel_sentence (peer_name (x), inv->cancel_code);

  /* Once the direct connection runs, MSNFTP itself says how it ended. */
  if (x->ftp != NULL && !msnp_ftp_is_finished (x->ftp))
    msnp_ftp_cancel (x->ftp);
  fail (x, TRUE, NULL, sentence);
}

static void setup_ops (PurpleXfer *xfer);
static void ask_receiver (PurpleXfer *xfer);

/* An offer from @who: libpurple's accept dialog asks the user. */
static void
got_offer (PurpleAccount *account, const char *who, const MsnpInvite *inv)
{
  PurpleXfer *xfer;
  MsnpXfer *x;
  g_autofree char *name = NULL;

  if (find_transfer (account, who, inv->cookie) != NULL)
    return;   /* a copy re-sent on another switchboard */
  xfer = purple_xfer_new (account, PURPLE_XFER_RECEIVE, who);
  setup_ops (xfer);
  x = x_of (xfer);
  x->cookie = g_strdup (inv->cookie);
  name = msnp_ftp_safe_file_name (inv->file);
  purple_xfer_set_filename (xfer, name);
  purple_xfer_set_size (xfer, (size_t) inv->file_size);
  ask_receiver (xfer);
}

gboolean
msnp_xfer_invitation (MsnpAccount *msn, const char *passport, const MsnpMime *mime)
{
  gsize len = 0;
  const guint8 *body = msnp_mime_body (mime, &len);
  g_autoptr (MsnpInvite) inv = msnp_invite_parse (body, len);
  MsnpXfer *x;

  if (inv == NULL)
    return FALSE;
  if (inv->command == MSNP_INVITE_INVITE) {
    if (!msnp_invite_is_file_transfer (inv) || inv->file_size < 0)
      return FALSE;
    got_offer (msn->account, passport, inv);
    return TRUE;
  }
  x = find_transfer (msn->account, passport, inv->cookie);
  if (x == NULL)
    return inv->command != MSNP_INVITE_OTHER;
  if (inv->command == MSNP_INVITE_CANCEL)
    got_cancel (x, inv);
  else if (inv->command == MSNP_INVITE_ACCEPT &&
           purple_xfer_get_type (x->xfer) == PURPLE_XFER_SEND)
    sender_got_accept (x, inv);
  else if (inv->command == MSNP_INVITE_ACCEPT)
    receiver_got_accept (x, inv);
  return TRUE;
}

void
msnp_xfer_invitation_failed (MsnpAccount *msn, const char *who, const char *cookie)
{
  MsnpXfer *x = find_transfer (msn->account, who, cookie);
  g_autofree char *msg = NULL;

  if (x == NULL)
    return;
  msg = g_strdup_printf (_("The file transfer invitation could not be delivered "
                           "to %s."), who);
  fail (x, FALSE, NULL, msg);
}

/* ---- libpurple transfer ops ------------------------------------------------- */

static void
ops_init (PurpleXfer *xfer)
{
  MsnpXfer *x = x_of (xfer);
  g_autoptr (MsnpInvite) inv = NULL;

  if (x == NULL)
    return;
  if (purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE) {
    /* Accepted: ask for the sender's address. */
    inv = msnp_invite_new (MSNP_INVITE_ACCEPT, x->cookie);
    x->accepted = TRUE;
    arm_timer (x, connect_timeout (x), connect_timeout_cb);
  } else {
    inv = msnp_invite_new (MSNP_INVITE_INVITE, NULL);
    x->cookie = msnp_invite_new_cookie ();
    inv->cookie = g_strdup (x->cookie);
    inv->app_name = g_strdup (MSNP_FTP_APP_NAME);
    inv->app_guid = g_strdup (MSNP_FTP_GUID);
    inv->file = g_strdup (purple_xfer_get_filename (xfer));
    inv->file_size = (gint64) purple_xfer_get_size (xfer);
    arm_timer (x, ANSWER_TIMEOUT, answer_timeout_cb);
  }
  if (!send_invite (x, inv)) {
    g_autofree char *msg = g_strdup_printf (
        _("Could not offer the file to %s: you are not signed in."), peer_name (x));
    fail (x, FALSE, NULL, msg);
  }
}

/* Cancelled here (the user, or fail()): the other side is told, in band
 * once the direct connection runs, otherwise on the switchboard. */
static void
ops_cancel (PurpleXfer *xfer)
{
  MsnpXfer *x = x_of (xfer);

  if (x == NULL)
    return;
  if (purple_xfer_get_status (xfer) == PURPLE_XFER_STATUS_CANCEL_LOCAL && !x->failing) {
    x->failing = TRUE;
    gboolean in_band = x->ftp != NULL && msnp_ftp_is_transferring (x->ftp);

    if (x->ftp != NULL && !msnp_ftp_is_finished (x->ftp)) {
      msnp_ftp_cancel (x->ftp);
      flush (x);
    }
    /* Before data flows, the switchboard says it too: official clients
     * know no cancel in MSNFTP's text phase. */
    if (!in_band && x->cookie != NULL)
      send_cancel (x, "OUTBANDCANCEL");
  }
  detach (x);
}

static void
ops_end (PurpleXfer *xfer)
{
  MsnpXfer *x = x_of (xfer);

  if (x == NULL)
    return;
  flush (x);   /* the receiver's BYE */
  detach (x);
}

/* The receiver declined in the dialog (or the sender closed the file
 * chooser: then nothing was offered yet). */
static void
ops_denied (PurpleXfer *xfer)
{
  MsnpXfer *x = x_of (xfer);

  if (x == NULL)
    return;
  if (purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE && x->cookie != NULL)
    send_cancel (x, "REJECT");
  detach (x);
}

static void
setup_ops (PurpleXfer *xfer)
{
  MsnpXfer *x = g_new0 (MsnpXfer, 1);

  x->magic = XFER_MAGIC;
  x->xfer = xfer;
  x->account = purple_xfer_get_account (xfer);
  x->who = g_strdup (purple_xfer_get_remote_user (xfer));
  x->fd = x->listen_fd = x->file_fd = -1;
  x->out = g_byte_array_new ();
  x->in = g_byte_array_new ();
  x->targets = g_array_new (FALSE, FALSE, sizeof (Target));
  xfer->data = x;
  purple_xfer_set_init_fnc (xfer, ops_init);
  purple_xfer_set_request_denied_fnc (xfer, ops_denied);
  purple_xfer_set_cancel_send_fnc (xfer, ops_cancel);
  purple_xfer_set_cancel_recv_fnc (xfer, ops_cancel);
  purple_xfer_set_end_fnc (xfer, ops_end);
  if (purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE)
    purple_xfer_set_read_fnc (xfer, ops_read);
}

/* ---- our own dialogs ------------------------------------------------------ */

/* The accept and file dialogs are ours rather than purple_xfer_request()'s:
 * Finch 2.14 reports a cancel while it tears its file dialog down after
 * OK, and libpurple's own callbacks then release the transfer twice (a
 * crash when sending, a cancelled transfer when receiving).  Only the
 * first answer counts, and the dialogs' reference on the transfer is
 * dropped from the main loop, after the dialog is gone. */
static gboolean
release_dialog_ref (gpointer data)
{
  purple_xfer_unref (data);
  return G_SOURCE_REMOVE;
}

static gboolean
first_answer (PurpleXfer *xfer, gboolean offer)
{
  MsnpXfer *x = x_of (xfer);
  gboolean *answered;

  if (x == NULL)
    return FALSE;
  answered = offer ? &x->offer_answered : &x->file_answered;
  if (*answered)
    return FALSE;
  *answered = TRUE;
  return TRUE;
}

static void
file_chosen_cb (PurpleXfer *xfer, const char *filename)
{
  if (!first_answer (xfer, FALSE))
    return;
  g_idle_add (release_dialog_ref, xfer);
  purple_xfer_request_accepted (xfer, filename);
}

static void
file_cancelled_cb (PurpleXfer *xfer, const char *filename)
{
  if (!first_answer (xfer, FALSE))
    return;
  if (purple_xfer_get_type (xfer) == PURPLE_XFER_SEND)
    purple_xfer_cancel_local (xfer);
  else
    purple_xfer_request_denied (xfer);
  purple_xfer_unref (xfer);
}

static void
choose_file (PurpleXfer *xfer)
{
  gboolean receiving = purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE;

  purple_xfer_ref (xfer);
  purple_request_file (xfer, receiving ? _("Save File...") : _("Select a file to send"),
                       receiving ? purple_xfer_get_filename (xfer) : NULL, receiving,
                       G_CALLBACK (file_chosen_cb), G_CALLBACK (file_cancelled_cb),
                       purple_xfer_get_account (xfer),
                       purple_xfer_get_remote_user (xfer), NULL, xfer);
}

static void
offer_accepted_cb (PurpleXfer *xfer, int action)
{
  if (!first_answer (xfer, TRUE))
    return;
  choose_file (xfer);
  g_idle_add (release_dialog_ref, xfer);
}

static void
offer_declined_cb (PurpleXfer *xfer, int action)
{
  if (!first_answer (xfer, TRUE))
    return;
  purple_xfer_request_denied (xfer);
  g_idle_add (release_dialog_ref, xfer);
}

/* What purple_xfer_request() would ask, with our callbacks.  Plugins that
 * answer file-recv-request themselves (auto-accept) still can. */
static void
ask_receiver (PurpleXfer *xfer)
{
  PurpleAccount *account = purple_xfer_get_account (xfer);
  const char *who = purple_xfer_get_remote_user (xfer);
  PurpleBuddy *buddy = purple_find_buddy (account, who);
  g_autofree char *size = purple_str_size_to_units (purple_xfer_get_size (xfer));
  g_autofree char *text = NULL;

  purple_signal_emit (purple_xfers_get_handle (), "file-recv-request", xfer);
  if (purple_xfer_get_status (xfer) == PURPLE_XFER_STATUS_CANCEL_LOCAL) {
    purple_xfer_request_denied (xfer);
    return;
  }
  if (purple_xfer_get_local_filename (xfer) != NULL) {
    purple_xfer_request_accepted (xfer, purple_xfer_get_local_filename (xfer));
    return;
  }
  text = g_strdup_printf (_("%s wants to send you %s (%s)"),
                          buddy != NULL ? purple_buddy_get_alias (buddy) : who,
                          purple_xfer_get_filename (xfer), size);
  purple_xfer_ref (xfer);
  purple_request_accept_cancel (xfer, _("File transfer"), text, NULL,
                                PURPLE_DEFAULT_ACTION_NONE, account, who, NULL,
                                xfer, G_CALLBACK (offer_accepted_cb),
                                G_CALLBACK (offer_declined_cb));
}

/* ---- prpl entry points --------------------------------------------------- */

gboolean
msnp_xfer_can_receive (PurpleConnection *gc, const char *who)
{
  PurpleBuddy *buddy = purple_find_buddy (purple_connection_get_account (gc), who);

  /* MSNP8 has no offline file transfer; unknown contacts may be online. */
  return buddy == NULL || PURPLE_BUDDY_IS_ONLINE (buddy);
}

PurpleXfer *
msnp_xfer_new (PurpleConnection *gc, const char *who)
{
  PurpleXfer *xfer = purple_xfer_new (purple_connection_get_account (gc),
                                      PURPLE_XFER_SEND, who);

  if (xfer != NULL)
    setup_ops (xfer);
  return xfer;
}

void
msnp_xfer_send_file (PurpleConnection *gc, const char *who, const char *file)
{
  PurpleXfer *xfer = msnp_xfer_new (gc, who);

  if (xfer == NULL)
    return;
  if (file != NULL)
    purple_xfer_request_accepted (xfer, file);
  else
    choose_file (xfer);
}
