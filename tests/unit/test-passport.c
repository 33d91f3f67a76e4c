/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Passport 1.4: nexus replies, the Authorization header, login replies,
 * URL splitting. */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "msnp-error.h"
#include "msnp-passport.h"

typedef struct {
  const char *response;
  const char *dalogin;   /* NULL: an error is expected */
} NexusCase;

#define NEXUS_URLS_TAIL ",DAReg=http://register.passport.net/uixpwiz.srf,Properties=https://register.passport.net/editprof.srf,Privacy=http://www.passport.com/consumer/privacypolicy.asp,GeneralRedir=http://nexusrdr.passport.com/redir.asp,Help=http://memberservices.passport.net/memberservice.srf,ConfigVersion=11"

static const NexusCase nexus_cases[] = {
  /* the historical reply: no scheme */
  { "HTTP/1.1 200 OK\r\nServer: Microsoft-IIS/5.0\r\n"
    "PassportURLs: DARealm=Passport.Net,DALogin=login.passport.com/login2.srf" NEXUS_URLS_TAIL "\r\n"
    "Content-Length: 0\r\n\r\n",
    "https://login.passport.com/login2.srf" },
  /* with a scheme, another path, a port */
  { "HTTP/1.1 200 OK\r\nPassportURLs: DARealm=Passport.Net,DALogin=https://127.0.0.1:8443/ppsecure/login.srf,DAReg=x\r\n\r\n",
    "https://127.0.0.1:8443/ppsecure/login.srf" },
  /* plain http is kept (the caller refuses it) */
  { "HTTP/1.0 200 OK\r\nPassportURLs: DALogin=http://login.example.net/login2.srf\r\n\r\n",
    "http://login.example.net/login2.srf" },
  /* header case, LF only, spaces around '=' and ',', DALogin last */
  { "HTTP/1.1 200 OK\npassporturls:   DARealm = Passport.Net ,  dalogin = login.example.org/l.srf  \n\n",
    "https://login.example.org/l.srf" },
  /* quoted value, extra unknown fields, a bare word */
  { "HTTP/1.1 200 OK\r\nPassportURLs: Foo,DALogin='login.q.com/x.srf',Extra=1\r\n\r\n",
    "https://login.q.com/x.srf" },
  /* no status line at all, only headers */
  { "PassportURLs: DALogin=login.h.com\r\n", "https://login.h.com" },
  /* a body after the headers is never read */
  { "HTTP/1.1 200 OK\r\n\r\nPassportURLs: DALogin=login.body.com\r\n", NULL },
  { "HTTP/1.1 200 OK\r\nPassportURLs: DARealm=Passport.Net,DAReg=x\r\n\r\n", NULL },
  { "HTTP/1.1 200 OK\r\nPassportURLs: DALogin=\r\n\r\n", NULL },
  { "HTTP/1.1 200 OK\r\nPassportURLs: DALogin=a b\r\n\r\n", NULL },
  { "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", NULL },
  { "HTTP/1.1 404 Not Found\r\n\r\n", NULL },
  { "", NULL },
  { "\x01\x02garbage", NULL },
};

static void
test_nexus (gconstpointer data)
{
  const NexusCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = msnp_passport_parse_nexus (c->response,
                                                    strlen (c->response), &error);

  g_assert_cmpstr (url, ==, c->dalogin);
  if (c->dalogin == NULL)
    g_assert_error (error, MSNP_ERROR, MSNP_ERROR_PASSPORT);
  else
    g_assert_no_error (error);
}

/* The reply buffer need not be NUL-terminated. */
static void
test_nexus_unterminated (void)
{
  const char *s = "HTTP/1.1 200 OK\r\nPassportURLs: DALogin=login.a.com/x\r\nTRAILING";
  g_autofree char *url = msnp_passport_parse_nexus (s, strlen (s) - 10, NULL);

  g_assert_cmpstr (url, ==, "https://login.a.com/x");
}

#define SEED_CHALLENGE "lc=1033,id=507,tw=40,fs=1,ru=http%3A%2F%2Fmessenger%2Emsn%2Ecom,ct=1062764229,kpp=1,kv=5,ver=2.1.0173.1,tpf=43f8a4c8ed940c04e3740be46c4d1619"

