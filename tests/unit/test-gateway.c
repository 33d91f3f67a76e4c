/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The HTTP gateway core: requests as hypothetic.org's examples show them,
 * responses however they are split, the X-MSN-Messenger header, faults. */
#include "config.h"

#include <string.h>

#include "msnp-gateway.h"

/* The first NS response of hypothetic.org's "HTTP Examples" page, with the
 * headers a proxy added on the way. */
static const char open_reply[] =
  "HTTP/1.0 200 OK\r\n"
  "Server: Microsoft-IIS/5.0\r\n"
  "X-MSN-Messenger: SessionID=954547325.13160; GW-IP=207.46.110.18\r\n"
  "Content-Length: 18\r\n"
  "Content-Type: application/x-msn-messenger\r\n"
  "Proxy-Connection: keep-alive\r\n"
  "\r\n"
  "VER 5 MSNP8 CVR0\r\n";

static MsnpGwParseResult
feed_all (MsnpGwParser *p, const char *data, gsize len, gsize step)
{
  MsnpGwParseResult r = MSNP_GW_PARSE_MORE;
  gsize off = 0;

  while (off < len && r == MSNP_GW_PARSE_MORE) {
    gsize n = MIN (step, len - off), used;
    r = msnp_gw_parser_feed (p, (const guint8 *) data + off, n, &used);
    g_assert_cmpuint (used, <=, n);
    off += used;
    if (r == MSNP_GW_PARSE_MORE)
      g_assert_cmpuint (used, ==, n);
  }
  return r;
}

static void
test_open_reply_any_split (void)
{
  for (gsize step = 1; step <= sizeof open_reply; step++) {
    MsnpGwParser *p = msnp_gw_parser_new ();
    const MsnpGwResponse *r;

    g_assert_cmpint (feed_all (p, open_reply, strlen (open_reply), step), ==,
                     MSNP_GW_PARSE_DONE);
    r = msnp_gw_parser_response (p);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (r->session_id, ==, "954547325.13160");
    g_assert_cmpstr (r->gw_ip, ==, "207.46.110.18");
    g_assert_false (r->session_close);
    /* HTTP/1.0 with Proxy-Connection: keep-alive and a length. */
    g_assert_true (r->keep_alive);
    g_assert_cmpuint (r->body->len, ==, 18);
    g_assert_cmpmem (r->body->data, r->body->len, "VER 5 MSNP8 CVR0\r\n", 18);
    msnp_gw_parser_free (p);
  }
}

static void
test_pipelined_bytes_left (void)
{
  g_autofree char *two = g_strconcat (open_reply, "HTTP/1.1 200 OK\r\n", NULL);
  MsnpGwParser *p = msnp_gw_parser_new ();
  gsize used;

  g_assert_cmpint (msnp_gw_parser_feed (p, (const guint8 *) two, strlen (two),
                                        &used), ==, MSNP_GW_PARSE_DONE);
  g_assert_cmpuint (used, ==, strlen (open_reply));
  msnp_gw_parser_reset (p);
  g_assert_false (msnp_gw_parser_started (p));
  g_assert_null (msnp_gw_parser_response (p)->session_id);
  msnp_gw_parser_free (p);
}

static void
test_body_until_eof (void)
{
  const char *reply = "HTTP/1.0 200 OK\n"
                      "x-msn-messenger: sessionid=1.2 ;gw-ip=127.0.0.1;Session=close\n"
                      "\n"
                      "OUT\r\n";
  MsnpGwParser *p = msnp_gw_parser_new ();
  const MsnpGwResponse *r;

  g_assert_cmpint (feed_all (p, reply, strlen (reply), 7), ==,
                   MSNP_GW_PARSE_MORE);
  g_assert_cmpint (msnp_gw_parser_eof (p), ==, MSNP_GW_PARSE_DONE);
  r = msnp_gw_parser_response (p);
  g_assert_false (r->keep_alive);
  g_assert_true (r->session_close);
  g_assert_cmpstr (r->session_id, ==, "1.2");
  g_assert_cmpstr (r->gw_ip, ==, "127.0.0.1");
  g_assert_cmpmem (r->body->data, r->body->len, "OUT\r\n", 5);
  msnp_gw_parser_free (p);
}

