/*
 * store: the format-independent half of the mailbox API. Parses Dovecot's
 * mail_location, dispatches to the backend's ops table and does what is
 * the same for every format (flag arithmetic, keyword names, copy).
 */
#include "store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "store/store_int.h"

static const struct {
	unsigned flag;
	const char *name;
} flag_names[] = {
	{ STORE_SEEN, "\\Seen" },
	{ STORE_ANSWERED, "\\Answered" },
	{ STORE_FLAGGED, "\\Flagged" },
	{ STORE_DELETED, "\\Deleted" },
	{ STORE_DRAFT, "\\Draft" },
	{ STORE_RECENT, "\\Recent" },
};

const char *store_flag_name(unsigned flag)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(flag_names); i++)
		if (flag_names[i].flag == flag)
			return flag_names[i].name;
	return NULL;
}

/*
 * Expands Dovecot's variables in one mail_location part: ~ and %h (home),
 * %u (user), %n (user without @domain), %d (domain), %% (a percent sign).
 * An absolute result is put under sysroot.
 */
char *store_expand_path(const struct store_user *u, const char *in)
{
	struct buf b;
	const char *p;
	char *s;

	buf_init(&b);
	for (p = in; *p != '\0'; p++) {
		if (p == in && *p == '~' && (p[1] == '/' || p[1] == '\0')) {
			buf_adds(&b, u->home);
		} else if (*p == '%' && p[1] != '\0') {
			const char *at = strchr(u->username, '@');

			p++;
			switch (*p) {
			case 'u':
				buf_adds(&b, u->username);
				break;
			case 'n':
				buf_add(&b, u->username, at != NULL ?
					(size_t)(at - u->username) :
					strlen(u->username));
				break;
			case 'd':
				if (at != NULL)
					buf_adds(&b, at + 1);
				break;
			case 'h':
				buf_adds(&b, u->home);
				break;
			default:
				buf_addc(&b, *p);
				break;
			}
		} else {
			buf_addc(&b, *p);
		}
	}
	if (b.len > 0 && b.data[0] == '/' && u->sysroot[0] != '\0')
		s = xasprintf("%s%s", u->sysroot, b.data);
	else
		s = xstrdup(b.data != NULL ? b.data : "");
	buf_reset(&b);
	return s;
}

struct store_user *store_user_open(const char *location, const char *user,
				   const char *home, const char *sysroot,
				   struct err *e)
{
	struct store_user *u;
	const char *colon = strchr(location, ':');
	char *fmt, *rest, *part, *save = NULL;
	char *root = NULL, *inbox = NULL, *index = NULL;
	int first = 1;

	if (colon == NULL) {
		err_set(e, EINVAL, "mail_location %s: missing format (mbox:, maildir:)",
			location);
		return NULL;
	}
	fmt = xstrndup(location, (size_t)(colon - location));
	if (strcmp(fmt, "mbox") == 0)
		u = store_mbox_user_new();
	else if (strcmp(fmt, "maildir") == 0)
		u = store_maildir_user_new();
	else if (strcmp(fmt, "ram") == 0)
		u = store_ram_user_new();
	else {
		err_set(e, EINVAL, "mail_location %s: unknown mailbox format %s",
			location, fmt);
		free(fmt);
		return NULL;
	}
	free(fmt);
	u->username = xstrdup(user);
	u->home = xstrdup(home != NULL ? home : "");
	u->sysroot = xstrdup(sysroot != NULL ? sysroot : "");
	/* A trailing '/' on sysroot would double the slash. */
	if (u->sysroot[0] != '\0' &&
	    u->sysroot[strlen(u->sysroot) - 1] == '/')
		u->sysroot[strlen(u->sysroot) - 1] = '\0';
	u->location = xstrdup(location);
	u->hostname = xstrdup("localhost");

