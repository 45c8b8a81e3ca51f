/*
 * store_maildir: the Maildir backend of the store ("maildir:~/Maildir"),
 * laid out as Dovecot 2.3 keeps it (Maildir++):
 *
 *	~/Maildir/{cur,new,tmp}/		INBOX
 *	~/Maildir/.Sent/{cur,new,tmp}/		folder "Sent" ("A/B" is ".A.B")
 *	~/Maildir/.Sent/maildirfolder		marks a folder
 *	~/Maildir/subscriptions			one folder per line
 *	<folder>/dovecot-uidlist		"3 V<uidvalidity> N<next> G<guid>"
 *						then "<uid> :<base name>"
 *	<folder>/dovecot-keywords		"<index> <keyword>"
 *
 * A file is new/<base> (delivered, \Recent) or cur/<base>:2,<flags>,
 * flags in ASCII order: D \Draft, F \Flagged, R \Answered, S \Seen,
 * T \Deleted, and a-z for keywords 0-25 of dovecot-keywords. The base
 * name is the message's identity (Dovecot's maildir(5) handling), its
 * UID lives in dovecot-uidlist, written under dovecot-uidlist.lock.
 * A read-write open moves new/ to cur/ (the messages stop being
 * \Recent); INTERNALDATE is the file's mtime; size: ",W=" in the name
 * when there, else counted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/fsutil.h"
#include "lib/xalloc.h"
#include "store/store_int.h"
#include "store/store_mbox.h"
#include "store/store_subs.h"

#define MAILDIR_MAX_KEYWORDS 26

struct md_rec {
	uint32_t uid;
	char *base;		/* name without ":2,..." */
	char *info;		/* what follows ":2," ("" when none) */
	int in_new;
	int has_info;		/* the name on disk has ":2," */
	unsigned flags;		/* from the name */
	uint64_t kw;
	unsigned want_flags;
	uint64_t want_kw;
	int recent;
	int seen_now;		/* found by the current scan */
	uint64_t size;
	int64_t date;
};

struct md_mailbox {
	struct store_mailbox base;
	char *dir;
	struct md_rec *recs;	/* UIDs ascending */
	size_t nrecs;
	uint32_t next_uid;
	char *guid;
	struct { unsigned flags; uint64_t kw; } *orig;
	unsigned serial;	/* for unique file names */
};

static const struct store_ops maildir_ops;

static char *folder_dir(struct store_user *u, const char *name)
{
	char *d, *p;

	if (store_is_inbox(name))
		return xstrdup(u->root_path);
	d = xasprintf("%s/.%s", u->root_path, name);
	/* Maildir++: the hierarchy separator on disk is '.'. */
	for (p = d + strlen(u->root_path) + 2; *p != '\0'; p++)
		if (*p == '/')
			*p = '.';
	return d;
}

static int make_maildir(const char *dir, int folder)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	size_t i;
	int rc = fs_mkdirs(dir, 0700);

	for (i = 0; i < 3 && rc == 0; i++) {
		char *p = xasprintf("%s/%s", dir, subs[i]);

		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			rc = -1;
		free(p);
	}
	if (rc == 0 && folder) {
		char *p = xasprintf("%s/maildirfolder", dir);
		int fd = open(p, O_WRONLY | O_CREAT, 0600);

		if (fd >= 0)
			close(fd);
		free(p);
	}
	return rc;
}

static void md_user_free(struct store_user *u)
{
	free(u);
}

/* --- folders --- */

static int md_list(struct store_user *u, struct store_folders *out,
		   struct err *e)
{
	DIR *d = opendir(u->root_path);
	struct dirent *de;
	size_t i, j, first;

