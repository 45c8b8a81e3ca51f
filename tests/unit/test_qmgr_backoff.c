/*
 * CUnit suite for the retry schedule (src/mta/qmgr_backoff.c) and the
 * delay format of delivery status lines (src/mta/log_adhoc.c).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/log_adhoc.h"
#include "mta/qmgr_backoff.h"

void test_qmgr_backoff_register(void);

/* Postfix 3.7 defaults: 300s, 4000s, queue_run_delay 300s, 5d lifetime. */
static void test_schedule(void)
{
	static const long want[] = { 0, 300, 600, 1200, 2400, 4800, 9000, 13200, 17400 };
	mtime_t t0 = 1795903239000LL, t = t0;
	size_t i, attempts = 1;

	for (i = 1; i < ARRAY_LEN(want); i++) {
		long d = qmgr_backoff_delay(t0, t, 300, 4000);

		t = qmgr_backoff_scan_at(t + d * 1000, t0, 300);
		if ((t - t0) / 1000 != want[i])
			fprintf(stderr, "\nattempt %zu: got +%llds, want +%lds\n", i,
				(long long)(t - t0) / 1000, want[i]);
		CU_ASSERT_EQUAL((t - t0) / 1000, want[i]);
	}
	/* Keep failing: the first failure at 5 days or later expires it. */
	t = t0;
	while (!qmgr_backoff_expired(t0, t, 5 * 86400)) {
		t = qmgr_backoff_scan_at(t + qmgr_backoff_delay(t0, t, 300, 4000) * 1000,
					 t0, 300);
		attempts++;
	}
	CU_ASSERT(t - t0 >= 5 * 86400 * 1000LL);
	CU_ASSERT(t - t0 < 5 * 86400 * 1000LL + 4300 * 1000LL);
	CU_ASSERT(attempts > 100 && attempts < 120);
	/* a message older than the maximum waits the maximum */
	CU_ASSERT_EQUAL(qmgr_backoff_delay(t0, t0 + 86400000LL, 300, 4000), 4000);
	CU_ASSERT_EQUAL(qmgr_backoff_delay(t0, t0, 300, 4000), 300);
}

static const struct {
	mtime_t ms;
	const char *want;
} tv_cases[] = {
	{ 0, "0" }, { 4, "0" }, { 5, "0.01" }, { 10, "0.01" }, { 20, "0.02" },
	{ 34, "0.03" }, { 335, "0.34" }, { 1200, "1.2" }, { 1249, "1.2" },
	{ 1250, "1.3" }, { 1800, "1.8" }, { 9960, "10" }, { 12400, "12" },
	{ 264300, "264" }, { 264600, "265" }, { 99, "0.1" },
};

static void test_format_tv(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(tv_cases); i++) {
		struct buf b;

		buf_init(&b);
		log_adhoc_format_tv(&b, tv_cases[i].ms);
		if (strcmp(b.data, tv_cases[i].want) != 0)
			fprintf(stderr, "\nformat_tv(%lld ms): got %s, want %s\n",
				(long long)tv_cases[i].ms, b.data, tv_cases[i].want);
		CU_ASSERT_STRING_EQUAL(b.data, tv_cases[i].want);
		buf_reset(&b);
	}
}

static void test_status_line(void)
{
	/* reference/transcripts/smtp/01-study-note.log */
	struct log_adhoc_times t = { 1000, 2200, 2220, 0, 2220 };
	char *s = log_adhoc_line("1F3A6104556", "wees@centos.localdomain", "wees", "local",
				 &t, 2220, "2.0.0", "sent", "delivered to mailbox");

	CU_ASSERT_STRING_EQUAL(s, "1F3A6104556: to=<wees@centos.localdomain>, orig_to=<wees>, "
			       "relay=local, delay=1.2, delays=1.2/0.02/0/0, dsn=2.0.0, "
			       "status=sent (delivered to mailbox)");
	free(s);
	/* orig_to is left out when it only differs in case */
	s = log_adhoc_line("X", "a@b", "A@B", "none", &t, 2220, "4.4.1", "deferred", "x");
	CU_ASSERT_PTR_NULL(strstr(s, "orig_to"));
	free(s);
}

void test_qmgr_backoff_register(void)
{
	CU_pSuite s = CU_add_suite("qmgr_backoff", NULL, NULL);

	CU_add_test(s, "retry schedule and expiry", test_schedule);
	CU_add_test(s, "delay format (format_tv)", test_format_tv);
	CU_add_test(s, "delivery status line", test_status_line);
}
