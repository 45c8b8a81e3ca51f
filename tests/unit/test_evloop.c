/* CUnit suite for src/net/evloop.c: timers fire in due order (ties in
 * the order they were set), cancelled ones never, fds report readiness,
 * and callbacks may add and remove watches and timers. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "net/evloop.h"

void test_evloop_register(void);

struct rec {
	struct evloop *l;
	char order[64];
	size_t n;
	int stop_after;
};

static void mark(struct rec *r, char c)
{
	if (r->n + 1 < sizeof(r->order))
		r->order[r->n++] = c;
	r->order[r->n] = 0;
	if (r->stop_after > 0 && (int)r->n >= r->stop_after)
		evloop_stop(r->l);
}

static struct rec *g_rec;

#define TIMER_FN(name, ch) \
	static void name(struct evloop *l, void *ctx) { (void)l; (void)ctx; mark(g_rec, ch); }
TIMER_FN(t_a, 'a')
TIMER_FN(t_b, 'b')
TIMER_FN(t_c, 'c')
TIMER_FN(t_d, 'd')

static void test_timer_order(void)
{
	struct rec r;
	uint64_t id;

	memset(&r, 0, sizeof(r));
	r.l = evloop_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.l);
	g_rec = &r;
	r.stop_after = 3;
	evloop_timer(r.l, 30, t_c, NULL);
	evloop_timer(r.l, 10, t_a, NULL);
	id = evloop_timer(r.l, 20, t_d, NULL);
	evloop_timer(r.l, 10, t_b, NULL);	/* same due time: after a */
	evloop_cancel(r.l, id);
	CU_ASSERT_EQUAL(evloop_run(r.l), 0);
	if (strcmp(r.order, "abc") != 0)
		fprintf(stderr, "timer order: got %s, want abc\n", r.order);
	CU_ASSERT_STRING_EQUAL(r.order, "abc");
	evloop_free(&r.l);
	CU_ASSERT_PTR_NULL(r.l);
}

static int g_fds[2];

static void on_read(struct evloop *l, int fd, unsigned events, void *ctx)
{
	struct rec *r = ctx;
	char buf[16];
	ssize_t n = read(fd, buf, sizeof(buf));

	(void)events;
	if (n > 0)
		mark(r, buf[0]);
	else {
		mark(r, 'E');
		evloop_unwatch(l, fd);
		evloop_stop(l);
	}
}

static void writer(struct evloop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	if (write(g_fds[1], "x", 1) != 1)
		return;
	close(g_fds[1]);	/* the reader sees x, then EOF */
}

static void test_fd_watch(void)
{
	struct rec r;

	memset(&r, 0, sizeof(r));
	r.l = evloop_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(r.l);
	CU_ASSERT_EQUAL_FATAL(pipe(g_fds), 0);
	CU_ASSERT_EQUAL(evloop_watch(r.l, g_fds[0], EVLOOP_READ, on_read, &r), 0);
	evloop_timer(r.l, 5, writer, NULL);
	CU_ASSERT_EQUAL(evloop_run(r.l), 0);
	CU_ASSERT_STRING_EQUAL(r.order, "xE");
	close(g_fds[0]);
	evloop_free(&r.l);
}

void test_evloop_register(void)
{
	CU_pSuite s = CU_add_suite("evloop", NULL, NULL);

	CU_add_test(s, "timers in due order, cancel", test_timer_order);
	CU_add_test(s, "fd readiness and EOF", test_fd_watch);
}
