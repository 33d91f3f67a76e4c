/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Invitations and the MSNFTP dialogue (see msnp-ftp.h for the sources). */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "msnp-ftp.h"
#include "msnp-mime.h"

/* MSNFTP lines are a handful of short words; anything longer is not the
 * peer we expect, and is refused before it can grow a buffer. */
#define FTP_MAX_LINE 512

/* ---- file names ------------------------------------------------------- */

/* Separators of any platform a user may save to, the characters Windows
 * refuses in names, characters that look like a slash or backslash (a name
 * like "∕etc∕passwd" reads as a path in every dialog), and control and
 * format codes. */
static gboolean
unsafe_name_char (gunichar c)
{
  switch (c) {
  case '/': case '\\': case ':': case '*': case '?': case '"': case '<':
  case '>': case '|':
  case 0x2044:   /* FRACTION SLASH */
  case 0x2215:   /* DIVISION SLASH */
  case 0x2216:   /* SET MINUS */
  case 0x29F5:   /* REVERSE SOLIDUS OPERATOR */
  case 0x29F8:   /* BIG SOLIDUS */
  case 0x29F9:   /* BIG REVERSE SOLIDUS */
  case 0xFE68:   /* SMALL REVERSE SOLIDUS */
  case 0xFF0F:   /* FULLWIDTH SOLIDUS */
  case 0xFF3C:   /* FULLWIDTH REVERSE SOLIDUS */
    return TRUE;
  default:
    return g_unichar_iscntrl (c) || g_unichar_type (c) == G_UNICODE_FORMAT;
  }
}

/* Windows opens a device, not a file, for these names whatever the
 * extension ("con.txt" is the console); "COM¹" counts too. */
static gboolean
is_device_name (const char *name)
{
  static const char *const devices[] = { "CON", "PRN", "AUX", "NUL" };
  gsize len = strcspn (name, ".");
  g_autofree char *stem = NULL;

  while (len > 0 && name[len - 1] == ' ')
    len--;
  stem = g_ascii_strup (name, (gssize) len);
  for (gsize i = 0; i < G_N_ELEMENTS (devices); i++)
    if (strcmp (stem, devices[i]) == 0)
      return TRUE;
  if (len >= 4 && (strncmp (stem, "COM", 3) == 0 || strncmp (stem, "LPT", 3) == 0)) {
    const char *n = stem + 3;
    return (n[0] >= '0' && n[0] <= '9' && n[1] == '\0') ||
           strcmp (n, "\xc2\xb9") == 0 || strcmp (n, "\xc2\xb2") == 0 ||
           strcmp (n, "\xc2\xb3") == 0;
  }
  return FALSE;
}

/* Cuts @s to at most @max bytes at a character boundary. */
static void
truncate_utf8 (GString *s, gsize max)
{
  const char *end;

  if (s->len <= max)
    return;
  end = g_utf8_find_prev_char (s->str, s->str + max + 1);
  g_string_truncate (s, end != NULL ? (gsize) (end - s->str) : 0);
}

/* Shortens to MSNP_FTP_MAX_NAME bytes keeping the extension (a final
 * ".xyz" of a sane length), which says what the file is. */
static void
shorten_name (GString *name)
{
  const char *dot = strrchr (name->str, '.');
  g_autofree char *ext = NULL;

  if (name->len <= MSNP_FTP_MAX_NAME)
    return;
  if (dot != NULL && dot != name->str && strlen (dot) <= 16)
    ext = g_strdup (dot);
  if (ext != NULL)
    g_string_truncate (name, (gsize) (dot - name->str));
  truncate_utf8 (name, MSNP_FTP_MAX_NAME - (ext != NULL ? strlen (ext) : 0));
  if (ext != NULL)
    g_string_append (name, ext);
}

