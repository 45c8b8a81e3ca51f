/*
 * The scenario file: one statement a line, `#` comments, blank lines
 * ignored. Indentation is for the reader only: subject, body, C: and say
 * lines belong to the action above them (say lines before any action are
 * the introduction). docs/scenarios.md is the reference.
 */
#include "sim/scenario.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"

#ifndef SCENARIODIR
#define SCENARIODIR "/usr/local/share/maillab/scenarios"
#endif

static const char *const op_names[] = {
	[SCENARIO_SET] = "set",
	[SCENARIO_ALIAS] = "alias",
	[SCENARIO_MASTER] = "master",
	[SCENARIO_SEND] = "send",
	[SCENARIO_SESSION] = "session",
	[SCENARIO_DOWN] = "down",
	[SCENARIO_UP] = "up",
	[SCENARIO_WAIT] = "wait",
	[SCENARIO_RUN] = "run",
	[SCENARIO_FETCH] = "fetch",
};

/*
 * The syntax of each statement, shown on error. The keywords are syntax
 * and stay as they are; translators translate only the placeholders in
 * capitals, as world.conf's usage messages do.
 */
static const char *const op_usage[] = {
	[SCENARIO_SET] = N_("set HOST PARAMETER = VALUE"),
	[SCENARIO_ALIAS] = N_("alias HOST NAME: TARGET[, TARGET...]"),
	[SCENARIO_MASTER] = N_("master HOST SERVICE TYPE PRIVATE UNPRIV CHROOT WAKEUP MAXPROC COMMAND [-o NAME=VALUE...]"),
	[SCENARIO_SEND] = N_("send FROM -> TO[, TO...] [port N] [starttls] "
			  "[auth USER PASSWORD] [client NAME[ADDR]] "
			  "[server HOST] [helo NAME]"),
	[SCENARIO_SESSION] = N_("session HOST PORT [client NAME[ADDR]]"),
	[SCENARIO_DOWN] = N_("down HOST"),
	[SCENARIO_UP] = N_("up HOST"),
	[SCENARIO_WAIT] = N_("wait DURATION (90s, 30m, 4h, 5d, 5d2h)"),
	[SCENARIO_RUN] = "run",
	[SCENARIO_FETCH] = N_("fetch USER@DOMAIN imap|pop3 [port N] [starttls] "
			   "[password PASSWORD]"),
};

const char *scenario_op_name(enum scenario_op op)
{
	if ((size_t)op < ARRAY_LEN(op_names) && op_names[op] != NULL)
		return op_names[op];
	return "?";
}

static void describe_duration(struct buf *b, mtime_t ms)
{
	static const struct {
		char unit;
		mtime_t ms;
	} units[] = {
		{ 'd', 86400000 }, { 'h', 3600000 }, { 'm', 60000 }, { 's', 1000 },
	};
	size_t i;

	if (ms < 1000) {
		buf_adds(b, "0s");
		return;
	}
	for (i = 0; i < ARRAY_LEN(units); i++) {
		if (ms >= units[i].ms) {
			buf_addf(b, "%lld%c", (long long)(ms / units[i].ms), units[i].unit);
			ms %= units[i].ms;
		}
	}
}

char *scenario_describe(const struct scenario_action *a)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_adds(&b, scenario_op_name(a->op));
	switch (a->op) {
	case SCENARIO_SET:
		buf_addf(&b, " %s %s = %s", a->host, a->param, a->value);
		break;
	case SCENARIO_ALIAS:
		buf_addf(&b, " %s %s: %s", a->host, a->param, a->value);
		break;
	case SCENARIO_MASTER:
		buf_addf(&b, " %s %s", a->host, a->value);
		break;
	case SCENARIO_SEND:
		buf_addf(&b, " %s ->", a->from);
		for (i = 0; i < a->nto; i++)
			buf_addf(&b, "%s %s", i ? "," : "", a->to[i]);
		if (a->port)
			buf_addf(&b, " port %d", a->port);
		if (a->starttls)
			buf_adds(&b, " starttls");
		if (a->auth_user)
			buf_addf(&b, " auth %s %s", a->auth_user, a->auth_pass);
		if (a->client)
			buf_addf(&b, " client %s", a->client);
		if (a->host)
			buf_addf(&b, " server %s", a->host);
		if (a->helo)
			buf_addf(&b, " helo %s", a->helo);
		break;
	case SCENARIO_SESSION:
		buf_addf(&b, " %s %d", a->host, a->port);
		if (a->client)
			buf_addf(&b, " client %s", a->client);
		break;
	case SCENARIO_DOWN:
	case SCENARIO_UP:
		buf_addf(&b, " %s", a->host);
		break;
	case SCENARIO_WAIT:
		buf_addc(&b, ' ');
		describe_duration(&b, a->ms);
		break;
	case SCENARIO_RUN:
		break;
	case SCENARIO_FETCH:
		buf_addf(&b, " %s %s", a->user, a->proto);
		if (a->port)
			buf_addf(&b, " port %d", a->port);
		if (a->starttls)
			buf_adds(&b, " starttls");
		if (a->password)
			buf_addf(&b, " password %s", a->password);
		break;
	}
	return buf_steal(&b, NULL);
}

