/*
 * The two mailbox writers of local(8): an mbox append under a dot lock
 * plus an fcntl lock, and a Maildir file written in tmp/ and linked into
 * new/. See local.h.
 */
#include "mta/local.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

char *local_mailbox_from_line(const char *sender, mtime_t now)
{
	time_t sec = (time_t)(now / 1000);
	struct tm tm;
	char date[64];

	gmtime_r(&sec, &tm);
	/* asctime(3) layout without its newline: "Sat Nov 28 21:59:52 2026" */
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
	return xasprintf("From %s  %s", sender[0] != '\0' ? sender : "MAILER-DAEMON",
			 date);
}

/*
 * The bytes local(8) appends: the delivery headers, the message with
 * "From " lines quoted when quote is set (mbox), a final newline if the
 * message lacks one, and for an mbox the empty line that ends a message.
 */
static void render(struct buf *b, const char *from_line, const char *prepend,
		   const char *content, size_t len, int mbox)
{
	size_t i = 0;

	if (from_line != NULL) {
		buf_adds(b, from_line);
		buf_addc(b, '\n');
	}
	buf_adds(b, prepend);
	while (i < len) {
		const char *nl = memchr(content + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - content) : len;

		if (mbox && end - i >= 5 && memcmp(content + i, "From ", 5) == 0)
			buf_addc(b, '>');
		buf_add(b, content + i, end - i);
		buf_addc(b, '\n');
		i = end + 1;
	}
	if (mbox)
		buf_addc(b, '\n');
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Postfix's stale_lock_time (500s): a dot lock older than this is left by
 * a process that died holding it, and dot_lockfile() removes it.
 */
#define STALE_LOCK_S	500

/* The path a message names: below the lab host's tree
 * (ROOT/hosts/NAME/var/mail/wees) the host's own "/var/mail/wees". */
static const char *host_visible(const char *path)
{
	const char *h = strstr(path, "/hosts/");
	const char *rest = h != NULL ? strchr(h + 7, '/') : NULL;

	return rest != NULL ? rest : path;
}

/*
 * A dot lock as Postfix's dot_lockfile() takes it: PATH.lock created
 * exclusively, retried while another holds it (Postfix's
 * deliver_lock_attempts = 20 tries, but 50 ms apart rather than its
 * deliver_lock_delay = 1s, so a lock left by a kill costs the queue
 * manager 1 s a message, not 20), a lock older than
 * STALE_LOCK_S removed on the way. Its age: Postfix looks at the ctime;
 * a lock file nobody touched has mtime = ctime, and the older of the two
 * lets a test (or a learner's touch -d) age one. When the lock stays
 * taken, mbox_open() reports EEXIST as EAGAIN, "4.2.0": the delivery is
 * deferred, "unable to create lock file /var/mail/wees.lock: File
 * exists" (*errnum_out EAGAIN, e->text with strerror(EEXIST)).
 */
static int dotlock(const char *path, struct err *e)
{
	char *lock = xasprintf("%s.lock", path);
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int i, fd = -1, errnum = 0;

	for (i = 0; i < 20; i++) {
		struct stat sb;

		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0600);
		errnum = fd < 0 ? errno : 0;
		if (fd >= 0 || errnum != EEXIST)
			break;
		if (stat(lock, &sb) == 0) {
			time_t born = sb.st_ctime < sb.st_mtime ? sb.st_ctime : sb.st_mtime;

			if (time(NULL) > born + STALE_LOCK_S && unlink(lock) < 0 &&
			    errno != ENOENT) {
				errnum = errno;	/* dot_lockfile(): %m */
				break;
			}
		}
		nanosleep(&ts, NULL);
	}
	if (fd < 0) {
		err_set(e, errnum == EEXIST ? EAGAIN : errnum,
			"unable to create lock file %s: %s", host_visible(lock),
			strerror(errnum));
		free(lock);
		return -1;
	}
	close(fd);
	free(lock);
	return 0;
}

static void dotunlock(const char *path)
{
	char *lock = xasprintf("%s.lock", path);

	unlink(lock);
	free(lock);
}

int local_mailbox_mbox(const char *path, const char *from_line,
		       const char *prepend, const char *content, size_t len,
		       long limit, int fault_errno, int *errnum_out,
		       struct err *e)
{
	struct flock fl;
	struct stat sb;
	struct buf b;
	int fd, i, rc = -1;

