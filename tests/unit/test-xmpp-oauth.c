/* SPDX-License-Identifier: GPL-2.0-or-later */
/* OAuth: authorize URL, pasted codes, token JSON. */
#include <string.h>
#include <glib.h>

#include "oauth.h"

static void
test_authorize_url (void)
{
  g_autofree char *url = msnp_oauth_authorize_url (
      MSNP_OAUTH_DEFAULT_AUTHORIZE, "0000000048&1", MSNP_OAUTH_DEFAULT_REDIRECT,
      MSNP_OAUTH_DEFAULT_SCOPE);

  g_assert_cmpstr (url, ==,
      "https://login.live.com/oauth20_authorize.srf?client_id=0000000048%261"
      "&scope=wl.messenger%20wl.offline_access&response_type=code"
      "&redirect_uri=https%3A%2F%2Flogin.live.com%2Foauth20_desktop.srf");
}

typedef struct { const char *pasted; const char *code; int error; } CodeCase;

static const CodeCase code_cases[] = {
  { "https://login.live.com/oauth20_desktop.srf?code=M12a-b_c&lc=1033", "M12a-b_c", -1 },
  { "  https://x/y?lc=1033&code=a%2Bb%3D\n", "a+b=", -1 },
  { "https://x/desktop#code=frag&state=1", "frag", -1 },
  { "code=plain&x=1", "plain", -1 },
  { "Mabc-123", "Mabc-123", -1 },
  { "Mabc%2D1", "Mabc-1", -1 },
  { "https://x/d?error=access_denied&error_description=no", NULL, MSNP_OAUTH_ERROR_DENIED },
  { "https://x/d?lc=1033", NULL, MSNP_OAUTH_ERROR_NO_CODE },
  { "", NULL, MSNP_OAUTH_ERROR_NO_CODE },
  { "two words", NULL, MSNP_OAUTH_ERROR_NO_CODE },
};

static void
test_code (gconstpointer data)
{
  const CodeCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *code = msnp_oauth_extract_code (c->pasted, &error);

  g_assert_cmpstr (code, ==, c->code);
  if (c->error < 0)
    g_assert_no_error (error);
  else
    g_assert_error (error, MSNP_OAUTH_ERROR, c->error);
}

static void
test_bodies (void)
{
  g_autofree char *a = msnp_oauth_code_body ("cid", "https://r/d", "c+d");
  g_autofree char *b = msnp_oauth_refresh_body ("cid", "https://r/d", "r/1");

  g_assert_cmpstr (a, ==, "client_id=cid&redirect_uri=https%3A%2F%2Fr%2Fd"
                   "&grant_type=authorization_code&code=c%2Bd");
  g_assert_cmpstr (b, ==, "client_id=cid&redirect_uri=https%3A%2F%2Fr%2Fd"
                   "&grant_type=refresh_token&refresh_token=r%2F1");
}

static void
test_parse_token (void)
{
  const char *ok = "{\"token_type\":\"bearer\",\"expires_in\":3600,"
      "\"scope\":\"wl.messenger wl.offline_access\",\"access_token\":\"EwA=\","
      "\"refresh_token\":\"R1\"}";
  const char *str_exp = "{\"access_token\":\"A\",\"expires_in\":\"60\"}";
  g_autoptr (GError) error = NULL;
  g_autoptr (MsnpOAuthToken) t = msnp_oauth_parse_token (ok, strlen (ok), 1000, &error);
  g_autoptr (MsnpOAuthToken) u = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (t->access_token, ==, "EwA=");
  g_assert_cmpstr (t->refresh_token, ==, "R1");
  g_assert_cmpint (t->expires_at, ==, 4600);
  u = msnp_oauth_parse_token (str_exp, strlen (str_exp), 10, &error);
  g_assert_no_error (error);
  g_assert_null (u->refresh_token);
  g_assert_cmpint (u->expires_at, ==, 70);
  g_assert_true (msnp_oauth_token_expiring (70, 20, 60));
  g_assert_false (msnp_oauth_token_expiring (70, 5, 60));
  g_assert_false (msnp_oauth_token_expiring (0, 5, 60));
}

typedef struct { const char *json; int code; } BadCase;

