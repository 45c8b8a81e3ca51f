/*
 * listen_trace: `maillab listen --trace FILE`: every trace event of the
 * running world (real sessions' lines in and out, log lines, queue moves,
 * deliveries) appended to FILE as JSON Lines, one event a line, flushed at
 * once so that a picture or a lab checker can follow real clients live
 * (`tail -f`). The schema is the demo's (docs/demo.md, "--trace"):
 *
 *   {"seq":1,"time_ms":...,"time":"2026-11-28T21:59:50.000Z","step":0,
 *    "host":"centos.localdomain","process":"postfix/smtpd",
 *    "peer":"localhost[127.0.0.1]","protocol":"smtp","direction":"in",
 *    "text":"EHLO client.example","note":null,"dup":false}
 *
 * Secrets never reach the file: what a client sends to authenticate
 * (SMTP AUTH and its responses, POP3 PASS and AUTH, IMAP LOGIN and
 * AUTHENTICATE) is written with the credentials replaced by "***".
 */
#ifndef MAILLAB_LISTEN_TRACE_H
#define MAILLAB_LISTEN_TRACE_H

#include "lib/err.h"
#include "lib/trace.h"

struct listen_trace;

/* Opens path for appending ("-": standard output). NULL with e set. */
struct listen_trace *listen_trace_open(const char *path, struct err *e);
/* The sink that writes to t (valid until listen_trace_close). */
struct trace_sink listen_trace_sink(struct listen_trace *t);
void listen_trace_close(struct listen_trace **tp);

/*
 * The line as it may be shown: credentials masked. in: the client's line
 * (direction in), protocol "smtp", "pop3" or "imap"; *sasl_pending says a
 * SASL exchange is under way (the server's last line was a challenge:
 * "334 ", "+ "), so the line is a response and is masked whole. Returns
 * text itself when nothing is masked, else a new string in *owned (the
 * caller frees it).
 */
const char *listen_trace_mask(const char *protocol, const char *text,
			      int sasl_pending, char **owned);

#endif
