/*
 * The selected mailbox as the client sees it: the view's flags in IMAP
 * words, the sync after each command that turns store.h's callbacks into
 * untagged EXPUNGE (VANISHED with QRESYNC, RFC 7162 3.2.10), EXISTS,
 * RECENT and FETCH replies (RFC 3501 7.3, 7.4), expunging, sequence sets
 * resolved against the view, and the message cache FETCH and SEARCH read
 * through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

void imapd_view_cache_drop(struct imapd *s)
{
	mime_free(&s->cache_mime);
	buf_clear(&s->cache);
	s->cache_valid = 0;
}

size_t imapd_view_recent(const struct imapd *s)
{
	size_t i, n = 0;

	if (s->mb == NULL)
		return 0;
	for (i = 0; i < store_mailbox_count(s->mb); i++)
		if (store_mailbox_msg(s->mb, i)->flags & STORE_RECENT)
			n++;
	return n;
}

void imapd_view_write_flags(struct imapd *s, struct buf *out,
		       const struct store_msg *m)
{
	/* imap_write_flags(): system flags in bit order, \Recent, keywords */
	static const unsigned order[] = {
		STORE_ANSWERED, STORE_FLAGGED, STORE_DELETED, STORE_SEEN,
		STORE_DRAFT, STORE_RECENT,
	};
	size_t i, start = out->len;

	for (i = 0; i < ARRAY_LEN(order); i++) {
		if (m->flags & order[i]) {
			if (out->len > start)
				buf_addc(out, ' ');
			buf_adds(out, store_flag_name(order[i]));
		}
	}
	for (i = 0; i < store_mailbox_keyword_count(s->mb) && i < 64; i++) {
		if (m->keywords & ((uint64_t)1 << i)) {
			if (out->len > start)
				buf_addc(out, ' ');
			buf_adds(out, store_mailbox_keyword_name(s->mb, i));
		}
	}
}

void imapd_view_send_flags(struct imapd *s)
{
	struct buf kw;
	size_t i;

	buf_init(&kw);
	buf_adds(&kw, "");
	for (i = 0; i < store_mailbox_keyword_count(s->mb); i++) {
		buf_addc(&kw, ' ');
		buf_adds(&kw, store_mailbox_keyword_name(s->mb, i));
	}
	s->mb_keywords = store_mailbox_keyword_count(s->mb);
	imapd_outf(s, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft%s)\r\n",
		   kw.data);
	if (store_mailbox_readonly(s->mb))
		imapd_outf(s, "* OK [PERMANENTFLAGS ()] %s\r\n",
			   imapd_reply_text(IMAPD_R_READONLY_MAILBOX));
	else
		imapd_outf(s, "* OK [PERMANENTFLAGS (\\Answered \\Flagged "
			   "\\Deleted \\Seen \\Draft%s \\*)] %s\r\n", kw.data,
			   imapd_reply_text(IMAPD_R_FLAGS_PERMITTED));
	buf_reset(&kw);
}

struct sync_ctx {
	struct imapd *s;
	int appended;
	int send_uid;
	int any_expunge;
	uint32_t *vanished;	/* QRESYNC: UIDs for "* VANISHED" */
	size_t nvanished;
};

void imapd_view_expunged(struct imapd *s, size_t idx, uint32_t uid,
			uint32_t **vanished, size_t *nvanished)
{
	if (s->qresync) {
		/* RFC 7162 3.2.10: VANISHED replaces EXPUNGE */
		*vanished = xrealloc(*vanished, (*nvanished + 1) * sizeof(uint32_t));
		(*vanished)[(*nvanished)++] = uid;
	} else {
		imapd_outf(s, "* %zu EXPUNGE\r\n", idx + 1);
	}
	if (s->cache_valid && s->cache_uid == uid)
		imapd_view_cache_drop(s);
}

static int uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void imapd_view_vanished(struct imapd *s, uint32_t **vanished,
			  size_t *nvanished)
{
	struct buf b;

	if (*nvanished > 0) {
		qsort(*vanished, *nvanished, sizeof(uint32_t), uid_cmp);
		buf_init(&b);
		buf_adds(&b, "* VANISHED ");
		imapd_view_uidset(&b, *vanished, *nvanished);
		buf_adds(&b, "\r\n");
		imapd_out(s, b.data, b.len);
		buf_reset(&b);
	}
	free(*vanished);
	*vanished = NULL;
	*nvanished = 0;
}

