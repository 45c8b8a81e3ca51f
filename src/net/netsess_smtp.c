/*
 * The listener's SMTP service (smtp, submission, smtps): struct
 * smtp_server behind netsess_ops, plus what Postfix's smtpd does outside
 * its protocol engine when the listener asks: the per-client connection
 * limit (anvil's count, smtpd_client_connection_count_limit), the
 * answer when every server port is busy, and the SSL_accept log lines.
 */
#include "net/netsess.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"
#include "lib/mastercf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/smtp_server.h"
#include "net/syncq.h"

struct nsmtp {
	struct smtp_server *srv;
	struct host *h;		/* borrowed */
	char *peer;		/* "localhost[127.0.0.1]" */
	char *service;		/* master.cf name */
	int starttls;		/* the session said STARTTLS: handshake awaited */
	/* group commit (net/syncq.h) */
	struct syncq *syncq;	/* the listener's, or NULL */
	struct syncq_job *job;	/* the DATA sync under way, or NULL */
	int synced;		/* job done: sync_err goes to the server */
	int sync_err;
	void (*wake)(void *ctx);/* the connection's waker */
	void *wake_ctx;
};

/*
 * main.cf with the service's -o overrides, as the service's smtpd reads
 * it. $service_name is the master.cf name (Debian's "-o
 * syslog_name=postfix/$service_name" on submission). mynetworks falls
 * back as smtp_server does.
 */
static struct conf *service_conf(struct host *h, const char *service)
{
	const struct mastercf_service *svc = mastercf_find(&h->master, service, "inet");
	char *path = host_path(h, "etc/postfix/main.cf");
	struct conf *c = conf_new();
	struct err e;
	size_t i;

	(void)conf_load(c, path, &e);	/* host_reload logged it */
	free(path);
	conf_set(c, "service_name", service);
	if (!conf_is_set(c, "mynetworks"))
		conf_set(c, "mynetworks", "127.0.0.0/8 [::1]/128");
	for (i = 0; svc != NULL && i < svc->nopts; i++)
		conf_set(c, svc->opts[i].name, svc->opts[i].value);
	return c;
}

static char *process_name(struct conf *c)
{
	const char *v = conf_get(c, "syslog_name");

	return xasprintf("%s/smtpd", v != NULL && *v ? v : "postfix");
}

static void smtp_limits(struct host *h, const char *service,
			struct netsess_limits *l)
{
	struct conf *c = service_conf(h, service);
	const char *ex = conf_get(c, "smtpd_client_event_limit_exceptions");
	struct err e;

	l->idle_ms = conf_get_time(c, "smtpd_timeout", 's') * 1000;
	l->client_limit = conf_get_int(c, "smtpd_client_connection_count_limit");
	if (l->client_limit < 0)
		l->client_limit = 0;
	(void)cidr_list_parse(&l->exempt, ex ? ex : "", &e);
	conf_free(&c);
}

