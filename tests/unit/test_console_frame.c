/*
 * CUnit suite for src/ui/console_frame.c: where an answer ends and what
 * each line is, per protocol (capture.py's completion rules: SMTP's last
 * reply line, POP3's status line or ".", IMAP's tagged line or "+",
 * literals counted in bytes), and what the learner's lines are (a
 * command, message text, literal bytes, the answer to a challenge).
 *
 * A case is a script: "C:" lines the learner types, "S:" lines the
 * server sends, each with the flags expected ("explain data done
 * finished tls closing" for S:, "command expect" for C:), run against
 * the command the console would have at the head of its queue.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "ui/console_frame.h"

void test_console_frame_register(void);

struct step {
	char side;		/* 'C' or 'S' */
	const char *line;	/* S: with its CRLF */
	const char *want;	/* flags, e.g. "explain done finished" */
	const char *mode;	/* the prompt mode after it, "" none */
};

static char *flags_s(const struct console_frame_server *s)
{
	char b[128] = "";

	if (s->explain) strcat(b, " explain");
	if (s->data) strcat(b, " data");
	if (s->done) strcat(b, " done");
	if (s->finished) strcat(b, " finished");
	if (s->tls) strcat(b, " tls");
	if (s->closing) strcat(b, " closing");
	return xstrdup(b[0] ? b + 1 : "");
}

static char *flags_c(const struct console_frame_client *c)
{
	char b[128] = "";

	if (c->command) strcat(b, " command");
	if (c->expect) strcat(b, " expect");
	if (c->pseudo) {
		strcat(b, " ");
		strcat(b, c->pseudo);
	}
	return xstrdup(b[0] ? b + 1 : "");
}

static void run(enum explain_proto proto, const char *name,
		const struct step *steps, size_t n)
{
	struct console_frame *f = console_frame_new(proto);
	char *head = xstrdup("(greeting)");
	size_t i;

	for (i = 0; i < n; i++) {
		const struct step *st = &steps[i];
		const char *mode;
		char *got;

		if (st->side == 'C') {
			struct console_frame_client c;

			console_frame_client_line(f, st->line, &c);
			got = flags_c(&c);
			if (c.command) {
				free(head);
				head = xstrdup(c.pseudo ? c.pseudo : st->line);
			}
		} else {
			struct console_frame_server s;

			console_frame_server_line(f, st->line, strlen(st->line),
						  head, &s);
			got = flags_s(&s);
		}
		mode = console_frame_mode(f, NULL);
		if (strcmp(got, st->want) != 0 ||
		    strcmp(mode ? mode : "", st->mode) != 0) {
			fprintf(stderr, "\n%s, step %zu (%c: %s): got \"%s\" mode \"%s\", want \"%s\" mode \"%s\"\n",
				name, i, st->side, st->line, got, mode ? mode : "",
				st->want, st->mode);
			CU_FAIL("frame flags");
		}
		free(got);
	}
	free(head);
	console_frame_free(&f);
}

#define RUN(proto, steps) run(proto, #steps, steps, sizeof(steps) / sizeof(steps[0]))

static const struct step smtp_session[] = {
	{ 'S', "220 centos.localdomain ESMTP Postfix (Debian/GNU)\r\n", "explain done finished", "" },
	{ 'C', "EHLO localhost", "command expect", "" },
	{ 'S', "250-centos.localdomain\r\n", "explain", "" },
	{ 'S', "250 CHUNKING\r\n", "explain done finished", "" },
	{ 'C', "DATA", "command expect", "" },
	{ 'S', "354 End data with <CR><LF>.<CR><LF>\r\n", "explain done finished", "DATA" },
	{ 'C', "Ola Amigo", "", "DATA" },
	{ 'C', ".", "command expect (end of DATA)", "" },
	{ 'S', "250 2.0.0 Ok: queued as 1F3A6104556\r\n", "explain done finished", "" },
	{ 'C', "AUTH LOGIN", "command expect", "" },
	{ 'S', "334 VXNlcm5hbWU6\r\n", "explain done", "continue" },
	{ 'C', "YWxpY2U=", "expect", "continue" },
	{ 'S', "535 5.7.8 Error: authentication failed\r\n", "explain done finished", "" },
	{ 'C', "STARTTLS", "command expect", "" },
	{ 'S', "220 2.0.0 Ready to start TLS\r\n", "explain done finished tls", "" },
	{ 'C', "QUIT", "command expect", "" },
	{ 'S', "221 2.0.0 Bye\r\n", "explain done finished closing", "" },
};

