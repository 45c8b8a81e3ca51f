/*
 * post_mail: a message that Postfix makes itself, into incoming/ (the
 * real post_mail() hands it to cleanup): a bounce notice from bounce(8),
 * a copy that local(8) forwards for an alias. The queue file has the
 * layout cleanup writes (mta/qfile.h: size, time, attributes, sender,
 * recipients, content, end); the content gets, when asked, bounce's
 * "Received: by HOST (Postfix)" line first and, when it has none, a
 * Message-Id: <YYYYMMDDhhmmss.ID@myhostname> after its other headers,
 * as cleanup adds them. Logs "cleanup[PID]: ID: message-id=<...>".
 */
#ifndef MAILLAB_POST_MAIL_H
#define MAILLAB_POST_MAIL_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"

struct host;

struct post_mail {
	const char *sender;		/* "" for bounces */
	const char *const *rcpts;
	size_t nrcpt;
	const char *content;		/* headers, empty line, body; LF lines */
	size_t len;
	int received;			/* prepend "Received: by HOST (Postfix)" */
	const char *prepend;		/* header lines to put first (forward's
					   Delivered-To:), or NULL */
};

/* 0 with id_out (>= 32 bytes) and *size_out, or -1 with e (nothing left
 * in the queue). */
int post_mail(struct host *h, mtime_t now, const struct post_mail *pm,
	      char *id_out, long *size_out, struct err *e);

#endif
