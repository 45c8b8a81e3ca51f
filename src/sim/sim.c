/*
 * The world run: hosts, their queue locks, the clock, the scheduler of
 * pickup and qmgr jobs, the virtual network (DNS, connections, faults)
 * and MUA submissions. See sim.h.
 */
#include "sim/sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/passwd.h"
#include "mta/pickup.h"
#include "mta/postdrop.h"
#include "mta/qfile_id.h"
#include "mta/qmgr.h"
#include "mta/queue_ops.h"
#include "mta/smtp_deliver.h"
#include "mta/smtp_server.h"
#include "sim/clock_store.h"
#include "sim/fault.h"
#include "sim/sim_queue.h"
#include "sim/world.h"
#include "smtp/smtpc.h"

/* master.cf's pickup wakeup time: maildrop is looked at once a minute
 * unless postdrop wakes pickup at once. */
#define SIM_PICKUP_WAKEUP_MS 60000

enum sim_job_kind {
	SIM_JOB_NONE,
	SIM_JOB_PICKUP,
	SIM_JOB_ACTIVE,		/* a notice qmgr took in while busy (qmgr_activate) */
	SIM_JOB_INCOMING,
	SIM_JOB_DEFERRED,
};

struct sim_host {
	struct host *h;
	int lock_fd;		/* -1 when another process owns the queue */
	struct trace_sink saved;
	/* the queues the scheduler looks at (owned hosts only) */
	struct sim_queue *maildrop, *active, *incoming, *deferred;
};

struct sim {
	struct world *w;
	struct sim_opts opts;
	mtime_t offset;		/* lab clock */
	mtime_t fixed_now;	/* fixed clock */
	int clock_dirty;
	struct sim_host *hosts;
	size_t nhosts;
	struct fault_set faults;
	struct qmgr_hooks hooks;
	int counter_was;	/* qfile_id_use_counter() before sim_open */
	struct sim_queue_set *queues;
};

struct world *sim_world(struct sim *s)
{
	return s->w;
}

mtime_t sim_now(const struct sim *s)
{
	return s->opts.fixed_clock ? s->fixed_now : clock_real_now() + s->offset;
}

/* Moves the clock so that now == t (never backwards). */
static void set_now(struct sim *s, mtime_t t)
{
	if (t <= sim_now(s))
		return;
	if (s->opts.fixed_clock) {
		s->fixed_now = t;
	} else {
		s->offset = t - clock_real_now();
		s->clock_dirty = 1;
	}
}

static struct sim_host *find_host(struct sim *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nhosts; i++)
		if (strcasecmp(s->hosts[i].h->name, name) == 0)
			return &s->hosts[i];
	return NULL;
}

int sim_owns_host(const struct sim *s, const char *host)
{
	size_t i;

	for (i = 0; i < s->nhosts; i++)
		if (strcasecmp(s->hosts[i].h->name, host) == 0)
			return s->hosts[i].lock_fd >= 0;
	return 0;
}

/* ---- the virtual network ------------------------------------------- */

static int net_mx(void *ctx, const char *domain, char **names_out,
		  int *prefs_out, size_t max)
{
	struct sim *s = ctx;
	const struct world_dns *rr[16], *tmp;
	size_t n, i, j, nout = 0;

	if (fault_on(&s->faults, "no-mx", domain))
		return -2;
	n = world_dns_lookup(s->w, domain, "MX", rr, ARRAY_LEN(rr));
	/* best preference first; equal ones keep their file order */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && rr[j]->pref < rr[j - 1]->pref; j--) {
			tmp = rr[j];
			rr[j] = rr[j - 1];
			rr[j - 1] = tmp;
		}
	for (i = 0; i < n && nout < max; i++) {
		prefs_out[nout] = rr[i]->pref;
		names_out[nout++] = xstrdup(rr[i]->value);
	}
	if (nout == 0) {
		const struct world_dns *a[1];

		/* No MX: Postfix uses the domain's own address; a name with
		 * no records at all does not exist. */
		if (world_dns_lookup(s->w, domain, "A", a, 1) == 0
		    && world_dns_lookup(s->w, domain, "AAAA", a, 1) == 0
		    && world_hostdef(s->w, domain) == NULL)
			return -1;
	}
	return (int)nout;
}

