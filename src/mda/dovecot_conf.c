/*
 * dovecot_conf: a reader for the subset of dovecot.conf(5) we need:
 * "key = value" lines (later ones win), comments, "name {" ... "}"
 * sections (their contents are skipped: passdb/userdb/service blocks),
 * and !include / !include_try with a glob, relative to etc/dovecot/.
 */
#include "mda/dovecot_conf.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/fsutil.h"
#include "lib/xalloc.h"

static void set_str(char **field, const char *v)
{
	free(*field);
	*field = xstrdup(v);
}

static void free_where(struct dovecot_conf_where *w)
{
	free(w->value);
	free(w->file);
}

static int yes(const char *v)
{
	return strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0;
}

static void set_where(struct dovecot_conf_where *w, const char *v,
		      const char *path, int lineno)
{
	set_str(&w->value, v);
	set_str(&w->file, path);
	w->line = lineno;
}

static void apply(struct dovecot_conf *c, const char *key, const char *v,
		  const char *path, int lineno)
{
	if (strcmp(key, "mail_location") == 0)
		set_str(&c->mail_location, v);
	else if (strcmp(key, "login_greeting") == 0)
		set_str(&c->login_greeting, v);
	else if (strcmp(key, "ssl") == 0)
		set_str(&c->ssl, v);
	else if (strcmp(key, "ssl_cert") == 0)
		set_where(&c->ssl_cert, v, path, lineno);
	else if (strcmp(key, "ssl_key") == 0)
		set_where(&c->ssl_key, v, path, lineno);
	else if (strcmp(key, "auth_mechanisms") == 0)
		set_str(&c->auth_mechanisms, v);
	else if (strcmp(key, "protocols") == 0)
		set_str(&c->protocols, v);
	else if (strcmp(key, "disable_plaintext_auth") == 0)
		c->disable_plaintext_auth = yes(v);
	else if (strcmp(key, "pop3_no_flag_updates") == 0)
		c->pop3_no_flag_updates = yes(v);
	/* Other settings are Dovecot's business, not modelled. */
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int load_file(struct dovecot_conf *c, const char *dir,
		     const char *path, int depth, struct err *e);

static int include(struct dovecot_conf *c, const char *dir,
		   const char *pattern, int must, int depth, struct err *e)
{
	char *full = pattern[0] == '/' ? xstrdup(pattern) :
		xasprintf("%s/%s", dir, pattern);
	glob_t g;
	size_t i;
	int rc = 0, grc;

	grc = glob(full, 0, NULL, &g);
	if (grc == GLOB_NOMATCH && must && strchr(full, '*') == NULL)
		rc = err_set(e, ENOENT, "%s: No such file", full);
	for (i = 0; grc == 0 && i < g.gl_pathc && rc == 0; i++)
		rc = load_file(c, dir, g.gl_pathv[i], depth + 1, e);
	if (grc == 0)
		globfree(&g);
	free(full);
	return rc;
}

static int load_file(struct dovecot_conf *c, const char *dir,
		     const char *path, int depth, struct err *e)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, section = 0, rc = 0;

	if (depth > 8)
		return err_set(e, ELOOP, "%s: includes nested too deep", path);
	f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 :
			err_set(e, errno, "%s: %s", path, strerror(errno));
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		char *s, *eq, *hash;

		lineno++;
		hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		s = trim(line);
		if (*s == '\0')
			continue;
		if (strcmp(s, "}") == 0) {
			if (section > 0)
				section--;
			continue;
		}
		if (s[strlen(s) - 1] == '{') {
			section++;
			continue;
		}
		if (section > 0)
			continue;
		if (strncmp(s, "!include_try ", 13) == 0) {
			rc = include(c, dir, trim(s + 13), 0, depth, e);
			continue;
		}
		if (strncmp(s, "!include ", 9) == 0) {
			rc = include(c, dir, trim(s + 9), 1, depth, e);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			rc = err_set(e, EINVAL, "%s line %d: Expecting '='",
				     path, lineno);
			break;
		}
		*eq = '\0';
		{
			char *key = trim(s), *v = trim(eq + 1);
			size_t n = strlen(v);

			if (n >= 2 && (v[0] == '"' || v[0] == '\'') &&
			    v[n - 1] == v[0]) {
				v[n - 1] = '\0';
				v++;
			}
			apply(c, key, v, path, lineno);
		}
	}
	free(line);
	fclose(f);
	return rc;
}

int dovecot_conf_load(struct dovecot_conf *c, const char *hostdir,
		      struct err *e)
{
	char *dir = xasprintf("%s/etc/dovecot", hostdir);
	char *main = xasprintf("%s/dovecot.conf", dir);
	struct stat st;
	int rc;

	memset(c, 0, sizeof(*c));
	/* Debian 12's defaults (doveconf -n on the reference machine
	 * showed only listen = 127.0.0.1 set, config/dovecot-local.conf). */
	c->mail_location = xstrdup("mbox:~/mail:INBOX=/var/mail/%u");
	c->login_greeting = xstrdup("Dovecot (Debian) ready.");
	c->ssl = xstrdup("yes");
	c->auth_mechanisms = xstrdup("plain");
	c->protocols = xstrdup("imap pop3");
	c->passwd_file = xstrdup("/etc/dovecot/users");
	c->disable_plaintext_auth = 1;
	if (stat(main, &st) == 0) {
		rc = load_file(c, dir, main, 0, e);
	} else {
		rc = include(c, dir, "conf.d/*.conf", 0, 0, e);
		if (rc == 0)
			rc = include(c, dir, "local.conf", 0, 0, e);
	}
	/* Dovecot's login settings check: ssl = required implies
	 * disable_plaintext_auth = yes. */
	if (strcmp(c->ssl, "required") == 0)
		c->disable_plaintext_auth = 1;
	free(main);
	free(dir);
	return rc;
}

void dovecot_conf_free(struct dovecot_conf *c)
{
	free(c->mail_location);
	free(c->login_greeting);
	free(c->ssl);
	free(c->auth_mechanisms);
	free(c->protocols);
	free(c->passwd_file);
	free_where(&c->ssl_cert);
	free_where(&c->ssl_key);
	memset(c, 0, sizeof(*c));
}

char *dovecot_conf_read_value(const struct dovecot_conf_where *w,
			      const char *key, const char *hostdir,
			      struct err *e)
{
	const char *p = w->value;
	char *path, *text;
	struct err fe;

	BUG_ON(p == NULL);
	if (p[0] != '<')
		return xstrdup(p);
	p++;
	while (isspace((unsigned char)*p))
		p++;
	/* the host's /etc/ssl/... is hostdir/etc/ssl/... */
	path = xasprintf("%s/%s", hostdir, p[0] == '/' ? p + 1 : p);
	text = fs_slurp(path, NULL, &fe);
	if (text == NULL)
		/* Dovecot's config-parser.c: str_append_file() */
		err_set(e, fe.errnum, "Error in configuration file %s line %d: "
			"%s: Can't open file %s: %s", w->file, w->line, key,
			path, strerror(fe.errnum));
	free(path);
	return text;
}
