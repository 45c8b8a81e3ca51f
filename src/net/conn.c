#include "net/conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <openssl/err.h>

#include "lib/xalloc.h"

enum conn_tls { CONN_TLS_NONE, CONN_TLS_HANDSHAKE, CONN_TLS_UP };

struct conn {
	struct evloop *loop;	/* borrowed */
	int fd;
	SSL *ssl;
	SSL_CTX *ssl_ctx;	/* our reference */
	enum conn_tls tls;
	const struct netsess_ops *ops;
	void *sess;
	struct buf out;		/* taken from the session, not yet written */
	uint64_t delay_timer;	/* nonzero while the session waits */
	uint64_t idle_timer;
	uint64_t tick_timer;	/* the session's periodic tick (IMAP IDLE) */
	long idle_ms;
	unsigned watched;	/* events asked of the loop, ~0u: none yet */
	int closing;		/* close once out is written */
	int starttls_pending;	/* handshake once out is written */
	int implicit_tls;	/* 465/993/995: TLS before the greeting */
	uint64_t greet_timer;	/* nonzero until the greeting is due */
	void (*on_close)(void *ctx);
	void *on_close_ctx;
	struct conn_set *set;	/* borrowed from the listener */
	struct conn *prev, *next;
};

static void conn_io(struct evloop *l, int fd, unsigned events, void *ctx);
static int conn_pump(struct conn *c);

/* The lab clock, as the rest of the world sees it. */
static mtime_t conn_now(const struct conn *c)
{
	return clock_real_now() + c->set->clock_offset;
}

