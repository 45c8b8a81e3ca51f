/*
 * qfile: Postfix's queue file format (global/record.c, rec_type.h): a
 * sequence of records, each one type byte, the data length in 7-bit
 * groups (low bits first, high bit = more follows), then the data.
 *
 *   C  message_size: "%15ld %15ld %15ld %15ld %15ld %15ld" (content size,
 *      content offset, recipients, qmgr options, content length,
 *      SMTPUTF8), rewritten in place when the message is complete
 *   T  message_arrival_time "sec usec"     A  named_attribute "name=value"
 *   S  sender   O  original_recipient   R  recipient   F  fullname
 *   M  start of content (empty)  N  a text line  L  part of a long line
 *   X  start of the extracted segment (empty)   E  end (empty)
 *
 * Writing, as Postfix's mail_queue_enter() and mail_stream_finish(): the
 * file is created in its queue directory itself (incoming/ for cleanup,
 * maildrop/ for postdrop), first under a temporary name, then renamed in
 * that directory to its queue ID, made from the arrival microseconds and
 * the file's inode (Postfix's short IDs: "%05X%lX", e.g. 1F3A6104556).
 * While it is written its mode is 0600 (0644 for postdrop); records are
 * appended, the size record is updated, the file is fsync'ed and given
 * the owner-execute bit (0700, 0744): only then is it a message. Readers
 * skip files without that bit (queue_ops_list(), Postfix's
 * mail_open_ok()), so a learner running `ls incoming/` during DATA sees
 * the file, and nothing half-received is ever delivered. An aborted file
 * is unlinked; one left by a crash stays 0600 until postsuper removes it
 * (queue_ops_purge_temp()).
 *
 * Reading: qfile_read() gives every record with its offset, for postcat,
 * mailq and the queue manager.
 */
#ifndef MAILLAB_QFILE_H
#define MAILLAB_QFILE_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

enum qfile_rec_type {
	QFILE_REC_SIZE = 'C',
	QFILE_REC_TIME = 'T',
	QFILE_REC_FULL = 'F',
	QFILE_REC_INSP = 'I',
	QFILE_REC_FILT = 'L',	/* in the envelope; 'L' in content is CONT */
	QFILE_REC_FROM = 'S',
	QFILE_REC_DONE = 'D',
	QFILE_REC_RCPT = 'R',
	QFILE_REC_ORCP = 'O',
	QFILE_REC_WARN = 'W',
	QFILE_REC_ATTR = 'A',
	QFILE_REC_PTR = 'p',
	QFILE_REC_KILL = 'K',
	QFILE_REC_RDR = '>',
	QFILE_REC_FLGS = 'f',
	QFILE_REC_MESG = 'M',
	QFILE_REC_CONT = 'L',
	QFILE_REC_NORM = 'N',
	QFILE_REC_DTXT = 'w',
	QFILE_REC_XTRA = 'X',
	QFILE_REC_RRTO = 'r',
	QFILE_REC_ERTO = 'e',
	QFILE_REC_PRIO = 'P',
	QFILE_REC_VERP = 'V',
	QFILE_REC_END = 'E',
};

/* The 'C' record's fields. */
struct qfile_size {
	long data_size;		/* bytes from the first text record to 'X' */
	long data_offset;	/* offset of the first text record */
	long rcpt_count;
	long qmgr_opts;
	long content_length;
	long smtputf8;
};

struct qfile_rec {
	int type;
	char *data;		/* NUL-terminated copy (may contain NULs) */
	size_t len;
	long offset;		/* where the record starts */
};

/* A queue file as read. */
struct qfile {
	struct qfile_rec *recs;
	size_t n;
	struct qfile_size size;	/* parsed from 'C' (zeros if none) */
};

/* postcat's name of a record type ("message_size", "named_attribute"). */
const char *qfile_rec_name(int type);

/*
 * Reads a whole queue file. 0, or -1 with e ("PATH: unexpected EOF in
 * data, record type 78 length 120"; "PATH: input is not a valid queue
 * file"). On error q holds the records read so far.
 */
int qfile_read(const char *path, struct qfile *q, struct err *e);
/* The same from memory; name is used in error texts. */
int qfile_parse(const char *name, const void *buf, size_t len, struct qfile *q,
		struct err *e);
