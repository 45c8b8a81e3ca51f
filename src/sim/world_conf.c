/*
 * world_conf: the world.conf parser (format: docs/world.md). One
 * declaration per line, "keyword arguments...", '#' comments, "key=value"
 * options whose value may be quoted ("gecos=\"Bob B.\""). Errors name the
 * file and line, as Postfix does for main.cf.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cidr.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "sim/world.h"

#define MAX_TOKENS 16

struct line {
	const char *file;
	int no;
	char *tok[MAX_TOKENS];
	int ntok;
};

static int line_err(struct err *e, const struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int line_err(struct err *e, const struct line *l, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return err_set(e, 0, _("%s, line %d: %s"), l->file, l->no, what);
}

/* Splits one line into tokens; quotes group, '#' outside quotes ends it. */
static int tokenize(struct line *l, const char *s, struct err *e)
{
	struct buf_tok {
		char *p;
		size_t n, cap;
	} t;

	l->ntok = 0;
	for (;;) {
		int quoted = 0;

		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == 0 || *s == '#')
			return 0;
		if (l->ntok == MAX_TOKENS)
			return line_err(e, l, _("too many words"));
		t.cap = strlen(s) + 1;
		t.p = xmalloc(t.cap);
		t.n = 0;
		while (*s != 0 && (quoted || (*s != ' ' && *s != '\t' && *s != '\r'))) {
			if (*s == '"') {
				quoted = !quoted;
				s++;
				continue;
			}
			t.p[t.n++] = *s++;
		}
		t.p[t.n] = 0;
		l->tok[l->ntok++] = t.p;
		if (quoted)
			return line_err(e, l, _("missing closing quote"));
	}
}

static void line_free(struct line *l)
{
	int i;

	for (i = 0; i < l->ntok; i++)
		free(l->tok[i]);
	l->ntok = 0;
}

static int valid_hostname(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-' || s[n - 1] == '.')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.')
			return 0;
	return 1;
}

static int valid_username(const char *s)
{
	if (!(islower((unsigned char)*s) || *s == '_'))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s)
		    && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

static int find_host(const struct world *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->nhosts; i++)
		if (strcasecmp(w->hosts[i], name) == 0)
			return (int)i;
	return -1;
}

