/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MSN HTTP gateway, sans-IO (see msnp-gateway.h for the protocol and
 * where it is described). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-gateway.h"

/* ---- response parser -------------------------------------------------- */

typedef enum {
  STATE_HEADERS,
  STATE_BODY,      /* Content-Length bytes */
  STATE_BODY_EOF,  /* no Content-Length: the body ends with the connection */
  STATE_DONE,
  STATE_ERROR,
} State;

struct _MsnpGwParser {
  State          state;
  GByteArray    *head;       /* the status line and headers so far */
  gsize          remaining;  /* body bytes still due (STATE_BODY) */
  const char    *why;
  MsnpGwResponse response;
};

MsnpGwParser *
msnp_gw_parser_new (void)
{
  MsnpGwParser *p = g_new0 (MsnpGwParser, 1);

  p->head = g_byte_array_new ();
  p->response.body = g_byte_array_new ();
  return p;
}

void
msnp_gw_parser_reset (MsnpGwParser *p)
{
  p->state = STATE_HEADERS;
  g_byte_array_set_size (p->head, 0);
  g_byte_array_set_size (p->response.body, 0);
  p->remaining = 0;
  p->why = NULL;
  g_clear_pointer (&p->response.session_id, g_free);
  g_clear_pointer (&p->response.gw_ip, g_free);
  p->response.status = 0;
  p->response.keep_alive = FALSE;
  p->response.session_close = FALSE;
}

void
msnp_gw_parser_free (MsnpGwParser *p)
{
  if (p == NULL)
    return;
  msnp_gw_parser_reset (p);
  g_byte_array_unref (p->head);
  g_byte_array_unref (p->response.body);
  g_free (p);
}

gboolean
msnp_gw_parser_started (const MsnpGwParser *p)
{
  return p->head->len > 0;
}

const MsnpGwResponse *
msnp_gw_parser_response (const MsnpGwParser *p)
{
  return &p->response;
}

const char *
msnp_gw_parser_error (const MsnpGwParser *p)
{
  return p->why != NULL ? p->why : "no error";
}

static MsnpGwParseResult
parse_error (MsnpGwParser *p, const char *why)
{
  p->state = STATE_ERROR;
  p->why = why;
  return MSNP_GW_PARSE_ERROR;
}

/* Characters a session id or GW-IP may hold: they go verbatim into a
 * request line and a Host header, so nothing that could end or split
 * either (spaces, CR, LF, '&', '?', '/', '#', '%'). */
static gboolean
safe_token (const char *s)
{
  if (s == NULL || *s == '\0' || strlen (s) > 256)
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isalnum (*s) && strchr (".-_:[]", *s) == NULL)
      return FALSE;
  return TRUE;
}

void
msnp_gw_parse_messenger_header (const char *value, char **session_id,
                                char **gw_ip, gboolean *session_close)
{
  g_auto (GStrv) fields = g_strsplit (value, ";", 16);

  for (guint i = 0; fields[i] != NULL; i++) {
    char *eq = strchr (fields[i], '=');
    const char *name, *val;

    if (eq == NULL)
      continue;
    *eq = '\0';
    name = g_strstrip (fields[i]);
    val = g_strstrip (eq + 1);
    if (g_ascii_strcasecmp (name, "SessionID") == 0 && safe_token (val)) {
      g_free (*session_id);
      *session_id = g_strdup (val);
    } else if (g_ascii_strcasecmp (name, "GW-IP") == 0 && safe_token (val)) {
      g_free (*gw_ip);
      *gw_ip = g_strdup (val);
    } else if (g_ascii_strcasecmp (name, "Session") == 0
               && g_ascii_strcasecmp (val, "close") == 0) {
      *session_close = TRUE;
    }
  }
}

/* A Content-Length value: digits only, within the cap. */
static gboolean
parse_length (const char *value, gsize *out)
{
  guint64 n;
  char *end;

  if (!g_ascii_isdigit (*value))
    return FALSE;
  n = g_ascii_strtoull (value, &end, 10);
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end != '\0' || n > MSNP_GW_MAX_BODY)
    return FALSE;
  *out = (gsize) n;
  return TRUE;
}

