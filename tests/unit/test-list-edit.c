/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The list-editing policy (msnp-list-edit.h), one rule per test, on a
 * signed-in notification session fed the server's echoes and refusals:
 * what goes on the wire, when the next step goes, what is rolled back. */
#include "config.h"

#include <string.h>

#include "msnp-list-edit.h"
#include "ns-recorder.h"

/* Groups 0 Other, 1 Work, 2 Home; bob (FL AL RL) in all three, amy
 * (FL AL) in Other, carl (FL AL) in Work, eve blocked (BL RL), rae on RL
 * only. */
#define SYNC "10 5 3\r\nGTC A\r\nBLP AL\r\n" \
  "LSG 0 Other 0\r\nLSG 1 Work 0\r\nLSG 2 Home 0\r\n" \
  "LST bob@example.com Bob 11 0,1,2\r\nLST amy@example.com Amy 3 0\r\n" \
  "LST carl@example.com Carl 3 1\r\nLST eve@example.com Eve 12\r\n" \
  "LST rae@example.com Rae 8\r\n"

typedef struct {
  NsRecorder   *r;
  MsnpNs       *ns;
  MsnpListEdit *edit;
  GPtrArray    *ev;   /* the editor's events, one line each */
} Fixture;

static const char *const kind_names[] = {
  [MSNP_EDIT_ADD] = "add", [MSNP_EDIT_MOVE] = "move",
  [MSNP_EDIT_REMOVE] = "remove", [MSNP_EDIT_ADD_GROUP] = "add-group",
  [MSNP_EDIT_RENAME_GROUP] = "rename-group",
  [MSNP_EDIT_REMOVE_GROUP] = "remove-group",
  [MSNP_EDIT_ALLOW_NEW] = "allow-new", [MSNP_EDIT_ALLOW] = "allow",
  [MSNP_EDIT_BLOCK] = "block", [MSNP_EDIT_UNALLOW] = "unallow",
  [MSNP_EDIT_UNBLOCK] = "unblock", [MSNP_EDIT_RESTORE] = "restore",
  [MSNP_EDIT_PRIVACY] = "privacy", [MSNP_EDIT_GTC] = "gtc",
  [MSNP_EDIT_PHONE] = "phone", [MSNP_EDIT_UNTRACKED] = "untracked",
};

static const char *
or_dash (const char *s)
{
  return s != NULL ? s : "-";
}

static void
ev_resync_contact (gpointer u, const char *passport)
{
  g_ptr_array_add (((Fixture *) u)->ev, g_strdup_printf ("resync %s", passport));
}

static void
ev_resync_all (gpointer u)
{
  g_ptr_array_add (((Fixture *) u)->ev, g_strdup ("resync-all"));
}

static void
ev_rename_back (gpointer u, const char *wanted, const char *name)
{
  g_ptr_array_add (((Fixture *) u)->ev,
                   g_strdup_printf ("rename-back %s %s", wanted, name));
}

static void
ev_resync_privacy (gpointer u)
{
  g_ptr_array_add (((Fixture *) u)->ev, g_strdup ("resync-privacy"));
}

static void
ev_failed (gpointer u, const MsnpEditFailure *f)
{
  g_ptr_array_add (((Fixture *) u)->ev,
                   g_strdup_printf ("failed %s %s %s %s %u%s", kind_names[f->kind],
                                    or_dash (f->passport), or_dash (f->group),
                                    or_dash (f->kind == MSNP_EDIT_UNTRACKED
                                             ? f->command : f->old_name),
                                    f->code, f->sent ? "" : " unsent"));
}

static const MsnpListEditEvents edit_events = {
  .resync_contact = ev_resync_contact,
  .resync_all     = ev_resync_all,
  .rename_back    = ev_rename_back,
  .resync_privacy = ev_resync_privacy,
  .failed         = ev_failed,
};

/* The session's echoes and refusals go on to the editor, as the account
 * passes them on. */
static void
then_changed (gpointer data, guint trid, const MsnpListChange *change)
{
  msnp_list_edit_changed (((Fixture *) data)->edit, trid, change);
}

static void
then_failed (gpointer data, guint trid, const char *command, guint code)
{
  msnp_list_edit_refused (((Fixture *) data)->edit, trid, command, code);
}

