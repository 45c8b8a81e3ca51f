/*
 * CUnit suite for the smtpd engine beyond the captured transcripts: a
 * table of sessions that exercise what the lab's captures never provoked
 * (AUTH, BDAT, limits, ESMTP parameters, address forms, EOF, timeouts),
 * each with the exact reply bytes Postfix 3.7.11's source gives, and a
 * named list of hostile inputs that must neither crash nor leak (run the
 * suite under valgrind or SAN=1). Every case runs twice: each chunk in
 * one feed, then one byte at a time; output and events must match.
 * When a STARTTLS event is pending, the next chunk first completes the
 * handshake (smtpd_tls_started()).
 */
#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/xalloc.h"
#include "smtpd_harness.h"

void test_smtpd_cases_register(void);

/* The case table leaves trailing fields out where they do not matter. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct chunk {
	const char *p;
	size_t n;
};

#define C(s) { s, sizeof(s) - 1 }
#define MAXC 24

struct tcase {
	const char *name;
	void (*setup)(struct smtpd_conf *c);
	struct chunk in[MAXC];
	int eof;		/* the client closes after the last chunk */
	const char *out;	/* server bytes after the banner, QIDs masked */
	const char *logs[6];	/* must appear in the log */
	const char *events[6];	/* must appear in the event list */
	const char *nots[3];	/* must appear in neither */
	int closed;		/* 1: closed at the end, 0: still open */
	const char *data;	/* content of the last message, or NULL */
};

#define EHLO_LIST \
	"250-centos.localdomain\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n" \
	"250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n" \
	"250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"
#define EHLO_LIST_TLS \
	"250-centos.localdomain\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n" \
	"250-VRFY\r\n250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n" \
	"250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"
#define EHLO_LIST_AUTH \
	"250-centos.localdomain\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n" \
	"250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n" \
	"250-ENHANCEDSTATUSCODES\r\n" \
	"250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"

static void sasl(struct smtpd_conf *c)
{
	c->sasl_enabled = 1;
}

static void sasl_tls_only(struct smtpd_conf *c)
{
	c->sasl_enabled = 1;
	c->tls_auth_only = 1;
	c->sasl_mechs = "login cram-md5 PLAIN";
}

static void no_size(struct smtpd_conf *c)
{
	c->message_size_limit = 0;
	c->disable_vrfy_command = 1;
	c->tls_offer = 0;
}

static void rcpt_limit2(struct smtpd_conf *c)
{
	c->recipient_limit = 2;
}

static void small_msg(struct smtpd_conf *c)
{
	c->message_size_limit = 60;
}

static void strict(struct smtpd_conf *c)
{
	c->strict_rfc821_envelopes = 1;
}

static void no_sleep(struct smtpd_conf *c)
{
	c->error_sleep_ms = 0;
}

static void junk1(struct smtpd_conf *c)
{
	c->junk_command_limit = 1;
	c->soft_error_limit = 1;
}

static void wrapper(struct smtpd_conf *c)
{
	c->tls_active = 1;
	c->sasl_enabled = 1;
	c->tls_auth_only = 1;
}

