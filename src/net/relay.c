#include "net/relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lib/buf.h"
#include "net/netaddr.h"
#include "net/tls.h"
#include "smtp/smtpc.h"

struct rconn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	long io_ms;
	const struct relay_opts *o;
};

static void trace(const struct rconn *r, enum trace_dir dir, const char *text)
{
	struct trace_event ev;

	if (r->o->trace == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time = clock_real_now();
	ev.host = r->o->client;
	ev.process = "postfix/smtp";
	ev.peer = r->o->peer;
	ev.protocol = "smtp";
	ev.direction = dir;
	ev.text = text;
	trace_emit(r->o->trace, &ev);
}

/* Waits for fd to be ready; 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, long ms)
{
	struct pollfd pf = { fd, events, 0 };
	int n;

	do
		n = poll(&pf, 1, (int)ms);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Postfix's words for a failed connect (errno's text, as smtp_connect.c). */
static int connect_to(const char *addr, int port, long ms, char *why, size_t wl)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = 0, one = 1;

	if (netaddr_make(addr, port, &ss, &len) != 0)
		goto bad;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, wl, "%s", strerror(errno));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		if (errno != EINPROGRESS) {
			err = errno;
		} else if (wait_fd(fd, POLLOUT, ms) <= 0) {
			err = ETIMEDOUT;
		} else {
			socklen_t el = sizeof(err);

			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
				err = errno;
		}
	}
	if (err != 0) {
		/* "Connection refused", "Connection timed out", ... */
		snprintf(why, wl, "%s", strerror(err));
		close(fd);
		return -1;
	}
	return fd;
bad:
	snprintf(why, wl, "%s", "Invalid argument");
	return -1;
}

/* Writes all of b; -1 on error or timeout. */
static int send_all(struct rconn *r, struct buf *b)
{
	while (b->len > 0) {
		ssize_t n;

		if (r->ssl != NULL) {
			int k = SSL_write(r->ssl, b->data, (int)b->len);

			if (k <= 0) {
				int e = SSL_get_error(r->ssl, k);

				if ((e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) &&
				    wait_fd(r->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
					    r->io_ms) > 0)
					continue;
				return -1;
			}
			n = k;
		} else {
			n = write(r->fd, b->data, b->len);
			if (n < 0) {
				if ((errno == EAGAIN || errno == EINTR) &&
				    wait_fd(r->fd, POLLOUT, r->io_ms) > 0)
					continue;
				return -1;
			}
		}
		buf_consume(b, (size_t)n);
	}
	return 0;
}

/* Reads once; bytes read, 0 at EOF, -1 on error or timeout. */
static ssize_t recv_some(struct rconn *r, char *p, size_t n)
{
	for (;;) {
		ssize_t k;

		if (r->ssl != NULL) {
			int s = SSL_read(r->ssl, p, (int)n);

			if (s > 0)
				return s;
			switch (SSL_get_error(r->ssl, s)) {
			case SSL_ERROR_ZERO_RETURN:
				return 0;
			case SSL_ERROR_WANT_READ:
				if (wait_fd(r->fd, POLLIN, r->io_ms) > 0)
					continue;
				return -1;
			case SSL_ERROR_WANT_WRITE:
				if (wait_fd(r->fd, POLLOUT, r->io_ms) > 0)
					continue;
				return -1;
			default:
				return -1;
			}
		}
		k = read(r->fd, p, n);
		if (k >= 0)
			return k;
		if ((errno == EAGAIN || errno == EINTR) && wait_fd(r->fd, POLLIN, r->io_ms) > 0)
			continue;
		return -1;
	}
}

static int start_tls(struct rconn *r)
{
	struct err e;

	r->ctx = tls_client_ctx(&e);
	if (r->ctx == NULL)
		return -1;
	r->ssl = SSL_new(r->ctx);
	if (r->ssl == NULL || SSL_set_fd(r->ssl, r->fd) != 1)
		return -1;
	for (;;) {
		int k = SSL_connect(r->ssl);
		int err;

		if (k == 1)
			return 0;
		err = SSL_get_error(r->ssl, k);
		if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) &&
		    wait_fd(r->fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
			    r->io_ms) > 0)
			continue;
		return -1;
	}
}

int relay_session(const char *addr, int port, struct smtpc *c,
		  const struct relay_opts *o, char *why_out, size_t why_len)
{
	struct rconn r;
	char in[8192];
	int lost = 0;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.io_ms = o->io_timeout_ms > 0 ? o->io_timeout_ms : 300000;
	r.fd = connect_to(addr, port, o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 30000,
			  why_out, why_len);
	if (r.fd < 0)
		return -1;
	while (!smtpc_closed(c)) {
		struct smtpc_event ev;
		int tls = 0;
		ssize_t n;

		while (smtpc_next(c, &ev, clock_real_now()) == 1) {
			if (ev.type == SMTPC_EV_SEND)
				trace(&r, TRACE_DIR_OUT, ev.text);
			else if (ev.type == SMTPC_EV_REPLY)
				trace(&r, TRACE_DIR_IN, ev.text);
			else if (ev.type == SMTPC_EV_STARTTLS)
				tls = 1;
		}
		if (send_all(&r, smtpc_output(c)) < 0) {
			lost = 1;
			break;
		}
		if (tls) {
			if (start_tls(&r) < 0) {
				ERR_clear_error();
				lost = 1;
				break;
			}
			smtpc_tls_started(c, clock_real_now());
			continue;
		}
		if (smtpc_closed(c))
			break;
		n = recv_some(&r, in, sizeof(in));
		if (n <= 0) {
			lost = 1;
			break;
		}
		smtpc_feed(c, in, (size_t)n, clock_real_now());
	}
	if (lost) {
		struct smtpc_event ev;

		/* the engine records "lost connection ... while ..." */
		smtpc_eof(c, clock_real_now());
		while (smtpc_next(c, &ev, clock_real_now()) == 1)
			if (ev.type == SMTPC_EV_REPLY)
				trace(&r, TRACE_DIR_IN, ev.text);
	}
	if (r.ssl != NULL) {
		if (!lost)
			SSL_shutdown(r.ssl);
		SSL_free(r.ssl);
	}
	if (r.ctx != NULL)
		SSL_CTX_free(r.ctx);
	ERR_clear_error();
	close(r.fd);
	return 0;
}
