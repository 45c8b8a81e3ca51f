/*
 * THREAD and UID THREAD (RFC 5256): ORDEREDSUBJECT, REFERENCES (the
 * message threading algorithm of section 3, steps 1-6), and Dovecot's
 * REFS (REFERENCES without the base-subject merge of step 5, threads
 * ordered by their newest message). Only messages matching the search
 * keys take part; references to others become dummy containers.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

struct tnode {
	char *id;
	long msg;		/* index in the view, -1 for a dummy */
	int64_t date;		/* sent date of the message */
	int is_reply;		/* its subject had Re:/Fwd: (step 5) */
	char *subject;		/* base subject */
	struct tnode *parent, *child, *next;
};

struct tctx {
	struct tnode **all;
	size_t n;
};

static struct tnode *lookup(struct tctx *t, const char *id, int create)
{
	size_t i;
	struct tnode *n;

	for (i = 0; i < t->n; i++)
		if (t->all[i]->id != NULL && strcmp(t->all[i]->id, id) == 0)
			return t->all[i];
	if (!create)
		return NULL;
	n = xcalloc(1, sizeof(*n));
	n->id = xstrdup(id);
	n->msg = -1;
	t->all = xrealloc(t->all, (t->n + 1) * sizeof(*t->all));
	t->all[t->n++] = n;
	return n;
}

static struct tnode *new_anon(struct tctx *t)
{
	struct tnode *n = xcalloc(1, sizeof(*n));

	n->msg = -1;
	t->all = xrealloc(t->all, (t->n + 1) * sizeof(*t->all));
	t->all[t->n++] = n;
	return n;
}

static int is_ancestor(const struct tnode *a, const struct tnode *b)
{
	for (; b != NULL; b = b->parent)
		if (a == b)
			return 1;
	return 0;
}

