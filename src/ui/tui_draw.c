/*
 * One frame of the TUI. The screen, top to bottom:
 *
 *   row 0      title bar: scenario, virtual time, step n/N
 *   row 1      the scenario's narration for this part
 *   rows 2-11  the domain boxes (BOX_H rows), side by side, arrows between
 *   row 12     outside clients (a stranger trying to relay, ...)
 *   rows 13..  the panes (tui_pane.c): one at 80x24, two or four on
 *              larger terminals
 *   last row   the keys
 *
 * Inside a box (the MTA column sits on the side facing the other box):
 *
 *   ┌ a.example: mail.a.example ─────┐
 *   │ MUA client.a.example            │
 *   │ │IMAP :143          ▼SMTP :25   │   arrows between MUA and MDA / MTA
 *   │ MDA Dovecot       MTA Postfix   │
 *   │ imap pop3         smtpd cleanup │
 *   │ mailboxes:        qmgr smtp     │
 *   │ alice: 0          trivial-rewr. │
 *   │                   local bounce  │
 *   │ incoming 0  active 0  deferred 0│
 *   └─────────────────────────────────┘
 *
 * Text goes through the wide-character functions so that accented
 * Portuguese keeps its columns.
 */
#include "ui/tui_draw.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"

enum {
	DIAGRAM_Y = 2,
	BOX_H = 10,
	OUTSIDE_Y = DIAGRAM_Y + BOX_H,
	GAP = 8,
	BOX_MAX_W = 60,
};

static const int delays_ms[] = { 3000, 2000, 1000, 500, 250, 100 };

int tui_draw_delay(const struct tui *t)
{
	return delays_ms[t->speed];
}

int tui_draw_nspeeds(void)
{
	return (int)ARRAY_LEN(delays_ms);
}

/* ---- inks ---- */

attr_t tui_draw_inks[TUI_NINKS];

void tui_draw_init_colors(struct tui *t)
{
	static const struct {
		short fg, bg;
		attr_t extra, mono;
	} table[TUI_NINKS] = {
		[TUI_INK_NORMAL] = { -1, -1, 0, 0 },
		[TUI_INK_LIT] = { COLOR_YELLOW, -1, A_BOLD, A_REVERSE | A_BOLD },
		[TUI_INK_CLIENT] = { COLOR_CYAN, -1, 0, 0 },
		[TUI_INK_SERVER] = { COLOR_GREEN, -1, 0, A_BOLD },
		[TUI_INK_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
		[TUI_INK_LOG] = { COLOR_MAGENTA, -1, 0, 0 },
		[TUI_INK_TITLE] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
		[TUI_INK_SAY] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
		[TUI_INK_EXPLAIN] = { COLOR_YELLOW, -1, 0, A_UNDERLINE },
		[TUI_INK_DIM] = { -1, -1, A_DIM, A_DIM },
	};
	const char *no_color = getenv("NO_COLOR");
	int i;

	t->color = has_colors() && (no_color == NULL || *no_color == '\0');
	if (t->color) {
		start_color();
		use_default_colors();
	}
	for (i = 0; i < TUI_NINKS; i++) {
		if (t->color && i != TUI_INK_NORMAL && i != TUI_INK_DIM) {
			init_pair((short)i, table[i].fg, table[i].bg);
			tui_draw_inks[i] = COLOR_PAIR(i) | table[i].extra;
		} else {
			tui_draw_inks[i] = t->color ? table[i].extra : table[i].mono;
		}
	}
}

/* ---- text ---- */

/*
 * Draws UTF-8 text at (y, x), at most maxw columns; returns the columns
 * used. Bytes that do not decode become '?'; control characters never
 * reach here (narrator_escape ran first).
 */
int tui_draw_put(int y, int x, int maxw, const char *s, attr_t a)
{
	mbstate_t st;
	const char *p = s ? s : "";
	size_t left = strlen(p);
	int used = 0;

	if (maxw <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + maxw > COLS)
		maxw = COLS - x;
	memset(&st, 0, sizeof(st));
	attron(a);
	move(y, x);
	while (left > 0 && used < maxw) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p, left, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			wc = L'?';
			n = 1;
		}
		w = wcwidth(wc);
		if (w < 0) {
			wc = L'?';
			w = 1;
		}
		if (used + w > maxw)
			break;
		addnwstr(&wc, 1);
		used += w;
		p += n;
		left -= n;
	}
	attroff(a);
	return used;
}

