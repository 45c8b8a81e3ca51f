/* smtpd_reply: see smtpd_reply.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "smtp/smtpd_priv.h"
#include "smtp/smtpd_reply.h"

#define T "transcripts/smtp/"
#define SRC "postfix-3.7.11 src/smtpd/"

/*
 * Every fixed reply, as Postfix 3.7.11 words it. "proof" names the
 * reference file that shows the reply on the wire; replies the lab's
 * captures never provoked cite the Postfix source function instead.
 * RFC 2034 exempts the greeting and the HELO/EHLO replies from enhanced
 * status codes, and Postfix leaves them off a few older ETRN texts too.
 */
static const struct smtpd_reply_row table[] = {
	{ SMTPD_R_BANNER, "220 %s", T "01-study-note.txt" },
	{ SMTPD_R_HELO, "250 %s", T "01-study-note.txt" },
	{ SMTPD_R_EHLO_LINE, "250%c%s", T "02-ehlo-and-misc.txt" },
	{ SMTPD_R_HELO_SYNTAX, "501 Syntax: HELO hostname",
	  T "04a-helo-mail-syntax.txt" },
	{ SMTPD_R_EHLO_SYNTAX, "501 Syntax: EHLO hostname",
	  T "04a-helo-mail-syntax.txt" },
	{ SMTPD_R_OK, "250 2.0.0 Ok", T "02-ehlo-and-misc.txt" },
	{ SMTPD_R_MAIL_OK, "250 2.1.0 Ok", T "01-study-note.txt" },
	{ SMTPD_R_RCPT_OK, "250 2.1.5 Ok", T "01-study-note.txt" },
	{ SMTPD_R_DATA_GO, "354 End data with <CR><LF>.<CR><LF>",
	  T "01-study-note.txt" },
	{ SMTPD_R_QUEUED, "250 2.0.0 Ok: queued as %s",
	  T "01-study-note.txt" },
	{ SMTPD_R_BDAT_QUEUED, "250 2.0.0 Ok: %ld bytes queued as %s",
	  SRC "smtpd.c common_post_message_handling()" },
	{ SMTPD_R_BDAT_OK, "250 2.0.0 Ok: %ld bytes", SRC "smtpd.c bdat_cmd()" },
	{ SMTPD_R_BYE, "221 2.0.0 Bye", T "01-study-note.txt" },
	{ SMTPD_R_UNKNOWN, "500 5.5.2 Error: command not recognized",
	  T "02-ehlo-and-misc.txt" },
	{ SMTPD_R_BAD_SYNTAX, "500 5.5.2 Error: bad syntax",
	  T "02-ehlo-and-misc.txt, 05g-nul-in-command.txt" },
	{ SMTPD_R_BAD_UTF8, "500 5.5.2 Error: bad UTF-8 syntax",
	  SRC "smtpd.c smtpd_proto()" },
	{ SMTPD_R_TOO_MANY_ERRORS, "421 4.7.0 %s Error: too many errors",
	  T "05k-too-many-errors.txt" },
	{ SMTPD_R_TIMEOUT, "421 4.4.2 %s Error: timeout exceeded",
	  SRC "smtpd.c smtpd_proto()" },
	{ SMTPD_R_BARE_LF, "%d 5.5.2 %s Error: bare <LF> received",
	  T "05e-bare-lf-reject-command.txt, 05f-bare-lf-reject-in-data.txt" },
	{ SMTPD_R_NEED_HELO, "503 5.5.1 Error: send HELO/EHLO first",
	  T "03b-mail-before-helo-required.txt" },
	{ SMTPD_R_NESTED_MAIL, "503 5.5.1 Error: nested MAIL command",
	  SRC "smtpd.c mail_cmd(); README.md SMTP facts" },
	{ SMTPD_R_MAIL_AFTER_BDAT, "503 5.5.1 Error: MAIL after BDAT",
	  SRC "smtpd.c mail_cmd()" },
	{ SMTPD_R_MAIL_SYNTAX, "501 5.5.4 Syntax: MAIL FROM:<address>",
	  T "04a-helo-mail-syntax.txt" },
	{ SMTPD_R_BAD_SENDER, "501 5.1.7 Bad sender address syntax",
	  T "04a-helo-mail-syntax.txt, 05a-long-command-line.txt" },
	{ SMTPD_R_BAD_SIZE, "501 5.5.4 Bad message size syntax",
	  T "04c-size-limit.txt" },
	{ SMTPD_R_SIZE_OVERFLOW,
	  "552 5.3.4 Message size exceeds file system imposed limit",
	  SRC "smtpd.c mail_cmd()" },
	{ SMTPD_R_SIZE_LIMIT, "552 5.3.4 Message size exceeds fixed limit",
	  T "04c-size-limit.txt" },
	{ SMTPD_R_UNSUPPORTED, "555 5.5.4 Unsupported option: %s",
	  T "04c-size-limit.txt, 04b-rcpt-syntax-and-unknown-users.txt" },
	{ SMTPD_R_BAD_RET, "501 5.5.4 Bad RET parameter syntax",
	  SRC "smtpd.c mail_cmd()" },
	{ SMTPD_R_BAD_ENVID, "501 5.5.4 Bad ENVID parameter syntax",
	  SRC "smtpd.c mail_cmd()" },
	{ SMTPD_R_MULTI_AUTH, "503 5.5.4 Error: multiple AUTH= options",
	  SRC "smtpd_sasl_proto.c smtpd_sasl_mail_opt()" },
	{ SMTPD_R_NEED_MAIL, "503 5.5.1 Error: need MAIL command",
	  T "03c-sequence-errors.txt" },
	{ SMTPD_R_RCPT_AFTER_BDAT, "503 5.5.1 Error: RCPT after BDAT",
	  SRC "smtpd.c rcpt_cmd()" },
	{ SMTPD_R_RCPT_SYNTAX, "501 5.5.4 Syntax: RCPT TO:<address>",
	  T "04b-rcpt-syntax-and-unknown-users.txt" },
	{ SMTPD_R_BAD_RCPT, "501 5.1.3 Bad recipient address syntax",
	  T "04b-rcpt-syntax-and-unknown-users.txt" },
	{ SMTPD_R_BAD_NOTIFY, "501 5.5.4 Error: Bad NOTIFY parameter syntax",
	  SRC "smtpd.c rcpt_cmd()" },
	{ SMTPD_R_BAD_ORCPT, "501 5.5.4 Error: Bad ORCPT parameter syntax",
	  SRC "smtpd.c rcpt_cmd()" },
	{ SMTPD_R_TOO_MANY_RCPTS, "452 4.5.3 Error: too many recipients",
	  SRC "smtpd.c rcpt_cmd()" },
	{ SMTPD_R_DATA_AFTER_BDAT, "503 5.5.1 Error: DATA after BDAT",
	  SRC "smtpd.c data_cmd()" },
	{ SMTPD_R_NEED_RCPT, "503 5.5.1 Error: need RCPT command",
	  T "03c-sequence-errors.txt" },
	{ SMTPD_R_NO_VALID_RCPTS, "554 5.5.1 Error: no valid recipients",
	  T "03c-sequence-errors.txt" },
	{ SMTPD_R_DATA_SYNTAX, "501 5.5.4 Syntax: DATA",
	  SRC "smtpd.c data_cmd()" },
	{ SMTPD_R_MSG_TOO_BIG, "552 5.3.4 Error: message file too big",
	  SRC "smtpd.c common_post_message_handling(), cleanup_strerror.c" },
	{ SMTPD_R_BDAT_SYNTAX, "521 5.5.4 Syntax: BDAT count [LAST]",
	  SRC "smtpd.c bdat_cmd()" },
	{ SMTPD_R_BDAT_NULL, "551 5.7.1 Null BDAT request",
	  SRC "smtpd.c bdat_cmd()" },
	{ SMTPD_R_BDAT_DISCARDED,
	  "551 5.0.0 Discarded %ld bytes after earlier error",
	  SRC "smtpd.c bdat_cmd()" },
	{ SMTPD_R_BDAT_TOO_BIG, "552 5.3.4 Chunk exceeds message size limit",
	  SRC "smtpd.c bdat_cmd()" },
	{ SMTPD_R_RSET_SYNTAX, "501 5.5.4 Syntax: RSET",
	  SRC "smtpd.c rset_cmd()" },
	{ SMTPD_R_VRFY_DISABLED, "502 5.5.1 VRFY command is disabled",
	  SRC "smtpd.c vrfy_cmd()" },
	{ SMTPD_R_VRFY_SYNTAX, "501 5.5.4 Syntax: VRFY address [SMTPUTF8]",
	  T "02-ehlo-and-misc.txt" },
	{ SMTPD_R_VRFY_OK, "252 2.0.0 %s", T "02-ehlo-and-misc.txt" },
	{ SMTPD_R_ETRN_NEED_HELO, "503 Error: send HELO/EHLO first",
	  SRC "smtpd.c etrn_cmd()" },
	{ SMTPD_R_ETRN_IN_TX, "503 Error: MAIL transaction in progress",
	  SRC "smtpd.c etrn_cmd()" },
	{ SMTPD_R_ETRN_SYNTAX, "500 Syntax: ETRN domain",
	  SRC "smtpd.c etrn_cmd()" },
	{ SMTPD_R_ETRN_BAD_PARAM, "501 Error: invalid parameter syntax",
	  SRC "smtpd.c etrn_cmd()" },
	{ SMTPD_R_ETRN_OK, "250 Queuing started", SRC "smtpd.c etrn_cmd()" },
	{ SMTPD_R_STARTTLS_SYNTAX, "501 5.5.4 Syntax: STARTTLS",
	  T "06b-starttls-errors.txt" },
	{ SMTPD_R_TLS_ACTIVE, "554 5.5.1 Error: TLS already active",
	  T "06a-starttls.txt" },
	{ SMTPD_R_NOT_IMPLEMENTED, "502 5.5.1 Error: command not implemented",
	  T "06d-no-tls-configured.txt" },
	{ SMTPD_R_TLS_READY, "220 2.0.0 Ready to start TLS",
	  T "06a-starttls.txt" },
	{ SMTPD_R_TLS_REQUIRED, "530 5.7.0 Must issue a STARTTLS command first",
	  SRC "smtpd.c smtpd_proto(), SMTPD_CMD_FLAG_PRE_TLS; seen from 3.7.11 "
	  "with smtpd_tls_security_level=encrypt" },
	{ SMTPD_R_AUTH_DISABLED, "503 5.5.1 Error: authentication not enabled",
	  T "07-auth-not-configured.txt" },
	{ SMTPD_R_AUTH_IN_TX, "503 5.5.1 Error: MAIL transaction in progress",
	  SRC "smtpd_sasl_proto.c smtpd_sasl_auth_cmd()" },
	{ SMTPD_R_AUTH_ENCRYPT,
	  "504 5.5.4 Encryption required for requested authentication mechanism",
	  SRC "smtpd_sasl_proto.c smtpd_sasl_auth_cmd()" },
	{ SMTPD_R_AUTH_ALREADY, "503 5.5.1 Error: already authenticated",
	  SRC "smtpd_sasl_proto.c smtpd_sasl_auth_cmd()" },
	{ SMTPD_R_AUTH_SYNTAX, "501 5.5.4 Syntax: AUTH mechanism",
	  SRC "smtpd_sasl_proto.c smtpd_sasl_auth_cmd()" },
	{ SMTPD_R_AUTH_CHALLENGE, "334 %s",
	  SRC "smtpd_sasl_glue.c smtpd_sasl_authenticate()" },
	{ SMTPD_R_AUTH_ABORTED, "501 5.7.0 Authentication aborted",
	  SRC "smtpd_sasl_glue.c smtpd_sasl_authenticate()" },
	{ SMTPD_R_AUTH_RESP_LIMIT, "500 5.5.6 SASL response limit exceeded",
	  SRC "smtpd_sasl_glue.c smtpd_sasl_authenticate()" },
	{ SMTPD_R_AUTH_FAILED, "535 5.7.8 Error: authentication failed: %s",
	  SRC "smtpd_sasl_glue.c smtpd_sasl_authenticate()" },
	{ SMTPD_R_AUTH_OK, "235 2.7.0 Authentication successful",
	  SRC "smtpd_sasl_glue.c smtpd_sasl_authenticate()" },
	{ SMTPD_R_X_IN_TX, "503 5.5.1 Error: MAIL transaction in progress",
	  SRC "smtpd.c xclient_cmd(), xforward_cmd()" },
	{ SMTPD_R_X_SYNTAX, "501 5.5.4 Syntax: %s attribute=value...",
	  SRC "smtpd.c xclient_cmd(), xforward_cmd()" },
	{ SMTPD_R_X_DENIED, "550 5.7.0 Error: insufficient authorization",
	  SRC "smtpd.c xclient_cmd(), xforward_cmd()" },
	{ SMTPD_R_NON_SMTP, "221 2.7.0 Error: I can break rules, too. Goodbye.",
	  SRC "smtpd.c smtpd_proto(), smtpd_forbidden_commands" },
};

