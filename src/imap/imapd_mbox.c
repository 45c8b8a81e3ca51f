/*
 * Mailbox commands of RFC 3501 6.3 and 6.4.7: SELECT, EXAMINE, CREATE,
 * DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST (with LIST-EXTENDED RFC
 * 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154), LSUB, STATUS (with
 * STATUS=SIZE RFC 8438), APPEND (MULTIAPPEND RFC 3502, CATENATE RFC 4469
 * with URL-PARTIAL RFC 5550 for URLs into the user's own mailboxes,
 * APPENDUID RFC 4315), COPY and MOVE (RFC 6851, COPYUID). Folder storage
 * is store.h's; the words are Dovecot's (reference 01-session a6-a37).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

/* Debian's conf.d/15-mailboxes.conf: the special-use folders. */
static const struct {
	const char *name, *flag;
} special_use[] = {
	{ "Drafts", "\\Drafts" },
	{ "Junk", "\\Junk" },
	{ "Trash", "\\Trash" },
	{ "Sent", "\\Sent" },
	{ "Sent Messages", "\\Sent" },
};

const char *imapd_mbox_special_use(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(special_use); i++)
		if (strcmp(special_use[i].name, name) == 0)
			return special_use[i].flag;
	return NULL;
}

static int is_inbox(const char *name)
{
	return strcasecmp(name, "INBOX") == 0;
}

/* The mailbox argument, or NULL after a BAD. */
static const char *mailbox_arg(struct imapd *s, struct imapd_cmdctx *c,
			       size_t i)
{
	if (i >= c->nargs || !imapd_arg_is_astring(&c->args[i])) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return NULL;
	}
	/* INBOX is case-insensitive (RFC 3501 5.1) */
	return is_inbox(c->args[i].s) ? "INBOX" : c->args[i].s;
}

static void storage_error(struct imapd *s, struct imapd_cmdctx *c,
			  const char *name, const struct err *e)
{
	if (e->errnum == ENOENT)
		imapd_done(s, c, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s",
			   name);
	else if (e->errnum == EEXIST)
		imapd_done(s, c, "NO", "%s",
			   imapd_reply_text(IMAPD_R_ALREADY_EXISTS));
	else if (e->errnum == 0 || e->errnum == EINVAL || e->errnum == EPERM)
		imapd_done(s, c, "NO", "%s", e->text);
	else
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_STORAGE_ERROR));
}

/* --- SELECT / EXAMINE ------------------------------------------------- */

static void select_common(struct imapd *s, struct imapd_cmdctx *c,
			  mtime_t now, int readonly)
{
	const char *name = mailbox_arg(s, c, 0);
	struct store_mailbox *mb;
	struct err e;
	size_t i, count, unseen = 0;
	int condstore = 0;

	if (name == NULL)
		return;
	for (i = 1; i < c->nargs; i++) {
		/* RFC 7162: (CONDSTORE) / (QRESYNC (...)) */
		size_t j;

		if (c->args[i].type != IMAPD_ARG_LIST) {
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
			return;
		}
		for (j = 0; j < c->args[i].n; j++) {
			const struct imapd_arg *a = &c->args[i].list[j];

			if (imapd_arg_is_atom(a, "CONDSTORE")) {
				condstore = 1;
			} else if (imapd_arg_is_atom(a, "QRESYNC") && s->qresync &&
				   j + 1 < c->args[i].n &&
				   c->args[i].list[j + 1].type == IMAPD_ARG_LIST) {
				j++;
			} else {
				imapd_cmd_error(s, c, "Invalid parameters");
				return;
			}
		}
	}
	if (s->mb != NULL) {
		imapd_close_mailbox(s, now);
		imapd_outf(s, "* OK %s\r\n", imapd_reply_text(IMAPD_R_CLOSED));
	}
	if (store_mailbox_open(s->user, name, readonly ? STORE_OPEN_RO :
			       STORE_OPEN_RW, now, &mb, &e) < 0) {
		if (e.errnum == ENOENT)
			imapd_done(s, c, "NO", imapd_reply_text(IMAPD_R_MAILBOX_NONEXISTENT),
				   name);
		else
			storage_error(s, c, name, &e);
		return;
	}
	if (condstore)
		s->condstore = 1;
	s->mb = mb;
	s->state = IMAPD_ST_SELECTED;
	count = store_mailbox_count(mb);
	for (i = 0; i < count; i++) {
		if (!(store_mailbox_msg(mb, i)->flags & STORE_SEEN)) {
			unseen = i + 1;
			break;
		}
	}
	/* cmd-select.c select_open(): this order */
	imapd_send_flags(s);
	imapd_outf(s, "* %zu EXISTS\r\n", count);
	imapd_outf(s, "* %zu RECENT\r\n", imapd_recent_count(s));
	if (unseen != 0) {
		imapd_out(s, "* OK ", 5);
		imapd_outf(s, imapd_reply_text(IMAPD_R_FIRST_UNSEEN), unseen);
		imapd_out(s, "\r\n", 2);
	}
	imapd_out(s, "* OK ", 5);
	imapd_outf(s, imapd_reply_text(IMAPD_R_UIDS_VALID),
		   store_mailbox_uidvalidity(mb));
	imapd_out(s, "\r\n* OK ", 7);
	imapd_outf(s, imapd_reply_text(IMAPD_R_NEXT_UID),
		   store_mailbox_uidnext(mb));
	imapd_out(s, "\r\n", 2);
	if (s->condstore) {
		/* XXX store.h keeps no modification sequences: RFC 7162
		 * 3.1.2.2 NOMODSEQ, see docs/imap.md */
		imapd_outf(s, "* OK %s\r\n", imapd_reply_text(IMAPD_R_NOMODSEQ));
	}
	imapd_done(s, c, "OK", "%s", imapd_reply_text(readonly ?
		   IMAPD_R_EXAMINE_DONE : IMAPD_R_SELECT_DONE));
}