/* Words of text wrapped into at most maxrows rows of width w; returns rows. */
int tui_draw_wrapped(int y, int x, int w, int maxrows, const char *text, attr_t a)
{
	const char *p = text ? text : "";
	int row = 0;

	while (*p != '\0' && row < maxrows) {
		const char *line = p, *cut = p, *q = p;
		int cols = 0;
		char *chunk;

		/* Take words while they fit (counting characters, not bytes). */
		while (*q != '\0') {
			const char *wend = q + strcspn(q, " ");
			int wc = 0;
			const char *r;

			for (r = q; r < wend; r++)
				if (((unsigned char)*r & 0xc0) != 0x80)
					wc++;
			if (cols > 0 && cols + 1 + wc > w)
				break;
			cols += (cols > 0) + wc;
			cut = wend;
			q = wend;
			while (*q == ' ')
				q++;
			if (cols >= w)
				break;
		}
		if (cut == line)	/* one word longer than the line */
			cut = line + strcspn(line, " ");
		chunk = xstrndup(line, (size_t)(cut - line));
		tui_draw_put(y + row, x, w, chunk, a);
		free(chunk);
		row++;
		p = cut;
		while (*p == ' ')
			p++;
	}
	return row;
}

void tui_draw_hline(int y, int x, int w, attr_t a)
{
	if (w <= 0 || y < 0 || y >= LINES)
		return;
	attron(a);
	mvhline(y, x, ACS_HLINE, w);
	attroff(a);
}

/* ---- helpers on the flow ---- */

const struct flow_step *tui_draw_step(const struct tui *t)
{
	return t->cur >= 0 ? &t->f->step[t->cur] : NULL;
}

int tui_draw_is_error(const char *protocol, const char *text)
{
	const char *sp;

	if (strcmp(protocol, "smtp") == 0 || strcmp(protocol, "lmtp") == 0)
		return text[0] == '4' || text[0] == '5';
	if (strcmp(protocol, "pop3") == 0)
		return strncmp(text, "-ERR", 4) == 0;
	sp = strchr(text, ' ');
	return sp != NULL && (strncmp(sp + 1, "NO ", 3) == 0 ||
			      strncmp(sp + 1, "BAD ", 4) == 0);
}

/* The reply code part of a server line, to highlight: "250-", "+OK", "a1 OK". */
size_t tui_draw_code_len(const char *protocol, const char *text)
{
	if (strcmp(protocol, "imap") == 0) {
		const char *sp = strchr(text, ' ');

		if (sp == NULL)
			return 0;
		return (size_t)(sp - text) + 1 + strcspn(sp + 1, " ");
	}
	return strcspn(text, " ");
}

int tui_draw_filter_ok(const struct tui *t, const struct flow_step *s)
{
	const char *want;
	size_t i;

	if (t->filter <= 0 || (size_t)t->filter >= t->nfilters)
		return 1;
	want = t->filters[t->filter];
	if (strcmp(want, "mail.log") == 0)
		return s->kind == FLOW_WORK;
	if (strchr(want, '.') == NULL)
		return strcmp(s->protocol, want) == 0;
	/* A host: either end of the step. */
	for (i = 0; i < 2; i++) {
		int n = i ? s->peer : s->node;

		if (n >= 0 && strcmp(t->f->node[n].host, want) == 0)
			return 1;
	}
	return 0;
}

/* ---- the title and the narration ---- */

