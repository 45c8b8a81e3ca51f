#include "net/evloop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/xalloc.h"

struct watch {
	evloop_fd_fn *fn;
	void *ctx;
	unsigned events;
	int active;
};

struct timer {
	mtime_t due;
	uint64_t id;
	evloop_timer_fn *fn;
	void *ctx;
};

struct evloop {
	int epfd;
	int stop;
	mtime_t now;
	struct watch *watches;	/* indexed by fd */
	size_t nwatches;
	struct timer *heap;	/* min-heap on (due, id) */
	size_t nheap, capheap;
	uint64_t next_id;
	void (*on_wake)(void *ctx);
	void *wake_ctx;
};

static int timer_before(const struct timer *a, const struct timer *b)
{
	return a->due < b->due || (a->due == b->due && a->id < b->id);
}

static void heap_swap(struct evloop *l, size_t i, size_t j)
{
	struct timer t = l->heap[i];

	l->heap[i] = l->heap[j];
	l->heap[j] = t;
}

static void heap_up(struct evloop *l, size_t i)
{
	while (i > 0 && timer_before(&l->heap[i], &l->heap[(i - 1) / 2])) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct evloop *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;

		if (c < l->nheap && timer_before(&l->heap[c], &l->heap[m]))
			m = c;
		if (c + 1 < l->nheap && timer_before(&l->heap[c + 1], &l->heap[m]))
			m = c + 1;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

static void heap_remove_at(struct evloop *l, size_t i)
{
	l->nheap--;
	if (i == l->nheap)
		return;
	l->heap[i] = l->heap[l->nheap];
	heap_up(l, i);
	heap_down(l, i);
}

struct evloop *evloop_new(void)
{
	struct evloop *l = xcalloc(1, sizeof(*l));

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->now = clock_real_now();
	l->next_id = 1;
	return l;
}

void evloop_free(struct evloop **lp)
{
	struct evloop *l = *lp;

	if (l == NULL)
		return;
	close(l->epfd);
	free(l->watches);
	free(l->heap);
	free(l);
	*lp = NULL;
}

static uint32_t ep_events(unsigned events)
{
	uint32_t e = 0;

	if (events & EVLOOP_READ)
		e |= EPOLLIN | EPOLLRDHUP;
	if (events & EVLOOP_WRITE)
		e |= EPOLLOUT;
	return e;
}

int evloop_watch(struct evloop *l, int fd, unsigned events,
		 evloop_fd_fn *fn, void *ctx)
{
	struct epoll_event ev;
	int op;

	BUG_ON(fd < 0);
	if ((size_t)fd >= l->nwatches) {
		size_t n = l->nwatches ? l->nwatches : 64;

		while (n <= (size_t)fd)
			n *= 2;
		l->watches = xrealloc(l->watches, n * sizeof(*l->watches));
		memset(l->watches + l->nwatches, 0,
		       (n - l->nwatches) * sizeof(*l->watches));
		l->nwatches = n;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = ep_events(events);
	ev.data.fd = fd;
	op = l->watches[fd].active ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(l->epfd, op, fd, &ev) < 0)
		return -1;
	l->watches[fd].fn = fn;
	l->watches[fd].ctx = ctx;
	l->watches[fd].events = events;
	l->watches[fd].active = 1;
	return 0;
}

void evloop_unwatch(struct evloop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nwatches || !l->watches[fd].active)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&l->watches[fd], 0, sizeof(l->watches[fd]));
}

uint64_t evloop_timer(struct evloop *l, long ms, evloop_timer_fn *fn,
		      void *ctx)
{
	struct timer *t;

	if (l->nheap == l->capheap) {
		l->capheap = l->capheap ? l->capheap * 2 : 64;
		l->heap = xrealloc(l->heap, l->capheap * sizeof(*l->heap));
	}
	t = &l->heap[l->nheap];
	t->due = clock_real_now() + (ms < 0 ? 0 : ms);
	t->id = l->next_id++;
	t->fn = fn;
	t->ctx = ctx;
	l->nheap++;
	heap_up(l, l->nheap - 1);
	return t->id;
}

void evloop_cancel(struct evloop *l, uint64_t id)
{
	size_t i;

	/* Linear, but cancels are rare (a connection closing with a timer set). */
	for (i = 0; i < l->nheap; i++) {
		if (l->heap[i].id == id) {
			heap_remove_at(l, i);
			return;
		}
	}
}

static void run_due_timers(struct evloop *l)
{
	l->now = clock_real_now();
	while (l->nheap > 0 && l->heap[0].due <= l->now && !l->stop) {
		struct timer t = l->heap[0];

		heap_remove_at(l, 0);
		t.fn(l, t.ctx);
	}
}

int evloop_run(struct evloop *l)
{
	struct epoll_event evs[256];

	l->stop = 0;
	while (!l->stop) {
		int timeout = -1, n, i;

		run_due_timers(l);
		if (l->stop)
			break;
		if (l->nheap > 0) {
			mtime_t wait = l->heap[0].due - clock_real_now();

			timeout = wait < 0 ? 0 : wait > 60000 ? 60000 : (int)wait;
		}
		n = epoll_wait(l->epfd, evs, (int)ARRAY_LEN(evs), timeout);
		if (l->on_wake != NULL)
			l->on_wake(l->wake_ctx);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		l->now = clock_real_now();
		for (i = 0; i < n && !l->stop; i++) {
			int fd = evs[i].data.fd;
			unsigned what = 0;
			struct watch w;

			if ((size_t)fd >= l->nwatches || !l->watches[fd].active)
				continue;	/* closed by an earlier callback */
			if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
				what |= EVLOOP_READ;
			if (evs[i].events & EPOLLOUT)
				what |= EVLOOP_WRITE;
			w = l->watches[fd];
			w.fn(l, fd, what & (w.events | EVLOOP_READ), w.ctx);
		}
	}
	return 0;
}

void evloop_on_wake(struct evloop *l, void (*fn)(void *ctx), void *ctx)
{
	l->on_wake = fn;
	l->wake_ctx = ctx;
}

void evloop_stop(struct evloop *l)
{
	l->stop = 1;
}

mtime_t evloop_now(const struct evloop *l)
{
	return l->now;
}