	(void)e;
	store_folders_add(out, "INBOX", STORE_FOLDER_HASNOCHILDREN);
	first = out->n;
	while (d != NULL && (de = readdir(d)) != NULL) {
		char *cur, *name, *p;
		struct stat st;

		if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		cur = xasprintf("%s/%s/cur", u->root_path, de->d_name);
		if (stat(cur, &st) == 0 && S_ISDIR(st.st_mode)) {
			name = xstrdup(de->d_name + 1);
			for (p = name; *p != '\0'; p++)
				if (*p == '.')
					*p = '/';
			store_folders_add(out, name, 0);
			free(name);
		}
		free(cur);
	}
	if (d != NULL)
		closedir(d);
	for (i = first; i < out->n; i++) {
		size_t len = strlen(out->v[i].name);
		int kids = 0;

		for (j = first; j < out->n; j++)
			if (strncmp(out->v[j].name, out->v[i].name, len) == 0 &&
			    out->v[j].name[len] == '/')
				kids = 1;
		out->v[i].attrs |= kids ? STORE_FOLDER_HASCHILDREN :
			STORE_FOLDER_HASNOCHILDREN;
	}
	store_subs_mark(u->root_path, "subscriptions", out);
	return 0;
}

static int md_create(struct store_user *u, const char *name, mtime_t now,
		     struct err *e)
{
	char *dir = folder_dir(u, name);
	int rc = 0;

	(void)now;
	if (make_maildir(dir, 1) < 0)
		rc = err_set(e, errno, "mkdir(%s) failed: %s", dir,
			     strerror(errno));
	free(dir);
	return rc;
}

static int md_delete(struct store_user *u, const char *name, struct err *e)
{
	char *dir = folder_dir(u, name);
	struct stat st;

	if (stat(dir, &st) < 0) {
		free(dir);
		return err_set(e, ENOENT, "Mailbox doesn't exist: %s", name);
	}
	fs_remove_tree(dir);
	free(dir);
	return 0;
}

static int md_rename(struct store_user *u, const char *from, const char *to,
		     struct err *e)
{
	char *a = folder_dir(u, from), *b = folder_dir(u, to);
	size_t alen = strlen(a);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (rename(a, b) < 0)
		rc = err_set(e, errno, "rename(%s) failed: %s", a,
			     strerror(errno));
	/* Children ".From.x" follow their parent. */
	d = rc == 0 ? opendir(u->root_path) : NULL;
	while (d != NULL && (de = readdir(d)) != NULL) {
		char *full = xasprintf("%s/%s", u->root_path, de->d_name);

		if (strncmp(full, a, alen) == 0 && full[alen] == '.') {
			char *nb = xasprintf("%s%s", b, full + alen);

			(void)rename(full, nb);
			free(nb);
		}
		free(full);
	}
	if (d != NULL)
		closedir(d);
	free(a);
	free(b);
	return rc;
}

static int md_subscribe(struct store_user *u, const char *name, int on,
			struct err *e)
{
	return store_subs_set(u->root_path, "subscriptions", name, on, e);
}

/* --- names and flags --- */

static const struct {
	char letter;
	unsigned flag;
} info_letters[] = {
	{ 'D', STORE_DRAFT },
	{ 'F', STORE_FLAGGED },
	{ 'R', STORE_ANSWERED },
	{ 'S', STORE_SEEN },
	{ 'T', STORE_DELETED },
};

static void parse_info(const char *info, unsigned *flags, uint64_t *kw)
{
	const char *p;
	size_t i;

	*flags = 0;
	*kw = 0;
	for (p = info; *p != '\0'; p++) {
		if (*p >= 'a' && *p <= 'z') {
			*kw |= (uint64_t)1 << (*p - 'a');
			continue;
		}
		for (i = 0; i < ARRAY_LEN(info_letters); i++)
			if (info_letters[i].letter == *p)
				*flags |= info_letters[i].flag;
	}
}

/* The info string for flags, keeping letters we do not know (P, ...). */
static char *make_info(const char *old, unsigned flags, uint64_t kw)
{
	char set[128];
	struct buf b;
	const char *p;
	size_t i;
	int c;

	memset(set, 0, sizeof(set));
	for (p = old; *p != '\0'; p++)
		if ((unsigned char)*p < 128)
			set[(unsigned char)*p] = 1;
	for (i = 0; i < ARRAY_LEN(info_letters); i++)
		set[(unsigned char)info_letters[i].letter] =
			(flags & info_letters[i].flag) != 0;
	for (c = 'a'; c <= 'z'; c++)
		set[c] = (kw & ((uint64_t)1 << (c - 'a'))) != 0;
	buf_init(&b);
	/* maildir(5): flags in ASCII order. */
	for (c = 33; c < 127; c++)
		if (set[c])
			buf_addc(&b, (char)c);
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b, NULL);
}