static const struct tcase cases[] = {
	{ "EHLO without size limit, VRFY off, no TLS", no_size,
	  { C("EHLO x\r\nVRFY wees\r\n") }, 0,
	  "250-centos.localdomain\r\n250-PIPELINING\r\n250-SIZE\r\n"
	  "250-ETRN\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
	  "250-SMTPUTF8\r\n250 CHUNKING\r\n"
	  "502 5.5.1 VRFY command is disabled\r\n", { NULL }, { NULL },
	  { NULL }, 0 },
	{ "AUTH PLAIN with initial response", sasl,
	  { C("EHLO x\r\n"), C("AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n"),
	    C("AUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n"), C("QUIT\r\n") }, 0,
	  EHLO_LIST_AUTH "235 2.7.0 Authentication successful\r\n"
	  "503 5.5.1 Error: already authenticated\r\n221 2.0.0 Bye\r\n",
	  { "ehlo=1 auth=1/2 quit=1 commands=3/4" },
	  { "AUTH PLAIN alice alicepw" }, { NULL }, 1 },
	{ "AUTH PLAIN with a challenge", sasl,
	  { C("AUTH PLAIN\r\n"), C("AGFsaWNlAGFsaWNlcHc=\r\n") }, 0,
	  "334 \r\n235 2.7.0 Authentication successful\r\n", { NULL },
	  { "AUTH PLAIN alice alicepw" }, { NULL }, 0 },
	{ "AUTH LOGIN", sasl,
	  { C("AUTH LOGIN\r\n"), C("YWxpY2U=\r\n"), C("YWxpY2Vwdw==\r\n") }, 0,
	  "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n"
	  "235 2.7.0 Authentication successful\r\n", { NULL },
	  { "AUTH LOGIN alice alicepw" }, { NULL }, 0 },
	{ "AUTH LOGIN with the user name up front, wrong password", sasl,
	  { C("auth login YWxpY2U=\r\n"), C("d3Jvbmc=\r\n") }, 0,
	  "334 UGFzc3dvcmQ6\r\n535 5.7.8 Error: authentication failed: "
	  "authentication failure\r\n",
	  { "warning: localhost[127.0.0.1]: SASL LOGIN authentication failed: "
	    "authentication failure, sasl_username=alice" },
	  { "AUTH LOGIN alice wrong" }, { NULL }, 0 },
	{ "AUTH cancelled with *", sasl,
	  { C("AUTH LOGIN\r\n"), C("*\r\n"), C("NOOP\r\n") }, 0,
	  "334 VXNlcm5hbWU6\r\n501 5.7.0 Authentication aborted\r\n"
	  "250 2.0.0 Ok\r\n",
	  { "warning: localhost[127.0.0.1]: SASL LOGIN authentication aborted" },
	  { NULL }, { NULL }, 0 },
	{ "AUTH with bad base64", sasl,
	  { C("AUTH PLAIN AG!!\r\n"), C("AUTH PLAIN\r\n"), C("a=bc\r\n"),
	    C("AUTH PLAIN AGFsaWNl\r\n") }, 0,
	  "535 5.7.8 Error: authentication failed: Invalid base64 data in "
	  "initial response\r\n334 \r\n535 5.7.8 Error: authentication failed: "
	  "Invalid base64 data in continued response\r\n"
	  "535 5.7.8 Error: authentication failed: authentication failure\r\n",
	  { "SASL PLAIN authentication failed: Invalid base64 data in initial "
	    "response, sasl_username=(unavailable)" },
	  { NULL }, { "AUTH PLAIN" }, 0 },
	{ "AUTH refusals", sasl,
	  { C("AUTH\r\n"), C("AUTH CRAM-MD5\r\n"),
	    C("MAIL FROM:<a@b.example>\r\n"), C("AUTH LOGIN\r\n") }, 0,
	  "501 5.5.4 Syntax: AUTH mechanism\r\n"
	  "535 5.7.8 Error: authentication failed: Invalid authentication "
	  "mechanism\r\n250 2.1.0 Ok\r\n"
	  "503 5.5.1 Error: MAIL transaction in progress\r\n",
	  { NULL }, { NULL }, { NULL }, 0 },
	{ "smtpd_tls_auth_only: AUTH after STARTTLS only", sasl_tls_only,
	  { C("EHLO x\r\nAUTH PLAIN AGFsaWNlAGFsaWNlcHc=\r\n"),
	    C("STARTTLS\r\n"), C("EHLO x\r\n") }, 0,
	  EHLO_LIST "503 5.5.1 Error: authentication not enabled\r\n"
	  "220 2.0.0 Ready to start TLS\r\n"
	  "250-centos.localdomain\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	  "250-VRFY\r\n250-ETRN\r\n250-AUTH LOGIN PLAIN\r\n"
	  "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
	  "250-SMTPUTF8\r\n250 CHUNKING\r\n", { NULL }, { "STARTTLS" },
	  { NULL }, 0 },
	{ "TLS wrapper mode: no STARTTLS, AUTH offered", wrapper,
	  { C("EHLO x\r\n"), C("STARTTLS\r\n") }, 0,
	  "250-centos.localdomain\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
	  "250-VRFY\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n"
	  "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n"
	  "250-SMTPUTF8\r\n250 CHUNKING\r\n"
	  "554 5.5.1 Error: TLS already active\r\n", { NULL }, { NULL },
	  { NULL }, 0 },
	{ "STARTTLS drops plaintext pipelined after it", NULL,
	  { C("EHLO x\r\n"),
	    C("STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n"),
	    C("MAIL FROM:<good@example.com>\r\n") }, 0,
	  EHLO_LIST "220 2.0.0 Ready to start TLS\r\n250 2.1.0 Ok\r\n",
	  { NULL }, { "STARTTLS\nMAIL good@example.com" },
	  { "evil" }, 0 },
	{ "smtpd_recipient_limit", rcpt_limit2,
	  { C("HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<wees>\r\nRCPT TO:<bob>\r\n"
	      "RCPT TO:<alice>\r\nRSET\r\nQUIT\r\n") }, 0,
	  "250 centos.localdomain\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	  "250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n"
	  "250 2.0.0 Ok\r\n221 2.0.0 Bye\r\n",
	  { "helo=1 mail=1 rcpt=3 rset=1 quit=1 commands=7" },
	  { "RSET" }, { NULL }, 1 },
	{ "message_size_limit during DATA", small_msg,
	  { C("HELO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<wees>\r\n"
	      "DATA\r\n"),
	    C("Subject: this line is short\r\n"
	      "but this second line is what breaks the limit\r\n.\r\n"),
	    C("NOOP\r\n") }, 0,
	  "250 centos.localdomain\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	  "354 End data with <CR><LF>.<CR><LF>\r\n"
	  "552 5.3.4 Error: message file too big\r\n250 2.0.0 Ok\r\n",
	  { "warning: <QID>: queue file size limit exceeded" },
	  { "RSET" }, { "DATA\n" }, 0 },
	{ "SIZE parameter against a small limit", small_msg,
	  { C("MAIL FROM:<a@b.example> SIZE=61\r\n"
	      "MAIL FROM:<a@b.example> SIZE=60\r\n") }, 0,
	  "552 5.3.4 Message size exceeds fixed limit\r\n250 2.1.0 Ok\r\n",
	  { "NOQUEUE: reject: MAIL from localhost[127.0.0.1]: 552 5.3.4 Message "
	    "size exceeds fixed limit; from=<a@b.example> proto=SMTP" },
	  { NULL }, { NULL }, 0 },
	{ "strict_rfc821_envelopes", strict,
	  { C("MAIL FROM: root\r\nMAIL FROM:<root> (comment)\r\n"
	      "MAIL FROM:<root>\r\n") }, 0,
	  "501 5.1.7 Bad sender address syntax\r\n"
	  "555 5.5.4 Unsupported option: (comment)\r\n250 2.1.0 Ok\r\n",
	  { "warning: Illegal address syntax from localhost[127.0.0.1] in MAIL "
	    "command: root" }, { NULL }, { NULL }, 0 },
	{ "DSN, BODY, SMTPUTF8 and AUTH parameters", NULL,
	  { C("EHLO x\r\n"),
	    C("MAIL FROM:<a@b.example> RET=FULL ENVID=a+2Bb BODY=7BIT "
	      "SMTPUTF8 AUTH=<>\r\n"),
	    C("RCPT TO:<wees> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;wees+40x\r\n"),
	    C("RCPT TO:<bob> NOTIFY=NEVER,SUCCESS\r\n"),
	    C("RCPT TO:<bob> ORCPT=rfc822\r\n"), C("RSET\r\n"),
	    C("MAIL FROM:<> RET=NONE\r\n"),
	    C("MAIL FROM:<> AUTH=<a@b.example> AUTH=<c@d.example>\r\n"),
	    C("MAIL FROM:<> AUTH=<> AUTH=<>\r\n"), C("RSET\r\n"),
	    C("MAIL FROM:<> ENVID=+zz\r\n"),
	    C("MAIL FROM:<> SIZE=99999999999999999999999\r\n") }, 0,
	  EHLO_LIST "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	  "501 5.5.4 Error: Bad NOTIFY parameter syntax\r\n"
	  "501 5.5.4 Error: Bad ORCPT parameter syntax\r\n250 2.0.0 Ok\r\n"
	  "501 5.5.4 Bad RET parameter syntax\r\n"
	  /* an AUTH= sender is remembered until RSET (Postfix 3.7.11) */
	  "503 5.5.4 Error: multiple AUTH= options\r\n"
	  "503 5.5.4 Error: multiple AUTH= options\r\n250 2.0.0 Ok\r\n"
	  "501 5.5.4 Bad ENVID parameter syntax\r\n"
	  "552 5.3.4 Message size exceeds file system imposed limit\r\n",
	  { NULL }, { "MAIL a@b.example" }, { NULL }, 0 },
	{ "address forms", NULL,
	  { C("MAIL FROM:<a b@c.example>\r\n"),
	    C("MAIL FROM:<@r1.example,@r2.example:u@d.example>\r\n"),
	    C("RCPT TO:<\"john doe\"@example.com>\r\n"),
	    C("RCPT TO:<u@[192.0.2.1]>\r\n"), C("RCPT TO:<u@[192.0.2]>\r\n"),
	    C("RCPT TO:<u@[IPv6:2001:db8::1]>\r\n"),
	    C("RCPT TO:<u@123>\r\n"), C("RCPT TO:<-u@d.example>\r\n"),
	    C("RCPT TO:<u@>\r\n"), C("RCPT TO:<u@bad..example>\r\n"),
	    C("RCPT TO:<u@\xc3\xa9.example>\r\n"),
	    C("RCPT TO:<Name <wees@localhost>>\r\n"),
	    C("RCPT TO:<wees@localhost.>\r\n") }, 0,
	  "501 5.1.7 Bad sender address syntax\r\n250 2.1.0 Ok\r\n"
	  "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
	  "501 5.1.3 Bad recipient address syntax\r\n250 2.1.5 Ok\r\n"
	  "501 5.1.3 Bad recipient address syntax\r\n"
	  "501 5.1.3 Bad recipient address syntax\r\n"
	  "501 5.1.3 Bad recipient address syntax\r\n"
	  "501 5.1.3 Bad recipient address syntax\r\n"
	  "501 5.1.3 Bad recipient address syntax\r\n"
	  "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n",
	  { "Illegal address syntax from localhost[127.0.0.1] in MAIL command: "
	    "<a b@c.example>",
	    "Illegal address syntax from localhost[127.0.0.1] in RCPT command: "
	    "<u@\xc3\xa9.example>" },
	  { "MAIL u@d.example", "RCPT john doe@example.com",
	    "RCPT wees@localhost\n" }, { NULL }, 0 },
	{ "VRFY forms", NULL,
	  { C("VRFY John Smith\r\nVRFY <bob@localhost> SMTPUTF8\r\n"
	      "VRFY SMTPUTF8\r\n") }, 0,
	  "501 5.1.3 Bad recipient address syntax\r\n"
	  "252 2.0.0 <bob@localhost>\r\n"
	  "501 5.5.4 Syntax: VRFY address [SMTPUTF8]\r\n", { NULL }, { NULL },
	  { NULL }, 0 },
	{ "ETRN", NULL,
	  { C("ETRN example.com\r\nETRN\r\nETRN bad..x\r\nETRN @[192.0.2.1]\r\n"
	      "MAIL FROM:<>\r\nETRN example.com\r\n") }, 0,
	  "250 Queuing started\r\n500 Syntax: ETRN domain\r\n"
	  "501 Error: invalid parameter syntax\r\n250 Queuing started\r\n"
	  "250 2.1.0 Ok\r\n503 Error: MAIL transaction in progress\r\n",
	  { NULL }, { "ETRN example.com", "ETRN [192.0.2.1]" }, { NULL }, 0 },
	{ "syntax of RSET, DATA, nested MAIL, XCLIENT, XFORWARD", NULL,
	  { C("RSET now\r\nMAIL FROM:<>\r\nMAIL FROM:<>\r\nRCPT TO:<wees>\r\n"
	      "DATA now\r\nXCLIENT\r\nRSET\r\nXFORWARD NAME=x\r\n") }, 0,
	  "501 5.5.4 Syntax: RSET\r\n250 2.1.0 Ok\r\n"
	  "503 5.5.1 Error: nested MAIL command\r\n250 2.1.5 Ok\r\n"
	  "501 5.5.4 Syntax: DATA\r\n"
	  "503 5.5.1 Error: MAIL transaction in progress\r\n250 2.0.0 Ok\r\n"
	  "550 5.7.0 Error: insufficient authorization\r\n",
	  { NULL }, { NULL }, { NULL }, 0 },
	{ "a web request is not SMTP", NULL,
	  { C("NOOP\r\n"), C("GET / HTTP/1.1\r\nHost: x\r\n") }, 0,
	  "250 2.0.0 Ok\r\n221 2.7.0 Error: I can break rules, too. Goodbye.\r\n",
	  { "warning: non-SMTP command from localhost[127.0.0.1]: GET / HTTP/1.1\n",
	    "noop=1 unknown=0/1 commands=1/2" }, { "CLOSE" }, { NULL }, 1 },
	{ "a header is not SMTP", NULL,
	  { C("Subject: hi\r\n") }, 0,
	  "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n",
	  { "non-SMTP command from localhost[127.0.0.1]: Subject: hi\n" },
	  { "CLOSE" }, { NULL }, 1 },
	{ "a command that starts with a non-letter is not SMTP", NULL,
	  { C("\x01\tx\r\n") }, 0,
	  "221 2.7.0 Error: I can break rules, too. Goodbye.\r\n",
	  { "non-SMTP command from localhost[127.0.0.1]: \\001\\tx\n" },
	  { "CLOSE" }, { NULL }, 1 },
	{ "bad UTF-8 in a command", NULL,
	  { C("NOOP \xff\r\nNOOP \xc3\xa9\r\nQUIT\r\n") }, 0,
	  "500 5.5.2 Error: bad UTF-8 syntax\r\n250 2.0.0 Ok\r\n"
	  "221 2.0.0 Bye\r\n", { "noop=1 quit=1 commands=2\n" }, { NULL },
	  { NULL }, 1 },
	{ "BDAT in two chunks", NULL,
	  { C("EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<wees>\r\n"),
	    C("BDAT 5\r\nhello"), C("BDAT 8 LAST\r\n world\r\n"),
	    C("QUIT\r\n") }, 0,
	  EHLO_LIST "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: 5 bytes\r\n"
	  "250 2.0.0 Ok: 13 bytes queued as <QID>\r\n221 2.0.0 Bye\r\n",
	  { "ehlo=1 mail=1 rcpt=1 bdat=2 quit=1 commands=6" },
	  { "DATA" }, { NULL }, 1 },
	{ "BDAT errors and recovery", NULL,
	  { C("EHLO x\r\nBDAT 3 LAST\r\nabc"),
	    C("MAIL FROM:<>\r\nRCPT TO:<wees>\r\nBDAT 0\r\n"),
	    C("MAIL FROM:<>\r\nBDAT 4 LAST\r\nabcd"),
	    C("MAIL FROM:<>\r\nRCPT TO:<wees>\r\nBDAT 2\r\nab"),
	    C("DATA\r\nRCPT TO:<bob>\r\nMAIL FROM:<>\r\nBDAT 0 LAST\r\n") }, 0,
	  EHLO_LIST "503 5.5.1 Error: need RCPT command\r\n250 2.1.0 Ok\r\n"
	  "250 2.1.5 Ok\r\n551 5.7.1 Null BDAT request\r\n"
	  "503 5.5.1 Error: nested MAIL command\r\n"
	  "551 5.0.0 Discarded 4 bytes after earlier error\r\n"
	  "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: 2 bytes\r\n"
	  "503 5.5.1 Error: DATA after BDAT\r\n"
	  "503 5.5.1 Error: RCPT after BDAT\r\n"
	  "503 5.5.1 Error: nested MAIL command\r\n"
	  "250 2.0.0 Ok: 4 bytes queued as <QID>\r\n",
	  { "warning: <QID>: null BDAT request from localhost[127.0.0.1]" },
	  { NULL }, { NULL }, 0, "ab\n" },
	{ "BDAT syntax error hangs up", NULL,
	  { C("BDAT x\r\nNOOP\r\n") }, 0,
	  "521 5.5.4 Syntax: BDAT count [LAST]\r\n",
	  { "warning: NOQUEUE: malformed BDAT command syntax from "
	    "localhost[127.0.0.1]: BDAT x", "bdat=0/1 commands=0/1" },
	  { "CLOSE" }, { NULL }, 1 },
	{ "BDAT chunk over the size limit", small_msg,
	  { C("MAIL FROM:<>\r\nRCPT TO:<wees>\r\nBDAT 61 LAST\r\n"),
	    C("0123456789012345678901234567890123456789012345678901234567890"),
	    C("NOOP\r\n"),
	    C("MAIL FROM:<>\r\nRCPT TO:<wees>\r\nBDAT 50\r\n"),
	    C("a\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\na\n"
	      "a\na\na\na\na\n"),
	    C("MAIL FROM:<>\r\nBDAT 0 LAST\r\nMAIL FROM:<>\r\n") }, 0,
	  "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	  "552 5.3.4 Chunk exceeds message size limit\r\n250 2.0.0 Ok\r\n"
	  "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	  "552 5.3.4 Error: message file too big\r\n"
	  "503 5.5.1 Error: MAIL after BDAT\r\n"
	  "551 5.0.0 Discarded 0 bytes after earlier error\r\n"
	  "250 2.1.0 Ok\r\n",
	  { "BDAT request from localhost[127.0.0.1] exceeds message size limit" },
	  { "RSET" }, { NULL }, 0 },
	{ "errors without a sleep time", no_sleep,
	  { C("A\r\nB\r\nC\r\nD\r\nE\r\nF\r\nG\r\nH\r\nI\r\nJ\r\nK\r\nNOOP\r\n") },
	  0, "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n"
	  "500 5.5.2 Error: command not recognized\r\n250 2.0.0 Ok\r\n",
	  { NULL }, { NULL }, { "DELAY" }, 0 },
	{ "smtpd_junk_command_limit", junk1,
	  { C("NOOP\r\n"), C("NOOP\r\n"), C("NOOP\r\n"), C("NOOP\r\n") }, 0,
	  "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n",
	  { NULL }, { "DELAY 1000" }, { NULL }, 0 },
	{ "HELO name sanitized for logs", NULL,
	  { C("HELO a <b>\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<nosuchuser>\r\n") },
	  0, "250 centos.localdomain\r\n250 2.1.0 Ok\r\n550 5.1.1 <nosuchuser>: "
	  "Recipient address rejected: User unknown in local recipient table\r\n",
	  { "to=<nosuchuser> proto=SMTP helo=<a??b?>" }, { "HELO a??b?" },
	  { NULL }, 0 },
	{ "EOF in the middle of DATA", NULL,
	  { C("HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<wees>\r\nDATA\r\n"),
	    C("abc\r\nde") }, 1,
	  "250 centos.localdomain\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	  "354 End data with <CR><LF>.<CR><LF>\r\n",
	  { "lost connection after DATA (5 bytes) from localhost[127.0.0.1]",
	    "disconnect from localhost[127.0.0.1] helo=1 mail=1 rcpt=1 "
	    "data=0/1 commands=3/4" }, { "RSET\nCLOSE" }, { NULL }, 1 },
	{ "EOF right after the final dot", NULL,
	  { C("HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<wees>\r\nDATA\r\n"),
	    C("abc\r\n.\r\n") }, 1,
	  "250 centos.localdomain\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	  "354 End data with <CR><LF>.<CR><LF>\r\n"
	  "250 2.0.0 Ok: queued as <QID>\r\n",
	  { "disconnect from localhost[127.0.0.1] helo=1 mail=1 rcpt=1 data=1 "
	    "commands=4\n" }, { NULL }, { "lost connection" }, 1 },
	{ "EOF after a partial command", NULL,
	  { C("NOOP\r\nQUI") }, 1, "250 2.0.0 Ok\r\n",
	  { "lost connection after NOOP from localhost[127.0.0.1]" },
	  { "CLOSE" }, { NULL }, 1 },
	{ "mbox From_ line and leading white space in content", NULL,
	  { C("HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<wees>\r\nDATA\r\n"),
	    C("From me  Sat Nov 28\r\n\tfolded?\r\nbody\r\n.\r\n") }, 0,
	  "250 centos.localdomain\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
	  "354 End data with <CR><LF>.<CR><LF>\r\n"
	  "250 2.0.0 Ok: queued as <QID>\r\n", { NULL }, { NULL }, { NULL },
	  0, "X-Mailbox-Line: From me  Sat Nov 28\n\n\tfolded?\nbody\n" },
};

