/*
 * pop3_server: one POP3 session on a lab host, as Dovecot runs it: the
 * sans-I/O pop3d engine wired to the host's Dovecot settings
 * (etc/dovecot/, dovecot_conf.h), its passwd-file (etc/dovecot/users,
 * passdb.h), the user's mail store (mail_location, store.h) and mail.log
 * (the "dovecot: pop3-login: ..." lines, Debian 12's rsyslog format).
 * Every driver (console, serve --stdio, the listener, the simulator) runs
 * sessions through this. It owns no fd and reads no clock; it touches the
 * host's files through the store and the log.
 */
#ifndef MAILLAB_POP3_SERVER_H
#define MAILLAB_POP3_SERVER_H

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/err.h"
#include "lib/trace.h"

struct host;

struct pop3_server_opts {
	const char *hostdir;		/* ROOT/hosts/<name> */
	const char *hostname;		/* "mail.b.example" */
	const char *log_host;		/* syslog's host field; NULL: the
					   hostname up to its first dot */
	const char *client_addr;	/* "127.0.0.1" */
	const char *local_addr;		/* NULL: "127.0.0.1" */
	int client_port;		/* for Dovecot's session ID */
	int secured;			/* -1: loopback clients are secured
					   (Dovecot's rule), 0/1: forced */
	int tls_possible;		/* the driver can run TLS: STLS */
	int tls_active;			/* POP3S: TLS from the start */
	long auth_failure_delay_ms;	/* -1: POP3D_AUTH_FAILURE_DELAY_MS */
	const struct trace_sink *trace;	/* may be NULL */
	struct host *host;		/* the host (borrowed): log lines go
					   through host_log_raw(); NULL: the
					   session writes hostdir's mail.log */
	/* Where log lines go; NULL: the host's mail.log (above).
	 * line is "dovecot: pop3-login: ..." without the date and host. */
	void (*log)(void *ctx, mtime_t now, const char *line);
	void *log_ctx;
};

enum pop3_server_act {
	POP3_SERVER_NEED_INPUT,	/* send the output; feed more when it comes */
	POP3_SERVER_DELAY,	/* send the output, wait *delay_ms_out, run again */
	POP3_SERVER_STARTTLS,	/* send the output, start TLS, then
				   pop3_server_tls_started() */
	POP3_SERVER_CLOSE,	/* send the output, then close */
};

struct pop3_server;

/*
 * Fills the host's part of o (hostdir, hostname = myhostname, log_host,
 * trace) from a host opened by world_host(); the rest is zeroed with
 * secured = -1 and auth_failure_delay_ms = -1 (the defaults). Pointers
 * are borrowed from h.
 */
void pop3_server_opts_for_host(struct pop3_server_opts *o, struct host *h);

/*
 * Reads the host's Dovecot settings and queues the greeting. NULL with e
 * set when etc/dovecot/ has a broken line.
 */
struct pop3_server *pop3_server_new(const struct pop3_server_opts *o,
				    mtime_t now, struct err *e);
/* Frees the session; the mailbox is closed (its changes are written). */
void pop3_server_free(struct pop3_server **sp);
void pop3_server_feed(struct pop3_server *s, const void *buf, size_t len,
		      mtime_t now);
/* The client went away (EOF). */
void pop3_server_eof(struct pop3_server *s, mtime_t now);
/* Runs the engine, the passdb and the store until the driver must act. */
enum pop3_server_act pop3_server_run(struct pop3_server *s, mtime_t now,
				     long *delay_ms_out);
/* The bytes for the client; the driver consumes them. */
struct buf *pop3_server_output(struct pop3_server *s);
void pop3_server_tls_started(struct pop3_server *s, mtime_t now);
/* The logged-in user, or NULL. */
const char *pop3_server_user(const struct pop3_server *s);

/* Debian 12 rsyslog's line: "2026-11-28T22:03:09.821066+00:00 centos
 * dovecot: text\n". Caller frees. */
char *pop3_server_syslog_line(mtime_t now, const char *log_host,
			      const char *text);

#endif
