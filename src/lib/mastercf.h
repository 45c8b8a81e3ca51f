/*
 * mastercf: /etc/postfix/master.cf (master(5)): one service per line,
 * 8 columns (service type private unpriv chroot wakeup maxproc command),
 * continuation lines that start with white space, "-o name=value"
 * overrides in the command column ("-o { name = value with spaces }"
 * too), '#' comments. Errors and warnings use Postfix 3.7's words.
 *
 * It only reads and prints entries (postconf -M); what a service means is
 * the master's business (src/mta).
 */
#ifndef MAILLAB_MASTERCF_H
#define MAILLAB_MASTERCF_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

struct mastercf_opt {
	char *name;
	char *value;
};

struct mastercf_service {
	char *service;		/* "smtp", "submission", "pickup" */
	char *type;		/* "inet", "unix", "unix-dgram", "fifo", "pass" */
	char *private_, *unpriv, *chroot, *wakeup, *maxproc;
	char *command;		/* "smtpd" */
	char **args;		/* command arguments other than -o, NULL-terminated */
	struct mastercf_opt *opts;
	size_t nopts;
	int line;		/* where the entry starts */
	/* Every argument after the command in order, as postconf -M prints
	 * them: "-o", "name=value" or "{name=value with spaces}", ... */
	char **argv;
};

struct mastercf {
	struct mastercf_service *services;
	size_t nservices;
	/* Optional: where warnings go ("master.cf: missing '}' in ..."),
	 * without Postfix's "warning: " prefix. Kept by mastercf_reset. */
	void (*warn)(void *ctx, const char *text);
	void *warn_ctx;
};

/*
 * 0, or -1 with e holding Postfix's text for the first bad entry:
 * "file /x/master.cf: line 12: bad field count",
 * "invalid type field \"bogus\" in \"smtp bogus n - y - - smtpd\"" (Postfix
 * names no line there; the entry's text says which), or "open /x/master.cf:
 * No such file or directory". Bad entries are skipped, the others kept.
 * Entries are appended to what m already holds.
 */
int mastercf_load(struct mastercf *m, const char *path, struct err *e);
int mastercf_parse(struct mastercf *m, const char *name, const char *text,
		   size_t len, struct err *e);
void mastercf_init(struct mastercf *m);
void mastercf_reset(struct mastercf *m);
/* The entry for service/type ("smtp", "inet"), or NULL. */
const struct mastercf_service *mastercf_find(const struct mastercf *m,
					     const char *service,
					     const char *type);
/*
 * Appends the entry as `postconf -M` prints it (Postfix 3.7, see
 * reference/commands/11-master-cf.txt): the fields in columns 0, 11, 17,
 * 25, 33, 41, 49 and 57 (a field that runs past its column pushes the next
 * one a space further), then the arguments, one space apart. No newline.
 */
void mastercf_format(const struct mastercf_service *s, struct buf *out);

#endif
