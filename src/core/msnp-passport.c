/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Passport 1.4 "TWN" login: request building and reply parsing, no I/O.
 *
 * Passport headers are comma-separated key=value lists behind a
 * "Passport1.4 " scheme word.  Servers (and revival servers more so)
 * vary in header case, spacing, quoting and URL schemes, so everything
 * here matches by name, trims, and unquotes. */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-error.h"
#include "msnp-passport.h"

/* Replies are a status line and headers; nothing legitimate comes close. */
#define MAX_REPLY_LEN (256 * 1024)

/* MSNP8 clients always named Messenger's site as the originating URL. */
#define ORG_URL "http%3A%2F%2Fmessenger%2Emsn%2Ecom"

typedef struct {
  char   *copy;      /* NUL-terminated copy of the header part */
  guint   status;    /* 0 when the status line is missing or broken */
  GPtrArray *names;  /* borrowed from copy */
  GPtrArray *values;
} HttpReply;

static void
http_reply_clear (HttpReply *reply)
{
  g_free (reply->copy);
  if (reply->names != NULL)
    g_ptr_array_unref (reply->names);
  if (reply->values != NULL)
    g_ptr_array_unref (reply->values);
}

static guint
parse_status_line (const char *line)
{
  const char *p;
  guint64 code;

  if (g_ascii_strncasecmp (line, "HTTP/", 5) != 0)
    return 0;
  p = strchr (line, ' ');
  if (p == NULL)
    return 0;
  while (*p == ' ')
    p++;
  if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1])
      || !g_ascii_isdigit (p[2]) || g_ascii_isdigit (p[3]))
    return 0;
  code = (guint64) ((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
  return (guint) code;
}

/* Splits a reply into a status code and (name, value) pairs.  Stops at the
 * first blank line: a body, if any, is not ours to read.  Folded
 * continuation lines are ignored. */
static gboolean
http_reply_parse (HttpReply *reply, const char *response, gsize len)
{
  char *p, *end;
  gboolean first = TRUE;

  memset (reply, 0, sizeof *reply);
  if (response == NULL || len > MAX_REPLY_LEN)
    return FALSE;
  reply->copy = g_strndup (response, len);  /* stops at a NUL, fine */
  reply->names = g_ptr_array_new ();
  reply->values = g_ptr_array_new ();
  p = reply->copy;
  end = p + strlen (p);

  while (p < end)
    {
      char *nl = strchr (p, '\n');
      char *line_end = nl ? nl : end;
      char *colon;

      *line_end = '\0';
      if (line_end > p && line_end[-1] == '\r')
        line_end[-1] = '\0';
      if (*p == '\0')
        break;
      if (first && (reply->status = parse_status_line (p)) != 0)
        first = FALSE;
      else if (*p != ' ' && *p != '\t' && (colon = strchr (p, ':')) != NULL)
        {
          *colon = '\0';
          g_ptr_array_add (reply->names, g_strstrip (p));
          g_ptr_array_add (reply->values, g_strstrip (colon + 1));
        }
      first = FALSE;
      p = nl ? nl + 1 : end;
    }
  return TRUE;
}

static const char *
http_reply_header (const HttpReply *reply, const char *name)
{
  for (guint i = 0; i < reply->names->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (reply->names, i), name) == 0)
      return g_ptr_array_index (reply->values, i);
  return NULL;
}

/* Finds @key in a "Passport1.4 k=v,k='v',k=\"v\"" list and returns its
 * value, unquoted, newly allocated.  A quoted value may contain commas. */
static char *
passport_field (const char *list, const char *key)
{
  gsize key_len = strlen (key);
  const char *p = list;

  if (list == NULL)
    return NULL;
  /* Skip the scheme word ("Passport1.4") when there is one. */
  while (*p == ' ' || *p == '\t')
    p++;
  if (g_ascii_strncasecmp (p, "Passport", 8) == 0)
    {
      gsize word = strcspn (p, " \t=,");

      if (p[word] == ' ' || p[word] == '\t')
        p += word;
    }

  while (*p != '\0')
    {
      const char *name, *name_end, *v, *v_end;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      if (*p == '\0')
        break;
      name = p;
      while (*p != '\0' && *p != '=' && *p != ',')
        p++;
      name_end = p;
      while (name_end > name && (name_end[-1] == ' ' || name_end[-1] == '\t'))
        name_end--;
      if (*p != '=')
        continue;  /* a bare word: no value */
      p++;
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\'' || *p == '"')
        {
          char quote = *p++;

          v = p;
          while (*p != '\0' && *p != quote)
            p++;
          v_end = p;
          if (*p == quote)
            p++;
          while (*p != '\0' && *p != ',')
            p++;
        }
      else
        {
          v = p;
          while (*p != '\0' && *p != ',')
            p++;
          v_end = p;
          while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
            v_end--;
        }
      if ((gsize) (name_end - name) == key_len
          && g_ascii_strncasecmp (name, key, key_len) == 0)
        return g_strndup (v, (gsize) (v_end - v));
    }
  return NULL;
}

