/*
 * anvil: Postfix's anvil(8) connection statistics for one host. smtpd
 * reports each connection and disconnection of a client that is not in
 * smtpd_client_event_limit_exceptions (default $mynetworks) as
 * "SERVICE:ADDR" (smtp:127.0.0.1); anvil counts connections per client in
 * windows of anvil_rate_time_unit and concurrent ones, and keeps the
 * maxima. When anvil exits (postfix reload) it logs them:
 *
 *   statistics: max connection rate 1/60s for (smtp:127.0.0.1) at Nov 28 22:00:46
 *   statistics: max connection count 1 for (smtp:127.0.0.1) at Nov 28 22:00:46
 *   statistics: max cache size 1 at Nov 28 22:00:46
 *
 * (reference/transcripts/smtp/04e, 04f). Connection limits
 * (smtpd_client_connection_count_limit and the like) are not enforced
 * here; message and recipient rates are not counted (their limits are 0
 * by default, so smtpd does not report them either). In memory: the
 * statistics live as long as the process that runs the host's smtpd
 * sessions (the listener), as anvil's live in anvil's process.
 */
#ifndef MAILLAB_ANVIL_H
#define MAILLAB_ANVIL_H

#include <stddef.h>

#include "lib/clock.h"

struct anvil;

struct anvil *anvil_new(void);
void anvil_free(struct anvil **ap);

/* A client connected / disconnected; ident is "smtp:127.0.0.1".
 * time_unit_ms is anvil_rate_time_unit. */
void anvil_connect(struct anvil *a, mtime_t now, const char *ident,
		   long time_unit_ms);
void anvil_disconnect(struct anvil *a, const char *ident);

/*
 * anvil exits: the "statistics: ..." lines it logs (without the
 * program), NULL-terminated, caller frees each and the array; NULL when
 * there is nothing to say. Everything starts again from zero, as in the
 * anvil process master starts next.
 */
char **anvil_exit(struct anvil *a, long time_unit_ms);

#endif
