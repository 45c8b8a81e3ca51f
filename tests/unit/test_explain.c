/*
 * CUnit suite for src/ui/explain*.c: every reply line of the reference
 * catalogue (tests/data/console/replies-catalogue.txt, a copy of
 * reference/replies-catalogue.txt) gets a non-empty explanation, and the
 * ones a learner meets first say the right thing.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "ui/explain.h"
#include "ui/explain_code.h"
#include "ui/transcript.h"

void test_explain_register(void);

#define CATALOGUE "tests/data/console/replies-catalogue.txt"

static void check_contains(const char *cmd, const char *reply, const char *want,
			   int present)
{
	char *got = explain_reply(EXPLAIN_SMTP, cmd, reply);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if ((strstr(got, want) != NULL) != present) {
		fprintf(stderr, "\nexplain(%s | %s): got \"%s\", want %s\"%s\"\n",
			cmd ? cmd : "NULL", reply, got, present ? "" : "no ", want);
		CU_FAIL("explanation text");
	}
	free(got);
}

/* Strips "\r\n" (escaped) and unescapes; returns a new string. */
static char *unesc_field(const char *s, size_t n)
{
	struct buf b;
	size_t bad;

	if (n >= 4 && strncmp(s + n - 4, "\\r\\n", 4) == 0)
		n -= 4;
	buf_init(&b);
	if (transcript_unescape(&b, s, n, &bad) < 0)
		CU_FAIL("catalogue line with a bad escape");
	return buf_steal(&b, NULL);
}

static void test_catalogue_all_explained(void)
{
	FILE *f = fopen(CATALOGUE, "r");
	char line[8192];
	enum explain_proto proto = EXPLAIN_SMTP;
	int have_proto = 0, checked = 0, count[3] = { 0, 0, 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);
		char *verb, *reply, *why, *end;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (strncmp(line, "== ", 3) == 0) {
			char name[16];

			if (sscanf(line + 3, "%15[a-z0-9]", name) != 1)
				continue;
			have_proto = explain_proto_from_name(name, &proto) == 0;
			continue;
		}
		if (!have_proto || n < 24)
			continue;
		/* "%-22s %s    [%s]" (capture.py's catalogue) */
		end = strstr(line, "    [");
		CU_ASSERT_PTR_NOT_NULL_FATAL(end);
		verb = unesc_field(line, 22);
		{
			size_t k = strlen(verb);

			while (k > 0 && verb[k - 1] == ' ')
				verb[--k] = '\0';
		}
		reply = unesc_field(line + 23, (size_t)(end - (line + 23)));
		why = explain_reply(proto, verb, reply);
		count[proto]++;
		if (why == NULL || why[0] == '\0') {
			fprintf(stderr, "\nno explanation for %s | %s\n", verb, reply);
			CU_FAIL("catalogue reply without explanation");
		} else if (strstr(why, "does not know this command") != NULL &&
			   strstr(verb, "FOO") == NULL) {
			/* Only the catalogue's FOO is unknown to the server. */
			fprintf(stderr, "\nonly a fallback for %s | %s: %s\n",
				verb, reply, why);
			CU_FAIL("catalogue reply with only a fallback explanation");
		} else {
			checked++;
		}
		free(why);
		free(verb);
		free(reply);
	}
	fclose(f);
	/* reference/replies-catalogue.txt's own counts per protocol */
	if (count[EXPLAIN_SMTP] != 62 || count[EXPLAIN_POP3] != 37 ||
	    count[EXPLAIN_IMAP] != 108)
		fprintf(stderr, "\ngot %d/%d/%d SMTP/POP3/IMAP catalogue lines, want 62/37/108\n",
			count[EXPLAIN_SMTP], count[EXPLAIN_POP3], count[EXPLAIN_IMAP]);
	CU_ASSERT_EQUAL(count[EXPLAIN_SMTP], 62);
	CU_ASSERT_EQUAL(count[EXPLAIN_POP3], 37);
	CU_ASSERT_EQUAL(count[EXPLAIN_IMAP], 108);
	CU_ASSERT_EQUAL(checked, 62 + 37 + 108);
}

