/*
 * local_command: local(8)'s delivery to "|command" (an alias, an
 * :include: file or a .forward line): the command runs under /bin/sh -c
 * with the message on its standard input, and its exit status becomes
 * the delivery status the way Postfix's pipe_command() reads it:
 *
 *   0                         sent, "delivered to command: CMD"
 *   output "D.S.N text"       that status and text (4.x.x defers)
 *   64..78 (<sysexits.h>)     the sysexits table's status and text,
 *                             e.g. 75 EX_TEMPFAIL is 4.3.0 "temporary
 *                             failure" (deferred), 67 EX_NOUSER is 5.1.1
 *   other status              5.3.0 "Command died with status N: "CMD""
 *   a signal                  4.3.0 "Command died with signal N: "CMD""
 *   past command_time_limit   5.3.0 "Command time limit exceeded: "CMD""
 *
 * with ". Command output: ..." appended when the command wrote something
 * (stdout and stderr, first 1 KB, tabs and newlines as spaces).
 *
 * As Postfix, the command never runs as root: a root maillab runs it as
 * the default_privs user (nobody). It runs on this machine, not inside
 * the lab: its working directory is the host's root in the lab and HOME
 * is the user's home there, but the program it names is the machine's.
 * While it runs, the caller (the listener's loop too) waits for it.
 */
#ifndef MAILLAB_LOCAL_COMMAND_H
#define MAILLAB_LOCAL_COMMAND_H

#include <stddef.h>

struct local_command {
	const char *command;	/* without the '|' */
	const char *const *env;	/* "NAME=value" strings, NULL-terminated */
	const char *cwd;	/* NULL: "/" */
	const char *input;	/* what the command reads */
	size_t len;
	int time_limit;		/* seconds (command_time_limit) */
};

struct local_command_result {
	char dsn[16];		/* "2.0.0", "4.3.0", "5.3.0" ... */
	char *text;		/* "delivered to command: CMD" or the error */
};

/* Runs c and fills r (free r->text). Never fails: a command that cannot
 * start is a 4.3.0 outcome ("cannot run command ..."). */
void local_command_run(const struct local_command *c, struct local_command_result *r);

/* The outcome of a finished command (exposed for tests): wstatus as from
 * waitpid(), timed_out, and its captured output. */
void local_command_verdict(const char *command, int wstatus, int timed_out,
			   const char *output, struct local_command_result *r);

#endif
