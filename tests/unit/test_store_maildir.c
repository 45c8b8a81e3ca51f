/*
 * CUnit suite for the Maildir store (src/store/store_maildir.c): the file
 * Postfix delivered in the reference (Maildir/new/1795903565.Vfe00I...),
 * UIDs in dovecot-uidlist, flags in file names, keywords, folders.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "store/store.h"
#include "tutil.h"

void test_store_maildir_register(void);

#define T0 ((mtime_t)1795903565 * 1000)
#define REF "1795903565.Vfe00I11019aM615560.vm"

static struct store_user *bob(const char *root)
{
	struct err e;
	struct store_user *u = store_user_open("maildir:~/Maildir", "bob",
					       "/home/bob", root, &e);

	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	store_user_set_hostname(u, "centos.localdomain");
	return u;
}

static int exists(const char *root, const char *rel)
{
	char *p = xasprintf("%s/home/bob/Maildir/%s", root, rel);
	struct stat st;
	int rc = stat(p, &st) == 0;

	free(p);
	return rc;
}

/* The one name in a directory that starts with prefix, or NULL. */
static char *find_name(const char *root, const char *sub, const char *prefix)
{
	char *d = xasprintf("%s/home/bob/Maildir/%s", root, sub);
	DIR *dh = opendir(d);
	struct dirent *de;
	char *found = NULL;

	while (dh != NULL && (de = readdir(dh)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			found = xstrdup(de->d_name);
	if (dh != NULL)
		closedir(dh);
	free(d);
	return found;
}

static void test_delivered_file(void)
{
	char *root = tu_tmpdir(), *p, *text, *name;
	struct store_user *u = bob(root);
	struct store_mailbox *mb;
	struct err e;
	struct buf b;

	p = xasprintf("%s/home/bob/Maildir/new/" REF, root);
	tu_copy_file("tests/data/mailboxes/bob-Maildir-new-" REF, p);
	free(p);
	p = xasprintf("%s/home/bob/Maildir/cur", root);
	tu_mkdirs(p);
	free(p);
	p = xasprintf("%s/home/bob/Maildir/tmp", root);
	tu_mkdirs(p);
	free(p);

	/* Read-only: stays in new/, shown \Recent (not taken), UID 1. */
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RO, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_count(mb), 1);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->uid, 1);
	/* 384 bytes in 11 lines: 395 with CRLF. */
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->size, 395);
	CU_ASSERT(store_mailbox_msg(mb, 0)->flags & STORE_RECENT);
	buf_init(&b);
	CU_ASSERT_EQUAL(store_mailbox_read(mb, 0, &b, &e), 0);
	CU_ASSERT_EQUAL(b.len, 395);
	CU_ASSERT(b.len > 16 && memcmp(b.data + b.len - 16, "\r\nto a Maildir\r\n", 16) == 0);
	buf_reset(&b);
	store_mailbox_close(&mb, T0);
	CU_ASSERT_TRUE(exists(root, "new/" REF));

	/* Read-write: moved to cur/, \Recent once. */
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT(store_mailbox_msg(mb, 0)->flags & STORE_RECENT);
	CU_ASSERT_TRUE(exists(root, "cur/" REF));
	CU_ASSERT_FALSE(exists(root, "new/" REF));
	store_mailbox_set_flags(mb, 0, STORE_FLAGS_ADD,
				STORE_SEEN | STORE_ANSWERED, 0);
	CU_ASSERT_EQUAL(store_mailbox_sync(mb, NULL, T0, &e), 0);
	CU_ASSERT_TRUE(exists(root, "cur/" REF ":2,RS"));
	store_mailbox_close(&mb, T0);

	p = xasprintf("%s/home/bob/Maildir/dovecot-uidlist", root);
	text = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT(strncmp(text, "3 V1795903565 N2 G", 18) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n1 :" REF "\n"));
	free(text);

	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->uid, 1);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->flags,
			STORE_SEEN | STORE_ANSWERED);
	CU_ASSERT_EQUAL(store_mailbox_uidnext(mb), 2);
	store_mailbox_close(&mb, T0);

	name = find_name(root, "cur", REF);
	CU_ASSERT_STRING_EQUAL(name, REF ":2,RS");
	free(name);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

static size_t appended;

static void on_appended(void *ctx, size_t n)
{
	(void)ctx;
	appended = n;
}

