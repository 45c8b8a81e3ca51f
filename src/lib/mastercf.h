/*
 * mastercf: /etc/postfix/master.cf (master(5)): one service per line,
 * 8 columns (service type private unpriv chroot wakeup maxproc command),
 * continuation lines that start with white space, "-o name=value"
 * overrides in the command column, '#' comments.
 */
#ifndef MAILLAB_MASTERCF_H
#define MAILLAB_MASTERCF_H

#include <stddef.h>

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
};

struct mastercf {
	struct mastercf_service *services;
	size_t nservices;
};

/* 0, or -1 with e naming file and line ("/x/master.cf: line 12: field
 * \"type\": bad value: \"bogus\""). Bad entries are skipped, the others kept. */
int mastercf_load(struct mastercf *m, const char *path, struct err *e);
int mastercf_parse(struct mastercf *m, const char *name, const char *text,
		   size_t len, struct err *e);
void mastercf_init(struct mastercf *m);
void mastercf_reset(struct mastercf *m);
/* The entry for service/type ("smtp", "inet"), or NULL. */
const struct mastercf_service *mastercf_find(const struct mastercf *m,
					     const char *service,
					     const char *type);

#endif
