/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MSNFTP file transfers as libpurple sees them (see msn-xfer.h): the prpl
 * entry points, the PurpleXfer ops, the accept and file dialogs, and the
 * invitations the switchboards pass on.  The parts below are named in
 * msn-xfer-private.h. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <blist.h>
#include <debug.h>
#include <request.h>
#include <signals.h>

#include "msn-xfer.h"
#include "msn-xfer-private.h"

static void setup_ops (PurpleXfer *xfer);
static void ask_receiver (PurpleXfer *xfer);

/* ---- invitations in ---------------------------------------------------------- */

/* An offer from @who: libpurple's accept dialog asks the user. */
static void
got_offer (PurpleAccount *account, const char *who, const MsnpInvite *inv)
{
  PurpleXfer *xfer;
  MsnpXfer *x;
  g_autofree char *name = NULL;

  if (msnp_xfer_find (account, who, inv->cookie) != NULL)
    return;   /* a copy re-sent on another switchboard */
  xfer = purple_xfer_new (account, PURPLE_XFER_RECEIVE, who);
  setup_ops (xfer);
  x = msnp_xfer_of (xfer);
  x->cookie = g_strdup (inv->cookie);
  name = msnp_ftp_safe_file_name (inv->file);
  purple_xfer_set_filename (xfer, name);
  purple_xfer_set_size (xfer, (size_t) inv->file_size);
  ask_receiver (xfer);
}

gboolean
msnp_xfer_invitation (MsnpAccount *msn, const char *passport, const MsnpMime *mime)
{
  gsize len = 0;
  const guint8 *body = msnp_mime_body (mime, &len);
  g_autoptr (MsnpInvite) inv = msnp_invite_parse (body, len);
  MsnpXfer *x;

  if (inv == NULL)
    return FALSE;
  if (inv->command == MSNP_INVITE_INVITE) {
    if (!msnp_invite_is_file_transfer (inv) || inv->file_size < 0)
      return FALSE;
    got_offer (msn->account, passport, inv);
    return TRUE;
  }
  x = msnp_xfer_find (msn->account, passport, inv->cookie);
  if (x == NULL)
    return inv->command != MSNP_INVITE_OTHER;
  msnp_xfer_invite_receive (x, inv);
  return TRUE;
}

void
msnp_xfer_invitation_failed (MsnpAccount *msn, const char *who, const char *cookie)
{
  MsnpXfer *x = msnp_xfer_find (msn->account, who, cookie);
  g_autofree char *msg = NULL;

  if (x == NULL)
    return;
  msg = g_strdup_printf (_("The file transfer invitation could not be delivered "
                           "to %s."), who);
  msnp_xfer_fail (x, FALSE, NULL, msg);
}

/* ---- libpurple transfer ops ------------------------------------------------- */

static void
ops_init (PurpleXfer *xfer)
{
  MsnpXfer *x = msnp_xfer_of (xfer);

  if (x == NULL)
    return;
  if (purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE)
    msnp_xfer_invite_accept (x);
  else
    msnp_xfer_invite_offer (x);
}

static gssize
ops_read (guchar **buffer, PurpleXfer *xfer)
{
  MsnpXfer *x = msnp_xfer_of (xfer);

  if (x == NULL) {
    *buffer = NULL;
    return 0;
  }
  return msnp_xfer_session_take (x, buffer);
}

/* Cancelled here (the user, or fail()): the other side is told, in band
 * once the direct connection runs, otherwise on the switchboard. */
static void
ops_cancel (PurpleXfer *xfer)
{
  MsnpXfer *x = msnp_xfer_of (xfer);

  if (x == NULL)
    return;
  if (purple_xfer_get_status (xfer) == PURPLE_XFER_STATUS_CANCEL_LOCAL && !x->failing) {
    x->failing = TRUE;
    gboolean in_band = x->ftp != NULL && msnp_ftp_is_transferring (x->ftp);

    if (x->ftp != NULL && !msnp_ftp_is_finished (x->ftp)) {
      msnp_ftp_cancel (x->ftp);
      msnp_xfer_session_flush (x);
    }
    /* Before data flows, the switchboard says it too: official clients
     * know no cancel in MSNFTP's text phase. */
    if (!in_band && x->cookie != NULL)
      msnp_xfer_send_cancel (x, "OUTBANDCANCEL");
  }
  msnp_xfer_detach (x);
}

static void
ops_end (PurpleXfer *xfer)
{
  MsnpXfer *x = msnp_xfer_of (xfer);

  if (x == NULL)
    return;
  msnp_xfer_session_flush (x);   /* the receiver's BYE */
  msnp_xfer_detach (x);
}

/* The receiver declined in the dialog (or the sender closed the file
 * chooser: then nothing was offered yet). */
static void
ops_denied (PurpleXfer *xfer)
{
  MsnpXfer *x = msnp_xfer_of (xfer);

  if (x == NULL)
    return;
  if (purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE && x->cookie != NULL)
    msnp_xfer_send_cancel (x, "REJECT");
  msnp_xfer_detach (x);
}

static void
setup_ops (PurpleXfer *xfer)
{
  msnp_xfer_state_new (xfer);
  purple_xfer_set_init_fnc (xfer, ops_init);
  purple_xfer_set_request_denied_fnc (xfer, ops_denied);
  purple_xfer_set_cancel_send_fnc (xfer, ops_cancel);
  purple_xfer_set_cancel_recv_fnc (xfer, ops_cancel);
  purple_xfer_set_end_fnc (xfer, ops_end);
  if (purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE)
    purple_xfer_set_read_fnc (xfer, ops_read);
}

