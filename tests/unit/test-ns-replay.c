/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Transcript replay: seed 003's whole notification session fed through the
 * sans-IO MsnpNs, asserting what it writes and which events it emits.
 * The server's packets are fed exactly as the seed splits them. */
#include "config.h"

#include <string.h>

#include "msnp-error.h"
#include "msnp-ns.h"
#include "ns-recorder.h"

static const char profile[] =
  "MIME-Version: 1.0\r\n"
  "Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n"
  "LoginTime: 1050223062\r\n"
  "EmailEnabled: 0\r\n"
  "MemberIdHigh: 85040\r\n"
  "MemberIdLow: -517030579\r\n"
  "lang_preference: 1033\r\n"
  "preferredEmail: alice@passport.com\r\n"
  "country: US\r\n"
  "PostalCode: 90201\r\n"
  "Gender: m\r\n"
  "Kid: 0\r\n"
  "Age: \r\n"
  "BDayPre: 5\r\n"
  "Birthday: 0\r\n"
  "Wallet: 0\r\n"
  "Flags: 1027\r\n"
  "sid: 507\r\n"
  "kv: 4\r\n"
  "MSPAuth: 41bbzZ*NzDmDQ8ic4HWo89b9zhCBk!ONDJKB3Los8UMgBnCOLSwQKo!8IeIHQF0vVItSlOzIL36e5MAdMaB3mpZw$$\r\n"
  "ClientIP: 1.2.3.4\r\n"
  "ClientPort: 516\r\n"
  "\r\n";

