/*
 * console_sim: the console's peer for a simulated host - an smtp_server
 * session of the world (the same one serve, the listener and the
 * simulator run). DELAY is waited out for real (the learner should feel
 * smtpd_error_sleep_time); STARTTLS is simulated: the lab pretends the
 * handshake happened and says so.
 */
#include "ui/console_sim.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/smtp_server.h"
#include "sim/world.h"
#include "ui/explain.h"

struct sim_peer {
	struct console_peer base;	/* first: the console holds a pointer to it */
	struct world *world;		/* owned */
	struct smtp_server *s;
	int no_sleep;
};

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Runs the session until it waits for the client; 0, or -1 when closed. */
static int pump(struct sim_peer *p, struct console *c)
{
	for (;;) {
		long delay = 0;
		enum smtp_server_act act = smtp_server_run(p->s, clock_real_now(), &delay);
		struct buf *out = smtp_server_output(p->s);

		if (out->len > 0) {
			console_server_bytes(c, out->data, out->len);
			buf_clear(out);
		}
		switch (act) {
		case SMTP_SERVER_DELAY:
			console_server_delay(c, delay);
			if (!p->no_sleep)
				sleep_ms(delay);
			continue;
		case SMTP_SERVER_STARTTLS:
			console_server_event(c, "TLS established (simulated)");
			console_note(c, _("In the lab the TLS handshake is simulated: a real client would now negotiate TLS, and everything after this point would be encrypted."));
			smtp_server_tls_started(p->s, clock_real_now());
			continue;
		case SMTP_SERVER_CLOSE:
			console_server_closed(c);
			return -1;
		case SMTP_SERVER_NEED_INPUT:
			return 0;
		}
		return 0;
	}
}

static int sim_send(struct console_peer *base, struct console *c,
		    const void *buf, size_t len, int expect)
{
	struct sim_peer *p = (struct sim_peer *)base;

	(void)expect;	/* the engine answers at once */
	if (console_closed(c))
		return -1;
	if (len > 0)
		smtp_server_feed(p->s, buf, len, clock_real_now());
	return pump(p, c);
}

static void sim_leave(struct console_peer *base, struct console *c)
{
	struct sim_peer *p = (struct sim_peer *)base;
	struct buf *out;
	long delay = 0;

	(void)c;
	/* The engine logs the lost connection; nobody reads its output. */
	smtp_server_eof(p->s, clock_real_now());
	(void)smtp_server_run(p->s, clock_real_now(), &delay);
	out = smtp_server_output(p->s);
	buf_clear(out);
}

static void sim_free(struct console_peer *base)
{
	struct sim_peer *p = (struct sim_peer *)base;

	if (p->s != NULL)
		smtp_server_free(&p->s);
	if (p->world != NULL)
		world_free(&p->world);
	free(p);
}

struct console_peer *console_sim_new(struct world *w, struct host *h,
				     const struct smtp_server_opts *so,
				     int no_sleep)
{
	struct sim_peer *p = xcalloc(1, sizeof(*p));

	p->base.send = sim_send;
	p->base.leave = sim_leave;
	p->base.free = sim_free;
	p->base.verbs = NULL;
	p->world = w;
	p->no_sleep = no_sleep;
	p->s = smtp_server_new(h, so, clock_real_now());
	return &p->base;
}
