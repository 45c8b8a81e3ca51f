/*
 * CUnit suite for the world run (src/sim/sim.c) end to end: MUA ->
 * mail.a.example -> MX -> mail.b.example -> var/mail/bob; an unknown user
 * bounced back to alice; relay denied; a host down, deferred, back up
 * and delivered at the next retry; a host down for 5 days, bounced; an
 * alias to two users; a corrupt queue file set aside. Each case checks
 * the mailboxes, mail.log and the trace. Runs on a fixed clock in a
 * temporary lab root.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/qfile.h"
#include "mta/queue_ops.h"
#include "sim/sim.h"
#include "sim/world.h"

void test_sim_register(void);

/* Sat Nov 28 21:59:50 2026 UTC, the study note's session */
#define T0 1795903190000LL

struct fx {
	char *parent, *root;
	struct world *w;
	struct sim *s;
	struct buf trace;	/* one line per event: "host process proto dir text" */
	size_t nevents;
};

static void on_event(void *ctx, const struct trace_event *ev)
{
	struct fx *f = ctx;

	buf_addf(&f->trace, "%s %s %s %s %s\n", ev->host, ev->process, ev->protocol,
		 trace_dir_name(ev->direction), ev->text);
	f->nevents++;
}

static void setup(struct fx *f, const char *world, const char *aliases)
{
	char tmpl[] = "/tmp/maillab-sim.XXXXXX";
	struct sim_opts o;
	struct err e;

	memset(f, 0, sizeof(*f));
	buf_init(&f->trace);
	buf_adds(&f->trace, "");
	f->parent = xstrdup(mkdtemp(tmpl));
	f->root = xasprintf("%s/root", f->parent);
	CU_ASSERT_EQUAL_FATAL(world_init(f->root, world, &e), 0);
	if (aliases != NULL) {
		char *p = xasprintf("%s/hosts/centos.localdomain/etc/aliases", f->root);
		FILE *fp = fopen(p, "w");

		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		fputs(aliases, fp);
		fclose(fp);
		free(p);
	}
	f->w = world_open(f->root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->w);
	memset(&o, 0, sizeof(o));
	o.trace.emit = on_event;
	o.trace.ctx = f;
	o.fixed_clock = 1;
	o.start = T0;
	f->s = sim_open(f->w, &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->s);
}

static void teardown(struct fx *f)
{
	char *cmd = xasprintf("rm -rf '%s'", f->parent);

	sim_free(&f->s);
	world_free(&f->w);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	buf_reset(&f->trace);
	free(f->root);
	free(f->parent);
}

