/*
 * maillab clock: the world's time (real time plus the offset kept in
 * ROOT/clock). "maillab clock advance 5d" moves it forward and runs
 * everything that falls due on the way, each at its own time: retries,
 * delay warnings, the bounce after maximal_queue_lifetime.
 * "maillab clock reset" goes back to the real time (nothing runs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cmd_pipeline.h"
#include "lib/i18n.h"
#include "sim/clock_store.h"
#include "sim/sim.h"
#include "sim/world.h"

static void show(struct sim *s)
{
	time_t t = (time_t)(sim_now(s) / 1000);
	mtime_t off = sim_now(s) - clock_real_now();
	struct tm tm;
	char buf[64];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S UTC %Y", &tm);
	printf("%s\n", buf);
	if (off > 1000 || off < -1000)
		printf(_("(real time %+lld s)\n"), (long long)(off / 1000));
}

int cmd_clock(struct cli *cli, int argc, char **argv)
{
	char *root = world_root_path(cli->root_opt);
	struct world *w;
	struct sim *s;
	struct err e;
	int rc = 0;

	w = world_open(root, &e);
	free(root);
	if (w == NULL) {
		fprintf(stderr, "maillab clock: %s\n", e.text);
		return 1;
	}
	if (argc >= 2 && strcmp(argv[1], "reset") == 0) {
		if (clock_store_save(w->root, 0, &e) < 0) {
			fprintf(stderr, "maillab clock: %s\n", e.text);
			rc = 1;
		}
	} else if (argc >= 2 && strcmp(argv[1], "advance") != 0) {
		fprintf(stderr, _("Usage: maillab clock [advance DURATION | reset]\n"
				  "DURATION: 30m, 4h, 5d, 1h30m, 2w\n"));
		world_free(&w);
		return 2;
	}
	s = sim_open(w, NULL, &e);
	if (s == NULL) {
		fprintf(stderr, "maillab clock: %s\n", e.text);
		world_free(&w);
		return 1;
	}
	if (argc >= 2 && strcmp(argv[1], "advance") == 0) {
		mtime_t d = argc >= 3 ? clock_store_parse_duration(argv[2]) : -1;

		if (d < 0) {
			fprintf(stderr, _("Usage: maillab clock [advance DURATION | reset]\n"
					  "DURATION: 30m, 4h, 5d, 1h30m, 2w\n"));
			sim_free(&s);
			world_free(&w);
			return 2;
		}
		(void)sim_advance(s, d);
	} else {
		(void)sim_run_due(s);
	}
	show(s);
	sim_free(&s);
	world_free(&w);
	return rc;
}