static void
test_faults (void)
{
  static const struct { const char *data; gboolean eof; } cases[] = {
    { "", TRUE },                                       /* no response */
    { "HTTP/1.1 200 OK\r\nContent-Le", TRUE },          /* head cut */
    { "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", TRUE }, /* body cut */
    { "SIP/2.0 200 OK\r\n\r\n", FALSE },
    { "HTTP/1.1 20 OK\r\n\r\n", FALSE },
    { "HTTP/1.1 2000 OK\r\n\r\n", FALSE },
    { "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", FALSE },
    { "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", FALSE },
    { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", FALSE },
    { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    MsnpGwParser *p = msnp_gw_parser_new ();
    MsnpGwParseResult r = feed_all (p, cases[i].data, strlen (cases[i].data), 5);

    if (cases[i].eof && r == MSNP_GW_PARSE_MORE)
      r = msnp_gw_parser_eof (p);
    g_assert_cmpint (r, ==, MSNP_GW_PARSE_ERROR);
    g_assert_cmpstr (msnp_gw_parser_error (p), !=, "no error");
    msnp_gw_parser_free (p);
  }
}

static void
test_head_cap (void)
{
  MsnpGwParser *p = msnp_gw_parser_new ();
  g_autofree char *big = g_strnfill (MSNP_GW_MAX_HEADERS + 10, 'a');
  gsize used;

  g_assert_cmpint (msnp_gw_parser_feed (p, (const guint8 *) "HTTP/1.1 200 OK\r\nX: ",
                                        21, &used), ==, MSNP_GW_PARSE_MORE);
  g_assert_cmpint (msnp_gw_parser_feed (p, (const guint8 *) big, strlen (big),
                                        &used), ==, MSNP_GW_PARSE_ERROR);
  msnp_gw_parser_free (p);
}

static void
test_header_rejects_unsafe (void)
{
  char *sid = NULL, *ip = NULL;
  gboolean closed = FALSE;

  msnp_gw_parse_messenger_header ("SessionID=a b; GW-IP=evil/x?y; foo; =;",
                                  &sid, &ip, &closed);
  g_assert_null (sid);
  g_assert_null (ip);
  g_assert_false (closed);
  msnp_gw_parse_messenger_header ("SessionID=42.7;GW-IP=10.0.0.1", &sid, &ip,
                                  &closed);
  g_assert_cmpstr (sid, ==, "42.7");
  g_assert_cmpstr (ip, ==, "10.0.0.1");
  g_free (sid);
  g_free (ip);
}

static char *
request_text (MsnpGwSession *s, const char *body)
{
  GByteArray *req = msnp_gw_session_request (s, (const guint8 *) body,
                                             strlen (body), NULL);
  char *text = g_strndup ((const char *) req->data, req->len);

  g_byte_array_unref (req);
  return text;
}

static void
reply_with (MsnpGwSession *s, const char *text, MsnpGwReply expect,
            guint expect_status)
{
  MsnpGwParser *p = msnp_gw_parser_new ();
  guint status = 999;

  g_assert_cmpint (feed_all (p, text, strlen (text), 64), ==, MSNP_GW_PARSE_DONE);
  g_assert_cmpint (msnp_gw_session_reply (s, msnp_gw_parser_response (p),
                                          &status), ==, expect);
  g_assert_cmpuint (status, ==, expect_status);
  msnp_gw_parser_free (p);
}

static void
test_session_requests (void)
{
  MsnpGwSession *s = msnp_gw_session_new ("gateway.messenger.hotmail.com",
                                          "/gateway/gateway.dll", "NS",
                                          "messenger.hotmail.com", 1863);
  g_autofree char *open = NULL, *cmd = NULL, *poll = NULL;

  g_assert_true (msnp_gw_session_valid (s));
  g_assert_false (msnp_gw_session_is_open (s));
  g_assert_cmpstr (msnp_gw_session_host (s), ==, "gateway.messenger.hotmail.com");
  g_assert_cmpuint (msnp_gw_session_port (s), ==, 80);
  open = request_text (s, "VER 5 MSNP8 CVR0\r\n");
  g_assert_true (g_str_has_prefix (open,
      "POST http://gateway.messenger.hotmail.com/gateway/gateway.dll"
      "?Action=open&Server=NS&IP=messenger.hotmail.com HTTP/1.1\r\n"));
  g_assert_nonnull (strstr (open, "\r\nHost: gateway.messenger.hotmail.com\r\n"));
  g_assert_nonnull (strstr (open, "\r\nContent-Length: 18\r\n\r\nVER 5 MSNP8 CVR0\r\n"));
  g_assert_true (g_str_has_suffix (open, "\r\n\r\nVER 5 MSNP8 CVR0\r\n"));

  reply_with (s, open_reply, MSNP_GW_REPLY_OK, 200);
  g_assert_true (msnp_gw_session_is_open (s));
  g_assert_cmpstr (msnp_gw_session_host (s), ==, "207.46.110.18");
  cmd = request_text (s, "CVR 6 x\r\n");
  g_assert_true (g_str_has_prefix (cmd,
      "POST http://207.46.110.18/gateway/gateway.dll?SessionID=954547325.13160 "
      "HTTP/1.1\r\n"));
  poll = request_text (s, "");
  g_assert_true (g_str_has_prefix (poll,
      "POST http://207.46.110.18/gateway/gateway.dll?Action=poll&"
      "SessionID=954547325.13160 HTTP/1.1\r\n"));
  g_assert_true (g_str_has_suffix (poll, "Content-Length: 0\r\n\r\n"));

  reply_with (s, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n",
              MSNP_GW_REPLY_FAILED, 500);
  reply_with (s, "HTTP/1.1 200 OK\r\nX-MSN-Messenger: SessionID=9; "
              "GW-IP=1.2.3.4; Session=close\r\nContent-Length: 0\r\n\r\n",
              MSNP_GW_REPLY_CLOSED, 200);
  msnp_gw_session_free (s);
}

static void
test_session_target_port_and_settings (void)
{
  MsnpGwSession *s = msnp_gw_session_new ("127.0.0.1:8080", "/gw", "SB",
                                          "127.0.0.1", 40000);
  g_autofree char *open = NULL;

  g_assert_true (msnp_gw_session_valid (s));
  g_assert_cmpuint (msnp_gw_session_port (s), ==, 8080);
  open = request_text (s, "USR 1 a@b.c 1.2\r\n");
  g_assert_true (g_str_has_prefix (open,
      "POST http://127.0.0.1:8080/gw?Action=open&Server=SB&IP=127.0.0.1:40000 "));
  /* An open answered without a session id leaves nothing to poll. */
  reply_with (s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
              MSNP_GW_REPLY_FAILED, 0);
  msnp_gw_session_free (s);

  static const char *const bad[][2] = {
    { "", "/gw" }, { "host:", "/gw" }, { "host:0", "/gw" }, { "host:70000", "/gw" },
    { "a b", "/gw" }, { "host/x", "/gw" }, { "host", "gw" }, { "host", "/g w" },
    { "host", "/gw?x" }, { "::1", "/gw" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    s = msnp_gw_session_new (bad[i][0], bad[i][1], "NS", "127.0.0.1", 1863);
    g_assert_false (msnp_gw_session_valid (s));
    msnp_gw_session_free (s);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gateway/open-reply-any-split", test_open_reply_any_split);
  g_test_add_func ("/gateway/pipelined-bytes-left", test_pipelined_bytes_left);
  g_test_add_func ("/gateway/body-until-eof", test_body_until_eof);
  g_test_add_func ("/gateway/faults", test_faults);
  g_test_add_func ("/gateway/head-cap", test_head_cap);
  g_test_add_func ("/gateway/header-rejects-unsafe", test_header_rejects_unsafe);
  g_test_add_func ("/gateway/session-requests", test_session_requests);
  g_test_add_func ("/gateway/session-target-port-and-settings",
                   test_session_target_port_and_settings);
  return g_test_run ();
}
