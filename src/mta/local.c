/*
 * local(8): loop check, aliases, passwd, mailbox. See local.h.
 */
#include "mta/local.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/fsutil.h"
#include "lib/xalloc.h"
#include "mta/aliases.h"
#include "mta/host.h"
#include "mta/local_command.h"
#include "mta/passwd.h"
#include "mta/trivial_rewrite.h"

/* Postfix's local(8) gives up past this nesting depth (alias.c). */
#define LOCAL_MAX_LEVEL 100

struct local_run {
	struct local_ctx *c;
	const struct local_msg *m;
	const char *top;		/* the recipient as queued */
	const char *orig;		/* its original form */
	struct local_outcome *out;
	size_t nout;
	char **seen;			/* mailboxes delivered to (dup filter) */
	size_t nseen;
	char **remote;			/* alias targets in other domains */
	size_t nremote;
	char **forwarded;		/* users whose .forward was expanded */
	size_t nforwarded;
};

/*
 * Where a target came from (local(8)'s exp_type): allow_mail_to_commands
 * and allow_mail_to_files name the sources whose "|command" and "/file"
 * targets are delivered (default "alias, forward": not :include:).
 */
enum exp_type {
	EXP_ALIAS = 1,
	EXP_FORWARD = 2,
	EXP_INCLUDE = 4,
};

static const char *param(struct host *h, const char *name, const char *def)
{
	const char *v = h->conf != NULL ? conf_get(h->conf, name) : NULL;

	return v != NULL ? v : def;
}

static struct local_outcome *add_outcome(struct local_run *r, const char *to,
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

static enum local_status status_of(const char *dsn)
{
	return dsn[0] == '2' ? LOCAL_SENT : dsn[0] == '4' ? LOCAL_DEFERRED : LOCAL_BOUNCED;
}

/* mbox_dsn() of Postfix: which errno means "try again" or "full". */
static const char *dsn_of_errno(int errnum, const char *def)
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
static int safe_user(const char *u)
{
	return u[0] != '\0' && strchr(u, '/') == NULL && strcmp(u, ".") != 0
	       && strcmp(u, "..") != 0;
}

static int seen_mailbox(struct local_run *r, const char *mbox)
{
	size_t i;

	for (i = 0; i < r->nseen; i++)
		if (strcmp(r->seen[i], mbox) == 0)
			return 1;
	r->seen = xrealloc(r->seen, (r->nseen + 1) * sizeof(*r->seen));
	r->seen[r->nseen++] = xstrdup(mbox);
	return 0;
}

static void deliver_mailbox(struct local_run *r, const char *addr,
			    const struct passwd_entry *pw)
{
	struct local_ctx *c = r->c;
	struct host *h = c->host;
	const char *home_mailbox = param(h, "home_mailbox", "");
	const char *spool = param(h, "mail_spool_directory", "/var/mail");
	const char *limit_s = param(h, "mailbox_size_limit", "51200000");
	long limit = strtol(limit_s, NULL, 10);
	char *vpath, *hpath, *prepend, *file = NULL;
	int maildir = 0, fault = 0, errnum = 0, rc;
	struct err e;
	struct buf pre;

	if (home_mailbox[0] != '\0') {
		size_t n = strlen(home_mailbox);

		maildir = home_mailbox[n - 1] == '/';
		vpath = xasprintf("%s/%s", strcmp(pw->home, "/") == 0 ? "" : pw->home,
				  home_mailbox);
	} else {
		vpath = xasprintf("%s/%s", spool, pw->name);
	}
	if (seen_mailbox(r, vpath)) {
		/* Postfix delivers once per mailbox and message; the duplicate
		 * is dropped without a log line. */
		free(vpath);
		return;
	}
	hpath = host_path(h, vpath[0] == '/' ? vpath + 1 : vpath);
	buf_init(&pre);
	buf_addf(&pre, "Return-Path: <%s>\n", r->m->sender);
	if (r->orig != NULL && r->orig[0] != '\0')
		buf_addf(&pre, "X-Original-To: %s\n", r->orig);
	buf_addf(&pre, "Delivered-To: %s\n", r->top);
	prepend = buf_steal(&pre, NULL);
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
		struct local_outcome *o = add_outcome(r, addr, LOCAL_SENT, "2.0.0",
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
			dsn = dsn_of_errno(errnum, "4.2.0");
		} else {
			text = xasprintf("cannot update mailbox %s for user %s. %s",
					 vpath, pw->name, e.text);
			dsn = dsn_of_errno(errnum, "5.3.0");
		}
		add_outcome(r, addr, status_of(dsn), dsn, text);
		free(text);
	}
	free(prepend);
	free(hpath);
	free(vpath);
}

