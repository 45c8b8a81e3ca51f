/*
 * syncq: group commit of queue files. See syncq.h.
 */
#include "net/syncq.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/fsutil.h"
#include "lib/xalloc.h"

struct syncq_job {
	/* the sync thread's, while the job is queued or in its batch */
	int fd;			/* our dup */
	char *dir;
	int errnum;
	struct syncq_job *next;
	/* the loop thread's */
	syncq_done_fn *done;	/* NULL: cancelled */
	void *ctx;
};

struct syncq {
	struct evloop *loop;
	int efd;			/* the thread says "some are done" */
	pthread_t thread;
	int started;
	pthread_mutex_t mu;
	pthread_cond_t work;		/* todo is not empty, or stop */
	pthread_cond_t idle;		/* a batch went to done */
	/* under mu */
	struct syncq_job *todo, **todo_tail;
	struct syncq_job *done, **done_tail;
	size_t busy;			/* jobs in the thread's hands */
	int stop;
	struct syncq_stats stats;
};

/* The batch's work (see syncq.h for why in this order). */
static size_t sync_batch(struct syncq_job *batch, unsigned long *dir_syncs)
{
	struct syncq_job *j, *k;
	size_t n = 0;

	for (j = batch; j != NULL; j = j->next) {
		/* only a hint: fsync below is what counts */
		(void)sync_file_range(j->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		n++;
	}
	for (j = batch; j != NULL; j = j->next)
		if (fsync(j->fd) != 0)
			j->errnum = errno;
	/* each directory once: the first job naming it does it for all */
	for (j = batch; j != NULL; j = j->next) {
		int seen = 0, rc;

		for (k = batch; k != j && !seen; k = k->next)
			seen = strcmp(k->dir, j->dir) == 0;
		if (seen)
			continue;
		rc = fs_sync_dir(j->dir);
		(*dir_syncs)++;
		for (k = j; k != NULL; k = k->next)
			if (k->errnum == 0 && strcmp(k->dir, j->dir) == 0)
				k->errnum = rc;
	}
	for (j = batch; j != NULL; j = j->next) {
		close(j->fd);
		j->fd = -1;
	}
	return n;
}

static void *sync_thread(void *arg)
{
	struct syncq *q = arg;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		struct syncq_job *batch, *last;
		unsigned long dirs = 0;
		uint64_t one = 1;
		size_t n;

		while (q->todo == NULL && !q->stop)
			pthread_cond_wait(&q->work, &q->mu);
		if (q->todo == NULL)
			break;
		batch = q->todo;
		q->todo = NULL;
		q->todo_tail = &q->todo;
		for (n = 0, last = batch; last != NULL; last = last->next)
			n++;
		q->busy += n;
		pthread_mutex_unlock(&q->mu);

		(void)sync_batch(batch, &dirs);

		pthread_mutex_lock(&q->mu);
		*q->done_tail = batch;
		for (last = batch; last->next != NULL; last = last->next)
			;
		q->done_tail = &last->next;
		q->busy -= n;
		q->stats.jobs += n;
		q->stats.batches++;
		q->stats.dir_syncs += dirs;
		pthread_cond_broadcast(&q->idle);
		/* wakes the loop; a full counter still leaves it readable */
		if (write(q->efd, &one, sizeof(one)) < 0) {
			/* EAGAIN: the loop has a wake-up pending already */
		}
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* On the loop thread: the done calls of every finished job. */
static void dispatch(struct syncq *q)
{
	struct syncq_job *list, *j;

	pthread_mutex_lock(&q->mu);
	list = q->done;
	q->done = NULL;
	q->done_tail = &q->done;
	pthread_mutex_unlock(&q->mu);
	/* a done call may add jobs or cancel later ones of this list */
	while ((j = list) != NULL) {
		list = j->next;
		if (j->done != NULL)
			j->done(j->ctx, j->errnum);
		free(j->dir);
		free(j);
	}
}

static void on_event(struct evloop *l, int fd, unsigned events, void *ctx)
{
	uint64_t n;

	(void)l;
	(void)events;
	if (read(fd, &n, sizeof(n)) < 0) {
		/* EAGAIN: nothing new; dispatch anyway */
	}
	dispatch(ctx);
}

struct syncq *syncq_new(struct evloop *l, struct err *e)
{
	struct syncq *q = xcalloc(1, sizeof(*q));
	sigset_t all, old;
	int rc;

	q->loop = l;
	q->todo_tail = &q->todo;
	q->done_tail = &q->done;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->idle, NULL);
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->efd < 0) {
		err_set(e, errno, "eventfd: %s", strerror(errno));
		syncq_free(&q);
		return NULL;
	}
	if (evloop_watch(l, q->efd, EVLOOP_READ, on_event, q) < 0) {
		err_set(e, errno, "epoll: %s", strerror(errno));
		syncq_free(&q);
		return NULL;
	}
	/*
	 * The thread takes no signal: the listener reads SIGTERM/SIGHUP from
	 * a signalfd, which works only while every thread blocks them.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q->thread, NULL, sync_thread, q);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(e, rc, "pthread_create: %s", strerror(rc));
		syncq_free(&q);
		return NULL;
	}
	q->started = 1;
	return q;
}

struct syncq_job *syncq_add(struct syncq *q, int fd, const char *dir,
			    syncq_done_fn *done, void *ctx)
{
	struct syncq_job *j;
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (dfd < 0)
		return NULL;
	j = xcalloc(1, sizeof(*j));
	j->fd = dfd;
	j->dir = xstrdup(dir);
	j->done = done;
	j->ctx = ctx;
	pthread_mutex_lock(&q->mu);
	*q->todo_tail = j;
	q->todo_tail = &j->next;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	return j;
}

void syncq_cancel(struct syncq *q, struct syncq_job *job)
{
	(void)q;
	if (job != NULL)
		job->done = NULL;	/* only the loop thread reads it */
}

void syncq_drain(struct syncq *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	while (q->started && (q->todo != NULL || q->busy > 0))
		pthread_cond_wait(&q->idle, &q->mu);
	pthread_mutex_unlock(&q->mu);
	dispatch(q);
}

void syncq_stats(struct syncq *q, struct syncq_stats *out)
{
	pthread_mutex_lock(&q->mu);
	*out = q->stats;
	pthread_mutex_unlock(&q->mu);
}

void syncq_free(struct syncq **qp)
{
	struct syncq *q = *qp;

	if (q == NULL)
		return;
	syncq_drain(q);
	if (q->started) {
		pthread_mutex_lock(&q->mu);
		q->stop = 1;
		pthread_cond_signal(&q->work);
		pthread_mutex_unlock(&q->mu);
		pthread_join(q->thread, NULL);
	}
	dispatch(q);
	if (q->efd >= 0) {
		evloop_unwatch(q->loop, q->efd);
		close(q->efd);
	}
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->mu);
	free(q);
	*qp = NULL;
}
