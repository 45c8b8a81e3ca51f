/*
 * maps: Postfix lookup tables (DATABASE_README) as the pipeline uses
 * them: transport_maps, and whatever `postmap -q` is asked. A table is
 * "type:name":
 *   hash:/etc/postfix/transport   (also btree:, lmdb:) the indexed file
 *       that `postmap` built next to the source, /etc/postfix/transport.db;
 *       a missing .db is an error, as on Postfix ("open database ...: No
 *       such file or directory")
 *   texthash:/etc/postfix/transport   the source file itself
 *   inline:{ key=value, { key = text with spaces } }
 *   static:value                  every key has this value
 * Paths are inside the host's directory (host_path); a name with ".."
 * is refused. Keys are matched case-insensitively (Postfix folds the
 * lookup key to lower case for these types).
 *
 * The .db "index" is maillab's own format (sorted "key<TAB>value" lines
 * after a header line, padded with NUL bytes to whole 4096-byte pages, at
 * least three, so that `ls -l` shows Berkeley DB's 12288 bytes), not
 * Berkeley DB: what matters for the learner is that postmap must run
 * after an edit, as on a real server.
 */
#ifndef MAILLAB_MAPS_H
#define MAILLAB_MAPS_H

#include <stddef.h>

#include "lib/err.h"

struct host;

struct maps_entry {
	char *key;
	char *value;
	int line;
};

struct maps_table {
	struct maps_entry *e;
	size_t n;
};

/*
 * Parses a Postfix table source (postmap(1) input format): "key value"
 * per line, '#' comments, blank lines, continuation lines starting with
 * white space. Keys are lowered when fold is set. Bad lines (a key
 * without value) are skipped with a warning in *warn_out (caller frees,
 * NULL when none): "/etc/postfix/transport, line 3: expected format: key
 * whitespace value". Later duplicates are kept (the first wins on lookup,
 * as postmap warns "duplicate entry").
 */
void maps_parse_source(struct maps_table *t, const char *name,
		       const char *text, size_t len, int fold,
		       char **warn_out);
void maps_table_reset(struct maps_table *t);
/* The value for key (case-insensitive), or NULL. Borrowed from t. */
const char *maps_table_get(const struct maps_table *t, const char *key);

/*
 * Looks key up in table spec ("hash:/etc/postfix/transport") of host h.
 * 1 and *value_out (caller frees) when found, 0 when not, -1 with e
 * ("hash:/etc/postfix/transport is unavailable. open database
 * /etc/postfix/transport.db: No such file or directory") when the
 * table cannot be used.
 */
int maps_lookup(struct host *h, const char *spec, const char *key,
		char **value_out, struct err *e);

/* The same over a list ("hash:/a, hash:/b"): the first table that has
 * the key wins. */
int maps_lookup_list(struct host *h, const char *specs, const char *key,
		     char **value_out, struct err *e);

/*
 * postmap: builds the index of an indexed table (hash:, btree:, lmdb:)
 * from its source file. 0, or -1 with e ("postmap: fatal: open
 * /etc/postfix/transport: No such file or directory"). Warnings go to
 * *warn_out (caller frees, may be NULL).
 */
int maps_build(struct host *h, const char *spec, char **warn_out,
	       struct err *e);

/*
 * newaliases / postalias: builds the index of an aliases(5) file
 * ("hash:/etc/aliases" -> /etc/aliases.db), keys as postalias stores
 * them (lower case), values as written. Warnings (a malformed line) go to
 * *warn_out. 0, or -1 with e.
 */
int maps_build_aliases(struct host *h, const char *spec, char **warn_out,
		       struct err *e);

/* The host file behind a spec's name ("/etc/postfix/transport" ->
 * ROOT/hosts/H/etc/postfix/transport), NULL for ".." or a relative name.
 * Caller frees. */
char *maps_host_file(const struct host *h, const char *name);

#endif
