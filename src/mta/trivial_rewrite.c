/*
 * trivial-rewrite: canonical form and address resolution. See
 * trivial_rewrite.h; the reading of main.cf is in trivial_rewrite_conf.c.
 */
#include "mta/trivial_rewrite.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/trace.h"
#include "lib/xalloc.h"
#include "mta/host.h"

static const char *const class_names[] = {
	[TRIVIAL_REWRITE_CLASS_LOCAL] = "local",
	[TRIVIAL_REWRITE_CLASS_RELAY] = "relay",
	[TRIVIAL_REWRITE_CLASS_DEFAULT] = "default",
	[TRIVIAL_REWRITE_CLASS_ERROR] = "error",
};

const char *trivial_rewrite_class_name(enum trivial_rewrite_class k)
{
	return (size_t)k < ARRAY_LEN(class_names) ? class_names[k] : "?";
}

void trivial_rewrite_conf_init(struct trivial_rewrite_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->append_at_myorigin = 1;
}

static void free_list(char ***lp)
{
	char **l = *lp;
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; l[i] != NULL; i++)
		free(l[i]);
	free(l);
	*lp = NULL;
}

void trivial_rewrite_conf_reset(struct trivial_rewrite_conf *c)
{
	free(c->myhostname);
	free(c->mydomain);
	free(c->myorigin);
	free(c->remote_rewrite_domain);
	free_list(&c->mydestination);
	free_list(&c->relay_domains);
	free(c->relayhost);
	free(c->local_transport);
	free(c->relay_transport);
	free(c->default_transport);
	free(c->transport_maps);
	maps_table_reset(&c->transport);
	trivial_rewrite_conf_init(c);
}

void trivial_rewrite_result_reset(struct trivial_rewrite_result *r)
{
	free(r->transport);
	free(r->nexthop);
	free(r->recipient);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

static const char *nz(const char *s)
{
	return s != NULL ? s : "";
}

char *trivial_rewrite_canon(const struct trivial_rewrite_conf *c,
			    enum trivial_rewrite_ctx ctx, const char *addr)
{
	const char *at;
	char *out;
	size_t n;

	if (addr == NULL || addr[0] == '\0')
		return xstrdup("");
	at = strrchr(addr, '@');
	if (at == NULL) {
		const char *dom = ctx == TRIVIAL_REWRITE_LOCAL
				  ? (c->append_at_myorigin ? nz(c->myorigin) : "")
				  : nz(c->remote_rewrite_domain);

		if (dom[0] == '\0')
			return xstrdup(addr);
		return xasprintf("%s@%s", addr, dom);
	}
	/* "user@host" -> "user@host.$mydomain" (append_dot_mydomain). */
	if (ctx == TRIVIAL_REWRITE_LOCAL && c->append_dot_mydomain
	    && strchr(at + 1, '.') == NULL && at[1] != '[' && at[1] != '\0'
	    && nz(c->mydomain)[0] != '\0')
		return xasprintf("%s.%s", addr, c->mydomain);
	out = xstrdup(addr);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '.' && &out[n - 1] > strrchr(out, '@'))
		out[--n] = '\0';
	return out;
}

static int in_list(char *const *list, const char *domain, int parents)
{
	size_t i;

	if (list == NULL)
		return 0;
	for (i = 0; list[i] != NULL; i++) {
		const char *pat = list[i];
		size_t dl = strlen(domain), pl;

		if (pat[0] == '.') {
			pl = strlen(pat);
			if (dl > pl && strcasecmp(domain + dl - pl, pat) == 0)
				return 1;
			continue;
		}
		if (strcasecmp(pat, domain) == 0)
			return 1;
		/* parent_domain_matches_subdomains: "example.com" also
		 * matches "sub.example.com". */
		pl = strlen(pat);
		if (parents && dl > pl + 1 && domain[dl - pl - 1] == '.'
		    && strcasecmp(domain + dl - pl, pat) == 0)
			return 1;
	}
	return 0;
}

int trivial_rewrite_is_local_domain(const struct trivial_rewrite_conf *c,
				    const char *domain)
{
	return in_list(c->mydestination, domain, 0);
}

/* "smtp:[host]:25" -> transport "smtp", nexthop "[host]:25". The next hop
 * is everything after the first colon (it may have colons itself). */
static void split_transport(const char *v, char **transport, char **nexthop)
{
	const char *colon = strchr(v, ':');

	if (colon == NULL) {
		*transport = xstrdup(v);
		*nexthop = xstrdup("");
	} else {
		*transport = xstrndup(v, (size_t)(colon - v));
		*nexthop = xstrdup(colon + 1);
	}
}

