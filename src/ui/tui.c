/*
 * The TUI's loop: keys, the run timer, resizing, and the terminal's
 * safety. The terminal is given back (endwin) on every way out: q, the
 * end of input, an error, SIGINT, SIGTERM (their handlers only set a
 * flag the loop checks; getch wakes up with ERR) and, for a crash in
 * between, an atexit hook.
 */
#include "ui/tui.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "ui/tui_draw.h"

static volatile sig_atomic_t stop_signal;
static int curses_on;
static int atexit_done;

static void on_signal(int sig)
{
	stop_signal = sig;
}

int tui_possible(void)
{
	const char *term = getenv("TERM");

	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term != NULL &&
	       *term != '\0' && strcmp(term, "dumb") != 0;
}

static void add_filter(struct tui *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nfilters; i++)
		if (strcmp(t->filters[i], name) == 0)
			return;
	t->filters = xrealloc(t->filters, (t->nfilters + 1) * sizeof(*t->filters));
	t->filters[t->nfilters++] = xstrdup(name);
}

static void free_filters(struct tui *t)
{
	size_t i;

	for (i = 0; i < t->nfilters; i++)
		free(t->filters[i]);
	free(t->filters);
	t->filters = NULL;
	t->nfilters = 0;
}

/* "all", then each protocol that talks, "mail.log", then each host. */
static void build_filters(struct tui *t)
{
	size_t i;

	add_filter(t, "all");
	for (i = 0; i < t->f->nstep; i++)
		if (t->f->step[i].kind == FLOW_TALK)
			add_filter(t, t->f->step[i].protocol);
	add_filter(t, "mail.log");
	for (i = 0; i < t->layout.nbox; i++)
		add_filter(t, t->layout.box[i].host);
}

static void go_to(struct tui *t, long step)
{
	if (step < -1)
		step = -1;
	if (step >= (long)t->f->nstep)
		step = (long)t->f->nstep - 1;
	t->cur = step;
	flow_state_at_from(&t->state, t->seed, t->f, (size_t)(t->cur + 1));
}

void tui_init(struct tui *t, const struct flow *f, const struct scenario *sc,
	      const char *lang)
{
	memset(t, 0, sizeof(*t));
	t->f = f;
	t->sc = sc;
	t->lang = lang;
	t->cur = -1;
	t->speed = 2;
	tui_layout_build(&t->layout, f);
	flow_state_init(&t->state);
	flow_state_init(&t->final);
	flow_state_at(&t->final, f, f->nstep);
	build_filters(t);
}

void tui_fini(struct tui *t)
{
	flow_state_reset(&t->state);
	flow_state_reset(&t->final);
	tui_layout_free(&t->layout);
	free_filters(t);
}

/*
 * The flow has new events: the boxes, the filters and the final state
 * again (a new host or protocol may have come), the filter kept by name;
 * following, the newest step is shown.
 */
void tui_flow_grew(struct tui *t)
{
	char *filter = t->filter > 0 && (size_t)t->filter < t->nfilters ?
		       xstrdup(t->filters[t->filter]) : NULL;
	size_t i;

	tui_layout_free(&t->layout);
	tui_layout_build(&t->layout, t->f);
	free_filters(t);
	build_filters(t);
	t->filter = 0;
	for (i = 0; filter != NULL && i < t->nfilters; i++)
		if (strcmp(t->filters[i], filter) == 0)
			t->filter = (int)i;
	free(filter);
	flow_state_at_from(&t->final, t->seed, t->f, t->f->nstep);
	go_to(t, t->cur);
}

int tui_advance(struct tui *t)
{
	if (t->cur + 1 >= (long)t->f->nstep)
		return 0;
	go_to(t, t->cur + 1);
	return 1;
}

/* Live: at the newest step, stepping on means following again. */
static void live_at_end(struct tui *t)
{
	if (t->live && t->cur + 1 >= (long)t->f->nstep)
		t->follow = 1;
}

