/*
 * local(8): loop check, aliases, passwd, mailbox. See local.h.
 */
#include "mta/local.h"
#include "mta/local_run.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/xalloc.h"
#include "mta/aliases.h"
#include "mta/host.h"
#include "mta/passwd.h"
#include "mta/trivial_rewrite.h"

const char *local_param(struct host *h, const char *name, const char *def)
{
	const char *v = h->conf != NULL ? conf_get(h->conf, name) : NULL;

	return v != NULL ? v : def;
}

struct local_outcome *local_add_outcome(struct local_run *r, const char *to,
					 enum local_status st, const char *dsn,
					 const char *text)
{
	struct local_outcome *o;

	r->out = xrealloc(r->out, (r->nout + 1) * sizeof(*r->out));
	o = &r->out[r->nout++];
	memset(o, 0, sizeof(*o));
	o->to = xstrdup(to);
	o->orig_to = xstrdup(r->orig);
	o->status = st;
	snprintf(o->dsn, sizeof(o->dsn), "%s", dsn);
	o->text = xstrdup(text);
	return o;
}

enum local_status local_status_of(const char *dsn)
{
	return dsn[0] == '2' ? LOCAL_SENT : dsn[0] == '4' ? LOCAL_DEFERRED : LOCAL_BOUNCED;
}

/* mbox_dsn() of Postfix: which errno means "try again" or "full". */
const char *local_dsn_of_errno(int errnum, const char *def)
{
	if (errnum == EAGAIN || errnum == ESTALE)
		return "4.2.0";
	if (errnum == ENOSPC)
		return "4.3.0";
	if (errnum == EDQUOT || errnum == EFBIG)
		return "5.2.2";
	return def;
}

/* RFC 5322 header "Delivered-To: addr" already in the message: a loop. */
static int delivered_to_seen(const struct local_msg *m, const char *addr)
{
	const char *p = m->content, *end = m->content + m->len;
	size_t alen = strlen(addr);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (n == 0)
			break;		/* end of the header */
		if (n > 13 && strncasecmp(p, "Delivered-To:", 13) == 0) {
			const char *v = p + 13;
			size_t vn = n - 13;

			while (vn > 0 && (*v == ' ' || *v == '\t')) {
				v++;
				vn--;
			}
			while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\r'))
				vn--;
			if (vn == alen && strncasecmp(v, addr, alen) == 0)
				return 1;
		}
		p += n + 1;
	}
	return 0;
}

/* A login name local(8) may turn into a path: no '/', not "." or "..". */
char *local_delivery_headers(const struct local_run *r)
{
	struct buf pre;

	buf_init(&pre);
	buf_addf(&pre, "Return-Path: <%s>\n", r->m->sender);
	if (r->orig != NULL && r->orig[0] != '\0')
		buf_addf(&pre, "X-Original-To: %s\n", r->orig);
	buf_addf(&pre, "Delivered-To: %s\n", r->top);
	return buf_steal(&pre, NULL);
}

int local_safe_user(const char *u)
{
	return u[0] != '\0' && strchr(u, '/') == NULL && strcmp(u, ".") != 0
	       && strcmp(u, "..") != 0;
}

int local_seen_mailbox(struct local_run *r, const char *mbox)
{
	size_t i;

	for (i = 0; i < r->nseen; i++)
		if (strcmp(r->seen[i], mbox) == 0)
			return 1;
	r->seen = xrealloc(r->seen, (r->nseen + 1) * sizeof(*r->seen));
	r->seen[r->nseen++] = xstrdup(mbox);
	return 0;
}

void local_deliver_mailbox(struct local_run *r, const char *addr,
			    const struct passwd_entry *pw)
{
	struct local_ctx *c = r->c;
	struct host *h = c->host;
	const char *home_mailbox = local_param(h, "home_mailbox", "");
	const char *spool = local_param(h, "mail_spool_directory", "/var/mail");
	const char *limit_s = local_param(h, "mailbox_size_limit", "51200000");
	long limit = strtol(limit_s, NULL, 10);
	char *vpath, *hpath, *prepend, *file = NULL;
	int maildir = 0, fault = 0, errnum = 0, rc;
	struct err e;

	if (home_mailbox[0] != '\0') {
		size_t n = strlen(home_mailbox);

		maildir = home_mailbox[n - 1] == '/';
		vpath = xasprintf("%s/%s", strcmp(pw->home, "/") == 0 ? "" : pw->home,
				  home_mailbox);
	} else {
		vpath = xasprintf("%s/%s", spool, pw->name);
	}
	if (local_seen_mailbox(r, vpath)) {
		/* Postfix delivers once per mailbox and message; the duplicate
		 * is dropped without a log line. */
		free(vpath);
		return;
	}
	hpath = host_path(h, vpath[0] == '/' ? vpath + 1 : vpath);
	prepend = local_delivery_headers(r);
	if (c->write_fault != NULL)
		fault = c->write_fault(c->cb_ctx, pw->name);
	if (maildir) {
		rc = local_mailbox_maildir(hpath, h->name, c->now, host_next_serial(h),
					   prepend, r->m->content, r->m->len, fault,
					   &file, &errnum, &e);
	} else {
		char *from = local_mailbox_from_line(r->m->sender, c->now);

		rc = local_mailbox_mbox(hpath, from, prepend, r->m->content, r->m->len,
					limit, fault, &errnum, &e);
		free(from);
	}
	if (rc == 0) {
		struct local_outcome *o = local_add_outcome(r, addr, LOCAL_SENT, "2.0.0",
						      maildir ? "delivered to maildir"
							      : "delivered to mailbox");

		o->mailbox = maildir ? file : xstrdup(hpath);
		if (!maildir)
			free(file);
	} else {
		char *text;
		const char *dsn;

		if (maildir) {
			/* Postfix's maildir.c: "maildir delivery failed: ..." */
			text = xasprintf("maildir delivery failed: %s", e.text);
			dsn = local_dsn_of_errno(errnum, "4.2.0");
		} else {
			text = xasprintf("cannot update mailbox %s for user %s. %s",
					 vpath, pw->name, e.text);
			dsn = local_dsn_of_errno(errnum, "5.3.0");
		}
		local_add_outcome(r, addr, local_status_of(dsn), dsn, text);
		free(text);
	}
	free(prepend);
	free(hpath);
	free(vpath);
}

