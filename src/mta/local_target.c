/*
 * local_target: what an alias, an :include: file or a .forward names
 * besides addresses: files, commands, include files, "\\user", and the
 * user's .forward itself (Postfix's local/token.c, file.c, command.c,
 * include.c, dotforward.c). See local.h and docs/pipeline/local.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/fsutil.h"
#include "lib/xalloc.h"
#include "mta/aliases.h"
#include "mta/host.h"
#include "mta/local.h"
#include "mta/local_command.h"
#include "mta/local_run.h"
#include "mta/passwd.h"
#include "mta/trivial_rewrite.h"

/* "alias, forward" -> LOCAL_EXP_ALIAS | LOCAL_EXP_FORWARD */
static unsigned exp_mask(struct host *h, const char *name)
{
	char *v = xstrdup(local_param(h, name, "alias, forward")), *save = NULL, *w;
	unsigned mask = 0;

	for (w = strtok_r(v, ", \t", &save); w != NULL; w = strtok_r(NULL, ", \t", &save)) {
		if (strcasecmp(w, "alias") == 0)
			mask |= LOCAL_EXP_ALIAS;
		else if (strcasecmp(w, "forward") == 0)
			mask |= LOCAL_EXP_FORWARD;
		else if (strcasecmp(w, "include") == 0)
			mask |= LOCAL_EXP_INCLUDE;
	}
	free(v);
	return mask;
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
		local_add_outcome(r, r->top, LOCAL_BOUNCED, "5.3.5", text);
		free(text);
		return;
	}
	if (local_seen_mailbox(r, path))
		return;
	hpath = host_path(c->host, path + 1);
	prepend = local_delivery_headers(r);
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
		local_add_outcome(r, r->top, LOCAL_SENT, "2.0.0", text)->mailbox = xstrdup(hpath);
	} else {
		const char *dsn = local_dsn_of_errno(errnum, "5.2.0");

		text = xasprintf("cannot append message to file %s: %s", path, e.text);
		local_add_outcome(r, r->top, local_status_of(dsn), dsn, text);
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
	const char *delim = local_param(c->host, "recipient_delimiter", "");
	char *local = at != NULL ? xstrndup(r->top, (size_t)(at - r->top)) : xstrdup(r->top);
	size_t cut = delim[0] != '\0' ? strcspn(local, delim) : strlen(local);
	char *home = owner != NULL ? host_path(c->host, owner->home[0] == '/'
						 ? owner->home + 1 : owner->home)
				   : NULL;
	char *root = host_path(c->host, "");
	char *prepend = local_delivery_headers(r), *from, *input;
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
	lc.time_limit = (int)strtol(local_param(c->host, "command_time_limit", "1000"), NULL, 10);
	local_command_run(&lc, &res);
	local_add_outcome(r, r->top, local_status_of(res.dsn), res.dsn, res.text);
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

void local_target_free_list(char **vals, size_t n)
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

		local_add_outcome(r, r->top, LOCAL_BOUNCED, "5.3.0", text);
		free(text);
		return;
	}
	for (i = 0; i < n; i++)
		local_target_deliver(r, vals[i], level + 1, name, LOCAL_EXP_INCLUDE, owner);
	local_target_free_list(vals, n);
}

/* One target of an alias, :include: file or .forward (token.c). */
void local_target_deliver(struct local_run *r, const char *tok, int level,
			  const char *name, enum local_exp type,
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
		local_target_deliver(r, unq, level, name, type, owner);
		free(unq);
		return;
	}
	if (level > LOCAL_MAX_LEVEL) {
		char *text = xasprintf("alias database loop for %s", name);

		local_add_outcome(r, r->top, LOCAL_BOUNCED, "5.4.6", text);
		free(text);
		return;
	}
	if (tok[0] == '|' || tok[0] == '/' || (tok[0] == '~' && tok[1] == '/')) {
		int cmd = tok[0] == '|';
		unsigned mask = exp_mask(h, cmd ? "allow_mail_to_commands"
						: "allow_mail_to_files");

		if ((mask & type) == 0) {
			local_add_outcome(r, r->top, LOCAL_BOUNCED, "5.7.1",
				    cmd ? "mail to command is restricted"
					: "mail to file is restricted");
		} else if (cmd) {
			deliver_command(r, tok + 1, owner);
		} else if (tok[0] == '~') {
			char *path;

			if (owner == NULL) {
				local_add_outcome(r, r->top, LOCAL_BOUNCED, "5.3.5",
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

		if (pw == NULL || !local_safe_user(tok + 1)) {
			char *text = xasprintf("unknown user: \"%s\"", tok + 1);

			local_add_outcome(r, r->top, LOCAL_BOUNCED, "5.1.1", text);
			free(text);
		} else {
			local_deliver_mailbox(r, r->top, pw);
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
		local_deliver_rcpt(r, canon, level + 1, name);
	}
	free(canon);
}

/*
 * The user's .forward (forward_path's default: $home/.forward+EXTENSION,
 * then $home/.forward): 1 when it was found and its targets delivered, 0
 * when the mailbox is next. A .forward already expanded in this delivery
 * (it names its own user) means the mailbox, as dot_forward.c's
 * duplicate check does.
 */
int local_target_forward(struct local_run *r, const struct passwd_entry *pw,
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
		local_target_free_list(vals, n);
		return 0;
	}
	r->forwarded = xrealloc(r->forwarded, (r->nforwarded + 1) * sizeof(char *));
	r->forwarded[r->nforwarded++] = xstrdup(pw->name);
	for (i = 0; i < n; i++)
		local_target_deliver(r, vals[i], level + 1, pw->name, LOCAL_EXP_FORWARD, pw);
	local_target_free_list(vals, n);
	return 1;
}