int tui_key(struct tui *t, int ch)
{
	if (t->help && ch != ERR && ch != KEY_RESIZE) {
		t->help = 0;
		return 0;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return 1;
	case ' ':
	case KEY_RIGHT:
	case 'n':
		go_to(t, t->cur + 1);
		live_at_end(t);
		break;
	case 'b':
	case KEY_LEFT:
	case KEY_BACKSPACE:
		t->running = 0;
		t->follow = 0;
		go_to(t, t->cur - 1);
		break;
	case KEY_HOME:
		t->follow = 0;
		go_to(t, -1);
		break;
	case KEY_END:
		go_to(t, (long)t->f->nstep - 1);
		live_at_end(t);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		/* live: catch up at the chosen speed, then follow */
		if (t->live)
			t->follow = 1;
		else
			t->running = 1;
		break;
	case 'p':
		t->running = 0;
		t->follow = 0;
		break;
	case '+':
	case '=':
		if (t->speed + 1 < tui_draw_nspeeds())
			t->speed++;
		break;
	case '-':
		if (t->speed > 0)
			t->speed--;
		break;
	case 'f':
		t->filter = (int)((size_t)(t->filter + 1) % t->nfilters);
		break;
	case '\t':
		t->focus = (enum tui_pane)((t->focus + 1) % TUI_NPANES);
		break;
	case KEY_BTAB:
		t->focus = (enum tui_pane)((t->focus + TUI_NPANES - 1) % TUI_NPANES);
		break;
	case '?':
	case 'h':
		t->help = 1;
		break;
	default:
		break;
	}
	return 0;
}

int tui_term_open(struct tui *t, int nowait, struct err *e)
{
	/*
	 * No locale asked for at all (LANG unset): the "C" locale cannot
	 * decode the UTF-8 of the Portuguese text; terminals today speak
	 * UTF-8, so use it for the characters (not the language).
	 */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0 && getenv("LC_ALL") == NULL &&
	    getenv("LC_CTYPE") == NULL && getenv("LANG") == NULL)
		setlocale(LC_CTYPE, "C.UTF-8");
	if (!atexit_done) {
		atexit(tui_term_close);
		atexit_done = 1;
	}
	if (newterm(NULL, stdout, stdin) == NULL)
		return err_set(e, 0, _("cannot draw on this terminal (TERM=%s); try --plain"),
			       getenv("TERM") ? getenv("TERM") : "");
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	if (nowait)
		nodelay(stdscr, TRUE);
	curs_set(0);
	tui_draw_init_colors(t);
	return 0;
}

void tui_term_close(void)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
}

void tui_frame(struct tui *t)
{
	if (COLS < 80 || LINES < 24) {
		erase();
		mvprintw(0, 0, t->live
			 ? _("maillab listen --tui needs a terminal of at least 80x24 (this one: %dx%d).")
			 : _("maillab demo needs a terminal of at least 80x24 (this one: %dx%d)."),
			 COLS, LINES);
		mvprintw(1, 0, "%s", _("Make it larger, or press q to quit."));
		refresh();
	} else {
		tui_draw(t);
	}
}

int tui_run(const struct flow *f, const struct scenario *sc,
	    const char *lang, struct err *e)
{
	struct sigaction sa, old_int, old_term;
	struct tui t;
	int rc = 0;

	tui_init(&t, f, sc, lang);

	/* Our handlers first: ncurses leaves alone a signal already handled. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	stop_signal = 0;

	rc = tui_term_open(&t, 0, e);
	if (rc < 0)
		goto out;

	for (;;) {
		int ch;

		tui_frame(&t);
		timeout(t.running ? tui_draw_delay(&t) : -1);
		ch = getch();
		if (stop_signal)
			break;
		if (ch == ERR) {
			if (t.running && !tui_advance(&t))
				t.running = 0;
			continue;
		}
		if (ch == KEY_RESIZE)
			continue;	/* LINES and COLS are new: draw again */
		if (tui_key(&t, ch))
			break;
	}
out:
	tui_term_close();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	tui_fini(&t);
	/* Killed: leave as the signal asked, the terminal already sane. */
	if (stop_signal) {
		int sig = (int)stop_signal;

		stop_signal = 0;
		if (sig == SIGTERM || sig == SIGINT) {
			signal(sig, SIG_DFL);
			raise(sig);
		}
	}
	return rc;
}