static void draw_title(struct tui *t)
{
	const struct flow_step *s = tui_draw_step(t);
	const char *title = t->sc ? scenario_text_get(&t->sc->title, t->lang) : NULL;
	char right[96], when[40] = "";
	int number = 0;
	long i;
	struct buf b;

	for (i = t->cur; i >= 0; i--)
		if (t->f->step[i].number > 0) {
			number = t->f->step[i].number;
			break;
		}
	if (s != NULL || t->f->nstep > 0) {
		time_t secs = (time_t)((s ? s->time : t->f->step[0].time) / 1000);
		struct tm tm;

		gmtime_r(&secs, &tm);
		/* The year only where there is room for it. */
		strftime(when, sizeof(when), COLS < 100 ? "%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
	}
	if (t->live)
		snprintf(right, sizeof(right), " %s  %d/%d  %s ", when, number,
			 t->f->last_number, t->follow ? _("live") : _("paused"));
	else if (t->running)
		snprintf(right, sizeof(right), " %s  %d/%d  %s %.1fs ", when, number,
			 t->f->last_number, _("running"), tui_draw_delay(t) / 1000.0);
	else
		snprintf(right, sizeof(right), " %s  %d/%d  %s ", when, number,
			 t->f->last_number, _("paused"));
	buf_init(&b);
	if (t->live)
		buf_addf(&b, " maillab listen: %s", _("real clients, live"));
	else
		buf_addf(&b, " maillab demo: %s", t->sc ? t->sc->name : "trace");
	if (title != NULL)
		buf_addf(&b, " - %s", title);
	attron(tui_draw_inks[TUI_INK_TITLE]);
	mvhline(0, 0, ' ', COLS);
	attroff(tui_draw_inks[TUI_INK_TITLE]);
	tui_draw_put(0, 0, COLS - (int)strlen(right), b.data, tui_draw_inks[TUI_INK_TITLE]);
	tui_draw_put(0, COLS - (int)strlen(right), (int)strlen(right), right,
		     tui_draw_inks[TUI_INK_TITLE]);
	buf_reset(&b);

	/* Row 1: what this part of the scenario is about; live, where the
	 * listener listens (stdout is the picture). */
	if (t->live) {
		tui_draw_put(1, 1, COLS - 2, t->status ? t->status : "", A_BOLD);
		return;
	}
	for (i = t->cur; i >= 0; i--) {
		if (t->f->step[i].kind == FLOW_SAY) {
			tui_draw_put(1, 1, COLS - 2, flow_say_text(t->f, &t->f->step[i]), tui_draw_inks[TUI_INK_SAY]);
			return;
		}
	}
	if (t->sc != NULL) {
		const char *intro = scenario_text_get(&t->sc->intro, t->lang);

		tui_draw_put(1, 1, COLS - 2, intro ? intro : "", tui_draw_inks[TUI_INK_SAY]);
	}
}

/* ---- the boxes ---- */

struct geom {
	int x, w;		/* the box */
	int mta_x, mda_x, half;	/* the two columns inside */
};

static void box_geom(const struct tui *t, size_t i, struct geom *g)
{
	size_t n = t->layout.nbox ? t->layout.nbox : 1;
	int w = (COLS - (int)(n - 1) * GAP) / (int)n;
	int total, x0;

	if (w > BOX_MAX_W)
		w = BOX_MAX_W;
	total = (int)n * w + (int)(n - 1) * GAP;
	x0 = (COLS - total) / 2;
	if (x0 < 0)
		x0 = 0;
	g->x = x0 + (int)i * (w + GAP);
	g->w = w;
	g->half = (w - 3) / 2;
	/* The MTA faces the next box: on the right in the first of several. */
	if (i == 0 && n > 1) {
		g->mda_x = g->x + 2;
		g->mta_x = g->x + 2 + g->half + 1;
	} else {
		g->mta_x = g->x + 2;
		g->mda_x = g->x + 2 + g->half + 1;
	}
}

static int lit_proc(const struct tui_lit *lit, int box, const char *name)
{
	int k;

	for (k = 0; k < 2; k++)
		if (lit->proc[k] != NULL && lit->proc_box[k] == box &&
		    strcmp(lit->proc[k], name) == 0)
			return 1;
	return 0;
}

/* The Postfix processes in a box, laid out in rows of the MTA column. */
static const char *const mta_rows[4][2] = {
	{ "smtpd", "cleanup" },
	{ "qmgr", "smtp" },
	{ "trivial-rewrite", NULL },
	{ "local", "bounce" },
};

static void draw_box(struct tui *t, size_t bi, const struct tui_lit *lit)
{
	const struct tui_box *bx = &t->layout.box[bi];
	struct geom g;
	int y = DIAGRAM_Y, r, k;
	char title[200];
	size_t i, shown;

	box_geom(t, bi, &g);
	/* Frame. */
	mvaddch(y, g.x, ACS_ULCORNER);
	tui_draw_hline(y, g.x + 1, g.w - 2, 0);
	mvaddch(y, g.x + g.w - 1, ACS_URCORNER);
	for (r = 1; r < BOX_H - 1; r++) {
		mvaddch(y + r, g.x, ACS_VLINE);
		mvaddch(y + r, g.x + g.w - 1, ACS_VLINE);
	}
	mvaddch(y + BOX_H - 1, g.x, ACS_LLCORNER);
	tui_draw_hline(y + BOX_H - 1, g.x + 1, g.w - 2, 0);
	mvaddch(y + BOX_H - 1, g.x + g.w - 1, ACS_LRCORNER);
	if (strcmp(bx->domain, bx->host) == 0)
		snprintf(title, sizeof(title), " %s ", bx->host);
	else
		snprintf(title, sizeof(title), " %s: %s ", bx->domain, bx->host);
	tui_draw_put(y, g.x + 2, g.w - 4, title, A_BOLD);

	/* The clients (MUA) on top. */
	tui_draw_put(y + 1, g.x + 2, g.w - 4, bx->clients ? bx->clients : "", 0);

	/* Row 2: the paths MUA-MTA and MUA-MDA, lit when used. */
	for (k = 0; k < 2; k++) {
		int x = k ? g.mda_x : g.mta_x;
		enum tui_arrow which = k ? TUI_ARROW_MUA_MDA : TUI_ARROW_MUA_MTA;
		int on = lit->arrow == which && lit->box == (int)bi;
		chtype head;

		if (on) {
			/* SMTP goes down to the MTA, IMAP/POP3 replies come up. */
			head = lit->toward_client ? ACS_UARROW : ACS_DARROW;
			attron(tui_draw_inks[TUI_INK_LIT]);
			mvaddch(y + 2, x, head);
			attroff(tui_draw_inks[TUI_INK_LIT]);
			tui_draw_put(y + 2, x + 1, g.half - 1, lit->label, tui_draw_inks[TUI_INK_LIT]);
		} else if (bx->clients != NULL) {
			attron(tui_draw_inks[TUI_INK_DIM]);
			mvaddch(y + 2, x, ACS_VLINE);
			attroff(tui_draw_inks[TUI_INK_DIM]);
		}
	}

	/* Row 3: the two agents. */
	tui_draw_put(y + 3, g.mta_x, g.half, "MTA Postfix",
		     bx->has_mta ? A_BOLD : tui_draw_inks[TUI_INK_DIM]);
	tui_draw_put(y + 3, g.mda_x, g.half, "MDA Dovecot",
		     bx->has_mda ? A_BOLD : tui_draw_inks[TUI_INK_DIM]);

	/* Rows 4-7: Postfix's processes. */
	for (r = 0; r < 4; r++) {
		int x = g.mta_x;

		for (k = 0; k < 2; k++) {
			const char *name = mta_rows[r][k];

			if (name == NULL)
				continue;
			x += tui_draw_put(y + 4 + r, x, g.mta_x + g.half - x, name,
				 lit_proc(lit, (int)bi, name) ? tui_draw_inks[TUI_INK_LIT] : 0);
			x++;
		}
	}
	/* Rows 4-7 of the MDA column: Dovecot and the mailboxes. */
	{
		int on_imap = lit_proc(lit, (int)bi, "imap") ||
			      (lit_proc(lit, (int)bi, "dovecot") && lit->arrow == TUI_ARROW_NONE);
		int x = g.mda_x;

		x += tui_draw_put(y + 4, x, g.half, "imap", on_imap ? tui_draw_inks[TUI_INK_LIT] : 0) + 1;
		tui_draw_put(y + 4, x, g.mda_x + g.half - x, "pop3",
		    lit_proc(lit, (int)bi, "pop3") ? tui_draw_inks[TUI_INK_LIT] : 0);
		tui_draw_put(y + 5, g.mda_x, g.half, _("mailboxes:"), 0);
		for (i = 0, shown = 0; i < t->final.nbox && shown < 2; i++) {
			const struct flow_mbox *fin = &t->final.box[i];
			const struct flow_mbox *now;
			char line[80];

			if (strcmp(fin->host, bx->host) != 0)
				continue;
			now = flow_state_mbox(&t->state, fin->host, fin->user);
			snprintf(line, sizeof(line), "%s: %d", fin->user, now ? now->count : 0);
			tui_draw_put(y + 6 + (int)shown, g.mda_x, g.half, line,
			    lit_proc(lit, (int)bi, "local") ? tui_draw_inks[TUI_INK_LIT] : A_BOLD);
			shown++;
		}
	}
	/* Row 8: the queues. */
	{
		char q[120];

		snprintf(q, sizeof(q), "incoming %zu active %zu deferred %zu",
			 flow_state_count(&t->state, bx->host, "incoming"),
			 flow_state_count(&t->state, bx->host, "active"),
			 flow_state_count(&t->state, bx->host, "deferred"));
		tui_draw_put(y + 8, g.x + 2, g.w - 4, q,
		    flow_state_count(&t->state, bx->host, "deferred") ? tui_draw_inks[TUI_INK_ERROR] : 0);
	}
}

/* The link between two neighbouring boxes, and DNS above it. */
static void draw_gaps(struct tui *t, const struct tui_lit *lit)
{
	size_t i;

	for (i = 0; i + 1 < t->layout.nbox; i++) {
		struct geom g;
		int gx, on, y = DIAGRAM_Y + 5;

		box_geom(t, i, &g);
		gx = g.x + g.w;
		on = lit->arrow == TUI_ARROW_HOSTS &&
		     ((lit->box == (int)i && lit->box2 == (int)i + 1) ||
		      (lit->box2 == (int)i && lit->box == (int)i + 1));
		if (on) {
			/* Client to server, or the reply coming back. */
			int rightwards = (lit->box < lit->box2) != lit->toward_client;

			tui_draw_hline(y, gx, GAP, tui_draw_inks[TUI_INK_LIT]);
			attron(tui_draw_inks[TUI_INK_LIT]);
			mvaddch(y, rightwards ? gx + GAP - 1 : gx, rightwards ? ACS_RARROW : ACS_LARROW);
			attroff(tui_draw_inks[TUI_INK_LIT]);
			tui_draw_put(y - 1, gx + (GAP - (int)strlen(lit->label)) / 2, GAP, lit->label,
			    tui_draw_inks[TUI_INK_LIT]);
		} else {
			tui_draw_hline(y, gx + 1, GAP - 2, tui_draw_inks[TUI_INK_DIM]);
		}
		if (i == 0 && t->layout.has_dns)
			tui_draw_put(DIAGRAM_Y + 1, gx + (GAP - 5) / 2, 5, "[DNS]",
			    lit->arrow == TUI_ARROW_DNS ? tui_draw_inks[TUI_INK_LIT] : tui_draw_inks[TUI_INK_DIM]);
	}
	if (t->layout.nbox == 1 && t->layout.has_dns) {
		struct geom g;

		box_geom(t, 0, &g);
		tui_draw_put(DIAGRAM_Y + 1, g.x + g.w + 2, 5, "[DNS]",
		    lit->arrow == TUI_ARROW_DNS ? tui_draw_inks[TUI_INK_LIT] : tui_draw_inks[TUI_INK_DIM]);
	}
}

/* Row 12: clients from outside every box. */
static void draw_outside(struct tui *t, const struct tui_lit *lit)
{
	int x = 1;
	size_t i;

	for (i = 0; i < t->layout.noutside && x < COLS - 10; i++) {
		int node = t->layout.outside[i];
		int b = t->layout.outside_box[i];
		int on = lit->arrow == TUI_ARROW_OUTSIDE && lit->node == node;
		char line[256];

		snprintf(line, sizeof(line), "%s %s %s %s %s", t->f->node[node].label,
			 on && lit->toward_client ? "<--" : "---",
			 on ? lit->label : "", on && lit->toward_client ? "---" : "-->",
			 b >= 0 ? t->layout.box[b].host : "?");
		x += tui_draw_put(OUTSIDE_Y, x, COLS - x - 1, line, on ? tui_draw_inks[TUI_INK_LIT] : 0) + 3;
	}
}

/* ---- keys and help ---- */

static void draw_keys(struct tui *t)
{
	int used;

	used = tui_draw_put(LINES - 1, 0, COLS, t->live ?
		   _(" space:step b:back Enter:live p:pause +/-:speed f:filter Tab:pane ?:help q:stop") :
		   _(" space:step b:back Enter:run p:pause +/-:speed f:filter Tab:pane ?:help q:quit"),
		   tui_draw_inks[TUI_INK_TITLE]);
	attron(tui_draw_inks[TUI_INK_TITLE]);
	mvhline(LINES - 1, used, ' ', COLS - used);
	attroff(tui_draw_inks[TUI_INK_TITLE]);
}

/* Display columns of UTF-8 text (as tui_draw_put counts them). */
static int text_columns(const char *s)
{
	mbstate_t st;
	size_t left = strlen(s);
	int cols = 0;

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &st);
		int w;

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof(st));
			n = 1;
			w = 1;
		} else {
			w = wcwidth(wc);
			if (w < 0)
				w = 1;
		}
		cols += w;
		s += n;
		left -= n;
	}
	return cols;
}

