/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replay tests of the notification session's list-change API: what each
 * request writes, how each echo (ours and another client's, in the shapes
 * servers use) updates the model, and that refusals reach the owner with
 * their TrID and leave the model alone. */
#include "config.h"

#include <string.h>

#include "msnp-ns.h"
#include "ns-recorder.h"

/* Signed in with group 0 "Other" and bob on FL+AL in it. */
static MsnpNs *
online (NsRecorder *r)
{
  return ns_recorder_sign_in (r, "10 1 1\r\nGTC A\r\nBLP AL\r\n"
                                 "LSG 0 Other 0\r\nLST bob@example.com Bob 3 0\r\n");
}

static void
test_requests_written (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online (r);

  g_assert_cmpuint (msnp_ns_add_contact (ns, MSNP_LIST_FL, "amy@example.com",
                                         "Amy Pond", "0"), ==, 7);
  g_assert_cmpuint (msnp_ns_remove_contact (ns, MSNP_LIST_FL, "bob@example.com", "0"), ==, 8);
  msnp_ns_add_contact (ns, MSNP_LIST_BL, "eve@example.com", NULL, "0");
  msnp_ns_add_group (ns, "New Group");
  msnp_ns_rename_group (ns, "0", "Misc");
  msnp_ns_remove_group (ns, "3");
  msnp_ns_set_privacy (ns, MSNP_LIST_BL);
  msnp_ns_set_gtc (ns, FALSE);
  msnp_ns_set_phone (ns, MSNP_PHONE_WORK, "+1 555");
  msnp_ns_set_phone (ns, MSNP_PHONE_HOME, NULL);
  msnp_ns_request_inbox (ns);
  g_assert_cmpstr (r->written->str, ==,
                   "ADD 7 FL amy@example.com Amy%20Pond 0\r\n"
                   "REM 8 FL bob@example.com\r\n"   /* group 0 was bob's last */
                   "ADD 9 BL eve@example.com eve@example.com\r\n"
                   "ADG 10 New%20Group 0\r\n"
                   "REG 11 0 Misc 0\r\n"
                   "RMG 12 3\r\n"
                   "BLP 13 BL\r\n"
                   "GTC 14 N\r\n"
                   "PRP 15 PHW +1%20555\r\n"
                   "PRP 16 PHH\r\n"
                   "URL 17 INBOX\r\n");
  /* Nothing that cannot be one token goes out. */
  g_assert_cmpuint (msnp_ns_add_contact (ns, MSNP_LIST_FL, "a b@c.d", NULL, NULL), ==, 0);
  g_assert_cmpuint (msnp_ns_add_contact (ns, MSNP_LIST_RL, "a@c.d", NULL, NULL), ==, 0);
  msnp_ns_free (ns);
}

static void
test_echoes_update_model (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online (r);
  MsnpLists *lists = msnp_ns_get_lists (ns);
  const MsnpContact *amy;

  msnp_ns_add_group (ns, "Pals");
  ns_feed (ns, "ADG 7 11 Pals 4 0\r\n");
  g_assert_cmpstr (msnp_lists_get_group (lists, "4")->name, ==, "Pals");
  ns_feed (ns, "ADD 8 FL 12 amy@example.com Amy 4\r\n");
  amy = msnp_lists_lookup (lists, "amy@example.com");
  g_assert_nonnull (amy);
  g_assert_true (msnp_contact_in_group (amy, "4"));
  ns_feed (ns, "REG 9 13 4 Friends 0\r\n");
  g_assert_cmpstr (msnp_lists_get_group (lists, "4")->name, ==, "Friends");
  /* RMG leaves amy groupless: the server puts her in group 0. */
  ns_feed (ns, "RMG 10 14 4\r\n");
  g_assert_null (msnp_lists_get_group (lists, "4"));
  g_assert_true (msnp_contact_in_group (msnp_lists_lookup (lists, "amy@example.com"), "0"));
  ns_feed (ns, "BLP 11 15 BL\r\nGTC 12 16 N\r\nPRP 13 17 PHW 555\r\n");
  g_assert_cmpint (msnp_lists_get_blp (lists), ==, MSNP_LIST_BL);
  g_assert_cmpint (msnp_lists_get_gtc (lists), ==, 'N');
  g_assert_cmpstr (msnp_lists_get_own_phone (lists, MSNP_PHONE_WORK), ==, "555");
  g_assert_cmpstr (msnp_lists_get_version (lists), ==, "17");
  g_assert_true (ns_recorder_has (r, "changed 7 kind=3 list=0 - 4 Pals"));
  g_assert_true (ns_recorder_has (r, "changed 8 kind=0 list=1 amy@example.com 4 -"));
  g_assert_true (ns_recorder_has (r, "changed 11 kind=6 list=4 - - -"));
  g_assert_true (ns_recorder_has (r, "changed 12 kind=7 list=0 - - N"));
  /* REM from the last group takes the contact off FL; off every list,
   * out of the model. */
  ns_feed (ns, "REM 14 FL 18 bob@example.com 0\r\n");
  g_assert_null (msnp_lists_lookup (lists, "bob@example.com") != NULL &&
                 (msnp_lists_lookup (lists, "bob@example.com")->lists & MSNP_LIST_FL)
                 ? "still on FL" : NULL);
  msnp_ns_free (ns);
}

