/*
 * smtpc: the SMTP client engine, sans-I/O (RFC 5321 client side, with the
 * ESMTP extensions Postfix's smtp(8) uses: PIPELINING (RFC 2920), SIZE
 * (RFC 1870), 8BITMIME, DSN ORCPT (RFC 3461), STARTTLS (RFC 3207)).
 *
 * One engine delivers one message over one connection, as Postfix's
 * smtp(8) does without connection caching: wait for the greeting, EHLO
 * (HELO when EHLO is refused with 5xx), STARTTLS when offered and wanted,
 * MAIL FROM, RCPT TO for each recipient, DATA, the dot-stuffed content,
 * QUIT. With PIPELINING offered, MAIL, the RCPTs and DATA go in one write.
 *
 * Bytes in (smtpc_feed: the server's replies), bytes out (smtpc_output:
 * the commands and the content), events out (smtpc_next). No socket, no
 * clock, no file. When the session ends every recipient has a status:
 * the reply that accepted it at the end of DATA, or the reply that
 * refused it (or the whole message), with the command it answered, so
 * the caller can write Postfix's "host X said: 550 ... (in reply to RCPT
 * TO command)" and choose between deferral and bounce.
 */
#ifndef MAILLAB_SMTPC_H
#define MAILLAB_SMTPC_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/clock.h"

enum smtpc_tls {
	SMTPC_TLS_NONE,		/* smtp_tls_security_level = (empty), none */
	SMTPC_TLS_MAY,		/* use STARTTLS when the server offers it */
	SMTPC_TLS_ENCRYPT,	/* refuse to send without STARTTLS */
};

/* Strings are borrowed and must outlive the engine. */
struct smtpc_conf {
	const char *helo_name;	/* smtp_helo_name ($myhostname) */
	enum smtpc_tls tls;
	int no_pipelining;	/* do not pipeline even when offered */
	long max_reply_line;	/* longest reply line kept; 0: 2048 */
};

struct smtpc_msg {
	const char *sender;		/* "" for the null sender */
	const char *const *rcpts;	/* nrcpt addresses */
	const char *const *orcpts;	/* ORCPT values ("rfc822;bob@b.example")
					   or NULL entries; NULL: none */
	size_t nrcpt;
	const char *data;		/* the message, LF or CRLF lines, not stuffed */
	size_t len;
	long size;			/* for SIZE=; < 0: len */
	int eightbit;			/* send BODY=8BITMIME when offered */
};

enum smtpc_why {
	SMTPC_WHY_NONE,		/* no outcome yet */
	SMTPC_WHY_REPLY,	/* the server's reply decided (code, text) */
	SMTPC_WHY_LOST,		/* the connection was lost; text is the phase */
	SMTPC_WHY_LOCAL,	/* the client gave up: text is Postfix's reason
				   without the server name ("message size 9 exceeds
				   size limit 5 of server", "TLS is required, but
				   was not offered by host"); the caller appends
				   " HOST[ADDR]" */
};

/* What the server said to one command, or why the session failed. */
struct smtpc_status {
	enum smtpc_why why;
	int code;		/* 250, 550...; 0: no reply (connection lost) */
	char dsn[16];		/* "5.1.1" from the reply or derived from code */
	const char *text;	/* the reply, lines joined with a space; or, when
				   code is 0, the phase for Postfix's "lost
				   connection with HOST while <text>"
				   ("receiving the initial server greeting") */
	const char *in_reply_to;/* "RCPT TO command", "end of DATA command",
				   "MAIL FROM command", "DATA command",
				   "EHLO command", "HELO command",
				   "STARTTLS command", "initial greeting"(*) */
};
/* (*) for a refused greeting Postfix writes "refused to talk to me". */

enum smtpc_ev_type {
	SMTPC_EV_SEND,		/* text: a command line just queued (no CRLF);
				   the content is not reported line by line */
	SMTPC_EV_REPLY,		/* text: one reply line received (no CRLF) */
	SMTPC_EV_STARTTLS,	/* send the output, start TLS, then
				   smtpc_tls_started() */
	SMTPC_EV_CLOSE,		/* the session is over: send the output, close */
};

struct smtpc_event {
	enum smtpc_ev_type type;
	const char *text;	/* borrowed until the next call */
};

struct smtpc;

struct smtpc *smtpc_new(const struct smtpc_conf *conf,
			const struct smtpc_msg *msg, mtime_t now);
void smtpc_free(struct smtpc **cp);
/* Copies the bytes in; processed by smtpc_next(). */
void smtpc_feed(struct smtpc *c, const void *buf, size_t len, mtime_t now);
/* The server closed the connection. */
void smtpc_eof(struct smtpc *c, mtime_t now);
/* 1 with *ev_out, or 0 when it needs more input (or is closed). */
int smtpc_next(struct smtpc *c, struct smtpc_event *ev_out, mtime_t now);
struct buf *smtpc_output(struct smtpc *c);
void smtpc_tls_started(struct smtpc *c, mtime_t now);
int smtpc_closed(const struct smtpc *c);
/* Nonzero when TLS was started during the session. */
int smtpc_tls_active(const struct smtpc *c);

/* Recipient i's outcome; valid once closed (code 0 and text "" before). */
const struct smtpc_status *smtpc_rcpt_status(const struct smtpc *c, size_t i);
/* The greeting's reply code (0 before it came), e.g. to tell "refused to
 * talk to me" from a later failure. */
int smtpc_greeting_code(const struct smtpc *c);

const char *smtpc_ev_type_name(enum smtpc_ev_type t);

#endif
