/*
 * STORE and UID STORE (RFC 3501 6.4.6): FLAGS, +FLAGS, -FLAGS and their
 * .SILENT forms, keywords created on first use (a new "* FLAGS" then),
 * Dovecot's reply on a read-only mailbox (reference 01-session a32:
 * "OK Store ignored with read-only mailbox.") and its checks in
 * cmd-store.c order: mailbox, message set, arguments, read-only.
 * UNCHANGEDSINCE (RFC 7162) needs modification sequences: NOMODSEQ.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

void imapd_store_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	size_t *idx = NULL, n = 0, i, ai = 1;
	enum store_flag_op op;
	const char *type;
	int silent = 0;
	unsigned flags;
	uint64_t kw;
	const struct imapd_arg *fl;
	size_t nfl;

	(void)now;
	if (s->mb == NULL) {
		imapd_tagged(s, c->tag, "BAD", "%s",
			     imapd_reply_text(IMAPD_R_NO_MAILBOX));
		return;
	}
	if (c->nargs < 1 || c->args[0].type != IMAPD_ARG_ATOM) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return;
	}
	if (imapd_view_resolve_set(s, c, c->args[0].s, c->uid, &idx, &n) < 0)
		return;
	if (ai < c->nargs && c->args[ai].type == IMAPD_ARG_LIST) {
		/* (UNCHANGEDSINCE n) */
		imapd_cmd_error(s, c, "UNCHANGEDSINCE: mailbox has no permanent modsequences (NOMODSEQ)");
		goto out;
	}
	if (ai + 1 >= c->nargs + 0 || c->args[ai].type != IMAPD_ARG_ATOM) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		goto out;
	}
	type = c->args[ai].s;
	if (type[0] == '+') {
		op = STORE_FLAGS_ADD;
		type++;
	} else if (type[0] == '-') {
		op = STORE_FLAGS_REMOVE;
		type++;
	} else {
		op = STORE_FLAGS_REPLACE;
	}
	if (strcasecmp(type, "FLAGS.SILENT") == 0) {
		silent = 1;
	} else if (strcasecmp(type, "FLAGS") != 0) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		goto out;
	}
	ai++;
	if (c->args[ai].type == IMAPD_ARG_LIST) {
		if (ai + 1 != c->nargs) {
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
			goto out;
		}
		fl = c->args[ai].list;
		nfl = c->args[ai].n;
	} else {
		fl = &c->args[ai];
		nfl = c->nargs - ai;
	}
	if (store_mailbox_readonly(s->mb)) {
		imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_STORE_READONLY));
		goto out;
	}
	if (imapd_mbox_parse_flags(s, c, fl, nfl, s->mb, op != STORE_FLAGS_REMOVE,
				   &flags, &kw) < 0)
		goto out;
	if (store_mailbox_keyword_count(s->mb) != s->mb_keywords)
		imapd_view_send_flags(s);
	for (i = 0; i < n; i++) {
		const struct store_msg *m = store_mailbox_msg(s->mb, idx[i]);
		int had_deleted = (m->flags & STORE_DELETED) != 0;

		store_mailbox_set_flags(s->mb, idx[i], op, flags, kw);
		m = store_mailbox_msg(s->mb, idx[i]);
		if (!had_deleted && (m->flags & STORE_DELETED))
			s->n_deleted++;
		if (!silent) {
			struct buf b;

			buf_init(&b);
			buf_addf(&b, "* %zu FETCH (", idx[i] + 1);
			if (c->uid)
				buf_addf(&b, "UID %u ", m->uid);
			buf_adds(&b, "FLAGS (");
			imapd_view_write_flags(s, &b, m);
			buf_adds(&b, "))\r\n");
			imapd_out(s, b.data, b.len);
			buf_reset(&b);
		}
	}
	imapd_done(s, c, "OK", "%s", imapd_reply_text(IMAPD_R_STORE_DONE));
out:
	free(idx);
}