static const struct step pop3_session[] = {
	{ 'S', "+OK Dovecot (Debian) ready.\r\n", "explain done finished", "" },
	{ 'C', "CAPA", "command expect", "" },
	{ 'S', "+OK\r\n", "explain", "" },
	{ 'S', "TOP\r\n", "explain data", "" },
	{ 'S', ".\r\n", "data done finished", "" },
	{ 'C', "STLS", "command expect", "" },
	{ 'S', "+OK Begin TLS negotiation now.\r\n", "explain done finished tls", "" },
	{ 'C', "AUTH PLAIN", "command expect", "" },
	{ 'S', "+ \r\n", "explain done", "continue" },
	{ 'C', "AGFsaWNlAGFsaWNlcHc=", "expect", "continue" },
	{ 'S', "+OK Logged in.\r\n", "explain done finished", "" },
	{ 'C', "LIST", "command expect", "" },
	{ 'S', "+OK 2 messages:\r\n", "explain", "" },
	{ 'S', "1 518\r\n", "data", "" },
	{ 'S', "2 509\r\n", "data", "" },
	{ 'S', ".\r\n", "data done finished", "" },
	{ 'C', "LIST 1", "command expect", "" },
	{ 'S', "+OK 1 518\r\n", "explain done finished", "" },
	{ 'C', "RETR 1", "command expect", "" },
	{ 'S', "+OK 20 octets\r\n", "explain", "" },
	/* a "+OK" inside the message is message text */
	{ 'S', "+OK not a reply\r\n", "data", "" },
	{ 'S', "..stuffed\r\n", "data", "" },
	{ 'S', ".\r\n", "data done finished", "" },
	{ 'C', "RETR 9", "command expect", "" },
	{ 'S', "-ERR There's no message 9.\r\n", "explain done finished", "" },
	{ 'C', "QUIT", "command expect", "" },
	{ 'S', "+OK Logging out.\r\n", "explain done finished closing", "" },
};

static const struct step imap_session[] = {
	{ 'S', "* OK [CAPABILITY IMAP4rev1] Dovecot (Debian) ready.\r\n", "explain done finished", "" },
	{ 'C', "a1 STARTTLS", "command expect", "" },
	{ 'S', "a1 OK Begin TLS negotiation now.\r\n", "explain done finished tls", "" },
	{ 'C', "a2 SELECT INBOX", "command expect", "" },
	{ 'S', "* 3 EXISTS\r\n", "explain", "" },
	{ 'S', "a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n", "explain done finished", "" },
	/* a literal whose lines look like responses: bytes, not lines */
	{ 'C', "a3 FETCH 1 BODY[]", "command expect", "" },
	{ 'S', "* 1 FETCH (BODY[] {24}\r\n", "explain", "" },
	{ 'S', "a3 OK fake\r\n", "data", "" },
	{ 'S', "* BYE fake\r\n", "data", "" },
	{ 'S', ")\r\n", "data", "" },
	{ 'S', "a3 OK Fetch completed.\r\n", "explain done finished", "" },
	/* a literal that ends inside a line, then another literal */
	{ 'C', "a4 FETCH 1 (BODY[1] BODY[2])", "command expect", "" },
	{ 'S', "* 1 FETCH (BODY[1] {3}\r\n", "explain", "" },
	{ 'S', "abc BODY[2] {4}\r\n", "data", "" },
	{ 'S', "xyz\n)\r\n", "data", "" },
	{ 'S', "a4 OK Fetch completed.\r\n", "explain done finished", "" },
	/* APPEND: "+", the literal typed as lines, then the end of the line */
	{ 'C', "a5 APPEND INBOX {12}", "command expect", "" },
	{ 'S', "+ OK\r\n", "explain done", "literal" },
	{ 'C', "Subject: x", "", "rest" },
	{ 'C', "", "expect", "" },
	{ 'S', "* 4 EXISTS\r\n", "explain", "" },
	{ 'S', "a5 OK [APPENDUID 1 4] Append completed.\r\n", "explain done finished", "" },
	/* LITERAL+: no "+" to wait for */
	{ 'C', "a6 APPEND INBOX {4+}", "command", "literal" },
	{ 'C', "hi", "", "rest" },
	{ 'C', "", "expect", "" },
	{ 'S', "a6 OK [APPENDUID 1 5] Append completed.\r\n", "explain done finished", "" },
	/* refused before the literal: no literal mode */
	{ 'C', "a7 APPEND Nope {5}", "command expect", "" },
	{ 'S', "a7 NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n", "explain done finished", "" },
	{ 'C', "a8 IDLE", "command expect", "" },
	{ 'S', "+ idling\r\n", "explain done", "continue" },
	{ 'S', "* 5 EXISTS\r\n", "explain", "continue" },
	{ 'C', "DONE", "expect", "" },
	{ 'S', "a8 OK Idle completed.\r\n", "explain done finished", "" },
	/* no tag: "* BAD" is the whole answer */
	{ 'C', "", "command expect", "" },
	{ 'S', "* BAD Error in IMAP tag: Invalid tag\r\n", "explain done finished", "" },
	{ 'C', "* NOOP", "command expect", "" },
	{ 'S', "* BAD Error in IMAP tag: Invalid tag\r\n", "explain done finished", "" },
	{ 'C', "NOOP", "command expect", "" },
	{ 'S', "NOOP BAD Error in IMAP command: Invalid command name\r\n", "explain done finished", "" },
	{ 'C', "a9 LOGOUT", "command expect", "" },
	{ 'S', "* BYE Logging out\r\n", "explain closing", "" },
	{ 'S', "a9 OK Logout completed.\r\n", "explain done finished", "" },
};