static void deliver_rcpt(struct local_run *r, const char *addr, int level,
			 const char *exp_from);
static void deliver_token(struct local_run *r, const char *tok, int level,
			  const char *name, enum exp_type type,
			  const struct passwd_entry *owner);

/* "alias, forward" -> EXP_ALIAS | EXP_FORWARD */
static unsigned exp_mask(struct host *h, const char *name)
{
	char *v = xstrdup(param(h, name, "alias, forward")), *save = NULL, *w;
	unsigned mask = 0;

	for (w = strtok_r(v, ", \t", &save); w != NULL; w = strtok_r(NULL, ", \t", &save)) {
		if (strcasecmp(w, "alias") == 0)
			mask |= EXP_ALIAS;
		else if (strcasecmp(w, "forward") == 0)
			mask |= EXP_FORWARD;
		else if (strcasecmp(w, "include") == 0)
			mask |= EXP_INCLUDE;
	}
	free(v);
	return mask;
}

/* The message as a file or command gets it: From_ line, Return-Path,
 * X-Original-To, Delivered-To, then the message. */
static char *delivery_prepend(struct local_run *r)
{
	struct buf pre;

	buf_init(&pre);
	buf_addf(&pre, "Return-Path: <%s>\n", r->m->sender);
	if (r->orig != NULL && r->orig[0] != '\0')
		buf_addf(&pre, "X-Original-To: %s\n", r->orig);
	buf_addf(&pre, "Delivered-To: %s\n", r->top);
	return buf_steal(&pre, NULL);
}

/* A path local(8) may write in the lab: absolute, no ".." component. */
static int lab_path_ok(const char *path)
{
	const char *p = path;

	if (path[0] != '/')
		return 0;
	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return 0;
		p += 2;
	}
	return 1;
}

/* "/path" (mbox) or "/path/" (Maildir): file.c's deliver_file(). */
static void deliver_file(struct local_run *r, const char *path)
{
	struct local_ctx *c = r->c;
	char *hpath, *prepend, *text, *file = NULL;
	size_t n = strlen(path);
	int rc, errnum = 0;
	struct err e;

	if (!lab_path_ok(path)) {
		text = xasprintf("cannot append message to file %s: "
				 "the path leaves the lab's host directory", path);
		add_outcome(r, r->top, LOCAL_BOUNCED, "5.3.5", text);
		free(text);
		return;
	}
	if (seen_mailbox(r, path))
		return;
	hpath = host_path(c->host, path + 1);
	prepend = delivery_prepend(r);
	if (path[n - 1] == '/') {
		rc = local_mailbox_maildir(hpath, c->host->name, c->now,
					   host_next_serial(c->host), prepend,
					   r->m->content, r->m->len, 0, &file, &errnum, &e);
		free(file);
	} else {
		char *from = local_mailbox_from_line(r->m->sender, c->now);

		rc = local_mailbox_mbox(hpath, from, prepend, r->m->content, r->m->len,
					0, 0, &errnum, &e);
		free(from);
	}
	if (rc == 0) {
		text = xasprintf(path[n - 1] == '/' ? "delivered to maildir"
						    : "delivered to file: %s", path);
		add_outcome(r, r->top, LOCAL_SENT, "2.0.0", text)->mailbox = xstrdup(hpath);
	} else {
		const char *dsn = dsn_of_errno(errnum, "5.2.0");

		text = xasprintf("cannot append message to file %s: %s", path, e.text);
		add_outcome(r, r->top, status_of(dsn), dsn, text);
	}
	free(text);
	free(prepend);
	free(hpath);
}

