/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bytes → MSNP frames.
 *
 * A frame is one CRLF-terminated command line, optionally followed by a
 * payload whose byte count is the command's last parameter (MSG, NOT, …).
 * The framer keeps the partial input between calls, so feeding a stream
 * split at any byte gives the same frames as feeding it whole.  Lengths are
 * checked against limits before anything is allocated for them.
 *
 * Threads and ownership: sans-IO and loop-free; a framer belongs to one
 * connection and is used from one thread at a time.  Frames handed to the
 * callback point into the framer's buffer and are valid only during the
 * call: copy what must outlive it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MSNP_FRAMER_MAX_LINE     4096
/* Server payloads (profile, mail, relayed messages) stay far below this;
 * anything larger is a broken or hostile peer, not a message. */
#define MSNP_FRAMER_MAX_PAYLOAD  (64 * 1024)

#define MSNP_FRAMER_ERROR (msnp_framer_error_quark ())
GQuark msnp_framer_error_quark (void);

typedef enum {
  MSNP_FRAMER_ERROR_LINE_TOO_LONG,
  MSNP_FRAMER_ERROR_BAD_LENGTH,
  MSNP_FRAMER_ERROR_PAYLOAD_TOO_LARGE,
} MsnpFramerError;

typedef struct {
  const char   *line;        /* not NUL-terminated, without CRLF */
  gsize         line_len;
  const guint8 *payload;     /* NULL when the command has none */
  gsize         payload_len;
} MsnpFrame;

/* Called once per complete frame.  The pointers are valid only during the
 * call.  Return FALSE to stop feeding (e.g. the owner was closed); the rest
 * of the input is kept. */
typedef gboolean (*MsnpFrameFunc) (const MsnpFrame *frame, gpointer user_data);

typedef struct _MsnpFramer MsnpFramer;

MsnpFramer *msnp_framer_new  (void);
void        msnp_framer_free (MsnpFramer *framer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpFramer, msnp_framer_free)

/* Feeds bytes; calls @func for every complete frame.  Returns FALSE with
 * @error set when the stream cannot be framed any more (line too long, bad
 * or oversized length); the framer must then be discarded. */
gboolean msnp_framer_feed (MsnpFramer    *framer,
                           const guint8  *data,
                           gsize          len,
                           MsnpFrameFunc  func,
                           gpointer       user_data,
                           GError       **error);

/* Bytes held back waiting for the rest of a frame. */
gsize msnp_framer_pending (const MsnpFramer *framer);

/* TRUE when a line starting with this 3-letter command carries a payload
 * (MSG, NOT, …).  Exposed for tests and the fuzzers. */
gboolean msnp_framer_has_payload (const char *line, gsize line_len);

G_END_DECLS
