/*
 * Delivery status lines. See log_adhoc.h.
 */
#include "mta/log_adhoc.h"

#include <stdlib.h>
#include <strings.h>

#include "lib/xalloc.h"
#include "mta/host.h"

/*
 * Postfix prints delays with 2 significant digits and at most
 * delay_logging_resolution_limit (2) decimals; numbers of 10 s and more
 * lose their fraction as the significant digits run out ("264", "12").
 * We keep milliseconds, so the finest step is 0.01 s anyway.
 */
void log_adhoc_format_tv(struct buf *b, mtime_t ms)
{
	long long usec, sec, res = 10000;	/* 2 decimals: 0.01 s */
	static const long long wid = 100;	/* 10^significant digits */

	if (ms < 0)
		ms = 0;
	sec = ms / 1000;
	usec = (ms % 1000) * 1000;
	if (sec > 0) {
		long long n = 1;

		while (sec >= n && n <= wid / 10)
			n *= 10;
		res = (1000000 / wid) * n;
	} else {
		while (usec >= wid * res)
			res *= 10;
	}
	/* round half up at the resolution */
	usec += res / 2;
	if (usec >= 1000000) {
		sec++;
		usec -= 1000000;
	}
	buf_addf(b, "%lld", sec);
	if (usec >= res) {
		long long rem = usec, n;

		buf_addc(b, '.');
		for (n = 100000; rem >= res && n > 0; n /= 10) {
			buf_addc(b, (char)('0' + rem / n));
			rem %= n;
		}
	}
}

char *log_adhoc_line(const char *queue_id, const char *to,
		     const char *orig_to, const char *relay,
		     const struct log_adhoc_times *t, mtime_t now,
		     const char *dsn, const char *status, const char *text)
{
	mtime_t done = t->done > 0 ? t->done : now;
	mtime_t a = 0, q = 0, c = 0, x = 0;
	struct buf b;

	/* The four parts, as log_adhoc() derives them from what is stamped. */
	if (t->active > 0) {
		a = t->active - t->arrival;
		if (t->handoff > 0) {
			q = t->handoff - t->active;
			if (t->conn_done > 0) {
				c = t->conn_done - t->handoff;
				x = done - t->conn_done;
			} else {
				x = done - t->handoff;
			}
		} else {
			q = done - t->active;
		}
	} else {
		a = done - t->arrival;
	}
	buf_init(&b);
	buf_addf(&b, "%s: to=<%s>", queue_id, to);
	if (orig_to != NULL && orig_to[0] != '\0' && strcasecmp(orig_to, to) != 0)
		buf_addf(&b, ", orig_to=<%s>", orig_to);
	buf_addf(&b, ", relay=%s, delay=", relay);
	log_adhoc_format_tv(&b, done - t->arrival);
	buf_adds(&b, ", delays=");
	log_adhoc_format_tv(&b, a);
	buf_addc(&b, '/');
	log_adhoc_format_tv(&b, q);
	buf_addc(&b, '/');
	log_adhoc_format_tv(&b, c);
	buf_addc(&b, '/');
	log_adhoc_format_tv(&b, x);
	buf_addf(&b, ", dsn=%s, status=%s (%s)", dsn, status, text);
	return buf_steal(&b, NULL);
}

void log_adhoc(struct host *h, mtime_t now, const char *process,
	       const char *queue_id, const char *to, const char *orig_to,
	       const char *relay, const struct log_adhoc_times *t,
	       const char *dsn, const char *status, const char *text)
{
	char *line = log_adhoc_line(queue_id, to, orig_to, relay, t, now, dsn,
				    status, text);

	host_log(h, now, process, "%s", line);
	free(line);
}