static void unlink_node(struct tnode *n)
{
	struct tnode **pp;

	if (n->parent == NULL)
		return;
	for (pp = &n->parent->child; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	n->parent = NULL;
	n->next = NULL;
}

static void link_child(struct tnode *parent, struct tnode *c)
{
	struct tnode **pp;

	if (c == parent || is_ancestor(c, parent))
		return;		/* no loops */
	unlink_node(c);
	c->parent = parent;
	for (pp = &parent->child; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = c;
}

/* The msg-ids of a References/In-Reply-To value, in order. */
static size_t msgids(const char *v, char ***out)
{
	size_t n = 0;
	const char *p = v;

	*out = NULL;
	while ((p = strchr(p, '<')) != NULL) {
		const char *e = strchr(p, '>');

		if (e == NULL)
			break;
		*out = xrealloc(*out, (n + 1) * sizeof(char *));
		(*out)[n++] = xstrndup(p, (size_t)(e - p + 1));
		p = e + 1;
	}
	return n;
}

static void free_ids(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int64_t node_date(const struct tnode *n)
{
	/* a dummy sorts by its first child (RFC 5256 step 4) */
	while (n != NULL && n->msg < 0)
		n = n->child;
	return n != NULL ? n->date : 0;
}

static long node_msg(const struct tnode *n)
{
	while (n != NULL && n->msg < 0)
		n = n->child;
	return n != NULL ? n->msg : 0;
}

static int64_t newest(const struct tnode *n)
{
	int64_t d = n->msg >= 0 ? n->date : 0, c;
	const struct tnode *k;

	for (k = n->child; k != NULL; k = k->next)
		if ((c = newest(k)) > d)
			d = c;
	return d;
}

static int g_refs;

static int date_cmp(const void *a, const void *b)
{
	const struct tnode *x = *(struct tnode *const *)a;
	const struct tnode *y = *(struct tnode *const *)b;
	int64_t dx = g_refs ? newest(x) : node_date(x);
	int64_t dy = g_refs ? newest(y) : node_date(y);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return node_msg(x) < node_msg(y) ? -1 : node_msg(x) > node_msg(y);
}

/* Sorts a sibling list by date, recursively. */
static struct tnode *sort_siblings(struct tnode *first, int refs_top)
{
	struct tnode **v = NULL, *k;
	size_t n = 0, i;

	for (k = first; k != NULL; k = k->next) {
		k->child = sort_siblings(k->child, 0);
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = k;
	}
	if (n == 0)
		return NULL;
	g_refs = refs_top;
	qsort(v, n, sizeof(*v), date_cmp);
	for (i = 0; i + 1 < n; i++)
		v[i]->next = v[i + 1];
	v[n - 1]->next = NULL;
	k = v[0];
	free(v);
	return k;
}

static void write_node(struct buf *b, const struct tnode *n,
		       const uint32_t *num)
{
	const struct tnode *k;

	if (n->msg < 0) {
		for (k = n->child; k != NULL; k = k->next) {
			buf_addc(b, '(');
			write_node(b, k, num);
			buf_addc(b, ')');
		}
		return;
	}
	buf_addf(b, "%u", num[n->msg]);
	if (n->child == NULL)
		return;
	buf_addc(b, ' ');
	if (n->child->next == NULL) {
		write_node(b, n->child, num);
		return;
	}
	for (k = n->child; k != NULL; k = k->next) {
		buf_addc(b, '(');
		write_node(b, k, num);
		buf_addc(b, ')');
	}
}

/* Step 3: dummies without children go, those with one child (or at
 * the top with several) give their children up. Returns the new list. */
static struct tnode *prune(struct tnode *first, struct tnode *parent)
{
	struct tnode *out = NULL, **tail = &out, *k, *next;

	for (k = first; k != NULL; k = next) {
		next = k->next;
		k->next = NULL;
		k->child = prune(k->child, k);
		if (k->msg < 0 && k->child == NULL)
			continue;
		if (k->msg < 0 && (parent != NULL || k->child->next == NULL)) {
			struct tnode *c;

			for (c = k->child; c != NULL; c = c->next)
				c->parent = parent;
			*tail = k->child;
			while (*tail != NULL)
				tail = &(*tail)->next;
			k->child = NULL;
			continue;
		}
		k->parent = parent;
		*tail = k;
		tail = &k->next;
	}
	return out;
}

static int starts_reply(const char *raw)
{
	char *b = imapd_sort_base_subject(raw);
	int r;
	const char *p = raw;

	while (*p == ' ' || *p == '\t')
		p++;
	r = strncasecmp(p, "re", 2) == 0 || strncasecmp(p, "fw", 2) == 0 ||
	    (strlen(b) < strlen(p) && *p == '[');
	free(b);
	return r;
}

/* Step 5: roots with the same base subject join. */
static struct tnode *merge_subjects(struct tctx *t, struct tnode *roots)
{
	struct tnode **tab = NULL, *k, *next, *out = NULL, **tail = &out;
	size_t n = 0, i;

	for (k = roots; k != NULL; k = k->next) {
		const struct tnode *m = k->msg >= 0 ? k : k->child;
		const char *subj = m != NULL ? m->subject : NULL;

		if (subj == NULL || *subj == '\0')
			continue;
		for (i = 0; i < n; i++)
			if (strcmp((tab[i]->msg >= 0 ? tab[i] : tab[i]->child)->subject,
				   subj) == 0)
				break;
		if (i == n) {
			tab = xrealloc(tab, (n + 1) * sizeof(*tab));
			tab[n++] = k;
		} else if ((k->msg < 0 && tab[i]->msg >= 0) ||
			   (tab[i]->msg >= 0 && k->msg >= 0 && tab[i]->is_reply &&
			    !k->is_reply)) {
			tab[i] = k;
		}
	}
	for (k = roots; k != NULL; k = next) {
		const struct tnode *m = k->msg >= 0 ? k : k->child;
		const char *subj = m != NULL ? m->subject : NULL;
		struct tnode *o = NULL;

		next = k->next;
		k->next = NULL;
		if (subj != NULL && *subj != '\0') {
			for (i = 0; i < n; i++)
				if (strcmp((tab[i]->msg >= 0 ? tab[i] :
					    tab[i]->child)->subject, subj) == 0)
					o = tab[i];
		}
		if (o == NULL || o == k) {
			*tail = k;
			tail = &k->next;
			continue;
		}
		if (o->msg < 0 && k->msg < 0) {
			/* both dummies: children move over */
			while (k->child != NULL)
				link_child(o, k->child);
		} else if (o->msg < 0) {
			link_child(o, k);
		} else if (k->is_reply && !o->is_reply) {
			link_child(o, k);
		} else {
			/* neither: a new dummy holds both */
			struct tnode *d = new_anon(t);
			struct tnode **pp;

			/* o is already in the output list: replace it */
			for (pp = &out; *pp != NULL; pp = &(*pp)->next)
				if (*pp == o)
					break;
			if (*pp == o) {
				d->next = o->next;
				*pp = d;
				if (tail == &o->next)
					tail = &d->next;
				o->next = NULL;
			}
			for (i = 0; i < n; i++)
				if (tab[i] == o)
					tab[i] = d;
			d->subject = NULL;
			o->parent = NULL;
			link_child(d, o);
			link_child(d, k);
		}
	}
	free(tab);
	return out;
}

static void tctx_free(struct tctx *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->all[i]->id);
		free(t->all[i]->subject);
		free(t->all[i]);
	}
	free(t->all);
}

static const char *hdr(const struct mime_msg *m, const char *name)
{
	const struct mime_hdr *h = m != NULL ? mime_part_header(m->root, name) :
				   NULL;

	return h != NULL ? h->value : NULL;
}

static int64_t msg_date(struct imapd *s, size_t idx, const struct mime_msg *m)
{
	const char *d = hdr(m, "Date");
	int tz;
	int64_t t = d != NULL ? imapd_parse_rfc822_date(d, &tz) : -1;

	return t >= 0 ? t : store_mailbox_msg(s->mb, idx)->internal_date;
}

static void thread_refs(struct imapd *s, const size_t *idx, size_t n,
			int refs, struct buf *out, const uint32_t *num)
{
	struct tctx t;
	struct tnode *roots = NULL, **tail = &roots, *k;
	size_t i, j;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < n; i++) {
		const struct mime_msg *m = NULL;
		const char *mid, *refv;
		char **ids = NULL, **own = NULL;
		size_t nids, nown;
		struct tnode *me, *prev = NULL;

		(void)imapd_view_load(s, idx[i], NULL, &m);
		/* step 1A: the references chain */
		refv = hdr(m, "References");
		nids = msgids(refv != NULL ? refv : "", &ids);
		if (nids == 0) {
			refv = hdr(m, "In-Reply-To");
			free_ids(ids, nids);
			nids = msgids(refv != NULL ? refv : "", &ids);
			if (nids > 1) {
				/* only the first id of In-Reply-To counts */
				for (j = 1; j < nids; j++)
					free(ids[j]);
				nids = 1;
			}
		}
		for (j = 0; j < nids; j++) {
			struct tnode *r = lookup(&t, ids[j], 1);

			if (prev != NULL && r->parent == NULL)
				link_child(prev, r);
			prev = r;
		}
		/* step 1B: this message's container */
		mid = hdr(m, "Message-ID");
		nown = msgids(mid != NULL ? mid : "", &own);
		me = nown > 0 ? lookup(&t, own[0], 1) : NULL;
		if (me == NULL || me->msg >= 0)
			me = new_anon(&t);	/* missing or duplicate id */
		me->msg = (long)idx[i];
		me->date = msg_date(s, idx[i], m);
		{
			const char *subj = hdr(m, "Subject");

			me->subject = imapd_sort_base_subject(subj != NULL ? subj : "");
			me->is_reply = subj != NULL && starts_reply(subj);
		}
		if (prev != NULL && prev != me && !is_ancestor(me, prev)) {
			unlink_node(me);
			link_child(prev, me);
		} else if (prev == NULL) {
			unlink_node(me);
		}
		free_ids(ids, nids);
		free_ids(own, nown);
	}
	/* step 2: the root set */
	for (i = 0; i < t.n; i++) {
		if (t.all[i]->parent == NULL) {
			t.all[i]->next = NULL;
			*tail = t.all[i];
			tail = &t.all[i]->next;
		}
	}
	roots = prune(roots, NULL);
	roots = sort_siblings(roots, 0);
	if (!refs)
		roots = merge_subjects(&t, roots);
	roots = sort_siblings(roots, refs);
	for (k = roots; k != NULL; k = k->next) {
		buf_addc(out, '(');
		write_node(out, k, num);
		buf_addc(out, ')');
	}
	tctx_free(&t);
}

