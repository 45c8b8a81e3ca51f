/*
 * CUnit suite for src/mda/imap_server.c: IMAP sessions on a lab host
 * directory (etc/dovecot/users, var/mail, var/log/mail.log) with the real
 * mbox store. reference/transcripts/imap/01-session.txt replays against
 * it, and the mbox it leaves must be 01-session.after.mbox-alice.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_harness.h"
#include "lib/xalloc.h"
#include "mda/imap_server.h"
#include "store/passdb.h"
#include "store/store.h"
#include "tutil.h"

void test_imap_server_register(void);

/* 2026-11-28 22:03:29 UTC, when Dovecot first saw alice's INBOX */
#define T0 ((mtime_t)1795903389 * 1000)

static char *make_host(void)
{
	char *root = tu_tmpdir();
	char *host = xasprintf("%s/hosts/centos.localdomain", root);
	char *p, *ha;
	struct err e;
	struct buf b;

	ha = passdb_hash("SHA512-CRYPT", "alicepw", &e);
	buf_init(&b);
	buf_addf(&b, "alice:%s:1002:1002::/home/alice::\n", ha);
	p = xasprintf("%s/etc/dovecot/users", host);
	tu_write_file(p, b.data, b.len);
	free(p);
	p = xasprintf("%s/var/mail/alice", host);
	tu_copy_file("tests/data/imap/seed.mbox-alice", p);
	free(p);
	p = xasprintf("%s/var/log", host);
	tu_mkdirs(p);
	free(p);
	p = xasprintf("%s/home/alice", host);
	tu_mkdirs(p);
	free(p);
	free(ha);
	buf_reset(&b);
	free(root);
	return host;
}

struct session {
	struct imap_server *s;
	struct buf logs;
	int delays, closed, starttls;
};

static void capture_log(void *ctx, mtime_t now, const char *line)
{
	struct session *x = ctx;

	(void)now;
	if (strncmp(line, "dovecot: ", 9) == 0)
		line += 9;
	buf_adds(&x->logs, line);
	buf_addc(&x->logs, '\n');
}

static void drv_feed(void *ctx, const char *p, size_t n, mtime_t now)
{
	struct session *x = ctx;

	imap_server_feed(x->s, p, n, now);
}

static void drv_pump(void *ctx, mtime_t now, struct buf *got)
{
	struct session *x = ctx;

	for (;;) {
		long delay;
		enum imap_server_act a = imap_server_run(x->s, now, &delay);
		struct buf *out = imap_server_output(x->s);

		buf_add(got, out->data != NULL ? out->data : "", out->len);
		buf_clear(out);
		if (a == IMAP_SERVER_DELAY) {
			x->delays++;
			continue;
		}
		if (a == IMAP_SERVER_STARTTLS)
			x->starttls = 1;
		if (a == IMAP_SERVER_CLOSE)
			x->closed = 1;
		break;
	}
}

static void drv_tls(void *ctx, mtime_t now)
{
	struct session *x = ctx;

	CU_ASSERT(x->starttls);
	imap_server_tls_started(x->s, now);
}

static int drv_closed(void *ctx)
{
	return ((struct session *)ctx)->closed;
}

/* The two POP3 sessions before the IMAP scenarios opened INBOX: that
 * gave it its UIDs and used up \Recent (01-session a7: "0 RECENT"). */
static void pop3_was_here(const char *host)
{
	struct err e;
	struct store_user *u = store_user_open("mbox:~/mail:INBOX=/var/mail/%u",
					       "alice", "/home/alice", host, &e);
	struct store_mailbox *mb;

	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_EQUAL_FATAL(store_mailbox_open(u, "INBOX", STORE_OPEN_RW, T0,
						 &mb, &e), 0);
	store_mailbox_close(&mb, T0);
	store_user_free(&u);
}

