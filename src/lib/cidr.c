/*
 * cidr: network patterns for mynetworks and friends. See cidr.h.
 */
#include "cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void map_v4(const unsigned char v4[4], unsigned char out[16])
{
	memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	memcpy(out + 12, v4, 4);
}

/* Parses an address without brackets; *v4_out says which family. */
static int parse_plain(const char *s, unsigned char out[16], int *v4_out)
{
	unsigned char a4[4];

	if (inet_pton(AF_INET, s, a4) == 1) {
		map_v4(a4, out);
		*v4_out = 1;
		return 1;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*v4_out = 0;
		return 1;
	}
	return 0;
}

/* Strips one pair of [] around an address; returns a new string. */
static char *unbracket(const char *s, size_t len)
{
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
		return xstrndup(s + 1, len - 2);
	return xstrndup(s, len);
}

int cidr_addr_parse(const char *text, unsigned char addr_out[16])
{
	char *s = unbracket(text, strlen(text));
	int v4, ok;

	ok = parse_plain(s, addr_out, &v4);
	free(s);
	return ok;
}

static int host_bits_zero(const unsigned char a[16], int prefix)
{
	int i;

	for (i = prefix; i < 128; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return 0;
	return 1;
}

/* The network part of a as text (for the "perhaps you should use" hint). */
static void network_text(const struct cidr *c, const unsigned char a[16],
			 char *out, size_t outlen)
{
	unsigned char net[16];
	char txt[INET6_ADDRSTRLEN];
	int i;

	memcpy(net, a, 16);
	for (i = c->prefix; i < 128; i++)
		net[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	if (c->v4) {
		inet_ntop(AF_INET, net + 12, txt, sizeof(txt));
		snprintf(out, outlen, "%s/%d", txt, c->prefix - 96);
	} else {
		inet_ntop(AF_INET6, net, txt, sizeof(txt));
		snprintf(out, outlen, "[%s]/%d", txt, c->prefix);
	}
}

/* "hash:/etc/x", "cidr:/x": letters then a colon, not a hex group. */
static int looks_like_table(const char *p)
{
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");

	return n > 0 && p[n] == ':' && strspn(p, "abcdef") != n;
}

int cidr_parse(const char *text, struct cidr *out, struct err *e)
{
	const char *p = text, *slash;
	char *addr;
	char hint[INET6_ADDRSTRLEN + 32];
	int v4, bits;

	memset(out, 0, sizeof(*out));
	if (*p == '!') {
		out->negate = 1;
		p++;
	}
	slash = strrchr(p, '/');
	/* "/file/name" and "type:table" are lookup tables, not networks. */
	if (*p == '/' || looks_like_table(p)) {
		err_set(e, 0, "unsupported pattern (table or file): \"%s\"", text);
		return 0;
	}
	if (slash != NULL) {
		char *end;
		long n;

		addr = unbracket(p, (size_t)(slash - p));
		n = strtol(slash + 1, &end, 10);
		if (!parse_plain(addr, out->addr, &v4)) {
			free(addr);
			err_set(e, 0, "bad net/mask pattern: \"%s\"", text);
			return 0;
		}
		free(addr);
		if (*end != 0 || slash[1] == 0 || n < 0 || n > (v4 ? 32 : 128)) {
			err_set(e, 0, "bad net/mask pattern: \"%s\"", text);
			return 0;
		}
		bits = (int)n;
	} else {
		addr = unbracket(p, strlen(p));
		if (!parse_plain(addr, out->addr, &v4)) {
			free(addr);
			err_set(e, 0, "bad address pattern: \"%s\"", text);
			return 0;
		}
		free(addr);
		bits = v4 ? 32 : 128;
	}
	out->v4 = v4;
	out->prefix = v4 ? bits + 96 : bits;
	if (!host_bits_zero(out->addr, out->prefix)) {
		network_text(out, out->addr, hint, sizeof(hint));
		err_set(e, 0, "non-null host address bits in \"%s\", "
			"perhaps you should use \"%s\" instead", text, hint);
		return 0;
	}
	return 1;
}

int cidr_match(const struct cidr *c, const char *addr)
{
	unsigned char a[16];
	int i, full = c->prefix / 8, rest = c->prefix % 8;

	if (!cidr_addr_parse(addr, a))
		return 0;
	for (i = 0; i < full; i++)
		if (a[i] != c->addr[i])
			return 0;
	if (rest != 0) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));

		if ((a[full] & mask) != (c->addr[full] & mask))
			return 0;
	}
	return 1;
}

void cidr_list_init(struct cidr_list *l)
{
	l->v = NULL;
	l->n = 0;
}

void cidr_list_reset(struct cidr_list *l)
{
	free(l->v);
	cidr_list_init(l);
}

int cidr_list_parse(struct cidr_list *l, const char *value, struct err *e)
{
	const char *p = value;
	int rc = 0;

	while (*p != 0) {
		size_t n;
		char *tok;
		struct cidr c;
		struct err e1;

		p += strspn(p, " \t\r\n,");
		n = strcspn(p, " \t\r\n,");
		if (n == 0)
			break;
		tok = xstrndup(p, n);
		p += n;
		if (cidr_parse(tok, &c, &e1)) {
			l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
			l->v[l->n++] = c;
		} else if (rc == 0) {
			err_set(e, 0, "%s", e1.text);
			rc = -1;
		}
		free(tok);
	}
	return rc;
}

int cidr_list_match(const struct cidr_list *l, const char *addr)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (cidr_match(&l->v[i], addr))
			return !l->v[i].negate;
	return 0;
}
