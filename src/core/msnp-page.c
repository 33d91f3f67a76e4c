/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-page.h"
#include "msnp-command.h"
#include "msnp-error.h"

G_DEFINE_QUARK (msnp-page-error-quark, msnp_page_error)

/* The characters the official client escaped in a page (msnp-wiki,
 * pag.md: "& ; < > ^"); the server's own XML tooling took the rest. */
static void
append_escaped (GString *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p++) {
    switch (*p) {
    case '&': g_string_append (out, "&amp;"); break;
    case ';': g_string_append (out, "&#x3B;"); break;
    case '<': g_string_append (out, "&#x3C;"); break;
    case '>': g_string_append (out, "&#x3E;"); break;
    case '^': g_string_append (out, "&#x5E;"); break;
    default:  g_string_append_c (out, *p); break;
    }
  }
}

GBytes *
msnp_page_build (const char *text, gboolean utf8_attr, GError **error)
{
  g_autofree char *clean = NULL;
  GString *out;

  clean = msnp_text_strip_controls (g_utf8_make_valid (text != NULL ? text : "", -1),
                                    TRUE);
  g_strstrip (clean);
  if (*clean == '\0') {
    g_set_error_literal (error, MSNP_PAGE_ERROR, MSNP_PAGE_ERROR_EMPTY,
                         "empty page");
    return NULL;
  }
  if (g_utf8_strlen (clean, -1) > MSNP_PAGE_MAX_CHARS) {
    g_set_error (error, MSNP_PAGE_ERROR, MSNP_PAGE_ERROR_TOO_LONG,
                 "a page holds at most %d characters", MSNP_PAGE_MAX_CHARS);
    return NULL;
  }
  out = g_string_new (utf8_attr ? "<TEXT xml:space=\"preserve\" enc=\"utf-8\">"
                                : "<TEXT xml:space=\"preserve\">");
  append_escaped (out, clean);
  g_string_append (out, "</TEXT>");
  return g_string_free_to_bytes (out);
}

/* ---- IPG ------------------------------------------------------------ */

typedef struct {
  MsnpPageIn *out;
  gboolean    seen_root;
  gboolean    in_text;
  GString    *text;
} ParseState;

static const char *
attr (const char **names, const char **values, const char *want)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], want) == 0)
      return values[i];
  return NULL;
}

static void
start_element (GMarkupParseContext *ctx, const char *name, const char **names,
               const char **values, gpointer data, GError **error)
{
  ParseState *st = data;

  if (g_ascii_strcasecmp (name, "NOTIFICATION") == 0) {
    st->seen_root = TRUE;
  } else if (g_ascii_strcasecmp (name, "FROM") == 0 && st->out->from == NULL) {
    const char *from = attr (names, values, "name");
    if (from != NULL && *from != '\0')
      st->out->from = msnp_text_strip_controls (g_strdup (from), FALSE);
  } else if (g_ascii_strcasecmp (name, "MSG") == 0) {
    st->out->too_long = g_strcmp0 (attr (names, values, "id"), "407") == 0;
  } else if (g_ascii_strcasecmp (name, "TEXT") == 0) {
    st->in_text = TRUE;
  }
}

static void
end_element (GMarkupParseContext *ctx, const char *name, gpointer data,
             GError **error)
{
  ParseState *st = data;

  if (g_ascii_strcasecmp (name, "TEXT") == 0)
    st->in_text = FALSE;
}

static void
text_cb (GMarkupParseContext *ctx, const char *text, gsize len, gpointer data,
         GError **error)
{
  ParseState *st = data;

  if (st->in_text)
    g_string_append_len (st->text, text, (gssize) len);
}

gboolean
msnp_page_parse (const guint8 *payload, gsize len, MsnpPageIn *out)
{
  static const GMarkupParser parser = {
    .start_element = start_element,
    .end_element = end_element,
    .text = text_cb,
  };
  ParseState st = { .out = out, .text = g_string_new (NULL) };
  GMarkupParseContext *ctx;

  memset (out, 0, sizeof *out);
  if (payload == NULL || len == 0 || len > MSNP_PAGE_MAX_PAYLOAD) {
    g_string_free (st.text, TRUE);
    return FALSE;
  }
  /* GMarkup knows no DTDs and only the five XML entities: nothing in a
   * payload can make it fetch or expand anything.  A broken tail still
   * leaves what came before it. */
  ctx = g_markup_parse_context_new (&parser, 0, &st, NULL);
  if (g_markup_parse_context_parse (ctx, (const char *) payload, (gssize) len, NULL))
    g_markup_parse_context_end_parse (ctx, NULL);
  g_markup_parse_context_free (ctx);
  out->text = msnp_text_strip_controls (
      g_utf8_make_valid (st.text->str, (gssize) st.text->len), TRUE);
  g_string_free (st.text, TRUE);
  if (!st.seen_root) {
    msnp_page_in_clear (out);
    return FALSE;
  }
  return TRUE;
}

void
msnp_page_in_clear (MsnpPageIn *in)
{
  g_clear_pointer (&in->from, g_free);
  g_clear_pointer (&in->text, g_free);
  in->too_long = FALSE;
}

/* ---- refusals ------------------------------------------------------- */

/* The server answers a page only to refuse it (msnp-wiki pgd.md: "only
 * negative-acknowledgement responses").  The codes are the 1999 draft's
 * (seed 002, 7.11) read for a page: no such user or device, not on a
 * list that lets us page, not accepted, malformed or too long, too fast. */
static const struct {
  guint       code;
  const char *sentence;
} page_errors[] = {
  { .code = 205, .sentence = N_("This contact has no mobile device to page.") },
  { .code = 208, .sentence = N_("This contact has no mobile device to page.") },
  { .code = 216, .sentence = N_("This contact has no mobile device to page.") },
  { .code = 217, .sentence = N_("This contact does not accept pages on a mobile device.") },
  { .code = 420, .sentence = N_("This contact does not accept pages on a mobile device.") },
  { .code = 913, .sentence = N_("You cannot send pages while you appear offline.") },
  { .code = 201, .sentence = N_("The page was refused: it is too long or not understood.") },
  { .code = 300, .sentence = N_("The page was refused: it is too long or not understood.") },
  { .code = 800, .sentence = N_("You are sending pages too quickly; wait a moment and try again.") },
};

char *
msnp_page_error_sentence (guint code)
{
  for (guint i = 0; i < G_N_ELEMENTS (page_errors); i++)
    if (page_errors[i].code == code)
      return g_strdup (_(page_errors[i].sentence));
  return msnp_server_error_sentence (code);
}