static void failf(int line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(int line, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(CU_FALSE, (unsigned)line, msg, __FILE__, "",
				CU_FALSE);
}

static void check(int ok, int line, const char *what)
{
	CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned)line,
				what, __FILE__, "", CU_FALSE);
}

static const char *show(const char *s)
{
	static char out[2][2000];
	static int k;
	char *o = out[k ^= 1];
	size_t j = 0;

	for (; *s && j + 8 < sizeof(out[0]); s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r') {
			o[j++] = '\\';
			o[j++] = 'r';
		} else if (c == '\n') {
			o[j++] = '\\';
			o[j++] = 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			j += (size_t)sprintf(o + j, "\\x%02x", c);
		} else {
			o[j++] = (char)c;
		}
	}
	o[j] = 0;
	return o;
}

#define BANNER "220 centos.localdomain ESMTP Postfix (Debian/GNU)\r\n"

/* Runs one case; returns the output after the banner (caller frees). */
static char *run_case(const struct tcase *tc, int byte_mode, char **events_out,
		      char **logs_out, char **data_out)
{
	struct smtpd_conf c;
	struct sh h;
	size_t i;
	char *out;

	sh_default_conf(&c);
	if (tc->setup)
		tc->setup(&c);
	memset(&h, 0, sizeof(h));
	h.byte_mode = byte_mode;
	sh_start(&h, &c, 1);
	for (i = 0; i < MAXC && tc->in[i].p != NULL; i++) {
		if (h.tls_pending) {
			h.tls_pending = 0;
			smtpd_tls_started(h.s, 2000);
			sh_run(&h);
		}
		sh_feed(&h, tc->in[i].p, tc->in[i].n);
	}
	if (tc->eof) {
		smtpd_eof(h.s, 3000);
		sh_run(&h);
	}
	if (tc->closed >= 0 && h.closed != tc->closed)
		failf(__LINE__, "%s: closed got %d, want %d", tc->name, h.closed,
		      tc->closed);
	if (strncmp(h.out.data, BANNER, strlen(BANNER)) != 0)
		failf(__LINE__, "%s: no banner", tc->name);
	out = sh_mask(h.out.data + strlen(BANNER));
	*events_out = xstrdup(h.events.data);
	*logs_out = sh_mask(h.logs.data);
	*data_out = xstrdup(h.data.data);
	sh_free(&h);
	return out;
}

