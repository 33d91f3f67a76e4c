/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The server-stored contact lists of one account: forward, allow, block and
 * reverse lists as a bitmask per contact, groups, privacy settings, phone
 * numbers and the list version.
 *
 * The model is fed the very lines the server sends (GTC, BLP, PRP, LSG,
 * LST, BPR), and its cache is written in the same line format, so loading
 * a cache and syncing from the wire share one parser (msnp-lists-sync.c;
 * the model and the requests in flight are msnp-lists.c).
 *
 * The model owns every MsnpContact and MsnpGroup; pointers to them are
 * borrowed and stay valid until the contact or group is removed or the
 * model cleared or freed.  Sans-IO: everything runs on the caller's
 * thread, with no main loop. */
#pragma once

#include <glib.h>
#include "msnp-command.h"

G_BEGIN_DECLS

/* MSNP8 LST carries a list bitmask, not a list name (seed 003). */
typedef enum {
  MSNP_LIST_FL = 1 << 0,  /* forward: people I watch */
  MSNP_LIST_AL = 1 << 1,  /* allow */
  MSNP_LIST_BL = 1 << 2,  /* block */
  MSNP_LIST_RL = 1 << 3,  /* reverse: people who watch me */
} MsnpListMask;

typedef enum {
  MSNP_PHONE_HOME,    /* PHH */
  MSNP_PHONE_WORK,    /* PHW */
  MSNP_PHONE_MOBILE,  /* PHM */
  MSNP_N_PHONES
} MsnpPhone;

typedef struct {
  char     *passport;      /* lower-cased */
  char     *friendly;      /* decoded UTF-8; the passport when none came */
  guint     lists;         /* MsnpListMask */
  GPtrArray *groups;       /* group ids (char *), forward-list groups */
  char     *phones[MSNP_N_PHONES];  /* decoded, NULL when not shared */
  gboolean  mobile;        /* BPR MOB Y: accepts pages */
  gboolean  mobile_device; /* BPR MBE Y: has a mobile device set up */
  gboolean  space;         /* BPR HSB 1: has an MSN Space (blog) */
} MsnpContact;

/* Our own mobile settings (PRP MOB Y|N, PRP MBE Y|N). */
typedef enum {
  MSNP_MOBILE_ALLOW_PAGES,   /* MOB: others may page me */
  MSNP_MOBILE_DEVICE,        /* MBE: my mobile device is enabled */
  MSNP_N_MOBILE_SETTINGS
} MsnpMobileSetting;

typedef struct {
  char *id;                /* opaque: numeric on MSN, not always elsewhere */
  char *name;              /* decoded UTF-8 */
} MsnpGroup;

/* The most contacts (on any of the four lists) one account may have.
 * Microsoft's servers capped the forward list at 150, then 300, 600 and
 * finally 1,000 contacts; revival servers lift the cap, but nobody has
 * tens of thousands of contacts to talk to.  Every contact costs the
 * host 4-6 KB in libpurple (a PurpleBuddy with its presence: measured
 * in bench/RESULTS.md) and ~40 us to put in place, so 60,000 keeps one
 * account under ~350 MB and a first sign-in within a few seconds, while
 * leaving 60 times the largest official list (and the 50,000-contact
 * benchmark list) working.  Beyond it the sign-in stops with a clear
 * error instead of eating the host's memory. */
#define MSNP_LISTS_MAX_CONTACTS 60000

typedef struct _MsnpLists MsnpLists;

MsnpLists *msnp_lists_new  (void);
void       msnp_lists_free (MsnpLists *lists);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsnpLists, msnp_lists_free)

/* Forgets contacts and groups (before a full resend from the server). */
void msnp_lists_clear (MsnpLists *lists);

/* The list version the server last confirmed; "0" for an empty model. */
const char *msnp_lists_get_version (const MsnpLists *lists);
void        msnp_lists_set_version (MsnpLists *lists, const char *version);

/* GTC: 'A' (ask when someone adds me) or 'N' (allow automatically). */
char msnp_lists_get_gtc (const MsnpLists *lists);
/* BLP: MSNP_LIST_AL (allow all not blocked) or MSNP_LIST_BL. */
MsnpListMask msnp_lists_get_blp (const MsnpLists *lists);
const char *msnp_lists_get_own_phone (const MsnpLists *lists, MsnpPhone phone);
/* PRP MOB/MBE as the server last said (FALSE until it says Y). */
gboolean msnp_lists_get_own_mobile (const MsnpLists *lists,
                                    MsnpMobileSetting setting);
/* "MOB" / "MBE". */
const char *msnp_mobile_setting_code (MsnpMobileSetting setting);

