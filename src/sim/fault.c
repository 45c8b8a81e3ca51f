/*
 * The fault list. See fault.h.
 */
#include "sim/fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

void fault_set_init(struct fault_set *f)
{
	f->v = NULL;
	f->n = 0;
}

void fault_set_reset(struct fault_set *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].kind);
		free(f->v[i].target);
	}
	free(f->v);
	fault_set_init(f);
}

int fault_on(const struct fault_set *f, const char *kind, const char *target)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].kind, kind) == 0 && strcasecmp(f->v[i].target, target) == 0)
			return 1;
	return 0;
}

void fault_add(struct fault_set *f, const char *kind, const char *target)
{
	if (fault_on(f, kind, target))
		return;
	f->v = xrealloc(f->v, (f->n + 1) * sizeof(*f->v));
	f->v[f->n].kind = xstrdup(kind);
	f->v[f->n].target = xstrdup(target);
	f->n++;
}

void fault_remove(struct fault_set *f, const char *kind, const char *target)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].kind, kind) == 0 && strcasecmp(f->v[i].target, target) == 0) {
			free(f->v[i].kind);
			free(f->v[i].target);
			memmove(&f->v[i], &f->v[i + 1], (f->n - i - 1) * sizeof(*f->v));
			f->n--;
			return;
		}
}

int fault_load(struct fault_set *f, const char *root, struct err *e)
{
	char *path = xasprintf("%s/faults", root);
	FILE *fp = fopen(path, "r");
	char line[512];

	fault_set_reset(f);
	if (fp == NULL) {
		int errnum = errno;

		free(path);
		if (errnum == ENOENT)
			return 0;
		return err_set(e, errnum, _("cannot read %s/faults: %s"), root, strerror(errnum));
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char kind[64], target[400];

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %399s", kind, target) == 2)
			fault_add(f, kind, target);
	}
	fclose(fp);
	free(path);
	return 0;
}

int fault_save(const struct fault_set *f, const char *root, struct err *e)
{
	char *path = xasprintf("%s/faults", root);
	FILE *fp = fopen(path, "w");
	size_t i;
	int rc = 0;

	if (fp == NULL) {
		rc = err_set(e, errno, _("cannot write %s: %s"), path, strerror(errno));
		free(path);
		return rc;
	}
	fprintf(fp, "# maillab faults: KIND TARGET (see maillab fault --help)\n");
	for (i = 0; i < f->n; i++)
		fprintf(fp, "%s %s\n", f->v[i].kind, f->v[i].target);
	if (fclose(fp) != 0)
		rc = err_set(e, errno, _("cannot write %s: %s"), path, strerror(errno));
	free(path);
	return rc;
}
