/*
 * maildrop/ -> cleanup -> incoming/. See pickup.h.
 */
#include "mta/pickup.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/cleanup.h"
#include "mta/host.h"
#include "mta/qfile.h"
#include "mta/queue_ops.h"

#define PICKUP "postfix/pickup"

static void corrupt(struct host *h, mtime_t now, const char *id, const char *why)
{
	struct err e;

	host_log(h, now, PICKUP, "warning: maildrop/%s: %s", id, why);
	if (queue_ops_move(h, now, PICKUP, id, "maildrop", "corrupt", &e) < 0)
		host_log(h, now, PICKUP, "warning: %s", e.text);
}

static int pickup_one(struct host *h, mtime_t now, const char *id, const char *path)
{
	struct qfile q;
	struct buf content;
	struct cleanup_env env;
	struct cleanup_result res;
	struct cleanup *c;
	const char *sender = NULL, *fullname = NULL;
	const char **rcpts = NULL;
	size_t nrcpt = 0, i;
	int uid = 0, in_content = 0, ended = 0;
	struct err e;

	qfile_init(&q);
	if (qfile_read(path, &q, &e) < 0) {
		corrupt(h, now, id, e.text);
		qfile_reset(&q);
		return 0;
	}
	buf_init(&content);
	buf_adds(&content, "");
	for (i = 0; i < q.n; i++) {
		const struct qfile_rec *r = &q.recs[i];

		if (in_content) {
			if (r->type == QFILE_REC_NORM) {
				buf_add(&content, r->data, r->len);
				buf_addc(&content, '\n');
			} else if (r->type == QFILE_REC_CONT) {
				buf_add(&content, r->data, r->len);
			} else if (r->type == QFILE_REC_XTRA) {
				in_content = 0;
			}
			continue;
		}
		if (r->type == QFILE_REC_FROM)
			sender = r->data;
		else if (r->type == QFILE_REC_RCPT) {
			rcpts = xrealloc(rcpts, (nrcpt + 1) * sizeof(*rcpts));
			rcpts[nrcpt++] = r->data;
		} else if (r->type == QFILE_REC_ATTR && strncmp(r->data, "uid=", 4) == 0)
			uid = atoi(r->data + 4);
		else if (r->type == QFILE_REC_FULL)
			fullname = r->data;
		else if (r->type == QFILE_REC_MESG)
			in_content = 1;
		else if (r->type == QFILE_REC_END)
			ended = 1;
	}
	if (sender == NULL || nrcpt == 0 || !ended) {
		corrupt(h, now, id, sender == NULL ? "no sender record"
				     : nrcpt == 0 ? "no recipients" : "no end record");
		goto out;
	}
	memset(&env, 0, sizeof(env));
	env.origin = CLEANUP_ORIGIN_PICKUP;
	env.sender = sender;
	env.arrival = now;
	env.uid = uid;
	/* From: "root <root@...>": the F record sendmail wrote */
	env.fullname = fullname;
	c = cleanup_open(h, &env, now, &e);
	if (c == NULL) {
		host_log(h, now, PICKUP, "warning: %s", e.text);
		goto out;
	}
	host_log(h, now, PICKUP, "%s: uid=%d from=<%s>", cleanup_id(c), uid, sender);
	for (i = 0; i < nrcpt; i++)
		(void)cleanup_rcpt(c, rcpts[i], &e);
	(void)cleanup_message(c, content.data, content.len, now, &e);
	if (cleanup_close(&c, now, &res, &e) < 0) {
		host_log(h, now, PICKUP, "warning: %s", e.text);
		goto out;
	}
	cleanup_result_reset(&res);
	(void)queue_ops_remove(h, now, PICKUP, "maildrop", id);
out:
	free(rcpts);
	buf_reset(&content);
	qfile_reset(&q);
	return 1;
}

int pickup_run(struct host *h, mtime_t now)
{
	struct queue_ops_entry *e = NULL;
	size_t n = queue_ops_list(h, "maildrop", &e), i;
	int done = 0;

	for (i = 0; i < n; i++)
		done += pickup_one(h, now, e[i].id, e[i].path);
	queue_ops_entries_free(&e, n);
	return done;
}
