/* SPDX-License-Identifier: GPL-2.0-or-later */
/* XEP-0136 (message archiving) replies, sans-IO: which archived lines of a
 * conversation to show when it opens, in which order, and as whose.
 *
 * Threads and ownership: no state and no loop; any thread.  The GPtrArray
 * returned is the caller's and frees its lines with it.
 */
#pragma once

#include <glib.h>

#include "xmpp-node.h"

G_BEGIN_DECLS

#define MSNP_XMPP_NS_ARCHIVE "urn:xmpp:archive"

typedef struct {
  gint64    when;   /* unix seconds */
  gboolean  mine;   /* a <to/> line: we wrote it */
  char     *body;   /* plain text, as archived */
} MsnpXmppArchiveLine;

/* The lines of the <chat/> in @reply (an iq result), oldest first, at most
 * the @max newest of those older than @before (what is newer is already on
 * screen).  Empty when the reply holds no chat, or a chat with anyone but
 * @with (bare JIDs, compared without case): another contact's history
 * must never reach this conversation.  Lines without a body or with a bad
 * time are skipped; servers need not send them in order. */
GPtrArray *msnp_xmpp_archive_lines (const MsnpXmppNode *reply, const char *with,
                                    gint64 before, guint max);

/* How far apart (seconds) the archive's time of a message and its own
 * time (arrival, or its delay stamp) may be for it to count as the same. */
#define MSNP_XMPP_ARCHIVE_SLACK 120

/* Removes the newest line from the contact with body @body and a time
 * within MSNP_XMPP_ARCHIVE_SLACK of @when: the archived copy of a live
 * message about to be shown (the server archives a message before it
 * delivers it, an offline one long before). */
void msnp_xmpp_archive_drop_copy (GPtrArray *lines, const char *body,
                                  gint64 when);

G_END_DECLS