/* ---- our own dialogs ------------------------------------------------------ */

/* The accept and file dialogs are ours rather than purple_xfer_request()'s:
 * Finch 2.14 reports a cancel while it tears its file dialog down after
 * OK, and libpurple's own callbacks then release the transfer twice (a
 * crash when sending, a cancelled transfer when receiving).  Only the
 * first answer counts, and the dialogs' reference on the transfer is
 * dropped from the main loop, after the dialog is gone. */
static gboolean
release_dialog_ref (gpointer data)
{
  purple_xfer_unref (data);
  return G_SOURCE_REMOVE;
}

static gboolean
first_answer (PurpleXfer *xfer, gboolean offer)
{
  MsnpXfer *x = msnp_xfer_of (xfer);
  gboolean *answered;

  if (x == NULL)
    return FALSE;
  answered = offer ? &x->offer_answered : &x->file_answered;
  if (*answered)
    return FALSE;
  *answered = TRUE;
  return TRUE;
}

static void
file_chosen_cb (PurpleXfer *xfer, const char *filename)
{
  if (!first_answer (xfer, FALSE))
    return;
  g_idle_add (release_dialog_ref, xfer);
  purple_xfer_request_accepted (xfer, filename);
}

static void
file_cancelled_cb (PurpleXfer *xfer, const char *filename)
{
  if (!first_answer (xfer, FALSE))
    return;
  if (purple_xfer_get_type (xfer) == PURPLE_XFER_SEND)
    purple_xfer_cancel_local (xfer);
  else
    purple_xfer_request_denied (xfer);
  purple_xfer_unref (xfer);
}

static void
choose_file (PurpleXfer *xfer)
{
  gboolean receiving = purple_xfer_get_type (xfer) == PURPLE_XFER_RECEIVE;

  purple_xfer_ref (xfer);
  purple_request_file (xfer, receiving ? _("Save File...") : _("Select a file to send"),
                       receiving ? purple_xfer_get_filename (xfer) : NULL, receiving,
                       G_CALLBACK (file_chosen_cb), G_CALLBACK (file_cancelled_cb),
                       purple_xfer_get_account (xfer),
                       purple_xfer_get_remote_user (xfer), NULL, xfer);
}

static void
offer_accepted_cb (PurpleXfer *xfer, int action)
{
  if (!first_answer (xfer, TRUE))
    return;
  choose_file (xfer);
  g_idle_add (release_dialog_ref, xfer);
}

static void
offer_declined_cb (PurpleXfer *xfer, int action)
{
  if (!first_answer (xfer, TRUE))
    return;
  purple_xfer_request_denied (xfer);
  g_idle_add (release_dialog_ref, xfer);
}

/* What purple_xfer_request() would ask, with our callbacks.  Plugins that
 * answer file-recv-request themselves (auto-accept) still can. */
static void
ask_receiver (PurpleXfer *xfer)
{
  PurpleAccount *account = purple_xfer_get_account (xfer);
  const char *who = purple_xfer_get_remote_user (xfer);
  PurpleBuddy *buddy = purple_find_buddy (account, who);
  g_autofree char *size = purple_str_size_to_units (purple_xfer_get_size (xfer));
  g_autofree char *text = NULL;

  purple_signal_emit (purple_xfers_get_handle (), "file-recv-request", xfer);
  if (purple_xfer_get_status (xfer) == PURPLE_XFER_STATUS_CANCEL_LOCAL) {
    purple_xfer_request_denied (xfer);
    return;
  }
  if (purple_xfer_get_local_filename (xfer) != NULL) {
    purple_xfer_request_accepted (xfer, purple_xfer_get_local_filename (xfer));
    return;
  }
  text = g_strdup_printf (_("%s wants to send you %s (%s)"),
                          buddy != NULL ? purple_buddy_get_alias (buddy) : who,
                          purple_xfer_get_filename (xfer), size);
  purple_xfer_ref (xfer);
  purple_request_accept_cancel (xfer, _("File transfer"), text, NULL,
                                PURPLE_DEFAULT_ACTION_NONE, account, who, NULL,
                                xfer, G_CALLBACK (offer_accepted_cb),
                                G_CALLBACK (offer_declined_cb));
}

/* ---- prpl entry points --------------------------------------------------- */

gboolean
msnp_xfer_can_receive (PurpleConnection *gc, const char *who)
{
  PurpleBuddy *buddy = purple_find_buddy (purple_connection_get_account (gc), who);

  /* MSNP8 has no offline file transfer; unknown contacts may be online. */
  return buddy == NULL || PURPLE_BUDDY_IS_ONLINE (buddy);
}

PurpleXfer *
msnp_xfer_new (PurpleConnection *gc, const char *who)
{
  PurpleXfer *xfer = purple_xfer_new (purple_connection_get_account (gc),
                                      PURPLE_XFER_SEND, who);

  if (xfer != NULL)
    setup_ops (xfer);
  return xfer;
}

void
msnp_xfer_send_file (PurpleConnection *gc, const char *who, const char *file)
{
  PurpleXfer *xfer = msnp_xfer_new (gc, who);

  if (xfer == NULL)
    return;
  if (file != NULL)
    purple_xfer_request_accepted (xfer, file);
  else
    choose_file (xfer);
}
