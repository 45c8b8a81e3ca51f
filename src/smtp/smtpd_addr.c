/* smtpd_addr: see smtpd_addr.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "smtp/smtpd_addr.h"

/*
 * RFC 822 tokens. Operators are their own character; the rest are above
 * 0xff. Postfix's tokenizer also treats '%', '!' and '|' as operators.
 */
enum {
	TOK_ATOM = 256,
	TOK_QSTRING,
	TOK_DOMLIT,
	TOK_COMMENT,
	TOK_ADDR,		/* a group: the tokens of one address */
	TOK_STARTGRP,		/* "name:" of an RFC 822 group */
};

static const char opchars[] = "|%!()<>@,;:\\\".[]";

struct tok {
	int type;		/* 0: list sentinel */
	char *text;
	struct tok *prev, *next;
	struct tok *head;	/* TOK_ADDR: the grouped tokens */
};

static struct tok *tok_new(int type)
{
	struct tok *t = xcalloc(1, sizeof(*t));

	t->type = type;
	return t;
}

static void tok_free_list(struct tok *t)
{
	while (t != NULL) {
		struct tok *next = t->next;

		tok_free_list(t->head);
		free(t->text);
		free(t);
		t = next;
	}
}

static int is_lwsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Collects characters while `stop` is not met; a backslash escapes. */
static const char *collect(const char *s, struct buf *b, int (*ok)(int c))
{
	int c;

	while ((c = (unsigned char)*s) != 0) {
		if (c == '\\') {
			if ((c = (unsigned char)*++s) == 0)
				break;
		} else if (!ok(c)) {
			break;
		}
		buf_addc(b, is_lwsp(c) ? ' ' : (char)c);
		s++;
	}
	return s;
}

static int atom_char(int c)
{
	return !is_lwsp(c) && strchr(opchars, c) == NULL;
}

static int not_rbracket(int c)
{
	return c != ']';
}

static int not_quote(int c)
{
	return c != '"';
}

/* A comment keeps its parentheses (external form), nesting and escapes. */
static const char *comment(const char *s, struct buf *b)
{
	int level = 1;
	int c;

	buf_addc(b, '(');
	while ((c = (unsigned char)*s) != 0) {
		buf_addc(b, (char)c);
		s++;
		if (c == '(') {
			level++;
		} else if (c == ')') {
			if (--level == 0)
				break;
		} else if (c == '\\') {
			if (*s == 0)
				break;
			buf_addc(b, *s++);
		}
	}
	return s;
}

/* Tokenizes into a list between two sentinels; returns the head one. */
static struct tok *scan(const char *s, struct tok **tail_out)
{
	struct tok *head = tok_new(0);
	struct tok *last = head;
	struct tok *t;
	struct buf b;
	int c;

	buf_init(&b);
	while ((c = (unsigned char)*s++) != 0) {
		if (is_lwsp(c))
			continue;
		buf_clear(&b);
		if (c == '(') {
			t = tok_new(TOK_COMMENT);
			s = comment(s, &b);
		} else if (c == '[') {
			t = tok_new(TOK_DOMLIT);
			s = collect(s, &b, not_rbracket);
			if (*s)
				s++;
		} else if (c == '"') {
			t = tok_new(TOK_QSTRING);
			s = collect(s, &b, not_quote);
			if (*s)
				s++;
		} else if (c != '\\' && strchr(opchars, c) != NULL) {
			t = tok_new(c);
		} else {
			t = tok_new(TOK_ATOM);
			s = collect(s - 1, &b, atom_char);
		}
		if (t->type >= TOK_ATOM)
			t->text = xstrndup(b.data ? b.data : "", b.len);
		t->prev = last;
		last->next = t;
		last = t;
	}
	buf_reset(&b);
	t = tok_new(0);
	t->prev = last;
	last->next = t;
	*tail_out = t;
	return head;
}

/*
 * Moves the tokens strictly between left and right under a new TOK_ADDR
 * node; with sync, a ',' goes in front of it (a missing comma put back).
 * Returns left, as tok822_group() does.
 */
static struct tok *group(struct tok *left, struct tok *right, int sync)
{
	struct tok *first = left->next;
	struct tok *g;