static void
setup (Fixture *f, gconstpointer data)
{
  f->r = ns_recorder_new ();
  f->r->then_changed = then_changed;
  f->r->then_failed = then_failed;
  f->r->then_data = f;
  f->ns = ns_recorder_sign_in (f->r, SYNC);
  f->edit = msnp_list_edit_new (f->ns, &edit_events, f);
  f->ev = g_ptr_array_new_with_free_func (g_free);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  msnp_list_edit_free (f->edit);
  msnp_ns_free (f->ns);
  ns_recorder_free (f->r);
  g_ptr_array_unref (f->ev);
}

/* Asserts the editor's events since the last check, in order. */
static void
expect_events (Fixture *f, const char *const *expected)
{
  guint n = 0;

  while (expected[n] != NULL)
    n++;
  for (guint i = 0; i < MIN (n, f->ev->len); i++)
    g_assert_cmpstr (g_ptr_array_index (f->ev, i), ==, expected[i]);
  g_assert_cmpuint (f->ev->len, ==, n);
  g_ptr_array_set_size (f->ev, 0);
}

#define EXPECT_EVENTS(f, ...) \
  expect_events ((f), (const char *const[]) { __VA_ARGS__, NULL })
#define EXPECT_NO_EVENTS(f) g_assert_cmpuint ((f)->ev->len, ==, 0)

static const MsnpContact *
contact (Fixture *f, const char *passport)
{
  return msnp_lists_lookup (msnp_ns_get_lists (f->ns), passport);
}

/* ---- pending operations ------------------------------------------------- */

/* Nothing changes in the model until the echo; each echo settles its own
 * TrID; a new contact is allowed too (ADD AL). */
static void
test_pending_until_echo (Fixture *f, gconstpointer data)
{
  msnp_list_edit_add_contact (f->edit, "Zed@Example.com", "Work");
  ns_recorder_expect_written (f->r, "ADD 7 FL zed@example.com zed@example.com 1\r\n"
                                    "ADD 8 AL zed@example.com zed@example.com\r\n");
  g_assert_cmpuint (msnp_list_edit_n_pending (f->edit), ==, 2);
  g_assert_null (contact (f, "zed@example.com"));
  ns_feed (f->ns, "ADD 7 FL 11 zed@example.com Zed 1\r\n");
  g_assert_cmpuint (msnp_list_edit_n_pending (f->edit), ==, 1);
  g_assert_true (msnp_contact_in_group (contact (f, "zed@example.com"), "1"));
  ns_feed (f->ns, "ADD 8 AL 12 zed@example.com Zed\r\n");
  g_assert_cmpuint (msnp_list_edit_n_pending (f->edit), ==, 0);
  g_assert_cmpuint (contact (f, "zed@example.com")->lists, ==, MSNP_LIST_FL | MSNP_LIST_AL);
  /* Someone already answered (blocked) is not allowed behind our back. */
  msnp_list_edit_add_contact (f->edit, "eve@example.com", "Home");
  ns_recorder_expect_written (f->r, "ADD 9 FL eve@example.com Eve 2\r\n");
  ns_recorder_expect_written (f->r, "");
  EXPECT_NO_EVENTS (f);
}

/* ---- ADG before ADD ----------------------------------------------------- */

/* Two contacts into a group the server does not have: one ADG, and the
 * ADDs go with the new group's id once the server has created it. */
static void
test_group_created_first (Fixture *f, gconstpointer data)
{
  msnp_list_edit_add_contact (f->edit, "zed@example.com", "Pals");
  msnp_list_edit_add_contact (f->edit, "yan@example.com", "Pals");
  ns_recorder_expect_written (f->r, "ADG 7 Pals 0\r\n"
                                    "ADD 8 AL zed@example.com zed@example.com\r\n"
                                    "ADD 9 AL yan@example.com yan@example.com\r\n");
  ns_feed (f->ns, "ADG 7 11 Pals 5 0\r\n");
  ns_recorder_expect_written (f->r, "ADD 10 FL zed@example.com zed@example.com 5\r\n"
                                    "ADD 11 FL yan@example.com yan@example.com 5\r\n");
  EXPECT_NO_EVENTS (f);
}

