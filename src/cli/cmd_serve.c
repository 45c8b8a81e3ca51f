/*
 * maillab serve --stdio smtp [--host H] [--client-ip IP]: one server
 * session on stdin/stdout, inetd style (as master(8) hands smtpd a
 * connection): the engine's bytes go out unchanged (CRLF), input is fed
 * one chunk per read(2) as it arrives, so a client that pipelines is seen
 * doing so. The client is stdin's TCP peer when stdin is a socket, else
 * --client-ip, else socat's SOCAT_PEERADDR, else 127.0.0.1 (localhost).
 * Each run reads the host's configuration afresh.
 *
 * STARTTLS is real: when smtpd_tls_security_level is not "none" the
 * host's certificate (smtpd_tls_cert_file/key_file inside the host's
 * directory, made like Debian's snakeoil pair on first use, src/net/tls.c)
 * is served over the same two descriptors, as the listener does over its
 * socket; a client that does not start the handshake is dropped (06e).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cli/cli.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/err.h"
#include "lib/i18n.h"
#include "mta/host.h"
#include "mta/smtp_server.h"
#include "net/tls.h"
#include "sim/world.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: maillab [--root DIR] serve --stdio smtp [--host H] [--client-ip IP]\n"
		     "  Runs one SMTP server session of host H on stdin/stdout, as inetd or\n"
		     "  socat would start it: socat TCP-LISTEN:2525,reuseaddr,fork EXEC:'maillab serve --stdio smtp'\n"));
}

static int is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

/* stdin's peer when stdin is a TCP socket (inetd, systemd Accept=yes). */
static int socket_peer(char *addr, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(0, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		return inet_ntop(AF_INET, &in->sin_addr, addr, (socklen_t)len) ? 0 : -1;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			return inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12],
					 addr, (socklen_t)len) ? 0 : -1;
		return inet_ntop(AF_INET6, &in6->sin6_addr, addr, (socklen_t)len) ? 0 : -1;
	}
	return -1;	/* a pipe or a UNIX socketpair (socat EXEC) */
}

/* stdin/stdout, plain or (after STARTTLS) through one SSL object. */
struct stdio_conn {
	SSL_CTX *ctx;		/* NULL: no TLS offered */
	SSL *ssl;
};

