/*
 * The listener's POP3 service (pop3 110 with STLS, pop3s 995): struct
 * pop3_server (src/mda/pop3_server.h) behind netsess_ops, plus what
 * Dovecot's master does outside the session: the idle limit (Dovecot's
 * pop3 disconnects after 10 minutes, RFC 1939 section 3's minimum
 * autologout) and the process limit.
 */
#include "net/netsess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "mda/pop3_server.h"
#include "mta/host.h"

/* Dovecot: CLIENT_IDLE_TIMEOUT_MSECS (src/pop3/pop3-client.c), 10 min. */
#define POP3_IDLE_MS	(10L * 60 * 1000)

struct npop3 {
	struct pop3_server *srv;
	struct host *h;		/* borrowed */
	int timed_out;
};

static void pop3_limits(struct host *h, const char *service,
			struct netsess_limits *l)
{
	(void)h;
	(void)service;
	l->idle_ms = POP3_IDLE_MS;
	/* mail_max_userip_connections counts logins, not connections */
	l->client_limit = 0;
}

static void pop3_refuse(struct host *h, const char *service,
			const struct netsess_peer *p, enum netsess_refusal why,
			long count, int quiet, mtime_t now, struct buf *out)
{
	(void)service;
	(void)p;
	(void)out;
	/* reference/logs/dovecot-master.log: Dovecot drops the client
	 * without a word and warns once. */
	if (why == NETSESS_REFUSE_BUSY && !quiet) {
		char *text = xasprintf("master: Warning: service(pop3-login): process_limit "
				       "(%ld) reached, client connections are being dropped",
				       count);

		netsess_dovecot_log(h, now, text);
		free(text);
	}
}

static void *pop3_open(struct host *h, const char *service,
		       const struct netsess_peer *p, const struct netsess_env *env,
		       mtime_t now)
{
	struct pop3_server_opts o;
	struct pop3_server *srv;
	struct npop3 *n;
	struct err e;

	(void)service;
	(void)env;
	pop3_server_opts_for_host(&o, h);
	o.client_addr = p->addr;
	o.local_addr = p->local_addr;
	o.client_port = p->port;
	o.tls_possible = p->tls_possible;
	o.tls_active = p->tls;
	srv = pop3_server_new(&o, now, &e);
	if (srv == NULL) {
		char *text = xasprintf("pop3-login: Error: %s", e.text);

		netsess_dovecot_log(h, now, text);
		free(text);
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->srv = srv;
	n->h = h;
	return n;
}

static void pop3_feed(void *s, const void *buf, size_t len, mtime_t now)
{
	struct npop3 *n = s;

	pop3_server_feed(n->srv, buf, len, now);
}

static enum netsess_act pop3_run(void *s, mtime_t now, long *delay_ms_out)
{
	struct npop3 *n = s;

	if (n->timed_out)
		return NETSESS_CLOSE;
	switch (pop3_server_run(n->srv, now, delay_ms_out)) {
	case POP3_SERVER_NEED_INPUT:
		return NETSESS_NEED_INPUT;
	case POP3_SERVER_DELAY:
		return NETSESS_DELAY;
	case POP3_SERVER_STARTTLS:
		return NETSESS_STARTTLS;
	case POP3_SERVER_CLOSE:
		break;
	}
	return NETSESS_CLOSE;
}

static struct buf *pop3_output(void *s)
{
	struct npop3 *n = s;

	return pop3_server_output(n->srv);
}

static void pop3_eof(void *s, mtime_t now)
{
	struct npop3 *n = s;

	pop3_server_eof(n->srv, now);
	/* the engine's goodbye lines in the log; nothing reaches the client */
	(void)pop3_server_run(n->srv, now, &(long){ 0 });
}

static void pop3_tls_started(void *s, mtime_t now)
{
	struct npop3 *n = s;

	pop3_server_tls_started(n->srv, now);
}

static void pop3_tls_failed(void *s, const char *result, const char *problem,
			    mtime_t now)
{
	(void)result;
	(void)problem;
	pop3_eof(s, now);
}

static void pop3_timeout(void *s, mtime_t now)
{
	struct npop3 *n = s;

	/*
	 * Dovecot: "-ERR Disconnected for inactivity." XXX the engine has no
	 * timeout entry yet, so its log line says the client went away.
	 */
	buf_adds(pop3_server_output(n->srv), "-ERR Disconnected for inactivity.\r\n");
	pop3_server_eof(n->srv, now);
	(void)pop3_server_run(n->srv, now, &(long){ 0 });
	n->timed_out = 1;
}

static void pop3_close(void **sp)
{
	struct npop3 *n = *sp;

	pop3_server_free(&n->srv);
	free(n);
	*sp = NULL;
}

const struct netsess_ops netsess_pop3_ops = {
	.proto = "pop3",
	.limits = pop3_limits,
	.refuse = pop3_refuse,
	.open = pop3_open,
	.feed = pop3_feed,
	.run = pop3_run,
	.output = pop3_output,
	.eof = pop3_eof,
	.tls_started = pop3_tls_started,
	.tls_failed = pop3_tls_failed,
	.timeout = pop3_timeout,
	.close = pop3_close,
};
