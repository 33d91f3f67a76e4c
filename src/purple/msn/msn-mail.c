/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hotmail notifications and the inbox.
 *
 * The NS sends mail news as MSGs from "Hotmail" whose body is itself a
 * header block: text/x-msmsgsinitialemailnotification (unread counts at
 * sign-in), text/x-msmsgsemailnotification (one new message: From,
 * From-Addr, Subject, Dest-Folder) and text/x-msmsgsactivemailnotification
 * (messages moved or read elsewhere: only the count changes).
 *
 * Opening the inbox is what MSN Messenger did: URL INBOX gives the
 * Passport redirector's address and the page to land on (rru); the client
 * then POSTs a form with the profile's MSPAuth, sid and kv, "sl" (seconds
 * since sign-in) and creds = md5(MSPAuth + sl + password).  A browser can
 * only be handed a URL, so the form goes into a private local HTML page
 * that submits itself.  That page holds credentials: it is mode 0600,
 * replaced by the next one, deleted when the account goes offline, and
 * never logged. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <debug.h>
#include <notify.h>
#include <util.h>

#include "msn-mail.h"
#include "msnp-error.h"

static gboolean
mail_wanted (MsnpAccount *msn)
{
  return purple_account_get_bool (msn->account, MSNP_OPT_MAIL, TRUE);
}

/* The mail fields travel as a header block in the MSG body. */
static MsnpMime *
mail_fields (const MsnpMime *mime)
{
  gsize len = 0;
  const guint8 *body = msnp_mime_body (mime, &len);

  return body != NULL && len > 0 ? msnp_mime_parse (body, len) : NULL;
}

static int
field_int (const MsnpMime *fields, const char *name)
{
  const char *v = msnp_mime_get (fields, name);
  gint64 n = v != NULL ? g_ascii_strtoll (v, NULL, 10) : 0;

  return (int) CLAMP (n, 0, G_MAXINT);
}

static void
initial_mail (MsnpAccount *msn, const MsnpMime *fields)
{
  const char *to = purple_account_get_username (msn->account);

  msn->inbox_unread = field_int (fields, "Inbox-Unread");
  if (msn->inbox_unread > 0)
    purple_notify_emails (msn->gc, (size_t) msn->inbox_unread, FALSE, NULL, NULL,
                          &to, NULL, NULL, NULL);
}

/* Header values may be RFC 2047 encoded words. */
static char *
decoded (const MsnpMime *fields, const char *name)
{
  const char *v = msnp_mime_get (fields, name);

  return v != NULL ? purple_mime_decode_field (v) : NULL;
}

static void
new_mail (MsnpAccount *msn, const MsnpMime *fields)
{
  g_autofree char *subject = decoded (fields, "Subject");
  g_autofree char *name = decoded (fields, "From");
  const char *addr = msnp_mime_get (fields, "From-Addr");
  const char *folder = msnp_mime_get (fields, "Dest-Folder");
  g_autofree char *from = NULL;

  /* Mail filed elsewhere (junk, folders) does not reach the inbox. */
  if (folder != NULL && g_ascii_strcasecmp (folder, "ACTIVE") != 0)
    return;
  msn->inbox_unread++;
  if (name != NULL && addr != NULL && g_ascii_strcasecmp (name, addr) != 0)
    from = g_strdup_printf ("%s <%s>", name, addr);
  else
    from = g_strdup (addr != NULL ? addr : name);
  purple_notify_email (msn->gc, subject != NULL ? subject : _("(no subject)"),
                       from, purple_account_get_username (msn->account), NULL,
                       NULL, NULL);
}

static void
active_mail (MsnpAccount *msn, const MsnpMime *fields)
{
  int delta = field_int (fields, "Message-Delta");
  const char *src = msnp_mime_get (fields, "Src-Folder");
  const char *dest = msnp_mime_get (fields, "Dest-Folder");

  if (src != NULL && g_ascii_strcasecmp (src, "ACTIVE") == 0)
    msn->inbox_unread = MAX (msn->inbox_unread - delta, 0);
  if (dest != NULL && g_ascii_strcasecmp (dest, "ACTIVE") == 0)
    msn->inbox_unread += delta;
  purple_debug_info ("msnp", "%d unread in the inbox\n", msn->inbox_unread);
}

static const struct {
  const char *type;
  void (*handle) (MsnpAccount *msn, const MsnpMime *fields);
} mail_types[] = {
  { .type = "text/x-msmsgsinitialemailnotification", .handle = initial_mail },
  { .type = "text/x-msmsgsemailnotification",        .handle = new_mail },
  { .type = "text/x-msmsgsactivemailnotification",   .handle = active_mail },
};

void
msnp_mail_message (MsnpAccount *msn, const char *content_type,
                   const MsnpMime *mime)
{
  for (guint i = 0; i < G_N_ELEMENTS (mail_types); i++) {
    g_autoptr (MsnpMime) fields = NULL;

    if (strcmp (content_type, mail_types[i].type) != 0)
      continue;
    if (!mail_wanted (msn) || (fields = mail_fields (mime)) == NULL)
      return;
    mail_types[i].handle (msn, fields);
    return;
  }
}

/* ---- Open Inbox -------------------------------------------------------- */

