/*
 * maillab postfix [--host H] COMMAND: Postfix's postfix(1) control
 * program on a lab host.
 *   check   main.cf and master.cf read, queue directories present; prints
 *           nothing when all is well (warnings otherwise)
 *   status  "the Postfix mail system is running: PID: N" (to mail.log; to
 *           the terminal only when stderr is one, as postfix-script does);
 *           after `postfix stop`: "... is not running", exit 1
 *   reload  re-reads the configuration: "refreshing the Postfix mail
 *           system" and master's "reload -- version 3.7.11, ..."
 *   start / stop   the host's mail system up or down (stopped: its SMTP
 *           port refuses connections, like `maillab fault HOST down`);
 *           master logs "daemon started -- ..." / "terminating on signal 15"
 *   flush   postqueue -f
 * reload, stop and flush on a stopped system, start on a running one: a
 * fatal message and exit 1, as postfix-script(8).
 * When `maillab listen` runs on the lab root it is the host's master:
 * status shows its PID, reload sends it SIGHUP and stop SIGTERM (it logs
 * master's lines itself), as postfix-script signals master.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "lib/clock.h"
#include "lib/conf.h"
#include "lib/mastercf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/queue_ops.h"
#include "net/listener_pid.h"
#include "sim/sim.h"
#include "sim/world.h"

static const char *const queue_dirs[] = {
	"active", "bounce", "corrupt", "defer", "deferred", "flush", "hold",
	"incoming", "maildrop", "pid", "private", "public", "saved", "trace", NULL,
};

/* postfix-script's $INFO, $WARN and $FATAL */
enum level { INFO, WARN, FATAL };

static void script(struct host *h, mtime_t now, enum level lv, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* postfix-script's messages: always logged; shown on a terminal (warnings
 * and fatal errors always). */
static void script(struct host *h, mtime_t now, enum level lv, const char *fmt, ...)
{
	static const char *const tag[] = { "", "warning: ", "fatal: " };
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	host_log(h, now, "postfix/postfix-script", "%s%s", tag[lv], text);
	if (lv != INFO || isatty(2))
		fprintf(stderr, "postfix/postfix-script: %s%s\n", tag[lv], text);
}

/* "$daemon_directory/master -s || { $FATAL ... not running; exit 1; }" */
static int must_run(struct host *h, mtime_t now, int running)
{
	if (running)
		return 0;
	script(h, now, FATAL, "the Postfix mail system is not running");
	return 1;
}

static int check(struct host *h, mtime_t now)
{
	struct conf *c = conf_new();
	struct mastercf m;
	struct err e;
	char *p;
	size_t i;
	int rc = 0;

	p = host_path(h, "etc/postfix/main.cf");
	if (conf_load(c, p, &e) < 0) {
		fprintf(stderr, "postfix: warning: %s\n", e.text);
		rc = 1;
	}
	free(p);
	conf_free(&c);
	mastercf_init(&m);
	p = host_path(h, "etc/postfix/master.cf");
	if (mastercf_load(&m, p, &e) < 0) {
		fprintf(stderr, "postfix: warning: %s\n", e.text);
		rc = 1;
	}
	free(p);
	mastercf_reset(&m);
	for (i = 0; queue_dirs[i] != NULL; i++) {
		char *rel = xasprintf("var/spool/postfix/%s", queue_dirs[i]);
		char *dir = host_path(h, rel);
		struct stat sb;

		if (stat(dir, &sb) != 0) {
			/* postfix check recreates what is missing, and says so */
			script(h, now, WARN, "creating missing Postfix %s directory", queue_dirs[i]);
			(void)mkdir(dir, 0700);
		}
		free(rel);
		free(dir);
	}
	return rc;
}

int cmd_postfix(struct cli *cli, int argc, char **argv)
{
	struct admin a;
	struct sim *s;
	struct err e;
	int argi, rc, running;
	pid_t listener;
	mtime_t now;
	const char *cmd;

	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	while (argi < argc && argv[argi][0] == '-')
		argi++;		/* -c DIR, -D, -v: accepted, no effect */
	if (argi >= argc) {
		fprintf(stderr, "postfix: fatal: usage: postfix [-c config_dir] [-Dv] command\n");
		return admin_close(&a, 1);
	}
	cmd = argv[argi];
	s = sim_open(a.w, NULL, &e);
	if (s == NULL) {
		fprintf(stderr, "postfix: fatal: %s\n", e.text);
		return admin_close(&a, 1);
	}
	now = sim_now(s);
	running = !sim_host_down(s, a.h->name);
	listener = listener_pid_running(a.w->root);
	if (strcmp(cmd, "check") == 0) {
		rc = check(a.h, now);
	} else if (strcmp(cmd, "status") == 0) {
		if (!running) {
			script(a.h, now, INFO, "the Postfix mail system is not running");
			rc = 1;
		} else {
			script(a.h, now, INFO, "the Postfix mail system is running: PID: %d",
			       listener > 0 ? (int)listener : host_pid(a.h, "master"));
		}
	} else if (strcmp(cmd, "reload") == 0) {
		rc = must_run(a.h, now, running);
		if (rc == 0) {
			script(a.h, now, INFO, "refreshing the Postfix mail system");
			/* the listener's master logs its own reload line */
			if (listener <= 0 || listener_pid_signal(a.w->root, SIGHUP, &e) < 0)
				host_log(a.h, now, "postfix/master",
					 "reload -- version 3.7.11, configuration /etc/postfix");
			(void)host_reload(a.h, &e);
		}
	} else if (strcmp(cmd, "start") == 0) {
		if (running) {
			script(a.h, now, FATAL, "the Postfix mail system is already running");
			rc = 1;
		} else {
			script(a.h, now, INFO, "starting the Postfix mail system");
			/* postfix-script runs postsuper: stale temporary files go */
			(void)queue_ops_purge_temp(a.h, now);
			(void)sim_fault(s, a.h->name, "up", &e);
			host_log(a.h, now, "postfix/master",
				 "daemon started -- version 3.7.11, configuration /etc/postfix");
		}
	} else if (strcmp(cmd, "stop") == 0) {
		rc = must_run(a.h, now, running);
		if (rc == 0) {
			script(a.h, now, INFO, "stopping the Postfix mail system");
			if (listener <= 0 || listener_pid_stop(a.w->root, 5000, &e) < 0)
				host_log(a.h, now, "postfix/master", "terminating on signal 15");
			(void)sim_fault(s, a.h->name, "down", &e);
		}
	} else if (strcmp(cmd, "flush") == 0) {
		struct queue_ops_entry *en = NULL;
		size_t n, i;

		rc = must_run(a.h, now, running);
		n = rc == 0 ? queue_ops_list(a.h, "deferred", &en) : 0;
		for (i = 0; i < n; i++)
			(void)queue_ops_set_mtime(en[i].path, 0);
		queue_ops_entries_free(&en, n);
	} else {
		fprintf(stderr, "postfix: fatal: unknown command: '%s'. Usage: postfix "
			"start (or stop, reload, abort, flush, check, status, set-permissions, "
			"upgrade-configuration)\n", cmd);
		rc = 1;
	}
	sim_free(&s);
	return admin_close(&a, rc);
}