static const BadCase bad_cases[] = {
  { "{\"error\":\"invalid_grant\",\"error_description\":\"x\"}", MSNP_OAUTH_ERROR_INVALID_GRANT },
  { "{\"error\":\"server_error\"}", MSNP_OAUTH_ERROR_SERVER },
  { "{\"access_token\":5}", MSNP_OAUTH_ERROR_BAD_REPLY },
  { "[1,2]", MSNP_OAUTH_ERROR_BAD_REPLY },
  { "{\"access_token\":", MSNP_OAUTH_ERROR_BAD_REPLY },
  { "", MSNP_OAUTH_ERROR_BAD_REPLY },
};

static void
test_bad_token (gconstpointer data)
{
  const BadCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (MsnpOAuthToken) t = msnp_oauth_parse_token (c->json, strlen (c->json), 0, &error);

  g_assert_null (t);
  g_assert_error (error, MSNP_OAUTH_ERROR, c->code);
}

/* A hostile endpoint's deeply nested reply (issue 13.1: 80,000 arrays in
 * 160 KB overflowed the stack inside the JSON parser) is refused before
 * parsing; brackets inside strings do not count, and ordinary nesting
 * still parses. */
static void
test_deep_nesting (void)
{
  const gsize depths[] = { 80000, 400000 };
  const char *quoted = "{\"access_token\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
      "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"{{\","
      "\"x\":[[[[[[[[[[[[[[[[[[[[{\"a\":[1]}]]]]]]]]]]]]]]]]]]]]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (MsnpOAuthToken) ok = msnp_oauth_parse_token (quoted, strlen (quoted), 0, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ok->access_token, "[[[["));
  for (gsize i = 0; i < G_N_ELEMENTS (depths); i++) {
    gsize n = depths[i];
    g_autofree char *deep = g_malloc (2 * n + 1);
    g_autoptr (MsnpOAuthToken) t = NULL;

    memset (deep, '[', n);
    memset (deep + n, ']', n);
    deep[2 * n] = '\0';
    t = msnp_oauth_parse_token (deep, 2 * n, 0, &error);
    g_assert_null (t);
    g_assert_error (error, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_BAD_REPLY);
    g_clear_error (&error);
    /* objects too, and unbalanced openers */
    for (gsize j = 0; j < n; j++)
      deep[j] = j % 2 ? '[' : '{';
    t = msnp_oauth_parse_token (deep, n, 0, &error);
    g_assert_null (t);
    g_assert_error (error, MSNP_OAUTH_ERROR, MSNP_OAUTH_ERROR_BAD_REPLY);
    g_clear_error (&error);
  }
}

static void
test_split_http (void)
{
  const char *r = "HTTP/1.0 400 Bad Request\r\nContent-Type: x\r\n\r\n{\"a\":1}";
  guint status = 0;
  const char *body = NULL;
  gsize len = 0;

  g_assert_true (msnp_oauth_split_http (r, strlen (r), &status, &body, &len));
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpmem (body, len, "{\"a\":1}", 7);
  g_assert_false (msnp_oauth_split_http ("garbage", 7, &status, &body, &len));
  g_assert_false (msnp_oauth_split_http ("HTTP/1.1 2x0 OK\r\n\r\n", 19, &status, &body, &len));
}

static void
test_cancel_answer (void)
{
  g_assert_true (msnp_oauth_is_cancel_answer ("no"));
  g_assert_true (msnp_oauth_is_cancel_answer (" No \r\n"));
  g_assert_true (msnp_oauth_is_cancel_answer ("CANCEL"));
  g_assert_false (msnp_oauth_is_cancel_answer (NULL));
  g_assert_false (msnp_oauth_is_cancel_answer (""));
  g_assert_false (msnp_oauth_is_cancel_answer ("nope"));
  g_assert_false (msnp_oauth_is_cancel_answer ("https://x/desktop?code=no"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/oauth/authorize-url", test_authorize_url);
  for (gsize i = 0; i < G_N_ELEMENTS (code_cases); i++) {
    g_autofree char *n = g_strdup_printf ("/oauth/code/%" G_GSIZE_FORMAT, i);
    g_test_add_data_func (n, &code_cases[i], test_code);
  }
  g_test_add_func ("/oauth/bodies", test_bodies);
  g_test_add_func ("/oauth/parse-token", test_parse_token);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++) {
    g_autofree char *n = g_strdup_printf ("/oauth/bad-token/%" G_GSIZE_FORMAT, i);
    g_test_add_data_func (n, &bad_cases[i], test_bad_token);
  }
  g_test_add_func ("/oauth/split-http", test_split_http);
  g_test_add_func ("/oauth/deep-nesting", test_deep_nesting);
  g_test_add_func ("/oauth/cancel-answer", test_cancel_answer);
  return g_test_run ();
}
