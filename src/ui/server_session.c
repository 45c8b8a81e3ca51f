/*
 * server_session: one table row per protocol, each adapting its server's
 * calls (smtp_server_*, pop3_server_*, imap_server_*) to the common ones.
 * The three servers' actions mean the same things, so the adapters only
 * rename them.
 */
#include "ui/server_session.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "mda/imap_server.h"
#include "mda/pop3_server.h"
#include "mta/host.h"
#include "mta/smtp_server.h"

struct server_session {
	const struct session_ops *ops;
	enum explain_proto proto;
	void *srv;		/* smtp_server, pop3_server or imap_server */
	char *client_addr;
	char *client_name;
	char *service;
};

struct session_ops {
	enum explain_proto proto;
	void *(*open)(struct server_session *s, struct host *h,
		      const struct server_session_opts *o, mtime_t now,
		      struct err *e);
	void (*free)(void **srv);
	void (*feed)(void *srv, const void *buf, size_t len, mtime_t now);
	void (*eof)(void *srv, mtime_t now);
	enum server_session_act (*run)(void *srv, mtime_t now, long *delay);
	struct buf *(*output)(void *srv);
	void (*tls_started)(void *srv, mtime_t now);
	void (*tls_failed)(void *srv, const char *result, const char *problem,
			   mtime_t now);
	void (*tick)(void *srv, mtime_t now);
	int (*idling)(const void *srv);
};

/* Dovecot's session IDs are made from the client's port: a stable one
 * per process when the driver has none (a pipe has no port). */
static int made_up_port(const struct server_session_opts *o)
{
	return o->client_port > 0 ? o->client_port :
	       40000 + (int)(getpid() % 20000);
}

/* ---- SMTP: Postfix's smtpd ---- */

static void *smtp_open(struct server_session *s, struct host *h,
		       const struct server_session_opts *o, mtime_t now,
		       struct err *e)
{
	struct smtp_server_opts so;

	(void)e;
	memset(&so, 0, sizeof(so));
	so.client_addr = s->client_addr;
	so.client_name = s->client_name;
	so.service = s->service;
	so.tls_possible = o->tls_possible;
	so.client_port = o->client_port;
	return smtp_server_new(h, &so, now);
}

static void smtp_free_(void **p)
{
	struct smtp_server *srv = *p;

	smtp_server_free(&srv);
	*p = NULL;
}

static void smtp_feed(void *p, const void *buf, size_t len, mtime_t now)
{
	smtp_server_feed(p, buf, len, now);
}

static void smtp_eof(void *p, mtime_t now)
{
	smtp_server_eof(p, now);
}

static enum server_session_act smtp_run(void *p, mtime_t now, long *delay)
{
	static const enum server_session_act map[] = {
		[SMTP_SERVER_NEED_INPUT] = SERVER_SESSION_NEED_INPUT,
		[SMTP_SERVER_DELAY] = SERVER_SESSION_DELAY,
		[SMTP_SERVER_STARTTLS] = SERVER_SESSION_STARTTLS,
		[SMTP_SERVER_CLOSE] = SERVER_SESSION_CLOSE,
	};

	return map[smtp_server_run(p, now, delay)];
}

static struct buf *smtp_output(void *p)
{
	return smtp_server_output(p);
}

static void smtp_tls_started(void *p, mtime_t now)
{
	smtp_server_tls_started(p, now);
}

static void smtp_tls_failed(void *p, const char *result, const char *problem,
			    mtime_t now)
{
	smtp_server_tls_failed(p, result, problem, now);
}

/* ---- POP3: Dovecot's pop3-login and pop3 ---- */

static void *pop3_open(struct server_session *s, struct host *h,
		       const struct server_session_opts *o, mtime_t now,
		       struct err *e)
{
	struct pop3_server_opts po;

	pop3_server_opts_for_host(&po, h);
	po.client_addr = s->client_addr;
	po.client_port = made_up_port(o);
	po.tls_possible = o->tls_possible;
	return pop3_server_new(&po, now, e);
}

static void pop3_free_(void **p)
{
	struct pop3_server *srv = *p;

	pop3_server_free(&srv);
	*p = NULL;
}

static void pop3_feed(void *p, const void *buf, size_t len, mtime_t now)
{
	pop3_server_feed(p, buf, len, now);
}

static void pop3_eof(void *p, mtime_t now)
{
	pop3_server_eof(p, now);
}

static enum server_session_act pop3_run(void *p, mtime_t now, long *delay)
{
	static const enum server_session_act map[] = {
		[POP3_SERVER_NEED_INPUT] = SERVER_SESSION_NEED_INPUT,
		[POP3_SERVER_DELAY] = SERVER_SESSION_DELAY,
		[POP3_SERVER_STARTTLS] = SERVER_SESSION_STARTTLS,
		[POP3_SERVER_CLOSE] = SERVER_SESSION_CLOSE,
	};

	return map[pop3_server_run(p, now, delay)];
}

static struct buf *pop3_output(void *p)
{
	return pop3_server_output(p);
}

static void pop3_tls_started(void *p, mtime_t now)
{
	pop3_server_tls_started(p, now);
}

/* XXX Dovecot logs "Disconnected (no auth attempts ...): ..., TLS
 * handshaking: SSL_accept() failed: ..."; we log a plain disconnect. */
static void dovecot_tls_failed_pop3(void *p, const char *result,
				    const char *problem, mtime_t now)
{
	(void)result;
	(void)problem;
	pop3_server_eof(p, now);
}

