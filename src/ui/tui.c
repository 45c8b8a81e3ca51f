#include "ui/tui.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tui_possible(void)
{
	const char *term = getenv("TERM");

	return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term != NULL &&
	       *term != '\0' && strcmp(term, "dumb") != 0;
}

int tui_run(const struct flow *f, const struct scenario *sc,
	    const char *lang, struct err *e)
{
	(void)f; (void)sc; (void)lang;
	return err_set(e, 0, "not yet");
}
