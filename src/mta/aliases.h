/*
 * aliases: the alias database source, /etc/aliases (aliases(5)):
 * "name: value, value, ..."; a line starting with white space continues
 * the previous entry; '#' at the start of a line is a comment; the name
 * may be "quoted". Names are folded to lower case as postalias(1) does.
 * Values are kept as written (an address, /file, |command,
 * :include:/file); expanding them is the local delivery agent's job.
 *
 * Used for local recipient validation (smtpd), alias expansion (local)
 * and newaliases / postalias -q.
 */
#ifndef MAILLAB_ALIASES_H
#define MAILLAB_ALIASES_H

#include <stddef.h>

#include "lib/err.h"

struct alias {
	char *name;		/* "postmaster" (lower case) */
	char *value;		/* the raw right-hand side: "wees, alice" */
	char **values;		/* split on commas outside quotes, trimmed */
	size_t nvalues;
	int line;		/* where the entry starts */
};

struct aliases {
	struct alias *v;
	size_t n;
};

void aliases_init(struct aliases *a);
void aliases_reset(struct aliases *a);
/*
 * Parses aliases(5) text (replacing what a held). A bad line is skipped
 * with a warning in Postfix's words in e ("/etc/aliases, line 3: need
 * name:value pair"); the others are kept. 0 or -1 (first warning).
 * A name given twice: the last one wins, as in the hash table.
 */
int aliases_parse(struct aliases *a, const char *name, const char *text,
		  size_t len, struct err *e);
/* The same from a file; a missing file is -1 with an empty table. */
int aliases_load(struct aliases *a, const char *path, struct err *e);
/*
 * Splits a right-hand side ("wees, alice, |cmd") on commas outside
 * "quotes", trimmed, empty ones dropped, appending to *values / *n (also
 * used for :include: and .forward lines).
 */
void aliases_split(const char *value, char ***values, size_t *n);
/* The entry for a name, case-insensitive; NULL if none. */
const struct alias *aliases_find(const struct aliases *a, const char *name);

#endif
