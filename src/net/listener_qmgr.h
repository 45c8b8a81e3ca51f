/*
 * listener_qmgr: the listener's queue manager process. Postfix runs qmgr,
 * local and smtp as processes of their own, so a slow delivery (an mbox
 * lock, a remote server taking its time, fsyncs) never keeps smtpd from
 * answering. The listener does the same with one child process that runs
 * the world (src/sim/sim.h): it takes the hosts' queue locks, recovers
 * what a killed run left in active/, delivers what sessions queue, retries
 * deferred mail when due, and picks up what other commands drop in. The
 * listener itself keeps only the SMTP/POP3/IMAP sessions.
 *
 * The child dies with the listener (PR_SET_PDEATHSIG), so kill -9 of the
 * listener stops both, as a crash of the machine would.
 */
#ifndef MAILLAB_LISTENER_QMGR_H
#define MAILLAB_LISTENER_QMGR_H

#include <sys/types.h>

#include "lib/err.h"
#include "lib/trace.h"

struct world;
struct listener_qmgr;

/*
 * Forks the queue manager on w (the child opens its own sim with trace
 * as sink, NULL for none) and waits until it holds the queue locks.
 * Call it before opening sockets: the child keeps no descriptor of the
 * listener's. NULL with e set when it could not start.
 */
struct listener_qmgr *listener_qmgr_start(struct world *w,
					  const struct trace_sink *trace,
					  struct err *e);
/* New work was queued: the child runs the queue manager a few ms later
 * (QMGR_KICK_DELAY_MS in listener_qmgr.c says why). */
void listener_qmgr_kick(struct listener_qmgr *q);
/* postfix reload: the child re-reads the hosts' configuration. */
void listener_qmgr_reload(struct listener_qmgr *q);
/* Stops the child (SIGTERM, then waits for it) and frees q. */
void listener_qmgr_stop(struct listener_qmgr **qp);
pid_t listener_qmgr_pid(const struct listener_qmgr *q);

#endif
