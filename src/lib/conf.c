/*
 * conf: storage of main.cf settings over the Postfix 3.7 defaults, the
 * main.cf parser (postconf(5), "SYNTAX") and the typed getters. Expansion
 * lives in conf_expand.c, the machine-dependent defaults in
 * conf_machine.c, the defaults table in conf_defaults.c.
 *
 * Every parameter is one entry in a hash table, made at conf_new() from the
 * table; a setting of an unknown name adds an entry that is not "known".
 * conf_get() caches each expansion; any change bumps c->gen, which makes
 * every cache stale at once.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_defaults.h"
#include "conf_int.h"
#include "xalloc.h"

/* ---- hash table ------------------------------------------------------ */

static size_t hash_name(const char *s)
{
	size_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

struct conf_ent *conf_ent_find(const struct conf *c, const char *name)
{
	size_t i = hash_name(name) & (c->cap - 1);

	while (c->slots[i] != NULL) {
		if (strcmp(c->slots[i]->name, name) == 0)
			return c->slots[i];
		i = (i + 1) & (c->cap - 1);
	}
	return NULL;
}

static void slot_put(struct conf *c, struct conf_ent *ent)
{
	size_t i = hash_name(ent->name) & (c->cap - 1);

	while (c->slots[i] != NULL)
		i = (i + 1) & (c->cap - 1);
	c->slots[i] = ent;
}

static struct conf_ent *ent_add(struct conf *c, const char *name)
{
	struct conf_ent *ent;

	if ((c->n + 1) * 2 > c->cap) {
		struct conf_ent **old = c->slots;
		size_t oldcap = c->cap, i;

		c->cap = c->cap ? c->cap * 2 : 2048;
		c->slots = xcalloc(c->cap, sizeof(*c->slots));
		for (i = 0; i < oldcap; i++)
			if (old[i] != NULL)
				slot_put(c, old[i]);
		free(old);
	}
	ent = xcalloc(1, sizeof(*ent));
	ent->name = xstrdup(name);
	slot_put(c, ent);
	c->n++;
	return ent;
}

static void ent_free(struct conf_ent *ent)
{
	free(ent->name);
	free(ent->def_own);
	free(ent->raw);
	free(ent->exp);
	free(ent->comp);
	free(ent);
}

/* Every change goes through here: caches and the defaults view go stale. */
static void changed(struct conf *c, int machine)
{
	c->gen++;
	if (machine && c->dview != NULL)
		conf_free(&c->dview);
}

/* ---- life cycle ------------------------------------------------------ */

struct conf *conf_new(void)
{
	struct conf *c = xcalloc(1, sizeof(*c));
	size_t i;

	c->gen = 1;
	for (i = 0; i < conf_ndefs; i++) {
		struct conf_ent *ent = ent_add(c, conf_defs[i].name);

		ent->def = conf_defs[i].value;
		ent->flags = conf_defs[i].flags;
		ent->known = 1;
	}
	return c;
}

static void free_vec(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void conf_free(struct conf **cp)
{
	struct conf *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++)
		if (c->slots[i] != NULL)
			ent_free(c->slots[i]);
	free(c->slots);
	free(c->hostname);
	free_vec(c->networks);
	for (i = 0; i < c->nservices; i++)
		free(c->services[i]);
	free(c->services);
	conf_free(&c->dview);
	free(c);
	*cp = NULL;
}

void conf_set_warn(struct conf *c,
		   void (*fn)(void *ctx, const char *text), void *ctx)
{
	c->warn = fn;
	c->warn_ctx = ctx;
}

void conf_warnf(const struct conf *c, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	if (c->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	c->warn(c->warn_ctx, text);
}

void conf_set_machine(struct conf *c, const char *hostname,
		      const char *const *networks)
{
	size_t n = 0, i;

	free(c->hostname);
	free_vec(c->networks);
	c->hostname = hostname ? xstrdup(hostname) : NULL;
	while (networks != NULL && networks[n] != NULL)
		n++;
	c->networks = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		c->networks[i] = xstrdup(networks[i]);
	if (networks == NULL) {
		free(c->networks);
		c->networks = NULL;
	}
	changed(c, 1);
}

/* ---- services (master.cf) ------------------------------------------- */

/*
 * The per-transport parameters postconf(1) adds for each master.cf service
 * run by a delivery agent; observed with Postfix 3.7.11 (`postconf -d` with
 * Debian's master.cf, reference/config/debian-default-master.cf): 16 queue
 * manager knobs, plus NAME_time_limit for pipe(8).
 */
static const struct {
	const char *suffix;
	const char *def;
} service_params[] = {
	{ "delivery_slot_cost", "$default_delivery_slot_cost" },
	{ "delivery_slot_discount", "$default_delivery_slot_discount" },
	{ "delivery_slot_loan", "$default_delivery_slot_loan" },
	{ "destination_concurrency_failed_cohort_limit", "$default_destination_concurrency_failed_cohort_limit" },
	{ "destination_concurrency_limit", "$default_destination_concurrency_limit" },
	{ "destination_concurrency_negative_feedback", "$default_destination_concurrency_negative_feedback" },
	{ "destination_concurrency_positive_feedback", "$default_destination_concurrency_positive_feedback" },
	{ "destination_rate_delay", "$default_destination_rate_delay" },
	{ "destination_recipient_limit", "$default_destination_recipient_limit" },
	{ "extra_recipient_limit", "$default_extra_recipient_limit" },
	{ "initial_destination_concurrency", "$initial_destination_concurrency" },
	{ "minimum_delivery_slots", "$default_minimum_delivery_slots" },
	{ "recipient_limit", "$default_recipient_limit" },
	{ "recipient_refill_delay", "$default_recipient_refill_delay" },
	{ "recipient_refill_limit", "$default_recipient_refill_limit" },
	{ "transport_rate_delay", "$default_transport_rate_delay" },
};

static const char *const delivery_agents[] = {
	"smtp", "lmtp", "local", "virtual", "pipe", "error",
};

static void add_service_param(struct conf *c, const char *service,
			      const char *suffix, const char *def)
{
	char *name = xasprintf("%s_%s", service, suffix);
	struct conf_ent *ent = conf_ent_find(c, name);

	if (ent == NULL)
		ent = ent_add(c, name);
	if (!ent->known) {
		ent->known = 1;
		ent->flags = CONF_DEF_SERVICE;
		ent->def_own = xstrdup(def);
		ent->def = ent->def_own;
	}
	free(name);
}

void conf_add_service(struct conf *c, const char *service,
		      const char *command)
{
	size_t i;
	int agent = 0;

	for (i = 0; i < ARRAY_LEN(delivery_agents); i++)
		if (strcmp(command, delivery_agents[i]) == 0)
			agent = 1;
	if (!agent)
		return;
	for (i = 0; i < ARRAY_LEN(service_params); i++)
		add_service_param(c, service, service_params[i].suffix,
				  service_params[i].def);
	if (strcmp(command, "pipe") == 0)
		add_service_param(c, service, "time_limit", "$command_time_limit");
	c->services = xrealloc(c->services,
			       (c->nservices + 1) * sizeof(char *));
	c->services[c->nservices++] = xasprintf("%s\n%s", service, command);
	changed(c, 1);
}

/* ---- settings -------------------------------------------------------- */

static void set_at(struct conf *c, const char *name, const char *value,
		   int line)
{
	struct conf_ent *ent = conf_ent_find(c, name);

	if (ent == NULL)
		ent = ent_add(c, name);
	free(ent->raw);
	ent->raw = xstrdup(value);
	ent->line = line;
	changed(c, 0);
}

void conf_set(struct conf *c, const char *name, const char *value)
{
	set_at(c, name, value, 0);
}

void conf_unset(struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);

	if (ent == NULL || ent->raw == NULL)
		return;
	free(ent->raw);
	ent->raw = NULL;
	ent->line = 0;
	changed(c, 0);
}

const char *conf_ent_value(struct conf *c, struct conf_ent *ent)
{
	if (ent->raw != NULL)
		return ent->raw;
	if (ent->flags & CONF_DEF_COMPUTED) {
		if (ent->comp == NULL || ent->comp_gen != c->gen) {
			char *v = conf_machine_value(c, ent);

			/* Computing may have re-entered and cached it too. */
			free(ent->comp);
			ent->comp = v;
			ent->comp_gen = c->gen;
		}
		return ent->comp;
	}
	return ent->def;
}

const char *conf_raw(const struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);

	if (ent == NULL)
		return NULL;
	/* Computing a machine default fills a cache: logically const. */
	return conf_ent_value((struct conf *)c, ent);
}

