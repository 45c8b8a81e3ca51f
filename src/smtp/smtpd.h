/*
 * smtpd: the SMTP server engine, sans-I/O (RFC 5321, with the ESMTP
 * extensions Postfix 3.7 advertises: PIPELINING (RFC 2920), SIZE (RFC
 * 1870), VRFY, ETRN (RFC 1985), STARTTLS (RFC 3207), ENHANCEDSTATUSCODES
 * (RFC 2034), 8BITMIME, DSN (RFC 3461), SMTPUTF8 (RFC 6531), CHUNKING
 * with BDAT (RFC 3030), and AUTH PLAIN/LOGIN (RFC 4954) when the driver
 * enables SASL). docs/smtpd.md lists the states and which reference file
 * proves each reply.
 *
 * Bytes in (smtpd_feed), bytes out (smtpd_output), events out (smtpd_next).
 * The engine never touches a socket, a file, a terminal or a clock: `now`
 * comes in with every call. It checks syntax and command order and answers
 * those itself, with Postfix 3.7.11's exact words, counts errors as Postfix
 * does (SMTPD_EV_DELAY after smtpd_soft_error_limit, 421 at the hard one),
 * and frames lines as Postfix does (line_length_limit, bare LF, NUL).
 * Policy is not its business: for MAIL, RCPT, VRFY, ETRN, AUTH and the end
 * of the message (DATA or BDAT LAST) it emits an event and waits for
 * smtpd_verdict() before it answers and reads further input.
 *
 * Driver loop:
 *
 *	smtpd_feed(s, bytes, n, now);
 *	while (smtpd_next(s, &ev, now) == 1) {
 *		handle ev (a verdict for those that need one);
 *		(on SMTPD_EV_DELAY: send smtpd_output() first, then wait)
 *	}
 *	send and drain smtpd_output(s); close when smtpd_closed(s).
 *
 * Send the banner (queued by smtpd_new) before waiting for input: input
 * fed while it is still unsent counts as a client that talked first
 * (logged "improper command pipelining after CONNECT", reference 05j).
 *
 * Log lines that Postfix's smtpd writes (connect, reject, warning,
 * improper command pipelining, too many errors, lost connection,
 * disconnect with the command counts) come out as SMTPD_EV_LOG events
 * with the text after "postfix/smtpd[PID]: "; the driver writes them to
 * mail.log. The engine writes the reject line for a MAIL, RCPT, VRFY or
 * ETRN verdict that refuses ("NOQUEUE: reject: RCPT from ...; from=<..>
 * to=<..> proto=SMTP helo=<..>"); the driver writes "ID: client=..." when
 * it opens a queue file, and whatever cleanup would log for the message.
 */
#ifndef MAILLAB_SMTPD_H
#define MAILLAB_SMTPD_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/trace.h"

enum smtpd_bare_newline {
	SMTPD_BARE_NL_NO,	/* smtpd_forbid_bare_newline = no (3.7 default) */
	SMTPD_BARE_NL_NORMALIZE,/* = normalize, = yes */
	SMTPD_BARE_NL_REJECT,	/* = reject */
};

const char *smtpd_bare_newline_name(enum smtpd_bare_newline b);

