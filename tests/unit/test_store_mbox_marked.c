/*
 * CUnit suite for LIST's \Marked / \UnMarked of mbox folders
 * (store_mbox_marked(), Dovecot 2.3's mailbox-list-fs-flags.c): the rule
 * on file times, a table; then through the store as IMAP uses it: a
 * folder just created is \UnMarked (empty), COPY/APPEND into it make it
 * \Marked even within the same second (the writer puts the atime back,
 * as Dovecot's save does; reference/transcripts/imap/01-session "Old"),
 * and INBOX carries neither.
 */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/xalloc.h"
#include "store/store.h"
#include "store/store_mbox.h"

void test_store_mbox_marked_register(void);

struct marked_case {
	const char *name;
	off_t size;
	long atime_s, atime_ns, mtime_s, mtime_ns;
	unsigned want;
};

static const struct marked_case cases[] = {
	{ "empty file", 0, 100, 0, 200, 0, STORE_FOLDER_UNMARKED },
	{ "written after the last read", 10, 100, 0, 200, 0, STORE_FOLDER_MARKED },
	{ "read after the last write", 10, 300, 0, 200, 0, STORE_FOLDER_UNMARKED },
	{ "read and written at once", 10, 200, 5, 200, 5, STORE_FOLDER_UNMARKED },
	{ "written later in the same second", 10, 200, 5, 200, 9, STORE_FOLDER_MARKED },
};

static void test_rule(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct marked_case *k = &cases[i];
		struct stat st;
		unsigned got;

		memset(&st, 0, sizeof(st));
		st.st_size = k->size;
		st.st_atim.tv_sec = k->atime_s;
		st.st_atim.tv_nsec = k->atime_ns;
		st.st_mtim.tv_sec = k->mtime_s;
		st.st_mtim.tv_nsec = k->mtime_ns;
		got = store_mbox_marked(&st);
		if (got != k->want)
			fprintf(stderr, "\n%s: got %u, want %u\n", k->name, got, k->want);
		CU_ASSERT_EQUAL(got, k->want);
	}
}

static unsigned attrs_of(struct store_user *u, const char *name)
{
	struct store_folders f = { NULL, 0 };
	struct err e;
	unsigned a = ~0u;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(store_list(u, &f, &e), 0);
	for (i = 0; i < f.n; i++)
		if (strcmp(f.v[i].name, name) == 0)
			a = f.v[i].attrs;
	store_folders_free(&f);
	return a;
}

static const char msg[] = "Subject: hi\r\n\r\nbody\r\n";

static void test_through_the_store(void)
{
	char tmpl[] = "/tmp/maillab-marked.XXXXXX";
	char *root = xstrdup(mkdtemp(tmpl));
	char *cmd, *inbox;
	struct store_user *u;
	struct store_mailbox *in = NULL, *old = NULL;
	const mtime_t now = 1795903400000LL;
	struct err e;
	FILE *f;

	u = store_user_open("mbox:~/mail:INBOX=/var/mail/%u", "alice", "/home/alice", root,
			    &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	store_user_set_hostname(u, "centos.localdomain");
	/* an INBOX with one message to copy */
	inbox = xasprintf("%s/var/mail/alice", root);
	cmd = xasprintf("mkdir -p '%s/var/mail' '%s/home/alice/mail'", root, root);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	f = fopen(inbox, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("From root@centos.localdomain  Sat Nov 28 21:59:52 2026\n"
	      "Subject: one\n\nbody\n\n", f);
	fclose(f);

	CU_ASSERT_EQUAL_FATAL(store_create(u, "Old", now, &e), 0);
	CU_ASSERT_EQUAL(attrs_of(u, "Old"), STORE_FOLDER_NOINFERIORS | STORE_FOLDER_UNMARKED);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, now, &in, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "Old", STORE_OPEN_SAVE, now, &old, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_copy(in, 0, old, now, NULL, &e), 0);
	CU_ASSERT_EQUAL(attrs_of(u, "Old"), STORE_FOLDER_NOINFERIORS | STORE_FOLDER_MARKED);
	CU_ASSERT_EQUAL(store_mailbox_append(old, msg, strlen(msg), 0, 0, -1, now, NULL, &e), 0);
	store_mailbox_close(&old, now);
	CU_ASSERT_EQUAL(attrs_of(u, "Old"), STORE_FOLDER_NOINFERIORS | STORE_FOLDER_MARKED);
	CU_ASSERT_EQUAL(attrs_of(u, "INBOX"), STORE_FOLDER_HASNOCHILDREN);
	store_mailbox_close(&in, now);
	store_user_free(&u);
	cmd = xasprintf("rm -rf '%s'", root);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(inbox);
	free(root);
}

void test_store_mbox_marked_register(void)
{
	CU_pSuite s = CU_add_suite("store_mbox_marked", NULL, NULL);

	CU_add_test(s, "the rule on file times", test_rule);
	CU_add_test(s, "CREATE, COPY, APPEND, INBOX", test_through_the_store);
}
