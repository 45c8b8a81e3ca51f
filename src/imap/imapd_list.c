/*
 * LIST and LSUB (RFC 3501 6.3.8-9) with LIST-EXTENDED (RFC 5258:
 * selection SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE; return
 * SUBSCRIBED, CHILDREN, SPECIAL-USE), LIST-STATUS (RFC 5819) and the
 * special-use flags (RFC 6154) of Debian's 15-mailboxes.conf, with
 * Dovecot's attribute order and INBOX listed last (01-session a29).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

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
	if (imapd_mbox_is_inbox(name) && strncasecmp(pattern, "INBOX", 5) == 0) {
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
		if (imapd_mbox_is_inbox(f->v[i].name)) {
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
			if (imapd_mbox_status_items(&l->list[++i], sitems, &bad) < 0)
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

			(void)imapd_mbox_status_of(s, name, sitems, now, &e);
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

void imapd_list_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	list_common(s, c, now, 0);
}

void imapd_list_lsub(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	list_common(s, c, now, 1);
}

