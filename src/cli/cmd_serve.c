/*
 * maillab serve --stdio smtp|pop3|imap [--host H] [--client-ip IP]: one
 * server session on stdin/stdout, inetd style (as master(8) hands smtpd
 * a connection, or Dovecot's inetd mode its login process): the
 * session's bytes go out unchanged (CRLF), input is fed one chunk per
 * read(2) as it arrives, so a client that pipelines is seen doing so.
 * The client is stdin's TCP peer when stdin is a socket, else
 * --client-ip, else socat's SOCAT_PEERADDR, else 127.0.0.1 (localhost);
 * Dovecot counts a loopback client as secured, so plaintext logins work
 * there as on the reference machine. Each run reads the host's
 * configuration afresh.
 *
 * TLS is real: STARTTLS (SMTP, IMAP) and STLS (POP3) are offered when the
 * host has TLS on (smtpd_tls_security_level, Dovecot's ssl), and the
 * handshake runs over the same two descriptors with the host's
 * certificate (Debian's snakeoil pair inside the host's directory, made
 * on first use, src/net/tls.c), as the listener does over its socket. A
 * client that does not start the handshake is dropped (smtp/06e). The
 * TLS context is made when the client first asks for TLS, not before
 * the greeting (it costs more than a warm IMAP session's work).
 *
 * Before it returns, serve brings the world up to date (sim.h): what
 * smtpd accepted is delivered at once, as Postfix's qmgr and local
 * would; a POP3 or IMAP session first lets what is due be delivered, so
 * the user sees the mail a real server would hold by now.
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
#include "lib/xalloc.h"
#include "mta/host.h"
#include "net/tls.h"
#include "sim/sim.h"
#include "sim/world.h"
#include "ui/explain.h"
#include "ui/server_session.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: maillab [--root DIR] serve --stdio smtp|pop3|imap [--host H] [--client-ip IP]\n"
		     "  Runs one SMTP, POP3 or IMAP server session of host H on stdin/stdout, as\n"
		     "  inetd or socat would start it:\n"
		     "    socat TCP-LISTEN:2525,reuseaddr,fork EXEC:'maillab serve --stdio smtp'\n"
		     "    socat TCP-LISTEN:1110,reuseaddr,fork EXEC:'maillab serve --stdio pop3'\n"));
}

static int is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

/* stdin's peer when stdin is a TCP socket (inetd, systemd Accept=yes). */
static int socket_peer(char *addr, size_t len, int *port_out)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	if (getpeername(0, (struct sockaddr *)&ss, &sl) < 0)
		return -1;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		*port_out = ntohs(in->sin_port);
		return inet_ntop(AF_INET, &in->sin_addr, addr, (socklen_t)len) ? 0 : -1;
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		*port_out = ntohs(in6->sin6_port);
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

/* Input waiting within ms milliseconds? (SSL may hold decrypted bytes.) */
static int input_ready(struct stdio_conn *c, int ms)
{
	struct pollfd pfd = { 0, POLLIN, 0 };

	if (c->ssl != NULL && SSL_pending(c->ssl) > 0)
		return 1;
	return poll(&pfd, 1, ms) != 0;	/* an error: let read() tell */
}

/*
 * The TLS library's complaint as Postfix's tls_print_errors() words it:
 * "error:0A00010B:SSL routines::wrong version number:FILE:LINE:".
 */
static char *tls_problem(void)
{
	const char *file = "", *data = NULL;
	int line = 0, flags = 0;
	unsigned long err = ERR_get_error_all(&file, &line, NULL, &data, &flags);
	char text[256], *out;

	if (err == 0)
		return NULL;
	ERR_error_string_n(err, text, sizeof(text));
	/* file and data point into the error queue: use them first */
	if (data != NULL && (flags & ERR_TXT_STRING))
		out = xasprintf("%s:%s:%d:%s:", text, file, line, data);
	else
		out = xasprintf("%s:%s:%d:", text, file, line);
	ERR_clear_error();
	return out;
}

/*
 * RFC 3207, RFC 2595: the handshake right after the server's yes. 0, or
 * -1 with *result_out ("-1" when the library failed, "lost connection"
 * when the client hung up; Postfix's words) and *problem_out (caller
 * frees; may be NULL).
 */