static void draw_help(struct tui *t)
{
	static const char *const lines[] = {
		N_("space, right arrow   one step on"),
		N_("b, left arrow        one step back"),
		N_("Enter                run the steps by themselves"),
		N_("p                    pause"),
		N_("+ / -                faster / slower"),
		N_("Home / End           first / last step"),
		N_("f                    filter the event list: protocol, then host"),
		N_("Tab                  next pane"),
		N_("?                    this help (any key closes it)"),
		N_("q                    quit"),
	};
	/* Live, two keys mean something else (ui/live.h). */
	static const char *const live_lines[] = {
		N_("Enter                follow the newest step again"),
		N_("q                    stop the listener (the queue is kept)"),
	};
	int w = 62, h = (int)ARRAY_LEN(lines) + 4;
	int y, x, i;

	/* As wide as the longest line in the learner's language needs. */
	for (i = 0; i < (int)ARRAY_LEN(lines); i++)
		if (text_columns(_(lines[i])) + 4 > w)
			w = text_columns(_(lines[i])) + 4;
	for (i = 0; t->live && i < (int)ARRAY_LEN(live_lines); i++)
		if (text_columns(_(live_lines[i])) + 4 > w)
			w = text_columns(_(live_lines[i])) + 4;
	if (w > COLS)
		w = COLS;
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	if (x < 0)
		x = 0;
	for (i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	mvaddch(y, x, ACS_ULCORNER);
	mvhline(y, x + 1, ACS_HLINE, w - 2);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	for (i = 1; i < h - 1; i++) {
		mvaddch(y + i, x, ACS_VLINE);
		mvaddch(y + i, x + w - 1, ACS_VLINE);
	}
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	tui_draw_put(y, x + 2, w - 4, _(" Keys "), A_BOLD);
	for (i = 0; i < (int)ARRAY_LEN(lines); i++) {
		const char *line = _(lines[i]);

		if (t->live && i == 2)
			line = _(live_lines[0]);
		else if (t->live && i == (int)ARRAY_LEN(lines) - 1)
			line = _(live_lines[1]);
		tui_draw_put(y + 2 + i, x + 2, w - 4, line, 0);
	}
}

void tui_draw(struct tui *t)
{
	struct tui_lit lit;
	size_t i;

	erase();
	tui_layout_lit(&t->layout, t->f, tui_draw_step(t), &lit);
	draw_title(t);
	for (i = 0; i < t->layout.nbox; i++)
		draw_box(t, i, &lit);
	draw_gaps(t, &lit);
	draw_outside(t, &lit);
	tui_pane_draw(t);
	draw_keys(t);
	if (t->help)
		draw_help(t);
	refresh();
}
