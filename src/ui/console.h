/*
 * console: the telnet-like session a learner types SMTP, POP3 or IMAP
 * into. It sends each line with CRLF, shows the server's lines apart from
 * the client's (colour on a terminal), and under each reply a one-line
 * explanation (explain.h). It follows the conversation just enough to
 * know which command an answer belongs to, where a multi-line answer
 * ends, and whether the lines typed are commands or something else
 * (SMTP message text after 354, IMAP literal bytes, the answer to a
 * challenge): console_frame.h.
 *
 * The server side is a struct console_peer: a session of a simulated
 * host (console_sim.c) or a real server over TCP (console_net.c). Peers
 * report what the server does through console_server_*(). The terminal
 * (readline, completion, history) is console_term.c; a non-terminal
 * stdin is read by console_run_stream() and gives a stable, diffable
 * transcript:
 *
 *	S: 220 centos.localdomain ESMTP Postfix (Debian/GNU)
 *	   = 220 = service ready. The server speaks first: ...
 *	C: HELO localhost
 *	S: 250 centos.localdomain
 *	   = 250 = requested action done. HELO introduces ...
 */
#ifndef MAILLAB_CONSOLE_H
#define MAILLAB_CONSOLE_H

#include <stddef.h>
#include <stdio.h>

#include "ui/explain.h"

struct console;

struct console_peer {
	/*
	 * Sends len bytes (len 0: nothing, just wait for the greeting) and
	 * reports the server's answer through console_server_*() until
	 * `expect` complete replies came (the simulator reports everything
	 * the engine says at once and may ignore it). 0, or -1 when the
	 * connection is gone (after console_server_closed()).
	 */
	int (*send)(struct console_peer *p, struct console *c, const void *buf,
		    size_t len, int expect);
	/* The learner left (Ctrl-D, end of input): close our side. */
	void (*leave)(struct console_peer *p, struct console *c);
	void (*free)(struct console_peer *p);
	/*
	 * While the learner types: report what the server says unasked
	 * (IMAP IDLE updates, a timeout's goodbye) without waiting. May be
	 * NULL. 0, or -1 when the connection is gone.
	 */
	int (*poll)(struct console_peer *p, struct console *c);
	/* The completion words for the first word of a line (NULL-terminated);
	 * NULL: the protocol's verbs. */
	const char *const *verbs;
};

struct console_opts {
	enum explain_proto proto;
	int explain;		/* a line under each reply */
	int color;		/* ANSI colours */
	int interactive;	/* a person at a terminal: readline, no "C:" echo */
	int width;		/* wrap explanations at this many columns; 0: one line */
	FILE *out;
};

struct console *console_new(const struct console_opts *o,
			    struct console_peer *peer);
/* Frees the console and its peer; sets *cp = NULL. */
void console_free(struct console **cp);

/* Waits for and shows the greeting. 0, or -1 when the server closed. */
int console_start(struct console *c);
/*
 * Handles one line the learner typed (without line end): shows it (not
 * when interactive: the terminal already did), sends it with CRLF, shows
 * the replies. 0 to go on, 1 when the session is over (server closed).
 */
int console_line(struct console *c, const char *line);
/* The learner is leaving: tells the peer and says so. */
void console_leave(struct console *c);
/* Nonzero while the lines typed are not commands: message text (after
 * 354), IMAP literal bytes, or the answer to a "+" / 334 challenge. */
int console_in_data(const struct console *c);
/* What the learner types now, for the prompt: NULL for commands, else
 * "DATA", "literal" (*left_out: bytes due), "rest", "continue" or
 * "idle" (IMAP IDLE: DONE ends it). */
const char *console_mode(const struct console *c, long *left_out);
enum explain_proto console_proto(const struct console *c);
/* IMAP: the next tag in the learner's style ("a3"); caller frees. NULL
 * for the other protocols. */
char *console_next_tag(const struct console *c);
/* Nonzero once the server has closed the connection. */
int console_closed(const struct console *c);
const char *const *console_verbs(const struct console *c);

/* Reads lines from in until it ends or the server closes (no prompts).
 * Returns the exit status (0). */
int console_run_stream(struct console *c, FILE *in);
/* The terminal loop (console_term.c): readline with history and Tab
 * completion of verbs; Ctrl-D leaves. color: colour the prompt. Returns
 * the exit status (0). */
int console_run_terminal(struct console *c, int color);

/* For peers: what the server said or did. */
void console_server_bytes(struct console *c, const void *p, size_t n);
void console_server_delay(struct console *c, long ms);
void console_server_event(struct console *c, const char *text);
void console_server_closed(struct console *c);
/* For peers and the terminal: a note for the learner (translated text). */
void console_note(struct console *c, const char *text);
/* Number of complete replies the console has seen so far. */
unsigned long console_replies_seen(const struct console *c);
/* The code of the last complete reply (220, 250, ...), 0 before any
 * (SMTP; POP3 and IMAP answers have no code). */
int console_last_reply_code(const struct console *c);
/* The server said it will close (221, 421, * BYE, the answer to QUIT):
 * a peer should wait for the close itself. */
int console_closing(const struct console *c);
/* Nonzero once: the server has just agreed to STARTTLS/STLS, so the
 * handshake comes next (cleared by the call). */
int console_take_tls(struct console *c);
/*
 * While the learner types: shows what the server says unasked (peer's
 * poll). before(ctx) is called once before the first thing is printed
 * (the terminal clears its prompt line). 1 when something was printed,
 * 0 when not, -1 when the connection is gone.
 */
int console_poll(struct console *c, void (*before)(void *ctx), void *ctx);

#endif
