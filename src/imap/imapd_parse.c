/*
 * The IMAP command syntax of RFC 3501 9 as Dovecot's lib-imap/imap-parser.c
 * reads it: tag and command name, atoms (with a "[...]" section kept
 * inside the atom, so BODY[HEADER.FIELDS (A B)]<0.10> is one argument),
 * quoted strings, literals {n} / {n+} (RFC 7888) / ~{n} (RFC 3516),
 * parenthesised lists; sequence sets with '*', ranges and "$" (RFC 5182);
 * the date formats of APPEND and SEARCH. The engine reads whole lines
 * and literals first (imapd.c) and calls imapd_parse_args() on the
 * command so far: it either completes, or says which literal it needs.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

#define MAX_LIST_DEPTH 50
#define MAX_ARGS 100000

/* RFC 3501 9: ATOM-CHAR; '%' and '*' pass too (list-wildcards), and
 * '\\' for flag atoms such as \Seen (imap-parser.c reads them so). */
static int is_atom_char(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if (c <= 0x20 || c == 0x7f)
		return 0;
	return strchr("(){\"", c) == NULL;
}

/* tag = 1*<any ASTRING-CHAR except "+">; Dovecot's imap_is_valid_tag()
 * refuses '/' too. */
static int is_tag_char(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("(){%*\"\\+/", c) == NULL;
}

/* IMAP_TAG_MAX_LEN */
#define TAG_MAX_LEN 100

enum imapd_tag_ret imapd_parse_tag(const char *line, size_t len,
				   char **tag_out, char **name_out,
				   size_t *rest_out)
{
	size_t i = 0, t0, n0;

	*tag_out = NULL;
	*name_out = NULL;
	*rest_out = len;
	while (i < len && line[i] != ' ')
		i++;
	if (i == 0 || i > TAG_MAX_LEN)
		return IMAPD_TAG_BAD_TAG;
	for (t0 = 0; t0 < i; t0++)
		if (!is_tag_char((unsigned char)line[t0]))
			return IMAPD_TAG_BAD_TAG;
	*tag_out = xstrndup(line, i);
	if (i < len)
		i++;
	n0 = i;
	while (i < len && line[i] != ' ')
		i++;
	if (i == n0)
		return IMAPD_TAG_BAD_NAME;
	for (t0 = n0; t0 < i; t0++) {
		unsigned char c = (unsigned char)line[t0];

		if (c >= 0x80 || !is_atom_char(c) || c == '[' || c == ']' ||
		    c == '\\')
			return IMAPD_TAG_BAD_NAME;
	}
	*name_out = xstrndup(line + n0, i - n0);
	for (t0 = 0; (*name_out)[t0] != '\0'; t0++)
		(*name_out)[t0] = (char)toupper((unsigned char)(*name_out)[t0]);
	*rest_out = i;
	return IMAPD_TAG_OK;
}

void imapd_args_free(struct imapd_arg *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].s);
		imapd_args_free(v[i].list, v[i].n);
	}
	free(v);
}

struct level {
	struct imapd_arg *v;
	size_t n;
};

static struct imapd_arg *push_arg(struct level *l, enum imapd_arg_type t,
				  const char *s, size_t len)
{
	struct imapd_arg *a;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	a = &l->v[l->n++];
	memset(a, 0, sizeof(*a));
	a->type = t;
	if (s != NULL) {
		a->s = xstrndup(s, len);
		a->len = len;
	}
	return a;
}

/* Closes the lists still open into their parents: keeps what was read. */
static void fold_levels(struct level *lv, size_t *depth)
{
	while (*depth > 0) {
		struct imapd_arg *a = &lv[*depth - 1].v[lv[*depth - 1].n - 1];

		a->list = lv[*depth].v;
		a->n = lv[*depth].n;
		lv[*depth].v = NULL;
		lv[*depth].n = 0;
		(*depth)--;
	}
}

