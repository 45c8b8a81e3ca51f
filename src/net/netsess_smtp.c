/* The listener's SMTP service: struct smtp_server behind netsess_ops. */
#include "net/netsess.h"

#include "mta/smtp_server.h"

static void *smtp_open(struct host *h, const char *service,
		       const struct netsess_peer *p, mtime_t now)
{
	struct smtp_server_opts o = {
		.client_addr = p->addr,
		.client_name = p->name,
		.service = service,
		.tls_possible = p->tls_possible,
	};

	return smtp_server_new(h, &o, now);
}

static void smtp_feed(void *s, const void *buf, size_t len, mtime_t now)
{
	smtp_server_feed(s, buf, len, now);
}

static enum netsess_act smtp_run(void *s, mtime_t now, long *delay_ms_out)
{
	switch (smtp_server_run(s, now, delay_ms_out)) {
	case SMTP_SERVER_NEED_INPUT:
		return NETSESS_NEED_INPUT;
	case SMTP_SERVER_DELAY:
		return NETSESS_DELAY;
	case SMTP_SERVER_STARTTLS:
		return NETSESS_STARTTLS;
	case SMTP_SERVER_CLOSE:
		break;
	}
	return NETSESS_CLOSE;
}

static struct buf *smtp_output(void *s)
{
	return smtp_server_output(s);
}

static void smtp_eof(void *s, mtime_t now)
{
	smtp_server_eof(s, now);
}

static void smtp_tls_started(void *s, mtime_t now)
{
	smtp_server_tls_started(s, now);
}

static void smtp_close(void **sp)
{
	struct smtp_server *s = *sp;

	smtp_server_free(&s);
	*sp = NULL;
}

const struct netsess_ops netsess_smtp_ops = {
	.proto = "smtp",
	.open = smtp_open,
	.feed = smtp_feed,
	.run = smtp_run,
	.output = smtp_output,
	.eof = smtp_eof,
	.tls_started = smtp_tls_started,
	.close = smtp_close,
};
