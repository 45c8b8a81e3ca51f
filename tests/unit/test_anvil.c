/*
 * CUnit suite for src/mta/anvil.c: connection rate per window, concurrent
 * count, cache size, and the statistics lines anvil logs when it exits
 * (reference/transcripts/smtp/04e-relay-outside-mynetworks-defer.log);
 * and through the host: smtpd sessions of clients outside mynetworks are
 * counted, the lines follow master's reload line.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/anvil.h"
#include "mta/host.h"
#include "mta/smtp_server.h"
#include "sim/world.h"
#include "tutil.h"

void test_anvil_register(void);

/* 2026-11-28T22:00:46Z */
#define T 1795903246000LL

static void free_lines(char **l)
{
	size_t i;

	for (i = 0; l != NULL && l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

static void test_counts(void)
{
	static const struct {
		const char *ident;	/* NULL: disconnect the last one */
		mtime_t at;		/* ms after T */
	} steps[] = {
		{ "smtp:127.0.0.1", 0 },
		{ NULL, 500 },
		{ "smtp:127.0.0.1", 1000 },	/* rate 2 in the window */
		{ "smtp:192.0.2.7", 2000 },	/* cache 2 */
		{ "smtp:192.0.2.7", 3000 },	/* count 2 */
		{ "smtp:127.0.0.1", 61000 },	/* a new window: rate 1 */
	};
	struct anvil *a = anvil_new();
	const char *last = NULL;
	char **l;
	size_t i;

	CU_ASSERT_PTR_NULL(anvil_exit(a, 60000));	/* nothing to say */
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].ident == NULL) {
			anvil_disconnect(a, last);
		} else {
			anvil_connect(a, T + steps[i].at, steps[i].ident, 60000);
			last = steps[i].ident;
		}
	}
	l = anvil_exit(a, 60000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_STRING_EQUAL(l[0], "statistics: max connection rate 2/60s for "
			       "(smtp:127.0.0.1) at Nov 28 22:00:47");
	CU_ASSERT_STRING_EQUAL(l[1], "statistics: max connection count 2 for "
			       "(smtp:192.0.2.7) at Nov 28 22:00:49");
	CU_ASSERT_STRING_EQUAL(l[2], "statistics: max cache size 2 at Nov 28 22:00:48");
	CU_ASSERT_PTR_NULL(l[3]);
	free_lines(l);
	/* a new anvil starts from nothing */
	CU_ASSERT_PTR_NULL(anvil_exit(a, 60000));
	anvil_disconnect(a, "smtp:192.0.2.7");	/* unknown now: ignored */
	anvil_free(&a);
	CU_ASSERT_PTR_NULL(a);
}

/* One session from addr: connect, QUIT. */
static void session(struct host *h, const char *addr, mtime_t now)
{
	struct smtp_server_opts o;
	struct smtp_server *s;
	static const char quit[] = "QUIT\r\n";
	long delay;

	memset(&o, 0, sizeof(o));
	o.client_addr = addr;
	o.client_name = "localhost";
	s = smtp_server_new(h, &o, now);
	(void)smtp_server_run(s, now, &delay);
	smtp_server_feed(s, quit, strlen(quit), now);
	while (smtp_server_run(s, now, &delay) == SMTP_SERVER_DELAY)
		;
	smtp_server_free(&s);
}

static void test_through_host(void)
{
	char *dir = tu_tmpdir(), *root = xasprintf("%s/root", dir), *p, *log, *r;
	struct world *w;
	struct host *h;
	struct err e;
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	h = world_host(w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	session(h, "127.0.0.1", T);		/* in mynetworks: not counted */
	CU_ASSERT_EQUAL(host_reload(h, &e), 0);
	host_log(h, T + 500, "postfix/master", "reload -- version 3.7.11, configuration /etc/postfix");
	p = host_path(h, "etc/postfix/main.cf");
	f = fopen(p, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("mynetworks = 127.0.0.2/32\n", f);
	fclose(f);
	free(p);
	session(h, "127.0.0.1", T + 1000);	/* outside: counted */
	CU_ASSERT_EQUAL(host_reload(h, &e), 0);
	host_log(h, T + 4000, "postfix/master", "reload -- version 3.7.11, configuration /etc/postfix");
	p = host_path(h, "var/log/mail.log");
	log = tu_read_file(p, NULL);
	free(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	/* nothing after the first reload, three lines after the second */
	r = strstr(log, "reload -- version");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "connect from localhost[127.0.0.1]"));
	r = strstr(r + 1, "reload -- version");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "postfix/anvil["));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "]: statistics: max connection rate 1/60s for "
				      "(smtp:127.0.0.1) at Nov 28 22:00:47\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "]: statistics: max connection count 1 for "
				      "(smtp:127.0.0.1) at Nov 28 22:00:47\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "]: statistics: max cache size 1 at Nov 28 22:00:47\n"));
	CU_ASSERT_EQUAL(strstr(log, "statistics: max connection rate") > r, 1);
	free(log);
	world_free(&w);
	tu_rmtree(dir);
	free(root);
	free(dir);
}

void test_anvil_register(void)
{
	CU_pSuite s = CU_add_suite("anvil", NULL, NULL);

	CU_add_test(s, "rate, count, cache, exit lines", test_counts);
	CU_add_test(s, "smtpd sessions and postfix reload", test_through_host);
}
