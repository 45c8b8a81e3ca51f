/*
 * qfile: queue file records. See qfile.h.
 */
#include "mta/qfile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/fsutil.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/qfile_id.h"

/* Postfix 3.7 rec_type.c names, as postcat prints them. */
static const struct {
	int type;
	const char *name;
} rec_names[] = {
	{ QFILE_REC_SIZE, "message_size" },
	{ QFILE_REC_TIME, "message_arrival_time" },
	{ QFILE_REC_FULL, "sender_fullname" },
	{ QFILE_REC_INSP, "content_inspector" },
	{ QFILE_REC_FROM, "sender" },
	{ QFILE_REC_DONE, "done_recipient" },
	{ QFILE_REC_RCPT, "recipient" },
	{ QFILE_REC_ORCP, "original_recipient" },
	{ QFILE_REC_WARN, "warning_message_time" },
	{ QFILE_REC_ATTR, "named_attribute" },
	{ QFILE_REC_PTR, "pointer_record" },
	{ QFILE_REC_KILL, "killed_record" },
	{ QFILE_REC_MESG, "message_content" },
	{ QFILE_REC_CONT, "unterminated_text" },
	{ QFILE_REC_NORM, "regular_text" },
	{ QFILE_REC_DTXT, "padding" },
	{ QFILE_REC_XTRA, "extracted_info" },
	{ QFILE_REC_RRTO, "return_receipt" },
	{ QFILE_REC_ERTO, "errors_to" },
	{ QFILE_REC_PRIO, "priority" },
	{ QFILE_REC_VERP, "verp_delimiters" },
	{ QFILE_REC_END, "message_end" },
	{ QFILE_REC_RDR, "redirect_to" },
	{ QFILE_REC_FLGS, "flags" },
};

const char *qfile_rec_name(int type)
{
	size_t i;

	for (i = 0; i < sizeof(rec_names) / sizeof(rec_names[0]); i++)
		if (rec_names[i].type == type)
			return rec_names[i].name;
	return "unknown_record_type";
}

/* ---- reading ---- */

void qfile_init(struct qfile *q)
{
	memset(q, 0, sizeof(*q));
}

void qfile_reset(struct qfile *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->recs[i].data);
	free(q->recs);
	qfile_init(q);
}

/* The record types that may open a queue file (REC_TYPE_ENVELOPE). */
#define ENVELOPE_TYPES "MCTFILSDROWVA>"

int qfile_parse(const char *name, const void *buf, size_t len, struct qfile *q,
		struct err *e)
{
	const unsigned char *p = buf;
	size_t pos = 0;

	qfile_reset(q);
	if (len > 0 && strchr(ENVELOPE_TYPES, p[0]) == NULL)
		return err_set(e, 0, "%s: input is not a valid queue file", name);
	while (pos < len) {
		struct qfile_rec r;
		size_t dlen = 0;
		unsigned shift = 0;
		int type = p[pos];

		r.offset = (long)pos;
		pos++;
		for (;;) {
			int byte;

			if (shift >= 8 * sizeof(int))
				return err_set(e, 0, "%s: too many length bits, record type %d",
					       name, type);
			if (pos >= len)
				return err_set(e, 0, "%s: unexpected EOF reading length, record type %d",
					       name, type);
			byte = p[pos++];
			dlen |= (size_t)(byte & 0177) << shift;
			if ((byte & 0200) == 0)
				break;
			shift += 7;
		}
		if (dlen > len - pos)
			return err_set(e, 0, "%s: unexpected EOF in data, record type %d length %ld",
				       name, type, (long)dlen);
		r.type = type;
		r.len = dlen;
		r.data = xmalloc(dlen + 1);
		memcpy(r.data, p + pos, dlen);
		r.data[dlen] = 0;
		pos += dlen;
		q->recs = xrealloc(q->recs, (q->n + 1) * sizeof(*q->recs));
		q->recs[q->n++] = r;
		if (type == QFILE_REC_SIZE && q->n == 1)
			sscanf(r.data, "%ld %ld %ld %ld %ld %ld", &q->size.data_size,
			       &q->size.data_offset, &q->size.rcpt_count,
			       &q->size.qmgr_opts, &q->size.content_length,
			       &q->size.smtputf8);
	}
	return 0;
}

int qfile_read(const char *path, struct qfile *q, struct err *e)
{
	int fd = open(path, O_RDONLY);
	struct buf b;
	char chunk[8192];
	ssize_t n;
	int rc;

	qfile_reset(q);
	if (fd < 0)
		return err_set(e, errno, _("cannot open %s: %s"), path, strerror(errno));
	buf_init(&b);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n < 0) {
		buf_reset(&b);
		return err_set(e, errno, _("cannot read %s: %s"), path, strerror(errno));
	}
	rc = qfile_parse(path, b.data, b.len, q, e);
	buf_reset(&b);
	return rc;
}