static gboolean
token_in (const char *value, const char *token)
{
  g_auto (GStrv) parts = g_strsplit (value, ",", 8);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (parts[i]), token) == 0)
      return TRUE;
  return FALSE;
}

/* The head is complete (NUL-terminated, without the blank line). */
static MsnpGwParseResult
parse_head (MsnpGwParser *p)
{
  g_auto (GStrv) lines = NULL;
  gboolean http11, has_length = FALSE;
  gboolean conn_close = FALSE, conn_keep = FALSE;
  gsize length = 0;
  const char *line;
  char *end;
  guint64 status;

  if (memchr (p->head->data, '\0', p->head->len - 1) != NULL)
    return parse_error (p, "NUL in the response head");
  lines = g_strsplit ((const char *) p->head->data, "\n", 256);
  line = g_strchomp (lines[0]);
  if (g_str_has_prefix (line, "HTTP/1.1 "))
    http11 = TRUE;
  else if (g_str_has_prefix (line, "HTTP/1.0 "))
    http11 = FALSE;
  else
    return parse_error (p, "not an HTTP/1.x status line");
  line += strlen ("HTTP/1.x ");
  if (!g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1])
      || !g_ascii_isdigit (line[2]) || g_ascii_isdigit (line[3]))
    return parse_error (p, "no three-digit status code");
  status = g_ascii_strtoull (line, &end, 10);
  p->response.status = (guint) status;

  for (guint i = 1; lines[i] != NULL; i++) {
    char *colon = strchr (lines[i], ':');
    const char *name, *value;

    if (colon == NULL)
      continue;   /* tolerated: a stray line says nothing we need */
    *colon = '\0';
    name = g_strstrip (lines[i]);
    value = g_strstrip (colon + 1);
    if (g_ascii_strcasecmp (name, "Content-Length") == 0) {
      gsize n;
      if (!parse_length (value, &n) || (has_length && n != length))
        return parse_error (p, "bad or conflicting Content-Length");
      has_length = TRUE;
      length = n;
    } else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0) {
      if (!token_in (value, "identity"))
        return parse_error (p, "unsupported Transfer-Encoding");
    } else if (g_ascii_strcasecmp (name, "Connection") == 0
               || g_ascii_strcasecmp (name, "Proxy-Connection") == 0) {
      conn_close |= token_in (value, "close");
      conn_keep |= token_in (value, "keep-alive");
    } else if (g_ascii_strcasecmp (name, "X-MSN-Messenger") == 0) {
      msnp_gw_parse_messenger_header (value, &p->response.session_id,
                                      &p->response.gw_ip,
                                      &p->response.session_close);
    }
  }
  /* 1xx, 204 and 304 never carry a body (RFC 7230, 3.3.3). */
  if ((status >= 100 && status < 200) || status == 204 || status == 304) {
    has_length = TRUE;
    length = 0;
  }
  p->response.keep_alive = has_length && !conn_close && (http11 || conn_keep);
  if (!has_length) {
    p->state = STATE_BODY_EOF;
    return MSNP_GW_PARSE_MORE;
  }
  p->remaining = length;
  p->state = STATE_BODY;
  if (length == 0) {
    p->state = STATE_DONE;
    return MSNP_GW_PARSE_DONE;
  }
  return MSNP_GW_PARSE_MORE;
}

/* Looks for the blank line ending the head in what has been gathered,
 * tolerating bare LF line ends.  Returns the offset just past it, or 0. */
static gsize
head_end (const GByteArray *head)
{
  for (gsize i = 1; i < head->len; i++) {
    if (head->data[i] != '\n')
      continue;
    if (head->data[i - 1] == '\n')
      return i + 1;
    if (i >= 2 && head->data[i - 1] == '\r' && head->data[i - 2] == '\n')
      return i + 1;
  }
  return 0;
}

