/*
 * conf_expand: Postfix's parameter expansion, as mac_parse(3) and
 * mac_expand(3) of Postfix 3.7 define it, with recursion (a value found by
 * $name is itself expanded):
 *
 *   $$                          a literal '$'
 *   $name ${name} $(name)       the value; empty when undefined
 *   ${name?text} ${name?{text}} text when name's value is non-empty
 *   ${name:text} ${name:{text}} text when it is empty or undefined
 *   ${name?{t1}:{t2}}, ${name?{t1}:t2}
 *   ${{a} OP {b} ? {t1} : {t2}} OP: == != < <= >= > (numeric when both
 *                               sides are all digits), and the same with
 *                               the "level" suffix, comparing
 *                               compatibility levels (3.6 < 3.10).
 *
 * Names are [A-Za-z0-9_]. Whitespace around {} operands is ignored.
 * Nesting deeper than 100 is "unreasonable macro call nesting", which is
 * how Postfix stops "x = $x". Error texts are Postfix's own warnings.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_defaults.h"
#include "conf_int.h"
#include "xalloc.h"

#define WS " \t\r\n"

/* Postfix's own operator list in its diagnostics, quirks included. */
#define OPS_ANY "\"==\" or \"!=\"\" or \"<\"\" or \"<=\"\" or \">=\"\" or \">\""

struct xctx {
	struct conf *c;
	void (*undef)(void *ctx, const char *name);
	void *uctx;
	struct err *e;
	struct buf *out;
	int level;
	int failed;
};

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GE, OP_GT };

static const struct {
	const char *text;
	int op;
} ops[] = {
	{ "==", OP_EQ }, { "!=", OP_NE }, { "<", OP_LT },
	{ "<=", OP_LE }, { ">=", OP_GE }, { ">", OP_GT },
};

static int parse_text(struct xctx *x, const char *text);

static void fail(struct xctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct xctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->failed)
		return;
	x->failed = 1;
	if (x->e != NULL) {
		va_start(ap, fmt);
		vsnprintf(x->e->text, sizeof(x->e->text), fmt, ap);
		va_end(ap);
		x->e->errnum = 0;
	}
}

static int is_name_char(int ch)
{
	return isalnum(ch) || ch == '_';
}

/* A $name lookup: the value, or NULL when undefined. */
static const char *lookup(struct xctx *x, const char *name)
{
	struct conf_ent *ent = conf_ent_find(x->c, name);

	if (ent == NULL || (!ent->known && ent->raw == NULL)) {
		if (x->undef != NULL)
			x->undef(x->uctx, name);
		return NULL;
	}
	return conf_ent_value(x->c, ent);
}

/*
 * At a '{' after optional whitespace: the payload up to the balancing '}'
 * (NUL-terminated in place), *bp moved past it and the whitespace after.
 */
static char *curly_payload(struct xctx *x, char **bp)
{
	char *cp = *bp, *payload;
	int level = 1;

	for (payload = ++cp; ; cp++) {
		if (*cp == 0) {
			fail(x, "unbalanced {} in attribute expression: \"%s\"",
			     *bp);
			return NULL;
		} else if (*cp == '{') {
			level++;
		} else if (*cp == '}' && --level <= 0) {
			break;
		}
	}
	*cp++ = 0;
	*bp = cp + strspn(cp, WS);
	return payload;
}

static int find_left_curly(char **cp)
{
	size_t n = strspn(*cp, WS);

	if ((*cp)[n] != '{')
		return 0;
	*cp += n;
	return 1;
}

/* compat_level(3): "N", "N.M" or "N.M.P", each part all digits. */
static int compat_level(const char *s, long part[3])
{
	int i;

	for (i = 0; i < 3; i++)
		part[i] = 0;
	for (i = 0; i < 3; i++) {
		char *end;

		if (!isdigit((unsigned char)*s))
			return -1;
		part[i] = strtol(s, &end, 10);
		s = end;
		if (*s == 0)
			return 0;
		if (*s != '.')
			return -1;
		s++;
	}
	return -1;
}

