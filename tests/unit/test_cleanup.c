/*
 * CUnit suite for src/mta/cleanup.c: the headers cleanup adds, byte for
 * byte as in tests/data/world/01-study-note.after.mbox-wees (from
 * Received: on), the envelope as postcat shows it
 * (tests/data/world/05-queue-postcat.txt), sizes as qmgr logs them, and
 * no file left by an aborted message.
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/cleanup.h"
#include "mta/host.h"
#include "mta/mail_date.h"
#include "mta/qfile.h"
#include "mta/queue_ops.h"
#include "sim/world.h"

void test_cleanup_register(void);

static char *root;
static struct world *world;
static struct host *host;

/* 2026-11-28T21:59:50.190Z and 21:59:51.128Z (reference smtp/01) */
#define T_MAIL	1795903190190LL
#define T_DATA	1795903191128LL

static int suite_init(void)
{
	char tmpl[] = "/tmp/maillab-cleanup.XXXXXX";
	char *d = mkdtemp(tmpl);
	struct err e;

	if (d == NULL)
		return -1;
	root = xasprintf("%s/root", d);
	if (world_init(root, "centos", &e) != 0)
		return -1;
	world = world_open(root, &e);
	if (world == NULL)
		return -1;
	host = world_host(world, NULL, &e);
	return host ? 0 : -1;
}

static int suite_clean(void)
{
	char *parent = xstrdup(root), *cmd;
	int rc;

	world_free(&world);
	*strrchr(parent, '/') = 0;
	cmd = xasprintf("rm -rf '%s'", parent);
	rc = system(cmd);
	free(cmd);
	free(parent);
	free(root);
	return rc == 0 ? 0 : -1;
}

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

/* Replaces every "from" by "to" in s (new string). */
static char *subst(const char *s, const char *from, const char *to)
{
	struct buf b;
	const char *p;
	size_t n;

	buf_init(&b);
	while ((p = strstr(s, from)) != NULL) {
		buf_add(&b, s, (size_t)(p - s));
		buf_adds(&b, to);
		s = p + strlen(from);
	}
	buf_adds(&b, s);
	buf_addc(&b, 0);
	return buf_steal(&b, &n);
}

/* The message text of a queue file: N and L records, as postcat -bh. */
static char *content(const struct qfile *q)
{
	struct buf b;
	size_t i, n;
	int in = 0;

	buf_init(&b);
	for (i = 0; i < q->n; i++) {
		const struct qfile_rec *r = &q->recs[i];

		if (r->type == 'M')
			in = 1;
		else if (r->type == 'X')
			in = 0;
		else if (in && (r->type == 'N' || r->type == 'L')) {
			buf_add(&b, r->data, r->len);
			if (r->type == 'N')
				buf_addc(&b, '\n');
		}
	}
	buf_addc(&b, 0);
	return buf_steal(&b, &n);
}

