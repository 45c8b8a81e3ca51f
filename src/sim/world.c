/*
 * world: the lab root. See world.h; the world.conf parser is in
 * world_conf.c, the host directory tree in world_layout.c.
 */
#include "sim/world.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "sim/world_builtin.h"
#include "sim/world_layout.h"

char *world_root_path(const char *opt)
{
	const char *v;

	if (opt != NULL && *opt != 0)
		return xstrdup(opt);
	v = getenv("MAILLAB_ROOT");
	if (v != NULL && *v != 0)
		return xstrdup(v);
	v = getenv("XDG_DATA_HOME");
	if (v != NULL && *v == '/')
		return xasprintf("%s/maillab", v);
	v = getenv("HOME");
	if (v == NULL || *v == 0)
		v = "/tmp";
	return xasprintf("%s/.local/share/maillab", v);
}

/* Reads a whole file; NULL with e set. */
static char *slurp(const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *text;
	size_t n;

	if (f == NULL) {
		err_set(e, errno, _("cannot open %s: %s"), path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		err_set(e, 0, _("%s: not a regular file"), path);
		return NULL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	n = fread(text, 1, (size_t)st.st_size, f);
	text[n] = 0;
	fclose(f);
	if (memchr(text, 0, n) != NULL) {
		free(text);
		err_set(e, 0, _("%s: not a text file"), path);
		return NULL;
	}
	return text;
}

static void world_clear(struct world *w)
{
	size_t i;

	for (i = 0; i < w->ndomains; i++) {
		free(w->domains[i].name);
		free(w->domains[i].host);
	}
	free(w->domains);
	for (i = 0; i < w->nhosts; i++) {
		if (w->open_hosts != NULL && w->open_hosts[i] != NULL)
			host_free(&w->open_hosts[i]);
		free(w->hosts[i]);
		free(w->hostdefs[i].name);
		free(w->hostdefs[i].addr);
		free(w->hostdefs[i].maincf);
		free(w->hostdefs[i].mailname);
	}
	free(w->open_hosts);
	free(w->hosts);
	free(w->hostdefs);
	for (i = 0; i < w->nusers; i++) {
		free(w->users[i].name);
		free(w->users[i].password);
		free(w->users[i].host);
		free(w->users[i].home);
		free(w->users[i].shell);
		free(w->users[i].gecos);
	}
	free(w->users);
	for (i = 0; i < w->ndns; i++) {
		free(w->dns[i].name);
		free(w->dns[i].type);
		free(w->dns[i].value);
	}
	free(w->dns);
	free(w->root);
	free(w->name);
	memset(w, 0, sizeof(*w));
}

void world_free(struct world **wp)
{
	if (*wp == NULL)
		return;
	world_clear(*wp);
	free(*wp);
	*wp = NULL;
}

/* An absolute form of a path that may not exist yet. */
static char *absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int world_init(const char *root, const char *world, struct err *e)
{
	struct world w;
	const char *text;
	char *owned = NULL, *conf_path = NULL, *name;
	size_t i;
	int rc = -1, fd;

	memset(&w, 0, sizeof(w));
	if (world == NULL)
		world = "default";
	text = world_builtin_world(world);
	if (text != NULL) {
		name = xasprintf("worlds/%s.conf", world);
	} else if (strchr(world, '/') != NULL || exists(world)) {
		owned = slurp(world, e);
		if (owned == NULL)
			return -1;
		text = owned;
		name = xstrdup(world);
	} else {
		return err_set(e, 0, _("unknown world \"%s\": give default, centos or a world file"), world);
	}
	if (world_conf_parse(&w, name, text, e) != 0)
		goto out;

	w.root = absolute(root);
	conf_path = xasprintf("%s/world.conf", w.root);
	if (exists(conf_path)) {
		err_set(e, EEXIST, _("%s already holds a lab root (%s exists); remove it or choose another --root"),
			w.root, conf_path);
		goto out;
	}
	if (world_layout_mkdirs(w.root, 0755, e) != 0)
		goto out;
	for (i = 0; i < w.nhosts; i++)
		if (world_layout_host(&w, i, e) != 0)
			goto out;
	/* world.conf last: a root without it is not a root (init may rerun). */
	fd = open(conf_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		err_set(e, errno, _("cannot write %s: %s"), conf_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		err_set(e, errno, _("cannot write %s: %s"), conf_path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	world_clear(&w);
	free(conf_path);
	free(owned);
	free(name);
	return rc;
}

struct world *world_open(const char *root, struct err *e)
{
	struct world *w;
	char *conf_path, *text, *abs;

	abs = absolute(root);
	conf_path = xasprintf("%s/world.conf", abs);
	if (!exists(conf_path) && world_init(abs, "default", e) != 0) {
		free(conf_path);
		free(abs);
		return NULL;
	}
	text = slurp(conf_path, e);
	if (text == NULL) {
		free(conf_path);
		free(abs);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	if (world_conf_parse(w, conf_path, text, e) != 0) {
		world_free(&w);
	} else {
		w->root = abs;
		abs = NULL;
		w->open_hosts = xcalloc(w->nhosts, sizeof(*w->open_hosts));
	}
	free(text);
	free(conf_path);
	free(abs);
	return w;
}

/* Index of a host: its full name, or a unique first label ("centos"). */
static int host_index(const struct world *w, const char *name)
{
	size_t i, len = strlen(name);
	int found = -1;

	for (i = 0; i < w->nhosts; i++)
		if (strcasecmp(w->hosts[i], name) == 0)
			return (int)i;
	for (i = 0; i < w->nhosts; i++) {
		if (strncasecmp(w->hosts[i], name, len) == 0 && w->hosts[i][len] == '.') {
			if (found >= 0)
				return -1;
			found = (int)i;
		}
	}
	return found;
}

struct host *world_host(struct world *w, const char *name, struct err *e)
{
	int i = name == NULL ? 0 : host_index(w, name);

	if (i < 0 || (size_t)i >= w->nhosts) {
		err_set(e, 0, _("no host \"%s\" in this world (%s)"),
			name ? name : "", w->root);
		return NULL;
	}
	if (w->open_hosts[i] == NULL)
		w->open_hosts[i] = host_open(w, w->hosts[i], e);
	return w->open_hosts[i];
}

const struct world_hostdef *world_hostdef(const struct world *w,
					  const char *name)
{
	int i = host_index(w, name);

	return i < 0 ? NULL : &w->hostdefs[i];
}

size_t world_dns_lookup(const struct world *w, const char *name,
			const char *type, const struct world_dns **out,
			size_t max)
{
	size_t i, n = 0;
	size_t len = strlen(name);

	/* a trailing dot is the root, as in DNS */
	if (len > 0 && name[len - 1] == '.')
		len--;
	for (i = 0; i < w->ndns && n < max; i++)
		if (strlen(w->dns[i].name) == len
		    && strncasecmp(w->dns[i].name, name, len) == 0
		    && strcasecmp(w->dns[i].type, type) == 0)
			out[n++] = &w->dns[i];
	return n;
}