/* A refused ADG: the contacts waiting for it go back, nothing is added. */
static void
test_group_refused_rolls_back_waiting (Fixture *f, gconstpointer data)
{
  msnp_list_edit_add_contact (f->edit, "zed@example.com", "Pals");
  msnp_list_edit_move_contact (f->edit, "amy@example.com", "Other", "Pals");
  ns_recorder_expect_written (f->r, "ADG 7 Pals 0\r\n"
                                    "ADD 8 AL zed@example.com zed@example.com\r\n");
  ns_feed (f->ns, "229 7\r\n");
  ns_recorder_expect_written (f->r, "");
  EXPECT_EVENTS (f, "resync zed@example.com", "resync amy@example.com",
                 "failed add-group - Pals - 229");
  g_assert_true (msnp_contact_in_group (contact (f, "amy@example.com"), "0"));
}

/* ---- moves -------------------------------------------------------------- */

/* ADD to the new group, and only once that is confirmed REM from the old
 * one; meanwhile the contact counts as leaving the old group. */
static void
test_move_is_add_then_remove (Fixture *f, gconstpointer data)
{
  msnp_list_edit_move_contact (f->edit, "amy@example.com", "Other", "Work");
  ns_recorder_expect_written (f->r, "ADD 7 FL amy@example.com Amy 1\r\n");
  g_assert_true (msnp_list_edit_leaving (f->edit, "amy@example.com", "0"));
  g_assert_false (msnp_list_edit_leaving (f->edit, "amy@example.com", "1"));
  ns_feed (f->ns, "ADD 7 FL 11 amy@example.com Amy 1\r\n");
  ns_recorder_expect_written (f->r, "REM 8 FL amy@example.com 0\r\n");
  g_assert_true (msnp_list_edit_leaving (f->edit, "amy@example.com", "0"));
  ns_feed (f->ns, "REM 8 FL 12 amy@example.com 0\r\n");
  g_assert_false (msnp_list_edit_leaving (f->edit, "amy@example.com", "0"));
  g_assert_cmpuint (contact (f, "amy@example.com")->groups->len, ==, 1);
  g_assert_true (msnp_contact_in_group (contact (f, "amy@example.com"), "1"));
  g_assert_true (contact (f, "amy@example.com")->lists & MSNP_LIST_FL);
  EXPECT_NO_EVENTS (f);
}

/* A refused ADD ends the move: no REM, the contact stays where it was. */
static void
test_move_refused_keeps_the_contact (Fixture *f, gconstpointer data)
{
  msnp_list_edit_move_contact (f->edit, "amy@example.com", "Other", "Work");
  ns_feed (f->ns, "ADD 7 FL 11 amy@example.com Amy 1\r\n");
  g_ptr_array_set_size (f->ev, 0);
  g_string_truncate (f->r->written, 0);
  msnp_list_edit_move_contact (f->edit, "carl@example.com", "Work", "Home");
  ns_recorder_expect_written (f->r, "ADD 9 FL carl@example.com Carl 2\r\n");
  ns_feed (f->ns, "201 9\r\n");
  ns_recorder_expect_written (f->r, "");
  EXPECT_EVENTS (f, "resync carl@example.com", "failed move carl@example.com Home - 201");
  g_assert_true (msnp_contact_in_group (contact (f, "carl@example.com"), "1"));
  g_assert_false (msnp_list_edit_leaving (f->edit, "carl@example.com", "1"));
}

/* Into a new group: ADG, then the ADD, then the REM. */
static void
test_move_into_new_group (Fixture *f, gconstpointer data)
{
  msnp_list_edit_move_contact (f->edit, "carl@example.com", "Work", "Pals");
  ns_recorder_expect_written (f->r, "ADG 7 Pals 0\r\n");
  ns_feed (f->ns, "ADG 7 11 Pals 5 0\r\n");
  ns_recorder_expect_written (f->r, "ADD 8 FL carl@example.com Carl 5\r\n");
  ns_feed (f->ns, "ADD 8 FL 12 carl@example.com Carl 5\r\n");
  ns_recorder_expect_written (f->r, "REM 9 FL carl@example.com 1\r\n");
}