static void test_cases(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *tc = &cases[i];
		char *ev[2], *lg[2], *out[2], *data[2];
		int m;

		for (m = 0; m < 2; m++)
			out[m] = run_case(tc, m, &ev[m], &lg[m], &data[m]);
		if (tc->data != NULL && strcmp(data[0], tc->data) != 0)
			failf(__LINE__, "%s: DATA got \"%s\", want \"%s\"",
			      tc->name, show(data[0]), show(tc->data));
		if (strcmp(data[0], data[1]) != 0)
			failf(__LINE__, "%s: DATA one byte at a time got \"%s\"",
			      tc->name, show(data[1]));
		if (strcmp(out[0], tc->out) != 0)
			failf(__LINE__, "%s: output got \"%s\", want \"%s\"",
			      tc->name, show(out[0]), show(tc->out));
		else
			check(1, __LINE__, tc->name);
		if (strcmp(out[0], out[1]) != 0)
			failf(__LINE__, "%s: bytes one at a time got \"%s\"",
			      tc->name, show(out[1]));
		if (strcmp(ev[0], ev[1]) != 0)
			failf(__LINE__, "%s: events one at a time got \"%s\", "
			      "all at once \"%s\"", tc->name, show(ev[1]),
			      show(ev[0]));
		for (j = 0; j < 6 && tc->logs[j]; j++)
			if (strstr(lg[0], tc->logs[j]) == NULL)
				failf(__LINE__, "%s: log lacks \"%s\": \"%s\"",
				      tc->name, tc->logs[j], show(lg[0]));
		for (j = 0; j < 6 && tc->events[j]; j++)
			if (strstr(ev[0], tc->events[j]) == NULL)
				failf(__LINE__, "%s: events lack \"%s\": \"%s\"",
				      tc->name, tc->events[j], show(ev[0]));
		for (j = 0; j < 3 && tc->nots[j]; j++)
			if (strstr(ev[0], tc->nots[j]) != NULL
			    || strstr(lg[0], tc->nots[j]) != NULL)
				failf(__LINE__, "%s: \"%s\" should not happen: "
				      "%s / %s", tc->name, tc->nots[j],
				      show(ev[0]), show(lg[0]));
		for (m = 0; m < 2; m++) {
			free(out[m]);
			free(ev[m]);
			free(lg[m]);
			free(data[m]);
		}
	}
}

