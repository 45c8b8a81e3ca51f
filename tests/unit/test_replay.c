/*
 * CUnit suite for src/ui/replay.c against a small fake server (so the
 * comparison logic is tested without the SMTP engine): grouping of
 * writes, output read where the transcript reads it, delay comments,
 * the simulated TLS handshake, closes, masks and the diff.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "ui/replay.h"
#include "ui/transcript.h"

void test_replay_register(void);

struct fake {
	struct buf in, out;
	int data, slow_done, part_done, eof, tls_wait, writes, limit;
};

static void fake_feed(void *t, const void *buf, size_t len, mtime_t now)
{
	struct fake *f = t;

	(void)now;
	f->writes++;
	buf_add(&f->in, buf, len);
}

static void fake_eof(void *t, mtime_t now)
{
	(void)now;
	((struct fake *)t)->eof = 1;
}

static enum server_session_act fake_run(void *t, mtime_t now, long *delay_ms_out)
{
	struct fake *f = t;
	char *nl;

	(void)now;
	if (f->eof)
		return SERVER_SESSION_CLOSE;
	/* The error limit: 500, a pause, then 421 and the close unasked. */
	if (f->limit == 2) {
		buf_adds(&f->out, "421 4.7.0 fake Error: too many errors\r\n");
		return SERVER_SESSION_CLOSE;
	}
	while (!f->tls_wait && f->in.len > 0 &&
	       (nl = memchr(f->in.data, '\n', f->in.len)) != NULL) {
		size_t n = (size_t)(nl - f->in.data) + 1;
		char line[256];

		snprintf(line, sizeof(line), "%.*s", (int)n, f->in.data);
		if (f->data) {
			if (strcmp(line, ".\r\n") == 0) {
				f->data = 0;
				buf_adds(&f->out, "250 2.0.0 Ok: queued as ABCDEF01234\r\n");
			}
		} else if (strcmp(line, "SLOW\r\n") == 0 && !f->slow_done) {
			f->slow_done = 1;
			*delay_ms_out = 1000;
			return SERVER_SESSION_DELAY;	/* the line stays unread */
		} else if (strcmp(line, "SLOW\r\n") == 0) {
			f->slow_done = 0;
			buf_adds(&f->out, "250 slow\r\n");
		} else if (strcmp(line, "PART\r\n") == 0 && !f->part_done) {
			/* a pause in the middle of a multi-line reply */
			f->part_done = 1;
			buf_adds(&f->out, "250-part one\r\n");
			*delay_ms_out = 1000;
			return SERVER_SESSION_DELAY;	/* the line stays unread */
		} else if (strcmp(line, "PART\r\n") == 0) {
			f->part_done = 0;
			buf_adds(&f->out, "250 part two\r\n");
		} else if (strcmp(line, "LIMIT\r\n") == 0) {
			buf_consume(&f->in, n);
			buf_adds(&f->out, "500 5.5.2 Error: command not recognized\r\n");
			f->limit = 2;
			*delay_ms_out = 1000;
			return SERVER_SESSION_DELAY;
		} else if (strcmp(line, "DATA\r\n") == 0) {
			f->data = 1;
			buf_adds(&f->out, "354 go\r\n");
		} else if (strcmp(line, "QUIT\r\n") == 0) {
			buf_consume(&f->in, n);
			buf_adds(&f->out, "221 bye\r\n");
			return SERVER_SESSION_CLOSE;
		} else if (strcmp(line, "STARTTLS\r\n") == 0) {
			buf_consume(&f->in, n);
			buf_adds(&f->out, "220 go tls\r\n");
			f->tls_wait = 1;
			return SERVER_SESSION_STARTTLS;
		} else {
			buf_adds(&f->out, "250 ok\r\n");
		}
		buf_consume(&f->in, n);
	}
	return SERVER_SESSION_NEED_INPUT;
}

static struct buf *fake_output(void *t)
{
	return &((struct fake *)t)->out;
}

static void fake_tls_started(void *t, mtime_t now)
{
	(void)now;
	((struct fake *)t)->tls_wait = 0;
}

static const struct replay_target_ops fake_ops = {
	fake_feed, fake_eof, fake_run, fake_output, fake_tls_started, NULL,
};

/* Replays text against a new fake; returns the diff count, *diff_out the diff. */
static size_t run_text(const char *text, char **diff_out, int *writes_out)
{
	struct transcript t;
	struct err e = { "", 0 };
	struct fake f;
	char *out = NULL;
	size_t outlen = 0, n;
	FILE *fo = open_memstream(&out, &outlen);

	memset(&f, 0, sizeof(f));
	buf_init(&f.in);
	buf_init(&f.out);
	buf_adds(&f.out, "220 fake ESMTP\r\n");
	transcript_init(&t);
	CU_ASSERT_EQUAL_FATAL(transcript_parse(&t, "t.txt", text, strlen(text), &e), 0);
	n = replay_run(&t, &fake_ops, &f, 1000, fo, NULL);
	fclose(fo);
	transcript_reset(&t);
	buf_reset(&f.in);
	buf_reset(&f.out);
	if (writes_out != NULL)
		*writes_out = f.writes;
	*diff_out = out;
	return n;
}

