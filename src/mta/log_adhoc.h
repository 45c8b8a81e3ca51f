/*
 * log_adhoc: the delivery status line every Postfix delivery agent
 * writes (Postfix's global/log_adhoc.c):
 *   ID: to=<rcpt>, orig_to=<orig>, relay=R, delay=D, delays=a/b/c/d,
 *       dsn=X.Y.Z, status=sent (text)
 * orig_to only when it differs (case-insensitively) from to. delays are
 * a: before the queue manager (arrival -> active), b: in the queue
 * manager (active -> handed to the agent), c: connection set-up, d:
 * transmission; formatted with Postfix's format_tv(): two significant
 * digits below 10, at most two decimals, whole seconds from 100 on.
 */
#ifndef MAILLAB_LOG_ADHOC_H
#define MAILLAB_LOG_ADHOC_H

#include "lib/buf.h"
#include "lib/clock.h"

struct host;

/* Time stamps of one delivery; 0 = not reached (as Postfix's MSG_STATS). */
struct log_adhoc_times {
	mtime_t arrival;	/* the message entered the queue */
	mtime_t active;		/* qmgr moved it to active */
	mtime_t handoff;	/* qmgr gave it to the delivery agent */
	mtime_t conn_done;	/* smtp: the connection was set up */
	mtime_t done;		/* delivery finished (0: now) */
};

/* Appends ms milliseconds as Postfix prints a delay ("1.2", "0.03", "264"). */
void log_adhoc_format_tv(struct buf *b, mtime_t ms);

/* The line without the process prefix ("ID: to=<...>, ..."); caller frees. */
char *log_adhoc_line(const char *queue_id, const char *to,
		     const char *orig_to, const char *relay,
		     const struct log_adhoc_times *t, mtime_t now,
		     const char *dsn, const char *status, const char *text);

/* Logs it to h's mail.log as process ("postfix/local"). */
void log_adhoc(struct host *h, mtime_t now, const char *process,
	       const char *queue_id, const char *to, const char *orig_to,
	       const char *relay, const struct log_adhoc_times *t,
	       const char *dsn, const char *status, const char *text);

#endif
