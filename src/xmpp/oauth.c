/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "oauth.h"

G_DEFINE_QUARK (msnp-oauth-error-quark, msnp_oauth_error)

void
msnp_oauth_token_free (MsnpOAuthToken *token)
{
  if (token == NULL)
    return;
  /* Secrets: wipe before freeing. */
  if (token->access_token != NULL)
    memset (token->access_token, 0, strlen (token->access_token));
  if (token->refresh_token != NULL)
    memset (token->refresh_token, 0, strlen (token->refresh_token));
  g_free (token->access_token);
  g_free (token->refresh_token);
  g_free (token->scope);
  g_free (token);
}

static void
append_param (GString *out, const char *name, const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value != NULL ? value : "",
                                                  NULL, FALSE);

  if (out->len > 0 && out->str[out->len - 1] != '?')
    g_string_append_c (out, '&');
  g_string_append_printf (out, "%s=%s", name, escaped);
}

char *
msnp_oauth_authorize_url (const char *authorize_endpoint, const char *client_id,
                          const char *redirect_uri, const char *scope)
{
  GString *url = g_string_new (authorize_endpoint);

  g_string_append_c (url, strchr (authorize_endpoint, '?') != NULL ? '&' : '?');
  append_param (url, "client_id", client_id);
  append_param (url, "scope", scope);
  append_param (url, "response_type", "code");
  append_param (url, "redirect_uri", redirect_uri);
  return g_string_free (url, FALSE);
}

/* Form decoding: '+' is a space, then %XX escapes. */
static char *
form_decode (const char *s, gssize len)
{
  g_autofree char *copy = len < 0 ? g_strdup (s) : g_strndup (s, len);

  g_strdelimit (copy, "+", ' ');
  return g_uri_unescape_string (copy, NULL);
}

/* Value of @name in "a=1&b=2" (the part after ? or #). */
static char *
find_param (const char *params, const char *name)
{
  g_auto (GStrv) pairs = g_strsplit_set (params, "&;", -1);
  gsize nlen = strlen (name);

  for (char **p = pairs; *p != NULL; p++)
    if (strncmp (*p, name, nlen) == 0 && (*p)[nlen] == '=')
      return form_decode (*p + nlen + 1, -1);
  return NULL;
}

static char *
code_from_params (const char *params, GError **error)
{
  g_autofree char *code = find_param (params, "code");
  g_autofree char *err = find_param (params, "error");

  if (code != NULL && *code != '\0')
    return g_steal_pointer (&code);
  if (err != NULL) {
    g_set_error (error, MSNP_OAUTH_ERROR,
                 strcmp (err, "access_denied") == 0 ? MSNP_OAUTH_ERROR_DENIED
                                                    : MSNP_OAUTH_ERROR_SERVER,
                 "%s", err);
    return NULL;
  }
  g_set_error_literal (error, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_NO_CODE,
                       "no code in the address");
  return NULL;
}

char *
msnp_oauth_extract_code (const char *pasted, GError **error)
{
  g_autofree char *t = g_strstrip (g_strdup (pasted != NULL ? pasted : ""));
  const char *params = strpbrk (t, "?#");

  if (params != NULL) {
    /* The code may be in the query or the fragment: try both. */
    g_autofree char *joined = g_strdelimit (g_strdup (params + 1), "#?", '&');
    return code_from_params (joined, error);
  }
  if (strchr (t, '=') != NULL)
    return code_from_params (t, error);
  if (*t == '\0' || strpbrk (t, " \t\r\n/<>\"") != NULL) {
    g_set_error_literal (error, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_NO_CODE,
                         "not a code");
    return NULL;
  }
  return strchr (t, '%') != NULL ? g_uri_unescape_string (t, NULL)
                                 : g_steal_pointer (&t);
}

gboolean
msnp_oauth_is_cancel_answer (const char *answer)
{
  g_autofree char *t = g_strstrip (g_strdup (answer != NULL ? answer : ""));

  return g_ascii_strcasecmp (t, "no") == 0
         || g_ascii_strcasecmp (t, "cancel") == 0;
}

static char *
token_body (const char *client_id, const char *redirect_uri,
            const char *grant_type, const char *key, const char *value)
{
  GString *body = g_string_new (NULL);

  append_param (body, "client_id", client_id);
  append_param (body, "redirect_uri", redirect_uri);
  append_param (body, "grant_type", grant_type);
  append_param (body, key, value);
  return g_string_free (body, FALSE);
}

char *
msnp_oauth_code_body (const char *client_id, const char *redirect_uri,
                      const char *code)
{
  return token_body (client_id, redirect_uri, "authorization_code", "code",
                     code);
}

char *
msnp_oauth_refresh_body (const char *client_id, const char *redirect_uri,
                         const char *refresh_token)
{
  return token_body (client_id, redirect_uri, "refresh_token",
                     "refresh_token", refresh_token);
}

