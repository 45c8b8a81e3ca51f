/*
 * smtp_server: the smtpd engine wired to a host. See smtp_server.h.
 *
 * What Postfix's smtpd process does around its protocol engine is here:
 * reading main.cf plus the master.cf -o overrides of the service, the
 * access decisions (smtpd_policy.c), the queue file (cleanup.c, opened at
 * the first accepted RCPT as Postfix does, reference smtp/04b logs
 * "ID: client=" right there), mail.log, and the trace of every line.
 */
#include "mta/smtp_server.h"

#include <crypt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cidr.h"
#include "lib/conf.h"
#include "lib/mastercf.h"
#include "lib/xalloc.h"
#include "mta/anvil.h"
#include "mta/cleanup.h"
#include "mta/host.h"
#include "mta/qfile.h"
#include "mta/smtpd_policy.h"
#include "smtp/smtpd.h"

struct smtp_server {
	struct host *h;			/* borrowed from the world */
	struct conf *conf;		/* main.cf + this service's -o */
	struct smtpd *engine;
	struct smtpd_conf ec;		/* strings below */
	char *myhostname, *banner, *client_name, *client_addr, *sasl_mechs;
	char *server_addr, *peer, *process, *service;
	int client_port, server_port;
	struct smtpd_policy *policy;
	char *policy_fatal;		/* logged at connect, like smtpd's fatal */
	struct cleanup *cleanup;	/* open transaction, or NULL */
	mtime_t mail_time;		/* MAIL FROM: the arrival time */
	char *last_id, *last_path;
	struct buf out;			/* bytes for the client */
	struct buf inl;			/* partial input line, for the trace */
	int tls_pending;		/* 220 Ready to start TLS sent, no handshake yet */
	char *anvil_ident;	/* "smtp:127.0.0.1" when anvil counts us */
	int closed;
	void (*queued)(void *, struct host *, const char *, const char *);
	void *queued_ctx;
	int (*sync_start)(void *, struct smtp_server *, int, const char *);
	void (*sync_cancel)(void *, struct smtp_server *);
	void *sync_ctx;
	int sync_pending;	/* a DATA verdict waits for sync_done */
};

/* ---- configuration ---- */

static const char *get(struct smtp_server *s, const char *name, const char *def)
{
	const char *v = conf_get(s->conf, name);

	return v != NULL ? v : def;
}

static long get_long(struct smtp_server *s, const char *name, long def)
{
	const char *v = conf_get(s->conf, name);
	char *end;
	long n;

	if (v == NULL || *v == 0)
		return def;
	n = strtol(v, &end, 10);
	return *end == 0 ? n : def;
}

static int get_bool(struct smtp_server *s, const char *name, int def)
{
	const char *v = conf_get(s->conf, name);

	if (v == NULL || *v == 0)
		return def;
	return strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0
		|| strcmp(v, "1") == 0;
}

/* Postfix time values: a number and an optional unit (s m h d w). */
static long get_ms(struct smtp_server *s, const char *name, long def_ms)
{
	const char *v = conf_get(s->conf, name);
	char *end;
	double n;

	if (v == NULL || *v == 0)
		return def_ms;
	n = strtod(v, &end);
	switch (*end) {
	case 0:
	case 's':
		return (long)(n * 1000);
	case 'm':
		return (long)(n * 60000);
	case 'h':
		return (long)(n * 3600000);
	default:
		return def_ms;
	}
}

/* main.cf, then the -o overrides of the master.cf service (any type). */
static struct conf *service_conf(struct host *h, const char *service)
{
	const struct mastercf_service *svc;
	struct conf *c = host_conf_new(h, NULL);	/* host_reload logged errors */
	size_t i;

	svc = mastercf_find(&h->master, service, "inet");
	for (i = 0; svc != NULL && i < svc->nopts; i++)
		conf_set(c, svc->opts[i].name, svc->opts[i].value);
	return c;
}

/*
 * Each smtpd process reads main.cf, master.cf, passwd and aliases when it
 * starts, and so does each session here. Reading and building them was
 * most of a session's cost in the listener (a full parameter table per
 * read, twice), so what was read is kept while the files stay the same
 * (device, inode, size, mtime, ctime of each): an edit, postconf -e or a
 * new file, is seen by the next session as before.
 */
#define SIG_FILES	5
#define CACHE_SLOTS	8

struct file_sig {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	int missing;
};