/* ---- API paths the byte stream cannot reach ---- */

static void test_timeout(void)
{
	struct smtpd_conf c;
	struct sh h;

	sh_default_conf(&c);
	memset(&h, 0, sizeof(h));
	sh_start(&h, &c, 1);
	sh_feed(&h, "HELO x\r\n", 8);
	smtpd_timeout(h.s, 5000);
	sh_run(&h);
	CU_ASSERT_PTR_NOT_NULL(strstr(h.out.data, "250 centos.localdomain\r\n"
				      "421 4.4.2 centos.localdomain Error: "
				      "timeout exceeded\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h.logs.data, "timeout after HELO from "
				      "localhost[127.0.0.1]\ndisconnect from "
				      "localhost[127.0.0.1] helo=1 commands=1\n"));
	CU_ASSERT(h.closed);
	/* nothing more after the end */
	smtpd_feed(h.s, "NOOP\r\n", 6, 6000);
	smtpd_timeout(h.s, 6000);
	smtpd_close(h.s, 6000);
	sh_run(&h);
	CU_ASSERT_PTR_NULL(strstr(h.out.data, "250 2.0.0 Ok"));
	sh_free(&h);
}

static void test_tx_view(void)
{
	static const char in[] = "EHLO client.example\r\n"
	    "MAIL FROM:<a@b.example> SIZE=10 BODY=8BITMIME\r\n"
	    "RCPT TO:<wees>\r\nRCPT TO: bob\r\nRCPT TO:<nosuchuser>\r\n";
	struct smtpd_conf c;
	struct sh h;
	const struct smtpd_tx *tx;

	sh_default_conf(&c);
	memset(&h, 0, sizeof(h));
	sh_start(&h, &c, 1);
	sh_feed(&h, in, sizeof(in) - 1);
	tx = smtpd_tx(h.s);
	CU_ASSERT_STRING_EQUAL(tx->helo, "client.example");
	CU_ASSERT(tx->esmtp);
	CU_ASSERT_STRING_EQUAL(tx->mail_from, "a@b.example");
	CU_ASSERT_EQUAL(tx->size_param, 10);
	CU_ASSERT_STRING_EQUAL(tx->body_param, "8BITMIME");
	CU_ASSERT_EQUAL(tx->nrcpt, 3);
	CU_ASSERT_EQUAL(tx->naccepted, 2);
	if (tx->nrcpt == 3) {
		CU_ASSERT_STRING_EQUAL(tx->rcpts[0].orig, "wees");
		CU_ASSERT_STRING_EQUAL(tx->rcpts[1].addr, "bob");
		CU_ASSERT(tx->rcpts[1].accepted);
		CU_ASSERT(!tx->rcpts[2].accepted);
	}
	CU_ASSERT_PTR_NOT_NULL(tx->queue_id);
	CU_ASSERT_STRING_EQUAL(smtpd_ev_type_name(SMTPD_EV_STARTTLS),
			       "STARTTLS");
	sh_free(&h);
}

