/*
 * explain: one line for a learner under every server reply - what the
 * reply code means (RFC 5321 4.2), what the enhanced status code means
 * (RFC 3463, RFC 2034), and what the command that caused it does or why
 * the server answered so (with the Postfix parameter behind it when there
 * is one). Where the study note (seed/000_...) is wrong, the explanation
 * says so: SMTPS is port 465, not 443; submission is 587.
 *
 * The lookup is protocol-neutral: explain_reply(proto, command, reply).
 * Each protocol brings its own tables through one row of explain.c:
 * explain_smtp.c (reply codes, enhanced codes, EHLO keywords),
 * explain_pop3.c (+OK/-ERR, response codes, CAPA), explain_imap.c
 * (tagged and untagged responses, response codes). All texts are static
 * tables marked N_() and translated at use. Who talks to whom (terminal,
 * transcript) is the console's business.
 */
#ifndef MAILLAB_EXPLAIN_H
#define MAILLAB_EXPLAIN_H

#include <stddef.h>

enum explain_proto {
	EXPLAIN_SMTP,
	EXPLAIN_POP3,
	EXPLAIN_IMAP,
};

/* "smtp", "pop3", "imap" (any case) -> 0 and *out; -1 for anything else. */
int explain_proto_from_name(const char *name, enum explain_proto *out);

/*
 * One line (no newline), translated, explaining one line of a reply.
 *
 * command: the client's line as sent, without CRLF ("MAIL FROM: root"), or
 * a verb as in reference/replies-catalogue.txt ("MAIL FROM", "FOO<n>");
 * NULL or "(greeting)" for the greeting; "(end of DATA)" or "." for the
 * reply to the end of a message; "" or "(empty line)" for an empty line.
 * reply: one reply line without CRLF ("250-PIPELINING", "250 2.1.0 Ok",
 * "+OK 3 1536", "* 3 EXISTS", "a7 OK [READ-WRITE] Select completed ...");
 * POP3: a line of a multi-line answer is explained as an item of it
 * (CAPA's capabilities, AUTH's mechanisms). IMAP commands are lines with
 * their tag ("a7 SELECT INBOX") or the catalogue's verbs ("UID FETCH").
 *
 * Returns a new string the caller frees; every reply line of every
 * protocol gets a non-empty explanation (by the code's digits, the status
 * word, the kind of response, when nothing specific is known).
 */
char *explain_reply(enum explain_proto proto, const char *command,
		    const char *reply);

/*
 * What a client command does, one translated line, or NULL when the
 * protocol has none or the verb is unknown to it. Same command forms as
 * above. Caller frees.
 */
char *explain_command(enum explain_proto proto, const char *command);

/*
 * Why the server pauses ms milliseconds before it answers, one translated
 * line in brackets; never NULL. Caller frees.
 */
char *explain_delay(enum explain_proto proto, long ms);

/*
 * What the three protocols' files share (explain.c): their tables and
 * the one way they are searched.
 */

/* A word and its text: commands (verb -> what it does), EHLO keywords,
 * CAPA capabilities, response codes. text is N_(). */
struct explain_word {
	const char *word;
	const char *text;
};

/* The row whose word is the len bytes at s (any case), or NULL. */
const struct explain_word *explain_word_find(const struct explain_word *t, size_t n,
			      const char *s, size_t len);

/*
 * The rule matcher of every protocol's table: n rows of size bytes,
 * each starting with its verb (const char *; NULL: any command). The
 * first row for this very verb that fits(row, ctx) wins, else the first
 * for any command that fits; NULL if none.
 */
const void *explain_rule_find(const void *rules, size_t n, size_t size,
			      const char *verb,
			      int (*fits)(const void *row, const void *ctx),
			      const void *ctx);

/* Whether needle is in hay, in any case. */
int explain_contains_nocase(const char *hay, const char *needle);

/*
 * The line as all three protocols put it: "KIND; CODE. WHY", leaving out
 * a NULL code or why (why is N_(), translated here). Caller frees.
 */
char *explain_compose(const char *kind, const char *code, const char *why);

/* Each protocol's tables (explain_smtp.c, explain_pop3.c,
 * explain_imap.c), reached through the ones above. */
char *explain_smtp_reply(const char *command, const char *reply);
char *explain_smtp_command(const char *command);
char *explain_smtp_delay(long ms);
char *explain_pop3_reply(const char *command, const char *reply);
char *explain_pop3_command(const char *command);
char *explain_pop3_delay(long ms);
char *explain_imap_reply(const char *command, const char *reply);
char *explain_imap_command(const char *command);
char *explain_imap_delay(long ms);

#endif