/* Already in the target group on the server: the move only leaves. */
static void
test_move_to_a_group_it_is_in (Fixture *f, gconstpointer data)
{
  msnp_list_edit_move_contact (f->edit, "bob@example.com", "Other", "Work");
  ns_recorder_expect_written (f->r, "REM 7 FL bob@example.com 0\r\n");
}

/* ---- the last-group rule ------------------------------------------------ */

/* Issue 12: removing a contact from all its groups at once, the echoes
 * arriving only after every request went out.  The last removal, counting
 * the two in flight, is off the forward list; a second removal from a
 * group it is already leaving sends nothing. */
static void
test_remove_from_every_group_echoes_late (Fixture *f, gconstpointer data)
{
  msnp_list_edit_remove_contact (f->edit, "bob@example.com", "Other");
  msnp_list_edit_remove_contact (f->edit, "bob@example.com", "Work");
  msnp_list_edit_remove_contact (f->edit, "BOB@example.com", "Home");
  msnp_list_edit_remove_contact (f->edit, "bob@example.com", "Home");
  ns_recorder_expect_written (f->r, "REM 7 FL bob@example.com 0\r\n"
                                    "REM 8 FL bob@example.com 1\r\n"
                                    "REM 9 FL bob@example.com\r\n");
  g_assert_cmpuint (msnp_list_edit_n_pending (f->edit), ==, 3);
  ns_feed (f->ns, "REM 7 FL 11 bob@example.com 0\r\nREM 8 FL 12 bob@example.com 1\r\n");
  g_assert_true (contact (f, "bob@example.com")->lists & MSNP_LIST_FL);
  g_assert_true (msnp_list_edit_leaving (f->edit, "bob@example.com", "2"));
  ns_feed (f->ns, "REM 9 FL 13 bob@example.com\r\n");
  g_assert_cmpuint (contact (f, "bob@example.com")->lists, ==, MSNP_LIST_AL | MSNP_LIST_RL);
  g_assert_cmpuint (contact (f, "bob@example.com")->groups->len, ==, 0);
  g_assert_cmpuint (msnp_list_edit_n_pending (f->edit), ==, 0);
  g_assert_false (msnp_list_edit_leaving (f->edit, "bob@example.com", "2"));
  EXPECT_NO_EVENTS (f);
}

/* The same, with the middle removal refused: the contact is put back for
 * that one, and the whole-list removal still takes it off. */
static void
test_remove_from_every_group_one_refused (Fixture *f, gconstpointer data)
{
  msnp_list_edit_remove_contact (f->edit, "bob@example.com", "Other");
  msnp_list_edit_remove_contact (f->edit, "bob@example.com", "Work");
  msnp_list_edit_remove_contact (f->edit, "bob@example.com", "Home");
  ns_feed (f->ns, "REM 7 FL 11 bob@example.com 0\r\n225 8\r\n");
  EXPECT_EVENTS (f, "resync bob@example.com",
                 "failed remove bob@example.com - - 225");
  ns_feed (f->ns, "REM 9 FL 13 bob@example.com\r\n");
  g_assert_false (contact (f, "bob@example.com")->lists & MSNP_LIST_FL);
  g_assert_cmpuint (msnp_list_edit_n_pending (f->edit), ==, 0);
}

/* A removal of a copy the server does not have sends nothing. */
static void
test_remove_local_copy (Fixture *f, gconstpointer data)
{
  msnp_list_edit_remove_contact (f->edit, "amy@example.com", "Work");
  msnp_list_edit_remove_contact (f->edit, "rae@example.com", NULL);
  msnp_list_edit_remove_contact (f->edit, "nobody@example.com", "Other");
  ns_recorder_expect_written (f->r, "");
  g_assert_cmpuint (msnp_list_edit_n_pending (f->edit), ==, 0);
}

/* ---- groups ------------------------------------------------------------- */

/* RMG would move the group's contacts to group 0: they are removed first,
 * carl (only there) off the list.  A refused RMG resyncs everything. */
static void
test_remove_group_empties_it_first (Fixture *f, gconstpointer data)
{
  msnp_list_edit_remove_group (f->edit, "Work");
  ns_recorder_expect_written (f->r, "REM 7 FL bob@example.com 1\r\n"
                                    "REM 8 FL carl@example.com\r\n"
                                    "RMG 9 1\r\n");
  ns_feed (f->ns, "REM 7 FL 11 bob@example.com 1\r\nREM 8 FL 12 carl@example.com\r\n"
                  "230 9\r\n");
  EXPECT_EVENTS (f, "resync-all", "failed remove-group - Work - 230");
}

