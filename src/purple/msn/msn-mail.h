/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hotmail: mail notifications from the notification server and the
 * "Open Inbox" action.  The inbox request and the form file it writes
 * hang off the MsnpAccount until msnp_mail_free().  Runs on libpurple's
 * main loop. */
#pragma once

#include "msn-context.h"

G_BEGIN_DECLS

/* A MIME message from the NS; mail types are shown, others ignored. */
void msnp_mail_message (MsnpAccount *msn, const char *content_type,
                        const MsnpMime *mime);

/* Account action: URL INBOX, then the browser. */
void msnp_mail_action_open_inbox (PurpleConnection *gc);

/* The NS answered URL (or refused it). */
void msnp_mail_url    (MsnpAccount *msn, guint trid, const char *rru,
                       const char *url, const char *id);
void msnp_mail_failed (MsnpAccount *msn, guint trid, guint code);

/* Deletes the inbox form file. */
void msnp_mail_free (MsnpAccount *msn);

G_END_DECLS
