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
 * per message, struct mbox_rec as it is in memory (host byte order: the
 * index never leaves the machine). The records are not read but mapped
 * (mmap, private): a warm open of 50,000 messages touches the page
 * cache, allocates nothing per message and copies only the pages it
 * changes.
 *	maillab-mbox-index 3
 *	file <size> <mtime-ns> <inode>
 *	state <uidvalidity> <next_uid> <first_recent_uid> <uidlast>
 *	      <uidlast_off> <imapbase_ok> <nkw_file> <has_pseudo>   (one line)
 *	pseudo <from> <hdr> <body> <end>
 *	keywords <name>...
 *	records <count> <record size>
 *	LFs up to the next multiple of 64 bytes, then <count> records
 * An index in another format (version 1 was all text, 2 had packed
 * records) is stale: the mbox is read again and the index rewritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "store/store_mbox_int.h"

#define INDEX_MAGIC "maillab-mbox-index 3"
/* Records start at a multiple of this in the file (and so in memory). */
#define REC_ALIGN 64

_Static_assert(sizeof(struct mbox_rec) == 88, "mbox_rec has padding");

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

void store_mbox_index_recs_free(struct mbox_mailbox *mb)
{
	if (mb->recs_map != NULL)
		(void)munmap(mb->recs_map, mb->recs_map_len);
	else
		free(mb->recs);
	mb->recs = NULL;
	mb->recs_map = NULL;
	mb->recs_map_len = 0;
	mb->nrecs = 0;
	mb->recs_cap = 0;
}

void store_mbox_index_recs_own(struct mbox_mailbox *mb)
{
	struct mbox_rec *v;
	size_t n = mb->nrecs;

	if (mb->recs_map == NULL)
		return;
	v = xmalloc((n + 64) * sizeof(*v));
	memcpy(v, mb->recs, n * sizeof(*v));
	(void)munmap(mb->recs_map, mb->recs_map_len);
	mb->recs_map = NULL;
	mb->recs_map_len = 0;
	mb->recs = v;
	mb->recs_cap = n + 64;
}

/*
 * The first UID still \Recent only grows: a read-write session takes
 * \Recent from all it saw. Another handle of the same folder (APPEND's
 * target while it is selected, a STATUS) may save after a session that
 * moved it on; it must not move it back (the next SELECT would show a
 * message as \Recent again). So the value on disk wins when it is larger.
 */
static void merge_first_recent(struct mbox_mailbox *mb)
{
	char head[512];
	unsigned validity, next, first_recent;
	ssize_t n;
	char *p;
	int fd = open(mb->index_path, O_RDONLY);

	if (fd < 0)
		return;
	n = read(fd, head, sizeof(head) - 1);
	close(fd);
	if (n <= 0)
		return;
	head[n] = '\0';
	p = strstr(head, "\nstate ");
	if (p != NULL && sscanf(p + 1, "state %u %u %u", &validity, &next,
				&first_recent) == 3 &&
	    validity == mb->base.uidvalidity &&
	    first_recent > mb->first_recent_uid)
		mb->first_recent_uid = first_recent;
}

void store_mbox_index_save(struct mbox_mailbox *mb)
{
	uint64_t h;
	/* Records go out 512 at a time through this: no copy of them all. */
	struct mbox_rec chunk[512];
	struct buf head;
	char *tpath;
	size_t i, k;
	int fd, ok;

	merge_first_recent(mb);
	h = state_hash(mb, mb->base.uidvalidity);
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
		 sizeof(struct mbox_rec));
	while (head.len % REC_ALIGN != 0)
		buf_addc(&head, '\n');
	tpath = xasprintf("%s.tmp", mb->index_path);
	fd = open(tpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		goto out;
	ok = write_all(fd, head.data, head.len) == 0;
	for (i = 0; ok && i < mb->nrecs; i += k) {
		for (k = 0; k < ARRAY_LEN(chunk) && i + k < mb->nrecs; k++) {
			const struct mbox_rec *r = &mb->recs[i + k];
			struct mbox_rec *x = &chunk[k];

			/* The file as it is: a message about to go is still
			 * in it, pending flags are not. */
			*x = *r;
			x->want_flags = r->flags;
			x->want_kw = r->kw;
			x->expunge = 0;
			x->pad_ = 0;
		}
		ok = write_all(fd, chunk, k * sizeof(chunk[0])) == 0;
	}
	if (close(fd) != 0 || !ok || rename(tpath, mb->index_path) < 0) {
		(void)unlink(tpath);
	} else {
		mb->index_hash = h;
		mb->index_hash_ok = 1;
	}
out:
	free(tpath);
	buf_reset(&head);
}

