/*
 * netsess: what the listener needs from a protocol session, whatever the
 * protocol. Each service (SMTP, POP3, IMAP) supplies one ops table over
 * its server glue (src/mta/smtp_server.h and the Dovecot-side ones); the
 * connection code in conn.c drives it without knowing the protocol.
 */
#ifndef MAILLAB_NETSESS_H
#define MAILLAB_NETSESS_H

#include "lib/buf.h"
#include "lib/cidr.h"
#include "lib/clock.h"
#include "lib/err.h"

struct host;
struct syncq;

enum netsess_act {
	NETSESS_NEED_INPUT,	/* send the output, read more */
	NETSESS_DELAY,		/* send the output, wait, run again */
	NETSESS_STARTTLS,	/* send the output, then the TLS handshake */
	NETSESS_CLOSE,		/* send the output, then close */
	NETSESS_WAIT,		/* send the output, read nothing until the
				   session calls its waker (set_waker), then
				   run again (SMTP: the DATA reply waits for
				   the group commit, net/syncq.h) */
};

struct netsess_peer {
	const char *addr;	/* "127.0.0.1", "::1" */
	const char *name;	/* "localhost" or "unknown" */
	int port;
	const char *local_addr;
	int local_port;
	int tls;		/* implicit TLS (465, 993, 995): already secured */
	int tls_possible;	/* STARTTLS can be offered */
};

/* Why the listener turns a client away before any session exists. */
enum netsess_refusal {
	NETSESS_REFUSE_CLIENT_LIMIT,	/* too many connections from this client */
	NETSESS_REFUSE_BUSY,		/* the listener's global limit */
};

/* A service's limits, read at bind time and on reload. */
struct netsess_limits {
	long idle_ms;		/* smtpd_timeout and the like; 0: none */
	long client_limit;	/* connections per client address; 0: none */
	struct cidr_list exempt;/* clients the per-client limit ignores */
};

/* What the listener lends every session. */
struct netsess_env {
	/* The session put work in a queue (a message accepted into
	 * incoming/): the listener runs the queue manager soon. */
	void (*work)(void *ctx, struct host *h);
	void *ctx;
	/* Group commit of queue files (net/syncq.h), or NULL: sessions
	 * sync their own files. */
	struct syncq *syncq;
};

struct netsess_ops {
	const char *proto;	/* "smtp", "pop3", "imap" */
	/* Fills *l for the host's service (main.cf with the service's -o
	 * overrides); l->exempt is initialized and the caller resets it. */
	void (*limits)(struct host *h, const char *service,
		       struct netsess_limits *l);
	/*
	 * Turns a client away in the protocol's own words (appended to out)
	 * and writes what the server would log. count is the client's
	 * connection count including this one (CLIENT_LIMIT) or the limit
	 * reached (BUSY). quiet: the same refusal was logged a moment ago
	 * (master warns once, not for every client it turns away).
	 */
	void (*refuse)(struct host *h, const char *service,
		       const struct netsess_peer *p, enum netsess_refusal why,
		       long count, int quiet, mtime_t now, struct buf *out);
	void *(*open)(struct host *h, const char *service,
		      const struct netsess_peer *p, const struct netsess_env *env,
		      mtime_t now);
	void (*feed)(void *s, const void *buf, size_t len, mtime_t now);
	enum netsess_act (*run)(void *s, mtime_t now, long *delay_ms_out);
	struct buf *(*output)(void *s);
	void (*eof)(void *s, mtime_t now);
	void (*tls_started)(void *s, mtime_t now);
	/*
	 * The handshake failed (plain text after STARTTLS, a client that
	 * gave up): the session logs as the server does (Postfix: "SSL_accept
	 * error from PEER: RESULT", "warning: TLS library problem: PROBLEM");
	 * result is "-1", "lost connection" or "timeout", problem the
	 * library's error text or NULL. run() then says CLOSE.
	 */
	void (*tls_failed)(void *s, const char *result, const char *problem,
			   mtime_t now);
	/* The idle limit passed while the session waited for the client:
	 * it says goodbye as the server does; run() then says CLOSE. */
	void (*timeout)(void *s, mtime_t now);
	/* Optional: while tick_ms() says n > 0, tick() every n ms and run
	 * again (IMAP IDLE looks for new mail that way). */
	long (*tick_ms)(void *s);
	void (*tick)(void *s, mtime_t now);
	void (*close)(void **sp);
	/* Optional: the connection lends its waker right after open(); a
	 * session that said NETSESS_WAIT calls wake(ctx) on the loop's
	 * thread when it can go on (the connection then runs it). */
	void (*set_waker)(void *s, void (*wake)(void *ctx), void *ctx);
};

/* The SMTP service (smtp, submission, smtps) over src/mta/smtp_server. */
extern const struct netsess_ops netsess_smtp_ops;
/* POP3 (pop3 with STLS, pop3s) over src/mda/pop3_server. */
extern const struct netsess_ops netsess_pop3_ops;
/* IMAP (imap with STARTTLS, imaps) over src/mda/imap_server. */
extern const struct netsess_ops netsess_imap_ops;

struct dovecot_conf;
struct ssl_ctx_st;

/*
 * Dovecot's TLS for a host, as its settings say (dc, loaded by the
 * caller): ssl = no gives no context (0, *ctx_out NULL); otherwise the
 * pair ssl_cert/ssl_key names ("</etc/ssl/x.pem": the host's file), and
 * where they are unset Debian's snakeoil pair, generated on first use as
 * make-ssl-cert does. -1 with e set, worded as doveconf words it with the
 * config file and line, when a file cannot be read or the pair is no
 * good; the caller then serves without TLS.
 */
int netsess_dovecot_tls(struct host *h, const struct dovecot_conf *dc,
			struct ssl_ctx_st **ctx_out, struct err *e);

/* One line of Dovecot's own log format into the host's mail.log and its
 * trace: text is "master: Warning: ..." (after "dovecot: "). */
void netsess_dovecot_log(struct host *h, mtime_t now, const char *text);

#endif
