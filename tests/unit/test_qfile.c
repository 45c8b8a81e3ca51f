/*
 * CUnit suite for src/mta/qfile.c: record encoding (Postfix record.c),
 * write/read round trip, queue IDs, and Postfix's way of writing: the
 * file is in its queue from the start, mode 0600 until it is complete,
 * then 0700 (the owner-execute bit readers wait for); an aborted or
 * failed file is removed.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/qfile.h"

void test_qfile_register(void);

static char *spool;

static int suite_init(void)
{
	char tmpl[] = "/tmp/maillab-qfile.XXXXXX";
	char *d = mkdtemp(tmpl);
	char *p;

	if (d == NULL)
		return -1;
	spool = xstrdup(d);
	p = xasprintf("%s/incoming", spool);
	mkdir(p, 0700);
	free(p);
	return 0;
}

static int suite_clean(void)
{
	char *cmd = xasprintf("rm -rf '%s'", spool);
	int rc = system(cmd);

	free(cmd);
	free(spool);
	return rc == 0 ? 0 : -1;
}

/* Number of entries (not . and ..) in SPOOL/<sub>. */
static int count(const char *sub)
{
	char *p = xasprintf("%s/%s", spool, sub);
	DIR *d = opendir(p);
	struct dirent *de;
	int n = 0;

	free(p);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void test_encoding(void)
{
	/* record.c: type, then the length 7 bits at a time, low bits first */
	static const struct {
		size_t len;
		const char *hdr;
		size_t hdr_len;
	} cases[] = {
		{ 0, "N\x00", 2 },
		{ 9, "N\x09", 2 },
		{ 127, "N\x7f", 2 },
		{ 128, "N\x80\x01", 3 },
		{ 300, "N\xac\x02", 3 },
		{ 16384, "N\x80\x80\x01", 4 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf b;
		char *data = xmalloc(cases[i].len + 1);
		struct qfile q;
		struct err e;

		memset(data, 'x', cases[i].len);
		buf_init(&b);
		qfile_encode(&b, 'N', data, cases[i].len);
		CU_ASSERT_EQUAL(b.len, cases[i].hdr_len + cases[i].len);
		CU_ASSERT_EQUAL(memcmp(b.data, cases[i].hdr, cases[i].hdr_len), 0);
		/* and back, after a valid first record */
		{
			struct buf f;

			buf_init(&f);
			qfile_encode(&f, 'C', "1", 1);
			buf_add(&f, b.data, b.len);
			qfile_init(&q);
			CU_ASSERT_EQUAL(qfile_parse("x", f.data, f.len, &q, &e), 0);
			CU_ASSERT_EQUAL(q.n, 2);
			if (q.n == 2) {
				CU_ASSERT_EQUAL(q.recs[1].len, cases[i].len);
				CU_ASSERT_EQUAL(q.recs[1].offset, 3);
			}
			qfile_reset(&q);
			buf_reset(&f);
		}
		buf_reset(&b);
		free(data);
	}
}

static void test_parse_errors(void)
{
	static const struct {
		const char *bytes;
		size_t len;
		const char *want;
	} cases[] = {
		{ "Zjunk", 5, "q: input is not a valid queue file" },
		{ "C\x05" "ab", 4, "q: unexpected EOF in data, record type 67 length 5" },
		{ "C\x01" "aN", 4, "q: unexpected EOF reading length, record type 78" },
		{ "C\x01" "aN\x80\x80\x80\x80\x80", 9, "q: too many length bits, record type 78" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct qfile q;
		struct err e;

		qfile_init(&q);
		e.text[0] = 0;
		CU_ASSERT_EQUAL(qfile_parse("q", cases[i].bytes, cases[i].len, &q, &e), -1);
		if (strcmp(e.text, cases[i].want) != 0)
			fprintf(stderr, "\n  case %zu: got \"%s\", want \"%s\"\n", i, e.text, cases[i].want);
		CU_ASSERT_STRING_EQUAL(e.text, cases[i].want);
		qfile_reset(&q);
	}
}

static void test_round_trip(void)
{
	struct qfile_writer w;
	struct qfile q;
	struct err e;
	struct stat st;
	char *path = NULL, *big, want_id[32];
	const char *size0 = "              0               0               0               0               0               0";

	CU_ASSERT_EQUAL_FATAL(qfile_create(&w, spool, "incoming", 0, 0x1F3A6, &e), 0);
	/* in incoming/ under its queue ID at once, 0600: not ready yet */
	CU_ASSERT_EQUAL(count("incoming"), 1);
	CU_ASSERT_EQUAL(count(".cleanup"), 0);
	CU_ASSERT_EQUAL_FATAL(stat(w.path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
	CU_ASSERT_PTR_NOT_NULL(strstr(w.path, "/incoming/1F3A6"));

	big = xmalloc(5001);
	memset(big, 'y', 5000);
	big[5000] = 0;
	qfile_puts(&w, QFILE_REC_SIZE, size0);
	qfile_puts(&w, QFILE_REC_TIME, "1795903190 190000");
	qfile_puts(&w, QFILE_REC_ATTR, "log_ident=X");
	qfile_puts(&w, QFILE_REC_FROM, "root@centos.localdomain");
	qfile_puts(&w, QFILE_REC_RCPT, "wees@centos.localdomain");
	qfile_puts(&w, QFILE_REC_MESG, "");
	qfile_put(&w, QFILE_REC_NORM, "a\0b", 3);	/* NUL survives */
	qfile_puts(&w, QFILE_REC_NORM, big);
	qfile_puts(&w, QFILE_REC_XTRA, "");
	qfile_puts(&w, QFILE_REC_END, "");
	qfile_update(&w, 2, "            111", 15);
	CU_ASSERT_EQUAL(count("incoming"), 1);

	CU_ASSERT_EQUAL_FATAL(qfile_commit(&w, &path, &e), 0);
	CU_ASSERT_EQUAL(count("incoming"), 1);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	/* complete: owner-execute bit, as Postfix marks it */
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	/* short queue ID: 5 hex digits of microseconds, inode in hex */
	snprintf(want_id, sizeof(want_id), "1F3A6%lX", (unsigned long)st.st_ino);
	CU_ASSERT_STRING_EQUAL(w.id, want_id);
	CU_ASSERT_PTR_NOT_NULL(strstr(path, "/incoming/1F3A6"));

	qfile_init(&q);
	CU_ASSERT_EQUAL_FATAL(qfile_read(path, &q, &e), 0);
	CU_ASSERT_EQUAL_FATAL(q.n, 10);
	CU_ASSERT_EQUAL(q.recs[0].type, 'C');
	CU_ASSERT_EQUAL(q.size.data_size, 111);
	CU_ASSERT_EQUAL(q.recs[0].len, 95);
	CU_ASSERT_STRING_EQUAL(q.recs[1].data, "1795903190 190000");
	CU_ASSERT_EQUAL(q.recs[6].len, 3);
	CU_ASSERT_EQUAL(memcmp(q.recs[6].data, "a\0b", 3), 0);
	CU_ASSERT_EQUAL(q.recs[7].len, 5000);
	CU_ASSERT_STRING_EQUAL(q.recs[7].data, big);
	CU_ASSERT_EQUAL(q.recs[9].type, 'E');
	CU_ASSERT_STRING_EQUAL(qfile_attr(&q, "log_ident"), "X");
	CU_ASSERT_PTR_NULL(qfile_attr(&q, "log"));
	{
		size_t from = 0;
		const struct qfile_rec *r = qfile_find(&q, 'N', &from);

		CU_ASSERT_PTR_EQUAL(r, &q.recs[6]);
		r = qfile_find(&q, 'N', &from);
		CU_ASSERT_PTR_EQUAL(r, &q.recs[7]);
		CU_ASSERT_PTR_NULL(qfile_find(&q, 'N', &from));
	}
	CU_ASSERT_STRING_EQUAL(qfile_rec_name('O'), "original_recipient");
	CU_ASSERT_STRING_EQUAL(qfile_rec_name('T'), "message_arrival_time");
	CU_ASSERT_STRING_EQUAL(qfile_rec_name('?'), "unknown_record_type");
	qfile_reset(&q);
	unlink(path);
	free(path);
	free(big);
}

static void test_abort(void)
{
	struct qfile_writer w;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(qfile_create(&w, spool, "incoming", 0, 5, &e), 0);
	qfile_puts(&w, QFILE_REC_SIZE, "0");
	CU_ASSERT_EQUAL(count("incoming"), 1);
	qfile_abort(&w);
	qfile_abort(&w);	/* idempotent */
	CU_ASSERT_EQUAL(count("incoming"), 0);
	CU_ASSERT_EQUAL(strncmp(w.id, "00005", 5), 0);

	/* a failed write: commit refuses and removes the file */
	CU_ASSERT_EQUAL_FATAL(qfile_create(&w, spool, "incoming", 0, 6, &e), 0);
	qfile_puts(&w, QFILE_REC_SIZE, "0");
	w.failed = 1;
	w.errnum = 28;	/* ENOSPC: a full disk */
	CU_ASSERT_EQUAL(qfile_commit(&w, NULL, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "No space left"));
	CU_ASSERT_EQUAL(count("incoming"), 0);

	/* no such queue directory: nothing is made anywhere */
	CU_ASSERT_EQUAL(qfile_create(&w, spool, "nosuchqueue", 0, 7, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "nosuchqueue"));
	CU_ASSERT_EQUAL(count("incoming"), 0);
}

/* postdrop's files: 0644 while written, 0744 when complete. */
static void test_modes(void)
{
	struct qfile_writer w;
	struct err e;
	struct stat st;
	char *path = NULL;

	CU_ASSERT_EQUAL_FATAL(qfile_create(&w, spool, "incoming", 0444, 8, &e), 0);
	CU_ASSERT_EQUAL_FATAL(stat(w.path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	qfile_puts(&w, QFILE_REC_END, "");
	CU_ASSERT_EQUAL_FATAL(qfile_commit(&w, &path, &e), 0);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0744);
	CU_ASSERT(st.st_mode & QFILE_READY_BIT);
	unlink(path);
	free(path);
}

void test_qfile_register(void)
{
	CU_pSuite s = CU_add_suite("qfile", suite_init, suite_clean);

	CU_add_test(s, "record encoding", test_encoding);
	CU_add_test(s, "parse errors", test_parse_errors);
	CU_add_test(s, "write and read back", test_round_trip);
	CU_add_test(s, "abort and failures leave nothing", test_abort);
	CU_add_test(s, "modes while written and when complete", test_modes);
}
