/*
 * tui_draw: painting one frame of the TUI with ncursesw: the title bar,
 * the domain boxes with their processes, queues and mailboxes, the lit
 * arrow of the current step, the panes (protocol, queues, mail.log,
 * events) and the key line. It reads a struct tui and never waits for
 * input; tui.c owns the loop, the keys and the terminal's state.
 */
#ifndef MAILLAB_TUI_DRAW_H
#define MAILLAB_TUI_DRAW_H

#include <curses.h>

#include "sim/scenario.h"
#include "ui/flow.h"
#include "ui/flow_state.h"
#include "ui/tui_layout.h"

enum tui_pane {
	TUI_PANE_PROTOCOL,
	TUI_PANE_QUEUES,
	TUI_PANE_LOG,
	TUI_PANE_EVENTS,
	TUI_NPANES,
};

struct tui {
	const struct flow *f;
	const struct scenario *sc;
	const char *lang;
	struct tui_layout layout;
	struct flow_state state;	/* after steps [0, cur] */
	struct flow_state final;	/* after every step: all mailboxes */
	long cur;		/* index of the step shown; -1 before the first */
	int running;		/* Enter: steps on by itself */
	int speed;		/* index into the delay table */
	enum tui_pane focus;
	int filter;		/* 0 all; then protocols; then hosts */
	int help;		/* the help window is up */
	int color;		/* colours in use */
	char **filters;		/* filter names: "all", "smtp", ..., hosts */
	size_t nfilters;
	/* Live mode (ui/live.h): the flow grows while it is shown. */
	int live;
	int follow;		/* live: show each new step as it comes */
	const char *status;	/* live: row 1, where the listener listens */
	const char *waiting;	/* live: the protocol pane before any client,
				   lines separated by '\n' */
	const struct flow_state *seed;	/* live: the mailboxes at the start,
					   or NULL (all empty) */
};

/* Colour pairs (or, without colour, the attributes that stand in). */
enum tui_ink {
	TUI_INK_NORMAL,
	TUI_INK_LIT,		/* the current arrow and processes */
	TUI_INK_CLIENT,		/* C: lines */
	TUI_INK_SERVER,		/* S: lines */
	TUI_INK_ERROR,		/* 4xx/5xx, -ERR, NO, BAD */
	TUI_INK_LOG,
	TUI_INK_TITLE,
	TUI_INK_SAY,
	TUI_INK_EXPLAIN,
	TUI_INK_DIM,
	TUI_NINKS,
};

void tui_draw_init_colors(struct tui *t);
/* Paints the whole screen for t's current step (erase, draw, refresh). */
void tui_draw(struct tui *t);
/* The delay between steps when running, in ms, for t->speed. */
int tui_draw_delay(const struct tui *t);
/* Number of speeds (for + and -). */
int tui_draw_nspeeds(void);
/* Does step s pass the current filter? */
int tui_draw_filter_ok(const struct tui *t, const struct flow_step *s);

/* Shared with tui_pane.c. The attribute of each ink (set by init_colors). */
extern attr_t tui_draw_inks[TUI_NINKS];
/* UTF-8 text at (y, x), at most maxw columns; returns the columns used. */
int tui_draw_put(int y, int x, int maxw, const char *s, attr_t a);
/* Words wrapped into at most maxrows rows of width w; returns the rows. */
int tui_draw_wrapped(int y, int x, int w, int maxrows, const char *text, attr_t a);
void tui_draw_hline(int y, int x, int w, attr_t a);
/* The step shown, or NULL before the first. */
const struct flow_step *tui_draw_step(const struct tui *t);
/* A reply that reports a failure: SMTP 4xx/5xx, POP3 -ERR, IMAP NO/BAD. */
int tui_draw_is_error(const char *protocol, const char *text);
/* The reply code part of a server line: "250-", "+OK", "a1 OK". */
size_t tui_draw_code_len(const char *protocol, const char *text);

/* The panes (tui_pane.c), from row 13 to the key line. */
void tui_pane_draw(struct tui *t);

#endif
