/* Helpers shared by the commands (kept out of main.c so tests link them). */
#include <stdio.h>

#include "cli/cli.h"

int cli_usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "maillab %s: %s\n", cmd, msg);
	return 2;
}
