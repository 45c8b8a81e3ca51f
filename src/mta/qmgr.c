/*
 * The queue manager's work on one message. See qmgr.h.
 */
#include "mta/qmgr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/conf.h"
#include "lib/xalloc.h"
#include "mta/bounce.h"
#include "mta/cleanup.h"
#include "mta/host.h"
#include "mta/local.h"
#include "mta/log_adhoc.h"
#include "mta/qmgr_backoff.h"
#include "mta/qmgr_message.h"
#include "mta/queue_ops.h"
#include "mta/trivial_rewrite.h"

#define QMGR "postfix/qmgr"

struct qmgr_run {
	struct host *h;
	const struct qmgr_hooks *hooks;
	mtime_t now;
	struct qmgr_message m;
	char *active_path;
	struct trivial_rewrite_conf tr;
	struct log_adhoc_times t;
	size_t deferred;
	size_t bounced;
};

static long param_time(struct host *h, const char *name, char unit)
{
	return h->conf != NULL ? conf_get_time(h->conf, name, unit) : 0;
}

static long param_int(struct host *h, const char *name)
{
	return h->conf != NULL ? conf_get_int(h->conf, name) : 0;
}

mtime_t qmgr_due(struct host *h, mtime_t mtime, mtime_t scan_base)
{
	long qrd = param_time(h, "queue_run_delay", 's');

	return qmgr_backoff_scan_at(mtime, scan_base, qrd > 0 ? qrd : 300);
}

void qmgr_recover(struct host *h, mtime_t now)
{
	struct queue_ops_entry *e = NULL;
	size_t n = queue_ops_list(h, "active", &e), i;
	struct err err;

	for (i = 0; i < n; i++)
		(void)queue_ops_move(h, now, QMGR, e[i].id, "active", "incoming", &err);
	queue_ops_entries_free(&e, n);
}

/* One outcome, as the delivery agent reports it and qmgr records it. */
static void record(struct qmgr_run *r, struct qmgr_rcpt *rc, const char *process,
		   const char *to, const char *orig_to, const char *relay,
		   const char *dsn, const char *status, const char *text,
		   const char *mta, const char *diag, int mark_done)
{
	struct queue_ops_log_rec lr;
	struct err e;

	log_adhoc(r->h, r->now, process, r->m.id, to, orig_to, relay, &r->t, dsn,
		  status, text);
	if (strcmp(status, "sent") != 0) {
		memset(&lr, 0, sizeof(lr));
		lr.recipient = (char *)to;
		lr.offset = rc->offset;
		lr.dsn_orig_rcpt = rc->dsn_orig;
		lr.orig_rcpt = (char *)(orig_to != NULL ? orig_to : "");
		lr.status = (char *)dsn;
		lr.action = (char *)(strcmp(status, "deferred") == 0 ? "delayed" : "failed");
		lr.reason = (char *)text;
		lr.mta_name = (char *)(mta != NULL ? mta : "");
		lr.diag_text = (char *)(diag != NULL ? diag : "");
		if (queue_ops_log_append(r->h, strcmp(status, "deferred") == 0 ? "defer"
									      : "bounce",
					 r->m.id, &lr, &e) < 0)
			host_log(r->h, r->now, QMGR, "warning: %s", e.text);
		if (strcmp(status, "deferred") == 0)
			r->deferred++;
		else
			r->bounced++;
	}
	if (mark_done && queue_ops_mark_done(r->active_path, rc->offset, &e) < 0)
		host_log(r->h, r->now, QMGR, "warning: %s", e.text);
}

static int write_fault(void *ctx, const char *user)
{
	struct qmgr_run *r = ctx;

	if (r->hooks->write_fault == NULL)
		return 0;
	return r->hooks->write_fault(r->hooks->net.ctx, r->h, user);
}

/* local(8) forwarding an alias target in another domain: a new message
 * with the same sender and the original content, Delivered-To on top. */
static int forward(void *ctx, const struct local_msg *lm,
		   const char *const *addrs, size_t n, char **qid_out,
		   struct err *e)
{
	struct qmgr_run *r = ctx;
	struct cleanup_result res;
	struct buf content;
	int rc;

	/* queue_id carries the top-level recipient here (see deliver_local) */
	buf_init(&content);
	buf_addf(&content, "Delivered-To: %s\n", lm->queue_id);
	buf_add(&content, lm->content, lm->len);
	rc = cleanup_post(r->h, r->now, lm->sender, addrs, n, content.data,
			  content.len, 0, &res, e);
	buf_reset(&content);
	if (rc == 0)
		*qid_out = xstrdup(res.id);
	cleanup_result_reset(&res);
	return rc;
}

