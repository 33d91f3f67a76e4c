/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The invitation exchange of an MSNFTP transfer (text/x-msmsgsinvite on
 * switchboards; msnp-ftp.h has the sources) and the direct connection it
 * negotiates:
 *
 *   sender                                  receiver
 *   INVITE (cookie, name, size)  ────────►  libpurple's accept dialog
 *                                ◄────────  ACCEPT (Request-Data) | CANCEL
 *   listen (purple_network_listen_range)
 *   ACCEPT (IP-Address, Port, AuthCookie) ►  connect to each address
 *   ◄────────────── MSNFTP on the direct connection ──────────────►
 *
 * When the receiver reaches none of the sender's addresses, it tries the
 * other direction: it listens and sends an ACCEPT with Sender-Connect:
 * TRUE and its own address; the sender connects there.  If that fails
 * too, the transfer ends with a clear error on both sides. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <glib/gi18n-lib.h>

#include <debug.h>
#include <eventloop.h>

#include "msn-xfer-private.h"

/* The sentence for a Cancel-Code from the other side (the codes of the
 * invitation descriptions cited in msnp-ftp.h). */
static char *
cancel_sentence (const char *who, const char *code)
{
  static const char *const codes[] = {
    "REJECT", "REJECT_NOT_INSTALLED", "TIMEOUT", "FTTIMEOUT", "FAIL",
  };
  gsize i = 0;

  while (i < G_N_ELEMENTS (codes) &&
         (code == NULL || g_ascii_strcasecmp (code, codes[i]) != 0))
    i++;
  switch (i) {
  case 0:
    return g_strdup_printf (_("%s declined the file."), who);
  case 1:
    return g_strdup_printf (_("%s's messenger cannot receive files."), who);
  case 2:
    return g_strdup_printf (_("%s did not answer in time."), who);
  case 3:
    return g_strdup_printf (_("No direct connection with %s could be made for "
                              "the transfer."), who);
  case 4:
    return g_strdup_printf (_("%s's messenger could not start the transfer."), who);
  default:   /* OUTBANDCANCEL and anything newer */
    return g_strdup_printf (_("%s cancelled the transfer."), who);
  }
}

/* ---- timers --------------------------------------------------------------- */

static gboolean
connect_timeout_cb (gpointer data)
{
  MsnpXfer *x = data;
  g_autofree char *msg = g_strdup_printf (
      _("Could not connect to %s for the file transfer."), msnp_xfer_peer_name (x));

  x->timer = 0;
  msnp_xfer_fail (x, FALSE, "FTTIMEOUT", msg);
  return FALSE;
}

static gboolean
answer_timeout_cb (gpointer data)
{
  MsnpXfer *x = data;
  g_autofree char *msg = g_strdup_printf (
      _("%s did not answer the file transfer invitation."), msnp_xfer_peer_name (x));

  x->timer = 0;
  msnp_xfer_fail (x, FALSE, "TIMEOUT", msg);
  return FALSE;
}

/* ---- connecting ------------------------------------------------------------ */

static void start_listening (MsnpXfer *x);
static void connect_next (MsnpXfer *x);

static void
connected_cb (gpointer data, gint fd, const gchar *error)
{
  MsnpXfer *x = data;

  x->connecting = NULL;
  if (fd < 0) {
    purple_debug_info ("msnp", "file transfer: connect failed: %s\n",
                       error ? error : "");
    connect_next (x);
    return;
  }
  msnp_xfer_session_start (x, fd);
}

