#include "net/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mda/dovecot_conf.h"
#include "mta/host.h"
#include "net/conn.h"
#include "net/evloop.h"
#include "net/listen_trace.h"
#include "net/listener_pid.h"
#include "net/netaddr.h"
#include "net/netsess.h"
#include "net/syncq.h"
#include "net/tls.h"
#include "net/listener_qmgr.h"
#include "sim/clock_store.h"
#include "sim/sim.h"
#include "sim/world.h"

/* How often ROOT/clock is read again. */
#define CLOCK_POLL_MS	1000

/* Postfix's master logs these words; the version is the one captured. */
#define MASTER_VERSION	"version 3.7.11, configuration /etc/postfix"

struct listener;

struct lhost {
	struct host *host;
	SSL_CTX *ssl_ctx;		/* Postfix's; NULL when TLS is not configured */
	SSL_CTX *dovecot_ctx;		/* Dovecot's (ssl = yes); or NULL */
	char *protocols;		/* Dovecot's protocols: "imap pop3" */
	char *addr;			/* where its services listen */
	int offset;			/* port offset for this host */
};

/* One listening socket. */
struct lsock {
	int fd;
	struct lhost *lh;		/* borrowed from the listener */
	char *service;			/* master.cf service name */
	const struct netsess_ops *ops;
	int dovecot;			/* a Dovecot service: its TLS context */
	int implicit_tls;		/* smtpd_tls_wrappermode = yes, pop3s, imaps */
	int real_port;
	char *local_addr;
	int local_port;
	struct netsess_limits lim;
	struct listener *owner;
	int keep;			/* reload: still wanted */
};

/* Connections per (service, client address), like Postfix's anvil. */
struct client_count {
	char *key;			/* "smtp\n127.0.0.1" */
	long n;
	struct listener *owner;
	struct client_count *next;
};

#define NBUCKETS 1024

struct listener {
	struct evloop *loop;
	struct world *world;
	struct lsock **socks;
	size_t nsocks;
	struct lhost *hosts;
	size_t nhosts;
	struct conn_set conns;
	size_t max_conns;
	int busy_logged;		/* the global limit was reported */
	int sigfd;
	int spare_fd;			/* given up to accept() on EMFILE */
	FILE *announce;
	struct listener_qmgr *qmgr;	/* the queue manager process */
	struct syncq *syncq;		/* group commit of queue files */
	struct sim *sim;		/* ours: the hosts' trace sinks, the clock */
	struct listen_trace *trace;	/* --trace, or NULL */
	struct netsess_env env;
	struct client_count *buckets[NBUCKETS];
};

static const struct {
	const char *name;
	int port;
} well_known[] = {
	{ "smtp", 25 }, { "submission", 587 }, { "smtps", 465 },
	{ "submissions", 465 }, { "pop3", 110 }, { "pop3s", 995 },
	{ "imap", 143 }, { "imaps", 993 },
};

int listener_service_port(const char *service)
{
	const char *colon = strrchr(service, ':');
	const char *p = colon ? colon + 1 : service;
	size_t i;
	char *end;
	long n;

	for (i = 0; i < ARRAY_LEN(well_known); i++)
		if (strcmp(well_known[i].name, p) == 0)
			return well_known[i].port;
	n = strtol(p, &end, 10);
	if (*p == '\0' || *end != '\0' || n <= 0 || n > 65535)
		return -1;
	return (int)n;
}

/* ---- per-client counts ---- */

static size_t key_hash(const char *k)
{
	size_t h = 2166136261u;

	while (*k)
		h = (h ^ (unsigned char)*k++) * 16777619u;
	return h % NBUCKETS;
}

static struct client_count *count_get(struct listener *li, const char *service,
				      const char *addr)
{
	char *key = xasprintf("%s\n%s", service, addr);
	size_t b = key_hash(key);
	struct client_count *cc;

	for (cc = li->buckets[b]; cc; cc = cc->next)
		if (strcmp(cc->key, key) == 0) {
			free(key);
			return cc;
		}
	cc = xcalloc(1, sizeof(*cc));
	cc->key = key;
	cc->owner = li;
	cc->next = li->buckets[b];
	li->buckets[b] = cc;
	return cc;
}

