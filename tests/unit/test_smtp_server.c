/*
 * CUnit suite for src/mta/smtp_server.c: reference sessions driven
 * through the glue (engine + policy + cleanup + mail.log) on a fresh
 * centos world. The server's bytes must equal the transcript's S: lines
 * (queue IDs made ours), the smtpd/cleanup lines of mail.log must equal
 * the reference log after masking dates, PIDs and queue IDs, and the
 * queue file must exist (or not) as Postfix leaves it. Each session runs
 * twice: client lines fed whole, then one byte at a time.
 */
#include <CUnit/CUnit.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/qfile.h"
#include "mta/queue_ops.h"
#include "mta/smtp_server.h"
#include "sim/world.h"

void test_smtp_server_register(void);

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_addc(&b, 0);
	return buf_steal(&b, &n);
}

/* reference/capture.py escapes: \r \n \t \\ \xNN */
static void unescape(const char *s, struct buf *out)
{
	while (*s) {
		if (*s == '\\' && s[1]) {
			char c = s[1];

			if (c == 'r')
				buf_addc(out, '\r');
			else if (c == 'n')
				buf_addc(out, '\n');
			else if (c == 't')
				buf_addc(out, '\t');
			else if (c == 'x' && isxdigit((unsigned char)s[2]) && isxdigit((unsigned char)s[3])) {
				char hex[3] = { s[2], s[3], 0 };

				buf_addc(out, (char)strtol(hex, NULL, 16));
				s += 2;
			} else
				buf_addc(out, c);
			s += 2;
		} else {
			buf_addc(out, *s++);
		}
	}
}

/* Hex runs of 10+ characters (queue IDs, Message-Id stamps) -> "QID". */
static char *mask_ids(const char *s)
{
	struct buf b;
	size_t n;

	buf_init(&b);
	while (*s) {
		size_t k = 0;

		while (isdigit((unsigned char)s[k]) || (s[k] >= 'A' && s[k] <= 'F'))
			k++;
		if (k >= 10) {
			buf_adds(&b, "QID");
			s += k;
		} else if (k > 0) {
			buf_add(&b, s, k);
			s += k;
		} else {
			buf_addc(&b, *s++);
		}
	}
	buf_addc(&b, 0);
	return buf_steal(&b, &n);
}

/*
 * mail.log lines of smtpd and cleanup, without date and PID, IDs masked.
 * no_pipelining drops "improper command pipelining" lines: a client that
 * sends one byte at a time and waits never pipelines.
 */
