/*
 * evloop: one epoll loop for every socket of the listener, plus timers.
 * No thread per connection: a slow or silent client costs one fd and a
 * few hundred bytes, never a blocked thread. Callbacks run on the loop's
 * thread; they may add and remove fds and timers freely.
 */
#ifndef MAILLAB_EVLOOP_H
#define MAILLAB_EVLOOP_H

#include <stdint.h>

#include "lib/clock.h"

#define EVLOOP_READ	1u
#define EVLOOP_WRITE	2u

struct evloop;

/* Called with the events that fired (EVLOOP_READ|EVLOOP_WRITE; errors and
 * hang-ups are reported as EVLOOP_READ so the reader sees EOF). */
typedef void evloop_fd_fn(struct evloop *l, int fd, unsigned events, void *ctx);
typedef void evloop_timer_fn(struct evloop *l, void *ctx);

struct evloop *evloop_new(void);
void evloop_free(struct evloop **lp);

/* Watches fd for `events`; replaces an earlier watch of the same fd. */
int evloop_watch(struct evloop *l, int fd, unsigned events,
		 evloop_fd_fn *fn, void *ctx);
void evloop_unwatch(struct evloop *l, int fd);

/* One-shot timer after `ms`; returns an id for evloop_cancel (never 0). */
uint64_t evloop_timer(struct evloop *l, long ms, evloop_timer_fn *fn,
		      void *ctx);
void evloop_cancel(struct evloop *l, uint64_t id);

/* fn(ctx) is called each time the loop wakes from waiting (epoll_wait
 * returned), before the callbacks of that turn; NULL: none. */
void evloop_on_wake(struct evloop *l, void (*fn)(void *ctx), void *ctx);

/* Runs until evloop_stop(); returns 0, or -1 if epoll itself fails. */
int evloop_run(struct evloop *l);
void evloop_stop(struct evloop *l);
mtime_t evloop_now(const struct evloop *l);

#endif
