/*
 * maillab replay [--keep] [--show] FILE...: runs each transcript in a
 * fresh lab root of its world and prints a unified diff where the
 * server's replies differ (docs/transcripts.md). Exit 0 when all match,
 * 1 when any differs or cannot run, 2 for bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/err.h"
#include "lib/i18n.h"
#include "ui/replay.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: maillab [--root DIR] replay [--keep] [--show] FILE...\n"
		     "  Replays each transcript against a fresh copy of its world and shows\n"
		     "  where the server's replies differ (queue IDs and dates are masked).\n"
		     "  --keep   keep the temporary lab roots (under --root, else $TMPDIR)\n"
		     "  --show   print each session as maillab ran it, in transcript form\n"));
}

int cmd_replay(struct cli *cli, int argc, char **argv)
{
	struct replay_opts o;
	int i, nfiles = 0, ndiff = 0, nerr = 0;

	memset(&o, 0, sizeof(o));
	o.root_parent = cli->root_opt;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--keep") == 0) {
			o.keep = 1;
		} else if (strcmp(argv[i], "--show") == 0) {
			o.actual_out = stdout;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, _("maillab replay: unknown option: %s\n"), argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (; i < argc; i++) {
		struct err e = { "", 0 };
		int rc;

		nfiles++;
		rc = replay_file(argv[i], &o, stdout, &e);
		if (rc < 0) {
			fprintf(stderr, "maillab replay: %s\n", e.text);
			nerr++;
		} else if (rc > 0) {
			ndiff++;
		}
	}
	if (nfiles > 1 || ndiff > 0 || nerr > 0)
		printf(ngettext("replay: %d transcript: %d match, %d differ, %d could not run\n",
				"replay: %d transcripts: %d match, %d differ, %d could not run\n",
				(unsigned long)nfiles),
		       nfiles, nfiles - ndiff - nerr, ndiff, nerr);
	fflush(stdout);
	return ndiff > 0 || nerr > 0 ? 1 : 0;
}