	/* Dovecot: format:root[:KEY=value]... (mail_location(5)). */
	rest = xstrdup(colon + 1);
	for (part = strtok_r(rest, ":", &save); part != NULL;
	     part = strtok_r(NULL, ":", &save), first = 0) {
		if (first && strchr(part, '=') == NULL) {
			root = store_expand_path(u, part);
		} else if (strncasecmp(part, "INBOX=", 6) == 0) {
			free(inbox);
			inbox = store_expand_path(u, part + 6);
		} else if (strncasecmp(part, "INDEX=", 6) == 0) {
			free(index);
			index = store_expand_path(u, part + 6);
		}
		/* Other keys (LAYOUT, CONTROL, ...) are not modelled. */
	}
	free(rest);
	if (root == NULL && strcmp(u->ops->name, "ram") != 0) {
		/* Dovecot's autodetection; we only take what Debian ships. */
		root = store_expand_path(u, strcmp(u->ops->name, "mbox") == 0 ?
					 "~/mail" : "~/Maildir");
	}
	if (root == NULL)
		root = xstrdup("");
	u->root_path = root;
	if (inbox == NULL)
		inbox = strcmp(u->ops->name, "mbox") == 0 ?
			xasprintf("%s/inbox", root) : xstrdup(root);
	u->inbox_path = inbox;
	if (index == NULL)
		index = strcmp(u->ops->name, "mbox") == 0 ?
			xasprintf("%s/.imap", root) : xstrdup(root);
	u->index_path = index;
	return u;
}

void store_user_free(struct store_user **up)
{
	struct store_user *u = *up;

	if (u == NULL)
		return;
	*up = NULL;
	free(u->username);
	free(u->home);
	free(u->sysroot);
	free(u->location);
	free(u->inbox_path);
	free(u->root_path);
	free(u->index_path);
	free(u->hostname);
	u->ops->user_free(u);
}

void store_user_set_hostname(struct store_user *u, const char *name)
{
	free(u->hostname);
	u->hostname = xstrdup(name);
}

int store_is_inbox(const char *name)
{
	return strcasecmp(name, "INBOX") == 0;
}

static int folder_cmp(const void *a, const void *b)
{
	const struct store_folder *x = a, *y = b;

	if (store_is_inbox(x->name) != store_is_inbox(y->name))
		return store_is_inbox(x->name) ? -1 : 1;
	return strcmp(x->name, y->name);
}

int store_list(struct store_user *u, struct store_folders *out,
	       struct err *e)
{
	out->v = NULL;
	out->n = 0;
	if (u->ops->list(u, out, e) < 0)
		return -1;
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(out->v[0]), folder_cmp);
	return 0;
}

void store_folders_free(struct store_folders *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i].name);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

void store_folders_add(struct store_folders *f, const char *name,
		       unsigned attrs)
{
	f->v = xrealloc(f->v, (f->n + 1) * sizeof(f->v[0]));
	f->v[f->n].name = xstrdup(name);
	f->v[f->n].attrs = attrs;
	f->n++;
}

int store_exists(struct store_user *u, const char *name)
{
	struct store_folders f;
	struct err e;
	size_t i;
	int found = 0;

	if (store_is_inbox(name))
		return 1;
	if (store_list(u, &f, &e) < 0)
		return 0;
	for (i = 0; i < f.n && !found; i++)
		found = strcmp(f.v[i].name, name) == 0;
	store_folders_free(&f);
	return found;
}

/*
 * Folder names reach file names: refuse what would escape the root or
 * clash with Dovecot's own files (Dovecot refuses these too).
 */
int store_check_name(const char *name, struct err *e)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '/' || strstr(name, "//") != NULL ||
	    name[strlen(name) - 1] == '/')
		return err_set(e, EINVAL, "Invalid mailbox name: %s", name);
	for (p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(e, EINVAL, "Invalid mailbox name: %s", name);
		if ((p == name || p[-1] == '/') && p[0] == '.')
			return err_set(e, EINVAL, "Invalid mailbox name: %s", name);
	}
	return 0;
}

int store_create(struct store_user *u, const char *name, mtime_t now,
		 struct err *e)
{
	if (store_is_inbox(name) || store_exists(u, name))
		return err_set(e, EEXIST, "Mailbox already exists");
	if (store_check_name(name, e) < 0)
		return -1;
	return u->ops->create(u, name, now, e);
}

int store_delete(struct store_user *u, const char *name, struct err *e)
{
	if (store_is_inbox(name))
		return err_set(e, EPERM, "INBOX can't be deleted.");
	if (!store_exists(u, name))
		return err_set(e, ENOENT, "Mailbox doesn't exist: %s", name);
	return u->ops->delete(u, name, e);
}

