/*
 * html: one self-contained web page of a scenario for a class or a
 * handout: the title and introduction, the sequence diagram (svg.c)
 * inline, and the narration (narrator.c) below it. No script, no
 * external file.
 */
#ifndef MAILLAB_HTML_H
#define MAILLAB_HTML_H

#include <stdio.h>

#include "lib/err.h"
#include "sim/scenario.h"
#include "ui/flow.h"

/* 0, or -1 with e on a write error. sc may be NULL. */
int html_write(FILE *out, const struct flow *f, const struct scenario *sc,
	       const char *lang, struct err *e);

#endif
