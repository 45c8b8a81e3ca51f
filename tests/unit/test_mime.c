/*
 * CUnit suite for src/store/mime*.c: structure, ENVELOPE, BODYSTRUCTURE,
 * sections, CRLF sizes, decoding and malformed input. The seed messages
 * come from reference/transcripts/smtp/90-seed-alice (tests/data/imap/),
 * the expected IMAP text from reference/transcripts/imap/01-session.txt.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "store/mime.h"

void test_mime_register(void);

#define DATA "tests/data/imap/"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[4096];
	size_t n;

	buf_init(&b);
	if (f == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	return buf_steal(&b, len);
}

/* The n-th (0-based) message of an mbox, without From_ line and the
 * separating blank line, LF line ends as stored. */
static char *mbox_msg(const char *path, int nth, size_t *len)
{
	size_t n;
	char *all = slurp(path, &n), *p, *start, *end, *r;
	int i;

	if (all == NULL)
		return NULL;
	p = all;
	for (i = 0; i <= nth; i++) {
		start = strstr(p, "From ");
		if (start == NULL || (start != all && start[-1] != '\n')) {
			free(all);
			return NULL;
		}
		p = strchr(start, '\n') + 1;
	}
	end = strstr(p, "\n\nFrom ");
	end = end != NULL ? end + 1 : all + n - 1;
	r = xstrndup(p, (size_t)(end - p));
	*len = (size_t)(end - p);
	free(all);
	return r;
}

static char *to_crlf(const char *s, size_t n, size_t *len)
{
	struct buf b;

	buf_init(&b);
	mime_crlf_add(&b, s, n);
	return buf_steal(&b, len);
}

static void check_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n%s:\n got  %s\n want %s\n", what, got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

static void check_bs(const struct mime_msg *m, int ext, const char *want)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	mime_imap_bodystructure(&b, m->root, ext);
	check_str(ext ? "BODYSTRUCTURE" : "BODY", b.data, want);
	buf_reset(&b);
}

static void check_env(const struct mime_part *p, const char *want)
{
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	mime_imap_envelope(&b, p);
	check_str("ENVELOPE", b.data, want);
	buf_reset(&b);
}

static void check_sect(const struct mime_msg *m, const char *spec,
		       const char *want)
{
	struct mime_sect s;
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "");
	CU_ASSERT_EQUAL_FATAL(mime_sect_parse(spec, strlen(spec), &s), 0);
	mime_sect_get(m, &s, &b);
	check_str(spec, b.data, want);
	mime_sect_reset(&s);
	buf_reset(&b);
}

/* reference 01-session.txt a10/a11: the first seed message */
static void test_seed_message(void)
{
	size_t len, clen;
	char *msg = mbox_msg(DATA "seed.mbox-alice", 0, &len), *crlf;
	struct mime_msg *m;
	int pass;

	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	crlf = to_crlf(msg, len, &clen);
	for (pass = 0; pass < 2; pass++) {
		m = pass == 0 ? mime_parse(msg, len) : mime_parse(crlf, clen);
		CU_ASSERT_EQUAL(m->root->hdr_vsize + m->root->body_vsize, 518);
		CU_ASSERT_EQUAL(m->root->hdr_vsize, 480);
		CU_ASSERT_EQUAL(m->root->body_vsize, 38);
		CU_ASSERT_EQUAL(m->root->body_lines, 3);
		check_bs(m, 1, "\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
			 "\"7bit\" 38 3 NIL NIL NIL NIL");
		check_bs(m, 0, "\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
			 "\"7bit\" 38 3");
		check_env(m->root, "\"Mon, 2 Jan 2023 10:01:00 +0000\" \"first message\" "
			  "((\"Bob\" NIL \"bob\" \"centos.localdomain\")) "
			  "((\"Bob\" NIL \"bob\" \"centos.localdomain\")) "
			  "((\"Bob\" NIL \"bob\" \"centos.localdomain\")) "
			  "((\"Alice\" NIL \"alice\" \"centos.localdomain\")) "
			  "NIL NIL NIL \"<seed1@centos.localdomain>\"");
		check_sect(m, "TEXT", "Hello Alice,\r\n\r\nthis is message one.\r\n");
		check_sect(m, "1", "Hello Alice,\r\n\r\nthis is message one.\r\n");
		check_sect(m, "2", "");
		check_sect(m, "HEADER.FIELDS (SUBJECT from)",
			   "From: Bob <bob@centos.localdomain>\r\n"
			   "Subject: first message\r\n\r\n");
		check_sect(m, "HEADER.FIELDS (X-Nothing)", "\r\n");
		mime_free(&m);
		CU_ASSERT_PTR_NULL(m);
	}
	m = mime_parse(msg, len);
	{
		struct mime_sect s;
		struct buf b;

		buf_init(&b);
		CU_ASSERT_EQUAL(mime_sect_parse("HEADER", 6, &s), 0);
		mime_sect_get(m, &s, &b);
		CU_ASSERT_EQUAL(b.len, 480);	/* a10: BODY[HEADER] {480} */
		mime_sect_reset(&s);
		buf_clear(&b);
		CU_ASSERT_EQUAL(mime_sect_parse("", 0, &s), 0);
		mime_sect_get(m, &s, &b);
		CU_ASSERT_EQUAL(b.len, 518);
		mime_sect_reset(&s);
		buf_reset(&b);
	}
	mime_free(&m);
	free(crlf);
	free(msg);
}

