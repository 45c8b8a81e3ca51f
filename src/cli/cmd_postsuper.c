/*
 * maillab postsuper [--host H]: Postfix's postsuper(1) on a lab host:
 * -d (delete), -h (hold), -H (release), -r (requeue) with a queue ID,
 * "ALL" or "-" (IDs from stdin), optionally limited to queue names.
 * Messages as Postfix writes them, to stderr and to mail.log:
 * "postsuper: ID: removed", "postsuper: Deleted: 1 message".
 * -p, and postsuper without an operation (what `postfix start` runs),
 * purge files a crash left half-written (queue_ops_purge_temp()).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/queue_ops.h"
#include "sim/sim.h"

enum ps_op { PS_DELETE, PS_HOLD, PS_RELEASE, PS_REQUEUE, PS_NOPS };

static const char *const default_queues[] = {
	"maildrop", "incoming", "active", "deferred", "hold", NULL,
};
static const char *const default_hold_queues[] = {
	"incoming", "active", "deferred", NULL,
};
static const char *const default_release_queues[] = { "hold", NULL };

struct ps {
	struct host *h;
	mtime_t now;
	int count[PS_NOPS];
};

static void say(struct ps *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* msg_info(): to stderr as "postsuper: text" and to mail.log. */
static void say(struct ps *p, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fprintf(stderr, "postsuper: %s\n", text);
	host_log(p->h, p->now, "postfix/postsuper", "%s", text);
}

/* One message in one of the queues; 1 when something was done. */
static int operate(struct ps *p, enum ps_op op, const char *const *queues,
		   const char *id, int verbose)
{
	size_t i;
	struct err e;

	if (!queue_ops_valid_id(id)) {
		say(p, "warning: invalid mail queue id: %s", id);
		return 0;
	}
	for (i = 0; queues[i] != NULL; i++) {
		char *path = queue_ops_path(p->h, queues[i], id);
		/* mail_open_ok(): only complete files; one being written
		 * is not a message yet */
		int there = queue_ops_ready(path);

		if (!there) {
			free(path);
			continue;
		}
		switch (op) {
		case PS_DELETE:
			(void)queue_ops_remove(p->h, p->now, "postfix/postsuper", queues[i], id);
			if (verbose)
				say(p, "%s: removed", id);
			break;
		case PS_HOLD:
			if (strcmp(queues[i], "hold") == 0
			    || queue_ops_move(p->h, p->now, "postfix/postsuper", id, queues[i],
					      "hold", &e) < 0) {
				free(path);
				return 0;
			}
			if (verbose)
				say(p, "%s: placed on hold", id);
			break;
		case PS_RELEASE:
			if (queue_ops_move(p->h, p->now, "postfix/postsuper", id, queues[i],
					   "deferred", &e) < 0) {
				free(path);
				return 0;
			}
			if (verbose)
				say(p, "%s: released from hold", id);
			break;
		case PS_REQUEUE:
			if (queue_ops_move(p->h, p->now, "postfix/postsuper", id, queues[i],
					   "maildrop", &e) < 0) {
				free(path);
				return 0;
			}
			free(path);
			/* pickup finds it at its next wakeup (postsuper does
			 * not wake it); the defer log no longer applies */
			path = queue_ops_path(p->h, "maildrop", id);
			(void)queue_ops_set_mtime(path, p->now);
			queue_ops_log_remove(p->h, "defer", id);
			if (verbose)
				say(p, "%s: requeued", id);
			break;
		case PS_NOPS:
			break;
		}
		free(path);
		p->count[op]++;
		return 1;
	}
	return 0;
}

static void operate_all(struct ps *p, enum ps_op op, const char *const *queues)
{
	size_t q;

	for (q = 0; queues[q] != NULL; q++) {
		struct queue_ops_entry *e = NULL;
		size_t n = queue_ops_list(p->h, queues[q], &e), i;
		const char *one[2] = { queues[q], NULL };

		for (i = 0; i < n; i++)
			(void)operate(p, op, one, e[i].id, 0);
		queue_ops_entries_free(&e, n);
	}
}