/* "|command": command.c's deliver_command(), run by local_command. */
static void deliver_command(struct local_run *r, const char *cmd,
			    const struct passwd_entry *owner)
{
	struct local_ctx *c = r->c;
	const char *at = strrchr(r->top, '@');
	const char *delim = param(c->host, "recipient_delimiter", "");
	char *local = at != NULL ? xstrndup(r->top, (size_t)(at - r->top)) : xstrdup(r->top);
	size_t cut = delim[0] != '\0' ? strcspn(local, delim) : strlen(local);
	char *home = owner != NULL ? host_path(c->host, owner->home[0] == '/'
						 ? owner->home + 1 : owner->home)
				   : NULL;
	char *root = host_path(c->host, "");
	char *prepend = delivery_prepend(r), *from, *input;
	char *env[16];
	size_t n = 0, i;
	struct local_command lc;
	struct local_command_result res;
	struct stat sb;

	env[n++] = xstrdup("PATH=/usr/bin:/bin");
	if (home != NULL)
		env[n++] = xasprintf("HOME=%s", home);
	env[n++] = xasprintf("LOGNAME=%.*s", (int)cut, local);
	env[n++] = xasprintf("USER=%.*s", (int)cut, local);
	env[n++] = xasprintf("SENDER=%s", r->m->sender);
	env[n++] = xasprintf("RECIPIENT=%s", r->top);
	env[n++] = xasprintf("LOCAL=%s", local);
	if (owner != NULL && owner->shell != NULL)
		env[n++] = xasprintf("SHELL=%s", owner->shell);
	if (at != NULL)
		env[n++] = xasprintf("DOMAIN=%s", at + 1);
	if (local[cut] != '\0')
		env[n++] = xasprintf("EXTENSION=%s", local + cut + 1);
	if (r->orig != NULL && r->orig[0] != '\0')
		env[n++] = xasprintf("ORIGINAL_RECIPIENT=%s", r->orig);
	env[n] = NULL;
	from = local_mailbox_from_line(r->m->sender, c->now);
	input = xasprintf("%s\n%s%.*s", from, prepend, (int)r->m->len, r->m->content);
	memset(&lc, 0, sizeof(lc));
	lc.command = cmd;
	lc.env = (const char *const *)env;
	lc.cwd = home != NULL && stat(home, &sb) == 0 && S_ISDIR(sb.st_mode) ? home : root;
	lc.input = input;
	lc.len = strlen(input);
	lc.time_limit = (int)strtol(param(c->host, "command_time_limit", "1000"), NULL, 10);
	local_command_run(&lc, &res);
	add_outcome(r, r->top, status_of(res.dsn), res.dsn, res.text);
	free(res.text);
	for (i = 0; i < n; i++)
		free(env[i]);
	free(input);
	free(from);
	free(prepend);
	free(root);
	free(home);
	free(local);
}

/* The values of a file (an :include: list or a .forward): lines, '#'
 * comments, commas. -1 with errno when it cannot be read. */
static int read_list(struct host *h, const char *path, char ***vals, size_t *n)
{
	char *hpath = host_path(h, path[0] == '/' ? path + 1 : path);
	size_t len;
	struct err e;
	char *text = fs_slurp(hpath, &len, &e), *line, *save = NULL;

	free(hpath);
	if (text == NULL)
		return -1;	/* errno still says why */
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		if (line[0] != '#')
			aliases_split(line, vals, n);
	free(text);
	return 0;
}

static void free_list(char **vals, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(vals[i]);
	free(vals);
}

/* ":include:/path": include.c's deliver_include(). */
static void deliver_include(struct local_run *r, const char *path, int level,
			    const char *name, const struct passwd_entry *owner)
{
	char **vals = NULL;
	size_t n = 0, i;

	if (!lab_path_ok(path) || read_list(r->c->host, path, &vals, &n) < 0) {
		char *text = xasprintf("cannot open include file %s: %s", path,
				       lab_path_ok(path) ? strerror(errno)
							 : "the path leaves the lab's host directory");

		add_outcome(r, r->top, LOCAL_BOUNCED, "5.3.0", text);
		free(text);
		return;
	}
	for (i = 0; i < n; i++)
		deliver_token(r, vals[i], level + 1, name, EXP_INCLUDE, owner);
	free_list(vals, n);
}

