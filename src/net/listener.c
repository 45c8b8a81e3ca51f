#include "net/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "net/conn.h"
#include "net/evloop.h"
#include "net/netsess.h"
#include "net/tls.h"
#include "sim/world.h"

/* One listening socket. */
struct lsock {
	int fd;
	struct host *host;		/* borrowed from the world */
	char *service;			/* master.cf service name */
	const struct netsess_ops *ops;
	int implicit_tls;
	SSL_CTX *ssl_ctx;		/* borrowed from struct lhost */
	long idle_ms;
	char *local_addr;
	int local_port;
	struct listener *owner;
};

struct lhost {
	struct host *host;
	SSL_CTX *ssl_ctx;		/* NULL when TLS is not configured */
};

struct listener {
	struct evloop *loop;
	struct world *world;
	struct lsock *socks;
	size_t nsocks;
	struct lhost *hosts;
	size_t nhosts;
	struct conn_set conns;
	size_t max_conns;
	int sigfd;
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

	memset(&ss, 0, sizeof(ss));
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return err_set(e, 0, _("not an IP address: %s"), addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return err_set(e, 0, _("not an IP address: %s"), addr);
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(e, errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0) {
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

static void on_accept(struct evloop *l, int fd, unsigned events, void *ctx)
{
	struct lsock *s = ctx;

	(void)events;
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct netsess_peer peer;
		char addr[INET6_ADDRSTRLEN];
		int cfd = accept4(fd, (struct sockaddr *)&ss, &len,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			return;	/* EAGAIN, or out of fds: try at the next wakeup */
		if (s->owner->conns.count >= s->owner->max_conns) {
			/* XXX Postfix's master queues such clients; we refuse. */
			close(cfd);
			continue;
		}
		memset(&peer, 0, sizeof(peer));
		peer_strings(&ss, addr, sizeof(addr), &peer.port);
		peer.addr = addr;
		peer.name = peer_name(addr);
		peer.local_addr = s->local_addr;
		peer.local_port = s->local_port;
		peer.tls = s->implicit_tls;
		peer.tls_possible = s->ssl_ctx != NULL;
		conn_start(l, cfd, s->host, s->service, s->ops, &peer,
			   s->ssl_ctx, s->idle_ms, &s->owner->conns);
	}
}

static void on_signal(struct evloop *l, int fd, unsigned events, void *ctx)
{
	struct listener *li = ctx;
	struct signalfd_siginfo si;
	size_t i;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct err e;

			for (i = 0; i < li->nhosts; i++)
				if (host_reload(li->hosts[i].host, &e) < 0)
					fprintf(stderr, "maillab listen: %s\n", e.text);
			continue;
		}
		evloop_stop(l);
	}
}

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

static int opt_is_yes(const struct mastercf_service *svc, const char *name)
{
	size_t i;

	for (i = 0; i < svc->nopts; i++)
		if (strcmp(svc->opts[i].name, name) == 0)
			return strcmp(svc->opts[i].value, "yes") == 0;
	return 0;
}

static int add_sock(struct listener *li, struct lhost *lh, const char *svcname,
		    const char *addr, int real_port, int port, int implicit,
		    const struct netsess_ops *ops, FILE *announce, struct err *e)
{
	struct lsock *s;
	int fd = bind_one(addr, port, e);

	if (fd < 0)
		return -1;
	li->socks = xrealloc(li->socks, (li->nsocks + 1) * sizeof(*li->socks));
	s = &li->socks[li->nsocks++];
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->host = lh->host;
	s->service = xstrdup(svcname);
	s->ops = ops;
	s->implicit_tls = implicit && lh->ssl_ctx != NULL;
	s->ssl_ctx = lh->ssl_ctx;
	s->idle_ms = conf_get_time(lh->host->conf, "smtpd_timeout", 's') * 1000;
	s->local_addr = xstrdup(addr);
	s->local_port = port;
	s->owner = li;
	if (announce) {
		if (strchr(addr, ':'))
			fprintf(announce, "listening: %s [%s]:%d (real port %d) for %s\n",
				svcname, addr, port, real_port, lh->host->name);
		else
			fprintf(announce, "listening: %s %s:%d (real port %d) for %s\n",
				svcname, addr, port, real_port, lh->host->name);
		fflush(announce);
	}
	return 0;
}

/* Binds the SMTP services of one host's master.cf on one address. */
static int bind_host(struct listener *li, struct lhost *lh, const char *addr,
		     int offset, FILE *announce, struct err *e)
{
	const struct mastercf *m = &lh->host->master;
	size_t i;
	int bound = 0;

	for (i = 0; i < m->nservices; i++) {
		const struct mastercf_service *svc = &m->services[i];
		int port;

		if (strcmp(svc->type, "inet") != 0 ||
		    strcmp(svc->command, "smtpd") != 0)
			continue;
		port = listener_service_port(svc->service);
		if (port < 0)
			continue;
		if (add_sock(li, lh, svc->service, addr, port, port + offset,
			     opt_is_yes(svc, "smtpd_tls_wrappermode"),
			     &netsess_smtp_ops, announce, e) < 0)
			return -1;
		bound++;
	}
	return bound;
}

static void listener_free(struct listener *li)
{
	size_t i;

	conn_set_abort_all(&li->conns);
	for (i = 0; i < li->nsocks; i++) {
		close(li->socks[i].fd);
		free(li->socks[i].service);
		free(li->socks[i].local_addr);
	}
	for (i = 0; i < li->nhosts; i++)
		if (li->hosts[i].ssl_ctx)
			SSL_CTX_free(li->hosts[i].ssl_ctx);
	free(li->socks);
	free(li->hosts);
	if (li->sigfd >= 0)
		close(li->sigfd);
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

int listener_run(struct world *w, const struct listener_opts *o,
		 struct err *e)
{
	struct listener li;
	size_t i, n;
	int offset = o->real_ports ? 0 : o->port_offset;
	struct rlimit rl;

	memset(&li, 0, sizeof(li));
	li.sigfd = -1;
	li.world = w;
	raise_nofile();
	li.max_conns = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 64
		? rl.rlim_cur - 32 : 32;
	li.loop = evloop_new();
	if (li.loop == NULL)
		return err_set(e, errno, "epoll: %s", strerror(errno));
	n = o->nhosts ? o->nhosts : w->nhosts;
	li.hosts = xcalloc(n, sizeof(*li.hosts));
	for (i = 0; i < n; i++) {
		const char *name = o->nhosts ? o->hosts[i] : w->hosts[i];
		struct host *h = world_host(w, name, e);
		char v4[32];

		if (h == NULL)
			goto fail;
		li.hosts[i].host = h;
		li.hosts[i].ssl_ctx = host_tls(h);
		li.nhosts++;
		if (o->addr) {
			/* One address for all: hosts differ by offset. */
			if (bind_host(&li, &li.hosts[i], o->addr,
				      offset + (int)i * 1000, o->announce, e) < 0)
				goto fail;
			continue;
		}
		/* Loopback: each host its own 127.0.0.x; the first also ::1. */
		snprintf(v4, sizeof(v4), "127.0.0.%zu", i + 1);
		if (bind_host(&li, &li.hosts[i], v4, offset, o->announce, e) < 0)
			goto fail;
		if (i == 0 && bind_host(&li, &li.hosts[i], "::1", offset,
					o->announce, e) < 0) {
			/* A machine without IPv6 still serves IPv4. */
			if (e->errnum != EADDRNOTAVAIL && e->errnum != EAFNOSUPPORT)
				goto fail;
		}
	}
	if (li.nsocks == 0) {
		err_set(e, 0, _("no service to listen on (master.cf has no inet smtpd line)"));
		goto fail;
	}
	for (i = 0; i < li.nsocks; i++)
		if (evloop_watch(li.loop, li.socks[i].fd, EVLOOP_READ, on_accept,
				 &li.socks[i]) < 0) {
			err_set(e, errno, "epoll: %s", strerror(errno));
			goto fail;
		}
	if (setup_signals(&li) < 0) {
		err_set(e, errno, "signalfd: %s", strerror(errno));
		goto fail;
	}
	if (o->after_bind)
		o->after_bind(o->after_bind_ctx);
	evloop_run(li.loop);
	listener_free(&li);
	return 0;
fail:
	listener_free(&li);
	return -1;
}
