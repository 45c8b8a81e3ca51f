/*
 * smtp_server: one SMTP server session on a host, as Postfix's smtpd runs
 * it: the sans-I/O smtpd engine wired to the host's policy (relay and
 * recipient restrictions, local recipient table), to cleanup (the queue
 * file in incoming/) and to mail.log. Every driver (console, serve
 * --stdio, replay, the listener, the simulator) runs sessions through
 * this, so they all behave alike. It owns no fd and reads no clock.
 */
#ifndef MAILLAB_SMTP_SERVER_H
#define MAILLAB_SMTP_SERVER_H

#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/trace.h"

struct host;
struct smtp_server;

struct smtp_server_opts {
	const char *client_addr;	/* "127.0.0.1" */
	const char *client_name;	/* "localhost"; NULL: "unknown" */
	const char *service;		/* master.cf service: "smtp" (default),
					   "submission", "smtps" */
	int tls_possible;		/* the driver can run TLS (real or simulated) */
	/* Optional (0/NULL: defaults). */
	int client_port;		/* 0: a stable made-up one (40000 + n) */
	const char *server_addr;	/* NULL: the client's for loopback, else
					   the host's virtual IP */
	int server_port;		/* 0: 25, 587 (submission), 465 (smtps) */
	/* Hand-off to the pipeline: called once a message is in incoming/
	 * (queue ID, full path of the queue file). */
	void (*queued)(void *ctx, struct host *h, const char *queue_id,
		       const char *path);
	void *queued_ctx;
	/*
	 * Optional group commit (the listener, src/net/syncq.h). At the end
	 * of DATA the queue file is prepared (cleanup_prepare(): content and
	 * ready mode written, fd open) and offered here: fsync fd, then the
	 * directory dir. Return 0 to take it: the reply to the final dot
	 * waits, smtp_server_run() says SMTP_SERVER_WAIT (the session reads
	 * nothing), and the driver calls smtp_server_sync_done() with the
	 * outcome, on its own thread; fd is the session's, valid until then
	 * (dup it to keep it longer). Return -1 to decline: the session syncs
	 * at once. NULL (serve --stdio, the simulator): always at once.
	 * sync_cancel is called when the session ends with a sync taken and
	 * not yet done: the driver must then never call sync_done for it.
	 */
	int (*sync_start)(void *ctx, struct smtp_server *s, int fd,
			  const char *dir);
	void (*sync_cancel)(void *ctx, struct smtp_server *s);
	void *sync_ctx;
};

enum smtp_server_act {
	SMTP_SERVER_NEED_INPUT,	/* send the output; feed more when it comes */
	SMTP_SERVER_DELAY,	/* send the output, wait *delay_ms_out, run again */
	SMTP_SERVER_STARTTLS,	/* send the output, start TLS, then
				   smtp_server_tls_started() */
	SMTP_SERVER_CLOSE,	/* send the output, then close */
	SMTP_SERVER_WAIT,	/* send the output; read nothing until
				   smtp_server_sync_done(), then run again */
};

struct smtp_server;

/*
 * Reads the host's current configuration (main.cf, the service's
 * master.cf -o overrides, passwd, aliases) and logs "connect from". The
 * banner comes out of the first smtp_server_run(): input fed before that
 * is a client talking first, as Postfix sees it.
 */
struct smtp_server *smtp_server_new(struct host *h,
				    const struct smtp_server_opts *o,
				    mtime_t now);
/* Frees the session; an open transaction is rolled back (no queue file
 * is left behind, as Postfix removes an incomplete one). */
void smtp_server_free(struct smtp_server **sp);
void smtp_server_feed(struct smtp_server *s, const void *buf, size_t len,
		      mtime_t now);
/* The client went away (EOF). Also after SMTP_SERVER_STARTTLS when the
 * handshake failed: "lost connection after STARTTLS" and the disconnect
 * line, as Postfix logs them (reference/transcripts/smtp/06e). */
void smtp_server_eof(struct smtp_server *s, mtime_t now);
/* Runs the engine and the policy until the driver must act. */
enum smtp_server_act smtp_server_run(struct smtp_server *s, mtime_t now,
				     long *delay_ms_out);
/* The bytes for the client; the driver consumes them. */
struct buf *smtp_server_output(struct smtp_server *s);
void smtp_server_tls_started(struct smtp_server *s, mtime_t now);
/*
 * After SMTP_SERVER_STARTTLS: the handshake failed (smtpd_tls_failed():
 * result "-1", "lost connection" or "timeout"; problem the TLS library's
 * error text or NULL). mail.log gets Postfix's SSL_accept, lost
 * connection and disconnect lines; nothing more is said to the client.
 */
void smtp_server_tls_failed(struct smtp_server *s, const char *result,
			    const char *problem, mtime_t now);
/*
 * The sync taken by opts.sync_start finished: errnum 0 (the file and its
 * directory entry are durable: "250 2.0.0 Ok: queued as ID", the queued
 * hand-off) or the errno of the failed fsync (the file is removed,
 * "451 4.3.0 Error: queue file write error" as Postfix answers when
 * cleanup cannot write). Then smtp_server_run() again.
 */
void smtp_server_sync_done(struct smtp_server *s, int errnum, mtime_t now);
/* Nonzero while a DATA reply waits for its sync. */
int smtp_server_waiting(const struct smtp_server *s);
/* The queue ID of the last accepted message, or NULL. */
const char *smtp_server_last_queue_id(const struct smtp_server *s);
/* The path of the last accepted message's queue file, or NULL. */
const char *smtp_server_last_queue_path(const struct smtp_server *s);
/* Nonzero once the session is over (221/421 sent, or EOF). */
int smtp_server_closed(const struct smtp_server *s);
/* smtpd_timeout expired while waiting for the client (the listener's
 * timer): queues Postfix's 421 and logs "timeout after ..."; the next
 * smtp_server_run() returns SMTP_SERVER_CLOSE. */
void smtp_server_timeout(struct smtp_server *s, mtime_t now);

#endif
