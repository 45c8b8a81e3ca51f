/*
 * netsess_dovecot: the listener's adapter for Dovecot's services (POP3,
 * IMAP). Both servers (src/mda/pop3_server.h, imap_server.h) drive the
 * same way: open, feed, run, output, eof, TLS; what Dovecot's master adds
 * outside the session (idle limit, process limit, the goodbye on
 * timeout, IDLE ticks) is the same too but for a few words. So one
 * adapter (netsess_dovecot.c) serves both through a small ops table per
 * protocol over its server (netsess_pop3.c, netsess_imap.c); this header
 * is for those three files only.
 */
#ifndef MAILLAB_NETSESS_DOVECOT_H
#define MAILLAB_NETSESS_DOVECOT_H

#include "lib/err.h"
#include "net/netsess.h"

struct netsess_dovecot {
	const char *login;	/* "imap-login": the log lines' process */
	long idle_ms;		/* the service's idle limit */
	long tick_ms;		/* 0: no ticks; else while idling() */
	const char *bye;	/* said on timeout: "* BYE ...\r\n" */
	/* A server for the host's session with p, or NULL with e set. */
	void *(*open)(struct host *h, const struct netsess_peer *p,
		      mtime_t now, struct err *e);
	void (*feed)(void *srv, const void *buf, size_t len, mtime_t now);
	enum netsess_act (*run)(void *srv, mtime_t now, long *delay_ms_out);
	struct buf *(*output)(void *srv);
	void (*eof)(void *srv, mtime_t now);
	void (*tls_started)(void *srv, mtime_t now);
	int (*idling)(void *srv);		/* NULL: never */
	void (*tick)(void *srv, mtime_t now);	/* NULL: no ticks */
	void (*free)(void *srv);
};

/* The two protocols' tables (netsess_pop3.c, netsess_imap.c); the
 * listener's netsess_pop3_ops and netsess_imap_ops (netsess.h) run them
 * through the adapter in netsess_dovecot.c. */
extern const struct netsess_dovecot netsess_dovecot_pop3;
extern const struct netsess_dovecot netsess_dovecot_imap;

#endif
