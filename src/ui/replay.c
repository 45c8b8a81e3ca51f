/*
 * replay: the comparison. It builds two line lists - the transcript's
 * compared lines (C:, S:, "# reply delayed", "== TLS established",
 * "== server closed connection") and the same session as it happens now -
 * masks both and diffs them. Other comments and events ("== connection
 * error: ...", the capture tool's socket view) are not compared.
 *
 * Server output is placed where the transcript reads: at the end of each
 * block of S: lines (and at a close event or the end). Output the
 * transcript does not read yet stays pending for the next block, which is
 * how capture.py saw a greeting sent after an early client write.
 */
#include "ui/replay.h"

#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "ui/console_frame.h"

struct lines {
	char **v;
	int *no;		/* file line numbers (expected side) */
	size_t n;
};

struct marker {
	size_t off;		/* offset in pending where the delayed reply starts */
	long ms;
};

struct rp {
	const struct replay_target_ops *ops;
	void *tg;
	mtime_t now;
	struct buf pending;
	struct marker *marks;
	size_t nmarks;
	int fed;		/* a client write awaits its first reply byte */
	long delayed_ms;	/* DELAYs since that write, before any byte */
	int closed, close_shown, tls_pending;
	/*
	 * Output after a pause that follows output already sent comes late:
	 * capture.py stops reading 0.3 s after a reply, so bytes the server
	 * sends a second later (the 421 after the 20th error, reference
	 * smtp/05k) are read only after the client's next write. late_off is
	 * where that output starts in pending; a close then counts as late too.
	 */
	int late, close_late;
	size_t late_off;
	/*
	 * capture.py's completion rules (console_frame.c): how many answers
	 * the client still waits for. Only output after a pause that follows
	 * a complete answer is late; while an answer is incomplete the tool
	 * was still reading.
	 */
	struct console_frame *frame;
	char **cmds;		/* commands awaiting their answer */
	size_t ncmds;
	int awaiting;
	struct buf partial;	/* server output short of a line end */
	struct lines exp, act;
};

/* capture.py's default --drain. */
#define DRAIN_MS 300

/* reference/transcripts/smtp/06e-plaintext-after-starttls.log */
#define WRONG_VERSION \
	"error:0A00010B:SSL routines::wrong version number:../ssl/record/ssl3_record.c:350:"

static void add(struct lines *l, char *s, int no)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->no = xrealloc(l->no, (l->n + 1) * sizeof(*l->no));
	l->v[l->n] = s;
	l->no[l->n++] = no;
}

static void add_data(struct lines *l, const char *prefix, const char *p,
		     size_t n, int no)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, prefix);
	transcript_escape(&b, p, n);
	add(l, buf_steal(&b, NULL), no);
}

static void lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->no);
}

/* The command the next answer belongs to. */
static const char *head_cmd(const struct rp *r)
{
	return r->ncmds > 0 ? r->cmds[0] : "(greeting)";
}

/* Server output as it comes: which answers it completes. */
static void frame_line(void *ctx, const char *line, size_t len)
{
	struct rp *r = ctx;
	struct console_frame_server fs;

	if (len == 0 || line[len - 1] != '\n') {
		buf_add(&r->partial, line, len);	/* the rest comes later */
		return;
	}
	if (r->partial.len > 0) {
		buf_add(&r->partial, line, len);
		console_frame_server_line(r->frame, r->partial.data,
					  r->partial.len, head_cmd(r), &fs);
		buf_clear(&r->partial);
	} else {
		console_frame_server_line(r->frame, line, len, head_cmd(r), &fs);
	}
	if (fs.done && r->awaiting > 0)
		r->awaiting--;
	if (fs.finished && r->ncmds > 0) {
		free(r->cmds[0]);
		memmove(r->cmds, r->cmds + 1, (r->ncmds - 1) * sizeof(*r->cmds));
		r->ncmds--;
	}
}

static void frame_output(struct rp *r, const char *p, size_t n)
{
	transcript_split_lines(p, n, frame_line, r);
}

/* A client write: which commands and how many answers it asks for. */
static void frame_client(struct rp *r, const char *p, size_t n)
{
	size_t start = 0, i;

	for (i = 0; i <= n; i++) {
		struct console_frame_client fc;
		char *line;
		size_t len;

		if (i < n && p[i] != '\n')
			continue;
		if (i == n && start == n)
			break;
		len = i - start;
		if (len > 0 && p[start + len - 1] == '\r')
			len--;
		line = xstrndup(p + start, len);
		console_frame_client_line(r->frame, line, &fc);
		if (fc.command) {
			r->cmds = xrealloc(r->cmds, (r->ncmds + 1) * sizeof(*r->cmds));
			r->cmds[r->ncmds++] = xstrdup(fc.pseudo ? fc.pseudo : line);
		}
		r->awaiting += fc.expect;
		free(line);
		start = i + 1;
	}
}

