/*
 * APPEND (RFC 3501 6.3.11) with MULTIAPPEND (RFC 3502), CATENATE (RFC
 * 4469) and URL-PARTIAL (RFC 5550) for URLs into the user's own
 * mailboxes, literal8 (RFC 3516), and APPENDUID (RFC 4315). The target
 * is checked before the "+ OK" of each literal, as Dovecot opens it
 * first (cmd-append.c), and opened with STORE_OPEN_SAVE.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

/* The target's name of an APPEND: every literal is checked against it
 * before the "+ OK", as Dovecot opens the mailbox first (cmd-append.c). */
int imapd_append_lit(struct imapd *s, struct imapd_cmdctx *c,
			  const struct imapd_lit *lit, mtime_t now)
{
	const char *name;

	(void)now;
	if (c->nargs < 1 || !imapd_arg_is_astring(&c->args[0])) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return 1;
	}
	name = imapd_mbox_is_inbox(c->args[0].s) ? "INBOX" : c->args[0].s;
	if (!imapd_mbox_is_inbox(name) && store_exists(s->user, name) != 1) {
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
	if (s->mb != NULL && strcmp(store_mailbox_name(s->mb), imapd_mbox_is_inbox(mbox) ?
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

void imapd_append_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	const char *name = imapd_mbox_arg(s, c, 0);
	struct store_mailbox *mb = NULL;
	struct append_msg *msgs = NULL;
	size_t nmsgs = 0, i = 1, k;
	uint32_t *uids = NULL;
	struct err e;

	if (name == NULL)
		return;
	if (!imapd_mbox_is_inbox(name) && store_exists(s->user, name) != 1) {
		imapd_done(s, c, "NO", imapd_reply_text(IMAPD_R_TRYCREATE), name);
		return;
	}
	/* STORE_OPEN_SAVE: Dovecot's MAILBOX_FLAG_SAVEONLY, \Recent stays */
	if (store_mailbox_open(s->user, name, STORE_OPEN_SAVE, now, &mb, &e) < 0) {
		imapd_mbox_storage_error(s, c, name, &e);
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
			imapd_mbox_storage_error(s, c, name, &e);
			goto out;
		}
	}
	{
		struct buf set;

		buf_init(&set);
		buf_adds(&set, "");
		imapd_view_uidset(&set, uids, nmsgs);
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

