/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CHL → QRY.  MSNP8 answers a challenge with md5hex(challenge + the
 * MSMSGS client key) under the client id msmsgs@msnmsgr.com.
 *
 * Pure function, no state: any thread; the caller owns @answer's buffer.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MSNP_CHALLENGE_CLIENT_ID  "msmsgs@msnmsgr.com"

/* Writes 32 lower-case hex digits and a NUL into @answer. */
void msnp_challenge_answer (const char *challenge, char answer[33]);

G_END_DECLS
