/*
 * Cutting the trace into steps. The rules, in order, for each event:
 *   - a "scenario" event opens a SAY step;
 *   - a protocol line that repeats the previous line from the other end
 *     of the link is a duplicate: it joins that line's step and tells us
 *     exactly who the other end is;
 *   - a client line joins the open conversation between the same two
 *     nodes unless that conversation already has its reply, else it opens
 *     a new TALK step;
 *   - a server line joins the latest conversation between the same two
 *     nodes (even across other processes' work, as cleanup logs between
 *     the final "." and "250 2.0.0 Ok: queued as"), else opens one (a
 *     greeting);
 *   - anything else is work: it joins the previous step when it comes
 *     from the same process (a log line of the talking smtpd, a second
 *     queue move of qmgr), else opens a WORK step.
 */
#include "ui/flow.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"

struct flow *flow_new(void)
{
	return xcalloc(1, sizeof(struct flow));
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void flow_free(struct flow **fp)
{
	struct flow *f = *fp;
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nev; i++) {
		struct trace_event *e = &f->ev[i].ev;

		free((char *)e->host);
		free((char *)e->process);
		free((char *)e->peer);
		free((char *)e->protocol);
		free((char *)e->text);
		free((char *)e->note);
	}
	for (i = 0; i < f->nstep; i++)
		free(f->step[i].evi);
	for (i = 0; i < f->nnode; i++) {
		free(f->node[i].host);
		free(f->node[i].process);
		free(f->node[i].site);
		free(f->node[i].owner);
		free(f->node[i].label);
	}
	free(f->ev);
	free(f->step);
	free(f->node);
	free(f);
	*fp = NULL;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

static const char *basename_of(const char *process)
{
	const char *slash = strrchr(nz(process), '/');

	return slash ? slash + 1 : nz(process);
}

int flow_is_line_protocol(const char *protocol)
{
	static const char *const line_protocols[] = { "smtp", "lmtp", "pop3", "imap" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(line_protocols); i++)
		if (strcmp(nz(protocol), line_protocols[i]) == 0)
			return 1;
	return 0;
}

int flow_is_server_process(const char *process)
{
	static const char *const servers[] = {
		"smtpd", "imap", "pop3", "imap-login", "pop3-login", "dovecot",
		"lmtp", "imapd", "pop3d",
	};
	const char *b = basename_of(process);
	size_t i;

	/* Postfix's lmtp is a client; Dovecot's lmtp a server. */
	if (strcmp(b, "lmtp") == 0)
		return strncmp(nz(process), "postfix", 7) != 0;
	for (i = 0; i < ARRAY_LEN(servers); i++)
		if (strcmp(b, servers[i]) == 0)
			return 1;
	return 0;
}

static enum flow_role role_of(const char *process)
{
	const char *p = nz(process);

