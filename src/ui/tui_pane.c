/*
 * tui_pane: the TUI's panes under the picture: Protocol (the lines of the
 * current conversation, client and server coloured apart, reply codes
 * picked out and explained), Queues and mailboxes, mail.log, and Events
 * (every step so far, filterable). How many show at once depends on the
 * terminal's size; tui_draw.c paints the rest of the screen.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "ui/explain.h"
#include "ui/narrator.h"
#include "ui/narrator_explain.h"
#include "ui/tui_draw.h"

enum {
	PANES_Y = 13,	/* under the title, the narration, the boxes and
			   the outside line (tui_draw.c) */
};

static const char *pane_name(enum tui_pane p)
{
	static const char *const names[TUI_NPANES] = {
		[TUI_PANE_PROTOCOL] = N_("Protocol"),
		[TUI_PANE_QUEUES] = N_("Queues and mailboxes"),
		[TUI_PANE_LOG] = N_("mail.log"),
		[TUI_PANE_EVENTS] = N_("Events"),
	};

	return _(names[p]);
}

struct area {
	int y, x, h, w;
};

static void pane_frame(struct tui *t, enum tui_pane p, const struct area *a,
		       const char *extra)
{
	struct buf b;

	buf_init(&b);
	buf_addf(&b, " %s%s%s ", pane_name(p), extra ? ": " : "", extra ? extra : "");
	tui_draw_hline(a->y, a->x, a->w, tui_draw_inks[TUI_INK_DIM]);
	tui_draw_put(a->y, a->x + 1, a->w - 2, b.data,
	    t->focus == p ? (tui_draw_inks[TUI_INK_TITLE]) : A_BOLD);
	buf_reset(&b);
}

/* One protocol line: "C: ..." / "S: ..." with the reply code picked out. */
static void put_line(int y, int x, int w, const struct flow_ev *fe, int current)
{
	const struct trace_event *e = &fe->ev;
	struct buf b;
	attr_t base;
	int used;

	buf_init(&b);
	buf_add(&b, "", 0);	/* an empty line is a line too */
	narrator_escape(&b, e->text);
	if (fe->from_client) {
		base = current ? tui_draw_inks[TUI_INK_CLIENT] : tui_draw_inks[TUI_INK_DIM];
		used = tui_draw_put(y, x, w, "C: ", base);
		tui_draw_put(y, x + used, w - used, b.data, base);
	} else {
		int err = tui_draw_is_error(e->protocol, b.data);
		size_t cl = tui_draw_code_len(e->protocol, b.data);
		char *code = xstrndup(b.data, cl);

		base = current ? tui_draw_inks[TUI_INK_SERVER] : tui_draw_inks[TUI_INK_DIM];
		used = tui_draw_put(y, x, w, "S: ", base);
		used += tui_draw_put(y, x + used, w - used, code,
			    current ? (err ? tui_draw_inks[TUI_INK_ERROR] : base | A_BOLD) : base);
		tui_draw_put(y, x + used, w - used, b.data + cl,
			     current && err ? tui_draw_inks[TUI_INK_ERROR] : base);
		free(code);
	}
	buf_reset(&b);
}

/* The explanation of the step's last reply line, or NULL; caller frees. */
static char *reply_explanation(const struct flow *f, const struct flow_step *s)
{
	const char *command = NULL, *reply = NULL;
	enum explain_proto proto;
	size_t i;

	if (explain_proto_from_name(s->protocol, &proto) < 0)
		return NULL;
	for (i = 0; i < s->n; i++) {
		const struct flow_ev *fe = &f->ev[s->evi[i]];

		if (fe->dup || fe->ev.direction == TRACE_DIR_NONE)
			continue;
		if (fe->from_client)
			command = fe->ev.text;
		else
			reply = fe->ev.text;
	}
	return reply ? explain_reply(proto, command, reply) : NULL;
}