static void test_append_keywords_expunge(void)
{
	char *root = tu_tmpdir(), *p, *text, *name;
	struct store_user *u = bob(root);
	struct store_mailbox *mb;
	struct store_sync_cb cb = { NULL, on_appended, NULL, NULL };
	struct err e;
	uint32_t uid = 0;
	size_t nexp = 0;
	int k;
	static const char msg[] = "Subject: hi\r\n\r\nbody\r\n";

	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 0);
	k = store_mailbox_keyword(mb, "Junk", 1);
	CU_ASSERT_EQUAL(k, 0);
	CU_ASSERT_EQUAL(store_mailbox_append(mb, msg, strlen(msg), STORE_SEEN,
					     1, 1700000000, T0, &uid, &e), 0);
	CU_ASSERT_EQUAL(uid, 1);
	name = find_name(root, "cur", "1795903565.M0P");
	CU_ASSERT_PTR_NOT_NULL_FATAL(name);
	CU_ASSERT_PTR_NOT_NULL(strstr(name, ".centos.localdomain,S=18,W=21:2,Sa"));
	free(name);
	/* A delivery by the MDA into new/. */
	p = xasprintf("%s/home/bob/Maildir/new/1795903600.V1I2M3.host", root);
	tu_write_file(p, "Subject: x\n\nnew\n", 16);
	free(p);
	appended = 0;
	CU_ASSERT_EQUAL(store_mailbox_sync(mb, &cb, T0, &e), 0);
	CU_ASSERT_EQUAL(appended, 2);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_count(mb), 2);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->keywords, 1);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->internal_date, 1700000000);
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 0)->size, strlen(msg));
	CU_ASSERT_EQUAL(store_mailbox_msg(mb, 1)->uid, 2);
	CU_ASSERT(store_mailbox_msg(mb, 1)->flags & STORE_RECENT);
	store_mailbox_set_flags(mb, 0, STORE_FLAGS_ADD, STORE_DELETED, 0);
	CU_ASSERT_EQUAL(store_mailbox_expunge(mb, tu_count_expunge, &nexp, T0,
					      &e), 0);
	CU_ASSERT_EQUAL(nexp, 1);
	CU_ASSERT_EQUAL(store_mailbox_count(mb), 1);
	CU_ASSERT_PTR_NULL(find_name(root, "cur", "1795903565.M0P"));
	store_mailbox_close(&mb, T0);

	p = xasprintf("%s/home/bob/Maildir/dovecot-keywords", root);
	text = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_STRING_EQUAL(text != NULL ? text : "", "0 Junk\n");
	free(text);
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

static void test_folders(void)
{
	char *root = tu_tmpdir();
	struct store_user *u = bob(root);
	struct store_folders f;
	struct store_mailbox *mb;
	struct err e;

	CU_ASSERT_EQUAL(store_create(u, "Lists/dovecot", T0, &e), 0);
	CU_ASSERT_TRUE(exists(root, ".Lists.dovecot/cur"));
	CU_ASSERT_TRUE(exists(root, ".Lists.dovecot/maildirfolder"));
	CU_ASSERT_EQUAL(store_create(u, "Sent", T0, &e), 0);
	CU_ASSERT_EQUAL(store_subscribe(u, "Sent", 1, &e), 0);
	CU_ASSERT_EQUAL(store_rename(u, "Lists/dovecot", "Lists/postfix", &e), 0);
	CU_ASSERT_EQUAL(store_list(u, &f, &e), 0);
	CU_ASSERT_EQUAL_FATAL(f.n, 3);
	CU_ASSERT_STRING_EQUAL(f.v[0].name, "INBOX");
	CU_ASSERT_STRING_EQUAL(f.v[1].name, "Lists/postfix");
	CU_ASSERT_STRING_EQUAL(f.v[2].name, "Sent");
	CU_ASSERT(f.v[2].attrs & STORE_FOLDER_SUBSCRIBED);
	store_folders_free(&f);
	CU_ASSERT_EQUAL(store_mailbox_open(u, "Sent", STORE_OPEN_RW, T0, &mb,
					   &e), 0);
	store_mailbox_close(&mb, T0);
	CU_ASSERT_EQUAL(store_mailbox_open(u, "Nope", STORE_OPEN_RW, T0, &mb,
					   &e), -1);
	CU_ASSERT_EQUAL(store_delete(u, "Sent", &e), 0);
	CU_ASSERT_FALSE(exists(root, ".Sent"));
	store_user_free(&u);
	tu_rmtree(root);
	free(root);
}

void test_store_maildir_register(void)
{
	CU_pSuite s = CU_add_suite("store_maildir", NULL, NULL);

	CU_add_test(s, "the file Postfix delivered", test_delivered_file);
	CU_add_test(s, "append, keywords, delivery, expunge",
		    test_append_keywords_expunge);
	CU_add_test(s, "folders", test_folders);
}
