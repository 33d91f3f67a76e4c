/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MIME header blocks as MSNP payloads carry them ("Name: value\r\n" lines,
 * a blank line, then a body that may be binary).  Header names are matched
 * case-insensitively; bare LF line ends are accepted too.
 *
 * Threads and ownership: no loop; an MsnpMime is immutable once parsed, so
 * it may be read from any thread.  const results point into it and live
 * as long as it does; char * and GByteArray results are the caller's.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _MsnpMime MsnpMime;

/* Parses @len bytes (not necessarily NUL-terminated).  Returns NULL only
 * when there is no header block at all; a missing blank line means an
 * empty body. */
MsnpMime   *msnp_mime_parse  (const guint8 *data, gsize len);
void        msnp_mime_free   (MsnpMime *mime);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpMime, msnp_mime_free)

/* Value of the first header named @name, or NULL. */
const char *msnp_mime_get    (const MsnpMime *mime, const char *name);

/* The content type without parameters, lower-cased ("text/plain"), or "". */
const char *msnp_mime_content_type (const MsnpMime *mime);

/* A parameter of a header value, e.g. ("Content-Type", "charset"); newly
 * allocated or NULL. */
char       *msnp_mime_get_param (const MsnpMime *mime, const char *header,
                                 const char *param);

guint       msnp_mime_n_headers (const MsnpMime *mime);
void        msnp_mime_header_at (const MsnpMime *mime, guint i,
                                 const char **name, const char **value);

const guint8 *msnp_mime_body (const MsnpMime *mime, gsize *len);

/* Builds a payload: @headers is a NULL-terminated name, value, name, value…
 * list; MIME-Version: 1.0 is written first unless present. */
GByteArray *msnp_mime_build (const char *const *headers,
                             const guint8 *body, gsize body_len);

G_END_DECLS