static void count_release(void *ctx)
{
	struct client_count *cc = ctx, **pp;
	struct listener *li = cc->owner;

	if (--cc->n > 0)
		return;
	for (pp = &li->buckets[key_hash(cc->key)]; *pp; pp = &(*pp)->next)
		if (*pp == cc) {
			*pp = cc->next;
			break;
		}
	free(cc->key);
	free(cc);
}

/* ---- sockets ---- */

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int bind_one(const char *addr, int port, struct err *e)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1;

	if (netaddr_make(addr, port, &ss, &len) != 0)
		return err_set(e, 0, _("not an IP address: %s"), addr);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	/* A deep backlog: a burst of clients waits in the kernel, not refused. */
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4096) < 0) {
		int saved = errno;

		close(fd);
		return err_set(e, saved, _("cannot listen on %s port %d: %s"),
			       addr, port, strerror(saved));
	}
	return fd;
}

static void peer_strings(const struct sockaddr_storage *ss, char *addr,
			 size_t addrlen, int *port_out)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], addr,
				  (socklen_t)addrlen);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, addr, (socklen_t)addrlen);
		*port_out = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, addr, (socklen_t)addrlen);
		*port_out = ntohs(s4->sin_port);
	}
}

/*
 * Postfix names a client by reverse DNS; the lab has no DNS for real
 * clients, so loopback is "localhost" (as /etc/hosts says) and the rest
 * "unknown", which is what Postfix logs for an address without a name.
 */
static const char *peer_name(const char *addr)
{
	if (strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0)
		return "localhost";
	return "unknown";
}

static SSL_CTX *lsock_ctx(const struct lsock *s)
{
	return s->dovecot ? s->lh->dovecot_ctx : s->lh->ssl_ctx;
}

/* A refusal is a few bytes into an empty socket buffer: one write. */
static void refuse(struct lsock *s, int cfd, const struct netsess_peer *peer,
		   enum netsess_refusal why, long count, int quiet)
{
	struct buf out;

	buf_init(&out);
	s->ops->refuse(s->lh->host, s->service, peer, why, count, quiet,
		       clock_real_now() + s->owner->conns.clock_offset, &out);
	if (out.len > 0 && write(cfd, out.data, out.len) < 0) {
		/* the client is gone already */
	}
	shutdown(cfd, SHUT_WR);
	close(cfd);
	buf_reset(&out);
}

/* Out of descriptors: take one client off the queue with the spare fd,
 * tell it we are busy, and keep the spare for next time. */
