/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target "sb": framer + dispatch through the switchboard session.
 *
 * A fresh outgoing MsnpSb is walked to a joined session by a canned
 * prefix (USR OK, CAL RINGING, JOI), with messages of every mode queued
 * before and sent after, so that TrIDs 3 to 10 name tracked messages the
 * input can ACK, NAK or refuse.  Then the input is fed in up to four
 * pieces whose sizes come from its first bytes; between the pieces the
 * owner sends, invites or (rarely) leaves.  Whatever the server says:
 * closed fires at most once and nothing fires or is written after it;
 * every message is reported at most once (acked or undelivered, never
 * both), only ids we were given are reported, and once the session is
 * over every A-mode message has been reported. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-sb.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define MAX_IDS 64

typedef struct {
  MsnpSb  *sb;
  guint    n_closed;
  gboolean event_after_close;
  gsize    touched;
  guint64  next_expected_id;      /* ids given so far are below this */
  guint8   reported[MAX_IDS];     /* 0 none, 1 acked, 2 undelivered */
  guint8   mode[MAX_IDS];         /* the mode each id was sent with */
} Fuzz;

static void
after_close_check (Fuzz *f)
{
  if (f->n_closed > 0)
    f->event_after_close = TRUE;
}

static void
touch (Fuzz *f, const char *s)
{
  if (s != NULL)
    f->touched += strlen (s);
}

static void
ev_write (gpointer user, const char *data, gsize len, gboolean sensitive)
{
  Fuzz *f = user;

  after_close_check (f);
  for (gsize i = 0; i < len; i++)
    f->touched += (guchar) data[i];
}

static void
ev_ready (gpointer user)
{
  after_close_check (user);
}

static void
ev_joined (gpointer user, const char *passport, const char *friendly,
           gboolean initial)
{
  after_close_check (user);
  touch (user, passport);
  touch (user, friendly);
}

static void
ev_left (gpointer user, const char *passport, gboolean idle)
{
  after_close_check (user);
  touch (user, passport);
}

static void
ev_message (gpointer user, const char *passport, const char *friendly,
            const char *content_type, const MsnpMime *mime)
{
  gsize len = 0;
  const guint8 *body;
  Fuzz *f = user;

  after_close_check (f);
  touch (f, passport);
  touch (f, friendly);
  touch (f, content_type);
  body = msnp_mime_body (mime, &len);
  for (gsize i = 0; i < len; i++)
    f->touched += body[i];
}

static void
report (Fuzz *f, guint64 id, guint8 how)
{
  after_close_check (f);
  if (id == 0 || id >= f->next_expected_id || id >= MAX_IDS)
    abort ();
  if (f->reported[id] != 0)
    abort ();
  /* U messages are never reported. */
  if (f->mode[id] == MSNP_SB_ACK_NONE)
    abort ();
  f->reported[id] = how;
}

static void
ev_acked (gpointer user, guint64 id)
{
  report (user, id, 1);
}

static void
ev_undelivered (gpointer user, guint64 id, GBytes *payload, guint code,
                gboolean ended)
{
  Fuzz *f = user;

  if (payload == NULL || g_bytes_get_size (payload) == 0)
    abort ();
  report (f, id, 2);
}

static void
ev_call_failed (gpointer user, const char *passport, guint code)
{
  after_close_check (user);
  touch (user, passport);
}

static void
ev_closed (gpointer user, const GError *error)
{
  Fuzz *f = user;

  after_close_check (f);
  if (error != NULL)
    touch (f, error->message);
  f->n_closed++;
}

static const MsnpSbEvents events = {
  .write = ev_write,
  .ready = ev_ready,
  .joined = ev_joined,
  .left = ev_left,
  .message = ev_message,
  .acked = ev_acked,
  .undelivered = ev_undelivered,
  .call_failed = ev_call_failed,
  .closed = ev_closed,
};

static const char payload_text[] =
  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
  "X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n\r\nhello";

