/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include <debug.h>
#include <dnsquery.h>
#include <proxy.h>

#include "msnp-connect.h"

struct _MsnpConnect {
  PurpleAccount   *account;
  char            *host;
  guint            port;
  MsnpConnectFunc  func;  /* NULL once cancelled */
  gpointer         data;

  GCancellable           *lookup;     /* set while GLib's resolver runs */
  GList                  *addresses;  /* GInetAddress *, from the lookup */
  GList                  *next;       /* the next of them to try */
  PurpleProxyConnectData *connecting;
  guint                   fail_idle;  /* reports a failure to start */
  char                   *last_error;
};

static void
destroy (MsnpConnect *c)
{
  g_resolver_free_addresses (c->addresses);
  g_free (c->last_error);
  g_free (c->host);
  g_free (c);
}

/* Ends the attempt: C is freed before FUNC runs, so FUNC may do anything. */
static void
report (MsnpConnect *c, int fd, const char *error_message)
{
  MsnpConnectFunc func = c->func;
  gpointer data = c->data;
  char *message = g_strdup (error_message);

  destroy (c);
  func (data, fd, message);
  g_free (message);
}

static gboolean
report_failure_idle (gpointer data)
{
  MsnpConnect *c = data;

  c->fail_idle = 0;
  report (c, -1, c->last_error);
  return G_SOURCE_REMOVE;
}

static void try_next_address (MsnpConnect *c);

static void
connected_cb (gpointer data, gint fd, const gchar *error_message)
{
  MsnpConnect *c = data;

  c->connecting = NULL;
  if (fd >= 0 || c->next == NULL) {
    report (c, fd, error_message != NULL ? error_message : c->last_error);
    return;
  }
  g_free (c->last_error);
  c->last_error = g_strdup (error_message);
  try_next_address (c);
}

/* libpurple is given a numeric address, which its proxy code connects to
 * without a lookup of its own. */
static void
try_next_address (MsnpConnect *c)
{
  while (c->next != NULL) {
    char *address = g_inet_address_to_string (c->next->data);

    c->next = c->next->next;
    purple_debug_misc ("msnp", "connecting to %s (%s) port %u\n", c->host, address,
                       c->port);
    c->connecting = purple_proxy_connect (NULL, c->account, address, c->port,
                                          connected_cb, c);
    g_free (address);
    if (c->connecting != NULL)
      return;
  }
  report (c, -1, c->last_error);
}

static void
resolved_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  MsnpConnect *c = data;
  GError *error = NULL;
  GList *addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result,
                                                       &error);

  g_clear_object (&c->lookup);
  if (c->func == NULL) {  /* cancelled meanwhile */
    g_resolver_free_addresses (addresses);
    g_clear_error (&error);
    destroy (c);
    return;
  }
  if (error != NULL) {
    report (c, -1, error->message);
    g_error_free (error);
    return;
  }
  c->addresses = c->next = addresses;
  try_next_address (c);
}

/* Whether to look HOST up ourselves: not for an address (libpurple needs
 * no lookup for one), not behind a proxy (the proxy resolves), and not
 * when the UI resolves names for libpurple itself (its DNS UI ops). */
static gboolean
lookup_here (PurpleAccount *account, const char *host)
{
  PurpleDnsQueryUiOps *dns_ops = purple_dnsquery_get_ui_ops ();
  PurpleProxyInfo *proxy = purple_proxy_get_setup (account);

  if (g_hostname_is_ip_address (host))
    return FALSE;
  if (dns_ops != NULL && dns_ops->resolve_host != NULL)
    return FALSE;
  return proxy == NULL || purple_proxy_info_get_type (proxy) == PURPLE_PROXY_NONE;
}

MsnpConnect *
msnp_connect_start (PurpleAccount *account, const char *host, guint port,
                    MsnpConnectFunc func, gpointer data)
{
  MsnpConnect *c = g_new0 (MsnpConnect, 1);

  c->account = account;
  c->host = g_strdup (host);
  c->port = port;
  c->func = func;
  c->data = data;
  if (lookup_here (account, host)) {
    GResolver *resolver = g_resolver_get_default ();

    c->lookup = g_cancellable_new ();
    g_resolver_lookup_by_name_async (resolver, host, c->lookup, resolved_cb, c);
    g_object_unref (resolver);
    return c;
  }
  c->connecting = purple_proxy_connect (NULL, account, host, port, connected_cb, c);
  if (c->connecting == NULL)
    c->fail_idle = g_idle_add (report_failure_idle, c);
  return c;
}

void
msnp_connect_cancel (MsnpConnect *c)
{
  if (c == NULL)
    return;
  if (c->connecting != NULL)
    purple_proxy_connect_cancel (c->connecting);
  if (c->fail_idle != 0)
    g_source_remove (c->fail_idle);
  if (c->lookup != NULL) {
    /* The lookup's callback still comes, and frees C. */
    c->func = NULL;
    g_cancellable_cancel (c->lookup);
    return;
  }
  destroy (c);
}