static void text_add(struct scenario_text *t, const char *lang,
		     const char *text)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->lang[i], lang) == 0) {
			char *joined = xasprintf("%s %s", t->text[i], text);

			free(t->text[i]);
			t->text[i] = joined;
			return;
		}
	}
	t->lang = xrealloc(t->lang, (t->n + 1) * sizeof(*t->lang));
	t->text = xrealloc(t->text, (t->n + 1) * sizeof(*t->text));
	t->lang[t->n] = xstrdup(lang);
	t->text[t->n] = xstrdup(text);
	t->n++;
}

static void text_free(struct scenario_text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->lang[i]);
		free(t->text[i]);
	}
	free(t->lang);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

const char *scenario_text_get(const struct scenario_text *t, const char *lang)
{
	size_t i;

	if (t->n == 0)
		return NULL;
	if (lang != NULL) {
		for (i = 0; i < t->n; i++)
			if (strcmp(t->lang[i], lang) == 0)
				return t->text[i];
		/* "pt" for "pt_BR" and the other way round. */
		for (i = 0; i < t->n; i++)
			if (strncmp(t->lang[i], lang, 2) == 0)
				return t->text[i];
	}
	for (i = 0; i < t->n; i++)
		if (strcmp(t->lang[i], "en") == 0)
			return t->text[i];
	return t->text[0];
}

int scenario_duration(const char *s, mtime_t *ms_out)
{
	static const struct {
		char unit;
		mtime_t ms;
	} units[] = {
		{ 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 },
		{ 'd', 86400000 }, { 'w', 604800000 },
	};
	mtime_t total = 0;
	const char *p = s;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	/* "90", "30m", "5d2h": numbers, each with a unit but a lone last one. */
	while (*p != '\0') {
		char *end;
		long long n;
		size_t i;

		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		n = strtoll(p, &end, 10);
		if (errno != 0 || n > 1000000)
			return -1;
		if (*end == '\0') {
			if (p != s)
				return -1;	/* "5d2": a unit is missing */
			total += n * 1000;
			break;
		}
		for (i = 0; i < ARRAY_LEN(units); i++)
			if (units[i].unit == *end)
				break;
		if (i == ARRAY_LEN(units))
			return -1;
		total += n * units[i].ms;
		p = end + 1;
	}
	*ms_out = total;
	return 0;
}

/* ---- the parser ---- */

struct parser {
	const char *name;
	int line;
	struct scenario *sc;
	struct err *e;
	char **tok;		/* the current line split on white space */
	size_t ntok;
};

static int perr_usage(struct parser *p, enum scenario_op op)
{
	return err_set(p->e, 0, _("%s, line %d: usage: %s"), p->name, p->line,
		       _(op_usage[op]));
}

static void split(struct parser *p, char *line)
{
	char *s = line;

	p->ntok = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		p->tok = xrealloc(p->tok, (p->ntok + 1) * sizeof(*p->tok));
		p->tok[p->ntok++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s == '\0')
			break;
		*s++ = '\0';
	}
}

static struct scenario_action *new_action(struct parser *p,
					  enum scenario_op op)
{
	struct scenario *sc = p->sc;
	struct scenario_action *a;

	sc->act = xrealloc(sc->act, (sc->nact + 1) * sizeof(*sc->act));
	a = &sc->act[sc->nact++];
	memset(a, 0, sizeof(*a));
	a->op = op;
	a->line = p->line;
	return a;
}

static struct scenario_action *last_action(struct parser *p)
{
	return p->sc->nact ? &p->sc->act[p->sc->nact - 1] : NULL;
}

static void add_line(struct scenario_action *a, const char *text)
{
	a->lines = xrealloc(a->lines, (a->nlines + 1) * sizeof(*a->lines));
	a->lines[a->nlines++] = xstrdup(text);
}

static int parse_port(const char *s, int *port_out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0 || v > 65535)
		return -1;
	*port_out = (int)v;
	return 0;
}