void imapd_mbox_select(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	select_common(s, c, now, 0);
}

void imapd_mbox_examine(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	select_common(s, c, now, 1);
}

/* --- CREATE / DELETE / RENAME / SUBSCRIBE ----------------------------- */

void imapd_mbox_create(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	const char *arg = mailbox_arg(s, c, 0);
	char *name;
	size_t n;
	struct err e;

	if (arg == NULL)
		return;
	if (c->nargs > 1) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return;
	}
	/* RFC 3501 6.3.3: a trailing separator only says "with children" */
	name = xstrdup(arg);
	n = strlen(name);
	while (n > 1 && name[n - 1] == '/')
		name[--n] = '\0';
	if (is_inbox(name) || store_exists(s->user, name) == 1) {
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_ALREADY_EXISTS));
	} else if (store_create(s->user, name, now, &e) < 0) {
		storage_error(s, c, name, &e);
	} else {
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_CREATE_DONE));
	}
	free(name);
}

void imapd_mbox_delete(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	const char *name = mailbox_arg(s, c, 0);
	struct err e;

	if (name == NULL)
		return;
	if (is_inbox(name)) {
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_INBOX_DELETE));
		return;
	}
	if (store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s",
			   name);
		return;
	}
	/* cmd-delete.c: the selected mailbox is closed first */
	if (s->mb != NULL && strcmp(store_mailbox_name(s->mb), name) == 0)
		imapd_close_mailbox(s, now);
	if (store_delete(s->user, name, &e) < 0)
		storage_error(s, c, name, &e);
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_DELETE_DONE));
}

void imapd_mbox_rename(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	const char *from = mailbox_arg(s, c, 0), *to;
	struct err e;

	(void)now;
	if (from == NULL || (to = mailbox_arg(s, c, 1)) == NULL)
		return;
	if (!is_inbox(from) && store_exists(s->user, from) != 1) {
		imapd_done(s, c, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s",
			   from);
		return;
	}
	if (is_inbox(to) || store_exists(s->user, to) == 1) {
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_ALREADY_EXISTS));
		return;
	}
	if (store_rename(s->user, from, to, &e) < 0)
		storage_error(s, c, from, &e);
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_RENAME_DONE));
}

static void subscribe(struct imapd *s, struct imapd_cmdctx *c, int on)
{
	const char *name = mailbox_arg(s, c, 0);
	struct err e;

	if (name == NULL)
		return;
	if (on && !is_inbox(name) && store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s",
			   name);
		return;
	}
	if (store_subscribe(s->user, name, on, &e) < 0)
		storage_error(s, c, name, &e);
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(on ?
			   IMAPD_R_SUBSCRIBE_DONE : IMAPD_R_UNSUBSCRIBE_DONE));
}

void imapd_mbox_subscribe(struct imapd *s, struct imapd_cmdctx *c,
			  mtime_t now)
{
	(void)now;
	subscribe(s, c, 1);
}

void imapd_mbox_unsubscribe(struct imapd *s, struct imapd_cmdctx *c,
			    mtime_t now)
{
	(void)now;
	subscribe(s, c, 0);
}

/* --- STATUS ----------------------------------------------------------- */

enum {
	ST_MESSAGES = 1 << 0,
	ST_RECENT = 1 << 1,
	ST_UIDNEXT = 1 << 2,
	ST_UIDVALIDITY = 1 << 3,
	ST_UNSEEN = 1 << 4,
	ST_HIGHESTMODSEQ = 1 << 5,
	ST_SIZE = 1 << 6,
};

static const struct {
	const char *name;
	unsigned bit;
} status_items[] = {
	{ "MESSAGES", ST_MESSAGES },
	{ "RECENT", ST_RECENT },
	{ "UIDNEXT", ST_UIDNEXT },
	{ "UIDVALIDITY", ST_UIDVALIDITY },
	{ "UNSEEN", ST_UNSEEN },
	{ "HIGHESTMODSEQ", ST_HIGHESTMODSEQ },
	{ "SIZE", ST_SIZE },
};

