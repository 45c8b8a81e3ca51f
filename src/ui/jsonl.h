/*
 * jsonl: the trace as JSON Lines, one trace event an object a line
 * (schema in docs/demo.md, "--trace"):
 *
 *   {"seq":1,"time_ms":1795903190000,"time":"2026-11-28T21:59:50.000Z",
 *    "step":1,"host":"mail.a.example","process":"postfix/smtpd",
 *    "peer":"client.a.example[192.0.2.100]","protocol":"smtp",
 *    "direction":"in","text":"EHLO client.a.example","note":null,
 *    "dup":false}
 *
 * Strings are UTF-8; a byte that is not part of valid UTF-8 is written as
 * \u00XX (its Latin-1 reading), so the file is always valid JSON. The
 * reader takes back what the writer writes (and ignores unknown keys),
 * so an exported trace can be replayed by `maillab demo --replay`.
 */
#ifndef MAILLAB_JSONL_H
#define MAILLAB_JSONL_H

#include <stdio.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "ui/flow.h"

/* Appends one event as a JSON object and "\n" to b. */
void jsonl_event(struct buf *b, const struct trace_event *ev, size_t seq,
		 int step, int dup);
/* Writes every event of f, in order. 0, or -1 with e on a write error. */
int jsonl_write(FILE *out, const struct flow *f, struct err *e);

/*
 * Parses one line into *ev; the strings point into *strings_out's memory
 * (the caller buf_reset()s it after use). 1 on success, 0 for a blank
 * line, -1 with e for anything else.
 */
int jsonl_parse(const char *line, struct trace_event *ev,
		struct buf *strings_out, struct err *e);
/* Reads a whole file into f (flow_add for each event). 0, or -1 with e
 * naming the file and line. */
int jsonl_read(const char *path, struct flow *f, struct err *e);

#endif