/* ---- hostile inputs: no crash, no leak, a sane end ---- */

static void hostile_feed_all(struct sh *h, const char *p, size_t n)
{
	sh_feed(h, p, n);
	smtpd_eof(h->s, 9000);
	sh_run(h);
}

#define FEED_ALL(h, lit) hostile_feed_all((h), (lit), sizeof(lit) - 1)
#define FEED(h, lit) sh_feed((h), (lit), sizeof(lit) - 1)

static void h_oversize_line(struct sh *h)
{
	char *big = xmalloc(100000 + 13);

	memcpy(big, "NOOP ", 5);
	memset(big + 5, 'x', 100000);
	memcpy(big + 100005, "\r\nNOOP\r\n", 8);
	sh_feed(h, big, 100000 + 13);
	free(big);
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h->logs.data, "request longer than 2048: "
				      "NOOP xxxxxxxxxxxxxxxxxxxxxxxxx...\n"));
}

static void h_bare_lf(struct sh *h)
{
	FEED_ALL(h, "HELO x\nMAIL FROM:<>\nRCPT TO:<wees>\nDATA\n"
			 "a\n.\nQUIT\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "queued as"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "221 2.0.0 Bye"));
}

static void h_nul(struct sh *h)
{
	FEED_ALL(h, "\0\0\0\r\nNO\0OP\r\nHELO \0\r\n\0");
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "500 5.5.2 Error: bad syntax"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "501 Syntax: HELO hostname"));
}

