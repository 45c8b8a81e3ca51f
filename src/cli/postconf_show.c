/*
 * postconf_show: what `postconf` prints, as Postfix 3.7.11 prints it:
 * "name = value" lines sorted by name (values with their white space runs
 * squeezed to one space; "name =" when empty), -h values only, -x
 * expanded, -d the defaults, -n the explicit settings; -M the master.cf
 * entries; then the "unused parameter" warnings. reference/commands/02
 * and 11 are the ground truth.
 *
 * Besides the parameters Postfix knows, a name set in main.cf counts as a
 * (user-defined) parameter once some value refers to it as $name; any
 * other unknown setting is "unused".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/postconf.h"
#include "lib/buf.h"
#include "lib/xalloc.h"

/* ---- user-defined parameters --------------------------------------------- */

struct names {
	char **v;
	size_t n;
};

static int names_has(const struct names *ns, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (strlen(ns->v[i]) == len && strncmp(ns->v[i], name, len) == 0)
			return 1;
	return 0;
}

static void names_add(void *ctx, const char *name, size_t len)
{
	struct names *ns = ctx;

	if (names_has(ns, name, len))
		return;
	ns->v = xrealloc(ns->v, (ns->n + 1) * sizeof(char *));
	ns->v[ns->n++] = xstrndup(name, len);
}