void
msnp_mail_action_open_inbox (PurpleConnection *gc)
{
  MsnpAccount *msn = gc->proto_data;

  if (msn == NULL || !msnp_ns_is_online (msn->ns)) {
    purple_notify_error (gc, _("Hotmail"), _("Could not open your inbox."),
                         _("You are not signed in."));
    return;
  }
  if (msnp_ns_get_profile (msn->ns, "MSPAuth") == NULL) {
    purple_notify_error (gc, _("Hotmail"), _("Could not open your inbox."),
                         _("The server did not send the sign-in details Hotmail needs."));
    return;
  }
  msn->inbox_trid = msnp_ns_request_inbox (msn->ns);
}

static void
add_field (GString *html, const char *name, const char *value)
{
  g_autofree char *esc = g_markup_escape_text (value != NULL ? value : "", -1);

  g_string_append_printf (html, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n",
                          name, esc);
}

static gint64
seconds_since_login (MsnpAccount *msn)
{
  const char *login = msnp_ns_get_profile (msn->ns, "LoginTime");
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 since = login != NULL ? g_ascii_strtoll (login, NULL, 10) : 0;

  /* The profile's LoginTime is the server's clock; our own sign-in time
   * stands in when it is missing or nonsense. */
  if (since <= 0 || since > now)
    since = msn->signed_in_at;
  return MAX (now - since, 0);
}

static char *
inbox_form (MsnpAccount *msn, const char *rru, const char *url, const char *id)
{
  const char *passport = purple_account_get_username (msn->account);
  const char *auth = msnp_ns_get_profile (msn->ns, "MSPAuth");
  const char *password = purple_connection_get_password (msn->gc);
  g_autofree char *sl = g_strdup_printf ("%" G_GINT64_FORMAT, seconds_since_login (msn));
  g_autofree char *secret = g_strconcat (auth, sl, password != NULL ? password : "", NULL);
  g_autofree char *creds = g_compute_checksum_for_string (G_CHECKSUM_MD5, secret, -1);
  g_autofree char *login = g_strndup (passport, strcspn (passport, "@"));
  g_autofree char *action = g_markup_escape_text (url, -1);
  GString *html = g_string_new ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                "<title>Hotmail</title></head>\n"
                                "<body onload=\"document.forms[0].submit()\">\n");

  memset (secret, 0, strlen (secret));
  g_string_append_printf (html, "<form method=\"post\" action=\"%s\">\n", action);
  add_field (html, "mode", "ttl");
  add_field (html, "login", login);
  add_field (html, "username", passport);
  add_field (html, "sid", msnp_ns_get_profile (msn->ns, "sid"));
  add_field (html, "kv", msnp_ns_get_profile (msn->ns, "kv"));
  add_field (html, "id", id != NULL ? id : "2");
  add_field (html, "sl", sl);
  add_field (html, "rru", rru);
  add_field (html, "auth", auth);
  add_field (html, "creds", creds);
  add_field (html, "svc", "mail");
  add_field (html, "js", "yes");
  g_string_append (html, "<noscript><input type=\"submit\" value=\"Hotmail\"></noscript>\n"
                         "</form></body></html>\n");
  return g_string_free (html, FALSE);
}

static void
forget_form (MsnpAccount *msn)
{
  if (msn->inbox_file != NULL)
    g_unlink (msn->inbox_file);
  g_clear_pointer (&msn->inbox_file, g_free);
}

static gboolean
write_all (int fd, const char *text)
{
  gsize len = strlen (text);

  while (len > 0) {
    gssize n = write (fd, text, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    text += n;
    len -= (gsize) n;
  }
  return TRUE;
}

void
msnp_mail_url (MsnpAccount *msn, guint trid, const char *rru, const char *url,
               const char *id)
{
  g_autofree char *html = NULL;
  g_autofree char *uri = NULL;
  GError *error = NULL;
  char *path = NULL;
  int fd;

  if (trid == 0 || trid != msn->inbox_trid)
    return;
  msn->inbox_trid = 0;
  forget_form (msn);
  html = inbox_form (msn, rru, url, id);
  /* g_file_open_tmp creates the file 0600; writing through its
   * descriptor keeps that (g_file_set_contents would replace it). */
  fd = g_file_open_tmp ("msnp-inbox-XXXXXX.html", &path, &error);
  if (fd < 0 || !write_all (fd, html)) {
    purple_notify_error (msn->gc, _("Hotmail"), _("Could not open your inbox."),
                         error != NULL ? error->message : g_strerror (errno));
    g_clear_error (&error);
    if (fd >= 0) {
      close (fd);
      g_unlink (path);
    }
    g_free (path);
    return;
  }
  close (fd);
  msn->inbox_file = path;
  uri = g_filename_to_uri (path, NULL, NULL);
  purple_notify_uri (msn->gc, uri);
}

void
msnp_mail_failed (MsnpAccount *msn, guint trid, guint code)
{
  g_autofree char *sentence = msnp_server_error_sentence (code);

  if (trid == msn->inbox_trid)
    msn->inbox_trid = 0;
  purple_notify_error (msn->gc, _("Hotmail"), _("Could not open your inbox."),
                       sentence);
}

void
msnp_mail_free (MsnpAccount *msn)
{
  forget_form (msn);
}