static void h_lone_cr(struct sh *h)
{
	FEED_ALL(h, "NOOP\rQUIT\r\r\r\nHELO a\rb\r\n\r");
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "250 2.0.0 Ok\r\n"
				      "250 centos.localdomain\r\n"));
}

static void h_eight_bit(struct sh *h)
{
	const char s[] = "HELO \xff\xfe\r\nMAIL FROM:<\xe9@x.example>\r\n"
	    "MAIL FROM:<\xc3\xa9@x.example>\r\nRCPT TO:<wees>\r\nDATA\r\n"
	    "\xff\xfe\x80\r\n\xc3\r\n.\r\n";

	hostile_feed_all(h, s, sizeof(s) - 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "500 5.5.2 Error: bad UTF-8"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "queued as"));
	CU_ASSERT_EQUAL(h->data.len, 6);
}

static void h_plaintext_after_starttls(struct sh *h)
{
	const char s[] = "EHLO x\r\nSTARTTLS\r\nMAIL FROM:<a@b.example>\r\n"
	    "RCPT TO:<victim@example.com>\r\nDATA\r\n";

	sh_feed(h, s, sizeof(s) - 1);
	CU_ASSERT(h->tls_pending);
	/* what a confused driver might still hand over before the
	   handshake: dropped too */
	FEED(h, "RSET\r\n");
	smtpd_tls_started(h->s, 3000);
	sh_run(h);
	FEED_ALL(h, "NOOP\r\n");
	CU_ASSERT_PTR_NULL(strstr(h->events.data, "MAIL"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "220 2.0.0 Ready to start "
				      "TLS\r\n250 2.0.0 Ok\r\n"));
}

