/* CUnit suite for src/lib/cidr.c: mynetworks patterns and matching. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "lib/cidr.h"

void test_cidr_register(void);

static const struct {
	const char *pattern;
	const char *addr;
	int match;
} match_cases[] = {
	{ "127.0.0.0/8", "127.0.0.1", 1 },
	{ "127.0.0.0/8", "127.255.3.4", 1 },
	{ "127.0.0.0/8", "128.0.0.1", 0 },
	{ "127.0.0.0/8", "::ffff:127.0.0.1", 1 },	/* v4-mapped client */
	{ "127.0.0.0/8", "::1", 0 },
	{ "[::ffff:127.0.0.0]/104", "::ffff:127.0.0.1", 1 },
	{ "[::ffff:127.0.0.0]/104", "127.0.0.1", 1 },	/* v4 client, mapped pattern */
	{ "[::ffff:127.0.0.0]/104", "::ffff:10.0.0.1", 0 },
	{ "[::1]/128", "::1", 1 },
	{ "[::1]/128", "::2", 0 },
	{ "[::1]/128", "[::1]", 1 },
	{ "192.0.2.10", "192.0.2.10", 1 },		/* bare address = /32 */
	{ "192.0.2.10", "192.0.2.11", 0 },
	{ "[2001:db8::1]", "2001:db8::1", 1 },
	{ "2001:db8::/32", "2001:db8:ffff::5", 1 },
	{ "2001:db8::/32", "2001:db9::5", 0 },
	{ "198.51.100.0/24", "198.51.100.200", 1 },
	{ "198.51.100.0/24", "198.51.101.1", 0 },
	{ "0.0.0.0/0", "203.0.113.9", 1 },
	{ "0.0.0.0/0", "2001:db8::1", 0 },
	{ "127.0.0.2/32", "127.0.0.1", 0 },		/* 04e's mynetworks */
	{ "10.0.0.0/8", "not-an-address", 0 },
};

static void test_match(void)
{
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		struct cidr c;
		struct err e;
		int got;

		if (!cidr_parse(match_cases[i].pattern, &c, &e)) {
			fprintf(stderr, "\n  parse %s: %s\n",
				match_cases[i].pattern, e.text);
			CU_FAIL("pattern did not parse");
			continue;
		}
		got = cidr_match(&c, match_cases[i].addr);
		if (got != match_cases[i].match)
			fprintf(stderr, "\n  %s vs %s: got %d, want %d\n",
				match_cases[i].pattern, match_cases[i].addr,
				got, match_cases[i].match);
		CU_ASSERT_EQUAL(got, match_cases[i].match);
	}
}

static const struct {
	const char *pattern;
	const char *want_err;	/* substring */
} bad_cases[] = {
	{ "127.0.0.1/8", "non-null host address bits in \"127.0.0.1/8\", perhaps you should use \"127.0.0.0/8\" instead" },
	{ "[::1]/64", "perhaps you should use \"[::]/64\"" },
	{ "10.0.0.0/33", "bad net/mask pattern" },
	{ "10.0.0.0/", "bad net/mask pattern" },
	{ "10.0.0/8", "bad net/mask pattern" },
	{ "localhost", "bad address pattern" },
	{ "hash:/etc/postfix/network_table", "unsupported pattern" },
	{ "/etc/postfix/networks", "unsupported pattern" },
};

static void test_bad(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct cidr c;
		struct err e;

		e.text[0] = 0;
		CU_ASSERT_EQUAL(cidr_parse(bad_cases[i].pattern, &c, &e), 0);
		if (strstr(e.text, bad_cases[i].want_err) == NULL)
			fprintf(stderr, "\n  %s: got \"%s\", want \"%s\"\n",
				bad_cases[i].pattern, e.text, bad_cases[i].want_err);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.text, bad_cases[i].want_err));
	}
}

static void test_list(void)
{
	struct cidr_list l;
	struct err e;

	cidr_list_init(&l);
	/* reference/config/main.cf.as-captured */
	CU_ASSERT_EQUAL(cidr_list_parse(&l, "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128", &e), 0);
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT(cidr_list_match(&l, "127.0.0.1"));
	CU_ASSERT(cidr_list_match(&l, "::1"));
	CU_ASSERT(cidr_list_match(&l, "::ffff:127.0.0.1"));
	CU_ASSERT(!cidr_list_match(&l, "192.0.2.1"));
	cidr_list_reset(&l);

	/* commas, a bad entry in the middle, negation */
	CU_ASSERT_EQUAL(cidr_list_parse(&l, "!192.0.2.7, 192.0.2.0/24,bogus , [::1]", &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "bogus"));
	CU_ASSERT_EQUAL(l.n, 3);
	CU_ASSERT(cidr_list_match(&l, "192.0.2.8"));
	CU_ASSERT(!cidr_list_match(&l, "192.0.2.7"));
	CU_ASSERT(cidr_list_match(&l, "::1"));
	cidr_list_reset(&l);

	CU_ASSERT_EQUAL(cidr_list_parse(&l, "", &e), 0);
	CU_ASSERT(!cidr_list_match(&l, "127.0.0.1"));
	cidr_list_reset(&l);
}

void test_cidr_register(void)
{
	CU_pSuite s = CU_add_suite("cidr", NULL, NULL);

	CU_add_test(s, "match table", test_match);
	CU_add_test(s, "bad patterns", test_bad);
	CU_add_test(s, "lists", test_list);
}
