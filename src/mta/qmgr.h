/*
 * qmgr: Postfix's queue manager, one message at a time, in-process.
 *
 * qmgr_deliver() takes a message from incoming/ or deferred/ into
 * active/ (a rename; "ID: from=<...>, size=N, nrcpt=M (queue active)"),
 * asks trivial-rewrite where each recipient goes, hands it to the
 * delivery agent (local, smtp, error, retry), writes each outcome as the
 * agent logs it (log_adhoc), marks finished recipients done in the queue
 * file, keeps deferred ones in defer/ and bounced ones in bounce/, then:
 *   - bounced recipients: a non-delivery notice to the sender (bounce:
 *     "ID: sender non-delivery notification: NEWID"; never for <>);
 *   - deferred ones left: "expired" when the message is older than
 *     maximal_queue_lifetime (bounce_queue_lifetime for <>): "ID:
 *     from=<...>, status=expired, returned to sender" and a notice with
 *     the deferral reasons; otherwise a delay warning once past
 *     delay_warning_time ("sender delay notification"), and back to
 *     deferred/ with the next try as the file's mtime (qmgr_backoff.h);
 *   - none: the file is removed ("ID: removed").
 * A file that is not a valid queue file goes to corrupt/ ("warning:
 * saving corrupt file ..."), and the queue goes on.
 *
 * Only qmgr moves files between incoming, active and deferred. The
 * network and faults come from the caller (the simulator).
 */
#ifndef MAILLAB_QMGR_H
#define MAILLAB_QMGR_H

#include "lib/clock.h"
#include "mta/smtp_deliver.h"

struct host;

struct qmgr_hooks {
	struct smtp_deliver_net net;	/* DNS and connections for smtp */
	/* The errno a write to user's mailbox on h fails with (EFBIG,
	 * ENOSPC) or 0; NULL: none. ctx is net.ctx. */
	int (*write_fault)(void *ctx, struct host *h, const char *user);
};

/* Delivers queue/id of h ("incoming" or "deferred"; "active" for one
 * qmgr_activate() took in). 1 when it ran, 0 when the file was gone, -1
 * on a file system error. */
int qmgr_deliver(struct host *h, const struct qmgr_hooks *hooks,
		 const char *queue, const char *id, mtime_t now);
/*
 * Takes incoming/id into active/ and logs "(queue active)" without
 * delivering it yet: a notice bounce(8) queued while qmgr still works on
 * the message it is about. The caller (the simulator) delivers what
 * waits in active/ next. 0, or -1 (logged).
 */
int qmgr_activate(struct host *h, const char *id, mtime_t now);

/* At start-up, as Postfix's qmgr: what was in active/ goes back to
 * incoming/ (a previous run stopped in the middle). */
void qmgr_recover(struct host *h, mtime_t now);

/* The time a deferred/ message is due: its mtime, at the next
 * deferred-queue scan (queue_run_delay) counted from scan_base. */
mtime_t qmgr_due(struct host *h, mtime_t mtime, mtime_t scan_base);

#endif
