/*
 * server_session: one server session of a lab host, for any of the three
 * protocols, behind one set of calls: Postfix's smtpd (mta/smtp_server),
 * Dovecot's pop3 and imap (mda/pop3_server, mda/imap_server). The drivers
 * that move bytes for a single session - `serve --stdio`, the console's
 * simulated peer and replay - run it through this, so they treat the
 * three alike: feed what the client sent, run until the session wants
 * something (more input, a pause, a TLS handshake, the end), send what it
 * said. It owns no fd and reads no clock; TLS itself is the driver's
 * business (real in serve, simulated in the console and replay).
 */
#ifndef MAILLAB_SERVER_SESSION_H
#define MAILLAB_SERVER_SESSION_H

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/err.h"
#include "ui/explain.h"

struct host;

struct server_session_opts {
	enum explain_proto proto;	/* EXPLAIN_SMTP, _POP3, _IMAP */
	const char *client_addr;	/* NULL: "127.0.0.1" */
	const char *client_name;	/* SMTP's reverse name; NULL:
					   "localhost" on loopback, else
					   "unknown" */
	int client_port;		/* 0: one made up by the session */
	int tls_possible;		/* the driver can run TLS (STARTTLS,
					   STLS offered) */
	const char *service;		/* SMTP: master.cf service; NULL "smtp" */
};

enum server_session_act {
	SERVER_SESSION_NEED_INPUT,	/* send the output; feed more */
	SERVER_SESSION_DELAY,		/* send the output, wait, run again */
	SERVER_SESSION_STARTTLS,	/* send the output, do the handshake,
					   then _tls_started or _tls_failed */
	SERVER_SESSION_CLOSE,		/* send the output, then close */
};

struct server_session;

/*
 * A session of host h (borrowed: it must outlive the session) for the
 * client in o (strings copied). Reads the host's configuration now; the
 * greeting comes out of the first server_session_run(). NULL with e set
 * when the host's Dovecot configuration is broken.
 */
struct server_session *server_session_new(struct host *h,
					  const struct server_session_opts *o,
					  mtime_t now, struct err *e);
/* Frees the session (an open SMTP transaction is rolled back, a POP3 or
 * IMAP mailbox written and closed); sets *sp = NULL. */
void server_session_free(struct server_session **sp);

enum explain_proto server_session_proto(const struct server_session *s);
void server_session_feed(struct server_session *s, const void *buf,
			 size_t len, mtime_t now);
/* The client went away (EOF): the session logs it as its server does. */
void server_session_eof(struct server_session *s, mtime_t now);
/* Runs until the driver must act; *delay_ms_out is set for DELAY. */
enum server_session_act server_session_run(struct server_session *s,
					   mtime_t now, long *delay_ms_out);
/* The bytes for the client; the driver consumes them (buf_clear). */
struct buf *server_session_output(struct server_session *s);
/* After SERVER_SESSION_STARTTLS: the handshake worked. */
void server_session_tls_started(struct server_session *s, mtime_t now);
/*
 * After SERVER_SESSION_STARTTLS: the handshake failed. result is
 * Postfix's word ("-1", "lost connection", "timeout"), problem the TLS
 * library's error text or NULL (smtpd_tls_failed()). The session logs
 * it and is over: the next run says CLOSE and nothing more is sent.
 */
void server_session_tls_failed(struct server_session *s, const char *result,
			       const char *problem, mtime_t now);
/* SMTP: the queue ID of the last message accepted, or NULL (also for
 * POP3 and IMAP). */
const char *server_session_last_queue_id(const struct server_session *s);
/* IMAP IDLE: while server_session_idling(), call this every second or
 * so, then run again, so that new mail is pushed to the client. */
void server_session_tick(struct server_session *s, mtime_t now);
int server_session_idling(const struct server_session *s);

#endif
