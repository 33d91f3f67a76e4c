/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pages: short text messages to and from a contact's mobile device, sent
 * through the notification server (PAG/PGD out, IPG in).  Payload building
 * and parsing only; msnp-ns-page.c puts them on the wire.
 *
 * The wire formats (msnp-wiki, docs/commands/pag.md, pgd.md and ipg.md;
 * kb.imfreedom.org "MSN/notifications"; Pidgin's MSNP9 prpl page.c):
 *   PAG trid passport len       (MSNP5-8)
 *     <TEXT xml:space="preserve">text</TEXT>
 *   PGD trid passport 1 len     (MSNP9+, 1 = mobile device, 2 = web watch)
 *     <TEXT xml:space="preserve" enc="utf-8">text</TEXT>
 *   either optionally preceded by a call-back number:
 *     <PHONE pri="1"><LOC>HOME|WORK|MOBILE</LOC><NUM>digits</NUM></PHONE>
 *   IPG len                     (server to client)
 *     <NOTIFICATION …><TO name="me"><VIA agent="mobile"/></TO>
 *     <FROM name="tel:+number|passport"/><MSG pri="1" id="1|407">…
 *     <BODY lcid="1033"><TEXT>text</TEXT></BODY></MSG></NOTIFICATION>
 *   where MSG id 407 says the page we sent was too long for the device
 *   and TEXT is empty.
 * The server answers a page only when it fails (a numeric error).
 *
 * Pure functions on the caller's thread, no main loop; what they return
 * is the caller's (see each function). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The most characters a page may carry.  No document gives the service's
 * own limit; pages went out as one SMS, and the service answered an
 * over-long one with an empty IPG (MSG id 407, "too long for the mobile
 * device"), so we refuse what would not fit one GSM text message (160
 * characters) before sending instead of losing it. */
#define MSNP_PAGE_MAX_CHARS 160

/* The payload's byte cap (escaping can grow text six-fold): what the
 * IPG parser accepts and what the test server relays. */
#define MSNP_PAGE_MAX_PAYLOAD 2048

#define MSNP_PAGE_ERROR (msnp_page_error_quark ())
GQuark msnp_page_error_quark (void);

typedef enum {
  MSNP_PAGE_ERROR_EMPTY,     /* nothing left to send after cleaning */
  MSNP_PAGE_ERROR_TOO_LONG,  /* more than MSNP_PAGE_MAX_CHARS */
} MsnpPageError;

/* The page payload for @text (UTF-8; control characters other than line
 * breaks are dropped, invalid UTF-8 repaired).  @utf8_attr adds PGD's
 * enc="utf-8" attribute (PAG has none).  Returns NULL with @error when the
 * text is empty or too long.  The caller owns the bytes (g_bytes_unref()). */
GBytes *msnp_page_build (const char *text, gboolean utf8_attr, GError **error);

typedef struct {
  char    *from;       /* FROM name: a passport or "tel:+…"; NULL if absent */
  char    *text;       /* decoded body, control characters dropped */
  gboolean too_long;   /* MSG id 407: our page did not fit the device */
} MsnpPageIn;

/* Parses an IPG payload tolerantly (unknown elements and attributes
 * ignored; entities and character references decoded).  FALSE when it
 * is not a notification at all or is over MSNP_PAGE_MAX_PAYLOAD.  @out's
 * strings are the caller's, freed by msnp_page_in_clear(). */
gboolean msnp_page_parse (const guint8 *payload, gsize len, MsnpPageIn *out);
void     msnp_page_in_clear (MsnpPageIn *in);

/* The sentence for a server refusing a page with @code (what it means
 * for a page: no device, pages not accepted, too long, too fast; any
 * other code gets the server error table's sentence).  Newly allocated. */
char *msnp_page_error_sentence (guint code);

G_END_DECLS
