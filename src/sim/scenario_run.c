/*
 * Playing a scenario. The world is made fresh in opts->root, run on a
 * fixed clock, and every action is announced on the trace before it
 * happens, so a reader of the trace knows which part of the story each
 * step belongs to.
 */
#include "sim/scenario_run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "sim/scenario_conv.h"
#include "sim/sim.h"
#include "sim/world.h"

struct run {
	const struct scenario *sc;
	const struct scenario_run_opts *o;
	struct world *w;
	struct sim *s;
	struct err *e;
};

static void trace(struct run *r, const char *host, const char *process,
		  const char *peer, const char *protocol, enum trace_dir dir,
		  const char *text, const char *note)
{
	struct trace_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.time = sim_now(r->s);
	ev.host = host;
	ev.process = process;
	ev.peer = peer;
	ev.protocol = protocol;
	ev.direction = dir;
	ev.text = text;
	ev.note = note;
	trace_emit(&r->o->trace, &ev);
}

/* The mail host of an address's domain ("alice@a.example" -> mail.a.example). */
static const char *host_of(struct run *r, const char *addr)
{
	const char *at = strrchr(addr, '@');
	const char *domain = at ? at + 1 : addr;
	size_t i;

	for (i = 0; i < r->w->ndomains; i++)
		if (strcasecmp(r->w->domains[i].name, domain) == 0)
			return r->w->domains[i].host;
	for (i = 0; i < r->w->nhosts; i++)
		if (strcasecmp(r->w->hosts[i], domain) == 0)
			return r->w->hosts[i];
	return NULL;
}

static struct host *need_host(struct run *r, const struct scenario_action *a,
			      const char *name)
{
	struct host *h = name ? world_host(r->w, name, r->e) : NULL;

	if (h == NULL)
		err_set(r->e, 0, _("%s, line %d: no host \"%s\" in world \"%s\""),
			r->sc->name, a->line, name ? name : "?", r->sc->world);
	return h;
}

static int append_line(const char *path, const char *line, struct err *e)
{
	FILE *f = fopen(path, "a");

	if (f == NULL)
		return err_set(e, errno, _("cannot write %s: %s"), path, strerror(errno));
	fprintf(f, "%s\n", line);
	if (fclose(f) != 0)
		return err_set(e, errno, _("cannot write %s: %s"), path, strerror(errno));
	return 0;
}

/* set HOST P = V: as `postconf -e`, then `postfix reload`. */
static int do_set(struct run *r, const struct scenario_action *a)
{
	struct host *h = need_host(r, a, a->host);
	char *line, *path, *shown;
	int rc;

	if (h == NULL)
		return -1;
	line = xasprintf("%s = %s", a->param, a->value);
	path = host_path(h, "etc/postfix/main.cf");
	rc = append_line(path, line, r->e);
	shown = xasprintf("postconf -e '%s'; postfix reload", line);
	if (rc == 0) {
		trace(r, h->name, "postconf", NULL, "config", TRACE_DIR_NONE, shown, NULL);
		(void)host_reload(h, NULL);
	}
	free(shown);
	free(path);
	free(line);
	return rc;
}

/* alias HOST NAME: TARGETS: a line in /etc/aliases, then newaliases. */
static int do_alias(struct run *r, const struct scenario_action *a)
{
	struct host *h = need_host(r, a, a->host);
	char *line, *path;
	int rc;

	if (h == NULL)
		return -1;
	line = xasprintf("%s: %s", a->param, a->value);
	path = host_path(h, "etc/aliases");
	rc = append_line(path, line, r->e);
	if (rc == 0) {
		char *shown = xasprintf("echo '%s' >> /etc/aliases; newaliases", line);

		trace(r, h->name, "newaliases", NULL, "config", TRACE_DIR_NONE, shown, NULL);
		free(shown);
		(void)host_reload(h, NULL);
	}
	free(path);
	free(line);
	return rc;
}