static void
test_authorization (void)
{
  g_autofree char *plain = msnp_passport_build_authorization (
      SEED_CHALLENGE, "alice@passport.com", "secret");
  g_autofree char *nasty = msnp_passport_build_authorization (
      " " SEED_CHALLENGE "\r\n", "al ice@passport.com", "p,w=d&x y'\"%\xc3\xa9");
  g_autofree char *empty = msnp_passport_build_authorization ("", "a@b.c", "");

  g_assert_cmpstr (plain, ==,
                   "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,"
                   "sign-in=alice%40passport.com,pwd=secret," SEED_CHALLENGE);
  g_assert_cmpstr (nasty, ==,
                   "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,"
                   "sign-in=al%20ice%40passport.com,pwd=p%2Cw%3Dd%26x%20y%27%22%25%C3%A9,"
                   SEED_CHALLENGE);
  g_assert_cmpstr (empty, ==,
                   "Passport1.4 OrgVerb=GET,OrgURL=http%3A%2F%2Fmessenger%2Emsn%2Ecom,"
                   "sign-in=a%40b.c,pwd=");
}

typedef struct {
  const char       *response;
  MsnpPassportReply result;
  const char       *value;   /* ticket or location */
} LoginCase;

#define TICKET "t=53*1hAu8ADuD3TEwdXoOMi08sD*2!cMrntTwVMTjoB3p6stWTqzbkKZPVQzA5NOt19SLI60PY!b8K4YhC!Ooo5ug$$&p=5eKBBC!yBH6ex5mftp!a9DrSb0B3hU8aqAWpaPn07iCGBw5akemiWSd7t2ot!okPvIR!Wqk!MKvi1IMpxfhkao9wpxlMWYAZ!DqRfACmyQGG112Bp9xrk04!BVBUa9*H9mJLoWw39m63YQRE1yHnYNv08nyz43D3OnMcaCoeSaEHVM7LpR*LWDme29qq2X3j8N"

static const LoginCase login_cases[] = {
  { "HTTP/1.1 200 OK\r\nServer: Microsoft-IIS/5.0\r\n"
    "Authentication-Info: Passport1.4 da-status=success,tname=MSPAuth,tname=MSPProf,tname=MSPSec,"
    "from-PP='" TICKET "',ru=http://messenger.msn.com\r\nContent-Length: 0\r\n\r\n",
    MSNP_PASSPORT_REPLY_TICKET, TICKET },
  /* lower case, LF, double quotes, spaces */
  { "HTTP/1.0 200 OK\nauthentication-info:  passport1.4  da-status=success , from-PP = \"t=1$$&p=2$$\" , ru=x\n\n",
    MSNP_PASSPORT_REPLY_TICKET, "t=1$$&p=2$$" },
  /* unquoted, last field */
  { "HTTP/1.1 200 OK\r\nAuthentication-Info: Passport1.4 da-status=success,from-PP=t=a&p=b\r\n\r\n",
    MSNP_PASSPORT_REPLY_TICKET, "t=a&p=b" },
  /* a comma inside the quotes */
  { "HTTP/1.1 200 OK\r\nAuthentication-Info: Passport1.4 from-PP='t=a,b&p=c',da-status=success\r\n\r\n",
    MSNP_PASSPORT_REPLY_TICKET, "t=a,b&p=c" },
  { "HTTP/1.1 302 Found\r\nLocation: https://loginnet.passport.com/login2.srf?lc=1033\r\n"
    "Authentication-Info: Passport1.4 da-status=redir\r\n\r\n",
    MSNP_PASSPORT_REPLY_REDIRECT, "https://loginnet.passport.com/login2.srf?lc=1033" },
  /* da-status=redir on another status, scheme-less Location */
  { "HTTP/1.1 200 OK\r\nAuthentication-Info: Passport1.4 da-status=redir\r\nlocation: login.other.com/login2.srf\r\n\r\n",
    MSNP_PASSPORT_REPLY_REDIRECT, "https://login.other.com/login2.srf" },
  { "HTTP/1.1 302 Found\r\n\r\n", MSNP_PASSPORT_REPLY_ERROR, NULL },
  { "HTTP/1.1 401 Unauthorized\r\n"
    "WWW-Authenticate: Passport1.4 da-status=failed,srealm=Passport.NET,ts=-3,prompt,cburl=http://www.passport.com/images/logo.gif,cbtxt=Passport\r\n"
    "Content-Length: 0\r\n\r\n",
    MSNP_PASSPORT_REPLY_AUTH_FAILED, NULL },
  { "HTTP/1.1 401 Unauthorized\r\n\r\n", MSNP_PASSPORT_REPLY_AUTH_FAILED, NULL },
  { "HTTP/1.1 200 OK\r\nAuthentication-Info: Passport1.4 da-status=failed\r\n\r\n",
    MSNP_PASSPORT_REPLY_AUTH_FAILED, NULL },
  { "HTTP/1.1 200 OK\r\nAuthentication-Info: Passport1.4 da-status=success\r\n\r\n",
    MSNP_PASSPORT_REPLY_ERROR, NULL },
  /* a ticket that would break the USR line */
  { "HTTP/1.1 200 OK\r\nAuthentication-Info: Passport1.4 from-PP='t=a b&p=c'\r\n\r\n",
    MSNP_PASSPORT_REPLY_ERROR, NULL },
  { "HTTP/1.1 403 Forbidden\r\n\r\n", MSNP_PASSPORT_REPLY_ERROR, NULL },
  /* a ticket only counts on a 2xx */
  { "HTTP/1.1 400 Oops\r\nAuthentication-Info: Passport1.4 from-PP='t=a&p=b'\r\n\r\n",
    MSNP_PASSPORT_REPLY_ERROR, NULL },
  { "hello", MSNP_PASSPORT_REPLY_ERROR, NULL },
  { "HTTP/1.1 2000 OK\r\n\r\n", MSNP_PASSPORT_REPLY_ERROR, NULL },
  { "", MSNP_PASSPORT_REPLY_ERROR, NULL },
};

