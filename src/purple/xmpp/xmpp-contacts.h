/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messenger XMPP contacts: roster → buddy list, presence both ways (the
 * service has no probes: what arrives is cached), subscription requests,
 * adding by JID or by e-mail (JID lookup first), vCards → alias, icon and
 * Get Info.
 *
 * Runs on libpurple's main loop.  Stanzas passed in stay the caller's.
 */
#pragma once

#include <glib.h>
#include <blist.h>
#include <status.h>

#include "xmpp-context.h"

G_BEGIN_DECLS

#define MSNP_XMPP_NS_ROSTER "jabber:iq:roster"

void     msnp_xmpp_contacts_signed_on (MsnpXmppAccount *xa);
void     msnp_xmpp_contacts_presence  (MsnpXmppAccount *xa, MsnpXmppNode *stanza);
gboolean msnp_xmpp_contacts_iq        (MsnpXmppAccount *xa, MsnpXmppNode *stanza);

GList   *msnp_xmpp_status_types       (PurpleAccount *account);
void     msnp_xmpp_send_own_presence  (MsnpXmppAccount *xa);
void     msnp_xmpp_add_buddy          (MsnpXmppAccount *xa, PurpleBuddy *buddy,
                                       PurpleGroup *group);
void     msnp_xmpp_get_info           (MsnpXmppAccount *xa, const char *who);

G_END_DECLS
