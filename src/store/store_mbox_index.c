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
 * Format (docs/store.md): a text head, then one fixed-size binary record
 * per message (host byte order: the index never leaves the machine, and
 * 50,000 records load with one read and no parsing):
 *	maillab-mbox-index 2
 *	file <size> <mtime-ns> <inode>
 *	state <uidvalidity> <next_uid> <first_recent_uid> <uidlast>
 *	      <uidlast_off> <imapbase_ok> <nkw_file> <has_pseudo>   (one line)
 *	pseudo <from> <hdr> <body> <end>
 *	keywords <name>...
 *	records <count> <record size>
 *	<count records: struct index_rec>
 * An index in another format (version 1 was all text) is stale: the
 * mbox is read again and the index rewritten.
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

#define INDEX_MAGIC "maillab-mbox-index 2"

/* One message on disk: 64 bytes, no padding. body_size is end - body. */
struct index_rec {
	uint32_t uid;
	uint32_t flags;		/* STORE_* | REC_HAD_O | REC_NEEDS_WRITE */
	uint64_t kw;
	uint64_t from_off;
	uint64_t hdr_off;
	uint64_t body_off;
	uint64_t end_off;
	uint64_t size;
	int64_t date;
};

#define REC_HAD_O	(1u << 30)
#define REC_NEEDS_WRITE	(1u << 31)

_Static_assert(sizeof(struct index_rec) == 64, "index_rec has padding");

/*
 * What the index would say, as a number: the mailbox is saved only when
 * this changed since it was loaded or saved (a warm open and close write
 * nothing). Every field that goes into the file goes into the hash.
 */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

static uint64_t state_hash(const struct mbox_mailbox *mb, uint32_t validity)
{
	uint64_t h = 0x6d61696c6c6162ULL;
	size_t i;

	h = mix(h, mb->f_size);
	h = mix(h, (uint64_t)mb->f_mtime_ns);
	h = mix(h, (uint64_t)mb->f_ino);
	h = mix(h, validity);
	h = mix(h, mb->st.next_uid);
	h = mix(h, mb->first_recent_uid);
	h = mix(h, mb->st.uidlast);
	h = mix(h, mb->st.uidlast_off);
	h = mix(h, (uint64_t)mb->st.imapbase_ok);
	h = mix(h, mb->st.nkw_file);
	h = mix(h, (uint64_t)mb->st.has_pseudo);
	h = mix(h, mb->st.pseudo.from_off);
	h = mix(h, mb->st.pseudo.hdr_off);
	h = mix(h, mb->st.pseudo.body_off);
	h = mix(h, mb->st.pseudo.end_off);
	for (i = 0; i < mb->base.nkeywords; i++) {
		const char *k = mb->base.keywords[i];

		while (*k != '\0')
			h = mix(h, (unsigned char)*k++);
		h = mix(h, ' ');
	}
	h = mix(h, mb->nrecs);
	for (i = 0; i < mb->nrecs; i++) {
		const struct mbox_rec *r = &mb->recs[i];

		h = mix(h, ((uint64_t)r->uid << 32) | r->flags);
		h = mix(h, r->kw);
		h = mix(h, ((uint64_t)r->had_o << 1) | r->needs_write);
		h = mix(h, r->from_off);
		h = mix(h, r->hdr_off);
		h = mix(h, r->body_off);
		h = mix(h, r->end_off);
		h = mix(h, r->size);
		h = mix(h, (uint64_t)r->date);
	}
	return h;
}

static int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

