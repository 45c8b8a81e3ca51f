/*
 * maildrop/ -> cleanup -> incoming/. See pickup.h.
 */
#include "mta/pickup.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/xalloc.h"
#include "mta/cleanup.h"
#include "mta/host.h"
#include "mta/passwd.h"
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

/* What cleanup writes itself; a requeued file's own copies are dropped
 * (cleanup_envelope.c: "Use our own ... record instead"). */
static int own_attr(const char *a)
{
	static const char *const own[] = {
		"create_time=", "log_ident=", "rewrite_context=", "uid=", NULL,
	};
	size_t i;

	for (i = 0; own[i] != NULL; i++)
		if (strncmp(a, own[i], strlen(own[i])) == 0)
			return 1;
	return 0;
}

/* One recipient of the maildrop file, with what came before its R. */
struct rcpt {
	const char *addr, *orig, *dsn_orig;
};

/* "sec usec" (REC_TYPE_TIME_FORMAT) in milliseconds. */
static mtime_t time_record(const char *s)
{
	char *end;
	long sec = strtol(s, &end, 10);

	return (mtime_t)sec * 1000 + strtol(end, NULL, 10) / 1000;
}

/* mail_owner's uid (the queue files' owner): pickup's "from userid". */
static int owner_uid(struct host *h)
{
	const char *owner = h->conf != NULL ? conf_get(h->conf, "mail_owner") : NULL;
	const struct passwd_entry *pw = host_user(h, owner != NULL && *owner ? owner : "postfix");

	return pw != NULL ? (int)pw->uid : 0;
}

static int pickup_one(struct host *h, mtime_t now, const char *id, const char *path)
{
	struct qfile q;
	struct buf content;
	struct cleanup_env env;
	struct cleanup_result res;
	struct cleanup *c;
	struct stat st;
	const char *sender = NULL, *fullname = NULL, *orig = NULL, *dsn_orig = NULL;
	const char **attrs = NULL;
	struct rcpt *rcpts = NULL;
	size_t nrcpt = 0, nattrs = 0, i;
	int uid = 0, in_content = 0, ended = 0, requeued, warn_seen = 0;
	long warn_time = 0;
	mtime_t arrival = 0, mtime;
	struct err e;

	if (stat(path, &st) != 0)
		return 0;
	mtime = (mtime_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	/*
	 * pickup.c MAIL_IS_REQUEUED: a file of mail_owner without the
	 * world-read bit is a queue file postsuper -r sent back; postdrop's
	 * files are 0744 (qfile.h).
	 */
	requeued = (st.st_mode & S_IROTH) == 0;
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
		switch (r->type) {
		case QFILE_REC_TIME:
			/* first instance wins (cleanup_envelope.c) */
			if (arrival == 0)
				arrival = time_record(r->data);
			break;
		case QFILE_REC_FROM:
			sender = r->data;
			break;
		case QFILE_REC_FULL:
			fullname = r->data;
			break;
		case QFILE_REC_WARN:
			if (!warn_seen) {
				warn_seen = 1;
				warn_time = strtol(r->data, NULL, 10);
			}
			break;
		case QFILE_REC_ORCP:
			orig = r->data;
			break;
		case QFILE_REC_ATTR:
			if (strncmp(r->data, "uid=", 4) == 0) {
				uid = atoi(r->data + 4);
			} else if (strncmp(r->data, "dsn_orig_rcpt=", 14) == 0) {
				dsn_orig = r->data + 14;
			} else if (!own_attr(r->data)) {
				attrs = xrealloc(attrs, (nattrs + 2) * sizeof(*attrs));
				attrs[nattrs++] = r->data;
				attrs[nattrs] = NULL;
			}
			break;
		case QFILE_REC_RCPT:
			rcpts = xrealloc(rcpts, (nrcpt + 1) * sizeof(*rcpts));
			rcpts[nrcpt].addr = r->data;
			rcpts[nrcpt].orig = orig;
			rcpts[nrcpt].dsn_orig = dsn_orig;
			nrcpt++;
			orig = dsn_orig = NULL;
			break;
		case QFILE_REC_DONE:
			/* delivered already: cleanup drops it */
			orig = dsn_orig = NULL;
			break;
		case QFILE_REC_MESG:
			in_content = 1;
			break;
		case QFILE_REC_END:
			ended = 1;
			break;
		default:
			break;
		}
	}
	if (sender == NULL || nrcpt == 0 || !ended) {
		corrupt(h, now, id, sender == NULL ? "no sender record"
				     : nrcpt == 0 ? "no recipients" : "no end record");
		goto out;
	}
	memset(&env, 0, sizeof(env));
	env.origin = CLEANUP_ORIGIN_PICKUP;
	env.sender = sender;
	env.arrival = arrival > 0 ? arrival : mtime;
	env.received_at = mtime;
	env.uid = requeued ? owner_uid(h) : uid;
	/* From: "root <root@...>": the F record sendmail wrote */
	env.fullname = fullname;
	env.attrs = attrs;
	env.warn_seen = warn_seen;
	env.warn_time = warn_time;
	c = cleanup_open(h, &env, now, &e);
	if (c == NULL) {
		host_log(h, now, PICKUP, "warning: %s", e.text);
		goto out;
	}
	if (requeued)
		host_log(h, now, PICKUP, "%s: uid=%d from=<%s> orig_id=%s", cleanup_id(c),
			 env.uid, sender, id);
	else
		host_log(h, now, PICKUP, "%s: uid=%d from=<%s>", cleanup_id(c), uid, sender);
	for (i = 0; i < nrcpt; i++)
		(void)cleanup_rcpt_orig(c, rcpts[i].addr, rcpts[i].orig, rcpts[i].dsn_orig, &e);
	(void)cleanup_message(c, content.data, content.len, now, &e);
	if (cleanup_close(&c, now, &res, &e) < 0) {
		host_log(h, now, PICKUP, "warning: %s", e.text);
		goto out;
	}
	cleanup_result_reset(&res);
	(void)queue_ops_remove(h, now, PICKUP, "maildrop", id);
out:
	free(rcpts);
	free(attrs);
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