static int parse_num(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s == 0 || !isdigit((unsigned char)*s))
		return 0;
	v = strtol(s, &end, 10);
	if (*end != 0 || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

static const char *const maincf_templates[] = { "internet-site", "as-captured", NULL };

static int kw_world(struct world *w, struct line *l, struct err *e)
{
	if (l->ntok != 2)
		return line_err(e, l, _("usage: world NAME"));
	if (w->name != NULL)
		return line_err(e, l, _("the world is named twice"));
	w->name = xstrdup(l->tok[1]);
	return 0;
}

static int kw_host(struct world *w, struct line *l, struct err *e)
{
	struct world_hostdef d;
	unsigned char a[16];
	int i;

	if (l->ntok < 3)
		return line_err(e, l, _("usage: host NAME ADDRESS [main.cf=TEMPLATE] [mailname=NAME]"));
	if (!valid_hostname(l->tok[1]))
		return line_err(e, l, _("bad host name \"%s\""), l->tok[1]);
	if (find_host(w, l->tok[1]) >= 0)
		return line_err(e, l, _("host \"%s\" is declared twice"), l->tok[1]);
	if (!cidr_addr_parse(l->tok[2], a) || strchr(l->tok[2], '/') != NULL)
		return line_err(e, l, _("bad IP address \"%s\""), l->tok[2]);
	memset(&d, 0, sizeof(d));
	d.line = l->no;
	for (i = 3; i < l->ntok; i++) {
		const char *t = l->tok[i];

		if (strncmp(t, "main.cf=", 8) == 0) {
			size_t k;

			for (k = 0; maincf_templates[k] != NULL; k++)
				if (strcmp(t + 8, maincf_templates[k]) == 0)
					break;
			if (maincf_templates[k] == NULL)
				return line_err(e, l, _("unknown main.cf template \"%s\" (known: internet-site, as-captured)"), t + 8);
			free(d.maincf);
			d.maincf = xstrdup(t + 8);
		} else if (strncmp(t, "mailname=", 9) == 0 && valid_hostname(t + 9)) {
			free(d.mailname);
			d.mailname = xstrdup(t + 9);
		} else {
			free(d.maincf);
			free(d.mailname);
			return line_err(e, l, _("unknown host option \"%s\""), t);
		}
	}
	d.name = xstrdup(l->tok[1]);
	d.addr = xstrdup(l->tok[2]);
	if (d.maincf == NULL)
		d.maincf = xstrdup("internet-site");
	w->hosts = xrealloc(w->hosts, (w->nhosts + 1) * sizeof(*w->hosts));
	w->hostdefs = xrealloc(w->hostdefs, (w->nhosts + 1) * sizeof(*w->hostdefs));
	w->hosts[w->nhosts] = xstrdup(d.name);
	w->hostdefs[w->nhosts] = d;
	w->nhosts++;
	return 0;
}

static int kw_domain(struct world *w, struct line *l, struct err *e)
{
	size_t i;

	if (l->ntok != 3)
		return line_err(e, l, _("usage: domain NAME HOST"));
	if (!valid_hostname(l->tok[1]))
		return line_err(e, l, _("bad domain name \"%s\""), l->tok[1]);
	for (i = 0; i < w->ndomains; i++)
		if (strcasecmp(w->domains[i].name, l->tok[1]) == 0)
			return line_err(e, l, _("domain \"%s\" is declared twice"), l->tok[1]);
	if (find_host(w, l->tok[2]) < 0)
		return line_err(e, l, _("domain \"%s\": no host \"%s\" (declare it with a host line first)"),
				l->tok[1], l->tok[2]);
	w->domains = xrealloc(w->domains, (w->ndomains + 1) * sizeof(*w->domains));
	w->domains[w->ndomains].name = xstrdup(l->tok[1]);
	w->domains[w->ndomains].host = xstrdup(l->tok[2]);
	w->ndomains++;
	return 0;
}

/* "user NAME@HOST PASSWORD [opts]" and "system NAME@HOST [opts]". */
static int kw_user(struct world *w, struct line *l, struct err *e, int sys)
{
	struct world_user u;
	char *at;
	int i, first_opt = sys ? 2 : 3;
	size_t k, nsame = 0;
	long uid = -1, gid = -1;

	if (l->ntok < first_opt)
		return line_err(e, l, sys ? _("usage: system NAME@HOST [uid=N] [gid=N] [home=DIR] [shell=PATH] [gecos=TEXT]")
				: _("usage: user NAME@HOST PASSWORD [uid=N] [gid=N] [home=DIR] [shell=PATH] [gecos=TEXT]"));
	at = strchr(l->tok[1], '@');
	if (at == NULL)
		return line_err(e, l, _("\"%s\": write the account as NAME@HOST"), l->tok[1]);
	*at = 0;
	if (!valid_username(l->tok[1]))
		return line_err(e, l, _("bad user name \"%s\" (lower case letters, digits, _ - .)"), l->tok[1]);
	if (find_host(w, at + 1) < 0)
		return line_err(e, l, _("user \"%s\": no host \"%s\" (declare it with a host line first)"),
				l->tok[1], at + 1);
	for (k = 0; k < w->nusers; k++) {
		if (strcasecmp(w->users[k].host, at + 1) != 0)
			continue;
		if (strcmp(w->users[k].name, l->tok[1]) == 0)
			return line_err(e, l, _("user \"%s\" is declared twice on %s"), l->tok[1], at + 1);
		if (!w->users[k].system && w->users[k].uid != 0)
			nsame++;
	}
	if (!sys && (l->tok[2][0] == 0 || strchr(l->tok[2], ':') != NULL))
		return line_err(e, l, _("user \"%s\": the password must not be empty or contain ':'"), l->tok[1]);
	memset(&u, 0, sizeof(u));
	for (i = first_opt; i < l->ntok; i++) {
		char *t = l->tok[i];
		char **field = NULL;

		if (strncmp(t, "uid=", 4) == 0) {
			if (!parse_num(t + 4, 0, 4294967294L, &uid))
				goto bad_opt;
		} else if (strncmp(t, "gid=", 4) == 0) {
			if (!parse_num(t + 4, 0, 4294967294L, &gid))
				goto bad_opt;
		} else if (strncmp(t, "home=", 5) == 0 && t[5] == '/') {
			field = &u.home;
		} else if (strncmp(t, "shell=", 6) == 0 && t[6] == '/') {
			field = &u.shell;
		} else if (strncmp(t, "gecos=", 6) == 0) {
			field = &u.gecos;
		} else {
			goto bad_opt;
		}
		if (field != NULL) {
			const char *v = strchr(t, '=') + 1;

			if (strchr(v, ':') != NULL || strchr(v, '\n') != NULL)
				goto bad_opt;
			free(*field);
			*field = xstrdup(v);
		}
		continue;
bad_opt:
		free(u.home);
		free(u.shell);
		free(u.gecos);
		return line_err(e, l, _("bad option \"%s\""), t);
	}
	u.name = xstrdup(l->tok[1]);
	u.host = xstrdup(w->hosts[find_host(w, at + 1)]);
	u.password = sys ? NULL : xstrdup(l->tok[2]);
	u.system = sys;
	u.line = l->no;
	if (strcmp(u.name, "root") == 0) {
		u.uid = uid >= 0 ? (int)uid : 0;
		u.gid = gid >= 0 ? (int)gid : 0;
		if (u.home == NULL)
			u.home = xstrdup("/root");
	} else {
		/* useradd's first free uid on Debian is 1000 */
		u.uid = uid >= 0 ? (int)uid : (sys ? 999 - (int)nsame : 1000 + (int)nsame);
		u.gid = gid >= 0 ? (int)gid : u.uid;
		if (u.home == NULL)
			u.home = sys ? xstrdup("/nonexistent") : xasprintf("/home/%s", u.name);
	}
	if (u.shell == NULL)
		u.shell = xstrdup(sys ? "/usr/sbin/nologin" : "/bin/bash");
	if (u.gecos == NULL)
		u.gecos = xstrdup(strcmp(u.name, "root") == 0 ? "root" : "");
	w->users = xrealloc(w->users, (w->nusers + 1) * sizeof(*w->users));
	w->users[w->nusers++] = u;
	return 0;
}

static int kw_dns(struct world *w, struct line *l, struct err *e)
{
	struct world_dns d;
	unsigned char a[16];
	long pref = 0;
	const char *type;
	const char *value;

	if (l->ntok < 4)
		return line_err(e, l, _("usage: dns NAME TYPE [PREFERENCE] VALUE"));
	if (!valid_hostname(l->tok[1]))
		return line_err(e, l, _("bad DNS name \"%s\""), l->tok[1]);
	type = l->tok[2];
	if (strcasecmp(type, "MX") == 0) {
		if (l->ntok != 5 || !parse_num(l->tok[3], 0, 65535, &pref))
			return line_err(e, l, _("usage: dns NAME MX PREFERENCE HOST"));
		value = l->tok[4];
		if (!valid_hostname(value))
			return line_err(e, l, _("bad MX host \"%s\""), value);
		type = "MX";
	} else if (strcasecmp(type, "A") == 0 || strcasecmp(type, "AAAA") == 0) {
		int v6 = strcasecmp(type, "AAAA") == 0;

		if (l->ntok != 4)
			return line_err(e, l, _("usage: dns NAME %s ADDRESS"), v6 ? "AAAA" : "A");
		value = l->tok[3];
		if (!cidr_addr_parse(value, a) || (strchr(value, ':') != NULL) != v6
		    || strchr(value, '[') != NULL)
			return line_err(e, l, _("bad %s address \"%s\""), v6 ? "AAAA" : "A", value);
		type = v6 ? "AAAA" : "A";
	} else {
		return line_err(e, l, _("unknown DNS record type \"%s\" (known: MX, A, AAAA)"), type);
	}
	d.name = xstrdup(l->tok[1]);
	d.type = xstrdup(type);
	d.pref = (int)pref;
	d.value = xstrdup(value);
	w->dns = xrealloc(w->dns, (w->ndns + 1) * sizeof(*w->dns));
	w->dns[w->ndns++] = d;
	return 0;
}

int world_conf_parse(struct world *w, const char *name, const char *text,
		     struct err *e)
{
	struct line l;
	const char *p = text;
	int rc = 0;

	memset(&l, 0, sizeof(l));
	l.file = name;
	while (*p != 0 && rc == 0) {
		size_t n = strcspn(p, "\n");
		char *s = xstrndup(p, n);

		l.no++;
		p += n + (p[n] == '\n');
		rc = tokenize(&l, s, e);
		free(s);
		if (rc == 0 && l.ntok > 0) {
			const char *kw = l.tok[0];

			if (strcmp(kw, "world") == 0)
				rc = kw_world(w, &l, e);
			else if (strcmp(kw, "host") == 0)
				rc = kw_host(w, &l, e);
			else if (strcmp(kw, "domain") == 0)
				rc = kw_domain(w, &l, e);
			else if (strcmp(kw, "user") == 0)
				rc = kw_user(w, &l, e, 0);
			else if (strcmp(kw, "system") == 0)
				rc = kw_user(w, &l, e, 1);
			else if (strcmp(kw, "dns") == 0)
				rc = kw_dns(w, &l, e);
			else
				rc = line_err(e, &l, _("unknown keyword \"%s\" (expected world, host, domain, user, system or dns)"), kw);
		}
		line_free(&l);
	}
	if (rc == 0 && w->nhosts == 0)
		rc = err_set(e, 0, _("%s: no host is declared (a world needs at least one \"host\" line)"), name);
	if (rc == 0 && w->name == NULL)
		w->name = xstrdup("unnamed");
	return rc;
}
