/*
 * store_mbox: the mbox backend of the store (Dovecot's "mbox:~/mail:
 * INBOX=/var/mail/%u", Debian's default). INBOX is the spool file; other
 * folders are files under ~/mail (directories hold folders: the "/"
 * hierarchy); ~/mail/.subscriptions lists subscriptions; our index lives
 * in ~/mail/.imap/<folder>/ as Dovecot's does.
 *
 * The file is the truth: UIDs, flags and keywords are read from it (see
 * store_mbox_parse.c) and written back into it (store_mbox_write.c). The
 * index only spares re-reading an unchanged file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fsutil.h"
#include "lib/xalloc.h"
#include "store/store_mbox.h"
#include "store/store_mbox_int.h"
#include "store/store_subs.h"

static const struct store_ops mbox_ops;

static char *folder_path(struct store_user *u, const char *name)
{
	if (store_is_inbox(name))
		return xstrdup(u->inbox_path);
	return xasprintf("%s/%s", u->root_path, name);
}

static char *folder_index_dir(struct store_user *u, const char *name)
{
	return xasprintf("%s/%s", u->index_path,
			 store_is_inbox(name) ? "INBOX" : name);
}

static void mbox_user_free(struct store_user *u)
{
	free(u);
}

/* --- folders --- */

unsigned store_mbox_marked(const struct stat *st)
{
	if (st->st_size == 0)
		return STORE_FOLDER_UNMARKED;
	if (st->st_atim.tv_sec < st->st_mtim.tv_sec ||
	    (st->st_atim.tv_sec == st->st_mtim.tv_sec &&
	     st->st_atim.tv_nsec < st->st_mtim.tv_nsec))
		return STORE_FOLDER_MARKED;
	return STORE_FOLDER_UNMARKED;
}

static void list_dir(struct store_user *u, const char *dir,
		     const char *prefix, struct store_folders *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *path, *name;
		struct stat st;

		/* Dot files are Dovecot's (.imap, .subscriptions) or hidden. */
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		name = prefix[0] != '\0' ?
			xasprintf("%s/%s", prefix, de->d_name) :
			xstrdup(de->d_name);
		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				size_t before = out->n;

				store_folders_add(out, name,
						  STORE_FOLDER_NOSELECT);
				list_dir(u, path, name, out);
				out->v[before].attrs |= out->n > before + 1 ?
					STORE_FOLDER_HASCHILDREN :
					STORE_FOLDER_HASNOCHILDREN;
			} else if (S_ISREG(st.st_mode) &&
				   !(prefix[0] == '\0' &&
				     store_is_inbox(de->d_name))) {
				store_folders_add(out, name,
						  STORE_FOLDER_NOINFERIORS |
						  store_mbox_marked(&st));
			}
		}
		free(path);
		free(name);
	}
	closedir(d);
}

static int mbox_list(struct store_user *u, struct store_folders *out,
		     struct err *e)
{
	(void)e;
	store_folders_add(out, "INBOX", STORE_FOLDER_HASNOCHILDREN);
	list_dir(u, u->root_path, "", out);
	store_subs_mark(u->root_path, ".subscriptions", out);
	return 0;
}

static int mbox_create(struct store_user *u, const char *name, mtime_t now,
		       struct err *e)
{
	char *path = folder_path(u, name), *dir = xstrdup(path), *slash;
	int fd, rc = 0;

	(void)now;
	slash = strrchr(dir, '/');
	if (slash != NULL) {
		*slash = '\0';
		(void)fs_mkdirs(dir, 0700);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		rc = err_set(e, errno, errno == EEXIST ?
			     "Mailbox already exists" :
			     "open(%s) failed: %s", path, strerror(errno));
	else
		close(fd);
	free(dir);
	free(path);
	return rc;
}

static int mbox_delete(struct store_user *u, const char *name, struct err *e)
{
	char *path = folder_path(u, name), *idx = folder_index_dir(u, name);
	struct stat st;
	int rc = 0;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (rmdir(path) < 0)
			rc = err_set(e, errno, "Mailbox has children, delete them first");
	} else if (unlink(path) < 0) {
		rc = err_set(e, errno, errno == ENOENT ?
			     "Mailbox doesn't exist: %s" : "unlink(%s) failed",
			     name);
	}
	if (rc == 0)
		fs_remove_tree(idx);
	free(path);
	free(idx);
	return rc;
}

