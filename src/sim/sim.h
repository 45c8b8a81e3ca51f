/*
 * sim: the world run. Every host of a lab root with its Postfix processes
 * (pickup, qmgr, trivial-rewrite, local, smtp, bounce) on one clock,
 * virtual links between hosts (an SMTP client engine on one side, the
 * other host's smtp_server session on the other), MUA submissions, and
 * faults (a host down, an MX missing, a full disk, a full mailbox).
 *
 * Everything is in-process and synchronous: a call runs jobs to their
 * end and returns. What happens is reported on the trace sink given to
 * sim_open(), one event per SMTP line (each direction), per queue move,
 * per delivery and per mail.log line, per trivial-rewrite answer and per
 * DNS question and answer of the smtp client, in the order it happens. A sink
 * may block (the narrator waits for a key inside emit); the sim keeps no
 * timer of its own, so that only shifts the real clock.
 *
 * The clock. By default the lab clock: real time plus an offset kept in
 * ROOT/clock (so `maillab clock advance 5d` in one command is seen by
 * the next). With sim_opts.fixed_clock the time starts at opts.start and
 * moves only when the sim moves it (sim_run_until, sim_advance): for the
 * demo and for tests that want the same output every run; queue IDs
 * then come from each host's counter instead of inodes (mta/qfile_id.h),
 * so they are the same every run too.
 *
 * Ownership of the queue. Like Postfix's master, one process at a time
 * runs a host's pickup and qmgr: sim_open() takes each host's lock
 * (ROOT/hosts/H/var/spool/postfix/pid/master.pid, fcntl) without
 * waiting. A host whose lock another process holds (a `maillab listen`
 * running) is not run here: work for it is only dropped in (a queue file
 * in incoming/ or maildrop/) and the owner is woken (sim_poll() there
 * sees it). Hosts are still reachable over virtual links either way.
 *
 * What it leaves to others: the SMTP server session (mta/smtp_server),
 * cleanup and the queue file format (mta/cleanup, mta/qfile), host
 * directories, configuration and mail.log (mta/host). The drivers
 * (commands, the listener, the demo) decide when to run.
 */
#ifndef MAILLAB_SIM_H
#define MAILLAB_SIM_H

#include <stddef.h>

#include "lib/clock.h"
#include "lib/err.h"
#include "lib/trace.h"

struct world;
struct host;
struct sim;
struct smtpc;

struct sim_opts {
	struct trace_sink trace;	/* where every event goes; emit may be NULL */
	int fixed_clock;		/* 0: lab clock (real + ROOT/clock offset) */
	mtime_t start;			/* fixed_clock: the first `now` */
	int no_save_clock;		/* lab clock: do not write ROOT/clock back */
	/*
	 * Optional: the real network, for next hops that are no lab host
	 * (relayhost = [127.0.0.1]:2525, another maillab). Same contract as
	 * smtp_deliver_net.real, ctx = real_ctx. NULL: such hops are refused
	 * as before. The listener's queue manager passes net/relay.h here.
	 */
	int (*real_smtp)(void *ctx, struct host *h, const char *name,
			 const char *addr, int port, struct smtpc *c,
			 char *why_out, size_t why_len);
	void *real_ctx;
};

/*
 * Opens the world run on w (borrowed; it must outlive the sim). Loads
 * every host of the world, points each host's trace sink at opts->trace,
 * takes the queue locks it can get, reads the lab clock and the faults.
 * opts NULL: no trace, lab clock. Returns NULL with e set when the lab
 * root cannot be used (unwritable, unreadable clock file).
 */
struct sim *sim_open(struct world *w, const struct sim_opts *opts,
		     struct err *e);
/* Releases the locks, writes the lab clock back, restores each host's
 * trace sink as it was before sim_open(); sets *sp = NULL. */
void sim_free(struct sim **sp);

struct world *sim_world(struct sim *s);
mtime_t sim_now(const struct sim *s);

/* Nonzero when this sim runs the host's pickup and qmgr (holds its lock). */
int sim_owns_host(const struct sim *s, const char *host);

/*
 * Work. A job is one activation of one process on one host: pickup
 * reading maildrop/, qmgr taking one message from incoming/ or a
 * deferred/ message that is due, one delivery attempt (local, smtp, with
 * its SMTP session to the other host run to its end), bounce writing a
 * notice. Jobs due at the same time run in the order they became due.
 */

/* Runs the first job due at or before now. 1: one ran; 0: none due. */
int sim_step(struct sim *s);
/* Runs jobs until none is due at or before now (new work that a job
 * makes due now, such as a bounce, runs too). Returns how many ran. */
