/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A switchboard (SB) session, sans-IO: one conversation with one or more
 * contacts on a switchboard server (draft section 8; MSNP8 shapes in seed
 * 003's family).
 *
 *   outgoing: the NS answered XFR SB with host, port and cookie →
 *             msnp_sb_new_outgoing(); once connected, USR trid me cookie →
 *             USR trid OK me friendly → CAL trid passport → CAL trid
 *             RINGING sessid → JOI passport friendly.
 *   incoming: the NS sent RNG sessid host:port CKI cookie passport friendly
 *             → msnp_sb_new_incoming(); ANS trid me cookie sessid → IRO
 *             trid n total passport friendly (one per participant) → ANS
 *             trid OK.
 *
 * Messages (MSG trid U|N|A len + payload) typed before anyone has joined
 * are queued in order.  Every message sent in A mode is tracked by its own
 * TrID until its ACK or NAK, however many are in flight; when the session
 * ends, each one still queued or unacknowledged is handed back through the
 * undelivered event, so the owner can re-send it elsewhere or report it —
 * never silently lost.
 *
 * Threads and ownership: sans-IO, no sockets, timers or main loop.  Every
 * function runs on the caller's thread, and events fire synchronously from
 * inside the call that caused them; a session is used from one thread.
 * The caller owns what msnp_sb_new_*() return (msnp_sb_free()); strings,
 * arrays, MIME parts and payloads that events and getters hand out are
 * borrowed: valid during the event, or until the session next changes
 * (ref or copy to keep them).  Payloads given to msnp_sb_send() are
 * referenced, not copied.
 *
 * Callbacks must not free the session; defer that to an idle callback. */
#pragma once

#include <glib.h>
#include "msnp-mime.h"

G_BEGIN_DECLS

/* Payload limit of one MSG: the MSNP8-era servers refused (and official
 * clients never sent) more than 1664 bytes of MIME headers plus body. */
#define MSNP_SB_MAX_PAYLOAD 1664

/* How many N-mode messages are remembered after sending, so that a late
 * NAK can still name them (see msnp_sb_send). */
#define MSNP_SB_NAK_WINDOW 32

/* How long a session may wait for its first participant (the JOI after
 * CAL … RINGING, or the server's USR/ANS answer) before it is given up:
 * msnp_sb_ring_timeout().  Pidgin's MSN plugin gave a CAL 60 seconds
 * (its transaction timeout) and dropped a switchboard silent for 60
 * seconds; the official client's invitation also lapsed after about a
 * minute.  Long enough for a slow client to answer, short enough that a
 * message does not sit unreported. */
#define MSNP_SB_RING_TIMEOUT 60

/* Concurrent switchboard sessions per account, pending requests included.
 * Official clients had one per open conversation window; nobody holds 32
 * conversations at once, while 3,000 invitations must not exhaust the
 * process's file descriptors (usually 1,024, shared with every other
 * account and the UI). */
#define MSNP_SB_MAX_SESSIONS 32

typedef enum {
  MSNP_SB_ACK_NONE = 'U',    /* no ACK, no NAK (typing, control) */
  MSNP_SB_ACK_NAK  = 'N',    /* NAK on failure only */
  MSNP_SB_ACK_FULL = 'A',    /* ACK or NAK, always */
} MsnpSbAckMode;

typedef struct {
  /* Bytes to send.  @sensitive data (USR and ANS carry the switchboard
   * cookie, a secret) must not be logged. */
  void (*write)   (gpointer user, const char *data, gsize len,
                   gboolean sensitive);
  /* Signed in to the switchboard: invitations and messages can flow. */
  void (*ready)   (gpointer user);
  /* Someone is in the session: @initial for the IRO roster of an
   * answered invitation, FALSE for JOI. */
  void (*joined)  (gpointer user, const char *passport, const char *friendly,
                   gboolean initial);
  /* BYE passport [1]: @idle when the server says the contact's client
   * closed the session for inactivity.  When the last contact leaves (and
   * nobody else is being invited), the session says OUT and closes. */
  void (*left)    (gpointer user, const char *passport, gboolean idle);
  /* An incoming MSG: @content_type lower-cased without parameters. */
  void (*message) (gpointer user, const char *passport, const char *friendly,
                   const char *content_type, const MsnpMime *mime);
  void (*acked)   (gpointer user, guint64 id);
  /* Not delivered: NAKed (@code 0), refused with an error @code, or the
   * session ended first (@code 0, @ended TRUE).  @payload is the message as
   * it was given to msnp_sb_send(). */
  void (*undelivered) (gpointer user, guint64 id, GBytes *payload,
                       guint code, gboolean ended);
  /* A CAL failed: 217 contact offline, 216 … (msnp-error has sentences).
   * When that leaves nobody in the session and no invitation pending, the
   * session then closes with that code as an MSNP_SERVER_ERROR. */
  void (*call_failed) (gpointer user, const char *passport, guint code);
  /* The session is over: @error NULL when we left or the last contact left
   * (we then said OUT); MSNP_SERVER_ERROR when the server refused us or
   * the session; MSNP_ERROR_DISCONNECTED when the server hung up (or said
   * OUT); MSNP_ERROR_PROTOCOL on unframeable input.  The undelivered events
   * for its messages have fired before this, and nothing fires after. */
  void (*closed)  (gpointer user, const GError *error);
} MsnpSbEvents;

typedef struct _MsnpSb MsnpSb;

/* @own_passport is the account; @cookie and @session_id are opaque
 * strings (revival servers do not use numbers). */
MsnpSb *msnp_sb_new_outgoing (const char *own_passport, const char *cookie,
                              const MsnpSbEvents *events, gpointer user);
MsnpSb *msnp_sb_new_incoming (const char *own_passport, const char *cookie,
                              const char *session_id,
                              const MsnpSbEvents *events, gpointer user);
void    msnp_sb_free (MsnpSb *sb);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpSb, msnp_sb_free)