static void
test_seed003_session (void)
{
  NsRecorder *r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("alice@passport.com", &ns_recorder_events, r);
  MsnpLists *lists = msnp_ns_get_lists (ns);
  const MsnpContact *c;
  g_autofree char *msg = NULL;

  /* Dispatch server. */
  msnp_ns_connected (ns);
  ns_recorder_expect_written (r, "VER 1 MSNP8 CVR0\r\n");
  ns_feed (ns, "VER 1 MSNP8 CVR0\r\n");
  ns_recorder_expect_written (r, "CVR 2 0x0409 win 4.10 i386 MSNMSGR 5.0.0544 MSMSGS alice@passport.com\r\n");
  ns_feed (ns, "CVR 2 6.0.0602 6.0.0602 1.0.0000 http://download.microsoft.com/download/8/a/4/8a42bcae-f533-4468-b871-d2bc8dd32e9e/SETUP9x.EXE http://messenger.msn.com\r\n");
  ns_recorder_expect_written (r, "USR 3 TWN I alice@passport.com\r\n");
  {
    const char xfr[] = "XFR 3 NS 207.46.107.95:1863 0 207.46.104.20:1863\r\n";
    /* Not closed, only moving: the session goes on elsewhere. */
    g_assert_true (msnp_ns_feed (ns, (const guint8 *) xfr, strlen (xfr)));
  }
  g_assert_cmpstr (r->redirect, ==, "207.46.107.95:1863");
  g_assert_null (r->closed);
  g_assert_true (msnp_ns_disconnected (ns));   /* the referral goes on */

  /* The notification server. */
  msnp_ns_connected (ns);
  ns_recorder_expect_written (r, "VER 4 MSNP8 CVR0\r\n");
  ns_feed (ns, "VER 4 MSNP8 CVR0\r\n");
  g_assert_true (g_str_has_prefix (r->written->str, "CVR 5 "));
  g_string_truncate (r->written, 0);
  ns_feed (ns, "CVR 5 6.0.0602 6.0.0602 1.0.0000 http://download.microsoft.com/x.EXE http://messenger.msn.com\r\n");
  ns_recorder_expect_written (r, "USR 6 TWN I alice@passport.com\r\n");
  ns_feed (ns, "USR 6 TWN S lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1062764229,kpp=1,kv=5,ver=2.1.0173.1,tpf=43f8a4c8ed940c04e3740be46c4d1619\r\n");
  g_assert_cmpstr (r->challenge, ==, "lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1062764229,kpp=1,kv=5,ver=2.1.0173.1,tpf=43f8a4c8ed940c04e3740be46c4d1619");
  msnp_ns_submit_ticket (ns, "t=53*1hAu8ADuD3TEwdXoOMi08sD$$&p=5eKBBC!yBH6ex5mftp$$");
  ns_recorder_expect_written (r, "USR 7 TWN S t=53*1hAu8ADuD3TEwdXoOMi08sD$$&p=5eKBBC!yBH6ex5mftp$$\r\n");
  ns_feed (ns, "USR 7 OK alice@passport.com Alice 1 0\r\n");
  g_assert_true (ns_recorder_has (r, "own-friendly Alice"));
  /* Nothing cached yet: list version 0. */
  ns_recorder_expect_written (r, "SYN 8 0\r\n");

  msg = g_strdup_printf ("MSG Hotmail Hotmail %zu\r\n%s", strlen (profile), profile);
  ns_feed (ns, msg);
  g_assert_true (ns_recorder_has (r, "message text/x-msmsgsprofile"));
  g_assert_cmpstr (msnp_ns_get_profile (ns, "sid"), ==, "507");

  /* The sync, split into packets exactly as in the seed. */
  ns_feed (ns, "SYN 8 27 5 4\r\n");
  ns_feed (ns, "GTC A\r\n");
  ns_feed (ns, "BLP AL\r\n");
  ns_feed (ns, "PRP PHH 01%20234\r\n");
  ns_feed (ns, "PRP PHM 56%20789\r\n");
  ns_feed (ns, "LSG 0 Other%20Contacts 0\r\nLSG 1 Coworkers 0\r\nLSG 2 Friends 0\r\nLSG 3 Family 0\r\n");
  ns_feed (ns, "LST bob@passport.com Bob 13 0\r\nBPR MOB Y\r\n");
  ns_feed (ns, "LST carol@passport.com Carol 3 0\r\nBPR PHM 9876");
  ns_feed (ns, "-54321\r\n");
  ns_feed (ns, "LST dave@passport.com 1 1,2");
  ns_feed (ns, ",3\r\nBPR PHH 3.1415926535\r\nBPR PH");
  ns_feed (ns, "W");
  ns_feed (ns, "");
  ns_feed (ns, " 2.71841844\r\nBPR PHM sqrt(-1)\r\n");
  g_assert_false (r->online);
  ns_feed (ns, "LST eve@passport.com Eavesdropper 12\r\n");
  g_assert_false (r->online);
  ns_feed (ns, "LST fred@passport.com Fred 8\r\n");
  /* All five contacts came: synced, and the initial status goes out,
   * before the owner's work on the list (the ILNs come meanwhile). */
  g_assert_true (r->online);
  g_assert_true (r->synced_changed);
  g_assert_true (r->chg_before_synced);
  ns_recorder_expect_written (r, "CHG 9 NLN 0\r\n");

  g_assert_cmpstr (msnp_lists_get_version (lists), ==, "27");
  g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 5);
  g_assert_cmpint (msnp_lists_get_gtc (lists), ==, 'A');
  g_assert_cmpstr (msnp_lists_get_own_phone (lists, MSNP_PHONE_HOME), ==, "01 234");
  c = msnp_lists_lookup (lists, "bob@passport.com");
  g_assert_cmpuint (c->lists, ==, MSNP_LIST_FL | MSNP_LIST_BL | MSNP_LIST_RL);
  g_assert_true (c->mobile);
  c = msnp_lists_lookup (lists, "carol@passport.com");
  g_assert_cmpstr (c->phones[MSNP_PHONE_MOBILE], ==, "9876-54321");
  c = msnp_lists_lookup (lists, "dave@passport.com");
  g_assert_cmpuint (c->lists, ==, MSNP_LIST_FL);
  g_assert_cmpuint (c->groups->len, ==, 3);
  g_assert_cmpstr (c->phones[MSNP_PHONE_WORK], ==, "2.71841844");
  g_assert_cmpstr (c->phones[MSNP_PHONE_MOBILE], ==, "sqrt(-1)");
  c = msnp_lists_lookup (lists, "eve@passport.com");
  g_assert_cmpuint (c->lists, ==, MSNP_LIST_BL | MSNP_LIST_RL);

  /* Initial presence, with an ADD reply in the middle of the ILNs. */
  ns_feed (ns, "CHG 9 NLN 0\r\nILN 9 NLN bob@passport.com Bob 24\r\nILN 9 IDL carol@passport.com Carol 268435492\r\n");
  ns_feed (ns, "ADD 10 AL 28 fred@passport.com Fred 1\r\n    ILN 9 BSY emily@passport.com Emily 268435492\r\n");
  g_assert_true (ns_recorder_has (r, "own-status NLN"));
  g_assert_true (ns_recorder_has (r, "presence bob@passport.com NLN Bob"));
  g_assert_true (ns_recorder_has (r, "presence carol@passport.com IDL Carol"));
  g_assert_true (ns_recorder_has (r, "presence emily@passport.com BSY Emily"));
  g_assert_cmpuint (msnp_lists_lookup (lists, "fred@passport.com")->lists, ==,
                    MSNP_LIST_AL | MSNP_LIST_RL);
  g_assert_cmpstr (msnp_lists_get_version (lists), ==, "28");

  /* The challenge: the seed's known answer, no CRLF after the payload. */
  ns_feed (ns, "CHL 0 29409134351025259292\r\n");
  ns_recorder_expect_written (r, "QRY 10 msmsgs@msnmsgr.com 32\r\nd0c1178c689350104350d99f8c36ed9c");
  ns_feed (ns, "QRY 10\r\n");

  msnp_ns_set_status (ns, MSNP_STATUS_IDLE);
  ns_recorder_expect_written (r, "CHG 11 IDL 0\r\n");
  ns_feed (ns, "CHG 11 IDL 0\r\nFLN bob@passport.com\r\n");
  g_assert_true (ns_recorder_has (r, "presence bob@passport.com FLN -"));
  ns_feed (ns, "NLN BSY carol@passport.com Caroline 268435492\r\n");
  g_assert_true (ns_recorder_has (r, "presence carol@passport.com BSY Caroline"));

  msnp_ns_sign_out (ns);
  ns_recorder_expect_written (r, "OUT\r\n");
  g_assert_null (r->closed);

  msnp_ns_free (ns);
  ns_recorder_free (r);
}

