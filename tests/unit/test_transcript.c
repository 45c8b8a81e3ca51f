/*
 * CUnit suite for src/ui/transcript*.c: escapes (capture.py's esc/unesc),
 * grouping of C: lines into writes, directives, malformed lines (errors
 * name file:line), masks and the unified diff.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "ui/transcript.h"

void test_transcript_register(void);

static void test_escape_table(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} t[] = {
		{ "HELO localhost\r\n", 16, "HELO localhost\\r\\n" },
		{ "a\\b", 3, "a\\\\b" },
		{ "tab\there\n", 9, "tab\\there\\n" },
		{ "NUL>\0<NUL", 9, "NUL>\\x00<NUL" },
		{ "\xc3\xa9t\xc3\xa9", 5, "\\xc3\\xa9t\\xc3\\xa9" },
		{ "\x7f\x1b ~", 4, "\\x7f\\x1b ~" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct buf b, u;
		size_t bad = 99;

		buf_init(&b);
		buf_init(&u);
		transcript_escape(&b, t[i].in, t[i].n);
		if (strcmp(b.data, t[i].want) != 0)
			fprintf(stderr, "\nescape: got %s, want %s\n", b.data, t[i].want);
		CU_ASSERT_STRING_EQUAL(b.data, t[i].want);
		CU_ASSERT_EQUAL(transcript_unescape(&u, b.data, b.len, &bad), 0);
		CU_ASSERT_EQUAL(u.len, t[i].n);
		CU_ASSERT(memcmp(u.data, t[i].in, t[i].n) == 0);
		buf_reset(&b);
		buf_reset(&u);
	}
}

static void test_escape_all_bytes(void)
{
	unsigned char all[256];
	struct buf b, u;
	size_t i;

	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	buf_init(&b);
	buf_init(&u);
	transcript_escape(&b, all, sizeof(all));
	for (i = 0; i < b.len; i++)
		CU_ASSERT(b.data[i] >= 0x20 && b.data[i] < 0x7f);
	CU_ASSERT_EQUAL(transcript_unescape(&u, b.data, b.len, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(u.len, 256);
	CU_ASSERT(memcmp(u.data, all, 256) == 0);
	buf_reset(&b);
	buf_reset(&u);
}

static void test_unescape_errors(void)
{
	static const struct {
		const char *in;
		size_t bad;
	} t[] = {
		{ "ab\\q", 2 },
		{ "\\x4", 0 },
		{ "x\\x4g", 1 },
		{ "abc\\", 3 },
		{ "\\X41", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct buf b;
		size_t bad = 99;

		buf_init(&b);
		CU_ASSERT_EQUAL(transcript_unescape(&b, t[i].in, strlen(t[i].in), &bad), -1);
		if (bad != t[i].bad)
			fprintf(stderr, "\nunescape %s: bad at got %zu, want %zu\n",
				t[i].in, bad, t[i].bad);
		CU_ASSERT_EQUAL(bad, t[i].bad);
		buf_reset(&b);
	}
}

static const char sample[] =
	"# scenario: smtp/05h\n"
	"@ world centos\n"
	"@ host centos.localdomain\n"
	"@ client 127.0.0.2 outside.example\n"
	"@ postconf mynetworks = 127.0.0.2/32\n"
	"@ postconf smtpd_forbid_bare_newline_exclusions =\n"
	"\n"
	"S: 220 centos.localdomain ESMTP Postfix (Debian/GNU)\\r\\n\n"
	"C: MAIL FROM:<root@centos.localdomain>\\r\\n\n"
	"C: RCPT TO:<wees@centos.localdomain>\\r\\n\n"
	"# a comment inside a write does not split it\n"
	"C: DATA\\r\\n\n"
	"# reply delayed ~1 s\n"
	"S: 250 2.1.0 Ok\\r\\n\n"
	"C: body \\\\ \\x00\\r\\n\n"
	"== TLS established (TLSv1.3)\n"
	"C: QUIT\\r\\n\r\n"
	"S: 221 2.0.0 Bye\\r\\n\n"
	"== server closed connection";

static void test_parse_sample(void)
{
	struct transcript t;
	struct err e = { "", 0 };
	size_t i, nclient = 0;

	transcript_init(&t);
	CU_ASSERT_EQUAL_FATAL(transcript_parse(&t, "x.txt", sample, strlen(sample), &e), 0);
	CU_ASSERT_STRING_EQUAL(t.world, "centos");
	CU_ASSERT_STRING_EQUAL(t.host, "centos.localdomain");
	CU_ASSERT_STRING_EQUAL(t.client_addr, "127.0.0.2");
	CU_ASSERT_STRING_EQUAL(t.client_name, "outside.example");
	CU_ASSERT_PTR_NULL(t.proto);
	CU_ASSERT_EQUAL_FATAL(t.nsettings, 2);
	CU_ASSERT_STRING_EQUAL(t.settings[0].name, "mynetworks");
	CU_ASSERT_STRING_EQUAL(t.settings[0].value, "127.0.0.2/32");
	CU_ASSERT_EQUAL(t.settings[0].lineno, 5);
	CU_ASSERT_STRING_EQUAL(t.settings[1].name, "smtpd_forbid_bare_newline_exclusions");
	CU_ASSERT_STRING_EQUAL(t.settings[1].value, "");
	CU_ASSERT_EQUAL(t.nwrites, 3);
	CU_ASSERT_EQUAL_FATAL(t.nlines, 13);
	CU_ASSERT_EQUAL(t.lines[0].kind, TRANSCRIPT_COMMENT);
	CU_ASSERT_STRING_EQUAL(t.lines[0].data, "scenario: smtp/05h");
	CU_ASSERT_EQUAL(t.lines[1].kind, TRANSCRIPT_SERVER);
	CU_ASSERT_EQUAL(t.lines[1].lineno, 8);
	CU_ASSERT_STRING_EQUAL(t.lines[1].data, "220 centos.localdomain ESMTP Postfix (Debian/GNU)\r\n");
	for (i = 0; i < t.nlines; i++) {
		if (t.lines[i].kind != TRANSCRIPT_CLIENT) {
			CU_ASSERT_EQUAL(t.lines[i].write, -1);
			continue;
		}
		nclient++;
	}
	CU_ASSERT_EQUAL(nclient, 5);
	/* MAIL, RCPT, (comment), DATA: one write; then the body; then QUIT. */
	CU_ASSERT_EQUAL(t.lines[2].write, 0);
	CU_ASSERT_EQUAL(t.lines[3].write, 0);
	CU_ASSERT_EQUAL(t.lines[4].kind, TRANSCRIPT_COMMENT);
	CU_ASSERT_EQUAL(t.lines[5].write, 0);
	CU_ASSERT_STRING_EQUAL(t.lines[6].data, "reply delayed ~1 s");
	CU_ASSERT_EQUAL(t.lines[8].write, 1);
	CU_ASSERT_EQUAL(t.lines[8].len, 10);
	CU_ASSERT(memcmp(t.lines[8].data, "body \\ \0\r\n", 10) == 0);
	CU_ASSERT_EQUAL(t.lines[9].kind, TRANSCRIPT_EVENT);
	CU_ASSERT_STRING_EQUAL(t.lines[9].data, "TLS established (TLSv1.3)");
	/* The file's own CRLF is not part of the bytes. */
	CU_ASSERT_STRING_EQUAL(t.lines[10].data, "QUIT\r\n");
	CU_ASSERT_EQUAL(t.lines[10].write, 2);
	CU_ASSERT_STRING_EQUAL(t.lines[12].data, "server closed connection");
	transcript_reset(&t);
}

