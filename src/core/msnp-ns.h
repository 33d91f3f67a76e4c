/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The notification-server session, sans-IO.
 *
 * Bytes from the socket go in through msnp_ns_feed(); lines to send come out
 * through the write callback, and what happened comes out as typed events.
 * The session outlives a single connection: a dispatch or NS referral
 * (XFR NS) asks the owner to reconnect, and msnp_ns_connected() starts the
 * handshake again on the new socket.
 *
 * Callbacks run from inside msnp_ns_feed() and the other calls; they must
 * not free the session (defer that to an idle callback).  Everything runs
 * on the caller's thread; the session has no main loop and no timers of
 * its own (the owner calls msnp_ns_keepalive()).  Strings and structs
 * passed to events are borrowed for the call; the owner of the session
 * frees it with msnp_ns_free().
 *
 * The implementation is split by concern: msnp-ns.c (sync, presence,
 * dispatch), msnp-ns-login.c (handshake, USR, XFR), msnp-ns-lists.c (list
 * changes and their echoes), msnp-ns-page.c (pages, PRP MOB/MBE). */
#pragma once

#include <glib.h>
#include "msnp-lists.h"
#include "msnp-mime.h"

G_BEGIN_DECLS

/* MSNP8 states (draft 7.7); FLN is "offline", never sent by CHG. */
typedef enum {
  MSNP_STATUS_ONLINE,     /* NLN */
  MSNP_STATUS_BUSY,       /* BSY */
  MSNP_STATUS_IDLE,       /* IDL */
  MSNP_STATUS_BRB,        /* BRB */
  MSNP_STATUS_AWAY,       /* AWY */
  MSNP_STATUS_PHONE,      /* PHN */
  MSNP_STATUS_LUNCH,      /* LUN */
  MSNP_STATUS_HIDDEN,     /* HDN */
  MSNP_STATUS_OFFLINE,    /* FLN */
  MSNP_N_STATUSES
} MsnpStatus;

/* "NLN" → MSNP_STATUS_ONLINE…; FALSE for codes MSNP8 does not define. */
gboolean    msnp_status_from_code (const char *code, MsnpStatus *status);
const char *msnp_status_to_code   (MsnpStatus status);

/* Steps of signing in, for the connection progress bar. */
typedef enum {
  MSNP_NS_STEP_CONNECTING,
  MSNP_NS_STEP_HANDSHAKE,      /* VER/CVR */
  MSNP_NS_STEP_REDIRECTED,     /* XFR NS: connecting to the assigned NS */
  MSNP_NS_STEP_PASSPORT,       /* waiting for the Passport ticket */
  MSNP_NS_STEP_AUTHENTICATING, /* USR TWN S sent */
  MSNP_NS_STEP_SYNCING,        /* SYN */
  MSNP_NS_STEP_DONE,
  MSNP_NS_N_STEPS
} MsnpNsStep;

/* What a list-change echo changed (MSNP8 ADD, REM, REA, ADG, RMG, REG,
 * BLP, GTC, PRP).  Strings are borrowed for the event and decoded. */
typedef enum {
  MSNP_CHANGE_ADD,           /* @list, @passport, @friendly, [@group_id] */
  MSNP_CHANGE_REMOVE,        /* @list, @passport, [@group_id] */
  MSNP_CHANGE_RENAME,        /* REA: @passport, @friendly */
  MSNP_CHANGE_GROUP_ADD,     /* @group_id, @value = name */
  MSNP_CHANGE_GROUP_REMOVE,  /* @group_id */
  MSNP_CHANGE_GROUP_RENAME,  /* @group_id, @value = name */
  MSNP_CHANGE_PRIVACY,       /* BLP: @list = MSNP_LIST_AL or MSNP_LIST_BL */
  MSNP_CHANGE_GTC,           /* @value = "A" or "N" */
  MSNP_CHANGE_PHONE,         /* PRP: @phone, @value (NULL when cleared) */
  MSNP_CHANGE_MOBILE,        /* PRP MOB|MBE: @mobile, @value "Y" or "N" */
} MsnpChangeKind;

typedef struct {
  MsnpChangeKind kind;
  guint       list;          /* MsnpListMask */
  const char *passport;
  const char *friendly;
  const char *group_id;
  const char *value;
  MsnpPhone   phone;
  MsnpMobileSetting mobile;
} MsnpListChange;

