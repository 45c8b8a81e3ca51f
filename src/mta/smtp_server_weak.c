/*
 * TEMPORARY link-time placeholders for src/mta/smtp_server.c, which the
 * world helper is writing. Weak: the real functions replace them as soon
 * as they are linked in. smtp_server_new() returns NULL here, which the
 * callers treat as a refused connection. Delete this file when
 * smtp_server.c lands.
 */
#include <stddef.h>

#include "mta/smtp_server.h"

#define WEAK __attribute__((weak))

WEAK struct smtp_server *smtp_server_new(struct host *h,
					 const struct smtp_server_opts *o,
					 mtime_t now)
{
	(void)h; (void)o; (void)now;
	return NULL;
}
WEAK void smtp_server_free(struct smtp_server **sp) { *sp = NULL; }
WEAK void smtp_server_feed(struct smtp_server *s, const void *buf, size_t len,
			   mtime_t now)
{ (void)s; (void)buf; (void)len; (void)now; }
WEAK void smtp_server_eof(struct smtp_server *s, mtime_t now) { (void)s; (void)now; }
WEAK enum smtp_server_act smtp_server_run(struct smtp_server *s, mtime_t now,
					  long *delay_ms_out)
{ (void)s; (void)now; *delay_ms_out = 0; return SMTP_SERVER_CLOSE; }
WEAK struct buf *smtp_server_output(struct smtp_server *s) { (void)s; return NULL; }
WEAK void smtp_server_tls_started(struct smtp_server *s, mtime_t now) { (void)s; (void)now; }
WEAK const char *smtp_server_last_queue_id(const struct smtp_server *s) { (void)s; return NULL; }