/* The next text line [*pos, LF) as a string (caller frees); NULL at the
 * end of the head. */
static char *next_line(const char *data, size_t len, size_t *pos)
{
	const char *p = data + *pos, *nl;

	if (*pos >= len)
		return NULL;
	nl = memchr(p, '\n', len - *pos);
	if (nl == NULL)
		return NULL;
	*pos = (size_t)(nl - data) + 1;
	return xstrndup(p, (size_t)(nl - p));
}

/* A record as the file would have it (see store_mbox_index_save). */
static int rec_ok(const struct mbox_rec *r, uint32_t prev_uid)
{
	return r->uid > prev_uid && r->from_off <= r->hdr_off &&
	       r->hdr_off <= r->body_off && r->body_off <= r->end_off &&
	       r->body_size == r->end_off - r->body_off &&
	       r->want_flags == r->flags && r->want_kw == r->kw &&
	       r->expunge == 0 && r->pad_ == 0;
}

int store_mbox_index_load(struct mbox_mailbox *mb)
{
	size_t pos = 0, n = 0, recsize = 0, i, len;
	char *line = NULL;
	uint64_t size = 0;
	int64_t mtime = 0;
	unsigned long long ino = 0;
	struct mbox_file_state st;
	uint32_t validity = 0, first_recent = 1, prev_uid = 0;
	const struct mbox_rec *recs;
	struct stat fst;
	char *data = MAP_FAILED;
	int fd, ok = 0, valid = 0;

	fd = open(mb->index_path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (fstat(fd, &fst) < 0 || fst.st_size <= 0) {
		close(fd);
		return 0;
	}
	len = (size_t)fst.st_size;
	data = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (data == MAP_FAILED)
		return 0;
	memset(&st, 0, sizeof(st));
	free(line);
	if ((line = next_line(data, len, &pos)) == NULL ||
	    strcmp(line, INDEX_MAGIC) != 0)
		goto out;
	free(line);
	if ((line = next_line(data, len, &pos)) == NULL ||
	    sscanf(line, "file %" SCNu64 " %" SCNd64 " %llu", &size, &mtime,
		   &ino) != 3)
		goto out;
	free(line);
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
	free(line);
	if ((line = next_line(data, len, &pos)) == NULL ||
	    sscanf(line, "pseudo %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
		   &st.pseudo.from_off, &st.pseudo.hdr_off,
		   &st.pseudo.body_off, &st.pseudo.end_off) != 4)
		goto out;
	free(line);
	if ((line = next_line(data, len, &pos)) == NULL ||
	    strncmp(line, "keywords", 8) != 0)
		goto out;
	{
		char *save = NULL, *tok;

		for (tok = strtok_r(line + 8, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save))
			(void)store_mailbox_keyword(&mb->base, tok, 1);
	}
	free(line);
	if ((line = next_line(data, len, &pos)) == NULL ||
	    sscanf(line, "records %zu %zu", &n, &recsize) != 2 ||
	    recsize != sizeof(struct mbox_rec))
		goto out;
	pos = (pos + REC_ALIGN - 1) / REC_ALIGN * REC_ALIGN;
	if (pos > len || (len - pos) / recsize != n ||
	    (len - pos) % recsize != 0)
		goto out;
	recs = (const struct mbox_rec *)(const void *)(data + pos);
	for (i = 0; i < n; i++) {
		if (!rec_ok(&recs[i], prev_uid))
			goto out;
		prev_uid = recs[i].uid;
	}
	st.uidvalidity = validity;
	ok = 1;
out:
	free(line);
	if (ok) {
		store_mbox_index_recs_free(mb);
		mb->recs = (struct mbox_rec *)(void *)(data + pos);
		mb->nrecs = n;
		mb->recs_cap = n;
		mb->recs_map = data;
		mb->recs_map_len = len;
		mb->st = st;
		/* The file has no X-IMAPbase yet: the UIDVALIDITY is ours. */
		if (!st.imapbase_ok && n > 0 && !st.has_pseudo)
			mb->st.uidvalidity = validity;
		mb->index_hash = state_hash(mb, validity);
		mb->index_hash_ok = 1;
	} else {
		(void)munmap(data, len);
		if (valid) {
			/* Corrupt: forget what the keyword line added. */
			mb->first_recent_uid = first_recent;
		}
	}
	return ok;
}
