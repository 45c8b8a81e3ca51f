/*
 * tui: the demo as an ncurses picture (`maillab demo --tui`, the default
 * on a terminal). The domains are boxes; inside each, the MUA, the MTA
 * with its processes (smtpd, cleanup, qmgr, trivial-rewrite, smtp, local)
 * and the MDA (imap, pop3) with the mailboxes. The arrow of the current
 * step lights up, labelled with protocol and port ("SMTP :25"). Panes:
 * the protocol lines of the current step (client and server coloured
 * apart, reply codes highlighted and explained), the queues and
 * mailboxes of each host, mail.log, and the list of every step so far
 * (filterable by protocol and host). One can step back as well as on.
 *
 * Keys: space one step, b one back, Enter run, p pause, + / - speed,
 * f filter, Tab next pane, ? help, q quit. 80x24 and up; redraws on
 * resize; without colour under NO_COLOR or a terminal without colours;
 * the terminal is always given back in order (endwin on exit, error,
 * SIGINT, SIGTERM).
 */
#ifndef MAILLAB_TUI_H
#define MAILLAB_TUI_H

#include "lib/err.h"
#include "sim/scenario.h"
#include "ui/flow.h"

struct tui;

/* Nonzero when stdin and stdout are terminals and TERM can draw. */
int tui_possible(void);
/* Shows f until the user quits. sc may be NULL. 0, or -1 with e. */
int tui_run(const struct flow *f, const struct scenario *sc,
	    const char *lang, struct err *e);

/*
 * The pieces of tui_run, for a loop that is not ours (ui/live.h runs
 * them from the listener's epoll loop). tui_init: t shows f (which may
 * grow: call tui_flow_grew after adding events); tui_fini frees what
 * tui_init made. tui_term_open: curses on the terminal (stdout, stdin),
 * keys without waiting when nowait; 0, or -1 with e. tui_term_close:
 * the terminal given back; harmless when not open (also registered with
 * atexit). tui_key: one key; 1 when it asks to quit. tui_frame: paints
 * the screen (or says it is too small). tui_advance: one step on, as the
 * run timer does; 0 when already at the last step.
 */
void tui_init(struct tui *t, const struct flow *f, const struct scenario *sc,
	      const char *lang);
void tui_fini(struct tui *t);
void tui_flow_grew(struct tui *t);
int tui_term_open(struct tui *t, int nowait, struct err *e);
void tui_term_close(void);
int tui_key(struct tui *t, int ch);
void tui_frame(struct tui *t);
int tui_advance(struct tui *t);

#endif
