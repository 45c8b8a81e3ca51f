/*
 * imap_server: see imap_server.h. The engine asks, this answers: a login
 * is checked against etc/dovecot/users (read again for every attempt, as
 * Dovecot's passwd-file notices a changed file), the user's store is
 * opened with the host's mail_location and handed to the engine, and
 * every log line reaches mail.log.
 */
#include "mda/imap_server.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/imapd.h"
#include "lib/xalloc.h"
#include "mda/mda_session.h"
#include "mta/host.h"
#include "store/store.h"

struct imap_server {
	struct imap_server_opts o;
	struct mda_session b;		/* settings, log, login, store */
	struct imapd *engine;
	int mpid;
};

void imap_server_opts_for_host(struct imap_server_opts *o, struct host *h)
{
	memset(o, 0, sizeof(*o));
	o->hostdir = h->dir;
	o->hostname = host_myhostname(h);
	o->log_host = host_log_name(h);
	o->trace = &h->trace;
	o->host = h;
	o->secured = -1;
	o->auth_failure_delay_ms = -1;
}

struct imap_server *imap_server_new(const struct imap_server_opts *o,
				    mtime_t now, struct err *e)
{
	struct imap_server *s = xcalloc(1, sizeof(*s));
	struct mda_session_opts bo = {
		"imap", o->hostdir, o->hostname, o->log_host, o->client_addr,
		o->local_addr, o->trace, o->host, o->log, o->log_ctx,
	};
	struct imapd_conf conf;

	s->o = *o;
	if (mda_session_init(&s->b, &bo, e) < 0) {
		imap_server_free(&s);
		return NULL;
	}
	s->mpid = mda_session_pid(&s->b, (uint32_t)(now / 1000));
	imapd_conf_defaults(&conf);
	conf.login_greeting = s->b.dc.login_greeting;
	conf.client_ip = s->b.client_addr;
	conf.local_ip = s->b.local_addr;
	conf.client_port = o->client_port;
	conf.mail_pid = s->mpid;
	conf.secured = mda_session_secured(&s->b, o->secured);
	conf.disable_plaintext_auth = s->b.dc.disable_plaintext_auth;
	conf.tls_offer = mda_session_tls_offer(&s->b, o->tls_possible);
	conf.tls_active = o->tls_active;
	if (o->auth_failure_delay_ms >= 0)
		conf.auth_failure_delay_ms = o->auth_failure_delay_ms;
	s->engine = imapd_new(&conf, now);
	return s;
}

void imap_server_free(struct imap_server **sp)
{
	struct imap_server *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	imapd_free(&s->engine);		/* closes the mailbox first */
	mda_session_reset(&s->b);
	free(s);
}

void imap_server_feed(struct imap_server *s, const void *buf, size_t len,
		      mtime_t now)
{
	mda_session_trace_bytes(&s->b, now, TRACE_DIR_IN, buf, len);
	imapd_feed(s->engine, buf, len, now);
}

void imap_server_eof(struct imap_server *s, mtime_t now)
{
	imapd_eof(s->engine, now);
}

struct buf *imap_server_output(struct imap_server *s)
{
	return imapd_output(s->engine);
}

void imap_server_tls_started(struct imap_server *s, mtime_t now)
{
	imapd_tls_started(s->engine, now);
}

void imap_server_tick(struct imap_server *s, mtime_t now)
{
	imapd_tick(s->engine, now);
}

int imap_server_idling(const struct imap_server *s)
{
	return imapd_idling(s->engine);
}

const char *imap_server_user(const struct imap_server *s)
{
	return imapd_user(s->engine);
}

/* The login: passwd-file, then the user's store. */
static void authenticate(struct imap_server *s, const struct imapd_event *ev,
			 mtime_t now)
{
	struct store_user *u = NULL;

	if (mda_session_login(&s->b, ev->user, ev->pass, now) ==
	    MDA_SESSION_LOGIN_OK)
		u = s->b.user;
	imapd_auth_result(s->engine, u, now);
}

enum imap_server_act imap_server_run(struct imap_server *s, mtime_t now,
				     long *delay_ms_out)
{
	struct imapd_event ev;
	struct buf *out = imapd_output(s->engine);

	*delay_ms_out = 0;
	while (imapd_next(s->engine, &ev, now) == 1) {
		switch (ev.type) {
		case IMAPD_EV_LOG:
			mda_session_log(&s->b, now, ev.text);
			break;
		case IMAPD_EV_AUTH:
			authenticate(s, &ev, now);
			break;
		case IMAPD_EV_DELAY:
			*delay_ms_out = ev.delay_ms;
			mda_session_trace_bytes(&s->b, now, TRACE_DIR_OUT, out->data, out->len);
			return IMAP_SERVER_DELAY;
		case IMAPD_EV_STARTTLS:
			mda_session_trace_bytes(&s->b, now, TRACE_DIR_OUT, out->data, out->len);
			return IMAP_SERVER_STARTTLS;
		case IMAPD_EV_CLOSE:
			/* the engine has closed the mailbox: write the log */
			mda_session_trace_bytes(&s->b, now, TRACE_DIR_OUT, out->data, out->len);
			return IMAP_SERVER_CLOSE;
		}
	}
	mda_session_trace_bytes(&s->b, now, TRACE_DIR_OUT, out->data, out->len);
	return IMAP_SERVER_NEED_INPUT;
}
