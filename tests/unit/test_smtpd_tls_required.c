/*
 * CUnit suite for the engine's mandatory TLS (smtpd_tls_security_level =
 * encrypt, struct smtpd_conf.tls_required), as the submission service
 * uses it. Expected replies and counters are what Postfix 3.7.11 said
 * on the capture machine (a private instance, -o smtpd_tls_security_level
 * =encrypt -o smtpd_sasl_auth_enable=yes, the whole session pipelined):
 *   HELO 250, EHLO without AUTH, RCPT DATA ETRN RSET BDAT MAIL VRFY AUTH
 *   530 5.7.0 Must issue a STARTTLS command first, NOOP 250, EXPN 500,
 *   "disconnect from ... helo=1 ehlo=1 rcpt=0/1 data=0/1 bdat=0/1
 *   rset=0/1 noop=1 etrn=0/1 quit=1 unknown=0/1 commands=4/10".
 * Each case runs twice: all bytes at once and one byte at a time.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "smtpd_harness.h"

void test_smtpd_tls_required_register(void);

#define TLS_REQ "530 5.7.0 Must issue a STARTTLS command first\r\n"

static void run_mode(int byte_mode)
{
	struct smtpd_conf c;
	struct sh h;
	static const char in[] =
		"HELO x\r\nEHLO x\r\nRCPT TO:<a@b>\r\nDATA\r\nETRN x\r\nRSET\r\n"
		"NOOP\r\nBDAT 1 LAST\r\nEXPN x\r\nMAIL FROM:<a@b>\r\nVRFY root\r\n"
		"AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\nQUIT\r\n";
	const char *p;
	int n530 = 0;

	sh_default_conf(&c);
	c.tls_offer = 1;
	c.tls_required = 1;
	c.sasl_enabled = 1;
	memset(&h, 0, sizeof(h));
	h.byte_mode = byte_mode;
	sh_start(&h, &c, 1);
	sh_feed(&h, in, sizeof(in) - 1);
	buf_addc(&h.out, '\0');
	for (p = h.out.data; (p = strstr(p, TLS_REQ)) != NULL; p++)
		n530++;
	if (n530 != 8)
		fprintf(stderr, "tls_required (%s): got %d replies 530, want 8:\n%s\n",
			byte_mode ? "bytewise" : "whole", n530, h.out.data);
	CU_ASSERT_EQUAL(n530, 8);
	CU_ASSERT_PTR_NULL(strstr(h.out.data, "AUTH"));		/* not before TLS */
	CU_ASSERT_PTR_NOT_NULL(strstr(h.out.data, "250-STARTTLS\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.out.data, TLS_REQ "250 2.0.0 Ok\r\n" TLS_REQ
				      "500 5.5.2 Error: command not recognized\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.out.data, "221 2.0.0 Bye\r\n"));
	/* no event reached the policy, no reject was logged */
	buf_addc(&h.events, '\0');
	buf_addc(&h.logs, '\0');
	CU_ASSERT_PTR_NULL(strstr(h.events.data, "MAIL"));
	CU_ASSERT_PTR_NULL(strstr(h.events.data, "AUTH"));
	CU_ASSERT_PTR_NULL(strstr(h.logs.data, "reject"));
	if (strstr(h.logs.data, "disconnect from localhost[127.0.0.1] helo=1 ehlo=1 mail=0/1 "
			       "rcpt=0/1 data=0/1 bdat=0/1 rset=0/1 noop=1 vrfy=0/1 etrn=0/1 "
			       "quit=1 unknown=0/1 auth=0/1 commands=4/13") == NULL &&
	    strstr(h.logs.data, "commands=4/13") == NULL)
		fprintf(stderr, "tls_required: log was\n%s\n", h.logs.data);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.logs.data, "commands=4/13"));
	sh_free(&h);
}

static void test_whole(void)
{
	run_mode(0);
}

static void test_bytewise(void)
{
	run_mode(1);
}

/* Under TLS everything is as usual: the 530 is gone. */
static void test_after_tls(void)
{
	struct smtpd_conf c;
	struct sh h;

	sh_default_conf(&c);
	c.tls_offer = 1;
	c.tls_required = 1;
	c.sasl_enabled = 1;
	memset(&h, 0, sizeof(h));
	sh_start(&h, &c, 1);
	sh_feed(&h, "EHLO x\r\nSTARTTLS\r\n", 18);
	CU_ASSERT_TRUE_FATAL(h.tls_pending);
	h.tls_pending = 0;
	smtpd_tls_started(h.s, 0);
	sh_run(&h);
	sh_feed(&h, "EHLO x\r\nMAIL FROM:<root@centos.localdomain>\r\n", 45);
	buf_addc(&h.out, '\0');
	CU_ASSERT_PTR_NULL(strstr(h.out.data, "530"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.out.data, "250-AUTH PLAIN LOGIN\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.out.data, "250 2.1.0 Ok\r\n"));
	sh_free(&h);
}

void test_smtpd_tls_required_register(void)
{
	CU_pSuite s = CU_add_suite("smtpd_tls_required", NULL, NULL);

	CU_add_test(s, "530 before STARTTLS, whole", test_whole);
	CU_add_test(s, "530 before STARTTLS, bytewise", test_bytewise);
	CU_add_test(s, "as usual under TLS", test_after_tls);
}
