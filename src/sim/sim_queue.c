/*
 * The scheduler's inotify-kept view of the queue directories. See
 * sim_queue.h.
 */
#include "sim/sim_queue.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "mta/host.h"

/* Everything that can change what a listing gives: a name coming or
 * going (create, unlink, rename), its mode (the ready bit) or mtime
 * (set by a deferral, or by a write), the directory itself going. */
#define SIM_QUEUE_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO \
			| IN_ATTRIB | IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF \
			| IN_ONLYDIR)

struct sim_queue {
	const struct host *h;
	char *queue;
	char *dir;		/* HOST/var/spool/postfix/QUEUE */
	int hashed;		/* deferred/: one level of subdirectories */
	struct queue_ops_entry *e;
	size_t n;
	int stale;		/* relist at the next sync */
	int unwatched;		/* a watch is missing: relist at every sync */
};

struct sim_queue_watch {
	int wd;
	struct sim_queue *q;
	char *dir;
};

struct sim_queue_set {
	int fd;			/* inotify, -1 without */
	struct sim_queue **v;
	size_t nv;
	struct sim_queue_watch *w;
	size_t nw;
};

static unsigned long listings;

unsigned long sim_queue_listings(void)
{
	return listings;
}

struct sim_queue_set *sim_queue_set_new(void)
{
	struct sim_queue_set *set = xcalloc(1, sizeof(*set));

	set->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return set;
}

void sim_queue_set_free(struct sim_queue_set **sp)
{
	struct sim_queue_set *set = *sp;
	size_t i;

	if (set == NULL)
		return;
	if (set->fd >= 0)
		close(set->fd);
	for (i = 0; i < set->nv; i++) {
		queue_ops_entries_free(&set->v[i]->e, set->v[i]->n);
		free(set->v[i]->queue);
		free(set->v[i]->dir);
		free(set->v[i]);
	}
	for (i = 0; i < set->nw; i++)
		free(set->w[i].dir);
	free(set->v);
	free(set->w);
	free(set);
	*sp = NULL;
}

struct sim_queue *sim_queue_add(struct sim_queue_set *set, const struct host *h,
				const char *queue)
{
	struct sim_queue *q = xcalloc(1, sizeof(*q));
	char *rel = xasprintf("var/spool/postfix/%s", queue);

	q->h = h;
	q->queue = xstrdup(queue);
	q->dir = host_path(h, rel);
	free(rel);
	q->hashed = strcmp(queue, "deferred") == 0;	/* as queue_ops.c's hashed() */
	q->stale = 1;
	set->v = xrealloc(set->v, (set->nv + 1) * sizeof(*set->v));
	set->v[set->nv++] = q;
	return q;
}

static struct sim_queue_watch *find_watch(struct sim_queue_set *set, int wd)
{
	size_t i;

	for (i = 0; i < set->nw; i++)
		if (set->w[i].wd == wd)
			return &set->w[i];
	return NULL;
}

static int add_watch(struct sim_queue_set *set, struct sim_queue *q, const char *dir)
{
	int wd = inotify_add_watch(set->fd, dir, SIM_QUEUE_MASK);
	struct sim_queue_watch *w;

	if (wd < 0)
		return -1;
	w = find_watch(set, wd);
	if (w == NULL) {
		set->w = xrealloc(set->w, (set->nw + 1) * sizeof(*set->w));
		w = &set->w[set->nw++];
		w->wd = wd;
		w->dir = NULL;
	}
	free(w->dir);
	w->dir = xstrdup(dir);
	w->q = q;
	return 0;
}

/* Watches first, then the listing: whatever changes after the watch is
 * added comes as an event, and events are idempotent (update_one). */
static void relist(struct sim_queue_set *set, struct sim_queue *q)
{
	q->unwatched = set->fd < 0 || add_watch(set, q, q->dir) < 0;
	if (!q->unwatched && q->hashed) {
		DIR *d = opendir(q->dir);
		struct dirent *de;

		if (d == NULL)
			q->unwatched = 1;
		while (d != NULL && (de = readdir(d)) != NULL) {
			char *p;
			struct stat sb;

			if (de->d_name[0] == '.')
				continue;
			p = xasprintf("%s/%s", q->dir, de->d_name);
			if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)
			    && add_watch(set, q, p) < 0)
				q->unwatched = 1;
			free(p);
		}
		if (d != NULL)
			closedir(d);
	}
	queue_ops_entries_free(&q->e, q->n);
	q->n = queue_ops_list(q->h, q->queue, &q->e);
	listings++;
	q->stale = 0;
}

