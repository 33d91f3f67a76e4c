/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File transfers (MSNFTP) as libpurple transfers: invitations travel on
 * switchboards (msn-switchboard), the file on a direct TCP connection
 * that one side opens with libpurple's network API and the other reaches
 * through libpurple's proxy API.
 *
 * Each transfer's state hangs off its PurpleXfer (xfer->data); the
 * transfers of an account are found through libpurple's list of
 * transfers, so nothing is shared between accounts.
 *
 * Threads and ownership: everything here runs on libpurple's main loop
 * and must be called from it.  The PurpleXfer msnp_xfer_new() returns
 * holds libpurple's initial reference, which passes to the caller
 * (libpurple's serv_send_file / the prpl new_xfer op), as with
 * purple_xfer_new(); the transfer's own state lives until libpurple is
 * done with the transfer.  Nothing else returned here is allocated, and
 * the arguments stay the caller's. */
#pragma once

#include <connection.h>
#include <ft.h>

#include "msn-context.h"
#include "msnp-mime.h"

G_BEGIN_DECLS

/* prpl entry points. */
gboolean    msnp_xfer_can_receive (PurpleConnection *gc, const char *who);
void        msnp_xfer_send_file   (PurpleConnection *gc, const char *who,
                                   const char *file);
PurpleXfer *msnp_xfer_new         (PurpleConnection *gc, const char *who);

/* A text/x-msmsgsinvite message from @passport on a switchboard.  Returns
 * FALSE when it is not ours to handle (another application's INVITE),
 * for the caller to decline. */
gboolean msnp_xfer_invitation (MsnpAccount *msn, const char *passport,
                               const MsnpMime *mime);

/* An invitation message with @cookie to @who could not be delivered. */
void msnp_xfer_invitation_failed (MsnpAccount *msn, const char *who,
                                  const char *cookie);

G_END_DECLS