/* 1 when name is an alias (and its values were delivered), 0 if not. */
static int deliver_alias(struct local_run *r, const char *name, int level,
			 const char *exp_from)
{
	const struct alias *a;
	size_t i;

	/* An alias that lists its own name goes to the user (sendmail's
	 * rule, kept by Postfix's alias.c). */
	if (exp_from != NULL && strcasecmp(exp_from, name) == 0)
		return 0;
	a = host_alias(r->c->host, name);
	if (a == NULL)
		return 0;
	if (level > LOCAL_MAX_LEVEL) {
		char *text = xasprintf("alias database loop for %s", name);

		local_add_outcome(r, r->top, LOCAL_BOUNCED, "5.4.6", text);
		free(text);
		return 1;
	}
	if (a->nvalues == 0) {
		local_add_outcome(r, r->top, LOCAL_DEFERRED, "4.3.0", "alias database unavailable");
		return 1;
	}
	for (i = 0; i < a->nvalues; i++)
		local_target_deliver(r, a->values[i], level, a->name, LOCAL_EXP_ALIAS, NULL);
	return 1;
}

void local_deliver_rcpt(struct local_run *r, const char *addr, int level,
			 const char *exp_from)
{
	struct host *h = r->c->host;
	const char *at = strrchr(addr, '@');
	const char *delim = local_param(h, "recipient_delimiter", "");
	const struct passwd_entry *pw;
	char *local, *user;
	size_t i;

	local = at != NULL ? xstrndup(addr, (size_t)(at - addr)) : xstrdup(addr);
	for (i = 0; local[i] != '\0'; i++)
		local[i] = (char)tolower((unsigned char)local[i]);
	if (level == 0 && delivered_to_seen(r->m, addr)) {
		char *text = xasprintf("mail forwarding loop for %s", addr);

		local_add_outcome(r, addr, LOCAL_BOUNCED, "5.4.6", text);
		free(text);
		free(local);
		return;
	}
	if (deliver_alias(r, local, level, exp_from)) {
		free(local);
		return;
	}
	/* wees+tag: the alias "wees+tag" first, then "wees" (recipient_delimiter). */
	user = xstrdup(local);
	if (delim[0] != '\0') {
		size_t cut = strcspn(local, delim);

		if (cut > 0 && local[cut] != '\0') {
			user[cut] = '\0';
			if (deliver_alias(r, user, level, exp_from)) {
				free(user);
				free(local);
				return;
			}
		}
	}
	pw = local_safe_user(user) ? host_user(h, user) : NULL;
	if (pw == NULL) {
		char *text = xasprintf("unknown user: \"%s\"", local);

		local_add_outcome(r, addr, LOCAL_BOUNCED, "5.1.1", text);
		free(text);
	} else if (!local_target_forward(r, pw, local + strlen(user), level)) {
		local_deliver_mailbox(r, addr, pw);
	}
	free(user);
	free(local);
}

size_t local_deliver(struct local_ctx *c, const struct local_msg *m,
		     const struct local_rcpt *rc, struct local_outcome **out_out)
{
	struct local_run r;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.m = m;
	r.top = rc->address;
	r.orig = rc->orig != NULL && rc->orig[0] != '\0' ? rc->orig : rc->address;
	local_deliver_rcpt(&r, rc->address, 0, NULL);
	if (r.nremote > 0) {
		char *qid = NULL;
		struct err e;

		if (c->forward != NULL
		    && c->forward(c->cb_ctx, m, (const char *const *)r.remote, r.nremote,
				  &qid, &e) == 0) {
			char *text = xasprintf("forwarded as %s", qid);

			for (i = 0; i < r.nremote; i++)
				local_add_outcome(&r, r.remote[i], LOCAL_SENT, "2.0.0", text);
			free(text);
			free(qid);
		} else {
			for (i = 0; i < r.nremote; i++)
				local_add_outcome(&r, r.remote[i], LOCAL_DEFERRED, "4.3.0",
					    c->forward != NULL ? e.text
							       : "mail forwarding is unavailable");
		}
	}
	if (r.nout == 0) {
		/* Every target was a duplicate of one already delivered. */
		local_add_outcome(&r, rc->address, LOCAL_SENT, "2.0.0", "delivered to mailbox");
	}
	for (i = 0; i < r.nseen; i++)
		free(r.seen[i]);
	free(r.seen);
	for (i = 0; i < r.nremote; i++)
		free(r.remote[i]);
	free(r.remote);
	local_target_free_list(r.forwarded, r.nforwarded);
	*out_out = r.out;
	return r.nout;
}

void local_outcomes_free(struct local_outcome **op, size_t n)
{
	struct local_outcome *o = *op;
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(o[i].to);
		free(o[i].orig_to);
		free(o[i].text);
		free(o[i].mailbox);
	}
	free(o);
	*op = NULL;
}
