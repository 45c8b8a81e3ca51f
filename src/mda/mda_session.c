/*
 * mda_session: see mda_session.h.
 */
#include "mda/mda_session.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "mda/pop3_server.h"
#include "mta/host.h"
#include "store/passdb.h"
#include "store/store.h"

int mda_session_init(struct mda_session *s, const struct mda_session_opts *o,
		     struct err *e)
{
	memset(s, 0, sizeof(*s));
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
	s->process = xasprintf("dovecot/%s", o->proto);
	return dovecot_conf_load(&s->dc, s->hostdir, e);
}

void mda_session_reset(struct mda_session *s)
{
	store_user_free(&s->user);
	dovecot_conf_free(&s->dc);
	free(s->hostdir);
	free(s->hostname);
	free(s->log_host);
	free(s->client_addr);
	free(s->local_addr);
	free(s->process);
	free(s->login);
	memset(s, 0, sizeof(*s));
}

static void trace_line(struct mda_session *s, mtime_t now,
		       const char *protocol, enum trace_dir dir,
		       const char *text)
{
	struct trace_event ev;

	if (s->o.trace == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = s->hostname;
	ev.process = s->process;
	ev.peer = s->client_addr;
	ev.protocol = protocol;
	ev.direction = dir;
	ev.text = text;
	trace_emit(s->o.trace, &ev);
}

void mda_session_log(struct mda_session *s, mtime_t now, const char *text)
{
	char *line, *path;
	int fd;

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
	path = xasprintf("%s/var/log/mail.log", s->hostdir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0640);
	if (fd >= 0) {
		/* A log that cannot be written must not stop mail. */
		if (write(fd, line, strlen(line)) < 0) {
			/* nothing else to do */
		}
		close(fd);
	}
	free(path);
	free(line);
}

void mda_session_trace_bytes(struct mda_session *s, mtime_t now,
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
		trace_line(s, now, s->o.proto, dir, line);
		free(line);
		i = e;
	}
}

int mda_session_secured(const struct mda_session *s, int forced)
{
	const char *a = s->client_addr;

	if (forced >= 0)
		return forced;
	/* Dovecot: loopback (and TLS) connections are "secured" */
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0 ||
	       strncmp(a, "::ffff:127.", 11) == 0;
}

int mda_session_tls_offer(const struct mda_session *s, int tls_possible)
{
	return tls_possible && strcmp(s->dc.ssl, "no") != 0;
}

int mda_session_pid(const struct mda_session *s, uint32_t n)
{
	uint32_t x = 2166136261u;
	const char *p;

	for (p = s->hostname; *p != '\0'; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	x = (x ^ (unsigned char)'/') * 16777619u;
	for (p = s->o.proto; *p != '\0'; p++)
		x = (x ^ (unsigned char)*p) * 16777619u;
	return 1000 + (int)((x + n * 2u) % 30000u);
}

enum mda_session_login mda_session_login(struct mda_session *s,
					 const char *user, const char *pass,
					 mtime_t now)
{
	const struct passdb_entry *en;
	struct passdb *pdb;
	struct err e;
	char *path = xasprintf("%s%s", s->hostdir, s->dc.passwd_file);
	char *home;

	pdb = passdb_open(path, &e);
	free(path);
	if (pdb == NULL) {
		mda_session_log(s, now, e.text);
		return MDA_SESSION_LOGIN_TEMPFAIL;
	}
	en = passdb_lookup(pdb, user);
	if (en == NULL || passdb_verify_hash(en->password, pass) != PASSDB_OK) {
		passdb_free(&pdb);
		return MDA_SESSION_LOGIN_BAD;
	}
	free(s->login);
	s->login = xstrdup(en->user);
	home = en->home[0] != '\0' ? xstrdup(en->home) :
		xasprintf("/home/%s", en->user);
	store_user_free(&s->user);
	s->user = store_user_open(s->dc.mail_location, en->user, home,
				  s->hostdir, &e);
	free(home);
	passdb_free(&pdb);
	if (s->user != NULL) {
		store_user_set_hostname(s->user, s->hostname);
	} else {
		char *msg = xasprintf("%s(%s): Error: %s", s->o.proto, s->login,
				      e.text);

		mda_session_log(s, now, msg);
		free(msg);
	}
	return MDA_SESSION_LOGIN_OK;
}
