/*
 * CUnit suite for src/ui/console.c against a small fake peer: lines go
 * out with CRLF, replies and explanations come out as a stable
 * transcript, DATA switches to message text until ".", each reply is
 * explained against the command it answers, and a close ends the session.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "ui/console.h"

void test_console_register(void);

struct fake_peer {
	struct console_peer base;
	struct buf got;		/* every byte the console sent */
	struct buf line;
	int data, left, expects[32], nexpects;
};

static void reply(struct console *c, const char *s)
{
	console_server_bytes(c, s, strlen(s));
}

static int fake_send(struct console_peer *base, struct console *c,
		     const void *buf, size_t len, int expect)
{
	struct fake_peer *p = (struct fake_peer *)base;
	char *nl;

	if (p->nexpects < 32)
		p->expects[p->nexpects++] = expect;
	if (len == 0) {
		/* The greeting, in two pieces to test line reassembly. */
		reply(c, "220 fake ");
		reply(c, "ESMTP\r\n");
		return 0;
	}
	buf_add(&p->got, buf, len);
	buf_add(&p->line, buf, len);
	while (p->line.len > 0 && (nl = memchr(p->line.data, '\n', p->line.len)) != NULL) {
		size_t n = (size_t)(nl - p->line.data) + 1;
		char l[128];

		snprintf(l, sizeof(l), "%.*s", (int)n, p->line.data);
		buf_consume(&p->line, n);
		if (p->data) {
			if (strcmp(l, ".\r\n") == 0) {
				p->data = 0;
				reply(c, "250 2.0.0 Ok: queued as 1F3A6104556\r\n");
			}
			continue;
		}
		if (strncmp(l, "EHLO", 4) == 0) {
			reply(c, "250-fake.example\r\n250-PIPELINING\r\n");
			reply(c, "250 SIZE 10240000\r\n");
		} else if (strcmp(l, "DATA\r\n") == 0) {
			p->data = 1;
			reply(c, "354 End data with <CR><LF>.<CR><LF>\r\n");
		} else if (strcmp(l, "SLOW\r\n") == 0) {
			console_server_delay(c, 1000);
			reply(c, "500 5.5.2 Error: command not recognized\r\n");
		} else if (strcmp(l, "STARTTLS\r\n") == 0) {
			reply(c, "220 2.0.0 Ready to start TLS\r\n");
			console_server_event(c, "TLS established (simulated)");
		} else if (strcmp(l, "QUIT\r\n") == 0) {
			reply(c, "221 2.0.0 Bye\r\n");
			console_server_closed(c);
			return -1;
		} else if (strcmp(l, "BARE\r\n") == 0) {
			reply(c, "250 bare\n");
		} else {
			reply(c, "250 2.0.0 Ok\r\n");
		}
	}
	return 0;
}

static void fake_leave(struct console_peer *base, struct console *c)
{
	(void)c;
	((struct fake_peer *)base)->left = 1;
}

static void fake_free(struct console_peer *base)
{
	(void)base;	/* on the test's stack */
}

static int wrap_width;

static char *run(const char *input, int explain, struct fake_peer *p)
{
	struct console_opts o;
	struct console *c;
	char *out = NULL;
	size_t outlen = 0;
	FILE *fo = open_memstream(&out, &outlen);
	FILE *fi = fmemopen((void *)input, strlen(input), "r");

	memset(p, 0, sizeof(*p));
	p->base.send = fake_send;
	p->base.leave = fake_leave;
	p->base.free = fake_free;
	buf_init(&p->got);
	buf_init(&p->line);
	memset(&o, 0, sizeof(o));
	o.proto = EXPLAIN_SMTP;
	o.explain = explain;
	o.width = wrap_width;
	o.out = fo;
	c = console_new(&o, &p->base);
	CU_ASSERT_EQUAL(console_run_stream(c, fi), 0);
	console_free(&c);
	fclose(fi);
	fclose(fo);
	buf_reset(&p->line);
	return out;
}

