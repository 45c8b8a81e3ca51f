/*
 * CONTEXT=SEARCH's UPDATE (RFC 5267 4.3): a SEARCH RETURN (UPDATE) keeps
 * its program and result; after each sync the search runs again and the
 * differences go out as "* ESEARCH (TAG ..) [UID] REMOVEFROM (0 ..)
 * ADDTO (0 ..)" (position 0, removals first, as Dovecot's imap-sync.c),
 * until CANCELUPDATE or the mailbox is closed.
 */
#include <stdlib.h>
#include <string.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

struct imapd_update {
	char *tag;
	int uid;
	struct imapd_search *prog;
	uint32_t *uids;
	size_t n;
};

void imapd_update_add(struct imapd *s, const char *tag, int uid,
		      struct imapd_search *prog, const size_t *idx, size_t n)
{
	struct imapd_update *u;
	size_t i;

	s->updates = xrealloc(s->updates, (s->nupdates + 1) * sizeof(*s->updates));
	u = &s->updates[s->nupdates++];
	u->tag = xstrdup(tag);
	u->uid = uid;
	u->prog = prog;
	u->uids = xmalloc((n + 1) * sizeof(uint32_t));
	for (i = 0; i < n; i++)
		u->uids[i] = store_mailbox_msg(s->mb, idx[i])->uid;
	u->n = n;
}

/* After a sync: ADDTO / REMOVEFROM for each SEARCH RETURN (UPDATE). */
void imapd_update_run(struct imapd *s, mtime_t now)
{
	size_t k;

	for (k = 0; k < s->nupdates; k++) {
		struct imapd_update *u = &s->updates[k];
		size_t *idx = NULL, n = 0, i, j;
		uint32_t *now_uids, *add, *rem;
		size_t nadd = 0, nrem = 0;
		struct imapd_cmdctx dummy;
		struct buf b;

		memset(&dummy, 0, sizeof(dummy));
		imapd_search_run(s, &dummy, u->prog, &idx, &n, now);
		now_uids = xmalloc((n + 1) * sizeof(uint32_t));
		for (i = 0; i < n; i++)
			now_uids[i] = store_mailbox_msg(s->mb, idx[i])->uid;
		add = xmalloc((n + 1) * sizeof(uint32_t));
		rem = xmalloc((u->n + 1) * sizeof(uint32_t));
		for (i = 0, j = 0; i < n || j < u->n;) {
			if (j >= u->n || (i < n && now_uids[i] < u->uids[j]))
				add[nadd++] = now_uids[i++];
			else if (i >= n || u->uids[j] < now_uids[i])
				rem[nrem++] = u->uids[j++];
			else
				i++, j++;
		}
		if (nadd + nrem > 0) {
			/* imap-sync.c: position 0, REMOVEFROM first */
			buf_init(&b);
			buf_adds(&b, "* ESEARCH (TAG ");
			mime_imap_string(&b, u->tag);
			buf_addc(&b, ')');
			if (u->uid)
				buf_adds(&b, " UID");
			if (!u->uid) {
				/* sequence numbers of what is still there */
				for (i = 0; i < nadd; i++)
					add[i] = (uint32_t)store_mailbox_find_uid(s->mb,
										  add[i]) + 1;
			}
			if (nrem > 0 && u->uid) {
				buf_adds(&b, " REMOVEFROM (0 ");
				imapd_view_uidset(&b, rem, nrem);
				buf_addc(&b, ')');
			}
			if (nadd > 0) {
				buf_adds(&b, " ADDTO (0 ");
				imapd_view_uidset(&b, add, nadd);
				buf_addc(&b, ')');
			}
			buf_adds(&b, "\r\n");
			if (nadd > 0 || u->uid)
				imapd_out(s, b.data, b.len);
			buf_reset(&b);
		}
		free(u->uids);
		u->uids = now_uids;
		u->n = n;
		free(add);
		free(rem);
		free(idx);
	}
}

void imapd_update_free_all(struct imapd *s)
{
	size_t k;

	for (k = 0; k < s->nupdates; k++) {
		free(s->updates[k].tag);
		free(s->updates[k].uids);
		imapd_search_free(&s->updates[k].prog);
	}
	free(s->updates);
	s->updates = NULL;
	s->nupdates = 0;
}

void imapd_update_cancel(struct imapd *s, struct imapd_cmdctx *c,
			 mtime_t now)
{
	size_t i, k;

	(void)now;
	if (c->nargs == 0) {
		imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
		return;
	}
	for (i = 0; i < c->nargs; i++) {
		if (!imapd_arg_is_astring(&c->args[i])) {
			imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
			return;
		}
		for (k = 0; k < s->nupdates; k++)
			if (strcmp(s->updates[k].tag, c->args[i].s) == 0)
				break;
		if (k == s->nupdates) {
			imapd_done(s, c, "NO", "Unknown search context");
			return;
		}
	}
	for (i = 0; i < c->nargs; i++) {
		for (k = 0; k < s->nupdates; k++) {
			if (strcmp(s->updates[k].tag, c->args[i].s) != 0)
				continue;
			free(s->updates[k].tag);
			free(s->updates[k].uids);
			imapd_search_free(&s->updates[k].prog);
			memmove(&s->updates[k], &s->updates[k + 1],
				(s->nupdates - k - 1) * sizeof(s->updates[0]));
			s->nupdates--;
			break;
		}
	}
	imapd_done(s, c, "OK", "Updates cancelled.");
}

