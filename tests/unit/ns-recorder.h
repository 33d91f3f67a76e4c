/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A notification session's events, written down for the unit tests: every
 * event becomes one line of text in @events (the formats are in
 * ns-recorder.c), what the session writes is appended to @written.
 * Shared by the NS replay, list, list-editing and page tests.  Owned by
 * the test that made it; single-threaded, no main loop. */
#pragma once

#include <glib.h>

#include "msnp-ns.h"

G_BEGIN_DECLS

typedef struct {
  GString   *written;          /* everything the session wrote */
  GPtrArray *events;           /* one line per event (char *) */
  char      *challenge;        /* the last need_ticket */
  char      *redirect;         /* the last redirect, "host:port" */
  gboolean   synced_changed;
  gboolean   chg_before_synced; /* CHG already written when synced came */
  gboolean   online;
  GError    *closed;           /* set when closed fired */
  /* When set, list_changed and request_failed are passed on after being
   * written down, the way an account hands them to its list editor. */
  void     (*then_changed) (gpointer data, guint trid,
                            const MsnpListChange *change);
  void     (*then_failed)  (gpointer data, guint trid, const char *command,
                            guint code);
  gpointer   then_data;
} NsRecorder;

/* Events for msnp_ns_new() with an NsRecorder as user data. */
extern const MsnpNsEvents ns_recorder_events;

NsRecorder *ns_recorder_new  (void);
void        ns_recorder_free (NsRecorder *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NsRecorder, ns_recorder_free)

/* Forgets what was written and the events so far. */
void     ns_recorder_clear (NsRecorder *r);
gboolean ns_recorder_has   (const NsRecorder *r, const char *event);
/* How many events start with @prefix. */
guint    ns_recorder_count (const NsRecorder *r, const char *prefix);
/* Asserts the session wrote exactly @expected since the last check, then
 * forgets it. */
void     ns_recorder_expect_written (NsRecorder *r, const char *expected);

/* Feeds @text to @ns and asserts the session is still open. */
void     ns_feed (MsnpNs *ns, const char *text);

/* A session for "me@example.com", signed in through a cacheless sync
 * made of "SYN 5 <@sync>" (e.g. "10 1 1\r\nGTC A\r\n…"), then cleared:
 * online, nothing written, no events. */
MsnpNs  *ns_recorder_sign_in (NsRecorder *r, const char *sync);

G_END_DECLS