/* send FROM -> TO[, TO...] [options] */
static int parse_send(struct parser *p)
{
	struct scenario_action *a = new_action(p, SCENARIO_SEND);
	size_t i = 1;

	if (p->ntok < 4 || strcmp(p->tok[2], "->") != 0)
		return perr_usage(p, SCENARIO_SEND);
	a->from = xstrdup(p->tok[1]);
	for (i = 3; i < p->ntok; i++) {
		char *t = p->tok[i];
		size_t n = strlen(t);
		int more = n > 0 && t[n - 1] == ',';

		if (more)
			t[n - 1] = '\0';
		if (*t != '\0') {
			a->to = xrealloc(a->to, (a->nto + 1) * sizeof(*a->to));
			a->to[a->nto++] = xstrdup(t);
		}
		if (!more)
			break;
	}
	if (a->nto == 0)
		return perr_usage(p, SCENARIO_SEND);
	for (i++; i < p->ntok; i++) {
		const char *o = p->tok[i];

		if (strcmp(o, "starttls") == 0) {
			a->starttls = 1;
		} else if (strcmp(o, "port") == 0 && i + 1 < p->ntok) {
			if (parse_port(p->tok[++i], &a->port) < 0)
				return perr_usage(p, SCENARIO_SEND);
		} else if (strcmp(o, "auth") == 0 && i + 2 < p->ntok) {
			a->auth_user = xstrdup(p->tok[++i]);
			a->auth_pass = xstrdup(p->tok[++i]);
		} else if (strcmp(o, "client") == 0 && i + 1 < p->ntok) {
			a->client = xstrdup(p->tok[++i]);
		} else if (strcmp(o, "server") == 0 && i + 1 < p->ntok) {
			a->host = xstrdup(p->tok[++i]);
		} else if (strcmp(o, "helo") == 0 && i + 1 < p->ntok) {
			a->helo = xstrdup(p->tok[++i]);
		} else {
			return err_set(p->e, 0,
				       _("%s, line %d: unknown option \"%s\"; usage: %s"),
				       p->name, p->line, o, _(op_usage[SCENARIO_SEND]));
		}
	}
	return 0;
}

static int parse_session(struct parser *p)
{
	struct scenario_action *a = new_action(p, SCENARIO_SESSION);
	size_t i;

	if (p->ntok < 3 || parse_port(p->tok[2], &a->port) < 0)
		return perr_usage(p, SCENARIO_SESSION);
	a->host = xstrdup(p->tok[1]);
	for (i = 3; i < p->ntok; i++) {
		if (strcmp(p->tok[i], "client") == 0 && i + 1 < p->ntok)
			a->client = xstrdup(p->tok[++i]);
		else
			return perr_usage(p, SCENARIO_SESSION);
	}
	return 0;
}

static int parse_fetch(struct parser *p)
{
	struct scenario_action *a = new_action(p, SCENARIO_FETCH);
	size_t i;

	if (p->ntok < 3 || strchr(p->tok[1], '@') == NULL ||
	    (strcmp(p->tok[2], "imap") != 0 && strcmp(p->tok[2], "pop3") != 0))
		return perr_usage(p, SCENARIO_FETCH);
	a->user = xstrdup(p->tok[1]);
	a->proto = xstrdup(p->tok[2]);
	for (i = 3; i < p->ntok; i++) {
		if (strcmp(p->tok[i], "starttls") == 0)
			a->starttls = 1;
		else if (strcmp(p->tok[i], "port") == 0 && i + 1 < p->ntok) {
			if (parse_port(p->tok[++i], &a->port) < 0)
				return perr_usage(p, SCENARIO_FETCH);
		} else if (strcmp(p->tok[i], "password") == 0 && i + 1 < p->ntok)
			a->password = xstrdup(p->tok[++i]);
		else
			return perr_usage(p, SCENARIO_FETCH);
	}
	return 0;
}

/* set HOST PARAM = VALUE (VALUE may hold spaces and be empty) */
static int parse_set(struct parser *p, const char *line)
{
	struct scenario_action *a;
	const char *eq = strchr(line, '=');

	if (p->ntok < 4 || strcmp(p->tok[3], "=") != 0 || eq == NULL)
		return perr_usage(p, SCENARIO_SET);
	a = new_action(p, SCENARIO_SET);
	a->host = xstrdup(p->tok[1]);
	a->param = xstrdup(p->tok[2]);
	for (eq++; *eq == ' ' || *eq == '\t'; eq++)
		;
	a->value = xstrdup(eq);
	return 0;
}