/* The items list; -1 with *bad_out naming the wrong item. */
static int parse_status_items(const struct imapd_arg *l, unsigned *out,
			      const char **bad_out)
{
	size_t i, k;

	*out = 0;
	*bad_out = NULL;
	if (l->type != IMAPD_ARG_LIST || l->n == 0)
		return -1;
	for (i = 0; i < l->n; i++) {
		if (l->list[i].type != IMAPD_ARG_ATOM)
			return -1;
		for (k = 0; k < ARRAY_LEN(status_items); k++)
			if (strcasecmp(l->list[i].s, status_items[k].name) == 0)
				break;
		if (k == ARRAY_LEN(status_items)) {
			*bad_out = l->list[i].s;
			return -1;
		}
		*out |= status_items[k].bit;
	}
	return 0;
}

/* "* STATUS name (...)" of an open view, items in Dovecot's order. */
static void write_status(struct imapd *s, const char *name,
			 struct store_mailbox *mb, unsigned items)
{
	struct buf b;
	size_t i, count = store_mailbox_count(mb), unseen = 0, recent = 0;

	for (i = 0; i < count; i++) {
		const struct store_msg *m = store_mailbox_msg(mb, i);

		if (!(m->flags & STORE_SEEN))
			unseen++;
		if (m->flags & STORE_RECENT)
			recent++;
	}
	buf_init(&b);
	buf_adds(&b, "* STATUS ");
	mime_imap_astring(&b, name);
	buf_adds(&b, " (");
	if (items & ST_MESSAGES)
		buf_addf(&b, "MESSAGES %zu ", count);
	if (items & ST_RECENT)
		buf_addf(&b, "RECENT %zu ", recent);
	if (items & ST_UIDNEXT)
		buf_addf(&b, "UIDNEXT %u ", store_mailbox_uidnext(mb));
	if (items & ST_UIDVALIDITY)
		buf_addf(&b, "UIDVALIDITY %u ", store_mailbox_uidvalidity(mb));
	if (items & ST_UNSEEN)
		buf_addf(&b, "UNSEEN %zu ", unseen);
	if (items & ST_HIGHESTMODSEQ)
		buf_adds(&b, "HIGHESTMODSEQ 0 ");	/* NOMODSEQ, RFC 7162 */
	if (items & ST_SIZE)
		buf_addf(&b, "SIZE %llu ",
			 (unsigned long long)store_mailbox_total_size(mb));
	if (b.data[b.len - 1] == ' ')
		b.len--;
	buf_adds(&b, ")\r\n");
	imapd_out(s, b.data, b.len);
	buf_reset(&b);
}

/* STATUS of a mailbox by name: the selected view or a read-only look. */
static int status_of(struct imapd *s, const char *name, unsigned items,
		     mtime_t now, struct err *e)
{
	struct store_mailbox *mb;

	if (s->mb != NULL && strcmp(store_mailbox_name(s->mb), name) == 0) {
		write_status(s, name, s->mb, items);
		return 0;
	}
	if (store_mailbox_open(s->user, name, STORE_OPEN_RO, now, &mb, e) < 0)
		return -1;
	write_status(s, name, mb, items);
	store_mailbox_close(&mb, now);
	return 0;
}

void imapd_mbox_status(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	const char *name = mailbox_arg(s, c, 0), *bad;
	unsigned items;
	struct err e;

	if (name == NULL)
		return;
	if (c->nargs != 2 || parse_status_items(&c->args[1], &items, &bad) < 0) {
		if (bad != NULL) {
			char *msg = xasprintf("Invalid status item %s", bad);

			imapd_cmd_error(s, c, msg);
			free(msg);
		} else {
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		}
		return;
	}
	if (!is_inbox(name) && store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", imapd_reply_text(IMAPD_R_MAILBOX_NONEXISTENT),
			   name);
		return;
	}
	if (status_of(s, name, items, now, &e) < 0) {
		storage_error(s, c, name, &e);
		return;
	}
	/* 01-session a8: STATUS of the selected mailbox is a client bug */
	if (s->mb != NULL && strcmp(store_mailbox_name(s->mb), name) == 0)
		imapd_done(s, c, "OK", "%s",
			   imapd_reply_text(IMAPD_R_STATUS_SELECTED));
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_STATUS_DONE));
}

/* --- LIST / LSUB ------------------------------------------------------ */

/* RFC 3501 6.3.8: '*' matches anything, '%' anything but the separator;
 * the INBOX part matches case-insensitively. */
static int wild_match(const char *pat, const char *name)
{
	for (; *pat != '\0'; pat++, name++) {
		if (*pat == '*' || *pat == '%') {
			const char *n = name;

			if (pat[1] == '\0')
				return *pat == '*' || strchr(name, '/') == NULL;
			for (;; n++) {
				if (wild_match(pat + 1, n))
					return 1;
				if (*n == '\0' || (*pat == '%' && *n == '/'))
					return 0;
			}
		}
		if (*name == '\0' || *pat != *name)
			return 0;
	}
	return *name == '\0';
}

static int list_match(const char *pattern, const char *name)
{
	if (is_inbox(name) && strncasecmp(pattern, "INBOX", 5) == 0) {
		char *p = xasprintf("INBOX%s", pattern + 5);
		int r = wild_match(p, "INBOX");

		free(p);
		return r;
	}
	return wild_match(pattern, name);
}

