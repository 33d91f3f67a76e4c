/* SPDX-License-Identifier: GPL-2.0-or-later */
/* MsnpLists: seed 003's sync, LST disambiguation, BPR/PRP, the cache. */
#include "config.h"

#include "msnp-lists.h"
#include "test-util.h"

static MsnpContact *
apply_line (MsnpLists *lists, const char *line)
{
  MsnpFrame frame = { .line = line, .line_len = strlen (line) };
  MsnpCommand cmd;

  if (!msnp_command_parse (&cmd, &frame))
    return NULL;
  return msnp_lists_apply (lists, &cmd);
}

static gboolean
apply_frame (const MsnpFrame *frame, gpointer data)
{
  MsnpCommand cmd;

  if (msnp_command_parse (&cmd, frame))
    msnp_lists_apply (data, &cmd);
  return TRUE;
}

/* Every frame of seed 003's server side goes through apply; the lists
 * use the sync lines and ignore the rest. */
static MsnpLists *
load_seed (void)
{
  g_autoptr (GBytes) seed = test_load_data ("seed003-server.txt");
  g_autoptr (MsnpFramer) framer = msnp_framer_new ();
  MsnpLists *lists = msnp_lists_new ();
  gsize len;
  const guint8 *data = g_bytes_get_data (seed, &len);

  /* Byte by byte, as the packets in the seed arrive split. */
  for (gsize i = 0; i < len; i++)
    g_assert_true (msnp_framer_feed (framer, data + i, 1, apply_frame, lists, NULL));
  msnp_lists_set_version (lists, "27");
  return lists;
}

static char *
join_groups (const MsnpContact *c)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < c->groups->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, g_ptr_array_index (c->groups, i));
    }
  return g_string_free (s, FALSE);
}

static void
collect_passport (MsnpContact *contact, gpointer data)
{
  GString *s = data;

  g_string_append_printf (s, "%s;", contact->passport);
}

/* What seed 003 says Alice's lists hold. */
static void
check_seed_model (MsnpLists *lists)
{
  g_autoptr (GString) order = g_string_new (NULL);
  const GPtrArray *groups = msnp_lists_get_groups (lists);
  MsnpContact *c;
  g_autofree char *g1 = NULL, *g2 = NULL, *g3 = NULL;

  g_assert_cmpstr (msnp_lists_get_version (lists), ==, "27");
  g_assert_cmpint (msnp_lists_get_gtc (lists), ==, 'A');
  g_assert_cmpint (msnp_lists_get_blp (lists), ==, MSNP_LIST_AL);
  g_assert_cmpstr (msnp_lists_get_own_phone (lists, MSNP_PHONE_HOME), ==, "01 234");
  g_assert_null (msnp_lists_get_own_phone (lists, MSNP_PHONE_WORK));
  g_assert_cmpstr (msnp_lists_get_own_phone (lists, MSNP_PHONE_MOBILE), ==, "56 789");

  g_assert_cmpuint (groups->len, ==, 4);
  g_assert_cmpstr (((MsnpGroup *) g_ptr_array_index (groups, 0))->name, ==, "Other Contacts");
  g_assert_cmpstr (((MsnpGroup *) g_ptr_array_index (groups, 3))->id, ==, "3");
  g_assert_cmpstr (msnp_lists_get_group (lists, "1")->name, ==, "Coworkers");
  g_assert_cmpstr (msnp_lists_get_group (lists, "2")->name, ==, "Friends");
  g_assert_cmpstr (msnp_lists_get_group (lists, "3")->name, ==, "Family");
  g_assert_null (msnp_lists_get_group (lists, "4"));

  g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 5);
  msnp_lists_foreach (lists, collect_passport, order);
  g_assert_cmpstr (order->str, ==,
                   "bob@passport.com;carol@passport.com;dave@passport.com;"
                   "eve@passport.com;fred@passport.com;");

  c = msnp_lists_lookup (lists, "bob@passport.com");
  g_assert_nonnull (c);
  g_assert_cmpstr (c->friendly, ==, "Bob");
  g_assert_cmpuint (c->lists, ==, MSNP_LIST_FL | MSNP_LIST_BL | MSNP_LIST_RL);
  g1 = join_groups (c);
  g_assert_cmpstr (g1, ==, "0");
  g_assert_true (c->mobile);
  for (int i = 0; i < MSNP_N_PHONES; i++)
    g_assert_null (c->phones[i]);

  c = msnp_lists_lookup (lists, "carol@passport.com");
  g_assert_cmpstr (c->friendly, ==, "Carol");
  g_assert_cmpuint (c->lists, ==, MSNP_LIST_FL | MSNP_LIST_AL);
  g_assert_false (c->mobile);
  /* The seed's prose calls it her work number; the wire says PHM. */
  g_assert_cmpstr (c->phones[MSNP_PHONE_MOBILE], ==, "9876-54321");
  g_assert_null (c->phones[MSNP_PHONE_WORK]);

  c = msnp_lists_lookup (lists, "Dave@Passport.com");
  g_assert_cmpstr (c->friendly, ==, "dave@passport.com");
  g_assert_cmpuint (c->lists, ==, MSNP_LIST_FL);
  g2 = join_groups (c);
  g_assert_cmpstr (g2, ==, "1,2,3");
  g_assert_cmpstr (c->phones[MSNP_PHONE_HOME], ==, "3.1415926535");
  g_assert_cmpstr (c->phones[MSNP_PHONE_WORK], ==, "2.71841844");
  g_assert_cmpstr (c->phones[MSNP_PHONE_MOBILE], ==, "sqrt(-1)");

  c = msnp_lists_lookup (lists, "eve@passport.com");
  g_assert_cmpstr (c->friendly, ==, "Eavesdropper");
  g_assert_cmpuint (c->lists, ==, MSNP_LIST_BL | MSNP_LIST_RL);
  g3 = join_groups (c);
  g_assert_cmpstr (g3, ==, "");

  c = msnp_lists_lookup (lists, "fred@passport.com");
  g_assert_cmpstr (c->friendly, ==, "Fred");
  g_assert_cmpuint (c->lists, ==, MSNP_LIST_RL);
  g_assert_cmpuint (c->groups->len, ==, 0);

  g_assert_null (msnp_lists_lookup (lists, "emily@passport.com"));
}

