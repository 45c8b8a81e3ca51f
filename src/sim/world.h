/*
 * world: the lab root (DESIGN.md, "The lab root"). ROOT/world.conf names
 * the domains, hosts, users and DNS records (format: docs/world.md); each
 * host is a directory laid out like the real system under
 * ROOT/hosts/<name>/. A root is created from a named world ("default",
 * "centos", compiled in from worlds/) or a world file.
 *
 * This module reads world.conf and creates roots; the files inside a host
 * directory are written by world_layout.c once, at init, and from then on
 * belong to the learner (and to host.c, which reads them).
 */
#ifndef MAILLAB_WORLD_H
#define MAILLAB_WORLD_H

#include <stddef.h>

#include "lib/err.h"

struct host;

struct world_user {
	char *name;		/* "bob" */
	char *password;		/* the lab password, only while creating */
	char *host;		/* the host whose user it is */
	int system;		/* system account (nobody): no mailbox login */
	int uid, gid;		/* root 0; others 1000 up unless given */
	char *home;		/* "/home/bob", "/root", "/nonexistent" */
	char *shell;		/* "/bin/bash" */
	char *gecos;		/* "" unless given */
	int line;		/* where world.conf declares it */
};

struct world_hostdef {
	char *name;		/* "mail.b.example" */
	char *addr;		/* its virtual IP: "198.51.100.20" */
	char *maincf;		/* main.cf template: "internet-site", "as-captured" */
	char *mailname;		/* etc/mailname; NULL: its first domain, else name */
	int line;
};

struct world_dns {
	char *name;		/* "b.example" */
	char *type;		/* "MX", "A", "AAAA" */
	int pref;		/* MX preference */
	char *value;		/* "mail.b.example", "192.0.2.25" */
};

struct world_domain {
	char *name;		/* "b.example" */
	char *host;		/* its mail host */
};

struct world {
	char *root;		/* absolute path of ROOT */
	char *name;		/* "default", "centos" */
	struct world_domain *domains;
	size_t ndomains;
	char **hosts;		/* host names, in world.conf order */
	size_t nhosts;
	struct world_hostdef *hostdefs; /* parallel to hosts */
	struct world_user *users;
	size_t nusers;
	struct world_dns *dns;
	size_t ndns;
	struct host **open_hosts; /* loaded on demand, owned */
};

/*
 * The root to use: opt (--root) if not NULL, else $MAILLAB_ROOT, else
 * $XDG_DATA_HOME/maillab or ~/.local/share/maillab. Caller frees.
 */
char *world_root_path(const char *opt);

/*
 * Creates ROOT from a world: "default", "centos" or a path to a
 * world.conf. Refuses (-1) when ROOT already holds a world.conf.
 */
int world_init(const char *root, const char *world, struct err *e);

/* Opens ROOT, creating it with the default world on first use. */
struct world *world_open(const char *root, struct err *e);
void world_free(struct world **wp);

/* The host by name (loaded on first call, owned by the world), or NULL
 * with e set. name NULL: the world's first host. */
struct host *world_host(struct world *w, const char *name, struct err *e);

/* Names of the shipped worlds, NULL-terminated. */
extern const char *const world_builtin_names[];

/*
 * Parses world.conf text into an empty struct world (w->root untouched).
 * 0, or -1 with e->text "NAME, line N: what is wrong" (translated).
 * Checks the references between lines (a user's host exists, ...).
 */
int world_conf_parse(struct world *w, const char *name, const char *text,
		     struct err *e);

/* The definition of a host, or NULL. */
const struct world_hostdef *world_hostdef(const struct world *w,
					  const char *name);
/* The DNS records of a name and type ("MX"), in file order; returns how
 * many were found, up to max. */
size_t world_dns_lookup(const struct world *w, const char *name,
			const char *type, const struct world_dns **out,
			size_t max);

#endif
