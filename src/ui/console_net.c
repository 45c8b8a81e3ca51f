/*
 * console_net: the console against a real SMTP, POP3 or IMAP server over
 * TCP. Blocking sockets with poll() for timeouts are enough for one
 * person typing. When an answer is complete is the console's business
 * (console_frame.c: SMTP's last reply line, POP3's status line or ".",
 * IMAP's tagged line or "+"); this peer reads until the console has seen
 * as many as the line asked for, then whatever else comes at once.
 */
#include "ui/console_net.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

struct net_peer {
	struct console_peer base;	/* first */
	int fd;
	char *host;
	int timeout_ms;
	SSL_CTX *ctx;
	SSL *ssl;
};

static int net_write(struct net_peer *p, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n;

		if (p->ssl != NULL) {
			int w = SSL_write(p->ssl, buf, (int)len);

			if (w <= 0)
				return -1;
			n = w;
		} else {
			n = write(p->fd, buf, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads what is there within timeout_ms: >0 bytes, 0 timeout, -1 closed. */
static ssize_t net_read(struct net_peer *p, char *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { p->fd, POLLIN, 0 };
	int r;

	if (p->ssl == NULL || SSL_pending(p->ssl) == 0) {
		do
			r = poll(&pfd, 1, timeout_ms);
		while (r < 0 && errno == EINTR);
		if (r == 0)
			return 0;
		if (r < 0)
			return -1;
	}
	if (p->ssl != NULL) {
		int n = SSL_read(p->ssl, buf, (int)len);

		if (n > 0)
			return n;
		if (SSL_get_error(p->ssl, n) == SSL_ERROR_WANT_READ)
			return 0;
		return -1;
	} else {
		ssize_t n;

		do
			n = read(p->fd, buf, len);
		while (n < 0 && errno == EINTR);
		return n > 0 ? n : -1;
	}
}

static void ssl_error_text(char *buf, size_t len)
{
	unsigned long code = ERR_get_error();

	if (code == 0)
		snprintf(buf, len, "%s", _("the server closed the connection"));
	else
		ERR_error_string_n(code, buf, len);
	ERR_clear_error();
}

/* RFC 3207, RFC 2595, RFC 3501 6.2.1: after the server's yes to
 * STARTTLS / STLS the handshake starts at once. */
static int start_tls(struct net_peer *p, struct console *c)
{
	char text[512];
	X509 *cert;

	p->ctx = SSL_CTX_new(TLS_client_method());
	if (p->ctx == NULL)
		goto fail;
	/* A lab tool: show the certificate, do not judge it. */
	SSL_CTX_set_verify(p->ctx, SSL_VERIFY_NONE, NULL);
	p->ssl = SSL_new(p->ctx);
	if (p->ssl == NULL)
		goto fail;
	SSL_set_fd(p->ssl, p->fd);
	SSL_set_tlsext_host_name(p->ssl, p->host);
	if (SSL_connect(p->ssl) != 1)
		goto fail;
	snprintf(text, sizeof(text), "TLS established (%s, %s)",
		 SSL_get_version(p->ssl), SSL_get_cipher_name(p->ssl));
	console_server_event(c, text);
	cert = SSL_get1_peer_certificate(p->ssl);
	if (cert != NULL) {
		char subject[256], *note;

		X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
		note = xasprintf(_("Server certificate: %s (not verified: this console only shows it)."),
				 subject);
		console_note(c, note);
		free(note);
		X509_free(cert);
	}
	return 0;
fail:
	ssl_error_text(text, sizeof(text));
	{
		char *ev = xasprintf(_("TLS handshake failed: %s"), text);

		console_server_event(c, ev);
		free(ev);
	}
	console_server_closed(c);
	return -1;
}

static int net_send(struct console_peer *base, struct console *c,
		    const void *buf, size_t len, int expect)
{
	struct net_peer *p = (struct net_peer *)base;
	unsigned long start = console_replies_seen(c);
	char chunk[4096];
	int waited_note = 0;

	if (console_closed(c))
		return -1;
	if (len > 0) {
		if (net_write(p, buf, len) < 0) {
			console_server_closed(c);
			return -1;
		}
	}
	while (console_replies_seen(c) - start < (unsigned long)expect) {
		ssize_t n = net_read(p, chunk, sizeof(chunk), p->timeout_ms);

		if (n < 0) {
			console_server_closed(c);
			return -1;
		}
		if (n == 0) {
			if (!waited_note) {
				console_note(c, _("No complete reply yet; the server may be waiting for more input."));
				waited_note = 1;
			}
			break;
		}
		console_server_bytes(c, chunk, (size_t)n);
	}
	/*
	 * Whatever else is already there (a pipelining server, a 421). After
	 * 221 or 421 (RFC 5321 4.2.2: "closing transmission channel"), IMAP's
	 * BYE or the answer to POP3's QUIT, the close itself is part of the
	 * answer: wait for it.
	 */
	for (;;) {
		int closing = console_closing(c);
		ssize_t n;

		n = net_read(p, chunk, sizeof(chunk),
			     closing ? p->timeout_ms : expect ? 50 : 0);

		if (n < 0) {
			console_server_closed(c);
			return -1;
		}
		if (n == 0)
			break;
		console_server_bytes(c, chunk, (size_t)n);
	}
	/* The server agreed: the handshake must follow now. */
	if (console_take_tls(c) && p->ssl == NULL)
		return start_tls(p, c);
	return 0;
}

/* What the server says while the learner types (IMAP IDLE, a goodbye). */
static int net_poll(struct console_peer *base, struct console *c)
{
	struct net_peer *p = (struct net_peer *)base;
	char chunk[4096];

	if (console_closed(c))
		return -1;
	for (;;) {
		ssize_t n = net_read(p, chunk, sizeof(chunk), 0);

		if (n < 0) {
			console_server_closed(c);
			return -1;
		}
		if (n == 0)
			return 0;
		console_server_bytes(c, chunk, (size_t)n);
	}
}

static void net_leave(struct console_peer *base, struct console *c)
{
	struct net_peer *p = (struct net_peer *)base;

	(void)c;
	if (p->ssl != NULL)
		SSL_shutdown(p->ssl);
	shutdown(p->fd, SHUT_WR);
}

static void net_free(struct console_peer *base)
{
	struct net_peer *p = (struct net_peer *)base;

	if (p->ssl != NULL)
		SSL_free(p->ssl);
	if (p->ctx != NULL)
		SSL_CTX_free(p->ctx);
	if (p->fd >= 0)
		close(p->fd);
	free(p->host);
	free(p);
}

/* "host:port", "[v6]:port", "host" -> host and port (default dport). */
static int split_hostport(const char *hp, const char *dport, char **host,
			  char **port)
{
	const char *colon;

	if (hp[0] == '[') {
		const char *end = strchr(hp, ']');

		if (end == NULL || (end[1] != '\0' && end[1] != ':'))
			return -1;
		*host = xstrndup(hp + 1, (size_t)(end - hp - 1));
		*port = xstrdup(end[1] == ':' ? end + 2 : dport);
		return 0;
	}
	colon = strrchr(hp, ':');
	if (colon != NULL && strchr(hp, ':') != colon)
		colon = NULL;	/* a bare IPv6 address */
	if (colon != NULL) {
		*host = xstrndup(hp, (size_t)(colon - hp));
		*port = xstrdup(colon + 1);
	} else {
		*host = xstrdup(hp);
		*port = xstrdup(dport);
	}
	return **host == '\0' || **port == '\0' ? -1 : 0;
}

struct console_peer *console_net_new(const char *hostport,
				     const char *default_port, int timeout_ms,
				     struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct net_peer *p;
	char *host = NULL, *port = NULL;
	int fd = -1, rc, en = 0;

	if (split_hostport(hostport, default_port ? default_port : "25",
			   &host, &port) < 0) {
		err_set(e, 0, _("%s: give the server as HOST:PORT"), hostport);
		free(host);
		free(port);
		return NULL;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		err_set(e, 0, _("%s: %s"), hostport, gai_strerror(rc));
		free(host);
		free(port);
		return NULL;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			en = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		en = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		err_set(e, en, _("%s: cannot connect: %s"), hostport, strerror(en));
		free(host);
		free(port);
		return NULL;
	}
	free(port);
	p = xcalloc(1, sizeof(*p));
	p->base.send = net_send;
	p->base.leave = net_leave;
	p->base.free = net_free;
	p->base.poll = net_poll;
	p->fd = fd;
	p->host = host;
	p->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
	return &p->base;
}