static int cmp_entry(const struct queue_ops_entry *x, mtime_t mtime, const char *id)
{
	if (x->mtime != mtime)
		return x->mtime < mtime ? -1 : 1;
	return strcmp(x->id, id);
}

/* What a listing would now say of the one file at path: as
 * queue_ops.c's scan_dir(), a regular file with a queue ID for a name
 * and the ready mode (all the views are message queues). */
static void update_one(struct sim_queue *q, const char *name, char *path)
{
	struct stat sb;
	size_t i, lo, hi;
	mtime_t mtime;

	for (i = 0; i < q->n; i++)
		if (strcmp(q->e[i].path, path) == 0) {
			free(q->e[i].id);
			free(q->e[i].path);
			memmove(&q->e[i], &q->e[i + 1], (q->n - i - 1) * sizeof(*q->e));
			q->n--;
			break;
		}
	if (stat(path, &sb) != 0) {
		free(path);
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		q->stale = 1;
		free(path);
		return;
	}
	if (!S_ISREG(sb.st_mode) || !queue_ops_valid_id(name)
	    || (sb.st_mode & 0700) != 0700) {
		free(path);
		return;
	}
	mtime = (mtime_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
	lo = 0;
	hi = q->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_entry(&q->e[mid], mtime, name) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	q->e = xrealloc(q->e, (q->n + 1) * sizeof(*q->e));
	memmove(&q->e[lo + 1], &q->e[lo], (q->n - lo) * sizeof(*q->e));
	q->e[lo].id = xstrdup(name);
	q->e[lo].path = path;
	q->e[lo].mtime = mtime;
	q->n++;
}

static void all_stale(struct sim_queue_set *set)
{
	size_t i;

	for (i = 0; i < set->nv; i++)
		set->v[i]->stale = 1;
}

static void on_event(struct sim_queue_set *set, const struct inotify_event *ev)
{
	struct sim_queue_watch *w;
	struct sim_queue *q;

	if (ev->mask & IN_Q_OVERFLOW) {
		all_stale(set);
		return;
	}
	w = find_watch(set, ev->wd);
	if (w == NULL) {
		all_stale(set);
		return;
	}
	q = w->q;
	if (ev->mask & IN_IGNORED) {
		/* the directory is gone: relisting adds a watch again */
		free(w->dir);
		*w = set->w[--set->nw];
		q->stale = 1;
		return;
	}
	if ((ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_ISDIR)) || ev->len == 0
	    || ev->name[0] == '\0') {
		q->stale = 1;
		return;
	}
	if (q->stale || ev->name[0] == '.')
		return;
	update_one(q, ev->name, xasprintf("%s/%s", w->dir, ev->name));
}

void sim_queue_set_sync(struct sim_queue_set *set)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	size_t i;

	while (set->fd >= 0) {
		ssize_t n = read(set->fd, buf, sizeof(buf));
		size_t off = 0;

		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev = (const void *)(buf + off);

			on_event(set, ev);
			off += sizeof(*ev) + ev->len;
		}
	}
	for (i = 0; i < set->nv; i++)
		if (set->v[i]->stale || set->v[i]->unwatched)
			relist(set, set->v[i]);
}

size_t sim_queue_entries(struct sim_queue *q, const struct queue_ops_entry **out)
{
	*out = q->e;
	return q->n;
}

const struct queue_ops_entry *sim_queue_head(struct sim_queue *q)
{
	struct stat sb;

	if (q->n == 0)
		return NULL;
	/* The events keep the view exact; this one stat() makes sure no
	 * job is ever run from a stale entry (a file vanished meanwhile is
	 * skipped, as a fresh listing would). */
	if (stat(q->e[0].path, &sb) != 0 || !S_ISREG(sb.st_mode)
	    || (sb.st_mode & 0700) != 0700
	    || (mtime_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000
	       != q->e[0].mtime) {
		/* relisted; the watches stay as they are */
		queue_ops_entries_free(&q->e, q->n);
		q->n = queue_ops_list(q->h, q->queue, &q->e);
		listings++;
	}
	return q->n > 0 ? &q->e[0] : NULL;
}