/* X-IMAPbase's UIDVALIDITY differs from run to run. */
static char *mask_mbox(const char *s)
{
	struct buf b;
	const char *p = strstr(s, "X-IMAPbase: ");

	buf_init(&b);
	buf_adds(&b, "");
	if (p == NULL) {
		buf_adds(&b, s);
	} else {
		buf_add(&b, s, (size_t)(p - s) + 12);
		buf_adds(&b, "<N>");
		p += 12;
		while (*p >= '0' && *p <= '9')
			p++;
		buf_adds(&b, p);
	}
	return buf_steal(&b, NULL);
}

/*
 * Where store_mbox still differs from Dovecot's mbox storage, as pairs
 * (Dovecot's line, ours); none now that store_mbox_marked() gives LIST
 * its \Marked.
 */
static const char *const store_mbox_known[] = {
	NULL,
};

static void replay_on_host(int bytewise)
{
	char *host = make_host(), *p, *got, *want, *gm, *wm;
	struct imap_server_opts o;
	struct session x;
	struct ih_driver d = { NULL, drv_feed, drv_pump, drv_tls, drv_closed,
			       store_mbox_known };
	struct err e;
	long delta = 0;

	pop3_was_here(host);
	memset(&o, 0, sizeof(o));
	o.hostdir = host;
	o.hostname = "centos.localdomain";
	o.client_addr = "127.0.0.1";
	o.client_port = 33748;
	o.secured = -1;
	o.auth_failure_delay_ms = -1;
	o.tls_possible = 1;		/* the reference host had the snakeoil pair */
	o.log = capture_log;
	memset(&x, 0, sizeof(x));
	o.log_ctx = &x;
	buf_init(&x.logs);
	buf_adds(&x.logs, "");
	x.s = imap_server_new(&o, T0 + 60000, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x.s);
	d.ctx = &x;
	CU_ASSERT_EQUAL(ih_replay("tests/data/imap/01-session.txt", bytewise, &d,
				  T0 + 60000, &delta), 0);
	CU_ASSERT_EQUAL(x.delays, 1);		/* the wrong password */
	imap_server_free(&x.s);
	/* the log: pid and session are this host's own */
	CU_ASSERT_PTR_NOT_NULL(strstr(x.logs.data, "imap-login: Login: "
				      "user=<alice>, method=PLAIN, rip=127.0.0.1, "
				      "lip=127.0.0.1, mpid="));
	{
		/* the known differences change our byte count too */
		size_t k;

		for (k = 0; store_mbox_known[k] != NULL; k += 2)
			delta += (long)strlen(store_mbox_known[k]) -
				 (long)strlen(store_mbox_known[k + 1]);
	}
	p = ih_fix_out(x.logs.data, delta);
	CU_ASSERT_PTR_NOT_NULL(strstr(p, ">: Disconnected: Logged out in=1156 "
				      "out=6551 deleted=1 expunged=1 trashed=0 "
				      "hdr_count=2 hdr_bytes=963 body_count=1 "
				      "body_bytes=28\n"));
	if (strstr(p, "out=6551") == NULL)
		fprintf(stderr, "\nlog:\n%s", p);
	free(p);
	/* the mbox Dovecot left */
	p = xasprintf("%s/var/mail/alice", host);
	got = tu_read_file(p, NULL);
	free(p);
	want = ih_slurp("tests/data/imap/01-session.after.mbox-alice", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	gm = mask_mbox(got);
	wm = mask_mbox(want);
	if (strcmp(gm, wm) != 0)
		fprintf(stderr, "\nmbox:\n--- got\n%s--- want\n%s", gm, wm);
	CU_ASSERT_STRING_EQUAL(gm, wm);
	free(gm);
	free(wm);
	free(got);
	free(want);
	buf_reset(&x.logs);
	p = xstrdup(host);
	*strstr(p, "/hosts/") = '\0';
	tu_rmtree(p);
	free(p);
	free(host);
}

static void test_reference_session(void)
{
	replay_on_host(0);
	replay_on_host(1);
}

void test_imap_server_register(void)
{
	CU_pSuite s = CU_add_suite("imap_server", NULL, NULL);

	CU_add_test(s, "01-session on a lab host (mbox)", test_reference_session);
}
