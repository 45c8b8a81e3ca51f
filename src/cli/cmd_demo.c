/*
 * maillab demo [SCENARIO] [--tui|--plain] [--step] [--trace F.jsonl]
 *              [--svg F.svg] [--html F.html] [--replay F.jsonl] [--list]
 * maillab demo --live [listen options]   (= maillab listen --tui ...)
 *
 * The project's main job: runs a scenario (scenarios/NAME.scn) in a
 * fresh world and shows its trace, as plain narration (the default when
 * stdout is not a terminal) or as the ncurses picture (the default on a
 * terminal), and/or exports it. docs/demo.md is the user's guide.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/err.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "sim/scenario.h"
#include "ui/demo_run.h"
#include "ui/flow.h"
#include "ui/html.h"
#include "ui/jsonl.h"
#include "ui/narrator.h"
#include "ui/svg.h"
#include "ui/tui.h"

enum demo_mode { DEMO_AUTO, DEMO_PLAIN, DEMO_TUI };

struct demo_opts {
	enum demo_mode mode;
	int step;
	const char *scenario;
	const char *trace;
	const char *svg;
	const char *html;
	const char *replay;
	int list;
};

static void usage(FILE *f)
{
	fprintf(f, "%s", _("Usage: maillab demo [SCENARIO] [--tui|--plain] [--step] [--trace FILE.jsonl]\n"
			   "                    [--svg FILE.svg] [--html FILE.html] [--replay FILE.jsonl] [--list]\n"));
	fprintf(f, "%s", _("\nReplays the mail flow of a scenario step by step (default: \"default\").\n"
			   "  --plain    numbered narration on stdout (the default when stdout is not a terminal)\n"
			   "  --tui      the ncurses picture (the default on a terminal)\n"
			   "  --step     plain mode: wait for Enter before each step\n"
			   "  --trace F  write every trace event to F as JSON lines\n"
			   "  --svg F    write a sequence diagram of the whole scenario to F\n"
			   "  --html F   write a web page with the diagram and the narration to F\n"
			   "  --replay F show a trace written by --trace instead of running a scenario\n"
			   "  --list     list the scenarios\n"));
	fprintf(f, "%s", _("  --live     real clients instead of a scenario: the listener with this picture\n"
			   "             (= maillab listen --tui; the options of listen follow)\n"));
}

/* demo --live [listen options]: maillab listen --tui [listen options]. */
static int run_live(struct cli *cli, int argc, char **argv)
{
	char **args = xcalloc((size_t)argc + 2, sizeof(*args));
	char listen[] = "listen", tui[] = "--tui";
	int i, n = 0, rc;

	args[n++] = listen;
	args[n++] = tui;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--live") != 0 && strcmp(argv[i], "--tui") != 0)
			args[n++] = argv[i];
	rc = cmd_listen(cli, n, args);
	free(args);
	return rc;
}

static int parse_args(int argc, char **argv, struct demo_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **target = NULL;

		if (strcmp(a, "--plain") == 0)
			o->mode = DEMO_PLAIN;
		else if (strcmp(a, "--tui") == 0)
			o->mode = DEMO_TUI;
		else if (strcmp(a, "--step") == 0)
			o->step = 1;
		else if (strcmp(a, "--list") == 0)
			o->list = 1;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--trace") == 0)
			target = &o->trace;
		else if (strcmp(a, "--svg") == 0)
			target = &o->svg;
		else if (strcmp(a, "--html") == 0)
			target = &o->html;
		else if (strcmp(a, "--replay") == 0)
			target = &o->replay;
		else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, _("maillab demo: unknown option: %s\n"), a);
			usage(stderr);
			return -1;
		} else if (o->scenario == NULL)
			o->scenario = a;
		else {
			fprintf(stderr, "%s", _("maillab demo: one scenario at a time\n"));
			return -1;
		}
		if (target != NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, _("maillab demo: %s needs a file name\n"), a);
				return -1;
			}
			*target = argv[++i];
		}
	}
	return 0;
}

