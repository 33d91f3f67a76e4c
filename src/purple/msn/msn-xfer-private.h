/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the parts of the MSNFTP transfer glue share: one transfer's state
 * and the functions each part offers the ones above it.  The parts, from
 * the bottom up, each calling only those below it:
 *
 *   msn-xfer-state.c    MsnpXfer: lookup, lifetime, timers, ending it,
 *                       sending an invitation message
 *   msn-xfer-session.c  MSNFTP on the direct TCP connection (the sans-IO
 *                       msnp-ftp session wired to the socket and the file)
 *   msn-xfer-invite.c   the invitation exchange and the direct connection
 *                       it negotiates (who connects to whom)
 *   msn-xfer.c          libpurple's side: prpl entry points, PurpleXfer
 *                       ops, the accept and file dialogs
 *
 * Everything here runs on libpurple's main loop; nothing is thread-safe.
 * A MsnpXfer is owned by its PurpleXfer (xfer->data) until libpurple is
 * done with the transfer, then by itself until its last bytes are out
 * (msnp_xfer_detach). */
#pragma once

#include <sys/uio.h>

#include <ft.h>
#include <network.h>

#include "msn-context.h"
#include "msnp-connect.h"
#include "msnp-ftp.h"

G_BEGIN_DECLS

/* A hidden per-account setting (no UI): seconds to wait for the direct
 * connection.  Tests shorten it. */
#define MSNP_XFER_OPT_CONNECT_TIMEOUT     "ft_connect_timeout"
#define MSNP_XFER_DEFAULT_CONNECT_TIMEOUT 30
/* How long an invitation may go unanswered (the official client's own
 * dialog gave up after a few minutes). */
#define MSNP_XFER_ANSWER_TIMEOUT  600

typedef struct {
  char  *host;
  guint  port;
} MsnpXferTarget;

typedef struct {
  guint32        magic;
  PurpleXfer    *xfer;
  PurpleAccount *account;
  char          *who;
  char          *cookie;        /* Invitation-Cookie */
  char          *auth_cookie;   /* the MSNFTP USR cookie */
  gboolean       accepted;      /* receiver: our ACCEPT went out */
  gboolean       reversed;      /* the other direction was tried */

  GArray                  *targets;     /* MsnpXferTarget, tried in order */
  guint                    next_target;
  MsnpConnect             *connecting;
  PurpleNetworkListenData *listening;
  int                      listen_fd;
  guint                    listen_watch;

  int         fd;
  guint       read_watch;
  guint       write_watch;
  MsnpFtp    *ftp;
  GByteArray *out;              /* bytes for the peer */
  gsize       out_pos;
  GByteArray *in;               /* receiver, when the UI writes the file:
                                   bytes for libpurple's read op */
  int         file_fd;          /* sender: the file */
  gboolean    complete;         /* receiver: MSNFTP said every byte came */

  /* Receiver, when libpurple opened the file itself (no UI write op):
   * socket bytes land in rbuf, and the file bytes among them go to the
   * file straight from there (iov), with no copy in between. */
  int           file_out;       /* libpurple's file, or -1 */
  guint8       *rbuf;
  struct iovec *iov;
  guint         iov_len;
  gsize         iov_bytes;
  guint64       written;        /* file bytes written so far */
  gboolean      write_failed;


  guint   timer;
  gint64  last_activity;
  guint   reap;
  gboolean failing;             /* we are ending it: do not tell twice */
  gboolean file_answered;       /* our file chooser said OK or cancel */
  gboolean offer_answered;      /* receiver: the accept dialog was answered */
  gboolean detached;            /* libpurple is done with us */
} MsnpXfer;

/* ---- msn-xfer-state.c ---------------------------------------------------- */

/* Attaches a new MsnpXfer to @xfer (xfer->data); libpurple's ops are the
 * caller's to set. */
MsnpXfer *msnp_xfer_state_new   (PurpleXfer *xfer);
/* The live MsnpXfer of @xfer, or NULL once detached (or not ours). */
MsnpXfer *msnp_xfer_of          (PurpleXfer *xfer);
/* The live transfer with @who negotiated under @cookie, or NULL. */
MsnpXfer *msnp_xfer_find        (PurpleAccount *account, const char *who,
                                 const char *cookie);
/* libpurple is finished with the transfer: what we still owe the peer is
 * written out (for a few seconds at most), then the state is freed from
 * the main loop. */
void      msnp_xfer_detach      (MsnpXfer *x);
/* Lingering after detach: the last bytes are out (or time ran out). */
void      msnp_xfer_linger_done (MsnpXfer *x);
void      msnp_xfer_stop_listening (MsnpXfer *x);

void      msnp_xfer_arm_timer   (MsnpXfer *x, guint seconds, GSourceFunc cb);
void      msnp_xfer_stop_timer  (MsnpXfer *x);
guint     msnp_xfer_connect_timeout (MsnpXfer *x);

/* The contact as libpurple shows them (its alias), for sentences. */
const char *msnp_xfer_peer_name (MsnpXfer *x);
int         msnp_xfer_percent_done (MsnpXfer *x);
/* The transfer made progress: the stall clock starts again. */
void        msnp_xfer_touch     (MsnpXfer *x);

/* Sends @invite on a switchboard; FALSE when signed out. */
gboolean msnp_xfer_send_invite (MsnpXfer *x, const MsnpInvite *invite);
void     msnp_xfer_send_cancel (MsnpXfer *x, const char *code);

/* Ends the transfer with @sentence shown.  @by_peer: the other side ended
 * it (libpurple then says so too); otherwise it failed here, and @code,
 * when set, tells the other side why (on the switchboard). */
void msnp_xfer_fail (MsnpXfer *x, gboolean by_peer, const char *code,
                     const char *sentence);

/* ---- msn-xfer-session.c -------------------------------------------------- */

/* The direct connection @fd is up (whoever opened it): MSNFTP starts.
 * @fd becomes the transfer's. */
void     msnp_xfer_session_start (MsnpXfer *x, int fd);
/* Writes what is queued for the peer.  TRUE when all of it went out. */
gboolean msnp_xfer_session_flush (MsnpXfer *x);
/* Receiver, for libpurple's read op (only when the UI writes the file):
 * the file bytes gathered so far, newly allocated and the caller's
 * (*buffer NULL when none). */
gssize   msnp_xfer_session_take  (MsnpXfer *x, guchar **buffer);

/* ---- msn-xfer-invite.c --------------------------------------------------- */

/* Sender: the INVITE for the file chosen.  Receiver: our first ACCEPT
 * (the user said yes).  Either way the transfer's answer clock starts. */
void     msnp_xfer_invite_offer   (MsnpXfer *x);
void     msnp_xfer_invite_accept  (MsnpXfer *x);
/* ACCEPT or CANCEL from the peer for transfer @x. */
void     msnp_xfer_invite_receive (MsnpXfer *x, const MsnpInvite *inv);

G_END_DECLS