enum imapd_parse_ret imapd_parse_args(const char *d, size_t n, size_t pos,
				      struct imapd_arg **args_out,
				      size_t *nargs_out,
				      struct imapd_lit *lit_out,
				      const char **err_out)
{
	struct level lv[MAX_LIST_DEPTH + 1];
	size_t depth = 0, count = 0;
	enum imapd_parse_ret ret = IMAPD_PARSE_ERROR;

	memset(lv, 0, sizeof(lv));
	memset(lit_out, 0, sizeof(*lit_out));
	*err_out = NULL;
	for (;;) {
		unsigned char c;

		while (pos < n && d[pos] == ' ')
			pos++;
		if (pos >= n || d[pos] == '\r' || d[pos] == '\n') {
			if (depth > 0) {
				*err_out = "Missing ')'";
				goto out;
			}
			ret = IMAPD_PARSE_OK;
			goto out;
		}
		if (++count > MAX_ARGS) {
			*err_out = "Too many arguments";
			goto out;
		}
		c = (unsigned char)d[pos];
		if (c == '(') {
			if (depth >= MAX_LIST_DEPTH) {
				*err_out = "Too deep list nesting";
				goto out;
			}
			push_arg(&lv[depth], IMAPD_ARG_LIST, NULL, 0);
			depth++;
			pos++;
			continue;
		}
		if (c == ')') {
			struct imapd_arg *a;

			if (depth == 0) {
				*err_out = "Unexpected ')'";
				goto out;
			}
			a = &lv[depth - 1].v[lv[depth - 1].n - 1];
			a->list = lv[depth].v;
			a->n = lv[depth].n;
			lv[depth].v = NULL;
			lv[depth].n = 0;
			depth--;
			pos++;
			/* an atom may not stick to a ')' */
			if (pos < n && d[pos] != ' ' && d[pos] != ')' &&
			    d[pos] != '\r' && d[pos] != '\n') {
				*err_out = "Missing ' ' after ')'";
				goto out;
			}
			continue;
		}
		if (c == '"') {
			struct buf q;
			size_t i = pos + 1;

			buf_init(&q);
			buf_adds(&q, "");
			for (; i < n && d[i] != '"'; i++) {
				if (d[i] == '\r' || d[i] == '\n')
					break;
				if (d[i] == '\0') {
					buf_reset(&q);
					*err_out = "NULs not allowed in strings";
					goto out;
				}
				if (d[i] == '\\' && i + 1 < n &&
				    d[i + 1] != '\r' && d[i + 1] != '\n')
					i++;
				buf_addc(&q, d[i]);
			}
			if (i >= n || d[i] != '"') {
				buf_reset(&q);
				*err_out = "Missing '\"'";
				goto out;
			}
			push_arg(&lv[depth], IMAPD_ARG_QUOTED, q.data, q.len);
			buf_reset(&q);
			pos = i + 1;
			continue;
		}
		if (c == '{' || (c == '~' && pos + 1 < n && d[pos + 1] == '{')) {
			int l8 = c == '~';
			size_t i = pos + (l8 ? 2 : 1);
			uint64_t size = 0;
			int digits = 0, nonsync = 0;

			for (; i < n && d[i] >= '0' && d[i] <= '9'; i++) {
				if (size > (UINT64_MAX - 9) / 10) {
					*err_out = "Invalid literal size";
					goto out;
				}
				size = size * 10 + (uint64_t)(d[i] - '0');
				digits++;
			}
			if (i < n && d[i] == '+') {
				nonsync = 1;
				i++;
			}
			if (digits == 0 || i >= n || d[i] != '}') {
				*err_out = "Invalid literal size";
				goto out;
			}
			i++;
			if (i < n && d[i] == '\r')
				i++;
			if (i >= n || d[i] != '\n') {
				*err_out = "Missing CRLF after literal";
				goto out;
			}
			i++;
			/*
			 * The engine calls us with complete lines, and after a
			 * literal's bytes with the line that follows: data that
			 * ends the buffer (a {0} too) is not read yet.
			 */
			if ((uint64_t)(n - i) <= size) {
				lit_out->size = size;
				lit_out->nonsync = nonsync;
				lit_out->literal8 = l8;
				ret = IMAPD_PARSE_LITERAL;
				goto out;
			}
			push_arg(&lv[depth], IMAPD_ARG_LITERAL, d + i,
				 (size_t)size)->literal8 = l8;
			pos = i + (size_t)size;
			continue;
		}
		{
			/* an atom; "[...]" inside keeps spaces and parens */
			size_t i = pos;
			int bracket = 0;

			for (; i < n; i++) {
				unsigned char a = (unsigned char)d[i];

				if (a == '\r' || a == '\n')
					break;
				if (bracket) {
					if (a == ']')
						bracket = 0;
					continue;
				}
				if (a == '[') {
					bracket = 1;
					continue;
				}
				if (a == ' ' || a == ')' || a == '(')
					break;
				if (a == '\0') {
					*err_out = "NULs not allowed in strings";
					goto out;
				}
				if (!is_atom_char(a)) {
					*err_out = "Invalid characters in atom";
					goto out;
				}
			}
			if (i < n && d[i] == '(') {
				*err_out = "Unexpected '('";
				goto out;
			}
			push_arg(&lv[depth], IMAPD_ARG_ATOM, d + pos, i - pos);
			pos = i;
		}
	}
out:
	fold_levels(lv, &depth);
	*args_out = lv[0].v;
	*nargs_out = lv[0].n;
	return ret;
}

