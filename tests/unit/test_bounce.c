/*
 * CUnit suite for bounce notices (src/mta/bounce.c): the non-delivery
 * notice of reference/commands/08-sendmail-bounce byte for byte (as it
 * lands in root's mailbox, tests/data/pipeline/root-bounce.mbox), the
 * delay warning's wording, and Postfix's line wrapping.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "mta/bounce.h"

void test_bounce_register(void);

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	buf_adds(&b, "");
	return buf_steal(&b, NULL);
}

static const char original[] =
	"Received: by centos.localdomain (Postfix, from userid 0)\n"
	"\tid E6272104557; Sat, 28 Nov 2026 22:05:22 +0000 (UTC)\n"
	"Message-Id: <20261128220522.E6272104557@centos.localdomain>\n"
	"Date: Sat, 28 Nov 2026 22:05:22 +0000 (UTC)\n"
	"From: root <root@centos.localdomain>\n"
	"\n"
	"hi\n";

static void test_failure_notice(void)
{
	struct bounce_rcpt r = { "nosuchuser@centos.localdomain", "nosuchuser", NULL,
				 "5.1.1", "unknown user: \"nosuchuser\"", NULL, NULL };
	struct bounce_in in;
	char *hdr, *body, *want;
	struct buf mbox;

	memset(&in, 0, sizeof(in));
	in.kind = BOUNCE_FAILURE;
	in.myhostname = "centos.localdomain";
	in.queue_id = "E6272104557";
	in.sender = "root@centos.localdomain";
	in.arrival = 1795903522000LL;
	in.now = 1795903522900LL;
	in.rcpts = &r;
	in.nrcpt = 1;
	in.content = original;
	in.len = strlen(original);
	in.bounce_size_limit = 50000;
	bounce_notice(&in, &hdr, &body);

	/* What cleanup (Received, Message-Id) and local (From_, Return-Path,
	 * X-Original-To, Delivered-To, the final empty line) add. */
	buf_init(&mbox);
	buf_adds(&mbox, "From MAILER-DAEMON  Sat Nov 28 22:05:22 2026\n"
			"Return-Path: <>\n"
			"X-Original-To: root@centos.localdomain\n"
			"Delivered-To: root@centos.localdomain\n"
			"Received: by centos.localdomain (Postfix)\n"
			"\tid F1737104561; Sat, 28 Nov 2026 22:05:22 +0000 (UTC)\n");
	buf_adds(&mbox, hdr);
	buf_adds(&mbox, "Message-Id: <20261128220522.F1737104561@centos.localdomain>\n\n");
	buf_adds(&mbox, body);
	buf_adds(&mbox, "\n");
	want = slurp("tests/data/pipeline/root-bounce.mbox");
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	if (strcmp(mbox.data, want) != 0)
		fprintf(stderr, "\ngot:\n%s\nwant:\n%s\n", mbox.data, want);
	CU_ASSERT_STRING_EQUAL(mbox.data, want);
	free(want);
	free(hdr);
	free(body);
	buf_reset(&mbox);
}

static void test_delay_notice(void)
{
	struct bounce_rcpt r = { "bob@b.example", NULL, "rfc822;bob@b.example", "4.4.1",
				 "connect to mail.b.example[198.51.100.20]:25: Connection refused",
				 NULL, NULL };
	struct bounce_in in;
	char *hdr, *body;

	memset(&in, 0, sizeof(in));
	in.kind = BOUNCE_DELAY;
	in.myhostname = "mail.a.example";
	in.queue_id = "ABCDE123456";
	in.sender = "alice@a.example";
	in.arrival = 1795903522000LL;
	in.now = 1795903522000LL + 4 * 3600 * 1000LL;
	in.rcpts = &r;
	in.nrcpt = 1;
	in.content = "Subject: x\n\nbody line\n";
	in.len = strlen(in.content);
	in.delay_warning_time = 4 * 3600;
	in.maximal_queue_lifetime = 5 * 86400;
	bounce_notice(&in, &hdr, &body);
	CU_ASSERT_PTR_NOT_NULL(strstr(hdr, "Subject: Delayed Mail (still being retried)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(hdr, "To: alice@a.example\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Your message could not be delivered for more than 4 hour(s).\n"
					     "It will be retried until it is 5 day(s) old.\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "<bob@b.example>: connect to mail.b.example[198.51.100.20]:25: Connection\n    refused\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Action: delayed\nStatus: 4.4.1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Will-Retry-Until: Thu,  3 Dec 2026 22:05:22 +0000 (UTC)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(body, "Content-Description: Undelivered Message Headers\n"
					     "Content-Type: text/rfc822-headers\n"));
	/* headers only: the body line is not returned */
	CU_ASSERT_PTR_NULL(strstr(body, "body line"));
	free(hdr);
	free(body);
}

static const struct {
	const char *in, *want;
} wrap_cases[] = {
	{ "short", "short\n" },
	{ "<nosuchuser@centos.localdomain> (expanded from <nosuchuser>): unknown user: \"nosuchuser\"",
	  "<nosuchuser@centos.localdomain> (expanded from <nosuchuser>): unknown user:\n"
	  "    \"nosuchuser\"\n" },
	{ "<x@b.example>: host mail.b.example[198.51.100.20] said: 550 5.1.1 <x@b.example>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)",
	  "<x@b.example>: host mail.b.example[198.51.100.20] said: 550 5.1.1\n"
	  "    <x@b.example>: Recipient address rejected: User unknown in local recipient\n"
	  "    table (in reply to RCPT TO command)\n" },
};

static void test_wrap(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(wrap_cases); i++) {
		struct buf b;

		buf_init(&b);
		bounce_wrap(&b, wrap_cases[i].in, 79, 4);
		if (strcmp(b.data, wrap_cases[i].want) != 0)
			fprintf(stderr, "\nwrap %zu: got [%s], want [%s]\n", i, b.data,
				wrap_cases[i].want);
		CU_ASSERT_STRING_EQUAL(b.data, wrap_cases[i].want);
		buf_reset(&b);
	}
}

void test_bounce_register(void)
{
	CU_pSuite s = CU_add_suite("bounce", NULL, NULL);

	CU_add_test(s, "non-delivery notice = reference", test_failure_notice);
	CU_add_test(s, "delay warning", test_delay_notice);
	CU_add_test(s, "line wrap", test_wrap);
}
