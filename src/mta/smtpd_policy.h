/*
 * smtpd_policy: the decisions Postfix 3.7's smtpd (smtpd_check.c) makes
 * about MAIL FROM, RCPT TO and VRFY addresses, given a host's parameters:
 *
 *   RCPT: smtpd_relay_restrictions, then smtpd_recipient_restrictions,
 *         then (smtpd_reject_unlisted_recipient = yes) the local
 *         recipient table check for domains in mydestination /
 *         inet_interfaces (local_recipient_maps = proxy:unix:passwd.byname
 *         $alias_maps: etc/passwd or etc/aliases, recipient_delimiter
 *         extensions stripped, case-insensitive).
 *   VRFY: the recipient table check only; 252 for a known address.
 *   MAIL: smtpd_sender_restrictions (empty by default: accept).
 *
 * Restrictions understood: permit_mynetworks, permit_sasl_authenticated,
 * permit_auth_destination, reject_unauth_destination,
 * defer_unauth_destination, reject_unlisted_recipient,
 * reject_non_fqdn_recipient, permit, reject, defer. Lookup-table
 * restrictions (check_*_access), DNS-based ones (reject_unknown_*,
 * reject_rbl_client) and policy services are accepted and skipped (XXX
 * not simulated); an unknown name is a server configuration error, as in
 * Postfix. Reply texts are Postfix's, see reference/replies-catalogue.txt.
 *
 * The module takes values, not a struct conf, so that it can be tested
 * on its own; smtp_server.c feeds it from the host's main.cf. It never
 * writes a log: a verdict carries the warning Postfix would log.
 */
#ifndef MAILLAB_SMTPD_POLICY_H
#define MAILLAB_SMTPD_POLICY_H

#include "lib/err.h"

/* Parameter values as conf_get() returns them (expanded). */
struct smtpd_policy_params {
	const char *myhostname;			/* "centos.localdomain" */
	const char *myorigin;			/* resolved: "centos.localdomain" */
	const char *mydomain;			/* "localdomain" */
	const char *mydestination;		/* "centos.localdomain, localhost.localdomain, localhost" */
	const char *relay_domains;		/* "" */
	const char *mynetworks;			/* "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128" */
	const char *inet_interfaces;		/* "loopback-only", "all", addresses */
	const char *proxy_interfaces;		/* "" */
	const char *host_addr;			/* the host's own IP, for "all" */
	const char *relay_restrictions;		/* smtpd_relay_restrictions */
	const char *recipient_restrictions;	/* smtpd_recipient_restrictions */
	const char *sender_restrictions;	/* smtpd_sender_restrictions */
	const char *local_recipient_maps;	/* "proxy:unix:passwd.byname hash:/etc/aliases" */
	const char *recipient_delimiter;	/* "+" */
	int reject_unlisted_recipient;		/* smtpd_reject_unlisted_recipient */
	int append_dot_mydomain;
	/* lookups; names arrive in lower case */
	int (*has_user)(void *ctx, const char *name);	/* passwd.byname */
	int (*has_alias)(void *ctx, const char *name);	/* alias_maps */
	void *ctx;
};

/* Where an address goes, as trivial-rewrite resolves it. */
enum smtpd_policy_class {
	SMTPD_POLICY_LOCAL,	/* mydestination, our interfaces */
	SMTPD_POLICY_RELAY,	/* relay_domains */
	SMTPD_POLICY_REMOTE,	/* anything else: default_transport */
};

struct smtpd_policy_client {
	const char *addr;		/* "127.0.0.1" */
	int sasl_authenticated;
};

/*
 * A decision. code 0: accept (the engine says 250 2.1.5 Ok / 252 2.0.0).
 * Otherwise "code text" is the reply line, e.g. 550 and
 * "5.1.1 <nosuchuser>: Recipient address rejected: User unknown in local
 * recipient table". log, when not empty, is a warning smtpd logs
 * ("warning: unknown smtpd restriction: \"foo\"").
 */
struct smtpd_policy_reply {
	int code;
	char text[600];
	char log[600];
};

struct smtpd_policy;

/*
 * Copies and parses the values. A bad mynetworks entry, or restriction
 * lists that could make an open relay, fill e (the text Postfix logs) and
 * return a policy anyway; *fatal_out (may be NULL) is set for the latter:
 * every RCPT then gets "451 4.3.5 Server configuration error".
 */
struct smtpd_policy *smtpd_policy_new(const struct smtpd_policy_params *p,
				      int *fatal_out, struct err *e);
void smtpd_policy_free(struct smtpd_policy **pp);

/* addr is the address as the client gave it, without <>; "" = null. */
void smtpd_policy_rcpt(const struct smtpd_policy *p,
		       const struct smtpd_policy_client *c, const char *addr,
		       struct smtpd_policy_reply *out);
void smtpd_policy_vrfy(const struct smtpd_policy *p,
		       const struct smtpd_policy_client *c, const char *addr,
		       struct smtpd_policy_reply *out);
void smtpd_policy_mail(const struct smtpd_policy *p,
		       const struct smtpd_policy_client *c, const char *addr,
		       struct smtpd_policy_reply *out);

/* The class of an address (bare names are qualified with myorigin). */
enum smtpd_policy_class smtpd_policy_classify(const struct smtpd_policy *p,
					      const char *addr);
/* 1 if a local address is in the local recipient table (or there is no
 * table); 1 for non-local addresses too. */
int smtpd_policy_known_local(const struct smtpd_policy *p, const char *addr);

const char *smtpd_policy_class_name(enum smtpd_policy_class c);

#endif
