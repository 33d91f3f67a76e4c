/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target: what the OAuth token endpoint and the user hand us — the
 * HTTP reply, the token JSON, and a pasted redirect address. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oauth.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  const char *body = NULL;
  gsize body_len = 0;
  guint status = 0;
  MsnpOAuthToken *token;
  char *code;

  if (msnp_oauth_split_http (text, strlen (text), &status, &body, &body_len))
    msnp_oauth_token_free (msnp_oauth_parse_token (body, body_len, 0, NULL));
  token = msnp_oauth_parse_token ((const char *) data, size, 1000, NULL);
  if (token != NULL)
    g_assert (token->access_token != NULL && *token->access_token != '\0');
  msnp_oauth_token_free (token);
  code = msnp_oauth_extract_code (text, NULL);
  g_free (code);
  return 0;
}
