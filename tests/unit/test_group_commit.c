/*
 * CUnit suite for group commit (issue 5, point 6): the reply to the final
 * dot, "250 2.0.0 Ok: queued as ID", must not leave before the queue file
 * and its directory entry are durable, however the sync is done.
 *
 *   - src/mta/smtp_server.c with a fake sync (opts.sync_start): after the
 *     dot the session says SMTP_SERVER_WAIT and nothing more, even with
 *     QUIT pipelined behind the dot; the file is already whole and in its
 *     ready mode (fchmod before fsync); the hand-off to the queue manager
 *     waits too. Then smtp_server_sync_done(0) gives the 250, or an errno
 *     gives Postfix's 451 and removes the file. Each case runs with the
 *     client's bytes fed at once and one byte at a time.
 *   - a session ended while it waits: the sync is cancelled, no file.
 *   - src/net/syncq.c with real files: one directory fsync per directory
 *     per batch, errors reported per file, cancelled jobs never called.
 *   - src/mta/qfile.c's three steps against qfile_commit().
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/qfile.h"
#include "mta/smtp_server.h"
#include "net/evloop.h"
#include "net/syncq.h"
#include "sim/world.h"
#include "tutil.h"

void test_group_commit_register(void);

/* ---- the fake sync ---- */

struct fake {
	int started;		/* sync_start calls */
	int cancelled;
	int fd;			/* what the session offered */
	char dir[512];
	int queued;		/* hand-offs to the queue manager */
};

static int fake_start(void *ctx, struct smtp_server *s, int fd, const char *dir)
{
	struct fake *f = ctx;

	(void)s;
	f->started++;
	f->fd = fd;
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	return 0;
}

static void fake_cancel(void *ctx, struct smtp_server *s)
{
	struct fake *f = ctx;

	(void)s;
	f->cancelled++;
}

static void fake_queued(void *ctx, struct host *h, const char *id, const char *path)
{
	struct fake *f = ctx;

	(void)h;
	(void)id;
	(void)path;
	f->queued++;
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The only file in dir (caller frees), or NULL. */
static char *only_file(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *out = NULL;

	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && out == NULL)
			out = xasprintf("%s/%s", dir, de->d_name);
	closedir(d);
	return out;
}

static enum smtp_server_act run_out(struct smtp_server *s, mtime_t now,
				    struct buf *out)
{
	enum smtp_server_act act;
	long delay;

	do {
		act = smtp_server_run(s, now, &delay);
		buf_add(out, smtp_server_output(s)->data, smtp_server_output(s)->len);
		buf_clear(smtp_server_output(s));
	} while (act == SMTP_SERVER_DELAY);
	return act;
}

static const char client[] =
	"EHLO client.example\r\nMAIL FROM:<a@b.example>\r\n"
	"RCPT TO:<wees@centos.localdomain>\r\nDATA\r\n"
	"Subject: group commit\r\n\r\nheld until durable\r\n.\r\nQUIT\r\n";

struct gc_case {
	const char *name;
	int errnum;		/* what the sync reports */
	const char *reply;	/* the reply to the dot */
	int files_after;	/* in incoming/ at the end */
	int queued;		/* hand-offs */
};

static const struct gc_case cases[] = {
	{ "durable", 0, "250 2.0.0 Ok: queued as ", 1, 1 },
	{ "fsync failed", EIO, "451 4.3.0 Error: queue file write error", 0, 0 },
	{ "directory fsync failed", ENOSPC, "451 4.3.0 Error: queue file write error", 0, 0 },
};

