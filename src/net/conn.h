/*
 * conn: one accepted connection of the listener. It owns the fd and the
 * SSL object, reads what arrives and feeds it to the protocol session in
 * one piece per read (so the engine sees what the client sent together, as
 * Postfix's pipelining checks need), writes what the session says, runs
 * the TLS handshake when the session asks (STARTTLS) or from the start
 * (implicit TLS), honours the session's delays and its idle limit
 * (smtpd_timeout), and closes when told to or when the client goes away.
 *
 * Back-pressure: while more than CONN_OUT_HIGH bytes wait for a client
 * that does not read, nothing more is read from it (a pipelining client
 * cannot make the listener buffer without bound).
 */
#ifndef MAILLAB_CONN_H
#define MAILLAB_CONN_H

#include <openssl/ssl.h>

#include "net/evloop.h"
#include "net/netsess.h"

#define CONN_OUT_HIGH	(256 * 1024)
/* After accept, the session runs (greets) this much later; what the
 * client sent before then counts as talking first (conn.c says why). */
#define CONN_GREET_MS	5

struct host;
struct conn;

/* The open connections of a listener; conns link and unlink themselves. */
struct conn_set {
	struct conn *head;
	size_t count;
	mtime_t clock_offset;	/* sessions' now = real time + this (lab clock) */
	const struct netsess_env *env;	/* lent to every session */
};

struct conn_params {
	struct host *host;		/* borrowed */
	const char *service;		/* master.cf service name (copied by the session) */
	const struct netsess_ops *ops;
	const struct netsess_peer *peer;/* borrowed for the call */
	SSL_CTX *ssl_ctx;		/* NULL: no TLS; the conn takes a reference */
	long idle_ms;			/* 0: no idle limit */
	/* Called once when the connection ends (e.g. the per-client count). */
	void (*on_close)(void *ctx);
	void *on_close_ctx;
};

/*
 * Takes over fd (non-blocking) and links the connection into set.
 * Returns 0, or -1 (fd closed, on_close not called) if the session cannot
 * be opened. The connection frees itself when it ends.
 */
int conn_start(struct evloop *l, int fd, const struct conn_params *p,
	       struct conn_set *set);
/* Ends every connection of the set now (shutdown): sessions see EOF and
 * log the lost connection; nothing more is sent. */
void conn_set_abort_all(struct conn_set *set);

#endif
