/*
 * smtpd_reply: every reply text the engine sends on its own, in one table
 * (smtpd_reply.c), with the reference file that shows Postfix 3.7.11
 * sending it, or the Postfix source line it comes from when the lab's
 * captures never provoked it. Replies decided by the driver (a verdict's
 * text) go out through the same queueing function.
 */
#ifndef MAILLAB_SMTPD_REPLY_H
#define MAILLAB_SMTPD_REPLY_H

#include <stddef.h>

struct smtpd;

enum smtpd_reply_id {
	SMTPD_R_BANNER,
	SMTPD_R_HELO,
	SMTPD_R_EHLO_LINE,
	SMTPD_R_HELO_SYNTAX,
	SMTPD_R_EHLO_SYNTAX,
	SMTPD_R_OK,
	SMTPD_R_MAIL_OK,
	SMTPD_R_RCPT_OK,
	SMTPD_R_DATA_GO,
	SMTPD_R_QUEUED,
	SMTPD_R_BDAT_QUEUED,
	SMTPD_R_BDAT_OK,
	SMTPD_R_BYE,
	SMTPD_R_UNKNOWN,
	SMTPD_R_BAD_SYNTAX,
	SMTPD_R_BAD_UTF8,
	SMTPD_R_TOO_MANY_ERRORS,
	SMTPD_R_TIMEOUT,
	SMTPD_R_BARE_LF,
	SMTPD_R_NEED_HELO,
	SMTPD_R_NESTED_MAIL,
	SMTPD_R_MAIL_AFTER_BDAT,
	SMTPD_R_MAIL_SYNTAX,
	SMTPD_R_BAD_SENDER,
	SMTPD_R_BAD_SIZE,
	SMTPD_R_SIZE_OVERFLOW,
	SMTPD_R_SIZE_LIMIT,
	SMTPD_R_UNSUPPORTED,
	SMTPD_R_BAD_RET,
	SMTPD_R_BAD_ENVID,
	SMTPD_R_MULTI_AUTH,
	SMTPD_R_NEED_MAIL,
	SMTPD_R_RCPT_AFTER_BDAT,
	SMTPD_R_RCPT_SYNTAX,
	SMTPD_R_BAD_RCPT,
	SMTPD_R_BAD_NOTIFY,
	SMTPD_R_BAD_ORCPT,
	SMTPD_R_TOO_MANY_RCPTS,
	SMTPD_R_DATA_AFTER_BDAT,
	SMTPD_R_NEED_RCPT,
	SMTPD_R_NO_VALID_RCPTS,
	SMTPD_R_DATA_SYNTAX,
	SMTPD_R_MSG_TOO_BIG,
	SMTPD_R_BDAT_SYNTAX,
	SMTPD_R_BDAT_NULL,
	SMTPD_R_BDAT_DISCARDED,
	SMTPD_R_BDAT_TOO_BIG,
	SMTPD_R_RSET_SYNTAX,
	SMTPD_R_VRFY_DISABLED,
	SMTPD_R_VRFY_SYNTAX,
	SMTPD_R_VRFY_OK,
	SMTPD_R_ETRN_NEED_HELO,
	SMTPD_R_ETRN_IN_TX,
	SMTPD_R_ETRN_SYNTAX,
	SMTPD_R_ETRN_BAD_PARAM,
	SMTPD_R_ETRN_OK,
	SMTPD_R_STARTTLS_SYNTAX,
	SMTPD_R_TLS_ACTIVE,
	SMTPD_R_NOT_IMPLEMENTED,
	SMTPD_R_TLS_READY,
	SMTPD_R_TLS_REQUIRED,
	SMTPD_R_AUTH_DISABLED,
	SMTPD_R_AUTH_IN_TX,
	SMTPD_R_AUTH_ENCRYPT,
	SMTPD_R_AUTH_ALREADY,
	SMTPD_R_AUTH_SYNTAX,
	SMTPD_R_AUTH_CHALLENGE,
	SMTPD_R_AUTH_ABORTED,
	SMTPD_R_AUTH_RESP_LIMIT,
	SMTPD_R_AUTH_FAILED,
	SMTPD_R_AUTH_OK,
	SMTPD_R_X_IN_TX,
	SMTPD_R_X_SYNTAX,
	SMTPD_R_X_DENIED,
	SMTPD_R_NON_SMTP,
	SMTPD_R_COUNT
};

struct smtpd_reply_row {
	enum smtpd_reply_id id;
	const char *format;	/* printf format, no CRLF */
	const char *proof;	/* reference file or Postfix source */
};

/* Queues the reply from the table, formatted with the arguments. */
void smtpd_reply(struct smtpd *s, enum smtpd_reply_id id, ...);
/* The same text, for a log line that quotes the reply; caller frees. */
char *smtpd_reply_fmt(enum smtpd_reply_id id, ...);
/* Queues a reply decided elsewhere: code and text (a verdict). Control
 * characters become spaces and the line is cut at 510 bytes, as Postfix
 * does with policy replies; a NULL or empty text sends the code alone. */
void smtpd_reply_code(struct smtpd *s, int code, const char *text);
/* The single place a reply reaches the wire: appends "line\r\n" to the
 * output and traces it. Called by the outbox in order. */
void smtpd_reply_send(struct smtpd *s, const char *line);
/* The table, for tests and docs. */
const struct smtpd_reply_row *smtpd_reply_table(size_t *n_out);

#endif
