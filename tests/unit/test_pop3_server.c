/*
 * CUnit suite for src/mda/pop3_server.c: a POP3 session on a lab host
 * directory (etc/dovecot/users, var/mail, var/log/mail.log).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "mda/pop3_server.h"
#include "store/passdb.h"
#include "tutil.h"

void test_pop3_server_register(void);

#define T0 ((mtime_t)1795903389 * 1000)

static char *make_host(void)
{
	char *root = tu_tmpdir();
	char *host = xasprintf("%s/hosts/centos.localdomain", root);
	char *p;
	char *ha, *hb;
	struct err e;
	struct buf b;

	ha = passdb_hash("SHA512-CRYPT", "alicepw", &e);
	hb = passdb_hash("SHA512-CRYPT", "bobpw", &e);
	buf_init(&b);
	buf_addf(&b, "alice:%s:1002:1002::/home/alice::\n", ha);
	buf_addf(&b, "bob:%s:1003:1003::/home/bob::\n", hb);
	p = xasprintf("%s/etc/dovecot/users", host);
	tu_write_file(p, b.data, b.len);
	free(p);
	p = xasprintf("%s/var/mail/alice", host);
	tu_copy_file("tests/data/mailboxes/seed-alice.mbox", p);
	free(p);
	p = xasprintf("%s/var/log", host);
	tu_mkdirs(p);
	free(p);
	p = xasprintf("%s/home/alice", host);
	tu_mkdirs(p);
	free(p);
	free(ha);
	free(hb);
	buf_reset(&b);
	free(root);
	return host;
}

struct session {
	struct pop3_server *s;
	struct buf got;
	int delays, closed;
	mtime_t now;
};

static void drive(struct session *x, const char *input)
{
	long delay;

	if (input != NULL)
		pop3_server_feed(x->s, input, strlen(input), x->now);
	for (;;) {
		enum pop3_server_act a = pop3_server_run(x->s, x->now, &delay);
		struct buf *out = pop3_server_output(x->s);

		buf_add(&x->got, out->data != NULL ? out->data : "", out->len);
		buf_clear(out);
		if (a == POP3_SERVER_DELAY) {
			x->delays++;
			x->now += delay;
			continue;
		}
		if (a == POP3_SERVER_CLOSE)
			x->closed = 1;
		break;
	}
}

static void test_session(void)
{
	char *host = make_host();
	struct pop3_server_opts o;
	struct session x;
	struct err e;
	char *log, *p, *mbox;

	memset(&o, 0, sizeof(o));
	o.hostdir = host;
	o.hostname = "centos.localdomain";
	o.client_addr = "127.0.0.1";
	o.client_port = 33748;
	o.secured = -1;
	o.auth_failure_delay_ms = -1;
	memset(&x, 0, sizeof(x));
	x.now = T0;
	buf_init(&x.got);
	x.s = pop3_server_new(&o, x.now, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x.s);
	drive(&x, NULL);
	CU_ASSERT_STRING_EQUAL(x.got.data, "+OK Dovecot (Debian) ready.\r\n");
	buf_clear(&x.got);
	/* No TLS on this driver: CAPA has no STLS. */
	drive(&x, "CAPA\r\nUSER alice\r\nPASS wrongpw\r\n");
	CU_ASSERT_PTR_NULL(strstr(x.got.data, "STLS"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.got.data, "USER\r\nSASL PLAIN\r\n.\r\n+OK\r\n-ERR [AUTH] Authentication failed.\r\n"));
	CU_ASSERT_EQUAL(x.delays, 1);
	buf_clear(&x.got);
	drive(&x, "USER alice\r\nPASS alicepw\r\nSTAT\r\nRETR 1\r\nQUIT\r\n");
	CU_ASSERT_EQUAL(x.delays, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(x.got.data, "+OK Logged in.\r\n+OK 3 1536\r\n+OK 518 octets\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(x.got.data, "\r\n.\r\n+OK Logging out.\r\n"));
	CU_ASSERT_TRUE(x.closed);
	pop3_server_free(&x.s);

	p = xasprintf("%s/var/log/mail.log", host);
	log = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, " centos dovecot: pop3-login: Login: user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid="));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "Disconnected: Logged out top=0/0, retr=1/534, del=0/3, size=1536\n"));
	CU_ASSERT(strncmp(log, "2026-11-28T22:03:", 17) == 0);
	free(log);

	/* RETR left \Seen in the file: Status on the first message. */
	p = xasprintf("%s/var/mail/alice", host);
	mbox = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(mbox, "X-UID: 1                                                  \nStatus: RO\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(mbox, "X-UID: 2                                                  \n\n"));
	free(mbox);

	/* bob has no mbox yet: +OK 0 0 and an empty file appears. */
	x.s = pop3_server_new(&o, x.now, &e);
	buf_clear(&x.got);
	x.delays = 0;
	drive(&x, "USER bob\r\nPASS bobpw\r\nSTAT\r\nQUIT\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(x.got.data, "+OK Logged in.\r\n+OK 0 0\r\n+OK Logging out.\r\n"));
	CU_ASSERT_EQUAL(x.delays, 0);
	pop3_server_free(&x.s);
	p = xasprintf("%s/var/mail/bob", host);
	mbox = tu_read_file(p, NULL);
	CU_ASSERT_PTR_NOT_NULL(mbox);
	CU_ASSERT_STRING_EQUAL(mbox != NULL ? mbox : "x", "");
	free(mbox);
	free(p);

	/* A client that is not on loopback may not send a password. */
	o.client_addr = "192.0.2.7";
	x.s = pop3_server_new(&o, x.now, &e);
	buf_clear(&x.got);
	drive(&x, "USER alice\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(x.got.data, "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n"));
	pop3_server_eof(x.s, x.now);
	drive(&x, NULL);
	pop3_server_free(&x.s);
	p = xasprintf("%s/var/log/mail.log", host);
	log = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "pop3-login: Disconnected: Connection closed (tried to use disallowed plaintext auth): user=<alice>, rip=192.0.2.7, lip=127.0.0.1, session=<"));
	free(log);

	buf_reset(&x.got);
	p = xstrdup(host);
	*strstr(p, "/hosts/") = '\0';
	tu_rmtree(p);
	free(p);
	free(host);
}

void test_pop3_server_register(void)
{
	CU_pSuite s = CU_add_suite("pop3_server", NULL, NULL);

	CU_add_test(s, "a session on a lab host", test_session);
}
