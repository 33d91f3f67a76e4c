/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CHL → QRY known answers (the first from seed 003). */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "msnp-challenge.h"

typedef struct {
  const char *challenge;
  const char *answer;
} ChallengeCase;

static const ChallengeCase cases[] = {
  { "29409134351025259292", "d0c1178c689350104350d99f8c36ed9c" },
  { "22210219642164014968", "eedf627f65e76d031255a605f5841204" },
  { "", "d76cf52396a7746938e8b16730882661" },
};

static void
test_answer (gconstpointer data)
{
  const ChallengeCase *c = data;
  char answer[33];

  memset (answer, 'X', sizeof answer);
  msnp_challenge_answer (c->challenge, answer);
  g_assert_cmpstr (answer, ==, c->answer);
}

static void
test_client_id (void)
{
  g_assert_cmpstr (MSNP_CHALLENGE_CLIENT_ID, ==, "msmsgs@msnmsgr.com");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/challenge/answer/%s",
                                               cases[i].challenge[0] ? cases[i].challenge : "empty");
      g_test_add_data_func (path, &cases[i], test_answer);
    }
  g_test_add_func ("/challenge/client-id", test_client_id);
  return g_test_run ();
}