static void h_data_before_rcpt(struct sh *h)
{
	FEED_ALL(h, "DATA\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "503 5.5.1 Error: need RCPT "
				      "command"));
	CU_ASSERT_EQUAL(h->ndata, 0);
}

static void h_garbage_after_dot(struct sh *h)
{
	const char s[] = "HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<wees>\r\nDATA\r\n"
	    "hi\r\n.\r\n\x01garbage\xff\r\n.\r\n..\r\n";

	hostile_feed_all(h, s, sizeof(s) - 1);
	CU_ASSERT_EQUAL(h->ndata, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "queued as"));
}

static void h_never_quit(struct sh *h)
{
	FEED_ALL(h, "HELO x\r\nMAIL FROM:<>\r\n");
	CU_ASSERT(h->closed);
	CU_ASSERT_PTR_NOT_NULL(strstr(h->logs.data, "lost connection after MAIL"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h->events.data, "RSET\nCLOSE"));
}

static void h_junk(struct sh *h)
{
	char *junk = xmalloc(100 * 1024);
	size_t i;

	/* words that start with a letter: each an unknown command (a
	   non-letter start would end the session at once, see cases) */
	for (i = 0; i < 100 * 1024; i++)
		junk[i] = (i % 50 == 49) ? '\n' : (i % 7 == 3) ? ' '
		    : (char)('A' + (i * 7) % 26);
	hostile_feed_all(h, junk, 100 * 1024);
	free(junk);
	CU_ASSERT(h->closed);
	CU_ASSERT_PTR_NOT_NULL(strstr(h->out.data, "421 4.7.0 centos.localdomain "
				      "Error: too many errors\r\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(h->logs.data, "too many errors after "
				      "UNKNOWN from localhost[127.0.0.1]"));
}

static void h_huge_message(struct sh *h)
{
	size_t n = 3 * 1024 * 1024, i;
	char *body = xmalloc(n);

	FEED(h, "HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<wees>\r\nDATA\r\n");
	for (i = 0; i < n; i++)
		body[i] = (i % 3000 == 2999) ? '\n' : '.';
	smtpd_feed(h->s, body, n, 3000);
	free(body);
	smtpd_feed(h->s, "\r\n.\r\nQUIT\r\n", sizeof("\r\n.\r\nQUIT\r\n") - 1, 3000);
	sh_run(h);
	CU_ASSERT_EQUAL(h->ndata, 1);
	CU_ASSERT(h->closed);
}

static const struct {
	const char *name;
	void (*fn)(struct sh *h);
	int bytes_too;		/* also one byte at a time */
} hostile[] = {
	{ "oversize line", h_oversize_line, 1 },
	{ "bare LF", h_bare_lf, 1 },
	{ "NUL bytes", h_nul, 1 },
	{ "lone CR", h_lone_cr, 1 },
	{ "8-bit bytes", h_eight_bit, 1 },
	{ "plaintext pipelined after STARTTLS", h_plaintext_after_starttls, 0 },
	{ "DATA before RCPT", h_data_before_rcpt, 1 },
	{ "garbage after the final dot", h_garbage_after_dot, 1 },
	{ "client never says QUIT", h_never_quit, 1 },
	{ "100 KB of junk", h_junk, 1 },
	{ "3 MB message in one write", h_huge_message, 0 },
};

static void test_hostile(void)
{
	size_t i;
	int m;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		for (m = 0; m < 1 + hostile[i].bytes_too; m++) {
			struct smtpd_conf c;
			struct sh h;

			sh_default_conf(&c);
			memset(&h, 0, sizeof(h));
			h.byte_mode = m;
			sh_start(&h, &c, 1);
			hostile[i].fn(&h);
			check(1, __LINE__, hostile[i].name);
			sh_free(&h);
		}
	}
}

void test_smtpd_cases_register(void)
{
	CU_pSuite s = CU_add_suite("smtpd_cases", NULL, NULL);

	CU_add_test(s, "sessions beyond the captures", test_cases);
	CU_add_test(s, "timeout and close", test_timeout);
	CU_add_test(s, "the transaction as the driver sees it", test_tx_view);
	CU_add_test(s, "hostile inputs", test_hostile);
}
