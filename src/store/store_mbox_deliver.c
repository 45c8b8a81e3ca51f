/*
 * store_mbox_deliver: what an MDA (Postfix's local) does to put one
 * message into an mbox, with the same locks as the mbox store.
 */
#include "store/store_mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "store/store_mbox_int.h"

int store_mbox_deliver(const char *path, const char *sender, int64_t date,
		       const char *data, size_t len, struct err *e)
{
	struct store_mbox_lock l;
	struct buf b;
	struct stat st;
	char *from;
	int fd, rc = -1;

	fd = open(path, O_RDWR | O_APPEND | O_CREAT, 0600);
	if (fd < 0)
		return err_set(e, errno, "open(%s) failed: %s", path,
			       strerror(errno));
	if (store_mbox_lock_acquire(path, fd, 1, STORE_MBOX_LOCK_TIMEOUT_MS,
				    &l, e) < 0) {
		close(fd);
		return -1;
	}
	/* A rewrite may have renamed a new file into place between our open
	 * and the dotlock: append to the file that is there now. */
	if (!store_mbox_lock_same_file(path, fd)) {
		store_mbox_lock_release(&l);
		close(fd);
		fd = open(path, O_RDWR | O_APPEND | O_CREAT, 0600);
		if (fd < 0)
			return err_set(e, errno, "open(%s) failed: %s", path,
				       strerror(errno));
		if (store_mbox_lock_acquire(path, fd, 1,
					    STORE_MBOX_LOCK_TIMEOUT_MS, &l,
					    e) < 0) {
			close(fd);
			return -1;
		}
	}
	buf_init(&b);
	/* The new From_ line must follow an empty line. */
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		char tail[2] = { 0, 0 };
		off_t n = st.st_size >= 2 ? 2 : 1;

		if (pread(fd, tail + (2 - n), (size_t)n, st.st_size - n) == n) {
			if (tail[1] != '\n')
				buf_adds(&b, "\n\n");
			else if (tail[0] != '\n')
				buf_adds(&b, "\n");
		}
	}
	from = store_mbox_write_from_line(sender[0] != '\0' ? sender :
					  "MAILER-DAEMON", date);
	buf_adds(&b, from);
	free(from);
	store_mbox_write_quote(&b, data, len);
	buf_addc(&b, '\n');
	if (write(fd, b.data, b.len) != (ssize_t)b.len) {
		err_set(e, errno, "write(%s) failed: %s", path, strerror(errno));
		/* Leave no half message behind. */
		if (ftruncate(fd, st.st_size) < 0) {
			/* nothing more we can do */
		}
	} else if (fsync(fd) < 0) {
		err_set(e, errno, "fsync(%s) failed: %s", path, strerror(errno));
	} else {
		rc = 0;
	}
	buf_reset(&b);
	store_mbox_lock_release(&l);
	close(fd);
	return rc;
}
