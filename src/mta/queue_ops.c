/*
 * Queue directories, moves, and the defer/bounce logs. See queue_ops.h.
 */
#include "mta/queue_ops.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/trace.h"
#include "lib/xalloc.h"
#include "mta/host.h"

const char *const queue_ops_message_queues[] = {
	"maildrop", "hold", "incoming", "active", "deferred", NULL,
};

static const char *const all_queues[] = {
	"maildrop", "hold", "incoming", "active", "deferred", "corrupt",
	"defer", "bounce", "trace", "flush", "saved", NULL,
};

int queue_ops_known(const char *queue)
{
	size_t i;

	for (i = 0; all_queues[i] != NULL; i++)
		if (strcmp(all_queues[i], queue) == 0)
			return 1;
	return 0;
}

int queue_ops_valid_id(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if (!isalnum((unsigned char)id[i]))
			return 0;
	return i > 0 && i < 32;
}

static int hashed(const char *queue)
{
	return strcmp(queue, "deferred") == 0 || strcmp(queue, "defer") == 0;
}

char *queue_ops_relpath(const char *queue, const char *id)
{
	if (hashed(queue))
		return xasprintf("%s/%c/%s", queue, id[0], id);
	return xasprintf("%s/%s", queue, id);
}

char *queue_ops_path(const struct host *h, const char *queue, const char *id)
{
	char *rel = queue_ops_relpath(queue, id);
	char *p = xasprintf("%s/var/spool/postfix/%s", h->dir, rel);

	free(rel);
	return p;
}

static void make_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');

	if (slash != NULL) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno == ENOENT) {
			make_parent(dir);
			(void)mkdir(dir, 0700);
		}
	}
	free(dir);
}

static void trace_move(struct host *h, mtime_t now, const char *process,
		       const char *text, const char *note)
{
	struct trace_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = h->name;
	ev.process = process;
	ev.protocol = "queue";
	ev.direction = TRACE_DIR_NONE;
	ev.text = text;
	ev.note = note;
	trace_emit(&h->trace, &ev);
}

static const struct {
	const char *to;
	const char *note;	/* N_() */
} move_notes[] = {
	{ "active", N_("the queue manager takes the message to deliver it") },
	{ "deferred", N_("delivery failed for now: the message waits for its next try") },
	{ "hold", N_("the message is on hold: nothing delivers it until it is released") },
	{ "corrupt", N_("the queue file is damaged: it is set aside for the postmaster") },
	{ "incoming", N_("the message waits for the queue manager") },
	{ "maildrop", N_("the message goes back to pickup, which queues it again") },
};

int queue_ops_move(struct host *h, mtime_t now, const char *process,
		   const char *id, const char *from, const char *to,
		   struct err *e)
{
	char *src = queue_ops_path(h, from, id);
	char *dst = queue_ops_path(h, to, id);
	char *text;
	const char *note = NULL;
	size_t i;
	int rc = 0;

	if (hashed(to))
		make_parent(dst);
	if (rename(src, dst) < 0) {
		rc = err_set(e, errno, "%s: rename %s to %s: %s", id, from, to,
			     strerror(errno));
	} else {
		char *a = queue_ops_relpath(from, id), *b = queue_ops_relpath(to, id);

		for (i = 0; i < ARRAY_LEN(move_notes); i++)
			if (strcmp(move_notes[i].to, to) == 0)
				note = _(move_notes[i].note);
		text = xasprintf("%s -> %s", a, b);
		trace_move(h, now, process, text, note);
		free(text);
		free(a);
		free(b);
	}
	free(src);
	free(dst);
	return rc;
}

int queue_ops_remove(struct host *h, mtime_t now, const char *process,
		     const char *queue, const char *id)
{
	char *p = queue_ops_path(h, queue, id);
	int rc = unlink(p);

	if (rc == 0) {
		char *rel = queue_ops_relpath(queue, id);
		char *text = xasprintf("%s removed", rel);

		trace_move(h, now, process, text, NULL);
		free(text);
		free(rel);
	}
	free(p);
	queue_ops_log_remove(h, "defer", id);
	queue_ops_log_remove(h, "bounce", id);
	return rc;
}

const char *queue_ops_find(const struct host *h, const char *id)
{
	size_t i;

	if (!queue_ops_valid_id(id))
		return NULL;
	for (i = 0; queue_ops_message_queues[i] != NULL; i++) {
		char *p = queue_ops_path(h, queue_ops_message_queues[i], id);
		int ok = access(p, F_OK) == 0;

		free(p);
		if (ok)
			return queue_ops_message_queues[i];
	}
	return NULL;
}

static int is_message_queue(const char *queue)
{
	size_t i;

	for (i = 0; queue_ops_message_queues[i] != NULL; i++)
		if (strcmp(queue_ops_message_queues[i], queue) == 0)
			return 1;
	return 0;
}