static int count(const char *rel)
{
	char *p = host_path(host, rel);
	DIR *d = opendir(p);
	struct dirent *de;
	int n = 0;

	free(p);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static struct cleanup_env smtpd_env(const char *sender, mtime_t arrival)
{
	struct cleanup_env env;

	memset(&env, 0, sizeof(env));
	env.origin = CLEANUP_ORIGIN_SMTPD;
	env.sender = sender;
	env.arrival = arrival;
	env.client_name = "localhost";
	env.client_addr = "127.0.0.1";
	env.client_port = 42626;
	env.server_addr = "127.0.0.1";
	env.server_port = 25;
	env.helo = "localhost";
	env.protocol = "SMTP";
	return env;
}

/* Complete messages in a queue, as qmgr and mailq see them. */
static size_t listed(const char *queue)
{
	struct queue_ops_entry *en = NULL;
	size_t n = queue_ops_list(host, queue, &en);

	queue_ops_entries_free(&en, n);
	return n;
}

/* One message through cleanup; returns its queue file, read. */
static void run(const struct cleanup_env *env, const char *const *rcpts,
		const char *data, mtime_t opened, struct qfile *q,
		struct cleanup_result *res)
{
	struct cleanup *c;
	struct err e;

	c = cleanup_open(host, env, opened, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* As Postfix: the file is in incoming/ at once, under its queue ID,
	 * but 0600 (not ready) until it is complete: no reader takes it. */
	CU_ASSERT_EQUAL(count("var/spool/postfix/incoming"), 1);
	CU_ASSERT_EQUAL(listed("incoming"), 0);
	for (; *rcpts; rcpts++)
		CU_ASSERT_EQUAL(cleanup_rcpt(c, *rcpts, &e), 0);
	CU_ASSERT_EQUAL(cleanup_message(c, data, strlen(data), opened + 900, &e), 0);
	CU_ASSERT_EQUAL(listed("incoming"), 0);
	CU_ASSERT_EQUAL_FATAL(cleanup_close(&c, opened + 904, res, &e), 0);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(count("var/spool/postfix/incoming"), 1);
	CU_ASSERT_EQUAL(listed("incoming"), 1);
	qfile_init(q);
	CU_ASSERT_EQUAL_FATAL(qfile_read(res->path, q, &e), 0);
}

static void done(struct qfile *q, struct cleanup_result *res)
{
	unlink(res->path);
	cleanup_result_reset(res);
	qfile_reset(q);
}

/* reference/transcripts/smtp/01-study-note: "MAIL FROM: root", "RCPT TO: wees" */
static void test_study_note(void)
{
	static const char *const rcpts[] = { "wees", NULL };
	struct cleanup_env env = smtpd_env("root", T_MAIL);
	struct cleanup_result res;
	struct qfile q;
	char *mbox, *want, *got, *log, *logline;
	const char *from_received;

	run(&env, rcpts, "Ola Amigo\n", T_DATA, &q, &res);
	mbox = slurp("tests/data/world/01-study-note.after.mbox-wees");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mbox);
	from_received = strstr(mbox, "Received:");
	CU_ASSERT_PTR_NOT_NULL_FATAL(from_received);
	/* the mbox ends with the empty line local delivery adds */
	mbox[strlen(mbox) - 1] = 0;
	want = subst(from_received, "1F3A6104556", res.id);
	got = content(&q);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  got:\n%s\n  want:\n%s\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	/* qmgr's size=311, give or take the length of our queue ID (twice) */
	CU_ASSERT_EQUAL(res.size, 311 + 2 * ((long)strlen(res.id) - 11));
	CU_ASSERT_EQUAL(q.size.data_size, res.size);
	CU_ASSERT_EQUAL(q.size.rcpt_count, 1);
	CU_ASSERT_EQUAL(res.nrcpt, 1);
	/* envelope: canonical sender and recipient, original kept */
	CU_ASSERT_STRING_EQUAL(qfile_find(&q, 'S', NULL)->data, "root@centos.localdomain");
	CU_ASSERT_STRING_EQUAL(qfile_find(&q, 'O', NULL)->data, "wees");
	CU_ASSERT_STRING_EQUAL(qfile_find(&q, 'R', NULL)->data, "wees@centos.localdomain");
	CU_ASSERT_STRING_EQUAL(qfile_attr(&q, "dsn_orig_rcpt"), "rfc822;wees");
	CU_ASSERT_STRING_EQUAL(qfile_find(&q, 'T', NULL)->data, "1795903190 190000");

	logline = host_path(host, "var/log/mail.log");
	log = slurp(logline);
	free(logline);
	logline = xasprintf("centos postfix/cleanup[%d]: %s: message-id=<20261128215951.%s@centos.localdomain>\n",
			    host_pid(host, "cleanup"), res.id, res.id);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, logline));
	free(logline);
	free(log);
	free(got);
	free(want);
	free(mbox);
	done(&q, &res);
}

/*
 * reference/commands/05-queue.txt: postcat of the 04d message. Our own
 * postcat-like rendering of the records must give the same lines, with
 * the queue ID and path made the reference's.
 */
