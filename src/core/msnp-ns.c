/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-ns.h"
#include "msnp-challenge.h"
#include "msnp-command.h"
#include "msnp-error.h"
#include "msnp-framer.h"
#include "msnp-trace.h"
#include "msnp-ns-private.h"

static const char *const status_codes[MSNP_N_STATUSES] = {
  [MSNP_STATUS_ONLINE]  = "NLN",
  [MSNP_STATUS_BUSY]    = "BSY",
  [MSNP_STATUS_IDLE]    = "IDL",
  [MSNP_STATUS_BRB]     = "BRB",
  [MSNP_STATUS_AWAY]    = "AWY",
  [MSNP_STATUS_PHONE]   = "PHN",
  [MSNP_STATUS_LUNCH]   = "LUN",
  [MSNP_STATUS_HIDDEN]  = "HDN",
  [MSNP_STATUS_OFFLINE] = "FLN",
};

gboolean
msnp_status_from_code (const char *code, MsnpStatus *status)
{
  if (code == NULL)
    return FALSE;
  for (guint i = 0; i < MSNP_N_STATUSES; i++)
    if (g_ascii_strcasecmp (code, status_codes[i]) == 0) {
      *status = i;
      return TRUE;
    }
  return FALSE;
}

const char *
msnp_status_to_code (MsnpStatus status)
{
  return status < MSNP_N_STATUSES ? status_codes[status] : "NLN";
}

#define is_cmd msnp_ns_is_cmd

/* ---- sending ---------------------------------------------------------- */

static void
pending_add (MsnpNs *ns, guint trid, const char *name)
{
  if (ns->n_pending == NS_MAX_PENDING) {
    /* Forget the oldest: a server that never answers must not grow us. */
    memmove (ns->pending, ns->pending + 1,
             sizeof ns->pending[0] * (NS_MAX_PENDING - 1));
    ns->n_pending--;
  }
  ns->pending[ns->n_pending].trid = trid;
  g_strlcpy (ns->pending[ns->n_pending].name, name, sizeof ns->pending[0].name);
  ns->n_pending++;
}

/* Removes the pending entry for @trid; returns its command name or "". */
static const char *
pending_take (MsnpNs *ns, guint trid, char name[4])
{
  memset (name, 0, 4);
  for (guint i = 0; i < ns->n_pending; i++) {
    if (ns->pending[i].trid != trid)
      continue;
    memcpy (name, ns->pending[i].name, 4);
    memmove (ns->pending + i, ns->pending + i + 1,
             sizeof ns->pending[0] * (ns->n_pending - i - 1));
    ns->n_pending--;
    break;
  }
  return name;
}

guint
msnp_ns_send (MsnpNs *ns, const char *name, gboolean sensitive,
              const char *const *params, guint n_params)
{
  guint trid = ns->next_trid++;

  g_string_truncate (ns->out, 0);
  msnp_command_append (ns->out, name, trid, params, n_params);
  if (sensitive)
    MSNP_TRACE (ns->trace, "NS >>> %s %u [redacted]", name, trid);
  else
    MSNP_TRACE (ns->trace, "NS >>> %.*s", (int) (ns->out->len - 2), ns->out->str);
  pending_add (ns, trid, name);
  ns->ev->write (ns->user, ns->out->str, ns->out->len, sensitive);
  return trid;
}

#define SEND MSNP_NS_SEND

void
msnp_ns_close_with (MsnpNs *ns, const GError *error)
{
  if (ns->state == NS_STATE_CLOSED)
    return;
  ns->state = NS_STATE_CLOSED;
  ns->redirecting = FALSE;
  ns->ev->closed (ns->user, error);
}

void
msnp_ns_close_with_code (MsnpNs *ns, MsnpErrorCode code, const char *message)
{
  GError *error = g_error_new_literal (MSNP_ERROR, code, message);
  msnp_ns_close_with (ns, error);
  g_error_free (error);
}

/* ---- list sync -------------------------------------------------------- */

static void
send_initial_status (MsnpNs *ns)
{
  ns->status = ns->initial_status;
  SEND (ns, "CHG", msnp_status_to_code (ns->initial_status), "0");
}

