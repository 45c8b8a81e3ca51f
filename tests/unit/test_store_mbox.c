/*
 * CUnit suite for the mbox store (src/store/store_mbox*.c): the reference
 * mailboxes parse with Dovecot's sizes, UIDs persist, and the file is
 * rewritten byte for byte as Dovecot 2.3.19 left it after the reference
 * sessions (tests/data/mailboxes/NAME-after.mbox, copied from
 * reference/transcripts/).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "store/store.h"
#include "store/store_mbox.h"
#include "tutil.h"

void test_store_mbox_register(void);

/* 2026-11-28 22:03:09 UTC: what Dovecot took as UIDVALIDITY. */
#define T0 ((mtime_t)1795903389 * 1000)

static struct store_user *alice(const char *root)
{
	struct err e;
	struct store_user *u = store_user_open("mbox:~/mail:INBOX=/var/mail/%u",
					       "alice", "/home/alice", root, &e);

	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	store_user_set_hostname(u, "centos.localdomain");
	return u;
}

static char *inbox_path(const char *root)
{
	return xasprintf("%s/var/mail/alice", root);
}

static void set_inbox(const char *root, const char *datafile)
{
	char *p = inbox_path(root);

	tu_copy_file(datafile, p);
	free(p);
}

static void check_inbox(const char *root, const char *want_file)
{
	char *p = inbox_path(root);

	tu_assert_same_file(p, want_file);
	free(p);
}

static void test_parse_seed(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *mb;
	struct err e;
	struct buf b;
	static const uint64_t sizes[] = { 518, 509, 509 };
	size_t i;

	set_inbox(root, "tests/data/mailboxes/seed-alice.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RO, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_count(mb), 3);
	for (i = 0; i < 3; i++) {
		const struct store_msg *m = store_mailbox_msg(mb, i);

		if (m->size != sizes[i])
			CU_FAIL("size");
		CU_ASSERT_EQUAL(m->uid, i + 1);
		/* Never seen by a RW session: \Recent, shown, not taken. */
		CU_ASSERT_EQUAL(m->flags, STORE_RECENT);
	}
	CU_ASSERT_EQUAL(store_mailbox_total_size(mb), 1536);
	/* INTERNALDATE = From_ line: Sat Nov 28 22:02:51 2026 */
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->internal_date, 1795903371);
	CU_ASSERT_EQUAL(store_mailbox_uidvalidity(mb), 1795903389);
	CU_ASSERT_EQUAL(store_mailbox_uidnext(mb), 4);
	buf_init(&b);
	CU_ASSERT_EQUAL(store_mailbox_read(mb, 1, &b, &e), 0);
	CU_ASSERT_EQUAL(b.len, 509);
	CU_ASSERT(b.len > 28 && memcmp(b.data + b.len - 28,
				       "Message two.\r\nSecond line.\r\n", 28) == 0);
	buf_reset(&b);
	store_mailbox_close(&mb, T0);
	/* Read-only: the file is untouched. */
	check_inbox(root, "tests/data/mailboxes/seed-alice.mbox");
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

/* pop3/01-session: a RW session without changes adds X-IMAPbase/X-UID. */
static void test_first_rw_session(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *mb;
	struct err e;

	set_inbox(root, "tests/data/mailboxes/seed-alice.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT(store_mailbox_msg(mb, 0)->flags & STORE_RECENT);
	store_mailbox_close(&mb, T0 + 7000);
	check_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");

	/* Opened again: the same UIDs, read from the file, nothing recent,
	 * and the file does not change. */
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW,
						 T0 + 60000, &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 3);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 2)->uid, 3);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 2)->size, 509);
	CU_ASSERT_FALSE(store_mailbox_msg(mb, 0)->flags & STORE_RECENT);
	CU_ASSERT_EQUAL(store_mailbox_uidvalidity(mb), 1795903389);
	store_mailbox_close(&mb, T0 + 61000);
	check_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

