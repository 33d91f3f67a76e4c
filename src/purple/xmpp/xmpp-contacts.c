/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include <account.h>
#include <buddyicon.h>
#include <debug.h>
#include <notify.h>
#include <server.h>
#include <util.h>

#include "xmpp-contacts.h"

#define NS_VCARD        "vcard-temp"
#define NS_VCARD_UPDATE "vcard-temp:x:update"
#define NS_NICK         "http://jabber.org/protocol/nick"
#define NS_JIDLOOKUP    "http://messenger.live.com/xmpp/jidlookup"
#define DEFAULT_GROUP   N_("Messenger contacts")

/* Our purple status ids ↔ XMPP <show/>. */
static const struct {
  const char          *id;
  const char          *show;   /* NULL: no <show/> (available) */
  PurpleStatusPrimitive primitive;
  const char          *name;
} statuses[] = {
  { "available", NULL, PURPLE_STATUS_AVAILABLE, NULL },
  { "chat", "chat", PURPLE_STATUS_AVAILABLE, N_("Free for chat") },
  { "away", "away", PURPLE_STATUS_AWAY, NULL },
  { "xa", "xa", PURPLE_STATUS_EXTENDED_AWAY, NULL },
  { "dnd", "dnd", PURPLE_STATUS_UNAVAILABLE, N_("Busy") },
};

GList *
msnp_xmpp_status_types (PurpleAccount *account)
{
  GList *types = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    types = g_list_append (types, purple_status_type_new_with_attrs (
        statuses[i].primitive, statuses[i].id,
        statuses[i].name != NULL ? _(statuses[i].name) : NULL, TRUE, TRUE,
        FALSE, "message", _("Message"), purple_value_new (PURPLE_TYPE_STRING),
        NULL));
  types = g_list_append (types, purple_status_type_new_full (
      PURPLE_STATUS_OFFLINE, "offline", NULL, TRUE, TRUE, FALSE));
  return types;
}

static const char *
status_id_for_show (const char *show)
{
  for (gsize i = 1; show != NULL && i < G_N_ELEMENTS (statuses); i++)
    if (strcmp (statuses[i].show, show) == 0)
      return statuses[i].id;
  return "available";
}

void
msnp_xmpp_send_own_presence (MsnpXmppAccount *xa)
{
  PurpleStatus *status = purple_account_get_active_status (xa->account);
  const char *id = purple_status_get_id (status);
  const char *msg = purple_status_get_attr_string (status, "message");
  g_autoptr (MsnpXmppNode) p = msnp_xmpp_stanza_new ("presence", NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (strcmp (statuses[i].id, id) == 0 && statuses[i].show != NULL)
      msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (p, "show", NULL),
                               statuses[i].show);
  if (msg != NULL && *msg != '\0') {
    g_autofree char *plain = purple_markup_strip_html (msg);
    msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (p, "status", NULL), plain);
  }
  msnp_xmpp_account_send (xa, p);
}

/* ---- vCards ------------------------------------------------------------------ */

static char *
sha1_hex (const guchar *data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA1, data, len);
}

static void
apply_vcard (MsnpXmppAccount *xa, const char *who, MsnpXmppNode *vcard)
{
  const char *nick = msnp_xmpp_node_find_text (vcard, "NICKNAME", NULL);
  MsnpXmppNode *photo = msnp_xmpp_node_find (vcard, "PHOTO", NULL);
  const char *binval = msnp_xmpp_node_find_text (photo, "BINVAL", NULL);

  if (nick != NULL && *nick != '\0')
    serv_got_alias (xa->gc, who, nick);
  if (binval != NULL && *binval != '\0') {
    gsize len = 0;
    guchar *data = purple_base64_decode (binval, &len);
    g_autofree char *sum = data != NULL ? sha1_hex (data, len) : NULL;

    if (data != NULL && len > 0)  /* takes over data */
      purple_buddy_icons_set_for_user (xa->account, who, data, len, sum);
    else
      g_free (data);
  }
}

typedef struct {
  MsnpXmppAccount *xa;
  char            *who;
  gboolean         show_info;
} VcardFetch;

