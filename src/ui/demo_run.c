/*
 * XXX until the simulator (src/sim/sim.h) lands, a scenario is shown
 * from its recorded trace, scenarios/recorded/NAME.jsonl, when there is
 * one.
 */
#include "ui/demo_run.h"

#include <stdlib.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "ui/jsonl.h"

int demo_run(const char *root_opt, const struct scenario *sc,
	     const char *lang, struct flow *f, struct err *e)
{
	char *dir = scenario_dir();
	char *path = xasprintf("%s/recorded/%s.jsonl", dir, sc->name);
	int rc;

	(void)root_opt;
	(void)lang;
	free(dir);
	if (access(path, R_OK) != 0) {
		rc = err_set(e, 0, _("scenario %s: the simulator is not in this build yet"),
			     sc->name);
		free(path);
		return rc;
	}
	rc = jsonl_read(path, f, e);
	free(path);
	return rc;
}