MsnpGwParseResult
msnp_gw_parser_feed (MsnpGwParser *p, const guint8 *data, gsize len,
                     gsize *consumed)
{
  gsize used = 0;

  *consumed = 0;
  if (p->state == STATE_DONE)
    return MSNP_GW_PARSE_DONE;
  if (p->state == STATE_ERROR)
    return MSNP_GW_PARSE_ERROR;

  while (p->state == STATE_HEADERS && used < len) {
    gsize before = p->head->len, end;
    /* Byte by byte would be slow; take up to the cap and give back what
     * follows the head. */
    gsize take = MIN (len - used, MSNP_GW_MAX_HEADERS + 1 - before);

    g_byte_array_append (p->head, data + used, (guint) take);
    end = head_end (p->head);
    if (end == 0) {
      used += take;
      *consumed = used;
      if (p->head->len > MSNP_GW_MAX_HEADERS)
        return parse_error (p, "response head too large");
      return MSNP_GW_PARSE_MORE;
    }
    used += end - before;
    g_byte_array_set_size (p->head, (guint) end);
    p->head->data[end - 1] = '\0';   /* drops the final LF */
    *consumed = used;
    if (parse_head (p) != MSNP_GW_PARSE_MORE)
      return p->state == STATE_DONE ? MSNP_GW_PARSE_DONE : MSNP_GW_PARSE_ERROR;
  }

  if (p->state == STATE_BODY) {
    gsize take = MIN (len - used, p->remaining);

    g_byte_array_append (p->response.body, data + used, (guint) take);
    used += take;
    p->remaining -= take;
    *consumed = used;
    if (p->remaining == 0) {
      p->state = STATE_DONE;
      return MSNP_GW_PARSE_DONE;
    }
  } else if (p->state == STATE_BODY_EOF) {
    if (p->response.body->len + (len - used) > MSNP_GW_MAX_BODY)
      return parse_error (p, "response body too large");
    g_byte_array_append (p->response.body, data + used, (guint) (len - used));
    used = len;
    *consumed = used;
  }
  return MSNP_GW_PARSE_MORE;
}

MsnpGwParseResult
msnp_gw_parser_eof (MsnpGwParser *p)
{
  switch (p->state) {
  case STATE_DONE:
    return MSNP_GW_PARSE_DONE;
  case STATE_BODY_EOF:
    p->state = STATE_DONE;
    return MSNP_GW_PARSE_DONE;
  case STATE_HEADERS:
    return parse_error (p, p->head->len == 0 ? "no response"
                                              : "response head cut short");
  case STATE_BODY:
    return parse_error (p, "response body cut short");
  case STATE_ERROR:
  default:
    return MSNP_GW_PARSE_ERROR;
  }
}

/* ---- session ---------------------------------------------------------- */

struct _MsnpGwSession {
  char    *gw_host;     /* configured gateway host */
  guint    gw_port;
  char    *path;
  char    *server;      /* "NS" or "SB" */
  char    *target;      /* IP= value */
  char    *session_id;
  char    *gw_ip;
  gboolean valid;
};

/* "host" or "host:port"; a bare IPv6 address is not supported (it would
 * need brackets in the URL), nor is anything but a host name or address. */
static gboolean
split_gateway (const char *gateway, char **host, guint *port)
{
  const char *colon;
  g_autofree char *name = NULL;
  guint64 n = 80;

  if (gateway == NULL)
    return FALSE;
  colon = strchr (gateway, ':');
  name = colon ? g_strndup (gateway, (gsize) (colon - gateway))
               : g_strdup (gateway);
  if (colon != NULL) {
    char *end;
    if (!g_ascii_isdigit (colon[1]))
      return FALSE;
    n = g_ascii_strtoull (colon + 1, &end, 10);
    if (*end != '\0' || n == 0 || n > 65535)
      return FALSE;
  }
  if (!safe_token (name) || strchr (name, ':') != NULL)
    return FALSE;
  *host = g_steal_pointer (&name);
  *port = (guint) n;
  return TRUE;
}