static const char bounce_env[] =
	"\"Sat, 28 Nov 2026 22:05:22 +0000 (UTC)\" NIL "
	"((\"root\" NIL \"root\" \"centos.localdomain\")) "
	"((\"root\" NIL \"root\" \"centos.localdomain\")) "
	"((\"root\" NIL \"root\" \"centos.localdomain\")) NIL NIL NIL NIL "
	"\"<20261128220522.E6272104557@centos.localdomain>\"";

/* reference/mailboxes/root-bounce.mbox: multipart/report, nested rfc822 */
static void test_bounce(void)
{
	size_t len;
	char *msg = mbox_msg(DATA "root-bounce.mbox", 0, &len);
	struct mime_msg *m;
	char want[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	m = mime_parse(msg, len);
	CU_ASSERT_EQUAL(m->root->hdr_vsize + m->root->body_vsize, 2340);
	snprintf(want, sizeof(want),
		 "(\"text\" \"plain\" (\"charset\" \"utf-8\") NIL \"Notification\" "
		 "\"8bit\" 491 14 NIL NIL NIL NIL)"
		 "(\"message\" \"delivery-status\" NIL NIL \"Delivery report\" "
		 "\"7bit\" 380 NIL NIL NIL NIL)"
		 "(\"message\" \"rfc822\" NIL NIL \"Undelivered Message\" \"8bit\" "
		 "304 (%s) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL "
		 "\"7bit\" 4 1 NIL NIL NIL NIL) 8 NIL NIL NIL NIL) \"report\" "
		 "(\"report-type\" \"delivery-status\" \"boundary\" "
		 "\"E6272104557.1795903522/centos.localdomain\") NIL NIL NIL",
		 bounce_env);
	check_bs(m, 1, want);
	check_sect(m, "3.TEXT", "hi\r\n");
	check_sect(m, "3.1", "hi\r\n");
	check_sect(m, "3.HEADER.FIELDS (FROM)",
		   "From: root <root@centos.localdomain>\r\n\r\n");
	check_sect(m, "2.MIME", "Content-Description: Delivery report\r\n"
		   "Content-Type: message/delivery-status\r\n\r\n");
	check_sect(m, "1.TEXT", "");
	check_sect(m, "4", "");
	check_sect(m, "3.2", "");
	mime_free(&m);
	free(msg);
}

struct bs_case {
	const char *name;
	const char *msg;
	const char *bodystructure;
};

static const struct bs_case bs_cases[] = {
	{ "no header at all", "",
	  "\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 "
	  "NIL NIL NIL NIL" },
	{ "header without blank line", "Subject: x\n",
	  "\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 "
	  "NIL NIL NIL NIL" },
	{ "no final newline", "Subject: x\n\nabc",
	  "\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 0 "
	  "NIL NIL NIL NIL" },
	{ "extension data",
	  "Content-Type: text/html; charset=\"UTF-8\"; format=flowed\n"
	  "Content-ID: <id1@x>\nContent-Description: the  desc\n"
	  "Content-Transfer-Encoding: Quoted-Printable\n"
	  "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
	  "Content-Disposition: attachment; filename=\"a b.html\"\n"
	  "Content-Language: en, pt-BR (comment)\n"
	  "Content-Location: http://x/y\n\nhi\n",
	  "\"text\" \"html\" (\"charset\" \"UTF-8\" \"format\" \"flowed\") "
	  "\"<id1@x>\" \"the  desc\" \"Quoted-Printable\" 4 1 "
	  "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"attachment\" (\"filename\" \"a b.html\")) "
	  "(\"en\" \"pt-BR\") \"http://x/y\"" },
	{ "non-text without params",
	  "Content-Type: application/octet-stream\n"
	  "Content-Transfer-Encoding: base64\n\nAAAA\n",
	  "\"application\" \"octet-stream\" NIL NIL NIL \"base64\" 6 NIL NIL "
	  "NIL NIL" },
	{ "multipart, preamble, epilogue, CRLF sizes",
	  "Content-Type: multipart/mixed; boundary=XX\n\npreamble\n--XX\n\n"
	  "one\n--XX\nContent-Type: text/plain; charset=iso-8859-1\n\n"
	  "two\ntwo\n--XX--\nepilogue\n",
	  "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 0 "
	  "NIL NIL NIL NIL)(\"text\" \"plain\" (\"charset\" \"iso-8859-1\") "
	  "NIL NIL \"7bit\" 8 1 NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"XX\") "
	  "NIL NIL NIL" },
	{ "multipart without boundary lines",
	  "Content-Type: multipart/mixed; boundary=\"q\"\n\nno parts\n",
	  "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0 "
	  "NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"q\") NIL NIL NIL" },
	{ "multipart without boundary parameter",
	  "Content-Type: multipart/mixed\n\n--x\n\nbody\n",
	  "\"multipart\" \"mixed\" NIL NIL NIL \"7bit\" 13 NIL NIL NIL NIL" },
	{ "unterminated multipart and nested boundary",
	  "Content-Type: multipart/mixed; boundary=a\n\n--a\n"
	  "Content-Type: multipart/alternative; boundary=ab\n\n--ab\n\nx\n"
	  "--a\n\ny\n",
	  "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 1 0 "
	  "NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"ab\") NIL NIL NIL)"
	  "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 3 1 "
	  "NIL NIL NIL NIL) \"mixed\" (\"boundary\" \"a\") NIL NIL NIL" },
	{ "digest defaults to message/rfc822",
	  "Content-Type: multipart/digest; boundary=d\n\n--d\n\n"
	  "Subject: in\n\nbody\n--d--\n",
	  "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 19 (NIL \"in\" NIL NIL "
	  "NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") "
	  "NIL NIL \"7bit\" 4 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL) \"digest\" "
	  "(\"boundary\" \"d\") NIL NIL NIL" },
	{ "RFC 2231 continuations",
	  "Content-Type: application/x; name*0=\"a\"; name*1=\"b c\"; "
	  "title*=us-ascii'en'x%20y\n\n",
	  "\"application\" \"x\" (\"name\" \"ab c\" \"title*\" "
	  "\"us-ascii'en'x%20y\") NIL NIL \"7bit\" 0 NIL NIL NIL NIL" },
	{ "broken content-type",
	  "Content-Type: garbage\n\nx\n",
	  "\"garbage\" \"\" NIL NIL NIL \"7bit\" 3 NIL NIL NIL NIL" },
	{ "8-bit description becomes a literal",
	  "Content-Description: caf\xc3\xa9\n\n",
	  "\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL {5}\r\ncaf\xc3\xa9 "
	  "\"7bit\" 0 0 NIL NIL NIL NIL" },
};