int store_rename(struct store_user *u, const char *from, const char *to,
		 struct err *e)
{
	if (!store_exists(u, from))
		return err_set(e, ENOENT, "Mailbox doesn't exist: %s", from);
	if (store_is_inbox(to) || store_exists(u, to))
		return err_set(e, EEXIST, "Target mailbox already exists");
	if (store_check_name(to, e) < 0)
		return -1;
	return u->ops->rename(u, from, to, e);
}

int store_subscribe(struct store_user *u, const char *name, int on,
		    struct err *e)
{
	return u->ops->subscribe(u, name, on, e);
}

int store_mailbox_open(struct store_user *u, const char *name,
		       enum store_open_mode mode, mtime_t now,
		       struct store_mailbox **mb_out, struct err *e)
{
	*mb_out = NULL;
	if (!store_is_inbox(name) && store_check_name(name, e) < 0)
		return err_set(e, ENOENT, "Mailbox doesn't exist: %s", name);
	if (u->ops->open(u, store_is_inbox(name) ? "INBOX" : name, mode, now,
			 mb_out, e) < 0)
		return -1;
	(*mb_out)->ops = u->ops;
	(*mb_out)->user = u;
	(*mb_out)->mode = mode;
	return 0;
}

void store_mailbox_free_common(struct store_mailbox *mb)
{
	size_t i;

	free(mb->name);
	free(mb->msgs);
	for (i = 0; i < mb->nkeywords; i++)
		free(mb->keywords[i]);
}

void store_mailbox_close(struct store_mailbox **mbp, mtime_t now)
{
	struct store_mailbox *mb = *mbp;
	struct err e;

	if (mb == NULL)
		return;
	*mbp = NULL;
	/* Pending changes reach the storage (Dovecot writes its lazy mbox
	 * changes when the mailbox is closed, too). */
	if (mb->mode != STORE_OPEN_RO)
		(void)mb->ops->sync(mb, NULL, now, &e);
	mb->ops->close(mb);
}

size_t store_mailbox_count(const struct store_mailbox *mb)
{
	return mb->count;
}

const struct store_msg *store_mailbox_msg(const struct store_mailbox *mb,
					  size_t idx)
{
	BUG_ON(idx >= mb->count);
	return &mb->msgs[idx];
}

