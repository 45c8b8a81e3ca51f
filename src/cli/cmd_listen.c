/*
 * maillab listen [--host H]... [--addr A] [--port-offset N | --real-ports]
 *                [--max-connections N] [--trace FILE.jsonl] [--tui]
 * Real sockets into the simulated world (DESIGN.md, "Commands"). With
 * --tui, the demo's picture of what real clients do, live (ui/live.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "net/listener.h"
#include "ui/live.h"
#include "ui/narrator.h"
#include "ui/tui.h"
#include "sim/world.h"

static int is_loopback(const char *a)
{
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0;
}

/* After binding real ports as root: become the lab root's owner. */
static void drop_privileges(void *ctx)
{
	const char *root = ctx;
	struct stat st;

	if (geteuid() != 0 || stat(root, &st) < 0 || st.st_uid == 0)
		return;
	if (setgid(st.st_gid) < 0 || setuid(st.st_uid) < 0) {
		fprintf(stderr, _("maillab listen: cannot drop privileges\n"));
		exit(1);
	}
}

int cmd_listen(struct cli *cli, int argc, char **argv)
{
	struct listener_opts o;
	const char **hosts = xcalloc((size_t)argc, sizeof(*hosts));
	struct world *w;
	struct live *live = NULL;
	struct err e;
	char *root;
	int i, rc, tui = 0;

	memset(&o, 0, sizeof(o));
	o.port_offset = 10000;
	o.announce = stdout;
	o.hosts = hosts;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) {
			hosts[o.nhosts++] = argv[++i];
		} else if (strcmp(argv[i], "--addr") == 0 && i + 1 < argc) {
			o.addr = argv[++i];
		} else if (strcmp(argv[i], "--port-offset") == 0 && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*end != '\0' || n < 0 || n > 60000) {
				free(hosts);
				return cli_usage_error("listen", _("--port-offset takes a number from 0 to 60000"));
			}
			o.port_offset = (int)n;
		} else if (strcmp(argv[i], "--max-connections") == 0 && i + 1 < argc) {
			char *end;
			long n = strtol(argv[++i], &end, 10);

			if (*end != '\0' || n < 1) {
				free(hosts);
				return cli_usage_error("listen", _("--max-connections takes a positive number"));
			}
			o.max_conns = (size_t)n;
		} else if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc) {
			o.trace_path = argv[++i];
		} else if (strcmp(argv[i], "--real-ports") == 0) {
			o.real_ports = 1;
		} else if (strcmp(argv[i], "--tui") == 0) {
			tui = 1;
		} else {
			free(hosts);
			fprintf(stderr, _("Usage: maillab listen [--host H]... [--addr A] [--port-offset N | --real-ports] [--max-connections N] [--trace FILE] [--tui]\n"));
			return 2;
		}
	}
	if (o.addr && !is_loopback(o.addr))
		fprintf(stderr, _("maillab listen: warning: listening on %s, not only on loopback: "
				  "machines that reach it can use this lab server. Clients outside "
				  "mynetworks may only send to the lab's own domains (relay is refused "
				  "with 454/554 Relay access denied).\n"), o.addr);
	if (tui && !tui_possible()) {
		free(hosts);
		fprintf(stderr, "%s", _("maillab listen: --tui needs a terminal (stdin and stdout) with TERM set\n"));
		return 1;
	}
	root = world_root_path(cli->root_opt);
	w = world_open(root, &e);
	if (w == NULL) {
		fprintf(stderr, "maillab listen: %s\n", e.text);
		free(root);
		free(hosts);
		return 1;
	}
	o.after_bind = drop_privileges;
	o.after_bind_ctx = root;
	if (tui) {
		live = live_new(&o, w, narrator_lang(), &e);
		if (live == NULL) {
			fprintf(stderr, "maillab listen: %s\n", e.text);
			world_free(&w);
			free(root);
			free(hosts);
			return 1;
		}
	}
	rc = listener_run(w, &o, &e);
	/* the terminal back before any message */
	if (live_free(&live) != 0 && rc == 0)
		rc = -2;
	if (rc == -1)
		fprintf(stderr, "maillab listen: %s\n", e.text);
	world_free(&w);
	free(root);
	free(hosts);
	return rc < 0 ? 1 : 0;
}
