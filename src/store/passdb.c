/*
 * passdb: passwd-file reading and password schemes; see passdb.h.
 */
#include "store/passdb.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/xalloc.h"

/* Dovecot's schemes we model; the crypt(3) prefix of each. */
static const struct {
	const char *name;
	const char *prefix;	/* NULL: not a crypt scheme */
	size_t salt_len;
} schemes[] = {
	{ "SHA512-CRYPT", "$6$", 16 },
	{ "SHA256-CRYPT", "$5$", 16 },
	{ "MD5-CRYPT", "$1$", 8 },
	{ "BLF-CRYPT", "$2y$05$", 22 },
	/* Dovecot 2.3: CRYPT makes bcrypt hashes, and checks any crypt(3). */
	{ "CRYPT", "$2y$05$", 22 },
	{ "PLAIN", NULL, 0 },
	{ "CLEARTEXT", NULL, 0 },
};

const char *const passdb_schemes[] = {
	"SHA512-CRYPT", "SHA256-CRYPT", "MD5-CRYPT", "BLF-CRYPT", "CRYPT",
	"PLAIN", "CLEARTEXT", NULL,
};

static char *field(char **p)
{
	char *s = *p, *c;

	if (s == NULL)
		return xstrdup("");
	c = strchr(s, ':');
	if (c != NULL) {
		*c = '\0';
		*p = c + 1;
	} else {
		*p = NULL;
	}
	return xstrdup(s);
}

static long num_field(char **p)
{
	char *s = field(p), *end;
	long v = strtol(s, &end, 10);

	if (s[0] == '\0' || *end != '\0')
		v = -1;
	free(s);
	return v;
}

struct passdb *passdb_open(const char *path, struct err *e)
{
	struct passdb *p;
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (f == NULL && errno != ENOENT) {
		err_set(e, errno, "passwd-file %s: open() failed: %s", path,
			strerror(errno));
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->path = xstrdup(path);
	while (f != NULL && getline(&line, &cap, f) >= 0) {
		struct passdb_entry en;
		char *cur = line;

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#' ||
		    strchr(line, ':') == NULL)
			continue;
		memset(&en, 0, sizeof(en));
		en.user = field(&cur);
		en.password = field(&cur);
		en.uid = num_field(&cur);
		en.gid = num_field(&cur);
		en.gecos = field(&cur);
		en.home = field(&cur);
		en.shell = field(&cur);
		en.extra = xstrdup(cur != NULL ? cur : "");
		if (en.user[0] == '\0') {
			free(en.user);
			free(en.password);
			free(en.gecos);
			free(en.home);
			free(en.shell);
			free(en.extra);
			continue;
		}
		p->v = xrealloc(p->v, (p->n + 1) * sizeof(p->v[0]));
		p->v[p->n++] = en;
	}
	free(line);
	if (f != NULL)
		fclose(f);
	return p;
}

void passdb_free(struct passdb **pp)
{
	struct passdb *p = *pp;
	size_t i;

	if (p == NULL)
		return;
	*pp = NULL;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].user);
		free(p->v[i].password);
		free(p->v[i].gecos);
		free(p->v[i].home);
		free(p->v[i].shell);
		free(p->v[i].extra);
	}
	free(p->v);
	free(p->path);
	free(p);
}

const struct passdb_entry *passdb_lookup(const struct passdb *p,
					 const char *user)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].user, user) == 0)
			return &p->v[i];
	return NULL;
}

/* Compares without stopping at the first difference (timing). */
static int same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

