#include "ui/live.h"

#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "net/evloop.h"
#include "sim/world.h"
#include "ui/flow.h"
#include "ui/flow_state.h"
#include "ui/jsonl.h"
#include "ui/tui.h"
#include "ui/tui_draw.h"

/* How often the trace file is read and the keys looked at: quick enough
 * that a line typed in telnet seems to appear at once. */
#define TICK_MS		50
/* The speed a burst of steps (a script's whole session) is played at
 * while following: 250 ms a step (tui_draw.c's table). */
#define LIVE_SPEED	4
/* Wake-ups of stdin with no key: the terminal is gone; stop watching it
 * (the tick still reads keys). */
#define STDIN_IDLE_MAX	64

struct live {
	struct flow *f;
	struct tui t;
	const char *lang;
	int tui_on;		/* tui_init done */
	int term_failed;	/* the picture could not start */
	struct evloop *loop;
	/* the trace being followed */
	int trace_fd;
	char *trace_path;	/* what the listener opens (owned) */
	struct buf pending;	/* the start of a line not yet complete */
	/* the listener's announcements */
	FILE *announce;
	struct buf ann;		/* the start of a line not yet complete */
	char **lines;		/* complete "listening: ..." lines */
	size_t nlines;
	char *status;		/* row 1 of the picture */
	char *waiting;		/* the protocol pane before any client */
	/* stderr while curses is up */
	int saved_stderr;
	int err_fd;
	struct flow_state seed;	/* the mailboxes when the listener started */
	mtime_t last_step;
	int quitting;
	int stdin_idle;
};

/* ---- the listener's announcements ---- */

/* "listening: smtp 127.0.0.1:10025 (real port 25) for centos.localdomain"
 * -> service "smtp", addr "127.0.0.1", port 10025; 0 if not such a line
 * or an IPv6 one (the IPv4 twin says the same). */
static int parse_listening(const char *line, char *service, size_t sn,
			   char *addr, size_t an, int *port)
{
	const char *p;
	size_t k;

	if (strncmp(line, "listening: ", 11) != 0)
		return 0;
	p = line + 11;
	k = strcspn(p, " ");
	if (k == 0 || k >= sn || p[k] != ' ')
		return 0;
	memcpy(service, p, k);
	service[k] = '\0';
	p += k + 1;
	if (*p == '[')
		return 0;
	k = strcspn(p, ":");
	if (k == 0 || k >= an || p[k] != ':')
		return 0;
	memcpy(addr, p, k);
	addr[k] = '\0';
	*port = atoi(p + k + 1);
	return *port > 0;
}

/* The status line and the waiting text from the lines so far. */
static void build_status(struct live *lv)
{
	struct buf st, wt;
	char last_addr[64] = "", telnet[128] = "";
	size_t i;

	buf_init(&st);
	buf_init(&wt);
	buf_adds(&st, _("listening:"));
	for (i = 0; i < lv->nlines; i++) {
		char service[64], addr[64];
		int port;

		if (!parse_listening(lv->lines[i], service, sizeof(service), addr,
				     sizeof(addr), &port))
			continue;
		if (strcmp(addr, last_addr) != 0) {
			buf_addf(&st, "%s %s", strcmp(last_addr, "") ? " |" : "", addr);
			snprintf(last_addr, sizeof(last_addr), "%s", addr);
		}
		buf_addf(&st, " %s:%d", service, port);
		if (telnet[0] == '\0' && strcmp(service, "smtp") == 0)
			snprintf(telnet, sizeof(telnet), "  telnet %s %d", addr, port);
	}
	buf_adds(&wt, _("Waiting for a client. Connect one from another terminal or machine, e.g.:"));
	buf_addc(&wt, '\n');
	if (telnet[0] != '\0') {
		buf_adds(&wt, telnet);
		buf_addc(&wt, '\n');
	}
	for (i = 0; i < lv->nlines; i++)
		if (strncmp(lv->lines[i], "listening: ", 11) == 0 &&
		    strstr(lv->lines[i], " [") == NULL)
			buf_addf(&wt, "%s\n", lv->lines[i]);
	free(lv->status);
	free(lv->waiting);
	lv->status = buf_steal(&st, NULL);
	lv->waiting = buf_steal(&wt, NULL);
	lv->t.status = lv->status;
	lv->t.waiting = lv->waiting;
}

/* fopencookie's write: whole lines are kept, the rest waits. */
static ssize_t announce_write(void *cookie, const char *data, size_t n)
{
	struct live *lv = cookie;
	char *nl;
	int changed = 0;

	buf_add(&lv->ann, data, n);
	while (lv->ann.len > 0 && (nl = memchr(lv->ann.data, '\n', lv->ann.len)) != NULL) {
		size_t k = (size_t)(nl - lv->ann.data);

		lv->lines = xrealloc(lv->lines, (lv->nlines + 1) * sizeof(*lv->lines));
		lv->lines[lv->nlines++] = xstrndup(lv->ann.data, k);
		buf_consume(&lv->ann, k + 1);
		changed = 1;
	}
	if (changed)
		build_status(lv);
	return (ssize_t)n;
}

