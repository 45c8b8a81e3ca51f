/*
 * mastercf: the master.cf reader. Logical lines as in main.cf (comments
 * and blank lines skipped, a line starting with white space continues the
 * entry); fields split on white space, where "{ ... }" groups stay one
 * field (mystrtokq(3)); the first 8 are checked as master(8) checks them,
 * with its messages (observed with Postfix 3.7.11's postconf -M).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mastercf.h"
#include "xalloc.h"

static int is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

static void warnf(const struct mastercf *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warnf(const struct mastercf *m, const char *fmt, ...)
{
	char text[2048];
	va_list ap;

	if (m->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	m->warn(m->warn_ctx, text);
}

void mastercf_init(struct mastercf *m)
{
	memset(m, 0, sizeof(*m));
}

static void free_vec(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void service_free(struct mastercf_service *s)
{
	size_t i;

	free(s->service);
	free(s->type);
	free(s->private_);
	free(s->unpriv);
	free(s->chroot);
	free(s->wakeup);
	free(s->maxproc);
	free(s->command);
	free_vec(s->args);
	free_vec(s->argv);
	for (i = 0; i < s->nopts; i++) {
		free(s->opts[i].name);
		free(s->opts[i].value);
	}
	free(s->opts);
}

void mastercf_reset(struct mastercf *m)
{
	size_t i;

	for (i = 0; i < m->nservices; i++)
		service_free(&m->services[i]);
	free(m->services);
	m->services = NULL;
	m->nservices = 0;
}

const struct mastercf_service *mastercf_find(const struct mastercf *m,
					     const char *service,
					     const char *type)
{
	size_t i;

	for (i = 0; i < m->nservices; i++)
		if (strcmp(m->services[i].service, service) == 0 &&
		    strcmp(m->services[i].type, type) == 0)
			return &m->services[i];
	return NULL;
}

/* ---- fields ------------------------------------------------------------ */

struct vec {
	char **v;
	size_t n;
};

static void vec_add(struct vec *v, char *s)
{
	v->v = xrealloc(v->v, (v->n + 2) * sizeof(char *));
	v->v[v->n++] = s;
	v->v[v->n] = NULL;
}

/* White-space separated fields; "{" ... "}" nests and protects spaces. */
static struct vec split_fields(const char *line)
{
	struct vec v = { NULL, 0 };
	const char *p = line;

