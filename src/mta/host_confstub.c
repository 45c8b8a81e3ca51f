/*
 * TEMPORARY link-time placeholders for src/lib/conf.c and mastercf.c,
 * which another helper is writing. Weak: the real ones replace them as
 * soon as they are linked in. Delete this file when they land in main.
 */
#include <stdlib.h>

#include "lib/conf.h"
#include "lib/mastercf.h"

#define WEAK __attribute__((weak))

WEAK struct conf *conf_new(void) { return calloc(1, 16); }
WEAK void conf_free(struct conf **cp) { free(*cp); *cp = NULL; }
WEAK int conf_load(struct conf *c, const char *path, struct err *e)
{ (void)c; (void)path; (void)e; return 0; }
WEAK const char *conf_get(struct conf *c, const char *name)
{ (void)c; (void)name; return NULL; }
WEAK int conf_is_set(const struct conf *c, const char *name)
{ (void)c; (void)name; return 0; }
WEAK void mastercf_init(struct mastercf *m) { m->services = NULL; m->nservices = 0; }
WEAK void mastercf_reset(struct mastercf *m) { mastercf_init(m); }
WEAK int mastercf_load(struct mastercf *m, const char *path, struct err *e)
{ (void)m; (void)path; (void)e; return 0; }
