/*
 * maillab postqueue [--host H] and maillab mailq [--host H]: Postfix's
 * postqueue(1): -p (the mailq listing), -j (JSON lines), -f (flush:
 * every deferred message is tried now), -i ID (one message now),
 * -s SITE (the messages for that domain now). mailq is postqueue -p.
 * "Now" is the next time the world is brought up to date, which is
 * before the command returns (or the listener's next poll).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/qmgr_message.h"
#include "mta/queue_ops.h"
#include "mta/showq.h"

/* Makes a deferred message due at once: its mtime (the next-try time
 * qmgr reads) goes back to the epoch. */
static int flush_one(struct host *h, const char *id)
{
	char *path = queue_ops_path(h, "deferred", id);
	int rc = queue_ops_set_mtime(path, 0);

	free(path);
	return rc;
}

static int for_site(struct host *h, const char *site)
{
	struct queue_ops_entry *e = NULL;
	size_t n = queue_ops_list(h, "deferred", &e), i, j;

	for (i = 0; i < n; i++) {
		struct qmgr_message m;
		struct err err;

		if (qmgr_message_load_path(e[i].path, e[i].id, &m, &err) == 0)
			for (j = 0; j < m.nrcpt; j++) {
				const char *at = strrchr(m.rcpts[j].address, '@');

				if (!m.rcpts[j].done && at != NULL && strcasecmp(at + 1, site) == 0) {
					(void)flush_one(h, e[i].id);
					break;
				}
			}
		qmgr_message_reset(&m);
	}
	queue_ops_entries_free(&e, n);
	return 0;
}

static int list(struct host *h, int json)
{
	struct buf b;

	buf_init(&b);
	if (json)
		showq_json(h, &b);
	else
		showq_compat(h, &b);
	fwrite(b.data, 1, b.len, stdout);
	buf_reset(&b);
	return 0;
}

int cmd_postqueue(struct cli *cli, int argc, char **argv)
{
	struct admin a;
	int argi, rc, k;
	int is_mailq = strcmp(argv[0], "mailq") == 0;

	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	if (is_mailq)
		return admin_close(&a, list(a.h, 0));
	if (argi >= argc) {
		fprintf(stderr, "postqueue: fatal: usage: postqueue -f | postqueue -i queueid"
			" | postqueue -j | postqueue -p | postqueue -s site\n");
		return admin_close(&a, 1);
	}
	for (k = argi; k < argc && rc == 0; k++) {
		const char *o = argv[k];

		if (strcmp(o, "-p") == 0) {
			rc = list(a.h, 0);
		} else if (strcmp(o, "-j") == 0) {
			rc = list(a.h, 1);
		} else if (strcmp(o, "-f") == 0) {
			struct queue_ops_entry *e = NULL;
			size_t n = queue_ops_list(a.h, "deferred", &e), i;

			for (i = 0; i < n; i++)
				(void)flush_one(a.h, e[i].id);
			queue_ops_entries_free(&e, n);
		} else if ((strcmp(o, "-i") == 0 || strcmp(o, "-s") == 0) && k + 1 < argc) {
			if (o[1] == 'i')
				(void)flush_one(a.h, argv[++k]);
			else
				rc = for_site(a.h, argv[++k]);
		} else {
			fprintf(stderr, "postqueue: fatal: usage: postqueue -f | postqueue -i queueid"
				" | postqueue -j | postqueue -p | postqueue -s site\n");
			rc = 1;
		}
	}
	return admin_close(&a, rc);
}

int cmd_mailq(struct cli *cli, int argc, char **argv)
{
	char *args[] = { (char *)"mailq", NULL, NULL, NULL };
	int n = 1;

	/* mailq [--host H]: the same listing as postqueue -p */
	if (argc > 1 && strcmp(argv[1], "--host") == 0 && argc > 2) {
		args[n++] = argv[1];
		args[n++] = argv[2];
	} else if (argc > 1 && strncmp(argv[1], "--host=", 7) == 0) {
		args[n++] = argv[1];
	}
	return cmd_postqueue(cli, n, args);
}
