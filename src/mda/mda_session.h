/*
 * mda_session: what Dovecot's POP3 and IMAP sessions on a lab host share
 * (pop3_server.c, imap_server.c): the host's Dovecot settings
 * (dovecot_conf.h), the client's addresses, the trace of the session's
 * bytes, the log lines (through host_log_raw() when the host is known),
 * the login (the passwd-file etc/dovecot/users, read again for every
 * attempt as Dovecot notices a changed file) and the user's store opened
 * with mail_location. The engines and what each protocol does with the
 * store after the login stay with the two servers.
 */
#ifndef MAILLAB_MDA_SESSION_H
#define MAILLAB_MDA_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "lib/clock.h"
#include "lib/err.h"
#include "lib/trace.h"
#include "mda/dovecot_conf.h"

struct host;
struct store_user;

/* The common part of pop3_server_opts and imap_server_opts (borrowed). */
struct mda_session_opts {
	const char *proto;		/* "pop3", "imap" */
	const char *hostdir;		/* ROOT/hosts/<name> */
	const char *hostname;		/* NULL: "localhost" */
	const char *log_host;		/* NULL: hostname up to its first dot */
	const char *client_addr;	/* NULL: "127.0.0.1" */
	const char *local_addr;		/* NULL: "127.0.0.1" */
	const struct trace_sink *trace;	/* may be NULL */
	struct host *host;		/* NULL: hostdir's mail.log */
	void (*log)(void *ctx, mtime_t now, const char *line);
	void *log_ctx;
};

struct mda_session {
	struct mda_session_opts o;	/* strings below are copies */
	char *hostdir, *hostname, *log_host, *client_addr, *local_addr;
	char *process;			/* "dovecot/pop3": the trace's */
	struct dovecot_conf dc;
	struct store_user *user;	/* after a login; NULL before */
	char *login;			/* the passwd-file's name for it */
};

enum mda_session_login {
	MDA_SESSION_LOGIN_TEMPFAIL,	/* the passwd-file cannot be read */
	MDA_SESSION_LOGIN_BAD,		/* wrong name or password */
	MDA_SESSION_LOGIN_OK,		/* s->login set; s->user too unless
					   the store failed (logged) */
};

/*
 * Copies o's strings (defaults filled in) and reads the host's Dovecot
 * settings into s->dc. 0, or -1 with e set for a broken etc/dovecot/
 * line; either way the caller ends with mda_session_reset().
 */
int mda_session_init(struct mda_session *s, const struct mda_session_opts *o,
		     struct err *e);
void mda_session_reset(struct mda_session *s);

/* One log line ("imap-login: Login: ...", after "dovecot: "): the host's
 * log through host_log_raw(), else o.log, else hostdir's mail.log. */
void mda_session_log(struct mda_session *s, mtime_t now, const char *text);

/* The bytes of one direction of the session, a trace event a line. */
void mda_session_trace_bytes(struct mda_session *s, mtime_t now,
			     enum trace_dir dir, const char *p, size_t len);

/* Whether the client counts as secured: forced (0/1) or, with -1,
 * Dovecot's rule (loopback clients are). */
int mda_session_secured(const struct mda_session *s, int forced);

/* Whether the host's ssl setting lets STARTTLS/STLS be offered. */
int mda_session_tls_offer(const struct mda_session *s, int tls_possible);

/* A stable "PID" for the mail process, as host_pid() makes them for
 * Postfix: deterministic in hostname, protocol and n. */
int mda_session_pid(const struct mda_session *s, uint32_t n);

/*
 * Checks user/pass against the passwd-file and, when they are right,
 * opens the user's store (s->user, replacing an earlier one). What went
 * wrong with the file or the store is logged ("PROTO(user): Error: ...").
 */
enum mda_session_login mda_session_login(struct mda_session *s,
					 const char *user, const char *pass,
					 mtime_t now);

#endif
