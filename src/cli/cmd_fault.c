/*
 * maillab fault: faults on demand, kept in ROOT/faults.
 *   maillab fault HOST down | up            connections refused / accepted
 *   maillab fault DOMAIN no-mx | mx         MX lookups fail for now / work
 *   maillab fault HOST disk-full | disk-ok  mailbox writes fail (ENOSPC)
 *   maillab fault USER@HOST mailbox-full | mailbox-ok   over mailbox_size_limit
 *   maillab fault list | clear
 * The world is brought up to date afterwards (a host that comes back up
 * gets its mail at the next retry time, not at once, as with Postfix).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_pipeline.h"
#include "lib/i18n.h"
#include "sim/sim.h"
#include "sim/world.h"

static void print_one(void *ctx, const char *target, const char *what)
{
	(void)ctx;
	printf("%s %s\n", target, what);
}

int cmd_fault(struct cli *cli, int argc, char **argv)
{
	char *root = world_root_path(cli->root_opt);
	struct world *w;
	struct sim *s;
	struct err e;
	int rc = 0;

	if (argc < 2 || (argc < 3 && strcmp(argv[1], "list") != 0
			 && strcmp(argv[1], "clear") != 0)) {
		fprintf(stderr, _("Usage: maillab fault HOST down|up | DOMAIN no-mx|mx |"
				  " HOST disk-full|disk-ok | USER@HOST mailbox-full|mailbox-ok |"
				  " list | clear\n"));
		free(root);
		return 2;
	}
	w = world_open(root, &e);
	free(root);
	if (w == NULL) {
		fprintf(stderr, "maillab fault: %s\n", e.text);
		return 1;
	}
	s = sim_open(w, NULL, &e);
	if (s == NULL) {
		fprintf(stderr, "maillab fault: %s\n", e.text);
		world_free(&w);
		return 1;
	}
	if (strcmp(argv[1], "list") == 0) {
		sim_fault_list(s, print_one, NULL);
	} else if (strcmp(argv[1], "clear") == 0) {
		rc = sim_fault(s, "", "clear", &e) < 0;
	} else if (sim_fault(s, argv[1], argv[2], &e) < 0) {
		rc = 1;
	}
	if (rc != 0)
		fprintf(stderr, "maillab fault: %s\n", e.text);
	(void)sim_run_due(s);
	sim_free(&s);
	world_free(&w);
	return rc;
}
