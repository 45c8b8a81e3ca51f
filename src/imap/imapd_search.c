/*
 * SEARCH and UID SEARCH (RFC 3501 6.4.4) with every key of the RFC,
 * ESEARCH return options (RFC 4731: MIN MAX ALL COUNT), SEARCHRES (RFC
 * 5182: SAVE and "$"), CONTEXT=SEARCH (RFC 5267: PARTIAL, UPDATE with
 * ADDTO/REMOVEFROM, CANCELUPDATE), WITHIN (RFC 5032: OLDER, YOUNGER),
 * SAVEDATE (RFC 8514; the store has no save date, the internal date
 * stands in). SORT is in imapd_sort.c, THREAD in imapd_thread.c. Strings match case-insensitively (I18NLEVEL=1,
 * i;unicode-casemap for ASCII; other characters byte for byte) against
 * headers with RFC 2047 words decoded and text bodies with their
 * transfer encoding and charset undone, as Dovecot does without FTS.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

enum skey {
	SK_AND, SK_OR, SK_NOT, SK_ALL, SK_SEQ, SK_UID, SK_FLAG, SK_UNFLAG,
	SK_KEYWORD, SK_UNKEYWORD, SK_NEW, SK_OLD, SK_BEFORE, SK_ON, SK_SINCE,
	SK_SENTBEFORE, SK_SENTON, SK_SENTSINCE, SK_LARGER, SK_SMALLER,
	SK_HEADER, SK_BODY, SK_TEXT, SK_OLDER, SK_YOUNGER, SK_NONE,
};

struct snode {
	enum skey k;
	unsigned flag;
	char *field;		/* HEADER field; NULL for the address keys */
	char *str;		/* casefolded search string */
	int64_t num;
	struct imapd_seqset set;
	struct snode **kids;
	size_t nkids;
};

struct imapd_search {
	struct snode *root;
	char *error;		/* parse error text (BAD) */
	int badcharset;
};

static void node_free(struct snode *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->field);
	free(n->str);
	imapd_seqset_free(&n->set);
	free(n);
}

void imapd_search_free(struct imapd_search **sp)
{
	if (*sp == NULL)
		return;
	node_free((*sp)->root);
	free((*sp)->error);
	free(*sp);
	*sp = NULL;
}

static struct snode *node_new(enum skey k)
{
	struct snode *n = xcalloc(1, sizeof(*n));

	n->k = k;
	return n;
}

static void node_add(struct snode *p, struct snode *kid)
{
	p->kids = xrealloc(p->kids, (p->nkids + 1) * sizeof(*p->kids));
	p->kids[p->nkids++] = kid;
}

/* ASCII case folding; the rest byte for byte. */
static char *fold(const char *s, size_t n)
{
	char *r = xmalloc(n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)s[i]);
	r[n] = '\0';
	return r;
}

static int contains(const char *hay, size_t n, const char *needle)
{
	size_t ln = strlen(needle), i;

	if (ln == 0)
		return 1;
	if (ln > n)
		return 0;
	for (i = 0; i + ln <= n; i++)
		if (tolower((unsigned char)hay[i]) == (unsigned char)needle[0] &&
		    strncasecmp(hay + i, needle, ln) == 0)
			return 1;
	return 0;
}

struct pctx {
	struct imapd *s;
	struct imapd_search *p;
	const struct imapd_arg *v;
	size_t n, i;
	const char *charset;
	int depth;
};

static void perr(struct pctx *c, const char *fmt, const char *arg)
{
	if (c->p->error == NULL)
		c->p->error = xasprintf(fmt, arg != NULL ? arg : "");
}

/* The next argument as a string, or NULL (error set). */
static const struct imapd_arg *next_arg(struct pctx *c, const char *key)
{
	if (c->i >= c->n) {
		perr(c, "Missing parameter for argument %s", key);
		return NULL;
	}
	if (c->v[c->i].type == IMAPD_ARG_LIST) {
		perr(c, "Invalid parameter for argument %s", key);
		return NULL;
	}
	return &c->v[c->i++];
}