static void
connect_next (MsnpXfer *x)
{
  while (x->targets != NULL && x->next_target < x->targets->len) {
    MsnpXferTarget *t = &g_array_index (x->targets, MsnpXferTarget, x->next_target++);

    /* The peer names the addresses: like every connection, through
     * msnp-connect (the account's proxy; names looked up without a fork). */
    x->connecting = msnp_connect_start (x->account, t->host, t->port, connected_cb, x);
    return;
  }
  /* No address worked.  A receiver asks the sender to connect instead
   * (Sender-Connect), once. */
  if (purple_xfer_get_type (x->xfer) == PURPLE_XFER_RECEIVE && !x->reversed) {
    x->reversed = TRUE;
    start_listening (x);
    return;
  }
  {
    g_autofree char *msg = g_strdup_printf (
        _("Could not connect to %s for the file transfer."), msnp_xfer_peer_name (x));
    msnp_xfer_fail (x, FALSE, "FTTIMEOUT", msg);
  }
}

static void
add_target (MsnpXfer *x, const char *host, guint port)
{
  MsnpXferTarget t = { .host = g_strdup (host), .port = port };

  if (host == NULL || *host == '\0' || port == 0) {
    g_free (t.host);
    return;
  }
  for (guint i = 0; i < x->targets->len; i++) {
    MsnpXferTarget *o = &g_array_index (x->targets, MsnpXferTarget, i);
    if (o->port == port && strcmp (o->host, host) == 0) {
      g_free (t.host);
      return;
    }
  }
  g_array_append_val (x->targets, t);
}

/* Connects to where an ACCEPT says the other side listens.  The
 * descriptions have the client try the addresses at once; one after the
 * other keeps this simple and reaches the same one. */
static void
connect_to (MsnpXfer *x, const MsnpInvite *inv)
{
  msnp_xfer_stop_listening (x);
  if (inv->auth_cookie != NULL) {
    g_free (x->auth_cookie);
    x->auth_cookie = g_strdup (inv->auth_cookie);
  }
  add_target (x, inv->ip, inv->port);
  add_target (x, inv->ip_internal, inv->port);
  add_target (x, inv->ip, inv->port_x);
  add_target (x, inv->ip_internal, inv->port_x);
  msnp_xfer_arm_timer (x, msnp_xfer_connect_timeout (x), connect_timeout_cb);
  connect_next (x);
}

/* ---- listening ------------------------------------------------------------- */

static void
accept_cb (gpointer data, gint listen_fd, PurpleInputCondition cond)
{
  MsnpXfer *x = data;
  int fd = accept (listen_fd, NULL, NULL);

  if (fd < 0)
    return;
  msnp_xfer_session_start (x, fd);
}

/* Our ACCEPT with the address we listen on. */
static void
announce_address (MsnpXfer *x, int fd)
{
  g_autoptr (MsnpInvite) accept = msnp_invite_new (MSNP_INVITE_ACCEPT, x->cookie);
  const char *my_ip = purple_network_get_my_ip (fd);
  const char *local_ip = purple_network_get_local_system_ip (fd);

  accept->ip = g_strdup (my_ip);
  if (local_ip != NULL && g_strcmp0 (local_ip, my_ip) != 0)
    accept->ip_internal = g_strdup (local_ip);
  accept->port = purple_network_get_port_from_fd (fd);
  accept->auth_cookie = g_strdup (x->auth_cookie);
  accept->sender_connect = purple_xfer_get_type (x->xfer) == PURPLE_XFER_RECEIVE;
  msnp_xfer_send_invite (x, accept);
}

static void
listen_cb (int fd, gpointer data)
{
  MsnpXfer *x = data;

  x->listening = NULL;
  if (fd < 0) {
    g_autofree char *msg = g_strdup_printf (
        _("Could not open a port for the file transfer with %s."),
        msnp_xfer_peer_name (x));
    msnp_xfer_fail (x, FALSE, "FAIL", msg);
    return;
  }
  x->listen_fd = fd;
  x->listen_watch = purple_input_add (fd, PURPLE_INPUT_READ, accept_cb, x);
  announce_address (x, fd);
  msnp_xfer_arm_timer (x, msnp_xfer_connect_timeout (x), connect_timeout_cb);
}

/* Listens on a port from the user's range (libpurple maps it with UPnP or
 * NAT-PMP when it can). */
