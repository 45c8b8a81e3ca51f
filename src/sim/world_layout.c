/*
 * world_layout: one host's directory tree at init. See world_layout.h.
 */
#include "sim/world_layout.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/fsutil.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "sim/world.h"
#include "sim/world_builtin.h"

/*
 * Debian 12's /var/spool/postfix, less the chroot copies (dev etc lib usr)
 * and master's FIFOs (reload restart live in public/ on a real system).
 */
const char *const world_layout_queues[] = {
	"active", "bounce", "corrupt", "defer", "deferred", "flush", "hold",
	"incoming", "maildrop", "pid", "private", "public", "saved", "trace",
	NULL,
};

/* Modes as postfix-files sets them (owners cannot be copied here). */
static int queue_mode(const char *q)
{
	if (strcmp(q, "maildrop") == 0)
		return 0730;
	if (strcmp(q, "public") == 0)
		return 0710;
	if (strcmp(q, "pid") == 0)
		return 0755;
	return 0700;
}

int world_layout_mkdirs(const char *path, int mode, struct err *e)
{
	if (fs_mkdirs(path, 0755) < 0)
		return err_set(e, errno, _("cannot create directory %s: %s"),
			       path, strerror(errno));
	/* mkdir's mode went through the umask; the queue modes must not. */
	(void)chmod(path, (mode_t)mode);
	return 0;
}

/* Writes a new file; an existing one is kept as it is. */
static int write_new(const char *dir, const char *rel, const char *text,
		     int mode, struct err *e)
{
	char *path = xasprintf("%s/%s", dir, rel);
	size_t len = strlen(text);
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0) {
		if (errno != EEXIST)
			rc = err_set(e, errno, _("cannot create %s: %s"), path, strerror(errno));
		free(path);
		return rc;
	}
	if (write(fd, text, len) != (ssize_t)len)
		rc = err_set(e, errno, _("cannot write %s: %s"), path, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = err_set(e, errno, _("cannot write %s: %s"), path, strerror(errno));
	free(path);
	return rc;
}

const char *world_layout_mailname(const struct world *w, size_t i)
{
	size_t k;

	if (w->hostdefs[i].mailname != NULL)
		return w->hostdefs[i].mailname;
	for (k = 0; k < w->ndomains; k++)
		if (strcasecmp(w->domains[k].host, w->hosts[i]) == 0)
			return w->domains[k].name;
	return w->hosts[i];
}

/* Replaces the first "old" in *s by "new". */
static void replace(char **s, const char *old, const char *new_)
{
	char *at = strstr(*s, old);
	char *r;

	if (at == NULL)
		return;
	r = xasprintf("%.*s%s%s", (int)(at - *s), *s, new_, at + strlen(old));
	free(*s);
	*s = r;
}

char *world_layout_maincf(const struct world *w, size_t i)
{
	const struct world_hostdef *d = &w->hostdefs[i];
	char *text;
	struct buf dest;
	size_t k;

	if (strcmp(d->maincf, "as-captured") == 0) {
		text = xstrdup(world_builtin_get("templates/main.cf.as-captured"));
		/* the captured machine was centos.localdomain */
		if (strcmp(d->name, "centos.localdomain") != 0) {
			char *line = xasprintf("myhostname = %s\n", d->name);

			replace(&text, "myhostname = centos.localdomain\n", line);
			free(line);
		}
		return text;
	}
	text = xstrdup(world_builtin_get("templates/main.cf.internet-site"));
	buf_init(&dest);
	buf_adds(&dest, "$myhostname");
	for (k = 0; k < w->ndomains; k++)
		if (strcasecmp(w->domains[k].host, d->name) == 0
		    && strcasecmp(w->domains[k].name, d->name) != 0)
			buf_addf(&dest, ", %s", w->domains[k].name);
	buf_adds(&dest, ", localhost.$mydomain, localhost");
	replace(&text, "@MYHOSTNAME@", d->name);
	replace(&text, "@MYDESTINATION@", dest.data);
	buf_reset(&dest);
	return text;
}

char *world_layout_hash(const char *pw, struct err *e)
{
	static const char alphabet[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[16];
	char setting[3 + 16 + 1];
	struct crypt_data *cd;
	const char *h;
	char *out;
	int fd, i;
	ssize_t n;

	fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0) {
		err_set(e, errno, _("cannot open /dev/urandom: %s"), strerror(errno));
		return NULL;
	}
	n = read(fd, rnd, sizeof(rnd));
	close(fd);
	if (n != (ssize_t)sizeof(rnd)) {
		err_set(e, errno, _("cannot read /dev/urandom"));
		return NULL;
	}
	memcpy(setting, "$6$", 3);
	for (i = 0; i < 16; i++)
		setting[3 + i] = alphabet[rnd[i] % 64];
	setting[19] = 0;
	cd = xcalloc(1, sizeof(*cd));
	h = crypt_r(pw, setting, cd);
	if (h == NULL || h[0] != '$') {
		free(cd);
		err_set(e, errno, _("crypt_r failed to hash a password"));
		return NULL;
	}
	out = xstrdup(h);
	free(cd);
	return out;
}

