/*
 * TEMPORARY: weak stand-ins for the world and smtp_server modules that
 * other helpers are writing, so this branch links before their code is
 * merged. Their real (strong) definitions replace these at link time.
 * XXX delete this file once src/sim/world.c and src/mta/smtp_server.c land.
 */
#include <stddef.h>
#include <stdlib.h>

#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/smtp_server.h"
#include "sim/world.h"

#define WEAK __attribute__((weak))

WEAK char *world_root_path(const char *opt)
{
	return xstrdup(opt ? opt : "/tmp/maillab");
}

WEAK int world_init(const char *root, const char *world, struct err *e)
{
	(void)root;
	return err_set(e, 0, "world %s: worlds are not available in this build yet", world);
}

WEAK struct world *world_open(const char *root, struct err *e)
{
	err_set(e, 0, "%s: worlds are not available in this build yet", root);
	return NULL;
}

WEAK void world_free(struct world **wp)
{
	*wp = NULL;
}

WEAK struct host *world_host(struct world *w, const char *name, struct err *e)
{
	(void)w;
	err_set(e, 0, "host %s: hosts are not available in this build yet", name ? name : "");
	return NULL;
}

WEAK char *host_path(const struct host *h, const char *rel)
{
	(void)h;
	return xstrdup(rel);
}

WEAK int host_reload(struct host *h, struct err *e)
{
	(void)h;
	(void)e;
	return 0;
}

WEAK struct smtp_server *smtp_server_new(struct host *h,
					 const struct smtp_server_opts *o,
					 mtime_t now)
{
	(void)h;
	(void)o;
	(void)now;
	return NULL;
}

WEAK void smtp_server_free(struct smtp_server **sp)
{
	*sp = NULL;
}

WEAK void smtp_server_feed(struct smtp_server *s, const void *buf, size_t len,
			   mtime_t now)
{
	(void)s;
	(void)buf;
	(void)len;
	(void)now;
}

WEAK void smtp_server_eof(struct smtp_server *s, mtime_t now)
{
	(void)s;
	(void)now;
}

WEAK enum smtp_server_act smtp_server_run(struct smtp_server *s, mtime_t now,
					  long *delay_ms_out)
{
	(void)s;
	(void)now;
	(void)delay_ms_out;
	return SMTP_SERVER_CLOSE;
}

WEAK struct buf *smtp_server_output(struct smtp_server *s)
{
	static struct buf empty;

	(void)s;
	return &empty;
}

WEAK void smtp_server_tls_started(struct smtp_server *s, mtime_t now)
{
	(void)s;
	(void)now;
}

WEAK const char *smtp_server_last_queue_id(const struct smtp_server *s)
{
	(void)s;
	return NULL;
}