/* A search string in the request's charset, as folded UTF-8. */
static char *search_string(struct pctx *c, const struct imapd_arg *a)
{
	struct buf b;
	char *r;

	buf_init(&b);
	if (mime_decode_charset(c->charset, a->s, a->len, &b) < 0)
		c->p->badcharset = 1;
	r = fold(b.data != NULL ? b.data : "", b.len);
	buf_reset(&b);
	return r;
}

static int is_seqset(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && strchr("*:,$", *s) == NULL)
			return 0;
	return 1;
}

static const struct {
	const char *name;
	enum skey k;
	unsigned flag;
} flag_keys[] = {
	{ "ANSWERED", SK_FLAG, STORE_ANSWERED },
	{ "DELETED", SK_FLAG, STORE_DELETED },
	{ "DRAFT", SK_FLAG, STORE_DRAFT },
	{ "FLAGGED", SK_FLAG, STORE_FLAGGED },
	{ "RECENT", SK_FLAG, STORE_RECENT },
	{ "SEEN", SK_FLAG, STORE_SEEN },
	{ "UNANSWERED", SK_UNFLAG, STORE_ANSWERED },
	{ "UNDELETED", SK_UNFLAG, STORE_DELETED },
	{ "UNDRAFT", SK_UNFLAG, STORE_DRAFT },
	{ "UNFLAGGED", SK_UNFLAG, STORE_FLAGGED },
	{ "UNSEEN", SK_UNFLAG, STORE_SEEN },
	{ "NEW", SK_NEW, 0 },
	{ "OLD", SK_OLD, 0 },
	{ "ALL", SK_ALL, 0 },
};

static const struct {
	const char *name;
	enum skey k;
} date_keys[] = {
	{ "BEFORE", SK_BEFORE }, { "ON", SK_ON }, { "SINCE", SK_SINCE },
	{ "SENTBEFORE", SK_SENTBEFORE }, { "SENTON", SK_SENTON },
	{ "SENTSINCE", SK_SENTSINCE },
	/* RFC 8514: the save date is the internal date here */
	{ "SAVEDBEFORE", SK_BEFORE }, { "SAVEDON", SK_ON },
	{ "SAVEDSINCE", SK_SINCE },
};

static struct snode *parse_key(struct pctx *c);

static struct snode *parse_list(struct pctx *c, const struct imapd_arg *v,
				size_t n)
{
	struct pctx sub = *c;
	struct snode *and = node_new(SK_AND);

	sub.v = v;
	sub.n = n;
	sub.i = 0;
	sub.depth = c->depth + 1;
	if (n == 0) {
		perr(c, "Empty search list%s", NULL);
		node_free(and);
		return NULL;
	}
	while (sub.i < sub.n) {
		struct snode *k = parse_key(&sub);

		if (k == NULL) {
			node_free(and);
			return NULL;
		}
		node_add(and, k);
	}
	return and;
}

static struct snode *parse_key(struct pctx *c)
{
	const struct imapd_arg *a, *x;
	struct snode *n;
	const char *key;
	size_t k;

