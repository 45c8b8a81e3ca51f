/*
 * NOTIFY (RFC 5465), as far as a store without change notifications
 * allows: NOTIFY NONE and NOTIFY SET [STATUS] with the filters SELECTED,
 * SELECTED-DELAYED, INBOXES, PERSONAL, SUBSCRIBED, SUBTREE and
 * MAILBOXES. Events on the selected mailbox are the usual sync replies;
 * for the other watched mailboxes the engine compares a snapshot
 * (MESSAGES UIDNEXT UIDVALIDITY UNSEEN, and the folder list) whenever it
 * syncs (after each command, and while idling on imapd_tick()) and sends
 * "* STATUS" or "* LIST" when something changed (RFC 5465 5.2-5.4).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

struct snap {
	char *name;
	size_t messages, unseen;
	uint32_t uidnext, uidvalidity;
	int seen;		/* still listed this round */
};

struct imapd_notify {
	int personal, inboxes, subscribed;
	char **names;		/* MAILBOXES / SUBTREE names */
	int *subtree;
	size_t nnames;
	int msg_events, name_events;
	struct snap *snaps;
	size_t nsnaps;
	int primed;
};

static void notify_free(struct imapd_notify *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nnames; i++)
		free(n->names[i]);
	free(n->names);
	free(n->subtree);
	for (i = 0; i < n->nsnaps; i++)
		free(n->snaps[i].name);
	free(n->snaps);
	free(n);
}

void imapd_notify_free(struct imapd *s)
{
	notify_free(s->notify);
	s->notify = NULL;
}

static int watched(const struct imapd_notify *n, const char *name,
		   unsigned attrs)
{
	size_t i;

	if (n->personal)
		return 1;
	if (n->inboxes && strcasecmp(name, "INBOX") == 0)
		return 1;
	if (n->subscribed && (attrs & STORE_FOLDER_SUBSCRIBED))
		return 1;
	for (i = 0; i < n->nnames; i++) {
		size_t l = strlen(n->names[i]);

		if (strcmp(n->names[i], name) == 0)
			return 1;
		if (n->subtree[i] && strncmp(n->names[i], name, l) == 0 &&
		    name[l] == '/')
			return 1;
	}
	return 0;
}

static void status_line(struct imapd *s, const struct snap *sn)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "* STATUS ");
	mime_imap_astring(&b, sn->name);
	buf_addf(&b, " (MESSAGES %zu UIDNEXT %u UIDVALIDITY %u UNSEEN %zu)\r\n",
		 sn->messages, sn->uidnext, sn->uidvalidity, sn->unseen);
	imapd_out(s, b.data, b.len);
	buf_reset(&b);
}

static int take_snap(struct imapd *s, const char *name, struct snap *out,
		     mtime_t now)
{
	struct store_mailbox *mb;
	struct err e;
	size_t i;

	if (store_mailbox_open(s->user, name, STORE_OPEN_RO, now, &mb, &e) < 0)
		return -1;
	out->messages = store_mailbox_count(mb);
	out->unseen = 0;
	for (i = 0; i < out->messages; i++)
		if (!(store_mailbox_msg(mb, i)->flags & STORE_SEEN))
			out->unseen++;
	out->uidnext = store_mailbox_uidnext(mb);
	out->uidvalidity = store_mailbox_uidvalidity(mb);
	store_mailbox_close(&mb, now);
	return 0;
}

/* Compares the watched mailboxes with the last look; send_all sends
 * every STATUS (NOTIFY SET STATUS). */
static void check(struct imapd *s, mtime_t now, int send_all)
{
	struct imapd_notify *n = s->notify;
	struct store_folders f;
	struct err e;
	size_t i, k;

	if (n == NULL || (!n->msg_events && !n->name_events && !send_all))
		return;
	if (store_list(s->user, &f, &e) < 0)
		return;
	for (k = 0; k < n->nsnaps; k++)
		n->snaps[k].seen = 0;
	for (i = 0; i < f.n; i++) {
		const char *name = f.v[i].name;
		struct snap now_sn, *old = NULL;

		if (!watched(n, name, f.v[i].attrs) ||
		    (f.v[i].attrs & STORE_FOLDER_NOSELECT))
			continue;
		/* the selected mailbox reports through the normal sync */
		if (s->mb != NULL && strcmp(store_mailbox_name(s->mb), name) == 0)
			continue;
		memset(&now_sn, 0, sizeof(now_sn));
		if (take_snap(s, name, &now_sn, now) < 0)
			continue;
		for (k = 0; k < n->nsnaps; k++)
			if (strcmp(n->snaps[k].name, name) == 0)
				old = &n->snaps[k];
		if (old == NULL) {
			n->snaps = xrealloc(n->snaps,
					    (n->nsnaps + 1) * sizeof(*n->snaps));
			old = &n->snaps[n->nsnaps++];
			now_sn.name = xstrdup(name);
			if (n->primed && n->name_events)
				imapd_outf(s, "* LIST () \"/\" %s\r\n", name);
			*old = now_sn;
			old->seen = 1;
			if (send_all)
				status_line(s, old);
			continue;
		}
		now_sn.name = old->name;
		now_sn.seen = 1;
		if (send_all || (n->msg_events &&
				 (now_sn.messages != old->messages ||
				  now_sn.uidnext != old->uidnext ||
				  now_sn.uidvalidity != old->uidvalidity ||
				  now_sn.unseen != old->unseen)))
			status_line(s, &now_sn);
		*old = now_sn;
	}
	for (k = 0; k < n->nsnaps;) {
		if (n->snaps[k].seen ||
		    (s->mb != NULL &&
		     strcmp(store_mailbox_name(s->mb), n->snaps[k].name) == 0)) {
			k++;
			continue;
		}
		if (n->name_events)
			imapd_outf(s, "* LIST (\\NonExistent) \"/\" %s\r\n",
				   n->snaps[k].name);
		free(n->snaps[k].name);
		memmove(&n->snaps[k], &n->snaps[k + 1],
			(n->nsnaps - k - 1) * sizeof(*n->snaps));
		n->nsnaps--;
	}
	n->primed = 1;
	store_folders_free(&f);
}

