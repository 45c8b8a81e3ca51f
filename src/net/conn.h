/*
 * conn: one accepted connection of the listener. It owns the fd and the
 * SSL object, reads what arrives and feeds it to the protocol session in
 * one piece per read (so the engine sees what the client sent together, as
 * Postfix's pipelining checks need), writes what the session says, runs
 * the TLS handshake when the session asks (STARTTLS) or from the start
 * (implicit TLS), honours the session's delays, and closes when told to or
 * when the client goes away.
 */
#ifndef MAILLAB_CONN_H
#define MAILLAB_CONN_H

#include <openssl/ssl.h>

#include "net/evloop.h"
#include "net/netsess.h"

struct host;
struct conn;

/* The open connections of a listener; conns link and unlink themselves. */
struct conn_set {
	struct conn *head;
	size_t count;
};

/*
 * Takes over fd (non-blocking) and links the connection into set.
 * ssl_ctx (borrowed) is used for STARTTLS and, when peer->tls, for an
 * immediate handshake. Returns 0, or -1 (fd closed) if the session cannot
 * be opened. The connection frees itself when it ends.
 */
int conn_start(struct evloop *l, int fd, struct host *h, const char *service,
	       const struct netsess_ops *ops, const struct netsess_peer *peer,
	       SSL_CTX *ssl_ctx, long idle_timeout_ms, struct conn_set *set);
/* Closes every connection of the set now (shutdown); sessions see EOF. */
void conn_set_abort_all(struct conn_set *set);

#endif
