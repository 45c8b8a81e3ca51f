/*
 * showq: the queue listing behind mailq / postqueue -p (Postfix's
 * showq(8) and postqueue's showq_compat.c) and postqueue -j: each
 * message of incoming, active, deferred, hold and maildrop with its
 * size, arrival time, sender and the recipients not yet delivered, with
 * the reason of the last deferral (from defer/). Active messages are
 * marked '*', held ones '!'. Layout byte for byte as
 * reference/commands/05-queue.txt.
 */
#ifndef MAILLAB_SHOWQ_H
#define MAILLAB_SHOWQ_H

#include "lib/buf.h"

struct host;

/* Appends the mailq text ("Mail queue is empty\n" when it is). */
void showq_compat(struct host *h, struct buf *out);
/* Appends postqueue -j's JSON lines, one message per line. */
void showq_json(struct host *h, struct buf *out);

#endif