/* 0, or -1 when the client is gone. */
static int write_all(struct stdio_conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w;

		if (c->ssl != NULL) {
			int r = SSL_write(c->ssl, p, (int)n);

			if (r <= 0)
				return -1;
			w = r;
		} else {
			w = write(1, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* >0 bytes, 0 end of input, -1 error (EINTR: try again). */
static ssize_t read_some(struct stdio_conn *c, char *buf, size_t len)
{
	if (c->ssl != NULL) {
		int r = SSL_read(c->ssl, buf, (int)len);

		return r > 0 ? r : 0;
	}
	return read(0, buf, len);
}

/* RFC 3207: the handshake right after "220 Ready to start TLS". */
static int start_tls(struct stdio_conn *c)
{
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || SSL_set_rfd(c->ssl, 0) != 1 ||
	    SSL_set_wfd(c->ssl, 1) != 1 || SSL_accept(c->ssl) != 1) {
		ERR_clear_error();
		if (c->ssl != NULL)
			SSL_free(c->ssl);
		c->ssl = NULL;
		return -1;
	}
	return 0;
}

/* The host's own path for a main.cf file name ("/etc/ssl/x.pem"). */
static char *host_file(struct host *h, const char *param)
{
	const char *v = conf_get(h->conf, param);

	if (v == NULL || *v == '\0')
		return NULL;
	return host_path(h, v[0] == '/' ? v + 1 : v);
}

/* A TLS context when the host offers STARTTLS, else NULL. */
static SSL_CTX *host_tls(struct host *h)
{
	const char *level = conf_get(h->conf, "smtpd_tls_security_level");
	char *cert, *key;
	SSL_CTX *ctx = NULL;
	struct err e;

	if (level == NULL || *level == '\0' || strcmp(level, "none") == 0)
		return NULL;
	cert = host_file(h, "smtpd_tls_cert_file");
	key = host_file(h, "smtpd_tls_key_file");
	if (cert != NULL && key != NULL) {
		ctx = tls_server_ctx(cert, key, h->name, &e);
		if (ctx == NULL)
			fprintf(stderr, _("maillab serve: TLS disabled for %s: %s\n"),
				h->name, e.text);
	}
	free(cert);
	free(key);
	return ctx;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int serve_smtp(struct host *h, const char *client_ip)
{
	struct smtp_server_opts so;
	struct smtp_server *s;
	struct stdio_conn c = { host_tls(h), NULL };
	char peer[INET6_ADDRSTRLEN] = "";
	const char *env;
	int eof = 0;

	memset(&so, 0, sizeof(so));
	if (socket_peer(peer, sizeof(peer)) == 0)
		so.client_addr = peer;
	else if (client_ip != NULL)
		so.client_addr = client_ip;
	else if ((env = getenv("SOCAT_PEERADDR")) != NULL && *env != '\0')
		so.client_addr = env;
	else
		so.client_addr = "127.0.0.1";
	so.client_name = is_loopback(so.client_addr) ? "localhost" : "unknown";
	so.service = "smtp";
	so.tls_possible = c.ctx != NULL;
	s = smtp_server_new(h, &so, clock_real_now());
	{
		/*
		 * A client that wrote before the greeting (a printf piped in,
		 * reference smtp/05j): the engine sees it first, as Postfix
		 * does ("improper command pipelining after CONNECT").
		 */
		struct pollfd pfd = { 0, POLLIN, 0 };
		char chunk[4096];
		ssize_t n;

		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) &&
		    (n = read(0, chunk, sizeof(chunk))) > 0)
			smtp_server_feed(s, chunk, (size_t)n, clock_real_now());
	}
	for (;;) {
		long delay = 0;
		enum smtp_server_act act = smtp_server_run(s, clock_real_now(), &delay);
		struct buf *out = smtp_server_output(s);

		if (out->len > 0) {
			if (write_all(&c, out->data, out->len) < 0 && !eof) {
				/* The client went away while we talked. */
				smtp_server_eof(s, clock_real_now());
				eof = 1;
			}
			buf_clear(out);
		}
		if (act == SMTP_SERVER_DELAY) {
			sleep_ms(delay);
			continue;
		}
		if (act == SMTP_SERVER_STARTTLS && !eof && c.ctx != NULL) {
			if (start_tls(&c) == 0) {
				smtp_server_tls_started(s, clock_real_now());
				continue;
			}
			/* Plain text instead of a handshake: Postfix's TLS
			 * layer gives up and the session ends (smtp/06e). */
			smtp_server_eof(s, clock_real_now());
			eof = 1;
			continue;
		}
		if (act == SMTP_SERVER_CLOSE || act == SMTP_SERVER_STARTTLS)
			break;
		if (eof)
			break;	/* the engine said all it had to say */
		{
			char chunk[4096];
			ssize_t n = read_some(&c, chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				smtp_server_eof(s, clock_real_now());
				eof = 1;
				continue;
			}
			smtp_server_feed(s, chunk, (size_t)n, clock_real_now());
		}
	}
	smtp_server_free(&s);
	if (c.ssl != NULL) {
		SSL_shutdown(c.ssl);
		SSL_free(c.ssl);
	}
	if (c.ctx != NULL)
		SSL_CTX_free(c.ctx);
	return 0;
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	const char *host = NULL, *client_ip = NULL, *proto = NULL;
	struct err e = { "", 0 };
	struct world *w;
	struct host *h;
	char *root;
	int i, stdio = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stdio") == 0) {
			stdio = 1;
		} else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
			host = argv[++i];
		} else if (strncmp(argv[i], "--host=", 7) == 0) {
			host = argv[i] + 7;
		} else if (strcmp(argv[i], "--client-ip") == 0 && i + 1 < argc) {
			client_ip = argv[++i];
		} else if (strncmp(argv[i], "--client-ip=", 12) == 0) {
			client_ip = argv[i] + 12;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, _("maillab serve: unknown option: %s\n"), argv[i]);
			usage(stderr);
			return 2;
		} else if (proto == NULL) {
			proto = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!stdio || proto == NULL) {
		usage(stderr);
		return 2;
	}
	if (strcmp(proto, "smtp") != 0) {
		if (strcmp(proto, "pop3") == 0 || strcmp(proto, "imap") == 0) {
			fprintf(stderr, _("maillab serve: %s is not available in this version yet\n"), proto);
			return 1;
		}
		fprintf(stderr, _("maillab serve: the protocol is smtp, pop3 or imap\n"));
		return 2;
	}
	/* A client that vanishes must not kill us before the log is written. */
	signal(SIGPIPE, SIG_IGN);
	root = world_root_path(cli->root_opt);
	w = world_open(root, &e);
	free(root);
	if (w == NULL) {
		fprintf(stderr, "maillab serve: %s\n", e.text);
		return 1;
	}
	h = world_host(w, host, &e);
	if (h == NULL) {
		fprintf(stderr, "maillab serve: %s\n", e.text);
		world_free(&w);
		return 1;
	}
	rc = serve_smtp(h, client_ip);
	world_free(&w);
	return rc;
}
