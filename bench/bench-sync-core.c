/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Benchmark of the protocol core alone: a 1,000-contact, 10-group list
 * sync followed by 300 initial presences, fed through a sans-IO MsnpNs
 * with no-op callbacks.  No libpurple, no sockets.
 *
 * The transcript is generated here, deterministically, in the shape of
 * seed 003 (SYN reply with counts, GTC, BLP, PRP, LSG…, LST… with some
 * BPR lines, then CHG and ILN…).  Only the feeding of the transcript is
 * timed (bench_feed()); the login before it and the session's teardown
 * are not.  bench/callgrind-sync.sh counts instructions in bench_feed().
 *
 * Modes:
 *   full  the whole transcript above
 *   lst   a SYN reply promising N contacts and no groups, then N LST lines
 *   base  the same SYN reply promising nothing: lst minus the LST lines
 *   cache reading the 1,000-contact list back from the plugin's cache
 *         format (what a second sign-in with an unchanged list costs)
 * Without --mode all four run.  This is a benchmark, not a test: it
 * checks that the session ended up in the expected state, never the time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msnp-ns.h"

/* ---- the transcript ---------------------------------------------------- */

typedef struct {
  guint contacts;
  guint groups;
  guint online;
} Shape;

/* The session's TrIDs after the canned login below: SYN is 5, CHG 6. */
#define SYN_TRID 5
#define CHG_TRID 6
#define LIST_VERSION "1042"

static gboolean
contact_on_fl (guint i)
{
  /* One contact in twenty is only on the reverse list (they added us). */
  return i % 20 != 19;
}

static void
append_lst (GString *out, guint i, guint n_groups)
{
  static const guint fl_masks[] = { 11, 11, 11, 3, 13, 15, 9, 11 };
  guint mask = contact_on_fl (i) ? fl_masks[i % G_N_ELEMENTS (fl_masks)] : 8;

  /* Friendly names are URL-encoded on the wire, some with UTF-8. */
  g_string_append_printf (out, "LST contact%04u@example.com ", i);
  if (i % 4 == 0)
    g_string_append_printf (out, "Contact%%20%u", i);
  else if (i % 4 == 1)
    g_string_append_printf (out, "J%%C3%%BCrgen%%20M%%C3%%BCller%%20%u", i);
  else if (i % 4 == 2)
    g_string_append_printf (out, "c%u", i);
  else
    g_string_append_printf (out, "contact%04u@example.com", i);
  g_string_append_printf (out, " %u", mask);
  if (mask & 1)
    {
      g_string_append_printf (out, " %u", i % MAX (n_groups, 1));
      if (i % 7 == 0 && n_groups > 1)
        g_string_append_printf (out, ",%u", (i + 3) % n_groups);
    }
  g_string_append (out, "\r\n");
}

static void
append_bprs (GString *out, guint i)
{
  if (i % 10 == 0)
    g_string_append_printf (out, "BPR PHH 01%%20%05u\r\n", i);
  if (i % 25 == 0)
    g_string_append_printf (out, "BPR PHM 07%%20%05u\r\nBPR MOB Y\r\n", i);
}