/* master HOST LINE: a service in master.cf, as `postconf -M` would add it. */
static int do_master(struct run *r, const struct scenario_action *a)
{
	struct host *h = need_host(r, a, a->host);
	char *path, *shown;
	int rc;

	if (h == NULL)
		return -1;
	path = host_path(h, "etc/postfix/master.cf");
	rc = append_line(path, a->value, r->e);
	if (rc == 0) {
		shown = xasprintf("echo '%s' >> /etc/postfix/master.cf; postfix reload", a->value);
		trace(r, h->name, "postconf", NULL, "config", TRACE_DIR_NONE, shown, NULL);
		free(shown);
		(void)host_reload(h, NULL);
	}
	free(path);
	return rc;
}

static char *message_text(const struct scenario *sc, const struct scenario_action *a)
{
	struct buf b;
	size_t i;

	(void)sc;
	buf_init(&b);
	/* What a mail program writes; cleanup adds Message-Id and Date. */
	buf_addf(&b, "From: %s\n", a->from);
	buf_adds(&b, "To: ");
	for (i = 0; i < a->nto; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", a->to[i]);
	buf_adds(&b, "\n");
	if (a->subject != NULL)
		buf_addf(&b, "Subject: %s\n", a->subject);
	buf_adds(&b, "\n");
	for (i = 0; i < a->nlines; i++)
		buf_addf(&b, "%s\n", a->lines[i]);
	return buf_steal(&b, NULL);
}

struct downs {
	const char *host;
	int down;
};

static void is_down(void *ctx, const char *target, const char *what)
{
	struct downs *d = ctx;

	if (strcmp(target, d->host) == 0 && strcmp(what, "down") == 0)
		d->down = 1;
}

static int host_down(struct run *r, const char *host)
{
	struct downs d = { host, 0 };

	sim_fault_list(r->s, is_down, &d);
	return d.down;
}

/* session HOST PORT: the C: lines typed as in telnet (no TLS). */
static int do_session(struct run *r, const struct scenario_action *a)
{
	struct host *h = need_host(r, a, a->host);

	if (h == NULL)
		return -1;
	scenario_conv_run(&r->o->trace, sim_now(r->s), &scenario_conv_smtp, h,
			  host_down(r, h->name), a->client ? a->client : "localhost[127.0.0.1]",
			  a->port, "telnet", a->lines, a->nlines, 0);
	return 0;
}

static int do_send(struct run *r, const struct scenario_action *a)
{
	const char *server = a->host ? a->host : host_of(r, a->from);
	const char **rcpts = xcalloc(a->nto + 1, sizeof(*rcpts));
	char *name = NULL, *addr = NULL, *data;
	struct sim_mua_msg m;
	struct sim_result res;
	struct err e2;
	size_t i;

	if (server == NULL || need_host(r, a, server) == NULL) {
		free(rcpts);
		if (server == NULL)
			return err_set(r->e, 0, _("%s, line %d: no mail host for %s in world \"%s\""),
				       r->sc->name, a->line, a->from, r->sc->world);
		return -1;
	}
	for (i = 0; i < a->nto; i++)
		rcpts[i] = a->to[i];
	/* A mail program on the server itself: inside mynetworks, as the
	 * study note's telnet is. `client NAME[ADDR]` puts it elsewhere. */
	scenario_conv_split_client(a->client ? a->client : "localhost[127.0.0.1]", &name, &addr);
	data = message_text(r->sc, a);
	memset(&m, 0, sizeof(m));
	m.host = server;
	m.service = a->port == 587 ? "submission" : a->port == 465 ? "smtps" : NULL;
	m.client_name = name;
	m.client_addr = addr;
	m.helo = a->helo;
	m.from = a->from;
	m.to = rcpts;
	m.data = data;
	if (a->port == 587 || a->port == 465 || a->starttls || a->auth_user != NULL) {
		/* sim_submit() speaks neither STARTTLS nor AUTH: type them. */
		struct host *h = need_host(r, a, server);
		size_t n = 0;
		char **script = scenario_conv_mua_script(a, name, data, &n);

		scenario_conv_run(&r->o->trace, sim_now(r->s), &scenario_conv_smtp, h,
				  host_down(r, h->name),
				  a->client ? a->client : "localhost[127.0.0.1]",
				  a->port ? a->port : 25, "MUA", script, n, 1);
		scenario_conv_script_free(script, n);
	} else if (sim_submit(r->s, &m, &res, &e2) < 0) {
		/* The server did not answer: the mail program says so. */
		trace(r, name, "MUA", server, "tcp", TRACE_DIR_NONE, e2.text, NULL);
	}
	free(data);
	free(name);
	free(addr);
	free(rcpts);
	return 0;
}

/* fetch USER@DOMAIN imap|pop3: the reader's mail program, on the mail
 * host itself (Dovecot counts loopback as secured: a plain login is
 * allowed, as in reference/). The lab's passwords are the user names. */
static int do_fetch(struct run *r, const struct scenario_action *a)
{
	const struct scenario_conv_ops *ops = strcmp(a->proto, "pop3") == 0 ?
		scenario_conv_pop3() : scenario_conv_imap();
	const char *server = host_of(r, a->user);
	const char *at = strchr(a->user, '@');
	struct host *h;
	char *user, **script;
	size_t n = 0;

	if (ops == NULL)
		return 0;	/* XXX not in this build: announce() said so */
	if (server == NULL)
		return err_set(r->e, 0, _("%s, line %d: no mail host for %s in world \"%s\""),
			       r->sc->name, a->line, a->user, r->sc->world);
	h = need_host(r, a, server);
	if (h == NULL)
		return -1;
	user = xstrndup(a->user, (size_t)(at - a->user));
	script = scenario_conv_fetch_script(a, user, a->password ? a->password : user, &n);
	scenario_conv_run(&r->o->trace, sim_now(r->s), ops, h, host_down(r, h->name),
			  "localhost[127.0.0.1]",
			  a->port ? a->port : strcmp(a->proto, "pop3") == 0 ? 110 : 143,
			  "MUA", script, n, 1);
	scenario_conv_script_free(script, n);
	free(user);
	return 0;
}

/* The "scenario" event that opens each action. */
static void announce(struct run *r, const struct scenario_action *a)
{
	const char *say = scenario_text_get(&a->say, r->o->lang);
	char *text = scenario_describe(a);
	char *note = NULL;

	if (a->op == SCENARIO_FETCH && scenario_conv_pop3() == NULL) {
		/* XXX until the POP3/IMAP engines land */
		note = xasprintf("%s%s%s", say ? say : "", say ? " " : "",
				 _("(POP3 and IMAP are not in this build yet: this step is skipped.)"));
		say = note;
	}
	trace(r, NULL, "scenario", NULL, "scenario", TRACE_DIR_NONE, text, say);
	free(note);
	free(text);
}

int scenario_run(const struct scenario *sc, const struct scenario_run_opts *o,
		 struct err *e)
{
	struct run r;
	struct sim_opts so;
	size_t i;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.sc = sc;
	r.o = o;
	r.e = e;
	if (world_init(o->root, sc->world, e) < 0)
		return -1;
	r.w = world_open(o->root, e);
	if (r.w == NULL)
		return -1;
	memset(&so, 0, sizeof(so));
	so.trace = o->trace;
	so.fixed_clock = 1;
	so.start = o->start ? o->start : SCENARIO_RUN_START;
	r.s = sim_open(r.w, &so, e);
	if (r.s == NULL) {
		world_free(&r.w);
		return -1;
	}
	for (i = 0; i < sc->nact && rc == 0; i++) {
		const struct scenario_action *a = &sc->act[i];

		announce(&r, a);
		switch (a->op) {
		case SCENARIO_SET: rc = do_set(&r, a); break;
		case SCENARIO_ALIAS: rc = do_alias(&r, a); break;
		case SCENARIO_MASTER: rc = do_master(&r, a); break;
		case SCENARIO_SEND: rc = do_send(&r, a); break;
		case SCENARIO_SESSION: rc = do_session(&r, a); break;
		case SCENARIO_DOWN:
		case SCENARIO_UP:
			rc = sim_fault(r.s, a->host, a->op == SCENARIO_DOWN ? "down" : "up", e);
			break;
		case SCENARIO_WAIT: (void)sim_advance(r.s, a->ms); break;
		case SCENARIO_RUN: (void)sim_run_due(r.s); break;
		case SCENARIO_FETCH: rc = do_fetch(&r, a); break;
		}
	}
	sim_free(&r.s);
	world_free(&r.w);
	return rc;
}