typedef struct {
  /* Bytes to send.  @sensitive data (the Passport ticket) must not be
   * logged. */
  void (*write)        (gpointer user, const char *data, gsize len,
                        gboolean sensitive);
  void (*progress)     (gpointer user, MsnpNsStep step);
  /* Close this connection and connect to @host:@port; then call
   * msnp_ns_connected().  Happens at login (dispatch) and any time after
   * (unsolicited XFR 0 NS). */
  void (*redirect)     (gpointer user, const char *host, guint port);
  /* Get a Passport ticket for this challenge, then call
   * msnp_ns_submit_ticket() or msnp_ns_abort(). */
  void (*need_ticket)  (gpointer user, const char *challenge);
  /* During a sync that downloads the list: one contact has arrived (its
   * BPR lines may follow).  Lets the owner build its list while the rest
   * is still on the wire.  May be NULL. */
  void (*listed)       (gpointer user, const MsnpContact *contact);
  /* The list is in step with the server (from cache when @changed is
   * FALSE); the initial status is being set (its CHG usually already
   * written, see hold_status). */
  void (*synced)       (gpointer user, gboolean changed);
  /* Asked once the list is complete: TRUE when the owner has changes to
   * send before it shows itself (a privacy mode changed while offline:
   * nobody it now blocks may see it online), so CHG follows synced.
   * Otherwise CHG goes first and the server streams the presences while
   * synced runs.  May be NULL (= FALSE). */
  gboolean (*hold_status) (gpointer user);
  /* Signed in, listed and visible with the initial status. */
  void (*online)       (gpointer user);
  void (*presence)     (gpointer user, const char *passport,
                        MsnpStatus status, const char *friendly);
  void (*own_status)   (gpointer user, MsnpStatus status);
  void (*own_friendly) (gpointer user, const char *friendly);
  /* A contact's lists, groups, name or phones changed after sync. */
  void (*contact_changed) (gpointer user, const MsnpContact *contact);
  /* The list version moved: persist the cache. */
  void (*lists_dirty)  (gpointer user);
  /* A MIME message from the NS (profile, mail): content type lower-cased. */
  void (*message)      (gpointer user, const char *content_type,
                        const MsnpMime *mime);
  /* A server error that does not end the session, for the command it
   * answered ("REA", …; "" when unknown). */
  void (*server_error) (gpointer user, guint code, const char *command);
  /* The three switchboard events may be NULL for an owner that does not
   * hold conversations.
   * XFR SB answered: a switchboard is waiting at @host:@port for the
   * (opaque) @cookie.  @request is what msnp_ns_request_switchboard()
   * returned. */
  void (*switchboard)  (gpointer user, guint request, const char *host,
                        guint port, const char *cookie);
  /* XFR SB refused (913 while invisible or offline, 800 too fast, …). */
  void (*switchboard_failed) (gpointer user, guint request, guint code);
  /* RNG: @passport invites us to a switchboard session. */
  void (*ring)         (gpointer user, const char *session_id,
                        const char *host, guint port, const char *cookie,
                        const char *passport, const char *friendly);
  /* A list change took effect: the echo of one of ours (@trid as the
   * request returned) or a change made elsewhere (@trid 0).  The model and
   * its version are already updated (contact_changed has fired for the
   * contact it touched).  May be NULL. */
  void (*list_changed) (gpointer user, guint trid,
                        const MsnpListChange *change);
  /* The server refused a list-change or URL request (@trid as returned,
   * @command "ADD", "ADG", …): nothing changed.  When NULL, server_error
   * fires instead. */
  void (*request_failed) (gpointer user, guint trid, const char *command,
                          guint code);
  /* URL answered: open @url (the Passport-authenticated redirector) to
   * reach @rru; @id is the site id for the login form.  May be NULL. */
  void (*url)          (gpointer user, guint trid, const char *rru,
                        const char *url, const char *id);
  /* IPG: a page from @from (a passport, or "tel:+…" from a phone);
   * @too_long when the service says a page of ours did not fit the
   * device (the text is then empty).  May be NULL (msnp-ns-page.c). */
  void (*page)         (gpointer user, const char *from, const char *text,
                        gboolean too_long);
  /* The server refused the page msnp_ns_send_page() returned @trid for.
   * May be NULL (server_error fires instead). */
  void (*page_failed)  (gpointer user, guint trid, guint code);
  /* The session is over (fatal server error, OUT, protocol breakage).
   * The owner closes the connection afterwards. */
  void (*closed)       (gpointer user, const GError *error);
} MsnpNsEvents;

typedef struct _MsnpNs MsnpNs;

/* @passport is the account name; @events is borrowed for the session's
 * lifetime. */
MsnpNs *msnp_ns_new  (const char *passport, const MsnpNsEvents *events,
                      gpointer user_data);
void    msnp_ns_free (MsnpNs *ns);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpNs, msnp_ns_free)

/* Logs every line sent and received (secrets redacted) with g_debug. */
void msnp_ns_set_trace (MsnpNs *ns, gboolean trace);

/* The list model (load a cache into it before connecting). */
MsnpLists *msnp_ns_get_lists (MsnpNs *ns);