static int net_addr(void *ctx, const char *name, char **addr_out)
{
	struct sim *s = ctx;
	const struct world_dns *rr[1];
	const struct world_hostdef *d;

	*addr_out = NULL;
	if (world_dns_lookup(s->w, name, "A", rr, 1) == 1) {
		*addr_out = xstrdup(rr[0]->value);
		return 1;
	}
	d = world_hostdef(s->w, name);
	if (d != NULL && d->addr != NULL) {
		*addr_out = xstrdup(d->addr);
		return 1;
	}
	return 0;
}

static struct host *host_at(struct sim *s, const char *addr)
{
	size_t i;

	for (i = 0; i < s->w->nhosts; i++) {
		const struct world_hostdef *d = &s->w->hostdefs[i];

		if (d->addr != NULL && strcmp(d->addr, addr) == 0) {
			struct sim_host *sh = find_host(s, d->name);

			return sh != NULL ? sh->h : NULL;
		}
	}
	return NULL;
}

/* A next hop that is no lab host: the driver's real network. */
static int net_real(void *ctx, struct host *h, const char *name,
		    const char *addr, int port, struct smtpc *c,
		    char *why_out, size_t why_len)
{
	struct sim *s = ctx;

	if (host_at(s, addr) != NULL || s->opts.real_smtp == NULL) {
		/* a lab host that refused (down, not port 25) stays refused */
		snprintf(why_out, why_len, "Connection refused");
		return -1;
	}
	return s->opts.real_smtp(s->opts.real_ctx, h, name, addr, port, c,
				 why_out, why_len);
}

static struct host *net_connect(void *ctx, const char *addr, int port)
{
	struct sim *s = ctx;
	struct host *h = host_at(s, addr);

	if (h == NULL || port != 25 || fault_on(&s->faults, "down", h->name))
		return NULL;
	return h;
}

static int net_write_fault(void *ctx, struct host *h, const char *user)
{
	struct sim *s = ctx;
	char *key = xasprintf("%s@%s", user, h->name);
	int rc = 0;

	if (fault_on(&s->faults, "disk-full", h->name))
		rc = ENOSPC;
	else if (fault_on(&s->faults, "mailbox-full", key))
		rc = EFBIG;
	free(key);
	return rc;
}

/* ---- open, close ----------------------------------------------------- */

static int take_lock(struct host *h)
{
	char *dir = host_path(h, "var/spool/postfix/pid");
	char *path = host_path(h, "var/spool/postfix/pid/master.pid");
	struct flock fl;
	int fd;

	(void)mkdir(dir, 0755);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	free(dir);
	free(path);
	if (fd < 0)
		return -1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		close(fd);
		return -1;
	}
	/* master.pid holds the PID, right-aligned in 10 columns, as Postfix's */
	if (ftruncate(fd, 0) == 0) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%10d\n", (int)getpid());

		if (pwrite(fd, buf, (size_t)n, 0) != n) {
			/* the lock is what matters */
		}
	}
	return fd;
}

struct sim *sim_open(struct world *w, const struct sim_opts *opts,
		     struct err *e)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	size_t i;

	s->w = w;
	if (opts != NULL)
		s->opts = *opts;
	s->fixed_now = s->opts.start;
	/* On the fixed clock queue IDs come from each host's counter, not
	 * from inodes: the same run gives the same IDs (qfile_id.h). */
	s->counter_was = qfile_id_use_counter(s->opts.fixed_clock);
	fault_set_init(&s->faults);
	if (!s->opts.fixed_clock && clock_store_load(w->root, &s->offset, e) < 0)
		goto fail;
	if (fault_load(&s->faults, w->root, e) < 0)
		goto fail;
	s->hooks.net.ctx = s;
	s->hooks.net.mx = net_mx;
	s->hooks.net.addr = net_addr;
	s->hooks.net.connect = net_connect;
	if (s->opts.real_smtp != NULL)
		s->hooks.net.real = net_real;
	s->hooks.write_fault = net_write_fault;
	s->hosts = xcalloc(w->nhosts + 1, sizeof(*s->hosts));
	s->queues = sim_queue_set_new();
	for (i = 0; i < w->nhosts; i++) {
		struct host *h = world_host(w, w->hosts[i], e);

		if (h == NULL)
			goto fail;
		s->hosts[s->nhosts].h = h;
		s->hosts[s->nhosts].saved = h->trace;
		if (s->opts.trace.emit != NULL)
			h->trace = s->opts.trace;
		s->hosts[s->nhosts].lock_fd = take_lock(h);
		s->nhosts++;
		if (s->hosts[s->nhosts - 1].lock_fd >= 0) {
			struct sim_host *sh = &s->hosts[s->nhosts - 1];

			qmgr_recover(h, sim_now(s));
			sh->maildrop = sim_queue_add(s->queues, h, "maildrop");
			sh->active = sim_queue_add(s->queues, h, "active");
			sh->incoming = sim_queue_add(s->queues, h, "incoming");
			sh->deferred = sim_queue_add(s->queues, h, "deferred");
		}
	}
	return s;