static int start_tls(struct stdio_conn *c, const char **result_out,
		     char **problem_out)
{
	*problem_out = NULL;
	c->ssl = SSL_new(c->ctx);
	if (c->ssl != NULL && SSL_set_rfd(c->ssl, 0) == 1 &&
	    SSL_set_wfd(c->ssl, 1) == 1 && SSL_accept(c->ssl) == 1)
		return 0;
	*problem_out = tls_problem();
	*result_out = *problem_out != NULL ? "-1" : "lost connection";
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	return -1;
}

/* The host's own path for a file name in its configuration. */
static char *host_file(struct host *h, const char *v)
{
	if (v == NULL || *v == '\0')
		return NULL;
	return host_path(h, v[0] == '/' ? v + 1 : v);
}

/*
 * The certificate and key when the host offers TLS for proto (both
 * readable, or both not made yet): 0 and *cert_out, *key_out (caller
 * frees), else -1. SMTP:
 * smtpd_tls_security_level and smtpd_tls_cert_file/key_file. POP3 and
 * IMAP: Debian's Dovecot links its ssl_cert/ssl_key to the same snakeoil
 * pair; whether STLS/STARTTLS is offered (Dovecot's ssl) is the
 * session's business.
 */
static int tls_files(struct host *h, enum explain_proto proto, char **cert_out,
		     char **key_out)
{
	const char *cert_name = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
	const char *key_name = "/etc/ssl/private/ssl-cert-snakeoil.key";
	char *cert, *key;

	if (proto == EXPLAIN_SMTP) {
		const char *level = conf_get(h->conf, "smtpd_tls_security_level");

		if (level == NULL || *level == '\0' || strcmp(level, "none") == 0)
			return -1;
		cert_name = conf_get(h->conf, "smtpd_tls_cert_file");
		key_name = conf_get(h->conf, "smtpd_tls_key_file");
	}
	cert = host_file(h, cert_name);
	key = host_file(h, key_name);
	/* both there, or both missing: tls_server_ctx() makes the pair */
	if (cert == NULL || key == NULL ||
	    (access(cert, F_OK) == 0) != (access(key, F_OK) == 0) ||
	    (access(cert, F_OK) == 0 && (access(cert, R_OK) != 0 || access(key, R_OK) != 0))) {
		free(cert);
		free(key);
		return -1;
	}
	*cert_out = cert;
	*key_out = key;
	return 0;
}

/*
 * The TLS context, made when the client first asks for TLS (STARTTLS,
 * STLS), not before the greeting: loading the key and certificate costs
 * more than a warm IMAP or POP3 session's whole work (docs/
 * performance.md, "Mailbox access"). NULL when it cannot be made.
 */
static SSL_CTX *host_tls(struct host *h, enum explain_proto proto)
{
	char *cert, *key;
	SSL_CTX *ctx;
	struct err e;

	if (tls_files(h, proto, &cert, &key) < 0)
		return NULL;
	ctx = tls_server_ctx(cert, key, h->name, &e);
	if (ctx == NULL)
		fprintf(stderr, _("maillab serve: TLS disabled for %s: %s\n"),
			h->name, e.text);
	free(cert);
	free(key);
	return ctx;
}

