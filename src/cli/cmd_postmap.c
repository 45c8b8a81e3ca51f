/*
 * maillab postmap / postalias / newaliases [--host H]: Postfix's lookup
 * table tools on a lab host.
 *   postmap [-q KEY] [TYPE:]FILE...   build FILE.db from FILE, or look KEY up
 *   postalias [-q KEY] [TYPE:]FILE... the same for aliases(5) files
 *   newaliases                        postalias $alias_database
 * A lookup prints the value and exits 0, or prints nothing and exits 1
 * (reference/commands/07-aliases.txt). Warnings go to stderr as
 * "postmap: warning: ...".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "cli/cmd_pipeline.h"
#include "lib/conf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/maps.h"

static int table_tool(struct cli *cli, int argc, char **argv, const char *name,
		      int aliases)
{
	struct admin a;
	const char *key = NULL;
	int argi, rc, k, found = 0, ntables = 0;
	struct err e;

	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	for (k = argi; k < argc; k++) {
		if (strcmp(argv[k], "-q") == 0 && k + 1 < argc) {
			key = argv[++k];
		} else if (argv[k][0] == '-') {
			continue;	/* -N -n -o -r -v -w: accepted, no effect */
		} else {
			char *value = NULL, *warn = NULL;
			const char *spec = argv[k];
			char *full = strchr(spec, ':') != NULL ? xstrdup(spec)
							   : xasprintf("hash:%s", spec);

			ntables++;
			if (key != NULL) {
				int r = maps_lookup(a.h, full, key, &value, &e);

				if (r < 0) {
					fprintf(stderr, "%s: fatal: %s\n", name, e.text);
					free(full);
					return admin_close(&a, 1);
				}
				if (r > 0 && !found) {
					printf("%s\n", value);
					found = 1;
				}
				free(value);
			} else {
				int r = aliases ? maps_build_aliases(a.h, full, &warn, &e)
						: maps_build(a.h, full, &warn, &e);

				if (warn != NULL) {
					char *line = warn, *nl;

					for (; line != NULL && *line; line = nl) {
						nl = strchr(line, '\n');
						if (nl != NULL)
							*nl++ = '\0';
						fprintf(stderr, "%s: warning: %s\n", name, line);
						host_log(a.h, clock_real_now(),
							 aliases ? "postfix/postalias" : "postfix/postmap",
							 "warning: %s", line);
					}
					free(warn);
				}
				if (r < 0) {
					fprintf(stderr, "%s: fatal: %s\n", name, e.text);
					free(full);
					return admin_close(&a, 1);
				}
			}
			free(full);
		}
	}
	if (ntables == 0) {
		fprintf(stderr, "%s: fatal: usage: %s [-Nfinoprsuvw] [-c config_dir] "
			"[-q key] [map_type:]file...\n", name, name);
		return admin_close(&a, 1);
	}
	return admin_close(&a, key != NULL && !found ? 1 : 0);
}

int cmd_postmap(struct cli *cli, int argc, char **argv)
{
	return table_tool(cli, argc, argv, "postmap", 0);
}

int cmd_postalias(struct cli *cli, int argc, char **argv)
{
	return table_tool(cli, argc, argv, "postalias", 1);
}

int cmd_newaliases(struct cli *cli, int argc, char **argv)
{
	struct admin a;
	int argi, rc;
	char *db;
	char **list;
	size_t i;
	char *args[64];
	int n = 0;

	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	/* newaliases = postalias $alias_database */
	db = xstrdup(conf_get(a.h->conf, "alias_database") != NULL
		     ? conf_get(a.h->conf, "alias_database") : "hash:/etc/aliases");
	args[n++] = (char *)"postalias";
	args[n++] = (char *)"--host";
	args[n++] = xstrdup(a.h->name);
	list = conf_split_list(db);
	for (i = 0; list[i] != NULL && n < 63; i++)
		args[n++] = xstrdup(list[i]);
	args[n] = NULL;
	conf_list_free(&list);
	free(db);

	(void)admin_close(&a, 0);
	rc = table_tool(cli, n, args, "newaliases", 1);
	for (i = 2; i < (size_t)n; i++)
		free(args[i]);
	return rc;
}