/* Applies one sync line (GTC, BLP, PRP, LSG, LST, BPR) in its MSNP8
 * shape, tolerantly: missing friendly names, absent group lists and extra
 * parameters are accepted.  BPR applies to the contact of the last LST.
 * Returns the contact an LST or BPR touched, NULL otherwise (also for
 * lines it cannot use, which it ignores). */
MsnpContact *msnp_lists_apply (MsnpLists *lists, const MsnpCommand *cmd);

MsnpContact *msnp_lists_lookup (const MsnpLists *lists, const char *passport);
/* Adds (or returns) a contact with no lists; NULL when the model is full
 * (MSNP_LISTS_MAX_CONTACTS). */
MsnpContact *msnp_lists_ensure (MsnpLists *lists, const char *passport,
                                const char *friendly);
void         msnp_lists_remove (MsnpLists *lists, const char *passport);
guint        msnp_lists_n_contacts (const MsnpLists *lists);
/* TRUE when a sync listed more than MSNP_LISTS_MAX_CONTACTS contacts (the
 * ones past it were dropped); cleared by msnp_lists_clear(). */
gboolean     msnp_lists_overflowed (const MsnpLists *lists);

/* The @i-th contact in the order the server listed them (borrowed). */
const MsnpContact *msnp_lists_nth (const MsnpLists *lists, guint i);

/* Contacts in the order the server listed them (borrowed). */
void msnp_lists_foreach (const MsnpLists *lists,
                         void (*func) (MsnpContact *contact, gpointer data),
                         gpointer data);

const MsnpGroup *msnp_lists_get_group (const MsnpLists *lists, const char *id);
/* Groups in server order (MsnpGroup *), borrowed. */
const GPtrArray *msnp_lists_get_groups (const MsnpLists *lists);

/* Group changes confirmed by the server (ADG, REG, RMG).  @name is
 * decoded UTF-8.  set_group adds the group or renames it. */
const MsnpGroup *msnp_lists_set_group    (MsnpLists *lists, const char *id,
                                          const char *name);
/* Forgets the group only; contacts' group ids are the caller's business. */
void             msnp_lists_remove_group (MsnpLists *lists, const char *id);
/* The first group called @name (exact match), or NULL. */
const MsnpGroup *msnp_lists_find_group_by_name (const MsnpLists *lists,
                                                const char *name);

gboolean msnp_contact_in_group (const MsnpContact *contact, const char *id);

/* List requests sent and not answered yet, by TrID.  Removals from the
 * forward list:
 * from group @group_id, or from the whole list when it is NULL.  The
 * server's truth (the model) changes only with the echo; these let the
 * next request know what will be left by then. */
void     msnp_lists_leaving_add  (MsnpLists *lists, guint trid,
                                  const char *passport, const char *group_id);
/* An ADD to @list sent (@group_id for the forward list, or NULL). */
void     msnp_lists_joining_add  (MsnpLists *lists, guint trid, MsnpListMask list,
                                  const char *passport, const char *group_id);
/* The echo or the refusal of @trid arrived (unknown TrIDs are ignored). */
void     msnp_lists_leaving_done (MsnpLists *lists, guint trid);
/* The server answered the ADD @trid with 215, "already there": the model
 * takes the contact as on that list (and in that group), which is what
 * the server says.  Returns the contact (with the list and the group id
 * asked for, @group_id to free), or NULL when @trid is no ADD in flight.  The list version is left alone: if the server did change the
 * list after all, its version moved and the next sign-in reloads it. */
MsnpContact *msnp_lists_joining_present (MsnpLists *lists, guint trid,
                                         MsnpListMask *list, char **group_id);
/* TRUE when a removal of @passport from @group_id, or from the whole
 * forward list, is in flight. */
gboolean msnp_lists_is_leaving   (const MsnpLists *lists, const char *passport,
                                  const char *group_id);

/* What "REM FL" must name to take @contact out of @group_id: @group_id,
 * or NULL ("REM FL passport", off the forward list) when that removal
 * empties the contact's last group, counting the removals in flight.
 * MSNP8 servers keep a contact removed from its last group by group on
 * the forward list with no group, and list it in a default group at the
 * next sign-in, so the last one must not name a group. */
const char *msnp_lists_removal_group (const MsnpLists *lists,
                                      const MsnpContact *contact,
                                      const char *group_id);

/* Serialises the whole model in the wire's line format, with the version
 * first.  @out is appended to. */
void msnp_lists_write_cache (const MsnpLists *lists, GString *out);

/* Replaces the model with a cache written by msnp_lists_write_cache().
 * FALSE (model left empty, version "0") when the text is not a cache. */
gboolean msnp_lists_read_cache (MsnpLists *lists, const char *text, gsize len);

G_END_DECLS
