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
#include "mda/dovecot_conf.h"
#include "mda/pop3_server.h"
#include "mta/host.h"
#include "store/passdb.h"
#include "store/store.h"

struct imap_server {
	struct imap_server_opts o;
	char *hostdir, *hostname, *log_host, *client_addr, *local_addr;
	struct dovecot_conf dc;
	struct imapd *engine;
	struct store_user *user;
	int mpid;
};

static void trace_line(struct imap_server *s, mtime_t now,
		       const char *protocol, enum trace_dir dir,
		       const char *text)
{
	struct trace_event ev;

	if (s->o.trace == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = s->hostname;
	ev.process = "dovecot/imap";
	ev.peer = s->client_addr;
	ev.protocol = protocol;
	ev.direction = dir;
	ev.text = text;
	trace_emit(s->o.trace, &ev);
}

static void trace_bytes(struct imap_server *s, mtime_t now,
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
		trace_line(s, now, "imap", dir, line);
		free(line);
		i = e;
	}
}

static void log_line(struct imap_server *s, mtime_t now, const char *text)
{
	char *line, *path;
	int fd;

	trace_line(s, now, "log", TRACE_DIR_NONE, text);
	if (s->o.log != NULL) {
		char *full = xasprintf("dovecot: %s", text);

		s->o.log(s->o.log_ctx, now, full);
		free(full);
		return;
	}
	line = pop3_server_syslog_line(now, s->log_host, text);
	path = xasprintf("%s/var/log/mail.log", s->hostdir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0640);
	if (fd >= 0) {
		/* a log that cannot be written must not stop mail */
		if (write(fd, line, strlen(line)) < 0) {
			/* nothing else to do */
		}
		close(fd);
	}
	free(path);
	free(line);
}

static int is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
	       strncmp(addr, "::ffff:127.", 11) == 0;
}

/* A stable "PID" for the imap process, as host_pid() makes them for
 * Postfix: two runs of a lab give the same log. */
static int imap_pid(const char *hostname, mtime_t now)
{
	uint32_t x = 2166136261u;
	const char *p;

	for (p = hostname; *p != '\0'; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	for (p = "/imap"; *p != '\0'; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	return 1000 + (int)((x + (uint32_t)(now / 1000) * 2u) % 30000u);
}

void imap_server_opts_for_host(struct imap_server_opts *o, struct host *h)
{
	memset(o, 0, sizeof(*o));
	o->hostdir = h->dir;
	o->hostname = host_myhostname(h);
	o->log_host = host_log_name(h);
	o->trace = &h->trace;
	o->secured = -1;
	o->auth_failure_delay_ms = -1;
}

struct imap_server *imap_server_new(const struct imap_server_opts *o,
				    mtime_t now, struct err *e)
{
	struct imap_server *s = xcalloc(1, sizeof(*s));
	struct imapd_conf conf;

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
		imap_server_free(&s);
		return NULL;
	}
	s->mpid = imap_pid(s->hostname, now);
	imapd_conf_defaults(&conf);
	conf.login_greeting = s->dc.login_greeting;
	conf.client_ip = s->client_addr;
	conf.local_ip = s->local_addr;
	conf.client_port = o->client_port;
	conf.mail_pid = s->mpid;
	/* Dovecot: loopback (and TLS) connections are "secured" */
	conf.secured = o->secured >= 0 ? o->secured : is_loopback(s->client_addr);
	conf.disable_plaintext_auth = s->dc.disable_plaintext_auth;
	conf.tls_offer = o->tls_possible && strcmp(s->dc.ssl, "no") != 0;
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
	store_user_free(&s->user);
	dovecot_conf_free(&s->dc);
	free(s->hostdir);
	free(s->hostname);
	free(s->log_host);
	free(s->client_addr);
	free(s->local_addr);
	free(s);
}

void imap_server_feed(struct imap_server *s, const void *buf, size_t len,
		      mtime_t now)
{
	trace_bytes(s, now, TRACE_DIR_IN, buf, len);
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
	struct passdb *pdb;
	const struct passdb_entry *en;
	struct err e;
	char *path = xasprintf("%s%s", s->hostdir, s->dc.passwd_file);
	struct store_user *u = NULL;

	pdb = passdb_open(path, &e);
	free(path);
	if (pdb == NULL) {
		log_line(s, now, e.text);
		imapd_auth_result(s->engine, NULL, now);
		return;
	}
	en = passdb_lookup(pdb, ev->user);
	if (en != NULL &&
	    passdb_verify_hash(en->password, ev->pass) == PASSDB_OK) {
		char *home = en->home[0] != '\0' ? xstrdup(en->home) :
			xasprintf("/home/%s", en->user);

		store_user_free(&s->user);
		s->user = store_user_open(s->dc.mail_location, en->user, home,
					  s->hostdir, &e);
		free(home);
		if (s->user != NULL) {
			store_user_set_hostname(s->user, s->hostname);
			u = s->user;
		} else {
			char *msg = xasprintf("imap(%s): Error: %s", en->user,
					      e.text);

			log_line(s, now, msg);
			free(msg);
		}
	}
	imapd_auth_result(s->engine, u, now);
	passdb_free(&pdb);
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
			log_line(s, now, ev.text);
			break;
		case IMAPD_EV_AUTH:
			authenticate(s, &ev, now);
			break;
		case IMAPD_EV_DELAY:
			*delay_ms_out = ev.delay_ms;
			trace_bytes(s, now, TRACE_DIR_OUT, out->data, out->len);
			return IMAP_SERVER_DELAY;
		case IMAPD_EV_STARTTLS:
			trace_bytes(s, now, TRACE_DIR_OUT, out->data, out->len);
			return IMAP_SERVER_STARTTLS;
		case IMAPD_EV_CLOSE:
			/* the engine has closed the mailbox: write the log */
			trace_bytes(s, now, TRACE_DIR_OUT, out->data, out->len);
			return IMAP_SERVER_CLOSE;
		}
	}
	trace_bytes(s, now, TRACE_DIR_OUT, out->data, out->len);
	return IMAP_SERVER_NEED_INPUT;
}
