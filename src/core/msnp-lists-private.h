/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The contact-list model's insides, shared by msnp-lists.c (the model,
 * requests in flight) and msnp-lists-sync.c (sync lines, cache).  Nothing
 * else includes this.  Same rules as msnp-lists.h: sans-IO, no loop, one
 * thread at a time per model. */
#pragma once

#include "msnp-framer.h"
#include "msnp-lists.h"

G_BEGIN_DECLS

struct _MsnpLists {
  GPtrArray   *contacts;  /* MsnpContact *, owned, server order */
  GHashTable  *index;     /* passport → MsnpContact *, keys borrowed */
  GPtrArray   *groups;    /* MsnpGroup *, owned, server order */
  GHashTable  *group_index;  /* id → MsnpGroup *, keys borrowed */
  gboolean     overflow;  /* contacts past MSNP_LISTS_MAX_CONTACTS dropped */
  char        *version;
  char         gtc;
  MsnpListMask blp;
  char        *own_phones[MSNP_N_PHONES];
  gboolean     own_mobile[MSNP_N_MOBILE_SETTINGS];
  MsnpContact *last;      /* the contact of the last LST, for BPR */
  /* List requests in flight (msnp_lists_leaving_add, _joining_add). */
  GHashTable  *leaving_by_trid;      /* TrID → Leaving *, owned */
  GHashTable  *leaving_by_passport;  /* passport → GPtrArray of removals */
};

/* Limits that keep every cache line well inside MSNP_FRAMER_MAX_LINE even
 * after URL-encoding (which can triple a name), so whatever the server
 * sent, the cache reads back exactly.  They are generous: MSN itself
 * allowed 129-character names, 30 groups and e-mail length passports. */
#define MAX_PASSPORT          256
#define MAX_NAME_BYTES        387   /* decoded UTF-8: 129 chars × 3 */
#define MAX_PHONE_BYTES        64
#define MAX_GROUP_ID           32
#define MAX_GROUPS_PER_CONTACT 32

G_STATIC_ASSERT (4 + MAX_PASSPORT + 1 + 3 * MAX_NAME_BYTES + 4
                 + MAX_GROUPS_PER_CONTACT * (MAX_GROUP_ID + 1) + 2
                 < MSNP_FRAMER_MAX_LINE);

/* URL-decodes wire text into valid UTF-8 without control characters, cut
 * to @max_bytes at a character boundary; NULL when nothing is left.
 * Newly allocated. */
char *msnp_lists_decode_text (const char *wire, gsize max_bytes);
/* @name (taken), or the id as UTF-8 when there is no name. */
char *msnp_lists_group_name_take (char *name, const char *id);
/* TRUE when @s can be written to the cache as is (no blanks, controls). */
gboolean msnp_lists_is_clean_id (const char *s);
/* Sets the friendly name, taking @valid (decoded; NULL: the passport). */
void msnp_lists_set_friendly_take (MsnpContact *contact, char *valid);
/* A new contact with no lists, known not to be in the model yet. */
MsnpContact *msnp_lists_contact_add (MsnpLists *lists, const char *passport);
/* A new group with no name, known not to be in the model yet. */
MsnpGroup *msnp_lists_group_add (MsnpLists *lists, const char *id);

G_END_DECLS
