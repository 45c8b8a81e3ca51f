/*
 * CUnit suite for the demo's text side: src/ui/flow.c (steps, nodes,
 * duplicates from both ends of a link), flow_state.c (queues and
 * mailboxes from mail.log lines), narrator.c and narrator_explain.c, and
 * the JSONL round trip. The events are hand-made from the study note's
 * session as reference/transcripts/smtp/01-study-note.txt and .log
 * recorded it on the real Postfix.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "ui/flow.h"
#include "ui/flow_state.h"
#include "ui/jsonl.h"
#include "ui/narrator.h"
#include "ui/narrator_explain.h"

void test_narrator_register(void);

#define H "centos.localdomain"
#define SMTPD "postfix/smtpd"
#define PEER "localhost[127.0.0.1]"
#define CL "localhost"

#define N TRACE_DIR_NONE
#define I TRACE_DIR_IN
#define O TRACE_DIR_OUT

/*
 * The study note's session; the telnet client and smtpd both trace each
 * line (client first for its commands, server first for its replies),
 * as two ends of a virtual link do.
 */
static const struct trace_event study[] = {
	{ 0, NULL, "scenario", NULL, "scenario", N, "session centos.localdomain 25 client localhost[127.0.0.1]", "root types the session by hand." },
	{ 1000, H, SMTPD, NULL, "log", N, "2026-11-28T21:59:50.190157+00:00 centos postfix/smtpd[14013]: connect from localhost[127.0.0.1]", NULL },
	{ 1001, H, SMTPD, PEER, "smtp", O, "220 centos.localdomain ESMTP Postfix (Debian/GNU)", NULL },
	{ 1001, CL, "telnet", H "[192.0.2.25]:25", "smtp", I, "220 centos.localdomain ESMTP Postfix (Debian/GNU)", NULL },
	{ 1100, CL, "telnet", H "[192.0.2.25]:25", "smtp", O, "HELO localhost", NULL },
	{ 1100, H, SMTPD, PEER, "smtp", I, "HELO localhost", NULL },
	{ 1101, H, SMTPD, PEER, "smtp", O, "250 centos.localdomain", NULL },
	{ 1101, CL, "telnet", H "[192.0.2.25]:25", "smtp", I, "250 centos.localdomain", NULL },
	{ 1200, CL, "telnet", H "[192.0.2.25]:25", "smtp", O, "MAIL FROM: root", NULL },
	{ 1200, H, SMTPD, PEER, "smtp", I, "MAIL FROM: root", NULL },
	{ 1201, H, SMTPD, NULL, "log", N, "2026-11-28T21:59:51.128389+00:00 centos postfix/smtpd[14013]: 1F3A6104556: client=localhost[127.0.0.1]", NULL },
	{ 1202, H, SMTPD, PEER, "smtp", O, "250 2.1.0 Ok", NULL },
	{ 1202, CL, "telnet", H "[192.0.2.25]:25", "smtp", I, "250 2.1.0 Ok", NULL },
	{ 1300, CL, "telnet", H "[192.0.2.25]:25", "smtp", O, "RCPT TO: wees", NULL },
	{ 1300, H, SMTPD, PEER, "smtp", I, "RCPT TO: wees", NULL },
	{ 1301, H, SMTPD, PEER, "smtp", O, "250 2.1.5 Ok", NULL },
	{ 1301, CL, "telnet", H "[192.0.2.25]:25", "smtp", I, "250 2.1.5 Ok", NULL },
	{ 1400, CL, "telnet", H "[192.0.2.25]:25", "smtp", O, "DATA", NULL },
	{ 1400, H, SMTPD, PEER, "smtp", I, "DATA", NULL },
	{ 1401, H, SMTPD, PEER, "smtp", O, "354 End data with <CR><LF>.<CR><LF>", NULL },
	{ 1401, CL, "telnet", H "[192.0.2.25]:25", "smtp", I, "354 End data with <CR><LF>.<CR><LF>", NULL },
	{ 1500, CL, "telnet", H "[192.0.2.25]:25", "smtp", O, "Ola Amigo", NULL },
	{ 1500, H, SMTPD, PEER, "smtp", I, "Ola Amigo", NULL },
	{ 1501, CL, "telnet", H "[192.0.2.25]:25", "smtp", O, ".", NULL },
	{ 1501, H, SMTPD, PEER, "smtp", I, ".", NULL },
	{ 1502, H, "postfix/cleanup", NULL, "log", N, "2026-11-28T21:59:52.032475+00:00 centos postfix/cleanup[14016]: 1F3A6104556: message-id=<20261128215951.1F3A6104556@centos.localdomain>", NULL },
	{ 1503, H, SMTPD, PEER, "smtp", O, "250 2.0.0 Ok: queued as 1F3A6104556", NULL },
	{ 1503, CL, "telnet", H "[192.0.2.25]:25", "smtp", I, "250 2.0.0 Ok: queued as 1F3A6104556", NULL },
	{ 1504, H, "postfix/qmgr", NULL, "log", N, "2026-11-28T21:59:52.036086+00:00 centos postfix/qmgr[13653]: 1F3A6104556: from=<root@centos.localdomain>, size=311, nrcpt=1 (queue active)", NULL },
	{ 1505, H, "postfix/local", NULL, "log", N, "2026-11-28T21:59:52.052309+00:00 centos postfix/local[14017]: 1F3A6104556: to=<wees@centos.localdomain>, orig_to=<wees>, relay=local, delay=1.2, delays=1.2/0.02/0/0, dsn=2.0.0, status=sent (delivered to mailbox)", NULL },
	{ 1506, H, "postfix/qmgr", NULL, "log", N, "2026-11-28T21:59:52.052754+00:00 centos postfix/qmgr[13653]: 1F3A6104556: removed", NULL },
	{ 1600, CL, "telnet", H "[192.0.2.25]:25", "smtp", O, "QUIT", NULL },
	{ 1600, H, SMTPD, PEER, "smtp", I, "QUIT", NULL },
	{ 1601, H, SMTPD, PEER, "smtp", O, "221 2.0.0 Bye", NULL },
	{ 1601, CL, "telnet", H "[192.0.2.25]:25", "smtp", I, "221 2.0.0 Bye", NULL },
	{ 1602, H, SMTPD, NULL, "log", N, "2026-11-28T21:59:52.335633+00:00 centos postfix/smtpd[14013]: disconnect from localhost[127.0.0.1] helo=1 mail=1 rcpt=1 data=1 quit=1 commands=5", NULL },
	/* Five minutes later wees reads it over POP3 (reference pop3/01). */
	{ 301000, NULL, "scenario", NULL, "scenario", N, "fetch wees@centos.localdomain pop3", "wees reads it over POP3." },
	{ 301001, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", O, "+OK Dovecot (Debian) ready.", NULL },
	{ 301002, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", I, "USER wees", NULL },
	{ 301003, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", O, "+OK", NULL },
	{ 301004, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", I, "PASS wees", NULL },
	{ 301005, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", O, "+OK Logged in.", NULL },
	{ 301006, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", I, "DELE 1", NULL },
	{ 301007, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", O, "+OK Marked to be deleted.", NULL },
	{ 301008, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", I, "QUIT", NULL },
	{ 301009, H, "dovecot/pop3", "localhost[127.0.0.1]", "pop3", O, "+OK Logging out, messages deleted.", NULL },
	{ 301010, H, "dovecot", NULL, "log", N, "2026-11-28T22:04:51.058261+00:00 centos dovecot: pop3(wees)<14359><4eQQV11h1IN/AAAB>: Disconnected: Logged out top=0/0, retr=0/0, del=1/1, size=311", NULL },
};

static struct flow *study_flow(void)
{
	struct flow *f = flow_new();
	struct trace_sink sink = flow_sink(f);
	size_t i;

	for (i = 0; i < ARRAY_LEN(study); i++)
		trace_emit(&sink, &study[i]);
	return f;
}

/* The first client line of step s, or "" (for checks). */
static const char *first_line(const struct flow *f, const struct flow_step *s, int client)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct flow_ev *fe = &f->ev[s->evi[i]];

		if (!fe->dup && fe->ev.direction != TRACE_DIR_NONE && fe->from_client == client)
			return fe->ev.text;
	}
	return "";
}

/* Steps as a learner would count them, with their kinds and lines. */
static void test_steps(void)
{
	static const struct {
		enum flow_kind kind;
		int number;
		const char *client, *server, *label;
	} want[] = {
		{ FLOW_SAY, 0, "", "", "scenario" },
		{ FLOW_TALK, 1, "", "220 centos.localdomain ESMTP Postfix (Debian/GNU)", "SMTP :25" },
		{ FLOW_TALK, 2, "HELO localhost", "250 centos.localdomain", "SMTP :25" },
		{ FLOW_TALK, 3, "MAIL FROM: root", "250 2.1.0 Ok", "SMTP :25" },
		{ FLOW_TALK, 4, "RCPT TO: wees", "250 2.1.5 Ok", "SMTP :25" },
		{ FLOW_TALK, 5, "DATA", "354 End data with <CR><LF>.<CR><LF>", "SMTP :25" },
		/* The reply to "." joins its step across cleanup's work. */
		{ FLOW_TALK, 6, "Ola Amigo", "250 2.0.0 Ok: queued as 1F3A6104556", "SMTP :25" },
		{ FLOW_WORK, 7, "", "", "mail.log" },
		{ FLOW_WORK, 8, "", "", "mail.log" },
		{ FLOW_WORK, 9, "", "", "mail.log" },
		{ FLOW_WORK, 10, "", "", "mail.log" },
		{ FLOW_TALK, 11, "QUIT", "221 2.0.0 Bye", "SMTP :25" },
		{ FLOW_SAY, 0, "", "", "scenario" },
		{ FLOW_TALK, 12, "", "+OK Dovecot (Debian) ready.", "POP3 :110" },
		{ FLOW_TALK, 13, "USER wees", "+OK", "POP3 :110" },
		{ FLOW_TALK, 14, "PASS wees", "+OK Logged in.", "POP3 :110" },
		{ FLOW_TALK, 15, "DELE 1", "+OK Marked to be deleted.", "POP3 :110" },
		{ FLOW_TALK, 16, "QUIT", "+OK Logging out, messages deleted.", "POP3 :110" },
		{ FLOW_WORK, 17, "", "", "mail.log" },
	};
	struct flow *f = study_flow();
	size_t i;

	CU_ASSERT_EQUAL(f->nev, ARRAY_LEN(study));
	if (f->nstep != ARRAY_LEN(want))
		fprintf(stderr, "steps: got %zu, want %zu\n", f->nstep, ARRAY_LEN(want));
	CU_ASSERT_EQUAL_FATAL(f->nstep, ARRAY_LEN(want));
	for (i = 0; i < f->nstep; i++) {
		const struct flow_step *s = &f->step[i];
		char label[64];

		flow_step_label(f, s, label, sizeof(label));
		CU_ASSERT_EQUAL(s->kind, want[i].kind);
		CU_ASSERT_EQUAL(s->number, want[i].number);
		CU_ASSERT_STRING_EQUAL(first_line(f, s, 1), want[i].client);
		CU_ASSERT_STRING_EQUAL(first_line(f, s, 0), want[i].server);
		CU_ASSERT_STRING_EQUAL(label, want[i].label);
		if (strcmp(label, want[i].label) != 0 || s->number != want[i].number)
			fprintf(stderr, "step %zu: got %d %s, want %d %s\n", i, s->number,
				label, want[i].number, want[i].label);
	}
	/* Both ends of the SMTP link are known exactly, thanks to the dups. */
	CU_ASSERT_STRING_EQUAL(f->node[f->step[2].node].label, "telnet localhost");
	CU_ASSERT_STRING_EQUAL(f->node[f->step[2].peer].label, H " " SMTPD);
	/* The POP3 client traced nothing: a guessed node from the peer. */
	CU_ASSERT_STRING_EQUAL(f->node[f->step[13].node].label, "localhost");
	CU_ASSERT_STRING_EQUAL(f->node[f->step[13].peer].label, H " dovecot/pop3");
	/* The connect log line went with the greeting, disconnect with QUIT. */
	CU_ASSERT_EQUAL(f->step[1].n, 3);
	CU_ASSERT_EQUAL(flow_step_lines(f, &f->step[1]), 2);
	flow_free(&f);
	CU_ASSERT_PTR_NULL(f);
}

/* Queues and mailboxes, step by step, from the log lines alone. */
static void test_state(void)
{
	static const struct {
		size_t steps;
		size_t incoming, active;
		int wees;
	} want[] = {
		{ 0, 0, 0, -1 }, { 4, 1, 0, -1 }, { 7, 1, 0, -1 }, { 9, 0, 1, -1 },
		{ 10, 0, 1, 1 }, { 11, 0, 0, 1 }, { 18, 0, 0, 1 }, { 19, 0, 0, 0 },
	};
	struct flow *f = study_flow();
	struct flow_state st;
	size_t i;

	flow_state_init(&st);
	for (i = 0; i < ARRAY_LEN(want); i++) {
		const struct flow_mbox *b;

		flow_state_at(&st, f, want[i].steps);
		b = flow_state_mbox(&st, H, "wees");
		CU_ASSERT_EQUAL(flow_state_count(&st, H, "incoming"), want[i].incoming);
		CU_ASSERT_EQUAL(flow_state_count(&st, H, "active"), want[i].active);
		CU_ASSERT_EQUAL(b ? b->count : -1, want[i].wees);
		if ((b ? b->count : -1) != want[i].wees)
			fprintf(stderr, "after %zu steps: wees got %d, want %d\n",
				want[i].steps, b ? b->count : -1, want[i].wees);
	}
	flow_state_reset(&st);
	flow_free(&f);
}

/* One explanation per step, and the right one for each kind of line. */
static void test_explain(void)
{
	static const struct {
		size_t step;
		const char *starts;
	} want[] = {
		{ 1, "The server answers the connection: 220" },
		{ 2, "HELO:" },
		{ 3, "MAIL FROM:" },
		{ 4, "RCPT TO:" },
		{ 5, "DATA:" },
		{ 6, "The lone dot ends the message" },
		{ 7, "cleanup completes" },
		{ 8, "qmgr moves" },
		{ 9, "local appends" },
		{ 10, "qmgr deletes" },
		{ 11, "QUIT:" },
		{ 15, "PASS:" },
		{ 16, "DELE:" },
		{ 18, "The session is over" },
	};
	struct flow *f = study_flow();
	size_t i;

	for (i = 0; i < ARRAY_LEN(want); i++) {
		const char *got = narrator_explain_step(f, &f->step[want[i].step]);

		if (got == NULL || strncmp(got, want[i].starts, strlen(want[i].starts)) != 0)
			fprintf(stderr, "step %zu: got \"%s\", want \"%s...\"\n", want[i].step,
				got ? got : "(null)", want[i].starts);
		CU_ASSERT(got != NULL && strncmp(got, want[i].starts, strlen(want[i].starts)) == 0);
	}
	/* A note in the trace wins over the table. */
	CU_ASSERT_PTR_NULL(narrator_explain_step(f, &f->step[0]));
	flow_free(&f);
}

static void test_verbs(void)
{
	static const struct {
		const char *proto, *line, *want;
	} cases[] = {
		{ "smtp", "MAIL FROM: root", "MAIL" }, { "smtp", "mail from:<a@b>", "MAIL" },
		{ "smtp", "EHLO x", "EHLO" }, { "smtp", ".", "." }, { "smtp", "", "" },
		{ "imap", "a7 SELECT INBOX", "SELECT" }, { "imap", "a1 uid fetch 1:*", "UID" },
		{ "imap", "a2", "" }, { "pop3", "RETR 1", "RETR" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[32];

		narrator_explain_verb(cases[i].proto, cases[i].line, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, cases[i].want);
	}
}

static int count(const char *hay, const char *needle)
{
	size_t i, n = strlen(needle), len = strlen(hay);
	int c = 0;

	for (i = 0; i + n <= len; i++)
		if (memcmp(hay + i, needle, n) == 0)
			c++;
	return c;
}

static char *narrate(const struct flow *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	struct narrator n;

	narrator_init(&n, mem, "en");
	narrator_all(&n, f);
	fclose(mem);
	return text;
}

/* The narration: numbered steps, exact lines, explanation, time jumps. */
static void test_narration(void)
{
	static const char *const must[] = {
		"\nVirtual clock: 1970-01-01 00:00:00 UTC\n",
		"\n== session centos.localdomain 25 client localhost[127.0.0.1]\n   root types the session by hand.\n",
		"\n  1. telnet localhost -> centos.localdomain postfix/smtpd   SMTP :25\n"
		"       log: postfix/smtpd[14013]: connect from localhost[127.0.0.1]\n"
		"       S: 220 centos.localdomain ESMTP Postfix (Debian/GNU)\n"
		"     The server answers the connection:",
		"       C: MAIL FROM: root\n"
		"       log: postfix/smtpd[14013]: 1F3A6104556: client=localhost[127.0.0.1]\n"
		"       S: 250 2.1.0 Ok\n",
		"  7. centos.localdomain postfix/cleanup   mail.log\n",
		"\n   ... 4 min later (1970-01-01 00:05:01 UTC)\n",
		" 12. localhost -> centos.localdomain dovecot/pop3   POP3 :110\n",
		"== Where everything is now\n   centos.localdomain\n     queues: empty\n"
		"     mailbox /var/mail/wees: 0 messages\n",
	};
	struct flow *f = study_flow();
	char *text = narrate(f);
	char *again;
	size_t i;

	for (i = 0; i < ARRAY_LEN(must); i++) {
		if (strstr(text, must[i]) == NULL)
			fprintf(stderr, "narration lacks:\n%s\n--- got:\n%s\n", must[i], text);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, must[i]));
	}
	/* Each line once, though both ends traced it. */
	CU_ASSERT_EQUAL(count(text, "C: HELO localhost"), 1);
	CU_ASSERT_EQUAL(count(text, "S: 250 2.1.0 Ok"), 1);
	/* Deterministic. */
	again = narrate(f);
	CU_ASSERT_STRING_EQUAL(text, again);
	free(again);
	free(text);
	flow_free(&f);
}

/*
 * trivial-rewrite's answer and smtp's DNS lookup are steps of their own:
 * the DNS step named after the process that asked, each with the
 * explanation for what the world's DNS answered.
 */
#define A "mail.a.example"
static const struct trace_event relay_ev[] = {
	{ 1000, A, "postfix/trivial-rewrite", NULL, "resolve", N, "bob@b.example: address class default -> smtp:b.example", NULL },
	{ 1000, A, "postfix/smtp", "DNS", "dns", O, "b.example MX?", NULL },
	{ 1000, A, "postfix/smtp", "DNS", "dns", I, "b.example MX 10 mail.b.example", NULL },
	{ 1000, A, "postfix/smtp", "DNS", "dns", O, "mail.b.example A?", NULL },
	{ 1000, A, "postfix/smtp", "DNS", "dns", I, "mail.b.example A 198.51.100.20", NULL },
	{ 5000, A, "postfix/trivial-rewrite", NULL, "resolve", N, "carol@c.example: address class default -> smtp:c.example", NULL },
	{ 5000, A, "postfix/smtp", "DNS", "dns", O, "c.example MX?", NULL },
	{ 5000, A, "postfix/smtp", "DNS", "dns", I, "c.example MX: NXDOMAIN", NULL },
	{ 9000, A, "postfix/trivial-rewrite", NULL, "resolve", N, "alice@a.example: address class local -> local:mail.a.example", NULL },
	{ 13000, A, "postfix/smtp", "DNS", "dns", O, "d.example MX?", NULL },
	{ 13000, A, "postfix/smtp", "DNS", "dns", I, "d.example MX: SERVFAIL", NULL },
	{ 17000, A, "postfix/smtp", "DNS", "dns", O, "e.example MX?", NULL },
	{ 17000, A, "postfix/smtp", "DNS", "dns", I, "e.example MX: no record", NULL },
	{ 17000, A, "postfix/smtp", "DNS", "dns", O, "e.example A?", NULL },
	{ 17000, A, "postfix/smtp", "DNS", "dns", I, "e.example A 203.0.113.5", NULL },
};

static void test_resolve_and_dns(void)
{
	static const char *const why[] = {
		"trivial-rewrite: the recipient's domain is not this host's",
		"DNS: smtp asks which host receives mail",
		"trivial-rewrite: the recipient's domain is not this host's",
		"DNS: the recipient's domain does not exist (NXDOMAIN)",
		"trivial-rewrite: the recipient's domain is this host's own",
		"DNS gives no answer for now (SERVFAIL)",
		"DNS: the domain has no MX record",
	};
	struct flow *f = flow_new();
	char *text;
	size_t i;

	for (i = 0; i < ARRAY_LEN(relay_ev); i++)
		flow_add(f, &relay_ev[i]);
	CU_ASSERT_EQUAL_FATAL(f->nstep, ARRAY_LEN(why));
	for (i = 0; i < ARRAY_LEN(why); i++) {
		const char *got = narrator_explain_step(f, &f->step[i]);

		if (got == NULL || strncmp(got, why[i], strlen(why[i])) != 0)
			fprintf(stderr, "step %zu: got \"%s\", want \"%s...\"\n", i,
				got ? got : "(null)", why[i]);
		CU_ASSERT(got != NULL && strncmp(got, why[i], strlen(why[i])) == 0);
	}
	text = narrate(f);
	if (strstr(text, "  1. mail.a.example postfix/trivial-rewrite   resolve\n"
			 "       resolve: bob@b.example: address class default -> smtp:b.example\n") == NULL ||
	    strstr(text, "  2. mail.a.example postfix/smtp -> DNS   DNS\n"
			 "       dns: b.example MX?\n"
			 "       dns: b.example MX 10 mail.b.example\n"
			 "       dns: mail.b.example A?\n"
			 "       dns: mail.b.example A 198.51.100.20\n") == NULL)
		fprintf(stderr, "got:\n%s\n", text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  1. mail.a.example postfix/trivial-rewrite   resolve\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  2. mail.a.example postfix/smtp -> DNS   DNS\n"
				      "       dns: b.example MX?\n"
				      "       dns: b.example MX 10 mail.b.example\n"));
	free(text);
	flow_free(&f);
}

static void test_escape_span(void)
{
	static const struct {
		const char *in, *want;
	} esc[] = {
		{ "plain", "plain" }, { "\tby host", "\\tby host" }, { "a\rb", "a\\rb" },
		{ "nul\x01", "nul\\x01" }, { "(\\Seen)", "(\\Seen)" },
		{ "Ol\xc3\xa1", "Ol\xc3\xa1" }, { "bad\xff", "bad\\xff" },
	};
	static const struct {
		mtime_t ms;
		const char *want;
	} spans[] = {
		{ 45000, "45 s" }, { 1200000, "20 min" }, { 3600000, "1 h" },
		{ 4200000, "1 h 10 min" }, { 432000000, "5 d" }, { 439200000, "5 d 2 h" },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(esc); i++) {
		struct buf b;

		buf_init(&b);
		narrator_escape(&b, esc[i].in);
		CU_ASSERT_STRING_EQUAL(b.data, esc[i].want);
		buf_reset(&b);
	}
	for (i = 0; i < ARRAY_LEN(spans); i++) {
		char buf[32];

		narrator_span(spans[i].ms, buf, sizeof(buf));
		CU_ASSERT_STRING_EQUAL(buf, spans[i].want);
	}
}

/* Written and read back, a trace gives the same steps and the same bytes. */
static void test_jsonl_roundtrip(void)
{
	struct flow *f = study_flow(), *g = flow_new();
	char path[] = "/tmp/maillab-test-jsonl.XXXXXX";
	int fd = mkstemp(path);
	FILE *out = fdopen(fd, "w");
	struct err e;
	char *t1, *t2;

	CU_ASSERT_EQUAL_FATAL(jsonl_write(out, f, &e), 0);
	fclose(out);
	CU_ASSERT_EQUAL_FATAL(jsonl_read(path, g, &e), 0);
	CU_ASSERT_EQUAL(g->nev, f->nev);
	CU_ASSERT_EQUAL(g->nstep, f->nstep);
	t1 = narrate(f);
	t2 = narrate(g);
	CU_ASSERT_STRING_EQUAL(t1, t2);
	free(t1);
	free(t2);
	unlink(path);
	flow_free(&f);
	flow_free(&g);
}

static void test_jsonl_parse(void)
{
	static const struct {
		const char *line;
		int rc;
		const char *text;
	} cases[] = {
		{ "{\"time_ms\":5,\"protocol\":\"smtp\",\"direction\":\"in\",\"text\":\"HELO x\"}", 1, "HELO x" },
		{ "{\"time_ms\":5,\"protocol\":\"smtp\",\"text\":\"a\\tb\\u00e1\\\"\\\\\"}", 1, "a\tb\xc3\xa1\"\\" },
		{ "{\"time_ms\":5,\"protocol\":\"log\",\"text\":\"x\",\"extra\":[1]}", -1, NULL },
		{ "   ", 0, NULL },
		{ "{\"protocol\":\"smtp\",\"text\":\"no time\"}", -1, NULL },
		{ "{\"time_ms\":5,\"protocol\":\"smtp\",\"text\":\"nul\\u0000\"}", -1, NULL },
		{ "{\"time_ms\":5,\"protocol\":\"smtp\",\"text\":\"x\"} trailing", -1, NULL },
		{ "{\"time_ms\":5,\"protocol\":\"smtp\",\"text\":\"unterminated}", -1, NULL },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct trace_event ev;
		struct buf strings;
		struct err e;
		int rc;

		buf_init(&strings);
		rc = jsonl_parse(cases[i].line, &ev, &strings, &e);
		if (rc != cases[i].rc)
			fprintf(stderr, "case %zu: got %d, want %d\n", i, rc, cases[i].rc);
		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc == 1 && cases[i].text)
			CU_ASSERT_STRING_EQUAL(ev.text, cases[i].text);
		buf_reset(&strings);
	}
}

/* Bytes that are not UTF-8 still make valid JSON. */
static void test_jsonl_escape(void)
{
	struct trace_event ev = { 1, "h", "p", NULL, "smtp", O, "a\xff\x01\xc3\xa1", NULL };
	struct buf b;

	buf_init(&b);
	jsonl_event(&b, &ev, 1, 2, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\"text\":\"a\\u00ff\\u0001\xc3\xa1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\"peer\":null"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\"time\":\"1970-01-01T00:00:00.001Z\""));
	buf_reset(&b);
}

/*
 * Both ends trace in batches, as the simulator does (the server's reply
 * lines, then the client's copies), and only the receiver traces the
 * lines of the message; the sender only its final ".".
 */
static void test_pairing_batches(void)
{
	static const struct trace_event ev[] = {
		{ 1, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", O, "EHLO localhost", NULL },
		{ 1, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", I, "EHLO localhost", NULL },
		{ 2, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", O, "250-mail.a.example", NULL },
		{ 2, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", O, "250 CHUNKING", NULL },
		{ 2, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", I, "250-mail.a.example", NULL },
		{ 2, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", I, "250 CHUNKING", NULL },
		{ 3, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", O, "MAIL FROM:<alice@a.example>", NULL },
		{ 3, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", O, "DATA", NULL },
		{ 3, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", I, "MAIL FROM:<alice@a.example>", NULL },
		{ 3, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", I, "DATA", NULL },
		{ 4, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", O, "250 2.1.0 Ok", NULL },
		{ 4, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", O, "354 End data with <CR><LF>.<CR><LF>", NULL },
		{ 4, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", I, "250 2.1.0 Ok", NULL },
		{ 4, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", I, "354 End data with <CR><LF>.<CR><LF>", NULL },
		{ 5, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", O, ".", NULL },
		{ 5, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", I, "Subject: hi", NULL },
		{ 5, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", I, "", NULL },
		{ 5, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", I, ".", NULL },
		{ 6, "mail.a.example", "postfix/smtpd", "localhost[127.0.0.1]", "smtp", O, "250 2.0.0 Ok: queued as 1F3A6104556", NULL },
		{ 6, "localhost", "MUA", "mail.a.example[192.0.2.10]", "smtp", I, "250 2.0.0 Ok: queued as 1F3A6104556", NULL },
	};
	static const char *const want[] = {
		"MUA alice (localhost) -> mail.a.example postfix/smtpd|C: EHLO localhost|S: 250-mail.a.example|S: 250 CHUNKING|",
		"MUA alice (localhost) -> mail.a.example postfix/smtpd|C: MAIL FROM:<alice@a.example>|C: DATA|S: 250 2.1.0 Ok|S: 354 End data with <CR><LF>.<CR><LF>|",
		"MUA alice (localhost) -> mail.a.example postfix/smtpd|C: Subject: hi|C: |C: .|S: 250 2.0.0 Ok: queued as 1F3A6104556|",
	};
	struct flow *f = flow_new();
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(ev); i++)
		flow_add(f, &ev[i]);
	CU_ASSERT_EQUAL_FATAL(f->nstep, ARRAY_LEN(want));
	for (i = 0; i < f->nstep; i++) {
		const struct flow_step *s = &f->step[i];
		struct buf b;

		buf_init(&b);
		buf_addf(&b, "%s -> %s|", f->node[s->node].label, f->node[s->peer].label);
		for (j = 0; j < s->n; j++) {
			const struct flow_ev *fe = &f->ev[s->evi[j]];

			if (!fe->dup)
				buf_addf(&b, "%s: %s|", fe->from_client ? "C" : "S", fe->ev.text);
		}
		if (strcmp(b.data, want[i]) != 0)
			fprintf(stderr, "step %zu: got %s\n          want %s\n", i, b.data, want[i]);
		CU_ASSERT_STRING_EQUAL(b.data, want[i]);
		buf_reset(&b);
	}
	flow_free(&f);
}

void test_narrator_register(void)
{
	CU_pSuite s = CU_add_suite("narrator", NULL, NULL);

	CU_add_test(s, "flow steps and nodes", test_steps);
	CU_add_test(s, "pairing lines traced in batches", test_pairing_batches);
	CU_add_test(s, "queues and mailboxes from mail.log", test_state);
	CU_add_test(s, "one explanation per step", test_explain);
	CU_add_test(s, "command verbs", test_verbs);
	CU_add_test(s, "narration", test_narration);
	CU_add_test(s, "trivial-rewrite and DNS steps", test_resolve_and_dns);
	CU_add_test(s, "escapes and time spans", test_escape_span);
	CU_add_test(s, "JSONL round trip", test_jsonl_roundtrip);
	CU_add_test(s, "JSONL parser", test_jsonl_parse);
	CU_add_test(s, "JSONL escapes", test_jsonl_escape);
}
