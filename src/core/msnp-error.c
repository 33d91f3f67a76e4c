/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The core's error domains and the one table of MSNP server error codes.
 *
 * The codes are those of the 1999 draft (section 7.11) plus the ones later
 * MSN servers were seen to send.  Flags say what the failure means for the
 * session that received it; whether a given reply ends the session is still
 * the state machine's call (an error answering USR is fatal in a way the
 * same code answering ADD is not). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "msnp-error.h"

G_DEFINE_QUARK (msnp-error-quark, msnp_error)
G_DEFINE_QUARK (msnp-server-error-quark, msnp_server_error)

#define FATAL     MSNP_SERVER_ERROR_FLAG_FATAL
#define SB_FATAL  MSNP_SERVER_ERROR_FLAG_SB_FATAL
#define AUTH      MSNP_SERVER_ERROR_FLAG_AUTH
#define TRANSIENT MSNP_SERVER_ERROR_FLAG_TRANSIENT
#define NONE      MSNP_SERVER_ERROR_FLAG_NONE
#define USERNAME  MSNP_SERVER_ERROR_FLAG_USERNAME
#define ACCOUNT   MSNP_SERVER_ERROR_FLAG_ACCOUNT

/* Sorted by code: looked up by binary search. */
static const MsnpServerErrorInfo server_errors[] = {
  { .code = 200, .name = "ERR_SYNTAX_ERROR", .flags = NONE,
    .sentence = N_("The server did not understand a command it was sent.") },
  { .code = 201, .name = "ERR_INVALID_PARAMETER", .flags = NONE,
    .sentence = N_("The server refused a command because one of its values was not valid.") },
  { .code = 205, .name = "ERR_INVALID_USER", .flags = USERNAME,
    .sentence = N_("That account does not exist.") },
  { .code = 206, .name = "ERR_FQDN_MISSING", .flags = USERNAME,
    .sentence = N_("The account name is missing its domain (the part after the @).") },
  { .code = 207, .name = "ERR_ALREADY_LOGIN", .flags = NONE,
    .sentence = N_("You are already signed in.") },
  { .code = 208, .name = "ERR_INVALID_USERNAME", .flags = SB_FATAL | USERNAME,
    .sentence = N_("That account name is not valid.") },
  { .code = 209, .name = "ERR_INVALID_FRIENDLY_NAME", .flags = NONE,
    .sentence = N_("The server did not accept that display name.") },
  { .code = 210, .name = "ERR_LIST_FULL", .flags = NONE,
    .sentence = N_("That contact list is full.") },
  { .code = 215, .name = "ERR_ALREADY_THERE", .flags = NONE,
    .sentence = N_("That contact is already on the list.") },
  { .code = 216, .name = "ERR_NOT_ON_LIST", .flags = NONE,
    .sentence = N_("That contact is not on the list.") },
  { .code = 217, .name = "ERR_NOT_ONLINE", .flags = SB_FATAL,
    .sentence = N_("That contact is not signed in.") },
  { .code = 218, .name = "ERR_ALREADY_IN_THE_MODE", .flags = NONE,
    .sentence = N_("That setting is already in effect.") },
  { .code = 219, .name = "ERR_ALREADY_IN_OPPOSITE_LIST", .flags = NONE,
    .sentence = N_("A contact cannot be on the allow list and the block list at the same time.") },
  { .code = 223, .name = "ERR_TOO_MANY_GROUPS", .flags = NONE,
    .sentence = N_("You already have as many groups as the server allows.") },
  { .code = 224, .name = "ERR_INVALID_GROUP", .flags = NONE,
    .sentence = N_("That group does not exist.") },
  { .code = 225, .name = "ERR_NOT_IN_GROUP", .flags = NONE,
    .sentence = N_("That contact is not in that group.") },
  { .code = 229, .name = "ERR_GROUP_NAME_TOO_LONG", .flags = NONE,
    .sentence = N_("That group name is too long.") },
  { .code = 230, .name = "ERR_CANNOT_REMOVE_GROUP_ZERO", .flags = NONE,
    .sentence = N_("The default group cannot be removed.") },
  { .code = 231, .name = "ERR_GROUP_DOES_NOT_EXIST", .flags = NONE,
    .sentence = N_("A contact cannot be added to a group that does not exist.") },
  { .code = 280, .name = "ERR_SWITCHBOARD_FAILED", .flags = SB_FATAL,
    .sentence = N_("The server could not start a conversation.") },
  { .code = 281, .name = "ERR_NOTIFY_XFR_FAILED", .flags = SB_FATAL,
    .sentence = N_("The server could not hand the conversation over to another server.") },
  { .code = 300, .name = "ERR_REQUIRED_FIELDS_MISSING", .flags = NONE,
    .sentence = N_("The server refused a command because a required value was missing.") },
  { .code = 301, .name = "ERR_TOO_MANY_HITS", .flags = NONE,
    .sentence = N_("The search found too many people; please narrow it down.") },
  { .code = 302, .name = "ERR_NOT_LOGGED_IN", .flags = FATAL,
    .sentence = N_("The server says you are not signed in.") },
  { .code = 420, .name = "ERR_INVALID_ACCOUNT_PERMISSIONS", .flags = NONE,
    .sentence = N_("Your account is not allowed to do that.") },
  { .code = 500, .name = "ERR_INTERNAL_SERVER", .flags = FATAL | SB_FATAL | TRANSIENT,
    .sentence = N_("The server had an internal error. Please try again later.") },
  { .code = 501, .name = "ERR_DB_SERVER", .flags = TRANSIENT,
    .sentence = N_("The server's database had an error. Please try again later.") },
  { .code = 502, .name = "ERR_COMMAND_DISABLED", .flags = NONE,
    .sentence = N_("The server has switched off that feature.") },
  { .code = 510, .name = "ERR_FILE_OPERATION", .flags = TRANSIENT,
    .sentence = N_("The server could not read or write a file. Please try again later.") },
  { .code = 520, .name = "ERR_MEMORY_ALLOC", .flags = TRANSIENT,
    .sentence = N_("The server ran out of memory. Please try again later.") },
  { .code = 540, .name = "ERR_CHALLENGE_RESPONSE_FAILED", .flags = FATAL,
    .sentence = N_("The server did not accept this client's answer to its challenge.") },
  { .code = 600, .name = "ERR_SERVER_BUSY", .flags = FATAL | SB_FATAL | TRANSIENT,
    .sentence = N_("The server is busy. Please try again later.") },
  { .code = 601, .name = "ERR_SERVER_UNAVAILABLE", .flags = FATAL | SB_FATAL | TRANSIENT,
    .sentence = N_("The server is not available. Please try again later.") },
  { .code = 602, .name = "ERR_PEER_NS_DOWN", .flags = TRANSIENT,
    .sentence = N_("Another server this server depends on is down. Please try again later.") },
  { .code = 603, .name = "ERR_DB_CONNECT", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server could not reach its database. Please try again later.") },
  { .code = 604, .name = "ERR_SERVER_GOING_DOWN", .flags = FATAL | SB_FATAL | TRANSIENT,
    .sentence = N_("The server is shutting down. Please try again later.") },
  { .code = 605, .name = "ERR_SERVER_UNAVAILABLE_2", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server is not available right now. Please try again later.") },
  { .code = 707, .name = "ERR_CREATE_CONNECTION", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server could not open a connection. Please try again later.") },
  { .code = 710, .name = "ERR_BAD_CVR_PARAMETERS", .flags = FATAL,
    .sentence = N_("The server did not accept this client's version information.") },
  { .code = 711, .name = "ERR_BLOCKING_WRITE", .flags = SB_FATAL | TRANSIENT,
    .sentence = N_("The server could not deliver data in time.") },
  { .code = 712, .name = "ERR_SESSION_OVERLOAD", .flags = SB_FATAL | TRANSIENT,
    .sentence = N_("The conversation is overloaded.") },
  { .code = 713, .name = "ERR_USER_TOO_ACTIVE", .flags = SB_FATAL | TRANSIENT,
    .sentence = N_("You are doing that too often. Please wait a moment and try again.") },
  { .code = 714, .name = "ERR_TOO_MANY_SESSIONS", .flags = SB_FATAL,
    .sentence = N_("You have too many conversations open.") },
  { .code = 715, .name = "ERR_NOT_EXPECTED", .flags = NONE,
    .sentence = N_("The server did not expect that command at this point.") },
  { .code = 717, .name = "ERR_BAD_FRIEND_FILE", .flags = NONE,
    .sentence = N_("The server could not read your contact list.") },
  { .code = 731, .name = "ERR_NOT_EXPECTED_CVR", .flags = NONE,
    .sentence = N_("The server did not expect this client's version information.") },
  { .code = 800, .name = "ERR_CHANGING_TOO_RAPIDLY", .flags = TRANSIENT,
    .sentence = N_("You are changing your status or name too quickly. Please wait a moment and try again.") },
  { .code = 910, .name = "ERR_SERVER_TOO_BUSY", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server is too busy to sign you in. Please try again later.") },
  { .code = 911, .name = "ERR_AUTHENTICATION_FAILED", .flags = FATAL | SB_FATAL | AUTH,
    .sentence = N_("The account name or password is wrong.") },
  { .code = 912, .name = "ERR_SERVER_TOO_BUSY_2", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server is too busy to sign you in. Please try again later.") },
  { .code = 913, .name = "ERR_NOT_ALLOWED_WHEN_OFFLINE", .flags = NONE,
    .sentence = N_("That cannot be done while your status is Invisible.") },
  { .code = 914, .name = "ERR_SERVER_UNAVAILABLE_3", .flags = FATAL | TRANSIENT,
    .sentence = N_("The sign-in service is not available. Please try again later.") },
  { .code = 915, .name = "ERR_SERVER_UNAVAILABLE_4", .flags = FATAL | TRANSIENT,
    .sentence = N_("The sign-in service is not available. Please try again later.") },
  { .code = 916, .name = "ERR_SERVER_UNAVAILABLE_5", .flags = FATAL | TRANSIENT,
    .sentence = N_("The sign-in service is not available. Please try again later.") },
  { .code = 918, .name = "ERR_SERVER_TOO_BUSY_3", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server is too busy to sign you in. Please try again later.") },
  { .code = 919, .name = "ERR_SERVER_TOO_BUSY_4", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server is too busy to sign you in. Please try again later.") },
  { .code = 920, .name = "ERR_NOT_ACCEPTING_NEW_USERS", .flags = FATAL | ACCOUNT,
    .sentence = N_("The server is not accepting new users.") },
  { .code = 921, .name = "ERR_SERVER_TOO_BUSY_5", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server is too busy to sign you in. Please try again later.") },
  { .code = 922, .name = "ERR_SERVER_TOO_BUSY_6", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server is too busy to sign you in. Please try again later.") },
  { .code = 923, .name = "ERR_KIDS_PASSPORT_NO_CONSENT", .flags = FATAL | ACCOUNT,
    .sentence = N_("This is a Kids Passport account without parental consent, so it cannot sign in.") },
  { .code = 924, .name = "ERR_PASSPORT_NOT_VERIFIED", .flags = FATAL | ACCOUNT,
    .sentence = N_("This Passport account has not been verified yet. Verify its e-mail address and try again.") },
  { .code = 928, .name = "ERR_BAD_TICKET", .flags = FATAL | TRANSIENT,
    .sentence = N_("The server did not accept the Passport sign-in ticket. Please try again.") },
};

#undef FATAL
#undef SB_FATAL
#undef AUTH
#undef TRANSIENT
#undef NONE
#undef USERNAME
#undef ACCOUNT

const MsnpServerErrorInfo *
msnp_server_error_lookup (guint code)
{
  gsize lo = 0, hi = G_N_ELEMENTS (server_errors);

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (server_errors[mid].code == code)
        return &server_errors[mid];
      if (server_errors[mid].code < code)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

char *
msnp_server_error_sentence (guint code)
{
  const MsnpServerErrorInfo *info = msnp_server_error_lookup (code);

  if (info != NULL)
    return g_strdup (_(info->sentence));
  return g_strdup_printf (_("The server reported an error this client does not know (code %u)."),
                          code);
}

MsnpServerErrorFlags
msnp_server_error_flags (guint code)
{
  const MsnpServerErrorInfo *info = msnp_server_error_lookup (code);

  return info != NULL ? info->flags : MSNP_SERVER_ERROR_FLAG_NONE;
}

MsnpSigninClass
msnp_server_error_signin_class (guint code)
{
  const MsnpServerErrorInfo *info = msnp_server_error_lookup (code);

  if (info == NULL || (info->flags & MSNP_SERVER_ERROR_FLAG_TRANSIENT))
    return MSNP_SIGNIN_RETRY;
  if (info->flags & MSNP_SERVER_ERROR_FLAG_AUTH)
    return MSNP_SIGNIN_CREDENTIALS;
  if (info->flags & MSNP_SERVER_ERROR_FLAG_USERNAME)
    return MSNP_SIGNIN_USERNAME;
  if (info->flags & MSNP_SERVER_ERROR_FLAG_ACCOUNT)
    return MSNP_SIGNIN_ACCOUNT;
  return MSNP_SIGNIN_FINAL;
}

void
msnp_server_error_set (GError **error, guint code)
{
  g_autofree char *sentence = NULL;

  if (error == NULL)
    return;
  sentence = msnp_server_error_sentence (code);
  g_set_error_literal (error, MSNP_SERVER_ERROR, (gint) code, sentence);
}

const MsnpServerErrorInfo *
msnp_server_error_table (gsize *n_entries)
{
  if (n_entries != NULL)
    *n_entries = G_N_ELEMENTS (server_errors);
  return server_errors;
}