static void sync_expunged(void *ctx, size_t idx, uint32_t uid)
{
	struct sync_ctx *sc = ctx;

	imapd_view_expunged(sc->s, idx, uid, &sc->vanished, &sc->nvanished);
	sc->any_expunge = 1;
}

static void sync_appended(void *ctx, size_t new_count)
{
	struct sync_ctx *sc = ctx;

	(void)new_count;
	sc->appended = 1;
}

static void sync_flags(void *ctx, size_t idx)
{
	struct sync_ctx *sc = ctx;
	struct imapd *s = sc->s;
	const struct store_msg *m = store_mailbox_msg(s->mb, idx);
	struct buf b;

	if (store_mailbox_keyword_count(s->mb) != s->mb_keywords)
		imapd_view_send_flags(s);
	buf_init(&b);
	buf_addf(&b, "* %zu FETCH (", idx + 1);
	if (sc->send_uid)
		buf_addf(&b, "UID %u ", m->uid);
	buf_adds(&b, "FLAGS (");
	imapd_view_write_flags(s, &b, m);
	buf_adds(&b, "))\r\n");
	imapd_out(s, b.data, b.len);
	buf_reset(&b);
}

void imapd_view_sync(struct imapd *s, int no_expunge, int send_uid, mtime_t now)
{
	struct sync_ctx sc;
	struct store_sync_cb cb;
	struct err e;

	if (s->mb == NULL) {
		if (s->notify != NULL && !no_expunge)
			imapd_notify_check(s, now);
		return;
	}
	if (no_expunge) {
		/*
		 * XXX store.h's sync always applies expunges; RFC 3501 7.4.1
		 * forbids EXPUNGE replies after FETCH/STORE/SEARCH, so these
		 * commands skip the sync (the next one catches up).
		 */
		return;
	}
	memset(&sc, 0, sizeof(sc));
	sc.s = s;
	sc.send_uid = send_uid;
	cb.expunged = sync_expunged;
	cb.appended = sync_appended;
	cb.flags_changed = sync_flags;
	cb.ctx = &sc;
	if (store_mailbox_sync(s->mb, &cb, now, &e) < 0) {
		free(sc.vanished);
		return;		/* XXX logged by Dovecot as an error */
	}
	imapd_view_vanished(s, &sc.vanished, &sc.nvanished);
	if (store_mailbox_keyword_count(s->mb) != s->mb_keywords)
		imapd_view_send_flags(s);
	if (sc.appended) {
		imapd_outf(s, "* %zu EXISTS\r\n", store_mailbox_count(s->mb));
		imapd_outf(s, "* %zu RECENT\r\n", imapd_view_recent(s));
	}
	if (s->nupdates > 0)
		imapd_update_run(s, now);
	if (s->notify != NULL)
		imapd_notify_check(s, now);
}

void imapd_view_close(struct imapd *s, mtime_t now)
{
	if (s->mb != NULL)
		store_mailbox_close(&s->mb, now);
	imapd_view_cache_drop(s);
	imapd_update_free_all(s);
	free(s->saved);
	s->saved = NULL;
	s->nsaved = 0;
	s->saved_valid = 0;
	if (s->state == IMAPD_ST_SELECTED)
		s->state = IMAPD_ST_AUTH;
}

int imapd_view_load(struct imapd *s, size_t idx, const struct buf **data_out,
		   const struct mime_msg **mime_out)
{
	const struct store_msg *m = store_mailbox_msg(s->mb, idx);
	struct err e;

	if (!s->cache_valid || s->cache_uid != m->uid) {
		imapd_view_cache_drop(s);
		if (store_mailbox_read(s->mb, idx, &s->cache, &e) < 0)
			return -1;
		s->cache_uid = m->uid;
		s->cache_valid = 1;
	}
	if (mime_out != NULL) {
		if (s->cache_mime == NULL)
			s->cache_mime = mime_parse(s->cache.data != NULL ?
						   s->cache.data : "",
						   s->cache.len);
		*mime_out = s->cache_mime;
	}
	if (data_out != NULL)
		*data_out = &s->cache;
	return 0;
}

static int idx_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