struct conf_cache {
	const struct host *h;		/* NULL: free slot */
	char *dir;			/* the host's directory */
	char *service;
	struct file_sig sig[SIG_FILES];
	struct conf *conf;		/* service_conf() */
	unsigned long used;		/* for eviction */
};

static struct conf_cache conf_cache[CACHE_SLOTS];
static unsigned long conf_cache_clock;

/*
 * The signatures taken in this turn of the listener's loop (host_turn()):
 * the sessions a turn accepts share one stat() of each file (they were
 * five of the listener's system calls per message). Outside a loop
 * (turn 0) every session takes its own.
 */
static struct {
	const struct host *h;
	char *dir;			/* h->dir: a new host may reuse h */
	unsigned long turn;
	struct file_sig sig[SIG_FILES];
} sig_memo;

static void file_sigs_stat(struct host *h, struct file_sig *sig);

static void file_sigs(struct host *h, struct file_sig *sig)
{
	unsigned long turn = host_turn();

	if (turn != 0 && sig_memo.h == h && sig_memo.turn == turn
	    && strcmp(sig_memo.dir, h->dir) == 0) {
		memcpy(sig, sig_memo.sig, sizeof(sig_memo.sig));
		return;
	}
	file_sigs_stat(h, sig);
	if (turn == 0)
		return;
	if (sig_memo.dir == NULL || strcmp(sig_memo.dir, h->dir) != 0) {
		free(sig_memo.dir);
		sig_memo.dir = xstrdup(h->dir);
	}
	sig_memo.h = h;
	sig_memo.turn = turn;
	memcpy(sig_memo.sig, sig, sizeof(sig_memo.sig));
}

static void file_sigs_stat(struct host *h, struct file_sig *sig)
{
	static const char *const rel[SIG_FILES - 1] = {
		"etc/postfix/main.cf", "etc/postfix/master.cf", "etc/passwd",
		"etc/aliases",
	};
	const char *origin = h->conf ? conf_get(h->conf, "myorigin") : NULL;
	size_t i;

	memset(sig, 0, SIG_FILES * sizeof(*sig));
	for (i = 0; i < SIG_FILES; i++) {
		char *path;
		struct stat st;

		if (i < SIG_FILES - 1)
			path = host_path(h, rel[i]);
		else if (origin != NULL && origin[0] == '/')
			path = host_path(h, origin + 1);	/* /etc/mailname */
		else
			continue;
		if (stat(path, &st) != 0) {
			sig[i].missing = 1;
		} else {
			sig[i].dev = st.st_dev;
			sig[i].ino = st.st_ino;
			sig[i].size = st.st_size;
			sig[i].mtime = st.st_mtim;
			sig[i].ctime = st.st_ctim;
		}
		free(path);
	}
}

static void cache_drop(struct conf_cache *c)
{
	free(c->dir);
	free(c->service);
	conf_free(&c->conf);
	memset(c, 0, sizeof(*c));
}

/*
 * The configuration for a new session of service on h: host_reread()
 * unless the files are those of a cached read, then the service's conf
 * (shared: the caller must not free it).
 */
static struct conf *cached_conf(struct host *h, const char *service)
{
	struct file_sig sig[SIG_FILES];
	struct conf_cache *hit = NULL, *slot = NULL;
	int fresh = 0;
	size_t i;

	file_sigs(h, sig);
	for (i = 0; i < CACHE_SLOTS; i++) {
		struct conf_cache *c = &conf_cache[i];

		if (c->h != h || strcmp(c->dir, h->dir) != 0)
			continue;
		if (memcmp(c->sig, sig, sizeof(sig)) != 0) {
			cache_drop(c);	/* an older read of this host */
			continue;
		}
		fresh = 1;
		if (strcmp(c->service, service) == 0)
			hit = c;
	}
	if (!fresh) {
		(void)host_reread(h, NULL);
		sig_memo.h = NULL;
		file_sigs(h, sig);	/* myorigin may name another file now */
	}
	if (hit == NULL) {
		for (i = 0; i < CACHE_SLOTS; i++) {
			struct conf_cache *c = &conf_cache[i];

			if (c->h == NULL) {
				slot = c;
				break;
			}
			if (slot == NULL || c->used < slot->used)
				slot = c;
		}
		cache_drop(slot);
		slot->h = h;
		slot->dir = xstrdup(h->dir);
		slot->service = xstrdup(service);
		memcpy(slot->sig, sig, sizeof(sig));
		slot->conf = service_conf(h, service);
		hit = slot;
	}
	hit->used = ++conf_cache_clock;
	return hit->conf;
}

