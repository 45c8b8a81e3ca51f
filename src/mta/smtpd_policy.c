/*
 * smtpd_policy: smtpd's access decisions. See smtpd_policy.h.
 */
#include "mta/smtpd_policy.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cidr.h"
#include "lib/xalloc.h"
#include "mta/rewrite.h"

struct smtpd_policy {
	char *myorigin, *mydomain;
	char **mydestination;		/* lower case */
	char **relay_domains;
	char **interfaces;		/* our addresses, for [1.2.3.4] literals */
	char **relay_restr, **rcpt_restr, **sender_restr;
	struct cidr_list mynetworks;
	int check_passwd, check_aliases, check_local;
	char *delimiter;
	int reject_unlisted;
	int append_dot;
	int fatal;
	int (*has_user)(void *, const char *);
	int (*has_alias)(void *, const char *);
	void *ctx;
};

/* Postfix's reply codes (postconf -d): reject_code, defer_code, ... */
#define REJECT_CODE		554
#define DEFER_CODE		450
#define RELAY_CODE		554
#define UNKNOWN_LOCAL_CODE	550
#define NON_FQDN_CODE		504

enum verdict {
	V_DUNNO,	/* go on with the next restriction */
	V_PERMIT,
	V_REJECT,	/* reply filled in */
};

/* Splits on white space and commas, as Postfix splits list parameters. */
static char **split(const char *v, int lower)
{
	char **out = xcalloc(1, sizeof(*out));
	size_t n = 0;

	while (v != NULL && *v != 0) {
		size_t len;

		v += strspn(v, " \t\r\n,");
		len = strcspn(v, " \t\r\n,");
		if (len == 0)
			break;
		out = xrealloc(out, (n + 2) * sizeof(*out));
		out[n] = xstrndup(v, len);
		if (lower) {
			char *s;

			for (s = out[n]; *s; s++)
				*s = (char)tolower((unsigned char)*s);
		}
		out[++n] = NULL;
		v += len;
	}
	return out;
}

static void vec_free(char ***vp)
{
	char **v = *vp;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
	*vp = NULL;
}

static int vec_has(char **v, const char *s)
{
	for (; *v; v++)
		if (strcasecmp(*v, s) == 0)
			return 1;
	return 0;
}

/* The restrictions that make relay control work (smtpd_check_init). */
static int has_required(char **v)
{
	static const char *const req[] = {
		"reject_unauth_destination", "defer_unauth_destination",
		"reject", "defer", "defer_if_permit", "check_relay_domains", NULL,
	};
	size_t i;

	for (i = 0; req[i]; i++)
		if (vec_has(v, req[i]))
			return 1;
	return 0;
}

