/*
 * flow: the trace stream (lib/trace.h) cut into the steps a learner
 * follows. The narrator, the TUI and the exporters all read a struct flow,
 * so they agree on what step 7 is.
 *
 * A step is one of:
 *   SAY   a scenario action's own narration (a "scenario" trace event);
 *   TALK  protocol lines between two nodes: a command (or a greeting) and
 *         the reply to it, e.g. "MAIL FROM:<alice@a.example>" / "250 2.1.0 Ok";
 *   WORK  what one process does inside a host: queue moves, deliveries,
 *         DNS lookups, mail.log lines.
 * mail.log lines of the process that is talking are attached to its TALK
 * step. A node is one process on one host ("mail.a.example postfix/smtpd"),
 * a mail user agent ("MUA" on its client host) or an outside client.
 *
 * When both ends of a virtual link trace the same line (the client as
 * "out", the server as "in"), both are kept and paired, and the earlier
 * is marked a duplicate: steps and exports show each line once.
 *
 * flow knows nothing of terminals or files: it is a pure function of the
 * events fed to it, so a test can build one from a hand-made event list.
 */
#ifndef MAILLAB_FLOW_H
#define MAILLAB_FLOW_H

#include <stddef.h>

#include "lib/trace.h"

enum flow_kind {
	FLOW_SAY,
	FLOW_TALK,
	FLOW_WORK,
};

/* What a node is, for placing it in a picture. */
enum flow_role {
	FLOW_ROLE_MUA,		/* a mail user agent (process "MUA") */
	FLOW_ROLE_MTA,		/* a Postfix process (postfix/...) */
	FLOW_ROLE_MDA,		/* a Dovecot process (dovecot/...) */
	FLOW_ROLE_DNS,		/* the virtual DNS */
	FLOW_ROLE_CLIENT,	/* an outside client (telnet, a stranger) */
	FLOW_ROLE_OTHER,
};

struct flow_node {
	char *host;		/* "mail.a.example", "client.a.example", "outside.example" */
	char *process;		/* "postfix/smtpd", "MUA", "client" */
	char *site;		/* a loopback client ("localhost"): the machine it
				   runs on, i.e. the server it talks to; else NULL */
	char *owner;		/* a MUA's user, once its MAIL FROM, USER or
				   LOGIN says so ("alice"); else NULL */
	char *label;		/* "mail.a.example postfix/smtpd", "MUA alice (localhost)" */
	enum flow_role role;
};

struct flow_ev {
	struct trace_event ev;	/* every string owned (strdup'd) */
	size_t step;		/* index into flow.step */
	int dup;		/* hidden: the other end traced the same line,
				   and that (later) copy is the one shown */
	int paired;		/* matched with its copy from the other end */
	int from_client;	/* lines: sent by the client side ("C:") */
};

struct flow_step {
	enum flow_kind kind;
	size_t *evi;		/* its events, indexes into flow.ev, ascending;
				   a reply may come after another process's
				   work (cleanup before "250 ... queued as") */
	size_t n;
	int number;		/* 1, 2, ... for TALK and WORK; 0 for SAY */
	int node;		/* the acting node (TALK: the client side) */
	int peer;		/* TALK: the server side; else -1 */
	const char *protocol;	/* borrowed from an event: "smtp", "queue" */
	int port;		/* TALK: 25, 587, 110, 143...; else 0 */
	mtime_t time;		/* of its first event */
};

struct flow {
	struct flow_ev *ev;
	size_t nev;
	struct flow_step *step;
	size_t nstep;
	struct flow_node *node;
	size_t nnode;
	int last_number;
	size_t cap_ev, cap_step;
	/* Live (`maillab listen --tui`): a server's peer named "localhost"
	 * or "unknown" is a real client from outside the world, one node
	 * per address: "client 127.0.0.1". Set before the first flow_add. */
	int live;
};

struct flow *flow_new(void);
void flow_free(struct flow **fp);

/* Copies one event in and files it under a step (a new one or the last). */
void flow_add(struct flow *f, const struct trace_event *ev);
/* A trace sink that calls flow_add (ctx is the flow). */
struct trace_sink flow_sink(struct flow *f);

/* Protocol lines ("smtp", "pop3", "imap", "lmtp") as opposed to work. */
int flow_is_line_protocol(const char *protocol);
/* The server side's process ("postfix/smtpd", "dovecot/imap", "imap-login"). */
int flow_is_server_process(const char *process);
/* "SMTP :25", "IMAP :143", "DNS", "queue" into buf (never longer than n-1). */
void flow_step_label(const struct flow *f, const struct flow_step *s,
		     char *buf, size_t n);
/* The text of a mail.log event without the rsyslog timestamp and host
 * ("postfix/qmgr[13653]: 1F3A...: removed"); borrowed from text. */
const char *flow_log_short(const char *text);
/* How mail.log names a process: "postfix/qmgr"; "dovecot" for every
 * Dovecot process. NULL for NULL. */
const char *flow_log_process(const char *process);
/* The step's first event of kind SAY: its text (the note, else text). */
const char *flow_say_text(const struct flow *f, const struct flow_step *s);

/* The node of a process on a host (not a loopback client), or -1. */
int flow_node_find(const struct flow *f, const char *host, const char *process);
/* "localhost", "127.0.0.1", "::1". */
int flow_is_loopback(const char *host);

/* Number of visible (non-duplicate) events of a step. */
size_t flow_step_lines(const struct flow *f, const struct flow_step *s);

/* Length of the valid UTF-8 sequence at s (1 to 4 bytes), or 0 when the
 * bytes there are not valid UTF-8 (the exporters escape those). */
size_t flow_utf8_len(const unsigned char *s);

#endif