enum {
	SEL_SUBSCRIBED = 1 << 0,
	SEL_RECURSIVEMATCH = 1 << 1,
	SEL_SPECIALUSE = 1 << 2,
	RET_SUBSCRIBED = 1 << 3,
	RET_CHILDREN = 1 << 4,
	RET_SPECIALUSE = 1 << 5,
	RET_STATUS = 1 << 6,
	LSUB_LINE = 1 << 7,
};

/* imap_mailbox_flags2str() order: \Subscribed, \Noselect, \NonExistent,
 * children info, \Marked/\UnMarked, then the special-use flag. */
static void write_attrs(struct buf *b, unsigned attrs, const char *name,
			unsigned opts, int nonexistent)
{
	size_t start = b->len;
	/* LSUB has no special-use (RFC 6154 lists them in LIST) */
	const char *su = opts & LSUB_LINE ? NULL : imapd_mbox_special_use(name);

#define ADD(w) do { if (b->len > start) buf_addc(b, ' '); buf_adds(b, w); } while (0)
	if ((attrs & STORE_FOLDER_SUBSCRIBED) &&
	    (opts & (SEL_SUBSCRIBED | RET_SUBSCRIBED)))
		ADD("\\Subscribed");
	if (attrs & STORE_FOLDER_NOSELECT)
		ADD("\\Noselect");
	if (nonexistent)
		ADD("\\NonExistent");
	if (attrs & STORE_FOLDER_HASCHILDREN)
		ADD("\\HasChildren");
	else if (attrs & STORE_FOLDER_NOINFERIORS)
		ADD("\\NoInferiors");
	else if (attrs & STORE_FOLDER_HASNOCHILDREN)
		ADD("\\HasNoChildren");
	if (attrs & STORE_FOLDER_MARKED)
		ADD("\\Marked");
	if (attrs & STORE_FOLDER_UNMARKED)
		ADD("\\UnMarked");
	if (su != NULL)
		ADD(su);
#undef ADD
}

static void list_line(struct imapd *s, const char *word, const char *name,
		      unsigned attrs, unsigned opts, int nonexistent,
		      const char *extra)
{
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "* %s (", word);
	write_attrs(&b, attrs, name, opts, nonexistent);
	buf_adds(&b, ") \"/\" ");
	mime_imap_astring(&b, name);
	if (extra != NULL)
		buf_adds(&b, extra);
	buf_adds(&b, "\r\n");
	imapd_out(s, b.data, b.len);
	buf_reset(&b);
}

/* Folders with INBOX moved last: Dovecot lists ~/mail first, then the
 * INBOX that lives in /var/mail (01-session a29). */
static int list_folders(struct imapd *s, struct store_folders *f)
{
	struct err e;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (store_list(s->user, f, &e) < 0)
		return -1;
	/* "a/b" without "a": Dovecot lists a as \Noselect \HasChildren */
	for (i = 0; i < f->n; i++) {
		char *slash;
		char *name = xstrdup(f->v[i].name);

		while ((slash = strrchr(name, '/')) != NULL) {
			size_t k;

			*slash = '\0';
			for (k = 0; k < f->n; k++)
				if (strcmp(f->v[k].name, name) == 0)
					break;
			if (k < f->n) {
				if (!(f->v[k].attrs & STORE_FOLDER_HASCHILDREN)) {
					f->v[k].attrs |= STORE_FOLDER_HASCHILDREN;
					f->v[k].attrs &= ~(unsigned)STORE_FOLDER_HASNOCHILDREN;
				}
				continue;
			}
			f->v = xrealloc(f->v, (f->n + 1) * sizeof(f->v[0]));
			f->v[f->n].name = xstrdup(name);
			f->v[f->n].attrs = STORE_FOLDER_NOSELECT |
					   STORE_FOLDER_HASCHILDREN;
			f->n++;
		}
		free(name);
	}
	{
		/* keep the order by name (INBOX goes last below) */
		size_t a, b;

		for (a = 1; a < f->n; a++) {
			struct store_folder t = f->v[a];

			for (b = a; b > 0 && strcmp(f->v[b - 1].name, t.name) > 0; b--)
				f->v[b] = f->v[b - 1];
			f->v[b] = t;
		}
	}
	for (i = 0; i + 1 < f->n; i++) {
		if (is_inbox(f->v[i].name)) {
			struct store_folder t = f->v[i];

			memmove(&f->v[i], &f->v[i + 1],
				(f->n - i - 1) * sizeof(f->v[0]));
			f->v[f->n - 1] = t;
			break;
		}
	}
	return 0;
}

