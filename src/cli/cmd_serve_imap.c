/*
 * serve --stdio imap: one IMAP session on stdin/stdout, inetd style, for
 * `maillab serve --stdio imap [--host H] [--client-ip IP]` (cmd_serve.c
 * calls serve_stdio_imap()). The session is imap_server's; this file only
 * moves bytes, waits where Dovecot would, and ticks the engine once a
 * second while the client IDLEs so that new mail is pushed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/xalloc.h"
#include "mda/imap_server.h"
#include "mta/host.h"
#include "sim/world.h"

int serve_stdio_imap(struct cli *cli, const char *host, const char *client_ip);

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush(struct imap_server *s)
{
	struct buf *out = imap_server_output(s);
	int rc = write_all(1, out->data != NULL ? out->data : "", out->len);

	buf_clear(out);
	return rc;
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int serve_stdio_imap(struct cli *cli, const char *host, const char *client_ip)
{
	struct imap_server_opts o;
	struct imap_server *s;
	struct world *w;
	struct host *h;
	struct err e;
	char *root;
	int rc = 0;

	/* a client that vanishes must not kill us before the log is written */
	signal(SIGPIPE, SIG_IGN);
	root = world_root_path(cli->root_opt);
	w = world_open(root, &e);
	free(root);
	if (w == NULL) {
		fprintf(stderr, "maillab serve: %s\n", e.text);
		return 1;
	}
	if (host == NULL || host[0] == '\0')
		host = getenv("MAILLAB_HOST");
	h = world_host(w, host != NULL && host[0] != '\0' ? host : NULL, &e);
	if (h == NULL) {
		fprintf(stderr, "maillab serve: %s\n", e.text);
		world_free(&w);
		return 1;
	}
	imap_server_opts_for_host(&o, h);
	o.client_addr = client_ip != NULL ? client_ip : "127.0.0.1";
	o.client_port = (int)(getpid() & 0xffff);
	/* XXX no TLS on stdio: STARTTLS is not offered (honest CAPABILITY) */
	o.tls_possible = 0;
	s = imap_server_new(&o, clock_real_now(), &e);
	if (s == NULL) {
		fprintf(stderr, "maillab serve: %s\n", e.text);
		world_free(&w);
		return 1;
	}
	for (;;) {
		long delay;
		enum imap_server_act act = imap_server_run(s, clock_real_now(),
							   &delay);
		struct pollfd pfd = { 0, POLLIN, 0 };
		char buf[4096];
		ssize_t n;

		if (flush(s) < 0) {
			imap_server_eof(s, clock_real_now());
			(void)imap_server_run(s, clock_real_now(), &delay);
			break;
		}
		if (act == IMAP_SERVER_CLOSE)
			break;
		if (act == IMAP_SERVER_DELAY) {
			nap(delay);
			continue;
		}
		if (act == IMAP_SERVER_STARTTLS) {
			rc = 1;		/* not offered; cannot happen */
			break;
		}
		if (imap_server_idling(s)) {
			int pr = poll(&pfd, 1, 1000);

			if (pr == 0) {
				imap_server_tick(s, clock_real_now());
				continue;
			}
		}
		n = read(0, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			imap_server_eof(s, clock_real_now());
			(void)imap_server_run(s, clock_real_now(), &delay);
			(void)flush(s);
			break;
		}
		imap_server_feed(s, buf, (size_t)n, clock_real_now());
	}
	imap_server_free(&s);
	world_free(&w);
	return rc;
}
