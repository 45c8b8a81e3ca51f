/*
 * console_frame: what the console must know of each protocol's framing
 * to show a session the way a telnet user has to read it, and no more:
 *
 *  - server side: where an answer ends (SMTP: the reply line with a
 *    space after the code, RFC 5321 4.2.1; POP3: the status line, or the
 *    "." after a multi-line answer of CAPA, LIST, UIDL, RETR, TOP, AUTH,
 *    RFC 1939 3; IMAP: the tagged line of the command's tag or a "+"
 *    continuation, RFC 3501 7, following literals {n} byte by byte),
 *    which lines get an explanation and which are payload (a message, a
 *    literal, a listing), and whether the server agreed to TLS or will
 *    hang up;
 *  - client side: whether a typed line is a new command, message text
 *    (SMTP DATA, an IMAP literal) or the continuation a "+" / 334 asked
 *    for, and whether an answer is due for it.
 *
 * These are reference/capture.py's completion rules, which the replayed
 * transcripts were recorded with. The display itself is console.c's.
 */
#ifndef MAILLAB_CONSOLE_FRAME_H
#define MAILLAB_CONSOLE_FRAME_H

#include <stddef.h>

#include "ui/explain.h"

struct console_frame;

/* What a line the learner typed is. */
struct console_frame_client {
	int command;	/* a new command: it heads the queue of commands
			   awaiting answers */
	int expect;	/* an answer is due for it (0: message text) */
	const char *pseudo;	/* a pseudo-command to queue instead of
				   the line ("(end of DATA)"), or NULL */
};

/* What a line the server sent is. */
struct console_frame_server {
	int explain;	/* explain this line */
	int data;	/* payload (message, literal, listing): shown plain */
	int done;	/* the answer the client waits for is complete */
	int finished;	/* ... and the oldest command is finished (not a
			   "+" / 334 / 354 asking for more of it) */
	int positive;	/* done: a yes (2xx/3xx, +OK, OK) */
	int tls;	/* done: the yes to STARTTLS / STLS: the handshake
			   comes next */
	int closing;	/* the server said it will close (221, 421,
			   * BYE, POP3's answer to QUIT) */
};

struct console_frame *console_frame_new(enum explain_proto proto);
void console_frame_free(struct console_frame **fp);

/* Classifies a line the learner is about to send (without line end). */
void console_frame_client_line(struct console_frame *f, const char *line,
			       struct console_frame_client *out);
/*
 * Classifies one line the server sent (n bytes, its LF included when it
 * has one), given the command at the head of the queue (the line as the
 * learner typed it, or a pseudo-command; "(greeting)" first).
 */
void console_frame_server_line(struct console_frame *f, const char *p,
			       size_t n, const char *command,
			       struct console_frame_server *out);
/*
 * What the learner is typing now, for the prompt: NULL for commands, or
 * "DATA" (message text), "literal" (IMAP literal bytes; *left_out gets
 * how many are due), "continue" (the answer to a "+" or 334).
 */
const char *console_frame_mode(const struct console_frame *f, long *left_out);
/* Nonzero while Tab should not complete verbs (not a command line). */
int console_frame_raw(const struct console_frame *f);

/* Tab completion: the protocol's verbs (NULL-terminated). */
const char *const *console_frame_verbs(enum explain_proto proto);
/* Verbs that take no argument (completed without a trailing space). */
int console_frame_bare_verb(enum explain_proto proto, const char *verb);
/* IMAP: the tag a new command would take next ("a1", "a2", ...); a new
 * string the caller frees. NULL for the other protocols. */
char *console_frame_next_tag(const struct console_frame *f);

#endif