static gboolean
safe_path (const char *path)
{
  if (path == NULL || path[0] != '/' || strlen (path) > 512)
    return FALSE;
  for (const char *s = path; *s != '\0'; s++)
    if ((guchar) *s <= ' ' || (guchar) *s >= 0x7f || strchr ("?#%", *s) != NULL)
      return FALSE;
  return TRUE;
}

MsnpGwSession *
msnp_gw_session_new (const char *gateway, const char *path, const char *server,
                     const char *target, guint target_port)
{
  MsnpGwSession *s = g_new0 (MsnpGwSession, 1);

  s->valid = split_gateway (gateway, &s->gw_host, &s->gw_port)
             && safe_path (path) && safe_token (target);
  s->path = g_strdup (path);
  s->server = g_strdup (server);
  s->target = target_port == MSNP_GW_MSNP_PORT
      ? g_strdup (target) : g_strdup_printf ("%s:%u", target, target_port);
  return s;
}

void
msnp_gw_session_free (MsnpGwSession *s)
{
  if (s == NULL)
    return;
  g_free (s->gw_host);
  g_free (s->path);
  g_free (s->server);
  g_free (s->target);
  g_free (s->session_id);
  g_free (s->gw_ip);
  g_free (s);
}

gboolean
msnp_gw_session_valid (const MsnpGwSession *s)
{
  return s->valid;
}

const char *
msnp_gw_session_host (const MsnpGwSession *s)
{
  return s->gw_ip != NULL ? s->gw_ip : s->gw_host;
}

guint
msnp_gw_session_port (const MsnpGwSession *s)
{
  return s->gw_port;
}

gboolean
msnp_gw_session_is_open (const MsnpGwSession *s)
{
  return s->session_id != NULL;
}

GByteArray *
msnp_gw_session_request (const MsnpGwSession *s, const guint8 *body, gsize len,
                         const char *extra_headers)
{
  g_autoptr (GString) req = g_string_new (NULL);
  g_autofree char *authority = NULL;
  GByteArray *out;

  authority = s->gw_port == 80
      ? g_strdup (msnp_gw_session_host (s))
      : g_strdup_printf ("%s:%u", msnp_gw_session_host (s), s->gw_port);
  g_string_append_printf (req, "POST http://%s%s?", authority, s->path);
  if (s->session_id == NULL)
    g_string_append_printf (req, "Action=open&Server=%s&IP=%s", s->server,
                            s->target);
  else if (len == 0)
    g_string_append_printf (req, "Action=poll&SessionID=%s", s->session_id);
  else
    g_string_append_printf (req, "SessionID=%s", s->session_id);
  g_string_append_printf (req,
                          " HTTP/1.1\r\n"
                          "Accept: */*\r\n"
                          "User-Agent: MSMSGS\r\n"
                          "Host: %s\r\n"
                          "Proxy-Connection: Keep-Alive\r\n"
                          "Connection: Keep-Alive\r\n"
                          "Pragma: no-cache\r\n"
                          "Content-Type: application/x-msn-messenger\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "%s\r\n",
                          authority, len, extra_headers ? extra_headers : "");
  out = g_byte_array_sized_new ((guint) (req->len + len));
  g_byte_array_append (out, (const guint8 *) req->str, (guint) req->len);
  if (len > 0)
    g_byte_array_append (out, body, (guint) len);
  return out;
}

MsnpGwReply
msnp_gw_session_reply (MsnpGwSession *s, const MsnpGwResponse *r,
                       guint *status_out)
{
  *status_out = r->status;
  if (r->status != 200)
    return MSNP_GW_REPLY_FAILED;
  if (r->session_id != NULL) {
    g_free (s->session_id);
    s->session_id = g_strdup (r->session_id);
  }
  if (r->gw_ip != NULL) {
    g_free (s->gw_ip);
    s->gw_ip = g_strdup (r->gw_ip);
  }
  if (r->session_close)
    return MSNP_GW_REPLY_CLOSED;
  /* Without a session id there is no next request to make. */
  if (s->session_id == NULL) {
    *status_out = 0;
    return MSNP_GW_REPLY_FAILED;
  }
  return MSNP_GW_REPLY_OK;
}
