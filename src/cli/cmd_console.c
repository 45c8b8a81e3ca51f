/*
 * maillab console [--host H] [--proto smtp] [--client-ip IP]
 *                 [--explain|--no-explain] [--connect HOST:PORT]
 * A telnet-like session with a simulated host of the world (or, with
 * --connect, a real server), every reply explained (docs/console.md).
 * At a terminal: readline, colours (unless NO_COLOR or TERM=dumb); with
 * stdin not a terminal: lines from stdin, no prompts, no colour, a stable
 * transcript on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/err.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/smtp_server.h"
#include "sim/world.h"
#include "ui/console.h"
#include "ui/console_net.h"
#include "ui/console_sim.h"
#include "ui/explain.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: maillab [--root DIR] console [--host H] [--proto smtp] [--client-ip IP]\n"
		     "                                 [--explain|--no-explain]\n"
		     "       maillab console --connect HOST:PORT [--no-explain]\n"
		     "  Type SMTP commands to a simulated server (or a real one with --connect)\n"
		     "  and see every reply explained. Tab completes a command, Up recalls one,\n"
		     "  Ctrl-D leaves. With stdin not a terminal, lines are read from stdin and\n"
		     "  the session is printed as a transcript.\n"));
}

static int use_color(void)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (!isatty(1))
		return 0;
	if (nc != NULL && *nc != '\0')
		return 0;	/* https://no-color.org */
	return term != NULL && *term != '\0' && strcmp(term, "dumb") != 0;
}

static int is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

int cmd_console(struct cli *cli, int argc, char **argv)
{
	const char *host = NULL, *proto = "smtp", *client_ip = NULL, *connect = NULL;
	struct console_opts o;
	struct console_peer *peer;
	struct console *c;
	struct err e = { "", 0 };
	char *hello;
	int i, rc;

	memset(&o, 0, sizeof(o));
	o.explain = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--host") == 0 && i + 1 < argc)
			host = argv[++i];
		else if (strncmp(a, "--host=", 7) == 0)
			host = a + 7;
		else if (strcmp(a, "--proto") == 0 && i + 1 < argc)
			proto = argv[++i];
		else if (strncmp(a, "--proto=", 8) == 0)
			proto = a + 8;
		else if (strcmp(a, "--client-ip") == 0 && i + 1 < argc)
			client_ip = argv[++i];
		else if (strncmp(a, "--client-ip=", 12) == 0)
			client_ip = a + 12;
		else if (strcmp(a, "--connect") == 0 && i + 1 < argc)
			connect = argv[++i];
		else if (strncmp(a, "--connect=", 10) == 0)
			connect = a + 10;
		else if (strcmp(a, "--explain") == 0)
			o.explain = 1;
		else if (strcmp(a, "--no-explain") == 0)
			o.explain = 0;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, _("maillab console: unknown option: %s\n"), a);
			usage(stderr);
			return 2;
		}
	}
	if (explain_proto_from_name(proto, &o.proto) < 0) {
		fprintf(stderr, _("maillab console: the protocol is smtp, pop3 or imap\n"));
		return 2;
	}
	if (o.proto != EXPLAIN_SMTP) {
		fprintf(stderr, _("maillab console: %s is not available in this version yet\n"), proto);
		return 1;
	}
	o.interactive = isatty(0);
	o.color = o.interactive && use_color();
	if (o.interactive && isatty(1)) {
		struct winsize ws;

		if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			o.width = ws.ws_col;
	}
	o.out = stdout;

	if (connect != NULL) {
		peer = console_net_new(connect, 0, &e);
		if (peer == NULL) {
			fprintf(stderr, "maillab console: %s\n", e.text);
			return 1;
		}
		if (o.interactive)
			hello = xasprintf(_("Connected to %s, a real server. Replies are explained as Postfix 3.7 means them.\n"
					    "Type SMTP commands as with telnet; Tab completes a command, Up recalls one, Ctrl-D leaves."),
					  connect);
		else
			hello = xasprintf(_("maillab console: connected to %s"), connect);
	} else {
		struct smtp_server_opts so;
		struct world *w;
		struct host *h;
		char *root = world_root_path(cli->root_opt);

		w = world_open(root, &e);
		free(root);
		if (w == NULL) {
			fprintf(stderr, "maillab console: %s\n", e.text);
			return 1;
		}
		h = world_host(w, host, &e);
		if (h == NULL) {
			fprintf(stderr, "maillab console: %s\n", e.text);
			world_free(&w);
			return 1;
		}
		memset(&so, 0, sizeof(so));
		so.client_addr = client_ip ? client_ip : "127.0.0.1";
		so.client_name = is_loopback(so.client_addr) ? "localhost" : "unknown";
		so.service = "smtp";
		so.tls_possible = 1;	/* simulated: see console_sim.c */
		if (o.interactive)
			hello = xasprintf(_("You are connected to the simulated SMTP server of %s (it behaves as Postfix 3.7), as client %s (%s).\n"
					    "Type SMTP commands as with telnet, e.g. HELO localhost. Tab completes a command, Up recalls one, Ctrl-D leaves."),
					  h->name, so.client_addr, so.client_name);
		else
			hello = xasprintf(_("maillab console: host %s, client %s (%s)"),
					  h->name, so.client_addr, so.client_name);
		peer = console_sim_new(w, h, &so, 0);
	}
	c = console_new(&o, peer);
	console_note(c, hello);
	free(hello);
	if (o.interactive)
		rc = console_run_terminal(c, o.color);
	else
		rc = console_run_stream(c, stdin);
	console_free(&c);
	return rc;
}
