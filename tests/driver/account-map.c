/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The test's names for accounts: the "id" given to add_account <->
 * PurpleAccount, and finding the account or connection a command names. */

#include "driver.h"

GHashTable *accounts_by_id;  /* char *id -> PurpleAccount* */
GHashTable *ids_by_account;  /* PurpleAccount* -> char *id (shared) */

const char *
acct_id(PurpleAccount *account)
{
	const char *id;

	if (account == NULL)
		return NULL;
	id = g_hash_table_lookup(ids_by_account, account);
	if (id != NULL)
		return id;
	/* An account we did not create (e.g. loaded from accounts.xml):
	 * fall back to its username. */
	return purple_account_get_username(account);
}

void
jo_account(JsonObject *o, PurpleAccount *account)
{
	jo_str(o, "account", acct_id(account));
}

void
map_account(const char *id, PurpleAccount *account)
{
	char *key = g_strdup(id);
	const char *old = g_hash_table_lookup(ids_by_account, account);

	if (old != NULL) {
		/* accounts_by_id borrows its keys from ids_by_account */
		g_hash_table_remove(accounts_by_id, old);
		g_hash_table_remove(ids_by_account, account);
	}
	g_hash_table_replace(accounts_by_id, key, account);
	g_hash_table_replace(ids_by_account, account, key);
	purple_account_set_ui_string(account, DRIVER_UI, "driver-id", id);
}

void
unmap_account(PurpleAccount *account)
{
	const char *id = g_hash_table_lookup(ids_by_account, account);
	if (id != NULL) {
		/* accounts_by_id borrows its keys from ids_by_account */
		g_hash_table_remove(accounts_by_id, id);
		g_hash_table_remove(ids_by_account, account);
	}
}

PurpleAccount *
find_account(JsonObject *cmd, JsonObject *reply)
{
	const char *id = arg_str(cmd, "id");
	PurpleAccount *account;

	if (id == NULL) {
		fail(reply, "missing \"id\"");
		return NULL;
	}
	account = g_hash_table_lookup(accounts_by_id, id);
	if (account == NULL) {
		fail(reply, "no account with id %s", id);
		return NULL;
	}
	return account;
}

PurpleConnection *
find_connection(JsonObject *cmd, JsonObject *reply, PurpleAccount **out_account)
{
	PurpleAccount *account = find_account(cmd, reply);
	PurpleConnection *gc;

	if (account == NULL)
		return NULL;
	gc = purple_account_get_connection(account);
	if (gc == NULL) {
		fail(reply, "account %s is not connected", arg_str(cmd, "id"));
		return NULL;
	}
	if (out_account != NULL)
		*out_account = account;
	return gc;
}

PurplePluginProtocolInfo *
account_prpl_info(PurpleAccount *account)
{
	PurplePlugin *prpl = purple_find_prpl(purple_account_get_protocol_id(account));
	return prpl != NULL ? PURPLE_PLUGIN_PROTOCOL_INFO(prpl) : NULL;
}