static int all_digits(const char *s)
{
	if (*s == 0)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int op_result(int op, long delta)
{
	switch (op) {
	case OP_EQ: return delta == 0;
	case OP_NE: return delta != 0;
	case OP_LT: return delta < 0;
	case OP_LE: return delta <= 0;
	case OP_GE: return delta >= 0;
	default: return delta > 0;
	}
}

/* Expands an operand in a context of its own, as mac_expand() does. */
static char *expand_operand(struct xctx *x, const char *text)
{
	struct buf b;
	struct xctx sub = *x;
	char *s;

	buf_init(&b);
	sub.out = &b;
	sub.level = 0;
	sub.failed = 0;
	parse_text(&sub, text);
	if (sub.failed)
		x->failed = 1;
	buf_addc(&b, 0);
	s = buf_steal(&b, NULL);
	return s;
}

/* "{left} OP {right}" at *bp; its value ("true" or "") in *res_out. */
static int relational(struct xctx *x, char **bp, const char **res_out)
{
	char *cp = *bp, *left, *right, *op_pos, *lval, *rval;
	size_t op_len, i, type_len = 0;
	int op = -1, is_level = 0, result = 0;
	long delta;

	if ((left = curly_payload(x, &cp)) == NULL)
		return -1;
	op_pos = cp;
	op_len = strspn(cp, "<>!=?+-*/~&|%");
	for (i = 0; i < ARRAY_LEN(ops); i++)
		if (strlen(ops[i].text) == op_len &&
		    strncmp(ops[i].text, cp, op_len) == 0)
			op = ops[i].op;
	if (op < 0) {
		fail(x, "%s expected at: \"...%s}>>>%.20s\"", OPS_ANY, left, cp);
		return -1;
	}
	cp += op_len;
	if (isalnum((unsigned char)*cp)) {
		while (isalnum((unsigned char)cp[type_len]))
			type_len++;
		if (type_len != 5 || strncmp(cp, "level", 5) != 0) {
			fail(x, "bad operator suffix at: \"...%.*s>>>%.*s\"",
			     (int)op_len, op_pos, (int)type_len, cp);
			return -1;
		}
		is_level = 1;
		cp += type_len;
	}
	if (!find_left_curly(&cp)) {
		fail(x, "\"{expression}\" expected at: \"...{%s} %.*s>>>%.20s\"",
		     left, (int)(op_len + type_len), op_pos, cp);
		return -1;
	}
	if ((right = curly_payload(x, &cp)) == NULL)
		return -1;
	lval = expand_operand(x, left);
	rval = expand_operand(x, right);
	if (!x->failed) {
		if (is_level) {
			long l[3], r[3];

			if (compat_level(lval, l) != 0) {
				fail(x, "malformed compatibility level syntax: \"%s\"", lval);
			} else if (compat_level(rval, r) != 0) {
				fail(x, "malformed compatibility level syntax: \"%s\"", rval);
			} else {
				delta = l[0] != r[0] ? l[0] - r[0]
				      : l[1] != r[1] ? l[1] - r[1] : l[2] - r[2];
				result = op_result(op, delta);
			}
		} else if (all_digits(lval) && all_digits(rval)) {
			delta = strtol(lval, NULL, 10) - strtol(rval, NULL, 10);
			result = op_result(op, delta);
		} else {
			result = op_result(op, strcmp(lval, rval));
		}
	}
	free(lval);
	free(rval);
	if (x->failed)
		return -1;
	*res_out = result ? "true" : "";
	*bp = cp;
	return 0;
}

/* One ${...}, $(...) or $name reference; ref is ours to modify. */
static void expand_ref(struct xctx *x, char *ref)
{
	static char empty[] = "";
	char *cp = ref, *res_true, *res_false, *val = NULL;
	const char *found = NULL;
	int ch = 0;

	if (x->level++ > 100) {
		fail(x, "unreasonable macro call nesting: \"%s\"", ref);
		return;
	}
	if (find_left_curly(&cp)) {
		if (relational(x, &cp, &found) != 0)
			return;
		if ((ch = *cp) != 0) {
			if (ch != '?' && ch != ':') {
				fail(x, "\"?\" or \":\" expected at: \"...}>>>%.20s\"", cp);
				return;
			}
			cp++;
		}
	} else {
		char *start = cp += strspn(cp, WS);

		for (;; cp++) {
			size_t n = strspn(cp, WS);

			if ((ch = cp[n]) == 0) {
				*cp = 0;
				break;
			}
			if (ch == '?' || ch == ':') {
				*cp++ = 0;
				cp += n;
				break;
			}
			if (!is_name_char((unsigned char)*cp)) {
				fail(x, "attribute name syntax error at: \"...%.*s>>>%.20s\"",
				     (int)(cp - ref), ref, cp);
				return;
			}
		}
		found = lookup(x, start);
	}
	/* The value may live in a cache that expanding could refresh. */
	if (found != NULL)
		val = xstrdup(found);
	switch (ch) {
	case '?':
		if (find_left_curly(&cp)) {
			if ((res_true = curly_payload(x, &cp)) == NULL)
				goto out;
		} else {
			res_true = cp;
			cp = empty;
		}
		if (val != NULL && *val != 0)
			parse_text(x, res_true);
		if (x->failed || *cp == 0)
			break;
		if (*cp != ':') {
			fail(x, "\":\" expected at: \"...%s}>>>%.20s\"", res_true, cp);
			goto out;
		}
		cp++;
		/* FALLTHROUGH */
	case ':':
		if (find_left_curly(&cp)) {
			if ((res_false = curly_payload(x, &cp)) == NULL)
				goto out;
		} else {
			res_false = cp;
			cp = empty;
		}
		if (val == NULL || *val == 0)
			parse_text(x, res_false);
		if (!x->failed && *cp != 0) {
			fail(x, "unexpected input at: \"...%s}>>>%.20s\"", res_false, cp);
			goto out;
		}
		break;
	default:
		if (val != NULL && *val != 0)
			parse_text(x, val);
		break;
	}
	x->level--;
out:
	free(val);
}

/* mac_parse(3): literal text and references, left to right. */
static int parse_text(struct xctx *x, const char *text)
{
	const char *p = text;

	while (*p && !x->failed) {
		const char *start;
		char *ref;

		if (*p != '$') {
			size_t n = strcspn(p, "$");

			buf_add(x->out, p, n);
			p += n;
			continue;
		}
		if (p[1] == '$') {
			buf_addc(x->out, '$');
			p += 2;
			continue;
		}
		p++;
		if (*p == '{' || *p == '(') {
			char open = *p, close = open == '{' ? '}' : ')';
			int level = 1;
			const char *q;

			for (q = p + 1; level > 0; q++) {
				if (*q == 0) {
					fail(x, "truncated macro reference: \"%s\"", text);
					return -1;
				}
				if (*q == open)
					level++;
				else if (*q == close)
					level--;
			}
			start = p + 1;
			ref = xstrndup(start, (size_t)(q - 1 - start));
			p = q;
		} else {
			start = p;
			while (is_name_char((unsigned char)*p))
				p++;
			ref = xstrndup(start, (size_t)(p - start));
		}
		if (*ref == 0) {
			free(ref);
			fail(x, "empty macro name: \"%s\"", text);
			return -1;
		}
		expand_ref(x, ref);
		free(ref);
	}
	return x->failed ? -1 : 0;
}

int conf_expand(struct conf *c, const char *text, struct buf *out,
		void (*undef)(void *ctx, const char *name), void *ctx,
		struct err *e)
{
	struct xctx x;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.undef = undef;
	x.uctx = ctx;
	x.e = e;
	x.out = out;
	return parse_text(&x, text);
}

void conf_expand_names(const char *text,
		       void (*fn)(void *ctx, const char *name, size_t len),
		       void *ctx)
{
	const char *p = text;

	while ((p = strchr(p, '$')) != NULL) {
		const char *name;
		size_t n;

		p++;
		if (*p == '$') {
			p++;
			continue;
		}
		if (*p == '{' || *p == '(')
			p += 1 + strspn(p + 1, WS);
		name = p;
		n = 0;
		while (is_name_char((unsigned char)name[n]))
			n++;
		if (n > 0)
			fn(ctx, name, n);
	}
}
