/*
 * demo_run: where a demo's trace comes from. It runs the scenario in a
 * fresh world (a lab root of its own, so that what the learner sees does
 * not depend on earlier runs and is the same every time) and collects
 * every trace event into a flow.
 */
#ifndef MAILLAB_DEMO_RUN_H
#define MAILLAB_DEMO_RUN_H

#include "lib/err.h"
#include "sim/scenario.h"
#include "ui/flow.h"

/*
 * Runs sc; root_opt is --root (NULL: $MAILLAB_ROOT or the default root).
 * The world is made in ROOT/demo/<scenario>/, emptied first, and left
 * there for the learner to look at. lang picks the scenario's text for
 * the narration events. 0, or -1 with e.
 */
int demo_run(const char *root_opt, const struct scenario *sc,
	     const char *lang, struct flow *f, struct err *e);

#endif