const struct smtpd_reply_row *smtpd_reply_table(size_t *n_out)
{
	*n_out = ARRAY_LEN(table);
	return table;
}

static char *vfmt(enum smtpd_reply_id id, va_list ap)
{
	char *line;

	BUG_ON((size_t)id >= ARRAY_LEN(table) || table[id].id != id);
	if (vasprintf(&line, table[id].format, ap) < 0)
		line = NULL;
	BUG_ON(line == NULL);
	return line;
}

char *smtpd_reply_fmt(enum smtpd_reply_id id, ...)
{
	va_list ap;
	char *line;

	va_start(ap, id);
	line = vfmt(id, ap);
	va_end(ap);
	return line;
}

void smtpd_reply(struct smtpd *s, enum smtpd_reply_id id, ...)
{
	va_list ap;
	char *line;

	va_start(ap, id);
	line = vfmt(id, ap);
	va_end(ap);
	smtpd_push_reply(s, line);
	free(line);
}

void smtpd_reply_code(struct smtpd *s, int code, const char *text)
{
	char *line;
	size_t i;

	if (text == NULL || *text == 0)
		line = xasprintf("%d", code);
	else
		line = xasprintf("%d %s", code, text);
	/* Never let a verdict's text break the line structure. */
	for (i = 0; line[i]; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	if (i > 510)
		line[510] = 0;
	smtpd_push_reply(s, line);
	free(line);
}

void smtpd_reply_send(struct smtpd *s, const char *line)
{
	struct trace_event ev;

	buf_adds(&s->out, line);
	buf_add(&s->out, "\r\n", 2);
	if (s->conf.trace == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.time = s->now;
	ev.host = s->conf.trace_host;
	ev.process = "postfix/smtpd";
	ev.peer = s->namaddr;
	ev.protocol = "smtp";
	ev.direction = TRACE_DIR_OUT;
	ev.text = line;
	trace_emit(s->conf.trace, &ev);
}
