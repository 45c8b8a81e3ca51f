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

/* Nonzero when stdin and stdout are terminals and TERM can draw. */
int tui_possible(void);
/* Shows f until the user quits. sc may be NULL. 0, or -1 with e. */
int tui_run(const struct flow *f, const struct scenario *sc,
	    const char *lang, struct err *e);

#endif