static void
test_login (gconstpointer data)
{
  const LoginCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *ticket = NULL;
  g_autofree char *location = NULL;
  MsnpPassportReply r = msnp_passport_parse_login (c->response, strlen (c->response),
                                                   &ticket, &location, &error);

  g_assert_cmpint (r, ==, c->result);
  switch (r)
    {
    case MSNP_PASSPORT_REPLY_TICKET:
      g_assert_cmpstr (ticket, ==, c->value);
      g_assert_null (location);
      g_assert_no_error (error);
      break;
    case MSNP_PASSPORT_REPLY_REDIRECT:
      g_assert_cmpstr (location, ==, c->value);
      g_assert_null (ticket);
      g_assert_no_error (error);
      break;
    case MSNP_PASSPORT_REPLY_AUTH_FAILED:
      g_assert_null (ticket);
      g_assert_null (location);
      g_assert_no_error (error);
      break;
    case MSNP_PASSPORT_REPLY_ERROR:
    default:
      g_assert_null (ticket);
      g_assert_null (location);
      g_assert_error (error, MSNP_ERROR, MSNP_ERROR_PASSPORT);
      break;
    }
}

typedef struct {
  const char *url;
  gboolean    ok;
  gboolean    https;
  const char *host;
  guint       port;
  const char *path;
} SplitCase;

static const SplitCase split_cases[] = {
  { "https://login.passport.com/login2.srf", TRUE, TRUE, "login.passport.com", 443, "/login2.srf" },
  { "HTTPS://Login.Passport.com", TRUE, TRUE, "Login.Passport.com", 443, "/" },
  { "http://127.0.0.1:8080", TRUE, FALSE, "127.0.0.1", 8080, "/" },
  { "https://[::1]:4443/x/y?z=1", TRUE, TRUE, "::1", 4443, "/x/y?z=1" },
  { "https://host?x=1", TRUE, TRUE, "host", 443, "/?x=1" },
  { "https://host:65535/", TRUE, TRUE, "host", 65535, "/" },
  { "ftp://host/", FALSE, FALSE, NULL, 0, NULL },
  { "https://", FALSE, FALSE, NULL, 0, NULL },
  { "https:///path", FALSE, FALSE, NULL, 0, NULL },
  { "https://host:0/", FALSE, FALSE, NULL, 0, NULL },
  { "https://host:65536/", FALSE, FALSE, NULL, 0, NULL },
  { "https://host:/", FALSE, FALSE, NULL, 0, NULL },
  { "https://host:12ab/", FALSE, FALSE, NULL, 0, NULL },
  { "https://user@host/", FALSE, FALSE, NULL, 0, NULL },
  { "https://[::1", FALSE, FALSE, NULL, 0, NULL },
  { "login.passport.com/login2.srf", FALSE, FALSE, NULL, 0, NULL },
  { "", FALSE, FALSE, NULL, 0, NULL },
};

static void
test_split (gconstpointer data)
{
  const SplitCase *c = data;
  gboolean https = !c->https;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  guint port = 0;

  g_assert_cmpint (msnp_passport_split_url (c->url, &https, &host, &port, &path), ==, c->ok);
  if (!c->ok)
    {
      g_assert_null (host);
      g_assert_null (path);
      return;
    }
  g_assert_cmpint (https, ==, c->https);
  g_assert_cmpstr (host, ==, c->host);
  g_assert_cmpuint (port, ==, c->port);
  g_assert_cmpstr (path, ==, c->path);
}

/* A server error (5xx) from the nexus or the login server is worth
 * retrying (MSNP_ERROR_PASSPORT_DOWN), unlike a reply that makes no sense. */
