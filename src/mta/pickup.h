/*
 * pickup: Postfix's pickup(8): takes each file in maildrop/ (what
 * postdrop wrote, or a message postsuper -r sent back) and gives it to
 * cleanup, which writes the real queue file into incoming/. Logs
 * "pickup[PID]: ID: uid=0 from=<root>" with cleanup's new ID. A file it
 * cannot read goes to corrupt/ with a warning.
 */
#ifndef MAILLAB_PICKUP_H
#define MAILLAB_PICKUP_H

#include "lib/clock.h"

struct host;

/* Processes every maildrop file of h; returns how many were queued. */
int pickup_run(struct host *h, mtime_t now);

#endif