/* Postfix's MAIL_QUEUE_STAT_READY test (mail_open_ok.c): rwx for the
 * owner; a file still being written is 0600. */
static int ready_mode(mode_t m)
{
	return (m & 0700) == 0700;
}

int queue_ops_ready(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 && S_ISREG(sb.st_mode) && ready_mode(sb.st_mode);
}

static void scan_dir(const char *dir, struct queue_ops_entry **out, size_t *n,
		     int depth, int messages)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *p;
		struct stat sb;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (depth > 0)
				scan_dir(p, out, n, depth - 1, messages);
			free(p);
			continue;
		}
		if (!S_ISREG(sb.st_mode) || !queue_ops_valid_id(de->d_name)
		    || (messages && !ready_mode(sb.st_mode))) {
			free(p);
			continue;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[*n].id = xstrdup(de->d_name);
		(*out)[*n].path = p;
		(*out)[*n].mtime = (mtime_t)sb.st_mtim.tv_sec * 1000
				   + sb.st_mtim.tv_nsec / 1000000;
		(*n)++;
	}
	closedir(d);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct queue_ops_entry *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->id, y->id);
}

size_t queue_ops_list(const struct host *h, const char *queue,
		      struct queue_ops_entry **out)
{
	char *dir = xasprintf("%s/var/spool/postfix/%s", h->dir, queue);
	size_t n = 0;

	*out = NULL;
	scan_dir(dir, out, &n, hashed(queue) ? 1 : 0, is_message_queue(queue));
	free(dir);
	if (n > 1)
		qsort(*out, n, sizeof(**out), cmp_entry);
	return n;
}

void queue_ops_entries_free(struct queue_ops_entry **ep, size_t n)
{
	size_t i;

	if (*ep == NULL)
		return;
	for (i = 0; i < n; i++) {
		free((*ep)[i].id);
		free((*ep)[i].path);
	}
	free(*ep);
	*ep = NULL;
}

/* postsuper.c's MAX_TEMP_AGE: a file not ready after a day is debris. */
#define TEMP_MAX_AGE_MS (24LL * 3600 * 1000)

static int purge_dir(const char *dir, mtime_t now, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char *p;
		struct stat sb;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(p, &sb) == 0) {
			mtime_t mtime = (mtime_t)sb.st_mtim.tv_sec * 1000
					+ sb.st_mtim.tv_nsec / 1000000;

			if (S_ISDIR(sb.st_mode)) {
				if (depth > 0)
					n += purge_dir(p, now, depth - 1);
			} else if (!S_ISREG(sb.st_mode)
				   || (!ready_mode(sb.st_mode) && now > mtime + TEMP_MAX_AGE_MS)) {
				if (unlink(p) == 0)
					n++;
			}
		}
		free(p);
	}
	closedir(d);
	return n;
}

int queue_ops_purge_temp(const struct host *h, mtime_t now)
{
	size_t i;
	int n = 0;

	for (i = 0; queue_ops_message_queues[i] != NULL; i++) {
		char *dir = xasprintf("%s/var/spool/postfix/%s", h->dir,
				      queue_ops_message_queues[i]);

		n += purge_dir(dir, now, hashed(queue_ops_message_queues[i]) ? 1 : 0);
		free(dir);
	}
	return n;
}

int queue_ops_set_mtime(const char *path, mtime_t t)
{
	struct timeval tv[2];

	tv[0].tv_sec = (time_t)(t / 1000);
	tv[0].tv_usec = (suseconds_t)(t % 1000) * 1000;
	tv[1] = tv[0];
	return utimes(path, tv);
}

int queue_ops_mark_done(const char *path, long offset, struct err *e)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	char c;

	if (fd < 0)
		return err_set(e, errno, "open %s: %s", path, strerror(errno));
	if (pread(fd, &c, 1, offset) != 1 || (c != 'R' && c != 'D')) {
		close(fd);
		return err_set(e, 0, "%s: no recipient record at offset %ld", path, offset);
	}
	c = 'D';
	if (pwrite(fd, &c, 1, offset) != 1 || fsync(fd) < 0) {
		int errnum = errno;

		close(fd);
		return err_set(e, errnum, "update %s: %s", path, strerror(errnum));
	}
	close(fd);
	return 0;
}

int queue_ops_clear_warn(const char *path, long offset, struct err *e)
{
	/* 'W', length 15, then "%15ld" of 0: qmgr_message_update_warn() */
	static const char rec[] = "W\017              0";
	int fd = open(path, O_RDWR | O_CLOEXEC);
	char hdr[2];

	if (fd < 0)
		return err_set(e, errno, "open %s: %s", path, strerror(errno));
	if (pread(fd, hdr, 2, offset) != 2 || hdr[0] != 'W' || hdr[1] != 15) {
		close(fd);
		return err_set(e, 0, "%s: no warning time record at offset %ld", path, offset);
	}
	if (pwrite(fd, rec, sizeof(rec) - 1, offset) != (ssize_t)sizeof(rec) - 1
	    || fsync(fd) < 0) {
		int errnum = errno;

		close(fd);
		return err_set(e, errnum, "update %s: %s", path, strerror(errnum));
	}
	close(fd);
	return 0;
}

