/*
 * CUnit suite for local(8)'s mbox dot lock (src/mta/local_mailbox.c): a
 * lock another process holds defers the delivery as Postfix's
 * mbox_open() does (4.2.0, "cannot update mailbox /var/mail/wees for user
 * wees. unable to create lock file /var/mail/wees.lock: File exists"),
 * leaving the lock and the mailbox alone; a lock older than Postfix's
 * stale_lock_time (500 s), left by a killed process, is removed and the
 * delivery goes through. Runs in a temporary lab root (centos world).
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/local.h"
#include "mta/trivial_rewrite.h"
#include "sim/world.h"

void test_local_lock_register(void);

static const char note[] =
	"Subject: locked out\n"
	"From: root@centos.localdomain\n"
	"\n"
	"hello\n";

struct lock_case {
	const char *name;
	long age_s;		/* the lock's age; -1: no lock */
	enum local_status status;
	const char *dsn;
	const char *text;
	int lock_after;		/* the lock file still there afterwards */
	int delivered;
};

static const struct lock_case cases[] = {
	{ "no lock", -1, LOCAL_SENT, "2.0.0", "delivered to mailbox", 0, 1 },
	{ "fresh lock", 0, LOCAL_DEFERRED, "4.2.0",
	  "cannot update mailbox /var/mail/wees for user wees. unable to create lock "
	  "file /var/mail/wees.lock: File exists", 1, 0 },
	{ "lock of 400 s", 400, LOCAL_DEFERRED, "4.2.0",
	  "cannot update mailbox /var/mail/wees for user wees. unable to create lock "
	  "file /var/mail/wees.lock: File exists", 1, 0 },
	{ "stale lock (600 s)", 600, LOCAL_SENT, "2.0.0", "delivered to mailbox", 0, 1 },
};

static void run_case(const struct lock_case *k)
{
	char tmpl[] = "/tmp/maillab-lock.XXXXXX";
	char *parent = xstrdup(mkdtemp(tmpl));
	char *root = xasprintf("%s/root", parent);
	char *mbox, *lock, *cmd;
	struct trivial_rewrite_conf tr;
	struct local_outcome *o = NULL;
	struct world *w;
	struct host *h;
	struct stat sb;
	struct err e;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = world_host(w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	trivial_rewrite_conf_init(&tr);
	tr.myhostname = xstrdup("centos.localdomain");
	tr.mydomain = xstrdup("localdomain");
	tr.myorigin = xstrdup("centos.localdomain");
	tr.mydestination = xcalloc(2, sizeof(char *));
	tr.mydestination[0] = xstrdup("centos.localdomain");
	mbox = xasprintf("%s/hosts/centos.localdomain/var/mail/wees", root);
	lock = xasprintf("%s.lock", mbox);
	(void)unlink(mbox);
	if (k->age_s >= 0) {
		int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0600);
		struct timespec t[2];

		CU_ASSERT_FATAL(fd >= 0);
		close(fd);
		t[0].tv_sec = t[1].tv_sec = time(NULL) - k->age_s;
		t[0].tv_nsec = t[1].tv_nsec = 0;
		CU_ASSERT_EQUAL(utimensat(AT_FDCWD, lock, t, 0), 0);
	}
	{
		struct local_ctx c = { h, &tr, 1795903192000LL, NULL, NULL, NULL };
		struct local_msg m = { "1F3A6104556", "root@centos.localdomain", note,
				       strlen(note) };
		struct local_rcpt r = { "wees@centos.localdomain", "wees" };

		n = local_deliver(&c, &m, &r, &o);
	}
	CU_ASSERT_EQUAL_FATAL(n, 1);
	if (o[0].status != k->status || strcmp(o[0].dsn, k->dsn) != 0 ||
	    strcmp(o[0].text, k->text) != 0)
		fprintf(stderr, "\n%s: got %d %s \"%s\", want %d %s \"%s\"\n", k->name,
			(int)o[0].status, o[0].dsn, o[0].text, (int)k->status, k->dsn,
			k->text);
	CU_ASSERT_EQUAL(o[0].status, k->status);
	CU_ASSERT_STRING_EQUAL(o[0].dsn, k->dsn);
	CU_ASSERT_STRING_EQUAL(o[0].text, k->text);
	CU_ASSERT_EQUAL(access(lock, F_OK) == 0, k->lock_after);
	CU_ASSERT_EQUAL(stat(mbox, &sb) == 0 && sb.st_size > 0, k->delivered);
	local_outcomes_free(&o, n);
	cmd = xasprintf("rm -rf '%s'", parent);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(mbox);
	free(lock);
	world_free(&w);
	trivial_rewrite_conf_reset(&tr);
	free(root);
	free(parent);
}

static void test_dot_lock(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

void test_local_lock_register(void)
{
	CU_pSuite s = CU_add_suite("local_lock", NULL, NULL);

	CU_add_test(s, "dot lock held, young, stale", test_dot_lock);
}
