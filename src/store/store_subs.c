/*
 * store_subs: see store_subs.h.
 */
#include "store/store_subs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fsutil.h"
#include "lib/xalloc.h"

void store_subs_mark(const char *dir, const char *file,
		     struct store_folders *out)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t i;

	free(path);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		for (i = 0; i < out->n; i++)
			if (strcmp(out->v[i].name, line) == 0)
				out->v[i].attrs |= STORE_FOLDER_SUBSCRIBED;
	}
	fclose(f);
}

int store_subs_set(const char *dir, const char *file, const char *name,
		   int on, struct err *e)
{
	char *path = xasprintf("%s/%s", dir, file);
	char *tpath = xasprintf("%s.tmp", path);
	FILE *in, *out;
	char line[1024];
	int found = 0, rc = 0;

	(void)fs_mkdirs(dir, 0700);
	out = fopen(tpath, "w");
	if (out == NULL) {
		rc = err_set(e, errno, "open(%s) failed: %s", tpath,
			     strerror(errno));
		goto done;
	}
	in = fopen(path, "r");
	while (in != NULL && fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strcmp(line, name) == 0) {
			found = 1;
			if (!on)
				continue;
		}
		if (line[0] != '\0')
			fprintf(out, "%s\n", line);
	}
	if (in != NULL)
		fclose(in);
	if (on && !found)
		fprintf(out, "%s\n", name);
	if (fclose(out) != 0 || rename(tpath, path) < 0)
		rc = err_set(e, errno, "writing %s failed", path);
done:
	free(path);
	free(tpath);
	return rc;
}