static int write_passwd(const struct world *w, size_t i, const char *dir,
			struct err *e)
{
	struct buf b;
	size_t k;
	int rc;

	buf_init(&b);
	for (k = 0; k < w->nusers; k++) {
		const struct world_user *u = &w->users[k];

		if (strcasecmp(u->host, w->hosts[i]) != 0)
			continue;
		buf_addf(&b, "%s:x:%d:%d:%s:%s:%s\n", u->name, u->uid, u->gid,
			 u->gecos, u->home, u->shell);
	}
	rc = write_new(dir, "etc/passwd", b.data ? b.data : "", 0644, e);
	buf_reset(&b);
	return rc;
}

/* Dovecot passwd-file: user:{SHA512-CRYPT}$6$...:uid:gid::home:: */
static int write_dovecot_users(const struct world *w, size_t i,
			       const char *dir, struct err *e)
{
	struct buf b;
	size_t k;
	int rc = 0;

	buf_init(&b);
	buf_adds(&b, "");
	for (k = 0; k < w->nusers && rc == 0; k++) {
		const struct world_user *u = &w->users[k];
		char *h;

		if (strcasecmp(u->host, w->hosts[i]) != 0 || u->system
		    || u->password == NULL)
			continue;
		h = world_layout_hash(u->password, e);
		if (h == NULL) {
			rc = -1;
			break;
		}
		buf_addf(&b, "%s:{SHA512-CRYPT}%s:%d:%d::%s::\n", u->name, h,
			 u->uid, u->gid, u->home);
		free(h);
	}
	if (rc == 0)
		rc = write_new(dir, "etc/dovecot/users", b.data, 0640, e);
	buf_reset(&b);
	return rc;
}

int world_layout_host(const struct world *w, size_t i, struct err *e)
{
	char *dir = xasprintf("%s/hosts/%s", w->root, w->hosts[i]);
	char *path = NULL, *text = NULL;
	size_t k;
	int rc;

	static const char *const dirs[] = {
		"etc/postfix", "etc/dovecot", "var/mail", "var/log",
		"var/spool/postfix", "home", NULL,
	};

	for (k = 0, rc = 0; dirs[k] != NULL && rc == 0; k++) {
		path = xasprintf("%s/%s", dir, dirs[k]);
		rc = world_layout_mkdirs(path, strcmp(dirs[k], "var/mail") == 0 ? 02775 : 0755, e);
		free(path);
	}
	for (k = 0; world_layout_queues[k] != NULL && rc == 0; k++) {
		path = xasprintf("%s/var/spool/postfix/%s", dir, world_layout_queues[k]);
		rc = world_layout_mkdirs(path, queue_mode(world_layout_queues[k]), e);
		free(path);
	}
	if (rc != 0)
		goto out;

	text = world_layout_maincf(w, i);
	rc = write_new(dir, "etc/postfix/main.cf", text, 0644, e);
	free(text);
	if (rc == 0)
		rc = write_new(dir, "etc/postfix/master.cf",
			       world_builtin_get("templates/master.cf"), 0644, e);
	if (rc == 0) {
		text = xasprintf("%s\n", world_layout_mailname(w, i));
		rc = write_new(dir, "etc/mailname", text, 0644, e);
		free(text);
	}
	if (rc == 0)
		rc = write_new(dir, "etc/aliases",
			       world_builtin_get("templates/aliases"), 0644, e);
	if (rc == 0)
		rc = write_passwd(w, i, dir, e);
	if (rc == 0)
		rc = write_dovecot_users(w, i, dir, e);
	if (rc == 0)
		rc = write_new(dir, "var/log/mail.log", "", 0640, e);

	/* Home directories (root's is /root), inside the host's tree. */
	for (k = 0; k < w->nusers && rc == 0; k++) {
		const struct world_user *u = &w->users[k];

		if (strcasecmp(u->host, w->hosts[i]) != 0
		    || strcmp(u->home, "/nonexistent") == 0 || strstr(u->home, "..") != NULL)
			continue;
		path = xasprintf("%s%s", dir, u->home);
		rc = world_layout_mkdirs(path, strcmp(u->name, "root") == 0 ? 0700 : 0755, e);
		free(path);
	}
out:
	free(dir);
	return rc;
}