static int parse_list_opts(const struct imapd_arg *l, int selection,
			   unsigned *opts, unsigned *sitems)
{
	size_t i;
	const char *bad;

	for (i = 0; i < l->n; i++) {
		const struct imapd_arg *a = &l->list[i];

		if (a->type != IMAPD_ARG_ATOM)
			return -1;
		if (selection && strcasecmp(a->s, "SUBSCRIBED") == 0)
			*opts |= SEL_SUBSCRIBED;
		else if (selection && strcasecmp(a->s, "REMOTE") == 0)
			;	/* no remote mailboxes here */
		else if (selection && strcasecmp(a->s, "RECURSIVEMATCH") == 0)
			*opts |= SEL_RECURSIVEMATCH;
		else if (selection && strcasecmp(a->s, "SPECIAL-USE") == 0)
			*opts |= SEL_SPECIALUSE;
		else if (!selection && strcasecmp(a->s, "SUBSCRIBED") == 0)
			*opts |= RET_SUBSCRIBED;
		else if (!selection && strcasecmp(a->s, "CHILDREN") == 0)
			*opts |= RET_CHILDREN;
		else if (!selection && strcasecmp(a->s, "SPECIAL-USE") == 0)
			*opts |= RET_SPECIALUSE;
		else if (!selection && strcasecmp(a->s, "STATUS") == 0 &&
			 i + 1 < l->n) {
			*opts |= RET_STATUS;
			if (parse_status_items(&l->list[++i], sitems, &bad) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	/* RFC 5258 3: RECURSIVEMATCH needs another selection option */
	if ((*opts & SEL_RECURSIVEMATCH) && !(*opts & SEL_SUBSCRIBED))
		return -1;
	return 0;
}

static int any_match(char **pats, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list_match(pats[i], name))
			return 1;
	return 0;
}

/* Has `name` a subscribed descendant that the patterns don't match? */
static int subscribed_child(const struct store_folders *f, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < f->n; i++)
		if ((f->v[i].attrs & STORE_FOLDER_SUBSCRIBED) &&
		    strncmp(f->v[i].name, name, n) == 0 && f->v[i].name[n] == '/')
			return 1;
	return 0;
}

static void list_common(struct imapd *s, struct imapd_cmdctx *c,
			mtime_t now, int lsub)
{
	unsigned opts = 0, sitems = 0;
	size_t ai = 0, i, npats = 0;
	char **pats = NULL;
	const char *ref;
	struct store_folders f;

	/* LIST [(selection)] ref (pattern | (patterns)) [RETURN (opts)] */
	if (!lsub && ai < c->nargs && c->args[ai].type == IMAPD_ARG_LIST) {
		if (parse_list_opts(&c->args[ai], 1, &opts, &sitems) < 0)
			goto bad;
		ai++;
	}
	if (ai + 2 > c->nargs || !imapd_arg_is_astring(&c->args[ai]))
		goto bad;
	ref = c->args[ai++].s;
	if (!lsub && c->args[ai].type == IMAPD_ARG_LIST) {
		for (i = 0; i < c->args[ai].n; i++) {
			if (!imapd_arg_is_astring(&c->args[ai].list[i]))
				goto bad;
			pats = xrealloc(pats, (npats + 1) * sizeof(char *));
			pats[npats++] = xasprintf("%s%s", ref,
						  c->args[ai].list[i].s);
		}
		if (npats == 0)
			goto bad;
	} else if (imapd_arg_is_astring(&c->args[ai])) {
		pats = xmalloc(sizeof(char *));
		pats[npats++] = xasprintf("%s%s", ref, c->args[ai].s);
	} else {
		goto bad;
	}
	ai++;
	if (!lsub && ai < c->nargs) {
		if (ai + 2 != c->nargs || !imapd_arg_is_atom(&c->args[ai], "RETURN") ||
		    c->args[ai + 1].type != IMAPD_ARG_LIST ||
		    parse_list_opts(&c->args[ai + 1], 0, &opts, &sitems) < 0)
			goto bad;
	} else if (ai != c->nargs) {
		goto bad;
	}
	if (npats == 1 && pats[0][0] == '\0' && !(opts & SEL_SUBSCRIBED)) {
		/* RFC 3501 6.3.8: "" asks for the separator */
		imapd_outf(s, "* %s (\\Noselect) \"/\" \"\"\r\n",
			   lsub ? "LSUB" : "LIST");
		goto done;
	}
	if (list_folders(s, &f) < 0) {
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_STORAGE_ERROR));
		goto out;
	}
	for (i = 0; i < f.n; i++) {
		const char *name = f.v[i].name;
		unsigned attrs = f.v[i].attrs;
		int matched = any_match(pats, npats, name);
		const char *extra = NULL;

		if (lsub) {
			if (matched && (attrs & STORE_FOLDER_SUBSCRIBED))
				list_line(s, "LSUB", name,
					  attrs & STORE_FOLDER_NOSELECT, LSUB_LINE, 0,
					  NULL);
			continue;
		}
		if (opts & SEL_SPECIALUSE && imapd_mbox_special_use(name) == NULL)
			continue;
		if (opts & SEL_SUBSCRIBED) {
			if (!(attrs & STORE_FOLDER_SUBSCRIBED)) {
				/* RFC 5258 4: a parent of a subscribed one */
				if (matched && (opts & SEL_RECURSIVEMATCH) &&
				    subscribed_child(&f, name))
					list_line(s, "LIST", name, attrs, opts, 0,
						  " (\"CHILDINFO\" (\"SUBSCRIBED\"))");
				continue;
			}
			if ((opts & SEL_RECURSIVEMATCH) && subscribed_child(&f, name))
				extra = " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
		}
		if (!matched)
			continue;
		list_line(s, "LIST", name, attrs, opts, 0, extra);
		if ((opts & RET_STATUS) && !(attrs & STORE_FOLDER_NOSELECT)) {
			struct err e;

			(void)status_of(s, name, sitems, now, &e);
		}
	}
	store_folders_free(&f);