static void test_postcat_view(void)
{
	static const char *const rcpts[] = { "someone@example.com", NULL };
	/* MAIL 22:00:39.100, first RCPT (the file) 22:00:39.708 */
	struct cleanup_env env = smtpd_env("root@centos.localdomain", 1795903239100LL);
	struct cleanup_result res;
	struct qfile q;
	struct buf b;
	char *ref, *want, *got, *start, line[300], when[64];
	size_t i, n;
	long delta;
	int in_text = 0;

	run(&env, rcpts, "Subject: relay test\n\nThis goes to an unreachable relayhost.\n",
	    1795903239708LL, &q, &res);
	delta = (long)strlen(res.id) - 11;
	/* the reference numbers, moved by our ID's length */
	CU_ASSERT_EQUAL(q.size.data_offset, 672 + delta);
	CU_ASSERT_EQUAL(q.size.data_size, 376 + 2 * delta);
	CU_ASSERT_EQUAL(q.size.content_length, 376 + 2 * delta);

	buf_init(&b);
	buf_adds(&b, "*** ENVELOPE RECORDS deferred/A/ACCB9104558 ***\n");
	for (i = 0; i < q.n; i++) {
		const struct qfile_rec *r = &q.recs[i];

		switch (r->type) {
		case 'C':
			buf_adds(&b, "message_size:             376             672               1               0             376               0\n");
			break;
		case 'T':
			mail_date_asctime(atol(r->data) * 1000LL, when, sizeof(when));
			buf_addf(&b, "message_arrival_time: %s\n", when);
			break;
		case 'A':
			if (strncmp(r->data, "create_time=", 12) == 0) {
				mail_date_asctime(atol(r->data + 12) * 1000LL, when, sizeof(when));
				buf_addf(&b, "create_time: %s\n", when);
			} else {
				buf_addf(&b, "named_attribute: %s\n", r->data);
			}
			break;
		case 'M':
			buf_adds(&b, "*** MESSAGE CONTENTS deferred/A/ACCB9104558 ***\n");
			in_text = 1;
			break;
		case 'N':
			buf_add(&b, r->data, r->len);
			buf_addc(&b, '\n');
			break;
		case 'X':
			buf_adds(&b, "*** HEADER EXTRACTED deferred/A/ACCB9104558 ***\n");
			in_text = 0;
			break;
		case 'E':
			buf_adds(&b, "*** MESSAGE FILE END deferred/A/ACCB9104558 ***\n");
			break;
		default:
			snprintf(line, sizeof(line), "%s: %s\n", qfile_rec_name(r->type), r->data);
			buf_adds(&b, line);
			break;
		}
	}
	(void)in_text;
	buf_addc(&b, 0);
	got = subst(b.data, res.id, "ACCB9104558");
	buf_reset(&b);
	ref = slurp("tests/data/world/05-queue-postcat.txt");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
	start = strchr(ref, '\n') + 1;			/* after "$ postcat ..." */
	*strstr(start, "[exit 0]") = 0;
	want = start;
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  got:\n%s\n  want:\n%s\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(ref);
	(void)n;
	done(&q, &res);
}

static const struct {
	const char *name;
	const char *sender;
	const char *rcpts[3];
	const char *data;
	const char *want;	/* content; {ID} the queue ID, {DATE}, {STAMP} */
} content_cases[] = {
	{ "client headers kept: nothing added",
	  "bob@b.example", { "alice@centos.localdomain", NULL },
	  "From: Bob <bob@b.example>\nDate: Mon, 2 Jan 2023 10:01:00 +0000\nMessage-ID: <seed1@b.example>\n\nhi\n",
	  "Received: from localhost (localhost [127.0.0.1])\n\tby centos.localdomain (Postfix) with SMTP id {ID}\n"
	  "\tfor <alice@centos.localdomain>; {DATE}\n"
	  "From: Bob <bob@b.example>\nDate: Mon, 2 Jan 2023 10:01:00 +0000\nMessage-ID: <seed1@b.example>\n\nhi\n" },
	{ "two recipients: no for clause",
	  "root", { "wees", "bob", NULL }, "x\n",
	  "Received: from localhost (localhost [127.0.0.1])\n\tby centos.localdomain (Postfix) with SMTP id {ID};\n"
	  "\t{DATE}\nMessage-Id: <{STAMP}.{ID}@centos.localdomain>\nDate: {DATE}\nFrom: root@centos.localdomain\n\nx\n" },
	{ "empty message",
	  "root", { "wees", NULL }, "",
	  "Received: from localhost (localhost [127.0.0.1])\n\tby centos.localdomain (Postfix) with SMTP id {ID}\n"
	  "\tfor <wees>; {DATE}\nMessage-Id: <{STAMP}.{ID}@centos.localdomain>\nDate: {DATE}\nFrom: root@centos.localdomain\n" },
	{ "headers only, folded header",
	  "", { "wees", NULL }, "Subject: a\n  folded\n",
	  "Received: from localhost (localhost [127.0.0.1])\n\tby centos.localdomain (Postfix) with SMTP id {ID}\n"
	  "\tfor <wees>; {DATE}\nSubject: a\n  folded\nMessage-Id: <{STAMP}.{ID}@centos.localdomain>\nDate: {DATE}\nFrom: MAILER-DAEMON\n" },
	{ "body starting with white space is not a header",
	  "root", { "wees", NULL }, " indented\nline\n",
	  "Received: from localhost (localhost [127.0.0.1])\n\tby centos.localdomain (Postfix) with SMTP id {ID}\n"
	  "\tfor <wees>; {DATE}\nMessage-Id: <{STAMP}.{ID}@centos.localdomain>\nDate: {DATE}\nFrom: root@centos.localdomain\n\n indented\nline\n" },
	{ "lower-case from and message-id count",
	  "root", { "wees", NULL }, "from: x@y\nmessage-id: <m@y>\n\nb\n",
	  "Received: from localhost (localhost [127.0.0.1])\n\tby centos.localdomain (Postfix) with SMTP id {ID}\n"
	  "\tfor <wees>; {DATE}\nfrom: x@y\nmessage-id: <m@y>\nDate: {DATE}\n\nb\n" },
};