static void test_parse_errors(void)
{
	static const struct {
		const char *text, *want;
	} t[] = {
		{ "S: 220 x\\y\n", "bad.txt:1: bad escape at column 9" },
		{ "# ok\nC: HELO\\q\n", "bad.txt:2: bad escape at column 8" },
		{ "S: 220\n\nC:\n", "bad.txt:3: a C: line needs" },
		{ "S:220\n", "bad.txt:1: a S: line needs" },
		{ "HELO localhost\n", "bad.txt:1: unrecognised line \"HELO localhost\"" },
		{ "S: 220\\r\\n\n@ world centos\n", "bad.txt:2: directives" },
		{ "@ planet mars\n", "bad.txt:1: unknown directive '@ planet'" },
		{ "@ world\n", "bad.txt:1: '@ world' takes one name" },
		{ "@ host a b\n", "bad.txt:1: '@ host' takes one name" },
		{ "@ client\n", "bad.txt:1: '@ client' needs an address" },
		{ "@ postconf mynetworks\n", "bad.txt:1: '@ postconf' needs NAME = VALUE" },
		{ "@ postconf = x\n", "bad.txt:1: '@ postconf' needs NAME = VALUE" },
		{ "==\n", "bad.txt:1: an event line" },
		{ "s: lower case\n", "bad.txt:1: unrecognised line" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct transcript tr;
		struct err e = { "", 0 };

		transcript_init(&tr);
		CU_ASSERT_EQUAL(transcript_parse(&tr, "bad.txt", t[i].text,
						 strlen(t[i].text), &e), -1);
		if (strncmp(e.text, t[i].want, strlen(t[i].want)) != 0) {
			fprintf(stderr, "\nparse error: got \"%s\", want \"%s...\"\n",
				e.text, t[i].want);
			CU_FAIL("error text");
		}
		CU_ASSERT_EQUAL(tr.nlines, 0);
		CU_ASSERT_PTR_NULL(tr.file);
		transcript_reset(&tr);
	}
}

static void test_load_missing(void)
{
	struct transcript t;
	struct err e = { "", 0 };

	transcript_init(&t);
	CU_ASSERT_EQUAL(transcript_load(&t, "/nonexistent/x.txt", &e), -1);
	CU_ASSERT(strstr(e.text, "/nonexistent/x.txt") != NULL);
	CU_ASSERT(e.errnum != 0);
	transcript_reset(&t);
}

static void test_mask(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "S: 250 2.0.0 Ok: queued as 1F3A6104556\\r\\n", "S: 250 2.0.0 Ok: queued as <QID>\\r\\n" },
		{ "S: 250 2.0.0 Ok: queued as 4Nq0Yz3t4Lz1xyZ\\r\\n", "S: 250 2.0.0 Ok: queued as <QID>\\r\\n" },
		{ "S: 250 2.0.0 Ok: queued as ABC123\\r\\n", "S: 250 2.0.0 Ok: queued as ABC123\\r\\n" },
		{ "S: x 1F3A61045560AB\\r\\n", "S: x 1F3A61045560AB\\r\\n" },
		{ "S: x 1F3A61045560AB\\r\\n", "S: x 1F3A61045560AB\\r\\n" },
		{ "1F3A6104556: client=localhost", "<QID>: client=localhost" },
		{ "S: 250-SIZE 10240000\\r\\n", "S: 250-SIZE 10240000\\r\\n" },
		{ "C: MAIL FROM:<a> SIZE=10240000000\\r\\n", "C: MAIL FROM:<a> SIZE=10240000000\\r\\n" },
		{ "== TLS established (TLSv1.3)", "== TLS established (<VERSION>)" },
		{ "== TLS established (simulated)", "== TLS established (<VERSION>)" },
		{ "# reply delayed ~1 s", "# reply delayed" },
		{ "Message-Id: <20261128215951.1F3A6104556@centos.localdomain>", "Message-Id: <<MSGID>@centos.localdomain>" },
		{ "Date: Sat, 28 Nov 2026 21:59:50 +0000 (UTC)", "Date: <DATE>" },
		{ "XSat, 28 Nov 2026 21:59:50 +0000", "XSat, 28 Nov 2026 21:59:50 +0000" },
		{ "S: 221 2.0.0 Bye\\r\\n", "S: 221 2.0.0 Bye\\r\\n" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *got = transcript_mask(t[i].in);

		if (strcmp(got, t[i].want) != 0)
			fprintf(stderr, "\nmask: got %s, want %s\n", got, t[i].want);
		CU_ASSERT_STRING_EQUAL(got, t[i].want);
		free(got);
	}
}

