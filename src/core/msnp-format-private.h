/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by msnp-format.c and msnp-format-html.c (not part of the
 * core's interface).
 *
 * Same rules as msnp-format.h: no state, any thread, results are the
 * caller's.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A usable font name out of @len bytes (-1: NUL-terminated): valid UTF-8,
 * no control characters, blanks trimmed, at most 31 characters (Windows'
 * LF_FACESIZE).  Newly allocated; NULL when nothing is left. */
char *msnp_format_clean_font (const char *name, gssize len);

/* 1 to @max_digits hex digits and nothing else, into *@out. */
gboolean msnp_format_parse_hex (const char *s, gsize len, gsize max_digits,
                                guint32 *out);

G_END_DECLS
