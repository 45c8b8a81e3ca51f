/*
 * Queue file names: the inode (Postfix) or the host's counter (a world on
 * the virtual clock). See qfile_id.h.
 */
#define _XOPEN_SOURCE 700
#include "mta/qfile_id.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/qfile.h"

#define COUNTER_FILE "pid/queue_id.serial"
#define SUFFIX "/var/spool/postfix"
/* Inode-like numbers: 6 hex digits, as on the reference machine. */
#define COUNTER_LOW 0x100000UL
#define COUNTER_SPAN 0xE00000UL

static int use_counter;

int qfile_id_use_counter(int on)
{
	int was = use_counter;

	use_counter = on != 0;
	return was;
}

/*
 * Where the counter starts on a host: FNV-1a of the host's name (the
 * directory above var/spool/postfix), not of the whole path, so that a
 * world gives the same IDs wherever its lab root is.
 */
static unsigned long counter_base(const char *spool)
{
	size_t len = strlen(spool), sl = strlen(SUFFIX);
	const char *end = spool + len, *p, *start = spool;
	uint32_t x = 2166136261u;

	if (len > sl && strcmp(spool + len - sl, SUFFIX) == 0) {
		end = spool + len - sl;
		for (start = end; start > spool && start[-1] != '/'; start--)
			;
	}
	for (p = start; p < end; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	return COUNTER_LOW + (unsigned long)x % COUNTER_SPAN;
}

/*
 * The next value of SPOOL/pid/queue_id.serial, read, incremented and
 * written back under an fcntl lock (a listener's process and a command
 * may share a host). 0 and *out, or -1 when the file cannot be used.
 */
static int counter_next(const char *spool, unsigned long *out)
{
	char *path = xasprintf("%s/%s", spool, COUNTER_FILE);
	struct flock fl;
	char buf[32];
	unsigned long v;
	ssize_t n;
	int fd, rc = -1;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(path);
	if (fd < 0)
		return -1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLKW, &fl) < 0)
		goto out;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		goto out;
	buf[n] = '\0';
	if (n == 0 || sscanf(buf, "%lx", &v) != 1)
		v = counter_base(spool);
	else
		v++;
	/* wrapped past 0xFFFFFFFF: the shape stays, inodes are that wide */
	v &= 0xFFFFFFFFUL;
	n = snprintf(buf, sizeof(buf), "%lX\n", v);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		goto out;
	*out = v;
	rc = 0;
out:
	close(fd);	/* releases the lock */
	return rc;
}

/* A name some queue of the host already has (a message moves between
 * queues keeping its ID). deferred/ and defer/ are hashed by the ID's
 * first character (queue_ops.h); flat names are looked at too. */
static int id_taken(const char *spool, const char *id)
{
	static const char *const queues[] = {
		"incoming", "active", "deferred", "hold", "maildrop", "corrupt",
		"saved", "bounce", "defer", "trace", "flush",
	};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(queues) / sizeof(queues[0]); i++) {
		char *p = xasprintf("%s/%s/%s", spool, queues[i], id);
		char *h = xasprintf("%s/%s/%c/%s", spool, queues[i], id[0], id);
		int there = lstat(p, &st) == 0 || lstat(h, &st) == 0;

		free(p);
		free(h);
		if (there)
			return 1;
	}
	return 0;
}

/* Counter mode: link tmp to DIR/ID for the next free ID. 0, or -1 when
 * no counter value could be had (the caller uses the inode). */
static int assign_counter(struct qfile_writer *w, const char *spool,
			  const char *tmp, long usec)
{
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		unsigned long v;
		char *path;

		if (counter_next(spool, &v) < 0)
			return -1;
		snprintf(w->id, sizeof(w->id), "%05lX%lX", usec, v);
		if (id_taken(spool, w->id))
			continue;
		path = xasprintf("%s/%s", w->dir, w->id);
		/* link, not rename: never replaces a file of the same name */
		if (link(tmp, path) == 0) {
			unlink(tmp);
			w->path = path;
			return 0;
		}
		free(path);
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int qfile_id_assign(struct qfile_writer *w, const char *spool, const char *tmp,
		    long usec, unsigned long ino, struct err *e)
{
	if (use_counter && assign_counter(w, spool, tmp, usec) == 0)
		return 0;
	snprintf(w->id, sizeof(w->id), "%05lX%lX", usec, ino);
	w->path = xasprintf("%s/%s", w->dir, w->id);
	/* the inode is unique while the file exists: so is the name */
	if (rename(tmp, w->path) != 0) {
		err_set(e, errno, _("cannot rename %s to %s: %s"), tmp, w->path,
			strerror(errno));
		unlink(tmp);
		free(w->path);
		w->path = NULL;
		return -1;
	}
	return 0;
}
