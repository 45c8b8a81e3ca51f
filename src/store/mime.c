/*
 * The MIME structure parser (see mime.h). One pass over the bytes, by
 * lines, recursing into multipart children and message/rfc822 bodies.
 * Boundaries follow Dovecot's message-parser.c: every boundary of the
 * enclosing multiparts is active, the longest one that prefixes a line
 * wins, and the (CR)LF before a boundary line belongs to the boundary,
 * not to the part before it (RFC 2046 5.1.1).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "store/mime.h"

/* Dovecot truncates boundaries to this many characters. */
#define BOUNDARY_MAX_LEN 80

struct bnd {
	const char *s;		/* borrowed from the part's params */
	size_t len;
};

struct pctx {
	const char *d;
	size_t len;
	struct bnd bnds[MIME_MAX_DEPTH + 1];
	size_t nb;
	size_t nparts;
};

/* End of the line that starts at pos: just past its LF, or len. */
static size_t line_end(const struct pctx *c, size_t pos)
{
	const char *lf = memchr(c->d + pos, '\n', c->len - pos);

	return lf == NULL ? c->len : (size_t)(lf - c->d) + 1;
}

/*
 * Is the line at pos a boundary line of an active boundary? Returns the
 * index + 1 of the (longest) match, 0 if not; *closing_out says "--B--".
 */
static size_t boundary_at(const struct pctx *c, size_t pos, int *closing_out)
{
	size_t i, best = 0, bestlen = 0, avail = c->len - pos;
	const char *p = c->d + pos;

	if (c->nb == 0 || avail < 2 || p[0] != '-' || p[1] != '-')
		return 0;
	p += 2;
	avail -= 2;
	/* innermost first, so equal boundaries match the nearest multipart */
	for (i = c->nb; i-- > 0;) {
		const struct bnd *b = &c->bnds[i];

		if (b->len <= avail && memcmp(b->s, p, b->len) == 0 &&
		    (best == 0 || b->len > bestlen)) {
			best = i + 1;
			bestlen = b->len;
		}
	}
	if (best != 0 && closing_out != NULL)
		*closing_out = avail >= bestlen + 2 && p[bestlen] == '-' &&
			       p[bestlen + 1] == '-';
	return best;
}

/* The end of the data before a boundary line at b: drop its (CR)LF. */
static size_t trim_before(const struct pctx *c, size_t b, size_t start)
{
	if (b > start && c->d[b - 1] == '\n') {
		b--;
		if (b > start && c->d[b - 1] == '\r')
			b--;
	}
	return b;
}

size_t mime_crlf_size(const char *src, size_t n, unsigned *lines_out)
{
	size_t size = n, i;
	unsigned lines = 0;
	const char *p = src, *end = src + n;

	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		i = (size_t)(p - src);
		lines++;
		if (i == 0 || src[i - 1] != '\r')
			size++;
		p++;
	}
	if (lines_out != NULL)
		*lines_out = lines;
	return size;
}

void mime_crlf_add(struct buf *out, const char *src, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (src[i] != '\n' || (i > 0 && src[i - 1] == '\r'))
			continue;
		buf_add(out, src + start, i - start);
		buf_add(out, "\r\n", 2);
		start = i + 1;
	}
	buf_add(out, src + start, n - start);
}

