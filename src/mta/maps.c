/*
 * Postfix lookup tables: the source format postmap reads, maillab's index
 * file, and lookups by "type:name". See maps.h.
 */
#include "mta/maps.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/aliases.h"
#include "mta/host.h"

#define MAPS_INDEX_MAGIC "# maillab table index v1: "

static void add_entry(struct maps_table *t, const char *key, size_t klen,
		      const char *value, int line, int fold)
{
	struct maps_entry *e;
	size_t i;
	size_t vlen = strlen(value);

	while (vlen > 0 && isspace((unsigned char)value[vlen - 1]))
		vlen--;
	t->e = xrealloc(t->e, (t->n + 1) * sizeof(*t->e));
	e = &t->e[t->n++];
	e->key = xstrndup(key, klen);
	if (fold)
		for (i = 0; e->key[i] != '\0'; i++)
			e->key[i] = (char)tolower((unsigned char)e->key[i]);
	e->value = xstrndup(value, vlen);
	e->line = line;
}

static void warnf(struct buf *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warnf(struct buf *w, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (w->len > 0)
		buf_addc(w, '\n');
	buf_adds(w, line);
}

/* One logical line (with its continuation lines joined by a space). */
static void parse_logical(struct maps_table *t, const char *name,
			  const char *s, int line, int fold, struct buf *w)
{
	const char *k = s, *ke, *v;

	while (isspace((unsigned char)*k))
		k++;
	if (*k == '\0' || *k == '#')
		return;
	ke = k;
	while (*ke != '\0' && !isspace((unsigned char)*ke))
		ke++;
	v = ke;
	while (isspace((unsigned char)*v))
		v++;
	if (*v == '\0') {
		warnf(w, "%s, line %d: expected format: key whitespace value",
		      name, line);
		return;
	}
	add_entry(t, k, (size_t)(ke - k), v, line, fold);
}

void maps_parse_source(struct maps_table *t, const char *name,
		       const char *text, size_t len, int fold, char **warn_out)
{
	struct buf logical, w;
	size_t i = 0;
	int line = 0, start = 0;

	buf_init(&logical);
	buf_init(&w);
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		size_t n = end - i;
		const char *p = text + i;

		line++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		/* postconf(5)-style continuation: a line that starts with
		 * white space continues the previous one (a blank or
		 * comment line does not). */
		if (n > 0 && (p[0] == ' ' || p[0] == '\t') && logical.len > 0) {
			size_t j = 0;

			while (j < n && isspace((unsigned char)p[j]))
				j++;
			if (j < n && p[j] != '#') {
				buf_addc(&logical, ' ');
				buf_add(&logical, p + j, n - j);
			}
		} else {
			if (logical.len > 0)
				parse_logical(t, name, logical.data, start, fold, &w);
			buf_clear(&logical);
			start = line;
			buf_add(&logical, p, n);
		}
		i = nl != NULL ? end + 1 : len;
	}
	if (logical.len > 0)
		parse_logical(t, name, logical.data, start, fold, &w);
	buf_reset(&logical);
	if (warn_out != NULL)
		*warn_out = w.len > 0 ? buf_steal(&w, NULL) : NULL;
	buf_reset(&w);
}

void maps_table_reset(struct maps_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].value);
	}
	free(t->e);
	t->e = NULL;
	t->n = 0;
}

const char *maps_table_get(const struct maps_table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->e[i].key, key) == 0)
			return t->e[i].value;
	return NULL;
}

char *maps_host_file(const struct host *h, const char *name)
{
	const char *p;

	if (name == NULL || name[0] != '/')
		return NULL;
	for (p = name; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == name || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return NULL;
	return xasprintf("%s%s", h->dir, name);
}

static char *slurp(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_adds(&b, "");
	return buf_steal(&b, len_out);
}

/*
 * Berkeley DB's hash files are whole 4096-byte pages, three for a small
 * table (reference/commands/07-aliases.txt: aliases.db is 12288 bytes):
 * the index is padded with NUL bytes to that size, so `ls -l` shows what
 * it shows on Postfix. The reader stops at the first NUL.
 */
static void pad_db(FILE *f)
{
	long size = ftell(f), want = 3 * 4096;

	while (want < size + 1)
		want += 4096;
	for (; size >= 0 && size < want; size++)
		fputc('\0', f);
}

static int indexed_type(const char *type)
{
	return strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0
	       || strcmp(type, "lmdb") == 0 || strcmp(type, "cdb") == 0;
}

/* inline:{ a=b, { c = d e } } (Postfix 3.0 inline tables). */
static void parse_inline(struct maps_table *t, const char *s)
{
	const char *p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '{')
		p++;
	for (;;) {
		const char *start, *end, *eq;
		int braced = 0;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0' || *p == '}')
			break;
		if (*p == '{') {
			braced = 1;
			p++;
		}
		start = p;
		if (braced)
			while (*p != '\0' && *p != '}')
				p++;
		else
			while (*p != '\0' && *p != ',' && *p != '}' && *p != ' ')
				p++;
		end = p;
		if (braced && *p == '}')
			p++;
		eq = memchr(start, '=', (size_t)(end - start));
		if (eq != NULL) {
			const char *ke = eq, *v = eq + 1;
			char *value;

			while (ke > start && isspace((unsigned char)ke[-1]))
				ke--;
			while (start < ke && isspace((unsigned char)*start))
				start++;
			while (v < end && isspace((unsigned char)*v))
				v++;
			value = xstrndup(v, (size_t)(end - v));
			add_entry(t, start, (size_t)(ke - start), value, 0, 1);
			free(value);
		}
	}
}

