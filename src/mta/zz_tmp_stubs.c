/*
 * TEMPORARY link-time placeholders for src/lib/conf.c, mastercf.c and
 * src/smtp/smtpd*.c,
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

/* ---- the smtpd engine (src/smtp/smtpd*.c, another helper) ---- */
#include "smtp/smtpd.h"

WEAK void conf_set(struct conf *c, const char *name, const char *value)
{ (void)c; (void)name; (void)value; }
WEAK const struct mastercf_service *mastercf_find(const struct mastercf *m,
	const char *service, const char *type)
{ (void)m; (void)service; (void)type; return NULL; }
WEAK struct smtpd *smtpd_new(const struct smtpd_conf *conf, mtime_t now)
{ (void)conf; (void)now; return NULL; }
WEAK void smtpd_free(struct smtpd **sp) { *sp = NULL; }
WEAK void smtpd_feed(struct smtpd *s, const void *buf, size_t len, mtime_t now)
{ (void)s; (void)buf; (void)len; (void)now; }
WEAK void smtpd_eof(struct smtpd *s, mtime_t now) { (void)s; (void)now; }
WEAK int smtpd_next(struct smtpd *s, struct smtpd_event *ev_out, mtime_t now)
{ (void)s; (void)ev_out; (void)now; return 0; }
WEAK void smtpd_verdict(struct smtpd *s, const struct smtpd_verdict *v, mtime_t now)
{ (void)s; (void)v; (void)now; }
WEAK struct buf *smtpd_output(struct smtpd *s)
{ static struct buf b; (void)s; return &b; }
WEAK void smtpd_tls_started(struct smtpd *s, mtime_t now) { (void)s; (void)now; }
WEAK int smtpd_closed(const struct smtpd *s) { (void)s; return 1; }
