/*
 * conf_parse: main.cf as postconf(5) ("SYNTAX") and Postfix 3.7.11 read
 * it: '#' comment lines and blank lines are skipped (and never end a
 * logical line), a line that starts with white space continues the
 * logical line before it (keeping its own leading white space), each
 * logical line is "name = value" with white space trimmed around '=' and
 * at both ends, and later settings win. A bad line is reported in
 * Postfix's words and skipped; the rest is still read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_defaults.h"
#include "conf_int.h"
#include "xalloc.h"

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
	conf_ent_set(c, name, value, line);
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
	conf_changed(c, 0);
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