/* Loads the table behind spec into t; 0 or -1 with e in Postfix's words. */
static int load_table(struct host *h, const char *spec, struct maps_table *t,
		      struct err *e)
{
	const char *colon = strchr(spec, ':');
	char type[32];
	const char *name;
	char *path, *text;
	size_t len;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(type))
		return err_set(e, 0, "unsupported dictionary type: %s", spec);
	memcpy(type, spec, (size_t)(colon - spec));
	type[colon - spec] = '\0';
	name = colon + 1;
	if (strcmp(type, "inline") == 0) {
		parse_inline(t, name);
		return 0;
	}
	if (strcmp(type, "static") == 0)
		return 0;
	if (!indexed_type(type) && strcmp(type, "texthash") != 0)
		return err_set(e, 0, "unsupported dictionary type: %s", type);
	path = maps_host_file(h, name);
	if (path == NULL)
		return err_set(e, 0, "%s is unavailable. open database %s: %s",
			       spec, name, strerror(EACCES));
	if (indexed_type(type)) {
		char *db = xasprintf("%s.db", path);

		text = slurp(db, &len);
		free(db);
		free(path);
		if (text == NULL)
			return err_set(e, errno,
				       "%s is unavailable. open database %s.db: %s",
				       spec, name, strerror(errno));
		if (strncmp(text, MAPS_INDEX_MAGIC, strlen(MAPS_INDEX_MAGIC)) != 0) {
			free(text);
			return err_set(e, 0, "%s is unavailable. open database %s.db: %s",
				       spec, name, "Invalid argument");
		}
		/* The index holds "key<TAB>value" lines after the header. */
		{
			char *p = strchr(text, '\n');

			while (p != NULL && *++p != '\0') {
				char *nl = strchr(p, '\n');
				char *tab = strchr(p, '\t');

				if (nl == NULL)
					nl = p + strlen(p);
				if (tab != NULL && tab < nl) {
					char *v = xstrndup(tab + 1, (size_t)(nl - tab - 1));

					add_entry(t, p, (size_t)(tab - p), v, 0, 0);
					free(v);
				}
				p = *nl != '\0' ? nl : NULL;
			}
		}
		free(text);
		return 0;
	}
	text = slurp(path, &len);
	free(path);
	if (text == NULL)
		return err_set(e, errno, "%s is unavailable. open %s: %s", spec,
			       name, strerror(errno));
	maps_parse_source(t, name, text, len, 1, NULL);
	free(text);
	return 0;
}

int maps_lookup(struct host *h, const char *spec, const char *key,
		char **value_out, struct err *e)
{
	struct maps_table t = { NULL, 0 };
	const char *v;

	*value_out = NULL;
	if (strncmp(spec, "static:", 7) == 0) {
		*value_out = xstrdup(spec + 7);
		return 1;
	}
	if (load_table(h, spec, &t, e) < 0)
		return -1;
	v = maps_table_get(&t, key);
	if (v != NULL)
		*value_out = xstrdup(v);
	maps_table_reset(&t);
	return v != NULL;
}

