/*
 * The queue listing. See showq.h.
 */
#include "mta/showq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/mail_date.h"
#include "mta/qmgr_message.h"
#include "mta/queue_ops.h"

/* showq's order of queues */
static const char *const showq_queues[] = {
	"incoming", "active", "deferred", "hold", "maildrop", NULL,
};

struct showq_item {
	const char *queue;
	struct qmgr_message m;
	struct queue_ops_log_rec *why;
	size_t nwhy;
};

static const char *reason_for(const struct showq_item *it, const char *rcpt)
{
	size_t i;

	for (i = 0; i < it->nwhy; i++)
		if (it->why[i].recipient != NULL && strcmp(it->why[i].recipient, rcpt) == 0)
			return it->why[i].reason != NULL ? it->why[i].reason : "";
	return "";
}

/* Calls fn for each readable message; corrupt ones are skipped, as
 * showq skips what it cannot read. */
static void each(struct host *h, void (*fn)(void *ctx, struct showq_item *it),
		 void *ctx)
{
	size_t q;

	for (q = 0; showq_queues[q] != NULL; q++) {
		struct queue_ops_entry *e = NULL;
		size_t n = queue_ops_list(h, showq_queues[q], &e), i;

		for (i = 0; i < n; i++) {
			struct showq_item it;
			struct err err;

			memset(&it, 0, sizeof(it));
			it.queue = showq_queues[q];
			if (qmgr_message_load_path(e[i].path, e[i].id, &it.m, &err) == 0
			    || (strcmp(it.queue, "maildrop") == 0 && it.m.sender != NULL)) {
				if (strcmp(it.queue, "maildrop") == 0 && it.m.size == 0) {
					struct stat sb;

					if (stat(e[i].path, &sb) == 0)
						it.m.size = (long)sb.st_size;
				}
				it.nwhy = queue_ops_log_read(h, "defer", e[i].id, &it.why);
				fn(ctx, &it);
				queue_ops_log_free(&it.why, it.nwhy);
			}
			qmgr_message_reset(&it.m);
		}
		queue_ops_entries_free(&e, n);
	}
}

struct compat_ctx {
	struct buf *out;
	unsigned long count;
	unsigned long total;
};

static void compat_one(void *ctx, struct showq_item *it)
{
	struct compat_ctx *c = ctx;
	char id_status[48], date[64];
	const char *saved = "";
	size_t i;

	if (c->count == 0)
		buf_addf(c->out, "%-11s %7s %-20s %s\n", "-Queue ID-", "--Size--",
			 "----Arrival Time----", "-Sender/Recipient-------");
	else
		buf_addc(c->out, '\n');
	snprintf(id_status, sizeof(id_status), "%s%s", it->m.id,
		 strcmp(it->queue, "active") == 0 ? "*"
		 : strcmp(it->queue, "hold") == 0 ? "!" : "");
	mail_date_asctime(it->m.arrival, date, sizeof(date));
	/* "%20.20s" of asctime(): the date without the year, and a blank */
	buf_addf(c->out, "%-11s %7ld %-20.20s %s\n", id_status, it->m.size, date,
		 it->m.sender[0] != '\0' ? it->m.sender : "MAILER-DAEMON");
	for (i = 0; i < it->m.nrcpt; i++) {
		const char *why;

		if (it->m.rcpts[i].done)
			continue;
		why = reason_for(it, it->m.rcpts[i].address);
		if (strcmp(why, saved) != 0) {
			const char *show = why[0] != '\0' ? why : "reason unavailable";
			int pad = 76 - (int)strlen(show);

			buf_addf(c->out, "%*s(%s)\n", pad > 0 ? pad : 0, "", show);
			saved = why;
		}
		buf_addf(c->out, "%-11s %7s %-20s %s\n", "", "", "", it->m.rcpts[i].address);
	}
	c->count++;
	c->total += (unsigned long)it->m.size;
}

void showq_compat(struct host *h, struct buf *out)
{
	struct compat_ctx c = { out, 0, 0 };

	each(h, compat_one, &c);
	if (c.count == 0)
		buf_adds(out, "Mail queue is empty\n");
	else
		buf_addf(out, "\n-- %lu Kbytes in %lu Request%s.\n", c.total / 1024,
			 c.count, c.count == 1 ? "" : "s");
}

static void json_str(struct buf *b, const char *s)
{
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			buf_addf(b, "\\%c", ch);
		else if (ch < 0x20)
			buf_addf(b, "\\u%04x", ch);
		else
			buf_addc(b, (char)ch);
	}
	buf_addc(b, '"');
}

static void json_one(void *ctx, struct showq_item *it)
{
	struct buf *b = ctx;
	size_t i;
	int first = 1;

	buf_adds(b, "{\"queue_name\": ");
	json_str(b, it->queue);
	buf_adds(b, ", \"queue_id\": ");
	json_str(b, it->m.id);
	buf_addf(b, ", \"arrival_time\": %lld, \"message_size\": %ld, "
		    "\"forced_expire\": false, \"sender\": ",
		 (long long)(it->m.arrival / 1000), it->m.size);
	json_str(b, it->m.sender);
	buf_adds(b, ", \"recipients\": [");
	for (i = 0; i < it->m.nrcpt; i++) {
		const char *why;

		if (it->m.rcpts[i].done)
			continue;
		buf_adds(b, first ? "{\"address\": " : ", {\"address\": ");
		json_str(b, it->m.rcpts[i].address);
		why = reason_for(it, it->m.rcpts[i].address);
		if (why[0] != '\0') {
			buf_adds(b, ", \"delay_reason\": ");
			json_str(b, why);
		}
		buf_addc(b, '}');
		first = 0;
	}
	buf_adds(b, "]}\n");
}

void showq_json(struct host *h, struct buf *out)
{
	each(h, json_one, out);
}
