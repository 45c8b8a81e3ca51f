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
#include "mda/dovecot_conf.h"
#include "mta/host.h"
#include "pop3/pop3d.h"
#include "store/passdb.h"
#include "store/store.h"

struct pop3_server {
	struct pop3_server_opts o;
	char *hostdir, *hostname, *log_host, *client_addr, *local_addr;
	struct dovecot_conf dc;
	struct pop3d *engine;
	struct store_user *user;
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

static void trace_line(struct pop3_server *s, mtime_t now,
		       const char *protocol, enum trace_dir dir,
		       const char *text)
{
	struct trace_event ev;

	if (s->o.trace == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = s->hostname;
	ev.process = "dovecot/pop3";
	ev.peer = s->client_addr;
	ev.protocol = protocol;
	ev.direction = dir;
	ev.text = text;
	trace_emit(s->o.trace, &ev);
}

static void log_line(struct pop3_server *s, mtime_t now, const char *text)
{
	char *line;

	if (s->o.log == NULL && s->o.host != NULL) {
		/* Dovecot's log process: "dovecot: ...", no [PID] */
		host_log_raw(s->o.host, now, "dovecot", "%s", text);
		return;
	}
	trace_line(s, now, "log", TRACE_DIR_NONE, text);
	if (s->o.log != NULL) {
		char *full = xasprintf("dovecot: %s", text);

		s->o.log(s->o.log_ctx, now, full);
		free(full);
		return;
	}
	line = pop3_server_syslog_line(now, s->log_host, text);
	{
		char *path = xasprintf("%s/var/log/mail.log", s->hostdir);
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0640);

		if (fd >= 0) {
			/* A log that cannot be written must not stop mail. */
			if (write(fd, line, strlen(line)) < 0) {
				/* nothing else to do */
			}
			close(fd);
		}
		free(path);
	}
	free(line);
}

static int is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	       strncmp(addr, "::ffff:127.", 11) == 0;
}

/* A stable "PID" for the pop3 process of a login, as host_pid() makes
 * them for Postfix: deterministic so that two runs give the same log. */
static int pop3_pid(struct pop3_server *s)
{
	uint32_t x = 2166136261u;
	const char *p;

	for (p = s->hostname; *p != '\0'; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	for (p = "/pop3"; *p != '\0'; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	return 1000 + (int)((x + s->logins * 2u) % 30000u);
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
	struct pop3d_conf conf;

	s->o = *o;
	s->hostdir = xstrdup(o->hostdir);
	s->hostname = xstrdup(o->hostname != NULL ? o->hostname : "localhost");
	if (o->log_host != NULL)
		s->log_host = xstrdup(o->log_host);
	else
		s->log_host = xstrndup(s->hostname, strcspn(s->hostname, "."));
	s->client_addr = xstrdup(o->client_addr != NULL ? o->client_addr :
				 "127.0.0.1");
	s->local_addr = xstrdup(o->local_addr != NULL ? o->local_addr :
				"127.0.0.1");
	if (dovecot_conf_load(&s->dc, s->hostdir, e) < 0) {
		pop3_server_free(&s);
		return NULL;
	}
	memset(&conf, 0, sizeof(conf));
	conf.greeting = s->dc.login_greeting;
	conf.client_addr = s->client_addr;
	conf.local_addr = s->local_addr;
	conf.client_port = o->client_port;
	conf.secured = o->secured >= 0 ? o->secured :
		is_loopback(s->client_addr);
	conf.disable_plaintext_auth = s->dc.disable_plaintext_auth;
	conf.tls_offer = o->tls_possible && strcmp(s->dc.ssl, "no") != 0;
	conf.tls_active = o->tls_active;
	conf.auth_failure_delay_ms = o->auth_failure_delay_ms >= 0 ?
		o->auth_failure_delay_ms : POP3D_AUTH_FAILURE_DELAY_MS;
	conf.no_flag_updates = s->dc.pop3_no_flag_updates;
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
	store_user_free(&s->user);
	dovecot_conf_free(&s->dc);
	free(s->hostdir);
	free(s->hostname);
	free(s->log_host);
	free(s->client_addr);
	free(s->local_addr);
	free(s);
}

static void trace_bytes(struct pop3_server *s, mtime_t now,
			enum trace_dir dir, const char *p, size_t len)
{
	size_t i = 0;

	if (s->o.trace == NULL)
		return;
	while (i < len) {
		const char *nl = memchr(p + i, '\n', len - i);
		size_t e = nl != NULL ? (size_t)(nl - p) + 1 : len;
		size_t n = e - i;
		char *line;

		while (n > 0 && (p[i + n - 1] == '\n' || p[i + n - 1] == '\r'))
			n--;
		line = xstrndup(p + i, n);
		trace_line(s, now, "pop3", dir, line);
		free(line);
		i = e;
	}
}

void pop3_server_feed(struct pop3_server *s, const void *buf, size_t len,
		      mtime_t now)
{
	trace_bytes(s, now, TRACE_DIR_IN, buf, len);
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
	struct passdb *pdb;
	const struct passdb_entry *en;
	struct err e;
	char *path = xasprintf("%s%s", s->hostdir, s->dc.passwd_file);

	memset(&v, 0, sizeof(v));
	pdb = passdb_open(path, &e);
	free(path);
	if (pdb == NULL) {
		v.tempfail = 1;
		log_line(s, now, e.text);
		pop3d_auth_verdict(s->engine, &v, now);
		return;
	}
	en = passdb_lookup(pdb, ev->user);
	if (en != NULL &&
	    passdb_verify_hash(en->password, ev->pass) == PASSDB_OK) {
		char *home = en->home[0] != '\0' ? xstrdup(en->home) :
			xasprintf("/home/%s", en->user);

		v.ok = 1;
		v.user = en->user;
		s->logins++;
		v.mpid = pop3_pid(s);
		store_user_free(&s->user);
		s->user = store_user_open(s->dc.mail_location, en->user, home,
					  s->hostdir, &e);
		free(home);
		if (s->user != NULL) {
			store_user_set_hostname(s->user, s->hostname);
			if (store_mailbox_open(s->user, "INBOX", STORE_OPEN_RW,
					       now, &s->mb, &e) == 0)
				v.mailbox = s->mb;
		}
		if (v.mailbox == NULL) {
			char *msg = xasprintf("pop3(%s): Error: %s", en->user,
					      e.text);

			log_line(s, now, msg);
			free(msg);
		}
	}
	pop3d_auth_verdict(s->engine, &v, now);
	passdb_free(&pdb);
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
			log_line(s, now, ev.text);
			break;
		case POP3D_EV_AUTH:
			authenticate(s, &ev, now);
			break;
		case POP3D_EV_DELAY:
			*delay_ms_out = ev.delay_ms;
			trace_bytes(s, now, TRACE_DIR_OUT, out->data, out->len);
			return POP3_SERVER_DELAY;
		case POP3D_EV_STLS:
			trace_bytes(s, now, TRACE_DIR_OUT, out->data, out->len);
			return POP3_SERVER_STARTTLS;
		case POP3D_EV_CLOSE:
			/* The UPDATE state is over: write the mailbox now. */
			store_mailbox_close(&s->mb, now);
			trace_bytes(s, now, TRACE_DIR_OUT, out->data, out->len);
			return POP3_SERVER_CLOSE;
		}
	}
	trace_bytes(s, now, TRACE_DIR_OUT, out->data, out->len);
	return POP3_SERVER_NEED_INPUT;
}