/* ---- IMAP: Dovecot's imap-login and imap ---- */

static void *imap_open(struct server_session *s, struct host *h,
		       const struct server_session_opts *o, mtime_t now,
		       struct err *e)
{
	struct imap_server_opts io;

	imap_server_opts_for_host(&io, h);
	io.client_addr = s->client_addr;
	io.client_port = made_up_port(o);
	io.tls_possible = o->tls_possible;
	return imap_server_new(&io, now, e);
}

static void imap_free_(void **p)
{
	struct imap_server *srv = *p;

	imap_server_free(&srv);
	*p = NULL;
}

static void imap_feed(void *p, const void *buf, size_t len, mtime_t now)
{
	imap_server_feed(p, buf, len, now);
}

static void imap_eof(void *p, mtime_t now)
{
	imap_server_eof(p, now);
}

static enum server_session_act imap_run(void *p, mtime_t now, long *delay)
{
	static const enum server_session_act map[] = {
		[IMAP_SERVER_NEED_INPUT] = SERVER_SESSION_NEED_INPUT,
		[IMAP_SERVER_DELAY] = SERVER_SESSION_DELAY,
		[IMAP_SERVER_STARTTLS] = SERVER_SESSION_STARTTLS,
		[IMAP_SERVER_CLOSE] = SERVER_SESSION_CLOSE,
	};

	return map[imap_server_run(p, now, delay)];
}

static struct buf *imap_output(void *p)
{
	return imap_server_output(p);
}

static void imap_tls_started(void *p, mtime_t now)
{
	imap_server_tls_started(p, now);
}

static void dovecot_tls_failed_imap(void *p, const char *result,
				    const char *problem, mtime_t now)
{
	(void)result;
	(void)problem;
	imap_server_eof(p, now);
}

static void imap_tick(void *p, mtime_t now)
{
	imap_server_tick(p, now);
}

static int imap_idling(const void *p)
{
	return imap_server_idling(p);
}

static const struct session_ops session_ops[] = {
	{ EXPLAIN_SMTP, smtp_open, smtp_free_, smtp_feed, smtp_eof, smtp_run,
	  smtp_output, smtp_tls_started, smtp_tls_failed, NULL, NULL },
	{ EXPLAIN_POP3, pop3_open, pop3_free_, pop3_feed, pop3_eof, pop3_run,
	  pop3_output, pop3_tls_started, dovecot_tls_failed_pop3, NULL, NULL },
	{ EXPLAIN_IMAP, imap_open, imap_free_, imap_feed, imap_eof, imap_run,
	  imap_output, imap_tls_started, dovecot_tls_failed_imap, imap_tick,
	  imap_idling },
};

static int is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

struct server_session *server_session_new(struct host *h,
					  const struct server_session_opts *o,
					  mtime_t now, struct err *e)
{
	struct server_session *s;
	size_t i;

	for (i = 0; i < ARRAY_LEN(session_ops); i++)
		if (session_ops[i].proto == o->proto)
			break;
	BUG_ON(i == ARRAY_LEN(session_ops));
	s = xcalloc(1, sizeof(*s));
	s->ops = &session_ops[i];
	s->proto = o->proto;
	s->client_addr = xstrdup(o->client_addr ? o->client_addr : "127.0.0.1");
	s->client_name = xstrdup(o->client_name ? o->client_name :
				 is_loopback(s->client_addr) ? "localhost" :
				 "unknown");
	s->service = xstrdup(o->service ? o->service : "smtp");
	s->srv = s->ops->open(s, h, o, now, e);
	if (s->srv == NULL) {
		server_session_free(&s);
		return NULL;
	}
	return s;
}

void server_session_free(struct server_session **sp)
{
	struct server_session *s = *sp;

	if (s == NULL)
		return;
	if (s->srv != NULL)
		s->ops->free(&s->srv);
	free(s->client_addr);
	free(s->client_name);
	free(s->service);
	free(s);
	*sp = NULL;
}

enum explain_proto server_session_proto(const struct server_session *s)
{
	return s->proto;
}

void server_session_feed(struct server_session *s, const void *buf,
			 size_t len, mtime_t now)
{
	s->ops->feed(s->srv, buf, len, now);
}

void server_session_eof(struct server_session *s, mtime_t now)
{
	s->ops->eof(s->srv, now);
}

enum server_session_act server_session_run(struct server_session *s,
					   mtime_t now, long *delay_ms_out)
{
	long dummy = 0;

	if (delay_ms_out == NULL)
		delay_ms_out = &dummy;
	*delay_ms_out = 0;
	return s->ops->run(s->srv, now, delay_ms_out);
}

struct buf *server_session_output(struct server_session *s)
{
	return s->ops->output(s->srv);
}

void server_session_tls_started(struct server_session *s, mtime_t now)
{
	s->ops->tls_started(s->srv, now);
}

void server_session_tls_failed(struct server_session *s, const char *result,
			       const char *problem, mtime_t now)
{
	s->ops->tls_failed(s->srv, result, problem, now);
}

void server_session_tick(struct server_session *s, mtime_t now)
{
	if (s->ops->tick != NULL)
		s->ops->tick(s->srv, now);
}

int server_session_idling(const struct server_session *s)
{
	return s->ops->idling != NULL && s->ops->idling(s->srv);
}

const char *server_session_last_queue_id(const struct server_session *s)
{
	if (s->proto != EXPLAIN_SMTP)
		return NULL;
	return smtp_server_last_queue_id(s->srv);
}