static void
vcard_result (gpointer user, MsnpXmppNode *reply)
{
  VcardFetch *f = user;
  MsnpXmppNode *vcard = msnp_xmpp_node_find (reply, "vCard", NS_VCARD);

  if (reply != NULL && vcard != NULL)
    apply_vcard (f->xa, f->who, vcard);
  if (reply != NULL && f->show_info) {
    PurpleNotifyUserInfo *info = purple_notify_user_info_new ();
    static const struct { const char *tag; const char *label; } fields[] = {
      { "NICKNAME", N_("Nickname") }, { "FN", N_("Full name") },
      { "BDAY", N_("Birthday") }, { "URL", N_("Web page") },
      { "DESC", N_("About") },
    };

    purple_notify_user_info_add_pair_plaintext (info, _("Messenger address"), f->who);
    for (gsize i = 0; i < G_N_ELEMENTS (fields); i++) {
      const char *v = msnp_xmpp_node_find_text (vcard, fields[i].tag, NULL);
      if (v != NULL && *v != '\0')
        purple_notify_user_info_add_pair_plaintext (info, _(fields[i].label), v);
    }
    purple_notify_userinfo (f->xa->gc, f->who, info, NULL, NULL);
    purple_notify_user_info_destroy (info);
  }
  g_free (f->who);
  g_free (f);
}

static void
fetch_vcard (MsnpXmppAccount *xa, const char *who, gboolean show_info)
{
  g_autoptr (MsnpXmppNode) iq = msnp_xmpp_stanza_new ("iq", "get", who);
  VcardFetch *f = g_new0 (VcardFetch, 1);

  f->xa = xa;
  f->who = g_strdup (who);
  f->show_info = show_info;
  msnp_xmpp_node_add_child (iq, "vCard", NS_VCARD);
  if (!msnp_xmpp_account_ready (xa)) {
    vcard_result (f, NULL);
    return;
  }
  msnp_xmpp_account_send_iq (xa, iq, vcard_result, f);
}

void
msnp_xmpp_get_info (MsnpXmppAccount *xa, const char *who)
{
  fetch_vcard (xa, who, TRUE);
}

/* ---- roster ---------------------------------------------------------------- */

static void
roster_item (MsnpXmppAccount *xa, MsnpXmppNode *item)
{
  const char *jid = msnp_xmpp_node_get_attr (item, "jid");
  const char *name = msnp_xmpp_node_get_attr (item, "name");
  const char *sub = msnp_xmpp_node_get_attr (item, "subscription");
  const char *group_name = msnp_xmpp_node_find_text (item, "group", NULL);
  g_autofree char *bare = msnp_xmpp_jid_bare (jid);
  PurpleBuddy *buddy;

  if (bare == NULL || *bare == '\0')
    return;
  buddy = purple_find_buddy (xa->account, bare);
  if (g_strcmp0 (sub, "remove") == 0) {
    if (buddy != NULL)
      purple_blist_remove_buddy (buddy);
    return;
  }
  if (buddy == NULL) {
    PurpleGroup *group = purple_find_group (
        group_name != NULL && *group_name != '\0' ? group_name : _(DEFAULT_GROUP));

    if (group == NULL) {
      group = purple_group_new (group_name != NULL && *group_name != '\0'
                                    ? group_name : _(DEFAULT_GROUP));
      purple_blist_add_group (group, NULL);
    }
    buddy = purple_buddy_new (xa->account, bare, NULL);
    purple_blist_add_buddy (buddy, NULL, group, NULL);
  }
  /* The roster name is the user's own label for the contact. */
  if (name != NULL && *name != '\0')
    purple_blist_alias_buddy (buddy, name);
}

static void
roster_items (MsnpXmppAccount *xa, MsnpXmppNode *query)
{
  for (guint i = 0; query != NULL && i < query->children->len; i++) {
    MsnpXmppNode *item = g_ptr_array_index (query->children, i);
    if (strcmp (item->name, "item") == 0)
      roster_item (xa, item);
  }
}

static void
roster_result (gpointer user, MsnpXmppNode *reply)
{
  MsnpXmppAccount *xa = user;

  if (reply == NULL)
    return;
  roster_items (xa, msnp_xmpp_node_find (reply, "query", MSNP_XMPP_NS_ROSTER));
  /* Initial presence after the roster, so presences find their buddies. */
  msnp_xmpp_send_own_presence (xa);
}

void
msnp_xmpp_contacts_signed_on (MsnpXmppAccount *xa)
{
  g_autoptr (MsnpXmppNode) iq = msnp_xmpp_stanza_new ("iq", "get", NULL);

  msnp_xmpp_node_add_child (iq, "query", MSNP_XMPP_NS_ROSTER);
  msnp_xmpp_account_send_iq (xa, iq, roster_result, xa);
}