/* transport_maps, in transport(5)'s order. 1 found, 0 not, -1 error. */
static int transport_lookup(const struct trivial_rewrite_conf *c,
			    const char *addr, const char *domain,
			    char **value_out, char **error_out)
{
	const char *keys[64];
	size_t nkeys = 0, i;
	const char *p;
	int rc = 0;

	*value_out = NULL;
	keys[nkeys++] = addr;
	if (domain[0] != '\0') {
		keys[nkeys++] = domain;
		for (p = strchr(domain, '.'); p != NULL && nkeys < 62;
		     p = strchr(p + 1, '.'))
			keys[nkeys++] = p;	/* ".example.com" */
	}
	keys[nkeys++] = "*";
	for (i = 0; i < nkeys && rc == 0; i++) {
		const char *v = maps_table_get(&c->transport, keys[i]);

		if (v != NULL) {
			*value_out = xstrdup(v);
			rc = 1;
			break;
		}
		if (c->transport_maps != NULL && c->transport_maps[0] != '\0'
		    && c->host != NULL) {
			struct err e;

			rc = maps_lookup_list(c->host, c->transport_maps, keys[i],
					      value_out, &e);
			if (rc < 0)
				*error_out = xstrdup(e.text);
		}
	}
	return rc;
}

/* The answer on the host's trace (see trivial_rewrite.h, "Tracing"). */
static void trace_resolve(const struct trivial_rewrite_conf *c,
			  const struct trivial_rewrite_result *r)
{
	struct trace_event ev;
	char *text;

	if (c->host == NULL || c->trace_time == 0)
		return;
	if (r->klass == TRIVIAL_REWRITE_CLASS_ERROR)
		text = xasprintf("%s: address class error: %s", r->recipient,
				 nz(r->error));
	else
		text = xasprintf("%s: address class %s -> %s:%s", r->recipient,
				 trivial_rewrite_class_name(r->klass),
				 nz(r->transport), nz(r->nexthop));
	memset(&ev, 0, sizeof(ev));
	ev.time = c->trace_time;
	ev.host = c->host->name;
	ev.process = "postfix/trivial-rewrite";
	ev.protocol = "resolve";
	ev.direction = TRACE_DIR_NONE;
	ev.text = text;
	trace_emit(&c->host->trace, &ev);
	free(text);
}

void trivial_rewrite_resolve(const struct trivial_rewrite_conf *c,
			     const char *addr,
			     struct trivial_rewrite_result *r)
{
	const char *at = strrchr(addr, '@');
	char *domain, *value = NULL, *error = NULL;
	const char *deflt;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	r->recipient = xstrdup(addr);
	domain = xstrdup(at != NULL ? at + 1 : "");
	for (i = 0; domain[i] != '\0'; i++)
		domain[i] = (char)tolower((unsigned char)domain[i]);
	if (i > 0 && domain[i - 1] == '.')
		domain[i - 1] = '\0';

	/* An address without a domain can only be local (Postfix resolves
	 * it with $myhostname as the next hop). */
	if (domain[0] == '\0' || in_list(c->mydestination, domain, 0)) {
		r->klass = TRIVIAL_REWRITE_CLASS_LOCAL;
		deflt = nz(c->local_transport)[0] ? c->local_transport : "local";
	} else if (in_list(c->relay_domains, domain, 1)) {
		r->klass = TRIVIAL_REWRITE_CLASS_RELAY;
		deflt = nz(c->relay_transport)[0] ? c->relay_transport : "relay";
	} else {
		r->klass = TRIVIAL_REWRITE_CLASS_DEFAULT;
		deflt = nz(c->default_transport)[0] ? c->default_transport : "smtp";
	}
	split_transport(deflt, &r->transport, &r->nexthop);
	if (r->nexthop[0] == '\0') {
		free(r->nexthop);
		if (r->klass == TRIVIAL_REWRITE_CLASS_LOCAL)
			r->nexthop = xstrdup(nz(c->myhostname));
		else if (nz(c->relayhost)[0] != '\0')
			r->nexthop = xstrdup(c->relayhost);
		else
			r->nexthop = xstrdup(domain);
	}

	rc = transport_lookup(c, addr, domain, &value, &error);
	if (rc < 0) {
		/* Postfix defers: "... is unavailable" (the table failed). */
		r->klass = TRIVIAL_REWRITE_CLASS_ERROR;
		r->error = error;
		error = NULL;
	} else if (rc > 0) {
		char *t, *nh;

		split_transport(value, &t, &nh);
		if (t[0] != '\0') {
			free(r->transport);
			r->transport = t;
		} else {
			free(t);
		}
		if (nh[0] != '\0') {
			free(r->nexthop);
			r->nexthop = nh;
		} else {
			free(nh);
		}
	}
	free(value);
	free(error);
	free(domain);
	trace_resolve(c, r);
}
