/*
 * narrator_explain: the one short sentence under each step of the demo:
 * what this command and its reply mean (RFC 5321, 1939, 3501) or what
 * this Postfix / Dovecot process just did (read from its mail.log line).
 * The texts are static tables marked N_() and translated at use; the
 * console's explain module gives the line-by-line meaning of reply codes,
 * this one tells the story of the hop.
 */
#ifndef MAILLAB_NARRATOR_EXPLAIN_H
#define MAILLAB_NARRATOR_EXPLAIN_H

#include "ui/flow.h"

/*
 * The explanation of step s (translated), or NULL when there is nothing
 * useful to say. The tables first; else an event's own note.
 * Borrowed: static or owned by f.
 */
const char *narrator_explain_step(const struct flow *f,
				  const struct flow_step *s);

/* The client's command verb of a line: "MAIL" for "MAIL FROM:<a@b>",
 * "SELECT" for "a7 SELECT INBOX" (protocol "imap"); into buf. */
void narrator_explain_verb(const char *protocol, const char *line,
			   char *buf, size_t n);

#endif