	if (left == right || first == right)
		return left;
	g = tok_new(TOK_ADDR);
	g->head = first;
	first->prev = NULL;
	right->prev->next = NULL;
	left->next = g;
	g->prev = left;
	g->next = right;
	right->prev = g;
	if (sync) {
		struct tok *comma = tok_new(',');

		comma->prev = left;
		comma->next = g;
		left->next = comma;
		g->prev = comma;
	}
	return left;
}

/* Takes t out of its list; returns what came before it. */
static struct tok *unlink_tok(struct tok *t)
{
	struct tok *prev = t->prev;

	if (prev)
		prev->next = t->next;
	if (t->next)
		t->next->prev = prev;
	t->prev = t->next = NULL;
	return prev;
}

/* Puts t in front of right; t becomes the new right boundary. */
static struct tok *prepend(struct tok *right, struct tok *t)
{
	t->prev = right->prev;
	if (right->prev)
		right->prev->next = t;
	t->next = right;
	right->prev = t;
	return t;
}

static int is_word(const struct tok *t)
{
	return t->type == TOK_ATOM || t->type == TOK_QSTRING
	    || t->type == TOK_DOMLIT;
}

#define DO_WORD		(1 << 0)
#define DO_GROUP	(1 << 1)

/*
 * Groups the tokens into addresses, right to left, as Postfix's
 * tok822_parse() does: <route> forms, named groups, and a comma put back
 * wherever two words meet without an operator ("a b" is two addresses).
 * Comments move aside (out of the way of the grouping).
 */
static void parse(struct tok *head, struct tok *tail)
{
	struct tok *right = tail;
	struct tok *tp = tail->prev;
	int state = DO_WORD;

	while (tp->type) {
		if (tp->type == TOK_COMMENT) {
			struct tok *prev = unlink_tok(tp);

			right = prepend(right, tp);
			tp = prev;
			continue;
		} else if (tp->type == ';') {
			right = group(tp, right, 1);
			state = DO_GROUP | DO_WORD;
		} else if (tp->type == ':' && (state & DO_GROUP)) {
			tp->type = TOK_STARTGRP;
			group(tp, right, 0);
			while (tp->type && tp->type != ',')
				tp = tp->prev;
			right = tp;
			continue;
		} else if (tp->type == '>') {
			right = group(tp, right, 1);
			while (tp->type && tp->type != '<') {
				if (tp->type == TOK_COMMENT) {
					struct tok *prev = unlink_tok(tp);

					right = prepend(right, tp);
					tp = prev;
					continue;
				}
				tp = tp->prev;
			}
			group(tp, right, 0);
			while (tp->type && (tp->type > 0xff
					    || strchr(">;,:", tp->type) == NULL))
				tp = tp->prev;
			right = tp;
			state |= DO_WORD;
			continue;
		} else if (is_word(tp)) {
			if ((state & DO_WORD) == 0)
				right = group(tp, right, 1)->next;
			state &= ~DO_WORD;
		} else if (tp->type == ',') {
			right = group(tp, right, 0);
			state |= DO_WORD;
		} else {
			state |= DO_WORD;
		}
		tp = tp->prev;
	}
	group(tp, right, 0);
	(void)head;
}

/* Internal form: the tokens run together, quotes and escapes gone. */
static void internalize(struct buf *b, const struct tok *t)
{
	for (; t != NULL; t = t->next) {
		switch (t->type) {
		case TOK_ADDR:
			internalize(b, t->head);
			break;
		case TOK_ATOM:
		case TOK_QSTRING:
		case TOK_COMMENT:
			buf_adds(b, t->text);
			break;
		case TOK_DOMLIT:
			buf_addc(b, '[');
			buf_adds(b, t->text);
			buf_addc(b, ']');
			break;
		case TOK_STARTGRP:
			buf_addc(b, ':');
			break;
		default:
			buf_addc(b, (char)t->type);
			break;
		}
	}
}

static int all_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/*
 * The syntax part of Postfix's address resolution: the domain the address
 * would be routed to must be a valid host name or address literal. Without
 * '@', the percent hack ("user%host") and bang paths ("host!user") name
 * the domain; a plain local part gets $myhostname, which is valid.
 */
