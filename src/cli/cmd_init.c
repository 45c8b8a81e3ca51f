/*
 * maillab init [--world NAME|FILE]: creates a lab root (DESIGN.md, "The
 * lab root") from a shipped world (default, centos) or a world file.
 * Refuses a directory that already holds a root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "sim/world.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: maillab [--root DIR] init [--world NAME|FILE]\n"
		     "Creates a lab root. Worlds: default (a.example, b.example), centos\n"
		     "(centos.localdomain, as in the study note), or a world.conf file.\n"));
}

int cmd_init(struct cli *cli, int argc, char **argv)
{
	const char *world = "default";
	struct world *w;
	struct err e;
	char *root;
	size_t i;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--world") == 0 && a + 1 < argc) {
			world = argv[++a];
		} else if (strncmp(argv[a], "--world=", 8) == 0) {
			world = argv[a] + 8;
		} else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			/* cli_usage_error() lives in main.c, which the unit
			   tests do not link: same words, by hand. */
			fprintf(stderr, "maillab init: %s: %s\n",
				_("unexpected argument"), argv[a]);
			usage(stderr);
			return 2;
		}
	}
	root = world_root_path(cli->root_opt);
	if (world_init(root, world, &e) != 0) {
		fprintf(stderr, "maillab init: %s\n", e.text);
		free(root);
		return 1;
	}
	w = world_open(root, &e);
	if (w == NULL) {
		fprintf(stderr, "maillab init: %s\n", e.text);
		free(root);
		return 1;
	}
	printf(_("created lab root %s (world %s)\n"), w->root, w->name);
	for (i = 0; i < w->nhosts; i++)
		printf(_("  host %s (%s): %s/hosts/%s\n"), w->hosts[i],
		       w->hostdefs[i].addr, w->root, w->hosts[i]);
	world_free(&w);
	free(root);
	return 0;
}
