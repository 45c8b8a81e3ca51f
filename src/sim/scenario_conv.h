/*
 * scenario_conv: the client side of the demo's sessions. A client types
 * its lines one at a time, each after the reply to the one before (no
 * pipelining), to a server session of a host: Postfix's smtpd
 * (mta/smtp_server.h) or, when they are in the build, Dovecot's POP3 and
 * IMAP (mda/pop3_server.h, mda/imap_server.h). Both ends are traced: the
 * client's lines here, the server's by the server session.
 *
 * Also what a mail program types: submission on 587 (EHLO, STARTTLS,
 * EHLO, AUTH PLAIN, the envelope, the dot-stuffed message, QUIT) and a
 * reader (POP3: USER, PASS, STAT, LIST, RETR 1, DELE 1, QUIT; IMAP:
 * LOGIN, SELECT INBOX, FETCH 1 (FLAGS BODY[]), LOGOUT).
 */
#ifndef MAILLAB_SCENARIO_CONV_H
#define MAILLAB_SCENARIO_CONV_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/trace.h"
#include "sim/scenario.h"

struct host;

/* What the server session wants from the driver next. */
enum scenario_conv_act {
	SCENARIO_CONV_INPUT,	/* the client's next line */
	SCENARIO_CONV_DELAY,	/* a pause (passes at once on a fixed clock) */
	SCENARIO_CONV_STARTTLS,	/* TLS starts now */
	SCENARIO_CONV_CLOSE,	/* the server hung up */
};

/* One protocol's server session behind a common face. */
struct scenario_conv_ops {
	const char *protocol;		/* for the client's trace events */
	void *(*open)(struct host *h, const char *name, const char *addr, int port,
		      int tls, mtime_t now);
	void (*feed)(void *s, const void *p, size_t n, mtime_t now);
	enum scenario_conv_act (*run)(void *s, mtime_t now);
	struct buf *(*output)(void *s);
	void (*eof)(void *s, mtime_t now);
	void (*tls_started)(void *s, mtime_t now);
	void (*close)(void *s);
};

extern const struct scenario_conv_ops scenario_conv_smtp;
/* Dovecot's sessions, or NULL when they are not in this build. */
const struct scenario_conv_ops *scenario_conv_pop3(void);
const struct scenario_conv_ops *scenario_conv_imap(void);

/*
 * Runs one session to its end: client is "name[addr]" (the name is the
 * trace's host of the client's events, process theirs), port the
 * server's (587 means the submission service). down: the host does not
 * answer (a "tcp" event says so). tls: STARTTLS/STLS may be used (the
 * lab's TLS is simulated by the session). now stays fixed throughout.
 */
void scenario_conv_run(const struct trace_sink *t, mtime_t now,
		       const struct scenario_conv_ops *ops, struct host *h, int down,
		       const char *client, int port, const char *process,
		       char *const *lines, size_t nlines, int tls);

/* The lines a mail program types to submit a's message (data: headers,
 * empty line, body, LF-separated). Free with scenario_conv_script_free. */
char **scenario_conv_mua_script(const struct scenario_action *a,
				const char *helo_name, const char *data,
				size_t *n_out);
/* The lines a reader types for a fetch action (a->proto); NULL with
 * *n_out = 0 when POP3/IMAP are not in this build. */
char **scenario_conv_fetch_script(const struct scenario_action *a,
				  const char *user, const char *password,
				  size_t *n_out);
void scenario_conv_script_free(char **v, size_t n);

/* "name[addr]" -> name and addr (addr NULL without brackets); caller frees. */
void scenario_conv_split_client(const char *client, char **name_out,
				char **addr_out);

#endif
