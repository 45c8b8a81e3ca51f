/*
 * The demo's world lives in ROOT/demo/<scenario>/: made fresh for every
 * run (so the output is the same every time) and left there afterwards,
 * so the learner can look at the real paths (hosts/mail.b.example/var/
 * mail/bob, .../var/log/mail.log). A marker file tells our own directory
 * from anything else: we never empty a directory we did not make.
 */
#define _XOPEN_SOURCE 700
#include "ui/demo_run.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "sim/scenario_run.h"
#include "sim/world.h"

#define MARKER ".maillab-demo"

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0755) < 0 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

/* ROOT/demo/NAME, empty, with our marker in it. */
static char *fresh_dir(const char *root_opt, const char *name, struct err *e)
{
	char *root = world_root_path(root_opt);
	char *dir = xasprintf("%s/demo/%s", root, name);
	char *marker = xasprintf("%s/%s", dir, MARKER);
	struct stat st;
	FILE *f;

	free(root);
	if (stat(dir, &st) == 0) {
		if (access(marker, F_OK) != 0) {
			err_set(e, 0, _("%s exists and was not made by maillab demo; "
					"move it away or use another --root"), dir);
			goto fail;
		}
		if (nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
			err_set(e, errno, _("cannot empty %s: %s"), dir, strerror(errno));
			goto fail;
		}
	}
	if (mkdir_p(dir) < 0 || (f = fopen(marker, "w")) == NULL) {
		err_set(e, errno, _("cannot create %s: %s"), dir, strerror(errno));
		goto fail;
	}
	fprintf(f, "made by maillab demo; emptied at each run\n");
	fclose(f);
	free(marker);
	return dir;
fail:
	free(marker);
	free(dir);
	return NULL;
}

int demo_run(const char *root_opt, const struct scenario *sc,
	     const char *lang, struct flow *f, struct err *e)
{
	struct scenario_run_opts o;
	char *dir = fresh_dir(root_opt, sc->name, e);
	int rc;

	if (dir == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	o.root = dir;
	o.lang = lang;
	o.trace = flow_sink(f);
	rc = scenario_run(sc, &o, e);
	free(dir);
	return rc;
}