/* The same session with the cached list: SYN answers with the same
 * version and nothing else, and the list stays as the cache had it. */
static void
test_unchanged_list (void)
{
  NsRecorder *r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("alice@passport.com", &ns_recorder_events, r);
  const char cache[] = "SYN 0 27\r\nLSG 0 Friends 0\r\nLST bob@passport.com Bob 11 0\r\n";

  g_assert_true (msnp_lists_read_cache (msnp_ns_get_lists (ns), cache, strlen (cache)));
  msnp_ns_set_initial_status (ns, MSNP_STATUS_AWAY);
  msnp_ns_connected (ns);
  ns_feed (ns, "VER 1 MSNP8 CVR0\r\nCVR 2 1 1 1 x y\r\nUSR 3 TWN S lc=1033,id=507\r\n");
  msnp_ns_submit_ticket (ns, "t=x&p=y");
  g_string_truncate (r->written, 0);
  ns_feed (ns, "USR 4 OK alice@passport.com Alice 1 0\r\n");
  ns_recorder_expect_written (r, "SYN 5 27\r\n");
  ns_feed (ns, "SYN 5 27\r\n");
  g_assert_true (r->online);
  g_assert_false (r->synced_changed);
  ns_recorder_expect_written (r, "CHG 6 AWY 0\r\n");
  g_assert_cmpuint (msnp_lists_n_contacts (msnp_ns_get_lists (ns)), ==, 1);
  msnp_ns_free (ns);
  ns_recorder_free (r);
}

typedef struct {
  const char   *input;
  MsnpErrorCode code;
  gboolean      server_domain;
  guint         server_code;
} FatalCase;

static const FatalCase fatal_cases[] = {
  { .input = "911 3\r\n", .code = MSNP_ERROR_AUTH_FAILED },
  { .input = "OUT OTH\r\n", .code = MSNP_ERROR_OTHER_LOCATION },
  { .input = "OUT SSD\r\n", .code = MSNP_ERROR_SERVER_SHUTDOWN },
  { .input = "OUT\r\n", .code = MSNP_ERROR_DISCONNECTED },
  { .input = "VER 1 0\r\n", .code = MSNP_ERROR_VERSION },
  { .input = "MSG Hotmail Hotmail 999999999\r\n", .code = MSNP_ERROR_PROTOCOL },
  { .input = "MSG Hotmail Hotmail -5\r\n", .code = MSNP_ERROR_PROTOCOL },
  { .input = "600 3\r\n", .server_domain = TRUE, .server_code = 600 },
};

static void
test_fatal (gconstpointer data)
{
  const FatalCase *fc = data;
  NsRecorder *r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("alice@passport.com", &ns_recorder_events, r);

  msnp_ns_connected (ns);
  msnp_ns_feed (ns, (const guint8 *) fc->input, strlen (fc->input));
  g_assert_nonnull (r->closed);
  if (fc->server_domain)
    g_assert_error (r->closed, MSNP_SERVER_ERROR, (gint) fc->server_code);
  else
    g_assert_error (r->closed, MSNP_ERROR, (gint) fc->code);
  g_assert_cmpstr (r->closed->message, !=, "");
  /* Once closed, nothing more is accepted or written. */
  g_string_truncate (r->written, 0);
  g_assert_false (msnp_ns_feed (ns, (const guint8 *) "CHL 0 1\r\n", 9));
  g_assert_cmpuint (r->written->len, ==, 0);
  msnp_ns_free (ns);
  ns_recorder_free (r);
}