static void
test_seed_sync (void)
{
  g_autoptr (MsnpLists) lists = load_seed ();

  check_seed_model (lists);
}

static void
test_cache_round_trip (void)
{
  g_autoptr (MsnpLists) lists = load_seed ();
  g_autoptr (MsnpLists) back = msnp_lists_new ();
  g_autoptr (MsnpLists) again = msnp_lists_new ();
  g_autoptr (GString) cache = g_string_new (NULL);
  g_autoptr (GString) cache2 = g_string_new (NULL);
  MsnpContact *odd;

  /* Names that are hard to keep: numbers, spaces, '%', UTF-8. */
  odd = msnp_lists_ensure (lists, "Num@Example.com", "42");
  odd->lists = MSNP_LIST_FL;
  g_ptr_array_add (odd->groups, g_strdup ("3"));
  odd = msnp_lists_ensure (lists, "zero@example.com", "7");
  odd->lists = 0;
  odd = msnp_lists_ensure (lists, "utf@example.com", "Zo\xc3\xab 100% \xe2\x98\x83");
  odd->lists = MSNP_LIST_AL | MSNP_LIST_RL;
  odd->phones[MSNP_PHONE_WORK] = g_strdup ("+1 555 0100");
  apply_line (lists, "LSG 9 2004 0");
  apply_line (lists, "GTC N");
  apply_line (lists, "BLP BL");

  msnp_lists_write_cache (lists, cache);
  g_assert_true (g_str_has_prefix (cache->str, "SYN 0 27\r\n"));
  g_assert_nonnull (strstr (cache->str, "LSG 0 Other%20Contacts 0\r\n"));
  g_assert_nonnull (strstr (cache->str, "LST dave@passport.com dave@passport.com 1 1,2,3\r\n"));
  g_assert_true (msnp_lists_read_cache (back, cache->str, cache->len));
  msnp_lists_write_cache (back, cache2);
  g_assert_cmpstr (cache2->str, ==, cache->str);

  g_assert_cmpint (msnp_lists_get_gtc (back), ==, 'N');
  g_assert_cmpint (msnp_lists_get_blp (back), ==, MSNP_LIST_BL);
  g_assert_cmpstr (msnp_lists_get_group (back, "9")->name, ==, "2004");
  odd = msnp_lists_lookup (back, "num@example.com");
  g_assert_cmpstr (odd->friendly, ==, "42");
  g_assert_cmpuint (odd->lists, ==, MSNP_LIST_FL);
  g_assert_cmpuint (odd->groups->len, ==, 1);
  odd = msnp_lists_lookup (back, "zero@example.com");
  g_assert_cmpstr (odd->friendly, ==, "7");
  g_assert_cmpuint (odd->lists, ==, 0);
  odd = msnp_lists_lookup (back, "utf@example.com");
  g_assert_cmpstr (odd->friendly, ==, "Zo\xc3\xab 100% \xe2\x98\x83");
  g_assert_cmpstr (odd->phones[MSNP_PHONE_WORK], ==, "+1 555 0100");

  /* LF-only caches read the same. */
  {
    g_autoptr (MsnpLists) seed = load_seed ();
    g_autoptr (GString) seed_cache = g_string_new (NULL);
    g_autofree char *lf = NULL;
    g_auto (GStrv) parts = NULL;

    msnp_lists_write_cache (seed, seed_cache);
    parts = g_strsplit (seed_cache->str, "\r\n", -1);
    lf = g_strjoinv ("\n", parts);
    g_assert_true (msnp_lists_read_cache (again, lf, strlen (lf)));
    check_seed_model (again);
  }
}