static void hdr_add(struct mime_hdr **v, size_t *n, const char *d,
		    size_t off, size_t end)
{
	struct mime_hdr *h;
	const char *line = d + off, *colon, *lf;
	size_t first_len, name_len, i;
	struct buf val;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	h = &(*v)[(*n)++];
	h->off = off;
	h->len = end - off;
	lf = memchr(line, '\n', end - off);
	first_len = lf == NULL ? end - off : (size_t)(lf - line);
	colon = memchr(line, ':', first_len);
	buf_init(&val);
	buf_adds(&val, "");
	if (colon == NULL) {
		/* no colon: Dovecot keeps the line as a name without value */
		name_len = first_len;
		if (name_len > 0 && line[name_len - 1] == '\r')
			name_len--;
		i = first_len;
	} else {
		name_len = (size_t)(colon - line);
		while (name_len > 0 &&
		       (line[name_len - 1] == ' ' || line[name_len - 1] == '\t'))
			name_len--;
		i = (size_t)(colon - line) + 1;
		while (i < first_len && (line[i] == ' ' || line[i] == '\t'))
			i++;
	}
	h->name = xstrndup(line, name_len);
	/* the value: lines joined with "\n", CRs before LF dropped */
	for (; i < end - off; i++) {
		if (line[i] == '\r' && i + 1 < end - off && line[i + 1] == '\n')
			continue;
		if (line[i] == '\n' && i + 1 == end - off)
			break;
		buf_addc(&val, line[i]);
	}
	h->value = buf_steal(&val, NULL);
}