static void
test_redirect_bound (void)
{
  NsRecorder *r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("alice@passport.com", &ns_recorder_events, r);

  for (guint i = 0; i <= MSNP_NS_MAX_REDIRECTS && r->closed == NULL; i++) {
    msnp_ns_connected (ns);
    msnp_ns_feed (ns, (const guint8 *) "XFR 1 NS 10.0.0.1:1863 0\r\n",
                  strlen ("XFR 1 NS 10.0.0.1:1863 0\r\n"));
  }
  g_assert_error (r->closed, MSNP_ERROR, MSNP_ERROR_TOO_MANY_REDIRECTS);
  msnp_ns_free (ns);
  ns_recorder_free (r);
}

/* Non-fatal errors answer the command they belong to, and the session
 * goes on; unknown commands are skipped. */
static void
test_nonfatal_and_unknown (void)
{
  NsRecorder *r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("alice@passport.com", &ns_recorder_events, r);

  msnp_ns_connected (ns);
  ns_feed (ns, "VER 1 MSNP8\r\nCVR 2 x\r\nUSR 3 TWN S a=b\r\n");
  msnp_ns_submit_ticket (ns, "t=1");
  ns_feed (ns, "USR 4 OK alice@passport.com A\r\nSYN 5 3 0 0\r\n");
  g_assert_true (r->online);
  msnp_ns_set_friendly (ns, "a very long name");
  ns_feed (ns, "ZZZ 0 whatever\r\nUBX 5\r\nhello209 7\r\n  \r\n\r\nNLN NLN bob@x.com\r\n");
  g_assert_true (ns_recorder_has (r, "server-error 209 REA"));
  g_assert_true (ns_recorder_has (r, "presence bob@x.com NLN -"));
  g_assert_null (r->closed);
  g_assert_true (msnp_ns_keepalive (ns));
  g_assert_false (msnp_ns_keepalive (ns));   /* no QNG in between: dead */
  ns_feed (ns, "QNG 50\r\n");
  g_assert_true (msnp_ns_keepalive (ns));
  msnp_ns_free (ns);
  ns_recorder_free (r);
}

/* Defect #13.8: only the answer to our VER decides the version.  A VER
 * after sign-in (any version, ours or not) is logged and ignored, and the
 * session goes on. */
static void
test_stray_ver (void)
{
  NsRecorder *r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("alice@passport.com", &ns_recorder_events, r);

  msnp_ns_connected (ns);
  ns_feed (ns, "VER 1 MSNP8\r\nCVR 2 x\r\nUSR 3 TWN S a=b\r\n");
  msnp_ns_submit_ticket (ns, "t=1");
  ns_feed (ns, "USR 4 OK alice@passport.com A\r\nSYN 5 3 0 0\r\n");
  g_assert_true (r->online);
  g_string_truncate (r->written, 0);
  ns_feed (ns, "VER 9 MSNP12 MSNP11 CVR0\r\nVER 0 0\r\nVER 1 MSNP8 CVR0\r\nVER\r\n");
  g_assert_null (r->closed);
  g_assert_true (msnp_ns_is_online (ns));
  /* Not answered with a CVR either: the handshake is over. */
  g_assert_cmpuint (r->written->len, ==, 0);
  ns_feed (ns, "NLN NLN bob@x.com Bob\r\n");
  g_assert_true (ns_recorder_has (r, "presence bob@x.com NLN Bob"));
  msnp_ns_free (ns);
  ns_recorder_free (r);
}

/* An IPG's first parameter is its payload length, not a TrID: a page
 * whose length equals a pending request's TrID must not take it. */
static void
test_page_is_not_a_reply (void)
{
  NsRecorder *r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("alice@passport.com", &ns_recorder_events, r);
  const char *page = "<PAGE/>";
  g_autofree char *ipg = NULL;
  guint request;

  msnp_ns_connected (ns);
  ns_feed (ns, "VER 1 MSNP8\r\nCVR 2 x\r\nUSR 3 TWN S a=b\r\n");
  msnp_ns_submit_ticket (ns, "t=1");
  ns_feed (ns, "USR 4 OK alice@passport.com A\r\nSYN 5 3 0 0\r\n");
  request = msnp_ns_request_switchboard (ns);
  g_assert_cmpuint (request, ==, strlen (page));
  ipg = g_strdup_printf ("IPG %u\r\n%s", request, page);
  ns_feed (ns, ipg);
  /* The refusal is matched to the XFR it answers only while the request
   * is still pending. */
  ns_feed (ns, "913 7\r\n");
  g_assert_true (ns_recorder_has (r, "switchboard-failed 7 913"));
  g_assert_null (r->closed);
  msnp_ns_free (ns);
  ns_recorder_free (r);
}

