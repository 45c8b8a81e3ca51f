/*
 * cidr: IPv4 and IPv6 network patterns as Postfix's mynetworks accepts
 * them (postconf(5) "mynetworks", cidr_table(5)): "127.0.0.0/8",
 * "[::ffff:127.0.0.0]/104", "[::1]/128", bare addresses ("192.0.2.1",
 * "[::1]", "::1"), separated by white space and commas.
 *
 * Every address is kept in IPv6 form: an IPv4 address a.b.c.d/n is
 * ::ffff:a.b.c.d/(96+n). So an IPv4 client matches an IPv4-mapped IPv6
 * pattern and an IPv4-mapped client (::ffff:127.0.0.1) matches an IPv4
 * pattern, as Postfix does after it normalizes v4-mapped addresses.
 *
 * Host names, /file/name and type:table entries are not supported: they
 * are reported as errors, and the rest of the list is still used.
 */
#ifndef MAILLAB_CIDR_H
#define MAILLAB_CIDR_H

#include <stddef.h>

#include "err.h"

struct cidr {
	unsigned char addr[16];	/* network address, IPv6 form */
	int prefix;		/* 0..128, in IPv6 bits */
	int v4;			/* written as IPv4 */
	int negate;		/* "!pattern" */
};

struct cidr_list {
	struct cidr *v;
	size_t n;
};

/*
 * Parses one address into 16 bytes (IPv4 mapped to ::ffff:a.b.c.d).
 * Accepts "192.0.2.1", "::1", "[::1]", "[192.0.2.1]". 1 ok, 0 bad.
 */
int cidr_addr_parse(const char *text, unsigned char addr_out[16]);

/*
 * Parses one pattern ("10.0.0.0/8", "[::1]/128", "192.0.2.7", "!1.2.3.4").
 * 1 ok; 0 bad, with e->text saying why in Postfix's words
 * (non-null host address bits, bad mask length, bad address).
 */
int cidr_parse(const char *text, struct cidr *out, struct err *e);

/* 1 if addr (an address as text, IPv4 or IPv6) is inside c. */
int cidr_match(const struct cidr *c, const char *addr);

void cidr_list_init(struct cidr_list *l);
void cidr_list_reset(struct cidr_list *l);
/*
 * Appends every pattern of a list value (white space and commas). Bad
 * entries are skipped; the return is 0, or -1 with e describing the first
 * bad one ("mynetworks: bad net/mask pattern: ...").
 */
int cidr_list_parse(struct cidr_list *l, const char *value, struct err *e);
/* 1 when the first matching pattern is not negated, 0 otherwise. */
int cidr_list_match(const struct cidr_list *l, const char *addr);

#endif