/* One line to the client and to the trace, as the session would. */
static void say(struct host *h, const char *process, const char *peer,
		mtime_t now, struct buf *out, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void say(struct host *h, const char *process, const char *peer,
		mtime_t now, struct buf *out, const char *fmt, ...)
{
	struct trace_event ev;
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	buf_adds(out, line);
	buf_adds(out, "\r\n");
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = h->name;
	ev.process = process;
	ev.peer = peer;
	ev.protocol = "smtp";
	ev.direction = TRACE_DIR_OUT;
	ev.text = line;
	trace_emit(&h->trace, &ev);
}

static void smtp_refuse(struct host *h, const char *service,
			const struct netsess_peer *p, enum netsess_refusal why,
			long count, int quiet, mtime_t now, struct buf *out)
{
	struct conf *c;
	char *process, *peer;
	const char *myhostname;

	if (why == NETSESS_REFUSE_BUSY && quiet) {
		/* the cheap path: a flood of clients while all ports are busy */
		buf_adds(out, "421 4.3.2 All server ports are busy\r\n");
		return;
	}
	c = service_conf(h, service);
	process = process_name(c);
	peer = xasprintf("%s[%s]", p->name, p->addr);
	myhostname = conf_is_set(c, "myhostname") ? conf_get(c, "myhostname")
		: host_myhostname(h);
	if (why == NETSESS_REFUSE_CLIENT_LIMIT) {
		/* smtpd.c, smtpd_proto(): anvil said this client has more
		 * connections than smtpd_client_connection_count_limit. The
		 * 421 takes the banner's place. */
		host_log(h, now, process, "connect from %s", peer);
		host_log(h, now, process,
			 "warning: Connection concurrency limit exceeded: %ld from %s for service %s",
			 count, peer, service);
		say(h, process, peer, now, out,
		    "421 4.7.0 %s Error: too many connections from %s",
		    myhostname, p->addr);
		host_log(h, now, process, "disconnect from %s commands=0/0", peer);
	} else if (!quiet) {
		/* Every server port is busy: postscreen's words for it (the
		 * listener has no queue of waiting clients as master has). */
		host_log(h, now, "postfix/master",
			 "warning: service \"%s\" (%s:%d) has reached its process limit \"%ld\": "
			 "new clients may experience noticeable delays",
			 service, p->local_addr, p->local_port, count);
	}
	if (why == NETSESS_REFUSE_BUSY)
		say(h, process, peer, now, out, "421 4.3.2 All server ports are busy");
	free(peer);
	free(process);
	conf_free(&c);
}

static void queued(void *ctx, struct host *h, const char *queue_id,
		   const char *path)
{
	const struct netsess_env *env = ctx;

	(void)queue_id;
	(void)path;
	if (env->work != NULL)
		env->work(env->ctx, h);
}

/* The sync thread is done with our file: the reply can go out. */
static void synced(void *ctx, int errnum)
{
	struct nsmtp *n = ctx;

	n->job = NULL;
	n->synced = 1;
	n->sync_err = errnum;
	n->wake(n->wake_ctx);	/* may free n */
}

static int sync_start(void *ctx, struct smtp_server *srv, int fd,
		      const char *dir)
{
	struct nsmtp *n = ctx;

	(void)srv;
	if (n->syncq == NULL || n->wake == NULL)
		return -1;
	n->job = syncq_add(n->syncq, fd, dir, synced, n);
	return n->job != NULL ? 0 : -1;
}

static void sync_cancel(void *ctx, struct smtp_server *srv)
{
	struct nsmtp *n = ctx;

	(void)srv;
	syncq_cancel(n->syncq, n->job);
	n->job = NULL;
	n->synced = 0;
}

static void *smtp_open(struct host *h, const char *service,
		       const struct netsess_peer *p, const struct netsess_env *env,
		       mtime_t now)
{
	struct smtp_server_opts o;
	struct nsmtp *n = xcalloc(1, sizeof(*n));

	memset(&o, 0, sizeof(o));
	o.client_addr = p->addr;
	o.client_name = p->name;
	o.service = service;
	o.tls_possible = p->tls_possible;
	o.client_port = p->port;
	o.server_addr = p->local_addr;
	o.server_port = p->local_port;
	if (env != NULL) {
		o.queued = queued;
		o.queued_ctx = (void *)env;
		n->syncq = env->syncq;
	}
	if (n->syncq != NULL) {
		o.sync_start = sync_start;
		o.sync_cancel = sync_cancel;
		o.sync_ctx = n;
	}
	n->srv = smtp_server_new(h, &o, now);
	if (n->srv == NULL) {
		free(n);
		return NULL;
	}
	n->h = h;
	n->service = xstrdup(service);
	n->peer = xasprintf("%s[%s]", p->name, p->addr);
	return n;
}

static void smtp_set_waker(void *s, void (*wake)(void *ctx), void *ctx)
{
	struct nsmtp *n = s;

	n->wake = wake;
	n->wake_ctx = ctx;
}

static void smtp_feed(void *s, const void *buf, size_t len, mtime_t now)
{
	struct nsmtp *n = s;

	smtp_server_feed(n->srv, buf, len, now);
}

static enum netsess_act smtp_run(void *s, mtime_t now, long *delay_ms_out)
{
	struct nsmtp *n = s;

	if (n->synced) {
		n->synced = 0;
		smtp_server_sync_done(n->srv, n->sync_err, now);
	}
	switch (smtp_server_run(n->srv, now, delay_ms_out)) {
	case SMTP_SERVER_NEED_INPUT:
		return NETSESS_NEED_INPUT;
	case SMTP_SERVER_DELAY:
		return NETSESS_DELAY;
	case SMTP_SERVER_STARTTLS:
		n->starttls = 1;
		return NETSESS_STARTTLS;
	case SMTP_SERVER_WAIT:
		return NETSESS_WAIT;
	case SMTP_SERVER_CLOSE:
		break;
	}
	return NETSESS_CLOSE;
}

static struct buf *smtp_output(void *s)
{
	struct nsmtp *n = s;

	return smtp_server_output(n->srv);
}

static void smtp_eof(void *s, mtime_t now)
{
	struct nsmtp *n = s;

	smtp_server_eof(n->srv, now);
}

static void smtp_tls_started(void *s, mtime_t now)
{
	struct nsmtp *n = s;

	n->starttls = 0;
	smtp_server_tls_started(n->srv, now);
}

static void smtp_tls_failed(void *s, const char *result, const char *problem,
			    mtime_t now)
{
	struct nsmtp *n = s;

	if (!n->starttls) {
		/* Implicit TLS (465): no STARTTLS was said, so the engine
		 * does not log the handshake; its SSL_accept lines are ours,
		 * then "lost connection after CONNECT". */
		struct conf *c = service_conf(n->h, n->service);
		char *process = process_name(c);

		host_log(n->h, now, process, "SSL_accept error from %s: %s", n->peer, result);
		if (problem != NULL)
			host_log(n->h, now, process, "warning: TLS library problem: %s", problem);
		free(process);
		conf_free(&c);
	}
	/* After STARTTLS the engine logs Postfix's lines (reference smtp/06e). */
	smtp_server_tls_failed(n->srv, result, problem, now);
}

static void smtp_timeout(void *s, mtime_t now)
{
	struct nsmtp *n = s;

	smtp_server_timeout(n->srv, now);
}

static void smtp_close(void **sp)
{
	struct nsmtp *n = *sp;

	smtp_server_free(&n->srv);
	free(n->peer);
	free(n->service);
	free(n);
	*sp = NULL;
}

const struct netsess_ops netsess_smtp_ops = {
	.proto = "smtp",
	.limits = smtp_limits,
	.refuse = smtp_refuse,
	.open = smtp_open,
	.feed = smtp_feed,
	.run = smtp_run,
	.output = smtp_output,
	.eof = smtp_eof,
	.tls_started = smtp_tls_started,
	.tls_failed = smtp_tls_failed,
	.timeout = smtp_timeout,
	.close = smtp_close,
	.set_waker = smtp_set_waker,
};
