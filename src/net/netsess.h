/*
 * netsess: what the listener needs from a protocol session, whatever the
 * protocol. Each service (SMTP, POP3, IMAP) supplies one ops table over
 * its server glue (src/mta/smtp_server.h and the Dovecot-side ones); the
 * connection code in conn.c drives it without knowing the protocol.
 */
#ifndef MAILLAB_NETSESS_H
#define MAILLAB_NETSESS_H

#include "lib/buf.h"
#include "lib/clock.h"

struct host;

enum netsess_act {
	NETSESS_NEED_INPUT,	/* send the output, read more */
	NETSESS_DELAY,		/* send the output, wait, run again */
	NETSESS_STARTTLS,	/* send the output, then the TLS handshake */
	NETSESS_CLOSE,		/* send the output, then close */
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

struct netsess_ops {
	const char *proto;	/* "smtp", "pop3", "imap" */
	void *(*open)(struct host *h, const char *service,
		      const struct netsess_peer *p, mtime_t now);
	void (*feed)(void *s, const void *buf, size_t len, mtime_t now);
	enum netsess_act (*run)(void *s, mtime_t now, long *delay_ms_out);
	struct buf *(*output)(void *s);
	void (*eof)(void *s, mtime_t now);
	void (*tls_started)(void *s, mtime_t now);
	void (*close)(void **sp);
};

/* The SMTP service (smtp, submission, smtps) over src/mta/smtp_server. */
extern const struct netsess_ops netsess_smtp_ops;

#endif