static char *
make_full (const Shape *s, gsize *len, guint *n_lines, guint *n_lst)
{
  GString *out = g_string_sized_new (128 * 1024);
  guint shown = 0;

  g_string_append_printf (out, "SYN %u %s %u %u\r\n", SYN_TRID, LIST_VERSION,
                          s->contacts, s->groups);
  g_string_append (out, "GTC A\r\nBLP AL\r\nPRP PHH 01%20234\r\n"
                        "PRP PHM 56%20789\r\n");
  for (guint g = 0; g < s->groups; g++)
    g_string_append_printf (out, "LSG %u %s%%20%u 0\r\n", g,
                            g == 0 ? "Other%20Contacts" : "Group", g);
  for (guint i = 0; i < s->contacts; i++)
    {
      append_lst (out, i, s->groups);
      append_bprs (out, i);
    }
  g_string_append_printf (out, "CHG %u NLN 0\r\n", CHG_TRID);
  for (guint i = 0; i < s->contacts && shown < s->online; i++)
    {
      if (!contact_on_fl (i) || i % 3 != 0)
        continue;
      g_string_append_printf (out,
                              "ILN %u NLN contact%04u@example.com c%u 0\r\n",
                              CHG_TRID, i, i);
      shown++;
    }
  if (shown < s->online)
    {
      fprintf (stderr, "bench: --online %u is more than the list allows\n",
               s->online);
      exit (2);
    }
  *n_lst = s->contacts;
  *n_lines = 0;
  for (gsize i = 0; i < out->len; i++)
    *n_lines += out->str[i] == '\n';
  *len = out->len;
  return g_string_free (out, FALSE);
}

/* SYN promising @contacts contacts and no groups, then that many LSTs. */
static char *
make_lst_only (const Shape *s, guint contacts, gsize *len, guint *n_lines)
{
  GString *out = g_string_sized_new (64 * 1024);

  g_string_append_printf (out, "SYN %u %s %u 0\r\n", SYN_TRID, LIST_VERSION,
                          contacts);
  for (guint i = 0; i < contacts; i++)
    append_lst (out, i, s->groups);
  *n_lines = 1 + contacts;
  *len = out->len;
  return g_string_free (out, FALSE);
}

/* ---- the session -------------------------------------------------------- */

typedef struct {
  gboolean online;
  gboolean closed;
  guint    presences;
  gsize    written;
} Counts;

static void
ev_write (gpointer user, const char *data, gsize len, gboolean sensitive)
{
  ((Counts *) user)->written += len;
}

static void
ev_progress (gpointer user, MsnpNsStep step)
{
}

static void
ev_redirect (gpointer user, const char *host, guint port)
{
}

static void
ev_need_ticket (gpointer user, const char *challenge)
{
}

static void
ev_synced (gpointer user, gboolean changed)
{
}

static void
ev_online (gpointer user)
{
  ((Counts *) user)->online = TRUE;
}

static void
ev_presence (gpointer user, const char *passport, MsnpStatus status,
             const char *friendly)
{
  ((Counts *) user)->presences++;
}

static void
ev_own_status (gpointer user, MsnpStatus status)
{
}

static void
ev_own_friendly (gpointer user, const char *friendly)
{
}

static void
ev_contact_changed (gpointer user, const MsnpContact *contact)
{
}

static void
ev_lists_dirty (gpointer user)
{
}

static void
ev_message (gpointer user, const char *content_type, const MsnpMime *mime)
{
}

static void
ev_server_error (gpointer user, guint code, const char *command)
{
}

static void
ev_closed (gpointer user, const GError *error)
{
  ((Counts *) user)->closed = TRUE;
}

static const MsnpNsEvents events = {
  .write = ev_write,
  .progress = ev_progress,
  .redirect = ev_redirect,
  .need_ticket = ev_need_ticket,
  .synced = ev_synced,
  .online = ev_online,
  .presence = ev_presence,
  .own_status = ev_own_status,
  .own_friendly = ev_own_friendly,
  .contact_changed = ev_contact_changed,
  .lists_dirty = ev_lists_dirty,
  .message = ev_message,
  .server_error = ev_server_error,
  .closed = ev_closed,
};

static void
feed_text (MsnpNs *ns, const char *text)
{
  msnp_ns_feed (ns, (const guint8 *) text, strlen (text));
}

/* A session that has sent SYN and waits for the reply. */
static MsnpNs *
session_at_sync (Counts *counts)
{
  MsnpNs *ns = msnp_ns_new ("alice@example.com", &events, counts);

  msnp_ns_connected (ns);
  feed_text (ns, "VER 1 MSNP8 CVR0\r\n"
                 "CVR 2 6.0.0602 6.0.0602 1.0.0000 http://example.com/s.exe "
                 "http://example.com\r\n"
                 "USR 3 TWN S lc=1033,id=507,tw=40,fs=1,ct=1062764229\r\n");
  msnp_ns_submit_ticket (ns, "t=ticket&p=profile");
  feed_text (ns, "USR 4 OK alice@example.com Alice 1 0\r\n");
  return ns;
}

