/*
 * maillab mail [--host H]: a small mail(1), after GNU Mailutils 3.15.
 *   mail [-s SUBJECT] [-r FROM] RCPT...  sends standard input as the body,
 *       through sendmail (maildrop, pickup), with the headers mailutils
 *       writes (Subject, To, User-Agent, Date; cleanup adds Message-Id
 *       and From), reference/commands/08-sendmail-bounce.txt
 *   mail [-u USER] [-f FILE]             lists the mailbox (var/mail/USER)
 *       and reads commands from standard input: N or "p N" prints
 *       message N, "h" lists again, "d N" deletes it, "q" quits (and
 *       saves the deletions), "x" quits without saving
 *   mail -p [-u USER]                    prints every message
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "cli/submit.h"
#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "sim/sim.h"

struct mbox_msg {
	size_t off, len;	/* the message, From_ line included */
	char *from, *date, *subject;
	size_t lines;
	int deleted;
};

static char *header(const char *msg, size_t len, const char *name)
{
	const char *p = msg, *end = msg + len;
	size_t n = strlen(name);

	/* skip the From_ line */
	p = memchr(p, '\n', len);
	p = p != NULL ? p + 1 : end;
	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (l > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ' || *v == '\t')
				v++;
			return xstrndup(v, l - (size_t)(v - p));
		}
		p += l + 1;
	}
	return xstrdup("");
}

static size_t parse_mbox(const char *data, size_t len, struct mbox_msg **out)
{
	size_t n = 0, i = 0;

	*out = NULL;
	while (i < len) {
		size_t start = i, end;
		const char *p;

		/* the next "\n\nFrom " starts the next message */
		for (end = i + 1; end < len; end++)
			if (data[end - 1] == '\n' && end + 5 <= len
			    && memcmp(data + end, "From ", 5) == 0
			    && end >= 2 && data[end - 2] == '\n')
				break;
		*out = xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n].off = start;
		(*out)[n].len = end - start;
		(*out)[n].deleted = 0;
		(*out)[n].lines = 0;
		for (p = data + start; p < data + end; p++)
			if (*p == '\n')
				(*out)[n].lines++;
		(*out)[n].from = header(data + start, end - start, "From");
		(*out)[n].date = header(data + start, end - start, "Date");
		(*out)[n].subject = header(data + start, end - start, "Subject");
		n++;
		i = end;
	}
	return n;
}

/* "Name <addr>" -> "Name"; "addr" -> "addr" (mailutils' summary column) */
static void who(const char *from, char *out, size_t n)
{
	const char *lt = strchr(from, '<');

	if (lt != NULL && lt > from) {
		size_t l = (size_t)(lt - from);

		while (l > 0 && from[l - 1] == ' ')
			l--;
		snprintf(out, n, "%.*s", (int)l, from);
	} else {
		snprintf(out, n, "%s", from);
	}
}

static void summary(const char *vpath, const char *data, struct mbox_msg *m, size_t n)
{
	size_t i, live = 0;

	(void)data;
	for (i = 0; i < n; i++)
		live += !m[i].deleted;
	printf("\"%s\": %zu message%s %zu new\n", vpath, live, live == 1 ? "" : "s", live);
	for (i = 0; i < n; i++) {
		char name[64], date[32] = "";
		struct tm tm;

		if (m[i].deleted)
			continue;
		who(m[i].from, name, sizeof(name));
		memset(&tm, 0, sizeof(tm));
		if (strptime(m[i].date, "%a, %d %b %Y %H:%M:%S", &tm) != NULL)
			strftime(date, sizeof(date), "%a %b %e %H:%M", &tm);
		printf("%cN %3zu %-18.18s %-16.16s %3zu/%-5zu %.25s\n", i == 0 ? '>' : ' ',
		       i + 1, name, date, m[i].lines, m[i].len, m[i].subject);
	}
}

static void print_msg(const char *data, const struct mbox_msg *m, size_t num)
{
	const char *p = data + m->off;
	const char *nl = memchr(p, '\n', m->len);
	size_t skip = nl != NULL ? (size_t)(nl - p) + 1 : 0;

	printf("Message %zu:\n", num);
	fwrite(p + skip, 1, m->len - skip, stdout);
}