static void accept_when_out_of_fds(struct lsock *s)
{
	struct listener *li = s->owner;
	struct netsess_peer peer;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];
	int cfd;

	if (li->spare_fd < 0)
		return;
	close(li->spare_fd);
	li->spare_fd = -1;
	cfd = accept4(s->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	if (cfd >= 0) {
		memset(&peer, 0, sizeof(peer));
		peer_strings(&ss, addr, sizeof(addr), &peer.port);
		peer.addr = addr;
		peer.name = peer_name(addr);
		peer.local_addr = s->local_addr;
		peer.local_port = s->local_port;
		refuse(s, cfd, &peer, NETSESS_REFUSE_BUSY, (long)li->conns.count,
		       li->busy_logged);
		li->busy_logged = 1;
	}
	li->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void wake_turn(void *ctx)
{
	(void)ctx;
	host_turn_next();
}

static void on_accept(struct evloop *l, int fd, unsigned events, void *ctx)
{
	struct lsock *s = ctx;
	struct listener *li = s->owner;
	int n;

	(void)events;
	/* A bounded batch, so one busy port cannot starve the others. */
	for (n = 0; n < 256; n++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct netsess_peer peer;
		struct conn_params cp;
		struct client_count *cc;
		char addr[INET6_ADDRSTRLEN];
		int cfd = accept4(fd, (struct sockaddr *)&ss, &len,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				accept_when_out_of_fds(s);
			return;
		}
		memset(&peer, 0, sizeof(peer));
		peer_strings(&ss, addr, sizeof(addr), &peer.port);
		peer.addr = addr;
		peer.name = peer_name(addr);
		peer.local_addr = s->local_addr;
		peer.local_port = s->local_port;
		peer.tls = s->implicit_tls;
		peer.tls_possible = lsock_ctx(s) != NULL;
		if (li->conns.count >= li->max_conns) {
			/* logged once per busy spell, as master does */
			refuse(s, cfd, &peer, NETSESS_REFUSE_BUSY,
			       (long)li->max_conns, li->busy_logged);
			li->busy_logged = 1;
			continue;
		}
		if (li->conns.count + 1 < li->max_conns * 9 / 10)
			li->busy_logged = 0;
		cc = count_get(li, s->service, addr);
		cc->n++;
		if (s->lim.client_limit > 0 && cc->n > s->lim.client_limit &&
		    !cidr_list_match(&s->lim.exempt, addr)) {
			refuse(s, cfd, &peer, NETSESS_REFUSE_CLIENT_LIMIT, cc->n, 0);
			count_release(cc);
			continue;
		}
		memset(&cp, 0, sizeof(cp));
		cp.host = s->lh->host;
		cp.service = s->service;
		cp.ops = s->ops;
		cp.peer = &peer;
		cp.ssl_ctx = lsock_ctx(s);
		cp.idle_ms = s->lim.idle_ms;
		cp.on_close = count_release;
		cp.on_close_ctx = cc;
		if (conn_start(l, cfd, &cp, &li->conns) < 0)
			count_release(cc);
	}
}

/* ---- the world's own work: qmgr, pickup, deliveries ---- */

/* A session queued a message: the queue manager process looks now. */
static void on_work(void *ctx, struct host *h)
{
	struct listener *li = ctx;

	(void)h;
	listener_qmgr_kick(li->qmgr);
}

/*
 * Group commit (issue 5, point 6 and Performance): SMTP sessions hand
 * their queue files to one sync thread, which makes several durable at
 * once before any of them is acknowledged. Started after the queue
 * manager's fork (a thread does not survive fork). Without it (no
 * thread could start) sessions sync their own files, as before.
 */
static void sync_start_queue(struct listener *li)
{
	struct err e;

	li->syncq = syncq_new(li->loop, &e);
	if (li->syncq == NULL)
		fprintf(stderr, "maillab listen: %s\n", e.text);
	li->env.syncq = li->syncq;
}

/* Shutdown: sessions waiting for a sync get their reply first. */
static void sync_stop_queue(struct listener *li)
{
	syncq_drain(li->syncq);
}

static void sync_free_queue(struct listener *li)
{
	syncq_free(&li->syncq);
	li->env.syncq = NULL;
}

/* The lab clock may move under us (`maillab clock advance`): sessions
 * follow ROOT/clock. */
static void clock_tick(struct evloop *l, void *ctx)
{
	struct listener *li = ctx;
	mtime_t offset;
	struct err e;

	if (clock_store_load(li->world->root, &offset, &e) == 0)
		li->conns.clock_offset = offset;
	evloop_timer(l, CLOCK_POLL_MS, clock_tick, li);
}

/* ---- hosts and services ---- */

/* The host's own path for a main.cf file name ("/etc/ssl/x.pem"). */
static char *host_file(struct host *h, const char *param)
{
	const char *v = conf_get(h->conf, param);

	if (v == NULL || *v == '\0')
		return NULL;
	return host_path(h, v[0] == '/' ? v + 1 : v);
}

static SSL_CTX *host_tls(struct host *h)
{
	const char *level = conf_get(h->conf, "smtpd_tls_security_level");
	char *cert, *key;
	SSL_CTX *ctx = NULL;
	struct err e;

	if (level == NULL || strcmp(level, "none") == 0 || *level == '\0')
		return NULL;
	cert = host_file(h, "smtpd_tls_cert_file");
	key = host_file(h, "smtpd_tls_key_file");
	if (cert && key) {
		ctx = tls_server_ctx(cert, key, h->name, &e);
		if (ctx == NULL)
			fprintf(stderr, _("maillab listen: TLS disabled for %s: %s\n"),
				h->name, e.text);
	}
	free(cert);
	free(key);
	return ctx;
}

/*
 * Dovecot's side of a host: its protocols and, unless ssl = no, a TLS
 * context with the pair ssl_cert/ssl_key name (netsess_dovecot_tls()).
 */
static void host_dovecot(struct lhost *lh)
{
	struct dovecot_conf dc;
	struct err e;

	free(lh->protocols);
	lh->protocols = NULL;
	if (lh->dovecot_ctx)
		SSL_CTX_free(lh->dovecot_ctx);
	lh->dovecot_ctx = NULL;
	memset(&dc, 0, sizeof(dc));
	if (dovecot_conf_load(&dc, lh->host->dir, &e) < 0) {
		fprintf(stderr, "maillab listen: %s: %s\n", lh->host->name, e.text);
		dovecot_conf_free(&dc);
		return;
	}
	lh->protocols = xstrdup(dc.protocols ? dc.protocols : "");
	if (netsess_dovecot_tls(lh->host, &dc, &lh->dovecot_ctx, &e) < 0)
		fprintf(stderr, _("maillab listen: TLS disabled for %s: %s\n"),
			lh->host->name, e.text);
	dovecot_conf_free(&dc);
}

static int opt_is_yes(const struct mastercf_service *svc, const char *name)
{
	size_t i;

	for (i = 0; i < svc->nopts; i++)
		if (strcmp(svc->opts[i].name, name) == 0)
			return strcmp(svc->opts[i].value, "yes") == 0;
	return 0;
}

static void lsock_free(struct lsock *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0) {
		evloop_unwatch(s->owner->loop, s->fd);
		close(s->fd);
	}
	cidr_list_reset(&s->lim.exempt);
	free(s->service);
	free(s->local_addr);
	free(s);
}