static void test_bodystructure_table(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(bs_cases); i++) {
		struct mime_msg *m;
		struct buf b;
		size_t clen;
		char *crlf;

		buf_init(&b);
		buf_adds(&b, "");
		m = mime_parse(bs_cases[i].msg, strlen(bs_cases[i].msg));
		mime_imap_bodystructure(&b, m->root, 1);
		check_str(bs_cases[i].name, b.data, bs_cases[i].bodystructure);
		mime_free(&m);
		/* the same with CRLF line ends: same sizes */
		crlf = to_crlf(bs_cases[i].msg, strlen(bs_cases[i].msg), &clen);
		buf_clear(&b);
		m = mime_parse(crlf, clen);
		mime_imap_bodystructure(&b, m->root, 1);
		check_str(bs_cases[i].name, b.data, bs_cases[i].bodystructure);
		mime_free(&m);
		free(crlf);
		buf_reset(&b);
	}
}

struct addr_case {
	const char *in;
	const char *out;
};

static const struct addr_case addr_cases[] = {
	{ "Bob <bob@centos.localdomain>",
	  "((\"Bob\" NIL \"bob\" \"centos.localdomain\"))" },
	{ "bob@x (Bob Smith), \"Doe, J.\" <j@y>",
	  "((\"Bob Smith\" NIL \"bob\" \"x\"))" },	/* first only below */
	{ "undisclosed-recipients:;",
	  "((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL))" },
	{ "team: a@x, B <b@y>;, c@z",
	  "((NIL NIL \"team\" NIL)(NIL NIL \"a\" \"x\")(\"B\" NIL \"b\" \"y\")"
	  "(NIL NIL NIL NIL)(NIL NIL \"c\" \"z\"))" },
	{ "<@r1,@r2:u@h>", "((NIL \"@r1,@r2\" \"u\" \"h\"))" },
	{ "alice", "((NIL NIL \"alice\" \"MISSING_DOMAIN\"))" },
	{ "Just A Name", "((\"Just A Name\" NIL \"MISSING_MAILBOX\" "
	  "\"MISSING_DOMAIN\"))" },
	{ "\"quo\\\"ted\" <q@x>", "((\"quo\\\"ted\" NIL \"q\" \"x\"))" },
	{ "  ", "NIL" },
	{ "a@b.c (comment (nested)) ", "((\"comment (nested)\" NIL \"a\" \"b.c\"))" },
	{ "<>", "((NIL NIL \"MISSING_MAILBOX\" \"MISSING_DOMAIN\"))" },
	{ "x@[1.2.3.4]", "((NIL NIL \"x\" \"[1.2.3.4]\"))" },
};