const struct qfile_rec *qfile_find(const struct qfile *q, int type,
				   size_t *from)
{
	size_t i = from ? *from : 0;

	for (; i < q->n; i++) {
		if (q->recs[i].type == type) {
			if (from)
				*from = i + 1;
			return &q->recs[i];
		}
	}
	if (from)
		*from = q->n;
	return NULL;
}

const char *qfile_attr(const struct qfile *q, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < q->n; i++)
		if (q->recs[i].type == QFILE_REC_ATTR
		    && strncmp(q->recs[i].data, name, n) == 0
		    && q->recs[i].data[n] == '=')
			return q->recs[i].data + n + 1;
	return NULL;
}

/* ---- writing ---- */

/* Type, length in 7-bit groups, data (record.c rec_put). */
static size_t encode_header(unsigned char *hdr, int type, size_t len)
{
	size_t n = 0;

	hdr[n++] = (unsigned char)type;
	do {
		unsigned char byte = len & 0177;

		len >>= 7;
		if (len != 0)
			byte |= 0200;
		hdr[n++] = byte;
	} while (len != 0);
	return n;
}

void qfile_encode(struct buf *b, int type, const void *data, size_t len)
{
	unsigned char hdr[16];

	buf_add(b, hdr, encode_header(hdr, type, len));
	if (len > 0)
		buf_add(b, data, len);
}

/* Writes the buffered records to the file. */
static void flush(struct qfile_writer *w)
{
	const char *s = w->wbuf;
	size_t n = w->wlen;

	while (n > 0 && !w->failed) {
		ssize_t k = write(w->fd, s, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->failed = 1;
			w->errnum = errno;
			break;
		}
		s += k;
		n -= (size_t)k;
	}
	w->wlen = 0;
}

#define QFILE_WBUF_MAX	(64 * 1024)

static void write_all(struct qfile_writer *w, const void *p, size_t n)
{
	if (w->failed)
		return;
	if (w->wlen + n > w->wcap) {
		size_t cap = w->wcap ? w->wcap : 8192;

		while (cap < w->wlen + n)
			cap *= 2;
		w->wbuf = xrealloc(w->wbuf, cap);
		w->wcap = cap;
	}
	memcpy(w->wbuf + w->wlen, p, n);
	w->wlen += n;
	w->offset += (long)n;
	if (w->wlen >= QFILE_WBUF_MAX)
		flush(w);
}

/*
 * getpid() and the umask, once per process: they were two of the
 * listener's system calls per message. A fork()ed child forgets the pid
 * (pthread_atfork); the umask is inherited and nothing here changes it.
 */
static pid_t cached_pid;
static int cached_umask = -1;	/* -1: not read yet; -2: unknown */

static void forget_pid(void)
{
	cached_pid = 0;
}

static pid_t my_pid(void)
{
	static int registered;

	if (!registered) {
		registered = 1;
		(void)pthread_atfork(NULL, NULL, forget_pid);
	}
	if (cached_pid == 0)
		cached_pid = getpid();
	return cached_pid;
}

/* Linux names the umask in /proc/self/status without changing it
 * (umask() would, for a moment, for every thread). */
static int my_umask(void)
{
	FILE *f;
	char line[128];
	unsigned m;

	if (cached_umask != -1)
		return cached_umask;
	cached_umask = -2;
	f = fopen("/proc/self/status", "re");
	if (f == NULL)
		return cached_umask;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "Umask: %o", &m) == 1) {
			cached_umask = (int)(m & 0777);
			break;
		}
	}
	fclose(f);
	return cached_umask;
}

