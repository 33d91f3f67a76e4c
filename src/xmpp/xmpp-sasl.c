/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "xmpp-sasl.h"

static char *
messenger_oauth2_response (const char *token)
{
  return g_strdup (token);
}

static const MsnpXmppSaslMechanism mechanisms[] = {
  { .name = "X-MESSENGER-OAUTH2", .priority = 100,
    .initial_response = messenger_oauth2_response },
};

static gboolean
offered_matches (const char *offered, const char *name)
{
  gsize len = strlen (name);

  /* The service listed "X-MESSENGER-OAUTH2 " with a trailing space. */
  while (g_ascii_isspace (*offered))
    offered++;
  if (g_ascii_strncasecmp (offered, name, len) != 0)
    return FALSE;
  for (offered += len; *offered != '\0'; offered++)
    if (!g_ascii_isspace (*offered))
      return FALSE;
  return TRUE;
}

const MsnpXmppSaslMechanism *
msnp_xmpp_sasl_choose (const char *const *offered, gsize n_offered)
{
  const MsnpXmppSaslMechanism *best = NULL;

  for (gsize i = 0; i < n_offered; i++) {
    for (gsize m = 0; m < G_N_ELEMENTS (mechanisms); m++) {
      if (offered[i] != NULL && offered_matches (offered[i], mechanisms[m].name)
          && (best == NULL || mechanisms[m].priority > best->priority))
        best = &mechanisms[m];
    }
  }
  return best;
}