struct smtpd_policy *smtpd_policy_new(const struct smtpd_policy_params *p,
				      int *fatal_out, struct err *e)
{
	struct smtpd_policy *pol = xcalloc(1, sizeof(*pol));
	const char *ifs = p->inet_interfaces ? p->inet_interfaces : "all";
	char **maps, **m;
	char *ifbuf;

	pol->myorigin = xstrdup(p->myorigin ? p->myorigin : p->myhostname);
	pol->mydomain = xstrdup(p->mydomain ? p->mydomain : "");
	pol->mydestination = split(p->mydestination, 1);
	pol->relay_domains = split(p->relay_domains, 1);
	pol->relay_restr = split(p->relay_restrictions, 0);
	pol->rcpt_restr = split(p->recipient_restrictions, 0);
	pol->sender_restr = split(p->sender_restrictions, 0);
	pol->delimiter = xstrdup(p->recipient_delimiter ? p->recipient_delimiter : "");
	pol->reject_unlisted = p->reject_unlisted_recipient;
	pol->append_dot = p->append_dot_mydomain;
	pol->has_user = p->has_user;
	pol->has_alias = p->has_alias;
	pol->ctx = p->ctx;

	/* Our own addresses: user@[127.0.0.1] is local mail. */
	if (strcasecmp(ifs, "all") == 0)
		ifbuf = xasprintf("127.0.0.1 ::1 %s %s", p->host_addr ? p->host_addr : "",
				p->proxy_interfaces ? p->proxy_interfaces : "");
	else if (strcasecmp(ifs, "loopback-only") == 0)
		ifbuf = xasprintf("127.0.0.1 ::1 %s", p->proxy_interfaces ? p->proxy_interfaces : "");
	else
		ifbuf = xasprintf("%s %s", ifs, p->proxy_interfaces ? p->proxy_interfaces : "");
	pol->interfaces = split(ifbuf, 1);
	free(ifbuf);
	for (m = pol->interfaces; *m; m++) {
		/* "localhost" as an interface name */
		if (strcmp(*m, "localhost") == 0) {
			free(*m);
			*m = xstrdup("127.0.0.1");
		}
	}

	/* local_recipient_maps: which of our two tables it names */
	maps = split(p->local_recipient_maps, 0);
	for (m = maps; *m; m++) {
		size_t len = strlen(*m);

		pol->check_local = 1;
		if (len >= 13 && strcmp(*m + len - 13, "passwd.byname") == 0)
			pol->check_passwd = 1;
		else if (len >= 7 && strcmp(*m + len - 7, "aliases") == 0)
			pol->check_aliases = 1;
		/* XXX other tables (virtual, hash:/etc/postfix/x) not simulated */
	}
	vec_free(&maps);

	cidr_list_init(&pol->mynetworks);
	if (fatal_out != NULL)
		*fatal_out = 0;
	if (cidr_list_parse(&pol->mynetworks, p->mynetworks ? p->mynetworks : "", e) != 0) {
		char *tmp = xstrdup(e->text);

		err_set(e, 0, "mynetworks: %.900s", tmp);
		free(tmp);
	}
	if (!has_required(pol->relay_restr) && !has_required(pol->rcpt_restr)) {
		pol->fatal = 1;
		if (fatal_out != NULL)
			*fatal_out = 1;
		err_set(e, 0, "in parameter smtpd_relay_restrictions or "
			"smtpd_recipient_restrictions, specify at least one working "
			"instance of: reject_unauth_destination, defer_unauth_destination, "
			"reject, defer, defer_if_permit or check_relay_domains");
	}
	return pol;
}

void smtpd_policy_free(struct smtpd_policy **pp)
{
	struct smtpd_policy *p = *pp;

	if (p == NULL)
		return;
	free(p->myorigin);
	free(p->mydomain);
	vec_free(&p->mydestination);
	vec_free(&p->relay_domains);
	vec_free(&p->interfaces);
	vec_free(&p->relay_restr);
	vec_free(&p->rcpt_restr);
	vec_free(&p->sender_restr);
	cidr_list_reset(&p->mynetworks);
	free(p->delimiter);
	free(p);
	*pp = NULL;
}