static void deliver_local(struct qmgr_run *r, struct qmgr_rcpt *rc)
{
	struct local_ctx c;
	struct local_msg lm;
	struct local_rcpt lr;
	struct local_outcome *o = NULL;
	size_t n, i;
	int any_deferred = 0;

	memset(&c, 0, sizeof(c));
	c.host = r->h;
	c.tr = &r->tr;
	c.now = r->now;
	c.write_fault = write_fault;
	c.forward = forward;
	c.cb_ctx = r;
	/* The forward callback needs the top-level recipient for its
	 * Delivered-To; the queue ID is not used by local otherwise. */
	lm.queue_id = rc->address;
	lm.sender = r->m.sender;
	lm.content = r->m.content;
	lm.len = r->m.len;
	lr.address = rc->address;
	lr.orig = rc->orig;
	n = local_deliver(&c, &lm, &lr, &o);
	for (i = 0; i < n; i++)
		if (o[i].status == LOCAL_DEFERRED)
			any_deferred = 1;
	for (i = 0; i < n; i++) {
		static const char *const status[] = { "sent", "deferred", "bounced" };

		record(r, rc, "postfix/local", o[i].to, o[i].orig_to, "local", o[i].dsn,
		       status[o[i].status], o[i].text, NULL, NULL,
		       !any_deferred && i == n - 1);
	}
	local_outcomes_free(&o, n);
}

struct smtp_group {
	char *transport;
	char *nexthop;
	size_t *idx;
	size_t n;
};

static void deliver_smtp(struct qmgr_run *r, struct smtp_group *g)
{
	const char **rcpts = xcalloc(g->n, sizeof(*rcpts));
	const char **orcpts = xcalloc(g->n, sizeof(*orcpts));
	struct smtp_deliver_outcome *out = xcalloc(g->n, sizeof(*out));
	struct smtp_deliver_msg msg;
	size_t i;

	for (i = 0; i < g->n; i++) {
		rcpts[i] = r->m.rcpts[g->idx[i]].address;
		orcpts[i] = r->m.rcpts[g->idx[i]].dsn_orig;
	}
	memset(&msg, 0, sizeof(msg));
	msg.queue_id = r->m.id;
	msg.sender = r->m.sender;
	msg.rcpts = rcpts;
	msg.orcpts = orcpts;
	msg.nrcpt = g->n;
	msg.content = r->m.content;
	msg.len = r->m.len;
	msg.size = r->m.size;
	smtp_deliver(r->h, &r->hooks->net, &msg, g->nexthop, r->now, out);
	for (i = 0; i < g->n; i++) {
		static const char *const status[] = { "sent", "deferred", "bounced" };
		struct qmgr_rcpt *rc = &r->m.rcpts[g->idx[i]];
		mtime_t saved = r->t.conn_done;

		r->t.conn_done = out[i].conn_done;
		record(r, rc, "postfix/smtp", rc->address, rc->orig, out[i].relay,
		       out[i].dsn, status[out[i].status], out[i].text, out[i].mta,
		       out[i].status == SMTP_DELIVER_SENT ? NULL : out[i].diag,
		       out[i].status != SMTP_DELIVER_DEFERRED);
		r->t.conn_done = saved;
	}
	smtp_deliver_outcomes_reset(out, g->n);
	free(out);
	free(rcpts);
	free(orcpts);
}

/* A notice to the sender from the defer or bounce log. */
static void notify(struct qmgr_run *r, const char *logq, enum bounce_kind kind)
{
	struct queue_ops_log_rec *lr = NULL;
	size_t n = queue_ops_log_read(r->h, logq, r->m.id, &lr), i;
	struct bounce_rcpt *br;
	struct bounce_in in;
	struct cleanup_result res;
	const char *to[1];
	char *hdr, *body, *content;
	struct err e;

	if (n == 0 || r->m.sender[0] == '\0') {
		/* RFC 3461 section 6.2: no notice about a notice. */
		queue_ops_log_free(&lr, n);
		return;
	}
	br = xcalloc(n, sizeof(*br));
	for (i = 0; i < n; i++) {
		br[i].address = lr[i].recipient;
		br[i].orig = lr[i].orig_rcpt;
		br[i].dsn_orig = lr[i].dsn_orig_rcpt;
		br[i].status = lr[i].status != NULL ? lr[i].status : "5.0.0";
		br[i].reason = lr[i].reason != NULL ? lr[i].reason : "";
		br[i].mta = lr[i].mta_name != NULL && lr[i].mta_name[0] ? lr[i].mta_name : NULL;
		br[i].diag = lr[i].diag_text != NULL && lr[i].diag_text[0] ? lr[i].diag_text : NULL;
	}
	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.myhostname = host_myhostname(r->h);
	in.queue_id = r->m.id;
	in.sender = r->m.sender;
	in.arrival = r->m.arrival;
	in.now = r->now;
	in.rcpts = br;
	in.nrcpt = n;
	in.content = r->m.content;
	in.len = r->m.len;
	in.bounce_size_limit = param_int(r->h, "bounce_size_limit");
	in.delay_warning_time = param_time(r->h, "delay_warning_time", 'h');
	in.maximal_queue_lifetime = param_time(r->h, "maximal_queue_lifetime", 'd');
	bounce_notice(&in, &hdr, &body);
	content = xasprintf("%s\n%s", hdr, body);
	to[0] = r->m.sender;
	if (cleanup_post(r->h, r->now, "", to, 1, content, strlen(content), 1, &res, &e) == 0) {
		host_log(r->h, r->now, "postfix/bounce", "%s: sender %s notification: %s",
			 r->m.id, kind == BOUNCE_DELAY ? "delay" : "non-delivery", res.id);
		/*
		 * bounce(8) runs while qmgr waits for its answer, and qmgr
		 * takes the notice into active/ before it is done with this
		 * message (reference/commands/08-sendmail-bounce.txt: "F17...:
		 * from=<>, ... (queue active)" comes before "E62...:
		 * removed"); it is delivered after that.
		 */
		(void)qmgr_activate(r->h, res.id, r->now);
	} else {
		host_log(r->h, r->now, "postfix/bounce", "warning: %s: %s", r->m.id, e.text);
	}
	cleanup_result_reset(&res);
	free(content);
	free(hdr);
	free(body);
	free(br);
	queue_ops_log_free(&lr, n);
}