fail:
	sim_free(&s);
	return NULL;
}

void sim_free(struct sim **sp)
{
	struct sim *s = *sp;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nhosts; i++) {
		s->hosts[i].h->trace = s->hosts[i].saved;
		if (s->hosts[i].lock_fd >= 0)
			close(s->hosts[i].lock_fd);
	}
	if (s->clock_dirty && !s->opts.fixed_clock && !s->opts.no_save_clock) {
		struct err e;

		(void)clock_store_save(s->w->root, s->offset, &e);
	}
	sim_queue_set_free(&s->queues);
	free(s->hosts);
	fault_set_reset(&s->faults);
	(void)qfile_id_use_counter(s->counter_was);
	free(s);
	*sp = NULL;
}

/* ---- the scheduler ------------------------------------------------ */

struct sim_job {
	enum sim_job_kind kind;
	struct sim_host *sh;
	char id[32];
	mtime_t due;
};

/*
 * The first job of one host, or kind NONE: pickup when maildrop/ has a
 * file and pickup is due, else the first of active/, else the first of
 * incoming/, else the deferred message due first (unless pickup is due
 * before it). The views are kept by inotify (sim_queue.h), so this costs
 * a stat() of each head it looks at, not a listing of every queue.
 */
static void host_next_job(struct sim *s, struct sim_host *sh, struct sim_job *j)
{
	const struct queue_ops_entry *e;

	j->kind = SIM_JOB_NONE;
	j->sh = sh;
	if (sh->lock_fd < 0)
		return;
	e = sim_queue_head(sh->maildrop);
	if (e != NULL) {
		mtime_t due = postdrop_triggered(sh->h, 0) ? 0 : e->mtime + SIM_PICKUP_WAKEUP_MS;

		j->kind = SIM_JOB_PICKUP;
		j->due = due;
	}
	if (j->kind != SIM_JOB_NONE && j->due <= sim_now(s))
		return;
	e = sim_queue_head(sh->active);
	if (e != NULL) {
		j->kind = SIM_JOB_ACTIVE;
		j->due = 0;
		snprintf(j->id, sizeof(j->id), "%s", e->id);
		return;
	}
	e = sim_queue_head(sh->incoming);
	if (e != NULL) {
		j->kind = SIM_JOB_INCOMING;
		j->due = 0;
		snprintf(j->id, sizeof(j->id), "%s", e->id);
		return;
	}
	/* Entries are sorted by mtime and qmgr_due() never decreases with
	 * the mtime (a scan at the next multiple of queue_run_delay): the
	 * first entry is the earliest due, and the first of any tie. */
	e = sim_queue_head(sh->deferred);
	if (e != NULL) {
		mtime_t due = qmgr_due(sh->h, e->mtime, 0);

		if (j->kind == SIM_JOB_NONE || due < j->due) {
			j->kind = SIM_JOB_DEFERRED;
			j->due = due;
			snprintf(j->id, sizeof(j->id), "%s", e->id);
		}
	}
}

static void next_job(struct sim *s, struct sim_job *best)
{
	size_t i;

	best->kind = SIM_JOB_NONE;
	sim_queue_set_sync(s->queues);
	for (i = 0; i < s->nhosts; i++) {
		struct sim_job j;

		host_next_job(s, &s->hosts[i], &j);
		if (j.kind != SIM_JOB_NONE && (best->kind == SIM_JOB_NONE || j.due < best->due))
			*best = j;
	}
}

