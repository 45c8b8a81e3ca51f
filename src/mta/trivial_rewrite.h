/*
 * trivial_rewrite: Postfix's trivial-rewrite(8) service, in-process.
 *
 * Rewriting (ADDRESS_REWRITING_README, "canonical form"): an address
 * without a domain gets "@$myorigin" in the "local" context
 * (append_at_myorigin) or "@$remote_header_rewrite_domain" in the
 * "remote" context (nothing when that is empty); "user@host" without a
 * dot gets ".$mydomain" when append_dot_mydomain = yes; a trailing dot
 * in the domain goes away. The null address stays empty.
 *
 * Resolving (ADDRESS_CLASS_README): the domain decides the address class
 * and with it the transport and the next hop:
 *   local   domain in $mydestination (or $myhostname, "localhost" forms
 *           listed there): $local_transport ("local:$myhostname")
 *   relay   domain in $relay_domains (parent domains match their
 *           subdomains): $relay_transport, next hop $relayhost or the domain
 *   default anything else: $default_transport, next hop $relayhost or
 *           the domain
 * transport_maps override transport and/or next hop (lookup order: the
 * full address, the domain, ".parent" domains, "*"); "error:" and
 * "retry:"/"discard:" transports carry their text as the next hop.
 * smtpd's relay check uses the class: only local and relay destinations
 * are allowed for clients that are not authorised (reject or defer
 * unauth destination).
 *
 * It reads nothing itself: trivial_rewrite_conf_load() fills the
 * parameters from a host's main.cf, the tests fill them by hand.
 *
 * Tracing: Postfix's trivial-rewrite logs nothing about a resolve (only
 * with -v), yet it is the step where a message's fate is decided, so a
 * conf with a host and a trace_time traces each answer on the host's
 * trace sink (protocol "resolve", process "postfix/trivial-rewrite"):
 *   "bob@b.example: address class default -> smtp:b.example"
 *   "bob@b.example: address class local -> local:mail.b.example"
 *   "bob@b.example: address class error: TEXT"
 * qmgr sets trace_time to the time of its run; nobody else does.
 */
#ifndef MAILLAB_TRIVIAL_REWRITE_H
#define MAILLAB_TRIVIAL_REWRITE_H

#include "lib/clock.h"
#include "lib/err.h"
#include "mta/maps.h"

struct host;

enum trivial_rewrite_ctx {
	TRIVIAL_REWRITE_LOCAL,	/* rewrite_context=local (mynetworks, sendmail) */
	TRIVIAL_REWRITE_REMOTE,	/* rewrite_context=remote */
};

enum trivial_rewrite_class {
	TRIVIAL_REWRITE_CLASS_LOCAL,
	TRIVIAL_REWRITE_CLASS_RELAY,
	TRIVIAL_REWRITE_CLASS_DEFAULT,
	TRIVIAL_REWRITE_CLASS_ERROR,	/* no way to resolve (a table failed) */
};

/* Strings owned by the conf (trivial_rewrite_conf_reset frees them). */
struct trivial_rewrite_conf {
	char *myhostname, *mydomain, *myorigin;
	char *remote_rewrite_domain;	/* remote_header_rewrite_domain */
	int append_at_myorigin, append_dot_mydomain;
	char **mydestination;		/* expanded list, NULL-terminated */
	char **relay_domains;
	char *relayhost;		/* "" or "[127.0.0.1]:2", "mx.example" */
	char *local_transport;		/* "local:$myhostname" expanded */
	char *relay_transport;		/* "relay" */
	char *default_transport;	/* "smtp" */
	char *transport_maps;		/* spec list for maps_lookup_list, "" none */
	struct host *host;		/* borrowed; for transport_maps files */
	mtime_t trace_time;		/* nonzero (and host): trace each resolve
					   at this time; set after conf_load */
	struct maps_table transport;	/* a table given directly (tests) */
};

struct trivial_rewrite_result {
	enum trivial_rewrite_class klass;
	char *transport;	/* "local", "smtp", "relay", "error" */
	char *nexthop;		/* "centos.localdomain", "[127.0.0.1]:2",
				   "b.example", or the error text */
	char *recipient;	/* the address, canonical */
	char *error;		/* CLASS_ERROR: why (a table is unavailable) */
};

void trivial_rewrite_conf_init(struct trivial_rewrite_conf *c);
void trivial_rewrite_conf_reset(struct trivial_rewrite_conf *c);
/* Reads the parameters from h's configuration (h->conf). */
void trivial_rewrite_conf_load(struct trivial_rewrite_conf *c, struct host *h);

/* The canonical form of addr; caller frees. */
char *trivial_rewrite_canon(const struct trivial_rewrite_conf *c,
			    enum trivial_rewrite_ctx ctx, const char *addr);

/* Resolves a canonical address; fills *r (trivial_rewrite_result_reset). */
void trivial_rewrite_resolve(const struct trivial_rewrite_conf *c,
			     const char *addr,
			     struct trivial_rewrite_result *r);
void trivial_rewrite_result_reset(struct trivial_rewrite_result *r);

/* Nonzero when domain is one of $mydestination (case-insensitive). */
int trivial_rewrite_is_local_domain(const struct trivial_rewrite_conf *c,
				    const char *domain);

const char *trivial_rewrite_class_name(enum trivial_rewrite_class k);

#endif