static const struct {
	const char *cmd, *reply, *want;
	int present;
} cases[] = {
	/* The study note's session. */
	{ NULL, "220 centos.localdomain ESMTP Postfix (Debian/GNU)", "220 = service ready", 1 },
	{ "(greeting)", "220 centos.localdomain ESMTP Postfix (Debian/GNU)", "465", 1 },
	{ "(greeting)", "220 centos.localdomain ESMTP Postfix (Debian/GNU)", "443 is HTTPS", 1 },
	{ "(greeting)", "220 centos.localdomain ESMTP Postfix (Debian/GNU)", "587", 1 },
	{ "HELO localhost", "250 centos.localdomain", "250 = requested action done. HELO", 1 },
	{ "MAIL FROM: root", "250 2.1.0 Ok", "strict_rfc821_envelopes", 1 },
	{ "MAIL FROM: root", "250 2.1.0 Ok", "2.1.0 = success: other address status", 1 },
	{ "MAIL FROM:<root@centos.localdomain>", "250 2.1.0 Ok", "strict_rfc821_envelopes", 0 },
	{ "MAIL FROM:<root@centos.localdomain>", "250 2.1.0 Ok", "envelope sender", 1 },
	{ "RCPT TO: wees", "250 2.1.5 Ok", "2.1.5 = success: destination address valid", 1 },
	{ "RCPT TO: wees", "250 2.1.5 Ok", "$myorigin", 1 },
	{ "DATA", "354 End data with <CR><LF>.<CR><LF>", "354 = start the message", 1 },
	{ ".", "250 2.0.0 Ok: queued as 1F3A6104556", "mailq", 1 },
	{ "(end of DATA)", "250 2.0.0 Ok: queued as 1F3A6104556", "pickup only takes local", 1 },
	{ "QUIT", "221 2.0.0 Bye", "221 = service closing", 1 },
	/* EHLO: the name, then one keyword per line. */
	{ "EHLO localhost", "250-centos.localdomain", "first the server's name", 1 },
	{ "EHLO localhost", "250-PIPELINING", "RFC 2920", 1 },
	{ "EHLO localhost", "250-SIZE 10240000", "message_size_limit", 1 },
	{ "EHLO localhost", "250-STARTTLS", "RFC 3207", 1 },
	{ "EHLO localhost", "250-ENHANCEDSTATUSCODES", "RFC 2034", 1 },
	{ "EHLO localhost", "250 CHUNKING", "BDAT", 1 },
	{ "EHLO localhost", "250-AUTH PLAIN LOGIN", "RFC 4954", 1 },
	{ "EHLO localhost", "250-AUTH=PLAIN LOGIN", "broken_sasl_auth_clients", 1 },
	{ "EHLO localhost", "250-XFOO", "XFOO: another ESMTP extension", 1 },
	{ "EHLO", "501 Syntax: EHLO hostname", "no enhanced code", 1 },
	/* Policy and limits name their parameter. */
	{ "RCPT TO:<victim@example.com>", "554 5.7.1 <victim@example.com>: Relay access denied", "reject_unauth_destination", 1 },
	{ "RCPT TO:<victim@example.com>", "454 4.7.1 <victim@example.com>: Relay access denied", "defer_unauth_destination", 1 },
	{ "RCPT TO:<victim@example.com>", "454 4.7.1 <victim@example.com>: Relay access denied", "4.7.1 = temporary failure: delivery not authorised", 1 },
	{ "RCPT TO:<x@centos.localdomain>", "550 5.1.1 <x@centos.localdomain>: Recipient address rejected: User unknown in local recipient table", "local_recipient_maps", 1 },
	{ "MAIL FROM:<root@centos.localdomain>", "503 5.5.1 Error: send HELO/EHLO first", "smtpd_helo_required", 1 },
	{ "MAIL FROM:<a> SIZE=10240001", "552 5.3.4 Message size exceeds fixed limit", "message_size_limit", 1 },
	{ "FOO21", "421 4.7.0 centos.localdomain Error: too many errors", "smtpd_hard_error_limit", 1 },
	{ "FOO", "500 5.5.2 Error: command not recognized", "5.5.2 = permanent failure: syntax error", 1 },
	{ "HELP", "500 5.5.2 Error: command not recognized", "no HELP command", 1 },
	{ "", "500 5.5.2 Error: bad syntax", "empty line", 1 },
	{ "STARTTLS", "220 2.0.0 Ready to start TLS", "465", 1 },
	{ "STARTTLS", "502 5.5.1 Error: command not implemented", "smtpd_tls_security_level = none", 1 },
	{ "AUTH PLAIN AGFsaWNl", "503 5.5.1 Error: authentication not enabled", "smtpd_sasl_auth_enable", 1 },
	{ "VRFY wees", "252 2.0.0 wees", "cannot verify", 1 },
	{ "HELO localhost", "550 5.5.2 centos.localdomain Error: bare <LF> received", "smtpd_forbid_bare_newline", 1 },
	/* Fallbacks: by digits and by class.subject. */
	{ "NOOP", "322 hi", "322 = positive intermediate: send the rest (about: the connection)", 1 },
	{ "NOOP", "233 hi", "233 = positive completion: it worked (about: unspecified)", 1 },
	{ "NOOP", "283 hi", "283 = positive completion: it worked. NOOP", 1 },
	{ "NOOP", "471 4.2.9 full", "4.2.9 = temporary failure: mailbox status", 1 },
	{ "NOOP", "571 5.9.1 odd", "subject 9 is not in RFC 3463", 1 },
	{ "NOOP", "250 2.0.0 Ok", "NOOP does nothing", 1 },
	{ "XYZZY", "250 2.0.0 Ok", "does not know this command", 1 },
	{ "NOOP", "hello", "not an SMTP reply", 1 },
	{ "NOOP", "123 x", "not a code RFC 5321 defines", 1 },
};

