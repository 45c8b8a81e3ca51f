/*
 * fault: the faults a lab can switch on, kept in ROOT/faults (one per
 * line, "KIND TARGET") so that every command sees them:
 *   down HOST             connections to HOST are refused
 *   no-mx DOMAIN          MX lookups for DOMAIN fail temporarily
 *   disk-full HOST        mailbox writes on HOST fail with ENOSPC
 *   mailbox-full USER@HOST  USER's mailbox is over mailbox_size_limit (EFBIG)
 */
#ifndef MAILLAB_FAULT_H
#define MAILLAB_FAULT_H

#include <stddef.h>

#include "lib/err.h"

struct fault {
	char *kind;
	char *target;
};

struct fault_set {
	struct fault *v;
	size_t n;
};

void fault_set_init(struct fault_set *f);
void fault_set_reset(struct fault_set *f);
int fault_load(struct fault_set *f, const char *root, struct err *e);
int fault_save(const struct fault_set *f, const char *root, struct err *e);
/* Nonzero when kind/target is on (target compared case-insensitively). */
int fault_on(const struct fault_set *f, const char *kind, const char *target);
void fault_add(struct fault_set *f, const char *kind, const char *target);
void fault_remove(struct fault_set *f, const char *kind, const char *target);

#endif
