/*
 * smtpd_log: the mail.log lines Postfix's smtpd writes, word for word, as
 * SMTPD_EV_LOG events (the text after "postfix/smtpd[PID]: "). Each
 * function names the reference file that shows its line.
 */
#ifndef MAILLAB_SMTPD_LOG_H
#define MAILLAB_SMTPD_LOG_H

#include <stddef.h>

struct smtpd;

/* "connect from localhost[127.0.0.1]" (every transcripts/smtp/ *.log). */
void smtpd_log_connect(struct smtpd *s);
/* "disconnect from ... helo=1 mail=1 rcpt=0/1 ... commands=4/6" (01, 02,
 * 03b); "commands=0/0" when nothing was received (05e). */
void smtpd_log_disconnect(struct smtpd *s);
/* "improper command pipelining after EHLO from ...: MAIL FROM:<...>\r\n..."
 * with at most 100 pending bytes, C-escaped (05i, 05j). */
void smtpd_log_pipelining(struct smtpd *s, const char *data, size_t len);
/* "warning: localhost[127.0.0.1]: request longer than 2048: NOOP xxx..."
 * (05a): the first 30 bytes, non-printables as '?'. */
void smtpd_log_long_request(struct smtpd *s, long limit, const char *line);
/* "warning: non-SMTP command from ...: GET / HTTP/1.0" (the whole line,
 * C-escaped, at most 100 bytes). */
void smtpd_log_non_smtp(struct smtpd *s, const char *line, size_t len);
/* "warning: Illegal address syntax from ... in RCPT command: <>" (04b). */
void smtpd_log_illegal_addr(struct smtpd *s, const char *arg);
/*
 * "NOQUEUE: reject: RCPT from ...: <reply>; from=<..> to=<..> proto=SMTP
 * helo=<..>" (03c, 04b, 04c, 04e, 05h, 02 for VRFY). The queue ID
 * replaces NOQUEUE once the driver opened a queue file. from/to: the
 * sender and recipient to show, NULL to leave out.
 */
void smtpd_log_reject(struct smtpd *s, const char *reply, const char *from,
		      const char *to);
/* "<ID>: reject: END-OF-MESSAGE from ...: bare <LF> received; from=<..>
 * to=<..> proto=SMTP helo=<..>" (05e, 05f). */
void smtpd_log_bare_lf(struct smtpd *s);
/* "too many errors after UNKNOWN from ..." (05k), "lost connection after
 * STARTTLS from ..." (06e), "lost connection after DATA (N bytes) from
 * ...", "timeout after RCPT from ...". */
void smtpd_log_abort(struct smtpd *s, long data_bytes);
/* "warning: NOQUEUE: queue file size limit exceeded". */
void smtpd_log_size_exceeded(struct smtpd *s);
/* "SSL_accept error from CLIENT: RESULT" and the TLS library's problem. */
void smtpd_log_tls_failed(struct smtpd *s, const char *result,
			  const char *problem);
/* SASL: "warning: ...: SASL LOGIN authentication aborted" and
 * "warning: ...: SASL PLAIN authentication failed: <reason>,
 * sasl_username=<user or (unavailable)>". */
void smtpd_log_sasl_aborted(struct smtpd *s, const char *mech);
void smtpd_log_sasl_failed(struct smtpd *s, const char *mech,
			   const char *reason, const char *user);
/* BDAT warnings (Postfix bdat_cmd()). */
void smtpd_log_bdat_syntax(struct smtpd *s, const char *line);
void smtpd_log_bdat_null(struct smtpd *s);
void smtpd_log_bdat_too_big(struct smtpd *s);

/* Postfix's printable(): non-printable ASCII and broken UTF-8 become
 * `repl`, in place. */
void smtpd_log_printable(char *str, int repl);

#endif