/* A string member, or NULL when absent or not a string. */
static const char *
member_string (JsonObject *obj, const char *name)
{
  JsonNode *n = json_object_get_member (obj, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

/* expires_in is a number, but some servers sent it as a string. */
static gint64
member_seconds (JsonObject *obj, const char *name)
{
  JsonNode *n = json_object_get_member (obj, name);
  guint64 v = 0;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return 0;
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return CLAMP (json_node_get_int (n), 0, G_MAXINT32);
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    return (gint64) CLAMP (json_node_get_double (n), 0, G_MAXINT32);
  if (json_node_get_value_type (n) == G_TYPE_STRING
      && g_ascii_string_to_unsigned (json_node_get_string (n), 10, 0,
                                     G_MAXINT32, &v, NULL))
    return (gint64) v;
  return 0;
}

static MsnpOAuthToken *
token_from_object (JsonObject *obj, gint64 now, GError **error)
{
  const char *err = member_string (obj, "error");
  const char *access = member_string (obj, "access_token");
  MsnpOAuthToken *token;
  gint64 expires_in;

  if (err != NULL) {
    g_set_error (error, MSNP_OAUTH_ERROR,
                 strcmp (err, "invalid_grant") == 0
                     ? MSNP_OAUTH_ERROR_INVALID_GRANT : MSNP_OAUTH_ERROR_SERVER,
                 "%s", err);
    return NULL;
  }
  if (access == NULL || *access == '\0') {
    g_set_error_literal (error, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_BAD_REPLY,
                         "no access_token in the reply");
    return NULL;
  }
  token = g_new0 (MsnpOAuthToken, 1);
  token->access_token = g_strdup (access);
  token->refresh_token = g_strdup (member_string (obj, "refresh_token"));
  token->scope = g_strdup (member_string (obj, "scope"));
  expires_in = member_seconds (obj, "expires_in");
  token->expires_at = expires_in > 0 ? now + expires_in : 0;
  return token;
}

/* Whether @json nests arrays and objects deeper than @max, counting the
 * brackets outside strings.  json-glib's parser recurses once per level
 * and has no limit of its own: 80,000 nested arrays (160 KB, issue 13.1)
 * overflow the stack, so the bytes are checked before it sees them.
 * Malformed input is left for the parser to refuse. */
static gboolean
nests_deeper_than (const char *json, gsize len, guint max)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++) {
    char c = json[i];

    if (in_string) {
      if (c == '\\')
        i++;  /* whatever is escaped cannot end the string */
      else if (c == '"')
        in_string = FALSE;
    } else if (c == '"') {
      in_string = TRUE;
    } else if (c == '[' || c == '{') {
      if (++depth > max)
        return TRUE;
    } else if ((c == ']' || c == '}') && depth > 0) {
      depth--;
    }
  }
  return FALSE;
}

MsnpOAuthToken *
msnp_oauth_parse_token (const char *json, gsize len, gint64 now,
                        GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (nests_deeper_than (json, len, MSNP_OAUTH_MAX_JSON_DEPTH)) {
    g_set_error_literal (error, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_BAD_REPLY,
                         "JSON nested too deeply");
    return NULL;
  }
  parser = json_parser_new ();
  if (len > G_MAXSSIZE
      || !json_parser_load_from_data (parser, json, (gssize) len, &local)) {
    g_set_error (error, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_BAD_REPLY,
                 "not JSON: %s", local != NULL ? local->message : "too long");
    return NULL;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error_literal (error, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_BAD_REPLY,
                         "not a JSON object");
    return NULL;
  }
  return token_from_object (json_node_get_object (root), now, error);
}

gboolean
msnp_oauth_split_http (const char *response, gsize len, guint *status,
                       const char **body, gsize *body_len)
{
  const char *end = response + len;
  const char *sep = g_strstr_len (response, (gssize) len, "\r\n\r\n");
  gsize skip = 4;
  guint64 code;

  if (sep == NULL) {
    sep = g_strstr_len (response, (gssize) len, "\n\n");
    skip = 2;
  }
  if (len < 12 || strncmp (response, "HTTP/", 5) != 0 || sep == NULL)
    return FALSE;
  {
    const char *sp = memchr (response, ' ', (gsize) (sep - response));
    g_autofree char *digits = NULL;

    if (sp == NULL || sep - sp < 4)
      return FALSE;
    digits = g_strndup (sp + 1, 3);
    if (!g_ascii_string_to_unsigned (digits, 10, 100, 599, &code, NULL))
      return FALSE;
  }
  *status = (guint) code;
  *body = sep + skip;
  *body_len = (gsize) (end - *body);
  return TRUE;
}

gboolean
msnp_oauth_token_expiring (gint64 expires_at, gint64 now, gint64 margin)
{
  return expires_at > 0 && expires_at - now <= margin;
}