gboolean
msnp_xmpp_contacts_iq (MsnpXmppAccount *xa, MsnpXmppNode *stanza)
{
  MsnpXmppNode *query = msnp_xmpp_node_find (stanza, "query", MSNP_XMPP_NS_ROSTER);
  const char *from = msnp_xmpp_node_get_attr (stanza, "from");
  g_autofree char *own = msnp_xmpp_jid_bare (msnp_xmpp_session_get_jid (xa->session));

  if (query == NULL || g_strcmp0 (msnp_xmpp_node_get_attr (stanza, "type"), "set") != 0)
    return FALSE;
  /* Roster pushes come only from our own account (RFC 6121 2.1.6). */
  if (from != NULL && g_ascii_strcasecmp (from, own) != 0)
    return FALSE;
  roster_items (xa, query);
  msnp_xmpp_session_reply_result (xa->session, stanza, NULL);
  return TRUE;
}

/* ---- presence -------------------------------------------------------------- */

typedef struct {
  MsnpXmppAccount *xa;
  char            *who;
} AuthRequest;

static void
send_subscription (MsnpXmppAccount *xa, const char *who, const char *type)
{
  g_autoptr (MsnpXmppNode) p = msnp_xmpp_stanza_new ("presence", type, who);

  msnp_xmpp_account_send (xa, p);
}

static void
auth_answer (AuthRequest *r, const char *type)
{
  MsnpXmppAccount *xa = msnp_xmpp_account_of (
      purple_account_get_connection (r->xa->account));

  if (xa == r->xa)  /* still signed in with the same session */
    send_subscription (xa, r->who, type);
  g_free (r->who);
  g_free (r);
}

static void
auth_allow (gpointer data)
{
  auth_answer (data, "subscribed");
}

static void
auth_deny (gpointer data)
{
  auth_answer (data, "unsubscribed");
}

static void
subscription_request (MsnpXmppAccount *xa, const char *who, MsnpXmppNode *stanza)
{
  AuthRequest *r = g_new0 (AuthRequest, 1);
  const char *nick = msnp_xmpp_node_find_text (stanza, "nick", NS_NICK);
  const char *msg = msnp_xmpp_node_find_text (stanza, "status", NULL);

  r->xa = xa;
  r->who = g_strdup (who);
  /* XEP-0172: the nickname is all the user has to recognise a stranger
   * by, since vCards are only visible to contacts. */
  purple_account_request_authorization (
      xa->account, who, NULL, nick != NULL && *nick != '\0' ? nick : NULL, msg,
      purple_find_buddy (xa->account, who) != NULL, auth_allow, auth_deny, r);
}

static void
photo_hash (MsnpXmppAccount *xa, const char *who, MsnpXmppNode *stanza)
{
  MsnpXmppNode *x = msnp_xmpp_node_find (stanza, "x", NS_VCARD_UPDATE);
  const char *hash = msnp_xmpp_node_find_text (x, "photo", NULL);
  PurpleBuddy *buddy = purple_find_buddy (xa->account, who);
  const char *have = buddy != NULL
      ? purple_buddy_icons_get_checksum_for_user (buddy) : NULL;

  if (buddy == NULL)
    return;
  /* Fetch the vCard the first time a contact shows up, and again when
   * the announced photo differs from the icon we have. */
  if ((hash != NULL && *hash != '\0' && g_ascii_strcasecmp (hash, have ? have : "") != 0)
      || purple_buddy_get_server_alias (buddy) == NULL)
    fetch_vcard (xa, who, FALSE);
}

void
msnp_xmpp_contacts_presence (MsnpXmppAccount *xa, MsnpXmppNode *stanza)
{
  const char *type = msnp_xmpp_node_get_attr (stanza, "type");
  g_autofree char *who = msnp_xmpp_jid_bare (msnp_xmpp_node_get_attr (stanza, "from"));
  const char *show, *status;

  if (who == NULL)
    return;
  if (g_strcmp0 (type, "subscribe") == 0) {
    subscription_request (xa, who, stanza);
    return;
  }
  if (g_strcmp0 (type, "unavailable") == 0) {
    g_hash_table_remove (xa->presence, who);
    purple_prpl_got_user_status (xa->account, who, "offline", NULL);
    return;
  }
  if (type != NULL)
    return;  /* subscribed/unsubscribe…: the roster push tells the rest */
  show = msnp_xmpp_node_find_text (stanza, "show", NULL);
  status = msnp_xmpp_node_find_text (stanza, "status", NULL);
  /* No probes on this service: the last presence is all we will get. */
  g_hash_table_replace (xa->presence, g_strdup (who), g_strdup (show ? show : ""));
  if (status != NULL && *status != '\0')
    purple_prpl_got_user_status (xa->account, who, status_id_for_show (show),
                                 "message", status, NULL);
  else
    purple_prpl_got_user_status (xa->account, who, status_id_for_show (show), NULL);
  photo_hash (xa, who, stanza);
}