/* alias HOST NAME: TARGETS */
static int parse_alias(struct parser *p, const char *line)
{
	struct scenario_action *a;
	const char *colon = strchr(line, ':');
	size_t n;

	if (p->ntok < 4 || colon == NULL)
		return perr_usage(p, SCENARIO_ALIAS);
	n = strlen(p->tok[2]);
	if (n < 2 || p->tok[2][n - 1] != ':')
		return perr_usage(p, SCENARIO_ALIAS);
	a = new_action(p, SCENARIO_ALIAS);
	a->host = xstrdup(p->tok[1]);
	a->param = xstrndup(p->tok[2], n - 1);
	for (colon++; *colon == ' ' || *colon == '\t'; colon++)
		;
	a->value = xstrdup(colon);
	return 0;
}

/* The text after the first word of a line, without surrounding blanks. */
static const char *after_word(const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	while (*line != '\0' && *line != ' ' && *line != '\t')
		line++;
	while (*line == ' ' || *line == '\t')
		line++;
	return line;
}

static int parse_line(struct parser *p, const char *line)
{
	struct scenario *sc = p->sc;
	struct scenario_action *a = last_action(p);
	char *copy = xstrdup(line);
	const char *w, *rest = after_word(line);
	int rc = 0;

	split(p, copy);
	if (p->ntok == 0)
		goto out;
	w = p->tok[0];
	if (strncmp(w, "title.", 6) == 0 && w[6] != '\0') {
		text_add(&sc->title, w + 6, rest);
	} else if (strncmp(w, "say.", 4) == 0 && w[4] != '\0') {
		text_add(a ? &a->say : &sc->intro, w + 4, rest);
	} else if (strcmp(w, "scenario") == 0 && p->ntok == 2) {
		free(sc->name);
		sc->name = xstrdup(p->tok[1]);
	} else if (strcmp(w, "world") == 0 && p->ntok == 2) {
		free(sc->world);
		sc->world = xstrdup(p->tok[1]);
	} else if (strcmp(w, "subject") == 0 || strcmp(w, "body") == 0) {
		if (a == NULL || a->op != SCENARIO_SEND) {
			rc = err_set(p->e, 0, _("%s, line %d: \"%s\" belongs under a send"),
				     p->name, p->line, w);
		} else if (w[0] == 's') {
			free(a->subject);
			a->subject = xstrdup(rest);
		} else {
			/* "body" alone is an empty line of the body. */
			add_line(a, rest);
		}
	} else if (strcmp(w, "C:") == 0) {
		if (a == NULL || a->op != SCENARIO_SESSION) {
			rc = err_set(p->e, 0, _("%s, line %d: \"%s\" belongs under a session"),
				     p->name, p->line, w);
		} else {
			/* Keep the line exactly as typed after "C: ". */
			const char *t = strstr(line, "C:") + 2;

			if (*t == ' ')
				t++;
			add_line(a, t);
		}
	} else if (strcmp(w, "send") == 0) {
		rc = parse_send(p);
	} else if (strcmp(w, "session") == 0) {
		rc = parse_session(p);
	} else if (strcmp(w, "fetch") == 0) {
		rc = parse_fetch(p);
	} else if (strcmp(w, "set") == 0) {
		rc = parse_set(p, line);
	} else if (strcmp(w, "alias") == 0) {
		rc = parse_alias(p, line);
	} else if (strcmp(w, "master") == 0) {
		/* A master.cf service line: at least the eight columns. */
		if (p->ntok < 10) {
			rc = perr_usage(p, SCENARIO_MASTER);
		} else {
			struct scenario_action *m = new_action(p, SCENARIO_MASTER);

			m->host = xstrdup(p->tok[1]);
			m->value = xstrdup(after_word(rest));
		}
	} else if (strcmp(w, "down") == 0 || strcmp(w, "up") == 0) {
		enum scenario_op op = w[0] == 'd' ? SCENARIO_DOWN : SCENARIO_UP;

		if (p->ntok != 2)
			rc = perr_usage(p, op);
		else
			new_action(p, op)->host = xstrdup(p->tok[1]);
	} else if (strcmp(w, "wait") == 0) {
		mtime_t ms;

		if (p->ntok != 2 || scenario_duration(p->tok[1], &ms) < 0)
			rc = perr_usage(p, SCENARIO_WAIT);
		else
			new_action(p, SCENARIO_WAIT)->ms = ms;
	} else if (strcmp(w, "run") == 0) {
		if (p->ntok != 1)
			rc = perr_usage(p, SCENARIO_RUN);
		else
			new_action(p, SCENARIO_RUN);
	} else {
		rc = err_set(p->e, 0, _("%s, line %d: unknown statement \"%s\""),
			     p->name, p->line, w);
	}
out:
	free(copy);
	return rc;
}