static int mbox_rename(struct store_user *u, const char *from, const char *to,
		       struct err *e)
{
	char *a = folder_path(u, from), *b = folder_path(u, to);
	char *ia = folder_index_dir(u, from), *ib = folder_index_dir(u, to);
	char *dir = xstrdup(b), *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash != NULL) {
		*slash = '\0';
		(void)fs_mkdirs(dir, 0700);
	}
	if (rename(a, b) < 0)
		rc = err_set(e, errno, "rename(%s) failed: %s", a,
			     strerror(errno));
	else
		(void)rename(ia, ib);
	free(dir);
	free(a);
	free(b);
	free(ia);
	free(ib);
	return rc;
}

static int mbox_subscribe(struct store_user *u, const char *name, int on,
			  struct err *e)
{
	return store_subs_set(u->root_path, ".subscriptions", name, on, e);
}

/* --- the file --- */

int store_mbox_stat(struct mbox_mailbox *mb, struct err *e)
{
	struct stat st;

	if (stat(mb->path, &st) < 0)
		return err_set(e, errno, "stat(%s) failed: %s", mb->path,
			       strerror(errno));
	mb->f_size = (uint64_t)st.st_size;
	mb->f_mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
			 st.st_mtim.tv_nsec;
	mb->f_ino = st.st_ino;
	return 0;
}

struct mbox_rec *store_mbox_rec(struct mbox_mailbox *mb, uint32_t uid)
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

static int read_fd(int fd, uint64_t off, uint64_t len, struct buf *out,
		   struct err *e)
{
	size_t done = 0;

