/*
 * store_ram: a mail store in memory, for unit tests of the engines
 * (location "ram:"). It behaves like the file backends as seen through
 * store.h (UIDs, UIDVALIDITY, \Recent, views that change only on sync),
 * but nothing survives store_user_free().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "store/store_int.h"

struct ram_msg {
	uint32_t uid;
	unsigned flags;		/* without STORE_RECENT */
	char **kw;		/* keyword names, owned */
	size_t nkw;
	int64_t date;
	char *data;		/* LF line ends */
	size_t len;
};

struct ram_folder {
	char *name;
	int deleted;		/* kept alive for views still open */
	int subscribed;
	uint32_t uidvalidity;
	uint32_t uidnext;
	uint32_t first_recent_uid;
	struct ram_msg *msgs;
	size_t count;
};

struct ram_user {
	struct store_user base;
	struct ram_folder **folders;
	size_t nfolders;
};

/* The view's flags as last synced, to find what this session changed. */
struct ram_orig {
	unsigned flags;
	uint64_t kw;
};

struct ram_mailbox {
	struct store_mailbox base;
	struct ram_folder *f;	/* borrowed from the user */
	struct ram_orig *orig;	/* parallel to base.msgs */
};

static const struct store_ops ram_ops;

static struct ram_folder *find_folder(struct ram_user *ru, const char *name)
{
	size_t i;

	for (i = 0; i < ru->nfolders; i++)
		if (!ru->folders[i]->deleted &&
		    strcmp(ru->folders[i]->name, name) == 0)
			return ru->folders[i];
	return NULL;
}

static struct ram_folder *add_folder(struct ram_user *ru, const char *name,
				     mtime_t now)
{
	struct ram_folder *f = xcalloc(1, sizeof(*f));

	f->name = xstrdup(name);
	f->uidvalidity = (uint32_t)(now / 1000);
	f->uidnext = 1;
	f->first_recent_uid = 1;
	ru->folders = xrealloc(ru->folders,
			       (ru->nfolders + 1) * sizeof(ru->folders[0]));
	ru->folders[ru->nfolders++] = f;
	return f;
}

static void msg_free(struct ram_msg *m)
{
	size_t i;

	for (i = 0; i < m->nkw; i++)
		free(m->kw[i]);
	free(m->kw);
	free(m->data);
}

static void ram_user_free(struct store_user *u)
{
	struct ram_user *ru = (struct ram_user *)u;
	size_t i, j;

	for (i = 0; i < ru->nfolders; i++) {
		struct ram_folder *f = ru->folders[i];

		for (j = 0; j < f->count; j++)
			msg_free(&f->msgs[j]);
		free(f->msgs);
		free(f->name);
		free(f);
	}
	free(ru->folders);
	free(ru);
}

static int ram_list(struct store_user *u, struct store_folders *out,
		    struct err *e)
{
	struct ram_user *ru = (struct ram_user *)u;
	size_t i;

	(void)e;
	if (find_folder(ru, "INBOX") == NULL)
		store_folders_add(out, "INBOX", STORE_FOLDER_HASNOCHILDREN);
	for (i = 0; i < ru->nfolders; i++) {
		struct ram_folder *f = ru->folders[i];

		if (!f->deleted)
			store_folders_add(out, f->name,
					  STORE_FOLDER_HASNOCHILDREN |
					  (f->subscribed ? STORE_FOLDER_SUBSCRIBED : 0));
	}
	return 0;
}

static int ram_create(struct store_user *u, const char *name, mtime_t now,
		      struct err *e)
{
	(void)e;
	add_folder((struct ram_user *)u, name, now);
	return 0;
}

static int ram_delete(struct store_user *u, const char *name, struct err *e)
{
	struct ram_folder *f = find_folder((struct ram_user *)u, name);

	if (f == NULL)
		return err_set(e, ENOENT, "Mailbox doesn't exist: %s", name);
	f->deleted = 1;
	return 0;
}

static int ram_rename(struct store_user *u, const char *from, const char *to,
		      struct err *e)
{
	struct ram_folder *f = find_folder((struct ram_user *)u, from);

	if (f == NULL)
		return err_set(e, ENOENT, "Mailbox doesn't exist: %s", from);
	free(f->name);
	f->name = xstrdup(to);
	return 0;
}

static int ram_subscribe(struct store_user *u, const char *name, int on,
			 struct err *e)
{
	struct ram_user *ru = (struct ram_user *)u;
	struct ram_folder *f = find_folder(ru, name);

	(void)e;
	if (f == NULL)
		f = add_folder(ru, name, 0), f->deleted = 1;
	f->subscribed = on;
	return 0;
}

/* The bit of keyword `name` in the view, created when missing. */
static uint64_t view_kw_bit(struct store_mailbox *mb, const char *name)
{
	int k = store_mailbox_keyword(mb, name, 1);

	return k < 0 ? 0 : (uint64_t)1 << k;
}