static void
finish_sync (MsnpNs *ns)
{
  gboolean early;

  if (ns->state != NS_STATE_SYNCING)
    return;
  ns->state = NS_STATE_ONLINE;
  ns->ev->progress (ns->user, MSNP_NS_STEP_DONE);
  /* The whole list is in, so CHG may go (MSNP8 wants it after the sync);
   * sent before the owner's work on the list, the server streams the
   * ILNs while that runs.  Not when the owner has changes to send first,
   * nor for a list over the cap: the owner ends the sign-in in synced,
   * never shown online. */
  early = !msnp_lists_overflowed (ns->lists) &&
          (ns->ev->hold_status == NULL || !ns->ev->hold_status (ns->user));
  if (early)
    send_initial_status (ns);
  ns->ev->synced (ns->user, ns->sync_changed);
  if (ns->sync_changed)
    ns->ev->lists_dirty (ns->user);
  if (!early)
    send_initial_status (ns);
  ns->ev->online (ns->user);
}

static void
check_sync_done (MsnpNs *ns)
{
  if (ns->state == NS_STATE_SYNCING && ns->sync_contacts >= 0 &&
      (gint64) ns->seen_contacts >= ns->sync_contacts &&
      (ns->sync_groups < 0 || (gint64) ns->seen_groups >= ns->sync_groups))
    finish_sync (ns);
}

static gboolean
handle_syn (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *version = msnp_command_param (cmd, 1);
  guint64 n;

  if (ns->state != NS_STATE_SYNCING || ns->syn_answered)
    return TRUE;
  ns->syn_answered = TRUE;
  if (version == NULL ||
      g_strcmp0 (version, msnp_lists_get_version (ns->lists)) == 0) {
    /* Unchanged: the cache is the list, nothing follows. */
    finish_sync (ns);
    return TRUE;
  }
  msnp_lists_clear (ns->lists);
  msnp_lists_set_version (ns->lists, version);
  ns->sync_changed = TRUE;
  if (msnp_command_param_uint (cmd, 2, &n))
    ns->sync_contacts = (gint64) n;
  if (msnp_command_param_uint (cmd, 3, &n))
    ns->sync_groups = (gint64) n;
  check_sync_done (ns);
  return TRUE;
}

/* GTC/BLP/PRP come bare during sync and as "CMD trid version value" when
 * they answer a change. */
static gboolean
is_reply_form (const MsnpCommand *cmd, guint min_params)
{
  guint64 n;
  return cmd->n_params >= min_params && msnp_command_param_uint (cmd, 0, &n);
}

static gboolean
handle_list_line (MsnpNs *ns, const MsnpCommand *cmd)
{
  MsnpContact *contact;
  char name[4];

  if (!is_cmd (cmd->name, "LST") && !is_cmd (cmd->name, "LSG") &&
      !is_cmd (cmd->name, "BPR") && is_reply_form (cmd, 3)) {
    guint64 trid = 0;
    msnp_command_param_uint (cmd, 0, &trid);
    pending_take (ns, (guint) trid, name);
    msnp_ns_apply_setting_reply (ns, cmd);
    return TRUE;
  }
  contact = msnp_lists_apply (ns->lists, cmd);
  if (ns->state == NS_STATE_SYNCING) {
    if (is_cmd (cmd->name, "LST")) {
      ns->seen_contacts++;
      if (contact != NULL && ns->ev->listed != NULL)
        ns->ev->listed (ns->user, contact);
    } else if (is_cmd (cmd->name, "LSG")) {
      ns->seen_groups++;
    }
    check_sync_done (ns);
  } else if (contact != NULL) {
    ns->ev->contact_changed (ns->user, contact);
    ns->ev->lists_dirty (ns->user);
  }
  return TRUE;
}

/* ---- presence --------------------------------------------------------- */

static void
report_presence (MsnpNs *ns, const char *code, const char *passport,
                 const char *friendly_enc)
{
  MsnpStatus status;
  char friendly[512];

  if (passport == NULL)
    return;
  if (!msnp_status_from_code (code, &status)) {
    /* Draft 7.7: every other state is a sub-state of online. */
    g_debug ("NS: unknown state %s, taken as online", code ? code : "");
    status = MSNP_STATUS_ONLINE;
  }
  if (friendly_enc != NULL)
    msnp_url_decode_to (friendly_enc, friendly, sizeof friendly);
  ns->ev->presence (ns->user, passport, status,
                    friendly_enc != NULL ? friendly : NULL);
}