/* TLS is offered when its files are there (the context comes later). */
static int host_tls_possible(struct host *h, enum explain_proto proto)
{
	char *cert, *key;

	if (tls_files(h, proto, &cert, &key) < 0)
		return 0;
	free(cert);
	free(key);
	return 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int serve_session(struct host *h, enum explain_proto proto,
			 const char *client_ip)
{
	struct server_session_opts so;
	struct server_session *s;
	struct stdio_conn c = { NULL, NULL };
	char peer[INET6_ADDRSTRLEN] = "";
	const char *env;
	struct err e;
	int eof = 0, port = 0;

	memset(&so, 0, sizeof(so));
	so.proto = proto;
	if (socket_peer(peer, sizeof(peer), &port) == 0)
		so.client_addr = peer;
	else if (client_ip != NULL)
		so.client_addr = client_ip;
	else if ((env = getenv("SOCAT_PEERADDR")) != NULL && *env != '\0')
		so.client_addr = env;
	else
		so.client_addr = "127.0.0.1";
	if (port == 0 && (env = getenv("SOCAT_PEERPORT")) != NULL)
		port = atoi(env);
	so.client_port = port;
	so.client_name = is_loopback(so.client_addr) ? "localhost" : "unknown";
	so.tls_possible = host_tls_possible(h, proto);
	s = server_session_new(h, &so, clock_real_now(), &e);
	if (s == NULL) {
		fprintf(stderr, "maillab serve: %s\n", e.text);
		if (c.ctx != NULL)
			SSL_CTX_free(c.ctx);
		return 1;
	}
	if (proto == EXPLAIN_SMTP) {
		/*
		 * A client that wrote before the greeting (a printf piped in,
		 * reference smtp/05j): the engine sees it first, as Postfix
		 * does ("improper command pipelining after CONNECT").
		 */
		char chunk[4096];
		ssize_t n;

		if (input_ready(&c, 0) && (n = read(0, chunk, sizeof(chunk))) > 0)
			server_session_feed(s, chunk, (size_t)n, clock_real_now());
	}
	for (;;) {
		long delay = 0;
		enum server_session_act act = server_session_run(s, clock_real_now(), &delay);
		struct buf *out = server_session_output(s);

		if (out->len > 0) {
			if (write_all(&c, out->data, out->len) < 0 && !eof) {
				/* The client went away while we talked. */
				server_session_eof(s, clock_real_now());
				eof = 1;
			}
			buf_clear(out);
		}
		if (act == SERVER_SESSION_DELAY) {
			sleep_ms(delay);
			continue;
		}
		if (act == SERVER_SESSION_STARTTLS && !eof && so.tls_possible) {
			const char *result = "-1";
			char *problem = NULL;

			if (c.ctx == NULL)
				c.ctx = host_tls(h, proto);
			if (c.ctx != NULL && start_tls(&c, &result, &problem) == 0) {
				server_session_tls_started(s, clock_real_now());
				continue;
			}
			/* Plain text instead of a handshake, or gone: the
			 * server's TLS layer gives up (smtp/06e). */
			server_session_tls_failed(s, result, problem, clock_real_now());
			free(problem);
			eof = 1;
			continue;
		}
		if (act == SERVER_SESSION_CLOSE || act == SERVER_SESSION_STARTTLS)
			break;
		if (eof)
			break;	/* the session said all it had to say */
		/* IDLE: new mail is pushed once a second, as Dovecot checks. */
		if (server_session_idling(s) && !input_ready(&c, 1000)) {
			server_session_tick(s, clock_real_now());
			continue;
		}
		{
			char chunk[4096];
			ssize_t n = read_some(&c, chunk, sizeof(chunk));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				server_session_eof(s, clock_real_now());
				eof = 1;
				continue;
			}
			server_session_feed(s, chunk, (size_t)n, clock_real_now());
		}
	}
	server_session_free(&s);
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
	enum explain_proto p;
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
	if (explain_proto_from_name(proto, &p) < 0) {
		fprintf(stderr, _("maillab serve: the protocol is smtp, pop3 or imap\n"));
		return 2;
	}
	/* A client that vanishes must not kill us before the log is written. */
	signal(SIGPIPE, SIG_IGN);
	if (host == NULL || *host == '\0')
		host = getenv("MAILLAB_HOST");
	if (host != NULL && *host == '\0')
		host = NULL;
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
	/* Mail due by now is in the mailbox before a POP3/IMAP login. */
	if (p != EXPLAIN_SMTP && sim_up_to_date(w, &e) < 0)
		fprintf(stderr, "maillab serve: %s\n", e.text);
	rc = serve_session(h, p, client_ip);
	/* What smtpd accepted is delivered now, as qmgr and local would. */
	if (p == EXPLAIN_SMTP && sim_up_to_date(w, &e) < 0)
		fprintf(stderr, "maillab serve: %s\n", e.text);
	world_free(&w);
	return rc;
}