static void pane_protocol(struct tui *t, const struct area *a)
{
	const struct flow *f = t->f;
	const struct flow_step *s = tui_draw_step(t);
	const struct flow_step *conv = NULL;
	const char *why = NULL;
	char label[64] = "";
	int body_h, why_h = 0, row;
	size_t *idx = NULL, nidx = 0, i, j, first;
	long k;

	/* The conversation of the current arrow: the latest TALK step. */
	for (k = t->cur; k >= 0; k--) {
		if (f->step[k].kind == FLOW_TALK) {
			conv = &f->step[k];
			break;
		}
		if (f->step[k].kind == FLOW_SAY)
			break;
	}
	if (t->live && conv == NULL && t->waiting != NULL) {
		/* No client yet (or stepped back before the first): how to
		 * connect one, and where the listener listens. */
		const char *p = t->waiting;

		pane_frame(t, TUI_PANE_PROTOCOL, a, NULL);
		for (row = 0; *p != '\0' && row < a->h - 1; row++) {
			size_t n = strcspn(p, "\n");
			char *line = xstrndup(p, n);

			tui_draw_put(a->y + 1 + row, a->x + 1, a->w - 2, line,
			    row == 0 ? tui_draw_inks[TUI_INK_SAY] : 0);
			free(line);
			p += n + (p[n] == '\n');
		}
		return;
	}
	if (s != NULL && s->kind != FLOW_SAY) {
		struct buf b;

		flow_step_label(f, s, label, sizeof(label));
		buf_init(&b);
		if (s->kind == FLOW_TALK)
			buf_addf(&b, "%s  %s -> %s", label, f->node[s->node].label,
				 f->node[s->peer].label);
		else if (strcmp(f->node[s->node].label, label) != 0)
			buf_addf(&b, "%s  %s", f->node[s->node].label, label);
		else
			buf_adds(&b, label);
		pane_frame(t, TUI_PANE_PROTOCOL, a, b.data);
		buf_reset(&b);
		why = narrator_explain_step(f, s);
	} else {
		pane_frame(t, TUI_PANE_PROTOCOL, a, NULL);
	}
	body_h = a->h - 1;
	if (s == NULL || s->kind == FLOW_SAY) {
		const char *text = s ? flow_say_text(f, s) :
			(t->sc ? scenario_text_get(&t->sc->intro, t->lang) : NULL);

		row = tui_draw_wrapped(a->y + 1, a->x + 1, a->w - 2, body_h - 1,
				  text ? text : "", tui_draw_inks[TUI_INK_SAY]);
		tui_draw_put(a->y + 1 + row + (row < body_h - 1), a->x + 1, a->w - 2,
		    _("Press space for the next step, Enter to run, ? for help."), tui_draw_inks[TUI_INK_DIM]);
		return;
	}
	if (why != NULL) {
		why_h = body_h > 6 ? 3 : 2;
		/* At the bottom of the pane; the lines get what is left. */
		tui_draw_wrapped(a->y + a->h - why_h, a->x + 1, a->w - 2, why_h, why,
			    tui_draw_inks[TUI_INK_EXPLAIN]);
		body_h -= why_h;
	}
	/* Where there is room: what the last reply's code means, word by
	 * word (the console's explanations, ui/explain.h). */
	if (s->kind == FLOW_TALK && body_h >= 12) {
		char *code_why = reply_explanation(f, s);

		if (code_why != NULL) {
			int h = tui_draw_wrapped(a->y + a->h - why_h - 4, a->x + 1, a->w - 2, 4,
					    code_why, tui_draw_inks[TUI_INK_DIM]);

			(void)h;
			body_h -= 4;
			free(code_why);
		}
	}
	/* Lines to show: the conversation so far (TALK) or the step's own;
	 * live, the step's own under the conversation, which scrolls up as
	 * its lines come. */
	if ((s->kind == FLOW_TALK || t->live) && conv != NULL) {
		for (k = 0; k <= t->cur; k++) {
			const struct flow_step *o = &f->step[k];

			if (o->kind != FLOW_TALK || o->node != conv->node ||
			    o->peer != conv->peer || strcmp(o->protocol, conv->protocol) != 0)
				continue;
			for (j = 0; j < o->n; j++) {
				idx = xrealloc(idx, (nidx + 1) * sizeof(*idx));
				idx[nidx++] = o->evi[j];
			}
		}
		for (j = 0; s->kind != FLOW_TALK && j < s->n; j++) {
			idx = xrealloc(idx, (nidx + 1) * sizeof(*idx));
			idx[nidx++] = s->evi[j];
		}
	} else {
		for (j = 0; j < s->n; j++) {
			idx = xrealloc(idx, (nidx + 1) * sizeof(*idx));
			idx[nidx++] = s->evi[j];
		}
	}
	/* Count visible lines and keep the last body_h of them. */
	{
		size_t vis = 0;

		for (i = 0; i < nidx; i++)
			if (!f->ev[idx[i]].dup)
				vis++;
		first = vis > (size_t)body_h ? vis - (size_t)body_h : 0;
		if (t->live) {
			/* Live, the current step's first line (the command a
			 * student just typed) stays in sight; its long reply
			 * may go under the edge. */
			size_t own = 0;

			for (i = 0, vis = 0; i < nidx; i++) {
				if (f->ev[idx[i]].dup)
					continue;
				if (&f->step[f->ev[idx[i]].step] == s) {
					own = vis;
					break;
				}
				vis++;
			}
			if (own < first)
				first = own;
		}
		vis = 0;
		row = 0;
		for (i = 0; i < nidx && row < body_h; i++) {
			const struct flow_ev *fe = &f->ev[idx[i]];
			int current = &f->step[fe->step] == s;

			if (fe->dup)
				continue;
			if (vis++ < first)
				continue;
			if (flow_is_line_protocol(fe->ev.protocol) &&
			    fe->ev.direction != TRACE_DIR_NONE) {
				put_line(a->y + 1 + row, a->x + 1, a->w - 2, fe, current);
			} else {
				struct buf b;

				buf_init(&b);
				buf_addf(&b, "%s: ", strcmp(fe->ev.protocol, "log") == 0 ?
					 "log" : fe->ev.protocol);
				narrator_escape(&b, strcmp(fe->ev.protocol, "log") == 0 ?
						flow_log_short(fe->ev.text) : fe->ev.text);
				tui_draw_put(a->y + 1 + row, a->x + 1, a->w - 2, b.data,
				    current ? tui_draw_inks[TUI_INK_LOG] : tui_draw_inks[TUI_INK_DIM]);
				buf_reset(&b);
			}
			row++;
		}
	}
	free(idx);
}

