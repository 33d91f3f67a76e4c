/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The server error table: complete, sorted, readable, flagged. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "msnp-error.h"

/* Every code of the 1999 draft, section 7.11. */
static const guint draft_codes[] = {
  200, 201, 205, 206, 207, 208, 209, 210, 215, 216, 218, 219, 280, 281,
  300, 302, 500, 501, 510, 520, 600, 601, 602, 603, 604, 707, 711, 712,
  713, 714, 715, 717, 911, 913, 920,
};

static void
test_table_sane (void)
{
  gsize n = 0;
  const MsnpServerErrorInfo *table = msnp_server_error_table (&n);

  g_assert_cmpuint (n, >, G_N_ELEMENTS (draft_codes));
  for (gsize i = 0; i < n; i++)
    {
      const MsnpServerErrorInfo *e = &table[i];
      gsize len;

      g_assert_cmpuint (e->code, >=, 100);
      g_assert_cmpuint (e->code, <=, 999);
      if (i > 0)
        g_assert_cmpuint (table[i - 1].code, <, e->code);
      g_assert_true (g_str_has_prefix (e->name, "ERR_"));
      g_assert_nonnull (e->sentence);
      len = strlen (e->sentence);
      /* A full sentence: capital letter first, full stop last. */
      g_assert_cmpuint (len, >, 10);
      g_assert_true (g_ascii_isupper (e->sentence[0]));
      g_assert_cmpint (e->sentence[len - 1], ==, '.');
      g_assert_true (msnp_server_error_lookup (e->code) == e);
      g_assert_cmpint (msnp_server_error_flags (e->code), ==, e->flags);
    }
}

static void
test_draft_codes (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (draft_codes); i++)
    {
      g_autofree char *sentence = msnp_server_error_sentence (draft_codes[i]);

      g_assert_nonnull (msnp_server_error_lookup (draft_codes[i]));
      g_assert_nonnull (sentence);
      g_assert_null (strstr (sentence, "does not know"));
    }
}

typedef struct {
  guint                code;
  MsnpServerErrorFlags must;
  MsnpServerErrorFlags must_not;
} FlagCase;

static const FlagCase flag_cases[] = {
  { 911, MSNP_SERVER_ERROR_FLAG_AUTH | MSNP_SERVER_ERROR_FLAG_FATAL,
    MSNP_SERVER_ERROR_FLAG_TRANSIENT },
  { 600, MSNP_SERVER_ERROR_FLAG_TRANSIENT | MSNP_SERVER_ERROR_FLAG_FATAL,
    MSNP_SERVER_ERROR_FLAG_AUTH },
  { 601, MSNP_SERVER_ERROR_FLAG_TRANSIENT, MSNP_SERVER_ERROR_FLAG_AUTH },
  { 604, MSNP_SERVER_ERROR_FLAG_TRANSIENT, MSNP_SERVER_ERROR_FLAG_AUTH },
  { 540, MSNP_SERVER_ERROR_FLAG_FATAL, MSNP_SERVER_ERROR_FLAG_AUTH },
  { 280, MSNP_SERVER_ERROR_FLAG_SB_FATAL, MSNP_SERVER_ERROR_FLAG_FATAL },
  { 217, MSNP_SERVER_ERROR_FLAG_SB_FATAL, MSNP_SERVER_ERROR_FLAG_FATAL },
  { 215, 0, MSNP_SERVER_ERROR_FLAG_FATAL | MSNP_SERVER_ERROR_FLAG_SB_FATAL },
  { 800, MSNP_SERVER_ERROR_FLAG_TRANSIENT, MSNP_SERVER_ERROR_FLAG_FATAL },
  { 201, 0, MSNP_SERVER_ERROR_FLAG_FATAL },
};

static void
test_flags (gconstpointer data)
{
  const FlagCase *c = data;
  MsnpServerErrorFlags flags = msnp_server_error_flags (c->code);

  g_assert_cmpint (flags & c->must, ==, c->must);
  g_assert_cmpint (flags & c->must_not, ==, 0);
}

static void
test_unknown (void)
{
  g_autofree char *sentence = msnp_server_error_sentence (999);

  g_assert_null (msnp_server_error_lookup (999));
  g_assert_null (msnp_server_error_lookup (0));
  g_assert_cmpint (msnp_server_error_flags (999), ==, MSNP_SERVER_ERROR_FLAG_NONE);
  g_assert_nonnull (strstr (sentence, "999"));
}

static void
test_set (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) unknown = NULL;
  g_autofree char *sentence = msnp_server_error_sentence (911);

  msnp_server_error_set (&error, 911);
  g_assert_error (error, MSNP_SERVER_ERROR, 911);
  g_assert_cmpstr (error->message, ==, sentence);
  msnp_server_error_set (&unknown, 123);
  g_assert_error (unknown, MSNP_SERVER_ERROR, 123);
  g_assert_nonnull (strstr (unknown->message, "123"));
  msnp_server_error_set (NULL, 911);  /* allowed, like g_set_error */
  g_assert_true (MSNP_ERROR != MSNP_SERVER_ERROR);
}

/* Sign-in classes, chosen per code (see MsnpSigninClass for why). */
static void
test_signin_class (void)
{
  static const guint retry[] = { 500, 501, 600, 601, 603, 604, 605, 707,
                                 910, 912, 914, 918, 921, 922, 928,
                                 /* nobody documented these: */
                                 987, 999, 100, 0 };
  static const guint final[] = { 200, 201, 207, 540, 710, 715, 731 };

  for (gsize i = 0; i < G_N_ELEMENTS (retry); i++)
    g_assert_cmpint (msnp_server_error_signin_class (retry[i]), ==,
                     MSNP_SIGNIN_RETRY);
  for (gsize i = 0; i < G_N_ELEMENTS (final); i++)
    g_assert_cmpint (msnp_server_error_signin_class (final[i]), ==,
                     MSNP_SIGNIN_FINAL);
  g_assert_cmpint (msnp_server_error_signin_class (911), ==,
                   MSNP_SIGNIN_CREDENTIALS);
  g_assert_cmpint (msnp_server_error_signin_class (205), ==,
                   MSNP_SIGNIN_USERNAME);
  g_assert_cmpint (msnp_server_error_signin_class (208), ==,
                   MSNP_SIGNIN_USERNAME);
  g_assert_cmpint (msnp_server_error_signin_class (924), ==,
                   MSNP_SIGNIN_ACCOUNT);
  g_assert_cmpint (msnp_server_error_signin_class (923), ==,
                   MSNP_SIGNIN_ACCOUNT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/error/table", test_table_sane);
  g_test_add_func ("/error/draft-codes", test_draft_codes);
  for (gsize i = 0; i < G_N_ELEMENTS (flag_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/error/flags/%u", flag_cases[i].code);
      g_test_add_data_func (path, &flag_cases[i], test_flags);
    }
  g_test_add_func ("/error/unknown", test_unknown);
  g_test_add_func ("/error/set", test_set);
  g_test_add_func ("/error/signin-class", test_signin_class);
  return g_test_run ();
}