static char *slurp_rel(struct fx *f, const char *rel)
{
	char *p = xasprintf("%s/%s", f->root, rel);
	FILE *fp = fopen(p, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	free(p);
	buf_init(&b);
	buf_adds(&b, "");
	if (fp != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			buf_add(&b, chunk, n);
		fclose(fp);
	}
	return buf_steal(&b, NULL);
}

static int contains(const char *hay, const char *needle)
{
	if (strstr(hay, needle) != NULL)
		return 1;
	fprintf(stderr, "\nmissing: %s\n", needle);
	if (getenv("TEST_SIM_VERBOSE") != NULL)
		fprintf(stderr, "in:\n%s\n", hay);
	return 0;
}

static int submit(struct fx *f, const char *host, const char *addr,
		  const char *from, const char *to, const char *data,
		  struct sim_result *r)
{
	const char *rcpts[2] = { to, NULL };
	struct sim_mua_msg m;
	struct err e;

	memset(&m, 0, sizeof(m));
	m.host = host;
	m.client_name = addr != NULL ? "client.example" : NULL;
	m.client_addr = addr;
	m.helo = "client.example";
	m.from = from;
	m.to = rcpts;
	m.data = data;
	return sim_submit(f->s, &m, r, &e);
}

static size_t queued(struct fx *f, const char *host, const char *queue)
{
	struct err e;
	struct host *h = world_host(f->w, host, &e);
	struct queue_ops_entry *en = NULL;
	size_t n = queue_ops_list(h, queue, &en);

	queue_ops_entries_free(&en, n);
	return n;
}

static void test_alice_to_bob(void)
{
	struct fx f;
	struct sim_result r;
	char *bob, *loga, *logb;

	setup(&f, "default", NULL);
	CU_ASSERT_EQUAL(submit(&f, "mail.a.example", NULL, "alice@a.example", "bob@b.example",
			       "From: Alice <alice@a.example>\nTo: Bob <bob@b.example>\n"
			       "Subject: hi\n\nHello Bob\n", &r), 0);
	CU_ASSERT(r.accepted);
	CU_ASSERT(strlen(r.queue_id) >= 10);
	CU_ASSERT(sim_run_due(f.s) >= 2);
	CU_ASSERT_EQUAL(sim_next_due(f.s), -1);
	bob = slurp_rel(&f, "hosts/mail.b.example/var/mail/bob");
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	logb = slurp_rel(&f, "hosts/mail.b.example/var/log/mail.log");
	CU_ASSERT(contains(bob, "From alice@a.example  Sat Nov 28 21:59:50 2026\n"
				"Return-Path: <alice@a.example>\n"
				"X-Original-To: bob@b.example\n"
				"Delivered-To: bob@b.example\n"
				"Received: from mail.a.example (mail.a.example [192.0.2.10])\n"));
	CU_ASSERT(contains(bob, "\nHello Bob\n\n"));
	CU_ASSERT(contains(loga, "relay=mail.b.example[198.51.100.20]:25"));
	CU_ASSERT(contains(loga, "status=sent (250 2.0.0 Ok: queued as "));
	CU_ASSERT(contains(logb, "postfix/smtpd"));
	CU_ASSERT(contains(logb, "connect from mail.a.example[192.0.2.10]"));
	CU_ASSERT(contains(logb, "status=sent (delivered to mailbox)"));
	/* the trace: the MUA's lines, the relay's lines, queue moves, log lines */
	CU_ASSERT(contains(f.trace.data, " MUA smtp out MAIL FROM:<alice@a.example>"));
	CU_ASSERT(contains(f.trace.data, "mail.a.example postfix/smtp smtp out RCPT TO:<bob@b.example>"));
	CU_ASSERT(contains(f.trace.data, "mail.a.example postfix/smtp smtp in 250 2.0.0 Ok: queued as"));
	CU_ASSERT(contains(f.trace.data, "mail.b.example postfix/qmgr queue none incoming/"));
	CU_ASSERT(contains(f.trace.data, "mail.b.example postfix/local log none"));
	/* trivial-rewrite's answers and smtp's DNS lookups, as steps of their own */
	CU_ASSERT(contains(f.trace.data, "mail.a.example postfix/trivial-rewrite resolve none "
			   "bob@b.example: address class default -> smtp:b.example\n"));
	CU_ASSERT(contains(f.trace.data, "mail.b.example postfix/trivial-rewrite resolve none "
			   "bob@b.example: address class local -> local:mail.b.example\n"));
	CU_ASSERT(contains(f.trace.data, "mail.a.example postfix/smtp dns out b.example MX?\n"
			   "mail.a.example postfix/smtp dns in b.example MX 10 mail.b.example\n"
			   "mail.a.example postfix/smtp dns out mail.b.example A?\n"
			   "mail.a.example postfix/smtp dns in mail.b.example A 198.51.100.20\n"));
	free(bob);
	free(loga);
	free(logb);
	teardown(&f);
}

static void test_unknown_user_bounces(void)
{
	struct fx f;
	struct sim_result r;
	char *alice, *loga;

	setup(&f, "default", NULL);
	CU_ASSERT_EQUAL(submit(&f, "mail.a.example", NULL, "alice@a.example",
			       "nosuch@b.example", "Subject: to nobody\n\nx\n", &r), 0);
	CU_ASSERT(r.accepted);
	(void)sim_run_due(f.s);
	alice = slurp_rel(&f, "hosts/mail.a.example/var/mail/alice");
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	CU_ASSERT(contains(loga, "to=<nosuch@b.example>, relay=mail.b.example[198.51.100.20]:25"));
	CU_ASSERT(contains(loga, "dsn=5.1.1, status=bounced (host mail.b.example[198.51.100.20] said: "
				 "550 5.1.1 <nosuch@b.example>: Recipient address rejected: User "
				 "unknown in local recipient table (in reply to RCPT TO command))"));
	CU_ASSERT(contains(loga, "postfix/bounce"));
	CU_ASSERT(contains(loga, "sender non-delivery notification: "));
	{
		/*
		 * reference/commands/08-sendmail-bounce.txt: the notice is in
		 * active/ before qmgr removes the message, delivered after.
		 */
		static const char *const order[] = {
			"status=bounced", "sender non-delivery notification: ",
			"from=<>, size=", ": removed\n", "to=<alice@a.example>, relay=local",
			": removed\n",
		};
		const char *p = loga;
		size_t i;

		for (i = 0; i < sizeof(order) / sizeof(order[0]) && p != NULL; i++) {
			p = strstr(p, order[i]);
			if (p == NULL)
				fprintf(stderr, "\n  bounce log order: no \"%s\" after the previous line\n",
					order[i]);
			else
				p += strlen(order[i]);
		}
		CU_ASSERT_PTR_NOT_NULL(p);
	}
	CU_ASSERT(contains(alice, "From MAILER-DAEMON  "));
	CU_ASSERT(contains(alice, "Subject: Undelivered Mail Returned to Sender\n"));
	CU_ASSERT(contains(alice, "<nosuch@b.example>: host mail.b.example[198.51.100.20] said: 550 5.1.1\n"));
	CU_ASSERT(contains(alice, "Remote-MTA: dns; mail.b.example\n"));
	CU_ASSERT(contains(alice, "Diagnostic-Code: smtp; 550 5.1.1 <nosuch@b.example>: Recipient"));
	free(alice);
	free(loga);
	teardown(&f);
}

static void test_relay_denied(void)
{
	struct fx f;
	struct sim_result r;

	setup(&f, "default", NULL);
	CU_ASSERT_EQUAL(submit(&f, "mail.b.example", "203.0.113.5", "someone@outside.example",
			       "victim@example.com", "x\n", &r), 0);
	CU_ASSERT_FALSE(r.accepted);
	CU_ASSERT_STRING_EQUAL(r.reply, "454 4.7.1 <victim@example.com>: Relay access denied");
	CU_ASSERT_EQUAL(queued(&f, "mail.b.example", "incoming"), 0);
	teardown(&f);
}

static void test_host_down_then_up(void)
{
	struct fx f;
	struct sim_result r;
	struct err e;
	char *loga, *bob;

	setup(&f, "default", NULL);
	CU_ASSERT_EQUAL(sim_fault(f.s, "mail.b.example", "down", &e), 0);
	CU_ASSERT_EQUAL(submit(&f, "mail.a.example", NULL, "alice@a.example", "bob@b.example",
			       "Subject: later\n\nwait for it\n", &r), 0);
	(void)sim_run_due(f.s);
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	CU_ASSERT(contains(loga, "postfix/smtp[") && contains(loga, "]: connect to mail.b.example"
							       "[198.51.100.20]:25: Connection refused\n"));
	CU_ASSERT(contains(loga, "relay=none, delay=0, delays=0/0/0/0, dsn=4.4.1, status=deferred "
				 "(connect to mail.b.example[198.51.100.20]:25: Connection refused)"));
	CU_ASSERT_EQUAL(queued(&f, "mail.a.example", "deferred"), 1);
	free(loga);
	/* still down at the first retry (5 minutes), back up after it */
	CU_ASSERT(sim_advance(f.s, 6 * 60 * 1000) >= 1);
	CU_ASSERT_EQUAL(queued(&f, "mail.a.example", "deferred"), 1);
	CU_ASSERT_EQUAL(sim_fault(f.s, "mail.b.example", "up", &e), 0);
	(void)sim_advance(f.s, 10 * 60 * 1000);
	CU_ASSERT_EQUAL(queued(&f, "mail.a.example", "deferred"), 0);
	bob = slurp_rel(&f, "hosts/mail.b.example/var/mail/bob");
	CU_ASSERT(contains(bob, "wait for it"));
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	/* delivered at a retry: the delay shows the time in the queue.
	 * Deferred at 21:59:50, due at 22:04:50, tried at the 22:05:00
	 * queue scan (still down: due again 5m10s later), tried at the
	 * 22:15:00 scan: 910 s. */
	CU_ASSERT(contains(loga, ", delay=910, delays=910/0/0/0, dsn=2.0.0, status=sent"));
	free(loga);
	free(bob);
	teardown(&f);
}

static void test_down_five_days_bounces(void)
{
	struct fx f;
	struct sim_result r;
	struct err e;
	char *loga, *alice;

	setup(&f, "default", NULL);
	CU_ASSERT_EQUAL(sim_fault(f.s, "mail.b.example", "down", &e), 0);
	CU_ASSERT_EQUAL(submit(&f, "mail.a.example", NULL, "alice@a.example", "bob@b.example",
			       "Subject: never\n\nlost\n", &r), 0);
	(void)sim_run_due(f.s);
	(void)sim_advance(f.s, 5LL * 86400 * 1000 + 2 * 3600 * 1000);
	CU_ASSERT_EQUAL(queued(&f, "mail.a.example", "deferred"), 0);
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	alice = slurp_rel(&f, "hosts/mail.a.example/var/mail/alice");
	CU_ASSERT(contains(loga, ", status=expired, returned to sender\n"));
	CU_ASSERT(contains(alice, "Subject: Undelivered Mail Returned to Sender\n"));
	CU_ASSERT(contains(alice, "<bob@b.example>: connect to mail.b.example[198.51.100.20]:25: Connection\n"
				  "    refused\n"));
	CU_ASSERT(contains(alice, "Action: failed\nStatus: 4.4.1\n"));
	/* the retries in between: more than a hundred over five days */
	{
		size_t n = 0;
		const char *p = loga;

		while ((p = strstr(p, "status=deferred")) != NULL) {
			n++;
			p++;
		}
		CU_ASSERT(n > 100 && n < 130);
	}
	free(loga);
	free(alice);
	teardown(&f);
}

static void test_alias_two_users(void)
{
	struct fx f;
	struct err e;
	const char *to[] = { "team", NULL };
	char *wees, *alice, *log;

	setup(&f, "centos", "postmaster:    root\nteam:     wees, alice\n");
	CU_ASSERT_EQUAL(sim_sendmail(f.s, "centos.localdomain", "root", to,
				     "Subject: to an alias\n\nhello team\n", 0, 0, NULL, &e), 0);
	(void)sim_run_due(f.s);
	wees = slurp_rel(&f, "hosts/centos.localdomain/var/mail/wees");
	alice = slurp_rel(&f, "hosts/centos.localdomain/var/mail/alice");
	log = slurp_rel(&f, "hosts/centos.localdomain/var/log/mail.log");
	CU_ASSERT(contains(wees, "X-Original-To: team\nDelivered-To: team@centos.localdomain\n"));
	CU_ASSERT(contains(alice, "\nhello team\n\n"));
	CU_ASSERT(contains(log, "uid=0 from=<root>\n"));
	CU_ASSERT(contains(log, "to=<wees@centos.localdomain>, orig_to=<team>, relay=local"));
	CU_ASSERT(contains(log, "to=<alice@centos.localdomain>, orig_to=<team>, relay=local"));
	CU_ASSERT(contains(log, "size=294, nrcpt=1 (queue active)"));
	free(wees);
	free(alice);
	free(log);
	teardown(&f);
}

/*
 * A file cleanup was writing when the lab crashed: 0600 in incoming/.
 * qmgr leaves it alone (Postfix's mail_open_ok()), mailq does not list
 * it, and postsuper's purge removes it once it is a day old.
 */
static void test_unfinished_queue_file(void)
{
	struct fx f;
	struct host *h;
	struct queue_ops_entry *en = NULL;
	struct err e;
	char *p, *log;
	FILE *fp;
	struct stat st;
	mtime_t mtime;
	size_t n;

	setup(&f, "centos", NULL);
	p = xasprintf("%s/hosts/centos.localdomain/var/spool/postfix/incoming/ABCDE12346", f.root);
	fp = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("C half a queue file", fp);
	fclose(fp);
	CU_ASSERT_EQUAL(chmod(p, 0600), 0);
	(void)sim_run_due(f.s);
	CU_ASSERT_EQUAL(access(p, F_OK), 0);
	CU_ASSERT_EQUAL(queued(&f, "centos.localdomain", "corrupt"), 0);
	log = slurp_rel(&f, "hosts/centos.localdomain/var/log/mail.log");
	CU_ASSERT_PTR_NULL(strstr(log, "ABCDE12346"));
	free(log);
	h = world_host(f.w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	n = queue_ops_list(h, "incoming", &en);
	CU_ASSERT_EQUAL(n, 0);
	queue_ops_entries_free(&en, n);
	CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
	mtime = (mtime_t)st.st_mtime * 1000;
	CU_ASSERT_EQUAL(queue_ops_purge_temp(h, mtime + 3600 * 1000LL), 0);
	CU_ASSERT_EQUAL(access(p, F_OK), 0);
	CU_ASSERT_EQUAL(queue_ops_purge_temp(h, mtime + 25 * 3600 * 1000LL), 1);
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
	free(p);
	teardown(&f);
}

/*
 * postsuper -r: the queue file goes back to maildrop/ (mode 0700, no
 * world-read bit) and pickup gives it to cleanup again, as pickup.c
 * does: a new queue ID, "orig_id=" in its log line, its own Received:
 * "by HOST (Postfix, from userid <mail_owner's uid>)" on top of the
 * original one, the original arrival time, original recipients and
 * client attributes; recipients delivered already are not delivered
 * again.
 */
static void test_requeue(void)
{
	struct fx f;
	struct sim_result r;
	struct host *h;
	struct queue_ops_entry *en = NULL;
	struct err e;
	struct qfile q;
	const char *to[] = { "someone@example.com", "wees", NULL };
	struct sim_mua_msg m;
	char *log, *mbox, *path, old[32], *want;
	size_t n;
	const struct qfile_rec *rec;

	setup(&f, "centos", NULL);
	h = world_host(f.w, "centos.localdomain", &e);
	memset(&m, 0, sizeof(m));
	m.host = "centos.localdomain";
	m.from = "root@centos.localdomain";
	m.to = to;
	m.data = "Subject: relay test\n\nThis goes to an unreachable relayhost.\n";
	CU_ASSERT_EQUAL_FATAL(sim_submit(f.s, &m, &r, &e), 0);
	(void)sim_run_due(f.s);
	n = queue_ops_list(h, "deferred", &en);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	snprintf(old, sizeof(old), "%s", en[0].id);
	queue_ops_entries_free(&en, n);
	/* what postsuper -r does */
	CU_ASSERT_EQUAL_FATAL(queue_ops_move(h, sim_now(f.s), "postfix/postsuper", old,
					     "deferred", "maildrop", &e), 0);
	path = queue_ops_path(h, "maildrop", old);
	CU_ASSERT_EQUAL(queue_ops_set_mtime(path, sim_now(f.s)), 0);
	free(path);
	(void)sim_advance(f.s, 61 * 1000);	/* pickup's wakeup */
	n = queue_ops_list(h, "deferred", &en);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_NOT_EQUAL(en[0].id, old);
	qfile_init(&q);
	CU_ASSERT_EQUAL_FATAL(qfile_read(en[0].path, &q, &e), 0);
	/* the arrival time of the first try (T0), a new create_time */
	CU_ASSERT_EQUAL(strtol(qfile_find(&q, 'T', NULL)->data, NULL, 10), (long)(T0 / 1000));
	CU_ASSERT_STRING_EQUAL(qfile_attr(&q, "client_name"), "localhost");
	CU_ASSERT_STRING_EQUAL(qfile_attr(&q, "log_ident"), en[0].id);
	CU_ASSERT_STRING_EQUAL(qfile_attr(&q, "dsn_orig_rcpt"), "rfc822;someone@example.com");
	rec = qfile_find(&q, 'R', NULL);
	CU_ASSERT_STRING_EQUAL(rec->data, "someone@example.com");
	CU_ASSERT_PTR_NULL(qfile_find(&q, 'D', NULL));	/* wees: done before */
	rec = qfile_find(&q, 'N', NULL);
	want = xasprintf("Received: by centos.localdomain (Postfix, from userid 100)");
	CU_ASSERT_STRING_EQUAL(rec->data, want);
	free(want);
	rec = &q.recs[rec - q.recs + 2];
	CU_ASSERT_PTR_NOT_NULL(strstr(rec->data, "Received: from localhost (localhost [127.0.0.1])"));
	log = slurp_rel(&f, "hosts/centos.localdomain/var/log/mail.log");
	want = xasprintf("postfix/pickup[%d]: %s: uid=100 from=<root@centos.localdomain> orig_id=%s\n",
			 host_pid(h, "pickup"), en[0].id, old);
	CU_ASSERT(contains(log, want));
	free(want);
	mbox = slurp_rel(&f, "hosts/centos.localdomain/var/mail/wees");
	CU_ASSERT_PTR_NOT_NULL(strstr(mbox, "Subject: relay test"));
	CU_ASSERT_PTR_NULL(strstr(strstr(mbox, "Subject: relay test") + 1, "Subject: relay test"));
	free(mbox);
	free(log);
	qfile_reset(&q);
	queue_ops_entries_free(&en, n);
	teardown(&f);
}

static void test_corrupt_queue_file(void)
{
	struct fx f;
	char *p, *log;
	FILE *fp;

	setup(&f, "centos", NULL);
	p = xasprintf("%s/hosts/centos.localdomain/var/spool/postfix/incoming/ABCDE12345", f.root);
	fp = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("this is not a queue file\n", fp);
	fclose(fp);
	/* complete (u+x), so qmgr opens it */
	CU_ASSERT_EQUAL(chmod(p, 0700), 0);
	free(p);
	(void)sim_run_due(f.s);
	CU_ASSERT_EQUAL(queued(&f, "centos.localdomain", "corrupt"), 1);
	CU_ASSERT_EQUAL(queued(&f, "centos.localdomain", "incoming"), 0);
	log = slurp_rel(&f, "hosts/centos.localdomain/var/log/mail.log");
	CU_ASSERT(contains(log, "postfix/qmgr"));
	CU_ASSERT(contains(log, "warning: saving corrupt file \"ABCDE12345\" from queue "
				"\"incoming\" to queue \"corrupt\""));
	free(log);
	teardown(&f);
}

/* Appends a line to a host's main.cf before the world is opened again. */
static void maincf_add(struct fx *f, const char *host, const char *line)
{
	char *p = xasprintf("%s/hosts/%s/etc/postfix/main.cf", f->root, host);
	FILE *fp = fopen(p, "a");
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fprintf(fp, "%s\n", line);
	fclose(fp);
	free(p);
	CU_ASSERT_EQUAL(host_reload(world_host(f->w, host, &e), &e), 0);
}

/* The W record (warning_message_time, seconds) of the one message in a
 * queue of host, or -1 when the file has none. */
static long warn_record(struct fx *f, const char *host, const char *queue)
{
	struct err e;
	struct host *h = world_host(f->w, host, &e);
	struct queue_ops_entry *en = NULL;
	size_t n = queue_ops_list(h, queue, &en);
	struct qfile q;
	const struct qfile_rec *r;
	long v = -1;

	CU_ASSERT_EQUAL_FATAL(n, 1);
	qfile_init(&q);
	CU_ASSERT_EQUAL(qfile_read(en[0].path, &q, &e), 0);
	r = qfile_find(&q, QFILE_REC_WARN, NULL);
	if (r != NULL) {
		CU_ASSERT_EQUAL(r->len, 15);	/* "%15ld": rewritten in place */
		v = strtol(r->data, NULL, 10);
	}
	qfile_reset(&q);
	queue_ops_entries_free(&en, n);
	return v;
}

static void test_no_mx_and_delay_warning(void)
{
	struct fx f;
	struct sim_result r;
	struct err e;
	char *loga, *alice;

	setup(&f, "default", NULL);
	maincf_add(&f, "mail.a.example", "delay_warning_time = 1h");
	CU_ASSERT_EQUAL(sim_fault(f.s, "b.example", "no-mx", &e), 0);
	CU_ASSERT_EQUAL(submit(&f, "mail.a.example", NULL, "alice@a.example", "bob@b.example",
			       "Subject: dns\n\nwhere are you\n", &r), 0);
	(void)sim_run_due(f.s);
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	CU_ASSERT(contains(f.trace.data, "mail.a.example postfix/smtp dns in b.example MX: SERVFAIL\n"));
	CU_ASSERT(contains(loga, "relay=none, delay=0, delays=0/0/0/0, dsn=4.4.3, status=deferred "
				 "(Host or domain name not found. Name service error for "
				 "name=b.example type=MX: Host not found, try again)"));
	free(loga);
	/* cleanup wrote when to warn: arrival + 1h, in the queue file */
	CU_ASSERT_EQUAL(warn_record(&f, "mail.a.example", "deferred"),
			(long)(sim_now(f.s) / 1000) + 3600);
	(void)sim_advance(f.s, 90 * 60 * 1000);
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	alice = slurp_rel(&f, "hosts/mail.a.example/var/mail/alice");
	CU_ASSERT(contains(loga, ": sender delay notification: "));
	CU_ASSERT(contains(alice, "Subject: Delayed Mail (still being retried)\n"));
	CU_ASSERT(contains(alice, "Your message could not be delivered for more than 1 hour(s).\n"
				  "It will be retried until it is 5 day(s) old.\n"));
	CU_ASSERT(contains(alice, "Action: delayed\nStatus: 4.4.3\n"));
	free(loga);
	free(alice);
	/* qmgr_message_update_warn(): the record is 0 now, no state file */
	CU_ASSERT_EQUAL(warn_record(&f, "mail.a.example", "deferred"), 0);
	alice = xasprintf("%s/hosts/mail.a.example/var/lib/postfix/maillab-delay-warned",
			  f.root);
	CU_ASSERT_NOT_EQUAL(access(alice, F_OK), 0);
	free(alice);
	/* only once */
	(void)sim_advance(f.s, 90 * 60 * 1000);
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	CU_ASSERT_PTR_NULL(strstr(strstr(loga, "sender delay notification") + 1,
				  "sender delay notification"));
	free(loga);
	/* DNS back: delivered at the next retry */
	CU_ASSERT_EQUAL(sim_fault(f.s, "b.example", "mx", &e), 0);
	(void)sim_advance(f.s, 70 * 60 * 1000);
	CU_ASSERT_EQUAL(queued(&f, "mail.a.example", "deferred"), 0);
	teardown(&f);
}

static void test_mailbox_faults_and_maildir(void)
{
	struct fx f;
	struct err e;
	const char *to[] = { "bob", NULL };
	const char *to2[] = { "wees", NULL };
	char *log, *dir;

	setup(&f, "centos", NULL);
	CU_ASSERT_EQUAL(sim_fault(f.s, "bob@centos.localdomain", "mailbox-full", &e), 0);
	CU_ASSERT_EQUAL(sim_sendmail(f.s, "centos.localdomain", "root", to,
				     "Subject: big\n\nx\n", 0, 0, NULL, &e), 0);
	(void)sim_run_due(f.s);
	CU_ASSERT_EQUAL(sim_fault(f.s, "centos.localdomain", "disk-full", &e), 0);
	CU_ASSERT_EQUAL(sim_sendmail(f.s, "centos.localdomain", "root", to2,
				     "Subject: disk\n\nx\n", 0, 0, NULL, &e), 0);
	(void)sim_run_due(f.s);
	log = slurp_rel(&f, "hosts/centos.localdomain/var/log/mail.log");
	CU_ASSERT(contains(log, "dsn=5.2.2, status=bounced (cannot update mailbox /var/mail/bob "
				"for user bob. error writing message: File too large)"));
	CU_ASSERT(contains(log, "dsn=4.3.0, status=deferred (cannot update mailbox /var/mail/wees "
				"for user wees. error writing message: No space left on device)"));
	free(log);
	CU_ASSERT_EQUAL(sim_fault(f.s, "", "clear", &e), 0);
	/* home_mailbox = Maildir/: new/ file with the same headers */
	maincf_add(&f, "centos.localdomain", "home_mailbox = Maildir/");
	CU_ASSERT_EQUAL(sim_sendmail(f.s, "centos.localdomain", "root", to,
				     "Subject: maildir test\n\nto a Maildir\n", 0, 0, NULL, &e), 0);
	(void)sim_run_due(f.s);
	log = slurp_rel(&f, "hosts/centos.localdomain/var/log/mail.log");
	CU_ASSERT(contains(log, "to=<bob@centos.localdomain>, orig_to=<bob>, relay=local"));
	CU_ASSERT(contains(log, "status=sent (delivered to maildir)"));
	free(log);
	dir = xasprintf("%s/hosts/centos.localdomain/home/bob/Maildir/new", f.root);
	CU_ASSERT_EQUAL(access(dir, F_OK), 0);
	free(dir);
	teardown(&f);
}

static void test_alias_forward_to_other_domain(void)
{
	struct fx f;
	struct err e;
	const char *to[] = { "fwd", NULL };
	char *loga, *bob;

	setup(&f, "default", NULL);
	{
		char *p = xasprintf("%s/hosts/mail.a.example/etc/aliases", f.root);
		FILE *fp = fopen(p, "a");

		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		fputs("fwd: bob@b.example\n", fp);
		fclose(fp);
		free(p);
		CU_ASSERT_EQUAL(host_reload(world_host(f.w, "mail.a.example", &e), &e), 0);
	}
	CU_ASSERT_EQUAL(sim_sendmail(f.s, "mail.a.example", "root", to,
				     "Subject: forwarded\n\nvia an alias\n", 0, 0, NULL, &e), 0);
	(void)sim_run_due(f.s);
	loga = slurp_rel(&f, "hosts/mail.a.example/var/log/mail.log");
	bob = slurp_rel(&f, "hosts/mail.b.example/var/mail/bob");
	CU_ASSERT(contains(loga, "to=<bob@b.example>, orig_to=<fwd>, relay=local"));
	CU_ASSERT(contains(loga, "status=sent (forwarded as "));
	CU_ASSERT(contains(bob, "Delivered-To: fwd@a.example\n"));
	CU_ASSERT(contains(bob, "via an alias"));
	free(loga);
	free(bob);
	teardown(&f);
}

void test_sim_register(void)
{
	CU_pSuite s = CU_add_suite("sim", NULL, NULL);

	CU_add_test(s, "alice -> bob over MX and a virtual link", test_alice_to_bob);
	CU_add_test(s, "unknown user: bounce back to alice", test_unknown_user_bounces);
	CU_add_test(s, "relay denied", test_relay_denied);
	CU_add_test(s, "host down, deferred, up, delivered", test_host_down_then_up);
	CU_add_test(s, "host down for 5 days: bounce", test_down_five_days_bounces);
	CU_add_test(s, "alias to two users", test_alias_two_users);
	CU_add_test(s, "unfinished queue file skipped, purged after a day", test_unfinished_queue_file);
	CU_add_test(s, "postsuper -r through pickup", test_requeue);
	CU_add_test(s, "corrupt queue file to corrupt/", test_corrupt_queue_file);
	CU_add_test(s, "MX fault, delay warning, DNS back", test_no_mx_and_delay_warning);
	CU_add_test(s, "full mailbox, full disk, Maildir", test_mailbox_faults_and_maildir);
	CU_add_test(s, "alias forwarded to another domain", test_alias_forward_to_other_domain);
}
