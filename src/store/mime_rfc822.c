/*
 * The RFC 5322 / RFC 2045 tokenizer behind the MIME and address parsers,
 * following Dovecot 2.3's lib-mail/rfc822-parser.c so that odd headers
 * come out as Dovecot shows them: comments are skipped everywhere
 * (RFC 5322 3.2.2 CFWS), LWSP is allowed around '.' in dot-atoms
 * (RFC 822 compatibility), 8-bit bytes count as atext, quoted strings
 * lose their quotes, backslashes and folding CRLFs.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "store/mime.h"

/* RFC 5322 3.2.3 atext; 8-bit allowed as in Dovecot's table. */
static int is_atext(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if (c <= 0x20 || c == 0x7f)
		return 0;
	return strchr("()<>[]:;@\\,.\"", c) == NULL;
}

/* RFC 2045 5.1 token: no SPACE, CTLs or tspecials. */
static int is_mime_token(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if (c <= 0x20 || c == 0x7f)
		return 0;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

void mime_rfc822_init(struct mime_rfc822 *p, const char *s, size_t len)
{
	p->data = (const unsigned char *)s;
	p->end = p->data + len;
	p->last_comment = NULL;
}

static int skip_comment(struct mime_rfc822 *p)
{
	const unsigned char *start;
	int level = 1;

	BUG_ON(*p->data != '(');
	if (p->last_comment != NULL)
		buf_clear(p->last_comment);
	start = ++p->data;
	for (; p->data < p->end; p->data++) {
		switch (*p->data) {
		case '(':
			level++;
			break;
		case ')':
			if (--level == 0) {
				if (p->last_comment != NULL)
					buf_add(p->last_comment, start,
						(size_t)(p->data - start));
				p->data++;
				return p->data < p->end ? 1 : 0;
			}
			break;
		case '\n':
			/* folding inside a comment: drop the (CR)LF */
			if (p->last_comment != NULL) {
				size_t n = (size_t)(p->data - start);

				if (n > 0 && start[n - 1] == '\r')
					n--;
				buf_add(p->last_comment, start, n);
			}
			start = p->data + 1;
			break;
		case '\\':
			if (p->last_comment != NULL)
				buf_add(p->last_comment, start,
					(size_t)(p->data - start));
			start = p->data + 1;
			if (p->data + 1 < p->end)
				p->data++;
			break;
		default:
			break;
		}
	}
	return -1;	/* missing ')' */
}

int mime_rfc822_skip_lwsp(struct mime_rfc822 *p)
{
	while (p->data < p->end) {
		unsigned char c = *p->data;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			p->data++;
			continue;
		}
		if (c != '(')
			break;
		if (skip_comment(p) < 0)
			return -1;
	}
	return p->data < p->end ? 1 : 0;
}

int mime_rfc822_atom(struct mime_rfc822 *p, struct buf *out)
{
	const unsigned char *start = p->data;

	if (p->data >= p->end || !is_atext(*p->data))
		return -1;
	while (p->data < p->end && is_atext(*p->data))
		p->data++;
	buf_add(out, start, (size_t)(p->data - start));
	return mime_rfc822_skip_lwsp(p);
}

int mime_rfc822_dot_atom(struct mime_rfc822 *p, struct buf *out)
{
	const unsigned char *start;
	int ret;

	if (p->data >= p->end || !is_atext(*p->data))
		return -1;
	for (start = p->data++; p->data < p->end;) {
		if (is_atext(*p->data)) {
			p->data++;
			continue;
		}
		if (start != p->data)
			buf_add(out, start, (size_t)(p->data - start));
		if ((ret = mime_rfc822_skip_lwsp(p)) <= 0)
			return ret;
		if (*p->data != '.')
			return 1;
		p->data++;
		buf_addc(out, '.');
		if ((ret = mime_rfc822_skip_lwsp(p)) <= 0)
			return ret;
		start = p->data;
	}
	buf_add(out, start, (size_t)(p->data - start));
	return 0;
}