int imapd_view_resolve_set(struct imapd *s, struct imapd_cmdctx *c,
		      const char *set, int uid, size_t **idx_out,
		      size_t *n_out)
{
	struct imapd_seqset ss;
	size_t count = store_mailbox_count(s->mb), i, n = 0;
	size_t *v = NULL;

	*idx_out = NULL;
	*n_out = 0;
	if (imapd_parse_seqset(set, &ss) < 0) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_MSGSET));
		return -1;
	}
	if (ss.dollar) {
		/* RFC 5182: the UIDs SEARCH SAVE kept */
		if (!s->saved_valid) {
			imapd_cmd_error(s, c, "Search result variable $ used before results were saved");
			return -1;
		}
		v = xmalloc((s->nsaved + 1) * sizeof(*v));
		for (i = 0; i < s->nsaved; i++) {
			long k = store_mailbox_find_uid(s->mb, s->saved[i]);

			if (k >= 0)
				v[n++] = (size_t)k;
		}
	} else if (uid) {
		uint32_t star = count > 0 ?
				store_mailbox_msg(s->mb, count - 1)->uid : 0;

		v = xmalloc((count + 1) * sizeof(*v));
		for (i = 0; i < count; i++)
			if (imapd_seqset_has(&ss, store_mailbox_msg(s->mb, i)->uid,
					     star))
				v[n++] = i;
	} else {
		/*
		 * imap-search-args.c msgset_is_valid(): with no messages every
		 * set is invalid, and so is any number beyond the last one
		 * (01-session a42: FETCH 99 -> "Invalid messageset").
		 */
		if (count == 0 || imapd_seqset_max(&ss, (uint32_t)count) > count) {
			imapd_seqset_free(&ss);
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_MSGSET));
			return -1;
		}
		v = xmalloc((count + 1) * sizeof(*v));
		for (i = 0; i < count; i++)
			if (imapd_seqset_has(&ss, (uint32_t)(i + 1), (uint32_t)count))
				v[n++] = i;
	}
	imapd_seqset_free(&ss);
	qsort(v, n, sizeof(*v), idx_cmp);
	*idx_out = v;
	*n_out = n;
	return 0;
}

void imapd_view_uidset(struct buf *out, const uint32_t *uids, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		if (i > 0)
			buf_addc(out, ',');
		if (j == i)
			buf_addf(out, "%u", uids[i]);
		else
			buf_addf(out, "%u:%u", uids[i], uids[j]);
		i = j + 1;
	}
}

struct expunge_ctx {
	struct imapd *s;
	size_t n;
	uint32_t *vanished;
	size_t nvanished;
};

static void expunged_one(void *ctx, size_t idx, uint32_t uid)
{
	struct expunge_ctx *x = ctx;

	x->n++;
	imapd_view_expunged(x->s, idx, uid, &x->vanished, &x->nvanished);
}

/*
 * Expunges the \Deleted messages, only those of keep_only (0-based
 * indexes, sorted) when it is not NULL: store.h expunges every
 * \Deleted message, so the others lose the flag for the moment and
 * get it back afterwards (UID EXPUNGE, MOVE). Returns the count.
 */
size_t imapd_view_expunge(struct imapd *s, const size_t *only, size_t nonly,
		     mtime_t now)
{
	struct expunge_ctx x;
	uint32_t *restore = NULL;
	size_t nrestore = 0, i, j = 0;
	struct err e;

	memset(&x, 0, sizeof(x));
	x.s = s;
	if (only != NULL) {
		for (i = 0; i < store_mailbox_count(s->mb); i++) {
			const struct store_msg *m = store_mailbox_msg(s->mb, i);

			while (j < nonly && only[j] < i)
				j++;
			if ((m->flags & STORE_DELETED) &&
			    (j >= nonly || only[j] != i)) {
				restore = xrealloc(restore, (nrestore + 1) *
						   sizeof(uint32_t));
				restore[nrestore++] = m->uid;
				store_mailbox_set_flags(s->mb, i, STORE_FLAGS_REMOVE,
							STORE_DELETED, 0);
			}
		}
	}
	if (store_mailbox_expunge(s->mb, expunged_one, &x, now, &e) < 0)
		x.n = 0;
	for (i = 0; i < nrestore; i++) {
		long k = store_mailbox_find_uid(s->mb, restore[i]);

		if (k >= 0)
			store_mailbox_set_flags(s->mb, (size_t)k, STORE_FLAGS_ADD,
						STORE_DELETED, 0);
	}
	free(restore);
	imapd_view_vanished(s, &x.vanished, &x.nvanished);
	s->n_expunged += (unsigned)x.n;
	return x.n;
}

