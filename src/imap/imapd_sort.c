/*
 * SORT and UID SORT (RFC 5256) with SORT=DISPLAY (RFC 5957) and ESORT
 * (RFC 5267): criteria ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO,
 * DISPLAYFROM, DISPLAYTO and REVERSE, ties by sequence number; and the
 * RFC 5256 2.1 base subject that SORT and THREAD compare.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

/* RFC 5256 2.1: the base subject, upper-cased for comparing. */
char *imapd_sort_base_subject(const char *raw)
{
	struct buf d, w;
	char *s, *p;
	size_t i, n;
	int changed;

	buf_init(&d);
	buf_init(&w);
	buf_adds(&w, "");
	mime_decode_words(raw, strlen(raw), &d);
	/* (1) whitespace runs to one space */
	for (i = 0; i < d.len; i++) {
		char ch = d.data[i];

		if (ch == '\t' || ch == '\r' || ch == '\n')
			ch = ' ';
		if (ch == ' ' && (w.len == 0 || w.data[w.len - 1] == ' '))
			continue;
		buf_addc(&w, (char)toupper((unsigned char)ch));
	}
	buf_reset(&d);
	s = buf_steal(&w, NULL);
	do {
		changed = 0;
		/* (2) trailing "(FWD)" and whitespace */
		n = strlen(s);
		for (;;) {
			while (n > 0 && s[n - 1] == ' ')
				s[--n] = '\0', changed = 1;
			if (n >= 5 && strcmp(s + n - 5, "(FWD)") == 0) {
				n -= 5;
				s[n] = '\0';
				changed = 1;
				continue;
			}
			break;
		}
		/* (3)-(4) leading subj-refwd and subj-blob */
		for (;;) {
			p = s;
			while (*p == ' ')
				p++;
			if (strncmp(p, "RE", 2) == 0 || strncmp(p, "FW", 2) == 0) {
				char *q = p + 2;

				if (p[0] == 'F' && *q == 'D')
					q++;
				while (*q == ' ')
					q++;
				if (*q == '[') {
					char *e = strchr(q, ']');

					if (e != NULL && memchr(q + 1, '[', (size_t)(e - q - 1)) == NULL) {
						q = e + 1;
						while (*q == ' ')
							q++;
					}
				}
				if (*q == ':') {
					memmove(s, q + 1, strlen(q + 1) + 1);
					changed = 1;
					continue;
				}
			}
			if (*p == '[') {
				char *e = strchr(p, ']');

				if (e != NULL && memchr(p + 1, '[', (size_t)(e - p - 1)) == NULL) {
					char *rest = e + 1;

					while (*rest == ' ')
						rest++;
					/* only if something is left */
					if (*rest != '\0') {
						memmove(s, rest, strlen(rest) + 1);
						changed = 1;
						continue;
					}
				}
			}
			if (p != s) {
				memmove(s, p, strlen(p) + 1);
				changed = 1;
			}
			break;
		}
		/* (5) "[FWD: ... ]" */
		n = strlen(s);
		if (n >= 6 && strncmp(s, "[FWD:", 5) == 0 && s[n - 1] == ']') {
			s[n - 1] = '\0';
			memmove(s, s + 5, n - 5);
			changed = 1;
		}
	} while (changed);
	return s;
}

enum sort_key {
	SO_ARRIVAL, SO_CC, SO_DATE, SO_FROM, SO_SIZE, SO_SUBJECT, SO_TO,
	SO_DISPLAYFROM, SO_DISPLAYTO,
};

struct sort_crit {
	enum sort_key k;
	int reverse;
};

struct sort_item {
	size_t idx;
	char **str;		/* per criterion (string keys) */
	int64_t *num;		/* per criterion (numeric keys) */
};

static const struct sort_crit *g_crit;
static size_t g_ncrit;