int imapd_arg_is_astring(const struct imapd_arg *a)
{
	return a->type != IMAPD_ARG_LIST;
}

int imapd_arg_is_atom(const struct imapd_arg *a, const char *word)
{
	return a->type == IMAPD_ARG_ATOM && strcasecmp(a->s, word) == 0;
}

/* --- sequence sets ---------------------------------------------------- */

static int seq_number(const char **p, uint32_t *out)
{
	uint64_t v = 0;

	if (**p == '*') {
		(*p)++;
		*out = UINT32_MAX;
		return 0;
	}
	if (**p < '1' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (uint64_t)(**p - '0');
		if (v >= UINT32_MAX)
			return -1;
		(*p)++;
	}
	*out = (uint32_t)v;
	return 0;
}

int imapd_parse_seqset(const char *s, struct imapd_seqset *out)
{
	const char *p = s;

	memset(out, 0, sizeof(*out));
	if (strcmp(s, "$") == 0) {
		out->dollar = 1;
		return 0;
	}
	for (;;) {
		uint32_t lo, hi;

		if (seq_number(&p, &lo) < 0)
			goto fail;
		hi = lo;
		if (*p == ':') {
			p++;
			if (seq_number(&p, &hi) < 0)
				goto fail;
		}
		if (lo > hi) {
			uint32_t t = lo;

			lo = hi;
			hi = t;
		}
		if (out->n >= 100000)
			goto fail;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n].lo = lo;
		out->v[out->n].hi = hi;
		out->n++;
		if (*p == '\0')
			return 0;
		if (*p != ',')
			goto fail;
		p++;
	}
fail:
	imapd_seqset_free(out);
	return -1;
}

void imapd_seqset_free(struct imapd_seqset *set)
{
	free(set->v);
	memset(set, 0, sizeof(*set));
}

int imapd_seqset_has(const struct imapd_seqset *set, uint32_t x,
		     uint32_t star)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		uint32_t lo = set->v[i].lo == UINT32_MAX ? star : set->v[i].lo;
		uint32_t hi = set->v[i].hi == UINT32_MAX ? star : set->v[i].hi;

		if (lo > hi) {
			uint32_t t = lo;

			lo = hi;
			hi = t;
		}
		if (x >= lo && x <= hi)
			return 1;
	}
	return 0;
}

uint32_t imapd_seqset_max(const struct imapd_seqset *set, uint32_t star)
{
	uint32_t m = 0;
	size_t i;

	for (i = 0; i < set->n; i++) {
		uint32_t lo = set->v[i].lo == UINT32_MAX ? star : set->v[i].lo;
		uint32_t hi = set->v[i].hi == UINT32_MAX ? star : set->v[i].hi;

		if (lo > m)
			m = lo;
		if (hi > m)
			m = hi;
	}
	return m;
}

/* --- dates ------------------------------------------------------------ */

static const char *const months[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static int month_index(const char *s)
{
	int i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(s, months[i], 3) == 0)
			return i;
	return -1;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* H. Hinnant's algorithm: days since 1970-01-01 */
	y -= m <= 2;
	{
		const int64_t era = (y >= 0 ? y : y - 399) / 400;
		const unsigned yoe = (unsigned)(y - era * 400);
		const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		return era * 146097 + (int64_t)doe - 719468;
	}
}