char *
msnp_ftp_safe_file_name (const char *name)
{
  GString *out = g_string_new (NULL);
  gsize start = 0;

  if (name != NULL && g_utf8_validate (name, -1, NULL))
    for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p)) {
      gunichar c = g_utf8_get_char (p);

      if (unsafe_name_char (c))
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }
  /* No hidden files, no "." or "..": dots (and spaces) at the start go;
   * Windows drops dots and spaces at the end, so they go too. */
  while (start < out->len && (out->str[start] == '.' || out->str[start] == ' '))
    start++;
  g_string_erase (out, 0, (gssize) start);
  while (out->len > 0 &&
         (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    g_string_assign (out, _("file"));
  if (is_device_name (out->str))
    g_string_prepend_c (out, '_');
  shorten_name (out);
  return g_string_free (out, FALSE);
}

/* ---- invitations ------------------------------------------------------ */

static char *
dup_field (const MsnpMime *fields, const char *name)
{
  const char *value = msnp_mime_get (fields, name);
  return value != NULL ? g_strdup (value) : NULL;
}

/* A decimal number without sign or blanks, at most @max; -1 otherwise. */
static gint64
parse_number (const char *text, guint64 max)
{
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, max, &value, NULL))
    return -1;
  return (gint64) value;
}

static guint
parse_port (const char *text)
{
  gint64 port = parse_number (text, 65535);
  return port > 0 ? (guint) port : 0;
}

