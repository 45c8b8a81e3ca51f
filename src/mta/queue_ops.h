/*
 * queue_ops: the queue directories of a host
 * (ROOT/hosts/H/var/spool/postfix/<queue>/), as Postfix lays them out:
 * maildrop, incoming, active, deferred, hold, corrupt hold whole
 * messages; defer and bounce hold per-message logs of recipients that
 * were deferred or bounced. deferred/ and defer/ are hashed one level
 * deep by the first character of the queue ID (hash_queue_names,
 * hash_queue_depth = 1: deferred/A/ACCB9104558), the others are flat.
 *
 * A move between queues is one rename(2), traced as one event
 * (protocol "queue"). The time a deferred message is due again is its
 * file's mtime, as in Postfix.
 *
 * The defer and bounce logs use Postfix's bounce log layout: one block
 * of "name=value" lines per recipient, each block ending with an empty
 * line (recipient, offset, dsn_orig_rcpt, orig_rcpt, notify_flags,
 * status, diag_type, diag_text, mta_type, mta_name, action, reason).
 */
#ifndef MAILLAB_QUEUE_OPS_H
#define MAILLAB_QUEUE_OPS_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

struct host;

/* The queues that hold messages, in the order showq lists them. */
extern const char *const queue_ops_message_queues[];

/* 1 for a queue name Postfix has (message queues and logs), else 0. */
int queue_ops_known(const char *queue);
/* 1 for a Postfix short or long queue ID's characters ([0-9A-Za-z]). */
int queue_ops_valid_id(const char *id);

/* ROOT/hosts/H/var/spool/postfix/<queue>/[X/]ID; caller frees. */
char *queue_ops_path(const struct host *h, const char *queue, const char *id);
/* "deferred/A/ACCB9104558" as postcat names it; caller frees. */
char *queue_ops_relpath(const char *queue, const char *id);

/*
 * Moves a message between queues (rename), making the hash directory
 * when needed, and traces it as process (e.g. "postfix/qmgr").
 * 0, or -1 with e.
 */
int queue_ops_move(struct host *h, mtime_t now, const char *process,
		   const char *id, const char *from, const char *to,
		   struct err *e);
/* Removes a message file and its defer/bounce logs; traces it. */
int queue_ops_remove(struct host *h, mtime_t now, const char *process,
		     const char *queue, const char *id);

/* Nonzero when path is a complete queue file: a regular file with the
 * owner's rwx bits (Postfix's mail_open_ok(): MAIL_QUEUE_STAT_READY). */
int queue_ops_ready(const char *path);
/*
 * postsuper -p (also run by `postfix start`): removes from the message
 * queues every file that is not complete and older than a day (what a
 * crash left while cleanup or postdrop wrote it) and anything that is
 * not a regular file, silently as Postfix does. Returns how many.
 */
int queue_ops_purge_temp(const struct host *h, mtime_t now);

/* The queue that holds id (message queues only), or NULL. */
const char *queue_ops_find(const struct host *h, const char *id);

struct queue_ops_entry {
	char *id;
	char *path;
	mtime_t mtime;
};

/* The messages in a queue, sorted by mtime then ID. In the message
 * queues only complete files count (mode 0700, see queue_ops_ready()):
 * one cleanup or postdrop is still writing is not listed. */
size_t queue_ops_list(const struct host *h, const char *queue,
		      struct queue_ops_entry **out);
void queue_ops_entries_free(struct queue_ops_entry **ep, size_t n);

/* Sets a file's atime and mtime (a deferred file's due time). */
int queue_ops_set_mtime(const char *path, mtime_t t);

/* Marks the recipient record at offset done: its type byte becomes 'D'
 * (Postfix's REC_TYPE_DONE, written in place). 0 or -1 with e. */
int queue_ops_mark_done(const char *path, long offset, struct err *e);

/* After the delay notice: the W record at offset (warning_message_time)
 * is set to 0 in place, as qmgr_message_update_warn() does, so that the
 * notice goes out once. 0 or -1 with e. */
int queue_ops_clear_warn(const char *path, long offset, struct err *e);

/* One recipient in a defer or bounce log. */
struct queue_ops_log_rec {
	char *recipient;
	long offset;		/* its R record in the queue file */
	char *dsn_orig_rcpt;
	char *orig_rcpt;
	char *status;		/* "4.4.1" */
	char *action;		/* "delayed", "failed" */
	char *reason;		/* the text after "status=deferred (" */
	char *mta_name;		/* Remote-MTA, "" when local */
	char *diag_text;	/* the remote reply, "" when none */
};

/* Appends r to the log ("defer" or "bounce") of id. */
int queue_ops_log_append(const struct host *h, const char *logq,
			 const char *id, const struct queue_ops_log_rec *r,
			 struct err *e);
/* All recipients logged for id; 0 when there is no log. */
size_t queue_ops_log_read(const struct host *h, const char *logq,
			  const char *id, struct queue_ops_log_rec **out);
void queue_ops_log_free(struct queue_ops_log_rec **rp, size_t n);
void queue_ops_log_remove(const struct host *h, const char *logq,
			  const char *id);

#endif