static void test_diff(void)
{
	/* The diff takes the malloc'd lines replay builds: char *, not const. */
	char l0[] = "C: HELO x", l1[] = "S: 250 a", l2[] = "C: MAIL",
	     l3[] = "S: 250 ok", l4[] = "C: RCPT", l5[] = "C: QUIT",
	     l6[] = "S: 221 bye", l7[] = "S: 503 no", l8[] = "== closed";
	char *a[] = { l0, l1, l2, l3, l4, l3, l5, l6 };
	char *b[] = { l0, l1, l2, l7, l4, l3, l5, l6, l8 };
	int no[] = { 3, 4, 5, 6, 7, 8, 9, 10 };
	char *out = NULL;
	size_t outlen = 0, n;
	FILE *f = open_memstream(&out, &outlen);
	const char *want =
		"--- exp\n+++ act\n"
		"@@ -3,3 +3,3 @@ line 5\n"
		" C: MAIL\n-S: 250 ok\n+S: 503 no\n C: RCPT\n"
		"@@ -8,1 +8,2 @@ line 10\n"
		" S: 221 bye\n+== closed\n";

	n = transcript_diff(f, "exp", "act", a, no, 8, b, 9, 1);
	fclose(f);
	CU_ASSERT_EQUAL(n, 3);
	if (strcmp(out, want) != 0)
		fprintf(stderr, "\ndiff: got\n%s\nwant\n%s\n", out, want);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);

	out = NULL;
	f = open_memstream(&out, &outlen);
	CU_ASSERT_EQUAL(transcript_diff(f, "exp", "act", a, NULL, 8, a, 8, 3), 0);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(out, "");
	free(out);
}