static void finish(struct qmgr_run *r)
{
	struct err e;

	if (r->bounced > 0) {
		notify(r, "bounce", BOUNCE_FAILURE);
		queue_ops_log_remove(r->h, "bounce", r->m.id);
	}
	if (r->deferred > 0) {
		long lifetime = param_time(r->h, r->m.sender[0] != '\0'
						 ? "maximal_queue_lifetime"
						 : "bounce_queue_lifetime", 'd');

		if (qmgr_backoff_expired(r->m.create, r->now, lifetime)) {
			host_log(r->h, r->now, QMGR,
				 "%s: from=<%s>, status=expired, returned to sender",
				 r->m.id, r->m.sender);
			notify(r, "defer", BOUNCE_FAILURE);
			queue_ops_remove(r->h, r->now, QMGR, "active", r->m.id);
			host_log(r->h, r->now, QMGR, "%s: removed", r->m.id);
			return;
		}
		/*
		 * qmgr_active.c: the W record cleanup wrote says when; once the
		 * notice is out the record becomes 0 (never again).
		 */
		if (r->m.warn_time > 0 && r->now >= r->m.warn_time - 1000) {
			notify(r, "defer", BOUNCE_DELAY);
			if (queue_ops_clear_warn(r->active_path, r->m.warn_offset, &e) < 0)
				host_log(r->h, r->now, QMGR, "warning: %s", e.text);
		}
		if (queue_ops_move(r->h, r->now, QMGR, r->m.id, "active", "deferred", &e) == 0) {
			char *path = queue_ops_path(r->h, "deferred", r->m.id);
			long delay = qmgr_backoff_delay(r->m.create, r->now,
							param_time(r->h, "minimal_backoff_time", 's'),
							param_time(r->h, "maximal_backoff_time", 's'));

			(void)queue_ops_set_mtime(path, r->now + (mtime_t)delay * 1000);
			free(path);
		} else {
			host_log(r->h, r->now, QMGR, "warning: %s", e.text);
		}
		return;
	}
	queue_ops_remove(r->h, r->now, QMGR, "active", r->m.id);
	host_log(r->h, r->now, QMGR, "%s: removed", r->m.id);
}

static int transport_is(const char *t, const char *name)
{
	return strcmp(t, name) == 0;
}

/* The "(queue active)" line: sender, size, recipients of the file. */
static int log_active(struct host *h, const char *id, mtime_t now)
{
	struct qmgr_message m;
	struct err e;
	int rc = qmgr_message_load(h, "active", id, &m, &e);

	if (rc == 0)
		host_log(h, now, QMGR, "%s: from=<%s>, size=%ld, nrcpt=%zu (queue active)",
			 id, m.sender, m.size, m.nrcpt);
	qmgr_message_reset(&m);
	return rc;
}

int qmgr_activate(struct host *h, const char *id, mtime_t now)
{
	struct err e;

	if (queue_ops_move(h, now, QMGR, id, "incoming", "active", &e) < 0) {
		host_log(h, now, QMGR, "warning: %s", e.text);
		return -1;
	}
	/* a file that cannot be read is set aside when it is delivered */
	(void)log_active(h, id, now);
	return 0;
}