/* The parameters the engine obeys; strings are borrowed and must outlive it. */
struct smtpd_conf {
	const char *myhostname;		/* "centos.localdomain" */
	const char *banner;		/* smtpd_banner, expanded */
	const char *client_name;	/* "localhost" or "unknown" */
	const char *client_addr;	/* "127.0.0.1", "::1" */
	long message_size_limit;	/* 10240000; 0 = no limit */
	int helo_required;		/* smtpd_helo_required */
	int strict_rfc821_envelopes;
	int disable_vrfy_command;
	long recipient_limit;		/* smtpd_recipient_limit, 1000 */
	long line_length_limit;		/* 2048 */
	int soft_error_limit;		/* 10 */
	int hard_error_limit;		/* 20 */
	long error_sleep_ms;		/* smtpd_error_sleep_time, 1000 */
	enum smtpd_bare_newline bare_newline;
	int bare_newline_excluded;	/* client is in ..._exclusions */
	int tls_offer;			/* advertise and accept STARTTLS */
	int tls_active;			/* wrapper mode (465): TLS from the start */
	int tls_auth_only;		/* smtpd_tls_auth_only */
	int sasl_enabled;		/* smtpd_sasl_auth_enable */
	const char *sasl_mechs;		/* "PLAIN LOGIN" */
	/*
	 * Added by the engine's owner. A zero or NULL field keeps the
	 * Postfix 3.7 default, so a driver that does not know a field gets
	 * Postfix's behaviour (the same holds for myhostname, banner,
	 * client_name/addr, recipient_limit = 0 means no limit as in Postfix,
	 * line_length_limit, soft/hard_error_limit).
	 */
	long junk_command_limit;	/* smtpd_junk_command_limit, 100 */
	long recipient_overshoot_limit;	/* smtpd_recipient_overshoot_limit, 1000 */
	long sasl_response_limit;	/* smtpd_sasl_response_limit, 12288 */
	int bare_newline_code;		/* smtpd_forbid_bare_newline_reject_code, 550 */
	const struct trace_sink *trace;	/* every line in and out; may be NULL */
	/*
	 * smtpd_tls_security_level = encrypt (submission's usual -o): until
	 * TLS is up every command but HELO, EHLO, STARTTLS, NOOP, QUIT (and
	 * XCLIENT, XFORWARD) gets "530 5.7.0 Must issue a STARTTLS command
	 * first", counted as a failed command and not logged otherwise, as
	 * Postfix 3.7.11 does (a private instance on the capture machine:
	 * MAIL, RCPT, DATA, BDAT, RSET, VRFY, ETRN, AUTH all 530; NOOP 250).
	 * Implies tls_auth_only (postconf(5)). Added for the listener.
	 */
	int tls_required;
	const char *trace_host;		/* host field of trace events; NULL: myhostname */
};

enum smtpd_ev_type {
	SMTPD_EV_LOG,		/* text: a log line for postfix/smtpd */
	SMTPD_EV_HELO,		/* arg: the HELO/EHLO name as Postfix keeps
				   it: printable, and space < > ( ) \\ " ; @
				   turned into '?' */
	SMTPD_EV_MAIL,		/* arg: sender as parsed; verdict needed */
	SMTPD_EV_RCPT,		/* arg: recipient as parsed; verdict needed */
	SMTPD_EV_VRFY,		/* arg: the address asked for; verdict needed */
	SMTPD_EV_ETRN,		/* arg: the domain; verdict needed */
	SMTPD_EV_AUTH,		/* arg: mechanism; user, pass set; verdict needed */
	SMTPD_EV_DATA,		/* the message is complete (DATA or BDAT LAST):
				   data, len; verdict needed */
	SMTPD_EV_RSET,		/* an accepted MAIL transaction was dropped
				   without a DATA verdict (RSET, HELO/EHLO,
				   STARTTLS, a message refused by the engine
				   for size or bare LF, the end of the
				   session): drop the queue file */
	SMTPD_EV_STARTTLS,	/* 220 queued: send output, start TLS, then
				   call smtpd_tls_started(), or smtpd_close()
				   when the handshake fails */
	SMTPD_EV_DELAY,		/* send output, then wait delay_ms before going on */
	SMTPD_EV_CLOSE,		/* send output, then close the connection */
};

/* An address as the client wrote it, and its parsed form. */
struct smtpd_rcpt {
	char *addr;		/* "wees", "bob@b.example" (no brackets) */
	char *orig;		/* the text between ':' and the parameters */
	int accepted;
};

/* The transaction; owned by the engine, read-only for the driver. */
struct smtpd_tx {
	char *helo;		/* NULL until HELO/EHLO */
	int esmtp;		/* EHLO was used */
	int tls;		/* TLS active */
	int authenticated;
	char *sasl_user;
	char *mail_from;	/* "" for the null sender; NULL: no MAIL yet */
	long size_param;	/* SIZE=, -1 if absent */
	char *body_param;	/* "7BIT", "8BITMIME" or NULL */
	struct smtpd_rcpt *rcpts;
	size_t nrcpt;		/* all RCPT commands that passed syntax */
	size_t naccepted;
	char *queue_id;		/* set by the driver through the verdict */
};

struct smtpd_event {
	enum smtpd_ev_type type;
	const char *arg;	/* borrowed from the engine until the next call */
	const char *text;	/* LOG text */
	const char *user, *pass;/* AUTH */
	const char *data;	/* DATA: the message, unstuffed, LF line ends */
	size_t len;
	long delay_ms;		/* DELAY */
	const struct smtpd_tx *tx;
};