int conf_is_set(const struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);

	return ent != NULL && ent->raw != NULL;
}

int conf_is_known(const struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);

	return ent != NULL && ent->known;
}

int conf_is_raw_param(const char *name)
{
	const struct conf_def *d = conf_defs_find(name);

	return d != NULL && (d->flags & CONF_DEF_RAW);
}

int conf_set_line(const struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);

	return ent != NULL && ent->raw != NULL ? ent->line : 0;
}

const char *conf_default(const char *name)
{
	const struct conf_def *d = conf_defs_find(name);

	return d != NULL ? d->value : NULL;
}

struct conf *conf_defaults_view(struct conf *c)
{
	size_t i;

	if (c->dview == NULL) {
		struct conf *d = conf_new();

		conf_set_machine(d, c->hostname,
				 (const char *const *)c->networks);
		for (i = 0; i < c->nservices; i++) {
			char *s = xstrdup(c->services[i]);
			char *nl = strchr(s, '\n');

			*nl = 0;
			conf_add_service(d, s, nl + 1);
			free(s);
		}
		c->dview = d;
	}
	return c->dview;
}

const char *conf_default_value(struct conf *c, const char *name)
{
	struct conf *d = conf_defaults_view(c);
	struct conf_ent *ent = conf_ent_find(d, name);

	if (ent == NULL || !ent->known || (ent->flags & CONF_DEF_LEGACY))
		return NULL;
	return conf_ent_value(d, ent);
}