	if (strcmp(p, "MUA") == 0)
		return FLOW_ROLE_MUA;
	if (strncmp(p, "postfix", 7) == 0)
		return FLOW_ROLE_MTA;
	if (strncmp(p, "dovecot", 7) == 0 || strcmp(p, "imap") == 0 ||
	    strcmp(p, "pop3") == 0)
		return FLOW_ROLE_MDA;
	if (strcasecmp(p, "dns") == 0)
		return FLOW_ROLE_DNS;
	if (strcmp(p, "client") == 0 || strcmp(p, "telnet") == 0)
		return FLOW_ROLE_CLIENT;
	return FLOW_ROLE_OTHER;
}

int flow_is_loopback(const char *host)
{
	const char *h = nz(host);

	return strcmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0 ||
	       strcmp(h, "::1") == 0;
}

/* Two names of one machine: equal, or both loopback. */
static int same_host(const char *a, const char *b)
{
	return strcmp(nz(a), nz(b)) == 0 || (flow_is_loopback(a) && flow_is_loopback(b));
}

static int find_node_at(const struct flow *f, const char *host,
			const char *process, const char *site)
{
	size_t i;

	for (i = 0; i < f->nnode; i++) {
		const struct flow_node *n = &f->node[i];

		if (strcmp(n->host, nz(host)) == 0 && strcmp(n->process, nz(process)) == 0 &&
		    strcmp(n->site ? n->site : "", site ? site : "") == 0)
			return (int)i;
	}
	return -1;
}

int flow_node_find(const struct flow *f, const char *host, const char *process)
{
	return find_node_at(f, host, process, NULL);
}

static void set_label(struct flow_node *n)
{
	free(n->label);
	switch (n->role) {
	case FLOW_ROLE_MUA:
		n->label = n->owner ? xasprintf("MUA %s (%s)", n->owner, n->host)
				    : xasprintf("MUA %s", n->host);
		break;
	case FLOW_ROLE_CLIENT:
		n->label = strcmp(n->process, "client") == 0 ?
			xstrdup(n->host) : xasprintf("%s %s", n->process, n->host);
		break;
	case FLOW_ROLE_DNS:
		n->label = xstrdup("DNS");
		break;
	default:
		n->label = n->host[0] ? xasprintf("%s %s", n->host, n->process)
				      : xstrdup(n->process);
		break;
	}
}

/* A loopback name means the machine at the other end of the line. */
static int node_at(struct flow *f, const char *host, const char *process,
		   const char *other_host)
{
	const char *site = flow_is_loopback(host) ? other_host : NULL;
	struct flow_node *n;
	int i = find_node_at(f, host, process, site);

	if (i >= 0)
		return i;
	f->node = xrealloc(f->node, (f->nnode + 1) * sizeof(*f->node));
	n = &f->node[f->nnode];
	memset(n, 0, sizeof(*n));
	n->host = xstrdup(nz(host));
	n->process = xstrdup(nz(process));
	n->site = site ? xstrdup(site) : NULL;
	n->role = role_of(process);
	set_label(n);
	return (int)f->nnode++;
}

/* "mail.b.example[198.51.100.20]:25" -> "mail.b.example" into buf. */
static void peer_name(const char *peer, char *buf, size_t n)
{
	size_t len = strcspn(nz(peer), "[");

	if (len == strlen(nz(peer))) {
		const char *colon = strrchr(nz(peer), ':');

		/* A bare "host:port" (not an IPv6 address with many colons). */
		if (colon != NULL && strchr(nz(peer), ':') == colon)
			len = (size_t)(colon - nz(peer));
	}
	if (len >= n)
		len = n - 1;
	memcpy(buf, nz(peer), len);
	buf[len] = '\0';
}

/* The port in "name[addr]:port", or 0. */
static int peer_port(const char *peer)
{
	const char *br = strrchr(nz(peer), ']');
	const char *p = br ? br + 1 : NULL;

	if (p == NULL || *p != ':' || !isdigit((unsigned char)p[1]))
		return 0;
	return atoi(p + 1);
}

static int known_host(const struct flow *f, const char *host, enum flow_role role)
{
	size_t i;

	for (i = 0; i < f->nnode; i++)
		if (strcmp(f->node[i].host, host) == 0 && f->node[i].role == role)
			return 1;
	return 0;
}

/* Who is at the other end of a line event: a guess from the peer string,
 * corrected later if the other end traces the same line. */
static int other_end(struct flow *f, const struct trace_event *e, int self)
{
	int server = flow_is_server_process(e->process);
	const char *site;
	char name[256];
	size_t i;

	peer_name(e->peer, name, sizeof(name));
	if (name[0] == '\0')
		snprintf(name, sizeof(name), "%s", "unknown");
	site = flow_is_loopback(name) ? nz(e->host) : NULL;
	/* Whoever this node last talked to on that host, as we learned it. */
	for (i = f->nstep; i-- > 0;) {
		const struct flow_step *s = &f->step[i];
		int other;

		if (s->kind != FLOW_TALK || strcmp(s->protocol, nz(e->protocol)) != 0)
			continue;
		if ((server ? s->peer : s->node) != self)
			continue;
		other = server ? s->node : s->peer;
		if (other >= 0 && same_host(f->node[other].host, name))
			return other;
	}
	if (server && f->live && (flow_is_loopback(name) || strcmp(name, "unknown") == 0)) {
		/* A real client (the listener names it "localhost" or
		 * "unknown", net/listener.c): outside the world, by address. */
		const char *lb = strchr(nz(e->peer), '[');
		char ext[300];

		snprintf(ext, sizeof(ext), "client %.*s", lb ? (int)strcspn(lb + 1, "]") : 0,
			 lb ? lb + 1 : "");
		return node_at(f, ext, "client", e->host);
	}
	if (server) {
		int mua = find_node_at(f, name, "MUA", site);

		if (mua >= 0)
			return mua;
		if (strcmp(nz(e->protocol), "smtp") == 0 &&
		    known_host(f, name, FLOW_ROLE_MTA))
			return node_at(f, name, "postfix/smtp", e->host);
		return node_at(f, name, "client", e->host);
	}
	if (strcmp(nz(e->protocol), "imap") == 0)
		return node_at(f, name, "dovecot/imap", e->host);
	if (strcmp(nz(e->protocol), "pop3") == 0)
		return node_at(f, name, "dovecot/pop3", e->host);
	if (strcmp(nz(e->protocol), "lmtp") == 0)
		return node_at(f, name, "dovecot/lmtp", e->host);
	return node_at(f, name, "postfix/smtpd", e->host);
}

/* A MUA's user, from the first command that names one. */
static void learn_owner(struct flow *f, int node, const struct trace_event *e)
{
	struct flow_node *n = &f->node[node];
	const char *t = nz(e->text), *p = NULL;
	size_t len;

	if (n->role != FLOW_ROLE_MUA || n->owner != NULL)
		return;
	if (strncasecmp(t, "MAIL FROM:", 10) == 0) {
		p = t + 10;
		while (*p == ' ' || *p == '<')
			p++;
		len = strcspn(p, "@> ");
	} else if (strncasecmp(t, "USER ", 5) == 0) {
		p = t + 5;
		len = strcspn(p, "@ ");
	} else if (strcmp(nz(e->protocol), "imap") == 0 && (p = strchr(t, ' ')) != NULL &&
		   strncasecmp(p + 1, "LOGIN ", 6) == 0) {
		p += 7;
		while (*p == '"')
			p++;
		len = strcspn(p, "@\" ");
	} else {
		return;
	}
	if (len == 0 || len > 64)
		return;
	n->owner = xstrndup(p, len);
	set_label(n);
}

/* The usual port of a conversation, from the server process's name. */
static int port_of(const char *protocol, const char *server_process,
		   const char *peer)
{
	static const struct {
		const char *protocol, *service;
		int port;
	} ports[] = {
		{ "smtp", "submission", 587 }, { "smtp", "smtps", 465 },
		{ "smtp", NULL, 25 }, { "lmtp", NULL, 24 },
		{ "pop3", "pop3s", 995 }, { "pop3", NULL, 110 },
		{ "imap", "imaps", 993 }, { "imap", NULL, 143 },
	};
	int p = peer_port(peer);
	size_t i;

	if (p > 0)
		return p;
	for (i = 0; i < ARRAY_LEN(ports); i++) {
		if (strcmp(ports[i].protocol, nz(protocol)) != 0)
			continue;
		if (ports[i].service == NULL ||
		    strstr(nz(server_process), ports[i].service) != NULL)
			return ports[i].port;
	}
	return 0;
}

static struct flow_step *new_step(struct flow *f, enum flow_kind kind,
				  const struct trace_event *e)
{
	struct flow_step *s;

	if (f->nstep == f->cap_step) {
		f->cap_step = f->cap_step ? 2 * f->cap_step : 64;
		f->step = xrealloc(f->step, f->cap_step * sizeof(*f->step));
	}
	s = &f->step[f->nstep++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->number = kind == FLOW_SAY ? 0 : ++f->last_number;
	s->node = -1;
	s->peer = -1;
	s->protocol = e->protocol;
	s->time = e->time;
	return s;
}

static void step_add(struct flow *f, struct flow_step *s, size_t evi)
{
	s->evi = xrealloc(s->evi, (s->n + 1) * sizeof(*s->evi));
	s->evi[s->n++] = evi;
	f->ev[evi].step = (size_t)(s - f->step);
}

static int step_has_side(const struct flow *f, const struct flow_step *s,
			 int client)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct flow_ev *fe = &f->ev[s->evi[i]];

		if (flow_is_line_protocol(fe->ev.protocol) && !fe->dup &&
		    fe->from_client == client)
			return 1;
	}
	return 0;
}