	if (c->depth > 50) {
		perr(c, "Search nested too deeply%s", NULL);
		return NULL;
	}
	if (c->i >= c->n) {
		perr(c, "Missing search key%s", NULL);
		return NULL;
	}
	a = &c->v[c->i++];
	if (a->type == IMAPD_ARG_LIST)
		return parse_list(c, a->list, a->n);
	key = a->s;
	if (a->type == IMAPD_ARG_ATOM && is_seqset(key)) {
		n = node_new(SK_SEQ);
		if (imapd_parse_seqset(key, &n->set) < 0) {
			perr(c, "Invalid messageset%s", NULL);
			node_free(n);
			return NULL;
		}
		return n;
	}
	for (k = 0; k < ARRAY_LEN(flag_keys); k++) {
		if (strcasecmp(key, flag_keys[k].name) == 0) {
			n = node_new(flag_keys[k].k);
			n->flag = flag_keys[k].flag;
			return n;
		}
	}
	for (k = 0; k < ARRAY_LEN(date_keys); k++) {
		if (strcasecmp(key, date_keys[k].name) == 0) {
			if ((x = next_arg(c, key)) == NULL)
				return NULL;
			n = node_new(date_keys[k].k);
			n->num = imapd_parse_date(x->s);
			if (n->num < 0 && x->s[0] == '"')
				n->num = -1;
			if (n->num < 0) {
				perr(c, "Invalid search date parameter: %s", x->s);
				node_free(n);
				return NULL;
			}
			return n;
		}
	}
	if (strcasecmp(key, "NOT") == 0) {
		struct snode *kid = parse_key(c);

		if (kid == NULL)
			return NULL;
		n = node_new(SK_NOT);
		node_add(n, kid);
		return n;
	}
	if (strcasecmp(key, "OR") == 0) {
		struct snode *k1 = parse_key(c), *k2;

		if (k1 == NULL)
			return NULL;
		if ((k2 = parse_key(c)) == NULL) {
			node_free(k1);
			return NULL;
		}
		n = node_new(SK_OR);
		node_add(n, k1);
		node_add(n, k2);
		return n;
	}
	if (strcasecmp(key, "UID") == 0) {
		if ((x = next_arg(c, key)) == NULL)
			return NULL;
		n = node_new(SK_UID);
		if (imapd_parse_seqset(x->s, &n->set) < 0) {
			perr(c, "Invalid UID messageset%s", NULL);
			node_free(n);
			return NULL;
		}
		return n;
	}
	if (strcasecmp(key, "KEYWORD") == 0 || strcasecmp(key, "UNKEYWORD") == 0) {
		if ((x = next_arg(c, key)) == NULL)
			return NULL;
		n = node_new(toupper((unsigned char)key[0]) == 'K' ? SK_KEYWORD :
			     SK_UNKEYWORD);
		n->str = xstrdup(x->s);
		return n;
	}
	if (strcasecmp(key, "LARGER") == 0 || strcasecmp(key, "SMALLER") == 0 ||
	    strcasecmp(key, "OLDER") == 0 || strcasecmp(key, "YOUNGER") == 0) {
		char *end;

		if ((x = next_arg(c, key)) == NULL)
			return NULL;
		n = node_new(strcasecmp(key, "LARGER") == 0 ? SK_LARGER :
			     strcasecmp(key, "SMALLER") == 0 ? SK_SMALLER :
			     strcasecmp(key, "OLDER") == 0 ? SK_OLDER : SK_YOUNGER);
		n->num = strtoll(x->s, &end, 10);
		if (*end != '\0' || x->s[0] == '\0' || n->num < 0 ||
		    !isdigit((unsigned char)x->s[0])) {
			perr(c, "Invalid search number parameter: %s", x->s);
			node_free(n);
			return NULL;
		}
		return n;
	}
	if (strcasecmp(key, "SAVEDATESUPPORTED") == 0)
		return node_new(SK_ALL);
	if (strcasecmp(key, "MODSEQ") == 0) {
		perr(c, "MODSEQ: mailbox has no permanent modsequences (NOMODSEQ)%s",
		     NULL);
		return NULL;
	}
	if (strcasecmp(key, "HEADER") == 0) {
		const struct imapd_arg *f;

		if ((f = next_arg(c, key)) == NULL || (x = next_arg(c, key)) == NULL)
			return NULL;
		n = node_new(SK_HEADER);
		n->field = xstrdup(f->s);
		n->str = search_string(c, x);
		return n;
	}
	{
		static const char *const hdr_keys[] = {
			"BCC", "CC", "FROM", "SUBJECT", "TO",
		};

		for (k = 0; k < ARRAY_LEN(hdr_keys); k++) {
			if (strcasecmp(key, hdr_keys[k]) == 0) {
				if ((x = next_arg(c, key)) == NULL)
					return NULL;
				n = node_new(SK_HEADER);
				n->field = xstrdup(hdr_keys[k]);
				n->str = search_string(c, x);
				return n;
			}
		}
	}
	if (strcasecmp(key, "BODY") == 0 || strcasecmp(key, "TEXT") == 0) {
		if ((x = next_arg(c, key)) == NULL)
			return NULL;
		n = node_new(toupper((unsigned char)key[0]) == 'B' ? SK_BODY :
			     SK_TEXT);
		n->str = search_string(c, x);
		return n;
	}
	perr(c, "Unknown argument %s", key);
	return NULL;
}

