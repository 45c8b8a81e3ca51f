/*
 * anvil: connection statistics. See anvil.h.
 */
#include "mta/anvil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/xalloc.h"

struct anvil_entry {
	char *ident;
	int count;		/* connections open now */
	int rate;		/* connections in the current window */
	mtime_t window;		/* when the window started */
};

/* One maximum: its value, whose, when. */
struct anvil_max {
	int value;
	char *ident;
	mtime_t when;
};

struct anvil {
	struct anvil_entry *v;
	size_t n;
	struct anvil_max rate, count, cache;
};

struct anvil *anvil_new(void)
{
	return xcalloc(1, sizeof(struct anvil));
}

static void max_reset(struct anvil_max *m)
{
	free(m->ident);
	memset(m, 0, sizeof(*m));
}

void anvil_free(struct anvil **ap)
{
	struct anvil *a = *ap;
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		free(a->v[i].ident);
	free(a->v);
	max_reset(&a->rate);
	max_reset(&a->count);
	max_reset(&a->cache);
	free(a);
	*ap = NULL;
}

static void max_update(struct anvil_max *m, int value, const char *ident, mtime_t now)
{
	if (value <= m->value)
		return;
	m->value = value;
	free(m->ident);
	m->ident = ident != NULL ? xstrdup(ident) : NULL;
	m->when = now;
}

/* anvil drops a client that has no connection once its window is over. */
static void expire(struct anvil *a, mtime_t now, long unit)
{
	size_t i = 0;

	while (i < a->n) {
		struct anvil_entry *e = &a->v[i];

		if (e->count == 0 && now - e->window >= unit) {
			free(e->ident);
			a->v[i] = a->v[--a->n];
		} else {
			i++;
		}
	}
}

static struct anvil_entry *find(struct anvil *a, const char *ident)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].ident, ident) == 0)
			return &a->v[i];
	return NULL;
}

void anvil_connect(struct anvil *a, mtime_t now, const char *ident,
		   long time_unit_ms)
{
	struct anvil_entry *e;

	if (time_unit_ms <= 0)
		time_unit_ms = 60000;
	expire(a, now, time_unit_ms);
	e = find(a, ident);
	if (e == NULL) {
		a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
		e = &a->v[a->n++];
		memset(e, 0, sizeof(*e));
		e->ident = xstrdup(ident);
		e->window = now;
	}
	if (now - e->window >= time_unit_ms) {
		e->window = now;
		e->rate = 0;
	}
	e->rate++;
	e->count++;
	max_update(&a->rate, e->rate, ident, now);
	max_update(&a->count, e->count, ident, now);
	max_update(&a->cache, (int)a->n, NULL, now);
}

void anvil_disconnect(struct anvil *a, const char *ident)
{
	struct anvil_entry *e = find(a, ident);

	if (e != NULL && e->count > 0)
		e->count--;
}

/* ctime(&when) + 4, 15 characters: "Nov 28 22:00:46" */
static void when(mtime_t t, char *out, size_t n)
{
	time_t sec = (time_t)(t / 1000);
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(out, n, "%b %e %H:%M:%S", &tm);
}

char **anvil_exit(struct anvil *a, long time_unit_ms)
{
	char **out = xcalloc(4, sizeof(*out)), w[32];
	size_t n = 0;

	if (time_unit_ms <= 0)
		time_unit_ms = 60000;
	/* anvil.c anvil_status_dump(), in its order */
	if (a->rate.value > 0) {
		when(a->rate.when, w, sizeof(w));
		out[n++] = xasprintf("statistics: max connection rate %d/%lds for (%s) at %s",
				     a->rate.value, time_unit_ms / 1000, a->rate.ident, w);
	}
	if (a->count.value > 0) {
		when(a->count.when, w, sizeof(w));
		out[n++] = xasprintf("statistics: max connection count %d for (%s) at %s",
				     a->count.value, a->count.ident, w);
	}
	if (a->cache.value > 0) {
		when(a->cache.when, w, sizeof(w));
		out[n++] = xasprintf("statistics: max cache size %d at %s", a->cache.value, w);
	}
	max_reset(&a->rate);
	max_reset(&a->count);
	max_reset(&a->cache);
	/* the next anvil process starts empty */
	while (a->n > 0)
		free(a->v[--a->n].ident);
	if (n == 0) {
		free(out);
		return NULL;
	}
	return out;
}
