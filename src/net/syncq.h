/*
 * syncq: group commit of queue files for the listener (issue 5,
 * Performance and point 6). A session that has received a message hands
 * its prepared queue file (mta/qfile.h: content and ready mode written,
 * fd open) to the queue and waits; one sync thread takes every file that
 * is waiting as one batch and makes the batch durable together:
 *
 *   1. sync_file_range(WRITE) on every file: the data goes to the disk
 *      and ext4 allocates its blocks now, all in the journal's running
 *      transaction;
 *   2. fsync() of every file: the first commits that transaction (the
 *      whole batch's data and inodes, modes included), the others find
 *      it committed and cost little;
 *   3. one fsync() per queue directory (the entries made when the files
 *      were created), whatever the number of files in it.
 *
 * Then each file's outcome (0 or the errno of its fsync or its
 * directory's) goes back to the event loop through an eventfd, and the
 * waiting sessions send "250 2.0.0 Ok: queued as ID" (or 451). While the
 * thread syncs one batch the next one gathers, so the more sessions end
 * their DATA at once, the fewer journal commits per message: what a
 * single synchronous fsync pair per message cannot do.
 *
 * The queue owns a dup of each fd: the session may go away (and remove
 * its file) while the sync runs. Everything but the sync thread's work
 * happens on the loop's thread.
 */
#ifndef MAILLAB_SYNCQ_H
#define MAILLAB_SYNCQ_H

#include "lib/err.h"
#include "net/evloop.h"

struct syncq;
struct syncq_job;

/* A file is durable (errnum 0) or is not (the errno). On the loop thread. */
typedef void syncq_done_fn(void *ctx, int errnum);

/* Starts the sync thread and watches its eventfd on l. NULL with e set. */
struct syncq *syncq_new(struct evloop *l, struct err *e);
/* Drains (syncq_drain), stops the thread, frees q; *qp = NULL. */
void syncq_free(struct syncq **qp);
/*
 * Queues fd (dup'ed: the caller keeps its own) and its directory dir
 * (copied) for syncing; done(ctx, errnum) runs later on the loop thread,
 * never from inside this call. NULL when the fd cannot be dup'ed (the
 * caller then syncs itself).
 */
struct syncq_job *syncq_add(struct syncq *q, int fd, const char *dir,
			    syncq_done_fn *done, void *ctx);
/* done will not be called for job (the sync itself still runs). */
void syncq_cancel(struct syncq *q, struct syncq_job *job);
/* Waits until every queued job is synced and has had its done call
 * (shutdown: clients in the middle of a commit get their reply). */
void syncq_drain(struct syncq *q);

/* Counters since syncq_new(), for the curious (and the tests). */
struct syncq_stats {
	unsigned long jobs;		/* files synced */
	unsigned long batches;		/* sync rounds */
	unsigned long dir_syncs;	/* directory fsyncs */
};
void syncq_stats(struct syncq *q, struct syncq_stats *out);

#endif
