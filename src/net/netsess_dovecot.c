/*
 * netsess_dovecot: the adapter between the listener and Dovecot's two
 * servers (netsess_dovecot.h), and mail.log lines of Dovecot's master
 * process (reference/logs/dovecot-master.log): its start, reload, kill
 * and process-limit warnings. Dovecot writes its own syslog format
 * ("dovecot: master: ..."), not Postfix's NAME[PID].
 */
#include "net/netsess_dovecot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "lib/fsutil.h"
#include "lib/xalloc.h"
#include "mda/dovecot_conf.h"
#include "mda/pop3_server.h"
#include "mta/host.h"
#include "net/tls.h"

/* One session: the protocol's server behind its table. */
struct ndovecot {
	const struct netsess_dovecot *d;
	void *srv;
	int timed_out;
};

void netsess_dovecot_log(struct host *h, mtime_t now, const char *text)
{
	char *line = pop3_server_syslog_line(now, host_log_name(h), text);
	char *path = host_path(h, "var/log/mail.log");
	FILE *f = fopen(path, "a");
	struct trace_event ev;

	if (f != NULL) {
		fputs(line, f);
		fclose(f);
	}
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = h->name;
	ev.process = "dovecot";
	ev.protocol = "log";
	ev.text = text;
	trace_emit(&h->trace, &ev);
	free(path);
	free(line);
}

/* Debian's ssl_cert and ssl_key (conf.d/10-ssl.conf, through
 * /etc/dovecot/private/ to the snakeoil pair). */
#define SNAKEOIL_CERT	"etc/ssl/certs/ssl-cert-snakeoil.pem"
#define SNAKEOIL_KEY	"etc/ssl/private/ssl-cert-snakeoil.key"

/* The text of ssl_cert or ssl_key; unset, the snakeoil file's. */
static char *ssl_text(struct host *h, const struct dovecot_conf_where *w,
		      const char *key, const char *snakeoil, struct err *e)
{
	char *path, *text;

	if (w->value != NULL)
		return dovecot_conf_read_value(w, key, h->dir, e);
	path = host_path(h, snakeoil);
	text = fs_slurp(path, NULL, e);
	free(path);
	return text;
}

int netsess_dovecot_tls(struct host *h, const struct dovecot_conf *dc,
			struct ssl_ctx_st **ctx_out, struct err *e)
{
	char *cert = host_path(h, SNAKEOIL_CERT), *key = host_path(h, SNAKEOIL_KEY);
	char *cert_pem = NULL, *key_pem = NULL;
	struct stat st;
	int rc = -1;

	*ctx_out = NULL;
	if (strcmp(dc->ssl, "no") == 0) {
		rc = 0;
		goto out;
	}
	if (dc->ssl_cert.value == NULL && dc->ssl_key.value == NULL) {
		*ctx_out = tls_server_ctx(cert, key, h->name, e);
		rc = *ctx_out != NULL ? 0 : -1;
		goto out;
	}
	/* one of them is Debian's: the pair exists as after install */
	if ((dc->ssl_cert.value == NULL || dc->ssl_key.value == NULL) &&
	    stat(cert, &st) < 0 && stat(key, &st) < 0 &&
	    tls_make_self_signed(cert, key, h->name, e) < 0)
		goto out;
	cert_pem = ssl_text(h, &dc->ssl_cert, "ssl_cert", SNAKEOIL_CERT, e);
	if (cert_pem == NULL)
		goto out;
	key_pem = ssl_text(h, &dc->ssl_key, "ssl_key", SNAKEOIL_KEY, e);
	if (key_pem == NULL)
		goto out;
	*ctx_out = tls_server_ctx_pem(cert_pem, key_pem, e);
	rc = *ctx_out != NULL ? 0 : -1;
out:
	if (key_pem != NULL)
		OPENSSL_cleanse(key_pem, strlen(key_pem));
	free(key_pem);
	free(cert_pem);
	free(cert);
	free(key);
	return rc;
}

/* The table for a listener service: "pop3", "pop3s", "imap", "imaps". */
static const struct netsess_dovecot *dovecot_for(const char *service)
{
	BUG_ON(strncmp(service, "pop3", 4) != 0 && strncmp(service, "imap", 4) != 0);
	return strncmp(service, "imap", 4) == 0 ? &netsess_dovecot_imap :
		&netsess_dovecot_pop3;
}

static void dovecot_limits(struct host *h, const char *service,
			   struct netsess_limits *l)
{
	const struct netsess_dovecot *d = dovecot_for(service);

