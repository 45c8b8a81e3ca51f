/*
 * The commands the pipeline adds to maillab (also declared in cli.h):
 *   maillab clock [advance DURATION | reset]   the world's virtual clock
 *   maillab fault TARGET WHAT | list | clear    faults on demand
 */
#ifndef MAILLAB_CMD_PIPELINE_H
#define MAILLAB_CMD_PIPELINE_H

#include "cli/cli.h"

int cmd_clock(struct cli *cli, int argc, char **argv);
int cmd_fault(struct cli *cli, int argc, char **argv);
/* maillab postalias [--host H] [-q KEY] FILE: Postfix's postalias(1). */
int cmd_postalias(struct cli *cli, int argc, char **argv);

#endif