static char *rec_path(const struct md_mailbox *mb, const struct md_rec *r)
{
	if (r->in_new)
		return xasprintf("%s/new/%s", mb->dir, r->base);
	if (!r->has_info)
		return xasprintf("%s/cur/%s", mb->dir, r->base);
	return xasprintf("%s/cur/%s:2,%s", mb->dir, r->base, r->info);
}

/* ",W=<vsize>" in the base name (Dovecot's maildir_save). */
static int name_vsize(const char *base, uint64_t *out)
{
	const char *w = strstr(base, ",W=");

	if (w == NULL)
		return 0;
	*out = strtoull(w + 3, NULL, 10);
	return 1;
}

static uint64_t file_vsize(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	uint64_t size = 0;
	size_t n;
	char last = 0;

	if (f == NULL)
		return 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		size_t i;

		for (i = 0; i < n; i++) {
			if (buf[i] == '\n' && last != '\r')
				size++;
			size++;
			last = buf[i];
		}
	}
	fclose(f);
	return size;
}

/* --- dovecot-uidlist and dovecot-keywords --- */

struct uidlist_entry {
	uint32_t uid;
	char *base;
};

static void read_keywords(struct md_mailbox *mb)
{
	char *path = xasprintf("%s/dovecot-keywords", mb->dir);
	FILE *f = fopen(path, "r");
	char line[512];

	free(path);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char name[256];
		int idx;

		if (sscanf(line, "%d %255s", &idx, name) != 2 || idx < 0 ||
		    idx >= MAILDIR_MAX_KEYWORDS)
			continue;
		/* The file's order is the letter order: a, b, c, ...
		 * XXX a gap in the numbers drops the keywords after it. */
		if ((int)mb->base.nkeywords == idx)
			(void)store_mailbox_keyword(&mb->base, name, 1);
	}
	if (f != NULL)
		fclose(f);
}

static void write_keywords(struct md_mailbox *mb)
{
	char *path = xasprintf("%s/dovecot-keywords", mb->dir);
	char *tpath = xasprintf("%s.tmp", path);
	FILE *f = fopen(tpath, "w");
	size_t i;

	if (f != NULL) {
		for (i = 0; i < mb->base.nkeywords && i < MAILDIR_MAX_KEYWORDS;
		     i++)
			if (mb->base.keywords[i][0] != '\0')
				fprintf(f, "%zu %s\n", i, mb->base.keywords[i]);
		if (fclose(f) == 0)
			(void)rename(tpath, path);
	}
	free(path);
	free(tpath);
}

static struct uidlist_entry *read_uidlist(struct md_mailbox *mb,
					  size_t *n_out, int *have_out)
{
	char *path = xasprintf("%s/dovecot-uidlist", mb->dir);
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0;
	struct uidlist_entry *v = NULL;

	free(path);
	*have_out = f != NULL;
	if (f != NULL && getline(&line, &cap, f) >= 0) {
		char *tok, *save = NULL;

		/* "3 V1795903389 N4 G0123..." (version 3) */
		for (tok = strtok_r(line, " \n", &save); tok != NULL;
		     tok = strtok_r(NULL, " \n", &save)) {
			if (tok[0] == 'V')
				mb->base.uidvalidity = (uint32_t)strtoul(tok + 1, NULL, 10);
			else if (tok[0] == 'N')
				mb->next_uid = (uint32_t)strtoul(tok + 1, NULL, 10);
			else if (tok[0] == 'G') {
				free(mb->guid);
				mb->guid = xstrdup(tok + 1);
			}
		}
		while (getline(&line, &cap, f) >= 0) {
			char *colon = strstr(line, " :");
			uint32_t uid = (uint32_t)strtoul(line, NULL, 10);

			if (colon == NULL || uid == 0)
				continue;
			colon[strcspn(colon, "\n")] = '\0';
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n].uid = uid;
			v[n].base = xstrdup(colon + 2);
			n++;
			if (uid >= mb->next_uid)
				mb->next_uid = uid + 1;
		}
	}
	free(line);
	if (f != NULL)
		fclose(f);
	*n_out = n;
	return v;
}

