/*
 * CUnit suite for the mbox store on a file larger than its read window
 * (STORE_MBOX_WINDOW, 4 MB): the parse that reads the file a window at a
 * time, cut at message boundaries, and the rewrite that streams the new
 * file, must see and keep exactly what a whole-file read would. The
 * mailbox has more messages than fit in one window, one message larger
 * than the window, and bodies with "From " lines that are not message
 * boundaries (no date, or not after an empty line).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "store/store.h"
#include "tutil.h"

void test_store_mbox_big_register(void);

#define T0 ((mtime_t)1795903389 * 1000)
#define NMSG 7000
#define BIG_AT 3500			/* index of the big message */
#define BIG_BODY ((size_t)5 << 20)	/* more than the window */

static struct store_user *alice(const char *root)
{
	struct err e;
	struct store_user *u = store_user_open("mbox:~/mail:INBOX=/var/mail/%u",
					       "alice", "/home/alice", root, &e);

	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	store_user_set_hostname(u, "centos.localdomain");
	return u;
}

/* Message i as a client sees it (CRLF), and the mbox bytes. */
static void make_msg(size_t i, struct buf *mbox, struct buf *crlf)
{
	struct buf m;
	size_t k;

	buf_init(&m);
	buf_addf(&m, "Return-Path: <s%zu@example.org>\n"
		 "From: Sender <s%zu@example.org>\n"
		 "To: alice@centos.localdomain\n"
		 "Subject: message %zu\n"
		 "Message-ID: <m%zu@example.org>\n\n"
		 "Body of message %zu.\n", i, i, i, i, i);
	if (i % 7 == 3) {
		/* Not boundaries: no date; not after an empty line. */
		buf_adds(&m, "\nFrom the desk of nobody\n");
		buf_adds(&m, "text\nFrom someone  Sat Nov 28 22:02:51 2026\n");
	}
	if (i == BIG_AT) {
		for (k = 0; k < BIG_BODY / 64; k++)
			buf_adds(&m, "0123456789012345678901234567890123456789"
				 "01234567890123456789012\n");
	}
	buf_adds(&m, "last line\n");
	buf_addf(mbox, "From s%zu@example.org  Sat Nov 28 22:02:51 2026\n", i);
	buf_add(mbox, m.data, m.len);
	buf_addc(mbox, '\n');
	buf_clear(crlf);
	for (k = 0; k < m.len; k++) {
		if (m.data[k] == '\n')
			buf_addc(crlf, '\r');
		buf_addc(crlf, m.data[k]);
	}
	buf_reset(&m);
}

static char *path_of(const char *root, const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

/* Every message is there, with its UID, size and bytes. */
static void check_all(struct store_user *u, enum store_open_mode mode,
		      size_t skip)
{
	struct store_mailbox *mb;
	struct buf want, got, dummy;
	struct err e;
	size_t i, n = 0, bad = 0;

	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", mode, T0, &mb,
						 &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_count(mb),
			      skip < NMSG ? NMSG - 1 : NMSG);
	buf_init(&want);
	buf_init(&got);
	buf_init(&dummy);
	for (i = 0; i < NMSG; i++) {
		const struct store_msg *m;

		if (i == skip)
			continue;
		m = store_mailbox_msg(mb, n);
		make_msg(i, &dummy, &want);
		buf_clear(&dummy);
		if (m->uid != i + 1 || m->size != want.len)
			bad++;
		/* Reading all of them would be slow: a sample, the big one
		 * and its neighbours. */
		if (i % 97 == 0 || (i + 1 >= BIG_AT && i <= BIG_AT + 1)) {
			buf_clear(&got);
			if (store_mailbox_read(mb, n, &got, &e) != 0 ||
			    got.len != want.len ||
			    memcmp(got.data, want.data, want.len) != 0)
				bad++;
		}
		n++;
	}
	if (bad != 0)
		fprintf(stderr, "got %zu bad messages, want 0\n", bad);
	CU_ASSERT_EQUAL(bad, 0);
	buf_reset(&want);
	buf_reset(&got);
	buf_reset(&dummy);
	store_mailbox_close(&mb, T0);
}

