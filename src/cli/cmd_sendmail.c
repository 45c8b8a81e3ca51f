/*
 * maillab sendmail [--host H] [options] [recipient ...]: Postfix's
 * sendmail(1) on a lab host. The message (standard input) goes into
 * maildrop/ through postdrop and pickup queues it, exactly as on
 * Postfix (the log shows "pickup[PID]: ID: uid=0 from=<root>").
 *   -f ADDR, -r ADDR  envelope sender (default: root)
 *   -F NAME           ignored here (the From: full name comes from passwd)
 *   -t                recipients also from To:, Cc:, Bcc: (Bcc: removed)
 *   -i, -oi           a line with only "." does not end the message
 *   -bp               list the queue (mailq)      -bi  newaliases
 *   -bs               an SMTP session on standard input and output
 *   -oX..., -v, -bm   accepted and ignored, as Postfix does
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "cli/submit.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "mta/smtp_server.h"
#include "sim/sim.h"
#include "sim/world.h"

/* sendmail -bs: smtpd on stdin/stdout, for a local client. */
static int smtp_session(struct admin *a)
{
	struct smtp_server_opts so;
	struct smtp_server *srv;
	struct sim *s;
	struct err e;
	char buf[4096];
	int done = 0;

	s = sim_open(a->w, NULL, &e);
	if (s == NULL) {
		fprintf(stderr, "sendmail: fatal: %s\n", e.text);
		return 1;
	}
	memset(&so, 0, sizeof(so));
	so.client_addr = "127.0.0.1";
	so.client_name = "localhost";
	srv = smtp_server_new(a->h, &so, sim_now(s));
	if (srv == NULL) {
		fprintf(stderr, "sendmail: fatal: cannot start the SMTP server\n");
		sim_free(&s);
		return 1;
	}
	while (!done) {
		long delay = 0;
		enum smtp_server_act act = smtp_server_run(srv, sim_now(s), &delay);
		struct buf *out = smtp_server_output(srv);
		ssize_t n;

		if (out != NULL && out->len > 0) {
			fwrite(out->data, 1, out->len, stdout);
			fflush(stdout);
			buf_clear(out);
		}
		if (act == SMTP_SERVER_CLOSE)
			break;
		if (act == SMTP_SERVER_STARTTLS) {
			smtp_server_tls_started(srv, sim_now(s));
			continue;
		}
		if (act == SMTP_SERVER_DELAY)
			continue;
		n = read(0, buf, sizeof(buf));
		if (n <= 0) {
			smtp_server_eof(srv, sim_now(s));
			(void)smtp_server_run(srv, sim_now(s), &delay);
			done = 1;
		} else {
			smtp_server_feed(srv, buf, (size_t)n, sim_now(s));
		}
	}
	smtp_server_free(&srv);
	sim_free(&s);
	return 0;
}

int cmd_sendmail(struct cli *cli, int argc, char **argv)
{
	struct admin a;
	const char *sender = NULL;
	int extract = 0, ignore_dots = 0, argi, rc, k;
	char **rcpts = NULL, *msg, *qid = NULL;
	size_t n = 0, i;
	struct sim *s;
	struct err e;

	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	for (k = argi; k < argc && argv[k][0] == '-'; k++) {
		const char *o = argv[k];

		if (strcmp(o, "--") == 0) {
			k++;
			break;
		} else if (strcmp(o, "-t") == 0) {
			extract = 1;
		} else if (strcmp(o, "-i") == 0 || strcmp(o, "-oi") == 0) {
			ignore_dots = 1;
		} else if (o[1] == 'f' || o[1] == 'r' || o[1] == 'F') {
			const char *v = o[2] != '\0' ? o + 2 : k + 1 < argc ? argv[++k] : NULL;

			if (v == NULL) {
				fprintf(stderr, "sendmail: fatal: option requires an argument -- '%c'\n", o[1]);
				return admin_close(&a, 64);
			}
			if (o[1] != 'F')
				sender = v;
		} else if (strcmp(o, "-bp") == 0) {
			char *name = xstrdup(a.h->name);
			char *args[] = { (char *)"mailq", (char *)"--host", name, NULL };

			world_free(&a.w);
			rc = cmd_mailq(cli, 3, args);
			free(name);
			return rc;
		} else if (strcmp(o, "-bi") == 0) {
			char *name = xstrdup(a.h->name);
			char *args[] = { (char *)"newaliases", (char *)"--host", name, NULL };

			world_free(&a.w);
			rc = cmd_newaliases(cli, 3, args);
			free(name);
			return rc;
		} else if (strcmp(o, "-bs") == 0) {
			return admin_close(&a, smtp_session(&a));
		} else if (strncmp(o, "-o", 2) == 0 || strcmp(o, "-v") == 0
			   || strcmp(o, "-bm") == 0 || strncmp(o, "-B", 2) == 0
			   || strncmp(o, "-N", 2) == 0 || strncmp(o, "-R", 2) == 0) {
			if ((strcmp(o, "-N") == 0 || strcmp(o, "-R") == 0 || strcmp(o, "-B") == 0)
			    && k + 1 < argc)
				k++;
		} else {
			fprintf(stderr, "sendmail: fatal: usage: sendmail [options]\n");
			return admin_close(&a, 64);
		}
	}
	for (; k < argc; k++) {
		rcpts = xrealloc(rcpts, (n + 2) * sizeof(*rcpts));
		rcpts[n++] = xstrdup(argv[k]);
		rcpts[n] = NULL;
	}
	msg = submit_read(stdin, ignore_dots);
	if (extract)
		submit_extract(msg, &rcpts, &n);
	if (n == 0) {
		fprintf(stderr, "sendmail: fatal: %s(0): Recipient addresses must be specified on "
			"the command line or via the -t option\n", "root");
		free(msg);
		return admin_close(&a, 64);
	}
	rc = 0;
	s = sim_open(a.w, NULL, &e);
	if (s == NULL || sim_sendmail(s, a.h->name, sender != NULL ? sender : "root",
				      (const char *const *)rcpts, msg, 0, extract, &qid, &e) < 0) {
		fprintf(stderr, "sendmail: fatal: %s\n", e.text);
		rc = 75;	/* EX_TEMPFAIL */
	}
	sim_free(&s);
	free(qid);
	free(msg);
	for (i = 0; i < n; i++)
		free(rcpts[i]);
	free(rcpts);
	return admin_close(&a, rc);
}