static uint64_t msg_kw_mask(struct store_mailbox *mb, const struct ram_msg *m)
{
	uint64_t kw = 0;
	size_t i;

	for (i = 0; i < m->nkw; i++)
		kw |= view_kw_bit(mb, m->kw[i]);
	return kw;
}

static void msg_set_kw(struct store_mailbox *mb, struct ram_msg *m,
		       uint64_t kw)
{
	size_t i;

	for (i = 0; i < m->nkw; i++)
		free(m->kw[i]);
	free(m->kw);
	m->kw = NULL;
	m->nkw = 0;
	for (i = 0; i < mb->nkeywords; i++) {
		if (kw & ((uint64_t)1 << i)) {
			m->kw = xrealloc(m->kw, (m->nkw + 1) * sizeof(char *));
			m->kw[m->nkw++] = xstrdup(mb->keywords[i]);
		}
	}
}

static void view_add(struct ram_mailbox *rm, const struct ram_msg *m,
		     int recent)
{
	struct store_mailbox *mb = &rm->base;
	struct store_msg *v;

	mb->msgs = xrealloc(mb->msgs, (mb->count + 1) * sizeof(mb->msgs[0]));
	rm->orig = xrealloc(rm->orig, (mb->count + 1) * sizeof(rm->orig[0]));
	v = &mb->msgs[mb->count];
	v->uid = m->uid;
	v->flags = m->flags | (recent ? STORE_RECENT : 0);
	v->keywords = msg_kw_mask(mb, m);
	v->size = store_crlf_size(m->data, m->len);
	v->internal_date = m->date;
	rm->orig[mb->count].flags = m->flags;
	rm->orig[mb->count].kw = v->keywords;
	mb->count++;
}

static void view_remove(struct ram_mailbox *rm, size_t idx)
{
	struct store_mailbox *mb = &rm->base;

	memmove(&mb->msgs[idx], &mb->msgs[idx + 1],
		(mb->count - idx - 1) * sizeof(mb->msgs[0]));
	memmove(&rm->orig[idx], &rm->orig[idx + 1],
		(mb->count - idx - 1) * sizeof(rm->orig[0]));
	mb->count--;
}

static struct ram_msg *folder_msg(struct ram_folder *f, uint32_t uid)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (f->msgs[i].uid == uid)
			return &f->msgs[i];
	return NULL;
}

static int ram_open(struct store_user *u, const char *name,
		    enum store_open_mode mode, mtime_t now,
		    struct store_mailbox **mb_out, struct err *e)
{
	struct ram_user *ru = (struct ram_user *)u;
	struct ram_folder *f = find_folder(ru, name);
	struct ram_mailbox *rm;
	size_t i;

	if (f == NULL) {
		if (strcmp(name, "INBOX") != 0)
			return err_set(e, ENOENT, "Mailbox doesn't exist: %s",
				       name);
		f = add_folder(ru, name, now);
	}
	rm = xcalloc(1, sizeof(*rm));
	rm->f = f;
	rm->base.name = xstrdup(name);
	rm->base.uidvalidity = f->uidvalidity;
	for (i = 0; i < f->count; i++)
		view_add(rm, &f->msgs[i],
			 f->msgs[i].uid >= f->first_recent_uid);
	rm->base.uidnext = f->uidnext;
	if (mode == STORE_OPEN_RW)
		f->first_recent_uid = f->uidnext;
	*mb_out = &rm->base;
	return 0;
}

static void ram_close(struct store_mailbox *mb)
{
	struct ram_mailbox *rm = (struct ram_mailbox *)mb;

	store_mailbox_free_common(mb);
	free(rm->orig);
	free(rm);
}

static int ram_read(struct store_mailbox *mb, size_t idx, struct buf *out,
		    struct err *e)
{
	struct ram_mailbox *rm = (struct ram_mailbox *)mb;
	struct ram_msg *m = folder_msg(rm->f, mb->msgs[idx].uid);

	if (m == NULL)
		return err_set(e, ENOENT, "Message UID %u was expunged",
			       mb->msgs[idx].uid);
	store_add_crlf(out, m->data, m->len);
	return 0;
}

/* Writes what this view changed (compared with orig). */
static void write_changes(struct ram_mailbox *rm)
{
	struct store_mailbox *mb = &rm->base;
	size_t i;

	if (mb->mode == STORE_OPEN_RO || !mb->dirty)
		return;
	for (i = 0; i < mb->count; i++) {
		struct store_msg *v = &mb->msgs[i];
		struct ram_msg *m;
		unsigned vf = v->flags & ~(unsigned)STORE_RECENT;

		if (vf == rm->orig[i].flags && v->keywords == rm->orig[i].kw)
			continue;
		m = folder_msg(rm->f, v->uid);
		if (m == NULL)
			continue;
		/* Only the bits this session changed, so that another
		 * session's changes to other bits survive. */
		m->flags = (m->flags & ~(vf ^ rm->orig[i].flags)) |
			   (vf & (vf ^ rm->orig[i].flags));
		msg_set_kw(mb, m, (msg_kw_mask(mb, m) &
				   ~(v->keywords ^ rm->orig[i].kw)) |
				  (v->keywords & (v->keywords ^ rm->orig[i].kw)));
		rm->orig[i].flags = m->flags;
		rm->orig[i].kw = msg_kw_mask(mb, m);
	}
	mb->dirty = 0;
}