/* Switchboard referrals and invitations; cookies and session ids are
 * opaque strings (revival servers do not use numbers). */
static void
test_switchboards (void)
{
  NsRecorder *r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("alice@passport.com", &ns_recorder_events, r);
  guint first, second;

  msnp_ns_connected (ns);
  ns_feed (ns, "VER 1 MSNP8\r\nCVR 2 x\r\nUSR 3 TWN S a=b\r\n");
  msnp_ns_submit_ticket (ns, "t=1");
  ns_feed (ns, "USR 4 OK alice@passport.com A\r\nSYN 5 3 0 0\r\n");
  g_string_truncate (r->written, 0);
  first = msnp_ns_request_switchboard (ns);
  second = msnp_ns_request_switchboard (ns);
  ns_recorder_expect_written (r, "XFR 7 SB\r\nXFR 8 SB\r\n");
  g_assert_cmpuint (first, ==, 7);
  g_assert_cmpuint (second, ==, 8);
  ns_feed (ns, "XFR 7 SB 10.0.0.5:1863 CKI 17262740.1050826919.32308\r\n913 8\r\n");
  g_assert_true (ns_recorder_has (r, "switchboard 7 10.0.0.5:1863 17262740.1050826919.32308"));
  g_assert_true (ns_recorder_has (r, "switchboard-failed 8 913"));
  ns_feed (ns, "RNG s1a.b-x 10.0.0.6 CKI ck-9.z bob@passport.com Bob%20B\r\n");
  g_assert_true (ns_recorder_has (r, "ring s1a.b-x 10.0.0.6:1863 ck-9.z bob@passport.com Bob B"));
  ns_feed (ns, "RNG 1 2\r\n");     /* too short: skipped */
  g_assert_null (r->closed);
  msnp_ns_free (ns);
  ns_recorder_free (r);
}

/* An owner with changes to send first (a privacy mode changed while
 * offline) gets CHG after its synced, so nobody it now blocks sees it
 * online; others get it before. */
static gboolean
hold_yes (gpointer user)
{
  (void) user;
  return TRUE;
}

static void
test_status_held (void)
{
  for (int hold = 0; hold <= 1; hold++) {
    NsRecorder *r = ns_recorder_new ();
    MsnpNsEvents events = ns_recorder_events;
    MsnpNs *ns;

    events.hold_status = hold ? hold_yes : NULL;
    ns = msnp_ns_new ("alice@passport.com", &events, r);
    msnp_ns_connected (ns);
    ns_feed (ns, "VER 1 MSNP8 CVR0\r\nCVR 2 1 1 1 x y\r\nUSR 3 TWN S lc=1033,id=507\r\n");
    msnp_ns_submit_ticket (ns, "t=x&p=y");
    ns_feed (ns, "USR 4 OK alice@passport.com Alice 1 0\r\nSYN 5 3 1 0\r\n");
    g_assert_false (r->online);
    ns_feed (ns, "LST bob@passport.com Bob 11 0\r\n");
    g_assert_true (r->online);
    g_assert_true (r->synced_changed);
    g_assert_cmpint (r->chg_before_synced, ==, !hold);
    g_assert_nonnull (strstr (r->written->str, "CHG 6 NLN 0\r\n"));
    msnp_ns_free (ns);
    ns_recorder_free (r);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ns/seed003-session", test_seed003_session);
  g_test_add_func ("/ns/unchanged-list", test_unchanged_list);
  g_test_add_func ("/ns/status-held", test_status_held);
  g_test_add_func ("/ns/redirect-bound", test_redirect_bound);
  g_test_add_func ("/ns/nonfatal-and-unknown", test_nonfatal_and_unknown);
  g_test_add_func ("/ns/switchboards", test_switchboards);
  g_test_add_func ("/ns/stray-ver", test_stray_ver);
  g_test_add_func ("/ns/page-is-not-a-reply", test_page_is_not_a_reply);
  for (guint i = 0; i < G_N_ELEMENTS (fatal_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/ns/fatal/%u", i);
    g_test_add_data_func (path, &fatal_cases[i], test_fatal);
  }
  return g_test_run ();
}