struct osubj {
	size_t idx;
	char *subj;
	int64_t date;
};

static int osubj_cmp(const void *a, const void *b)
{
	const struct osubj *x = a, *y = b;
	int r = strcmp(x->subj, y->subj);

	if (r != 0)
		return r;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int ogroup_cmp(const void *a, const void *b)
{
	const struct osubj *x = *(struct osubj *const *)a;
	const struct osubj *y = *(struct osubj *const *)b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void thread_orderedsubject(struct imapd *s, const size_t *idx,
				  size_t n, struct buf *out,
				  const uint32_t *num)
{
	struct osubj *v = xcalloc(n + 1, sizeof(*v));
	struct osubj **heads = xcalloc(n + 1, sizeof(*heads));
	size_t i, nh = 0;

	for (i = 0; i < n; i++) {
		const struct mime_msg *m = NULL;
		const char *subj;

		(void)imapd_view_load(s, idx[i], NULL, &m);
		subj = hdr(m, "Subject");
		v[i].idx = idx[i];
		v[i].subj = imapd_sort_base_subject(subj != NULL ? subj : "");
		v[i].date = msg_date(s, idx[i], m);
	}
	qsort(v, n, sizeof(*v), osubj_cmp);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i].subj, v[i - 1].subj) != 0)
			heads[nh++] = &v[i];
	qsort(heads, nh, sizeof(*heads), ogroup_cmp);
	for (i = 0; i < nh; i++) {
		struct osubj *h = heads[i], *e = h + 1;
		size_t cnt = 0;

		while (e < v + n && strcmp(e->subj, h->subj) == 0)
			e++, cnt++;
		buf_addf(out, "(%u", num[h->idx]);
		if (cnt == 1) {
			buf_addf(out, " %u", num[h[1].idx]);
		} else if (cnt > 1) {
			struct osubj *c;

			buf_addc(out, ' ');
			for (c = h + 1; c < e; c++)
				buf_addf(out, "(%u)", num[c->idx]);
		}
		buf_addc(out, ')');
	}
	for (i = 0; i < n; i++)
		free(v[i].subj);
	free(v);
	free(heads);
}

