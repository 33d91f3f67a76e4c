/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Outgoing messages: libpurple's HTML → plain text and one
 * X-MMS-IM-Format.
 *
 * Not a general HTML parser: a single pass over the text that knows the
 * subset libpurple conversations produce (b/strong, i/em, u, s/strike/del,
 * font, span style=, a href, br, entities), drops every other tag and
 * comment, and keeps a stack of open elements so an end tag restores the
 * style from before its start tag.  Anything malformed degrades to text:
 * a '<' that starts no complete tag is a literal '<', an '&' that starts
 * no known reference a literal '&'. */
#include "config.h"

#include <string.h>

#include "msnp-format.h"
#include "msnp-format-private.h"

/* A tag or comment longer than this is taken as text: it bounds the
 * look-ahead for a '>' after every '<' of a malformed message. */
#define MAX_MARKUP 4096

/* Elements open at once beyond this are ignored (their text is kept): it
 * bounds the search for the element an end tag closes. */
#define MAX_DEPTH 256

typedef struct {
  gboolean    bold, italic, underline, strike;
  const char *font;       /* owned by HtmlReader.strings */
  guint32     color;      /* 0xRRGGBB */
  gboolean    has_color;
} Style;

typedef struct {
  char        name[8];    /* lower-case element name */
  Style       saved;      /* the style before this element */
  const char *href;       /* <a>: its target (in HtmlReader.strings) */
  gsize       text_start; /* <a>: where its text starts in out */
} OpenElement;

typedef struct {
  GString      *out;
  Style         style;
  GArray       *stack;    /* OpenElement, innermost last */
  GPtrArray    *strings;  /* fonts and links the styles point to */
  MsnpImFormat *format;
  gboolean      captured; /* *format holds the first styled run */
} HtmlReader;

/* A tag as found in the input: its name and its attribute text. */
typedef struct {
  char        name[8];
  const char *attrs;
  const char *attrs_end;
} Tag;

static const struct {
  const char *name;
  const char *utf8;
} named_entities[] = {
  { .name = "amp",  .utf8 = "&" },
  { .name = "lt",   .utf8 = "<" },
  { .name = "gt",   .utf8 = ">" },
  { .name = "quot", .utf8 = "\"" },
  { .name = "apos", .utf8 = "'" },
  /* Plain text has no whitespace collapsing to defeat. */
  { .name = "nbsp", .utf8 = " " },
};

/* The character reference at @p ("&…;"), appended to @out; returns the
 * bytes it used, or 0 when it is not one (the '&' is then literal). */
static gsize
decode_entity (const char *p, const char *end, GString *out)
{
  const char *semi;
  gsize len;
  guint64 c = 0;
  gboolean hex;
  const char *digits;

  semi = memchr (p, ';', MIN ((gsize) (end - p), (gsize) 12));
  if (semi == NULL || semi == p + 1)
    return 0;
  len = (gsize) (semi - p) + 1;
  if (p[1] != '#')
    {
      for (gsize i = 0; i < G_N_ELEMENTS (named_entities); i++)
        if (strlen (named_entities[i].name) == len - 2
            && g_ascii_strncasecmp (p + 1, named_entities[i].name, len - 2) == 0)
          {
            g_string_append (out, named_entities[i].utf8);
            return len;
          }
      return 0;
    }
  hex = p[2] == 'x' || p[2] == 'X';
  digits = p + (hex ? 3 : 2);
  if (digits >= semi)
    return 0;
  for (const char *d = digits; d < semi; d++)
    {
      int v = hex ? g_ascii_xdigit_value (*d) : g_ascii_digit_value (*d);

      if (v < 0)
        return 0;
      c = c * (hex ? 16 : 10) + (guint64) v;
      if (c > 0x10ffff)
        return 0;
    }
  /* No NUL (the text is a C string) and no surrogates. */
  if (c == 0 || !g_unichar_validate ((gunichar) c))
    return 0;
  g_string_append_unichar (out, (gunichar) c);
  return len;
}

