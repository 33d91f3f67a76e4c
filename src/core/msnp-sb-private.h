/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard session's insides, shared by msnp-sb.c (sign-in,
 * dispatch, closing, the public lifecycle), msnp-sb-queue.c (delivery
 * bookkeeping: queue, ACK/NAK, hand-back) and msnp-sb-roster.c
 * (participants and invitations).  Nothing outside src/core/msnp-sb*.c
 * includes this.  Like msnp-sb.h: sans-IO, called on the owner's thread. */
#pragma once

#include "msnp-command.h"
#include "msnp-framer.h"
#include "msnp-sb.h"

G_BEGIN_DECLS

typedef enum {
  SB_STATE_NEW,         /* no connection yet */
  SB_STATE_AUTH,        /* USR or ANS sent */
  SB_STATE_READY,       /* signed in to the switchboard */
  SB_STATE_CLOSED,
} SbState;

typedef struct {
  guint64        id;
  GBytes        *payload;
  MsnpSbAckMode  mode;
} SbQueued;

typedef struct {
  guint    trid;
  guint64  id;
  GBytes  *payload;
} SbSent;

typedef struct {
  guint    trid;
  char    *passport;
} SbCall;

struct _MsnpSb {
  const MsnpSbEvents *ev;
  gpointer            user;
  gboolean            outgoing;
  char               *own;
  char               *cookie;
  char               *session_id;

  SbState     state;
  gboolean    trace;
  MsnpFramer *framer;
  GString    *out;
  guint       next_trid;
  guint       auth_trid;
  guint64     next_id;

  GPtrArray  *participants;    /* char *, join order */
  GPtrArray  *invites;         /* char *, waiting for READY */
  GArray     *calls;           /* SbCall: CAL sent, nobody joined yet */

  GQueue      queue;           /* SbQueued * */
  GArray     *inflight;        /* SbSent, A mode, sorted by trid */
  SbSent      nak_ring[MSNP_SB_NAK_WINDOW];
  guint       nak_next;        /* slot the next N message takes */
};

/* msnp-sb.c: writing and ending. */

/* Sends "NAME trid params…"; returns the TrID. */
guint msnp_sb_send_command (MsnpSb *sb, const char *name, gboolean sensitive,
                            const char *const *params, guint n_params);
/* Ends the session: says OUT if @say_out, hands back every queued and
 * unacknowledged message in the order given, then fires closed. */
void  msnp_sb_close (MsnpSb *sb, const GError *error, gboolean say_out);
/* msnp_sb_close() with the server error @code (msnp-error's sentence). */
void  msnp_sb_close_with_server_code (MsnpSb *sb, guint code,
                                      gboolean say_out);
/* The TrID of a reply (parameter 0): FALSE when absent, 0 or too large. */
gboolean msnp_sb_get_trid (const MsnpCommand *cmd, guint *trid);
/* Parameter @i equals @value (ASCII case-insensitively). */
gboolean msnp_sb_param_is (const MsnpCommand *cmd, guint i, const char *value);

/* msnp-sb-queue.c: delivery bookkeeping. */

void     msnp_sb_queue_init (MsnpSb *sb);
/* Drops every message without an event (the owner is freeing us). */
void     msnp_sb_queue_free (MsnpSb *sb);
/* Writes the queue in order, as long as someone is there to read it. */
void     msnp_sb_queue_flush (MsnpSb *sb);
/* The session is closing (state already CLOSED): the NAK window is
 * forgotten and every unacknowledged, then every queued, message is
 * handed back through undelivered (@ended TRUE), in the order given. */
void     msnp_sb_queue_hand_back (MsnpSb *sb);
/* A message refused by NAK (@code 0) or a numeric error: TRUE when @trid
 * named one (it has then been reported undelivered). */
gboolean msnp_sb_queue_refuse (MsnpSb *sb, guint trid, guint code);
gboolean msnp_sb_handle_ack (MsnpSb *sb, const MsnpCommand *cmd);
gboolean msnp_sb_handle_nak (MsnpSb *sb, const MsnpCommand *cmd);

/* msnp-sb-roster.c: participants and invitations (CAL). */

void     msnp_sb_roster_init (MsnpSb *sb);
void     msnp_sb_roster_free (MsnpSb *sb);
/* Nobody here and nobody coming: the session has no purpose left. */
gboolean msnp_sb_is_deserted (const MsnpSb *sb);
/* Signed in: the invitations made so far go out as CALs. */
void     msnp_sb_call_invited (MsnpSb *sb);
/* Index in calls of the CAL sent with @trid, or -1. */
gint     msnp_sb_find_call (const MsnpSb *sb, guint trid);
/* The server refused the CAL at @index with @code.  FALSE once closed. */
gboolean msnp_sb_handle_call_error (MsnpSb *sb, guint index, guint code);
gboolean msnp_sb_handle_iro (MsnpSb *sb, const MsnpCommand *cmd);
gboolean msnp_sb_handle_joi (MsnpSb *sb, const MsnpCommand *cmd);
gboolean msnp_sb_handle_cal (MsnpSb *sb, const MsnpCommand *cmd);
gboolean msnp_sb_handle_bye (MsnpSb *sb, const MsnpCommand *cmd);

G_END_DECLS
