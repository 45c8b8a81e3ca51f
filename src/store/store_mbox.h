/*
 * store_mbox: the locks around an mbox file, shared by everyone who
 * writes one: Dovecot's side (store_mbox*.c) and the MDA (local delivery
 * into /var/mail/USER). Debian's Dovecot uses mbox_write_locks = fcntl
 * dotlock and mbox_read_locks = fcntl; Postfix's local on Debian uses
 * mailbox_delivery_lock = fcntl, dotlock. Writers take the dotlock first
 * (USER.lock next to the file, created with O_EXCL), then a fcntl write
 * lock on the open file; readers take a fcntl read lock only.
 *
 * The mbox store rewrites a file by renaming a new copy over it (see
 * docs/store.md), so a writer must open the file *after* it holds the
 * dotlock, or check with store_mbox_lock_same_file() that the file it
 * opened is still the one at `path`. store_mbox_deliver() does all of this
 * for an MDA.
 */
#ifndef MAILLAB_STORE_MBOX_H
#define MAILLAB_STORE_MBOX_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* How long to wait for a lock before giving up (Dovecot: 5 min). */
#define STORE_MBOX_LOCK_TIMEOUT_MS 10000
/* A dotlock older than this is stale (Dovecot's
 * mbox_dotlock_change_timeout, 2 min) and is taken over. */
#define STORE_MBOX_DOTLOCK_STALE_S 120

struct store_mbox_lock {
	int fd;			/* borrowed: the file's descriptor */
	char *dotlock;		/* "path.lock" while we hold it, else NULL */
	int fcntl_held;
};

/*
 * Takes the locks on `path` (open as fd): write != 0 takes the dotlock
 * and a fcntl write lock, else a fcntl read lock only. 0, or -1 with e
 * set (EAGAIN after timeout_ms). Release with store_mbox_lock_release().
 */
int store_mbox_lock_acquire(const char *path, int fd, int write,
			    long timeout_ms, struct store_mbox_lock *l,
			    struct err *e);
/* Drops whatever l holds; safe to call twice. */
void store_mbox_lock_release(struct store_mbox_lock *l);
/* 1 when fd is still the file at path (no rename happened), else 0. */
int store_mbox_lock_same_file(const char *path, int fd);

/*
 * Appends one message to the mbox at path as an MDA does: the From_ line
 * "From <sender>  <ctime of date>", the message with ">From " quoting of
 * body lines that would look like a new message, an empty line. The file
 * is created 0600 if missing. The locks are taken and dropped here.
 * data has LF or CRLF line ends. 0, or -1 with e set.
 */
int store_mbox_deliver(const char *path, const char *sender, int64_t date,
		       const char *data, size_t len, struct err *e);

struct stat;
/*
 * \Marked or \UnMarked (enum store_folder_attr) for an mbox folder file,
 * as Dovecot 2.3's mailbox-list-fs-flags.c decides it: an empty file is
 * \UnMarked, one written since it was last read (atime < mtime) \Marked,
 * else \UnMarked. Dovecot compares whole seconds; here the nanoseconds
 * count too, so a session faster than the captured one (a second passed
 * there between CREATE and COPY) shows the same flags. Writers that read
 * their own message back put the atime back (store_mbox_write_append), as
 * Dovecot's save does. INBOX is not asked: Dovecot lists it without.
 */
unsigned store_mbox_marked(const struct stat *st);

#endif
