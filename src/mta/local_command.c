/* local_command: "|command" deliveries (see local_command.h). */
#include "mta/local_command.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/xalloc.h"

/* How much of the command's output goes into the reason (pipe_command.c
 * keeps a buffer of this order). */
#define OUTPUT_MAX 1024

/* Postfix's sys_exits.c: the sendmail-compatible exit codes, 64..78. */
static const struct {
	const char *dsn, *text;
} sys_exits[] = {
	{ "5.3.0", "command line usage error" },	/* 64 EX_USAGE */
	{ "5.6.0", "data format error" },		/* 65 EX_DATAERR */
	{ "5.3.0", "cannot open input" },		/* 66 EX_NOINPUT */
	{ "5.1.1", "user unknown" },			/* 67 EX_NOUSER */
	{ "5.1.2", "host name unknown" },		/* 68 EX_NOHOST */
	{ "5.3.0", "service unavailable" },		/* 69 EX_UNAVAILABLE */
	{ "5.3.0", "internal software error" },	/* 70 EX_SOFTWARE */
	{ "4.3.0", "system resource problem" },	/* 71 EX_OSERR */
	{ "5.3.0", "critical OS file missing" },	/* 72 EX_OSFILE */
	{ "5.2.0", "can't create user output file" },	/* 73 EX_CANTCREAT */
	{ "5.3.0", "input/output error" },		/* 74 EX_IOERR */
	{ "4.3.0", "temporary failure" },		/* 75 EX_TEMPFAIL */
	{ "5.5.0", "remote error in protocol" },	/* 76 EX_PROTOCOL */
	{ "5.7.0", "permission denied" },		/* 77 EX_NOPERM */
	{ "5.3.5", "local configuration error" },	/* 78 EX_CONFIG */
};
#define SYS_EXITS_BASE 64

static void set(struct local_command_result *r, const char *dsn, char *text)
{
	snprintf(r->dsn, sizeof(r->dsn), "%s", dsn);
	r->text = text;
}

/* "5.1.1 text": the length of a valid RFC 3463 status at the start of s
 * (class 2, 4 or 5, then .ddd.ddd), or 0. */
static size_t dsn_prefix(const char *s)
{
	const char *p = s;
	int part, digits;

	if (*p != '2' && *p != '4' && *p != '5')
		return 0;
	p++;
	for (part = 0; part < 2; part++) {
		if (*p++ != '.')
			return 0;
		for (digits = 0; isdigit((unsigned char)*p); digits++)
			p++;
		if (digits < 1 || digits > 3)
			return 0;
	}
	return *p == '\0' || *p == ' ' ? (size_t)(p - s) : 0;
}

void local_command_verdict(const char *command, int wstatus, int timed_out,
			   const char *output, struct local_command_result *r)
{
	const char *sep = output[0] != '\0' ? ". Command output: " : "";
	size_t n;

	if (timed_out) {
		set(r, "5.3.0", xasprintf("Command time limit exceeded: \"%s\"%s%s",
					  command, sep, output));
	} else if (WIFSIGNALED(wstatus)) {
		set(r, "4.3.0", xasprintf("Command died with signal %d: \"%s\"%s%s",
					  WTERMSIG(wstatus), command, sep, output));
	} else if (WEXITSTATUS(wstatus) == 0) {
		set(r, "2.0.0", xasprintf("delivered to command: %s", command));
	} else if ((n = dsn_prefix(output)) > 0) {
		char dsn[16];
		const char *text = output + n;

		snprintf(dsn, sizeof(dsn), "%.*s", (int)n, output);
		while (*text == ' ')
			text++;
		set(r, dsn, xstrdup(text));
	} else if (WEXITSTATUS(wstatus) >= SYS_EXITS_BASE
		   && WEXITSTATUS(wstatus) < SYS_EXITS_BASE + (int)(sizeof(sys_exits)
								     / sizeof(sys_exits[0]))) {
		int i = WEXITSTATUS(wstatus) - SYS_EXITS_BASE;

		set(r, sys_exits[i].dsn, xasprintf("%s%s%s", sys_exits[i].text, sep, output));
	} else {
		set(r, "5.3.0", xasprintf("Command died with status %d: \"%s\"%s%s",
					  WEXITSTATUS(wstatus), command, sep, output));
	}
}

/* default_privs: a root maillab never runs a command as root. */
static void drop_root(void)
{
	const struct passwd *pw;

	if (geteuid() != 0)
		return;
	pw = getpwnam("nobody");
	if (setgroups(0, NULL) != 0 || setgid(pw != NULL ? pw->pw_gid : 65534) != 0
	    || setuid(pw != NULL ? pw->pw_uid : 65534) != 0)
		_exit(71);	/* EX_OSERR */
}

static void child(const struct local_command *c, int in_fd, int out_fd)
{
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)c->command, NULL };

	setpgid(0, 0);
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		_exit(71);
	signal(SIGPIPE, SIG_DFL);
	if (c->cwd == NULL || chdir(c->cwd) != 0)
		(void)chdir("/");
	drop_root();
	execve("/bin/sh", argv, (char *const *)c->env);
	_exit(127);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Output: tabs and newlines become spaces, other unprintables '_'. */
static void printable(char *s)
{
	for (; *s; s++) {
		if (*s == '\t' || *s == '\n' || *s == '\r')
			*s = ' ';
		else if (!isprint((unsigned char)*s))
			*s = '_';
	}
}

void local_command_run(const struct local_command *c, struct local_command_result *r)
{
	char out[OUTPUT_MAX + 1];
	size_t olen = 0;
	int in_fd, pipefd[2], wstatus = 0, timed_out = 0;
	long limit_ms = (long)(c->time_limit > 0 ? c->time_limit : 1000) * 1000;
	struct timespec t0;
	pid_t pid;

	in_fd = memfd_create("maillab-command-input", MFD_CLOEXEC);
	if (in_fd < 0 || write(in_fd, c->input, c->len) != (ssize_t)c->len
	    || lseek(in_fd, 0, SEEK_SET) != 0 || pipe2(pipefd, O_CLOEXEC) != 0) {
		set(r, "4.3.0", xasprintf("cannot run command \"%s\": %s", c->command,
					  strerror(errno)));
		if (in_fd >= 0)
			close(in_fd);
		return;
	}
	pid = fork();
	if (pid == 0)
		child(c, in_fd, pipefd[1]);
	close(in_fd);
	close(pipefd[1]);
	if (pid < 0) {
		set(r, "4.3.0", xasprintf("cannot run command \"%s\": %s", c->command,
					  strerror(errno)));
		close(pipefd[0]);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		long left = limit_ms - ms_since(&t0);
		char chunk[4096];
		ssize_t n;

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		if (poll(&p, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR)
			break;
		if (p.revents == 0)
			continue;
		n = read(pipefd[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* EOF: the command (and what it started) closed it */
		if (olen < OUTPUT_MAX) {
			size_t take = (size_t)n < OUTPUT_MAX - olen ? (size_t)n : OUTPUT_MAX - olen;

			memcpy(out + olen, chunk, take);
			olen += take;
		}
	}
	close(pipefd[0]);
	/* A command that closed its output may still run: the time limit
	 * holds for its exit too (pipe_command_wait_or_kill()). */
	while (!timed_out) {
		pid_t w = waitpid(pid, &wstatus, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (ms_since(&t0) >= limit_ms) {
			timed_out = 1;
			break;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 5 * 1000 * 1000 }, NULL);
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
			;
	}
	out[olen] = '\0';
	/* A NUL in the output ends it there, as a C string. */
	printable(out);
	local_command_verdict(c->command, wstatus, timed_out, out, r);
}