static int ram_sync(struct store_mailbox *mb, const struct store_sync_cb *cb,
		    mtime_t now, struct err *e)
{
	struct ram_mailbox *rm = (struct ram_mailbox *)mb;
	struct ram_folder *f = rm->f;
	uint32_t last;
	size_t i;

	(void)now;
	(void)e;
	write_changes(rm);
	for (i = 0; i < mb->count;) {
		struct ram_msg *m = folder_msg(f, mb->msgs[i].uid);
		uint32_t uid = mb->msgs[i].uid;

		if (m == NULL || f->deleted) {
			view_remove(rm, i);
			if (cb != NULL && cb->expunged != NULL)
				cb->expunged(cb->ctx, i, uid);
			continue;
		}
		if (m->flags != rm->orig[i].flags ||
		    msg_kw_mask(mb, m) != rm->orig[i].kw) {
			mb->msgs[i].flags = m->flags |
				(mb->msgs[i].flags & STORE_RECENT);
			mb->msgs[i].keywords = msg_kw_mask(mb, m);
			rm->orig[i].flags = m->flags;
			rm->orig[i].kw = mb->msgs[i].keywords;
			if (cb != NULL && cb->flags_changed != NULL)
				cb->flags_changed(cb->ctx, i);
		}
		i++;
	}
	last = mb->count > 0 ? mb->msgs[mb->count - 1].uid : 0;
	if (f->deleted)
		return 0;
	{
		size_t before = mb->count;

		for (i = 0; i < f->count; i++) {
			if (f->msgs[i].uid <= last)
				continue;
			view_add(rm, &f->msgs[i],
				 f->msgs[i].uid >= f->first_recent_uid);
		}
		if (mb->mode == STORE_OPEN_RW)
			f->first_recent_uid = f->uidnext;
		mb->uidnext = f->uidnext;
		if (mb->count != before && cb != NULL && cb->appended != NULL)
			cb->appended(cb->ctx, mb->count);
	}
	return 0;
}

static int ram_expunge(struct store_mailbox *mb, store_expunge_fn *fn,
		       void *ctx, mtime_t now, struct err *e)
{
	struct ram_mailbox *rm = (struct ram_mailbox *)mb;
	struct ram_folder *f = rm->f;
	size_t i;

	(void)now;
	(void)e;
	write_changes(rm);
	for (i = 0; i < mb->count;) {
		struct ram_msg *m = folder_msg(f, mb->msgs[i].uid);
		uint32_t uid = mb->msgs[i].uid;

		if (m == NULL || !(m->flags & STORE_DELETED)) {
			i++;
			continue;
		}
		msg_free(m);
		memmove(m, m + 1, (size_t)(&f->msgs[f->count] - (m + 1)) *
			sizeof(*m));
		f->count--;
		view_remove(rm, i);
		if (fn != NULL)
			fn(ctx, i, uid);
	}
	return 0;
}

static int ram_append(struct store_mailbox *mb, const void *data, size_t len,
		      unsigned flags, uint64_t keywords, int64_t date,
		      mtime_t now, uint32_t *uid_out, struct err *e)
{
	struct ram_mailbox *rm = (struct ram_mailbox *)mb;
	struct ram_folder *f = rm->f;
	struct ram_msg *m;
	struct buf b;

	(void)now;
	if (f->deleted)
		return err_set(e, ENOENT, "Mailbox doesn't exist: %s", mb->name);
	f->msgs = xrealloc(f->msgs, (f->count + 1) * sizeof(f->msgs[0]));
	m = &f->msgs[f->count++];
	memset(m, 0, sizeof(*m));
	m->uid = f->uidnext++;
	m->flags = flags;
	m->date = date;
	buf_init(&b);
	store_add_lf(&b, data, len);
	m->data = buf_steal(&b, &m->len);
	msg_set_kw(mb, m, keywords);
	*uid_out = m->uid;
	return 0;
}

static const struct store_ops ram_ops = {
	.name = "ram",
	.user_free = ram_user_free,
	.list = ram_list,
	.create = ram_create,
	.delete = ram_delete,
	.rename = ram_rename,
	.subscribe = ram_subscribe,
	.open = ram_open,
	.close = ram_close,
	.read = ram_read,
	.sync = ram_sync,
	.expunge = ram_expunge,
	.append = ram_append,
};

struct store_user *store_ram_user_new(void)
{
	struct ram_user *ru = xcalloc(1, sizeof(*ru));

	ru->base.ops = &ram_ops;
	return &ru->base;
}
