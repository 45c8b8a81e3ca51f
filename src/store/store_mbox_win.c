/*
 * store_mbox_win: a window onto the mbox file for the rewrite
 * (store_mbox_write.c). Messages are visited in file order; the window
 * holds a few megabytes around the one asked for, so the whole file is
 * read once, in large sequential reads, and memory stays bounded by the
 * window (or by the largest single message) whatever the file's size,
 * as issue 4 asks ("memory that does not grow with message bodies").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "store/store_mbox_int.h"

void store_mbox_win_init(struct store_mbox_win *w, int fd, uint64_t size)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->size = size;
}

void store_mbox_win_free(struct store_mbox_win *w)
{
	free(w->buf);
	w->buf = NULL;
	w->cap = w->len = 0;
}

const char *store_mbox_win_get(struct store_mbox_win *w, uint64_t a,
			       uint64_t b, struct err *e)
{
	size_t need, want, done = 0;

	if (a > b || b > w->size) {
		err_set(e, EIO, "mbox changed under the lock");
		return NULL;
	}
	if (w->buf != NULL && a >= w->off && b <= w->off + w->len)
		return w->buf + (a - w->off);
	need = (size_t)(b - a);
	want = need > STORE_MBOX_WINDOW ? need : STORE_MBOX_WINDOW;
	if (want > w->size - a)
		want = (size_t)(w->size - a);
	if (w->cap < want + 1) {
		w->cap = want + 1;
		free(w->buf);
		w->buf = xmalloc(w->cap);
	}
	while (done < want) {
		ssize_t n = pread(w->fd, w->buf + done, want - done,
				  (off_t)(a + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	w->off = a;
	w->len = done;
	w->buf[done] = '\0';
	if (done < need) {
		err_set(e, EIO, "mbox changed under the lock");
		return NULL;
	}
	return w->buf;
}
