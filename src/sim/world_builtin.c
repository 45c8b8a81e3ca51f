/*
 * world_builtin: lookups in the compiled-in copy of worlds/. See
 * world_builtin.h; the data is in world_builtin_files.c (generated).
 */
#include "sim/world_builtin.h"

#include <stdio.h>
#include <string.h>

#include "sim/world.h"

const char *const world_builtin_names[] = { "default", "centos", NULL };

const char *world_builtin_get(const char *name)
{
	const struct world_builtin_file *f;

	for (f = world_builtin_files; f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f->text;
	return NULL;
}

const char *world_builtin_world(const char *world_name)
{
	char key[128];

	if (strchr(world_name, '/') != NULL
	    || snprintf(key, sizeof(key), "worlds/%s.conf", world_name)
	       >= (int)sizeof(key))
		return NULL;
	return world_builtin_get(key);
}