static char *log_view2(const char *log, int no_pipelining)
{
	struct buf b;
	size_t n;

	buf_init(&b);
	while (*log) {
		size_t len = strcspn(log, "\n");
		char *line = xstrndup(log, len);
		char *proc = strstr(line, " postfix/");

		if (proc != NULL && (strncmp(proc, " postfix/smtpd[", 15) == 0
				     || strncmp(proc, " postfix/cleanup[", 17) == 0)
		    && !(no_pipelining && strstr(proc, ": improper command pipelining") != NULL)) {
			char *pid = strchr(proc, '['), *end = strchr(proc, ']');
			char *rest, *masked;

			*pid = 0;
			rest = xasprintf("%s[P]%s", proc + 1, end + 1);
			masked = mask_ids(rest);
			buf_adds(&b, masked);
			buf_addc(&b, '\n');
			free(rest);
			free(masked);
		}
		free(line);
		log += len + (log[len] == '\n');
	}
	buf_addc(&b, 0);
	return buf_steal(&b, &n);
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

struct session_result {
	char *server;		/* all bytes the server sent */
	char *log;		/* log_view of mail.log */
	int queued;		/* files in incoming/ */
	int temp;		/* of them, not complete (mode 0600) */
	char *last_id;
	int engine_missing;
};

static void result_reset(struct session_result *r)
{
	free(r->server);
	free(r->log);
	free(r->last_id);
	memset(r, 0, sizeof(*r));
}

static void collect(struct smtp_server *s, struct buf *server)
{
	struct buf *o = smtp_server_output(s);

	buf_add(server, o->data, o->len);
	buf_clear(o);
}

/* Runs until the server waits for input or closes; virtual time moves. */
static enum smtp_server_act pump(struct smtp_server *s, mtime_t *now, struct buf *server)
{
	for (;;) {
		long delay = 0;
		enum smtp_server_act a = smtp_server_run(s, *now, &delay);

		collect(s, server);
		if (a == SMTP_SERVER_DELAY) {
			*now += delay;
			continue;
		}
		return a;
	}
}

/* Feeds one write of the client; 1 when the server closed. */
static int feed(struct smtp_server *s, const struct buf *in, int bytewise,
		int run_between, mtime_t *now, struct buf *server)
{
	size_t i;

	if (bytewise) {
		for (i = 0; i < in->len; i++) {
			smtp_server_feed(s, in->data + i, 1, *now);
			if (run_between && pump(s, now, server) == SMTP_SERVER_CLOSE)
				return 1;
		}
	} else {
		smtp_server_feed(s, in->data, in->len, *now);
	}
	return pump(s, now, server) == SMTP_SERVER_CLOSE;
}

/*
 * Plays a transcript's client side against a fresh centos world.
 * config lines ("# config: name = value") are written to main.cf.
 */
static void play(const char *transcript, int bytewise, struct session_result *res)
{
	char tmpl[] = "/tmp/maillab-smtps.XXXXXX";
	char *dir = mkdtemp(tmpl), *root, *text, *p, *path, *log;
	struct smtp_server_opts o;
	struct world *w;
	struct host *h;
	struct smtp_server *s;
	struct buf server, cfg, in;
	struct err e;
	int first;
	mtime_t now = 1795903190190LL;
	int closed = 0;

	memset(res, 0, sizeof(*res));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	root = xasprintf("%s/root", dir);
	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	text = slurp(transcript);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);

	/* "# config: mynetworks = 127.0.0.2/32" -> appended to main.cf */
	buf_init(&cfg);
	for (p = text; (p = strstr(p, "# config: ")) != NULL; p++) {
		size_t n = strcspn(p + 10, "\n");

		buf_add(&cfg, p + 10, n);
		buf_addc(&cfg, '\n');
	}
	if (cfg.len > 0) {
		FILE *f;

		path = xasprintf("%s/hosts/centos.localdomain/etc/postfix/main.cf", root);
		f = fopen(path, "a");
		fwrite(cfg.data, 1, cfg.len, f);
		fclose(f);
		free(path);
	}
	buf_reset(&cfg);

	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = world_host(w, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	memset(&o, 0, sizeof(o));
	o.client_addr = "127.0.0.1";
	o.client_name = "localhost";
	o.client_port = 42626;
	o.tls_possible = 1;	/* the reference offered STARTTLS */
	buf_init(&server);
	s = smtp_server_new(h, &o, now);
	/*
	 * Consecutive C: lines were one write (capture.py waits for the
	 * replies only between steps), so they are fed together: that is
	 * what makes "improper command pipelining" appear. A client that
	 * talks before the greeting (05j) is fed before the first run.
	 */
	buf_init(&in);
	first = 1;
	for (p = text; !closed; ) {
		size_t n = strcspn(p, "\n");
		int is_c = strncmp(p, "C: ", 3) == 0, last;

		if (is_c) {
			char *line = xstrndup(p + 3, n - 3);

			unescape(line, &in);
			free(line);
		}
		last = *p == 0 || p[n] == 0 || p[n + 1] == 0;
		if ((!is_c || last) && in.len > 0) {
			now += 100;
			closed = feed(s, &in, bytewise, !first, &now, &server);
			first = 0;
			buf_clear(&in);
		}
		if (first && strncmp(p, "S: ", 3) == 0) {
			first = 0;
			(void)pump(s, &now, &server);
		}
		if (last)
			break;
		p += n + 1;
	}
	if (server.len == 0)
		res->engine_missing = 1;	/* the engine has not landed yet */
	buf_reset(&in);
	if (res->engine_missing)
		goto out;
	if (!closed)
		smtp_server_eof(s, now);
	collect(s, &server);
out:
	res->last_id = smtp_server_last_queue_id(s) ? xstrdup(smtp_server_last_queue_id(s)) : NULL;
	smtp_server_free(&s);
	buf_addc(&server, 0);
	res->server = xstrdup(server.data);
	buf_reset(&server);
	path = host_path(h, "var/log/mail.log");
	log = slurp(path);
	free(path);
	res->log = log_view2(log ? log : "", bytewise);
	free(log);
	path = host_path(h, "var/spool/postfix/incoming");
	res->queued = count_files(path);
	free(path);
	{
		struct queue_ops_entry *en = NULL;
		size_t n = queue_ops_list(h, "incoming", &en);

		res->temp = res->queued - (int)n;
		queue_ops_entries_free(&en, n);
	}
	world_free(&w);
	free(text);
	path = xasprintf("rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(path), 0);
	free(path);
	free(root);
}

/* The S: lines of a transcript, unescaped, IDs masked. */
static char *expected_server(const char *transcript)
{
	char *text = slurp(transcript), *p, *masked;
	struct buf b;
	size_t n;

	buf_init(&b);
	for (p = text; *p; ) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);

		if (strncmp(line, "S: ", 3) == 0)
			unescape(line + 3, &b);
		free(line);
		p += len + (p[len] == '\n');
	}
	buf_addc(&b, 0);
	free(text);
	masked = mask_ids(b.data);
	buf_reset(&b);
	(void)n;
	return masked;
}

