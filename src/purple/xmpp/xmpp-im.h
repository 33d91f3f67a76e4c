/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messenger XMPP conversations: chat messages both ways as plain text,
 * typing (XEP-0085 and XEP-0022), delayed delivery stamps (XEP-0203) and
 * archived history (XEP-0136) shown when a conversation opens.
 *
 * Runs on libpurple's main loop.  Stanzas passed in stay the caller's.
 */
#pragma once

#include <glib.h>
#include <conversation.h>

#include "xmpp-context.h"

G_BEGIN_DECLS

void msnp_xmpp_im_init     (MsnpXmppAccount *xa);
void msnp_xmpp_im_uninit   (MsnpXmppAccount *xa);
void msnp_xmpp_im_message  (MsnpXmppAccount *xa, MsnpXmppNode *stanza);
int  msnp_xmpp_im_send     (MsnpXmppAccount *xa, const char *who,
                            const char *html);
unsigned int msnp_xmpp_im_send_typing (MsnpXmppAccount *xa, const char *who,
                                       PurpleTypingState state);

G_END_DECLS
