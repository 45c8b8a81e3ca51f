/*
 * tui_layout: where things go in the TUI's picture, worked out from the
 * flow alone (no curses here, so a unit test can check it): one box per
 * mail host (a node running Postfix or Dovecot), in order of first
 * appearance; each client (MUA, telnet) attached to the box of its own
 * domain (client.a.example -> mail.a.example) or of the server it talks
 * to when it is on the same machine (localhost); the rest are outside
 * clients drawn on a line of their own. And, for one step, which arrow
 * and which process names light up.
 */
#ifndef MAILLAB_TUI_LAYOUT_H
#define MAILLAB_TUI_LAYOUT_H

#include <stddef.h>

#include "ui/flow.h"

enum tui_arrow {
	TUI_ARROW_NONE,
	TUI_ARROW_MUA_MTA,	/* inside box `box`: the client submits (SMTP) */
	TUI_ARROW_MUA_MDA,	/* inside box `box`: the client reads (IMAP, POP3) */
	TUI_ARROW_HOSTS,	/* between boxes `box` (client) and `box2` (server) */
	TUI_ARROW_OUTSIDE,	/* on the outside line: client `node` to box `box2` */
	TUI_ARROW_DNS,		/* box `box` asks DNS */
};

struct tui_box {
	const char *host;	/* borrowed from the flow's nodes */
	char domain[128];	/* "a.example": the host without its first label */
	char *clients;		/* attached clients' labels, ", "-joined; owned */
	int has_mta, has_mda;
};

struct tui_lit {
	enum tui_arrow arrow;
	int box, box2;		/* box indexes or -1 */
	int node;		/* TUI_ARROW_OUTSIDE: the outside client's node */
	int toward_client;	/* the step's last line is a reply */
	char label[32];		/* "SMTP :25" */
	const char *proc[2];	/* process basenames to light ("smtp", "smtpd") */
	int proc_box[2];	/* ... in these boxes (-1: none) */
};

struct tui_layout {
	struct tui_box *box;
	size_t nbox;
	int *node_box;		/* per flow node: its box, or -1 (outside/DNS) */
	int *outside;		/* outside client nodes, in order */
	size_t noutside;
	int *outside_box;	/* ... and the box each one talks to */
	int has_dns;
};

void tui_layout_build(struct tui_layout *l, const struct flow *f);
void tui_layout_free(struct tui_layout *l);
/* What step s lights up. */
void tui_layout_lit(const struct tui_layout *l, const struct flow *f,
		    const struct flow_step *s, struct tui_lit *out);
/* "postfix/submission/smtpd" -> "smtpd"; "dovecot/imap" -> "imap". */
const char *tui_layout_basename(const char *process);

#endif
