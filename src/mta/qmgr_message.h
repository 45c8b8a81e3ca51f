/*
 * qmgr_message: one queue file as the queue manager and the admin tools
 * see it (Postfix's qmgr_message.c): the envelope (arrival time, sender,
 * each recipient with its original form, DSN original recipient and the
 * offset of its record, done or not), the size, and the content
 * rebuilt from its text records (LF line ends).
 *
 * A file that cannot be read as a queue file, or lacks the records every
 * message has (size, time, sender, content, end), is corrupt: the caller
 * moves it to corrupt/ with Postfix's warning, and carries on.
 */
#ifndef MAILLAB_QMGR_MESSAGE_H
#define MAILLAB_QMGR_MESSAGE_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

struct host;

struct qmgr_rcpt {
	char *address;		/* the R (or D) record: canonical */
	char *orig;		/* the O record before it, or "" */
	char *dsn_orig;		/* dsn_orig_rcpt attribute, or NULL */
	long offset;		/* where its record starts (for marking done) */
	int done;		/* a D record: delivered or bounced already */
};

struct qmgr_message {
	char *id;
	char *queue;
	char *path;
	char *sender;		/* "" for the null sender */
	mtime_t arrival;	/* T record */
	mtime_t create;		/* create_time attribute (or arrival) */
	long size;		/* content size as qmgr logs it (size=...) */
	int uid;		/* maildrop files: the submitting uid, else -1 */
	struct qmgr_rcpt *rcpts;
	size_t nrcpt;
	size_t ndone;
	char *content;		/* headers, empty line, body; LF line ends */
	size_t len;
	char *log_client;	/* log_message_origin attribute, or NULL */
	mtime_t warn_time;	/* W record: when to send the delay notice;
				   0: none asked or already sent */
	long warn_offset;	/* where the W record starts, or -1 */
};

/*
 * Reads queue/id of h into *m (qmgr_message_reset when done, also after
 * a failure). 0; -1 with e when the file is missing (errnum ENOENT) or
 * corrupt (errnum 0: e->text is the reason, for the warning).
 */
int qmgr_message_load(struct host *h, const char *queue, const char *id,
		      struct qmgr_message *m, struct err *e);
/* The same from a file path (maildrop, postcat of a path). */
int qmgr_message_load_path(const char *path, const char *id,
			   struct qmgr_message *m, struct err *e);
void qmgr_message_reset(struct qmgr_message *m);

#endif