/* Log values are one line each: newlines would break the layout. */
static void put_attr(struct buf *b, const char *name, const char *v)
{
	const char *p;

	buf_addf(b, "%s=", name);
	for (p = v != NULL ? v : ""; *p != '\0'; p++)
		buf_addc(b, *p == '\n' || *p == '\r' ? ' ' : *p);
	buf_addc(b, '\n');
}

int queue_ops_log_append(const struct host *h, const char *logq,
			 const char *id, const struct queue_ops_log_rec *r,
			 struct err *e)
{
	char *path = queue_ops_path(h, logq, id);
	struct buf b;
	FILE *f;
	int rc = 0;

	make_parent(path);
	f = fopen(path, "a");
	if (f == NULL) {
		rc = err_set(e, errno, "open %s: %s", path, strerror(errno));
		free(path);
		return rc;
	}
	buf_init(&b);
	put_attr(&b, "recipient", r->recipient);
	buf_addf(&b, "offset=%ld\n", r->offset);
	put_attr(&b, "dsn_orig_rcpt", r->dsn_orig_rcpt);
	put_attr(&b, "orig_rcpt", r->orig_rcpt);
	put_attr(&b, "notify_flags", "0");
	put_attr(&b, "status", r->status);
	put_attr(&b, "diag_type", r->diag_text != NULL && r->diag_text[0] ? "smtp" : "");
	put_attr(&b, "diag_text", r->diag_text);
	put_attr(&b, "mta_type", r->mta_name != NULL && r->mta_name[0] ? "dns" : "");
	put_attr(&b, "mta_name", r->mta_name);
	put_attr(&b, "action", r->action);
	put_attr(&b, "reason", r->reason);
	buf_addc(&b, '\n');
	if (fwrite(b.data, 1, b.len, f) != b.len)
		rc = err_set(e, errno, "write %s: %s", path, strerror(errno));
	if (fclose(f) != 0 && rc == 0)
		rc = err_set(e, errno, "write %s: %s", path, strerror(errno));
	buf_reset(&b);
	free(path);
	return rc;
}

static char **field(struct queue_ops_log_rec *r, const char *name)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{ "recipient", offsetof(struct queue_ops_log_rec, recipient) },
		{ "dsn_orig_rcpt", offsetof(struct queue_ops_log_rec, dsn_orig_rcpt) },
		{ "orig_rcpt", offsetof(struct queue_ops_log_rec, orig_rcpt) },
		{ "status", offsetof(struct queue_ops_log_rec, status) },
		{ "action", offsetof(struct queue_ops_log_rec, action) },
		{ "reason", offsetof(struct queue_ops_log_rec, reason) },
		{ "mta_name", offsetof(struct queue_ops_log_rec, mta_name) },
		{ "diag_text", offsetof(struct queue_ops_log_rec, diag_text) },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(fields); i++)
		if (strcmp(fields[i].name, name) == 0)
			return (char **)((char *)r + fields[i].off);
	return NULL;
}

size_t queue_ops_log_read(const struct host *h, const char *logq,
			  const char *id, struct queue_ops_log_rec **out)
{
	char *path = queue_ops_path(h, logq, id);
	FILE *f = fopen(path, "r");
	char line[8192];
	size_t n = 0;
	int open_rec = 0;

	*out = NULL;
	free(path);
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq, **slot;
		size_t len = strlen(line);

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0) {
			open_rec = 0;
			continue;
		}
		if (!open_rec) {
			*out = xrealloc(*out, (n + 1) * sizeof(**out));
			memset(&(*out)[n], 0, sizeof(**out));
			n++;
			open_rec = 1;
		}
		eq = strchr(line, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		if (strcmp(line, "offset") == 0) {
			(*out)[n - 1].offset = strtol(eq + 1, NULL, 10);
			continue;
		}
		slot = field(&(*out)[n - 1], line);
		if (slot != NULL) {
			free(*slot);
			*slot = xstrdup(eq + 1);
		}
	}
	fclose(f);
	return n;
}

void queue_ops_log_free(struct queue_ops_log_rec **rp, size_t n)
{
	size_t i;

	if (*rp == NULL)
		return;
	for (i = 0; i < n; i++) {
		struct queue_ops_log_rec *r = &(*rp)[i];

		free(r->recipient);
		free(r->dsn_orig_rcpt);
		free(r->orig_rcpt);
		free(r->status);
		free(r->action);
		free(r->reason);
		free(r->mta_name);
		free(r->diag_text);
	}
	free(*rp);
	*rp = NULL;
}

void queue_ops_log_remove(const struct host *h, const char *logq,
			  const char *id)
{
	char *p = queue_ops_path(h, logq, id);

	(void)unlink(p);
	free(p);
}