/* ---- the trace ---- */

/* Every complete new line of the trace into the flow; 1 if any. */
static int read_trace(struct live *lv)
{
	char chunk[8192];
	ssize_t n;
	int added = 0;
	char *nl;

	while ((n = read(lv->trace_fd, chunk, sizeof(chunk))) > 0)
		buf_add(&lv->pending, chunk, (size_t)n);
	while (lv->pending.len > 0 &&
	       (nl = memchr(lv->pending.data, '\n', lv->pending.len)) != NULL) {
		struct trace_event ev;
		struct buf strings;
		struct err e;

		*nl = '\0';
		buf_init(&strings);
		if (jsonl_parse(lv->pending.data, &ev, &strings, &e) == 1) {
			flow_add(lv->f, &ev);
			added = 1;
		}
		buf_reset(&strings);
		buf_consume(&lv->pending, (size_t)(nl - lv->pending.data) + 1);
	}
	return added;
}

/* ---- the picture on the loop ---- */

static void quit(struct live *lv)
{
	if (lv->quitting)
		return;
	lv->quitting = 1;
	/* the listener's own clean stop (net/listener.h): the queue stays */
	kill(getpid(), SIGTERM);
}

/* Every key waiting; 1 if the screen needs painting. */
static int read_keys(struct live *lv, int *got)
{
	int ch, dirty = 0;

	*got = 0;
	while ((ch = getch()) != ERR) {
		*got = 1;
		dirty = 1;
		if (ch == KEY_RESIZE)
			continue;
		if (tui_key(&lv->t, ch))
			quit(lv);
		if (!lv->t.follow)
			lv->last_step = 0;
	}
	return dirty;
}

static void on_stdin(struct evloop *l, int fd, unsigned events, void *ctx)
{
	struct live *lv = ctx;
	int got;

	(void)events;
	if (read_keys(lv, &got))
		tui_frame(&lv->t);
	if (got) {
		lv->stdin_idle = 0;
	} else if (++lv->stdin_idle > STDIN_IDLE_MAX) {
		evloop_unwatch(l, fd);
	}
}

static void on_tick(struct evloop *l, void *ctx)
{
	struct live *lv = ctx;
	struct tui *t = &lv->t;
	mtime_t now = evloop_now(l);
	int got, dirty = read_keys(lv, &got);

	if (read_trace(lv)) {
		tui_flow_grew(t);
		dirty = 1;
	}
	/* Following: one step per delay, so a burst (a whole scripted
	 * session in a few ms) is still seen hop by hop. */
	if (t->follow && t->cur + 1 < (long)t->f->nstep &&
	    now - lv->last_step >= tui_draw_delay(t)) {
		tui_advance(t);
		lv->last_step = now;
		dirty = 1;
	}
	if (dirty)
		tui_frame(t);
	evloop_timer(l, TICK_MS, on_tick, lv);
}

static const char *tmp_dir(void)
{
	const char *d = getenv("TMPDIR");

	return d != NULL && *d != '\0' ? d : "/tmp";
}

/* stderr into a temporary file while curses owns the terminal. */
static void catch_stderr(struct live *lv)
{
	int fd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return;
	fflush(stderr);
	lv->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (lv->saved_stderr < 0 || dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		if (lv->saved_stderr >= 0)
			close(lv->saved_stderr);
		lv->saved_stderr = -1;
		return;
	}
	lv->err_fd = fd;
}

static void release_stderr(struct live *lv)
{
	char chunk[4096];
	ssize_t n;

	if (lv->saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(lv->saved_stderr, STDERR_FILENO);
	close(lv->saved_stderr);
	lv->saved_stderr = -1;
	if (lseek(lv->err_fd, 0, SEEK_SET) == 0)
		while ((n = read(lv->err_fd, chunk, sizeof(chunk))) > 0)
			if (write(STDERR_FILENO, chunk, (size_t)n) != n)
				break;
	close(lv->err_fd);
	lv->err_fd = -1;
}

/* listener_opts.on_loop: the picture comes up. */
static void on_loop(struct evloop *l, void *ctx)
{
	struct live *lv = ctx;
	struct err e;

	lv->loop = l;
	tui_init(&lv->t, lv->f, NULL, lv->lang);
	lv->tui_on = 1;
	lv->t.live = 1;
	lv->t.follow = 1;
	lv->t.speed = LIVE_SPEED;
	lv->t.status = lv->status;
	lv->t.waiting = lv->waiting;
	lv->t.seed = &lv->seed;
	if (tui_term_open(&lv->t, 1, &e) < 0) {
		fprintf(stderr, "maillab listen: %s\n", e.text);
		lv->term_failed = 1;
		quit(lv);
		return;
	}
	catch_stderr(lv);
	read_trace(lv);
	tui_flow_grew(&lv->t);
	tui_frame(&lv->t);
	evloop_watch(l, STDIN_FILENO, EVLOOP_READ, on_stdin, lv);
	evloop_timer(l, TICK_MS, on_tick, lv);
}

/* ---- the mailboxes as they are ---- */

/* Messages in an mbox file: its From_ lines (local(8) writes each
 * message after one and quotes a body line "From " as ">From "). */
static int mbox_count(const char *path)
{
	FILE *fp = fopen(path, "re");
	char line[1024];
	int n = 0, bol = 1;

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (bol && strncmp(line, "From ", 5) == 0)
			n++;
		bol = strchr(line, '\n') != NULL;
	}
	fclose(fp);
	return n;
}