static int list_scenarios(void)
{
	const char *lang = narrator_lang();
	char **names = scenario_list();
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		char *path = scenario_path(names[i]);
		struct err e;
		struct scenario *sc = scenario_load(path, &e);
		const char *title = sc ? scenario_text_get(&sc->title, lang) : NULL;

		printf("%-18s %s\n", names[i], title ? title : "");
		scenario_free(&sc);
		free(path);
	}
	if (i == 0) {
		char *dir = scenario_dir();

		fprintf(stderr, _("maillab demo: no scenarios in %s\n"), dir);
		free(dir);
		scenario_list_free(&names);
		return 1;
	}
	scenario_list_free(&names);
	return 0;
}

/* Writes one export with fn; 0 or 1 after telling why not. */
static int export_to(const char *path, const struct flow *f,
		     const struct scenario *sc, const char *lang,
		     int (*fn)(FILE *, const struct flow *, const struct scenario *,
			       const char *, struct err *))
{
	FILE *out = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	struct err e;
	int rc;

	if (out == NULL) {
		perror(path);
		return 1;
	}
	rc = fn(out, f, sc, lang, &e);
	if (out != stdout && fclose(out) != 0 && rc == 0) {
		perror(path);
		return 1;
	}
	if (rc < 0) {
		fprintf(stderr, "maillab demo: %s: %s\n", path, e.text);
		return 1;
	}
	return 0;
}

static int write_trace(FILE *out, const struct flow *f, const struct scenario *sc,
		       const char *lang, struct err *e)
{
	(void)sc;
	(void)lang;
	return jsonl_write(out, f, e);
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	const char *lang = narrator_lang();
	struct scenario *sc = NULL;
	struct flow *f = NULL;
	struct demo_opts o;
	struct err e;
	int rc = 1;

	for (rc = 1; rc < argc; rc++)
		if (strcmp(argv[rc], "--live") == 0)
			return run_live(cli, argc, argv);
	rc = 1;
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (o.list)
		return list_scenarios();
	if (o.scenario != NULL || o.replay == NULL) {
		char *path = scenario_path(o.scenario ? o.scenario : "default");

		sc = scenario_load(path, &e);
		free(path);
		if (sc == NULL) {
			fprintf(stderr, "maillab demo: %s\n", e.text);
			fprintf(stderr, "%s", _("maillab demo: see the scenarios with: maillab demo --list\n"));
			return 1;
		}
	}
	f = flow_new();
	if (o.replay != NULL) {
		if (jsonl_read(o.replay, f, &e) < 0) {
			fprintf(stderr, "maillab demo: %s\n", e.text);
			goto out;
		}
	} else if (demo_run(cli->root_opt, sc, lang, f, &e) < 0) {
		fprintf(stderr, "maillab demo: %s\n", e.text);
		goto out;
	}

	rc = 0;
	if (o.trace != NULL)
		rc |= export_to(o.trace, f, sc, lang, write_trace);
	if (o.svg != NULL)
		rc |= export_to(o.svg, f, sc, lang, svg_write);
	if (o.html != NULL)
		rc |= export_to(o.html, f, sc, lang, html_write);
	if (rc != 0)
		goto out;

	/*
	 * An export to stdout ("-") is all that goes there; exports to
	 * files alone show nothing else unless --plain/--tui asks, or
	 * stdout is a terminal (then the picture follows).
	 */
	if ((o.trace && strcmp(o.trace, "-") == 0) || (o.svg && strcmp(o.svg, "-") == 0) ||
	    (o.html && strcmp(o.html, "-") == 0))
		goto out;
	if (o.mode == DEMO_AUTO && (o.trace || o.svg || o.html) && !isatty(STDOUT_FILENO))
		goto out;
	if (o.mode == DEMO_AUTO)
		o.mode = tui_possible() ? DEMO_TUI : DEMO_PLAIN;
	if (o.mode == DEMO_TUI) {
		if (tui_run(f, sc, lang, &e) < 0) {
			fprintf(stderr, "maillab demo: %s\n", e.text);
			rc = 1;
		}
	} else {
		struct narrator n;

		narrator_init(&n, stdout, lang);
		if (o.step) {
			n.step_in = stdin;
			n.prompt = isatty(STDIN_FILENO) ? stderr : NULL;
		}
		if (sc != NULL)
			narrator_intro(&n, sc);
		narrator_all(&n, f);
		if (fflush(stdout) != 0)
			rc = 1;
	}
out:
	flow_free(&f);
	scenario_free(&sc);
	return rc;
}
