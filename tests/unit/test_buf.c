/* CUnit suite for src/lib/buf.c and xalloc.c. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"

void test_buf_register(void);

static void test_add_consume(void)
{
	struct buf b;
	char *p;
	size_t n;
	int i;

	buf_init(&b);
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "%d,", i % 10);
	CU_ASSERT_EQUAL(b.len, 2000);
	CU_ASSERT_EQUAL(memcmp(b.data, "0,1,2,", 6), 0);
	buf_consume(&b, 1998);
	CU_ASSERT_STRING_EQUAL(b.data, "9,");
	buf_addc(&b, 'x');
	buf_adds(&b, "yz");
	CU_ASSERT_STRING_EQUAL(b.data, "9,xyz");
	p = buf_steal(&b, &n);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_STRING_EQUAL(p, "9,xyz");
	CU_ASSERT_EQUAL(b.len, 0);
	free(p);
	buf_reset(&b);
}

static void test_xasprintf(void)
{
	char *s = xasprintf("%s-%03d", "id", 7);

	CU_ASSERT_STRING_EQUAL(s, "id-007");
	free(s);
}

void test_buf_register(void)
{
	CU_pSuite s = CU_add_suite("buf", NULL, NULL);

	CU_add_test(s, "add and consume", test_add_consume);
	CU_add_test(s, "xasprintf", test_xasprintf);
}
