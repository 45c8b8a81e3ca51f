/*
 * FETCH and UID FETCH (RFC 3501 6.4.5, 7.4.2) with BINARY (RFC 3516),
 * PREVIEW (RFC 8970, and Dovecot's older PREVIEW=FUZZY / SNIPPET=FUZZY
 * forms), SAVEDATE (RFC 8514), CONDSTORE's MODSEQ (RFC 7162, NOMODSEQ
 * here). The order of the items follows Dovecot's imap-fetch.c: the
 * "buffered" items (UID, FLAGS, INTERNALDATE, RFC822.SIZE, SAVEDATE,
 * BINARY.SIZE) in request order first, then the others in request order
 * (reference 01-session a11: RFC822.SIZE INTERNALDATE ENVELOPE
 * BODYSTRUCTURE for ENVELOPE BODYSTRUCTURE RFC822.SIZE INTERNALDATE). A
 * body section without .PEEK sets \Seen, and FLAGS joins the reply of
 * every message whose \Seen changed (a10).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

enum fetch_kind {
	F_UID, F_FLAGS, F_INTERNALDATE, F_SIZE, F_SAVEDATE, F_MODSEQ,
	F_BINARY_SIZE, F_ENVELOPE, F_BODYSTRUCTURE, F_BODY, F_SECTION,
	F_RFC822, F_RFC822_HEADER, F_RFC822_TEXT, F_BINARY, F_PREVIEW,
	F_SNIPPET, F_PREVIEW_FUZZY,
};

struct fetch_item {
	enum fetch_kind kind;
	int buffered;
	int peek;
	struct mime_sect sect;
	int partial;
	uint64_t poff, plen;
	char *label;		/* "BODY[HEADER]<0>" */
};

struct fetch_req {
	struct fetch_item *v;
	size_t n;
	int set_seen;		/* a non-PEEK body item */
	int has_flags;
	int implicit_flags;	/* only when \Seen changed */
};

