/*
 * trace: the one stream of everything that happens in the world (DESIGN.md,
 * "Layers"): a line sent, a reply, a queue move, a delivery, a log line.
 * The narrator, the TUI, the exporters and the lab checker all read it.
 * Producers fill a struct trace_event on the stack and hand it to a sink;
 * every string in it is borrowed for the duration of the call only.
 */
#ifndef MAILLAB_TRACE_H
#define MAILLAB_TRACE_H

#include <stddef.h>

#include "clock.h"

enum trace_dir {
	TRACE_DIR_NONE,		/* something that happened inside a host */
	TRACE_DIR_IN,		/* bytes received by `host` from `peer` */
	TRACE_DIR_OUT,		/* bytes sent by `host` to `peer` */
};

struct trace_event {
	mtime_t time;
	const char *host;	/* "mail.b.example" */
	const char *process;	/* "postfix/smtpd", "dovecot/imap", "MUA" */
	const char *peer;	/* "localhost[127.0.0.1]" or NULL */
	const char *protocol;	/* "smtp", "pop3", "imap", "queue", "log" */
	enum trace_dir direction;
	const char *text;	/* one line, without CRLF */
	const char *note;	/* short learner-facing remark, or NULL */
};

struct trace_sink {
	void (*emit)(void *ctx, const struct trace_event *ev);
	void *ctx;
};

static inline void trace_emit(const struct trace_sink *s,
			      const struct trace_event *ev)
{
	if (s != NULL && s->emit != NULL)
		s->emit(s->ctx, ev);
}

const char *trace_dir_name(enum trace_dir d);

#endif