/* Runs the session until it waits for the client, collecting output. */
static void run_until_wait(struct rp *r)
{
	for (;;) {
		long delay = 0;
		enum server_session_act act = r->ops->run(r->tg, r->now, &delay);
		struct buf *out = r->ops->output(r->tg);

		if (out->len > 0) {
			if (r->fed) {
				/* capture.py notes a delay >= 0.9 s before the
				 * first reply line after a client write. */
				if (r->delayed_ms >= 900) {
					r->marks = xrealloc(r->marks, (r->nmarks + 1) *
							    sizeof(*r->marks));
					r->marks[r->nmarks].off = r->pending.len;
					r->marks[r->nmarks++].ms = r->delayed_ms;
				}
				r->fed = 0;
			}
			buf_add(&r->pending, out->data, out->len);
			frame_output(r, out->data, out->len);
			buf_clear(out);
		}
		switch (act) {
		case SERVER_SESSION_DELAY:
			/* Replay does not sleep: the clock jumps instead. */
			if (r->fed) {
				r->delayed_ms += delay;
			} else if (!r->late && r->pending.len > 0 && delay >= DRAIN_MS &&
				   r->awaiting == 0) {
				r->late = 1;
				r->late_off = r->pending.len;
			}
			r->now += delay;
			continue;
		case SERVER_SESSION_STARTTLS:
			r->tls_pending = 1;
			return;
		case SERVER_SESSION_CLOSE:
			r->closed = 1;
			r->close_late = r->late;
			return;
		case SERVER_SESSION_NEED_INPUT:
			return;
		}
		return;
	}
}

struct flush_ctx {
	struct rp *r;
	size_t off;
	size_t mark;
};

static void flush_line(void *ctx, const char *line, size_t len)
{
	struct flush_ctx *f = ctx;
	struct rp *r = f->r;

	while (f->mark < r->nmarks && r->marks[f->mark].off <= f->off) {
		if (r->marks[f->mark].off == f->off)
			add(&r->act, xasprintf("# reply delayed ~%.0f s",
					       (double)r->marks[f->mark].ms / 1000.0), 0);
		f->mark++;
	}
	add_data(&r->act, "S: ", line, len, 0);
	f->off += len;
}

/*
 * Places the pending output (and a close) in the actual session: all of
 * it, or (all = 0) what arrived before a late part, which stays pending
 * for the next read.
 */