static int is_line(const struct flow_ev *fe)
{
	return flow_is_line_protocol(fe->ev.protocol) &&
	       fe->ev.direction != TRACE_DIR_NONE;
}

static int same_node(const struct trace_event *a, const struct trace_event *b)
{
	return strcmp(nz(a->host), nz(b->host)) == 0 &&
	       strcmp(nz(a->process), nz(b->process)) == 0;
}

/* a and b are the two ends of one link: each names the other as peer. */
static int linked(const struct trace_event *a, const struct trace_event *b)
{
	char pa[256], pb[256];

	peer_name(a->peer, pa, sizeof(pa));
	peer_name(b->peer, pb, sizeof(pb));
	return same_host(pa, b->host) || same_host(pb, a->host);
}

/*
 * The line this event repeats from the other end of its link, or -1.
 * The two ends may trace in batches (the server's eleven EHLO lines,
 * then the client's eleven), and one end may trace lines the other does
 * not (the receiver each line of a message, the sender only its "."), so
 * lines are paired in order: among the other end's lines since its last
 * paired one, the earliest with the same text.
 */
static long dup_of(const struct flow *f, size_t idx)
{
	const struct trace_event *e = &f->ev[idx].ev;
	long found = -1;
	size_t i, looked = 0;

	for (i = idx; i-- > 0 && looked < 1024;) {
		const struct flow_ev *p = &f->ev[i];

		if (!is_line(p) || strcmp(p->ev.protocol, e->protocol) != 0 ||
		    same_node(&p->ev, e) || p->ev.direction == e->direction ||
		    !linked(&p->ev, e))
			continue;
		looked++;
		if (p->paired)
			break;
		if (strcmp(nz(p->ev.text), nz(e->text)) == 0)
			found = (long)i;
	}
	return found;
}