/* ---- expansion with a cache ------------------------------------------ */

const char *conf_get(struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);
	const char *v;
	struct buf out;
	struct err e;

	if (ent == NULL)
		return NULL;
	if (ent->exp != NULL && ent->exp_gen == c->gen)
		return ent->exp;
	v = conf_ent_value(c, ent);
	if (v == NULL)
		return NULL;
	buf_init(&out);
	if (ent->flags & CONF_DEF_RAW)
		buf_adds(&out, v);
	else
		(void)conf_expand(c, v, &out, NULL, NULL, &e);
	buf_addc(&out, 0);	/* make sure data is allocated */
	free(ent->exp);
	ent->exp = buf_steal(&out, NULL);
	ent->exp_gen = c->gen;
	buf_reset(&out);
	return ent->exp;
}

/* Expands the parameter's default (in c's view), for the fallbacks. */
static char *expanded_default(struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);
	const char *def;
	struct buf out;
	struct err e;
	char *s;

	if (ent == NULL)
		return NULL;
	def = (ent->flags & CONF_DEF_COMPUTED) ? conf_default_value(c, name)
					       : ent->def;
	if (def == NULL)
		return NULL;
	buf_init(&out);
	(void)conf_expand(c, def, &out, NULL, NULL, &e);
	buf_addc(&out, 0);
	s = buf_steal(&out, NULL);
	buf_reset(&out);
	return s;
}

static int parse_long(const char *s, long *out)
{
	char *end;
	long v;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == 0)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	if (*end != 0)
		return -1;
	*out = v;
	return 0;
}

long conf_get_int(struct conf *c, const char *name)
{
	const char *v = conf_get(c, name);
	long n = 0;
	char *d;

	if (v != NULL && parse_long(v, &n) == 0)
		return n;
	d = expanded_default(c, name);
	if (d == NULL || parse_long(d, &n) != 0)
		n = 0;
	free(d);
	return n;
}

/* Postfix's get_mail_conf_bool(): "yes"/"no", any case (mail_conf_bool.c);
 * "true"/"false" too. */
static int parse_bool(const char *s, int *out)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0) {
		*out = 1;
		return 0;
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0) {
		*out = 0;
		return 0;
	}
	return -1;
}

int conf_get_bool(struct conf *c, const char *name)
{
	const char *v = conf_get(c, name);
	int b = 0;
	char *d;

	if (v != NULL && parse_bool(v, &b) == 0)
		return b;
	d = expanded_default(c, name);
	if (d == NULL || parse_bool(d, &b) != 0)
		b = 0;
	free(d);
	return b;
}

/*
 * postconf(5), "time units": a number with an optional unit letter,
 * s (seconds), m (minutes), h (hours), d (days), w (weeks); without one
 * the parameter's own default unit applies.
 */