int qmgr_deliver(struct host *h, const struct qmgr_hooks *hooks,
		 const char *queue, const char *id, mtime_t now)
{
	struct qmgr_run r;
	struct smtp_group *groups = NULL;
	size_t ngroups = 0, i, j;
	struct err e;
	char *path = queue_ops_path(h, queue, id);

	if (access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	free(path);
	if (strcmp(queue, "active") != 0
	    && queue_ops_move(h, now, QMGR, id, queue, "active", &e) < 0) {
		host_log(h, now, QMGR, "warning: %s", e.text);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.h = h;
	r.hooks = hooks;
	r.now = now;
	r.active_path = queue_ops_path(h, "active", id);
	/* Each attempt writes its own reasons (mailq shows the last one). */
	queue_ops_log_remove(h, "defer", id);
	if (qmgr_message_load(h, "active", id, &r.m, &e) < 0) {
		host_log(h, now, QMGR, "warning: %s", e.text);
		host_log(h, now, QMGR, "warning: saving corrupt file \"%s\" from queue "
			 "\"%s\" to queue \"%s\"", id, queue, "corrupt");
		if (queue_ops_move(h, now, QMGR, id, "active", "corrupt", &e) < 0)
			host_log(h, now, QMGR, "warning: %s", e.text);
		qmgr_message_reset(&r.m);
		free(r.active_path);
		return 1;
	}
	/* qmgr_activate() logged it already for a message found in active/ */
	if (strcmp(queue, "active") != 0)
		host_log(h, now, QMGR, "%s: from=<%s>, size=%ld, nrcpt=%zu (queue active)",
			 id, r.m.sender, r.m.size, r.m.nrcpt);
	r.t.arrival = r.m.arrival;
	r.t.active = now;
	r.t.handoff = now;
	trivial_rewrite_conf_init(&r.tr);
	trivial_rewrite_conf_load(&r.tr, h);
	r.tr.trace_time = now;	/* each resolve is a step of the demo */

	for (i = 0; i < r.m.nrcpt; i++) {
		struct qmgr_rcpt *rc = &r.m.rcpts[i];
		struct trivial_rewrite_result res;

		if (rc->done)
			continue;
		trivial_rewrite_resolve(&r.tr, rc->address, &res);
		if (res.klass == TRIVIAL_REWRITE_CLASS_ERROR) {
			record(&r, rc, QMGR, rc->address, rc->orig, "none", "4.3.0",
			       "deferred", res.error, NULL, NULL, 0);
		} else if (transport_is(res.transport, "local")) {
			deliver_local(&r, rc);
		} else if (transport_is(res.transport, "error")) {
			record(&r, rc, "postfix/error", rc->address, rc->orig, "none",
			       "5.0.0", "bounced", res.nexthop[0] ? res.nexthop
							       : "mail transport unavailable",
			       NULL, NULL, 1);
		} else if (transport_is(res.transport, "retry")) {
			record(&r, rc, "postfix/retry", rc->address, rc->orig, "none",
			       "4.0.0", "deferred", res.nexthop[0] ? res.nexthop
								: "mail transport unavailable",
			       NULL, NULL, 0);
		} else if (transport_is(res.transport, "discard")) {
			record(&r, rc, "postfix/discard", rc->address, rc->orig, "none",
			       "2.0.0", "sent", res.nexthop[0] ? res.nexthop : "discarded",
			       NULL, NULL, 1);
		} else if (transport_is(res.transport, "smtp") || transport_is(res.transport, "relay")) {
			for (j = 0; j < ngroups; j++)
				if (strcmp(groups[j].nexthop, res.nexthop) == 0
				    && strcmp(groups[j].transport, res.transport) == 0)
					break;
			if (j == ngroups) {
				groups = xrealloc(groups, (ngroups + 1) * sizeof(*groups));
				memset(&groups[j], 0, sizeof(*groups));
				groups[j].transport = xstrdup(res.transport);
				groups[j].nexthop = xstrdup(res.nexthop);
				ngroups++;
			}
			groups[j].idx = xrealloc(groups[j].idx, (groups[j].n + 1) * sizeof(size_t));
			groups[j].idx[groups[j].n++] = i;
		} else {
			/* A transport master.cf does not run. */
			record(&r, rc, QMGR, rc->address, rc->orig, "none", "4.3.0",
			       "deferred", "mail transport unavailable", NULL, NULL, 0);
		}
		trivial_rewrite_result_reset(&res);
	}
	for (j = 0; j < ngroups; j++) {
		deliver_smtp(&r, &groups[j]);
		free(groups[j].transport);
		free(groups[j].nexthop);
		free(groups[j].idx);
	}
	free(groups);
	finish(&r);
	trivial_rewrite_conf_reset(&r.tr);
	qmgr_message_reset(&r.m);
	free(r.active_path);
	return 1;
}