static void test_big_mailbox(void)
{
	char *root = tu_tmpdir();
	char *inbox = path_of(root, "var/mail/alice");
	char *idx = path_of(root, "home/alice/mail/.imap/INBOX/maillab.index");
	char *dir = path_of(root, "var/mail");
	struct store_user *u;
	struct store_mailbox *mb;
	struct buf mbox, crlf;
	struct stat st1, st2;
	struct err e;
	size_t i, nexp = 0;

	buf_init(&mbox);
	buf_init(&crlf);
	for (i = 0; i < NMSG; i++)
		make_msg(i, &mbox, &crlf);
	tu_mkdirs(dir);
	tu_write_file(inbox, mbox.data, mbox.len);
	u = alice(root);

	/* Read-only: parsed a window at a time, the file untouched. */
	check_all(u, STORE_OPEN_RO, (size_t)-1);
	CU_ASSERT_EQUAL(stat(inbox, &st1), 0);
	CU_ASSERT_EQUAL((size_t)st1.st_size, mbox.len);

	/* The first read-write session writes every X-UID: the new file
	 * is streamed. Then the index, then a fresh parse, agree. */
	check_all(u, STORE_OPEN_RW, (size_t)-1);
	CU_ASSERT_EQUAL(stat(inbox, &st1), 0);
	CU_ASSERT((size_t)st1.st_size > mbox.len);
	check_all(u, STORE_OPEN_RW, (size_t)-1);
	CU_ASSERT_EQUAL(remove(idx), 0);
	check_all(u, STORE_OPEN_RW, (size_t)-1);

	/* A flag: in place (the padding), same size and inode. */
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	store_mailbox_set_flags(mb, BIG_AT + 1, STORE_FLAGS_ADD,
				STORE_SEEN | STORE_FLAGGED, 0);
	CU_ASSERT_EQUAL(store_mailbox_sync(mb, NULL, T0, &e), 0);
	store_mailbox_close(&mb, T0);
	CU_ASSERT_EQUAL(stat(inbox, &st2), 0);
	CU_ASSERT_EQUAL(st2.st_size, st1.st_size);
	CU_ASSERT_EQUAL(st2.st_ino, st1.st_ino);
	CU_ASSERT_EQUAL(remove(idx), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RO, T0,
						 &mb, &e), 0);
	/* (the index is gone: \Recent is not known any more) */
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, BIG_AT + 1)->flags &
			~(unsigned)STORE_RECENT, STORE_SEEN | STORE_FLAGGED);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, BIG_AT)->flags &
			~(unsigned)STORE_RECENT, 0);
	store_mailbox_close(&mb, T0);

	/* Expunge the big one: a new file without it, the rest intact. */
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	store_mailbox_set_flags(mb, BIG_AT, STORE_FLAGS_ADD, STORE_DELETED, 0);
	CU_ASSERT_EQUAL(store_mailbox_expunge(mb, tu_count_expunge, &nexp, T0,
					      &e), 0);
	CU_ASSERT_EQUAL(nexp, 1);
	store_mailbox_close(&mb, T0);
	check_all(u, STORE_OPEN_RO, BIG_AT);
	CU_ASSERT_EQUAL(remove(idx), 0);
	check_all(u, STORE_OPEN_RO, BIG_AT);

	store_user_free(&u);
	buf_reset(&mbox);
	buf_reset(&crlf);
	tu_rmtree(root);
	free(inbox);
	free(idx);
	free(dir);
	free(root);
}

void test_store_mbox_big_register(void)
{
	CU_pSuite s = CU_add_suite("store_mbox_big", NULL, NULL);

	CU_add_test(s, "a mailbox larger than the read window", test_big_mailbox);
}