static void
start_listening (MsnpXfer *x)
{
  if (x->auth_cookie == NULL)
    x->auth_cookie = msnp_invite_new_cookie ();
  x->listening = purple_network_listen_range (0, 0, SOCK_STREAM, listen_cb, x);
  if (x->listening == NULL && x->listen_fd < 0 && !x->detached && !x->failing)
    listen_cb (-1, x);
}

/* ---- invitations out ------------------------------------------------------- */

static void
not_signed_in (MsnpXfer *x)
{
  g_autofree char *msg = g_strdup_printf (
      _("Could not offer the file to %s: you are not signed in."), msnp_xfer_peer_name (x));
  msnp_xfer_fail (x, FALSE, NULL, msg);
}

void
msnp_xfer_invite_offer (MsnpXfer *x)
{
  PurpleXfer *xfer = x->xfer;
  g_autoptr (MsnpInvite) inv = msnp_invite_new (MSNP_INVITE_INVITE, NULL);

  x->cookie = msnp_invite_new_cookie ();
  inv->cookie = g_strdup (x->cookie);
  inv->app_name = g_strdup (MSNP_FTP_APP_NAME);
  inv->app_guid = g_strdup (MSNP_FTP_GUID);
  inv->file = g_strdup (purple_xfer_get_filename (xfer));
  inv->file_size = (gint64) purple_xfer_get_size (xfer);
  msnp_xfer_arm_timer (x, MSNP_XFER_ANSWER_TIMEOUT, answer_timeout_cb);
  if (!msnp_xfer_send_invite (x, inv))
    not_signed_in (x);
}

void
msnp_xfer_invite_accept (MsnpXfer *x)
{
  g_autoptr (MsnpInvite) inv = msnp_invite_new (MSNP_INVITE_ACCEPT, x->cookie);

  /* Accepted: ask for the sender's address. */
  x->accepted = TRUE;
  msnp_xfer_arm_timer (x, msnp_xfer_connect_timeout (x), connect_timeout_cb);
  if (!msnp_xfer_send_invite (x, inv))
    not_signed_in (x);
}

/* ---- invitations in --------------------------------------------------------- */

static void
sender_got_accept (MsnpXfer *x, const MsnpInvite *inv)
{
  if (x->fd >= 0 || x->connecting != NULL)
    return;
  /* The receiver listens: we connect (its fallback, or its choice). */
  if (inv->sender_connect && inv->ip != NULL && inv->port != 0) {
    connect_to (x, inv);
    return;
  }
  if (x->listening == NULL && x->listen_fd < 0)
    start_listening (x);
}

static void
receiver_got_accept (MsnpXfer *x, const MsnpInvite *inv)
{
  if (!x->accepted || x->fd >= 0 || x->connecting != NULL || x->listen_fd >= 0 ||
      x->listening != NULL)
    return;
  if (inv->ip == NULL || inv->port == 0 || inv->auth_cookie == NULL) {
    purple_debug_info ("msnp", "file transfer: ACCEPT without an address\n");
    return;
  }
  connect_to (x, inv);
}

static void
got_cancel (MsnpXfer *x, const MsnpInvite *inv)
{
  g_autofree char *sentence = cancel_sentence (msnp_xfer_peer_name (x), inv->cancel_code);

  /* Once the direct connection runs, MSNFTP itself says how it ended. */
  if (x->ftp != NULL && !msnp_ftp_is_finished (x->ftp))
    msnp_ftp_cancel (x->ftp);
  msnp_xfer_fail (x, TRUE, NULL, sentence);
}

void
msnp_xfer_invite_receive (MsnpXfer *x, const MsnpInvite *inv)
{
  if (inv->command == MSNP_INVITE_CANCEL)
    got_cancel (x, inv);
  else if (inv->command == MSNP_INVITE_ACCEPT &&
           purple_xfer_get_type (x->xfer) == PURPLE_XFER_SEND)
    sender_got_accept (x, inv);
  else if (inv->command == MSNP_INVITE_ACCEPT)
    receiver_got_accept (x, inv);
}