static void
test_reverse_list_shapes (void)
{
  static const char *const shapes[] = {
    "ADD 0 RL 20 zed@example.com Zed\r\n",   /* MSNP8 */
    "ADD 0 RL zed@example.com Zed\r\n",      /* no version */
    "ADD RL 20 zed@example.com Zed\r\n",     /* no TrID */
    "ADD 0 RL 20 zed@example.com\r\n",       /* no friendly name */
  };

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++) {
    g_autoptr (NsRecorder) r = ns_recorder_new ();
    MsnpNs *ns = online (r);
    const MsnpContact *zed;

    ns_feed (ns, shapes[i]);
    zed = msnp_lists_lookup (msnp_ns_get_lists (ns), "zed@example.com");
    g_assert_nonnull (zed);
    g_assert_cmpuint (zed->lists, ==, MSNP_LIST_RL);
    g_assert_true (ns_recorder_has (r, "changed 0 kind=0 list=8 zed@example.com - -"));
    ns_feed (ns, "REM 0 RL 21 zed@example.com\r\n");
    g_assert_null (msnp_lists_lookup (msnp_ns_get_lists (ns), "zed@example.com"));
    g_assert_true (ns_recorder_has (r, "changed 0 kind=1 list=8 zed@example.com - -"));
    msnp_ns_free (ns);
  }
}

static void
test_errors_reach_the_owner (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online (r);
  guint trid = msnp_ns_add_contact (ns, MSNP_LIST_FL, "nobody@invalid", NULL, "0");
  g_autofree char *expected = g_strdup_printf ("failed %u ADD 208", trid);

  ns_feed (ns, "208 7\r\n");
  g_assert_true (ns_recorder_has (r, expected));
  g_assert_null (msnp_lists_lookup (msnp_ns_get_lists (ns), "nobody@invalid"));
  msnp_ns_add_group (ns, "x");
  ns_feed (ns, "223 8\r\n");
  g_assert_true (ns_recorder_has (r, "failed 8 ADG 223"));
  msnp_ns_request_inbox (ns);
  ns_feed (ns, "URL 9 /cgi-bin/HoTMaiL https://x/md5auth.srf?lc=1033 2\r\n");
  g_assert_true (ns_recorder_has (r, "url 9 /cgi-bin/HoTMaiL https://x/md5auth.srf?lc=1033 2"));
  g_assert_true (msnp_ns_is_online (ns));
  msnp_ns_free (ns);
}

/* bob in groups 0, 1 and 2 (another client's changes, TrID 0). */
static MsnpNs *
online_in_three_groups (NsRecorder *r)
{
  MsnpNs *ns = online (r);

  ns_feed (ns, "ADG 0 11 Two 1 0\r\nADG 0 12 Three 2 0\r\n"
            "ADD 0 FL 13 bob@example.com Bob 1\r\nADD 0 FL 14 bob@example.com Bob 2\r\n");
  g_assert_cmpuint (msnp_lists_lookup (msnp_ns_get_lists (ns), "bob@example.com")->groups->len,
                    ==, 3);
  g_string_truncate (r->written, 0);
  return ns;
}

/* Issue 9.8: removing every copy of a contact at once must take it off
 * the forward list, or the server keeps it and files it in a default
 * group at the next sign-in. */