static void one_case(struct host *h, const struct gc_case *c, int bytewise)
{
	struct smtp_server_opts o;
	struct smtp_server *s;
	struct fake f;
	struct buf out;
	mtime_t now = 1795903190190LL;
	enum smtp_server_act act = SMTP_SERVER_NEED_INPUT;
	char *incoming = host_path(h, "var/spool/postfix/incoming"), *file, *log, *text;
	struct stat st;
	struct qfile q;
	struct err e;
	size_t i, at_dot;

	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	o.client_addr = "127.0.0.1";
	o.client_name = "localhost";
	o.queued = fake_queued;
	o.queued_ctx = &f;
	o.sync_start = fake_start;
	o.sync_cancel = fake_cancel;
	o.sync_ctx = &f;
	buf_init(&out);
	s = smtp_server_new(h, &o, now);
	(void)run_out(s, now, &out);
	if (bytewise) {
		for (i = 0; client[i] != 0 && act != SMTP_SERVER_WAIT; i++) {
			smtp_server_feed(s, client + i, 1, now += 1);
			act = run_out(s, now, &out);
		}
		/* the rest (QUIT) arrives while the reply waits */
		smtp_server_feed(s, client + i, strlen(client + i), now += 1);
		act = run_out(s, now, &out);
	} else {
		smtp_server_feed(s, client, strlen(client), now += 1);
		act = run_out(s, now, &out);
	}
	buf_addc(&out, 0);
	CU_ASSERT_EQUAL(act, SMTP_SERVER_WAIT);
	CU_ASSERT_EQUAL(f.started, 1);
	CU_ASSERT(smtp_server_waiting(s));
	/* the last thing said is the 354: no 250 for the message, no 221 */
	text = strstr(out.data, "354 ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NULL(strstr(text, "\r\n2"));
	CU_ASSERT_PTR_NULL(strstr(text, "\r\n4"));
	CU_ASSERT_PTR_NULL(smtp_server_last_queue_id(s));
	CU_ASSERT_EQUAL(f.queued, 0);
	/* the file is whole and ready before the sync: one fsync covers all */
	CU_ASSERT_EQUAL(count_files(incoming), 1);
	file = only_file(incoming);
	CU_ASSERT_PTR_NOT_NULL_FATAL(file);
	CU_ASSERT_EQUAL(stat(file, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	CU_ASSERT_STRING_EQUAL(f.dir, incoming);
	CU_ASSERT(f.fd >= 0 && fcntl(f.fd, F_GETFD) >= 0);
	qfile_init(&q);
	CU_ASSERT_EQUAL(qfile_read(file, &q, &e), 0);
	CU_ASSERT(q.n > 0 && q.recs[q.n - 1].type == QFILE_REC_END);
	CU_ASSERT_EQUAL(q.size.rcpt_count, 1);
	qfile_reset(&q);
	/* still waiting: running again changes nothing */
	at_dot = strlen(out.data);
	buf_clear(&out);
	CU_ASSERT_EQUAL(run_out(s, now, &out), SMTP_SERVER_WAIT);
	CU_ASSERT_EQUAL(out.len, 0);

	smtp_server_sync_done(s, c->errnum, now += 1);
	CU_ASSERT(!smtp_server_waiting(s));
	act = run_out(s, now, &out);
	buf_addc(&out, 0);
	CU_ASSERT_EQUAL(act, SMTP_SERVER_CLOSE);
	if (strncmp(out.data, c->reply, strlen(c->reply)) != 0)
		fprintf(stderr, "\n%s%s: got %s, want %s\n", c->name,
			bytewise ? " (bytewise)" : "", out.data, c->reply);
	CU_ASSERT_EQUAL(strncmp(out.data, c->reply, strlen(c->reply)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.data, "221 2.0.0 Bye"));
	CU_ASSERT_EQUAL(f.queued, c->queued);
	CU_ASSERT_EQUAL(count_files(incoming), c->files_after);
	if (c->errnum != 0) {
		log = host_path(h, "var/log/mail.log");
		text = tu_read_file(log, NULL);
		CU_ASSERT_PTR_NOT_NULL(text && strstr(text, "warning: cannot write "));
		free(text);
		free(log);
	}
	CU_ASSERT_EQUAL(f.cancelled, 0);
	smtp_server_free(&s);
	CU_ASSERT_EQUAL(f.cancelled, 0);
	if (c->files_after > 0)
		unlink(file);
	(void)at_dot;
	free(file);
	free(incoming);
	buf_reset(&out);
}

static struct world *g_world;
static char *g_dir;

static struct host *fresh_host(void)
{
	struct err e;
	char *root;

	g_dir = tu_tmpdir();
	root = xasprintf("%s/root", g_dir);
	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	g_world = world_open(root, &e);
	free(root);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g_world);
	return world_host(g_world, "centos", &e);
}

static void done_host(void)
{
	world_free(&g_world);
	tu_rmtree(g_dir);
	free(g_dir);
	g_dir = NULL;
}

static void test_reply_waits_for_sync(void)
{
	struct host *h = fresh_host();
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		one_case(h, &cases[i], 0);
		one_case(h, &cases[i], 1);
	}
	done_host();
}

/* The client goes away while its reply waits: cancelled, no message. */
static void test_gone_while_waiting(void)
{
	struct host *h = fresh_host();
	struct smtp_server_opts o;
	struct smtp_server *s;
	struct fake f;
	struct buf out;
	mtime_t now = 1795903190190LL;
	char *incoming;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	incoming = host_path(h, "var/spool/postfix/incoming");
	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	o.client_addr = "127.0.0.1";
	o.sync_start = fake_start;
	o.sync_cancel = fake_cancel;
	o.sync_ctx = &f;
	buf_init(&out);
	s = smtp_server_new(h, &o, now);
	(void)run_out(s, now, &out);
	smtp_server_feed(s, client, strlen(client), now += 1);
	CU_ASSERT_EQUAL(run_out(s, now, &out), SMTP_SERVER_WAIT);
	CU_ASSERT_EQUAL(count_files(incoming), 1);
	smtp_server_free(&s);
	CU_ASSERT_EQUAL(f.cancelled, 1);
	CU_ASSERT_EQUAL(count_files(incoming), 0);
	buf_reset(&out);
	free(incoming);
	done_host();
}

/* ---- syncq with real files ---- */

struct sq_rec {
	struct evloop *l;
	int called[8];
	int errnum[8];
	int left;
};

struct sq_ctx {
	struct sq_rec *r;
	int i;
};

static void sq_done(void *ctx, int errnum)
{
	struct sq_ctx *c = ctx;

	c->r->called[c->i]++;
	c->r->errnum[c->i] = errnum;
	if (--c->r->left == 0)
		evloop_stop(c->r->l);
}

static void sq_timeout(struct evloop *l, void *ctx)
{
	(void)ctx;
	evloop_stop(l);
}

static void test_syncq(void)
{
	char *dir = tu_tmpdir(), *d1 = xasprintf("%s/incoming", dir),
		*d2 = xasprintf("%s/maildrop", dir), *none = xasprintf("%s/none", dir);
	/* what each job is: a file in d1 or d2, a pipe (fsync: EINVAL), a
	 * file whose directory is gone (ENOENT), one cancelled */
	static const struct {
		int where;	/* 1: d1, 2: d2, 3: pipe, 4: missing dir */
		int cancel;
		int want;
	} jobs[] = {
		{ 1, 0, 0 }, { 1, 0, 0 }, { 2, 0, 0 }, { 1, 1, 0 },
		{ 3, 0, EINVAL }, { 4, 0, ENOENT },
	};
	struct sq_ctx ctx[8];
	struct sq_job_fd { int fd, extra; } fds[8];
	struct syncq_job *handle[8];
	struct sq_rec r;
	struct syncq *q;
	struct syncq_stats st;
	struct err e;
	size_t i, n = sizeof(jobs) / sizeof(jobs[0]);

	tu_mkdirs(d1);
	tu_mkdirs(d2);
	memset(&r, 0, sizeof(r));
	r.l = evloop_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.l);
	q = syncq_new(r.l, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/f%zu", jobs[i].where == 2 ? d2 : d1, i);
		const char *where = jobs[i].where == 2 ? d2 : jobs[i].where == 4 ? none : d1;
		int p[2];

		fds[i].extra = -1;
		if (jobs[i].where == 3) {
			CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
			fds[i].fd = p[0];
			fds[i].extra = p[1];
		} else {
			fds[i].fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
			CU_ASSERT_FATAL(fds[i].fd >= 0);
			CU_ASSERT_EQUAL(write(fds[i].fd, "x\n", 2), 2);
		}
		ctx[i].r = &r;
		ctx[i].i = (int)i;
		handle[i] = syncq_add(q, fds[i].fd, where, sq_done, &ctx[i]);
		CU_ASSERT_PTR_NOT_NULL(handle[i]);
		/* the queue has its own fd: ours may go at once */
		close(fds[i].fd);
		if (fds[i].extra >= 0)
			close(fds[i].extra);
		if (!jobs[i].cancel)
			r.left++;
		free(path);
	}
	for (i = 0; i < n; i++)
		if (jobs[i].cancel)
			syncq_cancel(q, handle[i]);
	CU_ASSERT_PTR_NULL(syncq_add(q, -1, d1, sq_done, &ctx[0]));
	/* never from inside syncq_add */
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(r.called[i], 0);
	evloop_timer(r.l, 10000, sq_timeout, NULL);
	CU_ASSERT_EQUAL(evloop_run(r.l), 0);
	CU_ASSERT_EQUAL(r.left, 0);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(r.called[i], jobs[i].cancel ? 0 : 1);
		if (!jobs[i].cancel && r.errnum[i] != jobs[i].want)
			fprintf(stderr, "\njob %zu: got errno %d, want %d\n", i,
				r.errnum[i], jobs[i].want);
		if (!jobs[i].cancel)
			CU_ASSERT_EQUAL(r.errnum[i], jobs[i].want);
	}
	syncq_stats(q, &st);
	CU_ASSERT_EQUAL(st.jobs, n);
	CU_ASSERT(st.batches >= 1 && st.batches <= n);
	/* one per directory per batch at most, never one per file */
	CU_ASSERT(st.dir_syncs <= st.batches * 3);
	syncq_free(&q);
	CU_ASSERT_PTR_NULL(q);
	evloop_free(&r.l);
	tu_rmtree(dir);
	free(dir);
	free(d1);
	free(d2);
	free(none);
}

