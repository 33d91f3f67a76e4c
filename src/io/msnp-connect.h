/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Opening a TCP connection to HOST:PORT on the main loop, through
 * libpurple's proxy API (so the account's proxy settings apply).
 *
 * For an account that connects directly, a host name is looked up with
 * GLib's resolver (a worker thread) and libpurple is given the addresses
 * one by one: libpurple's own lookup forks a resolver process, which in a
 * large client (Pidgin, or a process with thousands of buddies) costs
 * milliseconds of copying and then a copy-on-write fault for every page
 * the client writes while the resolver lives.  An account behind a proxy
 * keeps libpurple's path, so the proxy resolves the name and no lookup
 * leaks around it.
 *
 * The callback always comes from the main loop, never from inside
 * msnp_connect_start(), and never after msnp_connect_cancel(). */
#pragma once

#include <glib.h>
#include <account.h>

G_BEGIN_DECLS

typedef struct _MsnpConnect MsnpConnect;

/* FD >= 0 on success (the caller owns it; non-blocking), else -1 and a
 * message naming the cause (not translated by us: libpurple's or GLib's,
 * both already in the user's language). */
typedef void (*MsnpConnectFunc) (gpointer data, int fd, const char *error_message);

MsnpConnect *msnp_connect_start (PurpleAccount *account, const char *host, guint port,
                                 MsnpConnectFunc func, gpointer data);
void         msnp_connect_cancel (MsnpConnect *connect);

G_END_DECLS