enum passdb_result passdb_verify_hash(const char *stored,
				      const char *password)
{
	const char *hash = stored;
	char scheme[32] = "CRYPT";
	struct crypt_data *cd;
	const char *h;
	enum passdb_result r;

	if (stored[0] == '{') {
		const char *close = strchr(stored, '}');
		size_t n;

		if (close == NULL)
			return PASSDB_ERROR;
		n = (size_t)(close - stored - 1);
		if (n >= sizeof(scheme))
			return PASSDB_ERROR;
		memcpy(scheme, stored + 1, n);
		scheme[n] = '\0';
		hash = close + 1;
	}
	if (strcasecmp(scheme, "PLAIN") == 0 ||
	    strcasecmp(scheme, "CLEARTEXT") == 0)
		return same(hash, password) ? PASSDB_OK : PASSDB_MISMATCH;
	if (strcasecmp(scheme, "CRYPT") != 0 &&
	    strcasecmp(scheme, "SHA512-CRYPT") != 0 &&
	    strcasecmp(scheme, "SHA256-CRYPT") != 0 &&
	    strcasecmp(scheme, "MD5-CRYPT") != 0 &&
	    strcasecmp(scheme, "BLF-CRYPT") != 0 &&
	    strcasecmp(scheme, "DES-CRYPT") != 0)
		return PASSDB_ERROR;
	/* An empty or disabled hash ("*", "!") never matches. */
	if (hash[0] == '\0' || hash[0] == '*' || hash[0] == '!')
		return PASSDB_MISMATCH;
	cd = xcalloc(1, sizeof(*cd));
	h = crypt_r(password, hash, cd);
	if (h == NULL || h[0] == '*')
		r = PASSDB_ERROR;
	else
		r = same(h, hash) ? PASSDB_OK : PASSDB_MISMATCH;
	free(cd);
	return r;
}

enum passdb_result passdb_verify(const struct passdb *p, const char *user,
				 const char *password)
{
	const struct passdb_entry *en = passdb_lookup(p, user);

	if (en == NULL)
		return PASSDB_UNKNOWN_USER;
	return passdb_verify_hash(en->password, password);
}

/* crypt(3)'s salt alphabet. */
static const char salt_chars[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int random_salt(char *out, size_t n, struct err *e)
{
	unsigned char raw[64];
	size_t i, got = 0;
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd < 0)
		return err_set(e, errno, "open(/dev/urandom) failed: %s",
			       strerror(errno));
	while (got < n) {
		ssize_t r = read(fd, raw + got, n - got);

		if (r <= 0) {
			close(fd);
			return err_set(e, errno, "read(/dev/urandom) failed");
		}
		got += (size_t)r;
	}
	close(fd);
	for (i = 0; i < n; i++)
		out[i] = salt_chars[raw[i] & 63];
	out[n] = '\0';
	return 0;
}

char *passdb_hash(const char *scheme, const char *password, struct err *e)
{
	char salt[64], setting[96];
	struct crypt_data *cd;
	const char *h;
	char *out;
	size_t i;

	for (i = 0; i < ARRAY_LEN(schemes); i++)
		if (strcasecmp(schemes[i].name, scheme) == 0)
			break;
	if (i == ARRAY_LEN(schemes)) {
		err_set(e, EINVAL, "Unknown scheme: %s", scheme);
		return NULL;
	}
	if (schemes[i].prefix == NULL)
		return xasprintf("{%s}%s", schemes[i].name, password);
	if (random_salt(salt, schemes[i].salt_len, e) < 0)
		return NULL;
	if (strncmp(schemes[i].prefix, "$2", 2) == 0) {
		/* bcrypt's last salt character carries only 2 bits: use
		 * one of those crypt_r accepts. */
		salt[21] = ".Oeu"[(unsigned char)salt[21] & 3];
	}
	snprintf(setting, sizeof(setting), "%s%s", schemes[i].prefix, salt);
	cd = xcalloc(1, sizeof(*cd));
	h = crypt_r(password, setting, cd);
	if (h == NULL || h[0] == '*') {
		err_set(e, errno, "crypt_r failed for scheme %s", scheme);
		free(cd);
		return NULL;
	}
	out = xasprintf("{%s}%s", schemes[i].name, h);
	free(cd);
	return out;
}