done:
	imapd_done(s, c, "OK", "%s", imapd_reply_text(lsub ? IMAPD_R_LSUB_DONE :
		   IMAPD_R_LIST_DONE));
	goto out;
bad:
	imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
out:
	for (i = 0; i < npats; i++)
		free(pats[i]);
	free(pats);
}

void imapd_mbox_list(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	list_common(s, c, now, 0);
}

void imapd_mbox_lsub(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	list_common(s, c, now, 1);
}

/* --- flags ------------------------------------------------------------ */

int imapd_mbox_parse_flags(struct imapd *s, struct imapd_cmdctx *c,
			   const struct imapd_arg *v, size_t n,
			   struct store_mailbox *mb, int create,
			   unsigned *flags_out, uint64_t *kw_out)
{
	static const struct {
		const char *name;
		unsigned bit;
	} sys[] = {
		{ "\\ANSWERED", STORE_ANSWERED }, { "\\FLAGGED", STORE_FLAGGED },
		{ "\\DELETED", STORE_DELETED }, { "\\SEEN", STORE_SEEN },
		{ "\\DRAFT", STORE_DRAFT },
	};
	size_t i, k;

	*flags_out = 0;
	*kw_out = 0;
	for (i = 0; i < n; i++) {
		const char *f = v[i].s;

		if (v[i].type != IMAPD_ARG_ATOM) {
			imapd_cmd_error(s, c, "Flags list contains non-atoms.");
			return -1;
		}
		if (f[0] == '\\') {
			for (k = 0; k < ARRAY_LEN(sys); k++)
				if (strcasecmp(f, sys[k].name) == 0)
					break;
			if (k == ARRAY_LEN(sys)) {
				/* imap-commands-util.c: upper-cased */
				char *msg = xasprintf("Invalid system flag %s", f), *p;

				for (p = msg + 20; *p != '\0'; p++)
					*p = (char)toupper((unsigned char)*p);
				imapd_cmd_error(s, c, msg);
				free(msg);
				return -1;
			}
			*flags_out |= sys[k].bit;
			continue;
		}
		if (strpbrk(f, "[]%*") != NULL) {
			imapd_cmd_error(s, c, "Invalid keyword");
			return -1;
		}
		{
			int kw = store_mailbox_keyword(mb, f, create);

			if (kw >= 0)
				*kw_out |= (uint64_t)1 << kw;
			else if (create) {
				imapd_done(s, c, "NO", "Too many keywords");
				return -1;
			}
		}
	}
	return 0;
}

/* --- APPEND ----------------------------------------------------------- */

/* The target's name of an APPEND: every literal is checked against it
 * before the "+ OK", as Dovecot opens the mailbox first (cmd-append.c). */
int imapd_mbox_append_lit(struct imapd *s, struct imapd_cmdctx *c,
			  const struct imapd_lit *lit, mtime_t now)
{
	const char *name;

	(void)now;
	if (c->nargs < 1 || !imapd_arg_is_astring(&c->args[0])) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return 1;
	}
	name = is_inbox(c->args[0].s) ? "INBOX" : c->args[0].s;
	if (!is_inbox(name) && store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", imapd_reply_text(IMAPD_R_TRYCREATE), name);
		return 1;
	}
	if (lit->size > s->conf.max_append) {
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_TOO_BIG));
		return 1;
	}
	return 0;
}

/*
 * RFC 5092 URL of CATENATE, relative to this server: "/mbox;UIDVALIDITY=v
 * /;UID=n[/;SECTION=s][/;PARTIAL=o[.l]]" (URL-PARTIAL, RFC 5550) or
 * "imap://user@host/..." with the same path. Appends the bytes to out;
 * -1 when the URL does not resolve (RFC 4469 5: NO [BADURL url]).
 */
