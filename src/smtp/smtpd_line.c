/* smtpd_line: see smtpd_line.h. */
#include <string.h>

#include "smtp/smtpd_line.h"

int smtpd_line_get(const char *p, size_t n, size_t bound, int detect_bare_lf,
		   int eof, struct smtpd_line *out)
{
	size_t take = n < bound ? n : bound;
	const char *lf = memchr(p, '\n', take);
	size_t len;

	memset(out, 0, sizeof(*out));
	out->data = p;
	if (lf == NULL) {
		if (n < bound)
			return eof ? -1 : 0;
		/*
		 * Bound reached. smtp_get() repairs a CRLF split by the
		 * bound: it reads one byte more to see whether the CR
		 * ends the line.
		 */
		if (p[bound - 1] == '\r') {
			if (n == bound)
				return eof ? -1 : 0;
			if (p[bound] == '\n') {
				lf = p + bound;
				goto line_end;
			}
		}
		out->len = out->used = bound;
		return 1;
	}
line_end:
	len = (size_t)(lf - p);
	out->used = len + 1;
	out->complete = 1;
	if (detect_bare_lf) {
		if (len > 0 && p[len - 1] == '\r')
			len--;
		else
			out->bare_lf = 1;
	} else {
		while (len > 0 && p[len - 1] == '\r')
			len--;
	}
	out->len = len;
	return 1;
}

int smtpd_line_skip(const char *p, size_t n, size_t *used_out)
{
	const char *lf = memchr(p, '\n', n);

	if (lf == NULL) {
		*used_out = n;
		return 0;
	}
	*used_out = (size_t)(lf - p) + 1;
	return 1;
}
