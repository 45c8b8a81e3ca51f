/*
 * world_builtin: the files of worlds/ compiled into the program, so that
 * bin/maillab works from any directory: the shipped world files
 * ("worlds/default.conf") and the host templates ("templates/master.cf",
 * "templates/main.cf.internet-site", ...). world_builtin_files.c is
 * generated from worlds/ by worlds/gen_builtin.py.
 */
#ifndef MAILLAB_WORLD_BUILTIN_H
#define MAILLAB_WORLD_BUILTIN_H

struct world_builtin_file {
	const char *name;	/* "worlds/default.conf", "templates/aliases" */
	const char *text;
};

/* Terminated by { NULL, NULL }. */
extern const struct world_builtin_file world_builtin_files[];

/* The text of a built-in file, or NULL. */
const char *world_builtin_get(const char *name);
/* The text of a shipped world by its name ("default"), or NULL. */
const char *world_builtin_world(const char *world_name);

#endif