static void
test_last_group_removal_leaves_the_list (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online_in_three_groups (r);
  MsnpLists *lists = msnp_ns_get_lists (ns);
  const MsnpContact *bob;

  g_assert_cmpuint (msnp_ns_remove_contact (ns, MSNP_LIST_FL, "bob@example.com", "0"), ==, 7);
  g_assert_cmpuint (msnp_ns_remove_contact (ns, MSNP_LIST_FL, "BOB@example.com", "2"), ==, 8);
  g_assert_true (msnp_lists_is_leaving (lists, "bob@example.com", "2"));
  g_assert_false (msnp_lists_is_leaving (lists, "bob@example.com", "1"));
  /* The last group, counting the two removals still unanswered. */
  g_assert_null (msnp_lists_removal_group (lists, msnp_lists_lookup (lists, "bob@example.com"), "1"));
  g_assert_cmpuint (msnp_ns_remove_contact (ns, MSNP_LIST_FL, "bob@example.com", "1"), ==, 9);
  g_assert_cmpstr (r->written->str, ==,
                   "REM 7 FL bob@example.com 0\r\n"
                   "REM 8 FL BOB@example.com 2\r\n"   /* counted all the same */
                   "REM 9 FL bob@example.com\r\n");
  g_assert_true (msnp_lists_is_leaving (lists, "bob@example.com", "1"));
  /* The echoes arrive late, in order. */
  ns_feed (ns, "REM 7 FL 15 bob@example.com 0\r\nREM 8 FL 16 bob@example.com 2\r\n");
  bob = msnp_lists_lookup (lists, "bob@example.com");
  g_assert_true (bob->lists & MSNP_LIST_FL);
  g_assert_true (msnp_lists_is_leaving (lists, "bob@example.com", "1"));
  ns_feed (ns, "REM 9 FL 17 bob@example.com\r\n");
  bob = msnp_lists_lookup (lists, "bob@example.com");
  g_assert_cmpuint (bob->lists, ==, MSNP_LIST_AL);   /* still allowed, off FL */
  g_assert_cmpuint (bob->groups->len, ==, 0);
  g_assert_false (msnp_lists_is_leaving (lists, "bob@example.com", "1"));
  msnp_ns_free (ns);
}

/* A refused removal no longer counts: the contact stays in that group. */
static void
test_refused_removal_no_longer_counts (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online_in_three_groups (r);
  MsnpLists *lists = msnp_ns_get_lists (ns);

  msnp_ns_remove_contact (ns, MSNP_LIST_FL, "bob@example.com", "0");
  msnp_ns_remove_contact (ns, MSNP_LIST_FL, "bob@example.com", "1");
  ns_feed (ns, "225 7\r\n");   /* not in that group, says the server */
  g_assert_false (msnp_lists_is_leaving (lists, "bob@example.com", "0"));
  g_assert_true (ns_recorder_has (r, "failed 7 REM 225"));
  /* Group 0 stays, so leaving group 2 names it. */
  msnp_ns_remove_contact (ns, MSNP_LIST_FL, "bob@example.com", "2");
  ns_feed (ns, "REM 8 FL 15 bob@example.com 1\r\n");
  g_assert_cmpstr (r->written->str, ==,
                   "REM 7 FL bob@example.com 0\r\n"
                   "REM 8 FL bob@example.com 1\r\n"
                   "REM 9 FL bob@example.com 2\r\n");
  /* Whole-list removals count too, and another client's echo (TrID 0)
   * settles nothing of ours. */
  msnp_ns_remove_contact (ns, MSNP_LIST_FL, "bob@example.com", NULL);
  g_assert_true (msnp_lists_is_leaving (lists, "bob@example.com", "0"));
  ns_feed (ns, "REM 0 FL 16 bob@example.com 2\r\n");
  g_assert_true (msnp_lists_is_leaving (lists, "bob@example.com", "0"));
  ns_feed (ns, "REM 10 FL 17 bob@example.com\r\n");
  g_assert_false (msnp_lists_is_leaving (lists, "bob@example.com", "0"));
  msnp_ns_free (ns);
}

/* Issue 9.7: 215 to our ADD means "already there", so the model takes
 * the contact as added where we asked; it is not a refusal. */
