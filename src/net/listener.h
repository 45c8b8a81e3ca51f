/*
 * listener: `maillab listen`. One process runs the whole world and exposes
 * the chosen hosts' services on real sockets: the SMTP services the host's
 * master.cf enables (smtp 25, submission 587, smtps 465, with their -o
 * overrides), each on real port + offset (default 10000), loopback only
 * unless told otherwise. One epoll loop serves every connection.
 *
 * Control, as Postfix's master: ROOT/run/listen.pid (net/listener_pid.h)
 * while it runs; SIGTERM/SIGINT stop it (sessions are cut, the queue
 * stays: every acknowledged message is already on disk); SIGHUP re-reads
 * every host's main.cf and master.cf (new sessions use the new settings,
 * open ones keep theirs; services added to or removed from master.cf are
 * bound or closed) and the TLS certificates. mail.log gets master's
 * "daemon started", "reload" and "terminating on signal" lines.
 *
 * Limits: smtpd_timeout per session, smtpd_client_connection_count_limit
 * per client and service (anvil's rule, smtpd_client_event_limit_exceptions
 * exempt), and a global connection limit (max_conns) past which clients
 * get "421 4.3.2 All server ports are busy" and the rest are served.
 */
#ifndef MAILLAB_LISTENER_H
#define MAILLAB_LISTENER_H

#include <stddef.h>
#include <stdio.h>

#include "lib/err.h"

struct world;
struct evloop;

struct listener_opts {
	const char **hosts;	/* host names; NULL or empty: every host */
	size_t nhosts;
	const char *addr;	/* NULL: loopback (127.0.0.x and ::1) */
	int port_offset;	/* 10000 unless real_ports */
	int real_ports;
	size_t max_conns;	/* 0: as many as RLIMIT_NOFILE allows */
	FILE *announce;		/* where "listening: ..." lines go */
	const char *trace_path;	/* --trace FILE (JSON Lines, "-" stdout), or NULL */
	void (*after_bind)(void *ctx);	/* e.g. drop root privileges */
	void *after_bind_ctx;
	/* Called once on the loop, after "ready" and before serving: one
	 * can watch more fds and set timers there (the live picture watches
	 * the terminal). To stop cleanly, raise SIGTERM: the loop's own
	 * stop, queue kept. */
	void (*on_loop)(struct evloop *l, void *ctx);
	void *on_loop_ctx;
};

/*
 * Takes ROOT/run/listen.pid, binds every service, prints one line per
 * socket, then serves until SIGTERM/SIGINT (clean stop) and re-reads
 * configuration on SIGHUP. Returns 0 after a clean stop, -1 with e set
 * if another listener runs on the root or nothing could be bound.
 */
int listener_run(struct world *w, const struct listener_opts *o,
		 struct err *e);

/* The real port of a master.cf inet service name ("smtp" -> 25,
 * "submission" -> 587, "smtps"/"submissions" -> 465, "2525" -> 2525,
 * "127.0.0.1:2525" -> 2525), or -1. */
int listener_service_port(const char *service);

#endif
