/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Signing in, for the notification session: the VER/CVR handshake, the
 * Passport TWN exchange (USR), and referrals (XFR NS at login or any time
 * after; XFR SB answers).  The sync that follows is msnp-ns.c. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-error.h"
#include "msnp-ns-private.h"

#define SEND MSNP_NS_SEND

gboolean
msnp_ns_handle_ver (MsnpNs *ns, const MsnpCommand *cmd)
{
  gboolean ok = FALSE;

  /* Only the answer to our own VER decides the version.  A VER at any
   * other time (a confused or hostile server repeating itself after
   * sign-in) says nothing about this session: ending a working session
   * over it would only invite a reconnect loop. */
  if (ns->state != NS_STATE_VER) {
    g_debug ("NS: ignoring an unexpected VER in state %d", ns->state);
    return TRUE;
  }
  for (guint i = 1; i < cmd->n_params; i++)
    ok |= g_ascii_strcasecmp (cmd->params[i], "MSNP8") == 0;
  if (!ok) {
    msnp_ns_close_with_code (ns, MSNP_ERROR_VERSION,
                     _("The server does not speak MSN protocol version 8."));
    return FALSE;
  }
  ns->state = NS_STATE_CVR;
  /* The version string of MSN Messenger 5.0, which spoke MSNP8 (seed 003). */
  SEND (ns, "CVR", "0x0409", "win", "4.10", "i386", "MSNMSGR", "5.0.0544",
        "MSMSGS", ns->passport);
  return TRUE;
}

gboolean
msnp_ns_handle_cvr (MsnpNs *ns, const MsnpCommand *cmd)
{
  if (ns->state != NS_STATE_CVR)
    return TRUE;
  ns->state = NS_STATE_USR_I;
  SEND (ns, "USR", "TWN", "I", ns->passport);
  return TRUE;
}

static void
start_sync (MsnpNs *ns)
{
  ns->state = NS_STATE_SYNCING;
  ns->sync_contacts = ns->sync_groups = -1;
  ns->seen_contacts = ns->seen_groups = 0;
  ns->sync_changed = FALSE;
  ns->syn_answered = FALSE;
  ns->ev->progress (ns->user, MSNP_NS_STEP_SYNCING);
  SEND (ns, "SYN", msnp_lists_get_version (ns->lists));
}

gboolean
msnp_ns_handle_usr (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *kind = msnp_command_param (cmd, 1);

  if (kind == NULL)
    return TRUE;
  if (g_ascii_strcasecmp (kind, "OK") == 0) {
    /* USR trid OK passport friendly [verified 0] */
    const char *friendly = msnp_command_param (cmd, 3);

    if (ns->state != NS_STATE_USR_S)
      return TRUE;
    if (friendly != NULL) {
      g_free (ns->friendly);
      ns->friendly = msnp_url_decode (friendly);
      ns->ev->own_friendly (ns->user, ns->friendly);
    }
    start_sync (ns);
    return TRUE;
  }
  if (g_ascii_strcasecmp (kind, "TWN") == 0 && ns->state == NS_STATE_USR_I) {
    const char *challenge = msnp_command_param (cmd, 3);

    if (challenge == NULL) {
      msnp_ns_close_with_code (ns, MSNP_ERROR_PROTOCOL,
                       _("The server did not send a Passport challenge."));
      return FALSE;
    }
    ns->state = NS_STATE_PASSPORT;
    ns->ev->progress (ns->user, MSNP_NS_STEP_PASSPORT);
    ns->ev->need_ticket (ns->user, challenge);
    return TRUE;
  }
  g_debug ("NS: ignoring USR %s in state %d", kind, ns->state);
  return TRUE;
}

/* "host:port" with the port optional (1863); FALSE for nonsense. */
gboolean
msnp_ns_split_host_port (const char *text, char **host, guint *port)
{
  const char *colon = strrchr (text, ':');
  guint64 value = 1863;

  if (colon != NULL) {
    if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL))
      return FALSE;
  } else {
    colon = text + strlen (text);
  }
  if (colon == text)
    return FALSE;
  *host = g_strndup (text, colon - text);
  *port = (guint) value;
  return TRUE;
}

/* XFR trid SB host:port CKI cookie */
static gboolean
handle_xfr_sb (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *addr = msnp_command_param (cmd, 2);
  const char *cookie = msnp_command_param (cmd, 4);
  g_autofree char *host = NULL;
  guint64 trid = 0;
  guint port;

  msnp_command_param_uint (cmd, 0, &trid);
  if (cookie == NULL)
    cookie = msnp_command_param (cmd, 3);   /* no "CKI": take what is there */
  if (addr == NULL || cookie == NULL || !msnp_ns_split_host_port (addr, &host, &port)) {
    if (ns->ev->switchboard_failed != NULL)
      ns->ev->switchboard_failed (ns->user, (guint) trid, 0);
    return TRUE;
  }
  if (ns->ev->switchboard != NULL)
    ns->ev->switchboard (ns->user, (guint) trid, host, port, cookie);
  return TRUE;
}

gboolean
msnp_ns_handle_xfr (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *type = msnp_command_param (cmd, 1);
  const char *addr = msnp_command_param (cmd, 2);
  g_autofree char *host = NULL;
  guint port;

  if (type != NULL && g_ascii_strcasecmp (type, "SB") == 0)
    return handle_xfr_sb (ns, cmd);
  if (type == NULL || g_ascii_strcasecmp (type, "NS") != 0) {
    g_debug ("NS: ignoring XFR %s", type ? type : "(none)");
    return TRUE;
  }
  if (addr == NULL || !msnp_ns_split_host_port (addr, &host, &port)) {
    msnp_ns_close_with_code (ns, MSNP_ERROR_PROTOCOL,
                     _("The server sent an unusable server address."));
    return FALSE;
  }
  if (++ns->redirects > MSNP_NS_MAX_REDIRECTS) {
    msnp_ns_close_with_code (ns, MSNP_ERROR_TOO_MANY_REDIRECTS,
                     _("The server redirected the connection too many times."));
    return FALSE;
  }
  ns->redirecting = TRUE;
  ns->ev->progress (ns->user, MSNP_NS_STEP_REDIRECTED);
  ns->ev->redirect (ns->user, host, port);
  /* Draft 7.4: nothing more comes from, or goes to, the old server. */
  return FALSE;
}
