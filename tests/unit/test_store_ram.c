/* CUnit suite for the RAM store (src/store/store_ram.c) through store.h. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "store/store.h"

void test_store_ram_register(void);

static size_t n_expunged, last_idx;
static size_t n_appended;

static void on_expunge(void *ctx, size_t idx, uint32_t uid)
{
	(void)ctx;
	(void)uid;
	n_expunged++;
	last_idx = idx;
}

static void on_append(void *ctx, size_t count)
{
	(void)ctx;
	n_appended = count;
}

static void test_ram_basic(void)
{
	struct err e;
	struct store_user *u = store_user_open("ram:", "alice", "/home/alice",
					       "", &e);
	struct store_mailbox *mb, *mb2;
	struct store_sync_cb cb = { on_expunge, on_append, NULL, NULL };
	struct buf b;
	uint32_t uid;

	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "inbox", STORE_OPEN_RW,
						 1000000, &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 0);
	CU_ASSERT_EQUAL(store_mailbox_uidvalidity(mb), 1000);
	CU_ASSERT_EQUAL(store_mailbox_append(mb, "A: b\n\nhi\n", 9, STORE_SEEN,
					     0, 77, 0, &uid, &e), 0);
	CU_ASSERT_EQUAL(uid, 1);
	CU_ASSERT_EQUAL(store_mailbox_append(mb, "A: c\r\n\r\nho\r\n", 12, 0,
					     0, -1, 5000, &uid, &e), 0);
	CU_ASSERT_EQUAL(uid, 2);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 0);
	n_appended = 0;
	CU_ASSERT_EQUAL(store_mailbox_sync(mb, &cb, 0, &e), 0);
	CU_ASSERT_EQUAL(n_appended, 2);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->size, 12);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 1)->internal_date, 5);
	CU_ASSERT(store_mailbox_msg(mb, 1)->flags & STORE_RECENT);
	buf_init(&b);
	CU_ASSERT_EQUAL(store_mailbox_read(mb, 1, &b, &e), 0);
	CU_ASSERT_EQUAL(b.len, 12);
	CU_ASSERT_EQUAL(memcmp(b.data, "A: c\r\n\r\nho\r\n", 12), 0);
	buf_reset(&b);

	/* A second session sees no \Recent and gets the expunge on sync. */
	CU_ASSERT_EQUAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, 0, &mb2,
					   &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb2), 2);
	CU_ASSERT_FALSE(store_mailbox_msg(mb2, 0)->flags & STORE_RECENT);
	store_mailbox_set_flags(mb, 0, STORE_FLAGS_ADD, STORE_DELETED, 0);
	n_expunged = 0;
	CU_ASSERT_EQUAL(store_mailbox_expunge(mb, on_expunge, NULL, 0, &e), 0);
	CU_ASSERT_EQUAL(n_expunged, 1);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 1);
	CU_ASSERT_EQUAL(store_mailbox_count(mb2), 2);
	n_expunged = 0;
	CU_ASSERT_EQUAL(store_mailbox_sync(mb2, &cb, 0, &e), 0);
	CU_ASSERT_EQUAL(n_expunged, 1);
	CU_ASSERT_EQUAL(last_idx, 0);
	CU_ASSERT_EQUAL(store_mailbox_find_uid(mb2, 2), 0);
	store_mailbox_close(&mb2, 0);
	store_mailbox_close(&mb, 0);
	CU_ASSERT_PTR_NULL(mb);

	CU_ASSERT_EQUAL(store_create(u, "Old", 2000, &e), 0);
	CU_ASSERT_EQUAL(store_create(u, "Old", 2000, &e), -1);
	CU_ASSERT_EQUAL(store_rename(u, "Old", "New", &e), 0);
	CU_ASSERT_TRUE(store_exists(u, "New"));
	CU_ASSERT_EQUAL(store_delete(u, "New", &e), 0);
	CU_ASSERT_EQUAL(store_delete(u, "New", &e), -1);
	store_user_free(&u);
}

/* imap/01-session: APPEND/COPY into Old, EXAMINE Old shows 2 RECENT,
 * and a later SELECT still gets them; EXAMINE INBOX after SELECT: 0. */
static void test_recent_modes(void)
{
	struct err e;
	struct store_user *u = store_user_open("ram:", "alice", "/home/alice",
					       "", &e);
	struct store_mailbox *mb;
	uint32_t uid;

	CU_ASSERT_EQUAL(store_create(u, "Old", 1000, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_SAVE,
						 1000, &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_append(mb, "a\n\nb\n", 5, STORE_SEEN, 0,
					     -1, 1000, &uid, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_append(mb, "c\n\nd\n", 5, 0, 0,
					     -1, 1000, &uid, &e), 0);
	store_mailbox_close(&mb, 1000);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_RO, 1000,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->flags,
			STORE_SEEN | STORE_RECENT);
	CU_ASSERT(store_mailbox_msg(mb, 1)->flags & STORE_RECENT);
	store_mailbox_close(&mb, 1000);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_RW, 1000,
						 &mb, &e), 0);
	CU_ASSERT(store_mailbox_msg(mb, 1)->flags & STORE_RECENT);
	store_mailbox_close(&mb, 1000);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_RO, 1000,
						 &mb, &e), 0);
	CU_ASSERT_FALSE(store_mailbox_msg(mb, 1)->flags & STORE_RECENT);
	store_mailbox_close(&mb, 1000);
	store_user_free(&u);
}

void test_store_ram_register(void)
{
	CU_pSuite s = CU_add_suite("store_ram", NULL, NULL);

	CU_add_test(s, "append, sync, expunge, folders", test_ram_basic);
	CU_add_test(s, "\\Recent in RW, RO and SAVE opens", test_recent_modes);
}