/* [p, end) with its character references decoded, newly allocated. */
static char *
decode_entities (const char *p, const char *end)
{
  GString *out = g_string_sized_new ((gsize) (end - p));

  while (p < end)
    {
      gsize used = *p == '&' ? decode_entity (p, end, out) : 0;

      if (used > 0)
        p += used;
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

static gboolean
is_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

/* The decoded value of attribute @want of @tag, or NULL.  Values may be
 * double-, single- or unquoted; a name without '=' has the value "". */
static char *
tag_attribute (const Tag *tag, const char *want)
{
  const char *p = tag->attrs, *end = tag->attrs_end;

  while (p < end)
    {
      const char *name = p, *value = p, *value_end = p;
      gsize name_len;

      while (p < end && !is_space (*p) && *p != '=' && *p != '/')
        p++;
      name_len = (gsize) (p - name);
      if (name_len == 0)
        {
          p++;   /* a blank, or a stray '=' or '/': as browsers do, skip it */
          continue;
        }
      while (p < end && is_space (*p))
        p++;
      if (p < end && *p == '=')
        {
          p++;
          while (p < end && is_space (*p))
            p++;
          if (p < end && (*p == '"' || *p == '\''))
            {
              const char *close = memchr (p + 1, *p, (gsize) (end - p - 1));

              value = p + 1;
              value_end = close != NULL ? close : end;
              p = close != NULL ? close + 1 : end;
            }
          else
            {
              value = p;
              while (p < end && !is_space (*p))
                p++;
              value_end = p;
            }
        }
      if (name_len == strlen (want)
          && g_ascii_strncasecmp (name, want, name_len) == 0)
        return decode_entities (value, value_end);
    }
  return NULL;
}

static const struct {
  const char *name;
  guint32     rgb;
} named_colors[] = {
  { .name = "black",   .rgb = 0x000000 }, { .name = "silver",  .rgb = 0xc0c0c0 },
  { .name = "gray",    .rgb = 0x808080 }, { .name = "grey",    .rgb = 0x808080 },
  { .name = "white",   .rgb = 0xffffff }, { .name = "maroon",  .rgb = 0x800000 },
  { .name = "red",     .rgb = 0xff0000 }, { .name = "purple",  .rgb = 0x800080 },
  { .name = "fuchsia", .rgb = 0xff00ff }, { .name = "magenta", .rgb = 0xff00ff },
  { .name = "green",   .rgb = 0x008000 }, { .name = "lime",    .rgb = 0x00ff00 },
  { .name = "olive",   .rgb = 0x808000 }, { .name = "yellow",  .rgb = 0xffff00 },
  { .name = "navy",    .rgb = 0x000080 }, { .name = "blue",    .rgb = 0x0000ff },
  { .name = "teal",    .rgb = 0x008080 }, { .name = "aqua",    .rgb = 0x00ffff },
  { .name = "cyan",    .rgb = 0x00ffff }, { .name = "orange",  .rgb = 0xffa500 },
};

/* "#rrggbb", "#rgb", bare "rrggbb" or an HTML colour name. */
static gboolean
parse_color (const char *value, guint32 *rgb)
{
  g_autofree char *v = g_strstrip (g_strdup (value));
  const char *hex = v[0] == '#' ? v + 1 : v;
  gsize len = strlen (hex);
  guint32 c;

  if ((len == 6 || (len == 3 && hex != v)) && msnp_format_parse_hex (hex, len, 6, &c))
    {
      if (len == 3)  /* #abc = #aabbcc */
        c = ((c >> 8) & 0xf) * 0x110000 + ((c >> 4) & 0xf) * 0x1100 + (c & 0xf) * 0x11;
      *rgb = c;
      return TRUE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (named_colors); i++)
    if (g_ascii_strcasecmp (v, named_colors[i].name) == 0)
      {
        *rgb = named_colors[i].rgb;
        return TRUE;
      }
  return FALSE;
}

/* CSS generic families have no meaning to a Windows client. */
static const struct {
  const char *generic;
  const char *font;
} generic_fonts[] = {
  { .generic = "sans-serif", .font = "Arial" },
  { .generic = "serif",      .font = "Times New Roman" },
  { .generic = "monospace",  .font = "Courier New" },
};

/* The first family of a face list ("'DejaVu Sans', Arial"), kept in the
 * reader's strings; NULL when there is none. */
static const char *
reader_font (HtmlReader *r, const char *list)
{
  gsize len = strcspn (list, ",");
  char *font;

  while (len > 0 && (is_space (*list) || *list == '"' || *list == '\''))
    list++, len--;
  while (len > 0 && (is_space (list[len - 1]) || list[len - 1] == '"'
                     || list[len - 1] == '\''))
    len--;
  for (gsize i = 0; i < G_N_ELEMENTS (generic_fonts); i++)
    if (strlen (generic_fonts[i].generic) == len
        && g_ascii_strncasecmp (list, generic_fonts[i].generic, len) == 0)
      return generic_fonts[i].font;
  font = msnp_format_clean_font (list, (gssize) len);
  if (font != NULL)
    g_ptr_array_add (r->strings, font);
  return font;
}

/* One CSS declaration of a style attribute. */
static void
apply_css (HtmlReader *r, const char *prop, const char *value)
{
  Style *s = &r->style;

  if (g_ascii_strcasecmp (prop, "font-weight") == 0)
    s->bold = g_ascii_strncasecmp (value, "bold", 4) == 0
              || (g_ascii_isdigit (value[0])
                  && g_ascii_strtoull (value, NULL, 10) >= 600);
  else if (g_ascii_strcasecmp (prop, "font-style") == 0)
    s->italic = g_ascii_strcasecmp (value, "italic") == 0
                || g_ascii_strcasecmp (value, "oblique") == 0;
  else if (g_ascii_strcasecmp (prop, "text-decoration") == 0
           || g_ascii_strcasecmp (prop, "text-decoration-line") == 0)
    {
      g_autofree char *lower = g_ascii_strdown (value, -1);

      s->underline = strstr (lower, "underline") != NULL;
      s->strike = strstr (lower, "line-through") != NULL;
    }
  else if (g_ascii_strcasecmp (prop, "color") == 0)
    {
      if (parse_color (value, &s->color))
        s->has_color = TRUE;
    }
  else if (g_ascii_strcasecmp (prop, "font-family") == 0)
    {
      const char *font = reader_font (r, value);

      if (font != NULL)
        s->font = font;
    }
}

static void
apply_style_attribute (HtmlReader *r, const Tag *tag)
{
  g_autofree char *css = tag_attribute (tag, "style");
  g_auto (GStrv) decls = NULL;

  if (css == NULL)
    return;
  decls = g_strsplit (css, ";", -1);
  for (guint i = 0; decls[i] != NULL; i++)
    {
      char *colon = strchr (decls[i], ':');

      if (colon == NULL)
        continue;
      *colon = '\0';
      apply_css (r, g_strstrip (decls[i]), g_strstrip (colon + 1));
    }
}

static void
open_bold (HtmlReader *r, const Tag *tag)
{
  r->style.bold = TRUE;
}

static void
open_italic (HtmlReader *r, const Tag *tag)
{
  r->style.italic = TRUE;
}

static void
open_underline (HtmlReader *r, const Tag *tag)
{
  r->style.underline = TRUE;
}

static void
open_strike (HtmlReader *r, const Tag *tag)
{
  r->style.strike = TRUE;
}

static void
open_font (HtmlReader *r, const Tag *tag)
{
  g_autofree char *face = tag_attribute (tag, "face");
  g_autofree char *color = tag_attribute (tag, "color");
  const char *font = face != NULL ? reader_font (r, face) : NULL;

  if (font != NULL)
    r->style.font = font;
  if (color != NULL && parse_color (color, &r->style.color))
    r->style.has_color = TRUE;
}

static void
open_link (HtmlReader *r, const Tag *tag)
{
  OpenElement *top = &g_array_index (r->stack, OpenElement, r->stack->len - 1);
  char *href = tag_attribute (tag, "href");

  if (href == NULL)
    return;
  g_ptr_array_add (r->strings, href);
  top->href = g_strstrip (href);
  top->text_start = r->out->len;
}

static void
line_break (HtmlReader *r, const Tag *tag)
{
  g_string_append (r->out, "\r\n");
}

/* The elements we understand.  Container elements are pushed on the
 * stack (their end tag restores the style they changed); empty ones are
 * not.  Every other element is dropped, its text kept. */
static const struct {
  const char *name;
  gboolean    empty;
  void      (*open) (HtmlReader *r, const Tag *tag);
} html_elements[] = {
  { .name = "b",      .open = open_bold },
  { .name = "strong", .open = open_bold },
  { .name = "i",      .open = open_italic },
  { .name = "em",     .open = open_italic },
  { .name = "u",      .open = open_underline },
  { .name = "ins",    .open = open_underline },
  { .name = "s",      .open = open_strike },
  { .name = "strike", .open = open_strike },
  { .name = "del",    .open = open_strike },
  { .name = "font",   .open = open_font },
  { .name = "span",   .open = NULL },
  { .name = "a",      .open = open_link },
  { .name = "br",     .open = line_break, .empty = TRUE },
};

static void
handle_start_tag (HtmlReader *r, const Tag *tag)
{
  for (gsize i = 0; i < G_N_ELEMENTS (html_elements); i++)
    {
      OpenElement element = { .saved = r->style };

      if (strcmp (tag->name, html_elements[i].name) != 0)
        continue;
      if (html_elements[i].empty)
        {
          html_elements[i].open (r, tag);
          return;
        }
      if (r->stack->len >= MAX_DEPTH)
        return;
      g_strlcpy (element.name, tag->name, sizeof element.name);
      g_array_append_val (r->stack, element);
      if (html_elements[i].open != NULL)
        html_elements[i].open (r, tag);
      apply_style_attribute (r, tag);
      return;
    }
}

/* </a>: a link whose text is not its target keeps the target visible,
 * since a plain-text message cannot carry it otherwise. */
static void
close_link (HtmlReader *r, const OpenElement *element)
{
  const char *text = r->out->str + element->text_start;
  const char *target = element->href;

  if (target == NULL || target[0] == '\0')
    return;
  if (strcmp (text, target) == 0
      || (g_ascii_strncasecmp (target, "mailto:", 7) == 0
          && strcmp (text, target + 7) == 0))
    return;
  g_string_append_printf (r->out, " (%s)", target);
}

/* An end tag closes the innermost open element of that name and every
 * element opened inside it (unclosed tags are forgiven); an end tag with
 * nothing to close is ignored. */
static void
handle_end_tag (HtmlReader *r, const Tag *tag)
{
  for (guint i = r->stack->len; i-- > 0;)
    {
      OpenElement *element = &g_array_index (r->stack, OpenElement, i);

      if (strcmp (element->name, tag->name) != 0)
        continue;
      if (strcmp (element->name, "a") == 0)
        close_link (r, element);
      r->style = element->saved;
      g_array_set_size (r->stack, i);
      return;
    }
}

static gboolean
style_is_plain (const Style *s)
{
  return !s->bold && !s->italic && !s->underline && !s->strike
         && s->font == NULL && !s->has_color;
}

/* The first visible character written in a non-default style fixes the
 * message's format: MSN styles a whole message, not runs of it. */
static void
capture_style (HtmlReader *r)
{
  const Style *s = &r->style;

  if (r->captured || style_is_plain (s))
    return;
  r->captured = TRUE;
  r->format->bold = s->bold;
  r->format->italic = s->italic;
  r->format->underline = s->underline;
  r->format->strike = s->strike;
  r->format->font = g_strdup (s->font);
  r->format->color = s->color;
  r->format->has_color = s->has_color;
}

/* The end of the markup starting at @p ('<'), just past its '>', or NULL
 * when it never ends (the '<' is then text).  A '>' inside a quoted
 * attribute value does not end a tag; comments end at "-->". */
static const char *
markup_end (const char *p, const char *end)
{
  char quote = 0;
  gboolean after_eq = FALSE;

  if (end - p > MAX_MARKUP)
    end = p + MAX_MARKUP;
  if (end - p >= 4 && strncmp (p, "<!--", 4) == 0)
    {
      const char *close = g_strstr_len (p + 4, end - p - 4, "-->");

      return close != NULL ? close + 3 : NULL;
    }
  for (const char *q = p + 1; q < end; q++)
    {
      if (quote != 0)
        {
          if (*q == quote)
            quote = 0;
        }
      else if (*q == '>')
        return q + 1;
      else if (after_eq && (*q == '"' || *q == '\''))
        quote = *q;
      if (*q == '=')
        after_eq = TRUE;
      else if (!is_space (*q))
        after_eq = FALSE;
    }
  return NULL;
}

/* Handles the tag in [p, tag_end); other markup (comments, <!DOCTYPE>,
 * <?…?>) is dropped. */
static void
handle_markup (HtmlReader *r, const char *p, const char *tag_end)
{
  gboolean closing = p[1] == '/';
  const char *name = p + (closing ? 2 : 1);
  const char *name_end = name;
  Tag tag = { { 0 } };

  while (name_end < tag_end && g_ascii_isalnum (*name_end))
    name_end++;
  if (name_end == name || (gsize) (name_end - name) >= sizeof tag.name)
    return;
  for (gsize i = 0; name + i < name_end; i++)
    tag.name[i] = g_ascii_tolower (name[i]);
  tag.attrs = name_end;
  tag.attrs_end = tag_end - 1;
  if (closing)
    handle_end_tag (r, &tag);
  else
    handle_start_tag (r, &tag);
}

/* Appends one character of text (or a raw line break, as "\r\n": the
 * official client leaves lone CRs and LFs undefined). */
static const char *
handle_text (HtmlReader *r, const char *p, const char *end)
{
  if (*p == '\r' || *p == '\n')
    {
      g_string_append (r->out, "\r\n");
      return *p == '\r' && p + 1 < end && p[1] == '\n' ? p + 2 : p + 1;
    }
  gsize used = *p == '&' ? decode_entity (p, end, r->out) : 0;

  if (used == 0)
    {
      g_string_append_c (r->out, *p);
      used = 1;
    }
  /* Every entity decodes to one character: it was the last one added. */
  if (!is_space (r->out->str[r->out->len - 1]))
    capture_style (r);
  return p + used;
}

static gboolean
starts_markup (const char *p, const char *end)
{
  return p + 1 < end
         && (g_ascii_isalpha (p[1]) || p[1] == '!' || p[1] == '?'
             || (p[1] == '/' && p + 2 < end && g_ascii_isalpha (p[2])));
}

char *
msnp_im_from_html (const char *html, MsnpImFormat *format)
{
  g_autofree char *valid = g_utf8_make_valid (html != NULL ? html : "", -1);
  const char *p = valid, *end = valid + strlen (valid);
  MsnpImFormat unused = { 0 };
  HtmlReader r = {
    .out = g_string_sized_new ((gsize) (end - p)),
    .stack = g_array_new (FALSE, TRUE, sizeof (OpenElement)),
    .strings = g_ptr_array_new_with_free_func (g_free),
    .format = format != NULL ? format : &unused,
  };

  memset (r.format, 0, sizeof *r.format);
  while (p < end)
    {
      const char *tag_end = *p == '<' && starts_markup (p, end)
                            ? markup_end (p, end) : NULL;

      if (tag_end != NULL)
        {
          handle_markup (&r, p, tag_end);
          p = tag_end;
        }
      else
        p = handle_text (&r, p, end);
    }
  g_array_unref (r.stack);
  g_ptr_array_unref (r.strings);
  msnp_im_format_clear (&unused);
  return g_string_free (r.out, FALSE);
}
