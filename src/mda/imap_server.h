/*
 * imap_server: one IMAP session on a lab host, as Dovecot runs it: the
 * sans-I/O imapd engine wired to the host's Dovecot settings
 * (etc/dovecot/, dovecot_conf.h), its passwd-file (etc/dovecot/users,
 * passdb.h), the user's mail store (mail_location, store.h) and mail.log
 * (the "dovecot: imap-login: ..." and "dovecot: imap(user)..." lines,
 * Debian 12's rsyslog format). Every driver (console, serve --stdio, the
 * listener, the simulator) runs sessions through this. It owns no fd and
 * reads no clock; it touches the host's files through the store and the
 * log.
 */
#ifndef MAILLAB_IMAP_SERVER_H
#define MAILLAB_IMAP_SERVER_H

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/err.h"
#include "lib/trace.h"

struct imap_server_opts {
	const char *hostdir;		/* ROOT/hosts/<name> */
	const char *hostname;		/* "mail.b.example" */
	const char *log_host;		/* syslog's host field; NULL: the
					   hostname up to its first dot */
	const char *client_addr;	/* "127.0.0.1" */
	const char *local_addr;		/* NULL: "127.0.0.1" */
	int client_port;		/* for Dovecot's session ID */
	int secured;			/* -1: loopback clients are secured
					   (Dovecot's rule), 0/1: forced */
	int tls_possible;		/* the driver can run TLS: STARTTLS */
	int tls_active;			/* IMAPS: TLS from the start */
	long auth_failure_delay_ms;	/* -1: the engine's default (4 s) */
	const struct trace_sink *trace;	/* may be NULL */
	struct host *host;		/* the host (borrowed): log lines go
					   through host_log_raw(); NULL: the
					   session writes hostdir's mail.log */
	/* Where log lines go; NULL: the host's mail.log (above).
	 * line is "dovecot: imap-login: ..." without the date and host. */
	void (*log)(void *ctx, mtime_t now, const char *line);
	void *log_ctx;
};

enum imap_server_act {
	IMAP_SERVER_NEED_INPUT,	/* send the output; feed more when it comes
				   (while imap_server_idling(), also call
				   imap_server_tick() every second or so) */
	IMAP_SERVER_DELAY,	/* send the output, wait *delay_ms_out, run again */
	IMAP_SERVER_STARTTLS,	/* send the output, start TLS, then
				   imap_server_tls_started() */
	IMAP_SERVER_CLOSE,	/* send the output, then close */
};

struct imap_server;
struct host;

/*
 * Fills the host's part of o (hostdir, hostname = myhostname, log_host,
 * trace, host) from a host opened by world_host(); the rest is zeroed with
 * secured = -1 and auth_failure_delay_ms = -1. Pointers are borrowed
 * from h.
 */
void imap_server_opts_for_host(struct imap_server_opts *o, struct host *h);

/* Reads the host's Dovecot settings and queues the greeting. NULL with e
 * set when etc/dovecot/ has a broken line. */
struct imap_server *imap_server_new(const struct imap_server_opts *o,
				    mtime_t now, struct err *e);
/* Frees the session; the selected mailbox is closed (changes written). */
void imap_server_free(struct imap_server **sp);
void imap_server_feed(struct imap_server *s, const void *buf, size_t len,
		      mtime_t now);
/* The client went away (EOF). */
void imap_server_eof(struct imap_server *s, mtime_t now);
/* Runs the engine, the passdb and the store until the driver must act. */
enum imap_server_act imap_server_run(struct imap_server *s, mtime_t now,
				     long *delay_ms_out);
/* The bytes for the client; the driver consumes them. */
struct buf *imap_server_output(struct imap_server *s);
void imap_server_tls_started(struct imap_server *s, mtime_t now);
/* IDLE: new mail and flag changes reach the client (then run again). */
void imap_server_tick(struct imap_server *s, mtime_t now);
int imap_server_idling(const struct imap_server *s);
/* The logged-in user, or NULL. */
const char *imap_server_user(const struct imap_server *s);

#endif