static int parse_dmy(const char **p, int *d, int *m, int *y)
{
	const char *s = *p;
	int n = 0;

	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	*d = 0;
	while (isdigit((unsigned char)*s) && n < 2) {
		*d = *d * 10 + (*s++ - '0');
		n++;
	}
	if (*s++ != '-')
		return -1;
	if ((*m = month_index(s)) < 0)
		return -1;
	s += 3;
	if (*s++ != '-')
		return -1;
	*y = 0;
	for (n = 0; n < 4; n++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		*y = *y * 10 + (*s++ - '0');
	}
	if (*d < 1 || *d > 31)
		return -1;
	*p = s;
	return 0;
}

int64_t imapd_parse_date(const char *s)
{
	int d, m, y;

	if (parse_dmy(&s, &d, &m, &y) < 0 || *s != '\0')
		return -1;
	return days_from_civil(y, (unsigned)m + 1, (unsigned)d) * 86400;
}

int64_t imapd_parse_datetime(const char *s)
{
	int d, m, y, hh, mm, ss, tz;
	int64_t t;

	if (parse_dmy(&s, &d, &m, &y) < 0)
		return -1;
	if (strlen(s) != 15 || s[0] != ' ' || s[3] != ':' || s[6] != ':' ||
	    s[9] != ' ' || (s[10] != '+' && s[10] != '-'))
		return -1;
	if (!isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]) ||
	    !isdigit((unsigned char)s[4]) || !isdigit((unsigned char)s[5]) ||
	    !isdigit((unsigned char)s[7]) || !isdigit((unsigned char)s[8]))
		return -1;
	for (tz = 11; tz < 15; tz++)
		if (!isdigit((unsigned char)s[tz]))
			return -1;
	hh = (s[1] - '0') * 10 + (s[2] - '0');
	mm = (s[4] - '0') * 10 + (s[5] - '0');
	ss = (s[7] - '0') * 10 + (s[8] - '0');
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	tz = ((s[11] - '0') * 10 + (s[12] - '0')) * 3600 +
	     ((s[13] - '0') * 10 + (s[14] - '0')) * 60;
	if (s[10] == '-')
		tz = -tz;
	t = days_from_civil(y, (unsigned)m + 1, (unsigned)d) * 86400 +
	    hh * 3600 + mm * 60 + ss;
	return t - tz;
}

/* RFC 5322 3.3 (and obsolete forms): [day ","] d mon y hh:mm[:ss] zone */
int64_t imapd_parse_rfc822_date(const char *s, int *tz_out)
{
	int d = 0, m, y = 0, hh = 0, mm = 0, ss = 0, tz = 0, n;
	const char *p = s;

	*tz_out = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (isalpha((unsigned char)*p)) {
		while (isalpha((unsigned char)*p))
			p++;
		while (*p == ' ' || *p == ',')
			p++;
	}
	for (n = 0; isdigit((unsigned char)*p) && n < 2; n++)
		d = d * 10 + (*p++ - '0');
	if (n == 0 || d < 1 || d > 31)
		return -1;
	while (*p == ' ' || *p == '-')
		p++;
	if ((m = month_index(p)) < 0)
		return -1;
	while (isalpha((unsigned char)*p))
		p++;
	while (*p == ' ' || *p == '-')
		p++;
	for (n = 0; isdigit((unsigned char)*p) && n < 4; n++)
		y = y * 10 + (*p++ - '0');
	if (n == 0)
		return -1;
	if (n <= 2)
		y += y < 50 ? 2000 : 1900;	/* RFC 5322 4.3 */
	else if (n == 3)
		y += 1900;
	while (*p == ' ')
		p++;
	if (isdigit((unsigned char)*p)) {
		hh = atoi(p);
		while (isdigit((unsigned char)*p))
			p++;
		if (*p == ':') {
			mm = atoi(++p);
			while (isdigit((unsigned char)*p))
				p++;
			if (*p == ':') {
				ss = atoi(++p);
				while (isdigit((unsigned char)*p))
					p++;
			}
		}
		while (*p == ' ')
			p++;
		if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1])) {
			int v = atoi(p + 1);

			tz = (v / 100) * 3600 + (v % 100) * 60;
			if (*p == '-')
				tz = -tz;
		}
	}
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	*tz_out = tz;
	return days_from_civil(y, (unsigned)m + 1, (unsigned)d) * 86400 +
	       hh * 3600 + mm * 60 + ss - tz;
}
