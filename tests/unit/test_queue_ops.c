/*
 * CUnit suite for the queue directories (src/mta/queue_ops.c), the queue
 * file as qmgr reads it (qmgr_message.c) and internal submissions
 * (cleanup_post()): a round trip through cleanup_post -> load -> mark done ->
 * load, the hashed deferred/ path, and the defer log.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/cleanup.h"
#include "mta/qmgr_message.h"
#include "mta/queue_ops.h"
#include "sim/world.h"

void test_queue_ops_register(void);

static void test_round_trip(void)
{
	char tmpl[] = "/tmp/maillab-queue.XXXXXX";
	char *parent = xstrdup(mkdtemp(tmpl));
	char *root = xasprintf("%s/root", parent), *cmd, *path;
	const char *rcpts[] = { "wees@centos.localdomain", "bob@centos.localdomain" };
	struct cleanup_result res;
	const char *content = "Subject: x\n\nline 1\n.line 2\n";
	struct qmgr_message m;
	struct queue_ops_log_rec lr, *got = NULL;
	struct world *w;
	struct host *h;
	struct err e;
	char id[32];
	long size = 0;
	size_t n;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = world_host(w, NULL, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL_FATAL(cleanup_post(h, 1795903239000LL, "root@centos.localdomain",
					   rcpts, 2, content, strlen(content), 0, &res, &e), 0);
	snprintf(id, sizeof(id), "%s", res.id);
	size = res.size;
	cleanup_result_reset(&res);
	CU_ASSERT_STRING_EQUAL(queue_ops_find(h, id), "incoming");

	CU_ASSERT_EQUAL_FATAL(qmgr_message_load(h, "incoming", id, &m, &e), 0);
	CU_ASSERT_STRING_EQUAL(m.sender, "root@centos.localdomain");
	CU_ASSERT_EQUAL(m.nrcpt, 2);
	CU_ASSERT_EQUAL(m.ndone, 0);
	CU_ASSERT_EQUAL(m.arrival, 1795903239000LL);
	CU_ASSERT_EQUAL(m.size, size);
	/* the content comes back with the Message-Id cleanup added */
	CU_ASSERT_PTR_NOT_NULL(strstr(m.content, "Subject: x\nMessage-Id: <20261128220039."));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.content, "\n\nline 1\n.line 2\n"));
	path = queue_ops_path(h, "incoming", id);
	CU_ASSERT_EQUAL(queue_ops_mark_done(path, m.rcpts[0].offset, &e), 0);
	qmgr_message_reset(&m);
	CU_ASSERT_EQUAL(qmgr_message_load(h, "incoming", id, &m, &e), 0);
	CU_ASSERT_EQUAL(m.ndone, 1);
	CU_ASSERT(m.rcpts[0].done);
	CU_ASSERT_FALSE(m.rcpts[1].done);
	/* an offset that is not a recipient record is refused */
	CU_ASSERT_EQUAL(queue_ops_mark_done(path, 0, &e), -1);

	/* deferred/ is hashed by the first character of the ID */
	CU_ASSERT_EQUAL(queue_ops_move(h, 0, "postfix/qmgr", id, "incoming", "deferred", &e), 0);
	free(path);
	path = queue_ops_path(h, "deferred", id);
	CU_ASSERT_EQUAL(access(path, F_OK), 0);
	{
		char *rel = queue_ops_relpath("deferred", id);
		char want[64];

		snprintf(want, sizeof(want), "deferred/%c/%s", id[0], id);
		CU_ASSERT_STRING_EQUAL(rel, want);
		free(rel);
	}
	CU_ASSERT_STRING_EQUAL(queue_ops_find(h, id), "deferred");

	/* the defer log round trip */
	memset(&lr, 0, sizeof(lr));
	lr.recipient = (char *)"bob@centos.localdomain";
	lr.offset = m.rcpts[1].offset;
	lr.orig_rcpt = (char *)"bob";
	lr.status = (char *)"4.4.1";
	lr.action = (char *)"delayed";
	lr.reason = (char *)"connect to 127.0.0.1[127.0.0.1]:2: Connection refused";
	CU_ASSERT_EQUAL(queue_ops_log_append(h, "defer", id, &lr, &e), 0);
	n = queue_ops_log_read(h, "defer", id, &got);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_STRING_EQUAL(got[0].recipient, "bob@centos.localdomain");
	CU_ASSERT_STRING_EQUAL(got[0].reason, lr.reason);
	CU_ASSERT_STRING_EQUAL(got[0].status, "4.4.1");
	CU_ASSERT_EQUAL(got[0].offset, lr.offset);
	queue_ops_log_free(&got, n);
	CU_ASSERT_EQUAL(queue_ops_remove(h, 0, "postfix/postsuper", "deferred", id), 0);
	CU_ASSERT_PTR_NULL(queue_ops_find(h, id));
	CU_ASSERT_EQUAL(queue_ops_log_read(h, "defer", id, &got), 0);
	CU_ASSERT_FALSE(queue_ops_valid_id("../x"));

	qmgr_message_reset(&m);
	free(path);
	world_free(&w);
	cmd = xasprintf("rm -rf '%s'", parent);
	CU_ASSERT_EQUAL(system(cmd), 0);
	free(cmd);
	free(root);
	free(parent);
}

void test_queue_ops_register(void)
{
	CU_pSuite s = CU_add_suite("queue_ops", NULL, NULL);

	CU_add_test(s, "queue file round trip, hashed deferred, defer log", test_round_trip);
}
