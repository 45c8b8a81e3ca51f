/*
 * console_sim: the console's peer for a simulated host (an smtp_server
 * session; TLS simulated, delays waited out).
 */
#ifndef MAILLAB_CONSOLE_SIM_H
#define MAILLAB_CONSOLE_SIM_H

#include "mta/smtp_server.h"
#include "ui/console.h"

struct world;
struct host;

/*
 * A peer running a session of host h (of world w, which the peer owns
 * and frees) for the client in so. no_sleep: report DELAYs without
 * waiting (tests). Free it through console_free() or p->free(p).
 */
struct console_peer *console_sim_new(struct world *w, struct host *h,
				     const struct smtp_server_opts *so,
				     int no_sleep);

#endif
