/*
 * CUnit suite for src/ui/svg.c (the sequence diagram) and tui_layout.c
 * (where the TUI puts boxes and which arrow lights up): both are pure
 * functions of a flow, built here from a hand-made relay between two
 * hosts as the simulator traces it (both ends of the link).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "ui/flow.h"
#include "ui/svg.h"
#include "ui/tui_layout.h"

void test_svg_register(void);

#define A "mail.a.example"
#define B "mail.b.example"
#define N TRACE_DIR_NONE
#define I TRACE_DIR_IN
#define O TRACE_DIR_OUT

static const struct trace_event relay[] = {
	{ 0, NULL, "scenario", NULL, "scenario", N, "send alice@a.example -> bob@b.example", "Alice & \"friends\" <send>." },
	{ 10, "client.a.example", "MUA", A "[192.0.2.10]:25", "smtp", O, "EHLO client.a.example", NULL },
	{ 10, A, "postfix/smtpd", "client.a.example[192.0.2.100]", "smtp", I, "EHLO client.a.example", NULL },
	{ 11, A, "postfix/smtpd", "client.a.example[192.0.2.100]", "smtp", O, "250 mail.a.example", NULL },
	{ 11, "client.a.example", "MUA", A "[192.0.2.10]:25", "smtp", I, "250 mail.a.example", NULL },
	{ 20, A, "postfix/qmgr", NULL, "log", N, "4B1C2D3E4F5: from=<alice@a.example>, size=412, nrcpt=1 (queue active)", NULL },
	{ 30, A, "postfix/smtp", B "[198.51.100.20]:25", "smtp", O, "RCPT TO:<nosuchuser@b.example>", NULL },
	{ 30, B, "postfix/smtpd", A "[192.0.2.10]", "smtp", I, "RCPT TO:<nosuchuser@b.example>", NULL },
	{ 31, B, "postfix/smtpd", A "[192.0.2.10]", "smtp", O, "550 5.1.1 <nosuchuser@b.example>: Recipient address rejected: User unknown in local recipient table", NULL },
	{ 31, A, "postfix/smtp", B "[198.51.100.20]:25", "smtp", I, "550 5.1.1 <nosuchuser@b.example>: Recipient address rejected: User unknown in local recipient table", NULL },
	{ 40, "client.b.example", "MUA", B "[198.51.100.20]:143", "imap", O, "a1 LOGIN bob bob", NULL },
	{ 41, B, "dovecot/imap", "client.b.example[198.51.100.30]", "imap", O, "a1 OK Logged in", NULL },
	{ 50, "outside.example", "client", B "[198.51.100.20]:25", "smtp", O, "RCPT TO:<victim@example.com>", NULL },
	{ 51, B, "postfix/smtpd", "outside.example[203.0.113.9]", "smtp", O, "554 5.7.1 <victim@example.com>: Relay access denied", NULL },
};

static struct flow *relay_flow(void)
{
	struct flow *f = flow_new();
	size_t i;

	for (i = 0; i < ARRAY_LEN(relay); i++)
		flow_add(f, &relay[i]);
	return f;
}

static int count(const char *hay, const char *needle)
{
	size_t i, n = strlen(needle), len = strlen(hay);
	int c = 0;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			c++;
	return c;
}

/* One arrow per protocol line (each line once), errors marked. */
static void test_arrows(void)
{
	struct flow *f = relay_flow();
	struct buf b;
	size_t i, lines = 0;

	for (i = 0; i < f->nev; i++)
		if (!f->ev[i].dup && f->ev[i].ev.direction != TRACE_DIR_NONE &&
		    flow_is_line_protocol(f->ev[i].ev.protocol))
			lines++;
	CU_ASSERT_EQUAL(lines, 8);
	buf_init(&b);
	svg_render(&b, f, NULL, "en");
	CU_ASSERT_EQUAL(strncmp(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39), 0);
	CU_ASSERT_EQUAL(count(b.data, "<g class=\"line "), (int)lines);
	CU_ASSERT_EQUAL(count(b.data, "<g class=\"line s err\">"), 2);
	CU_ASSERT_EQUAL(count(b.data, "<g class=\"note\">"), 1);
	CU_ASSERT_EQUAL(count(b.data, "<g class=\"say\">"), 1);
	/* The narration is escaped. */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "Alice &amp; &quot;friends&quot; &lt;send&gt;."));
	CU_ASSERT_PTR_NULL(strstr(b.data, "<send>"));
	CU_ASSERT_EQUAL(strcmp(b.data + b.len - 7, "</svg>\n"), 0);
	buf_reset(&b);
	flow_free(&f);
}

/* Lanes left to right in order of first appearance. */
static void test_lanes(void)
{
	static const char *const want[] = {
		"MUA client.a.example", A " postfix/smtpd", A " postfix/qmgr", A " postfix/smtp",
		B " postfix/smtpd", "MUA bob (client.b.example)", B " dovecot/imap",
		"outside.example",
	};
	struct flow *f = relay_flow();
	size_t n, i;
	int *lanes = svg_lanes(f, &n);

	if (n != ARRAY_LEN(want))
		for (i = 0; i < n; i++)
			fprintf(stderr, "lane %zu: %s\n", i, f->node[lanes[i]].label);
	CU_ASSERT_EQUAL_FATAL(n, ARRAY_LEN(want));
	for (i = 0; i < n; i++) {
		if (strcmp(f->node[lanes[i]].label, want[i]) != 0)
			fprintf(stderr, "lane %zu: got %s, want %s\n", i,
				f->node[lanes[i]].label, want[i]);
		CU_ASSERT_STRING_EQUAL(f->node[lanes[i]].label, want[i]);
	}
	free(lanes);
	flow_free(&f);
}