static gboolean
handle_iln (MsnpNs *ns, const MsnpCommand *cmd)
{
  /* ILN trid state passport friendly [clientid] */
  report_presence (ns, msnp_command_param (cmd, 1), msnp_command_param (cmd, 2),
                   msnp_command_param (cmd, 3));
  return TRUE;
}

static gboolean
handle_nln (MsnpNs *ns, const MsnpCommand *cmd)
{
  /* NLN state passport friendly [clientid] */
  report_presence (ns, msnp_command_param (cmd, 0), msnp_command_param (cmd, 1),
                   msnp_command_param (cmd, 2));
  return TRUE;
}

static gboolean
handle_fln (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *passport = msnp_command_param (cmd, 0);

  if (passport != NULL)
    ns->ev->presence (ns->user, passport, MSNP_STATUS_OFFLINE, NULL);
  return TRUE;
}

static gboolean
handle_chg (MsnpNs *ns, const MsnpCommand *cmd)
{
  MsnpStatus status;

  if (msnp_status_from_code (msnp_command_param (cmd, 1), &status)) {
    ns->status = status;
    ns->ev->own_status (ns->user, status);
  }
  return TRUE;
}

/* ---- upkeep ----------------------------------------------------------- */

static gboolean
handle_chl (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *challenge = msnp_command_param (cmd, 1);
  char answer[33];
  guint trid;

  if (challenge == NULL)
    challenge = msnp_command_param (cmd, 0);
  if (challenge == NULL)
    return TRUE;
  msnp_challenge_answer (challenge, answer);
  /* QRY carries the answer as a 32-byte payload with no CRLF after it. */
  trid = SEND (ns, "QRY", MSNP_CHALLENGE_CLIENT_ID, "32");
  (void) trid;
  ns->ev->write (ns->user, answer, 32, FALSE);
  return TRUE;
}

/* "QRY trid": the server took our challenge answer; nothing to do. */
static gboolean
handle_qry (MsnpNs *ns, const MsnpCommand *cmd)
{
  return TRUE;
}

static gboolean
handle_qng (MsnpNs *ns, const MsnpCommand *cmd)
{
  ns->png_outstanding = FALSE;
  return TRUE;
}

/* RNG sessid host:port CKI cookie passport friendly (draft 8.4) */
static gboolean
handle_rng (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *session = msnp_command_param (cmd, 0);
  const char *addr = msnp_command_param (cmd, 1);
  const char *cookie = msnp_command_param (cmd, 3);
  const char *passport = msnp_command_param (cmd, 4);
  const char *friendly_enc = msnp_command_param (cmd, 5);
  g_autofree char *host = NULL;
  g_autofree char *friendly = NULL;
  guint port;

  if (session == NULL || addr == NULL || cookie == NULL || passport == NULL ||
      !msnp_ns_split_host_port (addr, &host, &port)) {
    g_debug ("NS: ignoring a malformed RNG");
    return TRUE;
  }
  if (friendly_enc != NULL)
    friendly = msnp_url_decode (friendly_enc);
  if (ns->ev->ring != NULL)
    ns->ev->ring (ns->user, session, host, port, cookie, passport,
                  friendly != NULL ? friendly : passport);
  return TRUE;
}

static gboolean
handle_out (MsnpNs *ns, const MsnpCommand *cmd)
{
  const char *reason = msnp_command_param (cmd, 0);

  if (reason != NULL && g_ascii_strcasecmp (reason, "OTH") == 0)
    msnp_ns_close_with_code (ns, MSNP_ERROR_OTHER_LOCATION,
                     _("You have signed in from another location."));
  else if (reason != NULL && g_ascii_strcasecmp (reason, "SSD") == 0)
    msnp_ns_close_with_code (ns, MSNP_ERROR_SERVER_SHUTDOWN,
                     _("The MSN server is going down for maintenance."));
  else
    msnp_ns_close_with_code (ns, MSNP_ERROR_DISCONNECTED,
                     _("The MSN server ended the session."));
  return FALSE;
}

static gboolean
handle_msg (MsnpNs *ns, const MsnpCommand *cmd)
{
  g_autoptr (MsnpMime) mime = NULL;
  const char *type;

  if (cmd->payload == NULL)
    return TRUE;
  mime = msnp_mime_parse (cmd->payload, cmd->payload_len);
  if (mime == NULL) {
    g_debug ("NS: ignoring a MSG without MIME headers");
    return TRUE;
  }
  type = msnp_mime_content_type (mime);
  if (strcmp (type, "text/x-msmsgsprofile") == 0) {
    msnp_mime_free (ns->profile);
    ns->profile = g_steal_pointer (&mime);
    ns->ev->message (ns->user, type, ns->profile);
    return TRUE;
  }
  ns->ev->message (ns->user, type, mime);
  return TRUE;
}

