/*
 * cli: the front door. main() parses the global options (--root, --lang),
 * then hands the rest to one command. Each command lives in its own
 * src/cli/cmd_<name>.c and returns the exit status: 0 ok, 1 failure,
 * 2 bad usage (DESIGN.md, "Commands").
 */
#ifndef MAILLAB_CLI_H
#define MAILLAB_CLI_H

struct cli {
	const char *root_opt;	/* --root DIR, or NULL */
	const char *lang;	/* --lang, or NULL */
	const char *argv0;
	const char *tool;	/* set when called as postconf, mailq, ... */
};

/* argv[0] is the command's own name ("console", "postconf"). */
typedef int cmd_fn(struct cli *cli, int argc, char **argv);

cmd_fn cmd_init, cmd_demo, cmd_console, cmd_serve, cmd_listen, cmd_replay,
	cmd_lab, cmd_postconf, cmd_postqueue, cmd_mailq, cmd_postsuper,
	cmd_postcat, cmd_postmap, cmd_newaliases, cmd_sendmail, cmd_mail,
	cmd_postfix, cmd_doveadm, cmd_clock, cmd_fault, cmd_postalias, cmd_postlog;

/* Prints "maillab CMD: MSG" (translated by the caller) to stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *msg);

#endif