void mime_hdrs_free(struct mime_hdr *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

void mime_params_free(struct mime_param *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

/*
 * Reads header fields from pos. Stops after the blank line (body starts
 * after it), at a boundary line (returned in *bnd_out, else len) or at
 * the end. Returns where the body starts.
 */
static size_t parse_header(struct pctx *c, struct mime_part *p, size_t pos,
			   size_t *bnd_out)
{
	size_t field = (size_t)-1, le;

	*bnd_out = c->len;
	p->hdr_off = pos;
	for (;;) {
		if (pos >= c->len) {
			p->hdr_size = c->len - p->hdr_off;
			break;
		}
		if (boundary_at(c, pos, NULL) != 0) {
			*bnd_out = pos;
			p->hdr_size = trim_before(c, pos, p->hdr_off) -
				      p->hdr_off;
			if (field != (size_t)-1)
				hdr_add(&p->hdrs, &p->nhdrs, c->d, field,
					p->hdr_off + p->hdr_size);
			return p->hdr_off + p->hdr_size;
		}
		le = line_end(c, pos);
		if (c->d[pos] == '\n' ||
		    (c->d[pos] == '\r' && (pos + 1 == c->len ||
					   c->d[pos + 1] == '\n'))) {
			/* the blank line ends the header and belongs to it */
			if (field != (size_t)-1)
				hdr_add(&p->hdrs, &p->nhdrs, c->d, field, pos);
			field = (size_t)-1;
			p->hdr_size = le - p->hdr_off;
			return le;
		}
		if (c->d[pos] == ' ' || c->d[pos] == '\t') {
			if (field == (size_t)-1)
				field = pos;	/* a fold with nothing to fold */
		} else {
			if (field != (size_t)-1)
				hdr_add(&p->hdrs, &p->nhdrs, c->d, field, pos);
			field = pos;
		}
		pos = le;
	}
	if (field != (size_t)-1)
		hdr_add(&p->hdrs, &p->nhdrs, c->d, field, c->len);
	return c->len;
}

const struct mime_hdr *mime_part_header(const struct mime_part *p,
					const char *name)
{
	size_t i;

	for (i = 0; i < p->nhdrs; i++)
		if (strcasecmp(p->hdrs[i].name, name) == 0)
			return &p->hdrs[i];
	return NULL;
}

size_t mime_parse_headers(const char *data, size_t len, struct mime_hdr **out)
{
	struct pctx c;
	struct mime_part p;
	size_t b;

	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	c.d = data;
	c.len = len;
	parse_header(&c, &p, 0, &b);
	*out = p.hdrs;
	return p.nhdrs;
}

static char *first_value_dup(const struct mime_hdr *h)
{
	return xstrdup(h->value);
}

static void parse_content_type(struct mime_part *p, const struct mime_hdr *h)
{
	struct mime_rfc822 r;
	struct buf t;
	const char *slash;
	int ret;

	buf_init(&t);
	buf_adds(&t, "");
	mime_rfc822_init(&r, h->value, strlen(h->value));
	mime_rfc822_skip_lwsp(&r);
	ret = mime_rfc822_content_type(&r, &t);
	slash = strchr(t.data, '/');
	if (slash != NULL) {
		p->type = xstrndup(t.data, (size_t)(slash - t.data));
		p->subtype = xstrdup(slash + 1);
	} else {
		/* broken: keep what was read, as Dovecot does */
		p->type = xstrdup(t.data);
		p->subtype = xstrdup("");
	}
	buf_reset(&t);
	if (ret >= 0)
		mime_rfc822_params(&r, &p->params, &p->nparams);
}

static void parse_cte(struct mime_part *p, const struct mime_hdr *h)
{
	struct mime_rfc822 r;
	struct buf t;

	buf_init(&t);
	mime_rfc822_init(&r, h->value, strlen(h->value));
	mime_rfc822_skip_lwsp(&r);
	if (mime_rfc822_mime_token(&r, &t) >= 0 &&
	    mime_rfc822_skip_lwsp(&r) == 0 && t.len > 0)
		p->encoding = buf_steal(&t, NULL);
	buf_reset(&t);
}

static void parse_disposition(struct mime_part *p, const struct mime_hdr *h)
{
	struct mime_rfc822 r;
	struct buf t;

	buf_init(&t);
	mime_rfc822_init(&r, h->value, strlen(h->value));
	mime_rfc822_skip_lwsp(&r);
	if (mime_rfc822_mime_token(&r, &t) < 0) {
		buf_reset(&t);
		return;
	}
	p->disposition = buf_steal(&t, NULL);
	mime_rfc822_params(&r, &p->dparams, &p->ndparams);
}

static void parse_language(struct mime_part *p, const struct mime_hdr *h)
{
	struct mime_rfc822 r;
	struct buf t;
	size_t n = 0;

	buf_init(&t);
	mime_rfc822_init(&r, h->value, strlen(h->value));
	mime_rfc822_skip_lwsp(&r);
	while (n < 100 && mime_rfc822_atom(&r, &t) >= 0) {
		p->language = xrealloc(p->language, (n + 2) * sizeof(char *));
		p->language[n++] = buf_steal(&t, NULL);
		p->language[n] = NULL;
		if (r.data >= r.end || *r.data != ',')
			break;
		r.data++;
		mime_rfc822_skip_lwsp(&r);
	}
	buf_reset(&t);
}

/* Content-* fields: the first of each kind counts (message-part-data.c). */
static void content_headers(struct mime_part *p)
{
	size_t i;

	for (i = 0; i < p->nhdrs; i++) {
		const struct mime_hdr *h = &p->hdrs[i];
		const char *n = h->name;

		if (strncasecmp(n, "Content-", 8) != 0)
			continue;
		n += 8;
		if (strcasecmp(n, "Type") == 0 && p->type == NULL)
			parse_content_type(p, h);
		else if (strcasecmp(n, "Transfer-Encoding") == 0 &&
			 p->encoding == NULL)
			parse_cte(p, h);
		else if (strcasecmp(n, "ID") == 0 && p->id == NULL)
			p->id = first_value_dup(h);
		else if (strcasecmp(n, "MD5") == 0 && p->md5 == NULL)
			p->md5 = first_value_dup(h);
		else if (strcasecmp(n, "Description") == 0 &&
			 p->description == NULL)
			p->description = first_value_dup(h);
		else if (strcasecmp(n, "Location") == 0 && p->location == NULL)
			p->location = first_value_dup(h);
		else if (strcasecmp(n, "Language") == 0 && p->language == NULL)
			parse_language(p, h);
		else if (strcasecmp(n, "Disposition") == 0 &&
			 p->disposition == NULL)
			parse_disposition(p, h);
	}
}

/* ENVELOPE fields: the last of each kind counts (imap-envelope.c). */
static void envelope_parse(struct mime_part *p)
{
	struct mime_envelope *e = xcalloc(1, sizeof(*e));
	size_t i;

	for (i = 0; i < p->nhdrs; i++) {
		const struct mime_hdr *h = &p->hdrs[i];
		struct mime_addr **ap = NULL;
		char **sp = NULL;

		if (strcasecmp(h->name, "Date") == 0)
			sp = &e->date;
		else if (strcasecmp(h->name, "Subject") == 0)
			sp = &e->subject;
		else if (strcasecmp(h->name, "Message-ID") == 0)
			sp = &e->message_id;
		else if (strcasecmp(h->name, "In-Reply-To") == 0)
			sp = &e->in_reply_to;
		else if (strcasecmp(h->name, "From") == 0)
			ap = &e->from;
		else if (strcasecmp(h->name, "Sender") == 0)
			ap = &e->sender;
		else if (strcasecmp(h->name, "Reply-To") == 0)
			ap = &e->reply_to;
		else if (strcasecmp(h->name, "To") == 0)
			ap = &e->to;
		else if (strcasecmp(h->name, "Cc") == 0)
			ap = &e->cc;
		else if (strcasecmp(h->name, "Bcc") == 0)
			ap = &e->bcc;
		if (sp != NULL) {
			free(*sp);
			*sp = xstrdup(h->value);
		} else if (ap != NULL) {
			mime_addr_free(*ap);
			*ap = mime_addr_parse(h->value, strlen(h->value));
		}
	}
	p->env = e;
}

static int type_is(const struct mime_part *p, const char *t, const char *st)
{
	return p->type != NULL && strcasecmp(p->type, t) == 0 &&
	       (st == NULL || strcasecmp(p->subtype, st) == 0);
}

static const char *param_get(const struct mime_param *v, size_t n,
			     const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(v[i].name, name) == 0)
			return v[i].value;
	return NULL;
}

static struct mime_part *part_new(struct pctx *c, struct mime_part *parent)
{
	struct mime_part *p = xcalloc(1, sizeof(*p));

	p->parent = parent;
	c->nparts++;
	return p;
}

/* Scans lines from pos to the next active boundary line (or the end). */
static size_t scan_to_boundary(const struct pctx *c, size_t pos)
{
	if (c->nb == 0)
		return c->len;
	while (pos < c->len) {
		if (boundary_at(c, pos, NULL) != 0)
			return pos;
		pos = line_end(c, pos);
	}
	return c->len;
}

static size_t parse_part(struct pctx *c, struct mime_part *p, size_t pos,
			 int depth, int in_digest);

static size_t parse_multipart(struct pctx *c, struct mime_part *p,
			      const char *boundary, int depth)
{
	size_t pos = p->body_off, own, hit, le;
	struct mime_part **tail = &p->children;
	int closing = 0;

	own = c->nb;
	c->bnds[c->nb].s = boundary;
	c->bnds[c->nb].len = strlen(boundary);
	if (c->bnds[c->nb].len > BOUNDARY_MAX_LEN)
		c->bnds[c->nb].len = BOUNDARY_MAX_LEN;
	c->nb++;
	/* the preamble, up to the first boundary line */
	pos = scan_to_boundary(c, pos);
	while (pos < c->len) {
		hit = boundary_at(c, pos, &closing);
		BUG_ON(hit == 0);
		if (hit - 1 != own)
			break;		/* an outer boundary ends us too */
		le = line_end(c, pos);
		if (closing) {
			/* the epilogue runs to an outer boundary */
			c->nb--;
			return scan_to_boundary(c, le);
		}
		if (c->nparts >= MIME_MAX_PARTS) {
			pos = scan_to_boundary(c, le);
			continue;
		}
		*tail = part_new(c, p);
		pos = parse_part(c, *tail, le,
				 depth + 1, type_is(p, "multipart", "digest"));
		tail = &(*tail)->next;
	}
	c->nb--;
	return pos;
}

static void part_sizes(const struct pctx *c, struct mime_part *p)
{
	p->hdr_vsize = mime_crlf_size(c->d + p->hdr_off, p->hdr_size,
				      &p->hdr_lines);
	p->body_vsize = mime_crlf_size(c->d + p->body_off, p->body_size,
				       &p->body_lines);
}

/* Parses the part at pos; returns where it ends (a boundary line or len). */
static size_t parse_part(struct pctx *c, struct mime_part *p, size_t pos,
			 int depth, int in_digest)
{
	size_t bnd, end;
	const char *boundary = NULL;

	p->body_off = parse_header(c, p, pos, &bnd);
	content_headers(p);
	if (p->type == NULL) {
		/* RFC 2046 5.1.5: digest parts default to message/rfc822 */
		p->flags |= in_digest ? MIME_PART_RFC822 : MIME_PART_TEXT;
	} else if (type_is(p, "text", NULL)) {
		p->flags |= MIME_PART_TEXT;
	} else if (type_is(p, "message", "rfc822")) {
		p->flags |= MIME_PART_RFC822;
	} else if (type_is(p, "multipart", NULL)) {
		boundary = param_get(p->params, p->nparams, "boundary");
		if (boundary != NULL)
			p->flags |= MIME_PART_MULTIPART;
	}
	if (p->parent == NULL ||
	    (p->parent->flags & MIME_PART_RFC822) != 0)
		envelope_parse(p);
	if (depth >= MIME_MAX_DEPTH || c->nparts >= MIME_MAX_PARTS ||
	    (boundary != NULL && c->nb >= MIME_MAX_DEPTH))
		p->flags &= ~(unsigned)(MIME_PART_MULTIPART | MIME_PART_RFC822);
	if (bnd < c->len) {
		/* the header ran into a boundary: empty body */
		p->body_off = p->hdr_off + p->hdr_size;
		p->body_size = 0;
		p->flags &= ~(unsigned)(MIME_PART_MULTIPART | MIME_PART_RFC822);
		part_sizes(c, p);
		return bnd;
	}
	if ((p->flags & MIME_PART_MULTIPART) != 0) {
		end = parse_multipart(c, p, boundary, depth);
	} else if ((p->flags & MIME_PART_RFC822) != 0) {
		p->children = part_new(c, p);
		end = parse_part(c, p->children, p->body_off, depth + 1, 0);
	} else {
		end = scan_to_boundary(c, p->body_off);
	}
	p->body_size = (end < c->len ? trim_before(c, end, p->body_off) : end) -
		       p->body_off;
	part_sizes(c, p);
	return end;
}

struct mime_msg *mime_parse(const char *data, size_t len)
{
	struct mime_msg *m = xcalloc(1, sizeof(*m));
	struct pctx *c = xcalloc(1, sizeof(*c));

	m->data = data;
	m->len = len;
	c->d = data;
	c->len = len;
	m->root = part_new(c, NULL);
	parse_part(c, m->root, 0, 0, 0);
	m->nparts = c->nparts;
	free(c);
	return m;
}

void mime_envelope_free(struct mime_envelope *e)
{
	if (e == NULL)
		return;
	free(e->date);
	free(e->subject);
	free(e->message_id);
	free(e->in_reply_to);
	mime_addr_free(e->from);
	mime_addr_free(e->sender);
	mime_addr_free(e->reply_to);
	mime_addr_free(e->to);
	mime_addr_free(e->cc);
	mime_addr_free(e->bcc);
	free(e);
}

static void part_free(struct mime_part *p)
{
	while (p != NULL) {
		struct mime_part *next = p->next;
		size_t i;

		part_free(p->children);
		mime_hdrs_free(p->hdrs, p->nhdrs);
		free(p->type);
		free(p->subtype);
		mime_params_free(p->params, p->nparams);
		free(p->id);
		free(p->description);
		free(p->encoding);
		free(p->md5);
		free(p->location);
		free(p->disposition);
		mime_params_free(p->dparams, p->ndparams);
		for (i = 0; p->language != NULL && p->language[i] != NULL; i++)
			free(p->language[i]);
		free(p->language);
		mime_envelope_free(p->env);
		free(p);
		p = next;
	}
}

void mime_free(struct mime_msg **mp)
{
	if (*mp == NULL)
		return;
	part_free((*mp)->root);
	free(*mp);
	*mp = NULL;
}
