/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fuzz target "ns": framer + dispatch through the notification session.
 *
 * A fresh MsnpNs is walked through a canned login (VER, CVR, USR TWN S,
 * ticket, USR OK, a SYN reply promising no contacts) so that it stands
 * online, and then the input is fed to it in up to four pieces whose
 * sizes come from the input's first bytes.  Between the pieces the owner
 * does what an owner does at any time: keepalives, status and friendly
 * name changes, switchboard requests.  Whatever the server says, the session must neither crash
 * nor leak, must fire closed at most once, and must stay silent after. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msnp-ns.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

typedef struct {
  MsnpNs  *ns;
  guint    n_closed;
  gboolean write_after_close;
  gsize    written;
  gboolean redirected;   /* reconnect before the next piece */
  gboolean want_ticket;  /* submit a ticket before the next piece */
} Fuzz;

static void
ev_write (gpointer user, const char *data, gsize len, gboolean sensitive)
{
  Fuzz *f = user;

  if (f->n_closed > 0)
    f->write_after_close = TRUE;
  /* Touch every byte, so a sanitizer sees a bad buffer here. */
  for (gsize i = 0; i < len; i++)
    f->written += (guchar) data[i];
}

static void
ev_progress (gpointer user, MsnpNsStep step)
{
}

static void
ev_redirect (gpointer user, const char *host, guint port)
{
  Fuzz *f = user;

  f->written += strlen (host) + port;
  f->redirected = TRUE;
}

static void
ev_need_ticket (gpointer user, const char *challenge)
{
  Fuzz *f = user;

  f->written += strlen (challenge);
  f->want_ticket = TRUE;
}

static void
ev_synced (gpointer user, gboolean changed)
{
}

static void
ev_online (gpointer user)
{
}

static void
ev_presence (gpointer user, const char *passport, MsnpStatus status,
             const char *friendly)
{
  Fuzz *f = user;

  if (status >= MSNP_N_STATUSES)
    abort ();
  f->written += strlen (passport) + (friendly ? strlen (friendly) : 0);
}

static void
ev_own_status (gpointer user, MsnpStatus status)
{
  if (status >= MSNP_N_STATUSES)
    abort ();
}

static void
ev_own_friendly (gpointer user, const char *friendly)
{
  Fuzz *f = user;

  f->written += strlen (friendly);
}

static void
ev_contact_changed (gpointer user, const MsnpContact *contact)
{
  Fuzz *f = user;

  f->written += strlen (contact->passport) + strlen (contact->friendly);
  for (guint i = 0; i < contact->groups->len; i++)
    f->written += strlen (g_ptr_array_index (contact->groups, i));
}

static void
ev_lists_dirty (gpointer user)
{
}

static void
ev_message (gpointer user, const char *content_type, const MsnpMime *mime)
{
  Fuzz *f = user;

  f->written += strlen (content_type);
}

static void
ev_server_error (gpointer user, guint code, const char *command)
{
  Fuzz *f = user;

  f->written += code + strlen (command);
}

static void
ev_switchboard (gpointer user, guint request, const char *host, guint port,
                const char *cookie)
{
  Fuzz *f = user;

  f->written += request + strlen (host) + port + strlen (cookie);
}

static void
ev_switchboard_failed (gpointer user, guint request, guint code)
{
  Fuzz *f = user;

  f->written += request + code;
}

static void
ev_ring (gpointer user, const char *session_id, const char *host, guint port,
         const char *cookie, const char *passport, const char *friendly)
{
  Fuzz *f = user;

  f->written += strlen (session_id) + strlen (host) + port + strlen (cookie)
                + strlen (passport) + strlen (friendly);
}

static void
ev_closed (gpointer user, const GError *error)
{
  Fuzz *f = user;

  if (error != NULL)
    f->written += strlen (error->message);
  f->n_closed++;
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
  .switchboard = ev_switchboard,
  .switchboard_failed = ev_switchboard_failed,
  .ring = ev_ring,
  .closed = ev_closed,
};