void qfile_init(struct qfile *q);
void qfile_reset(struct qfile *q);
/* The first record of a type at or after index *from (may be NULL); NULL
 * if none. */
const struct qfile_rec *qfile_find(const struct qfile *q, int type,
				   size_t *from);
/* The value of named attribute `name`, or NULL. */
const char *qfile_attr(const struct qfile *q, const char *name);

/* Appends one encoded record to a memory buffer (tests, IPC). */
struct buf;
void qfile_encode(struct buf *b, int type, const void *data, size_t len);

/* A queue file being written. */
struct qfile_writer {
	int fd;
	char *path;		/* SPOOL/<queue>/<ID> (the temporary name
				   before qfile_create returns) */
	char *dir;		/* SPOOL/<queue> */
	int mode;		/* the final mode: 0700 | extra */
	char id[32];		/* queue ID, valid after qfile_create */
	long offset;		/* bytes written so far */
	int failed;		/* a write failed: commit will refuse */
	int errnum;
	int prepared;		/* qfile_prepare() done: mode set, fd open */
	int done;		/* committed: abort leaves the file alone */
	/* Records wait here and go to the file in large writes (one
	 * write(2) per record pair made a 4 KB message ~150 system calls). */
	char *wbuf;
	size_t wlen, wcap;
};

/* The owner-execute bit that marks a complete queue file. */
#define QFILE_READY_BIT 0100

/*
 * Creates SPOOL/QUEUE/<ID>, mode 0600 | extra_mode (postdrop: 0444, so
 * pickup tells its files from requeued ones), the queue ID made from usec
 * (the arrival microseconds, 0..999999) and the inode.
 * 0, or -1 with e set (nothing left behind).
 */
int qfile_create(struct qfile_writer *w, const char *spool, const char *queue,
		 int extra_mode, long usec, struct err *e);
/* Appends a record (buffered: the file has it by qfile_prepare() at the
 * latest). Errors are remembered for qfile_commit(). */
void qfile_put(struct qfile_writer *w, int type, const void *data, size_t len);
void qfile_puts(struct qfile_writer *w, int type, const char *s);
void qfile_putf(struct qfile_writer *w, int type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Overwrites bytes at an offset (the size record); keeps the end. */
void qfile_update(struct qfile_writer *w, long offset, const void *data,
		  size_t len);
/*
 * The ready mode (0700 | extra), fsync the file, fsync the directory: the
 * message is in its queue. *path_out (may be NULL) gets the path (caller
 * frees). On failure the file is removed. 0 or -1 with e set. The same as
 * qfile_prepare(), qfile_sync(), qfile_finish() in a row.
 */
int qfile_commit(struct qfile_writer *w, char **path_out, struct err *e);

/*
 * Group commit (the listener syncs several sessions' files together) in
 * three steps:
 *
 *   qfile_prepare()  checks the writes, gives the file its ready mode
 *                    (mail_stream_finish_file(): fchmod before fsync, so
 *                    one fsync makes content and mode durable); w->fd
 *                    stays open. -1 with e: the file is removed.
 *   qfile_sync()     fsync(fd), then fsync of the queue directory (its
 *                    entry for the file): 0 or the errno. Any thread may
 *                    do this part for any number of files, with one
 *                    directory fsync for all files of a directory (what
 *                    the caller then reports to each qfile_finish()).
 *   qfile_finish()   closes the file: with sync_errnum 0 the message is
 *                    queued (0, *path_out as for qfile_commit); else the
 *                    file is removed and -1 returned with e set.
 *
 * Nobody may be told the message is queued before qfile_finish() said 0.
 * Readers in the same process may see the ready file between prepare and
 * finish, as Postfix's qmgr may see one between cleanup's fchmod and its
 * fsync. qfile_abort() after prepare removes the file.
 */
int qfile_prepare(struct qfile_writer *w, struct err *e);
int qfile_sync(int fd, const char *dir);
int qfile_finish(struct qfile_writer *w, int sync_errnum, char **path_out,
		 struct err *e);
/* Drops an unfinished file (RSET, a lost connection): it is unlinked;
 * after qfile_commit() only memory is freed. Idempotent. */
void qfile_abort(struct qfile_writer *w);

#endif
