/*
 * conf: main.cf as Postfix reads it (postconf(5)): comments, continuation
 * lines that start with white space, "name = value", later lines win,
 * $name / ${name} / $(name) expansion, and the Postfix 3.7 default of every
 * parameter maillab uses (`postconf -d`, see reference/commands/02).
 *
 * A struct conf is one main.cf plus overrides (master.cf -o, postconf -e,
 * a lab's settings). Values are kept raw, as written; conf_get() expands.
 */
#ifndef MAILLAB_CONF_H
#define MAILLAB_CONF_H

#include <stddef.h>

#include "err.h"

struct conf;

/* A conf with only the built-in defaults. */
struct conf *conf_new(void);
void conf_free(struct conf **cp);

/*
 * Reads main.cf. 0 on success; -1 with e->text naming the file and line
 * ("/x/main.cf, line 3: missing '=' after attribute name: \"foo\"") for a
 * bad line or an unreadable file. A bad line never stops the rest from
 * being read: the settings before and after it are kept.
 */
int conf_load(struct conf *c, const char *path, struct err *e);
/* The same from memory; `name` is used in error texts. */
int conf_parse(struct conf *c, const char *name, const char *text,
	       size_t len, struct err *e);

/* Sets a raw value (as postconf -e or master.cf -o do). */
void conf_set(struct conf *c, const char *name, const char *value);
/* Removes an explicit setting: the default applies again. */
void conf_unset(struct conf *c, const char *name);

/* The raw value, explicit or default; NULL for an unknown parameter. */
const char *conf_raw(const struct conf *c, const char *name);
/* Nonzero when main.cf or an override set it (postconf -n lists these). */
int conf_is_set(const struct conf *c, const char *name);
/*
 * The expanded value ($name, ${name}, ${name?value}, ${name:value},
 * ${{$compatibility_level} <level {2} ? {a} : {b}}); owned by c, valid
 * until the next conf_set/conf_unset/conf_load. NULL for unknown.
 */
const char *conf_get(struct conf *c, const char *name);
/* Typed getters on the expanded value; an unknown or malformed value
 * falls back to the parameter's default. */
long conf_get_int(struct conf *c, const char *name);
int conf_get_bool(struct conf *c, const char *name);	/* yes/no */
long conf_get_time(struct conf *c, const char *name, char unit); /* 's' 'm' 'h' 'd' 'w' as default unit, returns seconds */

/* The Postfix 3.7 default (raw), or NULL for a parameter we do not know. */
const char *conf_default(const char *name);

/* Calls fn for every parameter name with an explicit setting, sorted. */
void conf_foreach_set(const struct conf *c,
		      void (*fn)(void *ctx, const char *name, const char *raw),
		      void *ctx);
/* Calls fn for every known parameter (defaults table), sorted. */
void conf_foreach_known(void (*fn)(void *ctx, const char *name,
				   const char *def), void *ctx);

/* Splits a list value on white space and commas, as Postfix does;
 * returns a NULL-terminated vector the caller frees with conf_list_free. */
char **conf_split_list(const char *value);
void conf_list_free(char ***vp);

#endif