static void test_content_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(content_cases) / sizeof(content_cases[0]); i++) {
		struct cleanup_env env = smtpd_env(content_cases[i].sender, T_MAIL);
		struct cleanup_result res;
		struct qfile q;
		char date[64], stamp[32], *w1, *w2, *want, *got;

		run(&env, content_cases[i].rcpts, content_cases[i].data, T_DATA, &q, &res);
		mail_date_header(T_MAIL, date, sizeof(date));
		mail_date_stamp(T_DATA, stamp, sizeof(stamp));
		w1 = subst(content_cases[i].want, "{ID}", res.id);
		w2 = subst(w1, "{DATE}", date);
		want = subst(w2, "{STAMP}", stamp);
		got = content(&q);
		if (strcmp(got, want) != 0)
			fprintf(stderr, "\n  %s:\n  got:\n%s\n  want:\n%s\n",
				content_cases[i].name, got, want);
		CU_ASSERT_STRING_EQUAL(got, want);
		free(w1);
		free(w2);
		free(want);
		free(got);
		done(&q, &res);
	}
}

static void test_long_line_and_esmtp(void)
{
	static const char *const rcpts[] = { "wees@centos.localdomain", NULL };
	struct cleanup_env env = smtpd_env("root@centos.localdomain", T_MAIL);
	struct cleanup_result res;
	struct qfile q;
	struct buf b;
	size_t i, from = 0, nl = 0, nn = 0;
	const struct qfile_rec *r;

	env.protocol = "ESMTPS";
	env.helo = NULL;
	env.client_addr = "::1";
	buf_init(&b);
	buf_adds(&b, "Subject: long\n\n");
	for (i = 0; i < 5000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	buf_adds(&b, "\n");
	run(&env, rcpts, b.data, T_DATA, &q, &res);
	/* smtpd hands a 5000-byte line over as 2048 + 2048 + 904 */
	while ((r = qfile_find(&q, 'L', &from)) != NULL) {
		CU_ASSERT_EQUAL(r->len, 2048);
		nl++;
	}
	from = 0;
	while ((r = qfile_find(&q, 'N', &from)) != NULL)
		if (r->len == 904)
			nn++;
	CU_ASSERT_EQUAL(nl, 2);
	CU_ASSERT_EQUAL(nn, 1);
	r = qfile_find(&q, 'N', NULL);
	CU_ASSERT_STRING_EQUAL(r->data, "Received: from localhost (localhost [IPv6:::1])");
	CU_ASSERT_PTR_NULL(qfile_attr(&q, "helo_name"));
	CU_ASSERT_STRING_EQUAL(qfile_attr(&q, "client_address_type"), "10");
	CU_ASSERT_STRING_EQUAL(qfile_attr(&q, "protocol_name"), "ESMTPS");
	buf_reset(&b);
	done(&q, &res);
}

static void test_pickup(void)
{
	static const char *const rcpts[] = { "team", NULL };
	struct cleanup_env env;
	struct cleanup_result res;
	struct qfile q;
	char *got, *want;

	memset(&env, 0, sizeof(env));
	env.origin = CLEANUP_ORIGIN_PICKUP;
	env.sender = "root";
	env.arrival = T_MAIL;
	env.uid = 0;
	env.fullname = "root";
	run(&env, rcpts, "Subject: to an alias\n\nhello team\n", T_DATA, &q, &res);
	/* reference/commands/07-aliases.txt, /var/mail/alice */
	want = xasprintf("Received: by centos.localdomain (Postfix, from userid 0)\n"
			 "\tid %s; Sat, 28 Nov 2026 21:59:50 +0000 (UTC)\n"
			 "Subject: to an alias\n"
			 "Message-Id: <20261128215951.%s@centos.localdomain>\n"
			 "Date: Sat, 28 Nov 2026 21:59:50 +0000 (UTC)\n"
			 "From: root <root@centos.localdomain>\n\nhello team\n", res.id, res.id);
	got = content(&q);
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_STRING_EQUAL(qfile_find(&q, 'F', NULL)->data, "root");
	free(got);
	free(want);
	done(&q, &res);
}

/* Sets delay_warning_time in the host's main.cf ("" removes it). */
static void set_delay_warning(const char *value)
{
	char *p = host_path(host, "etc/postfix/main.cf"), *cf = slurp(p), *line;
	FILE *f;
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cf);
	line = strstr(cf, "\ndelay_warning_time = ");
	if (line != NULL)
		line[1] = '\0';
	f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(cf, f);
	if (*value)
		fprintf(f, "delay_warning_time = %s\n", value);
	fclose(f);
	CU_ASSERT_EQUAL(host_reload(host, &e), 0);
	free(cf);
	free(p);
}