static void add_line(struct flow *f, size_t idx)
{
	struct flow_ev *fe = &f->ev[idx];
	const struct trace_event *e = &fe->ev;
	char pname[256];
	int self, server = flow_is_server_process(e->process);
	long d = dup_of(f, idx);
	int client_node, server_node;
	struct flow_step *s;
	size_t i;

	peer_name(e->peer, pname, sizeof(pname));
	self = node_at(f, e->host, e->process, pname);
	fe->from_client = server ? e->direction == TRACE_DIR_IN
				 : e->direction == TRACE_DIR_OUT;
	if (d >= 0) {
		/*
		 * Show the later copy, hide the earlier: when the receiver
		 * traces the body of a message line by line and the sender
		 * only its final ".", the "." then comes after the body.
		 */
		s = &f->step[f->ev[d].step];
		f->ev[d].dup = 1;
		f->ev[d].paired = 1;
		fe->paired = 1;
		fe->from_client = f->ev[d].from_client;
		/* Now we know who the other end really is. */
		if (s->kind == FLOW_TALK) {
			if (server)
				s->peer = self;
			else
				s->node = self;
			if (fe->from_client)
				learn_owner(f, s->node, e);
		}
		step_add(f, s, idx);
		return;
	}
	client_node = server ? other_end(f, e, self) : self;
	server_node = server ? self : other_end(f, e, self);
	if (fe->from_client)
		learn_owner(f, client_node, e);

	/* The latest conversation between these two, with nothing after it
	 * but other processes' work. */
	for (i = f->nstep; i-- > 0;) {
		s = &f->step[i];
		if (s->kind == FLOW_SAY)
			break;
		if (s->kind == FLOW_WORK)
			continue;
		if (s->node != client_node || s->peer != server_node ||
		    strcmp(s->protocol, e->protocol) != 0)
			break;
		if (fe->from_client) {
			if (i == f->nstep - 1 && !step_has_side(f, s, 0)) {
				step_add(f, s, idx);
				return;
			}
		} else if (i == f->nstep - 1 || !step_has_side(f, s, 0)) {
			step_add(f, s, idx);
			return;
		}
		break;
	}
	/* smtpd's "connect from" just before its greeting: one step. */
	s = f->nstep ? &f->step[f->nstep - 1] : NULL;
	if (s != NULL && s->kind == FLOW_WORK && s->node == self && server &&
	    !fe->from_client) {
		s->kind = FLOW_TALK;
	} else {
		s = new_step(f, FLOW_TALK, e);
	}
	s->node = client_node;
	s->peer = server_node;
	s->protocol = e->protocol;
	s->port = port_of(e->protocol, f->node[server_node].process, e->peer);
	step_add(f, s, idx);
}

