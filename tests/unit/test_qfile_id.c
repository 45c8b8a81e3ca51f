/*
 * CUnit suite for src/mta/qfile_id.c: queue IDs from the host's counter
 * on the virtual clock (the same IDs at every run, wherever the lab root
 * is; unique across runs in one root; a name some queue has is skipped)
 * and from the inode otherwise, as Postfix.
 */
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/xalloc.h"
#include "mta/qfile.h"
#include "mta/qfile_id.h"
#include "tutil.h"

void test_qfile_id_register(void);

/* ROOT/hosts/NAME/var/spool/postfix with its queues; caller frees. */
static char *make_spool(const char *root, const char *name)
{
	static const char *const q[] = { "incoming", "active", "maildrop", "pid" };
	char *spool = xasprintf("%s/hosts/%s/var/spool/postfix", root, name);
	size_t i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		char *p = xasprintf("%s/%s", spool, q[i]);

		tu_mkdirs(p);
		free(p);
	}
	return spool;
}

/* Creates and commits one file in incoming/; its ID into id. */
static void one(const char *spool, long usec, char *id, size_t n)
{
	struct qfile_writer w;
	struct err e;
	char *path = NULL;

	CU_ASSERT_EQUAL_FATAL(qfile_create(&w, spool, "incoming", 0, usec, &e), 0);
	qfile_puts(&w, QFILE_REC_END, "");
	CU_ASSERT_EQUAL(qfile_commit(&w, &path, &e), 0);
	snprintf(id, n, "%s", w.id);
	qfile_abort(&w);
	free(path);
}

static int short_id_shape(const char *id)
{
	size_t i, len = strlen(id);

	if (len < 10 || len > 12)
		return 0;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)id[i]) || islower((unsigned char)id[i]))
			return 0;
	return 1;
}

static void test_counter_same_everywhere(void)
{
	char *r1 = tu_tmpdir(), *r2 = tu_tmpdir();
	char *s1 = make_spool(r1, "mail.a.example");
	char *s2 = make_spool(r2, "mail.a.example");
	char *s3 = make_spool(r1, "mail.b.example");
	char a[3][32], b[3][32], c[32];
	int was = qfile_id_use_counter(1);
	int i;

	for (i = 0; i < 3; i++) {
		one(s1, 2 + i, a[i], sizeof(a[i]));
		one(s2, 2 + i, b[i], sizeof(b[i]));
	}
	one(s3, 2, c, sizeof(c));
	for (i = 0; i < 3; i++) {
		if (strcmp(a[i], b[i]) != 0)
			CU_FAIL_FATAL("IDs differ between two lab roots");
		CU_ASSERT(short_id_shape(a[i]));
		CU_ASSERT_EQUAL(strncmp(a[i], i == 0 ? "00002" : i == 1 ? "00003" : "00004", 5), 0);
	}
	/* consecutive counter values */
	CU_ASSERT_EQUAL(strtoul(a[1] + 5, NULL, 16), strtoul(a[0] + 5, NULL, 16) + 1);
	CU_ASSERT_EQUAL(strtoul(a[2] + 5, NULL, 16), strtoul(a[1] + 5, NULL, 16) + 1);
	/* another host of the world starts elsewhere */
	CU_ASSERT(strcmp(c + 5, a[0] + 5) != 0);
	qfile_id_use_counter(was);
	tu_rmtree(r1);
	tu_rmtree(r2);
	free(r1);
	free(r2);
	free(s1);
	free(s2);
	free(s3);
}

static void test_counter_persists_and_skips(void)
{
	char *r = tu_tmpdir();
	char *s = make_spool(r, "centos.localdomain");
	char first[32], second[32], third[32], *p;
	int was = qfile_id_use_counter(1);
	unsigned long v;

	one(s, 5, first, sizeof(first));
	/* the message is gone; the next run in this root still moves on */
	p = xasprintf("%s/incoming/%s", s, first);
	CU_ASSERT_EQUAL(unlink(p), 0);
	free(p);
	one(s, 5, second, sizeof(second));
	CU_ASSERT(strcmp(first, second) != 0);
	/* a name another queue already has (a message now in active/) */
	v = strtoul(second + 5, NULL, 16);
	p = xasprintf("%s/active/%05lX%lX", s, 5L, v + 1);
	tu_write_file(p, "x", 1);
	free(p);
	/* and one in the hashed deferred/ (deferred/0/ID) */
	p = xasprintf("%s/deferred/0/%05lX%lX", s, 5L, v + 2);
	tu_write_file(p, "x", 1);
	free(p);
	one(s, 5, third, sizeof(third));
	CU_ASSERT_EQUAL(strtoul(third + 5, NULL, 16), v + 3);
	/* the counter is in the host's state */
	p = xasprintf("%s/pid/queue_id.serial", s);
	{
		char *text = tu_read_file(p, NULL);

		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		CU_ASSERT_EQUAL(strtoul(text, NULL, 16), v + 3);
		free(text);
	}
	free(p);
	qfile_id_use_counter(was);
	tu_rmtree(r);
	free(r);
	free(s);
}

static void test_inode_by_default(void)
{
	char *r = tu_tmpdir();
	char *s = make_spool(r, "mail.a.example");
	char id[32], want[32], *p;
	struct stat st;
	int was = qfile_id_use_counter(0);

	one(s, 0x1F3A6, id, sizeof(id));
	p = xasprintf("%s/incoming/%s", s, id);
	CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
	snprintf(want, sizeof(want), "%05lX%lX", 0x1F3A6L, (unsigned long)st.st_ino);
	if (strcmp(id, want) != 0) {
		fprintf(stderr, "got %s, want %s\n", id, want);
		CU_FAIL("inode ID");
	}
	free(p);
	p = xasprintf("%s/pid/queue_id.serial", s);
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
	free(p);
	qfile_id_use_counter(was);
	tu_rmtree(r);
	free(r);
	free(s);
}

void test_qfile_id_register(void)
{
	CU_pSuite s = CU_add_suite("qfile_id", NULL, NULL);

	CU_add_test(s, "counter IDs: same in every root, per host", test_counter_same_everywhere);
	CU_add_test(s, "counter persists; used names skipped", test_counter_persists_and_skips);
	CU_add_test(s, "inode IDs off the virtual clock", test_inode_by_default);
}
