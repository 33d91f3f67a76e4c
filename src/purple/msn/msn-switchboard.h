/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conversations: every switchboard session of an account, tied to the IM
 * or chat window it belongs to.  Owns delivery bookkeeping: each message
 * is either acknowledged, re-sent once on a fresh switchboard, or shown in
 * its conversation as not delivered.
 *
 * Threads and ownership: libpurple glue, called on libpurple's main loop
 * only (prpl entry points, NS events, timers and socket callbacks all run
 * there).  The sessions belong to their account (msn->switchboards) and
 * are freed by msnp_switchboard_close_all() or from an idle callback once
 * over; nothing here hands out anything the caller must free.  Arguments
 * are borrowed for the call (payloads are referenced).
 *
 * Files: msn-switchboard.c (session lifecycle), msn-conversation.c (IM,
 * chat and typing mapping), msn-delivery.c (acknowledgements, re-sends,
 * reports).  This part does not depend on the file transfers: they use
 * it (msnp_switchboard_send_invitation), and it reaches them only through
 * msnp_switchboard_invitations, which the account wires. */
#pragma once

#include "msn-context.h"
#include "msnp-mime.h"

G_BEGIN_DECLS

typedef struct _MsnpSwitchboard MsnpSwitchboard;

/* What the switchboards do with invitations (text/x-msmsgsinvite). */
typedef struct {
  /* An invitation message from @passport (@mime borrowed).  FALSE when it
   * is not the handler's (another application's INVITE): the switchboard
   * then declines it. */
  gboolean (*received) (MsnpAccount *msn, const char *passport,
                        const MsnpMime *mime);
  /* An invitation given to msnp_switchboard_send_invitation() with
   * @cookie could not be delivered to @who (after its one re-send). */
  void     (*failed)   (MsnpAccount *msn, const char *who,
                        const char *cookie);
} MsnpSwitchboardInvitations;

/* The invitation handler.  Defined by the account (msn-account.c), which
 * wires the parts together: constant, so accounts share no state. */
extern const MsnpSwitchboardInvitations msnp_switchboard_invitations;

/* Sends an IM (libpurple HTML) to @who.  Returns what prpl send_im
 * returns: 1 when it is on its way (the window echoes it), 0 when it was
 * refused and the refusal is already shown in the conversation. */
int  msnp_switchboard_send_im (MsnpAccount *msn, const char *who,
                               const char *html);
/* Sends an invitation payload (text/x-msmsgsinvite, built whole) to @who
 * on a session with that contact, opening one when needed.  It is
 * acknowledged like an IM and re-sent once on a fresh session; if it
 * still cannot be delivered, msnp_switchboard_invitations.failed is told
 * (with @cookie) instead of the conversation showing a report. */
void msnp_switchboard_send_invitation (MsnpAccount *msn, const char *who,
                                       GBytes *payload, const char *cookie);
/* Typing notification to @who on an open session; returns the seconds
 * after which libpurple should send it again (0: nothing sent). */
guint msnp_switchboard_send_typing (MsnpAccount *msn, const char *who,
                                    gboolean typing);

/* Chats (several contacts on one switchboard). */
void msnp_switchboard_start_chat (MsnpAccount *msn, const char *who);
void msnp_switchboard_chat_invite (MsnpAccount *msn, int id, const char *who);
int  msnp_switchboard_chat_send (MsnpAccount *msn, int id, const char *html);
void msnp_switchboard_chat_leave (MsnpAccount *msn, int id);

/* Notification-session events about switchboards. */
void msnp_switchboard_granted (MsnpAccount *msn, guint request, const char *host,
                               guint port, const char *cookie);
void msnp_switchboard_refused (MsnpAccount *msn, guint request, guint code);
void msnp_switchboard_ring (MsnpAccount *msn, const char *session_id,
                            const char *host, guint port, const char *cookie,
                            const char *passport, const char *friendly);

/* Ends every session (signing off): pending messages are reported. */
void msnp_switchboard_close_all (MsnpAccount *msn);

G_END_DECLS