const char *smtpd_policy_class_name(enum smtpd_policy_class c)
{
	static const char *const names[] = { "local", "relay", "remote" };

	return (size_t)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

/* The canonical address in lower case; caller frees. */
static char *canonical_lower(const struct smtpd_policy *p, const char *addr)
{
	char *c = rewrite_canonical(addr, p->myorigin, p->mydomain, p->append_dot);
	char *s;

	for (s = c; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	/* a trailing dot is the DNS root: "b.example." is b.example */
	if (s > c && s[-1] == '.')
		s[-1] = 0;
	return c;
}

/* relay_domains matches the domain and its subdomains
 * (parent_domain_matches_subdomains includes relay_domains). */
static int relay_match(char **list, const char *dom)
{
	for (; *list; list++) {
		const char *pat = **list == '.' ? *list + 1 : *list;
		size_t lp = strlen(pat), ld = strlen(dom);

		if (strchr(pat, ':') != NULL || *pat == '/')
			continue;	/* XXX tables not simulated */
		if (strcmp(dom, pat) == 0)
			return 1;
		if (ld > lp && dom[ld - lp - 1] == '.' && strcmp(dom + ld - lp, pat) == 0)
			return 1;
	}
	return 0;
}

enum smtpd_policy_class smtpd_policy_classify(const struct smtpd_policy *p,
					      const char *addr)
{
	char *c = canonical_lower(p, addr);
	const char *dom = rewrite_domain(c);
	enum smtpd_policy_class cl = SMTPD_POLICY_REMOTE;

	if (dom == NULL || *dom == 0) {
		cl = SMTPD_POLICY_LOCAL;
	} else if (dom[0] == '[') {
		/* an address literal is local when it is one of ours */
		size_t n = strlen(dom);
		char *a = xstrndup(dom + 1, n >= 2 ? n - 2 : 0);
		char **i;

		if (strncasecmp(a, "ipv6:", 5) == 0)
			memmove(a, a + 5, strlen(a + 5) + 1);
		for (i = p->interfaces; *i; i++) {
			unsigned char x[16], y[16];

			if (cidr_addr_parse(a, x) && cidr_addr_parse(*i, y)
			    && memcmp(x, y, 16) == 0)
				cl = SMTPD_POLICY_LOCAL;
		}
		free(a);
	} else if (vec_has(p->mydestination, dom)) {
		cl = SMTPD_POLICY_LOCAL;
	} else if (relay_match(p->relay_domains, dom)) {
		cl = SMTPD_POLICY_RELAY;
	}
	free(c);
	return cl;
}

/* Looks up one local part in the tables local_recipient_maps names. */
static int lookup_local(const struct smtpd_policy *p, const char *lp)
{
	if (p->check_passwd && p->has_user != NULL && p->has_user(p->ctx, lp))
		return 1;
	if (p->check_aliases && p->has_alias != NULL && p->has_alias(p->ctx, lp))
		return 1;
	return 0;
}

int smtpd_policy_known_local(const struct smtpd_policy *p, const char *addr)
{
	char *c, *at, *d;
	int found;

	if (!p->check_local || smtpd_policy_classify(p, addr) != SMTPD_POLICY_LOCAL)
		return 1;
	c = canonical_lower(p, addr);
	at = strrchr(c, '@');
	if (at != NULL)
		*at = 0;
	found = lookup_local(p, c);
	/* wees+ext: the table is asked for "wees+ext", then for "wees" */
	if (!found && *p->delimiter != 0 && (d = c + strcspn(c, p->delimiter)) != c
	    && *d != 0) {
		*d = 0;
		found = lookup_local(p, c);
	}
	free(c);
	return found;
}

static void reply(struct smtpd_policy_reply *out, int code, const char *dsn,
		  const char *addr, const char *what)
{
	out->code = code;
	snprintf(out->text, sizeof(out->text), "%s <%s>: %s", dsn, addr, what);
}

static void unknown_local(struct smtpd_policy_reply *out, const char *addr)
{
	reply(out, UNKNOWN_LOCAL_CODE, "5.1.1", addr,
	      "Recipient address rejected: User unknown in local recipient table");
}

static void config_error(struct smtpd_policy_reply *out)
{
	out->code = 451;
	snprintf(out->text, sizeof(out->text), "4.3.5 Server configuration error");
}

/* Restrictions that do not apply here or need lookups we do not have. */
static int skipped(const char *name)
{
	static const char *const prefixes[] = {
		"check_", "reject_unknown_", "reject_rbl", "reject_rhsbl",
		"permit_dnswl", "permit_rhswl", "reject_invalid_", "reject_unverified_",
		"reject_non_fqdn_sender", "reject_non_fqdn_helo", "reject_unauth_pipelining",
		"reject_multi_recipient_bounce", "reject_plaintext_session",
		"reject_sender_login_mismatch", "reject_unlisted_sender",
		"permit_tls_", "warn_if_reject", "sleep", "reject_known_sender_login_mismatch",
		"reject_authenticated_sender_login_mismatch", "permit_mx_backup",
		"defer_if_permit", "defer_if_reject", NULL,
	};
	size_t i;

	for (i = 0; prefixes[i]; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/*
 * One restriction list, as generic_checks() walks it. reply_class is
 * "Recipient address" or "Sender address".
 */
static enum verdict run_list(const struct smtpd_policy *p, char **list,
			     const struct smtpd_policy_client *c,
			     const char *addr, const char *reply_class,
			     struct smtpd_policy_reply *out)
{
	char what[200];
	int rcpt = strcmp(reply_class, "Recipient address") == 0;

	for (; *list; list++) {
		const char *r = *list;

		if (strcmp(r, "permit_mynetworks") == 0) {
			if (c->addr != NULL && cidr_list_match(&p->mynetworks, c->addr))
				return V_PERMIT;
		} else if (strcmp(r, "permit_sasl_authenticated") == 0) {
			if (c->sasl_authenticated)
				return V_PERMIT;
		} else if (strcmp(r, "permit") == 0) {
			return V_PERMIT;
		} else if (strcmp(r, "reject") == 0) {
			snprintf(what, sizeof(what), "%s rejected: Access denied", reply_class);
			reply(out, REJECT_CODE, "5.7.1", addr, what);
			return V_REJECT;
		} else if (strcmp(r, "defer") == 0) {
			snprintf(what, sizeof(what), "%s rejected: Try again later", reply_class);
			reply(out, DEFER_CODE, "4.3.2", addr, what);
			return V_REJECT;
		} else if (rcpt && strcmp(r, "permit_auth_destination") == 0) {
			if (smtpd_policy_classify(p, addr) != SMTPD_POLICY_REMOTE)
				return V_PERMIT;
		} else if (rcpt && strcmp(r, "reject_unauth_destination") == 0) {
			if (smtpd_policy_classify(p, addr) == SMTPD_POLICY_REMOTE) {
				reply(out, RELAY_CODE, "5.7.1", addr, "Relay access denied");
				return V_REJECT;
			}
		} else if (rcpt && strcmp(r, "defer_unauth_destination") == 0) {
			/* reference/transcripts/smtp/04e: 454 4.7.1 */
			if (smtpd_policy_classify(p, addr) == SMTPD_POLICY_REMOTE) {
				reply(out, RELAY_CODE - 100, "4.7.1", addr, "Relay access denied");
				return V_REJECT;
			}
		} else if (rcpt && strcmp(r, "reject_unlisted_recipient") == 0) {
			if (!smtpd_policy_known_local(p, addr)) {
				unknown_local(out, addr);
				return V_REJECT;
			}
		} else if (rcpt && strcmp(r, "reject_non_fqdn_recipient") == 0) {
			const char *d = rewrite_domain(addr);

			if (*addr != 0 && (d == NULL || (strchr(d, '.') == NULL && d[0] != '['))) {
				snprintf(what, sizeof(what), "%s rejected: need fully-qualified address",
					 reply_class);
				reply(out, NON_FQDN_CODE, "5.5.2", addr, what);
				return V_REJECT;
			}
		} else if (skipped(r) || strchr(r, ':') != NULL) {
			/* XXX not simulated: treated as "dunno" */
		} else {
			snprintf(out->log, sizeof(out->log),
				 "warning: unknown smtpd restriction: \"%s\"", r);
			config_error(out);
			return V_REJECT;
		}
	}
	return V_DUNNO;
}

static void clear(struct smtpd_policy_reply *out)
{
	out->code = 0;
	out->text[0] = 0;
	out->log[0] = 0;
}

void smtpd_policy_rcpt(const struct smtpd_policy *p,
		       const struct smtpd_policy_client *c, const char *addr,
		       struct smtpd_policy_reply *out)
{
	clear(out);
	if (p->fatal) {
		config_error(out);
		return;
	}
	/*
	 * Postfix 2.10+: the relay restrictions first; a "permit" there only
	 * ends that list. Then the recipient restrictions. Then, unless
	 * rejected already, smtpd_reject_unlisted_recipient (so a client in
	 * mynetworks still gets "User unknown", reference smtp/04b).
	 */
	if (run_list(p, p->relay_restr, c, addr, "Recipient address", out) == V_REJECT)
		return;
	if (run_list(p, p->rcpt_restr, c, addr, "Recipient address", out) == V_REJECT)
		return;
	if (p->reject_unlisted && !smtpd_policy_known_local(p, addr))
		unknown_local(out, addr);
}

void smtpd_policy_vrfy(const struct smtpd_policy *p,
		       const struct smtpd_policy_client *c, const char *addr,
		       struct smtpd_policy_reply *out)
{
	size_t n = strlen(addr);
	char *a;

	(void)c;
	clear(out);
	/* VRFY <wees@x>: the brackets are not part of the address */
	a = (n >= 2 && addr[0] == '<' && addr[n - 1] == '>')
		? xstrndup(addr + 1, n - 2) : xstrdup(addr);
	if (p->reject_unlisted && !smtpd_policy_known_local(p, a))
		unknown_local(out, a);
	free(a);
}

void smtpd_policy_mail(const struct smtpd_policy *p,
		       const struct smtpd_policy_client *c, const char *addr,
		       struct smtpd_policy_reply *out)
{
	clear(out);
	(void)run_list(p, p->sender_restr, c, addr, "Sender address", out);
}