static int has_user(void *ctx, const char *name)
{
	return host_has_user(ctx, name);
}

static int has_alias(void *ctx, const char *name)
{
	return host_has_alias(ctx, name);
}

static void make_policy(struct smtp_server *s)
{
	struct smtpd_policy_params p;
	struct err e;
	int fatal = 0;

	memset(&p, 0, sizeof(p));
	e.text[0] = 0;
	p.myhostname = s->myhostname;
	p.myorigin = host_myorigin(s->h);
	p.mydomain = get(s, "mydomain", "");
	p.mydestination = get(s, "mydestination", "$myhostname, localhost.$mydomain, localhost");
	p.relay_domains = get(s, "relay_domains", "");
	/* XXX mynetworks_style when mynetworks is unset: host style */
	p.mynetworks = get(s, "mynetworks", "127.0.0.0/8 [::1]/128");
	p.inet_interfaces = get(s, "inet_interfaces", "all");
	p.proxy_interfaces = get(s, "proxy_interfaces", "");
	p.host_addr = host_addr(s->h);
	p.relay_restrictions = get(s, "smtpd_relay_restrictions",
				   "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination");
	p.recipient_restrictions = get(s, "smtpd_recipient_restrictions", "");
	p.sender_restrictions = get(s, "smtpd_sender_restrictions", "");
	p.local_recipient_maps = get(s, "local_recipient_maps",
				     "proxy:unix:passwd.byname hash:/etc/aliases");
	p.recipient_delimiter = get(s, "recipient_delimiter", "");
	p.reject_unlisted_recipient = get_bool(s, "smtpd_reject_unlisted_recipient", 1);
	p.append_dot_mydomain = get_bool(s, "append_dot_mydomain", 0);
	p.has_user = has_user;
	p.has_alias = has_alias;
	p.ctx = s->h;
	s->policy = smtpd_policy_new(&p, &fatal, &e);
	if (fatal)
		s->policy_fatal = xstrdup(e.text);
	else if (e.text[0] != 0)
		s->policy_fatal = xasprintf("warning: %s", e.text);
}

static int loopback(const char *addr)
{
	struct cidr c;
	struct err e;

	return (cidr_parse("127.0.0.0/8", &c, &e) && cidr_match(&c, addr))
		|| strcmp(addr, "::1") == 0;
}

static void make_engine_conf(struct smtp_server *s, const struct smtp_server_opts *o)
{
	const char *level = get(s, "smtpd_tls_security_level", "");
	const char *bare = get(s, "smtpd_forbid_bare_newline", "no");
	struct cidr_list excl;
	struct err e;

	memset(&s->ec, 0, sizeof(s->ec));
	s->ec.myhostname = s->myhostname;
	s->ec.banner = s->banner;
	s->ec.client_name = s->client_name;
	s->ec.client_addr = s->client_addr;
	s->ec.message_size_limit = get_long(s, "message_size_limit", 10240000);
	s->ec.helo_required = get_bool(s, "smtpd_helo_required", 0);
	s->ec.strict_rfc821_envelopes = get_bool(s, "strict_rfc821_envelopes", 0);
	s->ec.disable_vrfy_command = get_bool(s, "disable_vrfy_command", 0);
	s->ec.recipient_limit = get_long(s, "smtpd_recipient_limit", 1000);
	s->ec.line_length_limit = get_long(s, "line_length_limit", 2048);
	s->ec.soft_error_limit = (int)get_long(s, "smtpd_soft_error_limit", 10);
	s->ec.hard_error_limit = (int)get_long(s, "smtpd_hard_error_limit", 20);
	s->ec.error_sleep_ms = get_ms(s, "smtpd_error_sleep_time", 1000);
	if (strcasecmp(bare, "normalize") == 0 || strcasecmp(bare, "yes") == 0)
		s->ec.bare_newline = SMTPD_BARE_NL_NORMALIZE;
	else if (strcasecmp(bare, "reject") == 0)
		s->ec.bare_newline = SMTPD_BARE_NL_REJECT;
	else
		s->ec.bare_newline = SMTPD_BARE_NL_NO;
	cidr_list_init(&excl);
	(void)cidr_list_parse(&excl, get(s, "smtpd_forbid_bare_newline_exclusions",
					 get(s, "mynetworks", "")), &e);
	s->ec.bare_newline_excluded = cidr_list_match(&excl, s->client_addr);
	cidr_list_reset(&excl);
	/* smtpd_use_tls = yes is the pre-2.3 spelling of "may" */
	s->ec.tls_offer = o->tls_possible
		&& (strcasecmp(level, "may") == 0 || strcasecmp(level, "encrypt") == 0
		    || (*level == 0 && get_bool(s, "smtpd_use_tls", 0)));
	s->ec.tls_active = o->tls_possible && get_bool(s, "smtpd_tls_wrappermode", 0);
	s->ec.tls_auth_only = get_bool(s, "smtpd_tls_auth_only", 0);
	/* mandatory TLS: the engine answers 530 until STARTTLS */
	s->ec.tls_required = s->ec.tls_offer && !s->ec.tls_active
		&& strcasecmp(level, "encrypt") == 0;
	s->ec.sasl_enabled = get_bool(s, "smtpd_sasl_auth_enable", 0);
	s->ec.sasl_mechs = s->sasl_mechs;
}

