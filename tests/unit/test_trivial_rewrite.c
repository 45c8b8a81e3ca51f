/*
 * CUnit suite for trivial-rewrite (src/mta/trivial_rewrite.c) and the
 * table source parser (src/mta/maps.c): canonical form with myorigin,
 * address classes, relayhost, transport_maps.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "mta/maps.h"
#include "mta/trivial_rewrite.h"

void test_trivial_rewrite_register(void);

static char **list(const char *a, const char *b, const char *c)
{
	char **l = xcalloc(4, sizeof(*l));
	size_t n = 0;

	if (a != NULL)
		l[n++] = xstrdup(a);
	if (b != NULL)
		l[n++] = xstrdup(b);
	if (c != NULL)
		l[n++] = xstrdup(c);
	return l;
}

/* The centos world of the reference (config/main.cf.as-captured). */
static void centos(struct trivial_rewrite_conf *c)
{
	trivial_rewrite_conf_init(c);
	c->myhostname = xstrdup("centos.localdomain");
	c->mydomain = xstrdup("localdomain");
	c->myorigin = xstrdup("centos.localdomain");
	c->mydestination = list("centos.localdomain", "localhost.localdomain", "localhost");
	c->relay_domains = list(NULL, NULL, NULL);
	c->relayhost = xstrdup("[127.0.0.1]:2");
	c->local_transport = xstrdup("local:centos.localdomain");
	c->relay_transport = xstrdup("relay");
	c->default_transport = xstrdup("smtp");
}

static const struct {
	int ctx;
	int dot;
	const char *in, *want;
} canon_cases[] = {
	{ TRIVIAL_REWRITE_LOCAL, 0, "wees", "wees@centos.localdomain" },
	{ TRIVIAL_REWRITE_LOCAL, 0, "root", "root@centos.localdomain" },
	{ TRIVIAL_REWRITE_LOCAL, 0, "bob@b.example", "bob@b.example" },
	{ TRIVIAL_REWRITE_LOCAL, 0, "bob@b.example.", "bob@b.example" },
	{ TRIVIAL_REWRITE_LOCAL, 0, "", "" },
	{ TRIVIAL_REWRITE_LOCAL, 0, "x@host", "x@host" },
	{ TRIVIAL_REWRITE_LOCAL, 1, "x@host", "x@host.localdomain" },
	{ TRIVIAL_REWRITE_LOCAL, 1, "x@[127.0.0.1]", "x@[127.0.0.1]" },
	{ TRIVIAL_REWRITE_REMOTE, 0, "wees", "wees" },
};

static void test_canon(void)
{
	struct trivial_rewrite_conf c;
	size_t i;

	centos(&c);
	for (i = 0; i < ARRAY_LEN(canon_cases); i++) {
		char *got;

		c.append_dot_mydomain = canon_cases[i].dot;
		got = trivial_rewrite_canon(&c, canon_cases[i].ctx, canon_cases[i].in);
		if (strcmp(got, canon_cases[i].want) != 0) {
			fprintf(stderr, "\ncanon(%s): got %s, want %s\n",
				canon_cases[i].in, got, canon_cases[i].want);
			CU_FAIL("canon");
		}
		free(got);
	}
	trivial_rewrite_conf_reset(&c);
}

static const struct {
	const char *addr;
	const char *want;	/* "class transport nexthop" */
} resolve_cases[] = {
	{ "wees@centos.localdomain", "local local centos.localdomain" },
	{ "WEES@Centos.LocalDomain", "local local centos.localdomain" },
	{ "wees@localhost", "local local centos.localdomain" },
	{ "wees", "local local centos.localdomain" },
	{ "someone@example.com", "default smtp [127.0.0.1]:2" },
	{ "x@partner.example", "relay relay [127.0.0.1]:2" },
	{ "x@sub.partner.example", "relay relay [127.0.0.1]:2" },
	{ "x@special.example", "default smtp [mx.special.example]:2525" },
	{ "x@only-transport.example", "default uucp [127.0.0.1]:2" },
	{ "x@bad.example", "default error mail for bad.example is not accepted" },
	{ "x@deep.sub.wild.example", "default smtp relay.wild.example" },
	{ "vip@example.com", "default local centos.localdomain" },
};

static void test_resolve(void)
{
	struct trivial_rewrite_conf c;
	static const char src[] =
		"# transport_maps\n"
		"special.example   smtp:[mx.special.example]:2525\n"
		"only-transport.example uucp:\n"
		"bad.example       error:mail for bad.example\n"
		"   is not accepted\n"
		".wild.example     smtp:relay.wild.example\n"
		"vip@example.com   local:centos.localdomain\n";
	char *warn = NULL;
	size_t i;

	centos(&c);
	free(c.relay_domains[0]);
	c.relay_domains[0] = xstrdup("partner.example");
	maps_parse_source(&c.transport, "/etc/postfix/transport", src,
			  strlen(src), 1, &warn);
	CU_ASSERT_PTR_NULL(warn);
	for (i = 0; i < ARRAY_LEN(resolve_cases); i++) {
		struct trivial_rewrite_result r;
		char got[512];

		trivial_rewrite_resolve(&c, resolve_cases[i].addr, &r);
		snprintf(got, sizeof(got), "%s %s %s", trivial_rewrite_class_name(r.klass),
			 r.transport, r.nexthop);
		if (strcmp(got, resolve_cases[i].want) != 0) {
			fprintf(stderr, "\nresolve(%s): got \"%s\", want \"%s\"\n",
				resolve_cases[i].addr, got, resolve_cases[i].want);
			CU_FAIL("resolve");
		}
		trivial_rewrite_result_reset(&r);
	}
	/* Without relayhost the domain is the next hop. */
	free(c.relayhost);
	c.relayhost = xstrdup("");
	{
		struct trivial_rewrite_result r;

		trivial_rewrite_resolve(&c, "bob@b.example", &r);
		CU_ASSERT_STRING_EQUAL(r.nexthop, "b.example");
		CU_ASSERT_STRING_EQUAL(r.transport, "smtp");
		trivial_rewrite_result_reset(&r);
	}
	trivial_rewrite_conf_reset(&c);
}

static void test_maps_source(void)
{
	struct maps_table t = { NULL, 0 };
	static const char src[] = "a  b\nnovalue\n# c\n\nK2\tv2 more\n  cont\n";
	char *warn = NULL;

	maps_parse_source(&t, "/etc/x", src, strlen(src), 1, &warn);
	CU_ASSERT_EQUAL(t.n, 2);
	CU_ASSERT_STRING_EQUAL(maps_table_get(&t, "A"), "b");
	CU_ASSERT_STRING_EQUAL(maps_table_get(&t, "k2"), "v2 more cont");
	CU_ASSERT_PTR_NOT_NULL_FATAL(warn);
	CU_ASSERT_STRING_EQUAL(warn, "/etc/x, line 2: expected format: key whitespace value");
	free(warn);
	maps_table_reset(&t);
}

void test_trivial_rewrite_register(void)
{
	CU_pSuite s = CU_add_suite("trivial_rewrite", NULL, NULL);

	CU_add_test(s, "canonical form", test_canon);
	CU_add_test(s, "resolve", test_resolve);
	CU_add_test(s, "table source", test_maps_source);
}
