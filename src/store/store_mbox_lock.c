/*
 * store_mbox_lock: dotlock + fcntl, the order Postfix and Dovecot agree on
 * (see store_mbox.h). The dotlock is a file created with O_EXCL; one that
 * nobody touched for STORE_MBOX_DOTLOCK_STALE_S is taken over, as
 * Dovecot's file_dotlock does. fcntl locks are polled rather than waited
 * for (F_SETLKW) so that a timeout is possible.
 */
#include "store/store_mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int take_dotlock(const char *path, long timeout_ms, char **out,
			struct err *e)
{
	char *lock = xasprintf("%s.lock", path);
	long waited = 0;

	for (;;) {
		int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0600);
		struct stat st;

		if (fd >= 0) {
			char pid[32];
			int n = snprintf(pid, sizeof(pid), "%ld\n",
					 (long)getpid());

			if (write(fd, pid, (size_t)n) < 0) {
				/* the lock holds even without the pid */
			}
			close(fd);
			*out = lock;
			return 0;
		}
		if (errno != EEXIST) {
			err_set(e, errno, "dotlock %s: %s", lock,
				strerror(errno));
			free(lock);
			return -1;
		}
		if (stat(lock, &st) == 0 &&
		    time(NULL) - st.st_mtime > STORE_MBOX_DOTLOCK_STALE_S) {
			/* Stale: its owner died. Take it over. */
			(void)unlink(lock);
			continue;
		}
		if (waited >= timeout_ms) {
			err_set(e, EAGAIN, "Timeout while waiting for lock %s",
				lock);
			free(lock);
			return -1;
		}
		nap_ms(10);
		waited += 10;
	}
}

static int take_fcntl(int fd, int write, long timeout_ms, struct err *e)
{
	struct flock fl;
	long waited = 0;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = write ? F_WRLCK : F_RDLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLK, &fl) < 0) {
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			return err_set(e, errno, "fcntl() lock failed: %s",
				       strerror(errno));
		if (waited >= timeout_ms)
			return err_set(e, EAGAIN, "Timeout while waiting for fcntl lock");
		nap_ms(10);
		waited += 10;
	}
	return 0;
}

int store_mbox_lock_acquire(const char *path, int fd, int write,
			    long timeout_ms, struct store_mbox_lock *l,
			    struct err *e)
{
	l->fd = fd;
	l->dotlock = NULL;
	l->fcntl_held = 0;
	if (write && take_dotlock(path, timeout_ms, &l->dotlock, e) < 0)
		return -1;
	if (take_fcntl(fd, write, timeout_ms, e) < 0) {
		store_mbox_lock_release(l);
		return -1;
	}
	l->fcntl_held = 1;
	return 0;
}

void store_mbox_lock_release(struct store_mbox_lock *l)
{
	if (l->fcntl_held) {
		struct flock fl;

		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_UNLCK;
		fl.l_whence = SEEK_SET;
		(void)fcntl(l->fd, F_SETLK, &fl);
		l->fcntl_held = 0;
	}
	if (l->dotlock != NULL) {
		(void)unlink(l->dotlock);
		free(l->dotlock);
		l->dotlock = NULL;
	}
}

int store_mbox_lock_same_file(const char *path, int fd)
{
	struct stat a, b;

	if (stat(path, &a) < 0 || fstat(fd, &b) < 0)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