static const char matching[] =
	"# a whole session\n"
	"@ world centos\n"
	"S: 220 fake ESMTP\\r\\n\n"
	"C: HELO x\\r\\n\n"
	"S: 250 ok\\r\\n\n"
	"C: SLOW\\r\\n\n"
	"# reply delayed ~1 s\n"
	"S: 250 slow\\r\\n\n"
	"C: MAIL\\r\\n\n"
	"C: RCPT\\r\\n\n"
	"C: DATA\\r\\n\n"
	"S: 250 ok\\r\\n\n"
	"S: 250 ok\\r\\n\n"
	"S: 354 go\\r\\n\n"
	"C: hello\\r\\n\n"
	"C: .\\r\\n\n"
	"S: 250 2.0.0 Ok: queued as 1F3A6104556\\r\\n\n"
	"C: STARTTLS\\r\\n\n"
	"S: 220 go tls\\r\\n\n"
	"== TLS established (TLSv1.3)\n"
	"C: NOOP\\r\\n\n"
	"S: 250 ok\\r\\n\n"
	"C: QUIT\\r\\n\n"
	"S: 221 bye\\r\\n\n"
	"== server closed connection\n";

static void test_matching(void)
{
	char *diff;
	int writes = 0;
	size_t n = run_text(matching, &diff, &writes);

	if (n != 0)
		fprintf(stderr, "\n%s\n", diff);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_STRING_EQUAL(diff, "");
	/* HELO, SLOW, MAIL+RCPT+DATA, hello+., STARTTLS, NOOP, QUIT */
	CU_ASSERT_EQUAL(writes, 7);
	free(diff);
}

static const struct {
	const char *name, *text;
	size_t ndiff;
	const char *want;	/* in the diff */
} cases[] = {
	/* A write before the greeting: the greeting is read after it, as
	 * capture.py recorded smtp/05j. */
	{ "client talks before the greeting",
	  "C: HELO x\\r\\n\nS: 220 fake ESMTP\\r\\n\nS: 250 ok\\r\\n\n",
	  0, "" },
	{ "wrong reply",
	  "S: 220 fake ESMTP\\r\\n\nC: HELO x\\r\\n\nS: 250 wrong\\r\\n\n",
	  2, "-S: 250 wrong\\r\\n\n+S: 250 ok\\r\\n\n" },
	{ "missing delay comment",
	  "S: 220 fake ESMTP\\r\\n\nC: SLOW\\r\\n\nS: 250 slow\\r\\n\n",
	  1, "+# reply delayed\n" },
	{ "delay comment without a delay",
	  "S: 220 fake ESMTP\\r\\n\nC: NOOP\\r\\n\n# reply delayed ~1 s\nS: 250 ok\\r\\n\n",
	  1, "-# reply delayed\n" },
	{ "server closes, transcript does not say so",
	  "S: 220 fake ESMTP\\r\\n\nC: QUIT\\r\\n\nS: 221 bye\\r\\n\n",
	  1, "+== server closed connection\n" },
	{ "transcript says closed, server stays",
	  "S: 220 fake ESMTP\\r\\n\nC: NOOP\\r\\n\nS: 250 ok\\r\\n\n== server closed connection\n",
	  1, "-== server closed connection\n" },
	{ "missing reply",
	  "S: 220 fake ESMTP\\r\\n\nC: NOOP\\r\\n\n",
	  1, "+S: 250 ok\\r\\n\n" },
	{ "plain text after STARTTLS: the server hangs up",
	  "S: 220 fake ESMTP\\r\\n\nC: STARTTLS\\r\\n\nS: 220 go tls\\r\\n\nC: EHLO x\\r\\n\n"
	  "== connection error: ConnectionResetError\n== server closed connection\n",
	  0, "" },
	/* reference smtp/05k: the 421 comes a second after the 20th error's
	 * reply, so the capture read it after its next write. */
	{ "a late reply is read after the next write",
	  "S: 220 fake ESMTP\\r\\n\nC: LIMIT\\r\\n\nS: 500 5.5.2 Error: command not recognized\\r\\n\n"
	  "C: FOO21\\r\\n\nS: 421 4.7.0 fake Error: too many errors\\r\\n\n"
	  "== connection error: ConnectionResetError\n== server closed connection\n",
	  0, "" },
	{ "a late reply the transcript reads at once",
	  "S: 220 fake ESMTP\\r\\n\nC: LIMIT\\r\\n\nS: 500 5.5.2 Error: command not recognized\\r\\n\n"
	  "S: 421 4.7.0 fake Error: too many errors\\r\\n\n== server closed connection\n",
	  0, "" },
	/* capture.py waits for a complete answer: a pause inside one does
	 * not make the rest late (console_frame's completion rules). */
	{ "a pause inside an answer",
	  "S: 220 fake ESMTP\\r\\n\nC: PART\\r\\n\nS: 250-part one\\r\\n\nS: 250 part two\\r\\n\n"
	  "C: NOOP\\r\\n\nS: 250 ok\\r\\n\n",
	  0, "" },
	{ "a handshake the server never offered",
	  "S: 220 fake ESMTP\\r\\n\nC: NOOP\\r\\n\nS: 250 ok\\r\\n\n== TLS established (TLSv1.3)\n",
	  1, "-== TLS established (<VERSION>)\n" },
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *diff;
		size_t n;

		n = run_text(cases[i].text, &diff, NULL);
		if (n != cases[i].ndiff || strstr(diff, cases[i].want) == NULL) {
			fprintf(stderr, "\n%s: got %zu differing lines, want %zu with \"%s\":\n%s\n",
				cases[i].name, n, cases[i].ndiff, cases[i].want, diff);
			CU_FAIL(cases[i].name);
		}
		free(diff);
	}
}

void test_replay_register(void)
{
	CU_pSuite s = CU_add_suite("replay", NULL, NULL);

	CU_add_test(s, "a matching session", test_matching);
	CU_add_test(s, "differences", test_cases);
}