/* TRUE when the list being synced has more than MSNP_LISTS_MAX_CONTACTS
 * contacts (announced by SYN or found while listing): the session is then
 * closed with MSNP_ERROR_LIST_TOO_BIG (or already closed).  The owner
 * asks as contacts arrive and before it puts the list in place. */
gboolean msnp_ns_list_too_big (MsnpNs *ns);

/* The status sent once the list is synced (default online). */
void msnp_ns_set_initial_status (MsnpNs *ns, MsnpStatus status);

/* A new socket is up: starts the handshake. */
void msnp_ns_connected (MsnpNs *ns);

/* Input from the socket.  Returns FALSE once the session has closed (the
 * closed event has fired). */
gboolean msnp_ns_feed (MsnpNs *ns, const guint8 *data, gsize len);

/* The socket went away.  Returns FALSE (and fires closed) when that ends
 * the session; TRUE when a referral is in progress. */
gboolean msnp_ns_disconnected (MsnpNs *ns);

void msnp_ns_submit_ticket (MsnpNs *ns, const char *ticket);

/* Ends the session with @error (fires closed). */
void msnp_ns_abort (MsnpNs *ns, const GError *error);

gboolean msnp_ns_is_online (const MsnpNs *ns);

void msnp_ns_set_status   (MsnpNs *ns, MsnpStatus status);
/* REA for our own passport: the name changes when the server echoes. */
void msnp_ns_set_friendly (MsnpNs *ns, const char *friendly);

/* List changes (MSNP8 section "Lists").  Each returns the TrID the echo or
 * error will carry (list_changed / request_failed), or 0 when not online
 * or the arguments cannot go on the wire (nothing was sent).  Nothing
 * changes in the model until the server echoes.
 *
 * ADD @list passport friendly [group]: @group_id only with MSNP_LIST_FL;
 * @friendly NULL sends the passport. */
guint msnp_ns_add_contact    (MsnpNs *ns, MsnpListMask list, const char *passport,
                              const char *friendly, const char *group_id);
/* REM @list passport [group]: with @group_id (FL only) from that group,
 * or from the whole forward list when that is the contact's last group
 * (msnp_lists_removal_group()).  A 215 answer to ADD counts as the echo. */
guint msnp_ns_remove_contact (MsnpNs *ns, MsnpListMask list, const char *passport,
                              const char *group_id);
guint msnp_ns_add_group      (MsnpNs *ns, const char *name);
guint msnp_ns_remove_group   (MsnpNs *ns, const char *group_id);
guint msnp_ns_rename_group   (MsnpNs *ns, const char *group_id, const char *name);
/* BLP: MSNP_LIST_AL (allow all but the block list) or MSNP_LIST_BL (block
 * all but the allow list). */
guint msnp_ns_set_privacy    (MsnpNs *ns, MsnpListMask blp);
/* GTC: @ask TRUE = A (ask me when someone adds me), FALSE = N. */
guint msnp_ns_set_gtc        (MsnpNs *ns, gboolean ask);
/* PRP: @value NULL or "" clears the number. */
guint msnp_ns_set_phone      (MsnpNs *ns, MsnpPhone phone, const char *value);
/* PRP MOB|MBE Y|N: the model follows the server's echo. */
guint msnp_ns_set_mobile     (MsnpNs *ns, MsnpMobileSetting setting,
                              gboolean on);
/* Pages @passport's mobile device with @text (msnp-page.h for the format
 * and the length limit).  Returns the TrID a refusal (page_failed) will
 * carry; 0 with @error set when the text cannot be sent (empty, too
 * long: MSNP_PAGE_ERROR) or 0 without @error when not online. */
guint msnp_ns_send_page      (MsnpNs *ns, const char *passport,
                              const char *text, GError **error);
/* URL INBOX: the answer comes as the url event. */
guint msnp_ns_request_inbox  (MsnpNs *ns);

/* Asks for a switchboard (XFR SB); the answer comes as the switchboard
 * or switchboard_failed event with the returned request id (0 when not
 * online: nothing was sent). */
guint msnp_ns_request_switchboard (MsnpNs *ns);

/* Sends PNG.  Returns FALSE when the previous PNG was never answered: the
 * link is dead and the owner should drop the connection. */
gboolean msnp_ns_keepalive (MsnpNs *ns);

/* Says OUT (when online) and marks the session closed without an event. */
void msnp_ns_sign_out (MsnpNs *ns);

/* The Passport profile value (MSPAuth, sid, …) from the login profile
 * message, or NULL. */
const char *msnp_ns_get_profile (const MsnpNs *ns, const char *field);

/* How many redirects this session followed; they are bounded. */
#define MSNP_NS_MAX_REDIRECTS 5

G_END_DECLS
