/*
 * conf_int: what conf.c, conf_expand.c and conf_machine.c share: the
 * storage behind struct conf. Nothing outside src/lib/conf*.c includes it.
 */
#ifndef MAILLAB_CONF_INT_H
#define MAILLAB_CONF_INT_H

#include <stddef.h>

#include "conf.h"

/* One parameter: known (defaults, a service) or only set. */
struct conf_ent {
	char *name;
	const char *def;	/* default text, NULL when none (legacy, user) */
	char *def_own;		/* def when it is ours (service rows) */
	unsigned flags;		/* CONF_DEF_* */
	int known;		/* Postfix knows the name */
	char *raw;		/* explicit setting, or NULL */
	int line;		/* main.cf line of the setting, 0 for overrides */
	char *exp;		/* conf_get() cache, valid when exp_gen == gen */
	unsigned exp_gen;
	char *comp;		/* computed default cache, comp_gen == gen */
	unsigned comp_gen;
	int busy;		/* computing this default right now */
};

struct conf {
	struct conf_ent **slots;	/* open addressing, cap a power of 2 */
	size_t cap;
	size_t n;
	unsigned gen;			/* bumped by every change: caches die */
	void (*warn)(void *ctx, const char *text);
	void *warn_ctx;
	char *hostname;
	char **networks;		/* "addr/len", NULL-terminated */
	char **services;		/* "name\ncommand" pairs registered */
	size_t nservices;
	struct conf *dview;		/* defaults-only view, lazily made */
};

struct conf_ent *conf_ent_find(const struct conf *c, const char *name);
/* The value a $name lookup sees: the setting, else the (computed)
 * default; NULL when undefined. */
const char *conf_ent_value(struct conf *c, struct conf_ent *ent);
/* Sets an explicit value; line 0 for an override. */
void conf_ent_set(struct conf *c, const char *name, const char *value,
		  int line);
/* Every change calls this: caches go stale (and with machine nonzero,
 * the defaults view too). */
void conf_changed(struct conf *c, int machine);
/* Formats a warning and hands it to the handler. */
void conf_warnf(const struct conf *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* conf_machine.c: the machine-dependent default of ent (myhostname,
 * mydomain, mynetworks, process_id); a new string the caller frees. */
char *conf_machine_value(struct conf *c, struct conf_ent *ent);

#endif
