/*
 * conf_get: the expanded value of a parameter, cached until the next
 * change (conf_get is on every hot path: each SMTP command asks for a few
 * limits), and the typed getters over it, with Postfix's number, yes/no
 * and time syntax (postconf(5)).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "conf_defaults.h"
#include "conf_int.h"
#include "xalloc.h"

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