static void test_addresses(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(addr_cases); i++) {
		struct mime_addr *a = mime_addr_parse(addr_cases[i].in,
						       strlen(addr_cases[i].in));
		struct mime_part p;
		struct mime_envelope e;
		struct buf b;
		char *sp;

		memset(&p, 0, sizeof(p));
		memset(&e, 0, sizeof(e));
		if (i == 1 && a != NULL) {
			/* check the second address separately */
			CU_ASSERT_PTR_NOT_NULL(a->next);
			if (a->next != NULL) {
				CU_ASSERT_STRING_EQUAL(a->next->name, "Doe, J.");
				mime_addr_free(a->next);
				a->next = NULL;
			}
		}
		e.to = a;
		p.env = &e;
		buf_init(&b);
		buf_adds(&b, "");
		mime_imap_envelope(&b, &p);
		/* the to field is the 4th list after date, subject, from x3 */
		sp = strstr(b.data, "NIL NIL NIL NIL NIL ");
		CU_ASSERT_PTR_NOT_NULL_FATAL(sp);
		sp += strlen("NIL NIL NIL NIL NIL ");
		sp[strlen(sp) - strlen(" NIL NIL NIL NIL")] = '\0';
		check_str(addr_cases[i].in, sp, addr_cases[i].out);
		mime_addr_free(a);
		buf_reset(&b);
	}
}