/* A refused REG puts the name back; onto an existing name the groups
 * merge as moves, and the old group stays. */
static void
test_rename_group (Fixture *f, gconstpointer data)
{
  static const char *const moved[] = { "Carl@example.com" };

  msnp_list_edit_rename_group (f->edit, "Work", "Jobs", NULL, 0);
  ns_recorder_expect_written (f->r, "REG 7 1 Jobs 0\r\n");
  ns_feed (f->ns, "228 7\r\n");
  EXPECT_EVENTS (f, "rename-back Jobs Work", "failed rename-group - Jobs Work 228");
  msnp_list_edit_rename_group (f->edit, "Work", "Home", moved, G_N_ELEMENTS (moved));
  ns_recorder_expect_written (f->r, "ADD 8 FL carl@example.com Carl 2\r\n");
}

/* Another client's group changes (TrID 0) resync the whole list. */
static void
test_foreign_group_change (Fixture *f, gconstpointer data)
{
  ns_feed (f->ns, "ADD 0 FL 11 zed@example.com Zed 0\r\n");
  EXPECT_NO_EVENTS (f);
  ns_feed (f->ns, "ADG 0 12 Pals 5 0\r\n");
  EXPECT_EVENTS (f, "resync-all");
  ns_feed (f->ns, "REG 0 13 5 Friends 0\r\n");
  EXPECT_EVENTS (f, "resync-all");
}

/* ---- privacy ------------------------------------------------------------ */

/* Blocking an allowed contact: REM AL, then ADD BL.  When the ADD is
 * refused the contact goes back on AL, not on neither list. */
static void
test_block_refused_restores (Fixture *f, gconstpointer data)
{
  msnp_list_edit_block (f->edit, "Amy@example.com");
  ns_recorder_expect_written (f->r, "REM 7 AL amy@example.com\r\n"
                                    "ADD 8 BL amy@example.com amy@example.com\r\n");
  ns_feed (f->ns, "REM 7 AL 11 amy@example.com\r\n201 8\r\n");
  ns_recorder_expect_written (f->r, "ADD 9 AL amy@example.com amy@example.com\r\n");
  EXPECT_EVENTS (f, "resync-privacy", "failed block amy@example.com - - 201");
  ns_feed (f->ns, "ADD 9 AL 12 amy@example.com Amy\r\n");
  g_assert_cmpuint (contact (f, "amy@example.com")->lists, ==, MSNP_LIST_FL | MSNP_LIST_AL);
  EXPECT_NO_EVENTS (f);
}

/* Unblocking someone who has us on their list allows them; someone who
 * does not is only taken off the block list.  Nothing is sent for what is
 * already so. */
static void
test_unblock_and_unallow (Fixture *f, gconstpointer data)
{
  msnp_list_edit_unblock (f->edit, "eve@example.com");
  ns_recorder_expect_written (f->r, "REM 7 BL eve@example.com\r\n"
                                    "ADD 8 AL eve@example.com eve@example.com\r\n");
  ns_feed (f->ns, "REM 7 BL 11 eve@example.com\r\nADD 8 AL 12 eve@example.com Eve\r\n");
  msnp_list_edit_allow (f->edit, "eve@example.com");
  msnp_list_edit_unblock (f->edit, "carl@example.com");
  ns_recorder_expect_written (f->r, "");
  msnp_list_edit_unallow (f->edit, "carl@example.com");
  ns_recorder_expect_written (f->r, "REM 9 AL carl@example.com\r\n");
  ns_feed (f->ns, "201 9\r\n");
  EXPECT_EVENTS (f, "resync-privacy", "failed unallow carl@example.com - - 201");
}

/* BLP only when the server has the other; answers and settings are
 * reported but roll nothing back. */