static int read_mode(struct admin *a, const char *user, const char *file, int print_all)
{
	char *vpath = file != NULL ? xstrdup(file) : xasprintf("/var/mail/%s", user);
	char *path = file != NULL ? xstrdup(file) : host_path(a->h, vpath + 1);
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096], line[256];
	struct mbox_msg *m = NULL;
	size_t n, i, k;
	int changed = 0, save = 1;

	if (f == NULL) {
		printf("No mail for %s\n", user);
		free(vpath);
		free(path);
		return 0;
	}
	buf_init(&b);
	buf_adds(&b, "");
	while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, k);
	fclose(f);
	n = parse_mbox(b.data, b.len, &m);
	if (n == 0) {
		printf("No mail for %s\n", user);
	} else if (print_all) {
		for (i = 0; i < n; i++)
			print_msg(b.data, &m[i], i + 1);
	} else {
		summary(vpath, b.data, m, n);
		while (fgets(line, sizeof(line), stdin) != NULL) {
			char cmd[16] = "";
			size_t num = 0;

			if (isdigit((unsigned char)line[0])) {
				num = strtoul(line, NULL, 10);
				snprintf(cmd, sizeof(cmd), "p");
			} else if (sscanf(line, "%15s %zu", cmd, &num) < 1) {
				continue;
			}
			if (num == 0)
				num = 1;
			if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0)
				break;
			if (strcmp(cmd, "x") == 0 || strcmp(cmd, "exit") == 0) {
				save = 0;
				break;
			}
			if (strcmp(cmd, "h") == 0) {
				summary(vpath, b.data, m, n);
			} else if (num > n || m[num - 1].deleted) {
				printf("%zu: Inappropriate message\n", num);
			} else if (strcmp(cmd, "p") == 0 || strcmp(cmd, "t") == 0) {
				print_msg(b.data, &m[num - 1], num);
			} else if (strcmp(cmd, "d") == 0) {
				m[num - 1].deleted = 1;
				changed = 1;
			} else {
				printf("Unknown command: %s\n", cmd);
			}
		}
		if (changed && save) {
			/* rewrite the mbox without the deleted messages */
			char *tmp = xasprintf("%s.mail-tmp", path);
			FILE *o = fopen(tmp, "wb");

			if (o != NULL) {
				for (i = 0; i < n; i++)
					if (!m[i].deleted)
						fwrite(b.data + m[i].off, 1, m[i].len, o);
				if (fclose(o) == 0 && rename(tmp, path) == 0)
					chmod(path, 0600);
			}
			free(tmp);
		}
	}
	for (i = 0; i < n; i++) {
		free(m[i].from);
		free(m[i].date);
		free(m[i].subject);
	}
	free(m);
	buf_reset(&b);
	free(vpath);
	free(path);
	return 0;
}

static int send_mode(struct admin *a, const char *subject, const char *from,
		     char **rcpts, int n)
{
	struct buf msg;
	struct sim *s;
	struct err e;
	char *body, date[64];
	time_t t;
	struct tm tm;
	int i, rc = 0;

	s = sim_open(a->w, NULL, &e);
	if (s == NULL) {
		fprintf(stderr, "mail: %s\n", e.text);
		return 1;
	}
	t = (time_t)(sim_now(s) / 1000);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	body = submit_read(stdin, 1);
	buf_init(&msg);
	if (subject != NULL)
		buf_addf(&msg, "Subject: %s\n", subject);
	buf_adds(&msg, "To: ");
	for (i = 0; i < n; i++)
		buf_addf(&msg, "%s%s%s%s", i > 0 ? ", " : "", rcpts[i],
			 strchr(rcpts[i], '@') == NULL ? "@" : "",
			 strchr(rcpts[i], '@') == NULL ? host_myorigin(a->h) : "");
	buf_adds(&msg, "\nUser-Agent: mail (GNU Mailutils 3.15)\n");
	buf_addf(&msg, "Date: %s\n\n", date);
	buf_adds(&msg, body);
	{
		/* mailutils qualifies the sender with the machine's own name */
		char *sender = from != NULL ? xstrdup(from) : xasprintf("root@%s", a->h->name);

		rcpts[n] = NULL;
		if (sim_sendmail(s, a->h->name, sender, (const char *const *)rcpts, msg.data,
				 0, 0, NULL, &e) < 0) {
			fprintf(stderr, "mail: %s\n", e.text);
			rc = 1;
		}
		free(sender);
	}
	buf_reset(&msg);
	free(body);
	sim_free(&s);
	return rc;
}

int cmd_mail(struct cli *cli, int argc, char **argv)
{
	struct admin a;
	const char *subject = NULL, *from = NULL, *user = "root", *file = NULL;
	char **rcpts;
	int argi, rc, k, n = 0, print_all = 0;

	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	rcpts = xcalloc((size_t)argc + 1, sizeof(*rcpts));
	for (k = argi; k < argc; k++) {
		const char *o = argv[k];

		if (strcmp(o, "-s") == 0 && k + 1 < argc)
			subject = argv[++k];
		else if (strcmp(o, "-r") == 0 && k + 1 < argc)
			from = argv[++k];
		else if (strcmp(o, "-u") == 0 && k + 1 < argc)
			user = argv[++k];
		else if (strcmp(o, "-f") == 0 && k + 1 < argc)
			file = argv[++k];
		else if (strcmp(o, "-p") == 0)
			print_all = 1;
		else if (o[0] == '-')
			continue;
		else
			rcpts[n++] = argv[k];
	}
	if (n > 0)
		rc = send_mode(&a, subject, from, rcpts, n);
	else
		rc = read_mode(&a, user, file, print_all);
	free(rcpts);
	return admin_close(&a, rc);
}