/* imap/01-session: \Seen on 1 and 2, 3 expunged (in place + truncate). */
static void test_imap_flags_expunge(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *mb;
	struct err e;
	size_t nexp = 0;

	set_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_set_flags(mb, 0, STORE_FLAGS_ADD,
						STORE_SEEN, 0), 1);
	CU_ASSERT_EQUAL(store_mailbox_sync(mb, NULL, T0, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_set_flags(mb, 1, STORE_FLAGS_ADD,
						STORE_SEEN, 0), 1);
	CU_ASSERT_EQUAL(store_mailbox_sync(mb, NULL, T0, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_set_flags(mb, 2, STORE_FLAGS_ADD,
						STORE_DELETED, 0), 1);
	CU_ASSERT_EQUAL(store_mailbox_expunge(mb, tu_count_expunge, &nexp, T0,
					      &e), 0);
	CU_ASSERT_EQUAL(nexp, 1);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 2);
	store_mailbox_close(&mb, T0);
	check_inbox(root, "tests/data/mailboxes/imap-01-after.mbox");
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

/* pop3/05-dele-quit: the first message goes, X-IMAPbase moves on. */
static void test_expunge_first(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *mb;
	struct err e;
	size_t nexp = 0;

	set_inbox(root, "tests/data/mailboxes/imap-01-after.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_total_size(mb), 1027);
	CU_ASSERT(store_mailbox_msg(mb, 0)->flags & STORE_SEEN);
	store_mailbox_set_flags(mb, 0, STORE_FLAGS_ADD, STORE_DELETED, 0);
	CU_ASSERT_EQUAL(store_mailbox_expunge(mb, tu_count_expunge, &nexp, T0,
					      &e), 0);
	CU_ASSERT_EQUAL(nexp, 1);
	store_mailbox_close(&mb, T0);
	check_inbox(root, "tests/data/mailboxes/pop3-05-after.mbox");

	/* And the UID of what is left stays 2. */
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RO, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 1);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->uid, 2);
	CU_ASSERT_EQUAL(store_mailbox_uidnext(mb), 4);
	store_mailbox_close(&mb, T0);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

static size_t appended_count;

static void on_appended(void *ctx, size_t n)
{
	(void)ctx;
	appended_count = n;
}

/* A delivery while a session is open is seen at its next sync, with the
 * next UID, and gets its X-UID when the session writes. */
static void test_concurrent_delivery(void)
{
	char *root = tu_tmpdir();
	char *path = inbox_path(root);
	struct store_user *u = alice(root);
	struct store_mailbox *mb;
	struct store_sync_cb cb = { NULL, on_appended, NULL, NULL };
	struct err e;
	static const char msg[] = "From: x@y\nSubject: new\n\nFrom the start\nbody\n";
	struct buf b;

	set_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mbox_deliver(path, "bob@centos.localdomain",
					   1795903400, msg, strlen(msg), &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 3);
	appended_count = 0;
	CU_ASSERT_EQUAL(store_mailbox_sync(mb, &cb, T0, &e), 0);
	CU_ASSERT_EQUAL(appended_count, 4);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_count(mb), 4);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 3)->uid, 4);
	CU_ASSERT(store_mailbox_msg(mb, 3)->flags & STORE_RECENT);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 3)->internal_date, 1795903400);
	buf_init(&b);
	CU_ASSERT_EQUAL(store_mailbox_read(mb, 3, &b, &e), 0);
	CU_ASSERT_EQUAL(b.len, store_mailbox_msg(mb, 3)->size);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\r\n>From the start\r\n"));
	buf_reset(&b);
	store_mailbox_close(&mb, T0);
	{
		char *text = tu_read_file(path, NULL);

		CU_ASSERT_PTR_NOT_NULL(strstr(text, "X-IMAPbase: 1795903389 0000000004\n"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "Subject: new\nX-UID: 4"));
		free(text);
	}
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
	free(path);
}

