#include "net/conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "lib/xalloc.h"

enum conn_tls { CONN_TLS_NONE, CONN_TLS_HANDSHAKE, CONN_TLS_UP };

struct conn {
	struct evloop *loop;	/* borrowed */
	int fd;
	SSL *ssl;
	SSL_CTX *ssl_ctx;	/* borrowed from the listener */
	enum conn_tls tls;
	const struct netsess_ops *ops;
	void *sess;
	struct buf out;		/* taken from the session, not yet written */
	uint64_t delay_timer;	/* nonzero while the session waits */
	uint64_t idle_timer;
	long idle_ms;
	int closing;		/* close once out is written */
	int starttls_pending;	/* handshake once out is written */
	int implicit_tls;	/* 465/993/995: TLS before the greeting */
	struct conn_set *set;	/* borrowed from the listener */
	struct conn *prev, *next;
};

static void conn_io(struct evloop *l, int fd, unsigned events, void *ctx);
static int conn_pump(struct conn *c);

static void conn_destroy(struct conn *c)
{
	if (c->delay_timer)
		evloop_cancel(c->loop, c->delay_timer);
	if (c->idle_timer)
		evloop_cancel(c->loop, c->idle_timer);
	evloop_unwatch(c->loop, c->fd);
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	close(c->fd);
	if (c->sess)
		c->ops->close(&c->sess);
	buf_reset(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		c->set->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->set->count--;
	free(c);
}

static void conn_watch(struct conn *c)
{
	unsigned ev = EVLOOP_READ;

	if (c->out.len > 0)
		ev |= EVLOOP_WRITE;
	if (c->tls == CONN_TLS_HANDSHAKE && SSL_want_write(c->ssl))
		ev |= EVLOOP_WRITE;
	if (evloop_watch(c->loop, c->fd, ev, conn_io, c) < 0)
		c->closing = 1;
}

static void idle_expired(struct evloop *l, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	c->idle_timer = 0;
	/* XXX Postfix answers "421 4.4.2 host Error: timeout exceeded"; the
	 * session engines do not model timeouts yet, so the line just drops. */
	conn_destroy(c);
}

static void idle_rearm(struct conn *c)
{
	if (c->idle_ms <= 0)
		return;
	if (c->idle_timer)
		evloop_cancel(c->loop, c->idle_timer);
	c->idle_timer = evloop_timer(c->loop, c->idle_ms, idle_expired, c);
}

/* Writes what it can; -1 when the connection is broken. */
static int conn_flush(struct conn *c)
{
	while (c->out.len > 0) {
		ssize_t n;

		if (c->tls == CONN_TLS_UP) {
			int r = SSL_write(c->ssl, c->out.data, (int)c->out.len);

			if (r <= 0) {
				int err = SSL_get_error(c->ssl, r);

				if (err == SSL_ERROR_WANT_WRITE ||
				    err == SSL_ERROR_WANT_READ)
					return 0;
				return -1;
			}
			n = r;
		} else {
			n = write(c->fd, c->out.data, c->out.len);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR)
					return 0;
				return -1;
			}
		}
		buf_consume(&c->out, (size_t)n);
	}
	return 0;
}

static void conn_handshake(struct conn *c)
{
	int r = SSL_accept(c->ssl);

	if (r == 1) {
		c->tls = CONN_TLS_UP;
		if (!c->implicit_tls)
			c->ops->tls_started(c->sess, clock_real_now());
		conn_pump(c);
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		conn_watch(c);
		return;
	default:
		/* Plain text after "220 Ready to start TLS" ends here, as in
		 * reference/transcripts/smtp/06e-plaintext-after-starttls. */
		ERR_clear_error();
		c->ops->eof(c->sess, clock_real_now());
		conn_destroy(c);
	}
}

static void conn_begin_tls(struct conn *c)
{
	c->ssl = SSL_new(c->ssl_ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_destroy(c);
		return;
	}
	c->tls = CONN_TLS_HANDSHAKE;
	conn_handshake(c);
}

static void delay_done(struct evloop *l, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	c->delay_timer = 0;
	conn_pump(c);
}

