/* CUnit suite for src/net/listener_pid.c (the listener's pid file and
 * lock) and listener_service_port(). The lock is per process, so the
 * "other listener" is a forked child. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "net/listener.h"
#include "net/listener_pid.h"

void test_listener_pid_register(void);

static char *make_root(void)
{
	char tmpl[] = "/tmp/maillab-pid-XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? xstrdup(d) : NULL;
}

static void remove_root(char *root)
{
	char *p = xasprintf("%s/run/listen.pid", root);

	unlink(p);
	free(p);
	p = xasprintf("%s/run", root);
	rmdir(p);
	free(p);
	rmdir(root);
	free(root);
}

/* A child that takes the pid file, tells the parent, and waits for a
 * signal; it exits 0 after SIGTERM (releasing the file). */
static pid_t spawn_holder(const char *root, int *ready_fd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct err e;
		sigset_t set;
		int sig, fd;

		close(p[0]);
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);
		fd = listener_pid_acquire(root, &e);
		if (write(p[1], fd >= 0 ? "y" : "n", 1) != 1)
			_exit(3);
		if (fd < 0)
			_exit(2);
		do {
			if (sigwait(&set, &sig) != 0)
				_exit(4);
			if (sig == SIGHUP && write(p[1], "h", 1) != 1)
				_exit(3);
		} while (sig != SIGTERM);
		listener_pid_release(root, fd);
		_exit(0);
	}
	close(p[1]);
	*ready_fd = p[0];
	return pid;
}

static void test_acquire_release(void)
{
	char *root = make_root();
	struct err e;
	char *path;
	struct stat st;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL(listener_pid_running(root), 0);
	fd = listener_pid_acquire(root, &e);
	CU_ASSERT_TRUE_FATAL(fd >= 0);
	path = xasprintf("%s/run/listen.pid", root);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	/* our own lock does not conflict with us: F_GETLK sees nothing */
	listener_pid_release(root, fd);
	CU_ASSERT_NOT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(listener_pid_running(root), 0);
	free(path);
	remove_root(root);
}

static void test_other_process(void)
{
	char *root = make_root();
	struct err e;
	char c = 0;
	int rfd, status = -1;
	pid_t child;

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	child = spawn_holder(root, &rfd);
	CU_ASSERT_TRUE_FATAL(child > 0);
	CU_ASSERT_EQUAL(read(rfd, &c, 1), 1);
	CU_ASSERT_EQUAL(c, 'y');
	CU_ASSERT_EQUAL(listener_pid_running(root), child);
	/* a second listener on the same root is refused, naming the first */
	CU_ASSERT_EQUAL(listener_pid_acquire(root, &e), -1);
	CU_ASSERT_EQUAL(e.errnum, EEXIST);
	{
		char want[32];

		snprintf(want, sizeof(want), "pid %ld", (long)child);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.text, want));
	}
	/* reload */
	CU_ASSERT_EQUAL(listener_pid_signal(root, SIGHUP, &e), child);
	CU_ASSERT_EQUAL(read(rfd, &c, 1), 1);
	CU_ASSERT_EQUAL(c, 'h');
	/* stop waits for the lock to go */
	CU_ASSERT_EQUAL(listener_pid_stop(root, 5000, &e), child);
	CU_ASSERT_EQUAL(listener_pid_running(root), 0);
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* nothing runs now */
	CU_ASSERT_EQUAL(listener_pid_signal(root, SIGHUP, &e), -1);
	CU_ASSERT_EQUAL(e.errnum, ESRCH);
	CU_ASSERT_EQUAL(listener_pid_stop(root, 100, &e), 0);
	close(rfd);
	remove_root(root);
}

static void test_stale_file(void)
{
	char *root = make_root();
	struct err e;
	char c = 0;
	int rfd, fd, status;
	pid_t child;

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	child = spawn_holder(root, &rfd);
	CU_ASSERT_TRUE_FATAL(child > 0);
	CU_ASSERT_EQUAL(read(rfd, &c, 1), 1);
	/* kill -9: the file stays, the lock goes */
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	CU_ASSERT_EQUAL(listener_pid_running(root), 0);
	fd = listener_pid_acquire(root, &e);
	CU_ASSERT_TRUE(fd >= 0);
	listener_pid_release(root, fd);
	close(rfd);
	remove_root(root);
}

static void test_service_port(void)
{
	static const struct {
		const char *service;
		int port;
	} cases[] = {
		{ "smtp", 25 }, { "submission", 587 }, { "smtps", 465 },
		{ "submissions", 465 }, { "2525", 2525 }, { "127.0.0.1:2525", 2525 },
		{ "[::1]:26", 26 }, { "pop3", 110 }, { "imaps", 993 },
		{ "pickup", -1 }, { "0", -1 }, { "70000", -1 }, { "", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = listener_service_port(cases[i].service);

		if (got != cases[i].port)
			fprintf(stderr, "service %s: got %d, want %d\n",
				cases[i].service, got, cases[i].port);
		CU_ASSERT_EQUAL(got, cases[i].port);
	}
}

void test_listener_pid_register(void)
{
	CU_pSuite s = CU_add_suite("listener_pid", NULL, NULL);

	CU_add_test(s, "acquire and release", test_acquire_release);
	CU_add_test(s, "another process holds it", test_other_process);
	CU_add_test(s, "stale file after kill -9", test_stale_file);
	CU_add_test(s, "service ports", test_service_port);
}
