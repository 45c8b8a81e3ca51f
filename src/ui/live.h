/*
 * live: the classroom mode, `maillab listen --tui` (and `maillab demo
 * --live`). The listener and the demo's picture in one process: what
 * real clients do (a student's telnet, swaks, Thunderbird, a script with
 * smtplib) shows up as it happens, the client as an outside node
 * ("client 127.0.0.1") whose lines scroll in the protocol pane, then its
 * message going through the world like any other (smtpd, cleanup, qmgr,
 * local or smtp, the mailbox; POP3/IMAP when a client fetches).
 *
 * How the events get here: the listener writes its trace (net/
 * listen_trace.h, the demo's schema) to a file, and so does its queue
 * manager process (a child: its deliveries are not in our memory).
 * live reads that file from the listener's own epoll loop, on a short
 * timer, and adds each new event to a growing struct flow that the TUI
 * shows. The terminal is read from the same loop: no threads, and only
 * this loop touches curses. Without --trace the file is an unlinked
 * temporary one, so nothing is left behind.
 *
 * The listener's "listening: ..." lines, which would go to stdout (the
 * terminal), are caught and shown on the picture's status line; what is
 * written to stderr while the picture is up is kept and written out once
 * the terminal is given back. q stops the listener as SIGTERM does (the
 * queue stays); Ctrl-C and SIGTERM do the same; the terminal is always
 * restored (endwin).
 */
#ifndef MAILLAB_LIVE_H
#define MAILLAB_LIVE_H

#include "lib/err.h"
#include "net/listener.h"

struct live;
struct world;

/*
 * Sets o up for live mode: its trace (o->trace_path as given, which must
 * be a file, or a temporary file), its announce stream (caught) and its
 * loop hook; the mailboxes of w's hosts (o->hosts, else all) counted as
 * they are now. Call listener_run(w, o, e) next, then live_free. NULL
 * with e set (a trace file that cannot be read, "-" for stdout).
 */
struct live *live_new(struct listener_opts *o, const struct world *w,
		      const char *lang, struct err *e);
/* The terminal given back (if the picture was up), what went to stderr
 * meanwhile written to it, everything freed. Returns nonzero when the
 * picture could not be shown (its reason already on stderr). */
int live_free(struct live **lp);

#endif