static void
test_server_down (void)
{
  static const char *const replies[] = {
    "HTTP/1.1 500 Internal Server Error\r\n\r\n",
    "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\n\r\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (replies); i++)
    {
      g_autoptr (GError) nexus_error = NULL;
      g_autoptr (GError) login_error = NULL;
      g_autofree char *ticket = NULL;
      g_autofree char *url = msnp_passport_parse_nexus (replies[i], strlen (replies[i]),
                                                        &nexus_error);

      g_assert_null (url);
      g_assert_error (nexus_error, MSNP_ERROR, MSNP_ERROR_PASSPORT_DOWN);
      g_assert_cmpint (msnp_passport_parse_login (replies[i], strlen (replies[i]),
                                                  &ticket, NULL, &login_error),
                       ==, MSNP_PASSPORT_REPLY_ERROR);
      g_assert_error (login_error, MSNP_ERROR, MSNP_ERROR_PASSPORT_DOWN);
    }
}

/* A ticket is one word of one NS line: the longest that fits passes, one
 * byte more (and the 200 KB one a hostile server sent) is refused. */
static void
test_ticket_bound (void)
{
  static const gsize sizes[] = { MSNP_PASSPORT_MAX_TICKET,
                                 MSNP_PASSPORT_MAX_TICKET + 1, 200 * 1024 };

  g_assert_cmpuint (MSNP_PASSPORT_MAX_TICKET + strlen ("USR 4294967295 TWN S \r\n"),
                    <=, MSNP_FRAMER_MAX_LINE);
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *ticket = NULL;
      g_autofree char *value = g_malloc (sizes[i] + 1);
      g_autofree char *reply = NULL;
      MsnpPassportReply r;

      memset (value, 'x', sizes[i]);
      memcpy (value, "t=", 2);
      value[sizes[i]] = '\0';
      reply = g_strdup_printf ("HTTP/1.1 200 OK\r\nAuthentication-Info: "
                               "Passport1.4 da-status=success,from-PP='%s'"
                               "\r\n\r\n", value);
      r = msnp_passport_parse_login (reply, strlen (reply), &ticket, NULL, &error);
      if (sizes[i] <= MSNP_PASSPORT_MAX_TICKET)
        {
          g_assert_cmpint (r, ==, MSNP_PASSPORT_REPLY_TICKET);
          g_assert_cmpstr (ticket, ==, value);
        }
      else
        {
          g_assert_cmpint (r, ==, MSNP_PASSPORT_REPLY_ERROR);
          g_assert_error (error, MSNP_ERROR, MSNP_ERROR_PASSPORT);
          g_assert_nonnull (strstr (error->message, "ticket"));
          g_assert_null (ticket);
        }
    }
}

typedef struct {
  const char *setting;
  const char *url;      /* NULL: refused */
} NexusSettingCase;

static const NexusSettingCase nexus_setting_cases[] = {
  { "https://nexus.passport.com/rdr/pprdr.asp", "https://nexus.passport.com/rdr/pprdr.asp" },
  { "nexus.example.net/rdr/pprdr.asp", "https://nexus.example.net/rdr/pprdr.asp" },
  { "HTTPS://127.0.0.1:8443/x", "HTTPS://127.0.0.1:8443/x" },
  { "http://nexus.passport.com/rdr/pprdr.asp", NULL },
  { "HTTP://nexus.passport.com/", NULL },
  { "ftp://nexus.passport.com/", NULL },
  { "https://", NULL },
  { "", NULL },
  { NULL, NULL },
};

static void
test_nexus_setting (gconstpointer data)
{
  const NexusSettingCase *c = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *url = msnp_passport_nexus_url (c->setting, &error);

  g_assert_cmpstr (url, ==, c->url);
  if (c->url == NULL)
    {
      g_assert_error (error, MSNP_ERROR, MSNP_ERROR_SETTINGS);
      /* The user must learn which setting to fix. */
      g_assert_nonnull (strstr (error->message, "Passport nexus URL"));
    }
  else
    g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (nexus_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/passport/nexus/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &nexus_cases[i], test_nexus);
    }
  g_test_add_func ("/passport/nexus-unterminated", test_nexus_unterminated);
  g_test_add_func ("/passport/authorization", test_authorization);
  for (gsize i = 0; i < G_N_ELEMENTS (login_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/passport/login/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &login_cases[i], test_login);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (split_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/passport/split-url/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &split_cases[i], test_split);
    }
  g_test_add_func ("/passport/ticket-bound", test_ticket_bound);
  g_test_add_func ("/passport/server-down", test_server_down);
  for (gsize i = 0; i < G_N_ELEMENTS (nexus_setting_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/passport/nexus-setting/%" G_GSIZE_FORMAT, i);
      g_test_add_data_func (path, &nexus_setting_cases[i], test_nexus_setting);
    }
  return g_test_run ();
}
