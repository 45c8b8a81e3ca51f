/*
 * store_mbox_index: our cache of a parsed mbox, in
 * ~/mail/.imap/<folder>/maillab.index (beside where Dovecot keeps its
 * dovecot.index* files). It holds the offsets, sizes, dates, UIDs and
 * flags of every message as they are *in the file*, so an unchanged
 * 50,000-message mbox opens without reading it. It is trusted only when
 * the file's size, mtime (ns) and inode are the ones it was made from.
 * It also remembers what the file cannot: UIDVALIDITY of an mbox without
 * X-IMAPbase yet and the first UID that is still \Recent.
 *
 * Format (text, one record per line, docs/store.md):
 *	maillab-mbox-index 1
 *	file <size> <mtime-ns> <inode>
 *	state <uidvalidity> <next_uid> <first_recent_uid> <uidlast>
 *	      <uidlast_off> <imapbase_ok> <nkw_file> <has_pseudo>   (one line)
 *	pseudo <from> <hdr> <body> <end>
 *	keywords <name>...
 *	msg <uid> <flags> <kw-hex> <had_o> <needs_write> <from> <hdr>
 *	    <body> <end> <size> <body_size> <date>                 (one line)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "store/store_mbox_int.h"

#define INDEX_MAGIC "maillab-mbox-index 1"

/*
 * Speed matters here: a warm SELECT of 50,000 messages is this file read
 * and, when something changed, written. Numbers are formatted and parsed
 * by hand (printf and sscanf cost several times more), the file is built
 * in memory and written with one write(), and it is not written at all
 * when its bytes would be the ones it already has (mb->index_hash).
 */