static int resolvable(const char *addr, int smtputf8)
{
	size_t len = strlen(addr);
	char *work;
	const char *domain = NULL;
	char *p;
	int ok;

	if (len == 0)
		return 1;
	if (addr[0] == '-')		/* allow_min_user = no */
		return 0;
	if (!smtpd_addr_valid_utf8(addr, len))
		return 0;
	work = xstrdup(addr);
	if (len > 2 && work[len - 1] == '.' && strchr(work, '@') != NULL
	    && work[len - 2] != '.' && work[len - 2] != '@')
		work[--len] = 0;
	if ((p = strrchr(work, '@')) != NULL) {
		domain = p + 1;
	} else if ((p = strrchr(work, '%')) != NULL) {
		domain = p + 1;
	} else if ((p = strchr(work, '!')) != NULL) {
		*p = 0;
		domain = work;
	}
	if (domain == NULL)
		ok = 1;
	else if (*domain == '[')
		ok = smtpd_addr_valid_literal(domain);
	else if (*domain == 0)
		ok = 0;
	else if (!all_ascii(domain))
		ok = smtputf8;	/* XXX no IDNA check */
	else
		ok = smtpd_addr_valid_hostname(domain);
	free(work);
	return ok;
}

int smtpd_addr_extract(const char *arg, int allow_empty, int strict_rfc821,
		       int smtputf8, char **addr_out)
{
	size_t len = strlen(arg);
	char *text;
	const char *t;
	const char *colon;
	struct tok *head, *tail, *tp;
	const struct tok *addr = NULL;
	int naddr = 0, non_addr = 0;
	int err = 0;
	struct buf b;

	*addr_out = NULL;
	if (len >= 2 && arg[0] == '<' && arg[len - 1] == '>')
		text = xstrndup(arg + 1, len - 2);
	else
		text = xstrdup(arg);
	/* RFC 821 source route "@a,@b:user@domain": keep user@domain. */
	t = text;
	if (*t == '@' && (colon = strchr(t, ':')) != NULL)
		t = colon + 1;
	head = scan(t, &tail);
	parse(head, tail);
	for (tp = head->next; tp != NULL && tp->type != 0; tp = tp->next) {
		if (tp->type == TOK_ADDR) {
			addr = tp;
			naddr++;
		} else if (tp->type != '<' && tp->type != '>') {
			non_addr++;
		}
	}
	if (naddr > 1 || (strict_rfc821 && (non_addr || arg[0] != '<')))
		err = 1;
	buf_init(&b);
	buf_adds(&b, "");
	if (addr != NULL)
		internalize(&b, addr->head);
	tok_free_list(head);
	free(text);
	if (!err && ((b.len == 0 && !allow_empty)
		     || (strict_rfc821 && b.data[0] == '@')
		     || !resolvable(b.data, smtputf8)))
		err = 1;
	if (err) {
		buf_reset(&b);
		return -1;
	}
	*addr_out = b.data;
	return 0;
}

int smtpd_addr_valid_hostname(const char *name)
{
	size_t label = 0;
	int numeric = 1;
	const char *cp;

	if (*name == 0)
		return 0;
	for (cp = name; *cp; cp++) {
		int c = (unsigned char)*cp;

		if (isalnum(c) || c == '_') {
			if (++label > 63)
				return 0;
			if (!isdigit(c))
				numeric = 0;
		} else if (c == '.') {
			if (label == 0 || cp[1] == 0)
				return 0;
			label = 0;
		} else if (c == '-') {
			numeric = 0;
			label++;
			if (label == 1 || cp[1] == 0 || cp[1] == '.')
				return 0;
		} else {
			return 0;
		}
	}
	return !numeric && cp - name <= 255;
}

static int valid_ipv4(const char *a)
{
	int in_byte = 0, bytes = 0, val = 0;
	const char *cp;

	for (cp = a; *cp; cp++) {
		if (isdigit((unsigned char)*cp)) {
			if (!in_byte) {
				in_byte = 1;
				val = 0;
				bytes++;
			}
			val = val * 10 + (*cp - '0');
			if (val > 255)
				return 0;
		} else if (*cp == '.') {
			if (!in_byte || cp[1] == 0)
				return 0;
			/* 0.0.0.0 is fine, 0.1.2.3 is not */
			if (bytes == 1 && val == 0 && a[strspn(a, "0.")])
				return 0;
			in_byte = 0;
		} else {
			return 0;
		}
	}
	return bytes == 4;
}

