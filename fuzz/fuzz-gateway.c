/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target "gateway": bytes → the HTTP gateway's response parser, fed
 * whole and in pieces whose sizes come from the input; both must agree on
 * the outcome and the body, and a session must take any response in. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-gateway.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static MsnpGwParseResult
run (MsnpGwParser *p, const guint8 *data, size_t size, gboolean pieces)
{
  MsnpGwParseResult r = MSNP_GW_PARSE_MORE;
  size_t off = 0;

  while (off < size && r == MSNP_GW_PARSE_MORE) {
    size_t n = pieces ? (size_t) (1 + data[off] % 17) : size - off;
    gsize used;

    n = MIN (n, size - off);
    r = msnp_gw_parser_feed (p, data + off, n, &used);
    if (used > n)
      abort ();
    off += used;
    if (r == MSNP_GW_PARSE_MORE && used != n)
      abort ();
  }
  if (r == MSNP_GW_PARSE_MORE)
    r = msnp_gw_parser_eof (p);
  return r;
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  MsnpGwParser *whole = msnp_gw_parser_new ();
  MsnpGwParser *split = msnp_gw_parser_new ();
  MsnpGwParseResult a = run (whole, data, size, FALSE);
  MsnpGwParseResult b = run (split, data, size, TRUE);

  if (a != b)
    abort ();
  if (a == MSNP_GW_PARSE_DONE) {
    const MsnpGwResponse *ra = msnp_gw_parser_response (whole);
    const MsnpGwResponse *rb = msnp_gw_parser_response (split);
    MsnpGwSession *s = msnp_gw_session_new ("127.0.0.1:80", "/gateway/gateway.dll",
                                            "NS", "127.0.0.1", 1863);
    GByteArray *req;
    guint status;

    if (ra->body->len != rb->body->len
        || (ra->body->len > 0
            && memcmp (ra->body->data, rb->body->data, ra->body->len) != 0)
        || ra->status != rb->status || ra->body->len > MSNP_GW_MAX_BODY)
      abort ();
    msnp_gw_session_reply (s, ra, &status);
    /* Whatever the gateway said, the next request line stays one line. */
    req = msnp_gw_session_request (s, (const guint8 *) "", 0, NULL);
    if (memchr (req->data, '\n', req->len) == NULL
        || memchr (req->data, '\n', req->len) != memchr (req->data, '\r', req->len) + 1)
      abort ();
    g_byte_array_unref (req);
    msnp_gw_session_free (s);
  }
  msnp_gw_parser_free (whole);
  msnp_gw_parser_free (split);
  return 0;
}
