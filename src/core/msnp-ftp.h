/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File transfer, MSNP8 style: invitations on a switchboard and the MSNFTP
 * dialogue on a direct TCP connection, both sans-IO.
 *
 * Invitations (text/x-msmsgsinvite; charset=UTF-8) carry a second block of
 * "Name: value" fields in their body (hypothetic.org, "MSN Messenger
 * Protocol", File Transfer, 2002-2003; NINA wiki "Protocols/MSNP/MSNFTP/
 * Invitation"):
 *
 *   sender   → INVITE  Application-Name, Application-GUID (the file
 *                      transfer GUID below), Invitation-Cookie (a random
 *                      32-bit number naming the negotiation),
 *                      Application-File (UTF-8), Application-FileSize,
 *                      optionally Connectivity: N ("I cannot accept
 *                      connections").
 *   receiver → ACCEPT  Launch-Application: FALSE, Request-Data: IP-Address:
 *         or → CANCEL  Cancel-Code: REJECT (declined), …
 *   sender   → ACCEPT  IP-Address, Port, AuthCookie (where it listens),
 *                      optionally IP-Address-Internal and PortX.
 *   Reverse direction: an ACCEPT from the receiver with Sender-Connect:
 *   TRUE, IP-Address, Port and AuthCookie means the receiver listens and
 *   the sender connects.  The NINA wiki notes that a client sending
 *   Connectivity must handle Sender-Connect in the reply.
 *
 * MSNFTP (yellows111, "MSNFTP" at yellows111.darkok.xyz/msnp/files/
 * msnftp.html; hypothetic.org v2 "File transfer"): whoever connected, the
 * receiver speaks first.
 *
 *   R: VER MSNFTP            S: VER MSNFTP
 *   R: USR passport cookie   S: FIL size      (cookie: the AuthCookie)
 *   R: TFR                   S: data blocks: byte 0 = 0, bytes 1-2 the
 *                               length, little-endian, at most 2045 bytes
 *                               each; {1, 0, 0} = the sender cancelled.
 *   R: BYE 16777989 (received in full) or CCL (cancelled); then close.
 *
 * Threads and ownership: sans-IO and single-threaded; a session (and an
 * invitation) is used from one thread at a time, and its callbacks fire
 * synchronously from inside the call that fed it.  Everything returned
 * newly allocated is the caller's (free with the matching _free or
 * g_free / g_bytes_unref as each function says); pointers handed to
 * callbacks are borrowed for the callback's duration unless said
 * otherwise. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MSNP_FTP_GUID "{5D3E02AB-6190-11d3-BBBB-00C04F795683}"
#define MSNP_FTP_APP_NAME "File Transfer"
#define MSNP_INVITE_CONTENT_TYPE "text/x-msmsgsinvite; charset=UTF-8"

/* Block payload limit the official clients used. */
#define MSNP_FTP_BLOCK_MAX 2045
#define MSNP_FTP_HEADER_LEN 3

/* BYE codes (yellows111's table): 0x01000305 received successfully,
 * 0x01000303 sent successfully, 0x80070005 receiver out of disk space,
 * 0x81000332 receiver cancelled, 0x8100033e timed out. */
#define MSNP_FTP_BYE_OK        16777989u
#define MSNP_FTP_BYE_SENT_OK   16777987u
#define MSNP_FTP_BYE_DISK_FULL 2147942405u
#define MSNP_FTP_BYE_CANCELLED 2164261682u
#define MSNP_FTP_BYE_TIMEOUT   2164261694u

/* ---- invitations ------------------------------------------------------ */

typedef enum {
  MSNP_INVITE_OTHER = 0,
  MSNP_INVITE_INVITE,
  MSNP_INVITE_ACCEPT,
  MSNP_INVITE_CANCEL,
} MsnpInviteCommand;

typedef struct {
  MsnpInviteCommand command;
  char    *cookie;          /* Invitation-Cookie */
  char    *app_name;
  char    *app_guid;
  char    *file;            /* Application-File, valid UTF-8, or NULL */
  gint64   file_size;       /* -1 when absent or not a number */
  gboolean no_connectivity; /* Connectivity: N */
  char    *ip;              /* IP-Address (empty in the receiver's ACCEPT) */
  char    *ip_internal;     /* IP-Address-Internal */
  guint    port;            /* 0 when absent or invalid */
  guint    port_x;
  char    *auth_cookie;
  gboolean sender_connect;  /* Sender-Connect: TRUE */
  char    *cancel_code;
} MsnpInvite;

/* Parses the body of an invitation MSG (the fields block).  NULL when it
 * has no Invitation-Command or Invitation-Cookie; unknown fields and
 * commands are ignored (MSNP_INVITE_OTHER). */
MsnpInvite *msnp_invite_parse (const guint8 *body, gsize len);
MsnpInvite *msnp_invite_new   (MsnpInviteCommand command, const char *cookie);
void        msnp_invite_free  (MsnpInvite *invite);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpInvite, msnp_invite_free)

/* TRUE for an MSNFTP file-transfer INVITE (by GUID). */
gboolean msnp_invite_is_file_transfer (const MsnpInvite *invite);

/* The whole MSG payload (MIME headers, fields, trailing blank line).  Only
 * the fields that suit the command and are set are written; values with
 * line breaks are refused (NULL). */
GBytes *msnp_invite_build (const MsnpInvite *invite);

/* A random cookie as the clients made them: a decimal 32-bit number. */
char *msnp_invite_new_cookie (void);