int sim_run_due(struct sim *s);
/*
 * Moves the clock forward to t (never back), running every job at the
 * time it falls due on the way (retries at their backoff times, the
 * delay warning, the final bounce), then the jobs due at t. Returns how
 * many jobs ran. sim_advance(s, ms) is sim_run_until(s, sim_now(s) + ms).
 */
int sim_run_until(struct sim *s, mtime_t t);
int sim_advance(struct sim *s, mtime_t ms);
/* When the next job falls due (possibly <= now), or -1 when nothing is
 * scheduled at all (empty queues on every owned host). */
mtime_t sim_next_due(struct sim *s);
/*
 * For a listener that owns hosts: picks up work other processes dropped
 * in (maildrop, incoming, `postqueue -f` requests) and runs what is due.
 * Same as sim_run_due() after a rescan of the owned hosts' queues.
 */
int sim_poll(struct sim *s);

/*
 * A mail user agent (Thunderbird, mutt, swaks...) submitting one message
 * to a host over a virtual link: an SMTP client engine talking to that
 * host's smtp_server session, each line traced with process "MUA".
 */
struct sim_mua_msg {
	const char *host;	/* the MTA: "mail.a.example" */
	const char *service;	/* master.cf service: "smtp" (NULL), "submission" */
	const char *client_name;/* the MUA's host: "client.a.example" (NULL: "localhost") */
	const char *client_addr;/* its address (NULL: "127.0.0.1") */
	const char *helo;	/* EHLO argument (NULL: client_name) */
	const char *from;	/* envelope sender, "" for <> */
	const char *const *to;	/* envelope recipients, NULL-terminated */
	const char *data;	/* the message: headers, empty line, body;
				   LF or CRLF lines, not dot-stuffed */
};

struct sim_result {
	int accepted;		/* the message was queued */
	char queue_id[32];	/* the server's queue ID when accepted */
	char reply[512];	/* the last SMTP reply line (e.g. the 554 that
				   refused a recipient), without CRLF */
};

/*
 * Runs the MUA session to its end (QUIT). 0 with *res filled (accepted
 * or refused by the server: both are normal outcomes); -1 with e set
 * when the session could not be run (unknown host, host down: e says
 * "connect to ...: Connection refused").
 * The accepted message then waits in the host's incoming/ queue; run
 * sim_run_due() to deliver it.
 */
int sim_submit(struct sim *s, const struct sim_mua_msg *m,
	       struct sim_result *res, struct err *e);

/*
 * A local submission on a host as `sendmail` does it: postdrop writes
 * maildrop/, then pickup is woken (runs at the next sim_run_due()).
 * from NULL: the user's own address ("root"). uid: the submitting user's
 * uid for pickup's log line (0 for root; root's gecos becomes the From:
 * full name). data as in sim_mua_msg. extract_rcpts is kept for
 * sendmail -t, whose recipients the caller has already taken from
 * To/Cc/Bcc (cli/submit.c); the sim ignores it.
 * Returns 0 with *qid_out (caller frees, may be NULL) the maildrop file name.
 */
int sim_sendmail(struct sim *s, const char *host, const char *from,
		 const char *const *to, const char *data, int uid,
		 int extract_rcpts, char **qid_out, struct err *e);

/*
 * Faults, kept in ROOT/faults so that every command sees them:
 *   "down" / "up"        target = host name: connections are refused
 *   "no-mx" / "mx"       target = domain: MX lookups fail temporarily
 *   "disk-full" / "disk-ok"  target = host: queue and mailbox writes fail
 *   "mailbox-full" / "mailbox-ok"  target = user@host: the mailbox is
 *                        over mailbox_size_limit
 *   "clear"              target ignored: every fault removed
 * Returns 0, or -1 with e (unknown fault or target).
 */
int sim_fault(struct sim *s, const char *target, const char *what,
	      struct err *e);
/* Nonzero when the host is down: `maillab fault HOST down` or
 * `postfix stop` (its mail system does not run, its ports refuse). */
int sim_host_down(struct sim *s, const char *host);
/* Each fault as "mail.b.example down", one per call of fn. */
void sim_fault_list(struct sim *s,
		    void (*fn)(void *ctx, const char *target,
			       const char *what), void *ctx);

/*
 * "Bring the world up to date": what every maillab command calls before
 * it returns. Opens a sim on w with the lab clock and no trace (mail.log
 * still gets every line), runs what is due on the hosts it can own, and
 * closes it. 0, or -1 with e when the root could not be used.
 */
int sim_up_to_date(struct world *w, struct err *e);

#endif