/*
 * cleanup_envelope.c: with delay_warning_time set, a W record
 * (REC_TYPE_WARN_FORMAT "%15ld", arrival + the time) right before the
 * first recipient's records; none for the null sender; a requeued file's
 * own W record is kept, also when it is 0 (the notice was sent).
 */
static void test_warn_record(void)
{
	static const struct {
		const char *setting, *sender;
		int warn_seen;
		long warn_time;
		long want;		/* -1: no W record */
	} cases[] = {
		{ "", "root", 0, 0, -1 },
		{ "4h", "root", 0, 0, 1795903190L + 4 * 3600 },
		{ "30m", "root", 0, 0, 1795903190L + 1800 },
		{ "4h", "", 0, 0, -1 },
		{ "4h", "root", 1, 0, 0 },
		{ "", "root", 1, 1795999999L, 1795999999L },
	};
	static const char *const rcpts[] = { "wees", "alice", NULL };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cleanup_env env = smtpd_env(cases[i].sender, T_MAIL);
		struct cleanup_result res;
		struct qfile q;
		const struct qfile_rec *w;
		size_t k;

		set_delay_warning(cases[i].setting);
		env.warn_seen = cases[i].warn_seen;
		env.warn_time = cases[i].warn_time;
		run(&env, rcpts, "Subject: w\n\nx\n", T_DATA, &q, &res);
		w = qfile_find(&q, 'W', NULL);
		if (cases[i].want < 0) {
			CU_ASSERT_PTR_NULL(w);
		} else {
			CU_ASSERT_PTR_NOT_NULL_FATAL(w);
			CU_ASSERT_EQUAL(w->len, 15);
			CU_ASSERT_EQUAL(strtol(w->data, NULL, 10), cases[i].want);
			/* after the sender's attributes, before dsn_orig_rcpt */
			k = (size_t)(w - q.recs);
			CU_ASSERT_EQUAL(q.recs[k + 1].type, 'A');
			CU_ASSERT_STRING_EQUAL(q.recs[k + 1].data, "dsn_orig_rcpt=rfc822;wees");
			CU_ASSERT_EQUAL(q.recs[k - 1].type, 'A');
			CU_ASSERT_STRING_EQUAL(q.recs[k - 1].data, "client_address_type=2");
			k = 0;
			(void)qfile_find(&q, 'W', &k);
			CU_ASSERT_PTR_NULL(qfile_find(&q, 'W', &k));	/* only one */
		}
		done(&q, &res);
	}
	set_delay_warning("");
}