static int write_uidlist(struct md_mailbox *mb, struct err *e)
{
	char *path = xasprintf("%s/dovecot-uidlist", mb->dir);
	char *tpath = xasprintf("%s.tmp", path);
	FILE *f = fopen(tpath, "w");
	size_t i;
	int rc = 0;

	if (f == NULL) {
		rc = err_set(e, errno, "open(%s) failed: %s", tpath,
			     strerror(errno));
		goto out;
	}
	fprintf(f, "3 V%u N%u G%s\n", mb->base.uidvalidity, mb->next_uid,
		mb->guid);
	for (i = 0; i < mb->nrecs; i++)
		fprintf(f, "%u :%s\n", mb->recs[i].uid, mb->recs[i].base);
	if (fclose(f) != 0 || rename(tpath, path) < 0)
		rc = err_set(e, errno, "writing %s failed", path);
out:
	free(path);
	free(tpath);
	return rc;
}

/* dovecot-uidlist.lock (a dotlock) around a scan that may give UIDs. */
static int lock_uidlist(struct md_mailbox *mb, struct store_mbox_lock *l,
			int *fd_out, struct err *e)
{
	char *path = xasprintf("%s/dovecot-uidlist", mb->dir);
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	int rc;

	if (fd < 0) {
		rc = err_set(e, errno, "open(%s) failed: %s", path,
			     strerror(errno));
		free(path);
		return rc;
	}
	rc = store_mbox_lock_acquire(path, fd, 1, STORE_MBOX_LOCK_TIMEOUT_MS,
				     l, e);
	free(path);
	if (rc < 0) {
		close(fd);
		return -1;
	}
	*fd_out = fd;
	return 0;
}

static void free_recs(struct md_rec *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].base);
		free(v[i].info);
	}
	free(v);
}

static struct md_rec *find_base(struct md_mailbox *mb, const char *base)
{
	size_t i;

	for (i = 0; i < mb->nrecs; i++)
		if (strcmp(mb->recs[i].base, base) == 0)
			return &mb->recs[i];
	return NULL;
}