/* Absent INBOX: created empty; an empty mbox has no messages. */
static void test_absent_inbox(void)
{
	char *root = tu_tmpdir();
	char *path = inbox_path(root);
	struct store_user *u = alice(root);
	struct store_mailbox *mb;
	struct err e;
	struct stat st;
	char *spool = xasprintf("%s/var/mail", root);

	tu_mkdirs(spool);
	free(spool);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 0);
	store_mailbox_close(&mb, T0);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_EQUAL(store_mailbox_open(u, "Nope", STORE_OPEN_RW, T0, &mb,
					   &e), -1);
	CU_ASSERT_EQUAL(e.errnum, ENOENT);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
	free(path);
}

/* Folders, APPEND in Dovecot's layout, COPY, UIDs across sessions. */
static void test_folders_append(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *in, *old;
	struct store_folders f;
	struct err e;
	uint32_t uid = 0;
	static const char app[] = "From: Alice <alice@centos.localdomain>\r\n"
		"Subject: appended draft\r\n\r\nAppended via IMAP.\r\n\r\n";
	char *text, *p;

	set_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");
	CU_ASSERT_EQUAL(store_create(u, "Archive", T0, &e), 0);
	CU_ASSERT_EQUAL(store_create(u, "Archive", T0, &e), -1);
	CU_ASSERT_EQUAL(e.errnum, EEXIST);
	CU_ASSERT_EQUAL(store_rename(u, "Archive", "Old", &e), 0);
	CU_ASSERT_EQUAL(store_list(u, &f, &e), 0);
	CU_ASSERT_EQUAL_FATAL(f.n, 2);
	CU_ASSERT_STRING_EQUAL(f.v[0].name, "INBOX");
	CU_ASSERT_STRING_EQUAL(f.v[1].name, "Old");
	CU_ASSERT(f.v[1].attrs & STORE_FOLDER_NOINFERIORS);
	store_folders_free(&f);

	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &in, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_SAVE,
						 T0 + 39000, &old, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_uidvalidity(old), 1795903428);
	CU_ASSERT_EQUAL(store_mailbox_copy(in, 0, old, T0, &uid, &e), 0);
	CU_ASSERT_EQUAL(uid, 1);
	CU_ASSERT_EQUAL(store_mailbox_append(old, app, strlen(app), STORE_SEEN,
					     0, -1, T0 + 40000, &uid, &e), 0);
	CU_ASSERT_EQUAL(uid, 2);
	CU_ASSERT_EQUAL(store_mailbox_sync(old, NULL, T0, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_count(old), 2);
	CU_ASSERT_EQUAL(store_mailbox_msg(old, 0)->size, 518);
	CU_ASSERT_EQUAL(store_mailbox_msg(old, 1)->size, strlen(app));
	CU_ASSERT(store_mailbox_msg(old, 1)->flags & STORE_SEEN);
	store_mailbox_close(&old, T0);
	store_mailbox_close(&in, T0);

	p = xasprintf("%s/home/alice/mail/Old", root);
	text = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "From alice@centos.localdomain  Sat Nov 28 22:03:49 2026\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "X-IMAPbase: 1795903428 0000000002\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "X-UID: 2\nStatus: R\nX-Keywords:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  \nContent-Length: 20\n\nAppended via IMAP.\n\n\n"));
	free(text);

	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_RO, T0,
						 &old, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(old), 2);
	CU_ASSERT_EQUAL(store_mailbox_msg(old, 1)->uid, 2);
	CU_ASSERT_EQUAL(store_mailbox_uidvalidity(old), 1795903428);
	/* EXAMINE Old: "* 2 RECENT" */
	CU_ASSERT_EQUAL(store_mailbox_msg(old, 0)->flags, STORE_RECENT);
	CU_ASSERT_EQUAL(store_mailbox_msg(old, 1)->flags,
			STORE_SEEN | STORE_RECENT);
	store_mailbox_close(&old, T0);
	/* SELECT takes \Recent; EXAMINE after it shows none. */
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_RW, T0,
						 &old, &e), 0);
	CU_ASSERT(store_mailbox_msg(old, 1)->flags & STORE_RECENT);
	store_mailbox_close(&old, T0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_RO, T0,
						 &old, &e), 0);
	CU_ASSERT_FALSE(store_mailbox_msg(old, 1)->flags & STORE_RECENT);
	store_mailbox_close(&old, T0);
	CU_ASSERT_EQUAL(store_delete(u, "Old", &e), 0);
	CU_ASSERT_EQUAL(store_delete(u, "Old", &e), -1);
	CU_ASSERT_EQUAL(e.errnum, ENOENT);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

