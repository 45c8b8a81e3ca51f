/*
 * smtpd_line: SMTP line framing as Postfix's smtp_get() does it
 * (src/global/smtp_stream.c), over bytes already in memory.
 *
 * A line ends at LF. At most `bound` bytes (line_length_limit) are taken
 * per call, LF included: a longer line comes back as a fragment
 * (complete = 0), and the caller either reads the rest as further
 * fragments (DATA content) or skips it (commands: smtpd_line_skip). When
 * the bound falls right after a CR, one more byte is looked at, so that a
 * CRLF split by the bound still ends the line.
 *
 * Terminators: with bare-LF detection off (smtpd_forbid_bare_newline =
 * no, Postfix 3.7's default) every CR before the LF is removed; with it on,
 * exactly one CR is removed, and a line without one is flagged bare_lf.
 * A lone CR elsewhere stays part of the line; so do NUL and 8-bit bytes.
 */
#ifndef MAILLAB_SMTPD_LINE_H
#define MAILLAB_SMTPD_LINE_H

#include <stddef.h>

struct smtpd_line {
	const char *data;	/* points into the caller's bytes */
	size_t len;		/* without the terminator */
	size_t used;		/* bytes to consume */
	int complete;		/* ended in LF */
	int bare_lf;		/* LF without CR, detection on */
};

/*
 * Frames one line from p[0..n). Returns 1 with *out filled (a complete
 * line or a bound-sized fragment), 0 when more input is needed, -1 when
 * eof is set and no line can be completed (Postfix treats a partial line
 * at EOF as a lost connection). bound > 0.
 */
int smtpd_line_get(const char *p, size_t n, size_t bound, int detect_bare_lf,
		   int eof, struct smtpd_line *out);

/*
 * Skips to the end of an over-long line: returns 1 and *used_out = bytes
 * up to and including the LF, or 0 and *used_out = n (all of it goes).
 */
int smtpd_line_skip(const char *p, size_t n, size_t *used_out);

#endif
