/*
 * conf: storage of main.cf settings over the Postfix 3.7 defaults. The
 * parser is conf_parse.c, the cached and typed getters conf_get.c,
 * expansion conf_expand.c, the machine-dependent defaults
 * conf_machine.c, the defaults table conf_defaults.c.
 *
 * Every parameter is one entry in a hash table, made at conf_new() from the
 * table; a setting of an unknown name adds an entry that is not "known".
 * conf_get() caches each expansion; any change bumps c->gen, which makes
 * every cache stale at once.
 */
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
void conf_changed(struct conf *c, int machine)
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
	conf_changed(c, 1);
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
	conf_changed(c, 1);
}

/* ---- settings -------------------------------------------------------- */

void conf_ent_set(struct conf *c, const char *name, const char *value,
		  int line)
{
	struct conf_ent *ent = conf_ent_find(c, name);

	if (ent == NULL)
		ent = ent_add(c, name);
	free(ent->raw);
	ent->raw = xstrdup(value);
	ent->line = line;
	conf_changed(c, 0);
}

void conf_set(struct conf *c, const char *name, const char *value)
{
	conf_ent_set(c, name, value, 0);
}

void conf_unset(struct conf *c, const char *name)
{
	struct conf_ent *ent = conf_ent_find(c, name);

	if (ent == NULL || ent->raw == NULL)
		return;
	free(ent->raw);
	ent->raw = NULL;
	ent->line = 0;
	conf_changed(c, 0);
}

void conf_clear(struct conf *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++) {
		struct conf_ent *ent = c->slots[i];

		if (ent != NULL && ent->raw != NULL) {
			free(ent->raw);
			ent->raw = NULL;
			ent->line = 0;
		}
	}
	conf_changed(c, 0);
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
