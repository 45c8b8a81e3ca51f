/*
 * maillab's main: global options, then one command from the table. Called
 * through a link named after a Postfix tool (postconf, mailq, ...), it runs
 * that tool directly, honouring $MAILLAB_ROOT and $MAILLAB_HOST.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/i18n.h"

cmd_fn cmd_postlog;	/* cli/cmd_postlog.c (belongs in cli.h's list) */

struct command {
	const char *name;
	cmd_fn *fn;
	const char *help;	/* N_() */
};

static const struct command commands[] = {
	{ "init", cmd_init, N_("create a lab root from a world (default, centos)") },
	{ "demo", cmd_demo, N_("replay the mail flow step by step") },
	{ "console", cmd_console, N_("type SMTP commands to a simulated server, explained") },
	{ "serve", cmd_serve, N_("run a server on stdin/stdout (inetd style)") },
	{ "listen", cmd_listen, N_("accept real connections into the world") },
	{ "replay", cmd_replay, N_("replay transcripts and show where replies differ") },
	{ "postconf", cmd_postconf, N_("Postfix configuration utility") },
	{ "postqueue", cmd_postqueue, N_("Postfix queue control") },
	{ "mailq", cmd_mailq, N_("list the mail queue") },
	{ "postsuper", cmd_postsuper, N_("Postfix superintendent") },
	{ "postcat", cmd_postcat, N_("show a queue file") },
	{ "postmap", cmd_postmap, N_("Postfix lookup table management") },
	{ "newaliases", cmd_newaliases, N_("rebuild the alias database") },
	{ "sendmail", cmd_sendmail, N_("Postfix to Sendmail compatibility interface") },
	{ "mail", cmd_mail, N_("send mail, as mailutils' mail") },
	{ "postfix", cmd_postfix, N_("Postfix control program") },
	{ "postlog", cmd_postlog, N_("Postfix-compatible logging utility") },
	{ "postalias", cmd_postalias, N_("Postfix alias database maintenance") },
	{ "doveadm", cmd_doveadm, N_("Dovecot administration") },
	{ "clock", cmd_clock, N_("the world's virtual clock: show it, advance it") },
	{ "fault", cmd_fault, N_("faults on demand: a host down, an MX missing, a full disk") },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, _("Usage: maillab [--root DIR] [--lang pt_BR|en] COMMAND [ARGS...]\n"));
	fprintf(f, _("\nCommands:\n"));
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-11s %s\n", commands[i].name, _(commands[i].help));
	fprintf(f, _("\nThe lab root is --root DIR, else $MAILLAB_ROOT, else ~/.local/share/maillab.\n"));
}

static const struct command *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Peeks at --lang before gettext is set up, so --help is translated too. */
static const char *early_lang(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--lang=", 7) == 0)
			return argv[i] + 7;
		if (argv[i][0] != '-')
			break;
		if (strcmp(argv[i], "--root") == 0)
			i++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct cli cli = { NULL, NULL, argv[0], NULL };
	const char *base = strrchr(argv[0], '/');
	const struct command *cmd;
	int i;

	base = base ? base + 1 : argv[0];
	cli.lang = early_lang(argc, argv);
	i18n_init(cli.lang, argv[0]);

	/* Called as postconf, mailq, sendmail, ...: be that tool. */
	if (strcmp(base, "maillab") != 0 && (cmd = find(base)) != NULL) {
		cli.tool = base;
		return cmd->fn(&cli, argc, argv);
	}

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
			cli.root_opt = argv[++i];
		} else if (strncmp(argv[i], "--root=", 7) == 0) {
			cli.root_opt = argv[i] + 7;
		} else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc) {
			cli.lang = argv[++i];
		} else if (strncmp(argv[i], "--lang=", 7) == 0) {
			cli.lang = argv[i] + 7;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, _("maillab: unknown option: %s\n"), argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = find(argv[i]);
	if (cmd == NULL) {
		fprintf(stderr, _("maillab: unknown command: %s\n"), argv[i]);
		usage(stderr);
		return 2;
	}
	return cmd->fn(&cli, argc - i, argv + i);
}
