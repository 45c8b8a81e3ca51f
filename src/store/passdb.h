/*
 * passdb: Dovecot's passwd-file (the host's etc/dovecot/users), which is
 * both its passdb and its userdb here:
 *
 *	user:{SHA512-CRYPT}$6$salt$hash:uid:gid:gecos:home:shell:extra
 *
 * and the password schemes Dovecot writes and checks with crypt(3):
 * SHA512-CRYPT ($6$), SHA256-CRYPT ($5$), MD5-CRYPT ($1$), BLF-CRYPT and
 * CRYPT ($2y$, what `doveadm pw` gives by default in 2.3), plus PLAIN and
 * CLEARTEXT. A password without {SCHEME} is CRYPT (passwd-file's
 * default_pass_scheme). Hashing uses libcrypt's crypt_r; salts come from
 * /dev/urandom.
 */
#ifndef MAILLAB_PASSDB_H
#define MAILLAB_PASSDB_H

#include <stddef.h>

#include "lib/err.h"

struct passdb_entry {
	char *user;		/* "alice" */
	char *password;		/* "{SHA512-CRYPT}$6$..." as written */
	long uid, gid;		/* -1 when the field is empty */
	char *gecos;
	char *home;		/* "/home/alice"; "" when empty */
	char *shell;
	char *extra;		/* userdb_mail=... etc., "" when none */
};

struct passdb {
	char *path;
	struct passdb_entry *v;
	size_t n;
};

enum passdb_result {
	PASSDB_OK,
	PASSDB_MISMATCH,	/* "Password mismatch" */
	PASSDB_UNKNOWN_USER,	/* "unknown user" */
	PASSDB_ERROR,		/* unknown scheme, crypt failure */
};

/*
 * Reads a passwd-file. A missing file is an empty passdb (a host without
 * Dovecot users); an unreadable one is -1 with e set. Bad lines are
 * skipped, as Dovecot does (it logs them).
 */
struct passdb *passdb_open(const char *path, struct err *e);
void passdb_free(struct passdb **pp);
/* The entry of user (exact match, as Dovecot without
 * auth_username_format), or NULL. Valid until passdb_free(). */
const struct passdb_entry *passdb_lookup(const struct passdb *p,
					 const char *user);
/* Checks user's password. */
enum passdb_result passdb_verify(const struct passdb *p, const char *user,
				 const char *password);
/* Checks a password against one stored value ("{SCHEME}..."). */
enum passdb_result passdb_verify_hash(const char *stored,
				      const char *password);
/*
 * "{SCHEME}hash" for password with a fresh random salt; scheme as
 * `doveadm pw -s` takes it (case-insensitive). NULL with e set for an
 * unknown scheme or when /dev/urandom or crypt_r fail. Caller frees.
 */
char *passdb_hash(const char *scheme, const char *password, struct err *e);
/* The schemes passdb_hash() knows, NULL-terminated. */
extern const char *const passdb_schemes[];

#endif