static int catenate_url(struct imapd *s, const char *url, struct buf *out,
			mtime_t now)
{
	const char *p = url, *semi;
	char *mbox = NULL, *section = NULL;
	unsigned long uidv = 0, uid = 0, poff = 0, plen = 0;
	int have_partial = 0, have_len = 0, ret = -1;
	struct store_mailbox *mb = NULL;
	struct err e;
	long idx;

	if (strncasecmp(p, "imap://", 7) == 0) {
		p = strchr(p + 7, '/');
		if (p == NULL)
			return -1;
	}
	if (*p != '/')
		return -1;
	p++;
	semi = strstr(p, ";UIDVALIDITY=");
	if (semi == NULL)
		semi = strstr(p, "/;UID=");
	if (semi == NULL)
		return -1;
	mbox = xstrndup(p, (size_t)(semi - p));
	if (strncmp(semi, ";UIDVALIDITY=", 13) == 0) {
		uidv = strtoul(semi + 13, (char **)&p, 10);
		semi = p;
	}
	if (strncmp(semi, "/;UID=", 6) != 0)
		goto out;
	uid = strtoul(semi + 6, (char **)&p, 10);
	if (strncmp(p, "/;SECTION=", 10) == 0) {
		const char *end = strstr(p + 10, "/;");

		section = end != NULL ? xstrndup(p + 10, (size_t)(end - p - 10)) :
			  xstrdup(p + 10);
		p = end != NULL ? end : p + strlen(p);
	}
	if (strncmp(p, "/;PARTIAL=", 10) == 0) {
		have_partial = 1;
		poff = strtoul(p + 10, (char **)&p, 10);
		if (*p == '.') {
			plen = strtoul(p + 1, (char **)&p, 10);
			have_len = 1;
		}
	}
	if (*p != '\0' || uid == 0)
		goto out;
	if (s->mb != NULL && strcmp(store_mailbox_name(s->mb), is_inbox(mbox) ?
				   "INBOX" : mbox) == 0) {
		mb = s->mb;
	} else if (store_mailbox_open(s->user, mbox, STORE_OPEN_RO, now, &mb,
				      &e) < 0) {
		mb = NULL;
		goto out;
	}
	if (uidv != 0 && uidv != store_mailbox_uidvalidity(mb))
		goto out;
	idx = store_mailbox_find_uid(mb, (uint32_t)uid);
	if (idx < 0)
		goto out;
	{
		struct buf raw, sect;
		struct mime_msg *m;
		struct mime_sect sp;

		buf_init(&raw);
		buf_init(&sect);
		if (store_mailbox_read(mb, (size_t)idx, &raw, &e) == 0) {
			m = mime_parse(raw.data != NULL ? raw.data : "", raw.len);
			if (mime_sect_parse(section != NULL ? section : "",
					    section != NULL ? strlen(section) : 0,
					    &sp) == 0) {
				mime_sect_get(m, &sp, &sect);
				mime_sect_reset(&sp);
				if (have_partial) {
					size_t o = poff < sect.len ? poff : sect.len;
					size_t l = sect.len - o;

					if (have_len && plen < l)
						l = plen;
					buf_add(out, sect.data + o, l);
				} else {
					buf_add(out, sect.data, sect.len);
				}
				ret = 0;
			}
			mime_free(&m);
		}
		buf_reset(&raw);
		buf_reset(&sect);
	}
out:
	if (mb != NULL && mb != s->mb)
		store_mailbox_close(&mb, now);
	free(mbox);
	free(section);
	return ret;
}

struct append_msg {
	unsigned flags;
	uint64_t kw;
	int64_t date;
	struct buf data;
};

void imapd_mbox_append(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	const char *name = mailbox_arg(s, c, 0);
	struct store_mailbox *mb = NULL;
	struct append_msg *msgs = NULL;
	size_t nmsgs = 0, i = 1, k;
	uint32_t *uids = NULL;
	struct err e;

	if (name == NULL)
		return;
	if (!is_inbox(name) && store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", imapd_reply_text(IMAPD_R_TRYCREATE), name);
		return;
	}
	/* STORE_OPEN_SAVE: Dovecot's MAILBOX_FLAG_SAVEONLY, \Recent stays */
	if (store_mailbox_open(s->user, name, STORE_OPEN_SAVE, now, &mb, &e) < 0) {
		storage_error(s, c, name, &e);
		return;
	}
	/* MULTIAPPEND (RFC 3502): [flags] [date] message, repeated */
	while (i < c->nargs) {
		struct append_msg *am;

		msgs = xrealloc(msgs, (nmsgs + 1) * sizeof(*msgs));
		am = &msgs[nmsgs++];
		memset(am, 0, sizeof(*am));
		am->date = -1;
		buf_init(&am->data);
		if (c->args[i].type == IMAPD_ARG_LIST) {
			if (imapd_mbox_parse_flags(s, c, c->args[i].list,
						   c->args[i].n, mb, 1, &am->flags,
						   &am->kw) < 0)
				goto out;
			i++;
		}
		if (i < c->nargs && c->args[i].type == IMAPD_ARG_QUOTED) {
			am->date = imapd_parse_datetime(c->args[i].s);
			if (am->date < 0)
				goto bad;
			i++;
		}
		if (i >= c->nargs)
			goto bad;
		if (c->args[i].type == IMAPD_ARG_LITERAL) {
			buf_add(&am->data, c->args[i].s, c->args[i].len);
			i++;
		} else if (imapd_arg_is_atom(&c->args[i], "CATENATE") &&
			   i + 1 < c->nargs &&
			   c->args[i + 1].type == IMAPD_ARG_LIST) {
			const struct imapd_arg *l = &c->args[i + 1];

			/* RFC 4469: TEXT literal / URL astring parts */
			for (k = 0; k + 1 < l->n + 1 && k < l->n; k += 2) {
				if (k + 1 >= l->n)
					goto bad;
				if (imapd_arg_is_atom(&l->list[k], "TEXT") &&
				    l->list[k + 1].type == IMAPD_ARG_LITERAL) {
					buf_add(&am->data, l->list[k + 1].s,
						l->list[k + 1].len);
				} else if (imapd_arg_is_atom(&l->list[k], "URL") &&
					   imapd_arg_is_astring(&l->list[k + 1])) {
					if (catenate_url(s, l->list[k + 1].s,
							 &am->data, now) < 0) {
						imapd_done(s, c, "NO", "[BADURL %s] Invalid URL",
							   l->list[k + 1].s);
						goto out;
					}
				} else {
					goto bad;
				}
			}
			if (l->n == 0)
				goto bad;
			i += 2;
		} else {
			goto bad;
		}
		if (am->data.len == 0) {
			imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_ZERO_MESSAGE));
			goto out;
		}
	}
	if (nmsgs == 0)
		goto bad;
	uids = xmalloc(nmsgs * sizeof(*uids));
	for (k = 0; k < nmsgs; k++) {
		if (store_mailbox_append(mb, msgs[k].data.data, msgs[k].data.len,
					 msgs[k].flags, msgs[k].kw, msgs[k].date,
					 now, &uids[k], &e) < 0) {
			storage_error(s, c, name, &e);
			goto out;
		}
	}
	{
		struct buf set;

		buf_init(&set);
		buf_adds(&set, "");
		imapd_uidset_write(&set, uids, nmsgs);
		imapd_done(s, c, "OK", imapd_reply_text(IMAPD_R_APPEND_DONE),
			   store_mailbox_uidvalidity(mb), set.data);
		buf_reset(&set);
	}
	goto out;