static void action_free(struct scenario_action *a)
{
	size_t i;

	free(a->host);
	free(a->param);
	free(a->value);
	free(a->from);
	for (i = 0; i < a->nto; i++)
		free(a->to[i]);
	free(a->to);
	free(a->auth_user);
	free(a->auth_pass);
	free(a->client);
	free(a->helo);
	free(a->subject);
	for (i = 0; i < a->nlines; i++)
		free(a->lines[i]);
	free(a->lines);
	free(a->user);
	free(a->proto);
	free(a->password);
	text_free(&a->say);
}

void scenario_free(struct scenario **sp)
{
	struct scenario *sc = *sp;
	size_t i;

	if (sc == NULL)
		return;
	free(sc->name);
	free(sc->world);
	text_free(&sc->title);
	text_free(&sc->intro);
	for (i = 0; i < sc->nact; i++)
		action_free(&sc->act[i]);
	free(sc->act);
	free(sc);
	*sp = NULL;
}

struct scenario *scenario_parse(const char *name, const char *text,
				size_t len, struct err *e)
{
	struct parser p = { name, 0, NULL, e, NULL, 0 };
	const char *s = text, *end = text + len;
	struct buf line;

	p.sc = xcalloc(1, sizeof(*p.sc));
	buf_init(&line);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *stop = nl ? nl : end;
		const char *t;

		p.line++;
		buf_clear(&line);
		buf_add(&line, s, (size_t)(stop - s));
		s = nl ? nl + 1 : end;
		if (line.len > 0 && line.data[line.len - 1] == '\r')
			line.data[--line.len] = '\0';
		for (t = line.data; *t == ' ' || *t == '\t'; t++)
			;
		if (*t == '\0' || *t == '#')
			continue;
		if (memchr(line.data, '\0', line.len) != NULL) {
			err_set(e, 0, _("%s, line %d: NUL byte"), name, p.line);
			goto fail;
		}
		if (parse_line(&p, line.data) < 0)
			goto fail;
	}
	if (p.sc->name == NULL || p.sc->world == NULL) {
		err_set(e, 0, _("%s: missing \"%s\" line"), name,
			p.sc->name == NULL ? "scenario" : "world");
		goto fail;
	}
	if (p.sc->nact == 0) {
		err_set(e, 0, _("%s: nothing happens (no action)"), name);
		goto fail;
	}
	buf_reset(&line);
	free(p.tok);
	return p.sc;
fail:
	buf_reset(&line);
	free(p.tok);
	scenario_free(&p.sc);
	return NULL;
}

struct scenario *scenario_load(const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	struct scenario *sc;
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL) {
		err_set(e, errno, _("cannot read %s: %s"), path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		err_set(e, errno, _("cannot read %s: %s"), path, strerror(errno));
		fclose(f);
		buf_reset(&b);
		return NULL;
	}
	fclose(f);
	sc = scenario_parse(path, b.data ? b.data : "", b.len, e);
	buf_reset(&b);
	return sc;
}

/* ---- finding the shipped scenarios ---- */

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

char *scenario_dir(void)
{
	const char *env = getenv("MAILLAB_SCENARIOS");
	char exe[PATH_MAX];
	ssize_t n;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	/* The build tree: bin/maillab and scenarios/ side by side. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash, *dir;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			/* bin/maillab, or build/<flavour>/maillab. */
			static const char *const rel[] = { "../scenarios", "../../scenarios" };
			size_t i;

			*slash = '\0';
			for (i = 0; i < ARRAY_LEN(rel); i++) {
				dir = xasprintf("%s/%s", exe, rel[i]);
				if (is_dir(dir))
					return dir;
				free(dir);
			}
		}
	}
	return xstrdup(SCENARIODIR);
}

char *scenario_path(const char *arg)
{
	size_t n = strlen(arg);
	char *dir, *p;

	if (strchr(arg, '/') != NULL || (n > 4 && strcmp(arg + n - 4, ".scn") == 0))
		return xstrdup(arg);
	dir = scenario_dir();
	p = xasprintf("%s/%s.scn", dir, arg);
	free(dir);
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **scenario_list(void)
{
	char *dir = scenario_dir();
	DIR *d = opendir(dir);
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0;
	struct dirent *de;

	free(dir);
	if (d == NULL)
		return v;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= 4 || strcmp(de->d_name + len - 4, ".scn") != 0 ||
		    de->d_name[0] == '.')
			continue;
		v = xrealloc(v, (n + 2) * sizeof(*v));
		v[n++] = xstrndup(de->d_name, len - 4);
		v[n] = NULL;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	return v;
}

void scenario_list_free(char ***vp)
{
	char **v = *vp;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
	*vp = NULL;
}