static struct lsock *find_sock(struct listener *li, struct lhost *lh,
			       const char *service, const char *addr, int port)
{
	size_t i;

	for (i = 0; i < li->nsocks; i++) {
		struct lsock *s = li->socks[i];

		if (s->lh == lh && s->local_port == port &&
		    strcmp(s->service, service) == 0 &&
		    strcmp(s->local_addr, addr) == 0)
			return s;
	}
	return NULL;
}

static void announce(struct listener *li, const struct lsock *s)
{
	if (li->announce == NULL)
		return;
	if (strchr(s->local_addr, ':'))
		fprintf(li->announce, "listening: %s [%s]:%d (real port %d) for %s\n",
			s->service, s->local_addr, s->local_port, s->real_port,
			s->lh->host->name);
	else
		fprintf(li->announce, "listening: %s %s:%d (real port %d) for %s\n",
			s->service, s->local_addr, s->local_port, s->real_port,
			s->lh->host->name);
	fflush(li->announce);
}

/* One service to listen for: a master.cf inet smtpd line or a Dovecot
 * inet_listener. */
struct want {
	const char *service;		/* "smtp", "submission", "pop3s" */
	int real_port;
	int implicit_tls;
	int dovecot;
	const struct netsess_ops *ops;
};

/* Binds (or, on reload, keeps) one service socket. */
static int want_sock(struct listener *li, struct lhost *lh,
		     const struct want *w, const char *addr, struct err *e)
{
	int port = w->real_port + lh->offset;
	struct lsock *s = find_sock(li, lh, w->service, addr, port);
	int fd;

	if (s == NULL) {
		fd = bind_one(addr, port, e);
		if (fd < 0)
			return -1;
		s = xcalloc(1, sizeof(*s));
		s->fd = fd;
		s->lh = lh;
		s->service = xstrdup(w->service);
		s->ops = w->ops;
		s->dovecot = w->dovecot;
		s->real_port = w->real_port;
		s->local_addr = xstrdup(addr);
		s->local_port = port;
		s->owner = li;
		cidr_list_init(&s->lim.exempt);
		if (evloop_watch(li->loop, fd, EVLOOP_READ, on_accept, s) < 0) {
			err_set(e, errno, "epoll: %s", strerror(errno));
			lsock_free(s);
			return -1;
		}
		li->socks = xrealloc(li->socks, (li->nsocks + 1) * sizeof(*li->socks));
		li->socks[li->nsocks++] = s;
		announce(li, s);
	}
	/* reload: limits and the wrapper mode as the configuration says now */
	s->implicit_tls = w->implicit_tls && lsock_ctx(s) != NULL;
	cidr_list_reset(&s->lim.exempt);
	cidr_list_init(&s->lim.exempt);
	s->ops->limits(lh->host, s->service, &s->lim);
	s->keep = 1;
	return 0;
}

