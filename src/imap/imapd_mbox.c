/*
 * Mailbox commands of RFC 3501 6.3: SELECT and EXAMINE (with the
 * CONDSTORE/QRESYNC parameters of RFC 7162, NOMODSEQ here), CREATE,
 * DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, STATUS (STATUS=SIZE, RFC
 * 8438), and the flag lists APPEND and STORE share. Folder storage is
 * store.h's; the words are Dovecot's (reference 01-session a7-a37). LIST
 * is in imapd_list.c, APPEND in imapd_append.c, COPY/MOVE in
 * imapd_copy.c.
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

int imapd_mbox_is_inbox(const char *name)
{
	return strcasecmp(name, "INBOX") == 0;
}

/* The mailbox argument, or NULL after a BAD. */
const char *imapd_mbox_arg(struct imapd *s, struct imapd_cmdctx *c, size_t i)
{
	if (i >= c->nargs || !imapd_arg_is_astring(&c->args[i])) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return NULL;
	}
	/* INBOX is case-insensitive (RFC 3501 5.1) */
	return imapd_mbox_is_inbox(c->args[i].s) ? "INBOX" : c->args[i].s;
}

void imapd_mbox_storage_error(struct imapd *s, struct imapd_cmdctx *c,
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
	const char *name = imapd_mbox_arg(s, c, 0);
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
		imapd_view_close(s, now);
		imapd_outf(s, "* OK %s\r\n", imapd_reply_text(IMAPD_R_CLOSED));
	}
	if (store_mailbox_open(s->user, name, readonly ? STORE_OPEN_RO :
			       STORE_OPEN_RW, now, &mb, &e) < 0) {
		if (e.errnum == ENOENT)
			imapd_done(s, c, "NO", imapd_reply_text(IMAPD_R_MAILBOX_NONEXISTENT),
				   name);
		else
			imapd_mbox_storage_error(s, c, name, &e);
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
	imapd_view_send_flags(s);
	imapd_outf(s, "* %zu EXISTS\r\n", count);
	imapd_outf(s, "* %zu RECENT\r\n", imapd_view_recent(s));
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
	const char *arg = imapd_mbox_arg(s, c, 0);
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
	if (imapd_mbox_is_inbox(name) || store_exists(s->user, name) == 1) {
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_ALREADY_EXISTS));
	} else if (store_create(s->user, name, now, &e) < 0) {
		imapd_mbox_storage_error(s, c, name, &e);
	} else {
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_CREATE_DONE));
	}
	free(name);
}

void imapd_mbox_delete(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	const char *name = imapd_mbox_arg(s, c, 0);
	struct err e;

	if (name == NULL)
		return;
	if (imapd_mbox_is_inbox(name)) {
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
		imapd_view_close(s, now);
	if (store_delete(s->user, name, &e) < 0)
		imapd_mbox_storage_error(s, c, name, &e);
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_DELETE_DONE));
}

void imapd_mbox_rename(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	const char *from = imapd_mbox_arg(s, c, 0), *to;
	struct err e;

	(void)now;
	if (from == NULL || (to = imapd_mbox_arg(s, c, 1)) == NULL)
		return;
	if (!imapd_mbox_is_inbox(from) && store_exists(s->user, from) != 1) {
		imapd_done(s, c, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s",
			   from);
		return;
	}
	if (imapd_mbox_is_inbox(to) || store_exists(s->user, to) == 1) {
		imapd_done(s, c, "NO", "%s", imapd_reply_text(IMAPD_R_ALREADY_EXISTS));
		return;
	}
	if (store_rename(s->user, from, to, &e) < 0)
		imapd_mbox_storage_error(s, c, from, &e);
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_RENAME_DONE));
}

static void subscribe(struct imapd *s, struct imapd_cmdctx *c, int on)
{
	const char *name = imapd_mbox_arg(s, c, 0);
	struct err e;

	if (name == NULL)
		return;
	if (on && !imapd_mbox_is_inbox(name) && store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s",
			   name);
		return;
	}
	if (store_subscribe(s->user, name, on, &e) < 0)
		imapd_mbox_storage_error(s, c, name, &e);
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
int imapd_mbox_status_items(const struct imapd_arg *l, unsigned *out,
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
int imapd_mbox_status_of(struct imapd *s, const char *name, unsigned items,
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
	const char *name = imapd_mbox_arg(s, c, 0), *bad;
	unsigned items;
	struct err e;

	if (name == NULL)
		return;
	if (c->nargs != 2 || imapd_mbox_status_items(&c->args[1], &items, &bad) < 0) {
		if (bad != NULL) {
			char *msg = xasprintf("Invalid status item %s", bad);

			imapd_cmd_error(s, c, msg);
			free(msg);
		} else {
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		}
		return;
	}
	if (!imapd_mbox_is_inbox(name) && store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", imapd_reply_text(IMAPD_R_MAILBOX_NONEXISTENT),
			   name);
		return;
	}
	if (imapd_mbox_status_of(s, name, items, now, &e) < 0) {
		imapd_mbox_storage_error(s, c, name, &e);
		return;
	}
	/* 01-session a8: STATUS of the selected mailbox is a client bug */
	if (s->mb != NULL && strcmp(store_mailbox_name(s->mb), name) == 0)
		imapd_done(s, c, "OK", "%s",
			   imapd_reply_text(IMAPD_R_STATUS_SELECTED));
	else
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_STATUS_DONE));
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

