/*
 * CUnit suite for src/imap/imapd_parse.c: tags and command names,
 * arguments (atoms with [sections], quoted strings, literals {n} {n+}
 * ~{n}, lists), sequence sets, dates; and the engine's literal dance
 * ("+ OK", LITERAL+) fed whole and one byte at a time.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imapd_int.h"
#include "lib/xalloc.h"

void test_imapd_parse_register(void);

/* Renders parsed arguments: atoms bare, strings "..", literals {n}..,
 * lists (..). */
static void render(struct buf *b, const struct imapd_arg *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ' ');
		switch (v[i].type) {
		case IMAPD_ARG_ATOM:
			buf_adds(b, v[i].s);
			break;
		case IMAPD_ARG_QUOTED:
			buf_addf(b, "\"%s\"", v[i].s);
			break;
		case IMAPD_ARG_LITERAL:
			buf_addf(b, "%s{%zu}", v[i].literal8 ? "~" : "", v[i].len);
			buf_add(b, v[i].s, v[i].len);
			break;
		case IMAPD_ARG_LIST:
			buf_addc(b, '(');
			render(b, v[i].list, v[i].n);
			buf_addc(b, ')');
			break;
		}
	}
}

struct args_case {
	const char *in;		/* the bytes after the command name */
	enum imapd_parse_ret ret;
	const char *out;	/* rendering, the error, or "lit N [+]" */
};

static const struct args_case args_cases[] = {
	{ "\r\n", IMAPD_PARSE_OK, "" },
	{ "INBOX (FLAGS UID)\r\n", IMAPD_PARSE_OK, "INBOX (FLAGS UID)" },
	{ "\"\" \"*\"\r\n", IMAPD_PARSE_OK, "\"\" \"*\"" },
	{ "\"a\\\"b\\\\c\"\r\n", IMAPD_PARSE_OK, "\"a\"b\\c\"" },
	{ "1 BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.10>\r\n", IMAPD_PARSE_OK,
	  "1 BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.10>" },
	{ "1 (BODY[1.MIME] FLAGS)\r\n", IMAPD_PARSE_OK, "1 (BODY[1.MIME] FLAGS)" },
	{ "+FLAGS (\\Seen \\Deleted)\n", IMAPD_PARSE_OK, "+FLAGS (\\Seen \\Deleted)" },
	{ "((a) (b (c)))\r\n", IMAPD_PARSE_OK, "((a) (b (c)))" },
	{ "{5}\r\nhello\r\n", IMAPD_PARSE_OK, "{5}hello" },
	{ "{5+}\r\nhe\r\no {0}\r\n\r\n", IMAPD_PARSE_OK, "{5}he\r\no {0}" },
	{ "~{3}\r\na\0b\r\n", IMAPD_PARSE_OK, "~{3}a" },
	{ "{5}\r\nhel", IMAPD_PARSE_LITERAL, "lit 5" },
	{ "x {12+}\r\n", IMAPD_PARSE_LITERAL, "lit 12 +" },
	{ "(a\r\n", IMAPD_PARSE_ERROR, "Missing ')'" },
	{ "a)\r\n", IMAPD_PARSE_ERROR, "Unexpected ')'" },
	{ "\"abc\r\n", IMAPD_PARSE_ERROR, "Missing '\"'" },
	{ "{x}\r\n", IMAPD_PARSE_ERROR, "Invalid literal size" },
	{ "{99999999999999999999999}\r\n", IMAPD_PARSE_ERROR,
	  "Invalid literal size" },
	{ "{5}abc\r\n", IMAPD_PARSE_ERROR, "Missing CRLF after literal" },
	{ "a(b)\r\n", IMAPD_PARSE_ERROR, "Unexpected '('" },
	{ "(a)b\r\n", IMAPD_PARSE_ERROR, "Missing ' ' after ')'" },
	{ "a\"b\r\n", IMAPD_PARSE_ERROR, "Invalid characters in atom" },
};

