/*
 * COPY and MOVE (RFC 3501 6.4.7, RFC 6851) with COPYUID (RFC 4315), as
 * Dovecot's cmd-copy.c: the argument checks, then the mailbox, then the
 * set; "OK No messages found." for an empty UID set; MOVE sends COPYUID
 * untagged ("Moved UIDs."), then the expunges; copies into the \Trash
 * special-use folder count as trashed= in the log.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

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
	name = imapd_mbox_arg(s, c, 1);
	if (imapd_view_resolve_set(s, c, c->args[0].s, c->uid, &idx, &n) < 0)
		return;
	if (move && store_mailbox_readonly(s->mb)) {
		imapd_done(s, c, "NO", "[READ-ONLY] Mailbox is read-only.");
		goto out;
	}
	if (!imapd_mbox_is_inbox(name) && store_exists(s->user, name) != 1) {
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
		imapd_mbox_storage_error(s, c, name, &e);
		goto out;
	}
	src = xmalloc(n * sizeof(*src));
	dst = xmalloc(n * sizeof(*dst));
	for (k = 0; k < n; k++) {
		src[k] = store_mailbox_msg(s->mb, idx[k])->uid;
		if (store_mailbox_copy(s->mb, idx[k], to, now, &dst[k], &e) < 0) {
			imapd_mbox_storage_error(s, c, name, &e);
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
	imapd_view_uidset(&a, src, n);
	imapd_view_uidset(&b, dst, n);
	if (move) {
		/* cmd-copy.c: COPYUID untagged, then the expunges */
		imapd_out(s, "* OK ", 5);
		imapd_outf(s, imapd_reply_text(IMAPD_R_MOVED_UIDS),
			   store_mailbox_uidvalidity(to), a.data, b.data);
		imapd_out(s, "\r\n", 2);
		for (k = 0; k < n; k++)
			store_mailbox_set_flags(s->mb, idx[k], STORE_FLAGS_ADD,
						STORE_DELETED, 0);
		imapd_view_expunge(s, idx, n, now);
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

void imapd_copy_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	copy_move(s, c, now, 0);
}

void imapd_copy_move(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	copy_move(s, c, now, 1);
}
