/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Conversations: every switchboard session of an account, tied to the IM
 * or chat window it belongs to.  Owns delivery bookkeeping: each message
 * is either acknowledged, re-sent once on a fresh switchboard, or shown in
 * its conversation as not delivered. */
#pragma once

#include "msn-context.h"

G_BEGIN_DECLS

typedef struct _MsnpSwitchboard MsnpSwitchboard;

/* Sends an IM (libpurple HTML) to @who.  Returns what prpl send_im
 * returns: 1 when it is on its way (the window echoes it), 0 when it was
 * refused and the refusal is already shown in the conversation. */
int  msnp_switchboard_send_im (MsnpAccount *msn, const char *who,
                               const char *html);
/* Sends an invitation payload (text/x-msmsgsinvite, built whole) to @who
 * on a session with that contact, opening one when needed.  It is
 * acknowledged like an IM and re-sent once on a fresh session; if it
 * still cannot be delivered, msnp_xfer_invitation_failed() is told
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