/*
 * What the driver decided. code 0 means "accept with the engine's own
 * reply" (250 2.1.0 Ok, 250 2.1.5 Ok, 252 2.0.0 <argument as given>,
 * 250 Queuing started, 235 2.7.0 Authentication successful, 250 2.0.0 Ok:
 * queued as ID). Otherwise code and text form the reply line ("550",
 * "5.1.1 <x>: Recipient address rejected: ..."; control characters become
 * spaces); for MAIL/RCPT/VRFY/ETRN the engine also logs the reject line,
 * for AUTH the "SASL ... authentication failed" warning. For DATA,
 * queue_id (when accepted) gives "250 2.0.0 Ok: queued as ID"; without it
 * the ID given with RCPT is used. For the first accepted RCPT the driver
 * may set queue_id already: Postfix opens the queue file there and logs
 * "ID: client=..." (the engine then uses the ID in later reject lines).
 */
struct smtpd_verdict {
	int code;
	const char *text;	/* copied by the engine */
	const char *queue_id;	/* copied by the engine */
};

struct smtpd;

/* Queues the 220 banner (sent even to a client that talks first). */
struct smtpd *smtpd_new(const struct smtpd_conf *conf, mtime_t now);
/* Frees the engine and its transaction; sets *sp = NULL. */
void smtpd_free(struct smtpd **sp);
/* Copies the bytes in; nothing is processed until smtpd_next(). */
void smtpd_feed(struct smtpd *s, const void *buf, size_t len, mtime_t now);
/* The client closed its side: the engine logs as Postfix does. */
void smtpd_eof(struct smtpd *s, mtime_t now);
/*
 * Processes input until an event is ready: 1 and *ev_out filled, or 0
 * when it needs more input (or a verdict, or the session has closed).
 * Pointers in *ev_out stay valid until the next call on the engine.
 */
int smtpd_next(struct smtpd *s, struct smtpd_event *ev_out, mtime_t now);
/* Answers the pending MAIL/RCPT/VRFY/ETRN/AUTH/DATA event. */
void smtpd_verdict(struct smtpd *s, const struct smtpd_verdict *v, mtime_t now);
/* The bytes to send; the driver consumes them (buf_consume or buf_clear). */
struct buf *smtpd_output(struct smtpd *s);
/* After SMTPD_EV_STARTTLS: the handshake succeeded. */
void smtpd_tls_started(struct smtpd *s, mtime_t now);
/*
 * After SMTPD_EV_STARTTLS: the handshake failed. result is Postfix's word
 * for it: "-1" (the library failed, e.g. plain text where a ClientHello
 * should be), "lost connection" (the client hung up), "timeout"; problem
 * is the TLS library's error text ("error:0A00010B:SSL routines::wrong
 * version number:FILE:LINE:") or NULL. The engine logs "SSL_accept error
 * from CLIENT: RESULT", "warning: TLS library problem: PROBLEM", "lost
 * connection after STARTTLS from CLIENT" and the disconnect line with
 * starttls=0/1 (reference/transcripts/smtp/06e-plaintext-after-starttls.log),
 * then SMTPD_EV_CLOSE. smtpd_eof() while the handshake is awaited is
 * the same with "lost connection". Outside that wait: smtpd_close().
 */
void smtpd_tls_failed(struct smtpd *s, const char *result,
		      const char *problem, mtime_t now);
/*
 * The connection broke under the engine (TLS handshake failure, reset,
 * driver shutdown): nothing buffered is processed any more. The engine
 * logs "lost connection after <command> from <client>" and the
 * disconnect line, then SMTPD_EV_CLOSE, as Postfix does on a broken
 * connection (reference/transcripts/smtp/06e: the driver logs its own
 * "SSL_accept error ..." lines first). Does nothing once closed.
 */
void smtpd_close(struct smtpd *s, mtime_t now);
/*
 * smtpd_timeout expired while the engine waited for the client: queues
 * "421 4.4.2 <myhostname> Error: timeout exceeded", logs "timeout after
 * <command> from <client>" and the disconnect line, then SMTPD_EV_CLOSE.
 */
void smtpd_timeout(struct smtpd *s, mtime_t now);
/* Nonzero once the engine has nothing more to say (after 221/421). */
int smtpd_closed(const struct smtpd *s);
const struct smtpd_tx *smtpd_tx(const struct smtpd *s);

const char *smtpd_ev_type_name(enum smtpd_ev_type t);

#endif