static void test_session_no_explain(void)
{
	struct fake_peer p;
	char *out = run("HELO localhost\nDATA\nOla Amigo\n..dot\n.\nBARE\nQUIT\nNOOP\n", 0, &p);
	const char *want =
		"S: 220 fake ESMTP\n"
		"C: HELO localhost\n"
		"S: 250 2.0.0 Ok\n"
		"C: DATA\n"
		"S: 354 End data with <CR><LF>.<CR><LF>\n"
		"C: Ola Amigo\n"
		"C: ..dot\n"
		"C: .\n"
		"S: 250 2.0.0 Ok: queued as 1F3A6104556\n"
		"C: BARE\n"
		"S: 250 bare\\n\n"
		"C: QUIT\n"
		"S: 221 2.0.0 Bye\n"
		"== server closed connection\n";

	if (strcmp(out, want) != 0)
		fprintf(stderr, "\ngot:\n%s\nwant:\n%s\n", out, want);
	CU_ASSERT_STRING_EQUAL(out, want);
	/* CRLF after every line; nothing after the close. */
	CU_ASSERT_STRING_EQUAL(p.got.data,
			       "HELO localhost\r\nDATA\r\nOla Amigo\r\n..dot\r\n.\r\nBARE\r\nQUIT\r\n");
	/* Greeting 1, HELO 1, DATA 1, two message lines 0, "." 1, ... */
	CU_ASSERT_EQUAL(p.nexpects, 8);
	CU_ASSERT_EQUAL(p.expects[3], 0);
	CU_ASSERT_EQUAL(p.expects[4], 0);
	CU_ASSERT_EQUAL(p.expects[5], 1);
	CU_ASSERT_EQUAL(p.left, 0);
	buf_reset(&p.got);
	free(out);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void test_explanations(void)
{
	struct fake_peer p;
	char *out = run("EHLO x\nMAIL FROM: root\nSLOW\nDATA\nhi\n.\n", 1, &p);

	/* Greeting, 3 EHLO lines, MAIL, SLOW, DATA, end of DATA. */
	CU_ASSERT_EQUAL(count(out, "\n   = "), 8);
	CU_ASSERT(strstr(out, "S: 250-PIPELINING\n   = PIPELINING (RFC 2920)") != NULL);
	CU_ASSERT(strstr(out, "S: 250-fake.example\n   = 250 = requested action done. EHLO") != NULL);
	CU_ASSERT(strstr(out, "C: MAIL FROM: root\nS: 250 2.0.0 Ok\n   = 250 = requested action done; 2.0.0 = success: other or undefined status. MAIL FROM") != NULL);
	CU_ASSERT(strstr(out, "C: SLOW\n# reply delayed ~1 s\nS: 500 5.5.2") != NULL);
	CU_ASSERT(strstr(out, "queued as 1F3A6104556\n   = 250 = requested action done; 2.0.0 = success: other or undefined status. Accepted") != NULL);
	/* The learner stopped typing: the console closes its side. */
	CU_ASSERT(strstr(out, "== client closed connection\n") != NULL);
	CU_ASSERT_EQUAL(p.left, 1);
	if (count(out, "\n   = ") != 8)
		fprintf(stderr, "\n%s\n", out);
	buf_reset(&p.got);
	free(out);
}

static void test_events(void)
{
	struct fake_peer p;
	char *out = run("STARTTLS\nEHLO x\n", 0, &p);

	CU_ASSERT(strstr(out, "S: 220 2.0.0 Ready to start TLS\n== TLS established (simulated)\nC: EHLO x\n") != NULL);
	buf_reset(&p.got);
	free(out);
}

static void test_wrap(void)
{
	struct fake_peer p;
	char *out, *line, *save = NULL;
	int nexpl = 0, ncont = 0;

	wrap_width = 40;
	out = run("DATA\n.\n", 1, &p);
	wrap_width = 0;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) > 40) {
			fprintf(stderr, "\nlonger than 40: %s\n", line);
			CU_FAIL("wrapped line too long");
		}
		if (strncmp(line, "   = ", 5) == 0)
			nexpl++;
		else if (strncmp(line, "     ", 5) == 0 && line[5] != ' ')
			ncont++;
	}
	CU_ASSERT_EQUAL(nexpl, 3);	/* greeting, 354, end of DATA */
	CU_ASSERT(ncont >= 6);
	buf_reset(&p.got);
	free(out);
}

void test_console_register(void)
{
	CU_pSuite s = CU_add_suite("console", NULL, NULL);

	CU_add_test(s, "a session as a transcript", test_session_no_explain);
	CU_add_test(s, "explanations and delays", test_explanations);
	CU_add_test(s, "events", test_events);
	CU_add_test(s, "explanations wrap at the terminal width", test_wrap);
}
