/*
 * maillab postcat [--host H] [-ehb] -q ID | FILE: Postfix's postcat(1):
 * a queue file's records by name, as reference/commands/05-queue.txt
 * shows them (envelope, message contents, extracted header, end).
 *   -e envelope only   -h message header   -b message body
 *   -q ID              find the file in the host's queues
 * With none of -e, -h, -b everything is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "lib/xalloc.h"
#include "mta/mail_date.h"
#include "mta/qfile.h"
#include "mta/queue_ops.h"

enum { PC_ENV = 1, PC_HDR = 2, PC_BODY = 4 };

static void print_file(const struct qfile *q, const char *name, int flags)
{
	size_t i;
	int section = 0;	/* 0 envelope, 1 content, 2 extracted */
	int in_header = 1, partial = 0;

	if (flags & PC_ENV)
		printf("*** ENVELOPE RECORDS %s ***\n", name);
	for (i = 0; i < q->n; i++) {
		const struct qfile_rec *r = &q->recs[i];
		char date[64];

		if (r->type == QFILE_REC_MESG) {
			section = 1;
			if (flags & (PC_HDR | PC_BODY))
				printf("*** MESSAGE CONTENTS %s ***\n", name);
			continue;
		}
		if (r->type == QFILE_REC_XTRA) {
			section = 2;
			if (flags & PC_ENV)
				printf("*** HEADER EXTRACTED %s ***\n", name);
			continue;
		}
		if (r->type == QFILE_REC_END) {
			if (flags & PC_ENV)
				printf("*** MESSAGE FILE END %s ***\n", name);
			break;
		}
		if (section == 1 && (r->type == QFILE_REC_NORM || r->type == QFILE_REC_CONT)) {
			int show;

			if (!partial && in_header && r->len == 0)
				in_header = 0;
			show = in_header ? (flags & PC_HDR) : (flags & PC_BODY);
			if (show) {
				fwrite(r->data, 1, r->len, stdout);
				if (r->type == QFILE_REC_NORM)
					putchar('\n');
			}
			partial = r->type == QFILE_REC_CONT;
			continue;
		}
		if (!(flags & PC_ENV))
			continue;
		if (r->type == QFILE_REC_TIME || r->type == QFILE_REC_WARN) {
			/* postcat.c: both through asctime(); a W record of 0
			 * (the notice was sent) shows the epoch */
			mtime_t t = (mtime_t)strtol(r->data, NULL, 10) * 1000;

			mail_date_asctime(t, date, sizeof(date));
			printf("%s: %s\n", qfile_rec_name(r->type), date);
		} else if (r->type == QFILE_REC_ATTR && strncmp(r->data, "create_time=", 12) == 0) {
			mtime_t t = (mtime_t)strtol(r->data + 12, NULL, 10) * 1000;

			mail_date_asctime(t, date, sizeof(date));
			printf("create_time: %s\n", date);
		} else {
			printf("%s: %s\n", qfile_rec_name(r->type), r->data);
		}
	}
}

int cmd_postcat(struct cli *cli, int argc, char **argv)
{
	struct admin a;
	int argi, rc, k, flags = 0, by_id = 0;
	const char *target = NULL;

	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	for (k = argi; k < argc; k++) {
		const char *o = argv[k];

		if (o[0] == '-' && o[1] != '\0') {
			size_t j;

			for (j = 1; o[j] != '\0'; j++) {
				switch (o[j]) {
				case 'e': flags |= PC_ENV; break;
				case 'h': flags |= PC_HDR; break;
				case 'b': flags |= PC_BODY; break;
				case 'q': by_id = 1; break;
				case 'o': case 'v': case 'r': break;
				default:
					fprintf(stderr, "postcat: fatal: usage: postcat [-bdehnoqv] "
						"[-c config_dir] [files...]\n");
					return admin_close(&a, 1);
				}
			}
		} else {
			target = o;
		}
	}
	if (flags == 0)
		flags = PC_ENV | PC_HDR | PC_BODY;
	if (target == NULL) {
		fprintf(stderr, "postcat: fatal: usage: postcat [-bdehnoqv] [-c config_dir] [files...]\n");
		return admin_close(&a, 1);
	}
	{
		struct qfile q;
		struct err e;
		char *path, *name;
		const char *queue = NULL;

		if (by_id) {
			queue = queue_ops_find(a.h, target);
			if (queue == NULL) {
				fprintf(stderr, "postcat: fatal: open queue file %s: No such file or directory\n",
					target);
				return admin_close(&a, 1);
			}
			path = queue_ops_path(a.h, queue, target);
			name = queue_ops_relpath(queue, target);
		} else {
			path = xstrdup(target);
			name = xstrdup(target);
		}
		qfile_init(&q);
		if (qfile_read(path, &q, &e) < 0) {
			fprintf(stderr, "postcat: fatal: %s\n", e.text);
			rc = 1;
		} else {
			print_file(&q, name, flags);
		}
		qfile_reset(&q);
		free(path);
		free(name);
	}
	return admin_close(&a, rc);
}