static void test_args(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(args_cases); i++) {
		const struct args_case *t = &args_cases[i];
		size_t len = strlen(t->in);
		struct imapd_arg *v;
		struct imapd_lit lit;
		const char *err;
		size_t n;
		enum imapd_parse_ret r;
		struct buf b;

		/* the cases with a NUL: the literal says how long it is */
		if (strncmp(t->in, "~{3}", 4) == 0)
			len = 4 + 2 + 3 + 2;
		r = imapd_parse_args(t->in, len, 0, &v, &n, &lit, &err);
		buf_init(&b);
		buf_adds(&b, "");
		if (r == IMAPD_PARSE_OK)
			render(&b, v, n);
		else if (r == IMAPD_PARSE_ERROR)
			buf_adds(&b, err);
		else
			buf_addf(&b, "lit %llu%s", (unsigned long long)lit.size,
				 lit.nonsync ? " +" : "");
		if (r != t->ret || strcmp(b.data, t->out) != 0)
			fprintf(stderr, "\nargs %zu: got %d \"%s\", want %d \"%s\"\n",
				i, r, b.data, t->ret, t->out);
		CU_ASSERT_EQUAL(r, t->ret);
		CU_ASSERT_STRING_EQUAL(b.data, t->out);
		imapd_args_free(v, n);
		buf_reset(&b);
	}
}

struct tag_case {
	const char *line;
	enum imapd_tag_ret ret;
	const char *tag, *name;
};

static const struct tag_case tag_cases[] = {
	{ "a1 NOOP", IMAPD_TAG_OK, "a1", "NOOP" },
	{ "a1 uid fetch 1 FLAGS", IMAPD_TAG_OK, "a1", "UID" },
	{ "x] select INBOX", IMAPD_TAG_OK, "x]", "SELECT" },
	{ "", IMAPD_TAG_BAD_TAG, NULL, NULL },
	{ "* NOOP", IMAPD_TAG_BAD_TAG, NULL, NULL },
	{ "a+ NOOP", IMAPD_TAG_BAD_TAG, NULL, NULL },
	{ "a{ NOOP", IMAPD_TAG_BAD_TAG, NULL, NULL },
	{ "a/1 NOOP", IMAPD_TAG_BAD_TAG, NULL, NULL },
	{ "NOOP", IMAPD_TAG_BAD_NAME, "NOOP", NULL },
	{ "a1 ", IMAPD_TAG_BAD_NAME, "a1", NULL },
	{ "a1 NO(OP", IMAPD_TAG_BAD_NAME, "a1", NULL },
};

static void test_tags(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(tag_cases); i++) {
		const struct tag_case *t = &tag_cases[i];
		char *tag, *name;
		size_t rest;
		enum imapd_tag_ret r = imapd_parse_tag(t->line, strlen(t->line),
						       &tag, &name, &rest);

		if (r != t->ret)
			fprintf(stderr, "\ntag \"%s\": got %d, want %d\n", t->line,
				r, t->ret);
		CU_ASSERT_EQUAL(r, t->ret);
		if (t->tag != NULL) {
			CU_ASSERT_PTR_NOT_NULL(tag);
			if (tag != NULL)
				CU_ASSERT_STRING_EQUAL(tag, t->tag);
		}
		if (t->name != NULL) {
			CU_ASSERT_PTR_NOT_NULL(name);
			if (name != NULL)
				CU_ASSERT_STRING_EQUAL(name, t->name);
		}
		free(tag);
		free(name);
	}
}