static void add_work(struct flow *f, size_t idx)
{
	const struct trace_event *e = &f->ev[idx].ev;
	/* A DNS lookup is the DNS's step, whoever traced it. */
	int self = node_at(f, e->host, strcasecmp(nz(e->protocol), "dns") == 0 ?
			   "dns" : e->process, NULL);
	struct flow_step *s = f->nstep ? &f->step[f->nstep - 1] : NULL;

	/* Work at another time (a retry minutes later) is another step. */
	if (s != NULL && s->n > 0 && e->time - f->ev[s->evi[s->n - 1]].ev.time >= 1000)
		s = NULL;
	if (s != NULL && ((s->kind == FLOW_WORK && s->node == self) ||
			  (s->kind == FLOW_TALK && (s->node == self || s->peer == self)
			   && strcmp(nz(e->protocol), "log") == 0))) {
		step_add(f, s, idx);
		return;
	}
	s = new_step(f, FLOW_WORK, e);
	s->node = self;
	step_add(f, s, idx);
}

void flow_add(struct flow *f, const struct trace_event *ev)
{
	struct flow_ev *fe;
	size_t idx;

	if (f->nev == f->cap_ev) {
		f->cap_ev = f->cap_ev ? 2 * f->cap_ev : 256;
		f->ev = xrealloc(f->ev, f->cap_ev * sizeof(*f->ev));
	}
	idx = f->nev++;
	fe = &f->ev[idx];
	memset(fe, 0, sizeof(*fe));
	fe->ev.time = ev->time;
	fe->ev.host = dup_or_null(ev->host);
	fe->ev.process = dup_or_null(ev->process);
	fe->ev.peer = dup_or_null(ev->peer);
	fe->ev.protocol = xstrdup(nz(ev->protocol));
	fe->ev.direction = ev->direction;
	fe->ev.text = xstrdup(nz(ev->text));
	fe->ev.note = dup_or_null(ev->note);

	if (strcmp(fe->ev.protocol, "scenario") == 0) {
		struct flow_step *s = new_step(f, FLOW_SAY, &fe->ev);

		step_add(f, s, idx);
	} else if (is_line(fe)) {
		add_line(f, idx);
	} else {
		add_work(f, idx);
	}
}

static void sink_emit(void *ctx, const struct trace_event *ev)
{
	flow_add(ctx, ev);
}

struct trace_sink flow_sink(struct flow *f)
{
	struct trace_sink s = { sink_emit, f };

	return s;
}

void flow_step_label(const struct flow *f, const struct flow_step *s,
		     char *buf, size_t n)
{
	char proto[32];
	size_t i;

	(void)f;
	snprintf(proto, sizeof(proto), "%s", nz(s->protocol));
	if (s->kind == FLOW_TALK || strcasecmp(proto, "dns") == 0)
		for (i = 0; proto[i] != '\0'; i++)
			proto[i] = (char)toupper((unsigned char)proto[i]);
	if (s->kind == FLOW_TALK && s->port > 0)
		snprintf(buf, n, "%s :%d", proto, s->port);
	else if (strcmp(proto, "log") == 0)
		snprintf(buf, n, "mail.log");
	else
		snprintf(buf, n, "%s", proto);
}

/* "2026-11-28T21:59:50.190157+00:00 centos postfix/smtpd[14013]: text"
 * and "Nov 28 21:59:50 centos postfix/smtpd[14013]: text": skip the
 * stamp and the host. */
const char *flow_log_short(const char *text)
{
	const char *p = nz(text);
	int fields;

	if (isdigit((unsigned char)p[0]) && strlen(p) > 20 && p[4] == '-' && p[10] == 'T')
		fields = 2;
	else if (isupper((unsigned char)p[0]) && strlen(p) > 16 && p[3] == ' ' &&
		 p[6] == ' ' && p[9] == ':')
		fields = 4;
	else
		return p;
	while (fields-- > 0) {
		p = strchr(p, ' ');
		if (p == NULL)
			return nz(text);
		while (*p == ' ')
			p++;
	}
	return p;
}

const char *flow_log_process(const char *process)
{
	/* Dovecot's lines read "dovecot: imap-login: ...", whichever of
	 * its processes wrote them. */
	if (process != NULL && strncmp(process, "dovecot", 7) == 0)
		return "dovecot";
	return process;
}

const char *flow_say_text(const struct flow *f, const struct flow_step *s)
{
	const struct trace_event *e;

	if (s->n == 0)
		return "";
	e = &f->ev[s->evi[0]].ev;
	return e->note ? e->note : nz(e->text);
}

size_t flow_step_lines(const struct flow *f, const struct flow_step *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		if (!f->ev[s->evi[i]].dup)
			n++;
	return n;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
size_t flow_utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong 3- and 4-byte forms, surrogates, beyond U+10FFFF. */
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