	for (;;) {
		const char *start;
		int level = 0;

		while (is_blank((unsigned char)*p))
			p++;
		if (*p == 0)
			break;
		start = p;
		for (; *p; p++) {
			if (*p == '{')
				level++;
			else if (*p == '}' && level > 0)
				level--;
			else if (level == 0 && is_blank((unsigned char)*p))
				break;
		}
		vec_add(&v, xstrndup(start, (size_t)(p - start)));
	}
	if (v.v == NULL)
		vec_add(&v, NULL), v.n = 0;
	return v;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n > 0 && is_blank((unsigned char)*s))
		s++, n--;
	while (n > 0 && is_blank((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* "{ text }" -> "text"; a missing '}' is warned about, as Postfix does. */
static char *unbrace(const struct mastercf *m, const char *tok)
{
	size_t n = strlen(tok);

	if (tok[0] != '{')
		return xstrdup(tok);
	if (n < 2 || tok[n - 1] != '}') {
		warnf(m, "master.cf: missing '}' in \"%s\"", tok);
		return trim_dup(tok + 1, n - 1);
	}
	return trim_dup(tok + 1, n - 2);
}

static int yes_no_dash(const char *s)
{
	return strcmp(s, "y") == 0 || strcmp(s, "n") == 0 ||
	       strcmp(s, "-") == 0;
}

/* wakeup: "-" or a number, optionally followed by '?' (master(5)). */
static int good_wakeup(const char *s)
{
	if (strcmp(s, "-") == 0)
		return 1;
	if (!isdigit((unsigned char)*s))
		return 0;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == 0 || strcmp(s, "?") == 0;
}

static int good_maxproc(const char *s)
{
	if (strcmp(s, "-") == 0)
		return 1;
	if (*s == 0)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static const char *const types[] = {
	"inet", "unix", "unix-dgram", "fifo", "pass",
};

/* One logical line; -1 with e set (when first) for a bad entry. */
static int parse_entry(struct mastercf *m, const char *file, int line,
		       const char *text, int *failed, struct err *e)
{
	struct vec f = split_fields(text);
	struct mastercf_service s;
	struct vec args = { NULL, 0 }, argv = { NULL, 0 };
	const char *bad = NULL, *badval = NULL;
	char *shown;
	size_t i;
	int type_ok = 0, opts;

	if (f.n < 8) {
		if (!*failed)
			err_set(e, 0, "file %s: line %d: bad field count",
				file, line);
		*failed = 1;
		free_vec(f.v);
		return -1;
	}
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(f.v[1], types[i]) == 0)
			type_ok = 1;
	if (!type_ok)
		bad = "type", badval = f.v[1];
	else if (!yes_no_dash(f.v[2]))
		bad = "private", badval = f.v[2];
	else if (!yes_no_dash(f.v[3]))
		bad = "unprivileged", badval = f.v[3];
	else if (!yes_no_dash(f.v[4]))
		bad = "chroot", badval = f.v[4];
	else if (!good_wakeup(f.v[5]))
		bad = "wakeup", badval = f.v[5];
	else if (!good_maxproc(f.v[6]))
		bad = "process_limit", badval = f.v[6];
	if (bad != NULL) {
		shown = trim_dup(text, strlen(text));
		if (!*failed)
			err_set(e, 0, "invalid %s field \"%s\" in \"%s\"",
				bad, badval, shown);
		*failed = 1;
		free(shown);
		free_vec(f.v);
		return -1;
	}
	memset(&s, 0, sizeof(s));
	s.service = f.v[0];
	s.type = f.v[1];
	s.private_ = f.v[2];
	s.unpriv = f.v[3];
	s.chroot = f.v[4];
	s.wakeup = f.v[5];
	s.maxproc = f.v[6];
	s.command = unbrace(m, f.v[7]);
	free(f.v[7]);
	s.line = line;
	opts = 1;
	for (i = 8; i < f.n; i++) {
		/* Options end at the first argument that is not one (or at
		 * "--"): a later "-o" is the command's plain argument
		 * (postconf_master.c, pcf_normalize_options()). */
		if (opts && (f.v[i][0] != '-' || strcmp(f.v[i], "--") == 0))
			opts = 0;
		if (opts && strcmp(f.v[i], "-o") == 0 && i + 1 < f.n) {
			char *opt = unbrace(m, f.v[++i]);
			char *eq = strchr(opt, '=');

			vec_add(&argv, xstrdup("-o"));
			if (eq == NULL) {
				vec_add(&argv, opt);
				continue;
			}
			s.opts = xrealloc(s.opts, (s.nopts + 1) * sizeof(*s.opts));
			s.opts[s.nopts].name = trim_dup(opt, (size_t)(eq - opt));
			s.opts[s.nopts].value = trim_dup(eq + 1, strlen(eq + 1));
			if (strpbrk(s.opts[s.nopts].value, " \t\r\n") != NULL)
				vec_add(&argv, xasprintf("{%s=%s}",
							 s.opts[s.nopts].name,
							 s.opts[s.nopts].value));
			else
				vec_add(&argv, xasprintf("%s=%s",
							 s.opts[s.nopts].name,
							 s.opts[s.nopts].value));
			s.nopts++;
			free(opt);
			continue;
		}
		vec_add(&args, unbrace(m, f.v[i]));
		vec_add(&argv, unbrace(m, f.v[i]));
	}
	for (i = 8; i < f.n; i++)
		free(f.v[i]);
	free(f.v);
	if (args.v == NULL)
		vec_add(&args, NULL), args.n = 0;
	if (argv.v == NULL)
		vec_add(&argv, NULL), argv.n = 0;
	s.args = args.v;
	s.argv = argv.v;
	m->services = xrealloc(m->services,
			       (m->nservices + 1) * sizeof(*m->services));
	m->services[m->nservices++] = s;
	return 0;
}

int mastercf_parse(struct mastercf *m, const char *name, const char *text,
		   size_t len, struct err *e)
{
	struct buf logical;
	size_t pos = 0;
	int lineno = 0, start_line = 0, failed = 0, have = 0;

	buf_init(&logical);
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		size_t i = 0;

		pos += n + (nl ? 1 : 0);
		lineno++;
		while (i < n && is_blank((unsigned char)line[i]))
			i++;
		if (i == n || line[i] == '#')
			continue;
		if (i > 0) {
			if (have) {
				buf_addc(&logical, ' ');
				buf_add(&logical, line, n);
			} else {
				/* Postfix quotes the line with its indent. */
				char *shown = xstrndup(line, n);
				size_t k = strlen(shown);

				while (k > 0 && is_blank((unsigned char)shown[k - 1]))
					shown[--k] = 0;
				warnf(m, "%s: logical line must not start with whitespace: \"%s\"",
				      name, shown);
				free(shown);
			}
			continue;
		}
		if (have) {
			buf_addc(&logical, 0);
			parse_entry(m, name, start_line, logical.data, &failed, e);
		}
		buf_clear(&logical);
		buf_add(&logical, line, n);
		have = 1;
		start_line = lineno;
	}
	if (have) {
		buf_addc(&logical, 0);
		parse_entry(m, name, start_line, logical.data, &failed, e);
	}
	buf_reset(&logical);
	return failed ? -1 : 0;
}

int mastercf_load(struct mastercf *m, const char *path, struct err *e)
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
	fclose(f);
	rc = mastercf_parse(m, path, text.data ? text.data : "", text.len, e);
	buf_reset(&text);
	return rc;
}

/* ---- postconf -M -------------------------------------------------------- */

void mastercf_format(const struct mastercf_service *s, struct buf *out)
{
	static const size_t cols[] = { 0, 11, 17, 25, 33, 41, 49, 57 };
	const char *fields[8];
	size_t start = out->len, i;

	fields[0] = s->service;
	fields[1] = s->type;
	fields[2] = s->private_;
	fields[3] = s->unpriv;
	fields[4] = s->chroot;
	fields[5] = s->wakeup;
	fields[6] = s->maxproc;
	fields[7] = s->command;
	for (i = 0; i < 8; i++) {
		if (i > 0) {
			size_t pos = out->len - start;

			do
				buf_addc(out, ' ');
			while (++pos < cols[i]);
		}
		buf_adds(out, fields[i]);
	}
	for (i = 0; s->argv != NULL && s->argv[i] != NULL; i++) {
		buf_addc(out, ' ');
		buf_adds(out, s->argv[i]);
	}
}