/*
 * Every SMTP transcript of the reference but the ones that need a TLS
 * handshake (the glue test has no TLS peer; the engine's own suite and
 * the listener cover those).
 */
static const char *const sessions[] = {
	"01-study-note", "02-ehlo-and-misc", "03a-mail-before-helo-default",
	"03b-mail-before-helo-required", "03c-sequence-errors",
	"04a-helo-mail-syntax", "04b-rcpt-syntax-and-unknown-users",
	"04c-size-limit", "04d-relay-inside-mynetworks",
	"04e-relay-outside-mynetworks-defer", "04f-relay-outside-mynetworks-reject",
	"05a-long-command-line", "05b-data-edge-cases", "05c-bare-lf-default",
	"05d-bare-lf-normalize", "05e-bare-lf-reject-command",
	"05f-bare-lf-reject-in-data", "05g-nul-in-command",
	"05h-pipelining-after-ehlo", "05i-pipelining-with-ehlo",
	"05j-pipelining-before-greeting", "05k-too-many-errors",
	"05l-error-delay-on-ok-replies", "06d-no-tls-configured",
	"07-auth-not-configured", "90-seed-alice",
};

/* How many "queued as" replies a transcript has: the files left in incoming/. */
static int count_queued(const char *text)
{
	int n = 0;

	while ((text = strstr(text, "Ok: queued as ")) != NULL) {
		n++;
		text++;
	}
	return n;
}

static void test_sessions(void)
{
	size_t i;
	int bytewise;

	for (i = 0; i < sizeof(sessions) / sizeof(sessions[0]); i++) {
		char *tpath = xasprintf("tests/data/smtp/%s.txt", sessions[i]);
		char *lpath = xasprintf("tests/data/smtp/%s.log", sessions[i]);
		char *want_server = expected_server(tpath);
		char *reflog = slurp(lpath);
		char *want_logs[2];
		int queued = count_queued(want_server);

		want_logs[0] = log_view2(reflog ? reflog : "", 0);
		want_logs[1] = log_view2(reflog ? reflog : "", 1);
		for (bytewise = 0; bytewise < 2; bytewise++) {
			struct session_result r;
			char *got_server;
			const char *want_log = want_logs[bytewise];

			play(tpath, bytewise, &r);
			if (r.engine_missing) {
				fprintf(stderr, "\n  %s: the smtpd engine is not linked yet, skipped\n",
					sessions[i]);
				result_reset(&r);
				break;
			}
			got_server = mask_ids(r.server);
			if (strcmp(got_server, want_server) != 0)
				fprintf(stderr, "\n  %s (%s): server bytes\n  got:\n%s\n  want:\n%s\n",
					sessions[i], bytewise ? "bytewise" : "whole",
					got_server, want_server);
			CU_ASSERT_STRING_EQUAL(got_server, want_server);
			if (strcmp(r.log, want_log) != 0)
				fprintf(stderr, "\n  %s (%s): mail.log\n  got:\n%s\n  want:\n%s\n",
					sessions[i], bytewise ? "bytewise" : "whole",
					r.log, want_log);
			CU_ASSERT_STRING_EQUAL(r.log, want_log);
			if (r.queued != queued)
				fprintf(stderr, "\n  %s: %d files in incoming/, want %d\n",
					sessions[i], r.queued, queued);
			CU_ASSERT_EQUAL(r.queued, queued);
			CU_ASSERT_EQUAL(r.temp, 0);
			if (queued)
				CU_ASSERT_PTR_NOT_NULL(r.last_id);
			free(got_server);
			result_reset(&r);
		}
		free(tpath);
		free(lpath);
		free(want_server);
		free(reflog);
		free(want_logs[0]);
		free(want_logs[1]);
	}
}

