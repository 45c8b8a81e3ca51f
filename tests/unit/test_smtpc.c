/*
 * CUnit suite for the SMTP client engine (src/smtp/smtpc.c). Each case is
 * a scripted server: "S:" lines are fed to the engine, "C:" lines are what
 * the engine must have written by then. Every case runs twice, replies fed
 * all at once and one byte at a time; both runs must give the same bytes,
 * events and recipient outcomes.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "smtp/smtpc.h"

void test_smtpc_register(void);

struct smtpc_case {
	const char *name;
	enum smtpc_tls tls;
	const char *sender;
	const char *rcpts[4];
	const char *orcpts[4];
	const char *data;
	const char *script;	/* "S: ...\n" / "C: ...\n" / "EOF\n" / "TLS\n" */
	const char *want[4];	/* per recipient: "why code dsn in_reply_to|text" */
};

static const struct smtpc_case cases[] = {
	{ "plain, no pipelining", SMTPC_TLS_NONE, "alice@a.example",
	  { "bob@b.example" }, { NULL }, "Subject: hi\n\nHello\n.dot\n",
	  "S: 220 mail.b.example ESMTP Postfix\n"
	  "C: EHLO mail.a.example\n"
	  "S: 250-mail.b.example\nS: 250-SIZE 10240000\nS: 250 8BITMIME\n"
	  "C: MAIL FROM:<alice@a.example> SIZE=24\n"
	  "S: 250 2.1.0 Ok\n"
	  "C: RCPT TO:<bob@b.example>\n"
	  "S: 250 2.1.5 Ok\n"
	  "C: DATA\n"
	  "S: 354 End data with <CR><LF>.<CR><LF>\n"
	  "C: Subject: hi\nC: \nC: Hello\nC: ..dot\nC: .\n"
	  "S: 250 2.0.0 Ok: queued as 1F3A6104556\n"
	  "C: QUIT\n"
	  "S: 221 2.0.0 Bye\n",
	  { "reply 250 2.0.0 end of DATA command|250 2.0.0 Ok: queued as 1F3A6104556" } },
	{ "pipelining, one recipient refused", SMTPC_TLS_NONE, "alice@a.example",
	  { "bob@b.example", "nosuch@b.example" },
	  { "rfc822;bob@b.example", NULL }, "x\n",
	  "S: 220 mail.b.example ESMTP Postfix\n"
	  "C: EHLO mail.a.example\n"
	  "S: 250-mail.b.example\nS: 250-PIPELINING\nS: 250-SIZE\nS: 250 DSN\n"
	  "C: MAIL FROM:<alice@a.example> SIZE=2\n"
	  "C: RCPT TO:<bob@b.example> ORCPT=rfc822;bob@b.example\n"
	  "C: RCPT TO:<nosuch@b.example>\n"
	  "C: DATA\n"
	  "S: 250 2.1.0 Ok\n"
	  "S: 250 2.1.5 Ok\n"
	  "S: 550 5.1.1 <nosuch@b.example>: Recipient address rejected: User unknown in local recipient table\n"
	  "S: 354 End data with <CR><LF>.<CR><LF>\n"
	  "C: x\nC: .\n"
	  "S: 250 2.0.0 Ok: queued as ABCDE123456\n"
	  "C: QUIT\n"
	  "S: 221 2.0.0 Bye\n",
	  { "reply 250 2.0.0 end of DATA command|250 2.0.0 Ok: queued as ABCDE123456",
	    "reply 550 5.1.1 RCPT TO command|550 5.1.1 <nosuch@b.example>: Recipient address rejected: User unknown in local recipient table" } },
	{ "pipelining, every recipient refused", SMTPC_TLS_NONE, "",
	  { "victim@example.com" }, { NULL }, "x\n",
	  "S: 220 mail.b.example ESMTP\n"
	  "C: EHLO mail.a.example\n"
	  "S: 250-mail.b.example\nS: 250 PIPELINING\n"
	  "C: MAIL FROM:<>\nC: RCPT TO:<victim@example.com>\nC: DATA\n"
	  "S: 250 2.1.0 Ok\n"
	  "S: 454 4.7.1 <victim@example.com>: Relay access denied\n"
	  "S: 554 5.5.1 Error: no valid recipients\n"
	  "C: QUIT\n"
	  "S: 221 2.0.0 Bye\n",
	  { "reply 454 4.7.1 RCPT TO command|454 4.7.1 <victim@example.com>: Relay access denied" } },
	{ "greeting refused", SMTPC_TLS_NONE, "a@a.example", { "b@b.example" }, { NULL }, "x\n",
	  "S: 554 5.7.1 go away\n"
	  "C: QUIT\n"
	  "S: 221 2.0.0 Bye\n",
	  { "reply 554 5.7.1 initial greeting|554 5.7.1 go away" } },
	{ "EHLO refused, HELO works, multi-line reply", SMTPC_TLS_NONE, "a@a.example",
	  { "b@b.example" }, { NULL }, "x",
	  "S: 220 old.example SMTP\n"
	  "C: EHLO mail.a.example\n"
	  "S: 502 5.5.1 Error: command not implemented\n"
	  "C: HELO mail.a.example\n"
	  "S: 250 old.example\n"
	  "C: MAIL FROM:<a@a.example>\n"
	  "S: 250 Ok\n"
	  "C: RCPT TO:<b@b.example>\n"
	  "S: 250 Ok\n"
	  "C: DATA\n"
	  "S: 354 go\n"
	  "C: x\nC: .\n"
	  "S: 452-4.3.1 Insufficient\nS: 452 4.3.1 system storage\n"
	  "C: QUIT\n"
	  "S: 221 Bye\n",
	  { "reply 452 4.3.1 end of DATA command|452-4.3.1 Insufficient 452 4.3.1 system storage" } },
	{ "MAIL refused without enhanced code", SMTPC_TLS_NONE, "a@a.example",
	  { "b@b.example", "c@b.example" }, { NULL }, "x\n",
	  "S: 220 x\n"
	  "C: EHLO mail.a.example\n"
	  "S: 250 x\n"
	  "C: MAIL FROM:<a@a.example>\n"
	  "S: 553 sender refused\n"
	  "C: QUIT\n"
	  "S: 221 Bye\n",
	  { "reply 553 5.0.0 MAIL FROM command|553 sender refused",
	    "reply 553 5.0.0 MAIL FROM command|553 sender refused" } },
	{ "connection lost during greeting", SMTPC_TLS_NONE, "a@a.example",
	  { "b@b.example" }, { NULL }, "x\n",
	  "EOF\n",
	  { "lost 0 4.4.2 -|receiving the initial server greeting" } },
	{ "connection lost after RCPT", SMTPC_TLS_NONE, "a@a.example",
	  { "b@b.example" }, { NULL }, "x\n",
	  "S: 220 x\nC: EHLO mail.a.example\nS: 250 x\n"
	  "C: MAIL FROM:<a@a.example>\nS: 250 Ok\n"
	  "C: RCPT TO:<b@b.example>\nS: 250 Ok\n"
	  "C: DATA\n"
	  "EOF\n",
	  { "lost 0 4.4.2 -|sending DATA command" } },
	{ "message larger than the server's SIZE", SMTPC_TLS_NONE, "a@a.example",
	  { "b@b.example" }, { NULL }, "0123456789\n",
	  "S: 220 x\nC: EHLO mail.a.example\nS: 250-x\nS: 250 SIZE 5\n"
	  "C: QUIT\nS: 221 Bye\n",
	  { "local 0 5.3.4 -|message size 11 exceeds size limit 5 of server" } },
	{ "STARTTLS when offered", SMTPC_TLS_MAY, "a@a.example",
	  { "b@b.example" }, { NULL }, "x\n",
	  "S: 220 x\nC: EHLO mail.a.example\nS: 250-x\nS: 250 STARTTLS\n"
	  "C: STARTTLS\nS: 220 2.0.0 Ready to start TLS\n"
	  "TLS\n"
	  "C: EHLO mail.a.example\nS: 250-x\nS: 250 PIPELINING\n"
	  "C: MAIL FROM:<a@a.example>\nC: RCPT TO:<b@b.example>\nC: DATA\n"
	  "S: 250 Ok\nS: 250 Ok\nS: 354 go\n"
	  "C: x\nC: .\nS: 250 2.0.0 Ok: queued as 1\n"
	  "C: QUIT\nS: 221 Bye\n",
	  { "reply 250 2.0.0 end of DATA command|250 2.0.0 Ok: queued as 1" } },
	{ "TLS required, not offered", SMTPC_TLS_ENCRYPT, "a@a.example",
	  { "b@b.example" }, { NULL }, "x\n",
	  "S: 220 x\nC: EHLO mail.a.example\nS: 250 x\n"
	  "C: QUIT\nS: 221 Bye\n",
	  { "local 0 4.7.4 -|TLS is required, but was not offered by host" } },
};

