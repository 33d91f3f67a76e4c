/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "msnp-error.h"
#include "ns-recorder.h"

static void
rec (NsRecorder *r, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
rec (NsRecorder *r, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_ptr_array_add (r->events, g_strdup_vprintf (fmt, ap));
  va_end (ap);
}

static const char *
or_dash (const char *s)
{
  return s != NULL ? s : "-";
}

static void
ev_write (gpointer u, const char *data, gsize len, gboolean sensitive)
{
  g_string_append_len (((NsRecorder *) u)->written, data, (gssize) len);
}

static void
ev_progress (gpointer u, MsnpNsStep step)
{
  rec (u, "progress %d", step);
}

static void
ev_redirect (gpointer u, const char *host, guint port)
{
  NsRecorder *r = u;

  g_free (r->redirect);
  r->redirect = g_strdup_printf ("%s:%u", host, port);
}

static void
ev_need_ticket (gpointer u, const char *challenge)
{
  NsRecorder *r = u;

  g_free (r->challenge);
  r->challenge = g_strdup (challenge);
}

static void
ev_synced (gpointer u, gboolean changed)
{
  NsRecorder *r = u;

  r->synced_changed = changed;
  r->chg_before_synced = strstr (r->written->str, "CHG ") != NULL;
  rec (r, "synced %d", changed);
}

static void
ev_online (gpointer u)
{
  ((NsRecorder *) u)->online = TRUE;
}

static void
ev_presence (gpointer u, const char *passport, MsnpStatus status,
             const char *friendly)
{
  rec (u, "presence %s %s %s", passport, msnp_status_to_code (status),
       or_dash (friendly));
}

static void
ev_own_status (gpointer u, MsnpStatus status)
{
  rec (u, "own-status %s", msnp_status_to_code (status));
}

static void
ev_own_friendly (gpointer u, const char *friendly)
{
  rec (u, "own-friendly %s", friendly);
}

static void
ev_contact_changed (gpointer u, const MsnpContact *c)
{
  rec (u, "contact %s %u %u", c->passport, c->lists, c->groups->len);
}

static void
ev_lists_dirty (gpointer u)
{
}

static void
ev_message (gpointer u, const char *type, const MsnpMime *mime)
{
  rec (u, "message %s", type);
}

static void
ev_server_error (gpointer u, guint code, const char *command)
{
  rec (u, "server-error %u %s", code, command);
}

static void
ev_switchboard (gpointer u, guint request, const char *host, guint port,
                const char *cookie)
{
  rec (u, "switchboard %u %s:%u %s", request, host, port, cookie);
}

static void
ev_switchboard_failed (gpointer u, guint request, guint code)
{
  rec (u, "switchboard-failed %u %u", request, code);
}

static void
ev_ring (gpointer u, const char *session, const char *host, guint port,
         const char *cookie, const char *passport, const char *friendly)
{
  rec (u, "ring %s %s:%u %s %s %s", session, host, port, cookie, passport,
       friendly);
}

/* PRP MOB/MBE names its setting, the other changes a list, a contact or
 * a group. */
static void
ev_list_changed (gpointer u, guint trid, const MsnpListChange *c)
{
  NsRecorder *r = u;

  if (c->kind == MSNP_CHANGE_MOBILE)
    rec (u, "changed %u kind=%d mobile=%d %s", trid, c->kind, c->mobile,
         or_dash (c->value));
  else
    rec (u, "changed %u kind=%d list=%u %s %s %s", trid, c->kind, c->list,
         or_dash (c->passport), or_dash (c->group_id), or_dash (c->value));
  if (r->then_changed != NULL)
    r->then_changed (r->then_data, trid, c);
}

static void
ev_request_failed (gpointer u, guint trid, const char *command, guint code)
{
  NsRecorder *r = u;

  rec (r, "failed %u %s %u", trid, command, code);
  if (r->then_failed != NULL)
    r->then_failed (r->then_data, trid, command, code);
}

static void
ev_url (gpointer u, guint trid, const char *rru, const char *url, const char *id)
{
  rec (u, "url %u %s %s %s", trid, rru, url, or_dash (id));
}

static void
ev_page (gpointer u, const char *from, const char *text, gboolean too_long)
{
  rec (u, "page %s [%s]%s", from, text, too_long ? " too-long" : "");
}

static void
ev_page_failed (gpointer u, guint trid, guint code)
{
  rec (u, "page-failed %u %u", trid, code);
}

static void
ev_closed (gpointer u, const GError *error)
{
  NsRecorder *r = u;

  g_clear_error (&r->closed);
  r->closed = error != NULL ? g_error_copy (error)
                            : g_error_new_literal (MSNP_ERROR, 0, "");
  rec (r, "closed");
}

const MsnpNsEvents ns_recorder_events = {
  .write = ev_write, .progress = ev_progress, .redirect = ev_redirect,
  .need_ticket = ev_need_ticket, .synced = ev_synced, .online = ev_online,
  .presence = ev_presence, .own_status = ev_own_status,
  .own_friendly = ev_own_friendly, .contact_changed = ev_contact_changed,
  .lists_dirty = ev_lists_dirty, .message = ev_message,
  .server_error = ev_server_error, .switchboard = ev_switchboard,
  .switchboard_failed = ev_switchboard_failed, .ring = ev_ring,
  .list_changed = ev_list_changed, .request_failed = ev_request_failed,
  .url = ev_url, .page = ev_page, .page_failed = ev_page_failed,
  .closed = ev_closed,
};

NsRecorder *
ns_recorder_new (void)
{
  NsRecorder *r = g_new0 (NsRecorder, 1);

  r->written = g_string_new (NULL);
  r->events = g_ptr_array_new_with_free_func (g_free);
  return r;
}

void
ns_recorder_free (NsRecorder *r)
{
  g_string_free (r->written, TRUE);
  g_ptr_array_unref (r->events);
  g_free (r->challenge);
  g_free (r->redirect);
  g_clear_error (&r->closed);
  g_free (r);
}

void
ns_recorder_clear (NsRecorder *r)
{
  g_string_truncate (r->written, 0);
  g_ptr_array_set_size (r->events, 0);
}

gboolean
ns_recorder_has (const NsRecorder *r, const char *event)
{
  for (guint i = 0; i < r->events->len; i++)
    if (strcmp (g_ptr_array_index (r->events, i), event) == 0)
      return TRUE;
  return FALSE;
}

guint
ns_recorder_count (const NsRecorder *r, const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < r->events->len; i++)
    n += g_str_has_prefix (g_ptr_array_index (r->events, i), prefix);
  return n;
}

void
ns_recorder_expect_written (NsRecorder *r, const char *expected)
{
  g_assert_cmpstr (r->written->str, ==, expected);
  g_string_truncate (r->written, 0);
}

void
ns_feed (MsnpNs *ns, const char *text)
{
  g_assert_true (msnp_ns_feed (ns, (const guint8 *) text, strlen (text)));
}

MsnpNs *
ns_recorder_sign_in (NsRecorder *r, const char *sync)
{
  MsnpNs *ns = msnp_ns_new ("me@example.com", &ns_recorder_events, r);
  g_autofree char *login = g_strconcat ("USR 4 OK me@example.com Me 1 0\r\nSYN 5 ",
                                        sync, NULL);

  msnp_ns_connected (ns);
  ns_feed (ns, "VER 1 MSNP8 CVR0\r\nCVR 2 6.0 6.0 1.0 x y\r\nUSR 3 TWN S ch=1\r\n");
  msnp_ns_submit_ticket (ns, "t=1&p=2");
  ns_feed (ns, login);
  g_assert_true (msnp_ns_is_online (ns));
  ns_recorder_clear (r);
  return ns;
}