static void
test_read_cache_garbage (void)
{
  static const char *const bad[] = {
    "", "hello", "\r\n\r\n", "LST a@b.c Name 1\r\nSYN 0 5\r\n",
    "SYN\r\nLST a@b.c A 1\r\n", "MSG a b 3\r\nabc", "SYNX 0 1\r\n",
  };
  g_autoptr (MsnpLists) lists = load_seed ();

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (msnp_lists_read_cache (lists, bad[i], strlen (bad[i])));
      g_assert_cmpstr (msnp_lists_get_version (lists), ==, "0");
      g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 0);
      g_assert_cmpuint (msnp_lists_get_groups (lists)->len, ==, 0);
    }
  g_assert_false (msnp_lists_read_cache (lists, NULL, 0));

  /* Binary noise, including NULs: no crash, whatever the verdict. */
  for (int round = 0; round < 100; round++)
    {
      gsize len = (gsize) g_test_rand_int_range (0, 600);
      g_autofree char *data = g_malloc (len + 1);

      for (gsize i = 0; i < len; i++)
        data[i] = (char) g_test_rand_int_range (0, 256);
      if (len > 10 && g_test_rand_bit ())
        memcpy (data, "SYN 0 1\r\nLST ", 10);
      msnp_lists_read_cache (lists, data, len);
    }

  /* A damaged line in the middle costs that line only; an over-long one
   * is skipped. */
  {
    g_autofree char *longline = g_strnfill (MSNP_FRAMER_MAX_LINE + 10, 'x');
    g_autofree char *text = g_strconcat ("SYN 0 12\r\nLST a@b.c A 1\r\n#$%\r\n", longline,
                                         "\r\nLST c@d.e C 8\r\n", NULL);

    g_assert_true (msnp_lists_read_cache (lists, text, strlen (text)));
    g_assert_cmpstr (msnp_lists_get_version (lists), ==, "12");
    g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 2);
  }
  /* The text need not be NUL-terminated. */
  {
    const char *text = "SYN 0 3\r\nLST a@b.c A 1\r\nLST c@d.e C 8";

    g_assert_true (msnp_lists_read_cache (lists, text, strlen (text) - 13));
    g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 1);
  }
}

typedef struct {
  const char *line;
  gboolean    applies;
  const char *friendly;
  guint       mask;
  const char *groups;
} LstCase;