static void names_free(struct names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

static void refs_of_setting(void *ctx, const char *name, const char *raw)
{
	(void)name;
	conf_expand_names(raw, names_add, ctx);
}

/* Every name some main.cf value or master.cf -o value refers to. */
static void referenced(struct postconf *pc, struct names *ns)
{
	size_t i, j;

	conf_foreach_set(pc->conf, refs_of_setting, ns);
	for (i = 0; i < pc->master.nservices; i++)
		for (j = 0; j < pc->master.services[i].nopts; j++)
			conf_expand_names(pc->master.services[i].opts[j].value,
					  names_add, ns);
}

static int listed(struct postconf *pc, const struct names *refs,
		  const char *name)
{
	if (conf_is_known(pc->conf, name))
		return 1;
	return conf_is_set(pc->conf, name) &&
	       names_has(refs, name, strlen(name));
}

/* ---- printing a parameter ------------------------------------------------- */

/* Postfix's printable(): anything but printable ASCII shows as '?'. */
static char *printable(const char *s)
{
	char *p = xstrdup(s), *q;

	for (q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
			*q = '?';
	return p;
}

static void squeeze(const char *v, struct buf *out)
{
	static const char ws[] = " \t\r\n\v\f";

	v += strspn(v, ws);
	while (*v) {
		size_t n = strcspn(v, ws);

		buf_add(out, v, n);
		v += n;
		v += strspn(v, ws);
		if (*v)
			buf_addc(out, ' ');
	}
}

/*
 * -f: Postfix folds a line before a word that would pass column 80 (79
 * for master.cf entries) and indents the rest by 4 spaces (observed with
 * postconf -f and -Mf). In a master.cf entry the command's leading
 * options are laid out apart: each "-o name=value" on a line of its own
 * and the word after it on a new line; an "-o" after the first
 * non-option argument is a plain word (postconf -Mf, -Me on 3.7.11).
 */
/* The end of the word at p: up to a space or newline; in a master.cf
 * entry "{a=b c}" is one word. */
static const char *word_end(const char *p, const char *end, int braces)
{
	int depth = 0;

	for (; p < end && *p != '\n'; p++) {
		if (*p == '{' && braces)
			depth++;
		else if (*p == '}' && depth > 0)
			depth--;
		else if (*p == ' ' && depth == 0)
			break;
	}
	return p;
}

void postconf_fold(unsigned flags, const char *text, size_t len, struct buf *out)
{
	const char *p = text, *end = text + len;
	/* Parameter lines may reach column 80, master.cf lines 79. */
	size_t col = 0, limit = (flags & POSTCONF_MASTER) ? 79 : 80;
	int nwords = 0, in_opts = 1, break_next = 0;

	while (p < end && *p != '\n') {
		const char *sep = p, *word;
		size_t nsep, nword;
		int pair = 0;

		while (p < end && *p == ' ')
			p++;
		nsep = (size_t)(p - sep);
		word = p;
		p = word_end(p, end, (flags & POSTCONF_MASTER) != 0);
		nword = (size_t)(p - word);
		if (nword == 0)
			break;
		/* words 0-7 are the fields; the command's arguments follow */
		if ((flags & POSTCONF_MASTER) && ++nwords > 8 && in_opts) {
			if (word[0] != '-') {
				in_opts = 0;
			} else if (nword == 2 && strncmp(word, "-o", 2) == 0 && p + 1 < end
				   && p[0] == ' ' && p[1] != ' ' && p[1] != '\n') {
				p = word_end(p + 1, end, 1);
				nword = (size_t)(p - word);
				pair = 1;
				nwords++;
			}
		}
		if (col > 4 && (pair || break_next || col + nsep + nword > limit)) {
			buf_adds(out, "\n    ");
			col = 4;
		} else {
			buf_add(out, sep, nsep);
			col += nsep;
		}
		buf_add(out, word, nword);
		col += nword;
		break_next = pair;
	}
	buf_addc(out, '\n');
}

static void emit(const struct postconf *pc, const struct buf *line)
{
	struct buf out;

	if (!(pc->flags & POSTCONF_FOLD)) {
		fwrite(line->data, 1, line->len, stdout);
		return;
	}
	buf_init(&out);
	postconf_fold(pc->flags, line->data, line->len, &out);
	fwrite(out.data, 1, out.len, stdout);
	buf_reset(&out);
}

static void undefined(void *ctx, const char *name)
{
	struct postconf *pc = ctx;

	postconf_msg_warn("%s: undefined parameter: %s", pc->main_shown, name);
}

/* One line of output; 0, or 1 after a fatal expansion error. */
static int print_param(struct postconf *pc, struct conf *view,
		       const char *name, const char *value)
{
	struct buf expanded, line;
	struct err e;

	buf_init(&expanded);
	buf_init(&line);
	if ((pc->flags & POSTCONF_EXPAND) && !conf_is_raw_param(name)) {
		if (conf_expand(view, value, &expanded, undefined, pc, &e) != 0) {
			buf_reset(&expanded);
			postconf_msg_warn("%s", e.text);
			/*
			 * Postfix's two wordings for the same failure: a loop
			 * back to the parameter being printed is caught one
			 * layer further out (observed with 3.7.11).
			 */
			{
				char *self = xasprintf("unreasonable macro call nesting: \"%s\"", name);
				int same = strcmp(e.text, self) == 0;

				free(self);
				if (same)
					return postconf_msg_fatal("macro processing error");
			}
			return postconf_msg_fatal("dictionary mail_dict: macro processing error");
		}
		buf_addc(&expanded, 0);
		value = expanded.data;
	}
	if (!(pc->flags & POSTCONF_NONAME)) {
		buf_adds(&line, name);
		buf_adds(&line, " =");
		if (*value)
			buf_addc(&line, ' ');
	}
	squeeze(value, &line);
	buf_addc(&line, '\n');
	emit(pc, &line);
	buf_reset(&line);
	buf_reset(&expanded);
	return 0;
}

struct listing {
	struct postconf *pc;
	struct conf *view;
	const struct names *refs;
	char **names;
	size_t n;
	int rc;
};

static void collect(void *ctx, const char *name, const char *value)
{
	struct listing *l = ctx;

	(void)value;
	if (l->rc != 0)
		return;
	if ((l->pc->flags & POSTCONF_NONDEF) &&
	    !listed(l->pc, l->refs, name))
		return;
	l->names = xrealloc(l->names, (l->n + 1) * sizeof(char *));
	l->names[l->n++] = xstrdup(name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int postconf_show_params(struct postconf *pc, int argc, char **argv)
{
	struct names refs = { NULL, 0 };
	struct listing l;
	size_t i, k;
	int defaults = (pc->flags & POSTCONF_DEFAULTS) != 0;

	memset(&l, 0, sizeof(l));
	l.pc = pc;
	l.view = defaults ? conf_defaults_view(pc->conf) : pc->conf;
	l.refs = &refs;
	referenced(pc, &refs);

	if (argc == 0) {
		if (pc->flags & POSTCONF_NONDEF) {
			conf_foreach_set(pc->conf, collect, &l);
		} else {
			conf_foreach_default(pc->conf, collect, &l);
			/* User-defined parameters join the list when set. */
			if (!defaults)
				for (i = 0; i < refs.n; i++)
					if (conf_is_set(pc->conf, refs.v[i]) &&
					    !conf_is_known(pc->conf, refs.v[i])) {
						l.names = xrealloc(l.names, (l.n + 1) * sizeof(char *));
						l.names[l.n++] = xstrdup(refs.v[i]);
					}
			qsort(l.names, l.n, sizeof(char *), cmp_str);
		}
	} else {
		for (k = 0; k < (size_t)argc; k++) {
			const char *name = argv[k];
			int ok = defaults ? conf_default_value(pc->conf, name) != NULL
					  : listed(pc, &refs, name);

			if (!ok) {
				/* Flushes what came before, keeping the order. */
				l.names = xrealloc(l.names, (l.n + 1) * sizeof(char *));
				l.names[l.n++] = xasprintf("\n%s", name);
				continue;
			}
			if ((pc->flags & POSTCONF_NONDEF) && !conf_is_set(pc->conf, name))
				continue;
			l.names = xrealloc(l.names, (l.n + 1) * sizeof(char *));
			l.names[l.n++] = xstrdup(name);
		}
	}

	for (i = 0; i < l.n && l.rc == 0; i++) {
		const char *name = l.names[i];
		const char *value;

		if (name[0] == '\n') {
			postconf_msg_warn("%s: unknown parameter", name + 1);
			continue;
		}
		value = defaults ? conf_default_value(pc->conf, name)
				 : conf_raw(pc->conf, name);
		l.rc = print_param(pc, l.view, name, value ? value : "");
	}
	for (i = 0; i < l.n; i++)
		free(l.names[i]);
	free(l.names);
	if (l.rc == 0 && !defaults)
		postconf_show_unused(pc, 1, 1);
	names_free(&refs);
	fflush(stdout);
	return l.rc;
}

/* ---- unused parameters ------------------------------------------------------ */

struct setting {
	const char *name;
	const char *raw;
	int line;
};

struct settings {
	struct setting *v;
	size_t n;
	const struct conf *conf;
};

static void add_setting(void *ctx, const char *name, const char *raw)
{
	struct settings *s = ctx;
	int line = conf_set_line(s->conf, name);

	if (line <= 0)
		return;		/* an override, not main.cf */
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n].name = name;
	s->v[s->n].raw = raw;
	s->v[s->n].line = line;
	s->n++;
}

static int cmp_line(const void *a, const void *b)
{
	const struct setting *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

void postconf_show_unused(struct postconf *pc, int main_cf, int master_cf)
{
	struct names refs = { NULL, 0 };
	size_t i, j;

	referenced(pc, &refs);
	if (main_cf) {
		struct settings s = { NULL, 0, pc->conf };

		conf_foreach_set(pc->conf, add_setting, &s);
		qsort(s.v, s.n, sizeof(*s.v), cmp_line);
		for (i = 0; i < s.n; i++) {
			char *shown;

			if (listed(pc, &refs, s.v[i].name))
				continue;
			shown = printable(s.v[i].raw);
			{
				char *nm = printable(s.v[i].name);

				postconf_msg_warn("%s: unused parameter: %s=%s",
						  pc->main_shown, nm, shown);
				free(nm);
			}
			free(shown);
		}
		free(s.v);
	}
	if (master_cf) {
		for (i = 0; i < pc->master.nservices; i++) {
			const struct mastercf_service *sv = &pc->master.services[i];

			for (j = 0; j < sv->nopts; j++) {
				const char *name = sv->opts[j].name;

				if (conf_is_known(pc->conf, name) ||
				    names_has(&refs, name, strlen(name)))
					continue;
				postconf_msg_warn("%s: unused parameter: %s=%s",
						  pc->master_shown, name,
						  sv->opts[j].value);
			}
		}
	}
	names_free(&refs);
}

/* ---- postconf -M --------------------------------------------------------------- */

static int matches(const struct mastercf_service *s, const char *req)
{
	const char *slash = strchr(req, '/');

	if (slash == NULL)
		return strcmp(s->service, req) == 0;
	return strlen(s->service) == (size_t)(slash - req) &&
	       strncmp(s->service, req, (size_t)(slash - req)) == 0 &&
	       strcmp(s->type, slash + 1) == 0;
}

int postconf_show_master(struct postconf *pc, int argc, char **argv)
{
	int *hit = xcalloc((size_t)argc + 1, sizeof(int));
	struct buf line;
	size_t i;
	int k;

	buf_init(&line);
	for (i = 0; i < pc->master.nservices; i++) {
		const struct mastercf_service *s = &pc->master.services[i];
		int want = argc == 0;

		for (k = 0; k < argc; k++)
			if (matches(s, argv[k]))
				want = hit[k] = 1;
		if (!want)
			continue;
		buf_clear(&line);
		mastercf_format(s, &line);
		buf_addc(&line, '\n');
		emit(pc, &line);
	}
	buf_reset(&line);
	for (k = 0; k < argc; k++)
		if (!hit[k])
			postconf_msg_warn("unmatched request: \"%s\"", argv[k]);
	free(hit);
	postconf_show_unused(pc, 0, 1);
	fflush(stdout);
	return 0;
}
