/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One MSNFTP transfer's state (msn-xfer-private.h): how it is found, how
 * long it lives, its timer, and how it ends.
 *
 * Each transfer's state hangs off its PurpleXfer (xfer->data); the
 * transfers of an account are found through libpurple's list of
 * transfers, so nothing is shared between accounts. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <blist.h>
#include <debug.h>
#include <eventloop.h>

#include "msn-switchboard.h"
#include "msn-xfer-private.h"

#define XFER_MAGIC 0x4d534654u   /* "MSFT" */
/* Seconds a finished transfer may take to write its last bytes. */
#define LINGER_TIMEOUT  5

/* ---- lookup and lifetime ---------------------------------------------- */

MsnpXfer *
msnp_xfer_state_new (PurpleXfer *xfer)
{
  MsnpXfer *x = g_new0 (MsnpXfer, 1);

  x->magic = XFER_MAGIC;
  x->xfer = xfer;
  x->account = purple_xfer_get_account (xfer);
  x->who = g_strdup (purple_xfer_get_remote_user (xfer));
  x->fd = x->listen_fd = x->file_fd = x->file_out = -1;
  x->out = g_byte_array_new ();
  x->in = g_byte_array_new ();
  x->targets = g_array_new (FALSE, FALSE, sizeof (MsnpXferTarget));
  xfer->data = x;
  return x;
}

MsnpXfer *
msnp_xfer_of (PurpleXfer *xfer)
{
  MsnpXfer *x = xfer != NULL ? xfer->data : NULL;
  return x != NULL && x->magic == XFER_MAGIC && !x->detached ? x : NULL;
}

MsnpXfer *
msnp_xfer_find (PurpleAccount *account, const char *who, const char *cookie)
{
  for (GList *l = purple_xfers_get_all (); l != NULL; l = l->next) {
    PurpleXfer *xfer = l->data;
    MsnpXfer *x = purple_xfer_get_account (xfer) == account ? msnp_xfer_of (xfer) : NULL;

    if (x != NULL && x->cookie != NULL && strcmp (x->cookie, cookie) == 0 &&
        g_ascii_strcasecmp (x->who, who) == 0)
      return x;
  }
  return NULL;
}

void
msnp_xfer_stop_timer (MsnpXfer *x)
{
  if (x->timer != 0)
    purple_timeout_remove (x->timer);
  x->timer = 0;
}

void
msnp_xfer_arm_timer (MsnpXfer *x, guint seconds, GSourceFunc cb)
{
  msnp_xfer_stop_timer (x);
  x->timer = purple_timeout_add_seconds (seconds, cb, x);
}

guint
msnp_xfer_connect_timeout (MsnpXfer *x)
{
  int s = purple_account_get_int (x->account, MSNP_XFER_OPT_CONNECT_TIMEOUT,
                                  MSNP_XFER_DEFAULT_CONNECT_TIMEOUT);
  return s > 0 ? (guint) s : MSNP_XFER_DEFAULT_CONNECT_TIMEOUT;
}

void
msnp_xfer_stop_listening (MsnpXfer *x)
{
  if (x->listening != NULL)
    purple_network_listen_cancel (x->listening);
  x->listening = NULL;
  if (x->listen_watch != 0)
    purple_input_remove (x->listen_watch);
  x->listen_watch = 0;
  if (x->listen_fd >= 0)
    close (x->listen_fd);
  x->listen_fd = -1;
}

/* Every socket, watch and timer goes; the struct itself stays until the
 * reap, because this often runs inside one of its own callbacks. */
static void
teardown (MsnpXfer *x)
{
  msnp_xfer_stop_timer (x);
  msnp_xfer_stop_listening (x);
  if (x->connecting != NULL)
    msnp_connect_cancel (x->connecting);
  x->connecting = NULL;
  if (x->read_watch != 0)
    purple_input_remove (x->read_watch);
  if (x->write_watch != 0)
    purple_input_remove (x->write_watch);
  x->read_watch = x->write_watch = 0;
  if (x->fd >= 0)
    close (x->fd);
  x->fd = -1;
  if (x->file_fd >= 0)
    close (x->file_fd);
  x->file_fd = -1;
}

static void
x_free (MsnpXfer *x)
{
  teardown (x);
  if (x->reap != 0)
    g_source_remove (x->reap);
  msnp_ftp_free (x->ftp);
  for (guint i = 0; x->targets != NULL && i < x->targets->len; i++)
    g_free (g_array_index (x->targets, MsnpXferTarget, i).host);
  if (x->targets != NULL)
    g_array_unref (x->targets);
  g_byte_array_unref (x->out);
  g_byte_array_unref (x->in);
  g_free (x->rbuf);
  g_free (x->iov);
  g_free (x->who);
  g_free (x->cookie);
  g_free (x->auth_cookie);
  g_free (x);
}

