/*
 * flow_state: what the queues and mailboxes of each host hold after a
 * given step, read back from the mail.log lines in the trace (Postfix's
 * and Dovecot's own words, reference/README.md "Log lines"):
 *
 *   smtpd "QID: client=", pickup "QID: uid=", cleanup "QID: message-id="
 *                                                   -> incoming
 *   qmgr "QID: from=<...>, ... (queue active)"       -> active
 *   smtp/local "QID: to=<...>, ... status=deferred"  -> deferred
 *   qmgr "QID: removed"                              -> gone
 *   local "to=<u@d>, ... status=sent (delivered to mailbox|maildir)"
 *                                                   -> u's mailbox + 1
 *   dovecot "pop3(u)...: Disconnected: ... del=N/M"  -> u's mailbox - N
 *   dovecot "imap(u)...: Disconnected: ... expunged=N" -> u's mailbox - N
 *
 * The TUI shows it beside the picture and the narrator sums it up at the
 * end. Stepping back is recomputing from the start: cheap at demo sizes.
 */
#ifndef MAILLAB_FLOW_STATE_H
#define MAILLAB_FLOW_STATE_H

#include <stddef.h>

#include "ui/flow.h"

struct flow_msg {
	char *host;
	char *qid;
	const char *queue;	/* "incoming", "active", "deferred" (static) */
};

struct flow_mbox {
	char *host;
	char *user;
	int count;
	int delivered;		/* deliveries seen (never goes down) */
};

struct flow_state {
	struct flow_msg *msg;
	size_t nmsg;
	struct flow_mbox *box;
	size_t nbox;
	size_t last_log;	/* index+1 of the last mail.log event applied, 0 none */
};

void flow_state_init(struct flow_state *st);
void flow_state_reset(struct flow_state *st);
/* Applies one event (anything but a mail.log line is ignored). */
void flow_state_apply(struct flow_state *st, const struct trace_event *ev);
/* The state after steps [0, nsteps) of f: reset, then every event of
 * those steps in trace order. */
void flow_state_at(struct flow_state *st, const struct flow *f, size_t nsteps);
/* The same, starting from base's mailboxes instead of empty ones (live:
 * what they held when the trace began); base NULL is flow_state_at. */
void flow_state_at_from(struct flow_state *st, const struct flow_state *base,
			const struct flow *f, size_t nsteps);
/* Sets the count of user's mailbox on host (to build such a base). */
void flow_state_seed(struct flow_state *st, const char *host, const char *user,
		     int count);
/* Messages of host in queue q (for "active: 1"). */
size_t flow_state_count(const struct flow_state *st, const char *host,
			const char *q);
/* The mailbox of user on host, or NULL. */
const struct flow_mbox *flow_state_mbox(const struct flow_state *st,
					const char *host, const char *user);

#endif