static void test_smtp(void)
{
	RUN(EXPLAIN_SMTP, smtp_session);
}

static void test_pop3(void)
{
	RUN(EXPLAIN_POP3, pop3_session);
}

static void test_imap(void)
{
	RUN(EXPLAIN_IMAP, imap_session);
}

static void test_tags_and_verbs(void)
{
	struct console_frame *f = console_frame_new(EXPLAIN_IMAP);
	struct console_frame_client c;
	char *t = console_frame_next_tag(f);

	CU_ASSERT_STRING_EQUAL(t, "a1");
	free(t);
	console_frame_client_line(f, "b7 NOOP", &c);
	t = console_frame_next_tag(f);
	CU_ASSERT_STRING_EQUAL(t, "b8");	/* the learner's style */
	free(t);
	console_frame_client_line(f, "tag NOOP", &c);
	t = console_frame_next_tag(f);
	CU_ASSERT_STRING_EQUAL(t, "b8");	/* not a letters+digits tag */
	free(t);
	console_frame_free(&f);
	f = console_frame_new(EXPLAIN_POP3);
	CU_ASSERT_PTR_NULL(console_frame_next_tag(f));
	console_frame_free(&f);
	CU_ASSERT(console_frame_bare_verb(EXPLAIN_POP3, "stat"));
	CU_ASSERT(!console_frame_bare_verb(EXPLAIN_POP3, "RETR"));
	CU_ASSERT(console_frame_bare_verb(EXPLAIN_IMAP, "LOGOUT"));
	CU_ASSERT(console_frame_bare_verb(EXPLAIN_SMTP, "DATA"));
	CU_ASSERT_STRING_EQUAL(console_frame_verbs(EXPLAIN_IMAP)[0], "CAPABILITY");
	CU_ASSERT_STRING_EQUAL(console_frame_verbs(EXPLAIN_POP3)[0], "USER");
}

void test_console_frame_register(void)
{
	CU_pSuite s = CU_add_suite("console_frame", NULL, NULL);

	CU_add_test(s, "SMTP: replies, DATA, 334", test_smtp);
	CU_add_test(s, "POP3: multi-line answers, challenges", test_pop3);
	CU_add_test(s, "IMAP: tagged, untagged, literals, continuations", test_imap);
	CU_add_test(s, "IMAP tags, verbs", test_tags_and_verbs);
}
