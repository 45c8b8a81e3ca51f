/*
 * CUnit suite for src/mta/host.c's mail.log writer: Postfix's lines carry
 * "[PID]" (reference/transcripts/smtp/01-study-note.log), Dovecot's log
 * process writes "dovecot: ..." without one (reference/transcripts/pop3/
 * 01-*.log); both in Debian 12 rsyslog's RFC 3339 format, both traced.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "mta/host.h"
#include "sim/world.h"
#include "tutil.h"

void test_host_register(void);

/* 2026-11-28T22:03:09.821Z */
#define T_LOG 1795903389821LL

struct seen {
	char process[64];
	char text[256];
	int n;
};

static void emit(void *ctx, const struct trace_event *ev)
{
	struct seen *s = ctx;

	if (strcmp(ev->protocol, "log") != 0)
		return;
	snprintf(s->process, sizeof(s->process), "%s", ev->process);
	snprintf(s->text, sizeof(s->text), "%s", ev->text);
	s->n++;
}

static void test_log_lines(void)
{
	static const struct {
		int raw;
		const char *process, *text, *want;
	} cases[] = {
		{ 0, "postfix/smtpd", "connect from localhost[127.0.0.1]",
		  "2026-11-28T22:03:09.821000+00:00 centos postfix/smtpd[%d]: "
		  "connect from localhost[127.0.0.1]\n" },
		{ 1, "dovecot", "pop3-login: Login: user=<alice>, method=PLAIN",
		  "2026-11-28T22:03:09.821000+00:00 centos dovecot: "
		  "pop3-login: Login: user=<alice>, method=PLAIN\n" },
	};
	char *dir = tu_tmpdir(), *root = xasprintf("%s/root", dir);
	struct world *w;
	struct host *h;
	struct err e;
	size_t i;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = world_host(w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = host_path(h, "var/log/mail.log"), *got, *want;
		struct seen s;

		memset(&s, 0, sizeof(s));
		h->trace.emit = emit;
		h->trace.ctx = &s;
		remove(path);
		if (cases[i].raw)
			host_log_raw(h, T_LOG, cases[i].process, "%s", cases[i].text);
		else
			host_log(h, T_LOG, cases[i].process, "%s", cases[i].text);
		got = tu_read_file(path, NULL);
		want = xasprintf(cases[i].want, host_pid(h, cases[i].process));
		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		if (strcmp(got, want) != 0)
			fprintf(stderr, "\n  got %s  want %s", got, want);
		CU_ASSERT_STRING_EQUAL(got, want);
		CU_ASSERT_EQUAL(s.n, 1);
		CU_ASSERT_STRING_EQUAL(s.process, cases[i].process);
		CU_ASSERT_STRING_EQUAL(s.text, cases[i].text);
		h->trace.emit = NULL;
		free(got);
		free(want);
		free(path);
	}
	world_free(&w);
	tu_rmtree(dir);
	free(root);
	free(dir);
}

/* Appends a line to the host's main.cf and reloads it. */
static void maincf(struct host *h, const char *line)
{
	char *p = host_path(h, "etc/postfix/main.cf");
	FILE *f = fopen(p, "a");
	struct err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fprintf(f, "%s\n", line);
	fclose(f);
	free(p);
	CU_ASSERT_EQUAL(host_reload(h, &e), 0);
}

/*
 * reference/commands/12-maillog-file.txt: with maillog_file set,
 * Postfix's lines go there in postlogd's traditional format; master's
 * and Dovecot's stay in mail.log; a name outside /var is not used.
 */
static void test_maillog_file(void)
{
	char *dir = tu_tmpdir(), *root = xasprintf("%s/root", dir), *p, *got, *want;
	struct world *w;
	struct host *h;
	struct err e;

	CU_ASSERT_EQUAL_FATAL(world_init(root, "centos", &e), 0);
	w = world_open(root, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	h = world_host(w, "centos.localdomain", &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	p = host_path(h, "var/log/mail.log");
	remove(p);
	free(p);
	maincf(h, "maillog_file = /var/log/postfix.log");
	host_log(h, T_LOG, "postfix/pickup", "87DEA10455A: uid=0 from=<root>");
	host_log(h, T_LOG, "postfix/master", "reload -- version 3.7.11, configuration /etc/postfix");
	host_log_raw(h, T_LOG, "dovecot", "pop3-login: Login: user=<alice>");
	p = host_path(h, "var/log/postfix.log");
	got = tu_read_file(p, NULL);
	free(p);
	want = xasprintf("Nov 28 22:03:09 centos postfix/pickup[%d]: 87DEA10455A: uid=0 from=<root>\n",
			 host_pid(h, "pickup"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	free(want);
	p = host_path(h, "var/log/mail.log");
	got = tu_read_file(p, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, " centos postfix/master["));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, " centos dovecot: pop3-login: Login: user=<alice>\n"));
	CU_ASSERT_PTR_NULL(strstr(got, "pickup"));
	free(got);
	/* outside maillog_file_prefixes: syslog as before */
	maincf(h, "maillog_file = /etc/passwd");
	host_log(h, T_LOG, "postfix/pickup", "second");
	got = tu_read_file(p, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "postfix/pickup"));
	free(got);
	free(p);
	world_free(&w);
	tu_rmtree(dir);
	free(root);
	free(dir);
}

void test_host_register(void)
{
	CU_pSuite s = CU_add_suite("host", NULL, NULL);

	CU_add_test(s, "mail.log lines with and without [PID]", test_log_lines);
	CU_add_test(s, "maillog_file (postlogd)", test_maillog_file);
}