bad:
	imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
out:
	for (k = 0; k < nmsgs; k++)
		buf_reset(&msgs[k].data);
	free(msgs);
	free(uids);
	if (mb != NULL)
		store_mailbox_close(&mb, now);
}

/* --- COPY / MOVE ------------------------------------------------------ */

static void copy_move(struct imapd *s, struct imapd_cmdctx *c, mtime_t now,
		      int move)
{
	const char *name;
	size_t *idx = NULL, n = 0, k;
	struct store_mailbox *to = NULL;
	uint32_t *src = NULL, *dst = NULL;
	struct err e;
	struct buf a, b;

	if (c->nargs != 2 || c->args[0].type != IMAPD_ARG_ATOM ||
	    !imapd_arg_is_astring(&c->args[1])) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return;
	}
	if (s->mb == NULL) {
		imapd_tagged(s, c->tag, "BAD", "%s",
			     imapd_reply_text(IMAPD_R_NO_MAILBOX));
		return;
	}
	name = mailbox_arg(s, c, 1);
	if (imapd_resolve_set(s, c, c->args[0].s, c->uid, &idx, &n) < 0)
		return;
	if (move && store_mailbox_readonly(s->mb)) {
		imapd_done(s, c, "NO", "[READ-ONLY] Mailbox is read-only.");
		goto out;
	}
	if (!is_inbox(name) && store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", imapd_reply_text(IMAPD_R_TRYCREATE), name);
		goto out;
	}
	if (n == 0) {
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_NO_MESSAGES));
		goto out;
	}
	if (s->mb != NULL && strcmp(store_mailbox_name(s->mb), name) == 0) {
		/* into itself: a second handle, the view sees it on sync */
	}
	if (store_mailbox_open(s->user, name, STORE_OPEN_SAVE, now, &to, &e) < 0) {
		storage_error(s, c, name, &e);
		goto out;
	}
	src = xmalloc(n * sizeof(*src));
	dst = xmalloc(n * sizeof(*dst));
	for (k = 0; k < n; k++) {
		src[k] = store_mailbox_msg(s->mb, idx[k])->uid;
		if (store_mailbox_copy(s->mb, idx[k], to, now, &dst[k], &e) < 0) {
			storage_error(s, c, name, &e);
			goto out;
		}
	}
	if (imapd_mbox_special_use(name) != NULL &&
	    strcmp(imapd_mbox_special_use(name), "\\Trash") == 0)
		s->n_trashed += (unsigned)n;
	buf_init(&a);
	buf_init(&b);
	buf_adds(&a, "");
	buf_adds(&b, "");
	imapd_uidset_write(&a, src, n);
	imapd_uidset_write(&b, dst, n);
	if (move) {
		/* cmd-copy.c: COPYUID untagged, then the expunges */
		imapd_out(s, "* OK ", 5);
		imapd_outf(s, imapd_reply_text(IMAPD_R_MOVED_UIDS),
			   store_mailbox_uidvalidity(to), a.data, b.data);
		imapd_out(s, "\r\n", 2);
		for (k = 0; k < n; k++)
			store_mailbox_set_flags(s->mb, idx[k], STORE_FLAGS_ADD,
						STORE_DELETED, 0);
		imapd_expunge(s, idx, n, now);
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_MOVE_DONE));
	} else {
		imapd_done(s, c, "OK", imapd_reply_text(IMAPD_R_COPY_DONE),
			   store_mailbox_uidvalidity(to), a.data, b.data);
	}
	buf_reset(&a);
	buf_reset(&b);
out:
	if (to != NULL)
		store_mailbox_close(&to, now);
	free(src);
	free(dst);
	free(idx);
}

void imapd_mbox_copy(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	copy_move(s, c, now, 0);
}

void imapd_mbox_move(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	copy_move(s, c, now, 1);
}