static int parse_time(const char *s, char unit, long *out)
{
	static const struct {
		char unit;
		long seconds;
	} units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 604800 },
	};
	char *end;
	long v;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != 0) {
		if (end[1] != 0)
			return -1;
		unit = (char)tolower((unsigned char)*end);
	}
	for (i = 0; i < ARRAY_LEN(units); i++)
		if (units[i].unit == unit) {
			*out = v * units[i].seconds;
			return 0;
		}
	return -1;
}

long conf_get_time(struct conf *c, const char *name, char unit)
{
	const char *v = conf_get(c, name);
	long t = 0;
	char *d;

	if (v != NULL && parse_time(v, unit, &t) == 0)
		return t;
	d = expanded_default(c, name);
	if (d == NULL || parse_time(d, unit, &t) != 0)
		t = 0;
	free(d);
	return t;
}

/* ---- listing --------------------------------------------------------- */

static int cmp_ent(const void *a, const void *b)
{
	const struct conf_ent *x = *(const struct conf_ent *const *)a;
	const struct conf_ent *y = *(const struct conf_ent *const *)b;

	return strcmp(x->name, y->name);
}

/* The entries that pass keep(), sorted by name; caller frees the array. */
static struct conf_ent **sorted(const struct conf *c,
				int (*keep)(const struct conf_ent *),
				size_t *n_out)
{
	struct conf_ent **v = xcalloc(c->n + 1, sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < c->cap; i++)
		if (c->slots[i] != NULL && keep(c->slots[i]))
			v[n++] = c->slots[i];
	qsort(v, n, sizeof(*v), cmp_ent);
	*n_out = n;
	return v;
}

static int keep_set(const struct conf_ent *ent)
{
	return ent->raw != NULL;
}

static int keep_listed(const struct conf_ent *ent)
{
	return ent->known && !(ent->flags & CONF_DEF_LEGACY);
}

void conf_foreach_set(const struct conf *c,
		      void (*fn)(void *ctx, const char *name, const char *raw),
		      void *ctx)
{
	size_t n, i;
	struct conf_ent **v = sorted(c, keep_set, &n);

	for (i = 0; i < n; i++)
		fn(ctx, v[i]->name, v[i]->raw);
	free(v);
}

void conf_foreach_known(void (*fn)(void *ctx, const char *name,
				   const char *def), void *ctx)
{
	size_t i;

	for (i = 0; i < conf_ndefs; i++)
		if (!(conf_defs[i].flags & CONF_DEF_LEGACY))
			fn(ctx, conf_defs[i].name, conf_defs[i].value);
}

void conf_foreach_default(struct conf *c,
			  void (*fn)(void *ctx, const char *name,
				     const char *def), void *ctx)
{
	struct conf *d = conf_defaults_view(c);
	size_t n, i;
	struct conf_ent **v = sorted(d, keep_listed, &n);

	for (i = 0; i < n; i++)
		fn(ctx, v[i]->name, conf_ent_value(d, v[i]));
	free(v);
}

/* ---- lists ----------------------------------------------------------- */

/*
 * Postfix splits lists on CHARS_COMMA_SP (", \t\r\n") and treats a
 * "{ ... }" group as one element (mystrtokq(3)), as in
 * "check_policy_service { inet:127.0.0.1:9998, timeout=10s }".
 */
char **conf_split_list(const char *value)
{
	static const char sep[] = ", \t\r\n";
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;
	const char *p = value;

	while (*p) {
		const char *start;
		int level = 0;

		p += strspn(p, sep);
		if (*p == 0)
			break;
		start = p;
		for (; *p; p++) {
			if (*p == '{')
				level++;
			else if (*p == '}' && level > 0)
				level--;
			else if (level == 0 && strchr(sep, *p) != NULL)
				break;
		}
		v = xrealloc(v, (n + 2) * sizeof(char *));
		v[n++] = xstrndup(start, (size_t)(p - start));
		v[n] = NULL;
	}
	return v;
}

void conf_list_free(char ***vp)
{
	free_vec(*vp);
	*vp = NULL;
}

/* ---- the parser ------------------------------------------------------ */