static void
test_already_there_is_present (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online (r);
  MsnpLists *lists = msnp_ns_get_lists (ns);
  const MsnpContact *zed;

  g_assert_cmpuint (msnp_ns_add_contact (ns, MSNP_LIST_FL, "Zed@example.com", "Zed", "0"), ==, 7);
  g_assert_cmpuint (msnp_ns_add_contact (ns, MSNP_LIST_AL, "zed@example.com", NULL, NULL), ==, 8);
  ns_feed (ns, "215 7\r\n215 8\r\n");
  zed = msnp_lists_lookup (lists, "zed@example.com");
  g_assert_nonnull (zed);
  g_assert_cmpuint (zed->lists, ==, MSNP_LIST_FL | MSNP_LIST_AL);
  g_assert_true (msnp_contact_in_group (zed, "0"));
  g_assert_true (ns_recorder_has (r, "changed 7 kind=0 list=1 zed@example.com 0 -"));
  g_assert_true (ns_recorder_has (r, "changed 8 kind=0 list=2 zed@example.com - -"));
  g_assert_false (ns_recorder_has (r, "failed 7 ADD 215"));
  /* Any other refusal of an ADD stays one. */
  msnp_ns_add_contact (ns, MSNP_LIST_FL, "nobody@invalid", NULL, "0");
  ns_feed (ns, "208 9\r\n");
  g_assert_true (ns_recorder_has (r, "failed 9 ADD 208"));
  g_assert_null (msnp_lists_lookup (lists, "nobody@invalid"));
  msnp_ns_free (ns);
}

/* Names in ADD and REA echoes lose their control characters too. */
static void
test_echo_names_lose_controls (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = online (r);
  MsnpLists *lists = msnp_ns_get_lists (ns);

  ns_feed (ns, "ADD 0 FL 13 zed@example.com Zed%0D%0ARing%07 0\r\n");
  g_assert_cmpstr (msnp_lists_lookup (lists, "zed@example.com")->friendly, ==, "ZedRing");
  ns_feed (ns, "REA 0 14 bob@example.com Bobby%0A%1B\r\n");
  g_assert_cmpstr (msnp_lists_lookup (lists, "bob@example.com")->friendly, ==, "Bobby");
  msnp_ns_free (ns);
}

/* Issue 13.5: a list longer than MSNP_LISTS_MAX_CONTACTS ends the
 * sign-in as soon as SYN announces it; a shorter one does not. */
static void
test_list_too_big (void)
{
  for (guint announced = MSNP_LISTS_MAX_CONTACTS; announced <= MSNP_LISTS_MAX_CONTACTS + 1;
       announced++) {
    g_autoptr (NsRecorder) r = ns_recorder_new ();
    MsnpNs *ns = msnp_ns_new ("me@example.com", &ns_recorder_events, r);
    g_autofree char *syn = g_strdup_printf ("USR 4 OK me@example.com Me 1 0\r\n"
                                            "SYN 5 10 %u 1\r\nGTC A\r\nBLP AL\r\n"
                                            "LSG 0 Other 0\r\n"
                                            "LST bob@example.com Bob 3 0\r\n", announced);

    msnp_ns_connected (ns);
    ns_feed (ns, "VER 1 MSNP8 CVR0\r\nCVR 2 6.0 6.0 1.0 x y\r\nUSR 3 TWN S ch=1\r\n");
    msnp_ns_submit_ticket (ns, "t=1&p=2");
    ns_feed (ns, syn);
    if (announced > MSNP_LISTS_MAX_CONTACTS) {
      g_assert_true (msnp_ns_list_too_big (ns));
      g_assert_true (ns_recorder_has (r, "closed"));
    } else {
      g_assert_false (msnp_ns_list_too_big (ns));
      g_assert_false (ns_recorder_has (r, "closed"));
    }
    msnp_ns_free (ns);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ns-lists/requests-written", test_requests_written);
  g_test_add_func ("/ns-lists/echoes-update-model", test_echoes_update_model);
  g_test_add_func ("/ns-lists/reverse-list-shapes", test_reverse_list_shapes);
  g_test_add_func ("/ns-lists/errors-reach-the-owner", test_errors_reach_the_owner);
  g_test_add_func ("/ns-lists/last-group-removal-leaves-the-list",
                   test_last_group_removal_leaves_the_list);
  g_test_add_func ("/ns-lists/already-there-is-present", test_already_there_is_present);
  g_test_add_func ("/ns-lists/echo-names-lose-controls", test_echo_names_lose_controls);
  g_test_add_func ("/ns-lists/list-too-big", test_list_too_big);
  g_test_add_func ("/ns-lists/refused-removal-no-longer-counts",
                   test_refused_removal_no_longer_counts);
  return g_test_run ();
}
