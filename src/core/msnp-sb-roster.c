/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who is in a switchboard session and who is being asked to join it:
 * invitations made before sign-in wait in invites, then go out as CAL and
 * wait in calls until their JOI (or an error naming the CAL); IRO and JOI
 * fill participants, BYE empties it, and the last one out ends the
 * session (draft section 8). */
#include "config.h"

#include "msnp-error.h"
#include "msnp-sb-private.h"

static gint
find_passport (const GPtrArray *list, const char *passport)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (list, i), passport) == 0)
      return (gint) i;
  return -1;
}

static gint
find_call_by_passport (const MsnpSb *sb, const char *passport)
{
  for (guint i = 0; i < sb->calls->len; i++)
    if (g_ascii_strcasecmp (g_array_index (sb->calls, SbCall, i).passport,
                            passport) == 0)
      return (gint) i;
  return -1;
}

gint
msnp_sb_find_call (const MsnpSb *sb, guint trid)
{
  for (guint i = 0; i < sb->calls->len; i++)
    if (g_array_index (sb->calls, SbCall, i).trid == trid)
      return (gint) i;
  return -1;
}

static void
call_clear (gpointer data)
{
  SbCall *call = data;
  g_free (call->passport);
}

static void
send_call (MsnpSb *sb, const char *passport)
{
  SbCall call;

  call.trid = msnp_sb_send_command (sb, "CAL", FALSE, &passport, 1);
  call.passport = g_strdup (passport);
  g_array_append_val (sb->calls, call);
}

gboolean
msnp_sb_is_deserted (const MsnpSb *sb)
{
  return sb->participants->len == 0 && sb->calls->len == 0 &&
         sb->invites->len == 0;
}

/* Adds a participant (once) and reports it.  FALSE when the owner closed
 * the session from the callback. */
static gboolean
add_participant (MsnpSb *sb, const char *passport, const char *friendly_enc,
                 gboolean initial)
{
  char friendly[512];
  gint call;

  if (g_ascii_strcasecmp (passport, sb->own) == 0)
    return TRUE;
  call = find_call_by_passport (sb, passport);
  if (call >= 0)
    g_array_remove_index (sb->calls, (guint) call);
  if (find_passport (sb->participants, passport) >= 0)
    return TRUE;
  g_ptr_array_add (sb->participants, g_strdup (passport));
  msnp_url_decode_to (friendly_enc != NULL ? friendly_enc : passport,
                      friendly, sizeof friendly);
  /* Names reach chat member lists and aliases: no colour bytes, bells or
   * terminal escapes, and one line. */
  msnp_text_strip_controls (friendly, FALSE);
  sb->ev->joined (sb->user, passport, friendly, initial);
  return sb->state != SB_STATE_CLOSED;
}

gboolean
msnp_sb_handle_iro (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* IRO trid index total passport friendly */
  const char *passport = msnp_command_param (cmd, 3);

  if (passport == NULL || sb->state == SB_STATE_NEW)
    return TRUE;
  return add_participant (sb, passport, msnp_command_param (cmd, 4), TRUE);
}

gboolean
msnp_sb_handle_joi (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* JOI passport friendly */
  const char *passport = msnp_command_param (cmd, 0);

  if (passport == NULL || sb->state == SB_STATE_NEW)
    return TRUE;
  if (!add_participant (sb, passport, msnp_command_param (cmd, 1), FALSE))
    return FALSE;
  msnp_sb_queue_flush (sb);
  return TRUE;
}

gboolean
msnp_sb_handle_cal (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* CAL trid RINGING sessid */
  const char *session_id = msnp_command_param (cmd, 2);

  if (!msnp_sb_param_is (cmd, 1, "RINGING")) {
    g_debug ("SB: ignoring a CAL reply that is not RINGING");
    return TRUE;
  }
  /* The call stays pending until its JOI (or an error). */
  if (session_id != NULL && sb->session_id == NULL)
    sb->session_id = g_strdup (session_id);
  return TRUE;
}

gboolean
msnp_sb_handle_bye (MsnpSb *sb, const MsnpCommand *cmd)
{
  /* BYE passport [1] */
  const char *passport = msnp_command_param (cmd, 0);
  gint i;

  if (passport == NULL)
    return TRUE;
  i = find_passport (sb->participants, passport);
  if (i < 0) {
    g_debug ("SB: BYE from someone not in the session");
    return TRUE;
  }
  g_ptr_array_remove_index (sb->participants, (guint) i);
  /* The passport string died with the removal: report it from @cmd. */
  sb->ev->left (sb->user, passport, msnp_sb_param_is (cmd, 1, "1"));
  if (sb->state == SB_STATE_CLOSED)
    return FALSE;
  /* DESIGN: the last contact gone, this switchboard is done; the next
   * message opens a new one (and gets back what this one did not send). */
  if (msnp_sb_is_deserted (sb))
    msnp_sb_close (sb, NULL, TRUE);
  return sb->state != SB_STATE_CLOSED;
}

gboolean
msnp_sb_handle_call_error (MsnpSb *sb, guint index, guint code)
{
  SbCall *entry = &g_array_index (sb->calls, SbCall, index);
  char *passport = g_steal_pointer (&entry->passport);

  g_array_remove_index (sb->calls, index);
  g_debug ("SB: invitation refused with %u", code);
  sb->ev->call_failed (sb->user, passport, code);
  g_free (passport);
  if (sb->state == SB_STATE_CLOSED)
    return FALSE;
  /* The error is about the contact, not the session (217 is "SB fatal"
   * only in that a one-to-one session is then useless) — unless the
   * server itself is in trouble. */
  if (msnp_sb_is_deserted (sb) ||
      (msnp_server_error_flags (code) & MSNP_SERVER_ERROR_FLAG_FATAL))
    msnp_sb_close_with_server_code (sb, code, TRUE);
  return sb->state != SB_STATE_CLOSED;
}

void
msnp_sb_roster_init (MsnpSb *sb)
{
  sb->participants = g_ptr_array_new_with_free_func (g_free);
  sb->invites = g_ptr_array_new_with_free_func (g_free);
  sb->calls = g_array_new (FALSE, FALSE, sizeof (SbCall));
  g_array_set_clear_func (sb->calls, call_clear);
}

void
msnp_sb_roster_free (MsnpSb *sb)
{
  g_array_unref (sb->calls);
  g_ptr_array_unref (sb->invites);
  g_ptr_array_unref (sb->participants);
}

void
msnp_sb_call_invited (MsnpSb *sb)
{
  GPtrArray *invites = g_steal_pointer (&sb->invites);

  sb->invites = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < invites->len && sb->state == SB_STATE_READY; i++)
    send_call (sb, g_ptr_array_index (invites, i));
  g_ptr_array_unref (invites);
}

void
msnp_sb_invite (MsnpSb *sb, const char *passport)
{
  g_return_if_fail (passport != NULL);

  if (sb->state == SB_STATE_CLOSED ||
      g_ascii_strcasecmp (passport, sb->own) == 0 ||
      find_passport (sb->participants, passport) >= 0 ||
      find_passport (sb->invites, passport) >= 0 ||
      find_call_by_passport (sb, passport) >= 0)
    return;
  if (sb->state == SB_STATE_READY)
    send_call (sb, passport);
  else
    g_ptr_array_add (sb->invites, g_strdup (passport));
}

const GPtrArray *
msnp_sb_participants (const MsnpSb *sb)
{
  return sb->participants;
}

gboolean
msnp_sb_has_participant (const MsnpSb *sb, const char *passport)
{
  return passport != NULL && find_passport (sb->participants, passport) >= 0;
}