static void conn_destroy(struct conn *c)
{
	if (c->delay_timer)
		evloop_cancel(c->loop, c->delay_timer);
	if (c->greet_timer)
		evloop_cancel(c->loop, c->greet_timer);
	if (c->idle_timer)
		evloop_cancel(c->loop, c->idle_timer);
	if (c->tick_timer)
		evloop_cancel(c->loop, c->tick_timer);
	evloop_unwatch(c->loop, c->fd);
	if (c->ssl) {
		if (c->tls == CONN_TLS_UP)
			SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	ERR_clear_error();
	close(c->fd);
	if (c->sess)
		c->ops->close(&c->sess);
	if (c->ssl_ctx)
		SSL_CTX_free(c->ssl_ctx);
	buf_reset(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		c->set->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->set->count--;
	if (c->on_close)
		c->on_close(c->on_close_ctx);
	free(c);
}

static void conn_watch(struct conn *c)
{
	unsigned ev = 0;

	/*
	 * A client that does not read its replies is not read either; nor
	 * is one whose session waits (Postfix's smtpd sleeps in
	 * smtpd_chat_reply() and reads nothing meanwhile: what the client
	 * sends then is still unread when smtpd hangs up after "421 too many
	 * errors", so the kernel resets the connection, reference
	 * transcripts/smtp/05k-too-many-errors).
	 */
	if (c->out.len < CONN_OUT_HIGH && !c->delay_timer)
		ev |= EVLOOP_READ;
	if (c->out.len > 0)
		ev |= EVLOOP_WRITE;
	if (c->tls == CONN_TLS_HANDSHAKE)
		ev = EVLOOP_READ | (SSL_want_write(c->ssl) ? EVLOOP_WRITE : 0);
	if (ev == c->watched)
		return;
	if (evloop_watch(c->loop, c->fd, ev, conn_io, c) < 0)
		c->closing = 1;
	c->watched = ev;
}

/*
 * The TLS library's complaint as Postfix's tls_print_errors() words it:
 * "error:0A00010B:SSL routines::wrong version number:FILE:LINE:" (one
 * line per queued error; we keep the first). NULL when there is none.
 */
static char *tls_problem(void)
{
	const char *file = "", *data = NULL;
	int line = 0, flags = 0;
	unsigned long err = ERR_get_error_all(&file, &line, NULL, &data, &flags);
	char text[256];
	char *out;

	if (err == 0)
		return NULL;
	ERR_error_string_n(err, text, sizeof(text));
	if (data != NULL && (flags & ERR_TXT_STRING))
		out = xasprintf("%s:%s:%d:%s:", text, file, line, data);
	else
		out = xasprintf("%s:%s:%d:", text, file, line);
	ERR_clear_error();
	return out;
}

/* The handshake failed: the session logs it, then the connection ends. */
static void conn_tls_failed(struct conn *c, const char *result)
{
	char *problem = tls_problem();

	c->ops->tls_failed(c->sess, result, problem, conn_now(c));
	free(problem);
	c->tls = CONN_TLS_NONE;	/* nothing more goes through SSL */
	c->closing = 1;
	/* Whatever the session says now cannot reach the client. */
	c->ops->run(c->sess, conn_now(c), &(long){ 0 });
	buf_clear(c->ops->output(c->sess));
	conn_destroy(c);
}

static void idle_expired(struct evloop *l, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	c->idle_timer = 0;
	if (c->tls == CONN_TLS_HANDSHAKE) {
		conn_tls_failed(c, "timeout");
		return;
	}
	/* Postfix: "421 4.4.2 host Error: timeout exceeded", then close. */
	c->ops->timeout(c->sess, conn_now(c));
	if (c->delay_timer) {
		evloop_cancel(c->loop, c->delay_timer);
		c->delay_timer = 0;
	}
	c->starttls_pending = 0;
	if (conn_pump(c) == 0 && c->out.len > 0) {
		/* The client is not reading: the goodbye cannot wait for it. */
		conn_destroy(c);
	}
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
				ERR_clear_error();
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
	/* An idle connection keeps no output buffer (10,000 of them). */
	buf_reset(&c->out);
	return 0;
}

static void conn_handshake(struct conn *c)
{
	int r = SSL_accept(c->ssl);

	if (r == 1) {
		c->tls = CONN_TLS_UP;
		if (!c->implicit_tls)
			c->ops->tls_started(c->sess, conn_now(c));
		idle_rearm(c);
		conn_pump(c);
		return;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		conn_watch(c);
		return;
	case SSL_ERROR_SYSCALL:
	case SSL_ERROR_ZERO_RETURN:
		if (ERR_peek_error() == 0) {
			/* The client hung up in the middle of the handshake. */
			conn_tls_failed(c, "lost connection");
			return;
		}
		/* FALLTHROUGH */
	default:
		/* Plain text after "220 Ready to start TLS" ends here, as in
		 * reference/transcripts/smtp/06e-plaintext-after-starttls. */
		conn_tls_failed(c, "-1");
	}
}

static void conn_begin_tls(struct conn *c)
{
	c->ssl = SSL_new(c->ssl_ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_tls_failed(c, "-1");
		return;
	}
	c->tls = CONN_TLS_HANDSHAKE;
	conn_handshake(c);
}

static void tick_done(struct evloop *l, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	c->tick_timer = 0;
	c->ops->tick(c->sess, conn_now(c));
	conn_pump(c);
}

/* After each run: a session that wants ticks (IMAP IDLE) gets them. */
static void tick_arm(struct conn *c)
{
	long ms;

	if (c->ops->tick_ms == NULL || c->tick_timer || c->closing)
		return;
	ms = c->ops->tick_ms(c->sess);
	if (ms > 0)
		c->tick_timer = evloop_timer(c->loop, ms, tick_done, c);
}

static void greet_due(struct evloop *l, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	c->greet_timer = 0;
	conn_pump(c);
}

static void delay_done(struct evloop *l, void *ctx)
{
	struct conn *c = ctx;

	(void)l;
	c->delay_timer = 0;
	conn_pump(c);
}

/* Runs the session until it needs input, then writes what it said.
 * -1 when c is gone (closed, or handed to a TLS handshake). */
static int conn_pump(struct conn *c)
{
	if (c->greet_timer) {
		evloop_cancel(c->loop, c->greet_timer);
		c->greet_timer = 0;
	}
	if (!c->delay_timer && !c->closing && !c->starttls_pending) {
		long delay = 0;
		enum netsess_act act = c->ops->run(c->sess, conn_now(c), &delay);
		struct buf *o = c->ops->output(c->sess);

		buf_add(&c->out, o->data, o->len);
		buf_clear(o);
		if (act == NETSESS_DELAY)
			c->delay_timer = evloop_timer(c->loop, delay, delay_done, c);
		else if (act == NETSESS_STARTTLS)
			c->starttls_pending = 1;
		else if (act == NETSESS_CLOSE)
			c->closing = 1;
		tick_arm(c);
	}
	if (conn_flush(c) < 0) {
		c->ops->eof(c->sess, conn_now(c));
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

/* Reads once; 1 when more may be waiting inside TLS, 0 otherwise, -1
 * when c is gone. */
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
			ERR_clear_error();
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
		c->ops->eof(c->sess, conn_now(c));
		conn_destroy(c);
		return -1;
	}
	idle_rearm(c);
	if (c->closing)
		return 0;	/* after 221/421 the rest is not read */
	c->ops->feed(c->sess, buf, (size_t)n, conn_now(c));
	if (c->greet_timer)
		return 0;	/* the session runs when the greeting is due */
	if (conn_pump(c) < 0)
		return -1;
	return c->tls == CONN_TLS_UP && SSL_pending(c->ssl) > 0 &&
		c->out.len < CONN_OUT_HIGH && !c->delay_timer;
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
	if ((events & EVLOOP_READ) && c->delay_timer) {
		/*
		 * Input is not watched while the session waits, but epoll
		 * reports a reset or error regardless (and may report input
		 * watched before the delay began in this turn's batch). A
		 * broken connection ends now; input stays unread.
		 */
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
		    err != 0) {
			c->ops->eof(c->sess, conn_now(c));
			conn_destroy(c);
		}
		return;
	}
	if (events & EVLOOP_WRITE) {
		if (conn_pump(c) < 0)
			return;
	}
	if ((events & EVLOOP_READ) && c->out.len < CONN_OUT_HIGH) {
		/* TLS may hold decrypted bytes that epoll will not announce. */
		while (conn_read(c) == 1)
			;
	}
}

int conn_start(struct evloop *l, int fd, const struct conn_params *p,
	       struct conn_set *set)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->loop = l;
	c->fd = fd;
	c->ops = p->ops;
	c->idle_ms = p->idle_ms;
	c->watched = ~0u;
	c->on_close = p->on_close;
	c->on_close_ctx = p->on_close_ctx;
	buf_init(&c->out);
	c->set = set;
	c->sess = p->ops->open(p->host, p->service, p->peer, set->env, conn_now(c));
	if (c->sess == NULL) {
		close(fd);
		free(c);
		return -1;
	}
	if (p->ssl_ctx != NULL && SSL_CTX_up_ref(p->ssl_ctx) == 1)
		c->ssl_ctx = p->ssl_ctx;
	c->next = set->head;
	if (set->head)
		set->head->prev = c;
	set->head = c;
	set->count++;
	idle_rearm(c);
	if (p->peer->tls && c->ssl_ctx != NULL) {
		/* Implicit TLS (465, 993, 995): the greeting waits for the
		 * handshake; the session was opened knowing TLS is on. */
		c->implicit_tls = 1;
		conn_begin_tls(c);
		return 0;
	}
	/*
	 * The greeting waits CONN_GREET_MS, input is read meanwhile: what
	 * the client sent by then is fed before the session first runs, so
	 * the banner is still unsent and smtpd logs "improper command
	 * pipelining after CONNECT" as Postfix's does (its smtpd greets only
	 * after master forked it and it looked the client up, tens of ms;
	 * reference transcripts/smtp/05j-pipelining-before-greeting).
	 */
	c->greet_timer = evloop_timer(l, CONN_GREET_MS, greet_due, c);
	conn_watch(c);
	return 0;
}

void conn_set_abort_all(struct conn_set *set)
{
	while (set->head) {
		struct conn *c = set->head;

		c->ops->eof(c->sess, conn_now(c));
		conn_destroy(c);
	}
}