int mime_rfc822_quoted(struct mime_rfc822 *p, struct buf *out)
{
	const unsigned char *start;

	BUG_ON(p->data >= p->end || *p->data != '"');
	start = ++p->data;
	for (; p->data < p->end; p->data++) {
		switch (*p->data) {
		case '"':
			buf_add(out, start, (size_t)(p->data - start));
			p->data++;
			return mime_rfc822_skip_lwsp(p);
		case '\n': {
			size_t n = (size_t)(p->data - start);

			if (n > 0 && start[n - 1] == '\r')
				n--;
			buf_add(out, start, n);
			start = p->data + 1;
			break;
		}
		case '\\':
			if (p->data + 1 >= p->end)
				return -1;
			buf_add(out, start, (size_t)(p->data - start));
			p->data++;
			start = p->data;
			break;
		default:
			break;
		}
	}
	return -1;	/* missing '"' */
}

/* atext and '.' (obs-phrase allows dots between words). */
static int atom_or_dot(struct mime_rfc822 *p, struct buf *out)
{
	const unsigned char *start = p->data;

	while (p->data < p->end && (is_atext(*p->data) || *p->data == '.'))
		p->data++;
	if (p->data == start)
		return -1;
	buf_add(out, start, (size_t)(p->data - start));
	return mime_rfc822_skip_lwsp(p);
}

int mime_rfc822_phrase(struct mime_rfc822 *p, struct buf *out)
{
	int ret;

	/* phrase = 1*word / obs-phrase; words joined by one space */
	if (p->data >= p->end)
		return 0;
	if (*p->data == '.')
		return -1;
	for (;;) {
		if (*p->data == '"')
			ret = mime_rfc822_quoted(p, out);
		else
			ret = atom_or_dot(p, out);
		if (ret <= 0)
			return ret;
		if (!is_atext(*p->data) && *p->data != '"' && *p->data != '.')
			break;
		buf_addc(out, ' ');
	}
	return mime_rfc822_skip_lwsp(p);
}

static int domain_literal(struct mime_rfc822 *p, struct buf *out)
{
	const unsigned char *start = p->data;

	/* "[" *([FWS] dcontent) [FWS] "]", folds removed */
	for (p->data++; p->data < p->end; p->data++) {
		if (*p->data == '\\') {
			if (p->data + 1 >= p->end)
				break;
			p->data++;
		} else if (*p->data == '\r' || *p->data == '\n') {
			buf_add(out, start, (size_t)(p->data - start));
			start = p->data + 1;
		} else if (*p->data == ']') {
			p->data++;
			buf_add(out, start, (size_t)(p->data - start));
			return mime_rfc822_skip_lwsp(p);
		}
	}
	return -1;	/* missing ']' */
}

int mime_rfc822_domain(struct mime_rfc822 *p, struct buf *out)
{
	/* called at '@' */
	BUG_ON(p->data >= p->end || *p->data != '@');
	p->data++;
	if (mime_rfc822_skip_lwsp(p) <= 0)
		return -1;
	if (*p->data == '[')
		return domain_literal(p, out);
	return mime_rfc822_dot_atom(p, out);
}

int mime_rfc822_mime_token(struct mime_rfc822 *p, struct buf *out)
{
	const unsigned char *start = p->data;

	while (p->data < p->end && is_mime_token(*p->data))
		p->data++;
	if (p->data == start)
		return -1;
	buf_add(out, start, (size_t)(p->data - start));
	return mime_rfc822_skip_lwsp(p);
}

int mime_rfc822_content_type(struct mime_rfc822 *p, struct buf *out)
{
	size_t pos0 = out->len;

	if (mime_rfc822_skip_lwsp(p) <= 0)
		return -1;
	if (mime_rfc822_mime_token(p, out) <= 0)
		return -1;
	if (*p->data != '/')
		return -1;
	p->data++;
	if (mime_rfc822_skip_lwsp(p) <= 0) {
		out->len = pos0;
		out->data[pos0] = '\0';
		return -1;
	}
	buf_addc(out, '/');
	if (mime_rfc822_mime_token(p, out) < 0)
		return -1;
	return mime_rfc822_skip_lwsp(p);
}

/* One ";name=value"; 1 ok, 0 at the end, -1 broken (skip on). */
static int content_param(struct mime_rfc822 *p, struct buf *key,
			 struct buf *val)
{
	int ret;

