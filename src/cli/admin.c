/*
 * The common start and end of the admin tools. See admin.h.
 */
#include "cli/admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "mta/host.h"
#include "sim/sim.h"
#include "sim/world.h"

int admin_open(struct admin *a, struct cli *cli, int argc, char **argv,
	       int *argi)
{
	const char *hostname = getenv("MAILLAB_HOST");
	char *root;
	struct err e;
	int i = 1;

	memset(a, 0, sizeof(*a));
	a->tool = cli->tool != NULL ? cli->tool : argv[0];
	if (i < argc && strcmp(argv[i], "--host") == 0) {
		if (i + 1 >= argc) {
			fprintf(stderr, "maillab %s: %s\n", argv[0], _("--host needs a host name"));
			return 2;
		}
		hostname = argv[i + 1];
		i += 2;
	} else if (i < argc && strncmp(argv[i], "--host=", 7) == 0) {
		hostname = argv[i] + 7;
		i++;
	}
	*argi = i;
	root = world_root_path(cli->root_opt);
	a->w = world_open(root, &e);
	free(root);
	if (a->w == NULL) {
		fprintf(stderr, "maillab %s: %s\n", argv[0], e.text);
		return 1;
	}
	if (hostname != NULL && hostname[0] == '\0')
		hostname = NULL;
	/* What an earlier command (serve --stdio, a listener gone) left
	 * due runs first, so the tool sees the queue Postfix would show. */
	if (sim_up_to_date(a->w, &e) < 0)
		fprintf(stderr, "maillab %s: %s\n", argv[0], e.text);
	a->h = world_host(a->w, hostname, &e);
	if (a->h == NULL) {
		fprintf(stderr, "maillab %s: %s\n", argv[0], e.text);
		world_free(&a->w);
		return 1;
	}
	return 0;
}

int admin_close(struct admin *a, int rc)
{
	struct err e;

	if (a->w != NULL) {
		if (sim_up_to_date(a->w, &e) < 0)
			fprintf(stderr, "maillab %s: %s\n", a->tool, e.text);
		world_free(&a->w);
	}
	a->h = NULL;
	return rc;
}
