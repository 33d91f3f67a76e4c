/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Passport 1.4 "TWN" login, without I/O: what to request and how to read
 * the replies.  The io layer does the HTTPS exchanges.
 *
 *   1. GET the nexus; its PassportURLs header names DALogin (a host/path,
 *      with or without a scheme).
 *   2. GET https://DALogin with an Authorization: Passport1.4 header
 *      carrying the credentials and the fields of the NS challenge.
 *   3. 200 with Authentication-Info: …from-PP='t=…&p=…' is the ticket;
 *      401 with WWW-Authenticate: …da-status=failed is a wrong password;
 *      302 with Location: (and da-status=redir) means ask there instead.
 *
 * Threads and ownership: no state and no loop; any thread.  Every char *
 * returned (and every char * set through an out-parameter) is the
 * caller's to g_free().
 */
#pragma once

#include <glib.h>

#include "msnp-framer.h"

G_BEGIN_DECLS

/* The longest ticket passed on to the NS.  It travels as the last word of
 * "USR trid TWN S ticket": with room for the rest, the line stays within
 * the line limit our own framer (and so, we assume, a server's) accepts.
 * Real tickets were a few hundred bytes. */
#define MSNP_PASSPORT_MAX_TICKET (MSNP_FRAMER_MAX_LINE - 64)

typedef enum {
  MSNP_PASSPORT_REPLY_TICKET,      /* *ticket set */
  MSNP_PASSPORT_REPLY_REDIRECT,    /* *location set: ask again there */
  MSNP_PASSPORT_REPLY_AUTH_FAILED, /* credentials refused */
  MSNP_PASSPORT_REPLY_ERROR,       /* anything else: *error set */
} MsnpPassportReply;

/* The nexus address from the account setting @setting: a bare host/path
 * (as revival servers' instructions often give it) gets "https://".
 * http:// is refused, since the password goes there, and so is anything
 * that is not a web address: NULL with @error set (MSNP_ERROR_SETTINGS,
 * a sentence naming the setting).  Newly allocated. */
char *msnp_passport_nexus_url (const char *setting, GError **error);

/* From a nexus reply (status line + headers, any case, CRLF or LF),
 * returns a newly allocated https URL for DALogin (a missing scheme gets
 * "https://"; "http://" is kept as is and refused later by the caller) or
 * NULL with @error set. */
char *msnp_passport_parse_nexus (const char *response, gsize len,
                                 GError **error);

/* The Authorization header value (without "Authorization: ") for the NS
 * challenge string @challenge ("lc=1033,id=507,…").  Passport and password
 * are URL-encoded.  Contains the password: never log it. */
char *msnp_passport_build_authorization (const char *challenge,
                                         const char *passport,
                                         const char *password);

/* Reads a login-server reply (status line + headers).  On TICKET, *@ticket
 * is "t=…&p=…", at most MSNP_PASSPORT_MAX_TICKET bytes (a longer one is an
 * ERROR); on REDIRECT, *@location is an absolute URL. */
MsnpPassportReply msnp_passport_parse_login (const char *response, gsize len,
                                             char **ticket, char **location,
                                             GError **error);

/* Splits "https://host[:port]/path" into parts; FALSE when it is not an
 * http(s) URL.  Used to rebuild requests and to cache DALogin. */
gboolean msnp_passport_split_url (const char *url, gboolean *is_https,
                                  char **host, guint *port, char **path);

G_END_DECLS