/* What is timed, and what callgrind counts (--toggle-collect=bench_feed):
 * the transcript in @chunk-byte reads, as a socket would deliver it. */
G_GNUC_NO_INLINE static void
bench_feed (MsnpNs *ns, const char *data, gsize len, gsize chunk)
{
  for (gsize pos = 0; pos < len; pos += chunk)
    msnp_ns_feed (ns, (const guint8 *) data + pos, MIN (chunk, len - pos));
}

G_GNUC_NO_INLINE static void
bench_read_cache (MsnpLists *lists, const char *data, gsize len)
{
  msnp_lists_read_cache (lists, data, len);
}

static guint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) ts.tv_nsec;
}

static int
cmp_u64 (const void *a, const void *b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

typedef struct {
  guint64 median;
  guint64 min;
} Timing;

static Timing
summarise (guint64 *samples, guint n)
{
  Timing t;

  qsort (samples, n, sizeof *samples, cmp_u64);
  t.min = samples[0];
  t.median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return t;
}

/* Feeds @data through fresh sessions @iterations times; checks the end
 * state once, times every feed. */
static Timing
run_sessions (const char *data, gsize len, gsize chunk, guint iterations,
              guint want_contacts, guint want_presences)
{
  guint64 *samples = g_new (guint64, iterations);
  Timing t;

  for (guint it = 0; it < iterations; it++)
    {
      Counts counts = { 0 };
      MsnpNs *ns = session_at_sync (&counts);
      guint64 start = now_ns ();

      bench_feed (ns, data, len, chunk);
      samples[it] = now_ns () - start;
      if (!counts.online || counts.closed
          || msnp_lists_n_contacts (msnp_ns_get_lists (ns)) != want_contacts
          || counts.presences != want_presences)
        {
          fprintf (stderr, "bench: the session did not end as expected "
                   "(online %d, closed %d, %u contacts, %u presences)\n",
                   counts.online, counts.closed,
                   msnp_lists_n_contacts (msnp_ns_get_lists (ns)),
                   counts.presences);
          exit (1);
        }
      msnp_ns_free (ns);
    }
  t = summarise (samples, iterations);
  g_free (samples);
  return t;
}

static void
report (const char *mode, guint n_lines, gsize len, Timing t)
{
  printf ("%-5s %6u lines %8" G_GSIZE_FORMAT " bytes  median %9.1f us  "
          "min %9.1f us  %7.1f ns/line (median)  %7.1f ns/line (min)\n",
          mode, n_lines, len, t.median / 1e3, t.min / 1e3,
          (double) t.median / n_lines, (double) t.min / n_lines);
}

static gboolean
want (const char *mode, const char *name)
{
  return mode == NULL || strcmp (mode, name) == 0;
}

int
main (int argc, char **argv)
{
  Shape shape = { .contacts = 1000, .groups = 10, .online = 300 };
  gint iterations = 100, chunk = 4096, contacts = 1000, groups = 10,
       online = 300;
  g_autofree char *mode = NULL;
  g_autofree char *write_path = NULL;
  const GOptionEntry entries[] = {
    { "mode", 'm', 0, G_OPTION_ARG_STRING, &mode,
      "Only this mode: full, lst, base or cache", "MODE" },
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations,
      "Sessions per mode (default 100)", "N" },
    { "chunk", 'c', 0, G_OPTION_ARG_INT, &chunk,
      "Bytes per feed call (default 4096)", "BYTES" },
    { "contacts", 0, 0, G_OPTION_ARG_INT, &contacts, "Contacts (1000)", "N" },
    { "groups", 0, 0, G_OPTION_ARG_INT, &groups, "Groups (10)", "N" },
    { "online", 0, 0, G_OPTION_ARG_INT, &online, "ILN lines (300)", "N" },
    { "write", 'w', 0, G_OPTION_ARG_FILENAME, &write_path,
      "Write the full transcript to FILE and exit", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context =
    g_option_context_new ("- MSNP8 list sync through the protocol core");
  g_autoptr (GError) error = NULL;
  g_autofree char *full = NULL;
  gsize full_len;
  guint full_lines, n_lst;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (iterations < 1 || chunk < 1 || contacts < 1 || groups < 1 || online < 0
      || (mode != NULL && !want (mode, "full") && !want (mode, "lst")
          && !want (mode, "base") && !want (mode, "cache")))
    {
      fprintf (stderr, "bench: bad arguments (see --help)\n");
      return 2;
    }
  shape.contacts = (guint) contacts;
  shape.groups = (guint) groups;
  shape.online = (guint) online;

  full = make_full (&shape, &full_len, &full_lines, &n_lst);
  if (write_path != NULL)
    {
      if (!g_file_set_contents (write_path, full, (gssize) full_len, &error))
        {
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
      return 0;
    }

  printf ("# %u contacts, %u groups, %u online; %d iterations, "
          "%d-byte reads\n", shape.contacts, shape.groups, shape.online,
          iterations, chunk);
  if (want (mode, "full"))
    report ("full", full_lines, full_len,
            run_sessions (full, full_len, (gsize) chunk, (guint) iterations,
                          shape.contacts, shape.online));
  if (want (mode, "lst") || want (mode, "base"))
    {
      gsize lst_len, base_len;
      guint lst_lines, base_lines;
      g_autofree char *lst = make_lst_only (&shape, shape.contacts, &lst_len,
                                            &lst_lines);
      g_autofree char *base = make_lst_only (&shape, 0, &base_len, &base_lines);
      Timing tl = { 0 }, tb = { 0 };

      if (want (mode, "lst"))
        {
          tl = run_sessions (lst, lst_len, (gsize) chunk, (guint) iterations,
                             shape.contacts, 0);
          report ("lst", lst_lines, lst_len, tl);
        }
      if (want (mode, "base"))
        {
          tb = run_sessions (base, base_len, (gsize) chunk,
                             (guint) iterations, 0, 0);
          report ("base", base_lines, base_len, tb);
        }
      if (mode == NULL)
        printf ("=> %.1f ns per LST line ((lst - base) / %u, medians)\n",
                ((double) tl.median - (double) tb.median) / shape.contacts,
                shape.contacts);
    }
  if (want (mode, "cache"))
    {
      Counts counts = { 0 };
      MsnpNs *ns = session_at_sync (&counts);
      GString *cache = g_string_new (NULL);
      guint64 *samples = g_new (guint64, iterations);
      guint cache_lines = 0;

      /* The plugin's cache of the synced list, read back as at the
       * second sign-in. */
      bench_feed (ns, full, full_len, (gsize) chunk);
      msnp_lists_write_cache (msnp_ns_get_lists (ns), cache);
      for (gsize i = 0; i < cache->len; i++)
        cache_lines += cache->str[i] == '\n';
      for (gint it = 0; it < iterations; it++)
        {
          MsnpLists *lists = msnp_lists_new ();
          guint64 start = now_ns ();

          bench_read_cache (lists, cache->str, cache->len);
          samples[it] = now_ns () - start;
          if (msnp_lists_n_contacts (lists) != shape.contacts)
            {
              fprintf (stderr, "bench: the cache did not read back\n");
              return 1;
            }
          msnp_lists_free (lists);
        }
      report ("cache", cache_lines, cache->len,
              summarise (samples, (guint) iterations));
      g_free (samples);
      g_string_free (cache, TRUE);
      msnp_ns_free (ns);
    }
  return 0;
}
