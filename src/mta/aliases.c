/*
 * aliases: /etc/aliases parser. See aliases.h.
 */
#include "mta/aliases.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"

void aliases_init(struct aliases *a)
{
	a->v = NULL;
	a->n = 0;
}

static void alias_free(struct alias *al)
{
	size_t i;

	for (i = 0; i < al->nvalues; i++)
		free(al->values[i]);
	free(al->values);
	free(al->name);
	free(al->value);
}

void aliases_reset(struct aliases *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		alias_free(&a->v[i]);
	free(a->v);
	aliases_init(a);
}

static char *trim(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

static void split_values(struct alias *al)
{
	aliases_split(al->value, &al->values, &al->nvalues);
}

void aliases_split(const char *value, char ***values, size_t *n)
{
	const char *s = value, *start = s;
	int quoted = 0;

	for (;; s++) {
		if (*s == '"')
			quoted = !quoted;
		if (*s == 0 || (*s == ',' && !quoted)) {
			char *v = trim(start, (size_t)(s - start));

			if (*v != 0) {
				*values = xrealloc(*values, (*n + 1) * sizeof(**values));
				(*values)[(*n)++] = v;
			} else {
				free(v);
			}
			if (*s == 0)
				break;
			start = s + 1;
		}
	}
}

/* One logical line (continuations joined) starting at line `lineno`. */
static int add_entry(struct aliases *a, const char *file, int lineno,
		     const char *text, struct err *e, int *warned)
{
	const char *colon;
	char *name;
	struct alias al;
	size_t i;

	if (*text == '"') {
		const char *q = strchr(text + 1, '"');

		colon = q ? q + 1 : NULL;
		while (colon && (*colon == ' ' || *colon == '\t'))
			colon++;
		if (colon && *colon != ':')
			colon = NULL;
		name = q ? xstrndup(text + 1, (size_t)(q - text - 1)) : NULL;
	} else {
		colon = strchr(text, ':');
		name = colon ? trim(text, (size_t)(colon - text)) : NULL;
	}
	if (colon == NULL || name == NULL || *name == 0) {
		free(name);
		if (!*warned)
			err_set(e, 0, "%s, line %d: need name:value pair", file, lineno);
		*warned = 1;
		return -1;
	}
	for (i = 0; name[i]; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	memset(&al, 0, sizeof(al));
	al.name = name;
	al.value = trim(colon + 1, strlen(colon + 1));
	al.line = lineno;
	split_values(&al);
	for (i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, name) == 0) {
			alias_free(&a->v[i]);
			a->v[i] = al;
			return 0;
		}
	}
	a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
	a->v[a->n++] = al;
	return 0;
}

int aliases_parse(struct aliases *a, const char *name, const char *text,
		  size_t len, struct err *e)
{
	const char *p = text, *end = text + len;
	struct buf logical;
	int lineno = 0, start_line = 0, warned = 0, rc = 0;

	aliases_reset(a);
	buf_init(&logical);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		lineno++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && p[0] == '#') {
			/* comment: does not end a logical line either */
		} else if (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
			size_t k = strspn(p, " \t");

			if (k < n && logical.len > 0)
				buf_add(&logical, p, n);
		} else {
			if (logical.len > 0 && add_entry(a, name, start_line,
							 logical.data, e, &warned) != 0)
				rc = -1;
			buf_clear(&logical);
			if (n > 0) {
				buf_add(&logical, p, n);
				start_line = lineno;
			}
		}
		p += n;
		while (p < end && (*p == '\r' || *p == '\n')) {
			if (*p == '\n') {
				p++;
				break;
			}
			p++;
		}
	}
	if (logical.len > 0 && add_entry(a, name, start_line, logical.data, e,
					 &warned) != 0)
		rc = -1;
	buf_reset(&logical);
	return rc;
}

int aliases_load(struct aliases *a, const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	struct buf b;
	char chunk[4096];
	size_t got;
	int rc;

	if (f == NULL) {
		aliases_reset(a);
		return err_set(e, errno, _("cannot open %s: %s"), path, strerror(errno));
	}
	buf_init(&b);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, got);
	fclose(f);
	rc = aliases_parse(a, path, b.data ? b.data : "", b.len, e);
	buf_reset(&b);
	return rc;
}

const struct alias *aliases_find(const struct aliases *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcasecmp(a->v[i].name, name) == 0)
			return &a->v[i];
	return NULL;
}