/* The socket is up: sends USR or ANS. */
void     msnp_sb_connected    (MsnpSb *sb);
/* Server bytes.  FALSE once the session has closed. */
gboolean msnp_sb_feed         (MsnpSb *sb, const guint8 *data, gsize len);
/* The socket went away: hands back what was not acknowledged, closes. */
void     msnp_sb_disconnected (MsnpSb *sb);

/* Invites a contact (CAL), now or once signed in. */
void msnp_sb_invite (MsnpSb *sb, const char *passport);

/* Queues or sends a message; returns its id (> 0), or 0 when it was not
 * taken: a payload over MSNP_SB_MAX_PAYLOAD (split it first, msnp-format),
 * a closed session, or a dropped MSNP_SB_ACK_NONE message.  Messages are
 * sent in the order given, never before someone is there to read them.
 *
 *   MSNP_SB_ACK_FULL: tracked by its TrID, however many are in flight,
 *     until ACK (acked), NAK or an error naming it (undelivered), or the
 *     end of the session (undelivered, @ended TRUE).
 *   MSNP_SB_ACK_NAK: queued and handed back like A while unsent.  Once
 *     written it counts as delivered (no reply ever confirms it, so it is
 *     not handed back when the session ends: that would re-send text the
 *     contact may have read); a NAK or error naming one of the last
 *     MSNP_SB_NAK_WINDOW sent still reports it undelivered.
 *   MSNP_SB_ACK_NONE: sent at once when someone is there, else dropped
 *     (0); never queued, never reported. */
guint64 msnp_sb_send (MsnpSb *sb, GBytes *payload, MsnpSbAckMode mode);

/* Says OUT and ends the session: queued and unacknowledged messages are
 * handed back as undelivered first. */
void msnp_sb_leave (MsnpSb *sb);

/* The wait for the first participant is over (MSNP_SB_RING_TIMEOUT; the
 * owner keeps the clock, this decides).  When nobody has joined — the
 * contact's client rang but never answered, or the switchboard server
 * never signed us in — the session ends with MSNP_ERROR_TIMEOUT: OUT is
 * said if signed in, every queued message is handed back (undelivered,
 * code 0, @ended TRUE), then closed fires.  TRUE when it ended the
 * session; FALSE, and nothing happens, when someone is there (a chat
 * whose later invitee does not answer goes on) or it is already closed. */
gboolean msnp_sb_ring_timeout (MsnpSb *sb);

/* Logs every line sent and received (cookies redacted) with g_debug. */
void msnp_sb_set_trace (MsnpSb *sb, gboolean trace);

gboolean msnp_sb_is_ready  (const MsnpSb *sb);
gboolean msnp_sb_is_closed (const MsnpSb *sb);
/* Participants other than us, in join order (borrowed strings). */
const GPtrArray *msnp_sb_participants (const MsnpSb *sb);
gboolean msnp_sb_has_participant (const MsnpSb *sb, const char *passport);
/* Signed in, someone there, and nothing waiting on it: no message queued
 * or unacknowledged, no invitation outstanding.  Such a session can be
 * closed without losing anything (the next message opens a new one). */
gboolean msnp_sb_is_idle (const MsnpSb *sb);
/* Messages queued, or sent in A mode and awaiting ACK/NAK. */
guint    msnp_sb_n_pending (const MsnpSb *sb);
/* The session id (from RNG, or from CAL … RINGING), or NULL. */
const char *msnp_sb_session_id (const MsnpSb *sb);

G_END_DECLS