/* One target of an alias, :include: file or .forward (token.c). */
static void deliver_token(struct local_run *r, const char *tok, int level,
			  const char *name, enum exp_type type,
			  const struct passwd_entry *owner)
{
	struct host *h = r->c->host;
	char *canon, *unq = NULL;
	const char *at;
	size_t tlen = strlen(tok);

	/* "|cmd with spaces" and "/file name" are written quoted in aliases
	 * and .forward files; the target is what is inside the quotes. */
	if (tlen >= 3 && tok[0] == '"' && tok[tlen - 1] == '"'
	    && (tok[1] == '|' || tok[1] == '/')) {
		unq = xstrndup(tok + 1, tlen - 2);
		deliver_token(r, unq, level, name, type, owner);
		free(unq);
		return;
	}
	if (level > LOCAL_MAX_LEVEL) {
		char *text = xasprintf("alias database loop for %s", name);

		add_outcome(r, r->top, LOCAL_BOUNCED, "5.4.6", text);
		free(text);
		return;
	}
	if (tok[0] == '|' || tok[0] == '/' || (tok[0] == '~' && tok[1] == '/')) {
		int cmd = tok[0] == '|';
		unsigned mask = exp_mask(h, cmd ? "allow_mail_to_commands"
						: "allow_mail_to_files");

		if ((mask & type) == 0) {
			add_outcome(r, r->top, LOCAL_BOUNCED, "5.7.1",
				    cmd ? "mail to command is restricted"
					: "mail to file is restricted");
		} else if (cmd) {
			deliver_command(r, tok + 1, owner);
		} else if (tok[0] == '~') {
			char *path;

			if (owner == NULL) {
				add_outcome(r, r->top, LOCAL_BOUNCED, "5.3.5",
					    "mail system configuration error");
				return;
			}
			path = xasprintf("%s%s", strcmp(owner->home, "/") == 0 ? ""
						 : owner->home, tok + 1);
			deliver_file(r, path);
			free(path);
		} else {
			deliver_file(r, tok);
		}
		return;
	}
	if (strncasecmp(tok, ":include:", 9) == 0) {
		deliver_include(r, tok + 9, level, name, owner);
		return;
	}
	if (tok[0] == '\\') {
		/* "\\user": that user's mailbox, no alias or .forward. */
		const struct passwd_entry *pw = host_user(h, tok + 1);

		if (pw == NULL || !safe_user(tok + 1)) {
			char *text = xasprintf("unknown user: \"%s\"", tok + 1);

			add_outcome(r, r->top, LOCAL_BOUNCED, "5.1.1", text);
			free(text);
		} else {
			deliver_mailbox(r, r->top, pw);
		}
		return;
	}
	canon = trivial_rewrite_canon(r->c->tr, TRIVIAL_REWRITE_LOCAL,
				      tok[0] == '"' ? tok : tok);
	at = strrchr(canon, '@');
	if (at != NULL && !trivial_rewrite_is_local_domain(r->c->tr, at + 1)) {
		size_t i;

		for (i = 0; i < r->nremote; i++)
			if (strcasecmp(r->remote[i], canon) == 0)
				break;
		if (i == r->nremote) {
			r->remote = xrealloc(r->remote, (r->nremote + 1) * sizeof(char *));
			r->remote[r->nremote++] = xstrdup(canon);
		}
	} else {
		deliver_rcpt(r, canon, level + 1, name);
	}
	free(canon);
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

		add_outcome(r, r->top, LOCAL_BOUNCED, "5.4.6", text);
		free(text);
		return 1;
	}
	if (a->nvalues == 0) {
		add_outcome(r, r->top, LOCAL_DEFERRED, "4.3.0", "alias database unavailable");
		return 1;
	}
	for (i = 0; i < a->nvalues; i++)
		deliver_token(r, a->values[i], level, a->name, EXP_ALIAS, NULL);
	return 1;
}