/* Everything expunged: Dovecot's pseudo message keeps UIDVALIDITY. */
static void test_expunge_all(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *mb;
	struct err e;
	size_t i;
	char *p, *text;

	set_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	for (i = 0; i < 3; i++)
		store_mailbox_set_flags(mb, i, STORE_FLAGS_ADD, STORE_DELETED, 0);
	CU_ASSERT_EQUAL(store_mailbox_expunge(mb, NULL, NULL, T0, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 0);
	store_mailbox_close(&mb, T0);
	p = inbox_path(root);
	text = tu_read_file(p, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "X-IMAP: 1795903389 0000000003\nStatus: RO\n"));
	free(text);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 0);
	CU_ASSERT_EQUAL(store_mailbox_uidnext(mb), 4);
	CU_ASSERT_EQUAL(store_mailbox_uidvalidity(mb), 1795903389);
	store_mailbox_close(&mb, T0);
	free(p);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

/* The other reference mboxes parse into the right number of messages. */
static void test_reference_files(void)
{
	static const struct {
		const char *file;
		size_t count;
	} cases[] = {
		{ "tests/data/mailboxes/wees.mbox", 11 },
		{ "tests/data/mailboxes/alice.mbox", 2 },
		{ "tests/data/mailboxes/nobody.mbox", 1 },
		{ "tests/data/mailboxes/root-bounce.mbox", 1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *root = tu_tmpdir();
		struct store_user *u = alice(root);
		struct store_mailbox *mb;
		struct err e;

		set_inbox(root, cases[i].file);
		CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX",
							 STORE_OPEN_RO, T0,
							 &mb, &e), 0);
		if (store_mailbox_count(mb) != cases[i].count) {
			fprintf(stderr, "%s: got %zu messages, want %zu\n",
				cases[i].file, store_mailbox_count(mb),
				cases[i].count);
			CU_FAIL("message count");
		}
		store_mailbox_close(&mb, T0);
		store_user_free(&u);
		tu_rmtree(root);
		free(root);
	}
}

/* The index: a second open of an unchanged file does not parse it. */
static void test_index_reuse(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *mb;
	struct err e;
	char *idx;
	struct stat st;

	set_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	store_mailbox_close(&mb, T0);
	idx = xasprintf("%s/home/alice/mail/.imap/INBOX/maillab.index", root);
	CU_ASSERT_EQUAL(stat(idx, &st), 0);
	/* Make the file unreadable: only the index can answer now. */
	{
		char *p = inbox_path(root);

		CU_ASSERT_EQUAL(chmod(p, 0), 0);
		if (geteuid() != 0) {
			CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX",
								 STORE_OPEN_RO,
								 T0, &mb, &e), 0);
			CU_ASSERT_EQUAL(store_mailbox_count(mb), 3);
			CU_ASSERT_EQUAL(store_mailbox_msg(mb, 1)->size, 509);
			store_mailbox_close(&mb, T0);
		}
		CU_ASSERT_EQUAL(chmod(p, 0600), 0);
		free(p);
	}
	free(idx);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

static void count_flags(void *ctx, size_t idx)
{
	size_t *seen = ctx;

	seen[idx]++;
}

/*
 * Two sessions on one mbox, both opened through the index: B flags
 * message 2, then A (which changed message 1) syncs. A learns B's flag
 * (an untagged FETCH for IMAP), keeps its own, and the file has both.
 */