static void flush(struct rp *r, int all)
{
	struct flush_ctx f = { r, 0, 0 };
	size_t upto = r->late && !all ? r->late_off : r->pending.len, k, n = 0;
	int late = r->late && !all;

	transcript_split_lines(r->pending.data, upto, flush_line, &f);
	if (upto > 0)
		buf_consume(&r->pending, upto);
	for (k = 0; k < r->nmarks; k++)
		if (r->marks[k].off >= upto) {
			r->marks[n] = r->marks[k];
			r->marks[n++].off -= upto;
		}
	r->nmarks = n;
	if (n == 0) {
		free(r->marks);
		r->marks = NULL;
	}
	r->late = 0;
	if (late && r->close_late) {
		r->close_late = 0;
		return;		/* the close is read with the late part */
	}
	if (r->closed && !r->close_shown) {
		add(&r->act, xstrdup("== server closed connection"), 0);
		r->close_shown = 1;
	}
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void client_write(struct rp *r, const struct transcript *t, size_t *ip)
{
	size_t i = *ip, last = i;
	int w = t->lines[i].write;
	struct buf bytes;

	buf_init(&bytes);
	for (; i < t->nlines; i++) {
		const struct transcript_line *l = &t->lines[i];

		if (l->kind == TRANSCRIPT_COMMENT)
			continue;
		if (l->kind != TRANSCRIPT_CLIENT || l->write != w)
			break;
		add_data(&r->exp, "C: ", l->data, l->len, l->lineno);
		add_data(&r->act, "C: ", l->data, l->len, 0);
		buf_add(&bytes, l->data, l->len);
		last = i;
	}
	*ip = last;
	if (r->closed) {
		/* The client wrote into a closed connection: nothing to run. */
	} else if (r->tls_pending) {
		/*
		 * Plain text where the TLS handshake should be (reference
		 * smtp/06e): the server's TLS library fails on it (OpenSSL
		 * 3.0's words, as the reference's log has them) and the
		 * session ends without another word to the client.
		 */
		struct buf *out;

		r->tls_pending = 0;
		if (r->ops->tls_failed != NULL)
			r->ops->tls_failed(r->tg, "-1", WRONG_VERSION, r->now);
		else
			r->ops->eof(r->tg, r->now);
		(void)r->ops->run(r->tg, r->now, &(long){ 0 });
		out = r->ops->output(r->tg);
		buf_clear(out);
		r->closed = 1;
	} else {
		frame_client(r, bytes.data, bytes.len);
		r->ops->feed(r->tg, bytes.data, bytes.len, r->now);
		r->fed = 1;
		r->delayed_ms = 0;
		run_until_wait(r);
	}
	buf_reset(&bytes);
}

/*
 * A line the transcript lists as "@ known EXPECTED => ACTUAL": said and
 * taken as the expected one, so the rest of the comparison goes on.
 */
static void known_difference(const struct transcript *t, char **line,
			     FILE *out)
{
	size_t i;

	for (i = 0; i < t->nknown; i++) {
		char *want = transcript_mask(t->known[i].actual);

		if (strcmp(want, *line) == 0) {
			free(want);
			fprintf(out, _("%s:%d: known difference: maillab says \"%s\" where the real server says \"%s\"\n"),
				t->file, t->known[i].lineno, t->known[i].actual,
				t->known[i].expected);
			free(*line);
			*line = transcript_mask(t->known[i].expected);
			return;
		}
		free(want);
	}
}

size_t replay_run(const struct transcript *t,
		  const struct replay_target_ops *ops, void *target,
		  mtime_t now, FILE *out, FILE *actual_out)
{
	struct rp r;
	size_t i, k, ndiff;
	int in_server = 0;
	char **em, **am;

	memset(&r, 0, sizeof(r));
	r.ops = ops;
	r.tg = target;
	r.now = now;
	buf_init(&r.pending);
	buf_init(&r.partial);
	{
		enum explain_proto proto = EXPLAIN_SMTP;

		if (t->proto != NULL)
			(void)explain_proto_from_name(t->proto, &proto);
		r.frame = console_frame_new(proto);
	}
	r.awaiting = 1;		/* the greeting */
	run_until_wait(&r);

	for (i = 0; i < t->nlines; i++) {
		const struct transcript_line *l = &t->lines[i];

		if (in_server && l->kind != TRANSCRIPT_SERVER &&
		    !(l->kind == TRANSCRIPT_COMMENT && !starts(l->data, "reply delayed"))) {
			flush(&r, 0);
			in_server = 0;
		}
		switch (l->kind) {
		case TRANSCRIPT_COMMENT:
			if (starts(l->data, "reply delayed"))
				add(&r.exp, xasprintf("# %s", l->data), l->lineno);
			break;
		case TRANSCRIPT_SERVER:
			add_data(&r.exp, "S: ", l->data, l->len, l->lineno);
			in_server = 1;
			break;
		case TRANSCRIPT_CLIENT:
			client_write(&r, t, &i);
			break;
		case TRANSCRIPT_EVENT:
			if (starts(l->data, "TLS established") ||
			    starts(l->data, "TLS started")) {
				add(&r.exp, xasprintf("== %s", l->data), l->lineno);
				flush(&r, 0);
				if (r.tls_pending && !r.closed) {
					r.tls_pending = 0;
					add(&r.act, xstrdup("== TLS established (simulated)"), 0);
					r.ops->tls_started(r.tg, r.now);
					run_until_wait(&r);
				}
			} else if (starts(l->data, "server closed connection")) {
				add(&r.exp, xasprintf("== %s", l->data), l->lineno);
				flush(&r, 0);
			}
			/* Other events are the capture tool's view: not compared. */
			break;
		}
	}
	flush(&r, 1);

	/* Compare masked lines, as capture.py's diff does. */
	em = xmalloc((r.exp.n + 1) * sizeof(*em));
	am = xmalloc((r.act.n + 1) * sizeof(*am));
	for (k = 0; k < r.exp.n; k++)
		em[k] = transcript_mask(r.exp.v[k]);
	for (k = 0; k < r.act.n; k++) {
		am[k] = transcript_mask(r.act.v[k]);
		known_difference(t, &am[k], out);
	}
	{
		char *blabel = xasprintf(_("%s (maillab now)"), t->file);

		ndiff = transcript_diff(out, t->file, blabel, em, r.exp.no, r.exp.n,
					am, r.act.n, 3);
		free(blabel);
	}
	if (actual_out != NULL)
		for (k = 0; k < r.act.n; k++)
			fprintf(actual_out, "%s\n", am[k]);
	for (k = 0; k < r.exp.n; k++)
		free(em[k]);
	for (k = 0; k < r.act.n; k++)
		free(am[k]);
	free(em);
	free(am);
	lines_free(&r.exp);
	lines_free(&r.act);
	buf_reset(&r.pending);
	buf_reset(&r.partial);
	free(r.marks);
	for (k = 0; k < r.ncmds; k++)
		free(r.cmds[k]);
	free(r.cmds);
	console_frame_free(&r.frame);
	return ndiff;
}