/* The longest file name msnp_ftp_safe_file_name() returns, in bytes:
 * file systems take 255, and a UI may add " (1)" for a duplicate. */
#define MSNP_FTP_MAX_NAME 200

/* Turns the name a sender proposed into one safe to save as on any file
 * system a user may save to: no directory part (slashes, backslashes and
 * their look-alikes such as U+2215 become "_"), no control or format
 * characters, no leading dots or trailing dots and spaces, no Windows
 * device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an
 * extension, gets a "_" in front), at most MSNP_FTP_MAX_NAME bytes with
 * the extension kept when it is shortened; never empty.  @name may be
 * NULL or invalid UTF-8.  Newly allocated. */
char *msnp_ftp_safe_file_name (const char *name);

/* ---- MSNFTP ----------------------------------------------------------- */

typedef enum {
  MSNP_FTP_SENDER,
  MSNP_FTP_RECEIVER,
} MsnpFtpRole;

typedef enum {
  MSNP_FTP_DONE,            /* every byte arrived (BYE 16777989) */
  MSNP_FTP_CANCELLED,       /* msnp_ftp_cancel() */
  MSNP_FTP_PEER_CANCELLED,  /* CCL, the cancel block, a failure BYE */
  MSNP_FTP_PEER_DISK_FULL,  /* BYE 2147942405 */
  MSNP_FTP_AUTH_FAILED,     /* sender: wrong USR; receiver: hung up on USR */
  MSNP_FTP_WRONG_SIZE,      /* FIL differs from the invitation */
  MSNP_FTP_TOO_MUCH,        /* more data than announced */
  MSNP_FTP_PROTOCOL,        /* unframeable or out-of-order input */
  MSNP_FTP_DISCONNECTED,    /* connection closed before the end */
} MsnpFtpResult;

typedef struct {
  /* Bytes for the peer.  @sensitive: USR carries the auth cookie. */
  void (*write)    (gpointer user, const guint8 *data, gsize len,
                    gboolean sensitive);
  /* Receiver: file bytes, in order, at most what was announced.  @data
   * points into the bytes given to msnp_ftp_feed() (never into a copy), so
   * a caller that owns that buffer may keep the pointer for as long as it
   * keeps the buffer, and write the file from it without copying. */
  void (*data)     (gpointer user, const guint8 *data, gsize len);
  /* Sender: the receiver said TFR; frame the file with msnp_ftp_frame(). */
  void (*transfer) (gpointer user);
  /* Fires once; nothing fires after it.  @code is the BYE code when
   * there was one, else 0. */
  void (*finished) (gpointer user, MsnpFtpResult result, guint32 code);
} MsnpFtpEvents;

typedef struct _MsnpFtp MsnpFtp;

/* @passport is the receiver's passport (the receiver sends it, the sender
 * checks it, case-insensitively); @auth_cookie likewise; @size is the
 * size announced in the invitation.  Callbacks must not free the
 * session. */
MsnpFtp *msnp_ftp_new  (MsnpFtpRole role, const char *passport,
                        const char *auth_cookie, guint64 size,
                        const MsnpFtpEvents *events, gpointer user);
void     msnp_ftp_free (MsnpFtp *ftp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpFtp, msnp_ftp_free)

/* The TCP connection is up (either direction): the receiver says VER. */
void     msnp_ftp_connected    (MsnpFtp *ftp);
/* Peer bytes; any split.  FALSE once finished. */
gboolean msnp_ftp_feed         (MsnpFtp *ftp, const guint8 *data, gsize len);
/* The connection closed. */
void     msnp_ftp_disconnected (MsnpFtp *ftp);
/* Sender, after transfer: appends @len file bytes to @out as blocks.
 * FALSE (nothing appended) before TFR, after the end, or when it would
 * exceed the announced size. */
gboolean msnp_ftp_frame        (MsnpFtp *ftp, const guint8 *data, gsize len,
                                GByteArray *out);
/* Sender, framing without a copy: @blocks holds @len file bytes already
 * laid out as the blocks carry them, MSNP_FTP_BLOCK_MAX bytes after each
 * gap of MSNP_FTP_HEADER_LEN bytes (msnp_ftp_framed_len (@len) bytes in
 * all, the last block shorter); the block headers are written into the
 * gaps.  A caller reads its file straight into place (readv) and
 * sends @blocks as they are.  Same rules and result as msnp_ftp_frame(). */
gboolean msnp_ftp_frame_in_place (MsnpFtp *ftp, guint8 *blocks, gsize len);
/* Stops: CCL, or from a sender in the data phase the cancel block; then
 * finished (MSNP_FTP_CANCELLED), unless it had finished already. */
void     msnp_ftp_cancel       (MsnpFtp *ftp);

/* File bytes framed (sender) or received (receiver) so far. */
guint64  msnp_ftp_bytes        (const MsnpFtp *ftp);
gboolean msnp_ftp_is_finished  (const MsnpFtp *ftp);
/* TRUE once the text dialogue is over and data flows. */
gboolean msnp_ftp_is_transferring (const MsnpFtp *ftp);

/* Bytes that framing @len file bytes takes on the wire; the payload of
 * block i starts at i * (MSNP_FTP_BLOCK_MAX + MSNP_FTP_HEADER_LEN) +
 * MSNP_FTP_HEADER_LEN. */
gsize    msnp_ftp_framed_len   (gsize len);

G_END_DECLS