static void test_subject_for_humans(void)
{
	static const struct addr_case cases[] = {
		{ "plain subject", "\"plain subject\"" },
		{ "  folded\n\tsubject  here ", "{19}\r\nfolded subject here" },
		{ "with \"quotes\"", "{13}\r\nwith \"quotes\"" },
		{ "   ", "\"\"" },
		{ "", "\"\"" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;

		buf_init(&b);
		buf_adds(&b, "");
		mime_imap_string_for_humans(&b, cases[i].in, strlen(cases[i].in));
		check_str(cases[i].in, b.data, cases[i].out);
		buf_reset(&b);
	}
}

static void test_folded_envelope(void)
{
	const char *msg = "Subject: a\r\n folded\r\nFrom: \"A\"\r\n\t<a@x>\r\n"
			  "Subject: last wins\r\nDate: d\r\n\r\n";
	struct mime_msg *m = mime_parse(msg, strlen(msg));

	check_env(m->root, "\"d\" \"last wins\" ((\"A\" NIL \"a\" \"x\")) "
		  "((\"A\" NIL \"a\" \"x\")) ((\"A\" NIL \"a\" \"x\")) NIL NIL "
		  "NIL NIL NIL");
	CU_ASSERT_STRING_EQUAL(mime_part_header(m->root, "subject")->value,
			       "a\n folded");
	mime_free(&m);
}

struct sect_case {
	const char *spec;
	int ok;
	const char *label;
};

static const struct sect_case sect_cases[] = {
	{ "", 0, "" },
	{ "HEADER", 0, "HEADER" },
	{ "header.fields (from \"to\" X-A)", 0, "HEADER.FIELDS (FROM TO X-A)" },
	{ "1.2.HEADER.FIELDS.NOT (A)", 0, "1.2.HEADER.FIELDS.NOT (A)" },
	{ "1.MIME", 0, "1.MIME" },
	{ "MIME", -1, NULL },
	{ "0", -1, NULL },
	{ "1.", -1, NULL },
	{ "1..2", -1, NULL },
	{ "TEXTX", -1, NULL },
	{ "HEADER.FIELDS", -1, NULL },
	{ "HEADER.FIELDS ()", -1, NULL },
	{ "HEADER.FIELDS (A", -1, NULL },
	{ "99999999999", -1, NULL },
};

static void test_sect_parse(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(sect_cases); i++) {
		struct mime_sect s;
		int r = mime_sect_parse(sect_cases[i].spec,
					strlen(sect_cases[i].spec), &s);

		if (r != sect_cases[i].ok)
			fprintf(stderr, "\nsection %s: got %d, want %d\n",
				sect_cases[i].spec, r, sect_cases[i].ok);
		CU_ASSERT_EQUAL(r, sect_cases[i].ok);
		if (r == 0 && sect_cases[i].label != NULL) {
			struct buf b;

			buf_init(&b);
			buf_adds(&b, "");
			mime_sect_label(&b, &s);
			check_str(sect_cases[i].spec, b.data, sect_cases[i].label);
			buf_reset(&b);
		}
		mime_sect_reset(&s);
	}
}

