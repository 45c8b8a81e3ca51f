/*
 * listener: `maillab listen`. One process runs the whole world and exposes
 * the chosen hosts' services on real sockets: the SMTP services the host's
 * master.cf enables (smtp 25, submission 587, smtps 465, with their -o
 * overrides), each on real port + offset (default 10000), loopback only
 * unless told otherwise. One epoll loop serves every connection.
 */
#ifndef MAILLAB_LISTENER_H
#define MAILLAB_LISTENER_H

#include <stdio.h>

#include "lib/err.h"

struct world;

struct listener_opts {
	const char **hosts;	/* host names; NULL or empty: every host */
	size_t nhosts;
	const char *addr;	/* NULL: loopback (127.0.0.x and ::1) */
	int port_offset;	/* 10000 unless real_ports */
	int real_ports;
	FILE *announce;		/* where "listening: ..." lines go */
	void (*after_bind)(void *ctx);	/* e.g. drop root privileges */
	void *after_bind_ctx;
};

/*
 * Binds every service, prints one line per socket, then serves until
 * SIGTERM/SIGINT (clean stop) and re-reads configuration on SIGHUP.
 * Returns 0 after a clean stop, -1 with e set if nothing could be bound.
 */
int listener_run(struct world *w, const struct listener_opts *o,
		 struct err *e);

/* The real port of a master.cf inet service name ("smtp" -> 25,
 * "submission" -> 587, "smtps"/"submissions" -> 465, "2525" -> 2525,
 * "127.0.0.1:2525" -> 2525), or -1. */
int listener_service_port(const char *service);

#endif