static const LstCase lst_cases[] = {
  { "LST a@b.c 1", TRUE, "a@b.c", 1, "" },
  { "LST a@b.c Name 8", TRUE, "Name", 8, "" },
  { "LST a@b.c 1 1,2,3", TRUE, "a@b.c", 1, "1,2,3" },
  { "LST a@b.c 13 0", TRUE, "a@b.c", 13, "0" },
  { "LST a@b.c 42 8", TRUE, "42", 8, "" },        /* 42 lacks FL: a name */
  { "LST a@b.c 2 1", TRUE, "2", 1, "" },
  { "LST a@b.c 3 x-7", TRUE, "a@b.c", 3, "x-7" }, /* opaque group id */
  { "LST a@b.c 9 abc,def", TRUE, "a@b.c", 9, "abc,def" },
  { "LST a@b.c Name 1 0 extra more", TRUE, "Name", 1, "0" },
  { "LST a@b.c Name%20X 3 0", TRUE, "Name X", 3, "0" },
  { "LST A@B.C  Name   11  ", TRUE, "Name", 11, "" },
  { "LST a@b.c %3742 1", TRUE, "742", 1, "" },     /* escaped digit: a name */
  { "LST a@b.c Name 255", TRUE, "Name", 15, "" },  /* unknown bits dropped */
  { "LST a@b.c Bad%FF%FEName 1", TRUE, "Bad\xef\xbf\xbd\xef\xbf\xbdName", 1, "" },
  { "LST a@b.c", FALSE, NULL, 0, NULL },
  { "LST", FALSE, NULL, 0, NULL },
  { "LST a@b.c Name", FALSE, NULL, 0, NULL },
  { "LST a@b.c Name Other", FALSE, NULL, 0, NULL },
  { "LST a@b.c Name Other Third", FALSE, NULL, 0, NULL },
  { "LST a@b.c 1 ,", FALSE, NULL, 0, NULL },
  { "LST a@b.c 1 1\t2", FALSE, NULL, 0, NULL },    /* control byte in an id */
  { "LST a\tb@c.d N 1", FALSE, NULL, 0, NULL },
  { "LST a\xff@c.d N 1", FALSE, NULL, 0, NULL },   /* passport not UTF-8 */
};

static void
test_lst_case (gconstpointer data)
{
  const LstCase *c = data;
  g_autoptr (MsnpLists) lists = msnp_lists_new ();
  MsnpContact *contact = apply_line (lists, c->line);
  g_autofree char *groups = NULL;

  if (!c->applies)
    {
      g_assert_null (contact);
      g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 0);
      return;
    }
  g_assert_nonnull (contact);
  g_assert_cmpstr (contact->passport, ==, "a@b.c");
  g_assert_cmpstr (contact->friendly, ==, c->friendly);
  g_assert_cmpuint (contact->lists, ==, c->mask);
  groups = join_groups (contact);
  g_assert_cmpstr (groups, ==, c->groups);
}

static void
test_settings_lines (void)
{
  g_autoptr (MsnpLists) lists = msnp_lists_new ();
  MsnpContact *bob;

  g_assert_cmpstr (msnp_lists_get_version (lists), ==, "0");
  g_assert_cmpint (msnp_lists_get_gtc (lists), ==, 'A');
  g_assert_null (apply_line (lists, "GTC N"));
  g_assert_cmpint (msnp_lists_get_gtc (lists), ==, 'N');
  apply_line (lists, "GTC 12 345 A");   /* a change reply with TrID */
  g_assert_cmpint (msnp_lists_get_gtc (lists), ==, 'A');
  apply_line (lists, "GTC Q");          /* nonsense: ignored */
  g_assert_cmpint (msnp_lists_get_gtc (lists), ==, 'A');
  apply_line (lists, "GTC");
  apply_line (lists, "BLP BL");
  g_assert_cmpint (msnp_lists_get_blp (lists), ==, MSNP_LIST_BL);
  apply_line (lists, "BLP 13 346 AL");
  g_assert_cmpint (msnp_lists_get_blp (lists), ==, MSNP_LIST_AL);
  apply_line (lists, "BLP");

  apply_line (lists, "PRP PHW 555%201234");
  g_assert_cmpstr (msnp_lists_get_own_phone (lists, MSNP_PHONE_WORK), ==, "555 1234");
  apply_line (lists, "PRP PHW");        /* no value: cleared */
  g_assert_null (msnp_lists_get_own_phone (lists, MSNP_PHONE_WORK));
  apply_line (lists, "PRP 14 347 PHH 1");
  g_assert_cmpstr (msnp_lists_get_own_phone (lists, MSNP_PHONE_HOME), ==, "1");
  apply_line (lists, "PRP MFN Me");     /* not a phone: ignored */

  /* BPR before any LST has nobody to apply to. */
  g_assert_null (apply_line (lists, "BPR PHH 123"));
  g_assert_null (apply_line (lists, "BPR MOB Y"));
  bob = apply_line (lists, "LST bob@passport.com Bob 13 0");
  g_assert_true (apply_line (lists, "BPR MOB Y") == bob);
  g_assert_true (bob->mobile);
  g_assert_true (apply_line (lists, "BPR MOB N") == bob);
  g_assert_false (bob->mobile);
  g_assert_true (apply_line (lists, "BPR PHH 12%2034") == bob);
  g_assert_cmpstr (bob->phones[MSNP_PHONE_HOME], ==, "12 34");
  apply_line (lists, "BPR PHH");
  g_assert_null (bob->phones[MSNP_PHONE_HOME]);
  g_assert_null (apply_line (lists, "BPR XYZ 1"));
  /* The long form names its contact. */
  apply_line (lists, "LST carol@passport.com Carol 3");
  g_assert_true (apply_line (lists, "BPR 12182 BOB@passport.com PHW 9") == bob);
  g_assert_cmpstr (bob->phones[MSNP_PHONE_WORK], ==, "9");
  g_assert_null (apply_line (lists, "BPR 12182 nobody@passport.com PHW 9"));

  /* LSG adds, renames, and tolerates a missing trailing 0. */
  apply_line (lists, "LSG 0 Other%20Contacts 0");
  apply_line (lists, "LSG 1 Work");
  apply_line (lists, "LSG 0 Renamed 0");
  apply_line (lists, "LSG 5");
  g_assert_cmpuint (msnp_lists_get_groups (lists)->len, ==, 2);
  g_assert_cmpstr (msnp_lists_get_group (lists, "0")->name, ==, "Renamed");
  g_assert_cmpstr (msnp_lists_get_group (lists, "1")->name, ==, "Work");

  /* Commands that are not sync lines are ignored. */
  g_assert_null (apply_line (lists, "ADD 10 AL 28 fred@passport.com Fred 1"));
  g_assert_null (apply_line (lists, "ILN 9 NLN bob@passport.com Bob 24"));
  g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 2);
}