/* Runs the session until it needs input, then writes what it said. */
static int conn_pump(struct conn *c)
{
	for (;;) {
		long delay = 0;
		enum netsess_act act;
		struct buf *o;

		if (c->delay_timer || c->closing || c->starttls_pending)
			break;
		act = c->ops->run(c->sess, clock_real_now(), &delay);
		o = c->ops->output(c->sess);
		buf_add(&c->out, o->data, o->len);
		buf_clear(o);
		if (act == NETSESS_DELAY) {
			c->delay_timer = evloop_timer(c->loop, delay, delay_done, c);
			break;
		}
		if (act == NETSESS_STARTTLS) {
			c->starttls_pending = 1;
			break;
		}
		if (act == NETSESS_CLOSE)
			c->closing = 1;
		break;
	}
	if (conn_flush(c) < 0) {
		conn_destroy(c);
		return -1;
	}
	if (c->out.len == 0) {
		if (c->closing) {
			conn_destroy(c);
			return -1;
		}
		if (c->starttls_pending) {
			c->starttls_pending = 0;
			conn_begin_tls(c);
			return -1;	/* the handshake owns c now */
		}
	}
	conn_watch(c);
	return 0;
}

/* Reads once; -1 when c is gone (closed or handed to a handshake). */
static int conn_read(struct conn *c)
{
	char buf[16384];
	ssize_t n;

	if (c->tls == CONN_TLS_UP) {
		int r = SSL_read(c->ssl, buf, (int)sizeof(buf));

		if (r <= 0) {
			int err = SSL_get_error(c->ssl, r);

			if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
				return 0;
			n = 0;
		} else {
			n = r;
		}
	} else {
		n = read(c->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
	}
	if (n <= 0) {
		/* The session logs the lost connection; nothing more is sent. */
		c->ops->eof(c->sess, clock_real_now());
		conn_destroy(c);
		return -1;
	}
	idle_rearm(c);
	c->ops->feed(c->sess, buf, (size_t)n, clock_real_now());
	return conn_pump(c);
}

static void conn_io(struct evloop *l, int fd, unsigned events, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	(void)fd;
	if (c->tls == CONN_TLS_HANDSHAKE) {
		conn_handshake(c);
		return;
	}
	if (events & EVLOOP_WRITE) {
		if (conn_flush(c) < 0) {
			conn_destroy(c);
			return;
		}
		if (c->out.len == 0 && (c->closing || c->starttls_pending)) {
			conn_pump(c);
			return;
		}
		conn_watch(c);
	}
	if (events & EVLOOP_READ) {
		/* TLS may hold decrypted bytes that epoll will not announce. */
		while (conn_read(c) == 0 && c->tls == CONN_TLS_UP &&
		       SSL_pending(c->ssl) > 0)
			;
	}
}

int conn_start(struct evloop *l, int fd, struct host *h, const char *service,
	       const struct netsess_ops *ops, const struct netsess_peer *peer,
	       SSL_CTX *ssl_ctx, long idle_timeout_ms, struct conn_set *set)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->loop = l;
	c->fd = fd;
	c->delay_timer = 0;
	c->ops = ops;
	c->ssl_ctx = ssl_ctx;
	c->idle_ms = idle_timeout_ms;
	buf_init(&c->out);
	c->sess = ops->open(h, service, peer, clock_real_now());
	if (c->sess == NULL) {
		close(fd);
		free(c);
		return -1;
	}
	c->set = set;
	c->next = set->head;
	if (set->head)
		set->head->prev = c;
	set->head = c;
	set->count++;
	idle_rearm(c);
	if (peer->tls && ssl_ctx != NULL) {
		/* Implicit TLS (465, 993, 995): the greeting waits for the
		 * handshake; the session was opened knowing TLS is on. */
		c->ssl = SSL_new(ssl_ctx);
		SSL_set_fd(c->ssl, fd);
		c->tls = CONN_TLS_HANDSHAKE;
		c->implicit_tls = 1;
		conn_watch(c);
		return 0;
	}
	conn_pump(c);
	return 0;
}

void conn_set_abort_all(struct conn_set *set)
{
	while (set->head) {
		struct conn *c = set->head;

		c->ops->eof(c->sess, clock_real_now());
		conn_destroy(c);
	}
}
