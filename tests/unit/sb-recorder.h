/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the switchboard unit tests (test-sb-*.c): a recorder that
 * stands in for a session's owner, writing down the bytes the session
 * writes and one line per event, and checking as it goes that every
 * message is reported exactly once and nothing fires after closed.
 * Single-threaded like the session; a recorder and what it returns
 * belong to the test that made it. */
#pragma once

#include <glib.h>

#include "msnp-sb.h"

G_BEGIN_DECLS

#define ALICE  "alice@passport.com"
#define COOKIE "17262740.1050826919.32308"

typedef struct {
  GString    *written;
  GPtrArray  *events;       /* one line per event */
  GHashTable *reported;     /* id → "acked" / "undelivered": exactly once */
  GHashTable *payloads;     /* id → GBytes handed back */
  guint       n_closed;
  GError     *closed;       /* a copy; MSNP_ERROR 0 "" stands for NULL */
  gboolean    clean_close;
  gboolean    write_after_close;
  gboolean    sensitive_seen;
  /* Re-entrancy probes, run from inside events. */
  gboolean    leave_on_join;
  MsnpSb     *sb;
} Recorder;

/* Events into a Recorder (the session's user pointer). */
extern const MsnpSbEvents recorder_events;

Recorder *recorder_new (void);
void      recorder_free (Recorder *r);
/* The events since the last call, joined with '\n' (owned). */
char     *take_events (Recorder *r);
/* The events since the last check are exactly @expected. */
void      expect_events (Recorder *r, const char *expected);
void      expect_eventsf (Recorder *r, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
/* The bytes written since the last check are exactly @expected. */
void      expect_written (Recorder *r, const char *expected);

void      feed (MsnpSb *sb, const char *bytes);
/* A text/plain payload of @text (owned). */
GBytes   *text_message (const char *text);
guint64   send_text (MsnpSb *sb, const char *text, MsnpSbAckMode mode);
/* The exact bytes of "MSG trid mode len\r\n" + payload for @text. */
char     *msg_bytes (guint trid, char mode, const char *text);
/* An outgoing session signed in with bob joined; the next TrID is 3. */
MsnpSb   *joined_outgoing (Recorder *r);

/* The core's debug lines while not NULL (else they are dropped). */
extern GString *captured_log;
/* g_test_init(), with the core's debug output kept off stdout (TAP). */
void      sb_test_init (int *argc, char ***argv);

G_END_DECLS
