/*
 * explain: one line for a learner under every server reply - what the
 * reply code means (RFC 5321 4.2), what the enhanced status code means
 * (RFC 3463, RFC 2034), and what the command that caused it does or why
 * the server answered so (with the Postfix parameter behind it when there
 * is one). Where the study note (seed/000_...) is wrong, the explanation
 * says so: SMTPS is port 465, not 443; submission is 587.
 *
 * The lookup is protocol-neutral: explain_reply(proto, command, reply).
 * Each protocol brings its own tables (explain_smtp.c); POP3 (+OK/-ERR)
 * and IMAP (tagged/untagged, response codes) plug in through the table in
 * explain.c. All texts are static tables marked N_() and translated at use.
 * Who talks to whom (terminal, transcript) is the console's business.
 */
#ifndef MAILLAB_EXPLAIN_H
#define MAILLAB_EXPLAIN_H

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
 * reply: one reply line without CRLF ("250-PIPELINING", "250 2.1.0 Ok").
 *
 * Returns a new string the caller frees. Every SMTP reply gets a non-empty
 * explanation (generic ones by the code's digits and the enhanced code's
 * class.subject when nothing specific is known). NULL when the protocol
 * has no explanations yet.
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

/* The SMTP tables (explain_smtp.c), reached through the ones above. */
char *explain_smtp_reply(const char *command, const char *reply);
char *explain_smtp_command(const char *command);
char *explain_smtp_delay(long ms);

#endif