struct imapd_search *imapd_search_parse(struct imapd *s,
					struct imapd_cmdctx *c,
					const struct imapd_arg *args, size_t n,
					int allow_charset)
{
	struct imapd_search *p = xcalloc(1, sizeof(*p));
	struct pctx pc;

	memset(&pc, 0, sizeof(pc));
	pc.s = s;
	pc.p = p;
	pc.v = args;
	pc.n = n;
	if (allow_charset && n >= 2 && imapd_arg_is_atom(&args[0], "CHARSET")) {
		pc.charset = args[1].s;
		pc.i = 2;
	}
	p->root = node_new(SK_AND);
	if (pc.i >= pc.n)
		perr(&pc, "Missing search parameters%s", NULL);
	while (p->error == NULL && pc.i < pc.n) {
		struct snode *k = parse_key(&pc);

		if (k == NULL)
			break;
		node_add(p->root, k);
	}
	if (p->error == NULL && p->badcharset) {
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_BAD_CHARSET));
		imapd_search_free(&p);
		return NULL;
	}
	if (p->error != NULL) {
		imapd_cmd_error(s, c, p->error);
		imapd_search_free(&p);
		return NULL;
	}
	return p;
}

/* --- evaluation ------------------------------------------------------- */

struct ectx {
	struct imapd *s;
	size_t idx;
	const struct store_msg *m;
	const struct mime_msg *mime;
	int failed;
	mtime_t now;
	uint32_t star_uid;
};

static const struct mime_msg *get_mime(struct ectx *e)
{
	if (e->mime == NULL && !e->failed &&
	    imapd_view_load(e->s, e->idx, NULL, &e->mime) < 0)
		e->failed = 1;
	return e->mime;
}

/* Any field of that name in part p, words decoded, containing str. */
static int header_match(const struct mime_msg *m, const struct mime_part *p,
			const char *field, const char *str)
{
	size_t i;

	for (i = 0; i < p->nhdrs; i++) {
		const struct mime_hdr *h = &p->hdrs[i];
		struct buf b;
		int r;

		if (field != NULL && strcasecmp(h->name, field) != 0)
			continue;
		if (field != NULL && *str == '\0')
			return 1;	/* HEADER f "": the field exists */
		buf_init(&b);
		if (field == NULL) {
			/* TEXT: the raw header lines */
			mime_decode_words(m->data + h->off, h->len, &b);
		} else {
			mime_decode_words(h->value, strlen(h->value), &b);
		}
		r = contains(b.data != NULL ? b.data : "", b.len, str);
		buf_reset(&b);
		if (r)
			return 1;
	}
	return 0;
}

static const char *param_value(const struct mime_part *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nparams; i++)
		if (strcasecmp(p->params[i].name, name) == 0)
			return p->params[i].value;
	return NULL;
}

/* The text parts of p and below, decoded; headers of nested messages
 * count for TEXT. */