static void req_free(struct fetch_req *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		mime_sect_reset(&r->v[i].sect);
		free(r->v[i].label);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static int is_buffered(enum fetch_kind k)
{
	return k <= F_BINARY_SIZE;
}

/* imap_fetch_add_handler(): buffered ones go before the first
 * non-buffered one; the same simple item is not added twice. */
static struct fetch_item *add_item(struct fetch_req *r, enum fetch_kind k)
{
	size_t i, at = r->n;
	struct fetch_item *it;

	if (k != F_SECTION && k != F_BINARY && k != F_BINARY_SIZE) {
		for (i = 0; i < r->n; i++)
			if (r->v[i].kind == k)
				return NULL;
	}
	if (is_buffered(k)) {
		for (at = 0; at < r->n; at++)
			if (!r->v[at].buffered)
				break;
	}
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	memmove(&r->v[at + 1], &r->v[at], (r->n - at) * sizeof(*r->v));
	r->n++;
	it = &r->v[at];
	memset(it, 0, sizeof(*it));
	it->kind = k;
	it->buffered = is_buffered(k);
	if (k == F_FLAGS)
		r->has_flags = 1;
	return it;
}

/* "BODY[...]<o.n>", "BINARY.PEEK[1]" ...: 0, or -1 when invalid. */
static int parse_section_item(struct fetch_req *r, const char *item)
{
	const char *lb = strchr(item, '['), *rb;
	size_t plen = (size_t)(lb - item);
	enum fetch_kind k;
	int peek = 0;
	struct fetch_item *it;
	struct buf label;
	const char *prefix;

	if (plen == 4 && strncasecmp(item, "BODY", 4) == 0) {
		k = F_SECTION;
	} else if (plen == 9 && strncasecmp(item, "BODY.PEEK", 9) == 0) {
		k = F_SECTION;
		peek = 1;
	} else if (plen == 6 && strncasecmp(item, "BINARY", 6) == 0) {
		k = F_BINARY;
	} else if (plen == 11 && strncasecmp(item, "BINARY.PEEK", 11) == 0) {
		k = F_BINARY;
		peek = 1;
	} else if (plen == 11 && strncasecmp(item, "BINARY.SIZE", 11) == 0) {
		k = F_BINARY_SIZE;
		peek = 1;
	} else {
		return -1;
	}
	rb = strrchr(item, ']');
	if (rb == NULL || rb < lb)
		return -1;
	it = add_item(r, k);
	it->peek = peek;
	if (mime_sect_parse(lb + 1, (size_t)(rb - lb - 1), &it->sect) < 0)
		goto fail;
	/* RFC 3516: BINARY takes part numbers only */
	if (k != F_SECTION && it->sect.kind != MIME_SECT_ALL)
		goto fail;
	if (rb[1] == '<') {
		char *end;
		unsigned long long o, n = 0;

		if (k == F_BINARY_SIZE || !isdigit((unsigned char)rb[2]))
			goto fail;
		o = strtoull(rb + 2, &end, 10);
		if (*end == '.') {
			if (!isdigit((unsigned char)end[1]))
				goto fail;
			n = strtoull(end + 1, &end, 10);
			if (n == 0)
				goto fail;
		} else {
			goto fail;	/* RFC 3501: <offset.length> */
		}
		if (strcmp(end, ">") != 0)
			goto fail;
		it->partial = 1;
		it->poff = o;
		it->plen = n;
	} else if (rb[1] != '\0') {
		goto fail;
	}
	if (!peek)
		r->set_seen = 1;
	buf_init(&label);
	prefix = k == F_SECTION ? "BODY" : k == F_BINARY ? "BINARY" :
		 "BINARY.SIZE";
	buf_addf(&label, "%s[", prefix);
	mime_sect_label(&label, &it->sect);
	buf_addc(&label, ']');
	if (it->partial)
		buf_addf(&label, "<%llu>", (unsigned long long)it->poff);
	it->label = buf_steal(&label, NULL);
	return 0;
fail:
	/* leave the item in: req_free() frees it */
	return -1;
}

static const struct {
	const char *name;
	enum fetch_kind kind;
} simple_items[] = {
	{ "UID", F_UID },
	{ "FLAGS", F_FLAGS },
	{ "INTERNALDATE", F_INTERNALDATE },
	{ "RFC822.SIZE", F_SIZE },
	{ "SAVEDATE", F_SAVEDATE },
	{ "MODSEQ", F_MODSEQ },
	{ "ENVELOPE", F_ENVELOPE },
	{ "BODYSTRUCTURE", F_BODYSTRUCTURE },
	{ "BODY", F_BODY },
	{ "RFC822", F_RFC822 },
	{ "RFC822.HEADER", F_RFC822_HEADER },
	{ "RFC822.TEXT", F_RFC822_TEXT },
	{ "PREVIEW", F_PREVIEW },
};

/* One item (and, for PREVIEW/SNIPPET, its modifier list next in v). */
static int parse_item(struct fetch_req *r, const struct imapd_arg *v,
		      size_t n, size_t *i, const char **bad_out)
{
	const char *item = v[*i].s;
	size_t k;

	*bad_out = item;
	if (v[*i].type != IMAPD_ARG_ATOM)
		return -1;
	if (strchr(item, '[') != NULL)
		return parse_section_item(r, item);
	/* RFC 3501 6.4.5 macros */
	if (strcasecmp(item, "ALL") == 0 || strcasecmp(item, "FAST") == 0 ||
	    strcasecmp(item, "FULL") == 0) {
		add_item(r, F_FLAGS);
		add_item(r, F_INTERNALDATE);
		add_item(r, F_SIZE);
		if (strcasecmp(item, "FAST") != 0)
			add_item(r, F_ENVELOPE);
		if (strcasecmp(item, "FULL") == 0)
			add_item(r, F_BODY);
		return 0;
	}
	if (strcasecmp(item, "SNIPPET") == 0 ||
	    (strcasecmp(item, "PREVIEW") == 0 && *i + 1 < n &&
	     v[*i + 1].type == IMAPD_ARG_LIST)) {
		/* SNIPPET (FUZZY), PREVIEW (FUZZY) of the drafts; PREVIEW
		 * (LAZY) of RFC 8970 */
		const struct imapd_arg *l = *i + 1 < n ? &v[*i + 1] : NULL;
		int snippet = toupper((unsigned char)item[0]) == 'S';
		int lazy = 0;

		if (l == NULL || l->type != IMAPD_ARG_LIST || l->n != 1 ||
		    l->list[0].type != IMAPD_ARG_ATOM)
			return -1;
		if (strcasecmp(l->list[0].s, "LAZY") == 0 && !snippet)
			lazy = 1;
		else if (strcasecmp(l->list[0].s, "FUZZY") != 0)
			return -1;
		(*i)++;
		add_item(r, snippet ? F_SNIPPET : lazy ? F_PREVIEW :
			 F_PREVIEW_FUZZY);
		return 0;
	}
	for (k = 0; k < ARRAY_LEN(simple_items); k++) {
		if (strcasecmp(item, simple_items[k].name) == 0) {
			add_item(r, simple_items[k].kind);
			if (simple_items[k].kind == F_RFC822 ||
			    simple_items[k].kind == F_RFC822_TEXT)
				r->set_seen = 1;
			return 0;
		}
	}
	return -1;
}

static void write_date(struct buf *b, int64_t t)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	buf_addf(b, "\"%02d-%s-%04d %02d:%02d:%02d +0000\"", tm.tm_mday,
		 mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
}

/* The text of a preview: the first text part, decoded, whitespace
 * folded, quoted lines dropped, at most 200 characters (Dovecot's
 * lib-mail/message-snippet.c). */
static void make_preview(const struct mime_msg *m, struct buf *out)
{
	const struct mime_part *p = m->root;
	struct buf dec;
	size_t i, chars = 0;
	int line_start = 1, quoted = 0, space = 0;

	while (p != NULL && (p->flags & MIME_PART_MULTIPART))
		p = p->children;
	if (p == NULL || !(p->flags & MIME_PART_TEXT))
		return;
	buf_init(&dec);
	(void)mime_decode(p->encoding, m->data + p->body_off, p->body_size, &dec);
	for (i = 0; i < dec.len && chars < 200; i++) {
		unsigned char c = (unsigned char)dec.data[i];

		if (c == '\n') {
			line_start = 1;
			quoted = 0;
			space = out->len > 0;
			continue;
		}
		if (line_start && c == '>')
			quoted = 1;
		line_start = 0;
		if (quoted || c == '\r')
			continue;
		if (c == ' ' || c == '\t') {
			space = out->len > 0;
			continue;
		}
		if (space) {
			buf_addc(out, ' ');
			chars++;
			space = 0;
		}
		buf_addc(out, (char)c);
		if ((c & 0xc0) != 0x80)
			chars++;
	}
	buf_reset(&dec);
}

/* Literal or ~literal (BINARY with NULs). */
static void add_literal(struct buf *b, const char *data, size_t n,
			int binary)
{
	if (binary && memchr(data, '\0', n) != NULL)
		buf_addf(b, "~{%zu}\r\n", n);
	else
		buf_addf(b, "{%zu}\r\n", n);
	buf_add(b, data, n);
}

/* BINARY[...]: the part's body decoded; -1 for an unknown encoding. */
static int binary_data(const struct mime_msg *m, const struct mime_sect *sect,
		       struct buf *out)
{
	const struct mime_part *p;

	if (sect->npath == 0) {
		buf_add(out, m->data, m->len);
		return 0;
	}
	p = mime_sect_find(m, sect->path, sect->npath);
	if (p == NULL)
		return 0;
	if (p->flags & (MIME_PART_MULTIPART | MIME_PART_RFC822)) {
		buf_add(out, m->data + p->body_off, p->body_size);
		return 0;
	}
	return mime_decode(p->encoding, m->data + p->body_off, p->body_size, out);
}

/* One message's reply; -1 when BINARY met an unknown encoding. */
static int fetch_one(struct imapd *s, const struct fetch_req *r, size_t idx,
		     int seen_changed, struct buf *b)
{
	const struct store_msg *m = store_mailbox_msg(s->mb, idx);
	const struct mime_msg *mime = NULL;
	const struct buf *data = NULL;
	size_t i, start;
	int first = 1;

	buf_adds(b, "* ");
	buf_addu(b, idx + 1);
	buf_adds(b, " FETCH (");
	start = b->len;
	for (i = 0; i < r->n; i++) {
		const struct fetch_item *it = &r->v[i];
		struct buf t;

		if (it->kind == F_FLAGS && r->implicit_flags && !seen_changed)
			continue;
		if (it->kind >= F_BINARY_SIZE && mime == NULL) {
			if (imapd_view_load(s, idx, &data, &mime) < 0)
				return -2;
		}
		if (!first)
			buf_addc(b, ' ');
		first = 0;
		switch (it->kind) {
		case F_UID:
			buf_adds(b, "UID ");
			buf_addu(b, m->uid);
			break;
		case F_FLAGS:
			buf_adds(b, "FLAGS (");
			imapd_view_write_flags(s, b, m);
			buf_addc(b, ')');
			break;
		case F_INTERNALDATE:
			buf_adds(b, "INTERNALDATE ");
			write_date(b, m->internal_date);
			break;
		case F_SAVEDATE:
			/* XXX store.h has no save date: the internal date */
			buf_adds(b, "SAVEDATE ");
			write_date(b, m->internal_date);
			break;
		case F_SIZE:
			buf_adds(b, "RFC822.SIZE ");
			buf_addu(b, m->size);
			break;
		case F_MODSEQ:
			break;	/* refused before (NOMODSEQ) */
		case F_ENVELOPE:
			buf_adds(b, "ENVELOPE (");
			mime_imap_envelope(b, mime->root);
			buf_addc(b, ')');
			break;
		case F_BODYSTRUCTURE:
		case F_BODY:
			buf_adds(b, it->kind == F_BODY ? "BODY (" : "BODYSTRUCTURE (");
			mime_imap_bodystructure(b, mime->root, it->kind != F_BODY);
			buf_addc(b, ')');
			break;
		case F_SECTION:
		case F_RFC822:
		case F_RFC822_HEADER:
		case F_RFC822_TEXT: {
			struct mime_sect all;
			const struct mime_sect *sp = &it->sect;
			const char *label = it->label;
			size_t o, n;
			int hdr_only;

			memset(&all, 0, sizeof(all));
			if (it->kind == F_RFC822) {
				sp = &all;
				label = "RFC822";
			} else if (it->kind == F_RFC822_HEADER) {
				all.kind = MIME_SECT_HEADER;
				sp = &all;
				label = "RFC822.HEADER";
			} else if (it->kind == F_RFC822_TEXT) {
				all.kind = MIME_SECT_TEXT;
				sp = &all;
				label = "RFC822.TEXT";
			}
			buf_init(&t);
			mime_sect_get(mime, sp, &t);
			o = it->partial ? (it->poff < t.len ? (size_t)it->poff : t.len) : 0;
			n = t.len - o;
			if (it->partial && it->plen < n)
				n = (size_t)it->plen;
			buf_addf(b, "%s ", label);
			add_literal(b, t.data != NULL ? t.data + o : "", n, 0);
			/* the session's counters: header-only vs body */
			hdr_only = sp->kind == MIME_SECT_HEADER ||
				   sp->kind == MIME_SECT_FIELDS ||
				   sp->kind == MIME_SECT_FIELDS_NOT ||
				   sp->kind == MIME_SECT_MIME;
			if (hdr_only) {
				s->hdr_count++;
				s->hdr_bytes += n;
			} else {
				s->body_count++;
				s->body_bytes += n;
			}
			buf_reset(&t);
			break;
		}
		case F_BINARY:
		case F_BINARY_SIZE: {
			size_t o, n;

			buf_init(&t);
			if (binary_data(mime, &it->sect, &t) < 0) {
				buf_reset(&t);
				return -1;
			}
			if (it->kind == F_BINARY_SIZE) {
				buf_addf(b, "%s %zu", it->label, t.len);
			} else {
				o = it->partial ? (it->poff < t.len ? (size_t)it->poff :
						   t.len) : 0;
				n = t.len - o;
				if (it->partial && it->plen < n)
					n = (size_t)it->plen;
				buf_addf(b, "%s ", it->label);
				add_literal(b, t.data != NULL ? t.data + o : "", n, 1);
				s->body_count++;
				s->body_bytes += n;
			}
			buf_reset(&t);
			break;
		}
		case F_PREVIEW:
		case F_SNIPPET:
		case F_PREVIEW_FUZZY:
			buf_init(&t);
			buf_adds(&t, "");
			make_preview(mime, &t);
			if (it->kind == F_PREVIEW)
				buf_adds(b, "PREVIEW ");
			else
				buf_adds(b, it->kind == F_SNIPPET ?
					 "SNIPPET (FUZZY " : "PREVIEW (FUZZY ");
			mime_imap_string(b, t.data);
			if (it->kind != F_PREVIEW)
				buf_addc(b, ')');
			buf_reset(&t);
			break;
		}
	}
	if (b->len == start)
		return 1;	/* nothing to say (implicit FLAGS, unchanged) */
	buf_adds(b, ")\r\n");
	return 0;
}

/*
 * A FETCH in progress. Its replies are produced a slice at a time: when
 * the output holds IMAPD_FETCH_SLICE bytes the engine lets the driver
 * send them (a DELAY of 0 ms) before it goes on, as Dovecot streams a
 * FETCH to a slow client. So FETCH 1:* of 50,000 messages, or of their
 * bodies, never holds more than a slice in memory, and the client reads
 * while the server works.
 */
struct imapd_fetch_job {
	struct fetch_req r;
	size_t *idx;		/* the messages (view indexes), in order */
	size_t n;
	size_t next;		/* the next one to answer */
	int readonly;
	int yield;		/* a slice is out: the driver sends it */
	struct buf b;		/* one message's reply */
};

void imapd_fetch_job_free(struct imapd *s)
{
	struct imapd_fetch_job *j = s->fetch_job;

	if (j == NULL)
		return;
	req_free(&j->r);
	free(j->idx);
	buf_reset(&j->b);
	free(j);
	s->fetch_job = NULL;
}

int imapd_fetch_take_yield(struct imapd *s)
{
	struct imapd_fetch_job *j = s->fetch_job;

	if (j == NULL || !j->yield)
		return 0;
	j->yield = 0;
	return 1;
}

void imapd_fetch_resume(struct imapd *s, mtime_t now)
{
	struct imapd_fetch_job *j = s->fetch_job;
	struct imapd_cmdctx *c = &s->cur;
	size_t before = s->out.len;

	(void)now;
	while (j->next < j->n) {
		size_t at = j->idx[j->next++];
		int changed = 0, rc;

		if (j->r.set_seen && !j->readonly &&
		    !(store_mailbox_msg(s->mb, at)->flags & STORE_SEEN))
			changed = store_mailbox_set_flags(s->mb, at,
							  STORE_FLAGS_ADD,
							  STORE_SEEN, 0) > 0;
		buf_clear(&j->b);
		rc = fetch_one(s, &j->r, at, changed, &j->b);
		if (rc == 0)
			imapd_out(s, j->b.data, j->b.len);
		if (rc == -1) {
			imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_UNKNOWN_CTE));
			imapd_fetch_job_free(s);
			return;
		}
		if (rc == -2) {
			imapd_done(s, c, "NO", "%s",
				   imapd_reply_text(IMAPD_R_STORAGE_ERROR));
			imapd_fetch_job_free(s);
			return;
		}
		if (s->out.len - before >= IMAPD_FETCH_SLICE &&
		    j->next < j->n) {
			j->yield = 1;
			return;
		}
	}
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_FETCH_DONE));
	imapd_fetch_job_free(s);
}

