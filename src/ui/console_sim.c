/*
 * console_sim: the console's peer for a simulated host - a server session
 * of the world (the same one serve, the listener and the simulator run).
 * DELAY is waited out for real (the learner should feel
 * smtpd_error_sleep_time and Dovecot's auth_failure_delay); STARTTLS and
 * STLS are simulated: the lab pretends the handshake happened and says
 * so. A message smtpd accepts is delivered at once, as Postfix's qmgr
 * and local would (sim_up_to_date), so `cat var/mail/USER` or a POP3
 * session in another terminal sees it; an IMAP session in IDLE is ticked
 * while the learner types, so new mail shows up as "* N EXISTS".
 */
#include "ui/console_sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "sim/sim.h"
#include "sim/world.h"
#include "ui/explain.h"

struct sim_peer {
	struct console_peer base;	/* first: the console holds a pointer to it */
	struct world *world;		/* owned */
	struct server_session *s;
	int no_sleep;
	mtime_t last_tick;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Delivers what the session queued (a no-op when nothing is due). */
static void up_to_date(struct sim_peer *p, struct console *c)
{
	struct err e;

	if (sim_up_to_date(p->world, &e) < 0 && c != NULL) {
		char *t = xasprintf(_("The lab could not deliver the queued mail: %s"), e.text);

		console_note(c, t);
		free(t);
	}
}

/* Runs the session until it waits for the client; 0, or -1 when closed. */
static int pump(struct sim_peer *p, struct console *c)
{
	const char *before = server_session_last_queue_id(p->s);
	char *was = before != NULL ? xstrdup(before) : NULL;
	int queued = 0;

	for (;;) {
		long delay = 0;
		enum server_session_act act = server_session_run(p->s, clock_real_now(), &delay);
		struct buf *out = server_session_output(p->s);

		const char *qid = server_session_last_queue_id(p->s);

		if (out->len > 0) {
			console_server_bytes(c, out->data, out->len);
			buf_clear(out);
		}
		/* "250 2.0.0 Ok: queued as ..." came: deliver it. */
		if (qid != NULL && (was == NULL || strcmp(qid, was) != 0))
			queued = 1;
		switch (act) {
		case SERVER_SESSION_DELAY:
			console_server_delay(c, delay);
			if (!p->no_sleep)
				sleep_ms(delay);
			continue;
		case SERVER_SESSION_STARTTLS:
			console_server_event(c, "TLS established (simulated)");
			console_note(c, _("In the lab the TLS handshake is simulated: a real client would now negotiate TLS, and everything after this point would be encrypted."));
			server_session_tls_started(p->s, clock_real_now());
			continue;
		case SERVER_SESSION_CLOSE:
			if (queued)
				up_to_date(p, c);
			console_server_closed(c);
			free(was);
			return -1;
		case SERVER_SESSION_NEED_INPUT:
			break;
		}
		if (queued)
			up_to_date(p, c);
		free(was);
		return 0;
	}
}

static int peer_send(struct console_peer *base, struct console *c,
		    const void *buf, size_t len, int expect)
{
	struct sim_peer *p = (struct sim_peer *)base;

	(void)expect;	/* the session answers at once */
	if (console_closed(c))
		return -1;
	if (len > 0)
		server_session_feed(p->s, buf, len, clock_real_now());
	return pump(p, c);
}

/* IMAP IDLE: Dovecot looks at the mailbox about once a second. */
static int peer_poll(struct console_peer *base, struct console *c)
{
	struct sim_peer *p = (struct sim_peer *)base;
	mtime_t now = clock_real_now();

	if (console_closed(c))
		return -1;
	if (!server_session_idling(p->s) || now - p->last_tick < 1000)
		return 0;
	p->last_tick = now;
	/* What another terminal queued meanwhile is delivered first. */
	up_to_date(p, NULL);
	server_session_tick(p->s, now);
	return pump(p, c);
}

static void peer_leave(struct console_peer *base, struct console *c)
{
	struct sim_peer *p = (struct sim_peer *)base;
	struct buf *out;
	long delay = 0;

	(void)c;
	/* The session logs the lost connection; nobody reads its output. */
	server_session_eof(p->s, clock_real_now());
	(void)server_session_run(p->s, clock_real_now(), &delay);
	out = server_session_output(p->s);
	buf_clear(out);
}

static void peer_free(struct console_peer *base)
{
	struct sim_peer *p = (struct sim_peer *)base;

	if (p->s != NULL)
		server_session_free(&p->s);
	if (p->world != NULL) {
		up_to_date(p, NULL);
		world_free(&p->world);
	}
	free(p);
}

struct console_peer *console_sim_new(struct world *w, struct host *h,
				     const struct server_session_opts *so,
				     int no_sleep, struct err *e)
{
	struct sim_peer *p = xcalloc(1, sizeof(*p));

	p->base.send = peer_send;
	p->base.leave = peer_leave;
	p->base.free = peer_free;
	p->base.poll = peer_poll;
	p->base.verbs = NULL;
	p->world = w;
	p->no_sleep = no_sleep;
	p->s = server_session_new(h, so, clock_real_now(), e);
	if (p->s == NULL) {
		world_free(&p->world);
		free(p);
		return NULL;
	}
	return &p->base;
}