static struct md_rec *find_uid(struct md_mailbox *mb, uint32_t uid)
{
	size_t lo = 0, hi = mb->nrecs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mb->recs[mid].uid == uid)
			return &mb->recs[mid];
		if (mb->recs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Reads new/ and cur/ and dovecot-uidlist: what is there now, with UIDs
 * (new ones given in name order). A RW mailbox moves new/ to cur/.
 * Pending flag changes in mb->recs are kept by base name.
 */
static int scan(struct md_mailbox *mb, mtime_t now, struct err *e)
{
	struct store_mbox_lock l;
	struct uidlist_entry *ul;
	struct md_rec *old = mb->recs;
	size_t nold = mb->nrecs, nul, i, nnames = 0;
	char **names = NULL;
	int have_list, fd = -1, dirty = 0, pass;

	if (lock_uidlist(mb, &l, &fd, e) < 0)
		return -1;
	ul = read_uidlist(mb, &nul, &have_list);
	if (mb->base.uidvalidity == 0)
		mb->base.uidvalidity = (uint32_t)(now / 1000);
	if (mb->next_uid == 0)
		mb->next_uid = 1;
	if (mb->guid == NULL) {
		unsigned char raw[16];
		int ufd = open("/dev/urandom", O_RDONLY);
		struct buf g;

		memset(raw, 0, sizeof(raw));
		if (ufd >= 0) {
			if (read(ufd, raw, sizeof(raw)) < 0) {
				/* a zero GUID is still a GUID */
			}
			close(ufd);
		}
		buf_init(&g);
		for (i = 0; i < sizeof(raw); i++)
			buf_addf(&g, "%02x", raw[i]);
		mb->guid = buf_steal(&g, NULL);
		dirty = 1;
	}
	if (!have_list)
		dirty = 1;

	mb->recs = NULL;
	mb->nrecs = 0;
	/* The known messages first, in UID order. */
	for (pass = 0; pass < 2; pass++) {
		const char *sub = pass == 0 ? "new" : "cur";
		char *d = xasprintf("%s/%s", mb->dir, sub);
		DIR *dh = opendir(d);
		struct dirent *de;

		while (dh != NULL && (de = readdir(dh)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			names = xrealloc(names, (nnames + 1) * sizeof(*names));
			names[nnames++] = xasprintf("%s/%s", sub, de->d_name);
		}
		if (dh != NULL)
			closedir(dh);
		free(d);
	}
	if (nnames > 1)
		qsort(names, nnames, sizeof(*names), name_cmp);
	for (i = 0; i < nul; i++) {
		struct md_rec r;
		size_t k;

		memset(&r, 0, sizeof(r));
		for (k = 0; k < nnames; k++) {
			const char *fname = names[k] + 4;
			size_t blen = strcspn(fname, ":");

			if (names[k][0] == '\0' || blen != strlen(ul[i].base) ||
			    strncmp(fname, ul[i].base, blen) != 0)
				continue;
			r.uid = ul[i].uid;
			r.base = xstrdup(ul[i].base);
			r.in_new = names[k][0] == 'n';
			r.has_info = strstr(fname, ":2,") != NULL;
			r.info = xstrdup(r.has_info ? strstr(fname, ":2,") + 3 :
					 "");
			names[k][0] = '\0';	/* taken */
			break;
		}
		if (r.base == NULL) {
			dirty = 1;	/* gone: expunged by someone */
			continue;
		}
		mb->recs = xrealloc(mb->recs, (mb->nrecs + 1) * sizeof(r));
		mb->recs[mb->nrecs++] = r;
	}
	/* Then the new ones, in name order (delivery time). */
	for (i = 0; i < nnames; i++) {
		struct md_rec r;
		const char *fname;

		if (names[i][0] == '\0')
			continue;
		fname = names[i] + 4;
		memset(&r, 0, sizeof(r));
		r.uid = mb->next_uid++;
		r.base = xstrndup(fname, strcspn(fname, ":"));
		r.in_new = names[i][0] == 'n';
		r.has_info = strstr(fname, ":2,") != NULL;
		r.info = xstrdup(r.has_info ? strstr(fname, ":2,") + 3 : "");
		mb->recs = xrealloc(mb->recs, (mb->nrecs + 1) * sizeof(r));
		mb->recs[mb->nrecs++] = r;
		dirty = 1;
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	for (i = 0; i < nul; i++)
		free(ul[i].base);
	free(ul);

	for (i = 0; i < mb->nrecs; i++) {
		struct md_rec *r = &mb->recs[i];
		struct md_rec *o = NULL;
		char *path;
		struct stat st;
		size_t k;

		parse_info(r->info, &r->flags, &r->kw);
		r->want_flags = r->flags;
		r->want_kw = r->kw;
		for (k = 0; k < nold; k++)
			if (strcmp(old[k].base, r->base) == 0)
				o = &old[k];
		if (o != NULL) {
			unsigned ch = o->want_flags ^ o->flags;
			uint64_t kch = o->want_kw ^ o->kw;

			r->want_flags = (r->flags & ~ch) | (o->want_flags & ch);
			r->want_kw = (r->kw & ~kch) | (o->want_kw & kch);
			r->recent = o->recent;
			r->size = o->size;
			r->date = o->date;
		}
		if (r->in_new && mb->base.mode == STORE_OPEN_RW) {
			/* Seen by a RW session: no longer new, \Recent now. */
			char *from = xasprintf("%s/new/%s", mb->dir, r->base);
			char *to = xasprintf("%s/cur/%s", mb->dir, r->base);

			if (rename(from, to) == 0) {
				r->in_new = 0;
				r->has_info = 0;
				r->recent = 1;
			}
			free(from);
			free(to);
		} else if (r->in_new && o == NULL) {
			/* RO/SAVE: \Recent shown, the file stays in new/. */
			r->recent = 1;
		}
		if (o == NULL || r->size == 0) {
			path = rec_path(mb, r);
			if (stat(path, &st) == 0) {
				r->date = (int64_t)st.st_mtime;
				if (!name_vsize(r->base, &r->size))
					r->size = file_vsize(path);
			}
			free(path);
		}
	}
	free_recs(old, nold);
	/* Even a read-only session records the UIDs it gave (Dovecot's
	 * EXAMINE does too): they must not change. */
	if (dirty && write_uidlist(mb, e) < 0) {
		store_mbox_lock_release(&l);
		close(fd);
		return -1;
	}
	store_mbox_lock_release(&l);
	close(fd);
	return 0;
}

/* Renames files whose flags this session changed. */
static void write_flags(struct md_mailbox *mb)
{
	size_t i;

	for (i = 0; i < mb->nrecs; i++) {
		struct md_rec *r = &mb->recs[i];
		char *from, *to, *info;

		if (r->want_flags == r->flags && r->want_kw == r->kw)
			continue;
		from = rec_path(mb, r);
		info = make_info(r->info, r->want_flags, r->want_kw);
		to = xasprintf("%s/cur/%s:2,%s", mb->dir, r->base, info);
		if (rename(from, to) == 0) {
			free(r->info);
			r->info = info;
			r->in_new = 0;
			r->has_info = 1;
			r->flags = r->want_flags;
			r->kw = r->want_kw;
		} else {
			free(info);
		}
		free(from);
		free(to);
	}
}

static void apply_view_changes(struct md_mailbox *mb)
{
	struct store_mailbox *b = &mb->base;
	size_t i;

	if (!b->dirty || b->mode == STORE_OPEN_RO)
		return;
	for (i = 0; i < b->count; i++) {
		struct store_msg *v = &b->msgs[i];
		unsigned vf = v->flags & ~(unsigned)STORE_RECENT;
		unsigned ch = vf ^ mb->orig[i].flags;
		uint64_t kch = v->keywords ^ mb->orig[i].kw;
		struct md_rec *r;

		if (ch == 0 && kch == 0)
			continue;
		r = find_uid(mb, v->uid);
		if (r == NULL)
			continue;
		r->want_flags = (r->want_flags & ~ch) | (vf & ch);
		r->want_kw = (r->want_kw & ~kch) | (v->keywords & kch);
		mb->orig[i].flags = vf;
		mb->orig[i].kw = v->keywords;
	}
	b->dirty = 0;
	write_keywords(mb);
}

static void view_add(struct md_mailbox *mb, struct md_rec *r)
{
	struct store_mailbox *b = &mb->base;
	struct store_msg *v;

	b->msgs = xrealloc(b->msgs, (b->count + 1) * sizeof(b->msgs[0]));
	mb->orig = xrealloc(mb->orig, (b->count + 1) * sizeof(mb->orig[0]));
	v = &b->msgs[b->count];
	v->uid = r->uid;
	v->flags = r->want_flags | (r->recent ? STORE_RECENT : 0);
	v->keywords = r->want_kw;
	v->size = r->size;
	v->internal_date = r->date;
	mb->orig[b->count].flags = r->want_flags;
	mb->orig[b->count].kw = r->want_kw;
	b->count++;
	/* \Recent shows in one session only. */
	r->recent = 0;
}

static void view_remove(struct md_mailbox *mb, size_t idx)
{
	struct store_mailbox *b = &mb->base;

	memmove(&b->msgs[idx], &b->msgs[idx + 1],
		(b->count - idx - 1) * sizeof(b->msgs[0]));
	memmove(&mb->orig[idx], &mb->orig[idx + 1],
		(b->count - idx - 1) * sizeof(mb->orig[0]));
	b->count--;
}

static void view_update(struct md_mailbox *mb, const struct store_sync_cb *cb)
{
	struct store_mailbox *b = &mb->base;
	size_t i, before;
	uint32_t last;

	for (i = 0; i < b->count;) {
		struct md_rec *r = find_uid(mb, b->msgs[i].uid);
		uint32_t uid = b->msgs[i].uid;

		if (r == NULL) {
			view_remove(mb, i);
			if (cb != NULL && cb->expunged != NULL)
				cb->expunged(cb->ctx, i, uid);
			continue;
		}
		if (r->want_flags != mb->orig[i].flags ||
		    r->want_kw != mb->orig[i].kw) {
			b->msgs[i].flags = r->want_flags |
				(b->msgs[i].flags & STORE_RECENT);
			b->msgs[i].keywords = r->want_kw;
			mb->orig[i].flags = r->want_flags;
			mb->orig[i].kw = r->want_kw;
			if (cb != NULL && cb->flags_changed != NULL)
				cb->flags_changed(cb->ctx, i);
		}
		i++;
	}
	last = b->count > 0 ? b->msgs[b->count - 1].uid : 0;
	before = b->count;
	for (i = 0; i < mb->nrecs; i++)
		if (mb->recs[i].uid > last)
			view_add(mb, &mb->recs[i]);
	b->uidnext = mb->next_uid;
	if (b->count != before && cb != NULL && cb->appended != NULL)
		cb->appended(cb->ctx, b->count);
}

static void md_mailbox_free(struct md_mailbox *mb)
{
	store_mailbox_free_common(&mb->base);
	free_recs(mb->recs, mb->nrecs);
	free(mb->dir);
	free(mb->guid);
	free(mb->orig);
	free(mb);
}

static int md_open(struct store_user *u, const char *name,
		   enum store_open_mode mode, mtime_t now,
		   struct store_mailbox **mb_out, struct err *e)
{
	struct md_mailbox *mb = xcalloc(1, sizeof(*mb));
	struct stat st;
	size_t i;
	char *cur;

	mb->base.name = xstrdup(name);
	mb->base.mode = mode;
	mb->dir = folder_dir(u, name);
	cur = xasprintf("%s/cur", mb->dir);
	if (stat(cur, &st) < 0) {
		/* Dovecot creates the INBOX Maildir on first login. */
		if (!store_is_inbox(name) || make_maildir(mb->dir, 0) < 0) {
			free(cur);
			err_set(e, ENOENT, "Mailbox doesn't exist: %s", name);
			md_mailbox_free(mb);
			return -1;
		}
	}
	free(cur);
	read_keywords(mb);
	if (scan(mb, now, e) < 0) {
		md_mailbox_free(mb);
		return -1;
	}
	for (i = 0; i < mb->nrecs; i++)
		view_add(mb, &mb->recs[i]);
	mb->base.uidnext = mb->next_uid;
	*mb_out = &mb->base;
	return 0;
}

static void md_close(struct store_mailbox *b)
{
	md_mailbox_free((struct md_mailbox *)b);
}

static int md_read(struct store_mailbox *b, size_t idx, struct buf *out,
		   struct err *e)
{
	struct md_mailbox *mb = (struct md_mailbox *)b;
	struct md_rec *r = find_uid(mb, b->msgs[idx].uid);
	char *path, *data = NULL;
	FILE *f;
	size_t n = 0, cap = 0, got;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (r == NULL)
			return err_set(e, ENOENT, "Message UID %u was expunged",
				       b->msgs[idx].uid);
		path = rec_path(mb, r);
		f = fopen(path, "rb");
		free(path);
		if (f != NULL)
			break;
		/* Renamed by another session (flags): look again. */
		if (scan(mb, 0, e) < 0)
			return -1;
		r = find_uid(mb, b->msgs[idx].uid);
	}
	if (f == NULL)
		return err_set(e, ENOENT, "Message UID %u was expunged",
			       b->msgs[idx].uid);
	do {
		if (cap - n < 65536) {
			cap = cap * 2 + 65536;
			data = xrealloc(data, cap);
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	store_add_crlf(out, data, n);
	free(data);
	return 0;
}

static int md_sync(struct store_mailbox *b, const struct store_sync_cb *cb,
		   mtime_t now, struct err *e)
{
	struct md_mailbox *mb = (struct md_mailbox *)b;

	apply_view_changes(mb);
	if (b->mode != STORE_OPEN_RO)
		write_flags(mb);
	if (scan(mb, now, e) < 0)
		return -1;
	view_update(mb, cb);
	return 0;
}

static int md_expunge(struct store_mailbox *b, store_expunge_fn *fn,
		      void *ctx, mtime_t now, struct err *e)
{
	struct md_mailbox *mb = (struct md_mailbox *)b;
	size_t i;

	apply_view_changes(mb);
	write_flags(mb);
	for (i = 0; i < mb->nrecs; i++) {
		if (mb->recs[i].want_flags & STORE_DELETED) {
			char *path = rec_path(mb, &mb->recs[i]);

			(void)unlink(path);
			free(path);
		}
	}
	if (scan(mb, now, e) < 0)
		return -1;
	for (i = 0; i < b->count;) {
		uint32_t uid = b->msgs[i].uid;

		if (find_uid(mb, uid) == NULL) {
			view_remove(mb, i);
			if (fn != NULL)
				fn(ctx, i, uid);
			continue;
		}
		i++;
	}
	return 0;
}

/*
 * Dovecot's save: tmp/<time>.M<usec>P<pid>.<host>,S=<size>,W=<vsize>,
 * fsync'd, then renamed to new/ (no flags) or cur/...:2,<flags>; the
 * file's mtime is the internal date.
 */
static int md_append(struct store_mailbox *b, const void *data, size_t len,
		     unsigned flags, uint64_t kw, int64_t date, mtime_t now,
		     uint32_t *uid_out, struct err *e)
{
	struct md_mailbox *mb = (struct md_mailbox *)b;
	struct buf lf;
	char *base, *tmp, *dst, *info;
	struct timeval tv[2];
	int fd, rc = -1;
	uint64_t vsize;
	struct md_rec *r;

	buf_init(&lf);
	store_add_lf(&lf, data, len);
	vsize = store_crlf_size(lf.data != NULL ? lf.data : "", lf.len);
	base = xasprintf("%lld.M%lldP%ldQ%u.%s,S=%zu,W=%llu",
			 (long long)(now / 1000), (long long)(now % 1000) * 1000,
			 (long)getpid(), ++mb->serial, b->user->hostname,
			 lf.len, (unsigned long long)vsize);
	tmp = xasprintf("%s/tmp/%s", mb->dir, base);
	info = make_info("", flags, kw);
	dst = flags == 0 && kw == 0 ?
		xasprintf("%s/new/%s", mb->dir, base) :
		xasprintf("%s/cur/%s:2,%s", mb->dir, base, info);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		err_set(e, errno, "open(%s) failed: %s", tmp, strerror(errno));
		goto out;
	}
	if ((lf.len > 0 && write(fd, lf.data, lf.len) != (ssize_t)lf.len) ||
	    fsync(fd) < 0) {
		err_set(e, errno, "write(%s) failed: %s", tmp, strerror(errno));
		close(fd);
		(void)unlink(tmp);
		goto out;
	}
	close(fd);
	tv[0].tv_sec = tv[1].tv_sec = (time_t)date;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	(void)utimes(tmp, tv);
	if (rename(tmp, dst) < 0) {
		err_set(e, errno, "rename(%s) failed: %s", tmp, strerror(errno));
		(void)unlink(tmp);
		goto out;
	}
	write_keywords(mb);
	if (scan(mb, now, e) < 0)
		goto out;
	r = find_base(mb, base);
	if (r != NULL && uid_out != NULL)
		*uid_out = r->uid;
	rc = 0;
out:
	buf_reset(&lf);
	free(base);
	free(tmp);
	free(dst);
	free(info);
	return rc;
}

static const struct store_ops maildir_ops = {
	.name = "maildir",
	.user_free = md_user_free,
	.list = md_list,
	.create = md_create,
	.delete = md_delete,
	.rename = md_rename,
	.subscribe = md_subscribe,
	.open = md_open,
	.close = md_close,
	.read = md_read,
	.sync = md_sync,
	.expunge = md_expunge,
	.append = md_append,
};

struct store_user *store_maildir_user_new(void)
{
	struct store_user *u = xcalloc(1, sizeof(*u));

	u->ops = &maildir_ops;
	return u;
}
