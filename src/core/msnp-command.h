/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One MSNP command line split into its name and parameters, without heap
 * allocation: the line is copied into the struct and split in place, so a
 * command lives on the stack of whoever parses it.
 *
 * The tokenizer does not decide which parameter is a TrID: MSNP commands
 * differ (NLN has none, ILN has one, "QRY 11" may come bare), so that is
 * for the dispatch table.  Runs of spaces are tolerated; parameters past
 * MSNP_COMMAND_MAX_PARAMS are counted in n_extra and otherwise ignored.
 *
 * Threads and ownership: no state and no loop; any thread.  A parsed
 * MsnpCommand owns copies of its text (parameters point into it and live
 * as long as the struct); char * results are the caller's to g_free().
 */
#pragma once

#include <glib.h>
#include "msnp-framer.h"

G_BEGIN_DECLS

#define MSNP_COMMAND_MAX_PARAMS 24

typedef struct {
  char          name[8];            /* "USR", "911", …, NUL-terminated */
  guint         n_params;
  guint         n_extra;
  const char   *params[MSNP_COMMAND_MAX_PARAMS];  /* point into storage */
  const guint8 *payload;            /* borrowed from the frame */
  gsize         payload_len;
  char          storage[MSNP_FRAMER_MAX_LINE + 1];
} MsnpCommand;

/* Returns FALSE for an empty line, a line holding a NUL byte, or a command
 * name that is not 3 ASCII alphanumerics (the caller logs and skips it). */
gboolean msnp_command_parse (MsnpCommand *cmd, const MsnpFrame *frame);

/* Parameter @i or NULL when absent; never indexes past what arrived. */
const char *msnp_command_param (const MsnpCommand *cmd, guint i);

/* TRUE and *@code set when the command is a 3-digit server error. */
gboolean msnp_command_is_error (const MsnpCommand *cmd, guint *code);

/* Parses a decimal TrID/number parameter tolerantly: FALSE when absent or
 * not a number (e.g. a revival server's opaque id). */
gboolean msnp_command_param_uint (const MsnpCommand *cmd, guint i, guint64 *out);

/* TRUE when @text is a non-empty run of ASCII digits (a TrID, a list
 * version, a group id); FALSE for NULL. */
gboolean msnp_text_is_number (const char *text);

/* Removes control characters from @text in place: C0 (except tab, and
 * newline when @keep_newlines), DEL and the UTF-8-encoded C1 range
 * U+0080..U+009F.  Contacts' clients send IRC colour bytes, bells and
 * terminal escapes; none of them may reach a conversation or the buddy
 * list.  Names pass FALSE (a name is one line), message text TRUE.
 * Returns @text; NULL is returned as is. */
char *msnp_text_strip_controls (char *text, gboolean keep_newlines);

/* bsearch() comparator for the sorted dispatch tables: @key is a command
 * name (3 characters and a NUL), @entry a table entry whose first member
 * is `char name[4]`. */
int msnp_command_name_cmp (const void *key, const void *entry);

/* Appends "NAME TRID p1 p2…\r\n" to @out; @trid 0 writes no TrID (OUT, …).
 * Parameters are written verbatim: URL-encode names first. */
void msnp_command_append (GString *out, const char *name, guint trid,
                          const char *const *params, guint n_params);

/* MSNP URL encoding of friendly names and group names: %XX for space,
 * '%', control characters and anything non-ASCII-printable; UTF-8 bytes
 * pass through encoded per byte.  Decoding accepts any %XX (invalid
 * sequences are kept literally) and never produces a NUL byte. */
char *msnp_url_encode (const char *text);
char *msnp_url_decode (const char *text);

/* Bounded variant used on hot paths: decodes into @out (capacity @out_size,
 * always NUL-terminated, truncated at a UTF-8 boundary).  Returns the length. */
gsize msnp_url_decode_to (const char *text, char *out, gsize out_size);

G_END_DECLS
