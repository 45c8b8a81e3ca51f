/*
 * CUnit suite for host_turn() (src/mta/host.h) and evloop_on_wake()
 * (src/net/evloop.h): outside a loop every mail.log line checks the file
 * (a rotation is seen by the next line); in a loop the check is made once
 * per turn, so a rotation is seen from the next turn on; host_turn_stop()
 * goes back to a check per line. The loop calls its wake hook each time
 * epoll_wait() returns.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "mta/host.h"
#include "net/evloop.h"
#include "sim/world.h"
#include "tutil.h"

void test_host_turn_register(void);

#define T_LOG 1795903389821LL

static int has_line(const char *path, const char *text)
{
	char *got = tu_read_file(path, NULL);
	int r = got != NULL && strstr(got, text) != NULL;

	free(got);
	return r;
}

static void test_rotation_per_turn(void)
{
	char *dir = tu_tmpdir(), *root = xasprintf("%s/root", dir);
	char *log, *old;
	struct world *w;
	struct host *h;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = world_host(w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	log = host_path(h, "var/log/mail.log");
	old = host_path(h, "var/log/mail.log.1");

	/* no loop: the line after a rotation goes to the new file */
	host_turn_stop();
	CU_ASSERT_EQUAL(host_turn(), 0);
	host_log(h, T_LOG, "postfix/smtpd", "line one");
	CU_ASSERT_EQUAL_FATAL(rename(log, old), 0);
	host_log(h, T_LOG, "postfix/smtpd", "line two");
	CU_ASSERT(has_line(old, "line one"));
	CU_ASSERT(has_line(log, "line two"));
	CU_ASSERT(!has_line(old, "line two"));

	/* in a loop: checked once per turn */
	host_turn_next();
	CU_ASSERT_NOT_EQUAL(host_turn(), 0);
	host_log(h, T_LOG, "postfix/smtpd", "line three");
	CU_ASSERT_EQUAL_FATAL(rename(log, old), 0);
	host_log(h, T_LOG, "postfix/smtpd", "line four");	/* same turn */
	CU_ASSERT(has_line(old, "line four"));
	host_turn_next();
	host_log(h, T_LOG, "postfix/smtpd", "line five");
	CU_ASSERT(has_line(log, "line five"));
	CU_ASSERT(!has_line(old, "line five"));

	/* stopped: per line again, even without a new turn */
	host_turn_stop();
	CU_ASSERT_EQUAL_FATAL(rename(log, old), 0);
	host_log(h, T_LOG, "postfix/smtpd", "line six");
	CU_ASSERT(has_line(log, "line six"));
	CU_ASSERT(!has_line(old, "line six"));

	free(log);
	free(old);
	world_free(&w);
	tu_rmtree(dir);
	free(root);
	free(dir);
}

static void count_wake(void *ctx)
{
	(*(int *)ctx)++;
}

static void stop_loop(struct evloop *l, void *ctx)
{
	(void)ctx;
	evloop_stop(l);
}

static void test_on_wake(void)
{
	struct evloop *l = evloop_new();
	int wakes = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	evloop_on_wake(l, count_wake, &wakes);
	evloop_timer(l, 5, stop_loop, NULL);
	CU_ASSERT_EQUAL(evloop_run(l), 0);
	if (wakes < 1)
		fprintf(stderr, "\n  got %d wakes, want >= 1", wakes);
	CU_ASSERT(wakes >= 1);
	evloop_free(&l);
}

void test_host_turn_register(void)
{
	CU_pSuite s = CU_add_suite("host_turn", NULL, NULL);

	CU_add_test(s, "mail.log rotation: per line, per loop turn", test_rotation_per_turn);
	CU_add_test(s, "evloop_on_wake called after each wait", test_on_wake);
}
