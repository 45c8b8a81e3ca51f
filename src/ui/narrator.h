/*
 * narrator: the demo as plain text (`maillab demo --plain`, and whenever
 * stdout is not a terminal). Each step numbered, naming the node and
 * process that acts, the protocol and port, the exact lines with their
 * reply codes ("C:"/"S:" as in transcripts/, control bytes escaped the
 * same way), mail.log lines, and one short explanation. Output depends
 * only on the flow, the scenario and the language: the golden files in
 * tests/golden/demo/ are this output.
 */
#ifndef MAILLAB_NARRATOR_H
#define MAILLAB_NARRATOR_H

#include <stdio.h>

#include "lib/buf.h"
#include "sim/scenario.h"
#include "ui/flow.h"

struct narrator {
	FILE *out;
	const char *lang;	/* for the scenario's own text */
	int width;		/* wrap explanations at this column (72) */
	mtime_t last_time;	/* of the last step told; 0 before the first */
	FILE *step_in;		/* --step: wait for Enter on this; NULL: don't */
	FILE *prompt;		/* where the Enter prompt goes (stderr) */
};

void narrator_init(struct narrator *n, FILE *out, const char *lang);
/* The title, the world and the scenario's introduction. */
void narrator_intro(struct narrator *n, const struct scenario *sc);
/* One step. Returns -1 when --step's input ended or the user typed q. */
int narrator_step(struct narrator *n, const struct flow *f,
		  const struct flow_step *s);
/* Every step of f, then the summary. -1 as narrator_step. */
int narrator_all(struct narrator *n, const struct flow *f);
/* What is where at the end: queues and mailboxes per host. */
void narrator_summary(struct narrator *n, const struct flow *f);

/* A protocol line as the narrator shows it: tab, CR, LF and other control
 * bytes and invalid UTF-8 escaped ("\t", "\r", "\xNN") as in transcripts/
 * (reference/README.md, "Transcript format"); the rest as it is. */
void narrator_escape(struct buf *b, const char *line);
/* The language of the catalogue in use, as scenario files name it
 * ("en", "pt_BR"): gettext's own choice. */
const char *narrator_lang(void);
/* "20 min", "5 d 2 h", "45 s" for a span of virtual time; into buf. */
void narrator_span(mtime_t ms, char *buf, size_t n);

#endif
