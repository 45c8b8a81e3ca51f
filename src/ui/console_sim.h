/*
 * console_sim: the console's peer for a simulated host: a server session
 * of the world (SMTP, POP3 or IMAP; TLS simulated, delays waited out).
 */
#ifndef MAILLAB_CONSOLE_SIM_H
#define MAILLAB_CONSOLE_SIM_H

#include "lib/err.h"
#include "ui/console.h"
#include "ui/server_session.h"

struct world;
struct host;

/*
 * A peer running a session of host h (of world w, which the peer owns
 * and frees) for the client in so. no_sleep: report DELAYs without
 * waiting (tests). NULL with e set when the session cannot start (a
 * broken Dovecot configuration); w is freed then too. Free the peer
 * through console_free() or p->free(p): the world is brought up to date
 * first (sim.h), so what the session queued is delivered.
 */
struct console_peer *console_sim_new(struct world *w, struct host *h,
				     const struct server_session_opts *so,
				     int no_sleep, struct err *e);

#endif
