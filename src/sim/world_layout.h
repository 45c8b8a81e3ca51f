/*
 * world_layout: creates one host's directory under ROOT/hosts/<name>/ the
 * way a freshly installed Debian 12 mail server has it (DESIGN.md, "The
 * lab root"): etc/postfix/{main.cf,master.cf}, etc/mailname, etc/aliases,
 * etc/passwd, etc/dovecot/users, var/spool/postfix/<queue dirs>,
 * var/mail/, var/log/mail.log and the users' home directories.
 *
 * Runs once, from world_init(); afterwards the files are the learner's.
 * It never overwrites an existing file.
 */
#ifndef MAILLAB_WORLD_LAYOUT_H
#define MAILLAB_WORLD_LAYOUT_H

#include <stddef.h>

#include "lib/err.h"

struct world;

/* Postfix's queue directories (reference/README.md, "Queue dirs"),
 * NULL-terminated. */
extern const char *const world_layout_queues[];

/* Creates ROOT/hosts/<w->hosts[i]>; 0 or -1 with e set. */
int world_layout_host(const struct world *w, size_t i, struct err *e);

/*
 * The main.cf text a host starts with (owned by the caller), from its
 * template: "as-captured" is reference/config/main.cf.as-captured;
 * "internet-site" is Debian's "Internet Site" main.cf with myhostname,
 * mydestination (= $myhostname, <its domains>, localhost.$mydomain,
 * localhost) and inet_interfaces = loopback-only.
 */
char *world_layout_maincf(const struct world *w, size_t i);

/* The mail name (etc/mailname) of host i: its mailname= option, else its
 * first domain, else the host name. Borrowed from w. */
const char *world_layout_mailname(const struct world *w, size_t i);

/* A SHA512-CRYPT hash ("$6$salt$...") of pw with a random salt; caller
 * frees. NULL with e set if /dev/urandom or crypt_r fail. */
char *world_layout_hash(const char *pw, struct err *e);

/* Creates a directory and its parents (mkdir -p); 0 or -1 with e set. */
int world_layout_mkdirs(const char *path, int mode, struct err *e);

#endif