/* Is word in the space- or comma-separated list? */
static int list_has(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (p != NULL && *p) {
		size_t k;

		p += strspn(p, " ,\t");
		k = strcspn(p, " ,\t");
		if (k == n && strncmp(p, word, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

/* Every service of one host on one address; returns how many, or -1. */
static int bind_host_addr(struct listener *li, struct lhost *lh,
			  const char *addr, struct err *e)
{
	const struct mastercf *m = &lh->host->master;
	size_t i;
	int bound = 0;

	/* Postfix: the inet smtpd lines of master.cf, as master reads them */
	for (i = 0; i < m->nservices; i++) {
		const struct mastercf_service *svc = &m->services[i];
		struct want w;

		if (strcmp(svc->type, "inet") != 0 ||
		    strcmp(svc->command, "smtpd") != 0)
			continue;
		memset(&w, 0, sizeof(w));
		w.service = svc->service;
		w.real_port = listener_service_port(svc->service);
		if (w.real_port < 0)
			continue;
		w.implicit_tls = opt_is_yes(svc, "smtpd_tls_wrappermode");
		w.ops = &netsess_smtp_ops;
		if (want_sock(li, lh, &w, addr, e) < 0)
			return -1;
		bound++;
	}
	/* Dovecot: pop3-login's listeners when "pop3" is in protocols (pop3
	 * 110, pop3s 995 with ssl = yes), as Debian's 10-master.conf has them */
	if (list_has(lh->protocols, "pop3")) {
		struct want w = { "pop3", 110, 0, 1, &netsess_pop3_ops };

		if (want_sock(li, lh, &w, addr, e) < 0)
			return -1;
		bound++;
		if (lh->dovecot_ctx != NULL) {
			struct want ws = { "pop3s", 995, 1, 1, &netsess_pop3_ops };

			if (want_sock(li, lh, &ws, addr, e) < 0)
				return -1;
			bound++;
		}
	}
	/* imap-login's: imap 143 (STARTTLS), imaps 993 with ssl = yes */
	if (list_has(lh->protocols, "imap")) {
		struct want w = { "imap", 143, 0, 1, &netsess_imap_ops };

		if (want_sock(li, lh, &w, addr, e) < 0)
			return -1;
		bound++;
		if (lh->dovecot_ctx != NULL) {
			struct want ws = { "imaps", 993, 1, 1, &netsess_imap_ops };

			if (want_sock(li, lh, &ws, addr, e) < 0)
				return -1;
			bound++;
		}
	}
	return bound;
}

static int bind_host(struct listener *li, struct lhost *lh, int first,
		     struct err *e)
{
	int n = bind_host_addr(li, lh, lh->addr, e);

	if (n < 0)
		return -1;
	if (first && strcmp(lh->addr, "127.0.0.1") == 0) {
		struct err e6;

		/* A machine without IPv6 still serves IPv4. */
		if (bind_host_addr(li, lh, "::1", &e6) < 0 &&
		    e6.errnum != EADDRNOTAVAIL && e6.errnum != EAFNOSUPPORT) {
			*e = e6;
			return -1;
		}
	}
	return n;
}

/* Closes the sockets a reload no longer wants. */
static void drop_unwanted(struct listener *li)
{
	size_t i, j = 0;

	for (i = 0; i < li->nsocks; i++) {
		struct lsock *s = li->socks[i];

		if (s->keep)
			li->socks[j++] = s;
		else
			lsock_free(s);
	}
	li->nsocks = j;
}

static void master_log(struct listener *li, const char *fmt, const char *arg)
{
	size_t i;

	for (i = 0; i < li->nhosts; i++)
		host_log(li->hosts[i].host, clock_real_now() + li->conns.clock_offset,
			 "postfix/master", fmt, arg);
}

/* Dovecot's master on each host that runs a Dovecot protocol. */
static void dovecot_master_log(struct listener *li, const char *text)
{
	size_t i;

	for (i = 0; i < li->nhosts; i++)
		if (li->hosts[i].protocols != NULL && li->hosts[i].protocols[0] != '\0')
			netsess_dovecot_log(li->hosts[i].host,
					    clock_real_now() + li->conns.clock_offset, text);
}

/* "master: Dovecot v2.3.19.1 (9b53102964) starting up for imap, pop3
 * (core dumps disabled)": the protocols as configured, comma-joined. */
static void dovecot_started(struct listener *li)
{
	size_t i;

	for (i = 0; i < li->nhosts; i++) {
		const char *p = li->hosts[i].protocols;
		struct buf b;

		if (p == NULL || *p == '\0')
			continue;
		buf_init(&b);
		buf_adds(&b, "master: Dovecot v2.3.19.1 (9b53102964) starting up for ");
		while (*p) {
			size_t k;

			p += strspn(p, " ,\t");
			k = strcspn(p, " ,\t");
			if (k == 0)
				break;
			if (b.data[b.len - 1] != ' ')
				buf_adds(&b, ", ");
			buf_add(&b, p, k);
			p += k;
		}
		buf_adds(&b, " (core dumps disabled)");
		buf_addc(&b, '\0');
		netsess_dovecot_log(li->hosts[i].host,
				    clock_real_now() + li->conns.clock_offset, b.data);
		buf_reset(&b);
	}
}

/* SIGHUP: postfix reload. Sessions already open keep running. */
static void reload(struct listener *li)
{
	size_t i;

	for (i = 0; i < li->nsocks; i++)
		li->socks[i]->keep = 0;
	for (i = 0; i < li->nhosts; i++) {
		struct lhost *lh = &li->hosts[i];
		struct err e;

		(void)host_reload(lh->host, NULL);	/* it logs what is wrong */
		/* open connections hold their own reference to the old context */
		if (lh->ssl_ctx)
			SSL_CTX_free(lh->ssl_ctx);
		lh->ssl_ctx = host_tls(lh->host);
		host_dovecot(lh);
		if (bind_host(li, lh, i == 0, &e) < 0)
			host_log(lh->host, clock_real_now() + li->conns.clock_offset,
				 "postfix/master",
				 "warning: %s", e.text);
	}
	drop_unwanted(li);
	listener_qmgr_reload(li->qmgr);
	master_log(li, "%s", "reload -- " MASTER_VERSION);
}

static void on_signal(struct evloop *l, int fd, unsigned events, void *ctx)
{
	struct listener *li = ctx;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		/* From `postfix reload|stop`: Postfix's master only. */
		int postfix = si.ssi_code == SI_QUEUE &&
			si.ssi_int == LISTENER_PID_POSTFIX;

		if (si.ssi_signo == SIGHUP) {
			if (!postfix)
				dovecot_master_log(li, "master: Warning: SIGHUP received - reloading configuration");
			reload(li);
			continue;
		}
		{
			char num[16], text[128];

			snprintf(num, sizeof(num), "%u", si.ssi_signo);
			master_log(li, "terminating on signal %s", num);
			if (postfix)
				;	/* Dovecot's master is not told */
			else if (si.ssi_code == SI_USER) {
				snprintf(text, sizeof(text),
					 "master: Warning: Killed with signal %u (by pid=%u uid=%u code=kill)",
					 si.ssi_signo, si.ssi_pid, si.ssi_uid);
				dovecot_master_log(li, text);
			} else {
				snprintf(text, sizeof(text), "master: Warning: Killed with signal %u",
					 si.ssi_signo);
				dovecot_master_log(li, text);
			}
		}
		evloop_stop(l);
	}
}

static void listener_free(struct listener *li)
{
	size_t i;

	sync_stop_queue(li);
	conn_set_abort_all(&li->conns);
	sync_free_queue(li);
	for (i = 0; i < li->nsocks; i++)
		lsock_free(li->socks[i]);
	listener_qmgr_stop(&li->qmgr);
	sim_free(&li->sim);
	listen_trace_close(&li->trace);
	for (i = 0; i < li->nhosts; i++) {
		if (li->hosts[i].ssl_ctx)
			SSL_CTX_free(li->hosts[i].ssl_ctx);
		if (li->hosts[i].dovecot_ctx)
			SSL_CTX_free(li->hosts[i].dovecot_ctx);
		free(li->hosts[i].protocols);
		free(li->hosts[i].addr);
	}
	for (i = 0; i < NBUCKETS; i++)
		while (li->buckets[i]) {
			struct client_count *cc = li->buckets[i];

			li->buckets[i] = cc->next;
			free(cc->key);
			free(cc);
		}
	free(li->socks);
	free(li->hosts);
	if (li->sigfd >= 0)
		close(li->sigfd);
	if (li->spare_fd >= 0)
		close(li->spare_fd);
	evloop_free(&li->loop);
}

static int setup_signals(struct listener *li)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	li->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (li->sigfd < 0)
		return -1;
	return evloop_watch(li->loop, li->sigfd, EVLOOP_READ, on_signal, li);
}

/* The caller's hook on the loop (listener_opts.on_loop), once. */
static void loop_hook(struct listener *li, const struct listener_opts *o)
{
	if (o->on_loop != NULL)
		o->on_loop(li->loop, o->on_loop_ctx);
}

static size_t default_max_conns(void)
{
	struct rlimit rl;

	/* Each connection is one fd; keep some for files and listeners. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 256)
		return rl.rlim_cur == RLIM_INFINITY ? 1000000 : rl.rlim_cur - 128;
	return 64;
}

int listener_run(struct world *w, const struct listener_opts *o,
		 struct err *e)
{
	struct listener li;
	size_t i, n;
	int offset = o->real_ports ? 0 : o->port_offset;
	int pidfd;

	memset(&li, 0, sizeof(li));
	li.sigfd = -1;
	li.spare_fd = -1;
	li.world = w;
	li.announce = o->announce;
	pidfd = listener_pid_acquire(w->root, e);
	if (pidfd < 0)
		return -1;
	raise_nofile();
	li.max_conns = o->max_conns ? o->max_conns : default_max_conns();
	li.spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	li.loop = evloop_new();
	if (li.loop == NULL) {
		err_set(e, errno, "epoll: %s", strerror(errno));
		goto fail;
	}
	/* mail.log's and the configuration's stat()s: once per turn */
	evloop_on_wake(li.loop, wake_turn, NULL);
	/*
	 * The world run: a child process becomes the queue manager of every
	 * host whose lock it gets (qmgr_recover() puts what a killed run
	 * left in active/ back into incoming/). Then our own sim, which owns
	 * nothing, points every host's trace at --trace and gives the lab
	 * clock for the sessions.
	 */
	{
		struct sim_opts so;

		memset(&so, 0, sizeof(so));
		if (o->trace_path != NULL) {
			li.trace = listen_trace_open(o->trace_path, e);
			if (li.trace == NULL)
				goto fail;
			so.trace = listen_trace_sink(li.trace);
		}
		li.qmgr = listener_qmgr_start(w, li.trace ? &so.trace : NULL, e);
		if (li.qmgr == NULL)
			goto fail;
		li.sim = sim_open(w, &so, e);
		if (li.sim == NULL)
			goto fail;
	}
	li.conns.clock_offset = sim_now(li.sim) - clock_real_now();
	li.env.work = on_work;
	li.env.ctx = &li;
	li.conns.env = &li.env;
	sync_start_queue(&li);
	n = o->nhosts ? o->nhosts : w->nhosts;
	li.hosts = xcalloc(n, sizeof(*li.hosts));
	for (i = 0; i < n; i++) {
		const char *name = o->nhosts ? o->hosts[i] : w->hosts[i];
		struct host *h = world_host(w, name, e);
		struct lhost *lh = &li.hosts[i];

		if (h == NULL)
			goto fail;
		lh->host = h;
		lh->ssl_ctx = host_tls(h);
		host_dovecot(lh);
		li.nhosts++;
		if (o->addr) {
			/* One address for all: hosts differ by offset. */
			lh->addr = xstrdup(o->addr);
			lh->offset = offset + (int)i * 1000;
		} else {
			/* Loopback: each host its own 127.0.0.x; the first also ::1. */
			lh->addr = xasprintf("127.0.0.%zu", i + 1);
			lh->offset = offset;
		}
		if (bind_host(&li, lh, i == 0, e) < 0)
			goto fail;
	}
	if (li.nsocks == 0) {
		err_set(e, 0, _("no service to listen on (master.cf has no inet smtpd line, Dovecot no protocols)"));
		goto fail;
	}
	if (setup_signals(&li) < 0) {
		err_set(e, errno, "signalfd: %s", strerror(errno));
		goto fail;
	}
	if (o->after_bind)
		o->after_bind(o->after_bind_ctx);
	master_log(&li, "%s", "daemon started -- " MASTER_VERSION);
	dovecot_started(&li);
	evloop_timer(li.loop, CLOCK_POLL_MS, clock_tick, &li);
	if (li.announce) {
		fprintf(li.announce, _("maillab listen: ready (pid %ld); stop with Ctrl-C or "
				       "\"maillab postfix stop\", reload with \"maillab postfix reload\"\n"),
			(long)getpid());
		fflush(li.announce);
	}
	loop_hook(&li, o);
	evloop_run(li.loop);
	host_turn_stop();	/* no more turns: a stat() per use again */
	listener_free(&li);
	listener_pid_release(w->root, pidfd);
	return 0;
fail:
	listener_free(&li);
	listener_pid_release(w->root, pidfd);
	return -1;
}
