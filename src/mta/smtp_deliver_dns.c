/*
 * smtp(8)'s DNS lookups, traced. See smtp_deliver_dns.h.
 */
#include "mta/smtp_deliver_dns.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/trace.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/smtp_deliver.h"

#define MAX_MX 16

static void trace_dns(struct host *h, mtime_t now, enum trace_dir dir,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void trace_dns(struct host *h, mtime_t now, enum trace_dir dir,
		      const char *fmt, ...)
{
	struct trace_event ev;
	va_list ap;
	char *text;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time = now;
	ev.host = h->name;
	ev.process = "postfix/smtp";
	ev.peer = "DNS";
	ev.protocol = "dns";
	ev.direction = dir;
	ev.text = text;
	trace_emit(&h->trace, &ev);
	free(text);
}

int smtp_deliver_dns_mx(struct host *h, const struct smtp_deliver_net *net,
			const char *domain, char **names_out, size_t max,
			mtime_t now)
{
	int prefs[MAX_MX];
	int rc, i;

	if (max > MAX_MX)
		max = MAX_MX;
	trace_dns(h, now, TRACE_DIR_OUT, "%s MX?", domain);
	rc = net->mx(net->ctx, domain, names_out, prefs, max);
	if (rc == -1)
		trace_dns(h, now, TRACE_DIR_IN, "%s MX: NXDOMAIN", domain);
	else if (rc < 0)
		trace_dns(h, now, TRACE_DIR_IN, "%s MX: SERVFAIL", domain);
	else if (rc == 0)
		trace_dns(h, now, TRACE_DIR_IN, "%s MX: no record", domain);
	for (i = 0; i < rc; i++)
		trace_dns(h, now, TRACE_DIR_IN, "%s MX %d %s", domain, prefs[i],
			  names_out[i]);
	return rc;
}

int smtp_deliver_dns_addr(struct host *h, const struct smtp_deliver_net *net,
			  const char *name, char **addr_out, mtime_t now)
{
	int rc;

	trace_dns(h, now, TRACE_DIR_OUT, "%s A?", name);
	rc = net->addr(net->ctx, name, addr_out);
	if (rc == 1 && *addr_out != NULL)
		trace_dns(h, now, TRACE_DIR_IN, "%s A %s", name, *addr_out);
	else if (rc == -2)
		trace_dns(h, now, TRACE_DIR_IN, "%s A: SERVFAIL", name);
	else
		trace_dns(h, now, TRACE_DIR_IN, "%s A: no record", name);
	return rc;
}