void imapd_thread_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	struct imapd_search *p;
	size_t *idx = NULL, n = 0, i, count;
	uint32_t *num;
	const char *alg;
	struct buf b;
	int which;

	if (s->mb == NULL) {
		imapd_tagged(s, c->tag, "BAD", "%s",
			     imapd_reply_text(IMAPD_R_NO_MAILBOX));
		return;
	}
	if (c->nargs < 3 || c->args[0].type != IMAPD_ARG_ATOM ||
	    !imapd_arg_is_astring(&c->args[1])) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return;
	}
	alg = c->args[0].s;
	if (strcasecmp(alg, "ORDEREDSUBJECT") == 0)
		which = 0;
	else if (strcasecmp(alg, "REFERENCES") == 0)
		which = 1;
	else if (strcasecmp(alg, "REFS") == 0)
		which = 2;
	else {
		imapd_cmd_error(s, c, "Unknown thread algorithm");
		return;
	}
	{
		struct imapd_arg *v = xcalloc(c->nargs, sizeof(*v));
		size_t nv = 0;

		v[nv].type = IMAPD_ARG_ATOM;
		v[nv++].s = (char *)"CHARSET";
		for (i = 1; i < c->nargs; i++)
			v[nv++] = c->args[i];
		p = imapd_search_parse(s, c, v, nv, 1);
		free(v);
	}
	if (p == NULL)
		return;
	imapd_search_run(s, c, p, &idx, &n, now);
	count = store_mailbox_count(s->mb);
	num = xmalloc((count + 1) * sizeof(*num));
	for (i = 0; i < count; i++)
		num[i] = c->uid ? store_mailbox_msg(s->mb, i)->uid : (uint32_t)(i + 1);
	buf_init(&b);
	buf_adds(&b, "* THREAD ");
	if (which == 0)
		thread_orderedsubject(s, idx, n, &b, num);
	else
		thread_refs(s, idx, n, which == 2, &b, num);
	if (b.data[b.len - 1] == ' ')
		b.len--;
	buf_adds(&b, "\r\n");
	imapd_out(s, b.data, b.len);
	buf_reset(&b);
	free(num);
	free(idx);
	imapd_search_free(&p);
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_THREAD_DONE));
}
