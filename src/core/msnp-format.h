/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Instant-message payloads: text/plain with X-MMS-IM-Format ↔ libpurple's
 * HTML subset, typing notifications, and splitting long messages.  No
 * purple headers: the HTML in and out is the small subset libpurple's
 * conversations use (<b> <i> <u> <s> <font face= color=> <br>, entities).
 *
 * Threads and ownership: no state and no loop; any thread.  Every char *,
 * GPtrArray and GBytes returned is the caller's; an MsnpImFormat owns its
 * strings until msnp_im_format_clear().
 */
#pragma once

#include <glib.h>
#include "msnp-mime.h"

G_BEGIN_DECLS

typedef struct {
  char    *font;        /* FN, decoded; NULL = default */
  gboolean bold, italic, underline, strike;  /* EF=BIUS letters */
  guint32  color;       /* 0xRRGGBB (the wire's CO is BGR hex) */
  gboolean has_color;
  guint    charset;     /* CS (hex on the wire), 0 = ANSI */
  guint    pitch;       /* PF (decimal), e.g. 22 */
} MsnpImFormat;

/* Frees the font and resets every field to zero (safe on a zeroed
 * struct, and the struct can be filled again afterwards). */
void msnp_im_format_clear (MsnpImFormat *format);

/* Parses an X-MMS-IM-Format value tolerantly ("FN=Arial; EF=B; CO=ff;
 * CS=0; PF=22"): fields in any order, any case of key, blanks around
 * them; unknown or broken fields are ignored, and a repeated field's
 * last usable value wins.  @value may be NULL (no header: all defaults).
 * *@format is overwritten without being freed first: pass a zeroed or
 * cleared struct, and msnp_im_format_clear() it afterwards.  The font is
 * valid UTF-8 without control characters, at most 31 characters. */
void msnp_im_format_parse (const char *value, MsnpImFormat *format);

/* The header value for @format ("FN=Segoe%20UI; EF=BI; CO=ff0000; CS=0;
 * PF=22"), newly allocated; @format NULL means all defaults.  The fields
 * are always all there, in the official client's order; FN is "MS Sans
 * Serif" when no font is set, CO=0 without a colour, and charset and
 * pitch are kept sane (CS=0 and PF=22 when unset or out of range). */
char *msnp_im_format_to_string (const MsnpImFormat *format);

/* Incoming: UTF-8 body text (@len bytes, not NUL-terminated) + format
 * (may be NULL) → libpurple HTML, every character of the text escaped
 * (nothing in a message can inject markup); "\r\n", "\n" and a lone
 * "\r" each become <br>.  Invalid UTF-8 is repaired, and NUL bytes
 * become U+FFFD like any other invalid byte (the text after them is
 * kept).  Newly allocated. */
char *msnp_im_to_html (const char *body, gsize len, const MsnpImFormat *format);

/* Outgoing: libpurple HTML → plain UTF-8 text (entities decoded, tags
 * removed, <br> and raw line breaks → "\r\n", a link's target added in
 * parentheses after its text when the two differ) and the format of its
 * first styled run — the style of the first visible character written in
 * any style, since MSN styles a whole message.  Malformed markup is
 * tolerated (unclosed tags, stray '<' kept as text).  Returns the text;
 * *@format is overwritten like msnp_im_format_parse() does (call
 * msnp_im_format_clear); @format may be NULL. */
char *msnp_im_from_html (const char *html, MsnpImFormat *format);

/* Builds complete MSG payloads for @text: the text/plain MIME headers
 * with X-MMS-IM-Format, then the body, each payload at most @max_payload
 * bytes (MSNP_SB_MAX_PAYLOAD), the text split only at UTF-8 character
 * boundaries and never inside "\r\n" (preferring just after a line break
 * or blank in the last tenth of the room).  No chunk is empty unless the
 * text is; the bodies concatenated are @text exactly.  Returns a GPtrArray
 * of GBytes (it frees them), in order, at least one even for empty text —
 * or NULL when @max_payload cannot hold the headers and one character. */
GPtrArray *msnp_im_build_payloads (const char *text, const MsnpImFormat *format,
                                   gsize max_payload);

/* The text/x-msmsgscontrol payload saying @passport is typing (anything
 * from a line break on in @passport is dropped). */
GBytes *msnp_im_build_typing (const char *passport);

G_END_DECLS
