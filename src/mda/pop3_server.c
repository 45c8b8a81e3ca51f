/*
 * pop3_server: see pop3_server.h. The engine asks, this answers: a login
 * is checked against etc/dovecot/users (read again for every attempt, so
 * a lab that edits the file sees the change at once, as Dovecot's
 * passwd-file does when the file's mtime changes), the user's INBOX is
 * opened through the store with the host's mail_location, and every log
 * line reaches mail.log.
 */
#include "mda/pop3_server.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "mda/mda_session.h"
#include "mta/host.h"
#include "pop3/pop3d.h"
#include "store/store.h"

struct pop3_server {
	struct pop3_server_opts o;
	struct mda_session b;		/* settings, log, login, store */
	struct pop3d *engine;
	struct store_mailbox *mb;
	unsigned logins;
	mtime_t last_now;	/* for closing the mailbox in _free() */
};

char *pop3_server_syslog_line(mtime_t now, const char *log_host,
			      const char *text)
{
	time_t sec = (time_t)(now / 1000);
	struct tm tm;
	char stamp[64];

	gmtime_r(&sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%06d+00:00 %s dovecot: %s\n", stamp,
			 (int)(now % 1000) * 1000, log_host, text);
}

void pop3_server_opts_for_host(struct pop3_server_opts *o, struct host *h)
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

struct pop3_server *pop3_server_new(const struct pop3_server_opts *o,
				    mtime_t now, struct err *e)
{
	struct pop3_server *s = xcalloc(1, sizeof(*s));
	struct mda_session_opts bo = {
		"pop3", o->hostdir, o->hostname, o->log_host, o->client_addr,
		o->local_addr, o->trace, o->host, o->log, o->log_ctx,
	};
	struct pop3d_conf conf;

	s->o = *o;
	if (mda_session_init(&s->b, &bo, e) < 0) {
		pop3_server_free(&s);
		return NULL;
	}
	memset(&conf, 0, sizeof(conf));
	conf.greeting = s->b.dc.login_greeting;
	conf.client_addr = s->b.client_addr;
	conf.local_addr = s->b.local_addr;
	conf.client_port = o->client_port;
	conf.secured = mda_session_secured(&s->b, o->secured);
	conf.disable_plaintext_auth = s->b.dc.disable_plaintext_auth;
	conf.tls_offer = mda_session_tls_offer(&s->b, o->tls_possible);
	conf.tls_active = o->tls_active;
	conf.auth_failure_delay_ms = o->auth_failure_delay_ms >= 0 ?
		o->auth_failure_delay_ms : POP3D_AUTH_FAILURE_DELAY_MS;
	conf.no_flag_updates = s->b.dc.pop3_no_flag_updates;
	s->engine = pop3d_new(&conf, now);
	s->last_now = now;
	return s;
}

void pop3_server_free(struct pop3_server **sp)
{
	struct pop3_server *s = *sp;

	if (s == NULL)
		return;
	*sp = NULL;
	pop3d_free(&s->engine);
	store_mailbox_close(&s->mb, s->last_now);
	mda_session_reset(&s->b);
	free(s);
}

void pop3_server_feed(struct pop3_server *s, const void *buf, size_t len,
		      mtime_t now)
{
	mda_session_trace_bytes(&s->b, now, TRACE_DIR_IN, buf, len);
	pop3d_feed(s->engine, buf, len, now);
}

void pop3_server_eof(struct pop3_server *s, mtime_t now)
{
	pop3d_eof(s->engine, now);
}

struct buf *pop3_server_output(struct pop3_server *s)
{
	return pop3d_output(s->engine);
}

void pop3_server_tls_started(struct pop3_server *s, mtime_t now)
{
	pop3d_tls_started(s->engine, now);
}

const char *pop3_server_user(const struct pop3_server *s)
{
	struct pop3d_stats st;

	pop3d_stats(s->engine, &st);
	return st.user;
}

/* The login: passwd-file, then the INBOX through the store. */
static void authenticate(struct pop3_server *s, const struct pop3d_event *ev,
			 mtime_t now)
{
	struct pop3d_verdict v;
	struct err e;

	memset(&v, 0, sizeof(v));
	switch (mda_session_login(&s->b, ev->user, ev->pass, now)) {
	case MDA_SESSION_LOGIN_TEMPFAIL:
		v.tempfail = 1;
		break;
	case MDA_SESSION_LOGIN_BAD:
		break;
	case MDA_SESSION_LOGIN_OK:
		v.ok = 1;
		v.user = s->b.login;
		s->logins++;
		v.mpid = mda_session_pid(&s->b, s->logins);
		if (s->b.user == NULL)
			break;	/* logged; the engine says so */
		if (store_mailbox_open(s->b.user, "INBOX", STORE_OPEN_RW, now,
				       &s->mb, &e) == 0) {
			v.mailbox = s->mb;
		} else {
			char *msg = xasprintf("pop3(%s): Error: %s", s->b.login,
					      e.text);

			mda_session_log(&s->b, now, msg);
			free(msg);
		}
		break;
	}
	pop3d_auth_verdict(s->engine, &v, now);
}

enum pop3_server_act pop3_server_run(struct pop3_server *s, mtime_t now,
				     long *delay_ms_out)
{
	struct pop3d_event ev;
	struct buf *out = pop3d_output(s->engine);

	s->last_now = now;
	*delay_ms_out = 0;
	while (pop3d_next(s->engine, &ev, now) == 1) {
		switch (ev.type) {
		case POP3D_EV_LOG:
			mda_session_log(&s->b, now, ev.text);
			break;
		case POP3D_EV_AUTH:
			authenticate(s, &ev, now);
			break;
		case POP3D_EV_DELAY:
			*delay_ms_out = ev.delay_ms;
			mda_session_trace_bytes(&s->b, now, TRACE_DIR_OUT, out->data, out->len);
			return POP3_SERVER_DELAY;
		case POP3D_EV_STLS:
			mda_session_trace_bytes(&s->b, now, TRACE_DIR_OUT, out->data, out->len);
			return POP3_SERVER_STARTTLS;
		case POP3D_EV_CLOSE:
			/* The UPDATE state is over: write the mailbox now. */
			store_mailbox_close(&s->mb, now);
			mda_session_trace_bytes(&s->b, now, TRACE_DIR_OUT, out->data, out->len);
			return POP3_SERVER_CLOSE;
		}
	}
	mda_session_trace_bytes(&s->b, now, TRACE_DIR_OUT, out->data, out->len);
	return POP3_SERVER_NEED_INPUT;
}
