/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MSNP8 states ↔ libpurple status types. */
#pragma once

#include <glib.h>
#include <status.h>

#include "msnp-ns.h"

G_BEGIN_DECLS

GList *msnp_status_types (PurpleAccount *account);

/* The libpurple status id for an MSNP8 state. */
const char *msnp_status_purple_id (MsnpStatus status);

/* The MSNP8 state to send for the account's current status and idleness. */
MsnpStatus msnp_status_from_purple (PurpleAccount *account);

/* Translated name of an MSNP8 state ("Be Right Back"). */
const char *msnp_status_name (MsnpStatus status);

G_END_DECLS