static void pane_queues(struct tui *t, const struct area *a)
{
	static const char *const queues[] = { "incoming", "active", "deferred" };
	int row = 0;
	size_t i, q, m;

	pane_frame(t, TUI_PANE_QUEUES, a, NULL);
	for (i = 0; i < t->layout.nbox && row < a->h - 1; i++) {
		const char *host = t->layout.box[i].host;

		tui_draw_put(a->y + 1 + row++, a->x + 1, a->w - 2, host, A_BOLD);
		for (q = 0; q < ARRAY_LEN(queues) && row < a->h - 1; q++) {
			struct buf b;

			buf_init(&b);
			buf_addf(&b, "  %-9s %zu", queues[q],
				 flow_state_count(&t->state, host, queues[q]));
			for (m = 0; m < t->state.nmsg; m++)
				if (strcmp(t->state.msg[m].host, host) == 0 &&
				    strcmp(t->state.msg[m].queue, queues[q]) == 0)
					buf_addf(&b, " %s", t->state.msg[m].qid);
			tui_draw_put(a->y + 1 + row++, a->x + 1, a->w - 2, b.data,
			    strcmp(queues[q], "deferred") == 0 &&
			    flow_state_count(&t->state, host, "deferred") ? tui_draw_inks[TUI_INK_ERROR] : 0);
			buf_reset(&b);
		}
		for (m = 0; m < t->final.nbox && row < a->h - 1; m++) {
			const struct flow_mbox *fin = &t->final.box[m];
			const struct flow_mbox *now;
			char line[200];
			int c;

			if (strcmp(fin->host, host) != 0)
				continue;
			now = flow_state_mbox(&t->state, host, fin->user);
			c = now ? now->count : 0;
			/* Zero apart: see narrator.c (pt_BR's plural rule puts 0 with 1). */
			if (c == 0)
				snprintf(line, sizeof(line), _("  /var/mail/%s: 0 messages"),
					 fin->user);
			else
				snprintf(line, sizeof(line),
					 ngettext("  /var/mail/%s: %d message",
						  "  /var/mail/%s: %d messages", (unsigned long)c),
					 fin->user, c);
			tui_draw_put(a->y + 1 + row++, a->x + 1, a->w - 2, line, A_BOLD);
		}
	}
}

static void pane_log(struct tui *t, const struct area *a)
{
	const struct flow *f = t->f;
	size_t *idx = NULL, n = 0, i, first;
	int row = 0;

	pane_frame(t, TUI_PANE_LOG, a, NULL);
	for (i = 0; i < f->nev; i++) {
		if ((long)f->ev[i].step > t->cur || strcmp(f->ev[i].ev.protocol, "log") != 0)
			continue;
		idx = xrealloc(idx, (n + 1) * sizeof(*idx));
		idx[n++] = i;
	}
	first = n > (size_t)(a->h - 1) ? n - (size_t)(a->h - 1) : 0;
	for (i = first; i < n; i++) {
		const struct flow_ev *fe = &f->ev[idx[i]];
		const char *shortened = flow_log_short(fe->ev.text);
		struct buf b;

		buf_init(&b);
		buf_addf(&b, "%s ", fe->ev.host ? fe->ev.host : "");
		if (fe->ev.process &&
		    strncmp(shortened, flow_log_process(fe->ev.process),
			    strlen(flow_log_process(fe->ev.process))) != 0)
			buf_addf(&b, "%s: ", flow_log_process(fe->ev.process));
		narrator_escape(&b, shortened);
		tui_draw_put(a->y + 1 + row++, a->x + 1, a->w - 2, b.data,
		    (long)fe->step == t->cur ? tui_draw_inks[TUI_INK_LOG] : 0);
		buf_reset(&b);
	}
	free(idx);
}

