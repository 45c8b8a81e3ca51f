/*
 * passwd: a host's etc/passwd (passwd(5): name:password:uid:gid:gecos:
 * home:shell), read the way getpwnam(3) sees it. Local recipient
 * validation (local_recipient_maps = proxy:unix:passwd.byname ...) and
 * local delivery look accounts up here, in the file a learner can cat.
 */
#ifndef MAILLAB_PASSWD_H
#define MAILLAB_PASSWD_H

#include <stddef.h>

#include "lib/err.h"

struct passwd_entry {
	char *name;
	int uid, gid;
	char *gecos;
	char *home;		/* as written: "/home/bob" */
	char *shell;
};

struct passwd_db {
	struct passwd_entry *v;
	size_t n;
};

void passwd_init(struct passwd_db *db);
void passwd_reset(struct passwd_db *db);
/*
 * Reads a passwd file (replacing what db held). Malformed lines are
 * skipped; 0, or -1 with e naming the file (and the first bad line).
 * A missing file gives an empty db and -1.
 */
int passwd_load(struct passwd_db *db, const char *path, struct err *e);
int passwd_parse(struct passwd_db *db, const char *name, const char *text,
		 struct err *e);
/* The entry for a login name (exact match, as getpwnam), or NULL. */
const struct passwd_entry *passwd_find(const struct passwd_db *db,
				       const char *name);

#endif
