/*
 * store_stub: placeholder for the Maildir backend until it lands (this
 * file goes away then). It behaves as the RAM store.
 */
#include "store/store_int.h"

struct store_user *store_maildir_user_new(void)
{
	return store_ram_user_new();
}
