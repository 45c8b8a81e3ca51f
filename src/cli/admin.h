/*
 * admin: what every Postfix-style admin tool of maillab does first:
 * "--host H" right after the tool's name (else $MAILLAB_HOST, else the
 * world's first host), the lab root (--root, $MAILLAB_ROOT, default),
 * the world and the host opened, and the world brought up to date
 * (sim_up_to_date: what an earlier command left due runs). And last:
 * bring it up to date again, so the tool's own work is delivered as
 * Postfix would.
 */
#ifndef MAILLAB_ADMIN_H
#define MAILLAB_ADMIN_H

#include "cli/cli.h"

struct world;
struct host;

struct admin {
	struct world *w;
	struct host *h;
	const char *tool;	/* "postqueue", for "postqueue: fatal: ..." */
};

/*
 * Consumes "--host H" / "--host=H" at argv[1]; on return *argi is the
 * index of the first of the tool's own arguments. 0, or an exit status
 * (1, 2) after printing why.
 */
int admin_open(struct admin *a, struct cli *cli, int argc, char **argv,
	       int *argi);
/* Brings the world up to date, frees it; returns rc unchanged. */
int admin_close(struct admin *a, int rc);

#endif
