/*
 * maillab postlog [--host H] [-iv] [-c DIR] [-p PRIORITY] [-t TAG] [TEXT...]:
 * Postfix's postlog(1), a logging command for shell scripts, on a lab host.
 * TEXT (the arguments joined by single spaces) is one record; without
 * TEXT each line of standard input is one. A record goes to the host's
 * mail.log (or to maillog_file, through host_log) as
 * "TAG[PID]: [warning: |error: |fatal: |panic: ]TEXT", exactly as
 * reference/commands/12-maillog-file.txt shows
 * ("postfix/maillab-test[14938]: a line written with postlog(1)"); the
 * default tag is "postfix/postlog" (syslog_name/postlog). When standard
 * error is a terminal the record is shown there too ("TAG: TEXT"), as
 * msg_vstream does. -i (the PID is always logged since Postfix 3.4),
 * -v and -c are accepted. An unknown priority is Postfix's
 * 'fatal: bad severity: "X"', exit 1. Postlog's one-second pause after
 * a fatal or panic record (for consistency with msg_fatal) is left out.
 *
 * Postfix's printable() sanitises the tag and the text: control
 * characters become '?' (UTF-8 passes: smtputf8_enable = yes under
 * compatibility_level 3.6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/admin.h"
#include "cli/cli.h"
#include "lib/buf.h"
#include "lib/i18n.h"
#include "lib/xalloc.h"
#include "mta/host.h"
#include "sim/sim.h"

int cmd_postlog(struct cli *cli, int argc, char **argv);

/* Postfix's postlog level_table: name -> the prefix msg_output adds. */
static const struct {
	const char *name;
	const char *prefix;
} levels[] = {
	{ "info", "" },
	{ "warn", "warning: " },
	{ "warning", "warning: " },
	{ "error", "error: " },
	{ "err", "error: " },
	{ "fatal", "fatal: " },
	{ "crit", "fatal: " },
	{ "panic", "panic: " },
};

static void usage(FILE *f)
{
	fputs(_("Usage: maillab postlog [--host HOST] [-iv] [-c DIR] [-p PRIORITY] [-t TAG] [TEXT...]\n"
		"\n"
		"Writes TEXT (or each line of standard input) to the host's mail.log as\n"
		"Postfix's postlog(1) does: \"TAG[PID]: TEXT\".\n"
		"  -p PRIORITY  info (default), warn, error, fatal or panic: the record\n"
		"               then starts with \"warning: \", \"error: \", ...\n"
		"  -t TAG       the program name in the record (default postfix/postlog)\n"
		"  -i, -v, -c DIR   accepted, as by Postfix; no effect\n"), f);
}

/* printable(s, '?'): control characters replaced, in place. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static const char *level_prefix(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strcasecmp(levels[i].name, name) == 0)
			return levels[i].prefix;
	return NULL;
}

static void record(struct host *h, mtime_t now, const char *tag, const char *prefix,
		   char *text)
{
	printable(text);
	host_log(h, now, tag, "%s%s", prefix, text);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "%s: %s%s\n", tag, prefix, text);
}

/* Each line of f, without its newline, is one record. */
static void log_stream(struct host *h, mtime_t now, const char *tag, const char *prefix,
		       FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		record(h, now, tag, prefix, line);
	}
	free(line);
}

/* getopt() said why; msg_fatal() logs and shows the usage line, exit 1. */
static int bad_usage(struct admin *a)
{
	static const char usage_line[] = "usage: postlog [-c config_dir] [-i] [-p priority] "
		"[-t tag] [-v] [text]";
	struct err e;
	struct sim *s = sim_open(a->w, NULL, &e);

	if (s != NULL) {
		host_log(a->h, sim_now(s), "postfix/postlog", "fatal: %s", usage_line);
		sim_free(&s);
	}
	fprintf(stderr, "postfix/postlog: fatal: %s\n", usage_line);
	return admin_close(a, 1);
}

int cmd_postlog(struct cli *cli, int argc, char **argv)
{
	const char *prefix = "", *bad = NULL;
	char *tag = NULL;
	struct admin a;
	struct sim *s;
	struct err e;
	int argi, rc, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--host") == 0) {
			i++;
			continue;
		}
		if (strcmp(argv[i], "--") == 0 || argv[i][0] != '-')
			break;
	}
	rc = admin_open(&a, cli, argc, argv, &argi);
	if (rc != 0)
		return rc;
	for (; argi < argc && argv[argi][0] == '-' && argv[argi][1] != '\0'; argi++) {
		const char *o = argv[argi] + 1;

		if (strcmp(argv[argi], "--") == 0) {
			argi++;
			break;
		}
		for (; *o; o++) {
			const char *val;

			if (*o == 'i' || *o == 'v')
				continue;
			if (*o != 'c' && *o != 'p' && *o != 't') {
				fprintf(stderr, "postlog: invalid option -- '%c'\n", *o);
				free(tag);
				return bad_usage(&a);
			}
			/* getopt: the value is the rest of this word or the next */
			val = o[1] != '\0' ? o + 1 : argi + 1 < argc ? argv[++argi] : NULL;
			if (val == NULL) {
				fprintf(stderr, "postlog: option requires an argument -- '%c'\n", *o);
				free(tag);
				return bad_usage(&a);
			}
			if (*o == 'p') {
				prefix = level_prefix(val);
				if (prefix == NULL)
					bad = val;
			} else if (*o == 't') {
				free(tag);
				tag = xstrdup(val);
			}
			break;
		}
		if (bad != NULL)
			break;
	}
	s = sim_open(a.w, NULL, &e);
	if (s == NULL) {
		fprintf(stderr, "postlog: fatal: %s\n", e.text);
		free(tag);
		return admin_close(&a, 1);
	}
	if (bad != NULL) {
		/* msg_fatal() in level_map(), before the tag is set */
		host_log(a.h, sim_now(s), "postfix/postlog", "fatal: bad severity: \"%s\"", bad);
		fprintf(stderr, "postfix/postlog: fatal: bad severity: \"%s\"\n", bad);
		rc = 1;
	} else if (argi < argc) {
		struct buf b;

		buf_init(&b);
		for (i = argi; i < argc; i++) {
			if (i > argi)
				buf_addc(&b, ' ');
			buf_adds(&b, argv[i]);
		}
		buf_addc(&b, '\0');
		if (tag != NULL)
			printable(tag);
		record(a.h, sim_now(s), tag != NULL ? tag : "postfix/postlog", prefix, b.data);
		buf_reset(&b);
	} else {
		if (tag != NULL)
			printable(tag);
		log_stream(a.h, sim_now(s), tag != NULL ? tag : "postfix/postlog", prefix, stdin);
	}
	free(tag);
	sim_free(&s);
	return admin_close(&a, rc);
}
