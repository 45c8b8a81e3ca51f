/*
 * smtp_deliver_dns: the smtp(8) client's DNS lookups (RFC 5321 section 5.1:
 * the MX records of the next hop's domain, then each server's address)
 * through the simulator's DNS (smtp_deliver_net), each question and
 * answer traced on the sending host, protocol "dns", process
 * "postfix/smtp", so that the demo shows the lookup as its own step:
 *   TRACE_DIR_OUT  "b.example MX?"             "mail.b.example A?"
 *   TRACE_DIR_IN   "b.example MX 10 mail.b.example"
 *                  "mail.b.example A 198.51.100.20"
 *                  "b.example MX: no record"   (the A record is used)
 *                  "b.example MX: NXDOMAIN"    (no such domain)
 *                  "b.example MX: SERVFAIL"    (try again later)
 * Postfix logs none of this; the texts are dig's words, not mail.log's.
 */
#ifndef MAILLAB_SMTP_DELIVER_DNS_H
#define MAILLAB_SMTP_DELIVER_DNS_H

#include <stddef.h>

#include "lib/clock.h"

struct host;
struct smtp_deliver_net;

/* net->mx, traced: same returns (count, 0 no MX, -1 no domain, -2 try
 * again); names_out as net->mx. */
int smtp_deliver_dns_mx(struct host *h, const struct smtp_deliver_net *net,
			const char *domain, char **names_out, size_t max,
			mtime_t now);
/* net->addr, traced: same returns (1 and *addr_out, 0, -2). */
int smtp_deliver_dns_addr(struct host *h, const struct smtp_deliver_net *net,
			  const char *name, char **addr_out, mtime_t now);

#endif
