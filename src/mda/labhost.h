/*
 * labhost: where a lab host lives on disk, for the Dovecot-side tools
 * (doveadm, serve --stdio pop3): ROOT is world_root_path() (--root, else
 * $MAILLAB_ROOT, else $XDG_DATA_HOME/maillab or ~/.local/share/maillab),
 * created with the default world on first use (world_open); the host is
 * the one named, else $MAILLAB_HOST, else the first of ROOT/hosts/ in
 * name order (as postconf --host does).
 */
#ifndef MAILLAB_LABHOST_H
#define MAILLAB_LABHOST_H

#include "lib/err.h"

/* The root directory; caller frees. */
char *labhost_root(const char *root_opt);
/*
 * ROOT/hosts/<host> (host may be NULL); *name_out (may be NULL) gets the
 * host's name. Both caller-freed. NULL with e set when there is no such
 * host (or no host at all).
 */
char *labhost_dir(const char *root_opt, const char *host, char **name_out,
		  struct err *e);

#endif