static void test_specific(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_contains(cases[i].cmd, cases[i].reply, cases[i].want,
			       cases[i].present);
}

static void test_commands_and_protocols(void)
{
	enum explain_proto p;
	char *s;

	s = explain_command(EXPLAIN_SMTP, "mail from:<x>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(strstr(s, "envelope sender") != NULL);
	free(s);
	s = explain_command(EXPLAIN_SMTP, ".");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	free(s);
	CU_ASSERT_PTR_NULL(explain_command(EXPLAIN_SMTP, "FROBNICATE"));
	CU_ASSERT_EQUAL(explain_proto_from_name("SMTP", &p), 0);
	CU_ASSERT_EQUAL(p, EXPLAIN_SMTP);
	CU_ASSERT_EQUAL(explain_proto_from_name("pop3", &p), 0);
	CU_ASSERT_EQUAL(p, EXPLAIN_POP3);
	CU_ASSERT_EQUAL(explain_proto_from_name("gopher", &p), -1);
}

static void test_enhanced_parse(void)
{
	static const struct {
		const char *in;
		int ok, c, s, d;
		size_t len;
	} t[] = {
		{ "2.1.0 Ok", 1, 2, 1, 0, 5 },
		{ "5.7.13", 1, 5, 7, 13, 6 },
		{ "4.4.2 x", 1, 4, 4, 2, 5 },
		{ "3.1.0 x", 0, 0, 0, 0, 0 },	/* class 3 does not exist */
		{ "2.1 Ok", 0, 0, 0, 0, 0 },
		{ "2.1.0x", 0, 0, 0, 0, 0 },
		{ "25.1.0", 0, 0, 0, 0, 0 },
		{ "2.1000.0", 0, 0, 0, 0, 0 },
		{ "Ok", 0, 0, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int c = -1, s = -1, d = -1;
		size_t len = 0;
		int rc = explain_code_parse_enhanced(t[i].in, &c, &s, &d, &len);

		CU_ASSERT_EQUAL(rc == 0, t[i].ok);
		if (t[i].ok && rc == 0) {
			CU_ASSERT_EQUAL(c, t[i].c);
			CU_ASSERT_EQUAL(s, t[i].s);
			CU_ASSERT_EQUAL(d, t[i].d);
			CU_ASSERT_EQUAL(len, t[i].len);
		}
	}
}

void test_explain_register(void)
{
	CU_pSuite s = CU_add_suite("explain", NULL, NULL);

	CU_add_test(s, "every catalogue reply is explained", test_catalogue_all_explained);
	CU_add_test(s, "specific explanations", test_specific);
	CU_add_test(s, "commands and protocols", test_commands_and_protocols);
	CU_add_test(s, "enhanced code parsing", test_enhanced_parse);
}