struct seen {
	int in, out, log;
	char first_out[128];
	char qid[32];
	char *path;
};

static void on_trace(void *ctx, const struct trace_event *ev)
{
	struct seen *t = ctx;

	if (strcmp(ev->protocol, "smtp") == 0) {
		CU_ASSERT_STRING_EQUAL(ev->peer, "localhost[127.0.0.1]");
		CU_ASSERT_STRING_EQUAL(ev->process, "postfix/smtpd");
		if (ev->direction == TRACE_DIR_IN)
			t->in++;
		if (ev->direction == TRACE_DIR_OUT && t->out++ == 0)
			snprintf(t->first_out, sizeof(t->first_out), "%s", ev->text);
	} else if (strcmp(ev->protocol, "log") == 0) {
		t->log++;
	}
}

static void on_queued(void *ctx, struct host *h, const char *id, const char *path)
{
	struct seen *t = ctx;

	(void)h;
	snprintf(t->qid, sizeof(t->qid), "%s", id);
	t->path = xstrdup(path);
}

/* The study note by hand: trace events, the hand-off, the queue file. */
static void test_trace_and_handoff(void)
{
	static const char *const client[] = {
		"HELO localhost\r\n", "MAIL FROM: root\r\n", "RCPT TO: wees\r\n",
		"DATA\r\n", "Ola Amigo\r\n.\r\n", "QUIT\r\n",
	};
	char tmpl[] = "/tmp/maillab-smtps.XXXXXX";
	char *dir = mkdtemp(tmpl), *root, *cmd;
	struct smtp_server_opts o;
	struct seen t;
	struct world *w;
	struct host *h;
	struct smtp_server *s;
	struct buf server;
	struct qfile q;
	struct stat st;
	struct err e;
	mtime_t now = 1795903190190LL;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	root = xasprintf("%s/root", dir);
	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	h = world_host(w, "centos", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	memset(&t, 0, sizeof(t));
	h->trace.emit = on_trace;
	h->trace.ctx = &t;
	memset(&o, 0, sizeof(o));
	o.client_addr = "127.0.0.1";
	o.client_name = "localhost";
	o.queued = on_queued;
	o.queued_ctx = &t;
	buf_init(&server);
	s = smtp_server_new(h, &o, now);
	CU_ASSERT_EQUAL(pump(s, &now, &server), SMTP_SERVER_NEED_INPUT);
	for (i = 0; i < sizeof(client) / sizeof(client[0]); i++) {
		smtp_server_feed(s, client[i], strlen(client[i]), now += 100);
		(void)pump(s, &now, &server);
	}
	CU_ASSERT(smtp_server_closed(s));
	CU_ASSERT_STRING_EQUAL(t.first_out, "220 centos.localdomain ESMTP Postfix (Debian/GNU)");
	CU_ASSERT_EQUAL(t.in, 7);		/* every client line, message too */
	CU_ASSERT_EQUAL(t.out, 7);		/* 220 250 250 250 354 250 221 */
	CU_ASSERT_EQUAL(t.log, 4);		/* connect, client=, message-id, disconnect */
	CU_ASSERT_STRING_EQUAL(t.qid, smtp_server_last_queue_id(s));
	CU_ASSERT_STRING_EQUAL(t.path, smtp_server_last_queue_path(s));
	CU_ASSERT_PTR_NOT_NULL(strstr(t.path, "/var/spool/postfix/incoming/"));
	CU_ASSERT_EQUAL_FATAL(stat(t.path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0700);
	qfile_init(&q);
	CU_ASSERT_EQUAL(qfile_read(t.path, &q, &e), 0);
	CU_ASSERT_STRING_EQUAL(qfile_attr(&q, "log_protocol_name"), "SMTP");
	CU_ASSERT_STRING_EQUAL(qfile_find(&q, 'R', NULL)->data, "wees@centos.localdomain");
	qfile_reset(&q);
	smtp_server_free(&s);
	CU_ASSERT_PTR_NULL(s);
	buf_reset(&server);
	free(t.path);
	world_free(&w);
	cmd = xasprintf("rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(root);
}

/*
 * reference/transcripts/smtp/06e: plain text after "220 2.0.0 Ready to
 * start TLS" breaks the handshake; the driver logs its SSL_accept lines,
 * the server "lost connection after STARTTLS" and the disconnect line.
 */
static void test_tls_handshake_failed(void)
{
	char tmpl[] = "/tmp/maillab-smtps.XXXXXX";
	char *dir = mkdtemp(tmpl), *root, *cmd, *path, *log;
	static const char data[] = "EHLO localhost\r\nSTARTTLS\r\n";
	struct smtp_server_opts o;
	struct world *w;
	struct host *h;
	struct smtp_server *s;
	struct buf server;
	struct err e;
	mtime_t now = 1795903190190LL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	root = xasprintf("%s/root", dir);
	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	h = world_host(w, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	memset(&o, 0, sizeof(o));
	o.client_addr = "127.0.0.1";
	o.client_name = "localhost";
	o.tls_possible = 1;
	buf_init(&server);
	s = smtp_server_new(h, &o, now);
	(void)pump(s, &now, &server);
	smtp_server_feed(s, data, strlen(data), now += 100);
	CU_ASSERT_EQUAL(pump(s, &now, &server), SMTP_SERVER_STARTTLS);
	smtp_server_eof(s, now += 100);
	CU_ASSERT(smtp_server_closed(s));
	path = host_path(h, "var/log/mail.log");
	log = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, ": lost connection after STARTTLS from localhost[127.0.0.1]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, ": disconnect from localhost[127.0.0.1] ehlo=1 "
				      "starttls=0/1 commands=1/2\n"));
	free(log);
	free(path);
	smtp_server_free(&s);
	buf_reset(&server);
	world_free(&w);
	cmd = xasprintf("rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(root);
}

/* A client that vanishes in the middle of DATA leaves no queue file. */
static void test_lost_connection(void)
{
	char tmpl[] = "/tmp/maillab-smtps.XXXXXX";
	char *dir = mkdtemp(tmpl), *root, *cmd, *path;
	static const char data[] = "EHLO x\r\nMAIL FROM:<a@b.example>\r\n"
		"RCPT TO:<wees@centos.localdomain>\r\nDATA\r\nSubject: half\r\n\r\nhalf a mess";
	struct smtp_server_opts o;
	struct world *w;
	struct host *h;
	struct smtp_server *s;
	struct buf server;
	struct err e;
	mtime_t now = 1795903190190LL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	root = xasprintf("%s/root", dir);
	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	h = world_host(w, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	memset(&o, 0, sizeof(o));
	o.client_addr = "127.0.0.1";
	o.client_name = "localhost";
	buf_init(&server);
	s = smtp_server_new(h, &o, now);
	(void)pump(s, &now, &server);
	smtp_server_feed(s, data, strlen(data), now += 100);
	(void)pump(s, &now, &server);
	/* being written: in incoming/ as in Postfix, 0600 (not ready) */
	path = host_path(h, "var/spool/postfix/incoming");
	CU_ASSERT_EQUAL(count_files(path), 1);
	{
		struct queue_ops_entry *en = NULL;
		size_t n = queue_ops_list(h, "incoming", &en);

		CU_ASSERT_EQUAL(n, 0);
		queue_ops_entries_free(&en, n);
	}
	smtp_server_eof(s, now += 100);
	CU_ASSERT(smtp_server_closed(s));
	CU_ASSERT_EQUAL(count_files(path), 0);
	free(path);
	CU_ASSERT_PTR_NULL(smtp_server_last_queue_id(s));
	smtp_server_free(&s);
	buf_reset(&server);
	world_free(&w);
	cmd = xasprintf("rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(root);
}

/* One command line against a fresh session; returns the last reply line. */
static char *ask(struct host *h, const char *client_addr, const char *lines)
{
	struct smtp_server_opts o;
	struct smtp_server *s;
	struct buf server;
	mtime_t now = 1795903190190LL;
	char *last, *end;
	size_t n;

	memset(&o, 0, sizeof(o));
	o.client_addr = client_addr;
	buf_init(&server);
	s = smtp_server_new(h, &o, now);
	(void)pump(s, &now, &server);
	smtp_server_feed(s, lines, strlen(lines), now += 100);
	(void)pump(s, &now, &server);
	smtp_server_free(&s);
	buf_addc(&server, 0);
	end = server.data + strlen(server.data) - 2;	/* before the last CRLF */
	*end = 0;
	last = strrchr(server.data, '\n');
	last = xstrdup(last ? last + 1 : server.data);
	buf_reset(&server);
	(void)n;
	return last;
}

/* The default world: a.example's host, its users and relay rules. */
static void test_default_world(void)
{
	static const struct {
		const char *client;
		const char *rcpt;
		const char *want;
	} cases[] = {
		{ "127.0.0.1", "alice@a.example", "250 2.1.5 Ok" },
		{ "127.0.0.1", "alice", "250 2.1.5 Ok" },
		{ "127.0.0.1", "root@mail.a.example", "250 2.1.5 Ok" },
		{ "127.0.0.1", "postmaster@a.example", "250 2.1.5 Ok" },
		{ "127.0.0.1", "bob@a.example", "550 5.1.1 <bob@a.example>: Recipient address rejected: User unknown in local recipient table" },
		{ "127.0.0.1", "bob@b.example", "250 2.1.5 Ok" },	/* mynetworks may relay */
		{ "198.51.100.20", "bob@b.example", "454 4.7.1 <bob@b.example>: Relay access denied" },
		{ "198.51.100.20", "alice@a.example", "250 2.1.5 Ok" },
	};
	char tmpl[] = "/tmp/maillab-smtps.XXXXXX";
	char *dir = mkdtemp(tmpl), *root, *cmd;
	struct world *w;
	struct host *h;
	struct err e;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	root = xasprintf("%s/root", dir);
	w = world_open(root, &e);	/* makes the default world */
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = world_host(w, "mail.a.example", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(host_myorigin(h), "a.example");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *lines = xasprintf("HELO c.example\r\nMAIL FROM:<x@c.example>\r\nRCPT TO:<%s>\r\n",
					cases[i].rcpt);
		char *got = ask(h, cases[i].client, lines);

		if (strcmp(got, cases[i].want) != 0)
			fprintf(stderr, "\n  %s from %s: got \"%s\", want \"%s\"\n",
				cases[i].rcpt, cases[i].client, got, cases[i].want);
		CU_ASSERT_STRING_EQUAL(got, cases[i].want);
		free(got);
		free(lines);
	}
	{
		char *got = ask(h, "127.0.0.1", "EHLO x\r\n");

		CU_ASSERT_STRING_EQUAL(got, "250 CHUNKING");
		free(got);
		got = ask(h, "127.0.0.1", "QUIT\r\n");
		CU_ASSERT_STRING_EQUAL(got, "221 2.0.0 Bye");
		free(got);
	}
	world_free(&w);
	cmd = xasprintf("rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(root);
}

void test_smtp_server_register(void)
{
	CU_pSuite s = CU_add_suite("smtp_server", NULL, NULL);

	CU_add_test(s, "reference sessions through the glue", test_sessions);
	CU_add_test(s, "TLS handshake failed after STARTTLS", test_tls_handshake_failed);
	CU_add_test(s, "trace and hand-off", test_trace_and_handoff);
	CU_add_test(s, "lost connection leaves no file", test_lost_connection);
	CU_add_test(s, "default world", test_default_world);
}