mtime_t sim_next_due(struct sim *s)
{
	struct sim_job j;

	next_job(s, &j);
	return j.kind == SIM_JOB_NONE ? -1 : j.due;
}

static void run_job(struct sim *s, struct sim_job *j)
{
	mtime_t now = sim_now(s);

	switch (j->kind) {
	case SIM_JOB_PICKUP:
		(void)postdrop_triggered(j->sh->h, 1);
		(void)pickup_run(j->sh->h, now);
		break;
	case SIM_JOB_ACTIVE:
		(void)qmgr_deliver(j->sh->h, &s->hooks, "active", j->id, now);
		break;
	case SIM_JOB_INCOMING:
		(void)qmgr_deliver(j->sh->h, &s->hooks, "incoming", j->id, now);
		break;
	case SIM_JOB_DEFERRED:
		(void)qmgr_deliver(j->sh->h, &s->hooks, "deferred", j->id, now);
		break;
	case SIM_JOB_NONE:
		break;
	}
}

int sim_step(struct sim *s)
{
	struct sim_job j;

	next_job(s, &j);
	if (j.kind == SIM_JOB_NONE || j.due > sim_now(s))
		return 0;
	run_job(s, &j);
	return 1;
}

int sim_run_due(struct sim *s)
{
	int n = 0;

	/* A bound keeps a misbehaving queue (a file that cannot be moved)
	 * from spinning forever. */
	while (n < 100000 && sim_step(s))
		n++;
	return n;
}

int sim_run_until(struct sim *s, mtime_t t)
{
	int n = 0;

	for (;;) {
		struct sim_job j;

		next_job(s, &j);
		if (j.kind == SIM_JOB_NONE || j.due > t || n >= 1000000)
			break;
		if (j.due > sim_now(s))
			set_now(s, j.due);
		run_job(s, &j);
		n++;
	}
	set_now(s, t);
	return n + sim_run_due(s);
}

int sim_advance(struct sim *s, mtime_t ms)
{
	return sim_run_until(s, sim_now(s) + ms);
}

int sim_poll(struct sim *s)
{
	return sim_run_due(s);
}

int sim_up_to_date(struct world *w, struct err *e)
{
	struct sim *s = sim_open(w, NULL, e);

	if (s == NULL)
		return -1;
	(void)sim_run_due(s);
	sim_free(&s);
	return 0;
}

/* ---- submissions ------------------------------------------------- */

int sim_submit(struct sim *s, const struct sim_mua_msg *m,
	       struct sim_result *res, struct err *e)
{
	struct sim_host *sh = find_host(s, m->host);
	struct smtp_server_opts so;
	struct smtp_server *srv;
	struct smtpc_conf cc;
	struct smtpc_msg cm;
	struct smtpc *c;
	const char *addr;
	char *peer;
	size_t n = 0, i;
	const char *qid;

	memset(res, 0, sizeof(*res));
	if (sh == NULL)
		return err_set(e, 0, _("no host %s in this world"), m->host);
	addr = host_addr(sh->h) != NULL ? host_addr(sh->h) : "127.0.0.1";
	if (fault_on(&s->faults, "down", sh->h->name))
		return err_set(e, ECONNREFUSED, "connect to %s[%s]:25: Connection refused",
			       sh->h->name, addr);
	while (m->to[n] != NULL)
		n++;
	memset(&so, 0, sizeof(so));
	so.client_addr = m->client_addr != NULL ? m->client_addr : "127.0.0.1";
	so.client_name = m->client_name != NULL ? m->client_name : "localhost";
	so.service = m->service;
	so.tls_possible = 1;
	srv = smtp_server_new(sh->h, &so, sim_now(s));
	if (srv == NULL)
		return err_set(e, ECONNREFUSED, "connect to %s[%s]:25: Connection refused",
			       sh->h->name, addr);
	memset(&cc, 0, sizeof(cc));
	cc.helo_name = m->helo != NULL ? m->helo : so.client_name;
	memset(&cm, 0, sizeof(cm));
	cm.sender = m->from;
	cm.rcpts = m->to;
	cm.nrcpt = n;
	cm.data = m->data;
	cm.len = strlen(m->data);
	cm.size = -1;
	c = smtpc_new(&cc, &cm, sim_now(s));
	peer = xasprintf("%s[%s]", sh->h->name, addr);
	smtp_deliver_session(&s->opts.trace, so.client_name, "MUA", peer, c, srv,
			     sim_now(s));
	for (i = 0; i < n; i++) {
		const struct smtpc_status *st = smtpc_rcpt_status(c, i);

		if (st->why == SMTPC_WHY_REPLY && st->code >= 200 && st->code < 300)
			res->accepted = 1;
		if (st->text != NULL && st->text[0] != '\0')
			snprintf(res->reply, sizeof(res->reply), "%s", st->text);
	}
	qid = smtp_server_last_queue_id(srv);
	if (res->accepted && qid != NULL)
		snprintf(res->queue_id, sizeof(res->queue_id), "%s", qid);
	free(peer);
	smtpc_free(&c);
	smtp_server_free(&srv);
	return 0;
}