/* TRUE when @s is non-empty and has no spaces or control bytes, so it can
 * go into a request line or an MSNP command unchanged. */
static gboolean
is_token (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (const guchar *p = (const guchar *) s; *p != '\0'; p++)
    if (*p <= 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

static gboolean
has_scheme (const char *url, const char *scheme)
{
  gsize n = strlen (scheme);

  return g_ascii_strncasecmp (url, scheme, n) == 0
         && strncmp (url + n, "://", 3) == 0;
}

/* An absolute URL for @target: a bare host[/path] gets "https://". */
static char *
absolute_url (const char *target)
{
  if (has_scheme (target, "https") || has_scheme (target, "http"))
    return g_strdup (target);
  while (*target == '/')
    target++;
  return g_strconcat ("https://", target, NULL);
}

/* A 5xx: the service is down or busy, not broken for good. */
static gboolean
server_down (const HttpReply *reply, GError **error)
{
  if (reply->status < 500 || reply->status > 599)
    return FALSE;
  g_set_error (error, MSNP_ERROR, MSNP_ERROR_PASSPORT_DOWN,
               _("The Passport server is not available right now (HTTP %u)."),
               reply->status);
  return TRUE;
}

char *
msnp_passport_parse_nexus (const char *response, gsize len, GError **error)
{
  HttpReply reply;
  g_autofree char *dalogin = NULL;
  const char *urls;
  char *result = NULL;

  if (!http_reply_parse (&reply, response, len))
    {
      g_set_error_literal (error, MSNP_ERROR, MSNP_ERROR_PASSPORT,
                           _("The Passport server sent an unreadable reply."));
      goto out;
    }
  urls = http_reply_header (&reply, "PassportURLs");
  if (urls == NULL && server_down (&reply, error))
    goto out;
  if (urls == NULL)
    {
      g_set_error_literal (error, MSNP_ERROR, MSNP_ERROR_PASSPORT,
                           _("The Passport server did not say where to sign in."));
      goto out;
    }
  /* PassportURLs has no scheme word, but passport_field copes either way. */
  dalogin = passport_field (urls, "DALogin");
  if (dalogin != NULL)
    g_strstrip (dalogin);
  if (!is_token (dalogin))
    {
      g_set_error_literal (error, MSNP_ERROR, MSNP_ERROR_PASSPORT,
                           _("The Passport server did not say where to sign in."));
      goto out;
    }
  result = absolute_url (dalogin);

out:
  http_reply_clear (&reply);
  return result;
}

static void
append_escaped (GString *out, const char *s)
{
  /* Escape everything but unreserved characters: ',' '=' '&' and quotes
   * in a password would otherwise break the header's field list. */
  g_autofree char *escaped = g_uri_escape_string (s ? s : "", NULL, FALSE);

  g_string_append (out, escaped);
}

char *
msnp_passport_build_authorization (const char *challenge,
                                   const char *passport,
                                   const char *password)
{
  GString *out = g_string_new ("Passport1.4 OrgVerb=GET,OrgURL=" ORG_URL);
  const char *c = challenge ? challenge : "";
  gsize c_len;

  g_string_append (out, ",sign-in=");
  append_escaped (out, passport);
  g_string_append (out, ",pwd=");
  append_escaped (out, password);

  /* The challenge fields go on as the NS sent them. */
  while (*c == ' ' || *c == ',')
    c++;
  c_len = strlen (c);
  while (c_len > 0 && (c[c_len - 1] == ' ' || c[c_len - 1] == '\r'
                       || c[c_len - 1] == '\n'))
    c_len--;
  if (c_len > 0)
    {
      g_string_append_c (out, ',');
      g_string_append_len (out, c, (gssize) c_len);
    }
  return g_string_free (out, FALSE);
}

/* The da-status field from whichever Passport header carries it. */
static char *
reply_da_status (const HttpReply *reply)
{
  static const char *const headers[] = {
    "Authentication-Info", "WWW-Authenticate",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      char *s = passport_field (http_reply_header (reply, headers[i]),
                                "da-status");

      if (s != NULL)
        return s;
    }
  return NULL;
}

static MsnpPassportReply
login_error (GError **error, const char *message)
{
  g_set_error_literal (error, MSNP_ERROR, MSNP_ERROR_PASSPORT, message);
  return MSNP_PASSPORT_REPLY_ERROR;
}

MsnpPassportReply
msnp_passport_parse_login (const char *response, gsize len,
                           char **ticket, char **location,
                           GError **error)
{
  HttpReply reply;
  g_autofree char *da_status = NULL;
  g_autofree char *from_pp = NULL;
  const char *loc;
  MsnpPassportReply result;

  if (ticket != NULL)
    *ticket = NULL;
  if (location != NULL)
    *location = NULL;

  if (!http_reply_parse (&reply, response, len) || reply.status == 0)
    {
      result = login_error (error, _("The Passport server sent an unreadable reply."));
      goto out;
    }
  da_status = reply_da_status (&reply);

  if (reply.status == 401
      || (da_status != NULL && g_ascii_strcasecmp (da_status, "failed") == 0))
    {
      result = MSNP_PASSPORT_REPLY_AUTH_FAILED;
      goto out;
    }

  if (reply.status >= 200 && reply.status < 300)
    {
      from_pp = passport_field (http_reply_header (&reply, "Authentication-Info"),
                                "from-PP");
      if (from_pp != NULL)
        g_strstrip (from_pp);
      if (is_token (from_pp) && strlen (from_pp) > MSNP_PASSPORT_MAX_TICKET)
        {
          g_autofree char *msg = g_strdup_printf (
              /* %lu, not G_GSIZE_FORMAT: xgettext cannot expand a macro. */
              _("The Passport server sent a sign-in ticket of %lu bytes; at "
                "most %d are accepted."),
              (gulong) strlen (from_pp), MSNP_PASSPORT_MAX_TICKET);

          /* The ticket is secret even when oversized. */
          memset (from_pp, 0, strlen (from_pp));
          result = login_error (error, msg);
          goto out;
        }
      if (is_token (from_pp))
        {
          if (ticket != NULL)
            *ticket = g_steal_pointer (&from_pp);
          result = MSNP_PASSPORT_REPLY_TICKET;
          goto out;
        }
    }

  if ((reply.status >= 300 && reply.status < 400)
      || (da_status != NULL && g_ascii_strcasecmp (da_status, "redir") == 0))
    {
      loc = http_reply_header (&reply, "Location");
      if (!is_token (loc))
        {
          result = login_error (error, _("The Passport server redirected the sign-in without saying where to."));
          goto out;
        }
      if (location != NULL)
        *location = absolute_url (loc);
      result = MSNP_PASSPORT_REPLY_REDIRECT;
      goto out;
    }

  if (reply.status >= 200 && reply.status < 300)
    result = login_error (error, _("The Passport server did not send a sign-in ticket."));
  else if (server_down (&reply, error))
    result = MSNP_PASSPORT_REPLY_ERROR;
  else
    result = login_error (error, _("The Passport server could not sign you in."));

out:
  http_reply_clear (&reply);
  return result;
}

char *
msnp_passport_nexus_url (const char *setting, GError **error)
{
  g_autofree char *url = NULL;
  gboolean https = FALSE;

  if (setting == NULL || *setting == '\0')
    {
      g_set_error_literal (error, MSNP_ERROR, MSNP_ERROR_SETTINGS,
                           _("The \"Passport nexus URL\" setting is empty."));
      return NULL;
    }
  url = strstr (setting, "://") != NULL ? g_strdup (setting)
                                         : absolute_url (setting);
  if (!msnp_passport_split_url (url, &https, NULL, NULL, NULL))
    {
      g_set_error (error, MSNP_ERROR, MSNP_ERROR_SETTINGS,
                   _("The \"Passport nexus URL\" setting (%s) is not a web "
                     "address."), setting);
      return NULL;
    }
  if (!https)
    {
      g_set_error (error, MSNP_ERROR, MSNP_ERROR_SETTINGS,
                   _("The \"Passport nexus URL\" setting (%s) must start "
                     "with https://: signing in sends your password there."),
                   setting);
      return NULL;
    }
  return g_steal_pointer (&url);
}

gboolean
msnp_passport_split_url (const char *url, gboolean *is_https,
                         char **host, guint *port, char **path)
{
  gboolean https;
  const char *p, *host_start, *host_end, *path_start;
  guint64 port_num;

  if (url == NULL)
    return FALSE;
  if (has_scheme (url, "https"))
    {
      https = TRUE;
      p = url + strlen ("https://");
    }
  else if (has_scheme (url, "http"))
    {
      https = FALSE;
      p = url + strlen ("http://");
    }
  else
    return FALSE;

  host_start = p;
  if (*p == '[')
    {
      /* An IPv6 literal: the brackets are not part of the host. */
      const char *close = strchr (p, ']');

      if (close == NULL)
        return FALSE;
      host_start = p + 1;
      host_end = close;
      p = close + 1;
    }
  else
    {
      while (*p != '\0' && *p != ':' && *p != '/' && *p != '?' && *p != '#')
        p++;
      host_end = p;
    }
  if (host_end == host_start)
    return FALSE;
  for (const char *h = host_start; h < host_end; h++)
    if ((guchar) *h <= 0x20 || *h == '@')
      return FALSE;

  port_num = https ? 443 : 80;
  if (*p == ':')
    {
      const char *digits = ++p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p == digits || p - digits > 5)
        return FALSE;
      port_num = g_ascii_strtoull (digits, NULL, 10);
      if (port_num == 0 || port_num > 65535)
        return FALSE;
    }
  if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
    return FALSE;
  path_start = p;

  if (is_https != NULL)
    *is_https = https;
  if (host != NULL)
    *host = g_strndup (host_start, (gsize) (host_end - host_start));
  if (port != NULL)
    *port = (guint) port_num;
  if (path != NULL)
    {
      if (*path_start == '/')
        *path = g_strdup (path_start);
      else
        *path = g_strconcat ("/", path_start, NULL);
    }
  return TRUE;
}
