/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CHL → QRY: MSNP8 proves the client is "MSMSGS" by hashing the server's
 * challenge with that client's private key (seed 003: "29409134351025259292"
 * answers "d0c1178c689350104350d99f8c36ed9c"). */
#include "config.h"

#include <string.h>

#include "msnp-challenge.h"

#define MSNP_CHALLENGE_CLIENT_KEY "Q1P7W2E4J9R8U3S5"

void
msnp_challenge_answer (const char *challenge, char answer[33])
{
  g_autoptr (GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  const char *hex;

  if (challenge != NULL)
    g_checksum_update (md5, (const guchar *) challenge,
                       (gssize) strlen (challenge));
  g_checksum_update (md5, (const guchar *) MSNP_CHALLENGE_CLIENT_KEY,
                     (gssize) strlen (MSNP_CHALLENGE_CLIENT_KEY));
  hex = g_checksum_get_string (md5);
  memcpy (answer, hex, 32);
  answer[32] = '\0';
}