static void test_escape(void)
{
	static const struct {
		const char *in;
		size_t max;
		const char *want;
	} cases[] = {
		{ "a<b>&\"c\"", 0, "a&lt;b&gt;&amp;&quot;c&quot;" },
		{ "\tby x", 0, "\\tby x" },
		{ "bell\x07", 0, "bell\\x07" },
		{ "bad\xff utf", 0, "bad\\xff utf" },
		{ "S\xc3\xa3o Paulo", 0, "S\xc3\xa3o Paulo" },
		{ "abcdefghij", 5, "abcd\xe2\x80\xa6" },
		{ "abcde", 5, "abcde" },
		{ "\xc3\xa1\xc3\xa9\xc3\xad\xc3\xb3\xc3\xba\xc3\xa7", 4, "\xc3\xa1\xc3\xa9\xc3\xad\xe2\x80\xa6" },
		{ "two\nlines", 0, "two\nlines" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;

		buf_init(&b);
		svg_escape(&b, cases[i].in, cases[i].max);
		if (strcmp(b.data ? b.data : "", cases[i].want) != 0)
			fprintf(stderr, "case %zu: got \"%s\", want \"%s\"\n", i, b.data, cases[i].want);
		CU_ASSERT_STRING_EQUAL(b.data ? b.data : "", cases[i].want);
		buf_reset(&b);
	}
}

/* The TUI's boxes, attachments and lit arrows. */
static void test_layout(void)
{
	static const struct {
		size_t step;
		enum tui_arrow arrow;
		int box, box2, toward_client;
		const char *label;
	} want[] = {
		{ 1, TUI_ARROW_MUA_MTA, 0, -1, 1, "SMTP :25" },
		{ 2, TUI_ARROW_NONE, -1, -1, 0, "mail.log" },
		{ 3, TUI_ARROW_HOSTS, 0, 1, 1, "SMTP :25" },
		{ 4, TUI_ARROW_MUA_MDA, 1, -1, 1, "IMAP :143" },
		{ 5, TUI_ARROW_OUTSIDE, -1, 1, 1, "SMTP :25" },
	};
	struct flow *f = relay_flow();
	struct tui_layout l;
	size_t i;

	tui_layout_build(&l, f);
	CU_ASSERT_EQUAL_FATAL(l.nbox, 2);
	CU_ASSERT_STRING_EQUAL(l.box[0].host, A);
	CU_ASSERT_STRING_EQUAL(l.box[0].domain, "a.example");
	CU_ASSERT_STRING_EQUAL(l.box[0].clients, "MUA client.a.example");
	CU_ASSERT_STRING_EQUAL(l.box[1].clients, "MUA bob (client.b.example)");
	CU_ASSERT_EQUAL(l.box[1].has_mda, 1);
	CU_ASSERT_EQUAL_FATAL(l.noutside, 1);
	CU_ASSERT_STRING_EQUAL(f->node[l.outside[0]].label, "outside.example");
	CU_ASSERT_EQUAL(l.outside_box[0], 1);
	CU_ASSERT_EQUAL_FATAL(f->nstep, 6);
	for (i = 0; i < ARRAY_LEN(want); i++) {
		struct tui_lit lit;

		tui_layout_lit(&l, f, &f->step[want[i].step], &lit);
		if (lit.arrow != want[i].arrow)
			fprintf(stderr, "step %zu: got arrow %d, want %d\n", want[i].step,
				lit.arrow, want[i].arrow);
		CU_ASSERT_EQUAL(lit.arrow, want[i].arrow);
		CU_ASSERT_EQUAL(lit.box, want[i].box);
		CU_ASSERT_EQUAL(lit.box2, want[i].box2);
		CU_ASSERT_EQUAL(lit.toward_client, want[i].toward_client);
		CU_ASSERT_STRING_EQUAL(lit.label, want[i].label);
	}
	/* qmgr's work lights qmgr in a.example's box. */
	{
		struct tui_lit lit;

		tui_layout_lit(&l, f, &f->step[2], &lit);
		CU_ASSERT_STRING_EQUAL(lit.proc[0], "qmgr");
		CU_ASSERT_EQUAL(lit.proc_box[0], 0);
	}
	CU_ASSERT_STRING_EQUAL(tui_layout_basename("postfix/submission/smtpd"), "smtpd");
	tui_layout_free(&l);
	flow_free(&f);
}

void test_svg_register(void)
{
	CU_pSuite s = CU_add_suite("svg", NULL, NULL);

	CU_add_test(s, "one arrow per protocol line", test_arrows);
	CU_add_test(s, "lanes", test_lanes);
	CU_add_test(s, "XML escapes", test_escape);
	CU_add_test(s, "TUI layout and lit arrows", test_layout);
}