/* Postfix's post_mail(): bounce's Received: line; none for a forward. */
static void test_internal(void)
{
	static const char *const rcpts[] = { "root@centos.localdomain" };
	static const char bounce[] = "Date: Sat, 28 Nov 2026 22:05:22 +0000 (UTC)\n"
		"From: Mail Delivery System <MAILER-DAEMON@centos.localdomain>\n"
		"Subject: Undelivered Mail Returned to Sender\n\nThis is\n";
	struct cleanup_result res;
	struct qfile q;
	struct err e;
	char *got, *want;
	int received;

	for (received = 1; received >= 0; received--) {
		CU_ASSERT_EQUAL_FATAL(cleanup_post(host, T_DATA, "", rcpts, 1, bounce,
						   strlen(bounce), received, &res, &e), 0);
		qfile_init(&q);
		CU_ASSERT_EQUAL_FATAL(qfile_read(res.path, &q, &e), 0);
		CU_ASSERT_STRING_EQUAL(qfile_find(&q, 'S', NULL)->data, "");
		CU_ASSERT_STRING_EQUAL(qfile_find(&q, 'R', NULL)->data, "root@centos.localdomain");
		CU_ASSERT_PTR_NULL(qfile_find(&q, 'W', NULL));
		CU_ASSERT_PTR_NULL(qfile_attr(&q, "client_name"));
		/* reference/mailboxes/root-bounce.mbox */
		want = xasprintf("%s%s%s"
				 "Date: Sat, 28 Nov 2026 22:05:22 +0000 (UTC)\n"
				 "From: Mail Delivery System <MAILER-DAEMON@centos.localdomain>\n"
				 "Subject: Undelivered Mail Returned to Sender\n"
				 "Message-Id: <20261128215951.%s@centos.localdomain>\n\nThis is\n",
				 received ? "Received: by centos.localdomain (Postfix)\n\tid " : "",
				 received ? res.id : "",
				 received ? "; Sat, 28 Nov 2026 21:59:51 +0000 (UTC)\n" : "", res.id);
		got = content(&q);
		CU_ASSERT_STRING_EQUAL(got, want);
		free(got);
		free(want);
		done(&q, &res);
	}
}

static void test_abort(void)
{
	struct cleanup_env env = smtpd_env("root", T_MAIL);
	struct cleanup *c;
	struct err e;

	c = cleanup_open(host, &env, T_MAIL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(strlen(cleanup_id(c)) >= 6, 1);
	cleanup_rcpt(c, "wees", &e);
	cleanup_abort(&c);
	CU_ASSERT_PTR_NULL(c);
	cleanup_abort(&c);
	/* nothing stays, not even a file without the ready bit */
	CU_ASSERT_EQUAL(count("var/spool/postfix/incoming"), 0);
}

static void test_dates(void)
{
	char b[64];

	mail_date_header(1672653660000LL, b, sizeof(b));	/* 2023-01-02 10:01 */
	CU_ASSERT_STRING_EQUAL(b, "Mon,  2 Jan 2023 10:01:00 +0000 (UTC)");
	mail_date_asctime(1795903192000LL, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "Sat Nov 28 21:59:52 2026");
	mail_date_stamp(1795903191128LL, b, sizeof(b));
	CU_ASSERT_STRING_EQUAL(b, "20261128215951");
}

void test_cleanup_register(void)
{
	CU_pSuite s = CU_add_suite("cleanup", suite_init, suite_clean);

	CU_add_test(s, "study note headers byte for byte", test_study_note);
	CU_add_test(s, "envelope as postcat shows it", test_postcat_view);
	CU_add_test(s, "header cases", test_content_cases);
	CU_add_test(s, "long lines, ESMTPS, IPv6", test_long_line_and_esmtp);
	CU_add_test(s, "pickup headers", test_pickup);
	CU_add_test(s, "delay warning record", test_warn_record);
	CU_add_test(s, "internal origin (bounce, forward)", test_internal);
	CU_add_test(s, "abort leaves nothing", test_abort);
	CU_add_test(s, "date formats", test_dates);
}
