/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MSNP8 states ↔ libpurple status types: a table with no account state,
 * which any part may use (it includes no other glue header).  Returned
 * strings are static; the list from msnp_status_types() is the caller's
 * (libpurple's status_types op takes it).  Called on libpurple's main
 * loop like the rest of the glue. */
#pragma once

#include <glib.h>
#include <status.h>

#include "msnp-ns.h"

G_BEGIN_DECLS

/* MSNP8's own states (the plugin table adds the mobile one). */
GList *msnp_status_types (PurpleAccount *account);

/* The libpurple status id for an MSNP8 state. */
const char *msnp_status_purple_id (MsnpStatus status);

/* The MSNP8 state to send for the account's current status and idleness. */
MsnpStatus msnp_status_from_purple (PurpleAccount *account);

/* Translated name of an MSNP8 state ("Be Right Back"). */
const char *msnp_status_name (MsnpStatus status);

G_END_DECLS
