/*
 * CUnit suite for smtpd_tls_failed() (src/smtp/smtpd.c): a STARTTLS whose
 * handshake fails logs what Postfix 3.7 logged in
 * reference/transcripts/smtp/06e-plaintext-after-starttls.log, both for
 * plain text where the ClientHello should be ("-1" and the library's
 * complaint) and for a client that hangs up (EOF while the handshake is
 * awaited). Each case runs twice: all bytes at once, one byte at a time.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtpd_harness.h"

void test_smtpd_tls_register(void);

#define WRONG_VERSION \
	"error:0A00010B:SSL routines::wrong version number:../ssl/record/ssl3_record.c:350:"

static const struct {
	const char *name;
	int eof;		/* the client hangs up instead */
	const char *want_logs;
} cases[] = {
	{ "plain text after 220 (smtp/06e)", 0,
	  "connect from localhost[127.0.0.1]\n"
	  "SSL_accept error from localhost[127.0.0.1]: -1\n"
	  "warning: TLS library problem: " WRONG_VERSION "\n"
	  "lost connection after STARTTLS from localhost[127.0.0.1]\n"
	  "disconnect from localhost[127.0.0.1] ehlo=1 starttls=0/1 commands=1/2\n" },
	{ "the client hangs up", 1,
	  "connect from localhost[127.0.0.1]\n"
	  "SSL_accept error from localhost[127.0.0.1]: lost connection\n"
	  "lost connection after STARTTLS from localhost[127.0.0.1]\n"
	  "disconnect from localhost[127.0.0.1] ehlo=1 starttls=0/1 commands=1/2\n" },
};

static void run_case(size_t i, int byte_mode)
{
	struct sh h;
	struct smtpd_conf c;
	static const char ehlo[] = "EHLO localhost\r\n", starttls[] = "STARTTLS\r\n";

	memset(&h, 0, sizeof(h));
	sh_default_conf(&c);
	h.byte_mode = byte_mode;
	sh_start(&h, &c, 1);
	sh_feed(&h, ehlo, sizeof(ehlo) - 1);
	sh_feed(&h, starttls, sizeof(starttls) - 1);
	CU_ASSERT_EQUAL(h.tls_pending, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.out.data, "220 2.0.0 Ready to start TLS\r\n"));
	if (cases[i].eof)
		smtpd_eof(h.s, 0);
	else
		smtpd_tls_failed(h.s, "-1", WRONG_VERSION, 0);
	h.tls_pending = 0;
	sh_run(&h);
	if (strcmp(h.logs.data, cases[i].want_logs) != 0) {
		fprintf(stderr, "\n%s (%s): got\n%s\nwant\n%s\n", cases[i].name,
			byte_mode ? "bytewise" : "at once", h.logs.data,
			cases[i].want_logs);
		CU_FAIL("log lines");
	}
	CU_ASSERT_EQUAL(h.closed, 1);
	CU_ASSERT(smtpd_closed(h.s));
	/* Nothing more is said to the client after the 220. */
	CU_ASSERT_PTR_NOT_NULL(strstr(h.out.data, "Ready to start TLS\r\n"));
	CU_ASSERT_EQUAL(strstr(h.out.data, "Ready to start TLS\r\n") +
			strlen("Ready to start TLS\r\n"), h.out.data + h.out.len);
	/* Once closed, more calls change nothing. */
	smtpd_tls_failed(h.s, "-1", NULL, 0);
	smtpd_close(h.s, 0);
	sh_run(&h);
	CU_ASSERT_STRING_EQUAL(h.logs.data, cases[i].want_logs);
	sh_free(&h);
}

static void test_failed_handshake(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(i, 0);
		run_case(i, 1);
	}
}

/* Outside a handshake it is an ordinary broken connection. */
static void test_outside_handshake(void)
{
	struct sh h;
	struct smtpd_conf c;
	static const char in[] = "HELO localhost\r\n";

	memset(&h, 0, sizeof(h));
	sh_default_conf(&c);
	sh_start(&h, &c, 1);
	sh_feed(&h, in, sizeof(in) - 1);
	smtpd_tls_failed(h.s, "-1", NULL, 0);
	sh_run(&h);
	CU_ASSERT_PTR_NULL(strstr(h.logs.data, "SSL_accept"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.logs.data,
				      "lost connection after HELO from localhost[127.0.0.1]\n"));
	CU_ASSERT_EQUAL(h.closed, 1);
	sh_free(&h);
}

void test_smtpd_tls_register(void)
{
	CU_pSuite s = CU_add_suite("smtpd_tls", NULL, NULL);

	CU_add_test(s, "a failed STARTTLS handshake is logged as Postfix does",
		    test_failed_handshake);
	CU_add_test(s, "smtpd_tls_failed outside a handshake", test_outside_handshake);
}