	buf_clear(key);
	buf_clear(val);
	if (p->data >= p->end)
		return 0;
	if (*p->data != ';')
		return -1;
	p->data++;
	if (mime_rfc822_skip_lwsp(p) <= 0)
		return -1;
	if (mime_rfc822_mime_token(p, key) <= 0)
		return -1;
	if (*p->data != '=')
		return -1;
	p->data++;
	if ((ret = mime_rfc822_skip_lwsp(p)) <= 0) {
		/* no value: keep an empty one */
	} else if (*p->data == '"') {
		ret = mime_rfc822_quoted(p, val);
	} else if (*p->data == '=') {
		/* Dovecot's workaround for name==?utf-8?b?...?= */
		while (p->data < p->end && *p->data != ';' &&
		       *p->data != ' ' && *p->data != '\t' &&
		       *p->data != '\r' && *p->data != '\n')
			buf_addc(val, (char)*p->data++);
		ret = mime_rfc822_skip_lwsp(p);
	} else {
		ret = mime_rfc822_mime_token(p, val);
	}
	return ret < 0 ? -1 : 1;
}

struct cont {			/* one RFC 2231 continuation segment */
	char *base;
	unsigned idx;
	int extended;
	char *value;
};

static int cont_cmp(const struct cont *a, const struct cont *b)
{
	int c = strcasecmp(a->base, b->base);

	if (c != 0)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * RFC 2231 3/4: name*0="a"; name*1="b" -> name="ab"; a segment marked
 * with a trailing '*' is charset'lang'%XX encoded and makes the joined
 * key "name*". Plain parameters keep their order; joined ones follow
 * (Dovecot's rfc2231_parse does the same).
 */
void mime_rfc822_params(struct mime_rfc822 *p, struct mime_param **out,
			size_t *n_out)
{
	struct buf key, val;
	struct mime_param *v = NULL;
	struct cont *c = NULL;
	size_t n = 0, nc = 0, i, j;
	int ret;

	buf_init(&key);
	buf_init(&val);
	while ((ret = content_param(p, &key, &val)) != 0) {
		char *star;

		if (ret < 0) {
			/* broken: try on from the next ';' */
			if (p->data >= p->end)
				break;
			p->data++;
			while (p->data < p->end && *p->data != ';')
				p->data++;
			continue;
		}
		if (n + nc >= 1000)
			break;
		star = strchr(key.data, '*');
		if (star != NULL) {
			/* name*, name*N or name*N* */
			char *q = star + 1;
			unsigned idx = 0;
			int ok = 1;

			if (*q == '*')
				ok = 0;
			if (*q == '\0') {
				q = star;	/* name*: segment 0, encoded */
			}
			while (ok && *q >= '0' && *q <= '9') {
				if (idx > 100000)
					ok = 0;
				idx = idx * 10 + (unsigned)(*q++ - '0');
			}
			if (ok && (*q == '\0' || (q[0] == '*' && q[1] == '\0'))) {
				c = xrealloc(c, (nc + 1) * sizeof(*c));
				c[nc].base = xstrndup(key.data,
						      (size_t)(star - key.data));
				c[nc].idx = idx;
				c[nc].extended = *q == '*';
				c[nc].value = xstrdup(val.data ? val.data : "");
				nc++;
				continue;
			}
		}
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].name = xstrdup(key.data);
		v[n].value = xstrdup(val.data ? val.data : "");
		n++;
	}
	/* stable insertion sort: few segments */
	for (i = 1; i < nc; i++) {
		struct cont t = c[i];

		for (j = i; j > 0 && cont_cmp(&c[j - 1], &t) > 0; j--)
			c[j] = c[j - 1];
		c[j] = t;
	}
	for (i = 0; i < nc;) {
		struct buf joined;
		int ext = c[i].extended;

		buf_init(&joined);
		buf_adds(&joined, "");
		for (j = i; j < nc && strcasecmp(c[j].base, c[i].base) == 0; j++)
			buf_adds(&joined, c[j].value);
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].name = ext ? xasprintf("%s*", c[i].base) : xstrdup(c[i].base);
		v[n].value = buf_steal(&joined, NULL);
		n++;
		for (; i < j; i++) {
			free(c[i].base);
			free(c[i].value);
		}
	}
	free(c);
	buf_reset(&key);
	buf_reset(&val);
	*out = v;
	*n_out = n;
}
