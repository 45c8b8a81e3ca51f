/*
 * scenario_run: plays a scenario (sim/scenario.h) in a world run
 * (sim/sim.h) on a fixed virtual clock, so that the same scenario gives
 * the same trace every time. Each action first emits one "scenario"
 * trace event (process "scenario", text = the action as the file writes
 * it, note = its say text in the language asked for), then does its
 * work, whose every step the simulator traces to the same sink:
 *
 *   set / alias   edit main.cf / etc/aliases as postconf -e and
 *                 newaliases would, trace it, reload the host
 *   send          a MUA submits through sim_submit()
 *   session       the C: lines typed as in telnet, one by one, to the
 *                 host's SMTP server; both ends are traced
 *   down / up     sim_fault()
 *   wait          sim_advance(): retries fall due on the way
 *   run           sim_run_due()
 *   fetch         XXX POP3/IMAP are not in the build yet: only said
 *
 * What the trace means is the caller's business (src/ui).
 */
#ifndef MAILLAB_SCENARIO_RUN_H
#define MAILLAB_SCENARIO_RUN_H

#include "lib/clock.h"
#include "lib/err.h"
#include "lib/trace.h"
#include "sim/scenario.h"

/* Sat Nov 28 21:59:50 2026 UTC: the study note's session in reference/. */
#define SCENARIO_RUN_START 1795903190000LL

struct scenario_run_opts {
	const char *root;	/* a directory without a world.conf: the world
				   is made there (world_init) */
	const char *lang;	/* for the say text: "en", "pt_BR" */
	struct trace_sink trace;
	mtime_t start;		/* the first `now`; 0: SCENARIO_RUN_START */
};

/*
 * Runs every action of sc. 0, or -1 with e when the world cannot be made
 * or an action names what the world lacks (an unknown host, a sender
 * domain with no mail host). Refusals by the servers are not errors:
 * they are what the scenario shows.
 */
int scenario_run(const struct scenario *sc, const struct scenario_run_opts *o,
		 struct err *e);

#endif
