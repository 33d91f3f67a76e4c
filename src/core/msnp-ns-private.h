/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The notification session's insides, shared by msnp-ns.c (sync,
 * presence, dispatch), msnp-ns-login.c (handshake, USR, XFR),
 * msnp-ns-lists.c (list changes and their echoes) and msnp-ns-page.c.
 * Nothing outside src/core/msnp-ns*.c includes this.  Same rules as
 * msnp-ns.h: sans-IO, no loop, one thread at a time per session. */
#pragma once

#include <string.h>

#include "msnp-error.h"
#include "msnp-framer.h"
#include "msnp-ns.h"
#include "msnp-page.h"

G_BEGIN_DECLS

typedef enum {
  NS_STATE_IDLE,        /* no connection yet */
  NS_STATE_VER,         /* VER sent */
  NS_STATE_CVR,         /* CVR sent */
  NS_STATE_USR_I,       /* USR TWN I sent */
  NS_STATE_PASSPORT,    /* waiting for a ticket from the owner */
  NS_STATE_USR_S,       /* USR TWN S sent */
  NS_STATE_SYNCING,     /* SYN sent */
  NS_STATE_ONLINE,
  NS_STATE_CLOSED,
} NsState;

/* The commands we are waiting on, so that a numeric error naming a TrID
 * can be told apart (a 201 to REA is not a 201 to USR). */
#define NS_MAX_PENDING 32

typedef struct {
  guint trid;
  char  name[4];
} NsPending;

/* Pages sent and not refused yet, kept so that one refused as PAG can go
 * again as PGD (msnp-ns-page.c).  Fixed size: nothing to allocate. */
#define NS_MAX_PAGES 4

typedef struct {
  guint trid;        /* the TrID on the wire now */
  guint first_trid;  /* the TrID msnp_ns_send_page() returned */
  char  passport[130];
  char  text[MSNP_PAGE_MAX_CHARS * 4 + 1];
} NsPage;

struct _MsnpNs {
  char               *passport;
  const MsnpNsEvents *ev;
  gpointer            user;

  MsnpFramer *framer;
  MsnpLists  *lists;
  GString    *out;
  guint       next_trid;
  NsState     state;
  gboolean    redirecting;
  guint       redirects;
  gboolean    png_outstanding;
  gboolean    trace;

  MsnpStatus  initial_status;
  MsnpStatus  status;
  char       *friendly;
  MsnpMime   *profile;

  /* Sync bookkeeping: counts promised by the SYN reply, -1 when absent. */
  gint64  sync_contacts;
  gint64  sync_groups;
  guint64 seen_contacts;
  guint64 seen_groups;
  gboolean sync_changed;
  gboolean syn_answered;

  NsPending pending[NS_MAX_PENDING];
  guint     n_pending;

  NsPage    pages[NS_MAX_PAGES];
  guint     next_page;
  gboolean  pages_use_pgd;   /* the server refused PAG: it speaks PGD */
};

/* Command names are 3 characters and a NUL: one 4-byte compare, which
 * matters on the sync path where every line is classified several times. */
static inline gboolean
msnp_ns_is_cmd (const char *name, const char code[4])
{
  return memcmp (name, code, 4) == 0;
}

/* Sends "NAME trid params…" and remembers the TrID as pending. */
guint msnp_ns_send (MsnpNs *ns, const char *name, gboolean sensitive,
                    const char *const *params, guint n_params);

#define MSNP_NS_SEND(ns, name, ...) \
  msnp_ns_send ((ns), (name), FALSE, (const char *const[]) { __VA_ARGS__ }, \
                G_N_ELEMENTS (((const char *const[]) { __VA_ARGS__ })))

/* Closes the session with @error / a new MSNP_ERROR @code (fires closed
 * once). */
void     msnp_ns_close_with      (MsnpNs *ns, const GError *error);
void     msnp_ns_close_with_code (MsnpNs *ns, MsnpErrorCode code,
                                  const char *message);
/* "host:port" with the port optional (1863); FALSE for nonsense.  @host
 * is newly allocated. */
gboolean msnp_ns_split_host_port (const char *text, char **host, guint *port);

/* msnp-ns-login.c: the handshake, USR and XFR. */
gboolean msnp_ns_handle_ver (MsnpNs *ns, const MsnpCommand *cmd);
gboolean msnp_ns_handle_cvr (MsnpNs *ns, const MsnpCommand *cmd);
gboolean msnp_ns_handle_usr (MsnpNs *ns, const MsnpCommand *cmd);
gboolean msnp_ns_handle_xfr (MsnpNs *ns, const MsnpCommand *cmd);

/* msnp-ns-lists.c: handlers of the list-change echoes (with a TrID for
 * ours, TrID 0 for changes made elsewhere). */
gboolean msnp_ns_handle_add_rem (MsnpNs *ns, const MsnpCommand *cmd);
gboolean msnp_ns_handle_rea     (MsnpNs *ns, const MsnpCommand *cmd);
gboolean msnp_ns_handle_group   (MsnpNs *ns, const MsnpCommand *cmd);
gboolean msnp_ns_handle_url     (MsnpNs *ns, const MsnpCommand *cmd);
/* BLP/GTC/PRP in their reply shape "CMD trid version value". */
void     msnp_ns_apply_setting_reply (MsnpNs *ns, const MsnpCommand *cmd);

/* A server error answering @name (a command we sent): TRUE when it was a
 * list-change request and has been reported as such. */
gboolean msnp_ns_list_request_failed (MsnpNs *ns, guint trid, const char *name,
                                      guint code);

/* msnp-ns-page.c: pages (PAG/PGD out, IPG in) and PRP MOB/MBE. */
gboolean msnp_ns_handle_ipg (MsnpNs *ns, const MsnpCommand *cmd);
/* A server error answering our PAG/PGD @trid: TRUE when it was a page and
 * has been reported (page_failed, or a retry as PGD). */
gboolean msnp_ns_page_request_failed (MsnpNs *ns, guint trid, const char *name,
                                      guint code);
/* Fills @change for a "PRP trid version MOB|MBE Y|N" reply; FALSE when
 * the PRP is about something else. */
gboolean msnp_ns_describe_mobile (MsnpNs *ns, const MsnpCommand *cmd,
                                  MsnpListChange *change);

G_END_DECLS
