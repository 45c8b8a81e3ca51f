/*
 * store_stub: placeholders for the mbox and Maildir backends until they
 * land (this file goes away then). They behave as the RAM store.
 */
#include "store/store_int.h"

struct store_user *store_mbox_user_new(void)
{
	return store_ram_user_new();
}

struct store_user *store_maildir_user_new(void)
{
	return store_ram_user_new();
}