struct pieces {
	char got[8][32];
	int n;
};

static void collect(void *ctx, const char *line, size_t len)
{
	struct pieces *p = ctx;

	if (p->n < 8)
		snprintf(p->got[p->n++], 32, "%.*s", (int)len, line);
}

static void test_split(void)
{
	struct pieces p = { .n = 0 };

	transcript_split_lines("250-a\r\n250 b\r\npart", 19, collect, &p);
	CU_ASSERT_EQUAL_FATAL(p.n, 3);
	CU_ASSERT_STRING_EQUAL(p.got[0], "250-a\r\n");
	CU_ASSERT_STRING_EQUAL(p.got[1], "250 b\r\n");
	CU_ASSERT_STRING_EQUAL(p.got[2], "part");
	p.n = 0;
	transcript_split_lines("", 0, collect, &p);
	CU_ASSERT_EQUAL(p.n, 0);
}

void test_transcript_register(void)
{
	CU_pSuite s = CU_add_suite("transcript", NULL, NULL);

	CU_add_test(s, "escape table", test_escape_table);
	CU_add_test(s, "escape all bytes", test_escape_all_bytes);
	CU_add_test(s, "unescape errors", test_unescape_errors);
	CU_add_test(s, "parse: directives, grouping, escapes", test_parse_sample);
	CU_add_test(s, "parse: malformed lines name file:line", test_parse_errors);
	CU_add_test(s, "load: missing file", test_load_missing);
	CU_add_test(s, "mask", test_mask);
	CU_add_test(s, "unified diff", test_diff);
	CU_add_test(s, "split lines", test_split);
}