static gboolean
handle_error (MsnpNs *ns, guint code, const MsnpCommand *cmd)
{
  MsnpServerErrorFlags flags = msnp_server_error_flags (code);
  guint64 trid = 0;
  char name[4];
  GError *error = NULL;
  gboolean login_step;

  msnp_command_param_uint (cmd, 0, &trid);
  pending_take (ns, (guint) trid, name);
  g_debug ("NS: server error %u for %s", code, name[0] ? name : "?");
  login_step = ns->state < NS_STATE_SYNCING ||
               (ns->state == NS_STATE_SYNCING && is_cmd (name, "SYN"));
  if (!(flags & MSNP_SERVER_ERROR_FLAG_FATAL) && !login_step &&
      !is_cmd (name, "QRY")) {
    if (is_cmd (name, "XFR") && ns->ev->switchboard_failed != NULL)
      ns->ev->switchboard_failed (ns->user, (guint) trid, code);
    else if (msnp_ns_list_request_failed (ns, (guint) trid, name, code))
      ;
    else if (msnp_ns_page_request_failed (ns, (guint) trid, name, code))
      ;
    else
      ns->ev->server_error (ns->user, code, name);
    return TRUE;
  }
  if (flags & MSNP_SERVER_ERROR_FLAG_AUTH) {
    g_autofree char *sentence = msnp_server_error_sentence (code);
    error = g_error_new_literal (MSNP_ERROR, MSNP_ERROR_AUTH_FAILED, sentence);
  } else {
    msnp_server_error_set (&error, code);
  }
  msnp_ns_close_with (ns, error);
  g_error_free (error);
  return FALSE;
}

/* ---- dispatch --------------------------------------------------------- */

typedef gboolean (*NsHandler) (MsnpNs *ns, const MsnpCommand *cmd);

/* name first: the entries are found with msnp_command_name_cmp(). */
typedef struct {
  char      name[4];
  NsHandler handler;
} NsEntry;

static const NsEntry ns_handlers[] = {
  { .name = "ADD", .handler = msnp_ns_handle_add_rem },
  { .name = "ADG", .handler = msnp_ns_handle_group },
  { .name = "BLP", .handler = handle_list_line },
  { .name = "BPR", .handler = handle_list_line },
  { .name = "CHG", .handler = handle_chg },
  { .name = "CHL", .handler = handle_chl },
  { .name = "CVR", .handler = msnp_ns_handle_cvr },
  { .name = "FLN", .handler = handle_fln },
  { .name = "GTC", .handler = handle_list_line },
  { .name = "ILN", .handler = handle_iln },
  { .name = "IPG", .handler = msnp_ns_handle_ipg },
  { .name = "LSG", .handler = handle_list_line },
  { .name = "LST", .handler = handle_list_line },
  { .name = "MSG", .handler = handle_msg },
  { .name = "NLN", .handler = handle_nln },
  { .name = "OUT", .handler = handle_out },
  { .name = "PRP", .handler = handle_list_line },
  { .name = "QNG", .handler = handle_qng },
  { .name = "QRY", .handler = handle_qry },
  { .name = "REA", .handler = msnp_ns_handle_rea },
  { .name = "REG", .handler = msnp_ns_handle_group },
  { .name = "REM", .handler = msnp_ns_handle_add_rem },
  { .name = "RMG", .handler = msnp_ns_handle_group },
  { .name = "RNG", .handler = handle_rng },
  { .name = "SYN", .handler = handle_syn },
  { .name = "URL", .handler = msnp_ns_handle_url },
  { .name = "USR", .handler = msnp_ns_handle_usr },
  { .name = "VER", .handler = msnp_ns_handle_ver },
  { .name = "XFR", .handler = msnp_ns_handle_xfr },
};

static NsHandler
find_handler (const char *name)
{
  const void *entry = bsearch (name, ns_handlers, G_N_ELEMENTS (ns_handlers),
                               sizeof ns_handlers[0], msnp_command_name_cmp);

  return entry != NULL ? ((const NsEntry *) entry)->handler : NULL;
}

