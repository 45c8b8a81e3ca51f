/* labhost: see labhost.h. */
#include "mda/labhost.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "sim/world.h"

char *labhost_root(const char *root_opt)
{
	return world_root_path(root_opt);
}

/* DESIGN.md: a root is created with the default world on first use. */
static void ensure_world(const char *root)
{
	char *conf = xasprintf("%s/world.conf", root);
	struct stat st;

	if (stat(conf, &st) < 0) {
		struct err e;
		struct world *w = world_open(root, &e);

		world_free(&w);
	}
	free(conf);
}

char *labhost_dir(const char *root_opt, const char *host, char **name_out,
		  struct err *e)
{
	char *root = labhost_root(root_opt), *dir = NULL, *first = NULL;
	struct stat st;

	ensure_world(root);
	if (host == NULL || host[0] == '\0')
		host = getenv("MAILLAB_HOST");
	if (host == NULL || host[0] == '\0') {
		char *hosts = xasprintf("%s/hosts", root);
		DIR *d = opendir(hosts);
		struct dirent *de;

		while (d != NULL && (de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (first == NULL || strcmp(de->d_name, first) < 0) {
				free(first);
				first = xstrdup(de->d_name);
			}
		}
		if (d != NULL)
			closedir(d);
		free(hosts);
		if (first == NULL) {
			err_set(e, ENOENT, _("no lab hosts in %s (run: maillab init)"),
				root);
			free(root);
			return NULL;
		}
		host = first;
	}
	if (strchr(host, '/') != NULL || strcmp(host, "..") == 0 ||
	    strcmp(host, ".") == 0) {
		err_set(e, EINVAL, _("bad host name: %s"), host);
		goto out;
	}
	dir = xasprintf("%s/hosts/%s", root, host);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		err_set(e, ENOENT, _("no host %s in %s"), host, root);
		free(dir);
		dir = NULL;
		goto out;
	}
	if (name_out != NULL)
		*name_out = xstrdup(host);
out:
	free(first);
	free(root);
	return dir;
}