/* Several jobs queued at once: fewer batches than files, each
 * directory synced once per batch; drain calls every done. */
static void test_syncq_batches(void)
{
	char *dir = tu_tmpdir();
	struct sq_ctx ctx[8];
	struct sq_rec r;
	struct syncq *q;
	struct syncq_stats st;
	struct err e;
	int i;

	memset(&r, 0, sizeof(r));
	r.l = evloop_new();
	q = syncq_new(r.l, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	for (i = 0; i < 8; i++) {
		char *path = xasprintf("%s/f%d", dir, i);
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);

		CU_ASSERT_FATAL(fd >= 0);
		ctx[i].r = &r;
		ctx[i].i = i;
		r.left++;
		CU_ASSERT_PTR_NOT_NULL(syncq_add(q, fd, dir, sq_done, &ctx[i]));
		close(fd);
		free(path);
	}
	syncq_drain(q);		/* waits, then the done calls, here */
	CU_ASSERT_EQUAL(r.left, 0);
	for (i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(r.called[i], 1);
	syncq_stats(q, &st);
	CU_ASSERT_EQUAL(st.jobs, 8);
	CU_ASSERT_EQUAL(st.dir_syncs, st.batches);
	syncq_free(&q);
	evloop_free(&r.l);
	tu_rmtree(dir);
	free(dir);
}

/* ---- qfile's three steps ---- */

static void test_qfile_steps(void)
{
	char *spool = tu_tmpdir(), *dir = xasprintf("%s/incoming", spool), *path = NULL;
	struct qfile_writer w;
	struct qfile q;
	struct stat st;
	struct err e;

	tu_mkdirs(dir);
	CU_ASSERT_EQUAL_FATAL(qfile_create(&w, spool, "incoming", 0, 42, &e), 0);
	qfile_puts(&w, QFILE_REC_SIZE, "0000");
	qfile_puts(&w, QFILE_REC_END, "");
	qfile_update(&w, 2, "1234", 4);
	CU_ASSERT_EQUAL_FATAL(qfile_prepare(&w, &e), 0);
	/* ready and whole before any fsync */
	CU_ASSERT_EQUAL(stat(w.path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	qfile_init(&q);
	CU_ASSERT_EQUAL(qfile_read(w.path, &q, &e), 0);
	CU_ASSERT_EQUAL(q.n, 2);
	CU_ASSERT_STRING_EQUAL(q.recs[0].data, "1234");
	qfile_reset(&q);
	CU_ASSERT_EQUAL(qfile_sync(w.fd, w.dir), 0);
	CU_ASSERT_EQUAL(qfile_finish(&w, 0, &path, &e), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	unlink(path);
	free(path);

	/* a failed sync: the file goes, the caller hears why */
	CU_ASSERT_EQUAL_FATAL(qfile_create(&w, spool, "incoming", 0, 43, &e), 0);
	qfile_puts(&w, QFILE_REC_END, "");
	CU_ASSERT_EQUAL_FATAL(qfile_prepare(&w, &e), 0);
	CU_ASSERT_EQUAL(qfile_finish(&w, EIO, &path, &e), -1);
	CU_ASSERT_PTR_NULL(path);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "Input/output error"));
	CU_ASSERT_EQUAL(count_files(dir), 0);

	/* abort after prepare removes the ready file */
	CU_ASSERT_EQUAL_FATAL(qfile_create(&w, spool, "incoming", 0, 44, &e), 0);
	qfile_puts(&w, QFILE_REC_END, "");
	CU_ASSERT_EQUAL_FATAL(qfile_prepare(&w, &e), 0);
	qfile_abort(&w);
	CU_ASSERT_EQUAL(count_files(dir), 0);

	/* the sync of a directory that is gone fails */
	CU_ASSERT_NOT_EQUAL(qfile_sync(0, "/nonexistent/dir"), 0);
	tu_rmtree(spool);
	free(spool);
	free(dir);
}

void test_group_commit_register(void)
{
	CU_pSuite s = CU_add_suite("group_commit", NULL, NULL);

	CU_add_test(s, "the 250 waits for the sync", test_reply_waits_for_sync);
	CU_add_test(s, "client gone while waiting", test_gone_while_waiting);
	CU_add_test(s, "syncq: errors, cancel, directories", test_syncq);
	CU_add_test(s, "syncq: batches and drain", test_syncq_batches);
	CU_add_test(s, "qfile prepare/sync/finish", test_qfile_steps);
}