static void
test_settings_and_answers (Fixture *f, gconstpointer data)
{
  msnp_list_edit_set_privacy (f->edit, MSNP_LIST_AL);
  ns_recorder_expect_written (f->r, "");
  msnp_list_edit_set_privacy (f->edit, MSNP_LIST_BL);
  msnp_list_edit_answer (f->edit, "rae@example.com", "Rae R", MSNP_LIST_AL);
  msnp_list_edit_set_gtc (f->edit, FALSE);
  msnp_list_edit_set_phone (f->edit, MSNP_PHONE_HOME, "555");
  ns_recorder_expect_written (f->r, "BLP 7 BL\r\nADD 8 AL rae@example.com Rae%20R\r\n"
                                    "GTC 9 N\r\nPRP 10 PHH 555\r\n");
  ns_feed (f->ns, "201 7\r\n201 8\r\n201 9\r\n201 10\r\n");
  EXPECT_EVENTS (f, "resync-privacy", "failed privacy - - - 201",
                 "failed allow rae@example.com - - 201",
                 "failed gtc - - - 201", "failed phone - - - 201");
}

/* ---- refusals of nothing, and changes that cannot go ------------------- */

static void
test_untracked_refusal (Fixture *f, gconstpointer data)
{
  g_assert_cmpuint (msnp_ns_add_group (f->ns, "Direct"), ==, 7);
  ns_feed (f->ns, "229 7\r\n");
  EXPECT_EVENTS (f, "failed untracked - - ADG 229");
}

/* Not a passport: refused before sending, without rollback events (the
 * owner is still inside the call). */
static void
test_not_sent (Fixture *f, gconstpointer data)
{
  msnp_list_edit_add_contact (f->edit, "not a passport", "Work");
  msnp_list_edit_add_contact (f->edit, "@example.com", "Work");
  ns_recorder_expect_written (f->r, "");
  EXPECT_EVENTS (f, "failed add not a passport Work - 208 unsent",
                 "failed add @example.com Work - 208 unsent");
  g_assert_cmpuint (msnp_list_edit_n_pending (f->edit), ==, 0);
}

/* Not online: nothing is sent and nothing reported. */
static void
test_offline (void)
{
  g_autoptr (NsRecorder) r = ns_recorder_new ();
  MsnpNs *ns = msnp_ns_new ("me@example.com", &ns_recorder_events, r);
  Fixture f = { .r = r, .ns = ns, .ev = g_ptr_array_new_with_free_func (g_free) };

  f.edit = msnp_list_edit_new (ns, &edit_events, &f);
  msnp_list_edit_add_contact (f.edit, "zed@example.com", "Work");
  msnp_list_edit_block (f.edit, "zed@example.com");
  msnp_list_edit_remove_group (f.edit, "Work");
  g_assert_cmpstr (r->written->str, ==, "");
  g_assert_cmpuint (f.ev->len, ==, 0);
  msnp_list_edit_free (f.edit);
  msnp_ns_free (ns);
  g_ptr_array_unref (f.ev);
}

#define ADD(path, func) \
  g_test_add ("/list-edit/" path, Fixture, NULL, setup, func, teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("pending-until-echo", test_pending_until_echo);
  ADD ("group-created-first", test_group_created_first);
  ADD ("group-refused-rolls-back-waiting", test_group_refused_rolls_back_waiting);
  ADD ("move-is-add-then-remove", test_move_is_add_then_remove);
  ADD ("move-refused-keeps-the-contact", test_move_refused_keeps_the_contact);
  ADD ("move-into-new-group", test_move_into_new_group);
  ADD ("move-to-a-group-it-is-in", test_move_to_a_group_it_is_in);
  ADD ("remove-from-every-group-echoes-late", test_remove_from_every_group_echoes_late);
  ADD ("remove-from-every-group-one-refused", test_remove_from_every_group_one_refused);
  ADD ("remove-local-copy", test_remove_local_copy);
  ADD ("remove-group-empties-it-first", test_remove_group_empties_it_first);
  ADD ("rename-group", test_rename_group);
  ADD ("foreign-group-change", test_foreign_group_change);
  ADD ("block-refused-restores", test_block_refused_restores);
  ADD ("unblock-and-unallow", test_unblock_and_unallow);
  ADD ("settings-and-answers", test_settings_and_answers);
  ADD ("untracked-refusal", test_untracked_refusal);
  ADD ("not-sent", test_not_sent);
  g_test_add_func ("/list-edit/offline", test_offline);
  return g_test_run ();
}
