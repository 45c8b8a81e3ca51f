/*
 * The commands the pipeline adds to maillab (not yet in cli.h's list):
 *   maillab clock [advance DURATION | reset]   the world's virtual clock
 *   maillab fault TARGET WHAT | list | clear    faults on demand
 * main.c's table needs a row for each (see the report of h/pipeline).
 */
#ifndef MAILLAB_CMD_PIPELINE_H
#define MAILLAB_CMD_PIPELINE_H

#include "cli/cli.h"

int cmd_clock(struct cli *cli, int argc, char **argv);
int cmd_fault(struct cli *cli, int argc, char **argv);

#endif