	*errnum_out = 0;
	if (dotlock(path, e) < 0) {
		*errnum_out = e->errnum;
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		*errnum_out = errno;
		err_set(e, errno, "cannot open file: %s", strerror(errno));
		dotunlock(path);
		return -1;
	}
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	for (i = 0; i < 40 && fcntl(fd, F_SETLK, &fl) < 0; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (errno != EAGAIN && errno != EACCES)
			break;
		nanosleep(&ts, NULL);
	}
	if (i == 40) {
		*errnum_out = EAGAIN;
		err_set(e, EAGAIN, "unable to lock for exclusive access: %s",
			strerror(EAGAIN));
		goto out;
	}
	buf_init(&b);
	render(&b, from_line, prepend, content, len, 1);
	if (fstat(fd, &sb) < 0) {
		*errnum_out = errno;
	} else if (fault_errno != 0) {
		*errnum_out = fault_errno;
	} else if (limit > 0 && (long long)sb.st_size + (long long)b.len > limit) {
		/* Postfix sets RLIMIT_FSIZE to mailbox_size_limit: the write
		 * that crosses it fails with EFBIG and the file is truncated
		 * back; not writing at all leaves the same file. */
		*errnum_out = EFBIG;
	} else if (write_all(fd, b.data, b.len) < 0 || fsync(fd) < 0) {
		*errnum_out = errno;
		if (ftruncate(fd, sb.st_size) < 0) {
			/* the write error is what counts */
		}
	}
	if (*errnum_out != 0)
		err_set(e, *errnum_out, "error writing message: %s",
			strerror(*errnum_out));
	else
		rc = 0;
	buf_reset(&b);
out:
	fl.l_type = F_UNLCK;
	(void)fcntl(fd, F_SETLK, &fl);
	close(fd);
	dotunlock(path);
	return rc;
}

static int mkdir_p(const char *dir)
{
	char *p = xstrdup(dir), *s;
	int rc = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

int local_mailbox_maildir(const char *dir_in, const char *hostname,
			  mtime_t now, unsigned serial, const char *prepend,
			  const char *content, size_t len, int fault_errno,
			  char **path_out, int *errnum_out, struct err *e)
{
	char *dir = xstrdup(dir_in);
	char *sub, *tmp = NULL, *dst = NULL;
	long sec = (long)(now / 1000);
	struct stat sb;
	struct buf b;
	int fd, errnum = 0;
	static const char *const subs[] = { "tmp", "new", "cur" };
	size_t i;

	*path_out = NULL;
	*errnum_out = 0;
	while (strlen(dir) > 1 && dir[strlen(dir) - 1] == '/')
		dir[strlen(dir) - 1] = '\0';
	for (i = 0; i < ARRAY_LEN(subs); i++) {
		sub = xasprintf("%s/%s", dir, subs[i]);
		if (mkdir_p(sub) < 0 && errnum == 0)
			errnum = errno;
		free(sub);
	}
	/* Maildir's tmp name, "time.Ppid_count.host" in Postfix's form. */
	tmp = xasprintf("%s/tmp/%ld.P%dQ%u.%s", dir, sec, (int)getpid(), serial,
			hostname);
	if (errnum != 0) {
		err_set(e, errnum, "create maildir file %s: %s", tmp, strerror(errnum));
		goto fail;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		errnum = errno;
		err_set(e, errnum, "create maildir file %s: %s", tmp, strerror(errnum));
		goto fail;
	}
	buf_init(&b);
	render(&b, NULL, prepend, content, len, 0);
	if (fault_errno != 0)
		errnum = fault_errno;
	else if (write_all(fd, b.data, b.len) < 0 || fsync(fd) < 0 || fstat(fd, &sb) < 0)
		errnum = errno;
	buf_reset(&b);
	close(fd);
	if (errnum != 0) {
		err_set(e, errnum, "error writing message: %s", strerror(errnum));
		unlink(tmp);
		goto fail;
	}
	/* The final name, "time.VdevIinodeMusec.host" (reference/mailboxes/
	 * bob-Maildir-new-1795903565.Vfe00I11019aM615560.vm). */
	dst = xasprintf("%s/new/%ld.V%lxI%lxM%ld.%s", dir, sec,
			(unsigned long)sb.st_dev, (unsigned long)sb.st_ino,
			(long)(now % 1000) * 1000 + (long)(serial % 1000), hostname);
	if (link(tmp, dst) < 0) {
		errnum = errno;
		err_set(e, errnum, "create maildir file %s: %s", dst, strerror(errnum));
		unlink(tmp);
		goto fail;
	}
	unlink(tmp);
	free(tmp);
	free(dir);
	*path_out = dst;
	return 0;
fail:
	*errnum_out = errnum;
	free(tmp);
	free(dst);
	free(dir);
	return -1;
}