/*
 * What each user's mailbox holds now, so the counts the picture shows
 * are the world's, not only what this run delivers: the mbox files in
 * the host's /var/mail (Postfix's mail_spool_directory, Debian's
 * default). Mailboxes in home directories (home_mailbox) start at 0.
 */
static void seed_host(struct live *lv, const char *root, const char *host)
{
	char *dir = xasprintf("%s/hosts/%s/var/mail", root, host);
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char *path;
		int n;

		if (de->d_name[0] == '.' ||
		    (len > 5 && strcmp(de->d_name + len - 5, ".lock") == 0))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		n = mbox_count(path);
		if (n > 0)
			flow_state_seed(&lv->seed, host, de->d_name, n);
		free(path);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
}

/* ---- setting up and down ---- */

static int open_trace(struct live *lv, const char *given, struct err *e)
{
	if (given != NULL) {
		if (strcmp(given, "-") == 0)
			return err_set(e, 0, _("--tui shows the trace on the terminal: give --trace a file, not -"));
		lv->trace_fd = open(given, O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
		if (lv->trace_fd < 0)
			return err_set(e, errno, _("cannot open %s: %s"), given, strerror(errno));
		/* only what this run adds */
		(void)lseek(lv->trace_fd, 0, SEEK_END);
		lv->trace_path = xstrdup(given);
		return 0;
	}
	/* No name: nothing left behind. The listener reopens it by its
	 * /proc name (for appending, its own offset), before it forks. */
	lv->trace_fd = open(tmp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (lv->trace_fd < 0) {
		char *tmpl = xasprintf("%s/maillab-live-XXXXXX", tmp_dir());

		lv->trace_fd = mkostemp(tmpl, O_CLOEXEC);
		if (lv->trace_fd >= 0)
			unlink(tmpl);
		free(tmpl);
		if (lv->trace_fd < 0)
			return err_set(e, errno, _("cannot make a temporary file: %s"),
				       strerror(errno));
	}
	lv->trace_path = xasprintf("/proc/self/fd/%d", lv->trace_fd);
	return 0;
}

struct live *live_new(struct listener_opts *o, const struct world *w,
		      const char *lang, struct err *e)
{
	static const cookie_io_functions_t io = { NULL, announce_write, NULL, NULL };
	struct live *lv = xcalloc(1, sizeof(*lv));
	size_t i;

	lv->lang = lang;
	lv->saved_stderr = -1;
	lv->err_fd = -1;
	lv->trace_fd = -1;
	buf_init(&lv->pending);
	buf_init(&lv->ann);
	if (open_trace(lv, o->trace_path, e) < 0) {
		free(lv);
		return NULL;
	}
	lv->announce = fopencookie(lv, "w", io);
	if (lv->announce == NULL) {
		err_set(e, errno, "fopencookie: %s", strerror(errno));
		close(lv->trace_fd);
		free(lv->trace_path);
		free(lv);
		return NULL;
	}
	setvbuf(lv->announce, NULL, _IOLBF, 0);
	lv->f = flow_new();
	lv->f->live = 1;
	flow_state_init(&lv->seed);
	for (i = 0; i < (o->nhosts ? o->nhosts : w->nhosts); i++)
		seed_host(lv, w->root, o->nhosts ? o->hosts[i] : w->hosts[i]);
	build_status(lv);
	o->trace_path = lv->trace_path;
	o->announce = lv->announce;
	o->on_loop = on_loop;
	o->on_loop_ctx = lv;
	return lv;
}

int live_free(struct live **lp)
{
	struct live *lv = *lp;
	int failed;
	size_t i;

	if (lv == NULL)
		return 0;
	tui_term_close();
	release_stderr(lv);
	failed = lv->term_failed;
	if (lv->tui_on)
		tui_fini(&lv->t);
	if (lv->announce != NULL)
		fclose(lv->announce);
	if (lv->trace_fd >= 0)
		close(lv->trace_fd);
	free(lv->trace_path);
	buf_reset(&lv->pending);
	buf_reset(&lv->ann);
	for (i = 0; i < lv->nlines; i++)
		free(lv->lines[i]);
	free(lv->lines);
	free(lv->status);
	free(lv->waiting);
	flow_state_reset(&lv->seed);
	flow_free(&lv->f);
	free(lv);
	*lp = NULL;
	return failed;
}