/*
 * The user's .forward (forward_path's default: $home/.forward+EXTENSION,
 * then $home/.forward): 1 when it was found and its targets delivered, 0
 * when the mailbox is next. A .forward already expanded in this delivery
 * (it names its own user) means the mailbox, as dot_forward.c's
 * duplicate check does.
 */
static int deliver_forward(struct local_run *r, const struct passwd_entry *pw,
			   const char *ext, int level)
{
	const char *home = strcmp(pw->home, "/") == 0 ? "" : pw->home;
	char *paths[2], **vals = NULL;
	size_t n = 0, i;
	int found = 0, k;

	for (i = 0; i < r->nforwarded; i++)
		if (strcmp(r->forwarded[i], pw->name) == 0)
			return 0;
	paths[0] = ext[0] != '\0' ? xasprintf("%s/.forward%s", home, ext) : NULL;
	paths[1] = xasprintf("%s/.forward", home);
	for (k = 0; k < 2 && !found; k++)
		if (paths[k] != NULL && read_list(r->c->host, paths[k], &vals, &n) == 0)
			found = n > 0;
	free(paths[0]);
	free(paths[1]);
	if (!found) {
		free_list(vals, n);
		return 0;
	}
	r->forwarded = xrealloc(r->forwarded, (r->nforwarded + 1) * sizeof(char *));
	r->forwarded[r->nforwarded++] = xstrdup(pw->name);
	for (i = 0; i < n; i++)
		deliver_token(r, vals[i], level + 1, pw->name, EXP_FORWARD, pw);
	free_list(vals, n);
	return 1;
}

static void deliver_rcpt(struct local_run *r, const char *addr, int level,
			 const char *exp_from)
{
	struct host *h = r->c->host;
	const char *at = strrchr(addr, '@');
	const char *delim = param(h, "recipient_delimiter", "");
	const struct passwd_entry *pw;
	char *local, *user;
	size_t i;

	local = at != NULL ? xstrndup(addr, (size_t)(at - addr)) : xstrdup(addr);
	for (i = 0; local[i] != '\0'; i++)
		local[i] = (char)tolower((unsigned char)local[i]);
	if (level == 0 && delivered_to_seen(r->m, addr)) {
		char *text = xasprintf("mail forwarding loop for %s", addr);

		add_outcome(r, addr, LOCAL_BOUNCED, "5.4.6", text);
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
	pw = safe_user(user) ? host_user(h, user) : NULL;
	if (pw == NULL) {
		char *text = xasprintf("unknown user: \"%s\"", local);

		add_outcome(r, addr, LOCAL_BOUNCED, "5.1.1", text);
		free(text);
	} else if (!deliver_forward(r, pw, local + strlen(user), level)) {
		deliver_mailbox(r, addr, pw);
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
	deliver_rcpt(&r, rc->address, 0, NULL);
	if (r.nremote > 0) {
		char *qid = NULL;
		struct err e;

		if (c->forward != NULL
		    && c->forward(c->cb_ctx, m, (const char *const *)r.remote, r.nremote,
				  &qid, &e) == 0) {
			char *text = xasprintf("forwarded as %s", qid);

			for (i = 0; i < r.nremote; i++)
				add_outcome(&r, r.remote[i], LOCAL_SENT, "2.0.0", text);
			free(text);
			free(qid);
		} else {
			for (i = 0; i < r.nremote; i++)
				add_outcome(&r, r.remote[i], LOCAL_DEFERRED, "4.3.0",
					    c->forward != NULL ? e.text
							       : "mail forwarding is unavailable");
		}
	}
	if (r.nout == 0) {
		/* Every target was a duplicate of one already delivered. */
		add_outcome(&r, rc->address, LOCAL_SENT, "2.0.0", "delivered to mailbox");
	}
	for (i = 0; i < r.nseen; i++)
		free(r.seen[i]);
	free(r.seen);
	for (i = 0; i < r.nremote; i++)
		free(r.remote[i]);
	free(r.remote);
	free_list(r.forwarded, r.nforwarded);
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
