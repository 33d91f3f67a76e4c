/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The MSN HTTP gateway ("HTTP method"), sans-IO: one gateway session's
 * requests and the parsing of the gateway's responses.
 *
 * Public descriptions: hypothetic.org's MSN protocol documentation,
 * "General - HTTP Connections" and "HTTP Examples"
 * (http://hypothetic.org/docs/msn/general/http_connections.php), and the
 * NINA wiki's "Protocols/MSNP/Gateway" page.  In short: every command the
 * client would write to the NS or an SB travels as the body of
 *   POST http://<gateway>/gateway/gateway.dll?Action=open&Server=NS|SB&IP=<target>
 * for the first request of a session, then
 *   POST http://<GW-IP>/gateway/gateway.dll?SessionID=<id>
 * and, with an empty body while the client has nothing to send,
 *   POST http://<GW-IP>/gateway/gateway.dll?Action=poll&SessionID=<id>
 * Every response carries "X-MSN-Messenger: SessionID=<id>; GW-IP=<ip>"
 * (with "Session=close" once the server ended the session), which drives
 * the next request, and a body holding exactly the server's bytes.  One
 * request may be outstanding per session at a time (a second one is
 * answered 400).  The request line uses the absolute URI, as the official
 * client did, so that an HTTP proxy can forward it as it is.
 *
 * Threads and ownership: sans-IO and loop-free; a parser or session is used
 * from one thread at a time (the io layer's: libpurple's main loop).  const
 * results point into the parser or session and live until its next feed,
 * reset or free; GByteArray and char * results are the caller's.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Caps: a gateway response's header block and body.  A body holds what the
 * server queued since the last request: a sign-in's contact list of
 * hundreds of LST lines is tens of KiB, so 1 MiB leaves ample room and
 * still bounds memory. */
#define MSNP_GW_MAX_HEADERS (16 * 1024)
#define MSNP_GW_MAX_BODY    (1024 * 1024)

/* The port the MSNP servers listen on; an IP= target on it carries no port
 * (as the real gateway expects), any other port is appended as :port. */
#define MSNP_GW_MSNP_PORT 1863

typedef enum {
  MSNP_GW_PARSE_MORE,   /* feed more bytes (or the end of the stream) */
  MSNP_GW_PARSE_DONE,   /* a whole response is in */
  MSNP_GW_PARSE_ERROR,  /* not an HTTP response we can use */
} MsnpGwParseResult;

typedef struct {
  guint       status;          /* e.g. 200 */
  gboolean    keep_alive;      /* the connection may carry the next request */
  char       *session_id;      /* from X-MSN-Messenger, or NULL */
  char       *gw_ip;           /* from X-MSN-Messenger, or NULL */
  gboolean    session_close;   /* X-MSN-Messenger said Session=close */
  GByteArray *body;
} MsnpGwResponse;

typedef struct _MsnpGwParser MsnpGwParser;

MsnpGwParser *msnp_gw_parser_new   (void);
void          msnp_gw_parser_free  (MsnpGwParser *parser);
/* Forgets the response so far (for the next request). */
void          msnp_gw_parser_reset (MsnpGwParser *parser);

/* Feeds bytes of the response.  *@consumed is how many were used: bytes
 * after a complete response (a server that pipelines, or garbage) are not
 * part of it.  After DONE or ERROR, reset before feeding again. */
MsnpGwParseResult msnp_gw_parser_feed (MsnpGwParser *parser, const guint8 *data,
                                       gsize len, gsize *consumed);
/* The connection ended: a response without Content-Length ends here;
 * anything else unfinished is an error (a dropped response). */
MsnpGwParseResult msnp_gw_parser_eof (MsnpGwParser *parser);
/* TRUE once any byte of a response has arrived. */
gboolean msnp_gw_parser_started (const MsnpGwParser *parser);
/* Valid after DONE. */
const MsnpGwResponse *msnp_gw_parser_response (const MsnpGwParser *parser);
/* Why the last ERROR happened, in English for the debug log. */
const char *msnp_gw_parser_error (const MsnpGwParser *parser);

/* Parses an X-MSN-Messenger value ("SessionID=…; GW-IP=…; Session=close"),
 * tolerating spacing, case of the names and unknown fields.  Values that
 * could not safely go into a URL or a Host header are ignored. */
void msnp_gw_parse_messenger_header (const char *value, char **session_id,
                                     char **gw_ip, gboolean *session_close);

/* ---- one gateway session ---------------------------------------------- */

typedef struct _MsnpGwSession MsnpGwSession;

/* @gateway is "host" or "host:port" (port 80 if none), @path e.g.
 * "/gateway/gateway.dll", @server "NS" or "SB", @target/@target_port the
 * MSNP server the session reaches. */
MsnpGwSession *msnp_gw_session_new  (const char *gateway, const char *path,
                                     const char *server, const char *target,
                                     guint target_port);
void           msnp_gw_session_free (MsnpGwSession *session);

/* FALSE when the gateway setting is not a usable host[:port] or the path
 * does not start with '/'. */
gboolean msnp_gw_session_valid (const MsnpGwSession *session);

/* Where the next request goes: the configured gateway until a response
 * named a GW-IP, then that address (on the configured port). */
const char *msnp_gw_session_host (const MsnpGwSession *session);
guint       msnp_gw_session_port (const MsnpGwSession *session);

/* TRUE once the open request was answered with a session id. */
gboolean msnp_gw_session_is_open (const MsnpGwSession *session);

/* The next request: open (first), a command (@len > 0) or a poll (@len 0).
 * @extra_headers holds "Name: value\r\n" lines or is NULL. */
GByteArray *msnp_gw_session_request (const MsnpGwSession *session,
                                     const guint8 *body, gsize len,
                                     const char *extra_headers);

typedef enum {
  MSNP_GW_REPLY_OK,      /* deliver the body, carry on */
  MSNP_GW_REPLY_CLOSED,  /* deliver the body, then the session is over */
  MSNP_GW_REPLY_FAILED,  /* an HTTP error, or no session: the session is over */
} MsnpGwReply;

/* Takes in a response to this session's request: adopts its session id
 * and GW-IP.  On FAILED, *@status_out holds the HTTP status (0 when the
 * response lacked a session id). */
MsnpGwReply msnp_gw_session_reply (MsnpGwSession *session,
                                   const MsnpGwResponse *response,
                                   guint *status_out);

G_END_DECLS