void imapd_notify_check(struct imapd *s, mtime_t now)
{
	check(s, now, 0);
}

static const char *const known_events[] = {
	"MessageNew", "MessageExpunge", "FlagChange", "AnnotationChange",
	"MailboxName", "SubscriptionChange", "MailboxMetadataChange",
	"ServerMetadataChange",
};

void imapd_notify_cmd(struct imapd *s, struct imapd_cmdctx *c, mtime_t now)
{
	struct imapd_notify *n;
	size_t i = 1, j, k;
	int status = 0;

	if (c->nargs == 1 && imapd_arg_is_atom(&c->args[0], "NONE")) {
		imapd_notify_free(s);
		imapd_done(s, c, "OK", "NOTIFY completed.");
		return;
	}
	if (c->nargs < 2 || !imapd_arg_is_atom(&c->args[0], "SET"))
		goto bad;
	n = xcalloc(1, sizeof(*n));
	if (imapd_arg_is_atom(&c->args[1], "STATUS")) {
		status = 1;
		i = 2;
	}
	for (; i < c->nargs; i++) {
		const struct imapd_arg *g = &c->args[i], *flt;

		/* (filter [events]) */
		if (g->type != IMAPD_ARG_LIST || g->n < 1 || g->n > 3)
			goto bad_free;
		flt = &g->list[0];
		if (flt->type != IMAPD_ARG_ATOM)
			goto bad_free;
		j = 1;
		if (strcasecmp(flt->s, "SELECTED") == 0 ||
		    strcasecmp(flt->s, "SELECTED-DELAYED") == 0) {
			/* the normal sync replies */
		} else if (strcasecmp(flt->s, "PERSONAL") == 0) {
			n->personal = 1;
		} else if (strcasecmp(flt->s, "INBOXES") == 0) {
			n->inboxes = 1;
		} else if (strcasecmp(flt->s, "SUBSCRIBED") == 0) {
			n->subscribed = 1;
		} else if (strcasecmp(flt->s, "SUBTREE") == 0 ||
			   strcasecmp(flt->s, "MAILBOXES") == 0) {
			const struct imapd_arg *m = g->n > 1 ? &g->list[1] : NULL;
			const struct imapd_arg *one = m;
			size_t cnt = 1, x;

			if (m == NULL)
				goto bad_free;
			if (m->type == IMAPD_ARG_LIST) {
				one = m->list;
				cnt = m->n;
			}
			for (x = 0; x < cnt; x++) {
				if (!imapd_arg_is_astring(&one[x]))
					goto bad_free;
				n->names = xrealloc(n->names, (n->nnames + 1) * sizeof(char *));
				n->subtree = xrealloc(n->subtree, (n->nnames + 1) * sizeof(int));
				n->names[n->nnames] = xstrdup(one[x].s);
				n->subtree[n->nnames] = strcasecmp(flt->s, "SUBTREE") == 0;
				n->nnames++;
			}
			j = 2;
		} else {
			goto bad_free;
		}
		if (j < g->n) {
			const struct imapd_arg *ev = &g->list[j];

			if (imapd_arg_is_atom(ev, "NONE"))
				continue;
			if (ev->type != IMAPD_ARG_LIST)
				goto bad_free;
			for (k = 0; k < ev->n; k++) {
				size_t e;

				for (e = 0; e < ARRAY_LEN(known_events); e++)
					if (imapd_arg_is_atom(&ev->list[k],
							      known_events[e]))
						break;
				if (e == ARRAY_LEN(known_events))
					goto bad_free;
				if (e <= 2)
					n->msg_events = 1;
				else if (e == 4 || e == 5)
					n->name_events = 1;
			}
		}
	}
	imapd_notify_free(s);
	s->notify = n;
	check(s, now, status);
	imapd_done(s, c, "OK", "NOTIFY completed.");
	return;
bad_free:
	notify_free(n);
bad:
	imapd_cmd_error(s, c, imapd_reply_text(IMAPD_R_INVALID_ARGS));
}