static int body_match(const struct mime_msg *m, const struct mime_part *p,
		      const char *str, int text)
{
	for (; p != NULL; p = p->next) {
		if (text && p->parent != NULL &&
		    (p->parent->flags & MIME_PART_RFC822) &&
		    header_match(m, p, NULL, str))
			return 1;
		if (p->children != NULL) {
			if (body_match(m, p->children, str, text))
				return 1;
			continue;
		}
		if (p->flags & MIME_PART_TEXT ||
		    (p->type != NULL && strcasecmp(p->type, "message") == 0)) {
			struct buf dec, utf;
			int r;

			buf_init(&dec);
			buf_init(&utf);
			(void)mime_decode(p->encoding, m->data + p->body_off,
					  p->body_size, &dec);
			(void)mime_decode_charset(param_value(p, "charset"),
						  dec.data != NULL ? dec.data : "",
						  dec.len, &utf);
			r = contains(utf.data != NULL ? utf.data : "", utf.len, str);
			buf_reset(&dec);
			buf_reset(&utf);
			if (r)
				return 1;
		}
	}
	return 0;
}

static int64_t day_of(int64_t t)
{
	return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

/* The Date: header's day in its own zone (RFC 3501: disregarding time
 * and timezone); 0 when there is none. */
static int64_t sent_day(struct ectx *e)
{
	const struct mime_msg *m = get_mime(e);
	const struct mime_hdr *h;
	int64_t t;
	int tz;

	if (m == NULL || (h = mime_part_header(m->root, "Date")) == NULL)
		return 0;
	t = imapd_parse_rfc822_date(h->value, &tz);
	if (t < 0)
		return 0;
	return day_of(t + tz);
}

static int eval(struct ectx *e, const struct snode *n)
{
	size_t i;
	const struct mime_msg *m;

	switch (n->k) {
	case SK_AND:
		for (i = 0; i < n->nkids; i++)
			if (!eval(e, n->kids[i]))
				return 0;
		return 1;
	case SK_OR:
		return eval(e, n->kids[0]) || eval(e, n->kids[1]);
	case SK_NOT:
		return !eval(e, n->kids[0]);
	case SK_ALL:
		return 1;
	case SK_NONE:
		return 0;
	case SK_SEQ:
		if (n->set.dollar) {
			for (i = 0; i < e->s->nsaved; i++)
				if (e->s->saved[i] == e->m->uid)
					return 1;
			return 0;
		}
		return imapd_seqset_has(&n->set, (uint32_t)(e->idx + 1),
					(uint32_t)store_mailbox_count(e->s->mb));
	case SK_UID:
		if (n->set.dollar) {
			for (i = 0; i < e->s->nsaved; i++)
				if (e->s->saved[i] == e->m->uid)
					return 1;
			return 0;
		}
		return imapd_seqset_has(&n->set, e->m->uid, e->star_uid);
	case SK_FLAG:
		return (e->m->flags & n->flag) != 0;
	case SK_UNFLAG:
		return (e->m->flags & n->flag) == 0;
	case SK_NEW:
		return (e->m->flags & STORE_RECENT) && !(e->m->flags & STORE_SEEN);
	case SK_OLD:
		return !(e->m->flags & STORE_RECENT);
	case SK_KEYWORD:
	case SK_UNKEYWORD: {
		int k = store_mailbox_keyword(e->s->mb, n->str, 0);
		int has = k >= 0 && (e->m->keywords & ((uint64_t)1 << k));

		return n->k == SK_KEYWORD ? has : !has;
	}
	case SK_BEFORE:
		return day_of(e->m->internal_date) < n->num / 86400;
	case SK_ON:
		return day_of(e->m->internal_date) == n->num / 86400;
	case SK_SINCE:
		return day_of(e->m->internal_date) >= n->num / 86400;
	case SK_SENTBEFORE:
		return sent_day(e) < n->num / 86400;
	case SK_SENTON:
		return sent_day(e) == n->num / 86400;
	case SK_SENTSINCE:
		return sent_day(e) >= n->num / 86400;
	case SK_LARGER:
		return e->m->size > (uint64_t)n->num;
	case SK_SMALLER:
		return e->m->size < (uint64_t)n->num;
	case SK_OLDER:
		return e->m->internal_date <= e->now / 1000 - n->num;
	case SK_YOUNGER:
		return e->m->internal_date >= e->now / 1000 - n->num;
	case SK_HEADER:
		m = get_mime(e);
		return m != NULL && header_match(m, m->root, n->field, n->str);
	case SK_BODY:
		m = get_mime(e);
		return m != NULL && body_match(m, m->root, n->str, 0);
	case SK_TEXT:
		m = get_mime(e);
		return m != NULL && (header_match(m, m->root, NULL, n->str) ||
				     body_match(m, m->root, n->str, 1));
	}
	return 0;
}

int imapd_search_run(struct imapd *s, struct imapd_cmdctx *c,
		     struct imapd_search *p, size_t **idx_out, size_t *n_out,
		     mtime_t now)
{
	size_t count = store_mailbox_count(s->mb), i, n = 0;
	size_t *v = xmalloc((count + 1) * sizeof(*v));
	struct ectx e;

	(void)c;
	memset(&e, 0, sizeof(e));
	e.s = s;
	e.now = now;
	e.star_uid = count > 0 ? store_mailbox_msg(s->mb, count - 1)->uid : 0;
	for (i = 0; i < count; i++) {
		e.idx = i;
		e.m = store_mailbox_msg(s->mb, i);
		e.mime = NULL;
		e.failed = 0;
		if (eval(&e, p->root))
			v[n++] = i;
	}
	*idx_out = v;
	*n_out = n;
	return 0;
}

/* --- SEARCH ----------------------------------------------------------- */



int imapd_search_return(const struct imapd_arg *l, unsigned *opts,
			int64_t *plo, int64_t *phi)
{
	size_t i;

	*opts = 0;
	if (l->type != IMAPD_ARG_LIST)
		return -1;
	for (i = 0; i < l->n; i++) {
		const char *o = l->list[i].s;

		if (l->list[i].type != IMAPD_ARG_ATOM)
			return -1;
		if (strcasecmp(o, "MIN") == 0)
			*opts |= RET_MIN;
		else if (strcasecmp(o, "MAX") == 0)
			*opts |= RET_MAX;
		else if (strcasecmp(o, "ALL") == 0)
			*opts |= RET_ALL;
		else if (strcasecmp(o, "COUNT") == 0)
			*opts |= RET_COUNT;
		else if (strcasecmp(o, "SAVE") == 0)
			*opts |= RET_SAVE;
		else if (strcasecmp(o, "UPDATE") == 0)
			*opts |= RET_UPDATE;
		else if (strcasecmp(o, "PARTIAL") == 0 && i + 1 < l->n) {
			/* RFC 5267 4.4: low:high, 1-based positions */
			char *end;

			*plo = strtoll(l->list[++i].s, &end, 10);
			if (*end != ':' || *plo < 1)
				return -1;
			*phi = strtoll(end + 1, &end, 10);
			if (*end != '\0' || *phi < 1)
				return -1;
			if (*plo > *phi) {
				int64_t t = *plo;

				*plo = *phi;
				*phi = t;
			}
			*opts |= RET_PARTIAL;
		} else {
			return -1;
		}
	}
	/* RETURN () is ALL; so is UPDATE's first answer (RFC 5267 4.3) */
	if (l->n == 0 || (*opts & ~(unsigned)(RET_UPDATE | RET_SAVE)) == 0) {
		if (!(l->n > 0 && *opts == RET_SAVE))
			*opts |= RET_ALL;
	}
	return 0;
}

void imapd_search_save(struct imapd *s, const uint32_t *uids, size_t n)
{
	free(s->saved);
	s->saved = xmalloc((n + 1) * sizeof(uint32_t));
	memcpy(s->saved, uids, n * sizeof(uint32_t));
	s->nsaved = n;
	s->saved_valid = 1;
}

/* A number list "1:3,5" of sorted values. */
static void write_set(struct buf *b, const uint32_t *v, size_t n)
{
	imapd_view_uidset(b, v, n);
}

static void esearch_line(struct imapd *s, const char *tag, int uid,
			 unsigned opts, const uint32_t *v, size_t n,
			 int64_t plo, int64_t phi)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "* ESEARCH (TAG ");
	mime_imap_string(&b, tag);
	buf_addc(&b, ')');
	if (uid)
		buf_adds(&b, " UID");
	if ((opts & RET_MIN) && n > 0)
		buf_addf(&b, " MIN %u", v[0]);
	if ((opts & RET_MAX) && n > 0)
		buf_addf(&b, " MAX %u", v[n - 1]);
	if ((opts & RET_ALL) && n > 0) {
		buf_adds(&b, " ALL ");
		write_set(&b, v, n);
	}
	if (opts & RET_COUNT)
		buf_addf(&b, " COUNT %zu", n);
	if (opts & RET_PARTIAL) {
		buf_addf(&b, " PARTIAL (%lld:%lld ", (long long)plo, (long long)phi);
		if ((size_t)plo <= n) {
			size_t hi = (size_t)phi < n ? (size_t)phi : n;

			write_set(&b, v + plo - 1, hi - (size_t)plo + 1);
		} else {
			buf_adds(&b, "NIL");
		}
		buf_addc(&b, ')');
	}
	buf_adds(&b, "\r\n");
	imapd_out(s, b.data, b.len);
	buf_reset(&b);
}