/* Postfix's printable(): anything but printable ASCII shows as '?'. */
static char *printable(const char *s)
{
	char *p = xstrdup(s), *q;

	for (q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
			*q = '?';
	return p;
}

static int is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

/*
 * One logical line: "name = value". Postfix (split_nameval(3)): the name
 * runs up to white space or '='; only white space may stand between it
 * and the '='; the value is trimmed at both ends.
 */
static int parse_logical(struct conf *c, const char *file, int line,
			 char *text, int *failed, struct err *e)
{
	char *p = text, *name, *value, *end;
	const char *problem = NULL;
	struct conf_ent *ent;

	while (is_blank((unsigned char)*p))
		p++;
	end = p + strlen(p);
	while (end > p && is_blank((unsigned char)end[-1]))
		*--end = 0;
	name = p;
	while (*p && !is_blank((unsigned char)*p) && *p != '=')
		p++;
	if (p == name) {
		problem = "missing attribute name";
	} else {
		char *name_end = p;

		while (is_blank((unsigned char)*p))
			p++;
		if (*p != '=')
			problem = "missing '=' after attribute name";
		else
			*name_end = 0;
	}
	if (problem != NULL) {
		char *shown = printable(name);

		if (!*failed)
			err_set(e, 0, "%s, line %d: %s: \"%s\"", file, line,
				problem, shown);
		*failed = 1;
		free(shown);
		return -1;
	}
	value = p + 1;
	while (is_blank((unsigned char)*value))
		value++;
	ent = conf_ent_find(c, name);
	if (ent != NULL && (ent->flags & CONF_DEF_READONLY)) {
		conf_warnf(c, "%s: read-only parameter assignment: %s=%s",
			   file, name, value);
		return 0;
	}
	if (ent != NULL && ent->raw != NULL && ent->line > 0)
		conf_warnf(c, "%s, line %d: overriding earlier entry: %s=%s",
			   file, line, name, ent->raw);
	set_at(c, name, value, line);
	return 0;
}

int conf_parse(struct conf *c, const char *name, const char *text,
	       size_t len, struct err *e)
{
	struct buf logical;
	size_t pos = 0;
	int lineno = 0, start_line = 0, failed = 0, have = 0;

	buf_init(&logical);
	/* A new file: its lines may override earlier files without a word. */
	{
		size_t i;

		for (i = 0; i < c->cap; i++)
			if (c->slots[i] != NULL && c->slots[i]->raw != NULL)
				c->slots[i]->line = -c->slots[i]->line;
	}
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		size_t i = 0;

		pos += n + (nl ? 1 : 0);
		lineno++;
		while (i < n && is_blank((unsigned char)line[i]))
			i++;
		/* Blank and comment lines never end a logical line. */
		if (i == n || line[i] == '#')
			continue;
		if (i > 0) {
			if (have) {
				buf_add(&logical, line, n);
				continue;
			}
			{
				char *raw = xstrndup(line, n), *shown;
				char *end = raw + strlen(raw);

				while (end > raw && is_blank((unsigned char)end[-1]))
					*--end = 0;
				shown = printable(raw);
				conf_warnf(c, "%s: logical line must not start with whitespace: \"%s\"",
					   name, shown);
				free(shown);
				free(raw);
			}
			continue;
		}
		if (have) {
			buf_addc(&logical, 0);
			parse_logical(c, name, start_line, logical.data,
				      &failed, e);
		}
		buf_clear(&logical);
		buf_add(&logical, line, n);
		have = 1;
		start_line = lineno;
	}
	if (have) {
		buf_addc(&logical, 0);
		parse_logical(c, name, start_line, logical.data, &failed, e);
	}
	buf_reset(&logical);
	{
		size_t i;

		for (i = 0; i < c->cap; i++)
			if (c->slots[i] != NULL && c->slots[i]->line < 0)
				c->slots[i]->line = -c->slots[i]->line;
	}
	changed(c, 0);
	return failed ? -1 : 0;
}

int conf_load(struct conf *c, const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	struct buf text;
	char chunk[8192];
	size_t n;
	int rc;

	if (f == NULL)
		return err_set(e, errno, "open %s: %s", path, strerror(errno));
	buf_init(&text);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&text, chunk, n);
	if (ferror(f)) {
		int saved = errno;

		fclose(f);
		buf_reset(&text);
		return err_set(e, saved, "read %s: %s", path, strerror(saved));
	}
	fclose(f);
	rc = conf_parse(c, path, text.data ? text.data : "", text.len, e);
	buf_reset(&text);
	return rc;
}