	(void)h;
	l->idle_ms = d->idle_ms;
	/* mail_max_userip_connections counts logins, not connections */
	l->client_limit = 0;
}

static void dovecot_refuse(struct host *h, const char *service,
			   const struct netsess_peer *p, enum netsess_refusal why,
			   long count, int quiet, mtime_t now, struct buf *out)
{
	const struct netsess_dovecot *d = dovecot_for(service);

	(void)p;
	(void)out;
	/* reference/logs/dovecot-master.log: Dovecot drops the client
	 * without a word and warns once. */
	if (why == NETSESS_REFUSE_BUSY && !quiet) {
		char *text = xasprintf("master: Warning: service(%s): process_limit "
				       "(%ld) reached, client connections are being dropped",
				       d->login, count);

		netsess_dovecot_log(h, now, text);
		free(text);
	}
}

static void *dovecot_open(struct host *h, const char *service,
			  const struct netsess_peer *p,
			  const struct netsess_env *env, mtime_t now)
{
	const struct netsess_dovecot *d = dovecot_for(service);
	struct ndovecot *n;
	struct err e;
	void *srv = d->open(h, p, now, &e);

	(void)env;
	if (srv == NULL) {
		char *text = xasprintf("%s: Error: %s", d->login, e.text);

		netsess_dovecot_log(h, now, text);
		free(text);
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->d = d;
	n->srv = srv;
	return n;
}

static void dovecot_feed(void *s, const void *buf, size_t len, mtime_t now)
{
	struct ndovecot *n = s;

	n->d->feed(n->srv, buf, len, now);
}

static enum netsess_act dovecot_run(void *s, mtime_t now, long *delay_ms_out)
{
	struct ndovecot *n = s;

	if (n->timed_out)
		return NETSESS_CLOSE;
	return n->d->run(n->srv, now, delay_ms_out);
}

static struct buf *dovecot_output(void *s)
{
	struct ndovecot *n = s;

	return n->d->output(n->srv);
}

static void dovecot_eof(void *s, mtime_t now)
{
	struct ndovecot *n = s;

	n->d->eof(n->srv, now);
	/* the engine's goodbye lines in the log; nothing reaches the client */
	(void)n->d->run(n->srv, now, &(long){ 0 });
}

static void dovecot_tls_started(void *s, mtime_t now)
{
	struct ndovecot *n = s;

	n->d->tls_started(n->srv, now);
}

static void dovecot_tls_failed(void *s, const char *result,
			       const char *problem, mtime_t now)
{
	(void)result;
	(void)problem;
	dovecot_eof(s, now);
}

static void dovecot_timeout(void *s, mtime_t now)
{
	struct ndovecot *n = s;

	/*
	 * Dovecot: "-ERR Disconnected for inactivity." (POP3), "* BYE ..."
	 * (IMAP). XXX the engines have no timeout entry yet, so their log
	 * line says the client went away.
	 */
	buf_adds(n->d->output(n->srv), n->d->bye);
	dovecot_eof(s, now);
	n->timed_out = 1;
}

static long dovecot_tick_ms(void *s)
{
	struct ndovecot *n = s;

	if (n->timed_out || n->d->idling == NULL || !n->d->idling(n->srv))
		return 0;
	return n->d->tick_ms;
}

static void dovecot_tick(void *s, mtime_t now)
{
	struct ndovecot *n = s;

	if (n->d->tick != NULL)
		n->d->tick(n->srv, now);
}

static void dovecot_close(void **sp)
{
	struct ndovecot *n = *sp;

	n->d->free(n->srv);
	free(n);
	*sp = NULL;
}

/* Both services: the same adapter, the protocol found by service name. */
#define DOVECOT_OPS \
	.limits = dovecot_limits, \
	.refuse = dovecot_refuse, \
	.open = dovecot_open, \
	.feed = dovecot_feed, \
	.run = dovecot_run, \
	.output = dovecot_output, \
	.eof = dovecot_eof, \
	.tls_started = dovecot_tls_started, \
	.tls_failed = dovecot_tls_failed, \
	.timeout = dovecot_timeout, \
	.tick_ms = dovecot_tick_ms, \
	.tick = dovecot_tick, \
	.close = dovecot_close

const struct netsess_ops netsess_pop3_ops = { .proto = "pop3", DOVECOT_OPS };
const struct netsess_ops netsess_imap_ops = { .proto = "imap", DOVECOT_OPS };
