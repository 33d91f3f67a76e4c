/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Errors of the protocol core.
 *
 * MSNP_ERROR carries conditions the core detects itself; its codes are
 * MsnpErrorCode.  MSNP_SERVER_ERROR carries a numeric server error
 * ("911 7"): the GError code is the server's code and the message its
 * translated sentence from one table.  The purple glue maps both onto
 * connection errors in one place.
 *
 * Threads and ownership: the tables are read-only, so any thread may call
 * these; const results point into static tables, char * results and the
 * GErrors set are the caller's.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MSNP_ERROR (msnp_error_quark ())
GQuark msnp_error_quark (void);
#define MSNP_SERVER_ERROR (msnp_server_error_quark ())
GQuark msnp_server_error_quark (void);

typedef enum {
  MSNP_ERROR_PROTOCOL,        /* unframeable or nonsensical input */
  MSNP_ERROR_AUTH_FAILED,     /* wrong passport or password */
  MSNP_ERROR_OTHER_LOCATION,  /* OUT OTH: signed in elsewhere */
  MSNP_ERROR_SERVER_SHUTDOWN, /* OUT SSD */
  MSNP_ERROR_DISCONNECTED,    /* closed by the server without a reason */
  MSNP_ERROR_TOO_MANY_REDIRECTS,
  MSNP_ERROR_VERSION,         /* server refused MSNP8 */
  MSNP_ERROR_TIMEOUT,         /* no answer to a keepalive or a step */
  MSNP_ERROR_PASSPORT,        /* Passport login service misbehaved */
  MSNP_ERROR_SETTINGS,        /* an account setting cannot work as given */
  MSNP_ERROR_PASSPORT_DOWN,   /* Passport answered with a server error (5xx):
                               * like a busy NS, worth signing in again later */
  MSNP_ERROR_LIST_TOO_BIG,    /* more contacts than MSNP_LISTS_MAX_CONTACTS */
} MsnpErrorCode;

typedef enum {
  MSNP_SERVER_ERROR_FLAG_NONE       = 0,
  /* The notification session cannot go on. */
  MSNP_SERVER_ERROR_FLAG_FATAL      = 1 << 0,
  /* A switchboard session cannot go on (the NS may). */
  MSNP_SERVER_ERROR_FLAG_SB_FATAL   = 1 << 1,
  /* The user's credentials were refused. */
  MSNP_SERVER_ERROR_FLAG_AUTH       = 1 << 2,
  /* Worth retrying later (server busy, going down). */
  MSNP_SERVER_ERROR_FLAG_TRANSIENT  = 1 << 3,
  /* Answering sign-in: the account name is wrong. */
  MSNP_SERVER_ERROR_FLAG_USERNAME   = 1 << 4,
  /* Answering sign-in: this account may not sign in (unverified,
   * no parental consent, closed to new users). */
  MSNP_SERVER_ERROR_FLAG_ACCOUNT    = 1 << 5,
} MsnpServerErrorFlags;

/* What a server error that ended the session means for signing in again,
 * for the glue to pick a connection error libpurple acts on rightly: its
 * UIs reconnect after a network error and after nothing else. */
typedef enum {
  /* Busy, down, or a code nobody documented: sign in again later.  An
   * unknown code is retried because the codes servers added over the
   * years were capacity and outage codes, while a wrong password has its
   * own (911); a final error would leave the user offline for good over
   * what was most likely a passing fault, where a retry costs a
   * connection every few minutes with libpurple's back-off. */
  MSNP_SIGNIN_RETRY,
  MSNP_SIGNIN_CREDENTIALS,  /* wrong passport or password (911) */
  MSNP_SIGNIN_USERNAME,     /* the account name is not valid (205, 206, 208) */
  MSNP_SIGNIN_ACCOUNT,      /* the account may not sign in (920, 923, 924) */
  /* This client and the server disagree (bad challenge answer, version
   * or syntax): retrying would get the same answer, forever. */
  MSNP_SIGNIN_FINAL,
} MsnpSigninClass;

typedef struct {
  guint                 code;
  const char           *name;      /* "ERR_AUTHENTICATION_FAILED" */
  const char           *sentence;  /* untranslated; use the accessor */
  MsnpServerErrorFlags  flags;
} MsnpServerErrorInfo;

/* The table entry for @code, or NULL for a code nobody documented. */
const MsnpServerErrorInfo *msnp_server_error_lookup (guint code);

/* A translated sentence for any code (unknown codes get a generic
 * sentence naming the number).  Newly allocated. */
char *msnp_server_error_sentence (guint code);

/* Flags for any code (unknown: none). */
MsnpServerErrorFlags msnp_server_error_flags (guint code);

/* The class of any code (see MsnpSigninClass). */
MsnpSigninClass msnp_server_error_signin_class (guint code);

/* Sets @error in MSNP_SERVER_ERROR with the code's sentence. */
void msnp_server_error_set (GError **error, guint code);

/* Every entry, for tests: *@n_entries set to the count. */
const MsnpServerErrorInfo *msnp_server_error_table (gsize *n_entries);

G_END_DECLS
