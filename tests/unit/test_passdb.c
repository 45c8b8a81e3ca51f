/* CUnit suite for src/store/passdb.c: passwd-file and password schemes. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "store/passdb.h"
#include "tutil.h"

void test_passdb_register(void);

/* Made once with `doveadm pw -s SHA512-CRYPT -p alicepw`. */
#define ALICE_HASH "{SHA512-CRYPT}$6$Y./VNlNkzBVU2jsy$pG4PJsPLcYkjXTkAf430ARcg3hDSUB2AAziGHu.me0X6OIaC09MYVBV919ydju8tZqNd3E1YC0fM4cegFttBi."

static void test_verify_known(void)
{
	static const struct {
		const char *stored, *pass;
		enum passdb_result want;
	} cases[] = {
		{ ALICE_HASH, "alicepw", PASSDB_OK },
		{ ALICE_HASH, "wrongpw", PASSDB_MISMATCH },
		{ ALICE_HASH, "", PASSDB_MISMATCH },
		/* no {SCHEME}: CRYPT, any crypt(3) format */
		{ ALICE_HASH + 14, "alicepw", PASSDB_OK },
		{ "{PLAIN}secret", "secret", PASSDB_OK },
		{ "{PLAIN}secret", "secreT", PASSDB_MISMATCH },
		{ "{CLEARTEXT}x", "x", PASSDB_OK },
		{ "{NOSUCH}x", "x", PASSDB_ERROR },
		{ "{SHA512-CRYPT}*", "x", PASSDB_MISMATCH },
		{ "{SHA512-CRYPT}", "", PASSDB_MISMATCH },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		enum passdb_result got = passdb_verify_hash(cases[i].stored,
							    cases[i].pass);

		if (got != cases[i].want) {
			fprintf(stderr, "\ncase %zu: got %d, want %d\n", i, got,
				cases[i].want);
			CU_FAIL("verify");
		}
	}
}

static void test_hash_roundtrip(void)
{
	static const struct {
		const char *scheme, *prefix;
		size_t len;	/* total length, 0: not checked */
	} cases[] = {
		{ "SHA512-CRYPT", "{SHA512-CRYPT}$6$", 14 + 3 + 16 + 1 + 86 },
		{ "sha256-crypt", "{SHA256-CRYPT}$5$", 14 + 3 + 16 + 1 + 43 },
		{ "MD5-CRYPT", "{MD5-CRYPT}$1$", 11 + 3 + 8 + 1 + 22 },
		{ "CRYPT", "{CRYPT}$2y$05$", 7 + 60 },
		{ "BLF-CRYPT", "{BLF-CRYPT}$2y$05$", 11 + 60 },
		{ "PLAIN", "{PLAIN}pw", 9 },
	};
	struct err e;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char *h = passdb_hash(cases[i].scheme, "pw", &e), *h2;

		CU_ASSERT_PTR_NOT_NULL_FATAL(h);
		if (strncmp(h, cases[i].prefix, strlen(cases[i].prefix)) != 0 ||
		    strlen(h) != cases[i].len) {
			fprintf(stderr, "\n%s: got %s (%zu), want %s... (%zu)\n",
				cases[i].scheme, h, strlen(h), cases[i].prefix,
				cases[i].len);
			CU_FAIL("hash format");
		}
		CU_ASSERT_EQUAL(passdb_verify_hash(h, "pw"), PASSDB_OK);
		CU_ASSERT_EQUAL(passdb_verify_hash(h, "pW"), PASSDB_MISMATCH);
		/* A new salt every time. */
		h2 = passdb_hash(cases[i].scheme, "pw", &e);
		if (strcmp(cases[i].scheme, "PLAIN") != 0)
			CU_ASSERT_STRING_NOT_EQUAL(h, h2);
		free(h);
		free(h2);
	}
	CU_ASSERT_PTR_NULL(passdb_hash("NOSUCH", "pw", &e));
}

static void test_file(void)
{
	char *dir = tu_tmpdir(), *path = xasprintf("%s/users", dir);
	static const char text[] =
		"# lab users\n"
		"alice:" ALICE_HASH ":1002:1002::/home/alice::\n"
		"\n"
		"bob:{PLAIN}bobpw:1003:1003:Bob:/home/bob:/bin/sh:userdb_mail=maildir:~/Maildir\n"
		"broken line without colons\n";
	struct passdb *p;
	const struct passdb_entry *en;
	struct err e;

	tu_write_file(path, text, strlen(text));
	p = passdb_open(path, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->n, 2);
	en = passdb_lookup(p, "bob");
	CU_ASSERT_PTR_NOT_NULL_FATAL(en);
	CU_ASSERT_EQUAL(en->uid, 1003);
	CU_ASSERT_STRING_EQUAL(en->home, "/home/bob");
	CU_ASSERT_STRING_EQUAL(en->extra, "userdb_mail=maildir:~/Maildir");
	CU_ASSERT_EQUAL(passdb_verify(p, "alice", "alicepw"), PASSDB_OK);
	CU_ASSERT_EQUAL(passdb_verify(p, "alice", "wrongpw"), PASSDB_MISMATCH);
	CU_ASSERT_EQUAL(passdb_verify(p, "nobody", "x"), PASSDB_UNKNOWN_USER);
	CU_ASSERT_EQUAL(passdb_verify(p, "Alice", "alicepw"), PASSDB_UNKNOWN_USER);
	passdb_free(&p);
	CU_ASSERT_PTR_NULL(p);
	/* A missing file is an empty passdb. */
	p = passdb_open("/nonexistent/users", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->n, 0);
	passdb_free(&p);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

void test_passdb_register(void)
{
	CU_pSuite s = CU_add_suite("passdb", NULL, NULL);

	CU_add_test(s, "verify known hashes", test_verify_known);
	CU_add_test(s, "hash and verify each scheme", test_hash_roundtrip);
	CU_add_test(s, "passwd-file", test_file);
}
