/*
 * The page: <h1> title, the introduction, the diagram, then the plain
 * narration in a <pre> (its columns matter), all escaped by svg_escape.
 */
#include "ui/html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/i18n.h"
#include "ui/narrator.h"
#include "ui/svg.h"

int html_write(FILE *out, const struct flow *f, const struct scenario *sc,
	       const char *lang, struct err *e)
{
	const char *title = sc ? scenario_text_get(&sc->title, lang) : NULL;
	const char *intro = sc ? scenario_text_get(&sc->intro, lang) : NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	struct narrator n;
	struct buf b;
	int rc = 0;

	if (mem == NULL)
		return err_set(e, errno, _("cannot write the page: %s"), strerror(errno));
	narrator_init(&n, mem, lang);
	if (sc != NULL)
		narrator_intro(&n, sc);
	narrator_all(&n, f);
	fclose(mem);

	buf_init(&b);
	buf_addf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>",
		 strcmp(lang, "pt_BR") == 0 ? "pt-BR" : "en");
	svg_escape(&b, title ? title : "maillab demo", 0);
	buf_adds(&b, "</title>\n<style>\nbody { font-family: sans-serif; margin: 2em; }\n"
		 "pre { font-size: 14px; background: #f7f7f7; padding: 1em; }\n"
		 ".diagram { overflow-x: auto; }\n</style>\n</head>\n<body>\n<h1>");
	svg_escape(&b, title ? title : "maillab demo", 0);
	buf_adds(&b, "</h1>\n");
	if (intro != NULL) {
		buf_adds(&b, "<p>");
		svg_escape(&b, intro, 0);
		buf_adds(&b, "</p>\n");
	}
	buf_adds(&b, "<div class=\"diagram\">\n");
	svg_render(&b, f, sc, lang);
	buf_adds(&b, "</div>\n<pre>");
	svg_escape(&b, text, 0);
	buf_adds(&b, "</pre>\n</body>\n</html>\n");
	free(text);
	if (fwrite(b.data, 1, b.len, out) != b.len || fflush(out) != 0)
		rc = err_set(e, errno, _("cannot write the page: %s"), strerror(errno));
	buf_reset(&b);
	return rc;
}
