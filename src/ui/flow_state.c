/*
 * Reading queue and mailbox state back from mail.log lines. Only the
 * words of Postfix 3.7 and Dovecot 2.3 count (see flow_state.h); a line
 * this module does not know changes nothing.
 */
#include "ui/flow_state.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

void flow_state_init(struct flow_state *st)
{
	memset(st, 0, sizeof(*st));
}

void flow_state_reset(struct flow_state *st)
{
	size_t i;

	for (i = 0; i < st->nmsg; i++) {
		free(st->msg[i].host);
		free(st->msg[i].qid);
	}
	for (i = 0; i < st->nbox; i++) {
		free(st->box[i].host);
		free(st->box[i].user);
	}
	free(st->msg);
	free(st->box);
	flow_state_init(st);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The message part of a log line: after "process[pid]: " when present. */
static const char *log_message(const char *text)
{
	const char *s = flow_log_short(text);
	const char *br = strstr(s, "]: ");
	const char *sp = strchr(s, ' ');

	/* "postfix/qmgr[123]: QID: ..." but not "QID: to=<x[y]: ..." */
	if (br != NULL && (sp == NULL || br < sp))
		return br + 3;
	return s;
}

/* A queue ID: 6 or more upper-case hex digits (short form) or the long
 * form's base-52 letters, then ": ". Copies it into buf. */
static int queue_id(const char *m, char *buf, size_t n)
{
	size_t len = 0;

	while (isalnum((unsigned char)m[len]))
		len++;
	if (len < 6 || len >= n || m[len] != ':' || m[len + 1] != ' ')
		return 0;
	if (strncmp(m, "NOQUEUE", 7) == 0)
		return 0;
	memcpy(buf, m, len);
	buf[len] = '\0';
	return 1;
}

static struct flow_msg *find_msg(struct flow_state *st, const char *host,
				 const char *qid)
{
	size_t i;

	for (i = 0; i < st->nmsg; i++)
		if (strcmp(st->msg[i].host, host) == 0 && strcmp(st->msg[i].qid, qid) == 0)
			return &st->msg[i];
	return NULL;
}

static void set_queue(struct flow_state *st, const char *host, const char *qid,
		      const char *queue)
{
	struct flow_msg *m = find_msg(st, host, qid);

	if (m == NULL) {
		st->msg = xrealloc(st->msg, (st->nmsg + 1) * sizeof(*st->msg));
		m = &st->msg[st->nmsg++];
		m->host = xstrdup(host);
		m->qid = xstrdup(qid);
	}
	m->queue = queue;
}

static void drop_msg(struct flow_state *st, const char *host, const char *qid)
{
	struct flow_msg *m = find_msg(st, host, qid);
	size_t i;

	if (m == NULL)
		return;
	i = (size_t)(m - st->msg);
	free(m->host);
	free(m->qid);
	memmove(&st->msg[i], &st->msg[i + 1], (st->nmsg - i - 1) * sizeof(*m));
	st->nmsg--;
}

static struct flow_mbox *mbox(struct flow_state *st, const char *host,
			      const char *user)
{
	struct flow_mbox *b;
	size_t i;

	for (i = 0; i < st->nbox; i++)
		if (strcmp(st->box[i].host, host) == 0 && strcmp(st->box[i].user, user) == 0)
			return &st->box[i];
	st->box = xrealloc(st->box, (st->nbox + 1) * sizeof(*st->box));
	b = &st->box[st->nbox++];
	b->host = xstrdup(host);
	b->user = xstrdup(user);
	b->count = 0;
	b->delivered = 0;
	return b;
}

/* "to=<bob@b.example>" -> "bob" (the mailbox owner is the local part). */
static int to_user(const char *m, char *buf, size_t n)
{
	const char *p = strstr(m, "to=<");
	size_t len;

	if (p == NULL)
		return 0;
	p += 4;
	len = strcspn(p, "@>");
	if (len == 0 || len >= n)
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return 1;
}

/* "pop3(bob)<...>: Disconnected" -> "bob" */
static int dovecot_user(const char *m, char *buf, size_t n)
{
	const char *p = strchr(m, '(');
	size_t len;

	if (p == NULL)
		return 0;
	p++;
	len = strcspn(p, ")");
	if (len == 0 || len >= n || p[len] != ')')
		return 0;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return 1;
}

static long field_num(const char *m, const char *key)
{
	const char *p = strstr(m, key);

	return p ? strtol(p + strlen(key), NULL, 10) : 0;
}

void flow_state_apply(struct flow_state *st, const struct trace_event *ev)
{
	const char *host = nz(ev->host);
	const char *m;
	char qid[64], user[128];

	if (strcmp(nz(ev->protocol), "log") != 0)
		return;
	m = log_message(ev->text);
	if (strstr(m, "Disconnected") != NULL && dovecot_user(m, user, sizeof(user))) {
		struct flow_mbox *b = mbox(st, host, user);
		long gone = strstr(m, "pop3(") != NULL ? field_num(m, "del=")
						       : field_num(m, "expunged=");

		b->count -= (int)gone;
		if (b->count < 0)
			b->count = 0;
		return;
	}
	if (!queue_id(m, qid, sizeof(qid)))
		return;
	m += strlen(qid) + 2;
	if (strncmp(m, "client=", 7) == 0 || strncmp(m, "uid=", 4) == 0 ||
	    strncmp(m, "message-id=", 11) == 0) {
		if (find_msg(st, host, qid) == NULL)
			set_queue(st, host, qid, "incoming");
	} else if (strstr(m, "(queue active)") != NULL) {
		set_queue(st, host, qid, "active");
	} else if (strcmp(m, "removed") == 0) {
		drop_msg(st, host, qid);
	} else if (strstr(m, "status=deferred") != NULL) {
		set_queue(st, host, qid, "deferred");
	} else if (strstr(m, "status=sent (delivered to ") != NULL &&
		   to_user(m, user, sizeof(user))) {
		struct flow_mbox *b = mbox(st, host, user);

		b->count++;
		b->delivered++;
	}
}

void flow_state_at(struct flow_state *st, const struct flow *f, size_t nsteps)
{
	flow_state_at_from(st, NULL, f, nsteps);
}

void flow_state_at_from(struct flow_state *st, const struct flow_state *base,
			const struct flow *f, size_t nsteps)
{
	size_t i;

	flow_state_reset(st);
	for (i = 0; base != NULL && i < base->nbox; i++)
		mbox(st, base->box[i].host, base->box[i].user)->count = base->box[i].count;
	for (i = 0; i < f->nev; i++) {
		if (f->ev[i].step >= nsteps)
			continue;
		flow_state_apply(st, &f->ev[i].ev);
		if (strcmp(nz(f->ev[i].ev.protocol), "log") == 0)
			st->last_log = i + 1;
	}
}

size_t flow_state_count(const struct flow_state *st, const char *host,
			const char *q)
{
	size_t i, n = 0;

	for (i = 0; i < st->nmsg; i++)
		if (strcmp(st->msg[i].host, host) == 0 && strcmp(st->msg[i].queue, q) == 0)
			n++;
	return n;
}

const struct flow_mbox *flow_state_mbox(const struct flow_state *st,
					const char *host, const char *user)
{
	size_t i;

	for (i = 0; i < st->nbox; i++)
		if (strcmp(st->box[i].host, host) == 0 && strcmp(st->box[i].user, user) == 0)
			return &st->box[i];
	return NULL;
}

void flow_state_seed(struct flow_state *st, const char *host, const char *user,
		     int count)
{
	mbox(st, host, user)->count = count;
}