/* Commands that may interleave with a sync without ending it: the sync
 * lines, and what the server sends on its own (profile and mail MSGs,
 * challenges, keepalive answers). */
static gboolean
may_interleave_sync (const char *name)
{
  static const char *const names[] = {
    "SYN", "GTC", "BLP", "PRP", "LSG", "LST", "BPR", "CHL", "QNG", "QRY",
    "MSG", "IPG",
  };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (is_cmd (name, names[i]))
      return TRUE;
  return FALSE;
}

/* Commands whose first parameter is not a TrID: asynchronous lines, and
 * MSG/IPG whose first parameters are a sender or a payload length (a length
 * equal to a pending TrID must not complete that transaction). */
static gboolean
carries_trid (const char *name)
{
  static const char *const names[] = {
    "LST", "LSG", "BPR", "NLN", "FLN", "MSG", "IPG",
  };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (is_cmd (name, names[i]))
      return FALSE;
  return TRUE;
}

static gboolean
dispatch_frame (const MsnpFrame *frame, gpointer user_data)
{
  MsnpNs *ns = user_data;
  MsnpCommand *cmd;
  NsHandler handler;
  guint code;
  gboolean go_on;

  if (ns->state == NS_STATE_CLOSED || ns->redirecting)
    return FALSE;
  /* MsnpCommand is about 4 KiB: keep it off small thread stacks. */
  cmd = g_alloca (sizeof *cmd);
  if (!msnp_command_parse (cmd, frame)) {
    g_debug ("NS: skipping a malformed line of %" G_GSIZE_FORMAT " bytes",
             frame->line_len);
    return TRUE;
  }
  /* Switchboard cookies are credentials: keep them out of the log. */
  if (is_cmd (cmd->name, "RNG") || is_cmd (cmd->name, "XFR"))
    MSNP_TRACE (ns->trace, "NS <<< %s %s [rest redacted]", cmd->name,
                cmd->n_params > 0 ? cmd->params[0] : "");
  else
    MSNP_TRACE (ns->trace, "NS <<< %.*s", (int) MIN (frame->line_len, 200),
                frame->line);
  if (msnp_command_is_error (cmd, &code))
    return handle_error (ns, code, cmd);

  handler = find_handler (cmd->name);
  if (handler == NULL) {
    g_debug ("NS: ignoring unknown command %s", cmd->name);
    return TRUE;
  }
  /* A sync the server never finished (fewer LSTs than promised) ends at
   * the first known command that cannot be part of it. */
  if (ns->state == NS_STATE_SYNCING && ns->syn_answered &&
      !may_interleave_sync (cmd->name))
    finish_sync (ns);
  if (carries_trid (cmd->name)) {
    guint64 trid;
    char name[4];
    if (msnp_command_param_uint (cmd, 0, &trid) && trid != 0)
      pending_take (ns, (guint) trid, name);
  }
  go_on = handler (ns, cmd);
  return go_on && ns->state != NS_STATE_CLOSED;
}

/* ---- public ----------------------------------------------------------- */

MsnpNs *
msnp_ns_new (const char *passport, const MsnpNsEvents *events,
             gpointer user_data)
{
  MsnpNs *ns = g_new0 (MsnpNs, 1);

  ns->passport = g_ascii_strdown (passport, -1);
  ns->ev = events;
  ns->user = user_data;
  ns->lists = msnp_lists_new ();
  ns->out = g_string_sized_new (256);
  ns->next_trid = 1;
  ns->initial_status = MSNP_STATUS_ONLINE;
  ns->status = MSNP_STATUS_OFFLINE;
  return ns;
}

void
msnp_ns_free (MsnpNs *ns)
{
  if (ns == NULL)
    return;
  g_free (ns->passport);
  g_free (ns->friendly);
  msnp_framer_free (ns->framer);
  msnp_lists_free (ns->lists);
  msnp_mime_free (ns->profile);
  g_string_free (ns->out, TRUE);
  g_free (ns);
}

void
msnp_ns_set_trace (MsnpNs *ns, gboolean trace)
{
  ns->trace = trace;
}

MsnpLists *
msnp_ns_get_lists (MsnpNs *ns)
{
  return ns->lists;
}

void
msnp_ns_set_initial_status (MsnpNs *ns, MsnpStatus status)
{
  if (status != MSNP_STATUS_OFFLINE)
    ns->initial_status = status;
}

