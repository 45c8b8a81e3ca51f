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
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "store/store_mbox_int.h"

#define INDEX_MAGIC "maillab-mbox-index 1"

void store_mbox_index_save(struct mbox_mailbox *mb)
{
	char *tpath = xasprintf("%s.tmp", mb->index_path);
	FILE *f = fopen(tpath, "w");
	size_t i;

	if (f == NULL) {
		free(tpath);
		return;
	}
	(void)fchmod(fileno(f), 0600);
	fprintf(f, "%s\n", INDEX_MAGIC);
	fprintf(f, "file %" PRIu64 " %" PRId64 " %llu\n", mb->f_size,
		mb->f_mtime_ns, (unsigned long long)mb->f_ino);
	fprintf(f, "state %u %u %u %u %" PRIu64 " %d %zu %d\n",
		mb->base.uidvalidity, mb->st.next_uid, mb->first_recent_uid,
		mb->st.uidlast, mb->st.uidlast_off, mb->st.imapbase_ok,
		mb->st.nkw_file, mb->st.has_pseudo);
	fprintf(f, "pseudo %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		mb->st.pseudo.from_off, mb->st.pseudo.hdr_off,
		mb->st.pseudo.body_off, mb->st.pseudo.end_off);
	fprintf(f, "keywords");
	for (i = 0; i < mb->base.nkeywords; i++)
		fprintf(f, " %s", mb->base.keywords[i]);
	fprintf(f, "\n");
	for (i = 0; i < mb->nrecs; i++) {
		const struct mbox_rec *r = &mb->recs[i];

		/* A message about to go is still in the file. */
		fprintf(f, "msg %u %u %" PRIx64 " %d %d %" PRIu64 " %" PRIu64
			" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRId64 "\n",
			r->uid, r->flags, r->kw, r->had_o, r->needs_write,
			r->from_off, r->hdr_off, r->body_off, r->end_off,
			r->size, r->body_size, r->date);
	}
	if (fclose(f) != 0 || rename(tpath, mb->index_path) < 0)
		(void)unlink(tpath);
	free(tpath);
}

/* "<uid> <flags> <kw-hex> <had_o> <nw> <from> <hdr> <body> <end>
 * <size> <body_size> <date>" */
static int parse_msg_line(const char *p, struct mbox_rec *r, int *had_o,
			  int *nw)
{
	unsigned long long v[12];
	char *end;
	int i;

	for (i = 0; i < 12; i++) {
		while (*p == ' ')
			p++;
		if (i == 11 && *p == '-') {
			v[i] = (unsigned long long)strtoll(p, &end, 10);
		} else {
			if (*p < '0' || *p > 'f')
				return 0;
			v[i] = strtoull(p, &end, i == 2 ? 16 : 10);
		}
		if (end == p)
			return 0;
		p = end;
	}
	r->uid = (uint32_t)v[0];
	r->flags = (unsigned)v[1];
	r->kw = v[2];
	*had_o = (int)v[3];
	*nw = (int)v[4];
	r->from_off = v[5];
	r->hdr_off = v[6];
	r->body_off = v[7];
	r->end_off = v[8];
	r->size = v[9];
	r->body_size = v[10];
	r->date = (int64_t)v[11];
	return r->uid != 0 && r->from_off < r->hdr_off + 1 &&
	       r->hdr_off <= r->body_off && r->body_off <= r->end_off;
}

int store_mbox_index_load(struct mbox_mailbox *mb)
{
	FILE *f = fopen(mb->index_path, "r");
	char *line = NULL;
	size_t cap = 0;
	uint64_t size = 0;
	int64_t mtime = 0;
	unsigned long long ino = 0;
	struct mbox_file_state st;
	uint32_t validity = 0, first_recent = 1;
	struct mbox_rec *recs = NULL;
	size_t nrecs = 0, rcap = 0;
	int ok = 0, valid = 0;
	ssize_t n;

	if (f == NULL)
		return 0;
	memset(&st, 0, sizeof(st));
	if (getline(&line, &cap, f) < 0 ||
	    strncmp(line, INDEX_MAGIC, strlen(INDEX_MAGIC)) != 0)
		goto out;
	if (getline(&line, &cap, f) < 0 ||
	    sscanf(line, "file %" SCNu64 " %" SCNd64 " %llu", &size, &mtime,
		   &ino) != 3)
		goto out;
	if (getline(&line, &cap, f) < 0 ||
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
	if (getline(&line, &cap, f) < 0 ||
	    sscanf(line, "pseudo %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
		   &st.pseudo.from_off, &st.pseudo.hdr_off,
		   &st.pseudo.body_off, &st.pseudo.end_off) != 4)
		goto out;
	if ((n = getline(&line, &cap, f)) < 0 ||
	    strncmp(line, "keywords", 8) != 0)
		goto out;
	{
		char *save = NULL, *tok;

		line[strcspn(line, "\n")] = '\0';
		for (tok = strtok_r(line + 8, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save))
			(void)store_mailbox_keyword(&mb->base, tok, 1);
	}
	while (getline(&line, &cap, f) >= 0) {
		struct mbox_rec r;
		int had_o, nw;

		memset(&r, 0, sizeof(r));
		/* strtoull, not sscanf: 50,000 of these lines must load in
		 * a few milliseconds. */
		if (strncmp(line, "msg ", 4) != 0 ||
		    !parse_msg_line(line + 4, &r, &had_o, &nw))
			goto out;
		r.had_o = (unsigned char)(had_o != 0);
		r.needs_write = (unsigned char)(nw != 0);
		r.want_flags = r.flags;
		r.want_kw = r.kw;
		if (nrecs == rcap) {
			rcap = rcap ? rcap * 2 : 256;
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
		mb->st = st;
		/* The file has no X-IMAPbase yet: the UIDVALIDITY is ours. */
		if (!st.imapbase_ok && nrecs > 0 && !st.has_pseudo)
			mb->st.uidvalidity = validity;
	} else {
		free(recs);
		if (valid) {
			/* Corrupt: forget what the keyword line added. */
			mb->first_recent_uid = first_recent;
		}
	}
	free(line);
	fclose(f);
	return ok;
}
