/*
 * CUnit suite for src/ui/explain_pop3.c and explain_imap.c: the answers
 * a learner meets in a POP3 or IMAP session say the right thing (the
 * status, the response code, the reason and Dovecot's setting behind
 * it), in both command forms (the typed line and the catalogue's verb).
 * That every catalogue line is explained at all is test_explain.c's.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/explain.h"

void test_explain_mda_register(void);

static const struct {
	enum explain_proto proto;
	const char *cmd, *reply, *want;
	int present;
} cases[] = {
	/* POP3: status, codes, Dovecot's reasons. */
	{ EXPLAIN_POP3, NULL, "+OK Dovecot (Debian) ready.", "+OK = success", 1 },
	{ EXPLAIN_POP3, "(greeting)", "+OK Dovecot (Debian) ready.", "995", 1 },
	{ EXPLAIN_POP3, "USER alice", "+OK", "checked together at PASS", 1 },
	{ EXPLAIN_POP3, "PASS alicepw", "-ERR No username given.", "after USER", 1 },
	{ EXPLAIN_POP3, "PASS wrongpw", "-ERR [AUTH] Authentication failed.", "[AUTH] = the credentials were wrong", 1 },
	{ EXPLAIN_POP3, "PASS wrongpw", "-ERR [AUTH] Authentication failed.", "auth_failure_delay", 1 },
	{ EXPLAIN_POP3, "PASS", "-ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "disable_plaintext_auth", 1 },
	{ EXPLAIN_POP3, "PASS alicepw", "+OK Logged in.", "TRANSACTION", 1 },
	{ EXPLAIN_POP3, "PASS alicepw", "-ERR [IN-USE] Couldn't open INBOX: Mailbox is locked", "[IN-USE] = the mailbox is locked", 1 },
	{ EXPLAIN_POP3, "STAT", "-ERR [SYS/TEMP] Internal error occurred. Refer to server log for more information.", "[SYS/TEMP] = a temporary problem", 1 },
	{ EXPLAIN_POP3, "STAT", "-ERR Unknown command.", "AUTHORIZATION", 1 },
	{ EXPLAIN_POP3, "FOO", "-ERR Too many invalid bad commands.", "closes the connection", 1 },
	{ EXPLAIN_POP3, "STAT", "+OK 3 1536", "octets", 1 },
	{ EXPLAIN_POP3, "LIST", "+OK 3 messages:", "then a line with '.'", 1 },
	{ EXPLAIN_POP3, "LIST 99", "-ERR There's no message 99.", "STAT says how many", 1 },
	{ EXPLAIN_POP3, "RETR 1", "+OK 518 octets", "\\Seen", 1 },
	{ EXPLAIN_POP3, "DELE 1", "+OK Marked to be deleted.", "at QUIT", 1 },
	{ EXPLAIN_POP3, "RETR 1", "-ERR Message is deleted.", "RSET", 1 },
	{ EXPLAIN_POP3, "QUIT", "+OK Logging out, messages deleted.", "UPDATE", 1 },
	{ EXPLAIN_POP3, "QUIT", "+OK Logging out.", "keeps every message", 1 },
	{ EXPLAIN_POP3, "LAST", "-ERR Unknown command: LAST", "RFC 1939", 1 },
	{ EXPLAIN_POP3, "USER bob", "-ERR Unknown command: USER", "logged in already", 1 },
	{ EXPLAIN_POP3, "STLS", "+OK Begin TLS negotiation now.", "RFC 2595", 1 },
	{ EXPLAIN_POP3, "AUTH PLAIN", "+ ", "base64", 1 },
	{ EXPLAIN_POP3, "UIDL", "+OK", "UIDVALIDITY", 1 },
	/* CAPA's lines are explained one by one. */
	{ EXPLAIN_POP3, "CAPA", "TOP", "RFC 2449 6.1", 1 },
	{ EXPLAIN_POP3, "CAPA", "SASL PLAIN", "\\0user\\0password", 1 },
	{ EXPLAIN_POP3, "CAPA", "X-FOO", "another capability", 1 },
	{ EXPLAIN_POP3, "CAPA", ".", "ends the multi-line answer", 1 },
	{ EXPLAIN_POP3, "AUTH", "PLAIN", "SASL mechanism", 1 },

	/* IMAP: the kind of line, the status, the codes. */
	{ EXPLAIN_IMAP, NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.", "* OK = untagged", 1 },
	{ EXPLAIN_IMAP, NULL, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.", "[CAPABILITY] =", 1 },
	{ EXPLAIN_IMAP, "(greeting)", "* OK [CAPABILITY IMAP4rev1] Dovecot (Debian) ready.", "993", 1 },
	{ EXPLAIN_IMAP, "a2 SELECT INBOX", "a2 BAD Error in IMAP command received by server.", "not-authenticated state", 1 },
	{ EXPLAIN_IMAP, "b2 LOGIN alice", "b2 BAD Error in IMAP command received by server.", "two arguments", 1 },
	{ EXPLAIN_IMAP, "a3 LOGIN alice wrongpw", "a3 NO [AUTHENTICATIONFAILED] Authentication failed.", "a3 NO = tagged", 1 },
	{ EXPLAIN_IMAP, "a3 LOGIN alice wrongpw", "a3 NO [AUTHENTICATIONFAILED] Authentication failed.", "[AUTHENTICATIONFAILED] = user name or password wrong", 1 },
	{ EXPLAIN_IMAP, "a1 LOGIN alice x", "a1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "disable_plaintext_auth", 1 },
	{ EXPLAIN_IMAP, "a4 LOGIN alice alicepw", "a4 OK Logged in", "authenticated state", 1 },
	{ EXPLAIN_IMAP, "a7 SELECT INBOX", "* 3 EXISTS", "* EXISTS = untagged data", 1 },
	{ EXPLAIN_IMAP, "a7 SELECT INBOX", "* 0 RECENT", "\\Recent", 1 },
	{ EXPLAIN_IMAP, "a7 SELECT INBOX", "* OK [UIDVALIDITY 1795903389] UIDs valid", "[UIDVALIDITY] =", 1 },
	{ EXPLAIN_IMAP, "a7 SELECT INBOX", "* OK [UIDNEXT 4] Predicted next UID", "[UIDNEXT] =", 1 },
	{ EXPLAIN_IMAP, "a7 SELECT INBOX", "* OK [UNSEEN 1] First unseen.", "[UNSEEN] =", 1 },
	{ EXPLAIN_IMAP, "a7 SELECT INBOX", "* OK [PERMANENTFLAGS (\\Answered \\*)] Flags permitted.", "[PERMANENTFLAGS] =", 1 },
	{ EXPLAIN_IMAP, "a7 SELECT INBOX", "a7 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).", "[READ-WRITE] =", 1 },
	{ EXPLAIN_IMAP, "a30 EXAMINE Old", "a30 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).", "not even \\Seen", 1 },
	{ EXPLAIN_IMAP, "a30 EXAMINE Old", "* OK [CLOSED] Previous mailbox closed.", "[CLOSED] =", 1 },
	{ EXPLAIN_IMAP, "a8 STATUS INBOX (MESSAGES)", "a8 OK [CLIENTBUG] Status on selected mailbox completed (0.001 + 0.000 secs).", "[CLIENTBUG] =", 1 },
	{ EXPLAIN_IMAP, "a24 CREATE Archive", "a24 NO [ALREADYEXISTS] Mailbox already exists (0.001 + 0.000 secs).", "[ALREADYEXISTS] =", 1 },
	{ EXPLAIN_IMAP, "a1 COPY 1 Nope", "a1 NO [TRYCREATE] Mailbox doesn't exist: Nope (0.001 + 0.000 secs).", "CREATE it", 1 },
	{ EXPLAIN_IMAP, "a22 EXPUNGE", "* 3 EXPUNGE", "moves down one number", 1 },
	{ EXPLAIN_IMAP, "a10 FETCH 1 BODY[HEADER]", "* 1 FETCH (FLAGS (\\Seen) BODY[HEADER] {480}", "literal", 1 },
	{ EXPLAIN_IMAP, "a19 STORE 2 +FLAGS (\\Seen)", "* 2 FETCH (FLAGS (\\Seen))", "+FLAGS adds", 1 },
	{ EXPLAIN_IMAP, "a27 APPEND Old (\\Seen) {201}", "+ OK", "{n}", 1 },
	{ EXPLAIN_IMAP, "a27 APPEND Old (\\Seen) {201}", "a27 OK [APPENDUID 1795903428 2] Append completed (0.003 + 0.302 + 0.001 secs).", "[APPENDUID] =", 1 },
	{ EXPLAIN_IMAP, "a38 IDLE", "+ idling", "DONE", 1 },
	{ EXPLAIN_IMAP, "c3 AUTHENTICATE PLAIN", "+ ", "base64", 1 },
	{ EXPLAIN_IMAP, "c1 STARTTLS", "c1 OK Begin TLS negotiation now.", "handshake", 1 },
	{ EXPLAIN_IMAP, "a40 FOO", "a40 BAD Error in IMAP command FOO: Unknown command (0.001 + 0.000 secs).", "a40 BAD = tagged", 1 },
	{ EXPLAIN_IMAP, "a44 FETCH 1 (FLAGS)", "a44 BAD No mailbox selected (0.001 + 0.000 secs).", "SELECT INBOX first", 1 },
	{ EXPLAIN_IMAP, "NOOP", "NOOP BAD Error in IMAP command: Invalid command name (0.001 + 0.000 secs).", "a1 NOOP, not NOOP", 1 },
	{ EXPLAIN_IMAP, "", "* BAD Error in IMAP tag: Invalid tag (0.001 + 0.000 secs).", "starts with a tag", 1 },
	{ EXPLAIN_IMAP, "a45 LOGOUT", "* BYE Logging out", "* BYE = untagged", 1 },
	{ EXPLAIN_IMAP, "a12 UID FETCH 1:* (FLAGS)", "* 1 FETCH (UID 1 FLAGS (\\Seen))", "Data about one message", 1 },
	/* The catalogue's verb forms. */
	{ EXPLAIN_IMAP, "UID SEARCH", "* SEARCH 3", "UIDs for UID SEARCH", 1 },
	{ EXPLAIN_IMAP, "UID FETCH", "a12 OK Fetch completed (0.001 + 0.000 secs).", "All the data", 1 },
	{ EXPLAIN_IMAP, "LOGIN", "* CAPABILITY IMAP4rev1 SASL-IR", "post-login list", 1 },
	/* Not an IMAP response at all. */
	{ EXPLAIN_IMAP, "a1 NOOP", "hello", "not an IMAP response", 1 },
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = explain_reply(cases[i].proto, cases[i].cmd,
					  cases[i].reply);

		CU_ASSERT_PTR_NOT_NULL_FATAL(got);
		if ((strstr(got, cases[i].want) != NULL) != cases[i].present) {
			fprintf(stderr, "\nexplain(%s | %s): got \"%s\", want %s\"%s\"\n",
				cases[i].cmd ? cases[i].cmd : "NULL",
				cases[i].reply, got,
				cases[i].present ? "" : "no ", cases[i].want);
			CU_FAIL("explanation text");
		}
		free(got);
	}
}

static void test_commands_and_delays(void)
{
	char *t;

	t = explain_command(EXPLAIN_POP3, "RETR 1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(strstr(t, "RETR n") != NULL);
	free(t);
	t = explain_command(EXPLAIN_IMAP, "a1 UID FETCH 1:* (FLAGS)");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(strstr(t, "FETCH set items") != NULL);
	free(t);
	CU_ASSERT_PTR_NULL(explain_command(EXPLAIN_POP3, "XYZZY"));
	t = explain_delay(EXPLAIN_POP3, 4000);
	CU_ASSERT(strstr(t, "4.0 s") != NULL && strstr(t, "auth_failure_delay") != NULL);
	free(t);
	t = explain_delay(EXPLAIN_IMAP, 4000);
	CU_ASSERT(strstr(t, "auth_failure_delay") != NULL);
	free(t);
}

void test_explain_mda_register(void)
{
	CU_pSuite s = CU_add_suite("explain_mda", NULL, NULL);

	CU_add_test(s, "POP3 and IMAP answers", test_cases);
	CU_add_test(s, "commands and delays", test_commands_and_delays);
}