void
msnp_ns_connected (MsnpNs *ns)
{
  if (ns->state == NS_STATE_CLOSED)
    return;
  msnp_framer_free (ns->framer);
  ns->framer = msnp_framer_new ();
  ns->redirecting = FALSE;
  ns->png_outstanding = FALSE;
  ns->n_pending = 0;
  ns->state = NS_STATE_VER;
  ns->ev->progress (ns->user, MSNP_NS_STEP_HANDSHAKE);
  SEND (ns, "VER", "MSNP8", "CVR0");
}

gboolean
msnp_ns_feed (MsnpNs *ns, const guint8 *data, gsize len)
{
  GError *error = NULL;

  if (ns->state == NS_STATE_CLOSED)
    return FALSE;
  if (ns->framer == NULL || ns->redirecting)
    return TRUE;
  if (!msnp_framer_feed (ns->framer, data, len, dispatch_frame, ns, &error)) {
    GError *wrapped = g_error_new (MSNP_ERROR, MSNP_ERROR_PROTOCOL,
                                   _("The server sent data that could not be "
                                     "understood (%s)."), error->message);
    msnp_ns_close_with (ns, wrapped);
    g_error_free (wrapped);
    g_error_free (error);
  }
  return ns->state != NS_STATE_CLOSED;
}

gboolean
msnp_ns_disconnected (MsnpNs *ns)
{
  if (ns->state == NS_STATE_CLOSED)
    return FALSE;
  if (ns->redirecting)
    return TRUE;
  msnp_ns_close_with_code (ns, MSNP_ERROR_DISCONNECTED,
                   _("The connection to the MSN server was lost."));
  return FALSE;
}

void
msnp_ns_submit_ticket (MsnpNs *ns, const char *ticket)
{
  if (ns->state != NS_STATE_PASSPORT)
    return;
  ns->state = NS_STATE_USR_S;
  ns->ev->progress (ns->user, MSNP_NS_STEP_AUTHENTICATING);
  msnp_ns_send (ns, "USR", TRUE,
                (const char *const[]) { "TWN", "S", ticket }, 3);
}

void
msnp_ns_abort (MsnpNs *ns, const GError *error)
{
  msnp_ns_close_with (ns, error);
}

gboolean
msnp_ns_is_online (const MsnpNs *ns)
{
  return ns->state == NS_STATE_ONLINE;
}

void
msnp_ns_set_status (MsnpNs *ns, MsnpStatus status)
{
  if (status == MSNP_STATUS_OFFLINE)
    return;
  if (ns->state != NS_STATE_ONLINE) {
    ns->initial_status = status;
    return;
  }
  SEND (ns, "CHG", msnp_status_to_code (status), "0");
}

void
msnp_ns_set_friendly (MsnpNs *ns, const char *friendly)
{
  g_autofree char *enc = NULL;

  if (ns->state != NS_STATE_ONLINE || friendly == NULL)
    return;
  enc = msnp_url_encode (friendly);
  /* The server refuses names over 387 encoded bytes (error 209). */
  SEND (ns, "REA", ns->passport, enc);
}

guint
msnp_ns_request_switchboard (MsnpNs *ns)
{
  if (ns->state != NS_STATE_ONLINE)
    return 0;
  return SEND (ns, "XFR", "SB");
}

gboolean
msnp_ns_keepalive (MsnpNs *ns)
{
  if (ns->state == NS_STATE_SYNCING) {
    /* A server that promised no counts and went quiet: take what came. */
    finish_sync (ns);
    return TRUE;
  }
  if (ns->state != NS_STATE_ONLINE)
    return TRUE;
  if (ns->png_outstanding)
    return FALSE;
  ns->png_outstanding = TRUE;
  /* PNG carries no TrID. */
  g_string_assign (ns->out, "PNG\r\n");
  ns->ev->write (ns->user, ns->out->str, ns->out->len, FALSE);
  return TRUE;
}

void
msnp_ns_sign_out (MsnpNs *ns)
{
  if (ns->state != NS_STATE_IDLE && ns->state != NS_STATE_CLOSED &&
      !ns->redirecting) {
    g_string_assign (ns->out, "OUT\r\n");
    ns->ev->write (ns->user, ns->out->str, ns->out->len, FALSE);
  }
  ns->state = NS_STATE_CLOSED;
}

const char *
msnp_ns_get_profile (const MsnpNs *ns, const char *field)
{
  return ns->profile != NULL ? msnp_mime_get (ns->profile, field) : NULL;
}
