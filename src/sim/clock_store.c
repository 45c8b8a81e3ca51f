/*
 * The lab clock file. See clock_store.h.
 */
#include "sim/clock_store.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"

int clock_store_load(const char *root, mtime_t *offset_out, struct err *e)
{
	char *path = xasprintf("%s/clock", root);
	FILE *f = fopen(path, "r");
	char line[256];
	int rc = 0, found = 0;

	*offset_out = 0;
	if (f == NULL) {
		free(path);
		if (errno == ENOENT)
			return 0;
		return err_set(e, errno, _("cannot read %s/clock: %s"), root, strerror(errno));
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		long long v;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "offset_ms %lld", &v) == 1) {
			*offset_out = (mtime_t)v;
			found = 1;
		}
	}
	fclose(f);
	if (!found)
		rc = err_set(e, 0, _("%s: no \"offset_ms N\" line"), path);
	free(path);
	return rc;
}

int clock_store_save(const char *root, mtime_t offset, struct err *e)
{
	char *path = xasprintf("%s/clock", root);
	char *tmp = xasprintf("%s/.clock.tmp", root);
	FILE *f = fopen(tmp, "w");
	int rc = 0;

	if (f == NULL) {
		rc = err_set(e, errno, _("cannot write %s: %s"), tmp, strerror(errno));
	} else {
		fprintf(f, "# maillab virtual clock: world time = real time + offset\n"
			   "offset_ms %lld\n", (long long)offset);
		if (fclose(f) != 0 || rename(tmp, path) != 0)
			rc = err_set(e, errno, _("cannot write %s: %s"), path, strerror(errno));
	}
	free(path);
	free(tmp);
	return rc;
}

mtime_t clock_store_parse_duration(const char *s)
{
	static const struct {
		const char *unit;
		mtime_t ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }, { "w", 604800000 },
	};
	mtime_t total = 0;
	int any = 0;

	while (*s != '\0') {
		char *end;
		long long v;
		size_t i, n;

		if (!isdigit((unsigned char)*s))
			return -1;
		v = strtoll(s, &end, 10);
		s = end;
		n = 0;
		while (isalpha((unsigned char)s[n]))
			n++;
		if (n == 0) {
			total += v * 1000;	/* a bare number is seconds */
			any = 1;
			continue;
		}
		for (i = 0; i < ARRAY_LEN(units); i++)
			if (strlen(units[i].unit) == n && strncmp(s, units[i].unit, n) == 0)
				break;
		if (i == ARRAY_LEN(units))
			return -1;
		total += v * units[i].ms;
		any = 1;
		s += n;
	}
	return any ? total : -1;
}