static int sort_cmp(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;
	size_t i;

	for (i = 0; i < g_ncrit; i++) {
		int r;

		if (x->str[i] != NULL || y->str[i] != NULL)
			r = strcmp(x->str[i] != NULL ? x->str[i] : "",
				   y->str[i] != NULL ? y->str[i] : "");
		else
			r = x->num[i] < y->num[i] ? -1 : x->num[i] > y->num[i];
		if (g_crit[i].reverse)
			r = -r;
		if (r != 0)
			return r;
	}
	/* RFC 5256 3: ties go by sequence number */
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The first address of a header as RFC 5256 (mailbox) or RFC 5957
 * (display name, else addr-spec) wants it, upper-cased. */
static char *addr_key(const struct mime_msg *m, const char *field,
		      int display)
{
	const struct mime_hdr *h = m != NULL ? mime_part_header(m->root, field) :
				   NULL;
	struct mime_addr *a;
	char *r = NULL;

	if (h == NULL)
		return xstrdup("");
	a = mime_addr_parse(h->value, strlen(h->value));
	{
		/* the first real address (a group marker has no host) */
		const struct mime_addr *x = a;

		while (x != NULL && x->host == NULL)
			x = x->next;
		if (x != NULL && x != a) {
			struct mime_addr *rest = (struct mime_addr *)x;
			struct mime_addr *p = a;

			while (p->next != rest)
				p = p->next;
			p->next = NULL;
			mime_addr_free(a);
			a = rest;
		}
	}
	if (a != NULL) {
		struct buf b;

		buf_init(&b);
		buf_adds(&b, "");
		if (display && a->name != NULL && a->name[0] != '\0')
			mime_decode_words(a->name, strlen(a->name), &b);
		else if (display && a->mailbox != NULL)
			buf_addf(&b, "%s@%s", a->mailbox, a->host != NULL ? a->host : "");
		else if (a->mailbox != NULL)
			buf_adds(&b, a->mailbox);
		r = buf_steal(&b, NULL);
		for (char *p = r; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
	}
	mime_addr_free(a);
	return r != NULL ? r : xstrdup("");
}

static int64_t sent_date(struct imapd *s, size_t idx, const struct mime_msg *m)
{
	const struct mime_hdr *h = m != NULL ? mime_part_header(m->root, "Date") :
				   NULL;
	int tz;
	int64_t t = h != NULL ? imapd_parse_rfc822_date(h->value, &tz) : -1;

	/* RFC 5256: no usable Date: -> the internal date */
	return t >= 0 ? t : store_mailbox_msg(s->mb, idx)->internal_date;
}

/* Sorts idx[0..n) in place by the criteria. */
static void sort_run(struct imapd *s, size_t *idx, size_t n,
		     const struct sort_crit *crit, size_t ncrit)
{
	struct sort_item *it = xcalloc(n + 1, sizeof(*it));
	size_t i, k;

	for (i = 0; i < n; i++) {
		const struct mime_msg *m = NULL;
		const struct store_msg *sm = store_mailbox_msg(s->mb, idx[i]);

		it[i].idx = idx[i];
		it[i].str = xcalloc(ncrit, sizeof(char *));
		it[i].num = xcalloc(ncrit, sizeof(int64_t));
		for (k = 0; k < ncrit; k++) {
			if (crit[k].k != SO_ARRIVAL && crit[k].k != SO_SIZE &&
			    m == NULL)
				(void)imapd_view_load(s, idx[i], NULL, &m);
			switch (crit[k].k) {
			case SO_ARRIVAL:
				it[i].num[k] = sm->internal_date;
				break;
			case SO_SIZE:
				it[i].num[k] = (int64_t)sm->size;
				break;
			case SO_DATE:
				it[i].num[k] = sent_date(s, idx[i], m);
				break;
			case SO_CC:
				it[i].str[k] = addr_key(m, "Cc", 0);
				break;
			case SO_FROM:
				it[i].str[k] = addr_key(m, "From", 0);
				break;
			case SO_TO:
				it[i].str[k] = addr_key(m, "To", 0);
				break;
			case SO_DISPLAYFROM:
				it[i].str[k] = addr_key(m, "From", 1);
				break;
			case SO_DISPLAYTO:
				it[i].str[k] = addr_key(m, "To", 1);
				break;
			case SO_SUBJECT: {
				const struct mime_hdr *h = m != NULL ?
					mime_part_header(m->root, "Subject") : NULL;

				it[i].str[k] = imapd_sort_base_subject(h != NULL ?
									  h->value : "");
				break;
			}
			}
		}
	}
	g_crit = crit;
	g_ncrit = ncrit;
	qsort(it, n, sizeof(*it), sort_cmp);
	for (i = 0; i < n; i++) {
		idx[i] = it[i].idx;
		for (k = 0; k < ncrit; k++)
			free(it[i].str[k]);
		free(it[i].str);
		free(it[i].num);
	}
	free(it);
}

void imapd_sort_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	static const struct {
		const char *name;
		enum sort_key k;
	} keys[] = {
		{ "ARRIVAL", SO_ARRIVAL }, { "CC", SO_CC }, { "DATE", SO_DATE },
		{ "FROM", SO_FROM }, { "SIZE", SO_SIZE }, { "SUBJECT", SO_SUBJECT },
		{ "TO", SO_TO }, { "DISPLAYFROM", SO_DISPLAYFROM },
		{ "DISPLAYTO", SO_DISPLAYTO },
	};
	struct sort_crit *crit = NULL;
	size_t ncrit = 0, ai = 0, i, k, *idx = NULL, n = 0;
	unsigned opts = 0;
	int esort = 0, reverse = 0;
	int64_t plo = 0, phi = 0;
	struct imapd_search *p = NULL;
	const struct imapd_arg *l;

	if (s->mb == NULL) {
		imapd_tagged(s, c->tag, "BAD", "%s",
			     imapd_reply_text(IMAPD_R_NO_MAILBOX));
		return;
	}
	if (c->nargs >= 2 && imapd_arg_is_atom(&c->args[0], "RETURN")) {
		if (imapd_search_return(&c->args[1], &opts, &plo, &phi) < 0 ||
		    (opts & RET_UPDATE)) {
			imapd_cmd_error(s, c, "Invalid sort return options");
			return;
		}
		esort = 1;
		ai = 2;
	}
	/* (criteria) charset keys: the charset is not optional here */
	if (ai + 3 > c->nargs || c->args[ai].type != IMAPD_ARG_LIST ||
	    c->args[ai].n == 0 || !imapd_arg_is_astring(&c->args[ai + 1])) {
		imapd_cmd_error(s, c, "Invalid sort arguments");
		return;
	}
	l = &c->args[ai];
	for (i = 0; i < l->n; i++) {
		if (l->list[i].type != IMAPD_ARG_ATOM)
			goto bad;
		if (strcasecmp(l->list[i].s, "REVERSE") == 0) {
			reverse = 1;
			continue;
		}
		for (k = 0; k < ARRAY_LEN(keys); k++)
			if (strcasecmp(l->list[i].s, keys[k].name) == 0)
				break;
		if (k == ARRAY_LEN(keys))
			goto bad;
		crit = xrealloc(crit, (ncrit + 1) * sizeof(*crit));
		crit[ncrit].k = keys[k].k;
		crit[ncrit].reverse = reverse;
		ncrit++;
		reverse = 0;
	}
	if (reverse || ncrit == 0)
		goto bad;
	{
		/* the charset word then the keys: reuse the SEARCH parser */
		struct imapd_arg *v = xcalloc(c->nargs - ai + 1, sizeof(*v));
		size_t nv = 0;

		v[nv].type = IMAPD_ARG_ATOM;
		v[nv++].s = (char *)"CHARSET";
		for (i = ai + 1; i < c->nargs; i++)
			v[nv++] = c->args[i];
		p = imapd_search_parse(s, c, v, nv, 1);
		free(v);
	}
	if (p == NULL)
		goto out;
	imapd_search_run(s, c, p, &idx, &n, now);
	sort_run(s, idx, n, crit, ncrit);
	{
		struct buf b;

		buf_init(&b);
		if (!esort) {
			buf_adds(&b, "* SORT");
			for (i = 0; i < n; i++)
				buf_addf(&b, " %u", c->uid ?
					 store_mailbox_msg(s->mb, idx[i])->uid :
					 (uint32_t)(idx[i] + 1));
			buf_adds(&b, "\r\n");
		} else {
			/* RFC 5267 3: MIN/MAX by value, ALL in sort order */
			uint32_t *v = xmalloc((n + 1) * sizeof(*v)), mn = 0, mx = 0;

			for (i = 0; i < n; i++) {
				v[i] = c->uid ? store_mailbox_msg(s->mb, idx[i])->uid :
				       (uint32_t)(idx[i] + 1);
				if (i == 0 || v[i] < mn)
					mn = v[i];
				if (v[i] > mx)
					mx = v[i];
			}
			buf_adds(&b, "* ESEARCH (TAG ");
			mime_imap_string(&b, c->tag);
			buf_addc(&b, ')');
			if (c->uid)
				buf_adds(&b, " UID");
			if ((opts & RET_MIN) && n > 0)
				buf_addf(&b, " MIN %u", mn);
			if ((opts & RET_MAX) && n > 0)
				buf_addf(&b, " MAX %u", mx);
			if ((opts & RET_ALL) && n > 0) {
				buf_adds(&b, " ALL ");
				for (i = 0; i < n; i++) {
					size_t j = i;

					while (j + 1 < n && v[j + 1] == v[j] + 1)
						j++;
					buf_addf(&b, i > 0 ? ",%u" : "%u", v[i]);
					if (j > i)
						buf_addf(&b, ":%u", v[j]);
					i = j;
				}
			}
			if (opts & RET_COUNT)
				buf_addf(&b, " COUNT %zu", n);
			buf_adds(&b, "\r\n");
			if (opts & RET_SAVE) {
				uint32_t *u = xmalloc((n + 1) * sizeof(*u));

				for (i = 0; i < n; i++)
					u[i] = store_mailbox_msg(s->mb, idx[i])->uid;
				imapd_search_save(s, u, n);
				free(u);
			}
			free(v);
		}
		imapd_out(s, b.data, b.len);
		buf_reset(&b);
	}
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_SORT_DONE));
	goto out;
bad:
	imapd_cmd_error(s, c, "Invalid sort argument");
out:
	imapd_search_free(&p);
	free(crit);
	free(idx);
}
