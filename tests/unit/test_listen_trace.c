/* CUnit suite for src/net/listen_trace.c: credentials masked in the
 * listener's trace, whatever the protocol; other lines left alone; the
 * JSON Lines file well-formed with SASL exchanges masked. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"
#include "net/listen_trace.h"

void test_listen_trace_register(void);

static void test_mask_table(void)
{
	static const struct {
		const char *proto, *text;
		int pending;
		const char *want;
	} cases[] = {
		{ "smtp", "AUTH PLAIN AGFsaWNlAGFsaWNlcHc=", 0, "AUTH PLAIN ***" },
		{ "smtp", "auth login YWxpY2U=", 0, "auth login ***" },
		{ "smtp", "AUTH LOGIN", 0, "AUTH LOGIN" },
		{ "smtp", "YWxpY2Vwdw==", 1, "***" },
		{ "smtp", "*", 1, "*" },
		{ "smtp", "EHLO client.example", 0, "EHLO client.example" },
		{ "smtp", "MAIL FROM:<a@b>", 0, "MAIL FROM:<a@b>" },
		{ "pop3", "USER alice", 0, "USER alice" },
		{ "pop3", "PASS alicepw", 0, "PASS ***" },
		{ "pop3", "pass  secret words", 0, "pass ***" },
		{ "pop3", "AUTH PLAIN AGFsaWNlAGFsaWNlcHc=", 0, "AUTH PLAIN ***" },
		{ "imap", "a1 LOGIN alice alicepw", 0, "a1 LOGIN alice ***" },
		{ "imap", "a1 login alice \"a b\"", 0, "a1 login alice ***" },
		{ "imap", "a2 AUTHENTICATE PLAIN AGFsaWNl", 0, "a2 AUTHENTICATE PLAIN ***" },
		{ "imap", "a2 AUTHENTICATE PLAIN", 0, "a2 AUTHENTICATE PLAIN" },
		{ "imap", "a3 SELECT INBOX", 0, "a3 SELECT INBOX" },
		{ "imap", "AGFsaWNlAGFsaWNlcHc=", 1, "***" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *owned = NULL;
		const char *got = listen_trace_mask(cases[i].proto, cases[i].text,
						    cases[i].pending, &owned);

		if (strcmp(got, cases[i].want) != 0)
			fprintf(stderr, "mask %s %s: got %s, want %s\n", cases[i].proto,
				cases[i].text, got, cases[i].want);
		CU_ASSERT_STRING_EQUAL(got, cases[i].want);
		free(owned);
	}
}

static void ev(struct trace_sink *s, enum trace_dir d, const char *proto,
	       const char *text)
{
	struct trace_event e;

	memset(&e, 0, sizeof(e));
	e.time = 1795903190123;
	e.host = "centos.localdomain";
	e.process = "postfix/smtpd";
	e.peer = "localhost[127.0.0.1]";
	e.protocol = proto;
	e.direction = d;
	e.text = text;
	s->emit(s->ctx, &e);
}

static void test_file(void)
{
	char path[] = "/tmp/maillab-trace-XXXXXX";
	int fd = mkstemp(path);
	struct listen_trace *t;
	struct trace_sink s;
	struct err e;
	char buf[4096];
	size_t n;
	FILE *f;

	CU_ASSERT_TRUE_FATAL(fd >= 0);
	close(fd);
	t = listen_trace_open(path, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	s = listen_trace_sink(t);
	ev(&s, TRACE_DIR_IN, "smtp", "AUTH LOGIN");
	ev(&s, TRACE_DIR_OUT, "smtp", "334 VXNlcm5hbWU6");
	ev(&s, TRACE_DIR_IN, "smtp", "YWxpY2U=");
	ev(&s, TRACE_DIR_OUT, "smtp", "334 UGFzc3dvcmQ6");
	ev(&s, TRACE_DIR_IN, "smtp", "YWxpY2Vwdw==");
	ev(&s, TRACE_DIR_OUT, "smtp", "235 2.7.0 Authentication successful");
	ev(&s, TRACE_DIR_IN, "smtp", "MAIL FROM:<\"q\\\\\"@x> caf\xc3\xa9 \x01\xff");
	listen_trace_close(&t);
	CU_ASSERT_PTR_NULL(t);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	unlink(path);
	CU_ASSERT_PTR_NULL(strstr(buf, "YWxpY2U="));
	CU_ASSERT_PTR_NULL(strstr(buf, "YWxpY2Vwdw=="));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"seq\":7,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"time\":\"2026-11-28T21:59:50.123Z\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"text\":\"235 2.7.0 Authentication successful\""));
	/* escapes: quote, backslash, UTF-8 kept, control and stray bytes */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "MAIL FROM:<\\\"q\\\\\\\\\\\"@x> caf\xc3\xa9 \\u0001\\u00ff\""));
	{
		/* seven lines, the masked responses in them */
		int lines = 0, masked = 0;
		char *p;

		for (p = buf; (p = strchr(p, '\n')) != NULL; p++)
			lines++;
		for (p = buf; (p = strstr(p, "\"text\":\"***\"")) != NULL; p++)
			masked++;
		CU_ASSERT_EQUAL(lines, 7);
		CU_ASSERT_EQUAL(masked, 2);
	}
}

void test_listen_trace_register(void)
{
	CU_pSuite s = CU_add_suite("listen_trace", NULL, NULL);

	CU_add_test(s, "credentials masked", test_mask_table);
	CU_add_test(s, "JSON Lines file", test_file);
}