static MsnpInviteCommand
parse_command (const char *text)
{
  static const struct {
    const char *name;
    MsnpInviteCommand command;
  } commands[] = {
    { .name = "INVITE", .command = MSNP_INVITE_INVITE },
    { .name = "ACCEPT", .command = MSNP_INVITE_ACCEPT },
    { .name = "CANCEL", .command = MSNP_INVITE_CANCEL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_ascii_strcasecmp (text, commands[i].name) == 0)
      return commands[i].command;
  return MSNP_INVITE_OTHER;
}

MsnpInvite *
msnp_invite_new (MsnpInviteCommand command, const char *cookie)
{
  MsnpInvite *invite = g_new0 (MsnpInvite, 1);

  invite->command = command;
  invite->cookie = g_strdup (cookie);
  invite->file_size = -1;
  return invite;
}

void
msnp_invite_free (MsnpInvite *invite)
{
  if (invite == NULL)
    return;
  g_free (invite->cookie);
  g_free (invite->app_name);
  g_free (invite->app_guid);
  g_free (invite->file);
  g_free (invite->ip);
  g_free (invite->ip_internal);
  g_free (invite->auth_cookie);
  g_free (invite->cancel_code);
  g_free (invite);
}

/* The connection fields of an ACCEPT. */
static void
parse_address (MsnpInvite *invite, const MsnpMime *fields)
{
  const char *sender_connect = msnp_mime_get (fields, "Sender-Connect");
  const char *connectivity = msnp_mime_get (fields, "Connectivity");

  invite->ip = dup_field (fields, "IP-Address");
  invite->ip_internal = dup_field (fields, "IP-Address-Internal");
  invite->port = parse_port (msnp_mime_get (fields, "Port"));
  invite->port_x = parse_port (msnp_mime_get (fields, "PortX"));
  invite->auth_cookie = dup_field (fields, "AuthCookie");
  invite->sender_connect = sender_connect != NULL &&
                           g_ascii_strcasecmp (sender_connect, "TRUE") == 0;
  invite->no_connectivity = connectivity != NULL &&
                            g_ascii_strncasecmp (connectivity, "N", 1) == 0;
}

/* Cookies are echoed back verbatim in our ACCEPT/CANCEL: only visible
 * ASCII survives that round trip (official clients used decimal
 * numbers). */
static gboolean
is_token (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;
  for (; *text != '\0'; text++)
    if (*text < 0x21 || *text > 0x7e)
      return FALSE;
  return TRUE;
}

MsnpInvite *
msnp_invite_parse (const guint8 *body, gsize len)
{
  g_autoptr (MsnpMime) fields = msnp_mime_parse (body, len);
  const char *command, *cookie, *file;
  MsnpInvite *invite;

  if (fields == NULL)
    return NULL;
  command = msnp_mime_get (fields, "Invitation-Command");
  cookie = msnp_mime_get (fields, "Invitation-Cookie");
  if (command == NULL || !is_token (cookie))
    return NULL;
  invite = msnp_invite_new (parse_command (command), cookie);
  invite->app_name = dup_field (fields, "Application-Name");
  invite->app_guid = dup_field (fields, "Application-GUID");
  file = msnp_mime_get (fields, "Application-File");
  /* The name is shown and becomes a file name: only valid UTF-8. */
  if (file != NULL && g_utf8_validate (file, -1, NULL))
    invite->file = g_strdup (file);
  invite->file_size = parse_number (msnp_mime_get (fields, "Application-FileSize"),
                                    G_MAXINT64);
  invite->cancel_code = dup_field (fields, "Cancel-Code");
  parse_address (invite, fields);
  return invite;
}

gboolean
msnp_invite_is_file_transfer (const MsnpInvite *invite)
{
  return invite->app_guid != NULL &&
         g_ascii_strcasecmp (invite->app_guid, MSNP_FTP_GUID) == 0;
}

static const char *const command_names[] = {
  [MSNP_INVITE_INVITE] = "INVITE",
  [MSNP_INVITE_ACCEPT] = "ACCEPT",
  [MSNP_INVITE_CANCEL] = "CANCEL",
};

static gboolean
add_field (GString *out, const char *name, const char *value)
{
  if (value == NULL)
    return TRUE;
  if (strpbrk (value, "\r\n") != NULL)
    return FALSE;
  g_string_append_printf (out, "%s: %s\r\n", name, value);
  return TRUE;
}

static gboolean
add_port (GString *out, const char *name, guint port)
{
  g_autofree char *text = port != 0 ? g_strdup_printf ("%u", port) : NULL;
  return add_field (out, name, text);
}

/* INVITE's own fields. */
static gboolean
add_offer (GString *out, const MsnpInvite *invite)
{
  g_autofree char *size = invite->file_size >= 0
      ? g_strdup_printf ("%" G_GINT64_FORMAT, invite->file_size) : NULL;

  return add_field (out, "Application-Name", invite->app_name) &&
         add_field (out, "Application-GUID", invite->app_guid) &&
         add_field (out, "Invitation-Command", "INVITE") &&
         add_field (out, "Invitation-Cookie", invite->cookie) &&
         add_field (out, "Application-File", invite->file) &&
         add_field (out, "Application-FileSize", size) &&
         add_field (out, "Connectivity", invite->no_connectivity ? "N" : NULL);
}

/* ACCEPT: where to connect, when known; the receiver's first ACCEPT
 * asks for the address with "Request-Data: IP-Address:". */
static gboolean
add_accept (GString *out, const MsnpInvite *invite)
{
  return add_field (out, "Invitation-Command", "ACCEPT") &&
         add_field (out, "Invitation-Cookie", invite->cookie) &&
         add_field (out, "IP-Address", invite->ip) &&
         add_field (out, "IP-Address-Internal", invite->ip_internal) &&
         add_port (out, "Port", invite->port) &&
         add_port (out, "PortX", invite->port_x) &&
         add_field (out, "AuthCookie", invite->auth_cookie) &&
         add_field (out, "Sender-Connect", invite->sender_connect ? "TRUE" : NULL) &&
         add_field (out, "Launch-Application", "FALSE") &&
         add_field (out, "Request-Data", "IP-Address:");
}

GBytes *
msnp_invite_build (const MsnpInvite *invite)
{
  static const char *const headers[] = {
    "MIME-Version", "1.0",
    "Content-Type", MSNP_INVITE_CONTENT_TYPE,
    NULL,
  };
  g_autoptr (GString) body = g_string_new (NULL);
  gboolean ok = FALSE;
  GByteArray *payload;

  if (invite->cookie == NULL)
    return NULL;
  if (invite->command == MSNP_INVITE_INVITE)
    ok = add_offer (body, invite);
  else if (invite->command == MSNP_INVITE_ACCEPT)
    ok = add_accept (body, invite);
  else if (invite->command == MSNP_INVITE_CANCEL)
    ok = add_field (body, "Invitation-Command", command_names[invite->command]) &&
         add_field (body, "Invitation-Cookie", invite->cookie) &&
         add_field (body, "Cancel-Code", invite->cancel_code);
  if (!ok)
    return NULL;
  /* The field block ends with a blank line, as the clients sent it. */
  g_string_append (body, "\r\n");
  payload = msnp_mime_build (headers, (const guint8 *) body->str, body->len);
  return g_byte_array_free_to_bytes (payload);
}

char *
msnp_invite_new_cookie (void)
{
  /* Same range as a TrID (hypothetic.org): 1 … 2^32-1. */
  return g_strdup_printf ("%u", g_random_int_range (1, G_MAXINT32) +
                                (g_random_boolean () ? 0x80000000u : 0u));
}

/* ---- MSNFTP ----------------------------------------------------------- */

typedef enum {
  ST_IDLE,         /* not connected yet */
  ST_WANT_VER,     /* R: sent VER; S: waiting for VER */
  ST_WANT_USR,     /* S */
  ST_WANT_FIL,     /* R: sent USR */
  ST_WANT_TFR,     /* S: sent FIL */
  ST_TRANSFER,     /* S: framing; R: reading blocks */
  ST_WANT_BYE,     /* S: everything framed */
  ST_FINISHED,
} FtpState;

struct _MsnpFtp {
  MsnpFtpRole          role;
  FtpState             state;
  char                *passport;
  char                *auth_cookie;
  guint64              size;
  guint64              done;       /* file bytes framed or received */
  const MsnpFtpEvents *ev;
  gpointer             user;

  GString *line;                    /* a partial text line */
  guint8   header[MSNP_FTP_HEADER_LEN];
  guint    header_have;
  guint    block_left;              /* payload bytes left in this block */
};

MsnpFtp *
msnp_ftp_new (MsnpFtpRole role, const char *passport, const char *auth_cookie,
              guint64 size, const MsnpFtpEvents *events, gpointer user)
{
  MsnpFtp *ftp = g_new0 (MsnpFtp, 1);

  ftp->role = role;
  ftp->passport = g_strdup (passport);
  ftp->auth_cookie = g_strdup (auth_cookie);
  ftp->size = size;
  ftp->ev = events;
  ftp->user = user;
  ftp->line = g_string_new (NULL);
  return ftp;
}

void
msnp_ftp_free (MsnpFtp *ftp)
{
  if (ftp == NULL)
    return;
  g_string_free (ftp->line, TRUE);
  g_free (ftp->passport);
  g_free (ftp->auth_cookie);
  g_free (ftp);
}

static void
send_line (MsnpFtp *ftp, const char *line, gboolean sensitive)
{
  g_autofree char *text = g_strconcat (line, "\r\n", NULL);
  ftp->ev->write (ftp->user, (const guint8 *) text, strlen (text), sensitive);
}

static void
finish (MsnpFtp *ftp, MsnpFtpResult result, guint32 code)
{
  if (ftp->state == ST_FINISHED)
    return;
  ftp->state = ST_FINISHED;
  ftp->ev->finished (ftp->user, result, code);
}

/* The receiver has every byte: confirm, as the official client did. */
static void
receiver_complete (MsnpFtp *ftp)
{
  g_autofree char *bye = g_strdup_printf ("BYE %u", MSNP_FTP_BYE_OK);

  send_line (ftp, bye, FALSE);
  finish (ftp, MSNP_FTP_DONE, MSNP_FTP_BYE_OK);
}

void
msnp_ftp_connected (MsnpFtp *ftp)
{
  if (ftp->state != ST_IDLE)
    return;
  ftp->state = ST_WANT_VER;
  if (ftp->role == MSNP_FTP_RECEIVER)
    send_line (ftp, "VER MSNFTP", FALSE);
}

/* ---- text lines ---- */

typedef void (*LineHandler) (MsnpFtp *ftp, char **tok, guint n);

static gboolean
offers_msnftp (char **tok, guint n)
{
  for (guint i = 1; i < n; i++)
    if (g_ascii_strcasecmp (tok[i], "MSNFTP") == 0)
      return TRUE;
  return FALSE;
}

static void
on_ver (MsnpFtp *ftp, char **tok, guint n)
{
  if (ftp->state != ST_WANT_VER || !offers_msnftp (tok, n)) {
    finish (ftp, MSNP_FTP_PROTOCOL, 0);
    return;
  }
  if (ftp->role == MSNP_FTP_SENDER) {
    send_line (ftp, "VER MSNFTP", FALSE);
    ftp->state = ST_WANT_USR;
  } else {
    g_autofree char *usr = g_strdup_printf ("USR %s %s", ftp->passport,
                                            ftp->auth_cookie);
    send_line (ftp, usr, TRUE);
    ftp->state = ST_WANT_FIL;
  }
}

static void
on_usr (MsnpFtp *ftp, char **tok, guint n)
{
  g_autofree char *fil = NULL;

  if (ftp->role != MSNP_FTP_SENDER || ftp->state != ST_WANT_USR) {
    finish (ftp, MSNP_FTP_PROTOCOL, 0);
    return;
  }
  /* The cookie proves the peer read our ACCEPT on the switchboard. */
  if (n < 3 || strcmp (tok[2], ftp->auth_cookie) != 0 ||
      (ftp->passport != NULL && g_ascii_strcasecmp (tok[1], ftp->passport) != 0)) {
    finish (ftp, MSNP_FTP_AUTH_FAILED, 0);
    return;
  }
  fil = g_strdup_printf ("FIL %" G_GUINT64_FORMAT, ftp->size);
  send_line (ftp, fil, FALSE);
  ftp->state = ST_WANT_TFR;
}

static void
on_fil (MsnpFtp *ftp, char **tok, guint n)
{
  guint64 size = 0;

  if (ftp->role != MSNP_FTP_RECEIVER || ftp->state != ST_WANT_FIL || n < 2 ||
      !g_ascii_string_to_unsigned (tok[1], 10, 0, G_MAXUINT64, &size, NULL)) {
    finish (ftp, MSNP_FTP_PROTOCOL, 0);
    return;
  }
  /* The user accepted a file of the announced size, not another one. */
  if (size != ftp->size) {
    send_line (ftp, "CCL", FALSE);
    finish (ftp, MSNP_FTP_WRONG_SIZE, 0);
    return;
  }
  send_line (ftp, "TFR", FALSE);
  ftp->state = ST_TRANSFER;
  if (ftp->size == 0)
    receiver_complete (ftp);
}

static void
on_tfr (MsnpFtp *ftp, char **tok, guint n)
{
  if (ftp->role != MSNP_FTP_SENDER || ftp->state != ST_WANT_TFR) {
    finish (ftp, MSNP_FTP_PROTOCOL, 0);
    return;
  }
  ftp->state = ftp->size == 0 ? ST_WANT_BYE : ST_TRANSFER;
  ftp->ev->transfer (ftp->user);
}

static void
on_bye (MsnpFtp *ftp, char **tok, guint n)
{
  guint64 code = 0;

  if (ftp->role != MSNP_FTP_SENDER) {
    finish (ftp, MSNP_FTP_PROTOCOL, 0);
    return;
  }
  if (n >= 2)
    g_ascii_string_to_unsigned (tok[1], 10, 0, G_MAXUINT32, &code, NULL);
  if (code == MSNP_FTP_BYE_OK && ftp->state == ST_WANT_BYE)
    finish (ftp, MSNP_FTP_DONE, (guint32) code);
  else if (code == MSNP_FTP_BYE_DISK_FULL)
    finish (ftp, MSNP_FTP_PEER_DISK_FULL, (guint32) code);
  else
    finish (ftp, MSNP_FTP_PEER_CANCELLED, (guint32) code);
}

static void
on_ccl (MsnpFtp *ftp, char **tok, guint n)
{
  finish (ftp, MSNP_FTP_PEER_CANCELLED, 0);
}

static const struct {
  const char *command;
  LineHandler handler;
} line_handlers[] = {
  { .command = "VER", .handler = on_ver },
  { .command = "USR", .handler = on_usr },
  { .command = "FIL", .handler = on_fil },
  { .command = "TFR", .handler = on_tfr },
  { .command = "BYE", .handler = on_bye },
  { .command = "CCL", .handler = on_ccl },
};

static void
handle_line (MsnpFtp *ftp, const char *line)
{
  g_auto (GStrv) tok = g_strsplit_set (line, " ", -1);
  GPtrArray *words = g_ptr_array_new ();

  /* Tolerate doubled blanks: keep the non-empty words only. */
  for (guint i = 0; tok[i] != NULL; i++)
    if (*tok[i] != '\0')
      g_ptr_array_add (words, tok[i]);
  if (words->len > 0) {
    char **w = (char **) words->pdata;

    for (gsize i = 0; i < G_N_ELEMENTS (line_handlers); i++)
      if (strcmp (w[0], line_handlers[i].command) == 0) {
        line_handlers[i].handler (ftp, w, words->len);
        g_ptr_array_free (words, TRUE);
        return;
      }
    g_debug ("MSNFTP: ignoring unknown command %s", w[0]);
  }
  g_ptr_array_free (words, TRUE);
}

/* Consumes text up to and including one LF; returns bytes used. */
static gsize
feed_line (MsnpFtp *ftp, const guint8 *data, gsize len)
{
  const guint8 *nl = memchr (data, '\n', len);
  gsize take = nl != NULL ? (gsize) (nl - data) + 1 : len;

  if (ftp->line->len + take > FTP_MAX_LINE) {
    finish (ftp, MSNP_FTP_PROTOCOL, 0);
    return len;
  }
  g_string_append_len (ftp->line, (const char *) data, (gssize) take);
  if (nl == NULL)
    return take;
  g_string_truncate (ftp->line, ftp->line->len - 1);
  if (ftp->line->len > 0 && ftp->line->str[ftp->line->len - 1] == '\r')
    g_string_truncate (ftp->line, ftp->line->len - 1);
  if (memchr (ftp->line->str, '\0', ftp->line->len) != NULL)
    finish (ftp, MSNP_FTP_PROTOCOL, 0);
  else
    handle_line (ftp, ftp->line->str);
  g_string_truncate (ftp->line, 0);
  return take;
}

/* ---- data blocks (receiver) ---- */

/* A complete block header: 0 + length starts a block, 1 is the sender's
 * cancel. */
static void
on_header (MsnpFtp *ftp)
{
  guint len = ftp->header[1] | ((guint) ftp->header[2] << 8);

  ftp->header_have = 0;
  if (ftp->header[0] == 1) {
    finish (ftp, MSNP_FTP_PEER_CANCELLED, 0);
    return;
  }
  if (ftp->header[0] != 0) {
    finish (ftp, MSNP_FTP_PROTOCOL, 0);
    return;
  }
  /* The sender may not send more than it announced: stop it here, before
   * a byte of the excess reaches the file. */
  if (len > ftp->size - ftp->done) {
    send_line (ftp, "CCL", FALSE);
    finish (ftp, MSNP_FTP_TOO_MUCH, 0);
    return;
  }
  ftp->block_left = len;
}

static gsize
feed_block (MsnpFtp *ftp, const guint8 *data, gsize len)
{
  gsize take;

  if (ftp->block_left == 0) {
    take = MIN (len, MSNP_FTP_HEADER_LEN - ftp->header_have);
    memcpy (ftp->header + ftp->header_have, data, take);
    ftp->header_have += (guint) take;
    if (ftp->header_have == MSNP_FTP_HEADER_LEN)
      on_header (ftp);
    return take;
  }
  take = MIN (len, ftp->block_left);
  ftp->block_left -= (guint) take;
  ftp->done += take;
  ftp->ev->data (ftp->user, data, take);
  if (ftp->state == ST_TRANSFER && ftp->done == ftp->size && ftp->block_left == 0)
    receiver_complete (ftp);
  return take;
}

gboolean
msnp_ftp_feed (MsnpFtp *ftp, const guint8 *data, gsize len)
{
  gsize pos = 0;

  if (ftp->state == ST_IDLE)
    msnp_ftp_connected (ftp);
  while (pos < len && ftp->state != ST_FINISHED) {
    if (ftp->role == MSNP_FTP_RECEIVER && ftp->state == ST_TRANSFER)
      pos += feed_block (ftp, data + pos, len - pos);
    else
      pos += feed_line (ftp, data + pos, len - pos);
  }
  return ftp->state != ST_FINISHED;
}

void
msnp_ftp_disconnected (MsnpFtp *ftp)
{
  /* A sender that framed everything has done its part even when the
   * receiver hangs up without its BYE; the bytes are in the socket. */
  if (ftp->state == ST_WANT_BYE)
    finish (ftp, MSNP_FTP_DONE, 0);
  /* The sender hangs up on a USR it does not like. */
  else if (ftp->state == ST_WANT_FIL)
    finish (ftp, MSNP_FTP_AUTH_FAILED, 0);
  else
    finish (ftp, MSNP_FTP_DISCONNECTED, 0);
}

gsize
msnp_ftp_framed_len (gsize len)
{
  return len + MSNP_FTP_HEADER_LEN * ((len + MSNP_FTP_BLOCK_MAX - 1) / MSNP_FTP_BLOCK_MAX);
}

static gboolean
may_frame (const MsnpFtp *ftp, gsize len)
{
  return ftp->role == MSNP_FTP_SENDER && ftp->state == ST_TRANSFER &&
         len <= ftp->size - ftp->done;
}

gboolean
msnp_ftp_frame_in_place (MsnpFtp *ftp, guint8 *blocks, gsize len)
{
  gsize pos = 0;

  if (!may_frame (ftp, len))
    return FALSE;
  while (pos < len) {
    gsize n = MIN (len - pos, MSNP_FTP_BLOCK_MAX);

    blocks[0] = 0;
    blocks[1] = (guint8) (n & 0xff);
    blocks[2] = (guint8) (n >> 8);
    blocks += MSNP_FTP_HEADER_LEN + n;
    pos += n;
  }
  ftp->done += len;
  if (ftp->done == ftp->size)
    ftp->state = ST_WANT_BYE;
  return TRUE;
}

gboolean
msnp_ftp_frame (MsnpFtp *ftp, const guint8 *data, gsize len, GByteArray *out)
{
  gsize old, pos = 0;
  guint8 *dst;

  if (!may_frame (ftp, len))
    return FALSE;
  old = out->len;
  g_byte_array_set_size (out, (guint) (old + msnp_ftp_framed_len (len)));
  dst = out->data + old;
  for (guint8 *at = dst + MSNP_FTP_HEADER_LEN; pos < len;
       at += MSNP_FTP_HEADER_LEN + MSNP_FTP_BLOCK_MAX) {
    gsize n = MIN (len - pos, MSNP_FTP_BLOCK_MAX);

    memcpy (at, data + pos, n);
    pos += n;
  }
  return msnp_ftp_frame_in_place (ftp, dst, len);
}

void
msnp_ftp_cancel (MsnpFtp *ftp)
{
  static const guint8 cancel_block[MSNP_FTP_HEADER_LEN] = { 1, 0, 0 };

  if (ftp->state == ST_FINISHED)
    return;
  /* In the data phase the sender's only word is the cancel block; before
   * it, it says CCL like a receiver (a peer that does not know it sees an
   * unknown command and the hang-up, which ends the transfer as well). */
  if (ftp->state == ST_TRANSFER || ftp->state == ST_WANT_BYE) {
    if (ftp->role == MSNP_FTP_SENDER)
      ftp->ev->write (ftp->user, cancel_block, sizeof cancel_block, FALSE);
    else
      send_line (ftp, "CCL", FALSE);
  } else if (ftp->state != ST_IDLE) {
    send_line (ftp, "CCL", FALSE);
  }
  finish (ftp, MSNP_FTP_CANCELLED, 0);
}

guint64
msnp_ftp_bytes (const MsnpFtp *ftp)
{
  return ftp->done;
}

gboolean
msnp_ftp_is_finished (const MsnpFtp *ftp)
{
  return ftp->state == ST_FINISHED;
}

gboolean
msnp_ftp_is_transferring (const MsnpFtp *ftp)
{
  return ftp->state == ST_TRANSFER || ftp->state == ST_WANT_BYE;
}