static void test_two_sessions_flags(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *a, *b;
	struct store_sync_cb cb = { NULL, NULL, count_flags, NULL };
	size_t changed[3] = { 0, 0, 0 };
	struct err e;
	char *idx;

	set_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &a, &e), 0);
	store_mailbox_close(&a, T0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &a, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &b, &e), 0);
	store_mailbox_set_flags(b, 1, STORE_FLAGS_ADD, STORE_FLAGGED, 0);
	CU_ASSERT_EQUAL(store_mailbox_sync(b, NULL, T0, &e), 0);
	store_mailbox_set_flags(a, 0, STORE_FLAGS_ADD, STORE_SEEN, 0);
	cb.ctx = changed;
	CU_ASSERT_EQUAL(store_mailbox_sync(a, &cb, T0, &e), 0);
	CU_ASSERT_EQUAL(changed[0], 0);
	CU_ASSERT_EQUAL(changed[1], 1);
	CU_ASSERT_EQUAL(changed[2], 0);
	CU_ASSERT(store_mailbox_msg(a, 0)->flags & STORE_SEEN);
	CU_ASSERT(store_mailbox_msg(a, 1)->flags & STORE_FLAGGED);
	store_mailbox_close(&a, T0);
	store_mailbox_close(&b, T0);
	/* the file, read afresh */
	idx = xasprintf("%s/home/alice/mail/.imap/INBOX/maillab.index", root);
	CU_ASSERT_EQUAL(unlink(idx), 0);
	free(idx);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RO, T0,
						 &a, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_msg(a, 0)->flags & ~(unsigned)STORE_RECENT,
			STORE_SEEN);
	CU_ASSERT_EQUAL(store_mailbox_msg(a, 1)->flags & ~(unsigned)STORE_RECENT,
			STORE_FLAGGED);
	CU_ASSERT_EQUAL(store_mailbox_msg(a, 2)->flags & ~(unsigned)STORE_RECENT,
			0);
	store_mailbox_close(&a, T0);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

/*
 * APPEND to the selected INBOX (console_mda): the selected session sees
 * the new message first and takes its \Recent; the APPEND handle, closed
 * later, must not give it back, so the next SELECT shows none.
 */
static void test_recent_after_append(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = alice(root);
	struct store_mailbox *a, *b;
	static const char msg[] = "Subject: typed\r\n\r\nx\r\n";
	struct err e;
	uint32_t uid = 0;
	size_t i;

	set_inbox(root, "tests/data/mailboxes/pop3-01-after.mbox");
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &a, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_SAVE,
						 T0, &b, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_append(b, msg, strlen(msg), 0, 0, -1, T0,
					     &uid, &e), 0);
	CU_ASSERT_EQUAL(uid, 4);
	CU_ASSERT_EQUAL(store_mailbox_sync(a, NULL, T0, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_count(a), 4);
	CU_ASSERT(store_mailbox_msg(a, 3)->flags & STORE_RECENT);
	store_mailbox_close(&a, T0);
	store_mailbox_close(&b, T0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &a, &e), 0);
	for (i = 0; i < store_mailbox_count(a); i++)
		if (store_mailbox_msg(a, i)->flags & STORE_RECENT)
			fprintf(stderr, "got message %zu \\Recent, want none\n",
				i + 1);
	CU_ASSERT_FALSE(store_mailbox_msg(a, 3)->flags & STORE_RECENT);
	store_mailbox_close(&a, T0);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

void test_store_mbox_register(void)
{
	CU_pSuite s = CU_add_suite("store_mbox", NULL, NULL);

	CU_add_test(s, "parse the seeded mbox", test_parse_seed);
	CU_add_test(s, "first RW session writes X-UID (pop3/01)",
		    test_first_rw_session);
	CU_add_test(s, "flags and expunge (imap/01)", test_imap_flags_expunge);
	CU_add_test(s, "expunge the first message (pop3/05)",
		    test_expunge_first);
	CU_add_test(s, "delivery while open", test_concurrent_delivery);
	CU_add_test(s, "absent INBOX", test_absent_inbox);
	CU_add_test(s, "folders, APPEND, COPY", test_folders_append);
	CU_add_test(s, "expunge everything", test_expunge_all);
	CU_add_test(s, "reference mailboxes", test_reference_files);
	CU_add_test(s, "index reuse", test_index_reuse);
	CU_add_test(s, "two sessions change flags", test_two_sessions_flags);
	CU_add_test(s, "APPEND to the selected INBOX: \\Recent taken",
		    test_recent_after_append);
}