/* The server's side of a login up to an empty, changed list; the SYN
 * reply promises no contacts and no groups, so the session goes online
 * at once and everything the input holds arrives while online (and any
 * LST/LSG there is a change after sync). */
static const char login_before_ticket[] =
  "VER 1 MSNP8 CVR0\r\n"
  "CVR 2 6.0.0602 6.0.0602 1.0.0000 http://example.com/setup.exe http://example.com\r\n"
  "USR 3 TWN S lc=1033,id=507,tw=40,fs=1,ct=1062764229,kpp=1,kv=5\r\n";
static const char login_after_ticket[] =
  "USR 4 OK alice@passport.com Alice 1 0\r\n"
  "SYN 5 27 0 0\r\n";

static void
feed_string (MsnpNs *ns, const char *text)
{
  msnp_ns_feed (ns, (const guint8 *) text, strlen (text));
}

/* Between pieces: what the owner might do, picked by a byte of input.
 * A referral is followed (the rest of the input then plays the new
 * server, from the handshake on) and a Passport challenge is answered. */
static void
owner_acts (Fuzz *f, guint8 choice)
{
  MsnpNs *ns = f->ns;
  static const char *const names[] = {
    "Alice", "", "a%20b", "\xc3\xa9t\xc3\xa9 100%",
  };

  if (choice & 1)
    msnp_ns_keepalive (ns);
  if (choice & 2)
    msnp_ns_set_status (ns, (MsnpStatus) ((choice >> 2) % MSNP_N_STATUSES));
  if (choice & 0x20)
    msnp_ns_set_friendly (ns, names[(choice >> 6) % G_N_ELEMENTS (names)]);
  if (choice & 0x10)
    msnp_ns_request_switchboard (ns);
  if (f->redirected)
    {
      f->redirected = FALSE;
      msnp_ns_connected (ns);
    }
  if (f->want_ticket)
    {
      f->want_ticket = FALSE;
      msnp_ns_submit_ticket (ns, "t=another&p=ticket");
    }
  (void) msnp_ns_is_online (ns);
  (void) msnp_ns_get_profile (ns, "MSPAuth");
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  Fuzz f = { 0 };
  size_t cut[4];
  size_t pos = 0;
  guint n_cuts = 0;

  f.ns = msnp_ns_new ("alice@passport.com", &events, &f);
  msnp_ns_connected (f.ns);
  feed_string (f.ns, login_before_ticket);
  msnp_ns_submit_ticket (f.ns, "t=ticket&p=profile");
  feed_string (f.ns, login_after_ticket);
  if (!msnp_ns_is_online (f.ns) || f.n_closed != 0)
    abort ();
  f.want_ticket = FALSE;

  /* Three split points from the first three bytes (the bytes are fed
   * too: they are part of the stream). */
  for (guint i = 0; i < 3 && i < size; i++)
    cut[n_cuts++] = MIN (size, (size_t) data[i] * size / 255);
  cut[n_cuts++] = size;

  for (guint i = 0; i < n_cuts; i++)
    {
      size_t end = MAX (pos, cut[i]);

      msnp_ns_feed (f.ns, data + pos, end - pos);
      pos = end;
      owner_acts (&f, size > 0 ? data[(i * 7 + 3) % size] : 0);
    }
  if (f.n_closed == 0)
    {
      msnp_ns_disconnected (f.ns);
      if (f.n_closed > 1)
        abort ();
    }
  else
    {
      /* Closed is final: more input, keepalives and disconnects change
       * nothing and write nothing. */
      if (f.n_closed != 1 || f.write_after_close)
        abort ();
      if (msnp_ns_feed (f.ns, (const guint8 *) "PNG\r\n", 5))
        abort ();
      msnp_ns_disconnected (f.ns);
      if (f.n_closed != 1)
        abort ();
    }
  msnp_ns_sign_out (f.ns);
  msnp_ns_free (f.ns);
  return 0;
}
