/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Mobile devices: contacts' devices in the buddy list (status, tooltip,
 * Get Info, emblem), pages to them (buddy menu, and IMs to an offline
 * contact who takes pages) and from them, and our own MOB/MBE settings.
 * The protocol work is in src/core/msnp-page.c and msnp-ns-page.c.
 * Pages waiting for a possible refusal hang off the MsnpAccount until
 * msnp_mobile_free().  Runs on libpurple's main loop. */
#pragma once

#include <notify.h>
#include <status.h>

#include "msn-context.h"

G_BEGIN_DECLS

/* The independent "mobile" status (PURPLE_STATUS_MOBILE) a contact with
 * a mobile device that takes pages has, whether online or not. */
#define MSNP_MOBILE_STATUS_ID "mobile"
PurpleStatusType *msnp_mobile_status_type (void);

/* Puts the mobile status right for @contact / for every contact once the
 * buddy list is in place. */
void msnp_mobile_contact_changed (MsnpAccount *msn, const MsnpContact *contact);
void msnp_mobile_refresh_all     (MsnpAccount *msn);

/* Tooltip and Get Info lines about the contact's mobile device. */
void  msnp_mobile_describe (MsnpAccount *msn, const char *passport,
                            PurpleNotifyUserInfo *info);
/* The buddy-list status text of an offline contact reachable on a mobile
 * device ("Offline (mobile)"), else NULL.  Newly allocated. */
char *msnp_mobile_status_text (PurpleBuddy *buddy);
/* prpl list_emblem: "mobile" for a contact who takes pages. */
const char *msnp_mobile_list_emblem (PurpleBuddy *buddy);
/* prpl offline_message: TRUE when an IM to the offline @buddy can go. */
gboolean msnp_mobile_offline_message (const PurpleBuddy *buddy);

/* Adds "Send to Mobile Device" to @menu when the contact takes pages. */
GList *msnp_mobile_buddy_menu (PurpleBuddy *buddy, GList *menu);

/* send_im: when @who is offline and takes pages, the message goes as a
 * page; returns TRUE and sets *@ret (what send_im returns).  FALSE: not a
 * page, use a switchboard. */
gboolean msnp_mobile_send_im (MsnpAccount *msn, const char *who,
                              const char *html, int *ret);

/* Notification-session events. */
void msnp_mobile_page_received (MsnpAccount *msn, const char *from,
                                const char *text, gboolean too_long);
void msnp_mobile_page_failed   (MsnpAccount *msn, guint trid, guint code);

/* Account action "Mobile Device Settings...": MOB and MBE. */
void msnp_mobile_action_settings (PurpleConnection *gc);

void msnp_mobile_free (MsnpAccount *msn);

G_END_DECLS