int sim_sendmail(struct sim *s, const char *host, const char *from,
		 const char *const *to, const char *data, int uid,
		 int extract_rcpts, char **qid_out, struct err *e)
{
	struct sim_host *sh = find_host(s, host);
	char id[32];
	size_t n = 0;

	(void)extract_rcpts;	/* the caller extracts (cmd_sendmail) */
	if (qid_out != NULL)
		*qid_out = NULL;
	if (sh == NULL)
		return err_set(e, 0, _("no host %s in this world"), host);
	while (to != NULL && to[n] != NULL)
		n++;
	{
		/* sendmail's fullname(): the submitting user's gecos */
		const struct passwd_entry *pw = uid == 0 ? host_user(sh->h, "root") : NULL;
		const char *full = pw != NULL && pw->gecos != NULL ? pw->gecos : NULL;

		if (postdrop(sh->h, sim_now(s), uid, from != NULL ? from : "root", full, to, n,
			     data, strlen(data), id, e) < 0)
			return -1;
	}
	postdrop_trigger(sh->h);
	if (qid_out != NULL)
		*qid_out = xstrdup(id);
	return 0;
}

/* ---- faults ------------------------------------------------------ */

static const struct {
	const char *word;	/* what the learner types */
	const char *kind;	/* what is stored */
	int on;
	int target;		/* 0 host, 1 domain, 2 user@host, 3 none */
} fault_words[] = {
	{ "down", "down", 1, 0 }, { "up", "down", 0, 0 },
	{ "no-mx", "no-mx", 1, 1 }, { "mx", "no-mx", 0, 1 },
	{ "disk-full", "disk-full", 1, 0 }, { "disk-ok", "disk-full", 0, 0 },
	{ "mailbox-full", "mailbox-full", 1, 2 }, { "mailbox-ok", "mailbox-full", 0, 2 },
	{ "clear", NULL, 0, 3 },
};

int sim_fault(struct sim *s, const char *target, const char *what,
	      struct err *e)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(fault_words); i++)
		if (strcmp(fault_words[i].word, what) == 0)
			break;
	if (i == ARRAY_LEN(fault_words))
		return err_set(e, 0, _("unknown fault \"%s\" (down, up, no-mx, mx, "
				       "disk-full, disk-ok, mailbox-full, mailbox-ok, clear)"),
			       what);
	if (fault_words[i].kind == NULL) {
		fault_set_reset(&s->faults);
		return fault_save(&s->faults, s->w->root, e);
	}
	if (fault_words[i].target == 0 && find_host(s, target) == NULL)
		return err_set(e, 0, _("no host %s in this world"), target);
	if (fault_words[i].target == 2) {
		const char *at = strchr(target, '@');

		if (at == NULL || find_host(s, at + 1) == NULL)
			return err_set(e, 0, _("%s: give USER@HOST of this world"), target);
	}
	if (fault_words[i].on)
		fault_add(&s->faults, fault_words[i].kind, target);
	else
		fault_remove(&s->faults, fault_words[i].kind, target);
	return fault_save(&s->faults, s->w->root, e);
}

int sim_host_down(struct sim *s, const char *host)
{
	return fault_on(&s->faults, "down", host);
}

void sim_fault_list(struct sim *s,
		    void (*fn)(void *ctx, const char *target, const char *what),
		    void *ctx)
{
	size_t i;

	for (i = 0; i < s->faults.n; i++)
		fn(ctx, s->faults.v[i].target, s->faults.v[i].kind);
}