static void
send_one (Fuzz *f, MsnpSbAckMode mode)
{
  GBytes *payload = g_bytes_new_static (payload_text, sizeof payload_text - 1);
  guint64 id = msnp_sb_send (f->sb, payload, mode);

  g_bytes_unref (payload);
  if (id == 0)
    return;
  if (id != f->next_expected_id || id >= MAX_IDS)
    abort ();
  f->mode[id] = (guint8) mode;
  f->next_expected_id++;
}

static void
feed_string (MsnpSb *sb, const char *text)
{
  msnp_sb_feed (sb, (const guint8 *) text, strlen (text));
}

static void
owner_acts (Fuzz *f, guint8 choice)
{
  static const MsnpSbAckMode modes[] = {
    MSNP_SB_ACK_FULL, MSNP_SB_ACK_NAK, MSNP_SB_ACK_NONE, MSNP_SB_ACK_FULL,
  };

  send_one (f, modes[choice & 3]);
  if (choice & 0x10)
    msnp_sb_invite (f->sb, (choice & 0x20) ? "carol@passport.com"
                                            : "bob@passport.com");
  if (choice == 0xff)
    msnp_sb_leave (f->sb);
  (void) msnp_sb_is_ready (f->sb);
  (void) msnp_sb_n_pending (f->sb);
  (void) msnp_sb_session_id (f->sb);
  for (guint i = 0; i < msnp_sb_participants (f->sb)->len; i++)
    touch (f, g_ptr_array_index (msnp_sb_participants (f->sb), i));
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  Fuzz f = { .next_expected_id = 1 };
  size_t cut[4];
  size_t pos = 0;
  guint n_cuts = 0;

  f.sb = msnp_sb_new_outgoing ("alice@passport.com", "cookie.123",
                               &events, &f);
  /* Queued before anyone is there: TrIDs 3, 4 after the JOI. */
  send_one (&f, MSNP_SB_ACK_FULL);
  send_one (&f, MSNP_SB_ACK_NAK);
  msnp_sb_invite (f.sb, "bob@passport.com");
  msnp_sb_connected (f.sb);
  feed_string (f.sb, "USR 1 OK alice@passport.com Alice\r\n"
                     "CAL 2 RINGING 11752013\r\n"
                     "JOI bob@passport.com Bob\r\n");
  if (!msnp_sb_is_ready (f.sb) || f.n_closed != 0)
    abort ();
  /* Sent at once: TrIDs 5 to 10. */
  send_one (&f, MSNP_SB_ACK_FULL);
  send_one (&f, MSNP_SB_ACK_NONE);
  send_one (&f, MSNP_SB_ACK_FULL);
  send_one (&f, MSNP_SB_ACK_NAK);
  send_one (&f, MSNP_SB_ACK_FULL);
  send_one (&f, MSNP_SB_ACK_FULL);

  for (guint i = 0; i < 3 && i < size; i++)
    cut[n_cuts++] = MIN (size, (size_t) data[i] * size / 255);
  cut[n_cuts++] = size;

  for (guint i = 0; i < n_cuts; i++)
    {
      size_t end = MAX (pos, cut[i]);

      msnp_sb_feed (f.sb, data + pos, end - pos);
      pos = end;
      owner_acts (&f, size > 0 ? data[(i * 7 + 3) % size] : 0);
    }
  if (f.n_closed == 0)
    msnp_sb_disconnected (f.sb);
  if (f.n_closed != 1 || f.event_after_close)
    abort ();
  /* Closed is final. */
  if (msnp_sb_feed (f.sb, (const guint8 *) "ACK 5\r\n", 7) ||
      msnp_sb_n_pending (f.sb) != 0)
    abort ();
  msnp_sb_disconnected (f.sb);
  msnp_sb_leave (f.sb);
  if (f.n_closed != 1 || f.event_after_close)
    abort ();
  /* Nothing in A mode went unreported. */
  for (guint64 id = 1; id < f.next_expected_id; id++)
    if (f.mode[id] == MSNP_SB_ACK_FULL && f.reported[id] == 0)
      abort ();
  msnp_sb_free (f.sb);
  return 0;
}
