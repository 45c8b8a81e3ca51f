/*
 * conf_defaults: the table of Postfix 3.7 parameter defaults behind conf.
 * Internal to src/lib/conf*.c; other modules ask conf.h.
 */
#ifndef MAILLAB_CONF_DEFAULTS_H
#define MAILLAB_CONF_DEFAULTS_H

#include <stddef.h>

enum {
	CONF_DEF_RAW = 1 << 0,		/* never $name-expanded at config time */
	CONF_DEF_READONLY = 1 << 1,	/* process_id, process_name, service_name */
	CONF_DEF_COMPUTED = 1 << 2,	/* depends on the machine */
	CONF_DEF_LEGACY = 1 << 3,	/* old name: known, undefined, not listed */
	CONF_DEF_SERVICE = 1 << 4,	/* derived from a master.cf service */
};

struct conf_def {
	const char *name;
	const char *value;	/* NULL for CONF_DEF_LEGACY */
	unsigned flags;
};

/* Sorted by name (strcmp). */
extern const struct conf_def conf_defs[];
extern const size_t conf_ndefs;

/* The row for name, or NULL. */
const struct conf_def *conf_defs_find(const char *name);

#endif
