/*
 * passwd: etc/passwd reader. See passwd.h.
 */
#include "mta/passwd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

void passwd_init(struct passwd_db *db)
{
	db->v = NULL;
	db->n = 0;
}

void passwd_reset(struct passwd_db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++) {
		free(db->v[i].name);
		free(db->v[i].gecos);
		free(db->v[i].home);
		free(db->v[i].shell);
	}
	free(db->v);
	passwd_init(db);
}

/* Splits s on ':' into exactly 7 fields (in place); 1 ok. */
static int split7(char *s, char *f[7])
{
	int i;

	for (i = 0; i < 7; i++) {
		f[i] = s;
		s = strchr(s, ':');
		if (s == NULL)
			return i == 6;
		*s++ = 0;
	}
	return 0;
}

static int parse_id(const char *s, int *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return 0;
	v = strtol(s, &end, 10);
	if (*end != 0 || v < 0 || v > 2147483647L)
		return 0;
	*out = (int)v;
	return 1;
}

int passwd_parse(struct passwd_db *db, const char *name, const char *text,
		 struct err *e)
{
	const char *p = text;
	int lineno = 0, rc = 0;

	passwd_reset(db);
	while (*p != 0) {
		size_t n = strcspn(p, "\n");
		char *line = xstrndup(p, n);
		char *f[7];
		struct passwd_entry pe;

		lineno++;
		p += n + (p[n] == '\n');
		if (line[0] == 0 || line[0] == '#') {
			free(line);
			continue;
		}
		if (!split7(line, f) || f[0][0] == 0 || !parse_id(f[2], &pe.uid)
		    || !parse_id(f[3], &pe.gid)) {
			if (rc == 0)
				rc = err_set(e, 0, _("%s, line %d: not a passwd(5) line"),
					     name, lineno);
			free(line);
			continue;
		}
		pe.name = xstrdup(f[0]);
		pe.gecos = xstrdup(f[4]);
		pe.home = xstrdup(f[5]);
		pe.shell = xstrdup(f[6]);
		db->v = xrealloc(db->v, (db->n + 1) * sizeof(*db->v));
		db->v[db->n++] = pe;
		free(line);
	}
	return rc;
}

int passwd_load(struct passwd_db *db, const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n = 0, cap = 4096, got;
	int rc;

	if (f == NULL) {
		passwd_reset(db);
		return err_set(e, errno, _("cannot open %s: %s"), path, strerror(errno));
	}
	text = xmalloc(cap);
	while ((got = fread(text + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2)
			text = xrealloc(text, cap *= 2);
	}
	text[n] = 0;
	fclose(f);
	rc = passwd_parse(db, path, text, e);
	free(text);
	return rc;
}

const struct passwd_entry *passwd_find(const struct passwd_db *db,
				       const char *name)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->v[i].name, name) == 0)
			return &db->v[i];
	return NULL;
}
