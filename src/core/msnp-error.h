/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Errors of the protocol core.
 *
 * MSNP_ERROR carries conditions the core detects itself; its codes are
 * MsnpErrorCode.  MSNP_SERVER_ERROR carries a numeric server error
 * ("911 7"): the GError code is the server's code and the message its
 * translated sentence from one table.  The purple glue maps both onto
 * connection errors in one place. */
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
} MsnpServerErrorFlags;

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

/* Sets @error in MSNP_SERVER_ERROR with the code's sentence. */
void msnp_server_error_set (GError **error, guint code);

/* Every entry, for tests: *@n_entries set to the count. */
const MsnpServerErrorInfo *msnp_server_error_table (gsize *n_entries);

G_END_DECLS