static int valid_ipv6(const char *a)
{
	int null_field = 0, field = 0;
	size_t len = 0;
	const char *cp = a;

	for (;;) {
		switch (*cp) {
		case 0:
			if (field < 2)
				return 0;
			if (len == 0 && null_field != field - 1)
				return 0;
			return 1;
		case '.':
			if (field < 2 || field > 6)
				return 0;
			return valid_ipv4(cp - len);
		case ':':
			if (field == 0 && len == 0
			    && isalnum((unsigned char)cp[1]))
				return 0;
			if (++field > 7)
				return 0;
			cp++;
			len = 0;
			if (*cp == ':') {
				if (null_field > 0)
					return 0;
				null_field = field;
			}
			break;
		default:
			len = strspn(cp, "0123456789abcdefABCDEF");
			if (len == 0 || len > 4)
				return 0;
			cp += len;
			break;
		}
	}
}

int smtpd_addr_valid_literal(const char *lit)
{
	const char *end;
	char buf[100];
	size_t n;

	if (*lit != '[' || (end = strchr(lit, ']')) == NULL || end[1] != 0)
		return 0;
	n = (size_t)(end - lit - 1);
	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, lit + 1, n);
	buf[n] = 0;
	if (strncasecmp(buf, "IPv6:", 5) == 0)
		return valid_ipv6(buf + 5);
	return valid_ipv4(buf);
}

int smtpd_addr_valid_utf8(const char *str, size_t len)
{
	const unsigned char *p = (const unsigned char *)str;
	const unsigned char *end = p + len;

	while (p < end) {
		unsigned c = *p;

		if (c <= 0x7f) {
			p++;
		} else if (c <= 0xdf) {
			if (c < 0xc2 || end - p < 2 || (p[1] & 0xc0) != 0x80)
				return 0;
			p += 2;
		} else if (c <= 0xef) {
			if (end - p < 3
			    || p[1] < (c == 0xe0 ? 0xa0 : 0x80)
			    || p[1] > (c == 0xed ? 0x9f : 0xbf)
			    || (p[2] & 0xc0) != 0x80)
				return 0;
			p += 3;
		} else if (c <= 0xf4) {
			if (end - p < 4
			    || p[1] < (c == 0xf0 ? 0x90 : 0x80)
			    || p[1] > (c == 0xf4 ? 0x8f : 0xbf)
			    || (p[2] & 0xc0) != 0x80
			    || (p[3] & 0xc0) != 0x80)
				return 0;
			p += 4;
		} else {
			return 0;
		}
	}
	return 1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Appends code point u as UTF-8. */
static void add_utf8(struct buf *b, unsigned long u)
{
	if (u < 0x80) {
		buf_addc(b, (char)u);
	} else if (u < 0x800) {
		buf_addc(b, (char)(0xc0 | (u >> 6)));
		buf_addc(b, (char)(0x80 | (u & 0x3f)));
	} else if (u < 0x10000) {
		buf_addc(b, (char)(0xe0 | (u >> 12)));
		buf_addc(b, (char)(0x80 | ((u >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (u & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | (u >> 18)));
		buf_addc(b, (char)(0x80 | ((u >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((u >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (u & 0x3f)));
	}
}

char *smtpd_addr_xtext_decode(const char *s, int utf8)
{
	struct buf b;
	int hi, lo;

	buf_init(&b);
	buf_adds(&b, "");
	while (*s) {
		if (*s == '+') {
			if ((hi = hexval((unsigned char)s[1])) < 0
			    || (lo = hexval((unsigned char)s[2])) < 0)
				goto bad;
			buf_addc(&b, (char)(hi * 16 + lo));
			s += 3;
		} else if (utf8 && s[0] == '\\' && s[1] == 'x' && s[2] == '{') {
			unsigned long u = 0;
			int digits = 0;

			for (s += 3; *s && *s != '}'; s++) {
				int v = hexval((unsigned char)*s);

				if (v < 0 || ++digits > 6)
					goto bad;
				u = u * 16 + (unsigned long)v;
			}
			if (*s != '}' || digits == 0 || u > 0x10ffff)
				goto bad;
			add_utf8(&b, u);
			s++;
		} else {
			buf_addc(&b, *s++);
		}
	}
	if (b.len == 0)
		goto bad;
	return b.data;
bad:
	buf_reset(&b);
	return NULL;
}