static void test_decode(void)
{
	static const struct {
		const char *enc, *in, *out;
		int ret;
	} cases[] = {
		{ "base64", "aGVs\r\nbG8=\r\n", "hello", 0 },
		{ "BASE64", "aGVsbG8gd29ybGQ", "hello world", 0 },
		{ "quoted-printable", "a=3Db =\r\nc  \r\nd=\n", "a=b c\r\nd", 0 },
		{ "quoted-printable", "bad =ZZ", "bad =ZZ", 0 },
		{ "7bit", "x", "x", 0 },
		{ NULL, "x", "x", 0 },
		{ "x-uuencode", "x", "", -1 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;

		buf_init(&b);
		buf_adds(&b, "");
		CU_ASSERT_EQUAL(mime_decode(cases[i].enc, cases[i].in,
					    strlen(cases[i].in), &b), cases[i].ret);
		check_str(cases[i].in, b.data, cases[i].out);
		buf_reset(&b);
	}
}

static void test_decode_words(void)
{
	static const struct addr_case cases[] = {
		{ "=?utf-8?q?caf=C3=A9?= =?UTF-8?B?IGJhcg==?=", "caf\xc3\xa9 bar" },
		{ "x =?iso-8859-1?q?a=E9?= y", "x a\xc3\xa9 y" },
		{ "=?bogus?x?y?=", "=?bogus?x?y?=" },
		{ "plain", "plain" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf b;

		buf_init(&b);
		buf_adds(&b, "");
		mime_decode_words(cases[i].in, strlen(cases[i].in), &b);
		check_str(cases[i].in, b.data, cases[i].out);
		buf_reset(&b);
	}
}

/* Hostile input: must parse, never crash, stay within the limits. */
static void test_malformed(void)
{
	struct buf b, out;
	struct mime_msg *m;
	int i;
	static const char *const odd[] = {
		"\0\0\0", "\n\n\n", "\r\r\r", ":\n:\n\n", " fold first\n\nx",
		"Content-Type: multipart/x; boundary=\"\"\n\n--\n--\n----\n",
		"Content-Type: message/rfc822\n\n",
		"Content-Type: message/rfc822\n\nContent-Type: message/rfc822\n\n",
		"Content-Type: (unterminated\n\n",
		"From: \"unterminated\n\n", "To: a@\n\n", "Cc: <a@b\n\n",
		"Bcc: @a:b@c, ,,, ;;; <> <<>> g:;x\n\n",
		"Content-Type: text/plain; charset\n\n",
		"Content-Disposition: ;;;\nContent-Language: ,,\n\n",
	};

	for (i = 0; i < (int)ARRAY_LEN(odd); i++) {
		size_t n = i == 0 ? 3 : strlen(odd[i]);

		m = mime_parse(odd[i], n);
		buf_init(&out);
		mime_imap_bodystructure(&out, m->root, 1);
		mime_imap_envelope(&out, m->root);
		CU_ASSERT(out.len > 0);
		buf_reset(&out);
		mime_free(&m);
	}
	/* 300 nested multiparts: depth limit, no stack overflow */
	buf_init(&b);
	for (i = 0; i < 300; i++)
		buf_addf(&b, "Content-Type: multipart/mixed; boundary=b%dz\n\n--b%dz\n",
			 i, i);
	buf_adds(&b, "\nleaf\n");
	m = mime_parse(b.data, b.len);
	if (m->nparts > MIME_MAX_DEPTH + 2)
		fprintf(stderr, "\nnested: %zu parts\n", m->nparts);
	CU_ASSERT(m->nparts <= MIME_MAX_DEPTH + 2);
	buf_init(&out);
	mime_imap_bodystructure(&out, m->root, 1);
	CU_ASSERT(out.len > 0);
	buf_reset(&out);
	mime_free(&m);
	buf_reset(&b);
	/* 20000 parts: capped */
	buf_init(&b);
	buf_adds(&b, "Content-Type: multipart/mixed; boundary=z\n\n");
	for (i = 0; i < 20000; i++)
		buf_adds(&b, "--z\n\nx\n");
	m = mime_parse(b.data, b.len);
	CU_ASSERT(m->nparts <= MIME_MAX_PARTS);
	mime_free(&m);
	buf_reset(&b);
}

void test_mime_register(void)
{
	CU_pSuite s = CU_add_suite("mime", NULL, NULL);

	CU_add_test(s, "seed message (reference a10/a11)", test_seed_message);
	CU_add_test(s, "bounce: multipart/report + rfc822", test_bounce);
	CU_add_test(s, "BODYSTRUCTURE table", test_bodystructure_table);
	CU_add_test(s, "addresses", test_addresses);
	CU_add_test(s, "subject for humans", test_subject_for_humans);
	CU_add_test(s, "folded envelope fields", test_folded_envelope);
	CU_add_test(s, "section parse", test_sect_parse);
	CU_add_test(s, "transfer decoding", test_decode);
	CU_add_test(s, "RFC 2047 words", test_decode_words);
	CU_add_test(s, "malformed input", test_malformed);
}
