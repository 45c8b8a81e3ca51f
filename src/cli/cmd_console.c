/*
 * maillab console [--host H] [--proto smtp|pop3|imap] [--client-ip IP]
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
#include "sim/world.h"
#include "ui/console.h"
#include "ui/console_net.h"
#include "ui/console_sim.h"
#include "ui/explain.h"
#include "ui/server_session.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: maillab [--root DIR] console [--host H] [--proto smtp|pop3|imap] [--client-ip IP]\n"
		     "                                 [--explain|--no-explain]\n"
		     "       maillab console --connect HOST:PORT [--proto smtp|pop3|imap] [--no-explain]\n"
		     "  Type SMTP, POP3 or IMAP commands to a simulated server (or a real one with\n"
		     "  --connect) and see every reply explained. Tab completes a command, Up\n"
		     "  recalls one, Ctrl-D leaves. With stdin not a terminal, lines are read from\n"
		     "  stdin and the session is printed as a transcript.\n"));
}

/* What the learner reads first: which server, and how to start. */
struct proto_text {
	enum explain_proto proto;
	const char *port;	/* --connect's default (RFC 5321, 1939, 3501) */
	const char *sim;	/* N_(): host, server, client address, name */
	const char *net;	/* N_(): the server's address */
};

static const struct proto_text proto_texts[] = {
	{ EXPLAIN_SMTP, "25",
	  N_("You are connected to the simulated SMTP server of %s (it behaves as Postfix 3.7), as client %s (%s).\n"
	     "Type SMTP commands as with telnet, e.g. HELO localhost. Tab completes a command, Up recalls one, Ctrl-D leaves."),
	  N_("Connected to %s, a real server. Replies are explained as Postfix 3.7 means them.\n"
	     "Type SMTP commands as with telnet; Tab completes a command, Up recalls one, Ctrl-D leaves.") },
	{ EXPLAIN_POP3, "110",
	  N_("You are connected to the simulated POP3 server of %s (it behaves as Dovecot 2.3), as client %s (%s).\n"
	     "Log in with USER name and PASS password (lab passwords: see world.conf), then STAT, LIST, RETR 1, QUIT. Tab completes a command, Up recalls one, Ctrl-D leaves."),
	  N_("Connected to %s, a real server. Answers are explained as Dovecot 2.3 means them.\n"
	     "Type POP3 commands as with telnet (USER, PASS, STAT, LIST, RETR n, QUIT); Tab completes a command, Ctrl-D leaves.") },
	{ EXPLAIN_IMAP, "143",
	  N_("You are connected to the simulated IMAP server of %s (it behaves as Dovecot 2.3), as client %s (%s).\n"
	     "Every command starts with a tag of your choice: a1 LOGIN user password (lab passwords: see world.conf), a2 SELECT INBOX, a3 FETCH 1 BODY[], a4 LOGOUT. Tab on an empty line gives the next tag, after it the commands. Ctrl-D leaves."),
	  N_("Connected to %s, a real server. Responses are explained as Dovecot 2.3 means them.\n"
	     "Type IMAP commands with a tag, e.g. a1 LOGIN user password; Tab gives the next tag and completes commands, Ctrl-D leaves.") },
};

static const struct proto_text *texts_for(enum explain_proto p)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(proto_texts); i++)
		if (proto_texts[i].proto == p)
			return &proto_texts[i];
	return &proto_texts[0];
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
	const struct proto_text *pt;
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
	pt = texts_for(o.proto);
	o.interactive = isatty(0);
	o.color = o.interactive && use_color();
	if (o.interactive && isatty(1)) {
		struct winsize ws;

		if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
			o.width = ws.ws_col;
	}
	o.out = stdout;

	if (connect != NULL) {
		peer = console_net_new(connect, pt->port, 0, &e);
		if (peer == NULL) {
			fprintf(stderr, "maillab console: %s\n", e.text);
			return 1;
		}
		if (o.interactive)
			hello = xasprintf(_(pt->net), connect);
		else
			hello = xasprintf(_("maillab console: connected to %s"), connect);
	} else {
		struct server_session_opts so;
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
		so.proto = o.proto;
		so.client_addr = client_ip ? client_ip : "127.0.0.1";
		so.client_name = is_loopback(so.client_addr) ? "localhost" : "unknown";
		so.tls_possible = 1;	/* simulated: see console_sim.c */
		if (o.interactive)
			hello = xasprintf(_(pt->sim), h->name, so.client_addr,
					  so.client_name);
		else
			hello = xasprintf(_("maillab console: host %s, client %s (%s)"),
					  h->name, so.client_addr, so.client_name);
		peer = console_sim_new(w, h, &so, 0, &e);
		if (peer == NULL) {
			fprintf(stderr, "maillab console: %s\n", e.text);
			free(hello);
			return 1;
		}
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