static void
test_contacts_api (void)
{
  g_autoptr (MsnpLists) lists = msnp_lists_new ();
  MsnpContact *a, *b;

  a = msnp_lists_ensure (lists, "A@Example.com", NULL);
  g_assert_cmpstr (a->passport, ==, "a@example.com");
  g_assert_cmpstr (a->friendly, ==, "a@example.com");
  g_assert_cmpuint (a->lists, ==, 0);
  b = msnp_lists_ensure (lists, "a@example.COM", "Anna");
  g_assert_true (a == b);
  g_assert_cmpstr (a->friendly, ==, "Anna");
  msnp_lists_ensure (lists, "b@example.com", "");
  g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 2);

  /* Removing the contact of the last LST makes a following BPR a no-op. */
  apply_line (lists, "LST c@example.com C 1");
  msnp_lists_remove (lists, "C@example.com");
  g_assert_null (apply_line (lists, "BPR PHH 1"));
  msnp_lists_remove (lists, "nobody@example.com");
  msnp_lists_remove (lists, "a@example.com");
  g_assert_null (msnp_lists_lookup (lists, "a@example.com"));
  g_assert_nonnull (msnp_lists_lookup (lists, "b@example.com"));
  g_assert_null (msnp_lists_lookup (lists, NULL));

  msnp_lists_set_version (lists, "99");
  apply_line (lists, "LSG 1 G 0");
  apply_line (lists, "PRP PHH 1");
  msnp_lists_clear (lists);
  g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, 0);
  g_assert_cmpuint (msnp_lists_get_groups (lists)->len, ==, 0);
  g_assert_null (msnp_lists_get_own_phone (lists, MSNP_PHONE_HOME));
  g_assert_cmpstr (msnp_lists_get_version (lists), ==, "99");
  msnp_lists_set_version (lists, NULL);
  g_assert_cmpstr (msnp_lists_get_version (lists), ==, "0");
}

/* Oversized names are cut at a character boundary, so every cache line
 * stays readable; oversized passports and ids are refused. */
