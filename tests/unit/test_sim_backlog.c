/*
 * CUnit suite for the scheduler under a backlog (src/sim/sim_queue.c):
 * 3,000 messages queued at once are delivered with a bounded number of
 * directory listings in all (the queue views follow inotify events), in
 * queue order, and a file removed by someone else meanwhile is skipped.
 * Before, every delivery listed and stat()ed the whole queue: O(n^2).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/queue_ops.h"
#include "sim/sim.h"
#include "sim/sim_queue.h"
#include "sim/world.h"

void test_sim_backlog_register(void);

/* Sat Nov 28 21:59:50 2026 UTC, the study note's session */
#define T0 1795903190000LL
/* fewer under ASan (several times slower), still far past where the
 * old O(n) per message showed */
#if defined(__SANITIZE_ADDRESS__)
#define NMSG 1000
#else
#define NMSG 3000
#endif

static size_t count_lines(const char *path, const char *prefix)
{
	FILE *fp = fopen(path, "r");
	char line[512];
	size_t n = 0, plen = strlen(prefix);

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, prefix, plen) == 0)
			n++;
	fclose(fp);
	return n;
}

static void test_backlog_drained(void)
{
	char tmpl[] = "/tmp/maillab-backlog.XXXXXX";
	char *parent = xstrdup(mkdtemp(tmpl)), *root = xasprintf("%s/root", parent);
	const char *to[] = { "wees", NULL };
	struct queue_ops_entry *en = NULL;
	struct timespec t0, t1;
	struct sim_opts o;
	struct world *w;
	struct host *h;
	struct sim *s;
	struct err e;
	unsigned long before, used;
	char *gone, *path, *cmd;
	size_t i, n;
	double secs;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	memset(&o, 0, sizeof(o));
	o.fixed_clock = 1;
	o.start = T0;
	s = sim_open(w, &o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	h = world_host(w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	for (i = 0; i < NMSG; i++) {
		char body[64];

		snprintf(body, sizeof(body), "Subject: %zu\n\nmessage %zu\n", i, i);
		CU_ASSERT_EQUAL_FATAL(sim_sendmail(s, "centos.localdomain", "root", to, body,
						   0, 0, NULL, &e), 0);
	}
	/* pickup takes maildrop/ into incoming/ */
	while ((n = queue_ops_list(h, "maildrop", &en)) > 0) {
		queue_ops_entries_free(&en, n);
		CU_ASSERT_EQUAL_FATAL(sim_step(s), 1);
	}
	n = queue_ops_list(h, "incoming", &en);
	CU_ASSERT_EQUAL_FATAL(n, NMSG);
	/* someone else removes a message the scheduler has seen */
	gone = xstrdup(en[NMSG / 2].id);
	CU_ASSERT_EQUAL(unlink(en[NMSG / 2].path), 0);
	queue_ops_entries_free(&en, n);

	before = sim_queue_listings();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	(void)sim_run_due(s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	used = sim_queue_listings() - before;
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	n = queue_ops_list(h, "incoming", &en);
	CU_ASSERT_EQUAL(n, 0);
	queue_ops_entries_free(&en, n);
	n = queue_ops_list(h, "active", &en);
	CU_ASSERT_EQUAL(n, 0);
	queue_ops_entries_free(&en, n);
	path = host_path(h, "var/mail/wees");
	n = count_lines(path, "From ");
	free(path);
	if (n != NMSG - 1)
		fprintf(stderr, "\n  delivered: got %zu, want %d\n", n, NMSG - 1);
	CU_ASSERT_EQUAL(n, NMSG - 1);
	/* a constant, not one or more per message (NMSG before) */
	if (used > 50)
		fprintf(stderr, "\n  listings for %d messages: got %lu, want <= 50\n",
			NMSG - 1, used);
	CU_ASSERT(used <= 50);
	if (getenv("TEST_SIM_VERBOSE") != NULL)
		fprintf(stderr, "\n  %d messages in %.2f s, %lu listings\n", NMSG - 1, secs, used);
	{
		/* the removed one was never taken for delivery */
		char *log = host_path(h, "var/log/mail.log"), *needle;

		needle = xasprintf("%s: removed", gone);
		n = count_lines(log, "");
		CU_ASSERT(n > 0);
		{
			FILE *fp = fopen(log, "r");
			char line[1024];
			int seen = 0;

			while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
				if (strstr(line, needle) != NULL)
					seen = 1;
			if (fp != NULL)
				fclose(fp);
			CU_ASSERT_EQUAL(seen, 0);
		}
		free(needle);
		free(log);
	}
	free(gone);

	sim_free(&s);
	world_free(&w);
	cmd = xasprintf("rm -rf '%s'", parent);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(root);
	free(parent);
}

void test_sim_backlog_register(void)
{
	CU_pSuite s = CU_add_suite("sim_backlog", NULL, NULL);

	CU_add_test(s, "a backlog of 3,000 (ASan 1,000) drained, bounded listings",
		    test_backlog_drained);
}