struct ps_arg {
	enum ps_op op;
	const char *id;
};

int cmd_postsuper(struct cli *cli, int argc, char **argv)
{
	struct admin a;
	struct ps p;
	struct ps_arg *args = NULL;
	size_t nargs = 0, i;
	const char *const *user_queues = NULL;
	int argi, rc, k, purge = 0;
	struct sim *s;
	struct err e;

	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	memset(&p, 0, sizeof(p));
	p.h = a.h;
	s = sim_open(a.w, NULL, &e);
	p.now = s != NULL ? sim_now(s) : clock_real_now();
	sim_free(&s);
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	for (k = argi; k < argc; k++) {
		const char *opt = argv[k];
		enum ps_op op;

		if (opt[0] != '-' || opt[1] == '\0') {
			user_queues = (const char *const *)&argv[k];
			break;
		}
		switch (opt[1]) {
		case 'd': op = PS_DELETE; break;
		case 'h': op = PS_HOLD; break;
		case 'H': op = PS_RELEASE; break;
		case 'r': op = PS_REQUEUE; break;
		case 'p': purge = 1; continue;
		case 's': case 'v': continue;
		default:
			fprintf(stderr, "postsuper: fatal: usage: postsuper [-c config_dir] "
				"[-d queue_id (delete)] [-h queue_id (hold)] [-H queue_id (un-hold)] "
				"[-p (purge temporary files)] [-r queue_id (requeue)] "
				"[-s (structure fix)] [-v (verbose)] [queue...]\n");
			free(args);
			return admin_close(&a, 1);
		}
		if (opt[2] != '\0') {
			args[nargs].id = opt + 2;
		} else if (k + 1 < argc) {
			args[nargs].id = argv[++k];
		} else {
			fprintf(stderr, "postsuper: fatal: option requires an argument -- '%c'\n",
				opt[1]);
			free(args);
			return admin_close(&a, 1);
		}
		args[nargs++].op = op;
	}
	if (user_queues != NULL)
		for (i = 0; user_queues[i] != NULL; i++)
			if (!queue_ops_known(user_queues[i])) {
				fprintf(stderr, "postsuper: fatal: invalid directory name: %s\n",
					user_queues[i]);
				free(args);
				return admin_close(&a, 1);
			}
	/* postsuper.c: no action asked for means ACTION_STRUCT | ACTION_PURGE */
	if (purge || nargs == 0)
		(void)queue_ops_purge_temp(p.h, p.now);
	for (i = 0; i < nargs; i++) {
		const char *const *queues = user_queues;

		if (queues == NULL)
			queues = args[i].op == PS_HOLD ? default_hold_queues
				 : args[i].op == PS_RELEASE ? default_release_queues
				 : default_queues;
		if (strcmp(args[i].id, "ALL") == 0) {
			operate_all(&p, args[i].op, queues);
		} else if (strcmp(args[i].id, "-") == 0) {
			char line[256];

			while (fgets(line, sizeof(line), stdin) != NULL) {
				line[strcspn(line, " \t\r\n*!")] = '\0';
				if (line[0] != '\0')
					(void)operate(&p, args[i].op, queues, line, 1);
			}
		} else {
			(void)operate(&p, args[i].op, queues, args[i].id, 1);
		}
	}
	if (p.count[PS_REQUEUE] > 0)
		say(&p, "Requeued: %d message%s", p.count[PS_REQUEUE],
		    p.count[PS_REQUEUE] > 1 ? "s" : "");
	if (p.count[PS_DELETE] > 0)
		say(&p, "Deleted: %d message%s", p.count[PS_DELETE],
		    p.count[PS_DELETE] > 1 ? "s" : "");
	if (p.count[PS_HOLD] > 0)
		say(&p, "Placed on hold: %d message%s", p.count[PS_HOLD],
		    p.count[PS_HOLD] > 1 ? "s" : "");
	if (p.count[PS_RELEASE] > 0)
		say(&p, "Released from hold: %d message%s", p.count[PS_RELEASE],
		    p.count[PS_RELEASE] > 1 ? "s" : "");
	free(args);
	return admin_close(&a, 0);
}