static gboolean
reap_cb (gpointer data)
{
  MsnpXfer *x = data;

  x->reap = 0;
  x_free (x);
  return G_SOURCE_REMOVE;
}

void
msnp_xfer_linger_done (MsnpXfer *x)
{
  teardown (x);
  if (x->reap == 0)
    x->reap = g_idle_add (reap_cb, x);
}

static gboolean
linger_timeout_cb (gpointer data)
{
  MsnpXfer *x = data;

  x->timer = 0;
  msnp_xfer_linger_done (x);
  return FALSE;
}

/* What we still owe the peer (a cancel block behind queued data, a BYE, a
 * CCL) is written out first; nothing is read. */
void
msnp_xfer_detach (MsnpXfer *x)
{
  gboolean linger = x->fd >= 0 && x->out_pos < x->out->len;

  if (linger) {
    msnp_xfer_stop_timer (x);
    msnp_xfer_stop_listening (x);
    if (x->read_watch != 0)
      purple_input_remove (x->read_watch);
    x->read_watch = 0;
    if (x->file_fd >= 0)
      close (x->file_fd);
    x->file_fd = -1;
    x->timer = purple_timeout_add_seconds (LINGER_TIMEOUT, linger_timeout_cb, x);
  } else {
    teardown (x);
  }
  x->detached = TRUE;
  if (x->xfer != NULL && x->xfer->data == x)
    x->xfer->data = NULL;
  x->xfer = NULL;
  if (!linger && x->reap == 0)
    x->reap = g_idle_add (reap_cb, x);
}

/* ---- what the parts share --------------------------------------------- */

const char *
msnp_xfer_peer_name (MsnpXfer *x)
{
  PurpleBuddy *buddy = purple_find_buddy (x->account, x->who);
  return buddy != NULL ? purple_buddy_get_alias (buddy) : x->who;
}

int
msnp_xfer_percent_done (MsnpXfer *x)
{
  size_t size = purple_xfer_get_size (x->xfer);

  if (size == 0)
    return 0;
  return (int) (100.0 * (double) purple_xfer_get_bytes_sent (x->xfer) / (double) size);
}

void
msnp_xfer_touch (MsnpXfer *x)
{
  x->last_activity = g_get_monotonic_time ();
}

/* ---- invitations out, and ending -------------------------------------- */

static MsnpAccount *
account_session (PurpleAccount *account)
{
  PurpleConnection *gc = purple_account_get_connection (account);
  MsnpAccount *msn = gc != NULL ? gc->proto_data : NULL;

  return msn != NULL && msnp_ns_is_online (msn->ns) ? msn : NULL;
}

/* Here rather than in msn-xfer-invite.c: ending a transfer (below) tells
 * the peer with a CANCEL, and every part ends transfers. */
gboolean
msnp_xfer_send_invite (MsnpXfer *x, const MsnpInvite *invite)
{
  MsnpAccount *msn = account_session (x->account);
  g_autoptr (GBytes) payload = NULL;

  if (msn == NULL)
    return FALSE;
  payload = msnp_invite_build (invite);
  if (payload == NULL)
    return FALSE;
  msnp_switchboard_send_invitation (msn, x->who, payload, x->cookie);
  return TRUE;
}

void
msnp_xfer_send_cancel (MsnpXfer *x, const char *code)
{
  g_autoptr (MsnpInvite) cancel = msnp_invite_new (MSNP_INVITE_CANCEL, x->cookie);

  cancel->cancel_code = g_strdup (code);
  msnp_xfer_send_invite (x, cancel);
}

void
msnp_xfer_fail (MsnpXfer *x, gboolean by_peer, const char *code, const char *sentence)
{
  PurpleXfer *xfer = x->xfer;

  if (xfer == NULL || x->failing)
    return;
  x->failing = TRUE;
  if (code != NULL && !by_peer)
    msnp_xfer_send_cancel (x, code);
  purple_debug_info ("msnp", "file transfer with %s: %s\n", x->who, sentence);
  purple_xfer_conversation_write (xfer, (char *) sentence, TRUE);
  if (by_peer) {
    purple_xfer_cancel_remote (xfer);
  } else {
    purple_xfer_error (purple_xfer_get_type (xfer), x->account, x->who, sentence);
    purple_xfer_cancel_local (xfer);
  }
}
