/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <account.h>

#include "msn-status.h"

typedef struct {
  const char            *id;
  const char            *name;   /* N_() */
  PurpleStatusPrimitive  primitive;
  gboolean               user_settable;
} StatusInfo;

/* Indexed by MsnpStatus.  IDL is not user-settable: libpurple's own idle
 * tracking sets it, as the official client did after a few minutes. */
static const StatusInfo status_info[MSNP_N_STATUSES] = {
  [MSNP_STATUS_ONLINE]  = { .id = "available", .name = N_("Available"),
                            .primitive = PURPLE_STATUS_AVAILABLE, .user_settable = TRUE },
  [MSNP_STATUS_BUSY]    = { .id = "busy", .name = N_("Busy"),
                            .primitive = PURPLE_STATUS_UNAVAILABLE, .user_settable = TRUE },
  [MSNP_STATUS_IDLE]    = { .id = "idle", .name = N_("Idle"),
                            .primitive = PURPLE_STATUS_AWAY, .user_settable = FALSE },
  [MSNP_STATUS_BRB]     = { .id = "brb", .name = N_("Be Right Back"),
                            .primitive = PURPLE_STATUS_AWAY, .user_settable = TRUE },
  [MSNP_STATUS_AWAY]    = { .id = "away", .name = N_("Away"),
                            .primitive = PURPLE_STATUS_AWAY, .user_settable = TRUE },
  [MSNP_STATUS_PHONE]   = { .id = "phone", .name = N_("On the Phone"),
                            .primitive = PURPLE_STATUS_UNAVAILABLE, .user_settable = TRUE },
  [MSNP_STATUS_LUNCH]   = { .id = "lunch", .name = N_("Out to Lunch"),
                            .primitive = PURPLE_STATUS_AWAY, .user_settable = TRUE },
  [MSNP_STATUS_HIDDEN]  = { .id = "invisible", .name = N_("Invisible"),
                            .primitive = PURPLE_STATUS_INVISIBLE, .user_settable = TRUE },
  [MSNP_STATUS_OFFLINE] = { .id = "offline", .name = N_("Offline"),
                            .primitive = PURPLE_STATUS_OFFLINE, .user_settable = TRUE },
};

GList *
msnp_status_types (PurpleAccount *account)
{
  GList *types = NULL;

  for (guint i = 0; i < MSNP_N_STATUSES; i++) {
    const StatusInfo *s = &status_info[i];
    types = g_list_append (types,
        purple_status_type_new_full (s->primitive, s->id, _(s->name),
                                     TRUE, s->user_settable, FALSE));
  }
  return types;
}

const char *
msnp_status_purple_id (MsnpStatus status)
{
  return status_info[status < MSNP_N_STATUSES ? status : MSNP_STATUS_ONLINE].id;
}

const char *
msnp_status_name (MsnpStatus status)
{
  return _(status_info[status < MSNP_N_STATUSES ? status : MSNP_STATUS_ONLINE].name);
}

MsnpStatus
msnp_status_from_purple (PurpleAccount *account)
{
  PurplePresence *presence = purple_account_get_presence (account);
  PurpleStatus *status = purple_presence_get_active_status (presence);
  const char *id = purple_status_get_id (status);

  for (guint i = 0; i < MSNP_N_STATUSES; i++) {
    if (g_strcmp0 (id, status_info[i].id) != 0)
      continue;
    if (i == MSNP_STATUS_ONLINE && purple_presence_is_idle (presence))
      return MSNP_STATUS_IDLE;
    return i;
  }
  /* A status from another protocol's saved status: go by its primitive. */
  switch (purple_status_type_get_primitive (purple_status_get_type (status))) {
  case PURPLE_STATUS_UNAVAILABLE:
    return MSNP_STATUS_BUSY;
  case PURPLE_STATUS_AWAY:
  case PURPLE_STATUS_EXTENDED_AWAY:
    return MSNP_STATUS_AWAY;
  case PURPLE_STATUS_INVISIBLE:
    return MSNP_STATUS_HIDDEN;
  default:
    return purple_presence_is_idle (presence) ? MSNP_STATUS_IDLE
                                               : MSNP_STATUS_ONLINE;
  }
}
