/*
 * The scheduler's view of the queue directories (maildrop/, active/,
 * incoming/, deferred/ of each host): the same sorted entries as
 * queue_ops_list() gives, kept up to date from inotify events instead of
 * a listing and a stat() of every file before every job. Under a backlog
 * of n messages a listing per delivery made the queue manager O(n) per
 * message; with the view a delivery costs a few events, each a stat() of
 * one name, and one stat() of the head entry before it is used.
 *
 * A view relists its directory (queue_ops_list(), the one definition of
 * what a queue holds) when it is first used, when inotify says something
 * it cannot follow by name (a subdirectory made or removed, the directory
 * itself gone, the event queue overflowed), or when the head entry it
 * offers does not match the file (safety net). Without inotify, or when
 * a watch could not be added (no directory yet, the watch limit), the
 * view relists on every sync: the old behaviour, never a wrong answer.
 * What is decided from the entries (which job, when) is sim.c's.
 */
#ifndef MAILLAB_SIM_QUEUE_H
#define MAILLAB_SIM_QUEUE_H

#include <stddef.h>

#include "mta/queue_ops.h"

struct host;
struct sim_queue_set;
struct sim_queue;

/* One inotify instance for all views. Never NULL (no inotify: views
 * relist each time). */
struct sim_queue_set *sim_queue_set_new(void);
void sim_queue_set_free(struct sim_queue_set **sp);

/* The view of queue (a name in queue_ops_message_queues) of host h,
 * owned by the set; h outlives the set. */
struct sim_queue *sim_queue_add(struct sim_queue_set *set, const struct host *h,
				const char *queue);

/* Takes in every pending event and relists the views that need it. Call
 * before looking at entries; cheap (one read()) when nothing changed. */
void sim_queue_set_sync(struct sim_queue_set *set);

/* The entries of q, sorted as queue_ops_list() (mtime, then ID); valid
 * until the next sync or head call. Returns their count. */
size_t sim_queue_entries(struct sim_queue *q, const struct queue_ops_entry **out);

/* The first entry after checking with one stat() that its file is there,
 * ready and unchanged (relisting if not), or NULL when q is empty. */
const struct queue_ops_entry *sim_queue_head(struct sim_queue *q);

/* Test hook: how many directory listings views of this process made. */
unsigned long sim_queue_listings(void);

#endif