int maps_lookup_list(struct host *h, const char *specs, const char *key,
		     char **value_out, struct err *e)
{
	char *copy = xstrdup(specs), *save = NULL, *tok;
	int rc = 0;

	*value_out = NULL;
	for (tok = strtok_r(copy, " \t,", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t,", &save)) {
		/* inline:{...} has spaces and commas: rebuild it whole. */
		if (strncmp(tok, "inline:", 7) == 0 && strchr(tok, '}') == NULL) {
			char empty[1] = "";
			char *rest = save != NULL ? save : empty;
			char *close = strchr(rest, '}');
			char *spec;

			if (close != NULL) {
				spec = xasprintf("%s %.*s", tok, (int)(close - rest + 1), rest);
				save = close + 1;
			} else {
				spec = xstrdup(tok);
			}
			rc = maps_lookup(h, spec, key, value_out, e);
			free(spec);
		} else {
			rc = maps_lookup(h, tok, key, value_out, e);
		}
		if (rc != 0)
			break;
	}
	free(copy);
	return rc;
}

int maps_build(struct host *h, const char *spec, char **warn_out,
	       struct err *e)
{
	const char *colon = strchr(spec, ':');
	struct maps_table t = { NULL, 0 };
	char type[32];
	char *path, *text, *db, *tmp, *warn = NULL;
	size_t len, i;
	FILE *f;
	struct buf w;

	if (warn_out != NULL)
		*warn_out = NULL;
	if (colon == NULL) {
		/* postmap's default type is $default_database_type: hash */
		snprintf(type, sizeof(type), "hash");
		colon = spec - 1;
	} else {
		if ((size_t)(colon - spec) >= sizeof(type))
			return err_set(e, 0, "unsupported dictionary type: %s", spec);
		memcpy(type, spec, (size_t)(colon - spec));
		type[colon - spec] = '\0';
	}
	if (!indexed_type(type))
		return err_set(e, 0, "unsupported dictionary type: %s", type);
	path = maps_host_file(h, colon + 1);
	if (path == NULL)
		return err_set(e, EACCES, "open %s: %s", colon + 1, strerror(EACCES));
	text = slurp(path, &len);
	if (text == NULL) {
		int errnum = errno;

		free(path);
		return err_set(e, errnum, "open %s: %s", colon + 1, strerror(errnum));
	}
	maps_parse_source(&t, colon + 1, text, len, 1, &warn);
	free(text);
	buf_init(&w);
	if (warn != NULL)
		buf_adds(&w, warn);
	free(warn);
	db = xasprintf("%s.db", path);
	tmp = xasprintf("%s.db.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		int errnum = errno;

		err_set(e, errnum, "open database %s.db: %s", colon + 1, strerror(errnum));
		goto fail;
	}
	fprintf(f, "%s%s\n", MAPS_INDEX_MAGIC, type);
	for (i = 0; i < t.n; i++) {
		/* postmap keeps the first of duplicate keys and says so. */
		size_t j;
		int dup = 0;

		for (j = 0; j < i; j++)
			if (strcmp(t.e[j].key, t.e[i].key) == 0)
				dup = 1;
		if (dup) {
			warnf(&w, "%s, line %d: duplicate entry: \"%s\"", colon + 1,
			      t.e[i].line, t.e[i].key);
			continue;
		}
		fprintf(f, "%s\t%s\n", t.e[i].key, t.e[i].value);
	}
	pad_db(f);
	if (fclose(f) != 0 || rename(tmp, db) != 0) {
		int errnum = errno;

		err_set(e, errnum, "write database %s.db: %s", colon + 1, strerror(errnum));
		remove(tmp);
		goto fail;
	}
	free(tmp);
	free(db);
	free(path);
	maps_table_reset(&t);
	if (warn_out != NULL && w.len > 0)
		*warn_out = buf_steal(&w, NULL);
	buf_reset(&w);
	return 0;
fail:
	free(tmp);
	free(db);
	free(path);
	maps_table_reset(&t);
	buf_reset(&w);
	return -1;
}

int maps_build_aliases(struct host *h, const char *spec, char **warn_out,
		       struct err *e)
{
	const char *colon = strchr(spec, ':');
	const char *name = colon != NULL ? colon + 1 : spec;
	struct aliases al;
	struct err warn;
	char *path, *db, *tmp;
	FILE *f;
	size_t i;
	int rc = 0;

	if (warn_out != NULL)
		*warn_out = NULL;
	if (colon != NULL) {
		char type[32];

		if ((size_t)(colon - spec) >= sizeof(type))
			return err_set(e, 0, "unsupported dictionary type: %s", spec);
		memcpy(type, spec, (size_t)(colon - spec));
		type[colon - spec] = '\0';
		if (!indexed_type(type))
			return err_set(e, 0, "unsupported dictionary type: %s", type);
	}
	path = maps_host_file(h, name);
	if (path == NULL)
		return err_set(e, EACCES, "open %s: %s", name, strerror(EACCES));
	aliases_init(&al);
	warn.text[0] = '\0';
	if (aliases_load(&al, path, &warn) != 0 && warn.errnum != 0) {
		rc = err_set(e, warn.errnum, "open %s: %s", name, strerror(warn.errnum));
		aliases_reset(&al);
		free(path);
		return rc;
	}
	if (warn.text[0] != '\0' && warn_out != NULL)
		*warn_out = xstrdup(warn.text);
	db = xasprintf("%s.db", path);
	tmp = xasprintf("%s.db.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		rc = err_set(e, errno, "open database %s.db: %s", name, strerror(errno));
	} else {
		fprintf(f, "%s%s\n", MAPS_INDEX_MAGIC, "hash");
		for (i = 0; i < al.n; i++)
			fprintf(f, "%s\t%s\n", al.v[i].name, al.v[i].value);
		pad_db(f);
		if (fclose(f) != 0 || rename(tmp, db) != 0) {
			rc = err_set(e, errno, "write database %s.db: %s", name, strerror(errno));
			remove(tmp);
		}
	}
	aliases_reset(&al);
	free(tmp);
	free(db);
	free(path);
	return rc;
}
