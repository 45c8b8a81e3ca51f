/*
 * imapd: the IMAP4rev1 server engine, sans-I/O (RFC 3501), as Dovecot
 * 2.3.19 answers: pre-login as imap-login (greeting, CAPABILITY, ID,
 * STARTTLS, LOGIN, AUTHENTICATE PLAIN with SASL-IR, NOOP, LOGOUT), then as
 * the imap process, with the extensions of the post-login CAPABILITY in
 * reference/transcripts/imap/01-session.txt (docs/imap.md says how far
 * each one goes).
 *
 * Bytes in (imapd_feed), bytes out (imapd_output), events out
 * (imapd_next). The engine never touches a socket, a file, a terminal or
 * a clock: `now` comes in with every call. It parses commands (literals
 * {n} with "+ OK" and LITERAL+ {n+}), checks states and arguments, and
 * answers with Dovecot's exact words, including the "(0.001 + 0.000
 * secs)." timing suffix of post-login tagged replies (always those
 * numbers, so transcripts are deterministic). Password checks are not its
 * business: it emits IMAPD_EV_AUTH and waits for imapd_auth_result(),
 * which hands it the user's mail store. Mail is reached only through
 * store/store.h.
 *
 * Driver loop:
 *
 *	imapd_feed(s, bytes, n, now);
 *	while (imapd_next(s, &ev, now) == 1) {
 *		handle ev (imapd_auth_result() for IMAPD_EV_AUTH);
 *		(on IMAPD_EV_DELAY: send imapd_output() first, then wait)
 *	}
 *	send and drain imapd_output(s); close when imapd_closed(s).
 *	While imapd_idling(s), call imapd_tick(s, now) now and then (each
 *	second or so): new mail and flag changes are pushed to the client.
 *
 * Dovecot's log lines (imap-login: Login: ..., imap(user)<pid><session>:
 * Disconnected: ...) come out as IMAPD_EV_LOG with the text after
 * "dovecot: "; the driver writes them to mail.log.
 */
#ifndef MAILLAB_IMAPD_H
#define MAILLAB_IMAPD_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/clock.h"

struct store_user;

/* The settings the engine obeys; strings are borrowed and must outlive it. */
struct imapd_conf {
	const char *login_greeting;	/* "Dovecot (Debian) ready." */
	const char *client_ip;		/* rip= in the log: "127.0.0.1" */
	const char *local_ip;		/* lip= */
	const char *session_id;		/* "rPZTWV1htIB/AAAB"; NULL: made
					   from the connect time, client_port
					   and client_ip as Dovecot does */
	int client_port;
	int mail_pid;			/* mpid= and imap(user)<pid> */
	int secured;			/* loopback or trusted: plaintext
					   auth allowed, logged "secured" */
	int tls_offer;			/* STARTTLS possible */
	int tls_active;			/* imaps: TLS from the start */
	int disable_plaintext_auth;	/* Dovecot's default: yes */
	long auth_failure_delay_ms;	/* the pause before the NO */
	size_t max_line;		/* imap_max_line_length, 65536 */
	size_t max_append;		/* biggest APPEND literal accepted */
	long idle_notify_ms;		/* "* OK Still here": 120000 */
};

/* Fills c with the values Dovecot 2.3.19 on Debian 12 uses. */
void imapd_conf_defaults(struct imapd_conf *c);

enum imapd_ev_type {
	IMAPD_EV_LOG,		/* text: a Dovecot log line, after "dovecot: " */
	IMAPD_EV_AUTH,		/* user, pass, mech: imapd_auth_result() needed */
	IMAPD_EV_STARTTLS,	/* "OK Begin TLS" queued: send output, start
				   TLS, then imapd_tls_started() */
	IMAPD_EV_DELAY,		/* send output, then wait delay_ms */
	IMAPD_EV_CLOSE,		/* send output, then close the connection */
};

struct imapd_event {
	enum imapd_ev_type type;
	const char *text;	/* LOG */
	const char *user;	/* AUTH: authentication identity */
	const char *pass;	/* AUTH */
	const char *mech;	/* AUTH: "PLAIN" (LOGIN is PLAIN too) */
	long delay_ms;		/* DELAY */
};

enum imapd_state {
	IMAPD_ST_NOTAUTH,	/* imap-login */
	IMAPD_ST_AUTH,
	IMAPD_ST_SELECTED,
	IMAPD_ST_LOGOUT,
};

struct imapd;

/* Queues the greeting. */
struct imapd *imapd_new(const struct imapd_conf *conf, mtime_t now);
/* Frees the engine; closes the selected mailbox (the store user stays
 * with whoever passed it to imapd_auth_result()). Sets *sp = NULL. */
void imapd_free(struct imapd **sp);
/* Copies the bytes in; nothing is processed until imapd_next(). */
void imapd_feed(struct imapd *s, const void *buf, size_t len, mtime_t now);
/* The client closed its side: the engine logs as Dovecot does. */
void imapd_eof(struct imapd *s, mtime_t now);
/*
 * Processes input until an event is ready: 1 and *ev_out filled, or 0
 * when it needs more input (or the auth verdict, or the session closed).
 * Pointers in *ev_out stay valid until the next call on the engine.
 */
int imapd_next(struct imapd *s, struct imapd_event *ev_out, mtime_t now);
/*
 * Answers IMAPD_EV_AUTH: user is the opened mail store of the account
 * (borrowed: it must outlive the engine or the next imapd_free), or NULL
 * when the password was wrong or the user unknown.
 */
void imapd_auth_result(struct imapd *s, struct store_user *user,
		       mtime_t now);
/* The bytes to send; the driver consumes them (buf_consume or buf_clear). */
struct buf *imapd_output(struct imapd *s);
/* After IMAPD_EV_STARTTLS: the handshake succeeded. */
void imapd_tls_started(struct imapd *s, mtime_t now);
/* Looks for mailbox changes while idling (and sends "Still here"). */
void imapd_tick(struct imapd *s, mtime_t now);
int imapd_idling(const struct imapd *s);
/* Nonzero once the engine has nothing more to say (after BYE). */
int imapd_closed(const struct imapd *s);
enum imapd_state imapd_state(const struct imapd *s);
/* The logged-in user, NULL before. */
const char *imapd_user(const struct imapd *s);

const char *imapd_ev_type_name(enum imapd_ev_type t);
const char *imapd_state_name(enum imapd_state st);

#endif