/* ---- trace and log ---- */

/* A line for the trace: control bytes other than TAB as \xNN. */
static char *printable(const char *p, size_t n)
{
	struct buf b;
	size_t i, len;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch < 32 && ch != '\t')
			buf_addf(&b, "\\x%02X", ch);
		else
			buf_addc(&b, (char)ch);
	}
	buf_addc(&b, 0);
	return buf_steal(&b, &len);
}

static void trace_line(struct smtp_server *s, mtime_t now, enum trace_dir dir,
		       const char *p, size_t n)
{
	struct trace_event ev;
	char *text;

	if (s->h->trace.emit == NULL)
		return;		/* nobody watches: no copy per line */
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	text = printable(p, n);
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = s->h->name;
	ev.process = s->process;
	ev.peer = s->peer;
	ev.protocol = "smtp";
	ev.direction = dir;
	ev.text = text;
	trace_emit(&s->h->trace, &ev);
	free(text);
}

/* Moves the engine's output to ours, one trace event per line. */
static void drain(struct smtp_server *s, mtime_t now)
{
	struct buf *eo = smtpd_output(s->engine);
	size_t start = 0, i;

	for (i = 0; i < eo->len; i++) {
		if (eo->data[i] == '\n') {
			trace_line(s, now, TRACE_DIR_OUT, eo->data + start, i + 1 - start);
			start = i + 1;
		}
	}
	if (start < eo->len)	/* a reply without its end: trace what there is */
		trace_line(s, now, TRACE_DIR_OUT, eo->data + start, eo->len - start);
	buf_add(&s->out, eo->data, eo->len);
	buf_clear(eo);
}