long store_mailbox_find_uid(const struct store_mailbox *mb, uint32_t uid)
{
	size_t lo = 0, hi = mb->count;

	/* UIDs ascend in the view (RFC 3501 2.3.1.1): binary search. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mb->msgs[mid].uid == uid)
			return (long)mid;
		if (mb->msgs[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

uint32_t store_mailbox_uidvalidity(const struct store_mailbox *mb)
{
	return mb->uidvalidity;
}

uint32_t store_mailbox_uidnext(const struct store_mailbox *mb)
{
	return mb->uidnext;
}

int store_mailbox_readonly(const struct store_mailbox *mb)
{
	return mb->mode == STORE_OPEN_RO;
}

const char *store_mailbox_name(const struct store_mailbox *mb)
{
	return mb->name;
}

int store_mailbox_read(struct store_mailbox *mb, size_t idx, struct buf *out,
		       struct err *e)
{
	BUG_ON(idx >= mb->count);
	return mb->ops->read(mb, idx, out, e);
}

int store_mailbox_set_flags(struct store_mailbox *mb, size_t idx,
			    enum store_flag_op op, unsigned flags,
			    uint64_t keywords)
{
	struct store_msg *m;
	unsigned nf;
	uint64_t nk;

	BUG_ON(idx >= mb->count);
	if (mb->mode == STORE_OPEN_RO)
		return 0;
	m = &mb->msgs[idx];
	flags &= STORE_FLAGS_SETTABLE;
	switch (op) {
	case STORE_FLAGS_REPLACE:
		nf = (m->flags & STORE_RECENT) | flags;
		nk = keywords;
		break;
	case STORE_FLAGS_ADD:
		nf = m->flags | flags;
		nk = m->keywords | keywords;
		break;
	default:
		nf = m->flags & ~flags;
		nk = m->keywords & ~keywords;
		break;
	}
	if (nf == m->flags && nk == m->keywords)
		return 0;
	m->flags = nf;
	m->keywords = nk;
	mb->dirty = 1;
	return 1;
}

int store_mailbox_keyword(struct store_mailbox *mb, const char *name,
			  int create)
{
	size_t i;

	for (i = 0; i < mb->nkeywords; i++)
		if (strcasecmp(mb->keywords[i], name) == 0)
			return (int)i;
	if (!create || mb->nkeywords >= STORE_MAX_KEYWORDS)
		return -1;
	mb->keywords[mb->nkeywords] = xstrdup(name);
	return (int)mb->nkeywords++;
}

size_t store_mailbox_keyword_count(const struct store_mailbox *mb)
{
	return mb->nkeywords;
}

const char *store_mailbox_keyword_name(const struct store_mailbox *mb,
				       size_t i)
{
	BUG_ON(i >= mb->nkeywords);
	return mb->keywords[i];
}

int store_mailbox_sync(struct store_mailbox *mb,
		       const struct store_sync_cb *cb, mtime_t now,
		       struct err *e)
{
	return mb->ops->sync(mb, cb, now, e);
}

int store_mailbox_expunge(struct store_mailbox *mb, store_expunge_fn *fn,
			  void *ctx, mtime_t now, struct err *e)
{
	if (mb->mode == STORE_OPEN_RO)
		return err_set(e, EROFS, "Mailbox is read-only");
	return mb->ops->expunge(mb, fn, ctx, now, e);
}

int store_mailbox_append(struct store_mailbox *mb, const void *data,
			 size_t len, unsigned flags, uint64_t keywords,
			 int64_t date, mtime_t now, uint32_t *uid_out,
			 struct err *e)
{
	uint32_t uid;

	if (date < 0)
		date = now / 1000;
	if (mb->ops->append(mb, data, len, flags & STORE_FLAGS_SETTABLE,
			    keywords, date, now, &uid, e) < 0)
		return -1;
	if (uid_out != NULL)
		*uid_out = uid;
	return 0;
}

int store_mailbox_copy(struct store_mailbox *from, size_t idx,
		       struct store_mailbox *to, mtime_t now,
		       uint32_t *uid_out, struct err *e)
{
	const struct store_msg *m = store_mailbox_msg(from, idx);
	uint64_t kw = 0;
	struct buf b;
	size_t i;
	int rc;

	/* Keywords travel by name: the two mailboxes number them apart. */
	for (i = 0; i < from->nkeywords; i++) {
		if (m->keywords & ((uint64_t)1 << i)) {
			int k = store_mailbox_keyword(to, from->keywords[i], 1);

			if (k >= 0)
				kw |= (uint64_t)1 << k;
		}
	}
	buf_init(&b);
	rc = store_mailbox_read(from, idx, &b, e);
	if (rc == 0)
		rc = store_mailbox_append(to, b.data, b.len, m->flags, kw,
					  m->internal_date, now, uid_out, e);
	buf_reset(&b);
	return rc;
}

uint64_t store_mailbox_total_size(const struct store_mailbox *mb)
{
	uint64_t t = 0;
	size_t i;

	for (i = 0; i < mb->count; i++)
		t += mb->msgs[i].size;
	return t;
}

/* Converts LF line ends to CRLF, keeping CRLF that is already there. */
void store_add_crlf(struct buf *out, const char *p, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r')) {
			buf_add(out, p + start, i - start);
			buf_add(out, "\r\n", 2);
			start = i + 1;
		}
	}
	buf_add(out, p + start, n - start);
}

/* The size store_add_crlf() would produce. */
uint64_t store_crlf_size(const char *p, size_t n)
{
	uint64_t size = n;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			size++;
	return size;
}

/* CRLF -> LF, for storing (Dovecot's mail_save_crlf = no). */
void store_add_lf(struct buf *out, const char *p, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i + 1 < n; i++) {
		if (p[i] == '\r' && p[i + 1] == '\n') {
			buf_add(out, p + start, i - start);
			start = i + 1;
		}
	}
	buf_add(out, p + start, n - start);
}
