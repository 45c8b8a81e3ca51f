/*
 * The listener's IMAP service (imap 143 with STARTTLS, imaps 993): struct
 * imap_server (src/mda/imap_server.h) behind the Dovecot adapter
 * (netsess_dovecot.h) with IMAP's words and limits: the idle limit (the
 * 30 minute autologout of RFC 3501 section 5.4) and the IDLE ticks.
 */
#include "net/netsess_dovecot.h"

#include "mda/imap_server.h"

/* RFC 3501 section 5.4: at least 30 minutes (Dovecot's
 * CLIENT_IDLE_TIMEOUT_MSECS in src/imap/imap-client.h). */
#define IMAP_IDLE_MS	(30L * 60 * 1000)
/* While a client IDLEs, how often new mail is looked for. */
#define IMAP_TICK_MS	1000

static void *imap_open(struct host *h, const struct netsess_peer *p,
		       mtime_t now, struct err *e)
{
	struct imap_server_opts o;

	imap_server_opts_for_host(&o, h);
	o.client_addr = p->addr;
	o.local_addr = p->local_addr;
	o.client_port = p->port;
	o.tls_possible = p->tls_possible;
	o.tls_active = p->tls;
	return imap_server_new(&o, now, e);
}

static const enum netsess_act imap_acts[] = {
	[IMAP_SERVER_NEED_INPUT] = NETSESS_NEED_INPUT,
	[IMAP_SERVER_DELAY] = NETSESS_DELAY,
	[IMAP_SERVER_STARTTLS] = NETSESS_STARTTLS,
	[IMAP_SERVER_CLOSE] = NETSESS_CLOSE,
};

static enum netsess_act imap_run(void *srv, mtime_t now, long *delay_ms_out)
{
	return imap_acts[imap_server_run(srv, now, delay_ms_out)];
}

static void imap_feed(void *srv, const void *buf, size_t len, mtime_t now)
{
	imap_server_feed(srv, buf, len, now);
}

static struct buf *imap_output(void *srv)
{
	return imap_server_output(srv);
}

static void imap_eof(void *srv, mtime_t now)
{
	imap_server_eof(srv, now);
}

static void imap_tls_started(void *srv, mtime_t now)
{
	imap_server_tls_started(srv, now);
}

static int imap_idling(void *srv)
{
	return imap_server_idling(srv);
}

static void imap_tick(void *srv, mtime_t now)
{
	imap_server_tick(srv, now);
}

static void imap_free(void *srv)
{
	struct imap_server *s = srv;

	imap_server_free(&s);
}

const struct netsess_dovecot netsess_dovecot_imap = {
	.login = "imap-login",
	.idle_ms = IMAP_IDLE_MS,
	.tick_ms = IMAP_TICK_MS,
	.bye = "* BYE Disconnected for inactivity.\r\n",
	.open = imap_open,
	.feed = imap_feed,
	.run = imap_run,
	.output = imap_output,
	.eof = imap_eof,
	.tls_started = imap_tls_started,
	.idling = imap_idling,
	.tick = imap_tick,
	.free = imap_free,
};
