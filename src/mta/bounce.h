/*
 * bounce: Postfix's bounce(8) notices, the text only. A non-delivery
 * notice ("Undelivered Mail Returned to Sender", the failure template)
 * or a delay warning ("Delayed Mail (still being retried)", the delay
 * template) as RFC 3464 multipart/report: the human part in Postfix 3.7's
 * built-in template wording, one "<rcpt>: reason" paragraph per
 * recipient wrapped as Postfix's line_wrap() does (79 columns, 4 spaces
 * of indent), the message/delivery-status part (Reporting-MTA,
 * X-Postfix-Queue-ID, X-Postfix-Sender, Arrival-Date, then per recipient
 * Final-Recipient, Original-Recipient, Action, Status, Remote-MTA,
 * Diagnostic-Code, Will-Retry-Until), and the original message (all of
 * it for a failure, its headers for a warning).
 * Byte for byte as reference/mailboxes/root-bounce.mbox.
 *
 * Who gets it (the envelope sender; never the null sender), queuing it
 * through cleanup and logging "sender non-delivery notification: ID" is
 * the caller's (qmgr's) business; cleanup adds Received: and Message-Id:.
 */
#ifndef MAILLAB_BOUNCE_H
#define MAILLAB_BOUNCE_H

#include <stddef.h>

#include "lib/clock.h"

enum bounce_kind {
	BOUNCE_FAILURE,		/* non-delivery: Action: failed */
	BOUNCE_DELAY,		/* delay warning: Action: delayed */
};

struct bounce_rcpt {
	const char *address;	/* "nosuchuser@centos.localdomain" */
	const char *orig;	/* as given ("nosuchuser"); "expanded from"
				   when it differs; NULL: same */
	const char *dsn_orig;	/* "rfc822;x@y" (DSN ORCPT); NULL: "rfc822;"
				   + address */
	const char *status;	/* "5.1.1" */
	const char *reason;	/* "unknown user: \"nosuchuser\"", "host
				   mail.b.example[198.51.100.20] said: 550 ..." */
	const char *mta;	/* Remote-MTA name, NULL for local failures */
	const char *diag;	/* the remote reply ("550 5.1.1 ..."): then
				   Diagnostic-Code is "smtp; diag"; NULL:
				   "X-Postfix; reason" */
};

struct bounce_in {
	enum bounce_kind kind;
	const char *myhostname;
	const char *queue_id;		/* the original message's ID */
	const char *sender;		/* its envelope sender (the notice's To:) */
	mtime_t arrival;		/* its arrival time */
	mtime_t now;			/* the notice's Date: and boundary */
	const struct bounce_rcpt *rcpts;
	size_t nrcpt;
	const char *content;		/* the original message, LF lines */
	size_t len;
	long bounce_size_limit;		/* bytes of the original to return
					   (50000); 0: all */
	long delay_warning_time;	/* seconds (BOUNCE_DELAY template) */
	long maximal_queue_lifetime;	/* seconds (template, Will-Retry-Until) */
};

/*
 * The notice as bounce(8) hands it to cleanup: *headers_out (Date, From,
 * Subject, To, Auto-Submitted, MIME-Version, Content-Type,
 * Content-Transfer-Encoding; each line ending in LF) and *body_out (from
 * "This is a MIME-encapsulated message." to the closing boundary, LF
 * line ends). Caller frees both.
 */
void bounce_notice(const struct bounce_in *in, char **headers_out,
		   char **body_out);

/* RFC 5322 date as Postfix's mail_date(): "Sat, 28 Nov 2026 22:05:22
 * +0000 (UTC)", "Thu,  3 Dec 2026 ..." (mta/mail_date.h). Caller frees. */
char *bounce_mail_date(mtime_t t);

/* Postfix's line_wrap(): lines of at most width characters (breaking at
 * blanks), continuation lines indented by indent. Appends each line and
 * a newline to out. */
struct buf;
void bounce_wrap(struct buf *out, const char *text, int width, int indent);

#endif