/* The first thing a step says, for the event list. */
static const char *step_summary(const struct flow *f, const struct flow_step *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct flow_ev *fe = &f->ev[s->evi[i]];

		if (!fe->dup && (s->kind != FLOW_TALK || fe->ev.direction != TRACE_DIR_NONE))
			return strcmp(fe->ev.protocol, "log") == 0 ?
			       flow_log_short(fe->ev.text) : fe->ev.text;
	}
	return "";
}

static void pane_events(struct tui *t, const struct area *a)
{
	const struct flow *f = t->f;
	long *idx = NULL, k;
	size_t n = 0, i, first;
	int row = 0;

	pane_frame(t, TUI_PANE_EVENTS, a, t->filter > 0 ? t->filters[t->filter] : NULL);
	for (k = 0; k <= t->cur && k < (long)f->nstep; k++) {
		if (f->step[k].kind == FLOW_SAY || !tui_draw_filter_ok(t, &f->step[k]))
			continue;
		idx = xrealloc(idx, (n + 1) * sizeof(*idx));
		idx[n++] = k;
	}
	first = n > (size_t)(a->h - 1) ? n - (size_t)(a->h - 1) : 0;
	for (i = first; i < n; i++) {
		const struct flow_step *s = &f->step[idx[i]];
		char label[64];
		struct buf b;

		flow_step_label(f, s, label, sizeof(label));
		buf_init(&b);
		/* What was said first; who said it after, as room allows. */
		buf_addf(&b, "%3d %-10s ", s->number, label);
		narrator_escape(&b, step_summary(f, s));
		buf_addf(&b, "  (%s", f->node[s->node].label);
		if (s->kind == FLOW_TALK)
			buf_addf(&b, " -> %s", f->node[s->peer].label);
		buf_adds(&b, ")");
		tui_draw_put(a->y + 1 + row++, a->x + 1, a->w - 2, b.data,
		    idx[i] == t->cur ? tui_draw_inks[TUI_INK_LIT] : 0);
		buf_reset(&b);
	}
	free(idx);
}

static void draw_pane(struct tui *t, enum tui_pane p, const struct area *a)
{
	if (a->h < 2 || a->w < 10)
		return;
	switch (p) {
	case TUI_PANE_PROTOCOL: pane_protocol(t, a); break;
	case TUI_PANE_QUEUES: pane_queues(t, a); break;
	case TUI_PANE_LOG: pane_log(t, a); break;
	case TUI_PANE_EVENTS: pane_events(t, a); break;
	case TUI_NPANES: break;
	}
}

void tui_pane_draw(struct tui *t)
{
	int top = PANES_Y, h = LINES - 1 - PANES_Y;
	int wide = COLS >= 120, tall = h >= 20;
	struct area a;

	if (wide && tall) {
		/* Four: protocol and events on the left, queues and log right. */
		int lw = COLS * 3 / 5, th = h * 3 / 5;
		struct area slots[4] = {
			{ top, 0, th, lw }, { top + th, 0, h - th, lw },
			{ top, lw + 1, th, COLS - lw - 1 }, { top + th, lw + 1, h - th, COLS - lw - 1 },
		};
		const enum tui_pane order[4] = {
			TUI_PANE_PROTOCOL, TUI_PANE_EVENTS, TUI_PANE_QUEUES, TUI_PANE_LOG,
		};
		int i;

		for (i = 0; i < 4; i++)
			draw_pane(t, order[i], &slots[i]);
		attron(tui_draw_inks[TUI_INK_DIM]);
		mvvline(top + 1, lw, ACS_VLINE, h - 1);
		attroff(tui_draw_inks[TUI_INK_DIM]);
		return;
	}
	if (wide || tall) {
		/* Two: the protocol pane and the focused other one. */
		enum tui_pane other = t->focus == TUI_PANE_PROTOCOL ? TUI_PANE_QUEUES : t->focus;
		struct area b;

		if (wide) {
			int lw = COLS * 3 / 5;

			a = (struct area){ top, 0, h, lw };
			b = (struct area){ top, lw + 1, h, COLS - lw - 1 };
		} else {
			a = (struct area){ top, 0, h / 2, COLS };
			b = (struct area){ top + h / 2, 0, h - h / 2, COLS };
		}
		draw_pane(t, TUI_PANE_PROTOCOL, &a);
		draw_pane(t, other, &b);
		return;
	}
	a = (struct area){ top, 0, h, COLS };
	draw_pane(t, t->focus, &a);
}