void imapd_fetch_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	struct fetch_req r;
	struct imapd_fetch_job *j;
	size_t *idx = NULL, n = 0, i;
	const char *bad = NULL;
	int readonly;

	if (s->mb == NULL) {
		imapd_tagged(s, c->tag, "BAD", "%s",
			     imapd_reply_text(IMAPD_R_NO_MAILBOX));
		return;
	}
	/* <set> <item | (items)> [(modifiers)] */
	if (c->nargs < 2 || c->nargs > 3 || c->args[0].type != IMAPD_ARG_ATOM ||
	    (c->args[1].type != IMAPD_ARG_LIST &&
	     c->args[1].type != IMAPD_ARG_ATOM) ||
	    (c->nargs == 3 && c->args[2].type != IMAPD_ARG_LIST)) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return;
	}
	memset(&r, 0, sizeof(r));
	if (c->uid)
		add_item(&r, F_UID);
	if (c->args[1].type == IMAPD_ARG_ATOM) {
		i = 1;
		if (parse_item(&r, c->args, 2, &i, &bad) < 0)
			goto bad_item;
	} else {
		const struct imapd_arg *l = &c->args[1];

		if (l->n == 0)
			goto bad_args;
		for (i = 0; i < l->n; i++)
			if (parse_item(&r, l->list, l->n, &i, &bad) < 0)
				goto bad_item;
	}
	if (c->nargs == 3) {
		/* CHANGEDSINCE / VANISHED need modification sequences */
		imapd_cmd_error(s, c, "CHANGEDSINCE: mailbox has no permanent modsequences (NOMODSEQ)");
		goto out;
	}
	for (i = 0; i < r.n; i++) {
		if (r.v[i].kind == F_MODSEQ) {
			imapd_cmd_error(s, c, "MODSEQ: mailbox has no permanent modsequences (NOMODSEQ)");
			goto out;
		}
	}
	if (imapd_view_resolve_set(s, c, c->args[0].s, c->uid, &idx, &n) < 0)
		goto out;
	readonly = store_mailbox_readonly(s->mb);
	if (r.set_seen && !readonly && !r.has_flags) {
		/* imap_fetch_begin(): FLAGS for the messages \Seen changes */
		add_item(&r, F_FLAGS);
		r.implicit_flags = 1;
	}
	/* The replies: imapd_fetch_resume(), now and after each slice. */
	j = xcalloc(1, sizeof(*j));
	j->r = r;
	j->idx = idx;
	j->n = n;
	j->readonly = readonly;
	buf_init(&j->b);
	s->fetch_job = j;
	imapd_fetch_resume(s, now);
	return;
bad_item:
	if (bad != NULL) {
		char *msg = xasprintf("Unknown parameter %s", bad);

		imapd_cmd_error(s, c, msg);
		free(msg);
		goto out;
	}
bad_args:
	imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
out:
	free(idx);
	req_free(&r);
}