static void slog(struct smtp_server *s, mtime_t now, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void slog(struct smtp_server *s, mtime_t now, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	host_log(s->h, now, s->process, "%s", msg);
}

/* ---- the session ---- */

/*
 * smtpd tells anvil(8) about every client that is not in
 * smtpd_client_event_limit_exceptions (${smtpd_client_connection_limit_
 * exceptions:$mynetworks}): reference smtp/04e and 04f, where mynetworks
 * is 127.0.0.2/32, end with anvil's statistics.
 */
static void anvil_hello(struct smtp_server *s, mtime_t now)
{
	struct cidr_list except;
	struct err e;

	cidr_list_init(&except);
	(void)cidr_list_parse(&except, get(s, "smtpd_client_event_limit_exceptions",
					   get(s, "mynetworks", "")), &e);
	if (!cidr_list_match(&except, s->client_addr)) {
		s->anvil_ident = xasprintf("%s:%s", s->service, s->client_addr);
		anvil_connect(host_anvil(s->h), now, s->anvil_ident,
			      get_ms(s, "anvil_rate_time_unit", 60000));
	}
	cidr_list_reset(&except);
}

struct smtp_server *smtp_server_new(struct host *h,
				    const struct smtp_server_opts *o,
				    mtime_t now)
{
	struct smtp_server *s = xcalloc(1, sizeof(*s));
	const char *v;

	s->h = h;
	s->service = xstrdup(o->service ? o->service : "smtp");
	/* each smtpd process reads the configuration when it starts */
	s->conf = cached_conf(h, s->service);
	s->myhostname = xstrdup(get(s, "myhostname", host_myhostname(h)));
	s->banner = xstrdup(get(s, "smtpd_banner", "$myhostname ESMTP $mail_name"));
	v = get(s, "syslog_name", "postfix");
	s->process = xasprintf("%s/smtpd", *v ? v : "postfix");
	s->client_addr = xstrdup(o->client_addr ? o->client_addr : "127.0.0.1");
	s->client_name = xstrdup(o->client_name ? o->client_name : "unknown");
	s->peer = xasprintf("%s[%s]", s->client_name, s->client_addr);
	s->client_port = o->client_port > 0 ? o->client_port
		: 40000 + (int)(host_next_serial(h) % 20000);
	if (o->server_addr != NULL)
		s->server_addr = xstrdup(o->server_addr);
	else if (loopback(s->client_addr) || host_addr(h) == NULL)
		s->server_addr = xstrdup(s->client_addr);
	else
		s->server_addr = xstrdup(host_addr(h));
	s->server_port = o->server_port > 0 ? o->server_port
		: strcmp(s->service, "submission") == 0 ? 587
		: strcmp(s->service, "smtps") == 0 ? 465 : 25;
	s->sasl_mechs = xstrdup("PLAIN LOGIN");
	s->queued = o->queued;
	s->queued_ctx = o->queued_ctx;
	s->sync_start = o->sync_start;
	s->sync_cancel = o->sync_cancel;
	s->sync_ctx = o->sync_ctx;
	buf_init(&s->out);
	buf_init(&s->inl);
	make_policy(s);
	make_engine_conf(s, o);

	slog(s, now, "connect from %s", s->peer);
	anvil_hello(s, now);
	if (s->policy_fatal != NULL)
		slog(s, now, "%s%s", strncmp(s->policy_fatal, "warning: ", 9) == 0
		     ? "" : "fatal: ", s->policy_fatal);
	/*
	 * The banner stays in the engine's buffer until the first run: input
	 * fed before that is a client talking first (reference 05j).
	 */
	s->engine = smtpd_new(&s->ec, now);
	/*
	 * Everything the session needs is copied out by now (engine conf,
	 * policy). A struct conf holds every Postfix parameter (~130 KB):
	 * kept per session it made 10,000 idle listener connections cost
	 * 1.3 GB instead of 30 MB. This one is the cache's.
	 */
	s->conf = NULL;
	return s;
}

static void tx_abort(struct smtp_server *s)
{
	if (s->sync_pending) {
		/* the reply never went out: no message (the file goes) */
		s->sync_pending = 0;
		if (s->sync_cancel != NULL)
			s->sync_cancel(s->sync_ctx, s);
	}
	cleanup_abort(&s->cleanup);
}

void smtp_server_free(struct smtp_server **sp)
{
	struct smtp_server *s = *sp;

	if (s == NULL)
		return;
	tx_abort(s);
	if (s->anvil_ident != NULL) {
		anvil_disconnect(host_anvil(s->h), s->anvil_ident);
		free(s->anvil_ident);
	}
	smtpd_free(&s->engine);
	smtpd_policy_free(&s->policy);
	conf_free(&s->conf);
	buf_reset(&s->out);
	buf_reset(&s->inl);
	free(s->myhostname);
	free(s->banner);
	free(s->client_name);
	free(s->client_addr);
	free(s->sasl_mechs);
	free(s->server_addr);
	free(s->peer);
	free(s->process);
	free(s->service);
	free(s->policy_fatal);
	free(s->last_id);
	free(s->last_path);
	free(s);
	*sp = NULL;
}

void smtp_server_feed(struct smtp_server *s, const void *buf, size_t len,
		      mtime_t now)
{
	const char *p = buf;
	size_t i, start = 0;

	if (s->h->trace.emit == NULL) {
		/* nobody watches: the message need not be cut into lines */
		smtpd_feed(s->engine, buf, len, now);
		return;
	}
	/* the trace sees whole lines, as typed */
	for (i = 0; i < len; i++) {
		if (p[i] == '\n') {
			buf_add(&s->inl, p + start, i + 1 - start);
			trace_line(s, now, TRACE_DIR_IN, s->inl.data, s->inl.len);
			buf_clear(&s->inl);
			start = i + 1;
		}
	}
	buf_add(&s->inl, p + start, len - start);
	smtpd_feed(s->engine, buf, len, now);
}

static const char *protocol_name(const struct smtpd_tx *tx)
{
	/* RFC 3848: ESMTP, ESMTPS, ESMTPA, ESMTPSA */
	if (!tx->esmtp)
		return "SMTP";
	if (tx->tls)
		return tx->authenticated ? "ESMTPSA" : "ESMTPS";
	return tx->authenticated ? "ESMTPA" : "ESMTP";
}

static void reply_from_policy(struct smtpd_verdict *v, const struct smtpd_policy_reply *r)
{
	v->code = r->code;
	v->text = r->code ? r->text : NULL;
}

static void on_rcpt(struct smtp_server *s, const struct smtpd_event *ev, mtime_t now)
{
	struct smtpd_policy_client c = { s->client_addr, ev->tx->authenticated };
	struct smtpd_policy_reply r;
	struct smtpd_verdict v = { 0, NULL, NULL };
	struct err e;

	smtpd_policy_rcpt(s->policy, &c, ev->arg, &r);
	if (r.log[0] != 0)
		slog(s, now, "%s", r.log);
	reply_from_policy(&v, &r);
	if (r.code == 0) {
		/* Postfix opens the queue file at the first accepted RCPT */
		if (s->cleanup == NULL) {
			struct cleanup_env env;

			memset(&env, 0, sizeof(env));
			env.origin = CLEANUP_ORIGIN_SMTPD;
			env.sender = ev->tx->mail_from ? ev->tx->mail_from : "";
			env.arrival = s->mail_time ? s->mail_time : now;
			env.client_name = s->client_name;
			env.client_addr = s->client_addr;
			env.client_port = s->client_port;
			env.server_addr = s->server_addr;
			env.server_port = s->server_port;
			env.helo = ev->tx->helo;
			env.protocol = protocol_name(ev->tx);
			env.sasl_method = ev->tx->authenticated ? "PLAIN" : NULL;
			env.sasl_username = ev->tx->sasl_user;
			s->cleanup = cleanup_open(s->h, &env, now, &e);
			if (s->cleanup == NULL) {
				slog(s, now, "warning: %s", e.text);
				v.code = 451;
				v.text = "4.3.0 Error: queue file write error";
				smtpd_verdict(s->engine, &v, now);
				return;
			}
			if (ev->tx->authenticated && ev->tx->sasl_user != NULL)
				slog(s, now, "%s: client=%s, sasl_method=PLAIN, sasl_username=%s",
				     cleanup_id(s->cleanup), s->peer, ev->tx->sasl_user);
			else
				slog(s, now, "%s: client=%s", cleanup_id(s->cleanup), s->peer);
		}
		if (cleanup_rcpt(s->cleanup, ev->arg, &e) != 0) {
			v.code = 451;
			v.text = "4.3.0 Error: queue file write error";
		}
	}
	if (s->cleanup != NULL)
		v.queue_id = cleanup_id(s->cleanup);
	smtpd_verdict(s->engine, &v, now);
}

/* The end of DATA, once the queue file is durable (or not: errnum). */
static void data_done(struct smtp_server *s, int errnum, mtime_t now)
{
	struct smtpd_verdict v = { 0, NULL, NULL };
	struct cleanup_result res;
	struct err e;

	if (cleanup_finish(&s->cleanup, errnum, now, &res, &e) != 0) {
		slog(s, now, "warning: %s", e.text);
		v.code = 451;
		v.text = "4.3.0 Error: queue file write error";
		smtpd_verdict(s->engine, &v, now);
		return;
	}
	free(s->last_id);
	free(s->last_path);
	s->last_id = xstrdup(res.id);
	s->last_path = xstrdup(res.path);
	v.queue_id = s->last_id;
	smtpd_verdict(s->engine, &v, now);
	if (s->queued != NULL)
		s->queued(s->queued_ctx, s->h, res.id, res.path);
	cleanup_result_reset(&res);
}

/* Returns 1 when the verdict waits for the driver's sync. */
static int on_data(struct smtp_server *s, const struct smtpd_event *ev, mtime_t now)
{
	struct smtpd_verdict v = { 0, NULL, NULL };
	struct err e;

	if (s->cleanup == NULL) {
		/* the engine only gets here with an accepted recipient */
		v.code = 451;
		v.text = "4.3.0 Error: queue file write error";
		smtpd_verdict(s->engine, &v, now);
		return 0;
	}
	if (cleanup_message(s->cleanup, ev->data, ev->len, now, &e) != 0
	    || cleanup_prepare(&s->cleanup, &e) != 0) {
		cleanup_abort(&s->cleanup);
		slog(s, now, "warning: %s", e.text);
		v.code = 451;
		v.text = "4.3.0 Error: queue file write error";
		smtpd_verdict(s->engine, &v, now);
		return 0;
	}
	/*
	 * Issue 5: "250 ... queued as ID" only once the file and its
	 * directory entry are on disk. The listener syncs many sessions'
	 * files together (group commit); others sync here.
	 */
	if (s->sync_start != NULL
	    && s->sync_start(s->sync_ctx, s, cleanup_sync_fd(s->cleanup),
			     cleanup_sync_dir(s->cleanup)) == 0) {
		s->sync_pending = 1;
		return 1;
	}
	data_done(s, qfile_sync(cleanup_sync_fd(s->cleanup),
				cleanup_sync_dir(s->cleanup)), now);
	return 0;
}

void smtp_server_sync_done(struct smtp_server *s, int errnum, mtime_t now)
{
	BUG_ON(!s->sync_pending || s->cleanup == NULL);
	s->sync_pending = 0;
	data_done(s, errnum, now);
}

int smtp_server_waiting(const struct smtp_server *s)
{
	return s->sync_pending;
}

/*
 * SASL (smtpd_sasl_type = dovecot): the user's line in etc/dovecot/users.
 * XXX asks the file directly instead of a Dovecot auth service.
 */
static int sasl_check(struct smtp_server *s, const char *user, const char *pass)
{
	char *path = host_path(s->h, "etc/dovecot/users");
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t ul = user ? strlen(user) : 0;
	int ok = 0;

	free(path);
	if (f == NULL || user == NULL || pass == NULL) {
		if (f)
			fclose(f);
		return 0;
	}
	while (!ok && fgets(line, sizeof(line), f) != NULL) {
		char *hash, *end;

		if (strncmp(line, user, ul) != 0 || line[ul] != ':')
			continue;
		hash = line + ul + 1;
		if (strncmp(hash, "{SHA512-CRYPT}", 14) == 0)
			hash += 14;
		end = strchr(hash, ':');
		if (end != NULL) {
			struct crypt_data *cd = xcalloc(1, sizeof(*cd));
			const char *h;

			*end = 0;
			h = crypt_r(pass, hash, cd);
			ok = h != NULL && strcmp(h, hash) == 0;
			free(cd);
		}
	}
	fclose(f);
	return ok;
}

/* One event; returns the action the driver must take, or -1 to go on. */
static int handle(struct smtp_server *s, const struct smtpd_event *ev,
		  mtime_t now, long *delay_ms_out)
{
	struct smtpd_policy_client c = { s->client_addr, ev->tx ? ev->tx->authenticated : 0 };
	struct smtpd_policy_reply r;
	struct smtpd_verdict v = { 0, NULL, NULL };

	switch (ev->type) {
	case SMTPD_EV_LOG:
		/* we said "connect from" when the session began */
		if (strncmp(ev->text, "connect from ", 13) != 0)
			slog(s, now, "%s", ev->text);
		/*
		 * A message refused after its end (bare <LF>, reference 05f)
		 * has been through cleanup already, which logged its
		 * message-id before smtpd threw the file away.
		 */
		if (s->cleanup != NULL && strstr(ev->text, ": reject: END-OF-MESSAGE from ") != NULL)
			cleanup_log_rejected(s->cleanup, now);
		break;
	case SMTPD_EV_HELO:
		break;
	case SMTPD_EV_MAIL:
		s->mail_time = now;
		smtpd_policy_mail(s->policy, &c, ev->arg, &r);
		if (r.log[0] != 0)
			slog(s, now, "%s", r.log);
		reply_from_policy(&v, &r);
		smtpd_verdict(s->engine, &v, now);
		break;
	case SMTPD_EV_RCPT:
		on_rcpt(s, ev, now);
		break;
	case SMTPD_EV_VRFY:
		smtpd_policy_vrfy(s->policy, &c, ev->arg, &r);
		reply_from_policy(&v, &r);
		smtpd_verdict(s->engine, &v, now);
		break;
	case SMTPD_EV_ETRN:
		/* fast_flush_domains = $relay_domains: empty, so no site. XXX
		 * words not captured in reference/ */
		v.code = 459;
		v.text = "4.7.1 Unable to queue messages";
		smtpd_verdict(s->engine, &v, now);
		break;
	case SMTPD_EV_AUTH:
		if (!sasl_check(s, ev->user, ev->pass)) {
			v.code = 535;
			v.text = "5.7.8 Error: authentication failed: authentication failure";
			slog(s, now, "warning: %s: SASL %s authentication failed: authentication failure",
			     s->peer, ev->arg ? ev->arg : "PLAIN");
		}
		smtpd_verdict(s->engine, &v, now);
		break;
	case SMTPD_EV_DATA:
		if (on_data(s, ev, now)) {
			drain(s, now);
			return SMTP_SERVER_WAIT;
		}
		break;
	case SMTPD_EV_RSET:
		tx_abort(s);
		break;
	case SMTPD_EV_STARTTLS:
		tx_abort(s);
		drain(s, now);
		s->tls_pending = 1;
		return SMTP_SERVER_STARTTLS;
	case SMTPD_EV_DELAY:
		drain(s, now);
		*delay_ms_out = ev->delay_ms;
		return SMTP_SERVER_DELAY;
	case SMTPD_EV_CLOSE:
		tx_abort(s);
		drain(s, now);
		s->closed = 1;
		return SMTP_SERVER_CLOSE;
	}
	return -1;
}

enum smtp_server_act smtp_server_run(struct smtp_server *s, mtime_t now,
				     long *delay_ms_out)
{
	struct smtpd_event ev;
	long dummy;

	if (delay_ms_out == NULL)
		delay_ms_out = &dummy;
	*delay_ms_out = 0;
	if (s->sync_pending)
		return SMTP_SERVER_WAIT;
	while (!s->closed && smtpd_next(s->engine, &ev, now) == 1) {
		int act = handle(s, &ev, now, delay_ms_out);

		if (act >= 0)
			return (enum smtp_server_act)act;
	}
	drain(s, now);
	if (s->closed || smtpd_closed(s->engine)) {
		tx_abort(s);
		s->closed = 1;
		return SMTP_SERVER_CLOSE;
	}
	return SMTP_SERVER_NEED_INPUT;
}

void smtp_server_eof(struct smtp_server *s, mtime_t now)
{
	struct smtpd_event ev;
	long delay;

	if (s->inl.len > 0) {
		trace_line(s, now, TRACE_DIR_IN, s->inl.data, s->inl.len);
		buf_clear(&s->inl);
	}
	if (s->tls_pending)
		/* the handshake never completed (plain text after "220 Ready
		 * to start TLS", a reset): "lost connection after STARTTLS"
		 * and the disconnect line (reference/transcripts/smtp/06e) */
		smtpd_close(s->engine, now);
	else
		smtpd_eof(s->engine, now);
	/* what the engine still has to say (the disconnect line) */
	while (smtpd_next(s->engine, &ev, now) == 1)
		if (ev.type == SMTPD_EV_LOG || ev.type == SMTPD_EV_RSET
		    || ev.type == SMTPD_EV_CLOSE)
			(void)handle(s, &ev, now, &delay);
	drain(s, now);
	tx_abort(s);
	s->closed = 1;
}

void smtp_server_tls_failed(struct smtp_server *s, const char *result,
			    const char *problem, mtime_t now)
{
	struct smtpd_event ev;
	long delay;

	smtpd_tls_failed(s->engine, result, problem, now);
	/* the SSL_accept lines, the lost connection, the disconnect line */
	while (smtpd_next(s->engine, &ev, now) == 1)
		if (ev.type == SMTPD_EV_LOG || ev.type == SMTPD_EV_RSET
		    || ev.type == SMTPD_EV_CLOSE)
			(void)handle(s, &ev, now, &delay);
	drain(s, now);
	tx_abort(s);
	s->closed = 1;
}

struct buf *smtp_server_output(struct smtp_server *s)
{
	return &s->out;
}

void smtp_server_tls_started(struct smtp_server *s, mtime_t now)
{
	s->tls_pending = 0;
	smtpd_tls_started(s->engine, now);
	drain(s, now);
}

const char *smtp_server_last_queue_id(const struct smtp_server *s)
{
	return s->last_id;
}

const char *smtp_server_last_queue_path(const struct smtp_server *s)
{
	return s->last_path;
}

int smtp_server_closed(const struct smtp_server *s)
{
	return s->closed;
}

void smtp_server_timeout(struct smtp_server *s, mtime_t now)
{
	/* smtpd_timeout: "421 4.4.2 <myhostname> Error: timeout exceeded",
	 * "timeout after <command> from <client>"; smtp_server_run() then
	 * says CLOSE. */
	if (!s->closed)
		smtpd_timeout(s->engine, now);
}
