/*
 * The listener's POP3 service (pop3 110 with STLS, pop3s 995): struct
 * pop3_server (src/mda/pop3_server.h) behind the Dovecot adapter
 * (netsess_dovecot.h) with POP3's words and idle limit (Dovecot's pop3
 * disconnects after 10 minutes, RFC 1939 section 3's minimum autologout).
 */
#include "net/netsess_dovecot.h"

#include "mda/pop3_server.h"

/* Dovecot: CLIENT_IDLE_TIMEOUT_MSECS (src/pop3/pop3-client.c), 10 min. */
#define POP3_IDLE_MS	(10L * 60 * 1000)

static void *pop3_open(struct host *h, const struct netsess_peer *p,
		       mtime_t now, struct err *e)
{
	struct pop3_server_opts o;

	pop3_server_opts_for_host(&o, h);
	o.client_addr = p->addr;
	o.local_addr = p->local_addr;
	o.client_port = p->port;
	o.tls_possible = p->tls_possible;
	o.tls_active = p->tls;
	return pop3_server_new(&o, now, e);
}

static const enum netsess_act pop3_acts[] = {
	[POP3_SERVER_NEED_INPUT] = NETSESS_NEED_INPUT,
	[POP3_SERVER_DELAY] = NETSESS_DELAY,
	[POP3_SERVER_STARTTLS] = NETSESS_STARTTLS,
	[POP3_SERVER_CLOSE] = NETSESS_CLOSE,
};

static enum netsess_act pop3_run(void *srv, mtime_t now, long *delay_ms_out)
{
	return pop3_acts[pop3_server_run(srv, now, delay_ms_out)];
}

static void pop3_feed(void *srv, const void *buf, size_t len, mtime_t now)
{
	pop3_server_feed(srv, buf, len, now);
}

static struct buf *pop3_output(void *srv)
{
	return pop3_server_output(srv);
}

static void pop3_eof(void *srv, mtime_t now)
{
	pop3_server_eof(srv, now);
}

static void pop3_tls_started(void *srv, mtime_t now)
{
	pop3_server_tls_started(srv, now);
}

static void pop3_free(void *srv)
{
	struct pop3_server *s = srv;

	pop3_server_free(&s);
}

const struct netsess_dovecot netsess_dovecot_pop3 = {
	.login = "pop3-login",
	.idle_ms = POP3_IDLE_MS,
	.bye = "-ERR Disconnected for inactivity.\r\n",
	.open = pop3_open,
	.feed = pop3_feed,
	.run = pop3_run,
	.output = pop3_output,
	.eof = pop3_eof,
	.tls_started = pop3_tls_started,
	.free = pop3_free,
};
