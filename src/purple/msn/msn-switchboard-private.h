/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The switchboard part's insides, shared by msn-switchboard.c (session
 * lifecycle), msn-conversation.c (IM, chat and typing mapping) and
 * msn-delivery.c (acknowledgement, re-send and not-delivered reports).
 * Nothing outside those files includes this.  Like msn-switchboard.h:
 * libpurple's main loop only. */
#pragma once

#include <conversation.h>

#include "msn-switchboard.h"
#include "msnp-sb.h"

G_BEGIN_DECLS

typedef struct {
  char   *to;        /* the contact of a 1:1 message, for a re-send */
  char   *text;      /* plain text, for the not-delivered report */
  GBytes *payload;
  guint   attempt;
  char   *invite_cookie; /* an invitation: its failure goes to the hook */
} OutMessage;

struct _MsnpSwitchboard {
  MsnpAccount   *msn;
  MsnpSb        *sb;         /* NULL until the NS granted a switchboard */
  MsnpTransport *conn;
  guint          request;    /* XFR SB TrID while waiting for it */
  char          *peer;       /* the contact of a 1:1 session */
  int            chat_id;    /* > 0 once shown as a chat */
  GPtrArray     *invites;    /* to CAL once the session exists */
  GQueue         waiting;    /* OutMessage * before the session exists */
  GHashTable    *sent;       /* message id → OutMessage * */
  guint          fail_code;  /* the CAL refusal that ended the session */
  guint          idle_timer;
  guint          ring_timer; /* until someone is in the session */
  guint          reap;       /* idle source freeing a closed session */
  gboolean       unanswered; /* given up: nobody joined in time */
  gint64         last_active; /* monotonic µs of the last message */
  gboolean       closed;
};

/* msn-switchboard.c: lifecycle. */

/* Marks the session over; it is freed from the main loop, never from
 * inside its own callbacks. */
void msnp_sw_retire (MsnpSwitchboard *sw);
/* A message went or came: the idle-close timer starts again. */
void msnp_sw_touch (MsnpSwitchboard *sw);
void msnp_sw_stop_ring_timer (MsnpSwitchboard *sw);
/* Room for one more session of our own (MSNP_SB_MAX_SESSIONS), leaving
 * the least recently used idle 1:1 session if needed; FALSE when every
 * session is busy. */
gboolean msnp_sw_make_room (MsnpAccount *msn);
/* A new outgoing session (XFR SB asked) inviting @peer if not NULL; NULL
 * when signed out.  Owned by msn->switchboards. */
MsnpSwitchboard *msnp_sw_open (MsnpAccount *msn, const char *peer);

/* msn-conversation.c: the libpurple side of a session. */

/* The IM window with @who, opened if the user closed it (borrowed). */
PurpleConversation *msnp_sw_im_conversation (MsnpAccount *msn,
                                             const char *who);
/* The open 1:1 session with @who other than @not_this, or NULL. */
MsnpSwitchboard *msnp_sw_find_im (MsnpAccount *msn, const char *who,
                                  MsnpSwitchboard *not_this);
/* Shows the session as a chat (once); returns its conversation. */
PurpleConversation *msnp_sw_show_as_chat (MsnpSwitchboard *sw);
/* MsnpSbEvents handlers. */
void msnp_sw_joined (gpointer user, const char *passport,
                     const char *friendly, gboolean initial);
void msnp_sw_left (gpointer user, const char *passport, gboolean idle);
void msnp_sw_message (gpointer user, const char *passport,
                      const char *friendly, const char *content_type,
                      const MsnpMime *mime);
void msnp_sw_call_failed (gpointer user, const char *passport, guint code);

/* msn-delivery.c: outgoing messages and message ids. */

void msnp_sw_out_message_free (gpointer msg);
/* Hands @msg (owned) to the session, or keeps it until there is one. */
void msnp_sw_submit (MsnpSwitchboard *sw, OutMessage *msg);
/* Sends @msg (owned) on a session with its contact, opening one when
 * needed; @from is the session it comes back from, if any. */
void msnp_sw_route (MsnpAccount *msn, OutMessage *msg,
                    MsnpSwitchboard *from);
/* Shows @msg in its conversation as not delivered, with @reason (a
 * sentence) and its text; an invitation goes to the hook instead. */
void msnp_sw_report_because (MsnpSwitchboard *sw, OutMessage *msg,
                             const char *reason);
/* Reports every message still waiting for a switchboard (@code 0: the
 * session ended before it could be sent). */
void msnp_sw_report_waiting (MsnpSwitchboard *sw, guint code);
/* Splits @html into tagged payloads (GBytes *, owned) that fit a MSG;
 * *@text_out gets the plain text (owned). */
GPtrArray *msnp_sw_payloads_for (const char *html, char **text_out);
/* The body of a payload we built ourselves (owned). */
char *msnp_sw_payload_text (GBytes *payload);
/* TRUE when this message id from @passport was shown already. */
gboolean msnp_sw_seen_before (MsnpAccount *msn, const char *passport,
                              const MsnpMime *mime);
/* Forgets the message ids seen (signing off). */
void msnp_sw_seen_clear (MsnpAccount *msn);
/* MsnpSbEvents handlers. */
void msnp_sw_acked (gpointer user, guint64 id);
void msnp_sw_undelivered (gpointer user, guint64 id, GBytes *payload,
                          guint code, gboolean ended);

G_END_DECLS