void imapd_search_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	struct imapd_search *p = NULL;
	size_t ai = 0, *idx = NULL, n = 0, i;
	unsigned opts = 0;
	int esearch = 0;
	int64_t plo = 0, phi = 0;
	uint32_t *vals = NULL;

	if (s->mb == NULL) {
		imapd_tagged(s, c->tag, "BAD", "%s",
			     imapd_reply_text(IMAPD_R_NO_MAILBOX));
		return;
	}
	if (c->nargs >= 2 && imapd_arg_is_atom(&c->args[0], "RETURN")) {
		if (imapd_search_return(&c->args[1], &opts, &plo, &phi) < 0) {
			imapd_cmd_error(s, c, "Invalid search return options");
			return;
		}
		esearch = 1;
		ai = 2;
	}
	p = imapd_search_parse(s, c, c->args + ai, c->nargs - ai, 1);
	if (p == NULL) {
		if (opts & RET_SAVE)
			imapd_search_save(s, NULL, 0);	/* RFC 5182 2.1 */
		return;
	}
	imapd_search_run(s, c, p, &idx, &n, now);
	vals = xmalloc((n + 1) * sizeof(*vals));
	for (i = 0; i < n; i++)
		vals[i] = c->uid ? store_mailbox_msg(s->mb, idx[i])->uid :
			  (uint32_t)(idx[i] + 1);
	if (opts & RET_SAVE) {
		/* RFC 5182 2.4: with MIN/MAX only those are kept */
		uint32_t *u = xmalloc((n + 1) * sizeof(*u));
		size_t k = 0;

		for (i = 0; i < n; i++) {
			int keep = !(opts & (RET_MIN | RET_MAX)) ||
				   (opts & (RET_ALL | RET_COUNT)) ||
				   ((opts & RET_MIN) && i == 0) ||
				   ((opts & RET_MAX) && i == n - 1);

			if (keep)
				u[k++] = store_mailbox_msg(s->mb, idx[i])->uid;
		}
		imapd_search_save(s, u, k);
		free(u);
	}
	if (!esearch) {
		struct buf b;

		buf_init(&b);
		buf_adds(&b, "* SEARCH");
		for (i = 0; i < n; i++)
			buf_addf(&b, " %u", vals[i]);
		buf_adds(&b, "\r\n");
		imapd_out(s, b.data, b.len);
		buf_reset(&b);
	} else if (opts != RET_SAVE) {
		/* RFC 5182 2.2: SAVE alone says nothing */
		esearch_line(s, c->tag, c->uid, opts & ~(unsigned)RET_UPDATE,
			     vals, n, plo, phi);
	}
	if (opts & RET_UPDATE) {
		imapd_update_add(s, c->tag, c->uid, p, idx, n);
		p = NULL;
	}
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_SEARCH_DONE));
	free(vals);
	free(idx);
	imapd_search_free(&p);
}

