/*
 * pop3d: the POP3 server engine, sans-I/O, as Dovecot 2.3.19 answers:
 * RFC 1939 (USER, PASS, STAT, LIST, RETR, DELE, NOOP, RSET, QUIT and the
 * UPDATE state, TOP, UIDL), RFC 2449 (CAPA, RESP-CODES, AUTH-RESP-CODE,
 * PIPELINING), RFC 5034 (AUTH PLAIN, with an initial response or after
 * the "+ " continuation) and RFC 2595 STLS. The texts are Dovecot's
 * (pop3-login before authentication, pop3 after it; see
 * reference/transcripts/pop3/).
 *
 * Bytes in (pop3d_feed), bytes out (pop3d_output), events out
 * (pop3d_next). The engine touches no socket, file, terminal or clock.
 * Checking a password is not its business: it emits POP3D_EV_AUTH and
 * waits for pop3d_auth_verdict(), which also hands it the user's INBOX,
 * opened through the store (store.h) — the engine reads and changes
 * mail only through that API.
 *
 * Driver loop:
 *
 *	pop3d_feed(s, bytes, n, now);
 *	while (pop3d_next(s, &ev, now) == 1) {
 *		POP3D_EV_LOG:   write "dovecot: " + ev.text to mail.log
 *		POP3D_EV_AUTH:  check ev.user/ev.pass, open the INBOX,
 *				pop3d_auth_verdict()
 *		POP3D_EV_DELAY: send pop3d_output() first, wait ev.delay_ms
 *		POP3D_EV_STLS:  send the output, run the TLS handshake, then
 *				pop3d_tls_started()
 *		POP3D_EV_CLOSE: send the output, close the connection
 *	}
 *	send and drain pop3d_output(s).
 *
 * The mailbox passed with the verdict is borrowed: the driver closes it
 * after POP3D_EV_CLOSE (or after pop3d_free()), never before.
 */
#ifndef MAILLAB_POP3D_H
#define MAILLAB_POP3D_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/clock.h"

struct store_mailbox;

/* The settings the engine obeys; strings are borrowed and must outlive it. */
struct pop3d_conf {
	const char *greeting;		/* login_greeting: "Dovecot (Debian) ready." */
	const char *client_addr;	/* rip: "127.0.0.1" */
	const char *local_addr;		/* lip: "127.0.0.1" */
	int client_port;		/* for the session ID */
	int secured;			/* Dovecot's "secured": loopback (or
					   TLS); plaintext auth allowed */
	int disable_plaintext_auth;	/* Dovecot's default: yes */
	int tls_offer;			/* ssl = yes with a certificate: STLS */
	int tls_active;			/* POP3S (995): TLS from the start */
	long auth_failure_delay_ms;	/* how late a failed login is answered,
					   see POP3D_AUTH_FAILURE_DELAY_MS */
	int no_flag_updates;		/* pop3_no_flag_updates: RETR leaves
					   \Seen alone */
	const char *session_id;		/* NULL: made from the connect time,
					   client port and address, as Dovecot */
};

/*
 * The reference saw ~4 s for every failed login: Dovecot's
 * auth_failure_delay (2 s) plus pam_unix's own 2 s failure delay. A
 * good login after a failure on the same connection was just as late
 * (Dovecot's auth penalty). We model both as one DELAY of this length.
 */
#define POP3D_AUTH_FAILURE_DELAY_MS 4000

enum pop3d_ev_type {
	POP3D_EV_LOG,		/* text: "pop3-login: Login: user=<...>, ..." */
	POP3D_EV_AUTH,		/* user, pass, authzid, mech; verdict needed */
	POP3D_EV_DELAY,		/* send output, then wait delay_ms */
	POP3D_EV_STLS,		/* "+OK Begin TLS negotiation now." queued */
	POP3D_EV_CLOSE,		/* send output, then close */
};

struct pop3d_event {
	enum pop3d_ev_type type;
	/* borrowed from the engine until the next call on it */
	const char *text;	/* LOG */
	const char *user;	/* AUTH: authentication ID */
	const char *pass;	/* AUTH */
	const char *authzid;	/* AUTH: "" when none */
	const char *mech;	/* AUTH: "PLAIN" */
	long delay_ms;		/* DELAY */
};

/* The driver's answer to POP3D_EV_AUTH. */
struct pop3d_verdict {
	int ok;			/* password right, user known */
	int tempfail;		/* the passdb could not be read */
	const char *user;	/* the user's canonical name (copied) */
	struct store_mailbox *mailbox;	/* ok: the INBOX opened RW, borrowed;
					   NULL when it could not be opened */
	int mpid;		/* the pop3 process's PID for the log */
};

/* What the session did, for the driver and the tests. */
struct pop3d_stats {
	unsigned top_count, retr_count, deleted, expunged, messages;
	unsigned long long top_bytes, retr_bytes, total_size;
	int authenticated;
	const char *user;	/* NULL before login */
};

struct pop3d;

/* Queues the greeting. */
struct pop3d *pop3d_new(const struct pop3d_conf *conf, mtime_t now);
/* Frees the engine (not the mailbox); sets *sp = NULL. A session that
 * ends without QUIT keeps the \Seen of RETR'd mail but deletes nothing
 * (RFC 1939 section 6): call pop3d_eof() before, so that happens. */
void pop3d_free(struct pop3d **sp);
/* Copies the bytes in; nothing is processed until pop3d_next(). */
void pop3d_feed(struct pop3d *s, const void *buf, size_t len, mtime_t now);
/* The client went away: \Seen is saved, the Disconnected line logged
 * (events follow from pop3d_next). */
void pop3d_eof(struct pop3d *s, mtime_t now);
/*
 * Processes input until an event is ready: 1 and *ev_out filled, or 0
 * when it needs more input, a verdict, the TLS handshake, or the session
 * is over. Pointers in *ev_out stay valid until the next call.
 */
int pop3d_next(struct pop3d *s, struct pop3d_event *ev_out, mtime_t now);
/* Answers the pending POP3D_EV_AUTH. */
void pop3d_auth_verdict(struct pop3d *s, const struct pop3d_verdict *v,
			mtime_t now);
/* After POP3D_EV_STLS: the handshake succeeded. */
void pop3d_tls_started(struct pop3d *s, mtime_t now);
/* The bytes to send; the driver consumes them (buf_consume/buf_clear). */
struct buf *pop3d_output(struct pop3d *s);
/* Nonzero once the engine has nothing more to say. */
int pop3d_closed(const struct pop3d *s);
void pop3d_stats(const struct pop3d *s, struct pop3d_stats *out);
/* The session ID Dovecot would log ("4eQQV11h1IN/AAAB"). */
const char *pop3d_session_id(const struct pop3d *s);

const char *pop3d_ev_type_name(enum pop3d_ev_type t);

#endif
