/*
 * svg: the whole scenario as a sequence diagram for slides: a lane per
 * node (the MUAs, each Postfix and Dovecot process that acts, outside
 * clients), one arrow per protocol line (class "line", client lines and
 * server lines coloured apart, 4xx/5xx replies in red), mail.log lines
 * and queue moves as notes on their process's lane, and the scenario's
 * own narration as bands across. Long lines are cut with an ellipsis;
 * each arrow's <title> holds the full line. Large type, for a projector.
 */
#ifndef MAILLAB_SVG_H
#define MAILLAB_SVG_H

#include <stdio.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "sim/scenario.h"
#include "ui/flow.h"

/* Appends the <svg> element (no XML declaration) to b. sc may be NULL. */
void svg_render(struct buf *b, const struct flow *f, const struct scenario *sc,
		const char *lang);
/* A standalone SVG file. 0, or -1 with e on a write error. */
int svg_write(FILE *out, const struct flow *f, const struct scenario *sc,
	      const char *lang, struct err *e);

/* Appends s with & < > " escaped, tab as "\t", other control bytes but
 * LF and invalid UTF-8 as "\xNN" (XML 1.0 allows neither), at most max
 * characters (0: all), an ellipsis marking a cut. */
void svg_escape(struct buf *b, const char *s, size_t max);

/* The lanes: node indexes of f in left-to-right order; caller frees. */
int *svg_lanes(const struct flow *f, size_t *n_out);

#endif