static char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *put_i64(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_u64(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_u64(p, (uint64_t)v);
}

static char *put_hex(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	int n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* FNV-1a over 8-byte words: only to notice "same bytes as before". */
static uint64_t index_hash(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h ^ n;
}

/* The index's bytes for the mailbox as it is. */
static void index_build(const struct mbox_mailbox *mb, struct buf *out)
{
	/* A msg line: 12 numbers of at most 20 characters and spaces. */
	const size_t line_max = 4 + 12 * 21 + 2;
	size_t i;
	char *p;

	buf_addf(out, "%s\n", INDEX_MAGIC);
	buf_addf(out, "file %" PRIu64 " %" PRId64 " %llu\n", mb->f_size,
		 mb->f_mtime_ns, (unsigned long long)mb->f_ino);
	buf_addf(out, "state %u %u %u %u %" PRIu64 " %d %zu %d\n",
		 mb->base.uidvalidity, mb->st.next_uid, mb->first_recent_uid,
		 mb->st.uidlast, mb->st.uidlast_off, mb->st.imapbase_ok,
		 mb->st.nkw_file, mb->st.has_pseudo);
	buf_addf(out, "pseudo %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		 "\n", mb->st.pseudo.from_off, mb->st.pseudo.hdr_off,
		 mb->st.pseudo.body_off, mb->st.pseudo.end_off);
	buf_adds(out, "keywords");
	for (i = 0; i < mb->base.nkeywords; i++) {
		buf_addc(out, ' ');
		buf_adds(out, mb->base.keywords[i]);
	}
	buf_addc(out, '\n');
	/* Room for every msg line at once, then written in place. */
	buf_add(out, "", 0);
	if (out->cap < out->len + mb->nrecs * line_max + 1) {
		out->cap = out->len + mb->nrecs * line_max + 1;
		out->data = xrealloc(out->data, out->cap);
	}
	p = out->data + out->len;
	for (i = 0; i < mb->nrecs; i++) {
		const struct mbox_rec *r = &mb->recs[i];

		/* A message about to go is still in the file. */
		memcpy(p, "msg ", 4);
		p = put_u64(p + 4, r->uid);
		*p++ = ' ';
		p = put_u64(p, r->flags);
		*p++ = ' ';
		p = put_hex(p, r->kw);
		*p++ = ' ';
		*p++ = r->had_o ? '1' : '0';
		*p++ = ' ';
		*p++ = r->needs_write ? '1' : '0';
		*p++ = ' ';
		p = put_u64(p, r->from_off);
		*p++ = ' ';
		p = put_u64(p, r->hdr_off);
		*p++ = ' ';
		p = put_u64(p, r->body_off);
		*p++ = ' ';
		p = put_u64(p, r->end_off);
		*p++ = ' ';
		p = put_u64(p, r->size);
		*p++ = ' ';
		p = put_u64(p, r->body_size);
		*p++ = ' ';
		p = put_i64(p, r->date);
		*p++ = '\n';
	}
	out->len = (size_t)(p - out->data);
	out->data[out->len] = '\0';
}

void store_mbox_index_save(struct mbox_mailbox *mb)
{
	struct buf b;
	uint64_t h;
	char *tpath;
	size_t done = 0;
	int fd;

	buf_init(&b);
	index_build(mb, &b);
	h = index_hash(b.data, b.len);
	if (mb->index_hash_ok && h == mb->index_hash) {
		buf_reset(&b);
		return;
	}
	tpath = xasprintf("%s.tmp", mb->index_path);
	fd = open(tpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		free(tpath);
		buf_reset(&b);
		return;
	}
	while (done < b.len) {
		ssize_t n = write(fd, b.data + done, b.len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (close(fd) != 0 || done != b.len ||
	    rename(tpath, mb->index_path) < 0) {
		(void)unlink(tpath);
	} else {
		mb->index_hash = h;
		mb->index_hash_ok = 1;
	}
	free(tpath);
	buf_reset(&b);
}

/* One number from *pp (blanks before it skipped); 0 if there is none. */
static int get_num(const char **pp, const char *end, int base,
		   uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int any = 0;

	while (p < end && *p == ' ')
		p++;
	for (; p < end; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			break;
		v = v * (unsigned)base + d;
		any = 1;
	}
	*pp = p;
	*out = v;
	return any;
}

/* "<uid> <flags> <kw-hex> <had_o> <nw> <from> <hdr> <body> <end>
 * <size> <body_size> <date>" up to end (the line's LF). */
static int parse_msg_line(const char *p, const char *end, struct mbox_rec *r)
{
	uint64_t v[12];
	int i, neg = 0;

	for (i = 0; i < 12; i++) {
		if (i == 11) {
			while (p < end && *p == ' ')
				p++;
			if (p < end && *p == '-') {
				neg = 1;
				p++;
			}
		}
		if (!get_num(&p, end, i == 2 ? 16 : 10, &v[i]))
			return 0;
	}
	if (p != end)
		return 0;
	r->uid = (uint32_t)v[0];
	r->flags = (unsigned)v[1];
	r->kw = v[2];
	r->had_o = (unsigned char)(v[3] != 0);
	r->needs_write = (unsigned char)(v[4] != 0);
	r->from_off = v[5];
	r->hdr_off = v[6];
	r->body_off = v[7];
	r->end_off = v[8];
	r->size = v[9];
	r->body_size = v[10];
	r->date = neg ? -(int64_t)v[11] : (int64_t)v[11];
	r->want_flags = r->flags;
	r->want_kw = r->kw;
	return r->uid != 0 && v[0] <= UINT32_MAX &&
	       r->from_off < r->hdr_off + 1 &&
	       r->hdr_off <= r->body_off && r->body_off <= r->end_off;
}

/* The whole file in memory (a NUL after it), or NULL. */
static char *read_all(const char *path, size_t *len_out)
{
	struct stat st;
	char *data;
	size_t done = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size < 0) {
		close(fd);
		return NULL;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, data + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	data[done] = '\0';
	*len_out = done;
	return data;
}

/* The next line [*pos, LF) as a NUL-terminated copy-free string: the LF
 * is replaced by NUL. NULL at the end. */
static char *next_line(char *data, size_t len, size_t *pos, char **end_out)
{
	char *p = data + *pos, *nl;

	if (*pos >= len)
		return NULL;
	nl = memchr(p, '\n', len - *pos);
	if (nl == NULL)
		nl = data + len;
	*nl = '\0';
	*end_out = nl;
	*pos = (size_t)(nl - data) + 1;
	return p;
}

int store_mbox_index_load(struct mbox_mailbox *mb)
{
	size_t len = 0, pos = 0;
	char *data = read_all(mb->index_path, &len), *line, *end;
	uint64_t size = 0;
	int64_t mtime = 0;
	unsigned long long ino = 0;
	struct mbox_file_state st;
	uint32_t validity = 0, first_recent = 1;
	struct mbox_rec *recs = NULL;
	size_t nrecs = 0, rcap = 0;
	uint64_t h = 0;
	int ok = 0, valid = 0;

	if (data == NULL)
		return 0;
	h = index_hash(data, len);
	memset(&st, 0, sizeof(st));
	if ((line = next_line(data, len, &pos, &end)) == NULL ||
	    strcmp(line, INDEX_MAGIC) != 0)
		goto out;
	if ((line = next_line(data, len, &pos, &end)) == NULL ||
	    sscanf(line, "file %" SCNu64 " %" SCNd64 " %llu", &size, &mtime,
		   &ino) != 3)
		goto out;
	if ((line = next_line(data, len, &pos, &end)) == NULL ||
	    sscanf(line, "state %u %u %u %u %" SCNu64 " %d %zu %d", &validity,
		   &st.next_uid, &first_recent, &st.uidlast, &st.uidlast_off,
		   &st.imapbase_ok, &st.nkw_file, &st.has_pseudo) != 8)
		goto out;
	/* What the file cannot say survives even a stale index. */
	mb->idx_uidvalidity = validity;
	mb->first_recent_uid = first_recent;
	if (store_mbox_stat(mb, NULL) < 0 || mb->f_size != size ||
	    mb->f_mtime_ns != mtime || (unsigned long long)mb->f_ino != ino)
		goto out;
	valid = 1;
	if ((line = next_line(data, len, &pos, &end)) == NULL ||
	    sscanf(line, "pseudo %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
		   &st.pseudo.from_off, &st.pseudo.hdr_off,
		   &st.pseudo.body_off, &st.pseudo.end_off) != 4)
		goto out;
	if ((line = next_line(data, len, &pos, &end)) == NULL ||
	    strncmp(line, "keywords", 8) != 0)
		goto out;
	{
		char *save = NULL, *tok;

		for (tok = strtok_r(line + 8, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save))
			(void)store_mailbox_keyword(&mb->base, tok, 1);
	}
	/* About 75 bytes a line: one allocation for all of them. */
	rcap = (len - pos) / 40 + 1;
	recs = xmalloc(rcap * sizeof(*recs));
	while ((line = next_line(data, len, &pos, &end)) != NULL) {
		struct mbox_rec r;

		memset(&r, 0, sizeof(r));
		if (strncmp(line, "msg ", 4) != 0 ||
		    !parse_msg_line(line + 4, end, &r))
			goto out;
		if (nrecs == rcap) {
			rcap *= 2;
			recs = xrealloc(recs, rcap * sizeof(r));
		}
		recs[nrecs++] = r;
	}
	st.uidvalidity = validity;
	ok = 1;
out:
	if (ok) {
		free(mb->recs);
		mb->recs = recs;
		mb->nrecs = nrecs;
		mb->recs_cap = rcap;
		mb->st = st;
		/* The file has no X-IMAPbase yet: the UIDVALIDITY is ours. */
		if (!st.imapbase_ok && nrecs > 0 && !st.has_pseudo)
			mb->st.uidvalidity = validity;
		mb->index_hash = h;
		mb->index_hash_ok = 1;
	} else {
		free(recs);
		if (valid) {
			/* Corrupt: forget what the keyword line added. */
			mb->first_recent_uid = first_recent;
		}
	}
	free(data);
	return ok;
}