void store_mbox_index_save(struct mbox_mailbox *mb)
{
	uint64_t h = state_hash(mb, mb->base.uidvalidity);
	struct index_rec *v;
	struct buf head;
	char *tpath;
	size_t i;
	int fd, ok;

	if (mb->index_hash_ok && h == mb->index_hash)
		return;
	buf_init(&head);
	buf_addf(&head, "%s\n", INDEX_MAGIC);
	buf_addf(&head, "file %" PRIu64 " %" PRId64 " %llu\n", mb->f_size,
		 mb->f_mtime_ns, (unsigned long long)mb->f_ino);
	buf_addf(&head, "state %u %u %u %u %" PRIu64 " %d %zu %d\n",
		 mb->base.uidvalidity, mb->st.next_uid, mb->first_recent_uid,
		 mb->st.uidlast, mb->st.uidlast_off, mb->st.imapbase_ok,
		 mb->st.nkw_file, mb->st.has_pseudo);
	buf_addf(&head, "pseudo %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		 "\n", mb->st.pseudo.from_off, mb->st.pseudo.hdr_off,
		 mb->st.pseudo.body_off, mb->st.pseudo.end_off);
	buf_adds(&head, "keywords");
	for (i = 0; i < mb->base.nkeywords; i++)
		buf_addf(&head, " %s", mb->base.keywords[i]);
	buf_addf(&head, "\nrecords %zu %zu\n", mb->nrecs,
		 sizeof(struct index_rec));
	v = xcalloc(mb->nrecs + 1, sizeof(*v));
	for (i = 0; i < mb->nrecs; i++) {
		const struct mbox_rec *r = &mb->recs[i];

		/* A message about to go is still in the file. */
		v[i].uid = r->uid;
		v[i].flags = r->flags | (r->had_o ? REC_HAD_O : 0) |
			     (r->needs_write ? REC_NEEDS_WRITE : 0);
		v[i].kw = r->kw;
		v[i].from_off = r->from_off;
		v[i].hdr_off = r->hdr_off;
		v[i].body_off = r->body_off;
		v[i].end_off = r->end_off;
		v[i].size = r->size;
		v[i].date = r->date;
	}
	tpath = xasprintf("%s.tmp", mb->index_path);
	fd = open(tpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		ok = write_all(fd, head.data, head.len) == 0 &&
		     write_all(fd, v, mb->nrecs * sizeof(*v)) == 0;
		if (close(fd) != 0 || !ok ||
		    rename(tpath, mb->index_path) < 0) {
			(void)unlink(tpath);
		} else {
			mb->index_hash = h;
			mb->index_hash_ok = 1;
		}
	}
	free(tpath);
	free(v);
	buf_reset(&head);
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

/* The next text line [*pos, LF), its LF replaced by NUL; NULL at the end. */
static char *next_line(char *data, size_t len, size_t *pos)
{
	char *p = data + *pos, *nl;

	if (*pos >= len)
		return NULL;
	nl = memchr(p, '\n', len - *pos);
	if (nl == NULL)
		return NULL;
	*nl = '\0';
	*pos = (size_t)(nl - data) + 1;
	return p;
}

static int rec_from_index(const struct index_rec *x, struct mbox_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->uid = x->uid;
	r->flags = x->flags & ~(REC_HAD_O | REC_NEEDS_WRITE);
	r->had_o = (unsigned char)((x->flags & REC_HAD_O) != 0);
	r->needs_write = (unsigned char)((x->flags & REC_NEEDS_WRITE) != 0);
	r->kw = x->kw;
	r->from_off = x->from_off;
	r->hdr_off = x->hdr_off;
	r->body_off = x->body_off;
	r->end_off = x->end_off;
	r->size = x->size;
	r->body_size = x->end_off - x->body_off;
	r->date = x->date;
	r->want_flags = r->flags;
	r->want_kw = r->kw;
	return r->uid != 0 && r->from_off <= r->hdr_off &&
	       r->hdr_off <= r->body_off && r->body_off <= r->end_off;
}

int store_mbox_index_load(struct mbox_mailbox *mb)
{
	size_t len = 0, pos = 0, n = 0, recsize = 0, i;
	char *data = read_all(mb->index_path, &len), *line;
	uint64_t size = 0;
	int64_t mtime = 0;
	unsigned long long ino = 0;
	struct mbox_file_state st;
	uint32_t validity = 0, first_recent = 1, prev_uid = 0;
	struct mbox_rec *recs = NULL;
	int ok = 0, valid = 0;

	if (data == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	if ((line = next_line(data, len, &pos)) == NULL ||
	    strcmp(line, INDEX_MAGIC) != 0)
		goto out;
	if ((line = next_line(data, len, &pos)) == NULL ||
	    sscanf(line, "file %" SCNu64 " %" SCNd64 " %llu", &size, &mtime,
		   &ino) != 3)
		goto out;
	if ((line = next_line(data, len, &pos)) == NULL ||
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
	if ((line = next_line(data, len, &pos)) == NULL ||
	    sscanf(line, "pseudo %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
		   &st.pseudo.from_off, &st.pseudo.hdr_off,
		   &st.pseudo.body_off, &st.pseudo.end_off) != 4)
		goto out;
	if ((line = next_line(data, len, &pos)) == NULL ||
	    strncmp(line, "keywords", 8) != 0)
		goto out;
	{
		char *save = NULL, *tok;

		for (tok = strtok_r(line + 8, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save))
			(void)store_mailbox_keyword(&mb->base, tok, 1);
	}
	if ((line = next_line(data, len, &pos)) == NULL ||
	    sscanf(line, "records %zu %zu", &n, &recsize) != 2 ||
	    recsize != sizeof(struct index_rec) ||
	    (len - pos) / recsize != n || (len - pos) % recsize != 0)
		goto out;
	recs = xmalloc((n + 1) * sizeof(*recs));
	for (i = 0; i < n; i++) {
		struct index_rec x;

		/* memcpy: the records need not be aligned in data. */
		memcpy(&x, data + pos + i * recsize, sizeof(x));
		if (!rec_from_index(&x, &recs[i]) || recs[i].uid <= prev_uid)
			goto out;
		prev_uid = recs[i].uid;
	}
	st.uidvalidity = validity;
	ok = 1;
out:
	if (ok) {
		free(mb->recs);
		mb->recs = recs;
		mb->nrecs = n;
		mb->recs_cap = n + 1;
		mb->st = st;
		/* The file has no X-IMAPbase yet: the UIDVALIDITY is ours. */
		if (!st.imapbase_ok && n > 0 && !st.has_pseudo)
			mb->st.uidvalidity = validity;
		mb->index_hash = state_hash(mb, validity);
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
