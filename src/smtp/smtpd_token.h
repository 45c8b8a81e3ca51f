/*
 * smtpd_token: splits an SMTP command line into words the way Postfix's
 * smtpd does (src/smtpd/smtpd_token.c): white space separates words,
 * <...> and "..." are kept whole (nested <> and quotes, backslash
 * escapes), and "FROM:" / "TO:" end a word, so "MAIL FROM:<a>" and
 * "MAIL FROM: a" both give MAIL, FROM:, then the address. An unclosed < or
 * " marks the word as bad: "MAIL FROM:<bad" is answered 501 5.1.7
 * (reference/transcripts/smtp/04a).
 */
#ifndef MAILLAB_SMTPD_TOKEN_H
#define MAILLAB_SMTPD_TOKEN_H

struct smtpd_token {
	char *str;
	int bad;		/* missing closing > or " */
};

/*
 * Tokenizes the NUL-terminated line (a NUL byte in the command ends it,
 * as in Postfix). Returns the word count; *argv_out (also for 0 words)
 * is freed with smtpd_token_free().
 */
int smtpd_token_split(const char *line, struct smtpd_token **argv_out);
void smtpd_token_free(struct smtpd_token **argvp, int argc);

#endif