/* ---- adding contacts ------------------------------------------------------ */

/* XEP-0172: a nickname in the request, since the other side cannot see
 * our vCard before accepting. */
static void
subscribe_with_nick (MsnpXmppAccount *xa, const char *jid)
{
  g_autoptr (MsnpXmppNode) p = msnp_xmpp_stanza_new ("presence", "subscribe", jid);
  const char *nick = purple_account_get_alias (xa->account);

  if (nick == NULL || *nick == '\0')
    nick = purple_account_get_username (xa->account);
  msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (p, "nick", NS_NICK), nick);
  msnp_xmpp_account_send (xa, p);
}

static void
add_by_jid (MsnpXmppAccount *xa, const char *jid, const char *group)
{
  g_autoptr (MsnpXmppNode) iq = msnp_xmpp_stanza_new ("iq", "set", NULL);
  MsnpXmppNode *item = msnp_xmpp_node_add_child (
      msnp_xmpp_node_add_child (iq, "query", MSNP_XMPP_NS_ROSTER), "item", NULL);

  msnp_xmpp_node_set_attr (item, "jid", jid);
  if (group != NULL)
    msnp_xmpp_node_set_text (msnp_xmpp_node_add_child (item, "group", NULL), group);
  msnp_xmpp_account_send_iq (xa, iq, NULL, NULL);
  subscribe_with_nick (xa, jid);
}

typedef struct {
  MsnpXmppAccount *xa;
  char            *email;
  char            *group;
} Lookup;

static void
lookup_result (gpointer user, MsnpXmppNode *reply)
{
  Lookup *l = user;
  MsnpXmppNode *getjid = msnp_xmpp_node_find (reply, "getjid", NS_JIDLOOKUP);
  const char *jid = msnp_xmpp_node_find_text (getjid, "jid", NULL);
  PurpleBuddy *old;

  if (reply != NULL && jid != NULL && *jid != '\0') {
    g_autofree char *bare = msnp_xmpp_jid_bare (jid);
    PurpleGroup *group = purple_find_group (l->group);
    PurpleBuddy *buddy = purple_find_buddy (l->xa->account, bare);

    /* Replace the e-mail entry by the JID, labelled with the address. */
    old = purple_find_buddy (l->xa->account, l->email);
    if (old != NULL)
      purple_blist_remove_buddy (old);
    if (buddy == NULL) {
      buddy = purple_buddy_new (l->xa->account, bare, l->email);
      purple_blist_add_buddy (buddy, NULL, group, NULL);
    }
    add_by_jid (l->xa, bare, l->group);
  } else if (reply != NULL) {
    g_autofree char *msg = g_strdup_printf (
        _("No Messenger contact has the address %s."), l->email);
    purple_notify_error (l->xa->gc, _("Add contact"), _("Contact not found"), msg);
  }
  g_free (l->email);
  g_free (l->group);
  g_free (l);
}

void
msnp_xmpp_add_buddy (MsnpXmppAccount *xa, PurpleBuddy *buddy, PurpleGroup *group)
{
  const char *name = purple_buddy_get_name (buddy);
  const char *at = strchr (name, '@');
  const char *gname = group != NULL ? purple_group_get_name (group) : NULL;

  if (at == NULL || !msnp_xmpp_account_ready (xa))
    return;
  if (g_ascii_strcasecmp (at + 1, xa->domain) == 0) {
    add_by_jid (xa, name, gname);
    return;
  }
  /* An e-mail address: the service only knows contacts by JID. */
  {
    g_autoptr (MsnpXmppNode) iq = msnp_xmpp_stanza_new ("iq", "get", name);
    Lookup *l = g_new0 (Lookup, 1);

    l->xa = xa;
    l->email = g_strdup (name);
    l->group = g_strdup (gname != NULL ? gname : _(DEFAULT_GROUP));
    msnp_xmpp_node_add_child (iq, "getjid", NS_JIDLOOKUP);
    msnp_xmpp_account_send_iq (xa, iq, lookup_result, l);
  }
}