static void
test_limits (void)
{
  g_autoptr (MsnpLists) lists = msnp_lists_new ();
  g_autoptr (MsnpLists) back = msnp_lists_new ();
  g_autoptr (GString) line = g_string_new ("LST big@example.com ");
  g_autoptr (GString) cache = g_string_new (NULL);
  g_autoptr (GString) cache2 = g_string_new (NULL);
  MsnpContact *c;

  for (int i = 0; i < 400; i++)
    g_string_append (line, "%E2%98%83");   /* 3 bytes each once decoded */
  g_string_append (line, " 1 ");
  for (int i = 0; i < 100; i++)
    g_string_append_printf (line, "%s%d", i ? "," : "", i);
  c = apply_line (lists, line->str);
  g_assert_nonnull (c);
  g_assert_cmpuint (strlen (c->friendly), <=, 387);
  g_assert_cmpuint (strlen (c->friendly) % 3, ==, 0);
  g_assert_true (g_utf8_validate (c->friendly, -1, NULL));
  g_assert_cmpuint (c->groups->len, <=, 32);

  c = msnp_lists_ensure (lists, "raw@example.com", "\xff\xfe");
  g_assert_true (g_utf8_validate (c->friendly, -1, NULL));

  {
    g_autofree char *long_passport = g_strnfill (300, 'p');
    g_autofree char *l2 = g_strdup_printf ("LST %s N 1", long_passport);
    g_autofree char *long_id = g_strnfill (40, '7');
    g_autofree char *l3 = g_strdup_printf ("LSG %s Name 0", long_id);

    g_assert_null (apply_line (lists, l2));
    apply_line (lists, l3);
    g_assert_cmpuint (msnp_lists_get_groups (lists)->len, ==, 0);
  }

  msnp_lists_write_cache (lists, cache);
  g_assert_true (msnp_lists_read_cache (back, cache->str, cache->len));
  msnp_lists_write_cache (back, cache2);
  g_assert_cmpstr (cache->str, ==, cache2->str);
}

/* Issues 13.10 and 9.10: control characters (CR/LF above all) in names
 * from the server never reach the buddy list; a tab stays. */
static void
test_names_lose_controls (void)
{
  g_autoptr (MsnpLists) lists = msnp_lists_new ();
  MsnpContact *c;

  c = apply_line (lists, "LST bob@example.com Bob%0D%0AEvil%07%1B[31m%C2%9B 11 0");
  g_assert_cmpstr (c->friendly, ==, "BobEvil[31m");
  apply_line (lists, "LSG 0 Pals%0A%09Two 0");
  g_assert_cmpstr (msnp_lists_get_group (lists, "0")->name, ==, "Pals\tTwo");
  c = msnp_lists_ensure (lists, "amy@example.com", "Amy\r\nPond");
  g_assert_cmpstr (c->friendly, ==, "AmyPond");
  /* Nothing but controls: the passport stands in, as for no name. */
  c = apply_line (lists, "LST eve@example.com %0D%0A 11 0");
  g_assert_cmpstr (c->friendly, ==, "eve@example.com");
}

/* The model keeps at most MSNP_LISTS_MAX_CONTACTS contacts and says so. */
static void
test_contact_cap (void)
{
  g_autoptr (MsnpLists) lists = msnp_lists_new ();

  for (guint i = 0; i <= MSNP_LISTS_MAX_CONTACTS; i++) {
    g_autofree char *line = g_strdup_printf ("LST c%u@example.com C 11 0", i);
    MsnpContact *c = apply_line (lists, line);

    g_assert_true ((c != NULL) == (i < MSNP_LISTS_MAX_CONTACTS));
  }
  g_assert_cmpuint (msnp_lists_n_contacts (lists), ==, MSNP_LISTS_MAX_CONTACTS);
  g_assert_true (msnp_lists_overflowed (lists));
  /* Known contacts still change; new ones are refused everywhere. */
  g_assert_nonnull (apply_line (lists, "LST c1@example.com D 11 0"));
  g_assert_null (msnp_lists_ensure (lists, "new@example.com", NULL));
  msnp_lists_clear (lists);
  g_assert_false (msnp_lists_overflowed (lists));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lists/seed003-sync", test_seed_sync);
  g_test_add_func ("/lists/cache-round-trip", test_cache_round_trip);
  g_test_add_func ("/lists/read-cache-garbage", test_read_cache_garbage);
  for (gsize i = 0; i < G_N_ELEMENTS (lst_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/lists/lst/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &lst_cases[i], test_lst_case);
    }
  g_test_add_func ("/lists/settings-lines", test_settings_lines);
  g_test_add_func ("/lists/contacts-api", test_contacts_api);
  g_test_add_func ("/lists/limits", test_limits);
  g_test_add_func ("/lists/names-lose-controls", test_names_lose_controls);
  g_test_add_func ("/lists/contact-cap", test_contact_cap);
  return g_test_run ();
}
