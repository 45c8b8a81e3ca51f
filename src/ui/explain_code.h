/*
 * explain_code: short texts for SMTP reply codes (RFC 5321 4.2) and
 * enhanced status codes (RFC 3463). explain_smtp.c builds its lines from
 * these; LMTP or a bounce explainer may reuse them.
 */
#ifndef MAILLAB_EXPLAIN_CODE_H
#define MAILLAB_EXPLAIN_CODE_H

#include <stddef.h>

/* "250 = requested action done"; code points at 3 digits. Never NULL;
 * caller frees. Unknown codes are explained by their digits. */
char *explain_code_reply(const char *code);

/*
 * Parses an enhanced status code at the start of s ("2.1.0", "5.7.1 ...";
 * class 2, 4 or 5, then 1-3 digits twice), followed by a space or the end.
 * 0 and the parts, or -1 when s does not start with one.
 */
int explain_code_parse_enhanced(const char *s, int *cls, int *subj, int *det,
				size_t *len_out);

/* "2.1.5 = success: destination address valid", or NULL when enh does not
 * start with an enhanced code. Caller frees. */
char *explain_code_enhanced(const char *enh);

#endif