	buf_clear(out);
	out->data = xrealloc(out->data, (size_t)len + 1);
	out->cap = (size_t)len + 1;
	while (done < len) {
		ssize_t n = pread(fd, out->data + done, (size_t)len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(e, errno, "read() failed: %s",
				       strerror(errno));
		if (n == 0)
			break;
		done += (size_t)n;
	}
	out->len = done;
	out->data[done] = '\0';
	return 0;
}

static void update_dirty(struct mbox_mailbox *mb)
{
	size_t i;

	if (mb->base.mode == STORE_OPEN_RO)
		return;
	for (i = 0; i < mb->nrecs; i++) {
		const struct mbox_rec *r = &mb->recs[i];

		if (r->needs_write || r->expunge || r->want_flags != r->flags ||
		    r->want_kw != r->kw)
			mb->file_dirty = 1;
	}
	if (mb->nrecs > 0 && (!mb->st.imapbase_ok ||
			      mb->st.uidlast != mb->st.next_uid - 1))
		mb->file_dirty = 1;
}

static void orig_make(struct mbox_mailbox *mb);

int store_mbox_reload(struct mbox_mailbox *mb, int fd, struct err *e)
{
	struct stat st;
	int64_t mtime;
	int rc = 0;

	if (fstat(fd, &st) < 0)
		return err_set(e, errno, "fstat(%s) failed: %s", mb->path,
			       strerror(errno));
	mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	if (!mb->reparse && (uint64_t)st.st_size == mb->f_size &&
	    mtime == mb->f_mtime_ns && st.st_ino == mb->f_ino)
		return 0;
	if (!mb->reparse && st.st_ino == mb->f_ino && mb->f_size > 0 &&
	    (uint64_t)st.st_size > mb->f_size && mb->nrecs > 0) {
		/* Grown: new mail appended after what we know? */
		char probe[7];

		if (pread(fd, probe, 7, (off_t)mb->f_size - 2) == 7 &&
		    memcmp(probe, "\n\nFrom ", 7) == 0) {
			rc = store_mbox_parse_fd(mb, fd, mb->f_size,
						 (uint64_t)st.st_size, e);
			if (rc < 0) {
				mb->reparse = 1;
				return -1;
			}
			goto parsed;
		}
	}
	{
		/* Anything else: read it all again, keeping this session's
		 * pending changes by UID. */
		struct mbox_rec *old;
		size_t nold;
		uint32_t keep_validity;
		struct mbox_file_state old_st;
		size_t i;

		/* Other writers' flags are about to come in: the view's
		 * own idea of its flags must be kept apart from now on. */
		orig_make(mb);
		store_mbox_index_recs_own(mb);
		old = mb->recs;
		nold = mb->nrecs;
		keep_validity = mb->base.uidvalidity;
		old_st = mb->st;

		mb->recs = NULL;
		mb->nrecs = 0;
		mb->recs_cap = 0;
		memset(&mb->st, 0, sizeof(mb->st));
		rc = store_mbox_parse_fd(mb, fd, 0, (uint64_t)st.st_size, e);
		if (rc < 0) {
			/* Back to what we had; the next look reads again. */
			free(mb->recs);
			mb->recs = old;
			mb->nrecs = nold;
			mb->recs_cap = nold;
			mb->st = old_st;
			mb->reparse = 1;
			return -1;
		}
		if (mb->st.uidvalidity != 0)
			mb->base.uidvalidity = mb->st.uidvalidity;
		else
			mb->base.uidvalidity = keep_validity;
		for (i = 0; i < nold; i++) {
			struct mbox_rec *n = store_mbox_rec(mb, old[i].uid);
			unsigned changed = old[i].want_flags ^ old[i].flags;
			uint64_t kchanged = old[i].want_kw ^ old[i].kw;

			if (n == NULL)
				continue;
			n->want_flags = (n->flags & ~changed) |
					(old[i].want_flags & changed);
			n->want_kw = (n->kw & ~kchanged) |
				     (old[i].want_kw & kchanged);
			n->expunge = old[i].expunge;
		}
		free(old);
	}
parsed:
	mb->reparse = 0;
	mb->f_size = (uint64_t)st.st_size;
	mb->f_mtime_ns = mtime;
	mb->f_ino = st.st_ino;
	update_dirty(mb);
	return rc;
}

int store_mbox_refresh(struct mbox_mailbox *mb, mtime_t now, struct err *e)
{
	struct store_mbox_lock l;
	int fd, rc;

	(void)now;
	fd = open(mb->path, O_RDONLY);
	if (fd < 0) {
		if (errno != ENOENT)
			return err_set(e, errno, "open(%s) failed: %s",
				       mb->path, strerror(errno));
		/* Gone (deleted folder, or INBOX removed by hand): empty. */
		store_mbox_index_recs_free(mb);
		mb->f_size = 0;
		mb->f_ino = 0;
		return 0;
	}
	if (store_mbox_lock_acquire(mb->path, fd, 0, STORE_MBOX_LOCK_TIMEOUT_MS,
				    &l, e) < 0) {
		close(fd);
		return -1;
	}
	rc = store_mbox_reload(mb, fd, e);
	store_mbox_lock_release(&l);
	close(fd);
	return rc;
}

/* --- the view --- */

/*
 * mb->orig (the flags each view message had at the last sync) is made
 * only when it can differ from the records: until then it is implied,
 * orig[i] == the record of msgs[i]'s UID, want_flags and want_kw. That
 * holds until a re-read of the file merges other writers' changes into
 * the records (store_mbox_reload), which makes it first. A warm open of
 * 50,000 messages then never allocates it.
 */
static void orig_make(struct mbox_mailbox *mb)
{
	struct store_mailbox *b = &mb->base;
	size_t i, j = 0;

	if (mb->orig != NULL || mb->view_cap == 0)
		return;
	mb->orig = xmalloc(mb->view_cap * sizeof(mb->orig[0]));
	for (i = 0; i < b->count; i++) {
		while (j < mb->nrecs && mb->recs[j].uid < b->msgs[i].uid)
			j++;
		if (j < mb->nrecs && mb->recs[j].uid == b->msgs[i].uid) {
			mb->orig[i].flags = mb->recs[j].want_flags;
			mb->orig[i].kw = mb->recs[j].want_kw;
		} else {
			/* cannot be (the view's UIDs are all recorded until
			 * a sync): what the view shows */
			mb->orig[i].flags = b->msgs[i].flags &
					    ~(unsigned)STORE_RECENT;
			mb->orig[i].kw = b->msgs[i].keywords;
		}
	}
}

/* This session's flag changes go into the records (by UID). */
static void apply_view_changes(struct mbox_mailbox *mb)
{
	struct store_mailbox *b = &mb->base;
	size_t i, j = 0;

	if (!b->dirty || b->mode == STORE_OPEN_RO)
		return;
	for (i = 0; i < b->count; i++) {
		struct store_msg *v = &b->msgs[i];
		unsigned vf = v->flags & ~(unsigned)STORE_RECENT;
		struct mbox_rec *r;
		unsigned changed;
		uint64_t kchanged;

		/* Both in UID order: a merge. */
		while (j < mb->nrecs && mb->recs[j].uid < v->uid)
			j++;
		r = j < mb->nrecs && mb->recs[j].uid == v->uid ? &mb->recs[j] :
			NULL;
		if (mb->orig != NULL) {
			changed = vf ^ mb->orig[i].flags;
			kchanged = v->keywords ^ mb->orig[i].kw;
		} else if (r != NULL) {
			changed = vf ^ r->want_flags;
			kchanged = v->keywords ^ r->want_kw;
		} else {
			continue;
		}
		if (changed == 0 && kchanged == 0)
			continue;
		if (r == NULL)
			continue;
		r->want_flags = (r->want_flags & ~changed) | (vf & changed);
		r->want_kw = (r->want_kw & ~kchanged) | (v->keywords & kchanged);
		if (mb->orig != NULL) {
			mb->orig[i].flags = vf;
			mb->orig[i].kw = v->keywords;
		}
		mb->file_dirty = 1;
	}
	b->dirty = 0;
}

/* Room for n view messages (and their orig when there is one). */
static void view_reserve(struct mbox_mailbox *mb, size_t n)
{
	struct store_mailbox *b = &mb->base;

	if (n <= mb->view_cap)
		return;
	mb->view_cap = n;
	b->msgs = xrealloc(b->msgs, n * sizeof(b->msgs[0]));
	if (mb->orig != NULL)
		mb->orig = xrealloc(mb->orig, n * sizeof(mb->orig[0]));
}

static void view_add(struct mbox_mailbox *mb, const struct mbox_rec *r)
{
	struct store_mailbox *b = &mb->base;
	struct store_msg *v;
	int recent;

	if (b->count == mb->view_cap)
		view_reserve(mb, mb->view_cap < 32 ? 64 : mb->view_cap * 2);
	/* Every mode shows \Recent; only RW takes it (view_update). */
	recent = r->uid >= mb->first_recent_uid && !r->had_o;
	v = &b->msgs[b->count];
	v->uid = r->uid;
	v->flags = r->want_flags | (recent ? STORE_RECENT : 0);
	v->keywords = r->want_kw;
	v->size = r->size;
	v->internal_date = r->date;
	if (mb->orig != NULL) {
		mb->orig[b->count].flags = r->want_flags;
		mb->orig[b->count].kw = r->want_kw;
	}
	b->count++;
}

static void view_remove(struct mbox_mailbox *mb, size_t idx)
{
	struct store_mailbox *b = &mb->base;

	memmove(&b->msgs[idx], &b->msgs[idx + 1],
		(b->count - idx - 1) * sizeof(b->msgs[0]));
	if (mb->orig != NULL)
		memmove(&mb->orig[idx], &mb->orig[idx + 1],
			(b->count - idx - 1) * sizeof(mb->orig[0]));
	b->count--;
}

/* After the file was read or written: tell the view what happened. */
static void view_update(struct mbox_mailbox *mb,
			const struct store_sync_cb *cb)
{
	struct store_mailbox *b = &mb->base;
	size_t i, j = 0, before;
	uint32_t last;

	for (i = 0; i < b->count;) {
		uint32_t uid = b->msgs[i].uid;
		struct mbox_rec *r;

		/* Both are in UID order: a merge, not a search per message. */
		while (j < mb->nrecs && mb->recs[j].uid < uid)
			j++;
		r = j < mb->nrecs && mb->recs[j].uid == uid ? &mb->recs[j] :
			NULL;
		if (r == NULL || r->expunge) {
			view_remove(mb, i);
			if (cb != NULL && cb->expunged != NULL)
				cb->expunged(cb->ctx, i, uid);
			continue;
		}
		/* (without orig the records are what the view saw) */
		if (mb->orig != NULL && (r->want_flags != mb->orig[i].flags ||
					 r->want_kw != mb->orig[i].kw)) {
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
		if (mb->recs[i].uid > last && !mb->recs[i].expunge)
			view_add(mb, &mb->recs[i]);
	b->uidnext = mb->st.next_uid;
	if (b->mode == STORE_OPEN_RW && mb->first_recent_uid < b->uidnext)
		mb->first_recent_uid = b->uidnext;
	if (b->count != before && cb != NULL && cb->appended != NULL)
		cb->appended(cb->ctx, b->count);
}

static void mailbox_free(struct mbox_mailbox *mb)
{
	store_mailbox_free_common(&mb->base);
	free(mb->path);
	free(mb->index_dir);
	free(mb->index_path);
	free(mb->hostname);
	store_mbox_index_recs_free(mb);
	free(mb->orig);
	free(mb);
}

static int mbox_open(struct store_user *u, const char *name,
		     enum store_open_mode mode, mtime_t now,
		     struct store_mailbox **mb_out, struct err *e)
{
	struct mbox_mailbox *mb;
	struct stat st;
	size_t i;

	mb = xcalloc(1, sizeof(*mb));
	mb->base.name = xstrdup(name);
	mb->base.mode = mode;
	mb->path = folder_path(u, name);
	mb->index_dir = folder_index_dir(u, name);
	mb->index_path = xasprintf("%s/maillab.index", mb->index_dir);
	mb->hostname = xstrdup(u->hostname);
	mb->first_recent_uid = 1;

	if (stat(mb->path, &st) < 0) {
		int fd;

		if (errno != ENOENT || !store_is_inbox(name)) {
			err_set(e, ENOENT, "Mailbox doesn't exist: %s", name);
			goto fail;
		}
		/* Dovecot creates the INBOX file on first login (POP3
		 * 04-empty-mailbox: an empty /var/mail/bob appears). */
		fd = open(mb->path, O_WRONLY | O_CREAT, 0600);
		if (fd < 0) {
			err_set(e, errno, "open(%s) failed: %s", mb->path,
				strerror(errno));
			goto fail;
		}
		close(fd);
	} else if (S_ISDIR(st.st_mode)) {
		err_set(e, ENOENT, "Mailbox isn't selectable: %s", name);
		goto fail;
	}
	(void)fs_mkdirs(mb->index_dir, 0700);

	if (store_mbox_index_load(mb) == 0) {
		mb->f_ino = 0;
		if (store_mbox_refresh(mb, now, e) < 0)
			goto fail;
	}
	if (mb->st.uidvalidity != 0)
		mb->base.uidvalidity = mb->st.uidvalidity;
	else if (mb->idx_uidvalidity != 0)
		mb->base.uidvalidity = mb->idx_uidvalidity;
	else
		mb->base.uidvalidity = (uint32_t)(now / 1000);
	if (mb->base.uidvalidity == 0)
		mb->base.uidvalidity = 1;
	update_dirty(mb);
	view_reserve(mb, mb->nrecs);
	for (i = 0; i < mb->nrecs; i++)
		view_add(mb, &mb->recs[i]);
	mb->base.uidnext = mb->st.next_uid;
	if (mode == STORE_OPEN_RW)
		mb->first_recent_uid = mb->st.next_uid;
	store_mbox_index_save(mb);
	*mb_out = &mb->base;
	return 0;
fail:
	mailbox_free(mb);
	return -1;
}

static void mbox_close(struct store_mailbox *b)
{
	struct mbox_mailbox *mb = (struct mbox_mailbox *)b;

	/* store_mailbox_close() synced (and so wrote) a RW mailbox. */
	store_mbox_index_save(mb);
	mailbox_free(mb);
}

static int mbox_read(struct store_mailbox *b, size_t idx, struct buf *out,
		     struct err *e)
{
	struct mbox_mailbox *mb = (struct mbox_mailbox *)b;
	struct mbox_rec *r;
	struct buf raw;
	int fd, rc;

	if (store_mbox_refresh(mb, 0, e) < 0)
		return -1;
	r = store_mbox_rec(mb, b->msgs[idx].uid);
	if (r == NULL)
		return err_set(e, ENOENT, "Message UID %u was expunged",
			       b->msgs[idx].uid);
	fd = open(mb->path, O_RDONLY);
	if (fd < 0)
		return err_set(e, errno, "open(%s) failed: %s", mb->path,
			       strerror(errno));
	buf_init(&raw);
	rc = read_fd(fd, r->hdr_off, r->end_off - r->hdr_off, &raw, e);
	close(fd);
	if (rc == 0 && raw.len != r->end_off - r->hdr_off)
		rc = err_set(e, EIO, "mbox %s changed while reading it",
			     mb->path);
	if (rc == 0) {
		size_t hlen = (size_t)(r->body_off - r->hdr_off);

		store_mbox_parse_filter_header(out, raw.data, hlen);
		store_add_crlf(out, raw.data + hlen, raw.len - hlen);
	}
	buf_reset(&raw);
	return rc;
}

static int mbox_sync(struct store_mailbox *b, const struct store_sync_cb *cb,
		     mtime_t now, struct err *e)
{
	struct mbox_mailbox *mb = (struct mbox_mailbox *)b;
	int rc = 0;

	apply_view_changes(mb);
	if (store_mbox_refresh(mb, now, e) < 0)
		return -1;
	if (b->mode != STORE_OPEN_RO && mb->file_dirty)
		rc = store_mbox_write(mb, now, e);
	view_update(mb, cb);
	store_mbox_index_save(mb);
	return rc;
}

static int mbox_expunge(struct store_mailbox *b, store_expunge_fn *fn,
			void *ctx, mtime_t now, struct err *e)
{
	struct mbox_mailbox *mb = (struct mbox_mailbox *)b;
	struct store_sync_cb cb = { fn, NULL, NULL, ctx };
	size_t i;
	int rc;

	apply_view_changes(mb);
	if (store_mbox_refresh(mb, now, e) < 0)
		return -1;
	for (i = 0; i < mb->nrecs; i++) {
		if (mb->recs[i].want_flags & STORE_DELETED) {
			mb->recs[i].expunge = 1;
			mb->file_dirty = 1;
		}
	}
	rc = store_mbox_write(mb, now, e);
	if (rc < 0) {
		for (i = 0; i < mb->nrecs; i++)
			mb->recs[i].expunge = 0;
		return -1;
	}
	/* Only the removals are reported here; new mail waits for a sync. */
	for (i = 0; i < b->count;) {
		uint32_t uid = b->msgs[i].uid;

		if (store_mbox_rec(mb, uid) == NULL) {
			view_remove(mb, i);
			if (cb.expunged != NULL)
				cb.expunged(ctx, i, uid);
			continue;
		}
		i++;
	}
	store_mbox_index_save(mb);
	return 0;
}

static int mbox_append(struct store_mailbox *b, const void *data, size_t len,
		       unsigned flags, uint64_t keywords, int64_t date,
		       mtime_t now, uint32_t *uid_out, struct err *e)
{
	struct mbox_mailbox *mb = (struct mbox_mailbox *)b;
	int rc;

	rc = store_mbox_write_append(mb, data, len, flags, keywords, date,
				     now, uid_out, e);
	if (rc == 0)
		store_mbox_index_save(mb);
	return rc;
}

static const struct store_ops mbox_ops = {
	.name = "mbox",
	.user_free = mbox_user_free,
	.list = mbox_list,
	.create = mbox_create,
	.delete = mbox_delete,
	.rename = mbox_rename,
	.subscribe = mbox_subscribe,
	.open = mbox_open,
	.close = mbox_close,
	.read = mbox_read,
	.sync = mbox_sync,
	.expunge = mbox_expunge,
	.append = mbox_append,
};

struct store_user *store_mbox_user_new(void)
{
	struct store_user *u = xcalloc(1, sizeof(*u));

	u->ops = &mbox_ops;
	return u;
}
