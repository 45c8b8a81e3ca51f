/*
 * The listener's IMAP service (imap 143 with STARTTLS, imaps 993): struct
 * imap_server (src/mda/imap_server.h) behind netsess_ops, plus what
 * Dovecot's master does outside the session: the idle limit (the 30
 * minute autologout of RFC 3501 section 5.4), the IDLE ticks, and the
 * process limit.
 */
#include "net/netsess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "mda/imap_server.h"
#include "mta/host.h"

/* RFC 3501 section 5.4: at least 30 minutes (Dovecot's
 * CLIENT_IDLE_TIMEOUT_MSECS in src/imap/imap-client.h). */
#define IMAP_IDLE_MS	(30L * 60 * 1000)
/* While a client IDLEs, how often new mail is looked for. */
#define IMAP_TICK_MS	1000

struct nimap {
	struct imap_server *srv;
	struct host *h;		/* borrowed */
	int timed_out;
};

static void imap_limits(struct host *h, const char *service,
			struct netsess_limits *l)
{
	(void)h;
	(void)service;
	l->idle_ms = IMAP_IDLE_MS;
	/* mail_max_userip_connections counts logins, not connections */
	l->client_limit = 0;
}

static void imap_refuse(struct host *h, const char *service,
			const struct netsess_peer *p, enum netsess_refusal why,
			long count, int quiet, mtime_t now, struct buf *out)
{
	(void)service;
	(void)p;
	(void)out;
	/* reference/logs/dovecot-master.log: Dovecot drops the client
	 * without a word and warns once. */
	if (why == NETSESS_REFUSE_BUSY && !quiet) {
		char *text = xasprintf("master: Warning: service(imap-login): process_limit "
				       "(%ld) reached, client connections are being dropped",
				       count);

		netsess_dovecot_log(h, now, text);
		free(text);
	}
}

static void *imap_open(struct host *h, const char *service,
		       const struct netsess_peer *p, const struct netsess_env *env,
		       mtime_t now)
{
	struct imap_server_opts o;
	struct imap_server *srv;
	struct nimap *n;
	struct err e;

	(void)service;
	(void)env;
	imap_server_opts_for_host(&o, h);
	o.client_addr = p->addr;
	o.local_addr = p->local_addr;
	o.client_port = p->port;
	o.tls_possible = p->tls_possible;
	o.tls_active = p->tls;
	srv = imap_server_new(&o, now, &e);
	if (srv == NULL) {
		char *text = xasprintf("imap-login: Error: %s", e.text);

		netsess_dovecot_log(h, now, text);
		free(text);
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->srv = srv;
	n->h = h;
	return n;
}

static void imap_feed(void *s, const void *buf, size_t len, mtime_t now)
{
	struct nimap *n = s;

	imap_server_feed(n->srv, buf, len, now);
}

static enum netsess_act imap_run(void *s, mtime_t now, long *delay_ms_out)
{
	struct nimap *n = s;

	if (n->timed_out)
		return NETSESS_CLOSE;
	switch (imap_server_run(n->srv, now, delay_ms_out)) {
	case IMAP_SERVER_NEED_INPUT:
		return NETSESS_NEED_INPUT;
	case IMAP_SERVER_DELAY:
		return NETSESS_DELAY;
	case IMAP_SERVER_STARTTLS:
		return NETSESS_STARTTLS;
	case IMAP_SERVER_CLOSE:
		break;
	}
	return NETSESS_CLOSE;
}

static struct buf *imap_output(void *s)
{
	struct nimap *n = s;

	return imap_server_output(n->srv);
}

static void imap_eof(void *s, mtime_t now)
{
	struct nimap *n = s;

	imap_server_eof(n->srv, now);
	/* the engine's goodbye lines in the log; nothing reaches the client */
	(void)imap_server_run(n->srv, now, &(long){ 0 });
}

static void imap_tls_started(void *s, mtime_t now)
{
	struct nimap *n = s;

	imap_server_tls_started(n->srv, now);
}

static void imap_tls_failed(void *s, const char *result, const char *problem,
			    mtime_t now)
{
	(void)result;
	(void)problem;
	imap_eof(s, now);
}

static void imap_timeout(void *s, mtime_t now)
{
	struct nimap *n = s;

	/*
	 * Dovecot: "* BYE Disconnected for inactivity." XXX the engine has
	 * no timeout entry yet, so its log line says the client went away.
	 */
	buf_adds(imap_server_output(n->srv), "* BYE Disconnected for inactivity.\r\n");
	imap_server_eof(n->srv, now);
	(void)imap_server_run(n->srv, now, &(long){ 0 });
	n->timed_out = 1;
}

static long imap_tick_ms(void *s)
{
	struct nimap *n = s;

	return !n->timed_out && imap_server_idling(n->srv) ? IMAP_TICK_MS : 0;
}

static void imap_tick(void *s, mtime_t now)
{
	struct nimap *n = s;

	imap_server_tick(n->srv, now);
}

static void imap_close(void **sp)
{
	struct nimap *n = *sp;

	imap_server_free(&n->srv);
	free(n);
	*sp = NULL;
}

const struct netsess_ops netsess_imap_ops = {
	.proto = "imap",
	.limits = imap_limits,
	.refuse = imap_refuse,
	.open = imap_open,
	.feed = imap_feed,
	.run = imap_run,
	.output = imap_output,
	.eof = imap_eof,
	.tls_started = imap_tls_started,
	.tls_failed = imap_tls_failed,
	.timeout = imap_timeout,
	.tick_ms = imap_tick_ms,
	.tick = imap_tick,
	.close = imap_close,
};