static const char *why_name(enum smtpc_why w)
{
	static const char *const names[] = { "none", "reply", "lost", "local" };

	return names[w];
}

/* Runs the engine until it waits; appends events to log. */
static void drain(struct smtpc *c, struct buf *log, int *tls_asked)
{
	struct smtpc_event ev;

	while (smtpc_next(c, &ev, 0) == 1) {
		buf_addf(log, "%s %s\n", smtpc_ev_type_name(ev.type),
			 ev.text != NULL ? ev.text : "");
		if (ev.type == SMTPC_EV_STARTTLS)
			*tls_asked = 1;
	}
}

/* The C: lines gathered so far, as wire bytes. */
static void expect_flush(struct buf *want, struct smtpc *c, const char *name)
{
	struct buf *out = smtpc_output(c);

	if (out->len != want->len
	    || (want->len > 0 && memcmp(out->data, want->data, want->len) != 0)) {
		fprintf(stderr, "%s: got [%s], want [%s]\n", name, out->len ? out->data : "",
			want->len ? want->data : "");
		CU_FAIL("client bytes differ");
	}
	buf_clear(out);
	buf_clear(want);
}

static void run_case(const struct smtpc_case *k, int bytewise, struct buf *log)
{
	struct smtpc_conf conf = { "mail.a.example", k->tls, 0, 0 };
	struct smtpc_msg msg;
	struct smtpc *c;
	struct buf want, feed;
	const char *p = k->script;
	size_t n = 0, i;
	int tls_asked = 0;

	while (n < 4 && k->rcpts[n] != NULL)
		n++;
	memset(&msg, 0, sizeof(msg));
	msg.sender = k->sender;
	msg.rcpts = k->rcpts;
	msg.orcpts = k->orcpts;
	msg.nrcpt = n;
	msg.data = k->data;
	msg.len = strlen(k->data);
	msg.size = -1;
	c = smtpc_new(&conf, &msg, 0);
	buf_init(&want);
	buf_init(&feed);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p);

		if (strncmp(p, "C: ", 3) == 0) {
			/* Before comparing, give the engine what the server said. */
			if (feed.len > 0) {
				if (bytewise) {
					for (i = 0; i < feed.len; i++) {
						smtpc_feed(c, feed.data + i, 1, 0);
						drain(c, log, &tls_asked);
					}
				} else {
					smtpc_feed(c, feed.data, feed.len, 0);
					drain(c, log, &tls_asked);
				}
				buf_clear(&feed);
			}
			buf_add(&want, p + 3, len - 3);
			buf_adds(&want, "\r\n");
		} else if (strncmp(p, "S: ", 3) == 0) {
			if (want.len > 0) {
				drain(c, log, &tls_asked);
				expect_flush(&want, c, k->name);
			}
			buf_add(&feed, p + 3, len - 3);
			buf_adds(&feed, "\r\n");
		} else if (strncmp(p, "TLS", 3) == 0) {
			smtpc_feed(c, feed.data, feed.len, 0);
			buf_clear(&feed);
			drain(c, log, &tls_asked);
			CU_ASSERT(tls_asked);
			buf_clear(smtpc_output(c));
			smtpc_tls_started(c, 0);
		} else if (strncmp(p, "EOF", 3) == 0) {
			drain(c, log, &tls_asked);
			expect_flush(&want, c, k->name);
			smtpc_eof(c, 0);
		}
		p = nl + 1;
	}
	if (feed.len > 0) {
		smtpc_feed(c, feed.data, feed.len, 0);
	}
	drain(c, log, &tls_asked);
	if (want.len > 0)
		expect_flush(&want, c, k->name);
	CU_ASSERT(smtpc_closed(c));
	for (i = 0; i < n; i++) {
		const struct smtpc_status *st = smtpc_rcpt_status(c, i);
		char got[1024];

		snprintf(got, sizeof(got), "%s %d %s %s|%s", why_name(st->why), st->code,
			 st->dsn, st->in_reply_to != NULL ? st->in_reply_to : "-", st->text);
		if (k->want[i] == NULL || strcmp(got, k->want[i]) != 0) {
			fprintf(stderr, "\n%s rcpt %zu: got \"%s\", want \"%s\"\n", k->name, i,
				got, k->want[i] ? k->want[i] : "(null)");
			CU_FAIL("recipient status");
		}
		buf_addf(log, "status %s\n", got);
	}
	smtpc_free(&c);
	CU_ASSERT_PTR_NULL(c);
	buf_reset(&want);
	buf_reset(&feed);
}

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct buf a, b;

		buf_init(&a);
		buf_init(&b);
		run_case(&cases[i], 0, &a);
		run_case(&cases[i], 1, &b);
		if (a.len != b.len || (a.len > 0 && memcmp(a.data, b.data, a.len) != 0)) {
			fprintf(stderr, "\n%s: bytewise run differs:\n%s---\n%s\n",
				cases[i].name, a.data, b.data);
			CU_FAIL("all-at-once and byte-at-a-time differ");
		}
		buf_reset(&a);
		buf_reset(&b);
	}
}

void test_smtpc_register(void)
{
	CU_pSuite s = CU_add_suite("smtpc", NULL, NULL);

	CU_add_test(s, "scripted sessions", test_cases);
}