int qfile_create(struct qfile_writer *w, const char *spool, const char *queue,
		 int extra_mode, long usec, struct err *e)
{
	struct stat st;
	char *tmp = NULL;
	int i;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->mode = 0700 | (extra_mode & 0077);
	w->dir = xasprintf("%s/%s", spool, queue);
	if (usec < 0 || usec > 0xFFFFF)
		usec = 0;
	/*
	 * mail_queue_enter(): a name no queue ID can have (it has a dot),
	 * unique by time and process; a stale one from a crash is skipped.
	 */
	for (i = 0; i < 1000; i++) {
		free(tmp);
		tmp = xasprintf("%s/%ld.%d", w->dir, (usec + i) % 1000000, (int)my_pid());
		w->fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			     0600 | (extra_mode & 0044));
		if (w->fd >= 0 || errno != EEXIST)
			break;
	}
	if (w->fd < 0 || fstat(w->fd, &st) != 0) {
		err_set(e, errno, _("cannot create %s: %s"), tmp, strerror(errno));
		if (w->fd >= 0)
			unlink(tmp);
		free(tmp);
		qfile_abort(w);
		return -1;
	}
	/* umask must not take the bits that say "not ready" or "postdrop"
	 * (when it takes none of them, open() gave the mode already) */
	if (my_umask() < 0 || (my_umask() & (0600 | (extra_mode & 0044))) != 0)
		(void)fchmod(w->fd, 0600 | (extra_mode & 0044));
	/* the inode, or the host's counter on the virtual clock (qfile_id.h) */
	if (qfile_id_assign(w, spool, tmp, usec, (unsigned long)st.st_ino, e) != 0) {
		free(tmp);
		qfile_abort(w);
		return -1;
	}
	free(tmp);
	return 0;
}

void qfile_put(struct qfile_writer *w, int type, const void *data, size_t len)
{
	unsigned char hdr[16];

	BUG_ON(w->fd < 0);
	write_all(w, hdr, encode_header(hdr, type, len));
	if (len > 0)
		write_all(w, data, len);
}

void qfile_puts(struct qfile_writer *w, int type, const char *s)
{
	qfile_put(w, type, s, strlen(s));
}

void qfile_putf(struct qfile_writer *w, int type, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	BUG_ON(n < 0);
	qfile_put(w, type, s, (size_t)n);
	free(s);
}

void qfile_update(struct qfile_writer *w, long offset, const void *data,
		  size_t len)
{
	long start = w->offset - (long)w->wlen;	/* where the buffer goes */
	const char *p = data;

	if (w->failed)
		return;
	if (offset >= start && offset + (long)len <= w->offset) {
		memcpy(w->wbuf + (offset - start), data, len);
		return;
	}
	flush(w);
	while (len > 0 && !w->failed) {
		ssize_t k = pwrite(w->fd, p, len, offset);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			w->failed = 1;
			w->errnum = errno;
			return;
		}
		p += k;
		len -= (size_t)k;
		offset += k;
	}
}

int qfile_prepare(struct qfile_writer *w, struct err *e)
{
	BUG_ON(w->path == NULL || w->done || w->prepared);
	flush(w);
	if (w->failed) {
		err_set(e, w->errnum, _("cannot write %s: %s"), w->path, strerror(w->errnum));
		qfile_abort(w);
		return -1;
	}
	/*
	 * mail_stream_finish_file(): the owner-execute bit says "complete",
	 * set before the fsync so that the one fsync covers it too.
	 */
	if (fchmod(w->fd, (mode_t)w->mode) != 0) {
		err_set(e, errno, _("cannot chmod %s: %s"), w->path, strerror(errno));
		qfile_abort(w);
		return -1;
	}
	w->prepared = 1;
	return 0;
}

int qfile_sync(int fd, const char *dir)
{
	if (fsync(fd) != 0)
		return errno;
	/* the directory entry made by qfile_create()'s rename */
	return fs_sync_dir(dir);
}

int qfile_finish(struct qfile_writer *w, int sync_errnum, char **path_out,
		 struct err *e)
{
	if (path_out)
		*path_out = NULL;
	BUG_ON(w->path == NULL || w->done || !w->prepared);
	if (sync_errnum != 0) {
		err_set(e, sync_errnum, _("cannot write %s: %s"), w->path,
			strerror(sync_errnum));
		qfile_abort(w);
		return -1;
	}
	if (close(w->fd) != 0) {
		w->fd = -1;
		err_set(e, errno, _("cannot write %s: %s"), w->path, strerror(errno));
		qfile_abort(w);
		return -1;
	}
	w->fd = -1;
	w->done = 1;
	if (path_out)
		*path_out = xstrdup(w->path);
	qfile_abort(w);		/* frees what is left */
	return 0;
}

int qfile_commit(struct qfile_writer *w, char **path_out, struct err *e)
{
	if (path_out)
		*path_out = NULL;
	if (qfile_prepare(w, e) != 0)
		return -1;
	return qfile_finish(w, qfile_sync(w->fd, w->dir), path_out, e);
}

void qfile_abort(struct qfile_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	if (w->path != NULL && !w->done)
		unlink(w->path);
	free(w->path);
	w->path = NULL;
	free(w->dir);
	w->dir = NULL;
	free(w->wbuf);
	w->wbuf = NULL;
	w->wlen = w->wcap = 0;
}
