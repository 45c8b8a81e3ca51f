/*
 * qmgr_backoff: when qmgr tries a deferred message again, and when it
 * gives up (Postfix's qmgr_active.c, postconf(5)).
 *
 * After a deferral the next attempt is "now + age", the age of the
 * message clamped to [minimal_backoff_time, maximal_backoff_time]
 * (300s and 4000s by default), so the gaps double until they reach the
 * maximum. Postfix stores that time as the deferred file's mtime; the
 * deferred queue is scanned every queue_run_delay (300s), so the attempt
 * happens at the first scan at or after it. A message whose age reached
 * maximal_queue_lifetime (5d; bounce_queue_lifetime for the null sender)
 * when an attempt fails is returned to the sender ("status=expired").
 */
#ifndef MAILLAB_QMGR_BACKOFF_H
#define MAILLAB_QMGR_BACKOFF_H

#include "lib/clock.h"

/* Seconds to wait after a deferral at now of a message created at create. */
long qmgr_backoff_delay(mtime_t create, mtime_t now, long min_backoff,
			long max_backoff);

/* The first deferred-queue scan at or after t, scans being every
 * queue_run_delay seconds from first_scan. */
mtime_t qmgr_backoff_scan_at(mtime_t t, mtime_t first_scan,
			     long queue_run_delay);

/* Nonzero when a failed attempt at now makes the message expire. */
int qmgr_backoff_expired(mtime_t create, mtime_t now, long lifetime);

#endif