static void test_seqsets(void)
{
	static const struct {
		const char *set;
		int ok;
		uint32_t star, probe;
		int has;
	} cases[] = {
		{ "1", 0, 3, 1, 1 },
		{ "1:3", 0, 5, 4, 0 },
		{ "3:1", 0, 5, 2, 1 },
		{ "2,4:*", 0, 9, 7, 1 },
		{ "*", 0, 9, 9, 1 },
		{ "*:4", 0, 2, 3, 1 },	/* RFC 3501: "*:4" with 2 = 2:4 */
		{ "1,,2", -1, 0, 0, 0 },
		{ "0", -1, 0, 0, 0 },
		{ "1:", -1, 0, 0, 0 },
		{ "a", -1, 0, 0, 0 },
		{ "4294967295", -1, 0, 0, 0 },
		{ "", -1, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct imapd_seqset s;
		int r = imapd_parse_seqset(cases[i].set, &s);

		if (r != cases[i].ok)
			fprintf(stderr, "\nseqset \"%s\": got %d, want %d\n",
				cases[i].set, r, cases[i].ok);
		CU_ASSERT_EQUAL(r, cases[i].ok);
		if (r == 0)
			CU_ASSERT_EQUAL(imapd_seqset_has(&s, cases[i].probe,
							 cases[i].star),
					cases[i].has);
		imapd_seqset_free(&s);
	}
	{
		struct imapd_seqset s;

		CU_ASSERT_EQUAL(imapd_parse_seqset("$", &s), 0);
		CU_ASSERT(s.dollar);
		imapd_seqset_free(&s);
	}
}

static void test_dates(void)
{
	int tz;

	/* the INTERNALDATE of 01-session a11 */
	CU_ASSERT_EQUAL(imapd_parse_datetime("28-Nov-2026 22:02:51 +0000"),
			1795903371);
	CU_ASSERT_EQUAL(imapd_parse_datetime(" 2-Jan-2023 10:01:00 +0100"),
			1672653660 - 3600);
	CU_ASSERT_EQUAL(imapd_parse_datetime("2-Jan-2023 10:01:00"), -1);
	CU_ASSERT_EQUAL(imapd_parse_datetime("32-Jan-2023 10:01:00 +0000"), -1);
	CU_ASSERT_EQUAL(imapd_parse_date("2-jan-2023"), 1672617600);
	CU_ASSERT_EQUAL(imapd_parse_date("2-Foo-2023"), -1);
	CU_ASSERT_EQUAL(imapd_parse_rfc822_date("Mon, 2 Jan 2023 10:01:00 +0000",
						&tz), 1672653660);
	CU_ASSERT_EQUAL(tz, 0);
	CU_ASSERT_EQUAL(imapd_parse_rfc822_date("2 Jan 23 10:01 -0200", &tz),
			1672653660 + 7200);
	CU_ASSERT_EQUAL(tz, -7200);
	CU_ASSERT_EQUAL(imapd_parse_rfc822_date("yesterday", &tz), -1);
}

/* --- literals through the engine ------------------------------------- */

struct lit_case {
	const char *in;
	const char *out;
};

/* Before login: LOGIN with literals, LITERAL+, and what goes wrong. */
static const struct lit_case lit_cases[] = {
	{ "a NOOP {3}\r\nabc\r\n",
	  "+ OK\r\na OK NOOP completed.\r\n" },
	{ "a NOOP {3+}\r\nabc\r\n", "a OK NOOP completed.\r\n" },
	{ "a NOOP {0}\r\n\r\n", "+ OK\r\na OK NOOP completed.\r\n" },
	{ "a FOO {3}\r\n",
	  "a BAD Error in IMAP command received by server.\r\n" },
	{ "a NOOP {8190}\r\n", "* BYE Literal size too large\r\n" },
	{ "a/b NOOP\r\n", "* BAD Error in IMAP command received by server.\r\n" },
	{ "a ID (\"name\" {3}\r\nfoo)\r\n",
	  "+ OK\r\n* ID (\"name\" \"Dovecot\")\r\na OK ID completed.\r\n" },
};

static void run_lit(const struct lit_case *t, int bytewise)
{
	struct imapd_conf conf;
	struct imapd *s;
	struct imapd_event ev;
	struct buf got;
	size_t n = strlen(t->in), i;

	imapd_conf_defaults(&conf);
	s = imapd_new(&conf, 0);
	buf_clear(imapd_output(s));
	buf_init(&got);
	buf_adds(&got, "");
	for (i = 0; i < n; i += bytewise ? 1 : n) {
		imapd_feed(s, t->in + i, bytewise ? 1 : n, 0);
		while (imapd_next(s, &ev, 0) == 1)
			;
		buf_add(&got, imapd_output(s)->data, imapd_output(s)->len);
		buf_clear(imapd_output(s));
	}
	if (strcmp(got.data, t->out) != 0)
		fprintf(stderr, "\nliteral %s (%s):\n--- got\n%s--- want\n%s",
			t->in, bytewise ? "bytewise" : "whole", got.data, t->out);
	CU_ASSERT_STRING_EQUAL(got.data, t->out);
	buf_reset(&got);
	imapd_free(&s);
}

static void test_literals(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(lit_cases); i++) {
		run_lit(&lit_cases[i], 0);
		run_lit(&lit_cases[i], 1);
	}
}

void test_imapd_parse_register(void)
{
	CU_pSuite s = CU_add_suite("imapd_parse", NULL, NULL);

	CU_add_test(s, "arguments", test_args);
	CU_add_test(s, "tags and names", test_tags);
	CU_add_test(s, "sequence sets", test_seqsets);
	CU_add_test(s, "dates", test_dates);
	CU_add_test(s, "literals through the engine", test_literals);
}
