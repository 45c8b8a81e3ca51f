/*
 * listener_pid: ROOT/run/listen.pid under a POSIX record lock. See
 * listener_pid.h. fcntl locks (not flock) because F_GETLK names the
 * holder without taking the lock, so asking "does it run?" can never
 * make a listener that is starting at that moment fail.
 */
#include "net/listener_pid.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

static char *pid_path(const char *root)
{
	return xasprintf("%s/run/listen.pid", root);
}

static void whole_file(struct flock *fl, short type)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = type;
	fl->l_whence = SEEK_SET;
	fl->l_start = 0;
	fl->l_len = 0;
}

/* The holder of the write lock on fd's file, or 0. */
static pid_t lock_holder(int fd)
{
	struct flock fl;

	whole_file(&fl, F_WRLCK);
	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		return 0;
	return fl.l_pid;
}

int listener_pid_acquire(const char *root, struct err *e)
{
	char *dir = xasprintf("%s/run", root);
	char *path = pid_path(root);
	int tries;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		err_set(e, errno, _("cannot create %s: %s"), dir, strerror(errno));
		goto fail;
	}
	for (tries = 0; tries < 10; tries++) {
		struct stat a, b;
		struct flock fl;
		char text[32];
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		pid_t other;
		int n;

		if (fd < 0) {
			err_set(e, errno, _("cannot create %s: %s"), path, strerror(errno));
			goto fail;
		}
		whole_file(&fl, F_WRLCK);
		if (fcntl(fd, F_SETLK, &fl) < 0) {
			other = lock_holder(fd);
			close(fd);
			if (other == 0)
				continue;	/* it just went away: try again */
			err_set(e, EEXIST, _("a listener already runs on %s (pid %ld)"),
				root, (long)other);
			goto fail;
		}
		/* A listener that stopped between our open and our lock has
		 * removed the file we hold: start over with a fresh one. */
		if (fstat(fd, &a) < 0 || stat(path, &b) < 0 || a.st_ino != b.st_ino ||
		    a.st_dev != b.st_dev) {
			close(fd);
			continue;
		}
		/* Postfix's pid files: the pid, right-aligned in 10 columns. */
		n = snprintf(text, sizeof(text), "%10ld\n", (long)getpid());
		if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n) {
			err_set(e, errno, _("cannot write %s: %s"), path, strerror(errno));
			close(fd);
			goto fail;
		}
		free(dir);
		free(path);
		return fd;
	}
	err_set(e, EAGAIN, _("cannot lock %s"), path);
fail:
	free(dir);
	free(path);
	return -1;
}

void listener_pid_release(const char *root, int fd)
{
	char *path = pid_path(root);

	if (fd >= 0) {
		unlink(path);
		close(fd);
	}
	free(path);
}

pid_t listener_pid_running(const char *root)
{
	char *path = pid_path(root);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	pid_t pid = 0;

	free(path);
	if (fd < 0)
		return 0;
	pid = lock_holder(fd);
	close(fd);
	return pid;
}

pid_t listener_pid_signal(const char *root, int sig, struct err *e)
{
	pid_t pid = listener_pid_running(root);

	if (pid <= 0) {
		err_set(e, ESRCH, _("no listener is running on %s"), root);
		return -1;
	}
	if (sigqueue(pid, sig, (union sigval){ .sival_int = LISTENER_PID_POSTFIX }) < 0) {
		err_set(e, errno, _("cannot signal the listener (pid %ld): %s"),
			(long)pid, strerror(errno));
		return -1;
	}
	return pid;
}

pid_t listener_pid_stop(const char *root, long timeout_ms, struct err *e)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	pid_t pid = listener_pid_running(root);
	long waited = 0;

	if (pid <= 0)
		return 0;
	if (sigqueue(pid, SIGTERM, (union sigval){ .sival_int = LISTENER_PID_POSTFIX }) < 0) {
		if (errno == ESRCH)
			return 0;
		err_set(e, errno, _("cannot signal the listener (pid %ld): %s"),
			(long)pid, strerror(errno));
		return -1;
	}
	while (listener_pid_running(root) == pid) {
		if (waited >= timeout_ms) {
			err_set(e, ETIMEDOUT, _("the listener (pid %ld) did not stop within %ld ms"),
				(long)pid, timeout_ms);
			return -1;
		}
		nanosleep(&ts, NULL);
		waited += 20;
	}
	return pid;
}
