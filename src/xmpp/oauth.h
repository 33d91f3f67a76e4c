/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OAuth 2.0 for Messenger XMPP (Live Connect), without I/O: the authorize
 * URL, the code the user pastes back, the token request bodies and the
 * token endpoint's JSON.  Code flow with no client secret (a desktop
 * client has nowhere to keep one).
 *
 * Threads and ownership: no state and no loop; any thread.  char * results
 * and MsnpOAuthToken are the caller's (msnp_oauth_token_free).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MSNP_OAUTH_ERROR (msnp_oauth_error_quark ())
GQuark msnp_oauth_error_quark (void);

typedef enum {
  MSNP_OAUTH_ERROR_INVALID_GRANT, /* the code or refresh token is refused */
  MSNP_OAUTH_ERROR_DENIED,        /* the user said no (error=access_denied) */
  MSNP_OAUTH_ERROR_SERVER,        /* another "error" from the endpoint */
  MSNP_OAUTH_ERROR_BAD_REPLY,     /* not the JSON we need */
  MSNP_OAUTH_ERROR_NO_CODE,       /* nothing usable was pasted */
} MsnpOAuthErrorCode;

#define MSNP_OAUTH_DEFAULT_AUTHORIZE "https://login.live.com/oauth20_authorize.srf"
#define MSNP_OAUTH_DEFAULT_TOKEN     "https://login.live.com/oauth20_token.srf"
#define MSNP_OAUTH_DEFAULT_REDIRECT  "https://login.live.com/oauth20_desktop.srf"
#define MSNP_OAUTH_DEFAULT_SCOPE     "wl.messenger wl.offline_access"

typedef struct {
  char   *access_token;
  char   *refresh_token;  /* NULL when the reply carried none */
  char   *scope;
  gint64  expires_at;     /* unix seconds; 0 when unknown */
} MsnpOAuthToken;

void msnp_oauth_token_free (MsnpOAuthToken *token);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpOAuthToken, msnp_oauth_token_free)

/* The URL to open in a browser.  Everything is URL-encoded. */
char *msnp_oauth_authorize_url (const char *authorize_endpoint,
                                const char *client_id,
                                const char *redirect_uri, const char *scope);

/* From what the user pasted — the final redirect URL (code in the query
 * or the fragment), a "code=…" fragment, or the bare code — the decoded
 * code.  NULL with MSNP_OAUTH_ERROR_DENIED when the URL says the user
 * refused, _NO_CODE when nothing usable is there. */
char *msnp_oauth_extract_code (const char *pasted, GError **error);

/* Whether an answer to the paste dialog means "cancel": "no" or
 * "cancel" (any case, surrounding blanks ignored).  BitlBee's request bot
 * has no Cancel button; its users answer "no", as to its other questions.
 * No address or code is ever one of these words. */
gboolean msnp_oauth_is_cancel_answer (const char *answer);

/* application/x-www-form-urlencoded bodies for the token endpoint. */
char *msnp_oauth_code_body    (const char *client_id, const char *redirect_uri,
                               const char *code);
char *msnp_oauth_refresh_body (const char *client_id, const char *redirect_uri,
                               const char *refresh_token);

/* A token reply is one flat object; anything nested deeper than this is
 * refused before the JSON parser sees it (it recurses per level). */
#define MSNP_OAUTH_MAX_JSON_DEPTH 32

/* Parses the token endpoint's JSON (@now: current unix time, for the
 * expiry).  An {"error": …} object becomes the matching error, as does
 * nesting deeper than MSNP_OAUTH_MAX_JSON_DEPTH (_BAD_REPLY). */
MsnpOAuthToken *msnp_oauth_parse_token (const char *json, gsize len,
                                        gint64 now, GError **error);

/* Splits a raw HTTP response: the status code and where the body starts
 * (and its length).  FALSE when it is no HTTP response. */
gboolean msnp_oauth_split_http (const char *response, gsize len, guint *status,
                                const char **body, gsize *body_len);

/* Whether the token should be refreshed now: it expires within
 * @margin seconds (an unknown expiry never asks for a refresh). */
gboolean msnp_oauth_token_expiring (gint64 expires_at, gint64 now,
                                    gint64 margin);

G_END_DECLS
